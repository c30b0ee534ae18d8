/*
 * Copyright (c) 2026 The bondd developers
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */

/*
 * Unit tests of the core's ICMP too-big answers.
 */

#include <sys/socket.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "icmp.h"
#include "check_main.h"

static uint16_t
csum(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t	i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static struct conf_prefix src4 = { AF_INET, 24, { 198, 19, 0, 1 } };
static struct conf_prefix src6 = { AF_INET6, 64,
    { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 } };

static void
ipv4(uint8_t *p, size_t len, int df, uint8_t proto)
{
	memset(p, 0, len);
	p[0] = 0x45;
	p[2] = len >> 8;
	p[3] = len & 0xff;
	p[6] = df ? 0x40 : 0;
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, "\xc6\x12\x05\x07", 4);	/* 198.18.5.7 */
	memcpy(p + 16, "\xc6\x12\x06\x08", 4);
}

START_TEST(test_v4)
{
	uint8_t	pkt[1500], out[600];
	size_t	n;

	ipv4(pkt, sizeof(pkt), 1, 6);
	n = icmp_too_big(pkt, sizeof(pkt), 1426, &src4, out, sizeof(out));
	ck_assert_uint_eq(n, 20 + 8 + 28);
	ck_assert_uint_eq(out[9], 1);
	ck_assert_mem_eq(out + 12, src4.addr, 4);
	ck_assert_mem_eq(out + 16, pkt + 12, 4);
	ck_assert_uint_eq(out[20], 3);
	ck_assert_uint_eq(out[21], 4);
	ck_assert_uint_eq(out[26] << 8 | out[27], 1426);
	ck_assert_uint_eq(csum(out, 20, 0), 0);
	ck_assert_uint_eq(csum(out + 20, n - 20, 0), 0);
	ck_assert_mem_eq(out + 28, pkt, 28);
}
END_TEST

START_TEST(test_v4_no_answer)
{
	uint8_t	pkt[1500], out[600];

	ipv4(pkt, sizeof(pkt), 0, 6);		/* DF clear */
	ck_assert_uint_eq(icmp_too_big(pkt, sizeof(pkt), 1426, &src4, out,
	    sizeof(out)), 0);
	ipv4(pkt, sizeof(pkt), 1, 1);		/* an ICMP error */
	pkt[20] = 3;
	ck_assert_uint_eq(icmp_too_big(pkt, sizeof(pkt), 1426, &src4, out,
	    sizeof(out)), 0);
	pkt[20] = 8;				/* an echo request is fine */
	ck_assert_uint_gt(icmp_too_big(pkt, sizeof(pkt), 1426, &src4, out,
	    sizeof(out)), 0);
	ipv4(pkt, sizeof(pkt), 1, 6);
	pkt[12] = 224;				/* multicast source */
	ck_assert_uint_eq(icmp_too_big(pkt, sizeof(pkt), 1426, &src4, out,
	    sizeof(out)), 0);
	ipv4(pkt, sizeof(pkt), 1, 6);		/* no v6 source for v4 */
	ck_assert_uint_eq(icmp_too_big(pkt, sizeof(pkt), 1426, &src6, out,
	    sizeof(out)), 0);
	ck_assert_uint_eq(icmp_too_big(pkt, sizeof(pkt), 1426, &src4, out,
	    20), 0);
}
END_TEST

START_TEST(test_v6)
{
	uint8_t		pkt[1500], out[1400];
	uint32_t	sum = 0;
	size_t		n, i;

	memset(pkt, 0, sizeof(pkt));
	pkt[0] = 0x60;
	pkt[4] = (sizeof(pkt) - 40) >> 8;
	pkt[5] = (sizeof(pkt) - 40) & 0xff;
	pkt[6] = 17;
	memcpy(pkt + 8, src6.addr, 16);
	pkt[23] = 9;
	memcpy(pkt + 24, src6.addr, 16);
	n = icmp_too_big(pkt, sizeof(pkt), 1406, &src6, out, sizeof(out));
	ck_assert_uint_eq(n, 1280);
	ck_assert_uint_eq(out[6], 58);
	ck_assert_uint_eq(out[40], 2);
	ck_assert_uint_eq((uint32_t)out[44] << 24 | out[45] << 16 |
	    out[46] << 8 | out[47], 1406);
	ck_assert_mem_eq(out + 24, pkt + 8, 16);
	/* The checksum over pseudo-header and message verifies. */
	for (i = 8; i < 40; i += 2)
		sum += (uint32_t)out[i] << 8 | out[i + 1];
	sum += n - 40;
	sum += 58;
	ck_assert_uint_eq(csum(out + 40, n - 40, sum), 0);
	pkt[6] = 58;				/* about an ICMPv6 error */
	pkt[40] = 1;
	ck_assert_uint_eq(icmp_too_big(pkt, sizeof(pkt), 1406, &src6, out,
	    sizeof(out)), 0);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("icmp");
	TCase	*tc = tcase_create("too_big");

	tcase_add_test(tc, test_v4);
	tcase_add_test(tc, test_v4_no_answer);
	tcase_add_test(tc, test_v6);
	suite_add_tcase(s, tc);
	return (check_run(srunner_create(s)));
}
