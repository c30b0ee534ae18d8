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
 * Unit tests of bondd/csum.c against published values: the example
 * sum of RFC 1071 section 3, the incremental update of RFC 1624
 * section 4 (and that it equals a full recomputation), an odd length,
 * an IPv4 header and a UDP packet whose checksum verifies in place,
 * and every length and alignment against a word-by-word sum.
 * Test code; trusts its inputs.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "csum.h"
#include "check_main.h"

START_TEST(test_rfc1071)
{
	/* RFC 1071 3: 0001 f203 f4f5 f6f7 sums to ddf2 (folded). */
	static const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5,
	    0xf6, 0xf7 };

	ck_assert_uint_eq(csum_fold(csum_add(0, b, sizeof(b))), 0xddf2);
	ck_assert_uint_eq(csum_bytes(b, sizeof(b)), (uint16_t)~0xddf2);
	/* An odd tail counts as its byte followed by a zero. */
	ck_assert_uint_eq(csum_fold(csum_add(0, b, 7)),
	    csum_fold(csum_add(0, b, 6) + 0xf600));
	/* A sum split anywhere even adds up the same. */
	ck_assert_uint_eq(csum_fold(csum_add(csum_add(0, b, 4), b + 4, 4)),
	    0xddf2);
}
END_TEST

START_TEST(test_rfc1624)
{
	/* RFC 1624 4: HC 0xdd2f, a word m 0x5555 becomes 0x3285: the
	 * new checksum is 0x0000 (eqn. 3, not the 0xffff of eqn. 2). */
	uint8_t		ck[2] = { 0xdd, 0x2f };
	uint8_t		w[8] = { 0x12, 0x34, 0x55, 0x55, 0xab, 0xcd, 0, 0 };
	uint16_t	before;

	csum_update(ck, 0x5555, 0x3285);
	ck_assert_uint_eq(ck[0] << 8 | ck[1], 0x0000);

	/* Against a full recomputation over words with their checksum
	 * in the last one. */
	before = csum_bytes(w, 6);
	w[6] = before >> 8;
	w[7] = before & 0xff;
	ck_assert_uint_eq(csum_fold(csum_add(0, w, 8)), 0xffff);
	w[2] = 0x32;
	w[3] = 0x85;
	csum_update(w + 6, 0x5555, 0x3285);
	ck_assert_uint_eq(csum_fold(csum_add(0, w, 8)), 0xffff);
	ck_assert_uint_eq(w[6] << 8 | w[7], csum_bytes(w, 6));
}
END_TEST

START_TEST(test_ip4_udp)
{
	/* IPv4 198.18.0.1 -> 198.18.0.2, UDP 1000 -> 2000, "abc". */
	uint8_t		p[31] = {
		0x45, 0, 0, 31, 0, 1, 0x40, 0, 64, 17, 0, 0,
		198, 18, 0, 1, 198, 18, 0, 2,
		0x03, 0xe8, 0x07, 0xd0, 0, 11, 0, 0, 'a', 'b', 'c'
	};
	uint16_t	c;

	c = csum_ip4(p, 20);
	/* Worked by hand: words 4500 001f 0001 4000 4011 c612 0001
	 * c612 0002 sum to 2_5158, folded 515a, complemented aea5. */
	ck_assert_uint_eq(c, 0xaea5);
	p[10] = c >> 8;
	p[11] = c & 0xff;
	/* The header verifies: its sum with the checksum is 0xffff. */
	ck_assert_uint_eq(csum_fold(csum_add(0, p, 20)), 0xffff);
	/* The checksum field itself is left out of csum_ip4. */
	ck_assert_uint_eq(csum_ip4(p, 20), c);

	c = csum_l4(p, 0, p + 20, 11, 17);
	p[26] = c >> 8;
	p[27] = c & 0xff;
	ck_assert_uint_eq(csum_l4(p, 0, p + 20, 11, 17), 0);
	/* The pseudo-header's folded sum plus the packet's own sum is
	 * what the checksum complements. */
	p[26] = p[27] = 0;
	ck_assert_uint_eq((uint16_t)~csum_fold(csum_pseudo(p, 0, 11, 17) +
	    csum_add(0, p + 20, 11)), c);
}
END_TEST

/* RFC 1071 word by word in network order: what the sum must equal
 * whatever steps it takes. */
static uint16_t
ref_fold(const uint8_t *p, size_t n)
{
	uint64_t	s = 0;
	size_t		i;

	for (i = 0; i < n; i++)
		s += i % 2 == 0 ? (uint64_t)p[i] << 8 : p[i];
	while (s > 0xffff)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* Every length and alignment up to a few words past a step, a large
 * frame, and sums that are all ones (0xffff, never 0) or all zeros. */
START_TEST(test_lengths)
{
	static uint8_t	b[65536 + 16];
	size_t		i, n, off;

	srandom(1071);
	for (i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)random();
	for (off = 0; off < 8; off++)
		for (n = 0; n < 80; n++)
			ck_assert_uint_eq(csum_fold(csum_add(0, b + off, n)),
			    ref_fold(b + off, n));
	ck_assert_uint_eq(csum_fold(csum_add(0, b + 3, 65536)),
	    ref_fold(b + 3, 65536));
	memset(b, 0xff, sizeof(b));
	ck_assert_uint_eq(csum_fold(csum_add(0, b, 65536)), 0xffff);
	ck_assert_uint_eq(csum_fold(csum_add(0, b + 1, 1999)),
	    ref_fold(b + 1, 1999));
	memset(b, 0, 64);
	ck_assert_uint_eq(csum_fold(csum_add(0, b, 64)), 0);
	b[17] = 1;
	ck_assert_uint_eq(csum_fold(csum_add(0, b, 64)), 1);
}
END_TEST

static Suite *
csum_suite(void)
{
	Suite *s = suite_create("csum");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_rfc1071);
	tcase_add_test(tc, test_rfc1624);
	tcase_add_test(tc, test_ip4_udp);
	tcase_add_test(tc, test_lengths);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(srunner_create(csum_suite())));
}
