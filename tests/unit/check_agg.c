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
 * Unit tests of bondd/agg.c on a simulated clock: small packets share
 * a frame and wait at most AGG_WAIT_US for company, a large packet or
 * a half-full frame goes at once, a packet that does not fit asks for
 * the pending frame to go first, and the records read back.  Test
 * code; trusts its inputs.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "agg.h"
#include "frame.h"
#include "check_main.h"

#define FRAME_MAX	(1400 + FRAME_INNER_OVERHEAD)
#define T0		5000000ULL

static void
add(struct agg *a, size_t len, uint8_t fill, uint64_t now)
{
	uint8_t	pkt[FRAME_MAX];

	memset(pkt, fill, len);
	ck_assert_int_eq(agg_full(a, len), 0);
	agg_add(a, pkt, len, now);
}

START_TEST(test_small_wait)
{
	struct agg	a;
	uint64_t	wake = 0;

	ck_assert_int_eq(agg_init(&a, FRAME_MAX), 0);
	ck_assert_int_eq(agg_settle(&a, T0, &wake), AGG_EMPTY);
	add(&a, 40, 1, T0);
	add(&a, AGG_SMALL, 2, T0 + 300);
	ck_assert_int_eq(a.npkts, 2);
	ck_assert_uint_eq(a.len, INNER_HDR_LEN + 2 * INNER_REC_HDR_LEN +
	    40 + AGG_SMALL);
	/* The first packet's arrival sets the deadline. */
	ck_assert_int_eq(agg_settle(&a, T0 + 300, &wake), AGG_WAIT);
	ck_assert_uint_eq(wake, T0 + AGG_WAIT_US);
	ck_assert_int_eq(agg_settle(&a, T0 + AGG_WAIT_US - 1, &wake),
	    AGG_WAIT);
	ck_assert_int_eq(agg_settle(&a, T0 + AGG_WAIT_US, &wake), AGG_SEND);
	agg_clear(&a);
	ck_assert_int_eq(agg_settle(&a, T0 + AGG_WAIT_US, &wake), AGG_EMPTY);
	ck_assert_int_eq(a.npkts, 0);
	/* A new frame starts a new wait. */
	add(&a, 40, 3, T0 + 5000);
	ck_assert_int_eq(agg_settle(&a, T0 + 5000, &wake), AGG_WAIT);
	ck_assert_uint_eq(wake, T0 + 5000 + AGG_WAIT_US);
	free(a.buf);
}
END_TEST

START_TEST(test_large_goes)
{
	struct agg	a;
	uint64_t	wake = 0;

	ck_assert_int_eq(agg_init(&a, FRAME_MAX), 0);
	add(&a, 40, 1, T0);
	add(&a, AGG_SMALL + 1, 2, T0);
	ck_assert_int_eq(agg_settle(&a, T0, &wake), AGG_SEND);
	ck_assert_uint_eq(wake, 0);
	free(a.buf);
}
END_TEST

/* Small packets filling more than half the frame: no use waiting. */
START_TEST(test_half_full_goes)
{
	struct agg	a;
	uint64_t	wake;
	int		i;

	ck_assert_int_eq(agg_init(&a, FRAME_MAX), 0);
	for (i = 0; a.len + INNER_REC_HDR_LEN + 200 <= FRAME_MAX / 2; i++) {
		add(&a, 200, (uint8_t)i, T0);
		ck_assert_int_eq(agg_settle(&a, T0, &wake), AGG_WAIT);
	}
	add(&a, 200, (uint8_t)i, T0);
	ck_assert_uint_gt(a.len, FRAME_MAX / 2);
	ck_assert_int_eq(agg_settle(&a, T0, &wake), AGG_SEND);
	free(a.buf);
}
END_TEST

/* A packet that does not fit asks for a flush; the records read back
 * in order after the header the caller writes. */
START_TEST(test_full_and_records)
{
	struct agg	 a;
	const uint8_t	*pkt;
	size_t		 off = INNER_HDR_LEN, plen;
	int		 i;

	ck_assert_int_eq(agg_init(&a, FRAME_MAX), 0);
	/* Nothing pending: even the largest packet fits. */
	ck_assert_int_eq(agg_full(&a, FRAME_MAX - FRAME_INNER_OVERHEAD), 0);
	add(&a, 700, 1, T0);
	add(&a, 600, 2, T0);
	/* 12 + 702 + 602 = 1316 of 1414 bytes: 96 more fit, not 97. */
	ck_assert_int_eq(agg_full(&a, FRAME_MAX - a.len -
	    INNER_REC_HDR_LEN), 0);
	ck_assert_int_eq(agg_full(&a, FRAME_MAX - a.len -
	    INNER_REC_HDR_LEN + 1), 1);
	add(&a, 96, 3, T0);
	ck_assert_uint_eq(a.len, FRAME_MAX);
	ck_assert_int_eq(agg_full(&a, 1), 1);
	for (i = 1; i <= 3; i++) {
		ck_assert_int_eq(frame_rec_next(a.buf, a.len, &off, &pkt,
		    &plen), 1);
		ck_assert_uint_eq(plen, i == 1 ? 700 : i == 2 ? 600 : 96);
		ck_assert_uint_eq(pkt[0], i);
		ck_assert_uint_eq(pkt[plen - 1], i);
	}
	ck_assert_int_eq(frame_rec_next(a.buf, a.len, &off, &pkt, &plen), 0);
	free(a.buf);
}
END_TEST

static Suite *
agg_suite(void)
{
	Suite	*s = suite_create("agg");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_small_wait);
	tcase_add_test(tc, test_large_goes);
	tcase_add_test(tc, test_half_full_goes);
	tcase_add_test(tc, test_full_and_records);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_run(srunner_create(agg_suite()));
}
