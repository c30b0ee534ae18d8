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
 * Unit tests of the core's IP packet check (bondd/ipcheck.c).  Test
 * code; trusts its inputs.
 */

#include <sys/socket.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ipcheck.h"
#include "check_main.h"

static void
make_ipv4(uint8_t *p, size_t len)
{
	memset(p, 0, len);
	p[0] = 0x45;
	p[2] = len >> 8;
	p[3] = len & 0xff;
	p[9] = 17;
	memcpy(p + 12, "\xc6\x13\x00\x02", 4);	/* 198.19.0.2 */
	memcpy(p + 16, "\xc6\x13\x00\x01", 4);	/* 198.19.0.1 */
}

START_TEST(test_ip_check)
{
	uint8_t		 p[80];
	const uint8_t	*src, *dst;

	make_ipv4(p, 60);
	ck_assert_int_eq(ip_check(p, 60, &src, &dst), AF_INET);
	ck_assert_ptr_eq(src, p + 12);
	ck_assert_ptr_eq(dst, p + 16);
	/* Total length disagrees with what was read. */
	ck_assert_int_eq(ip_check(p, 59, &src, &dst), -1);
	ck_assert_int_eq(ip_check(p, 10, &src, &dst), -1);
	p[0] = 0x44;		/* header shorter than 20 bytes */
	ck_assert_int_eq(ip_check(p, 60, &src, &dst), -1);
	memset(p, 0, sizeof(p));
	p[0] = 0x60;
	p[5] = 40;		/* payload length */
	ck_assert_int_eq(ip_check(p, 80, &src, &dst), AF_INET6);
	ck_assert_ptr_eq(src, p + 8);
	ck_assert_ptr_eq(dst, p + 24);
	ck_assert_int_eq(ip_check(p, 79, &src, &dst), -1);
	p[0] = 0x50;		/* no such IP version */
	ck_assert_int_eq(ip_check(p, 80, &src, &dst), -1);
}
END_TEST

static Suite *
ipcheck_suite(void)
{
	Suite	*s = suite_create("ipcheck");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_ip_check);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_run(srunner_create(ipcheck_suite()));
}
