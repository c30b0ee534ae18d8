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
 * Unit tests of bondd/txq.c: frames in departure order, small packets
 * sharing the last frame, flows marked mixed, byte accounting, a pool
 * shared by two links running dry, and oversized packets refused.  Test
 * code; trusts its inputs.
 */

#include <stdint.h>
#include <string.h>

#include <check.h>

#include "frame.h"
#include "txq.h"
#include "check_main.h"

#define FMAX	1500
#define HDR	16

static uint8_t pkt[FMAX];

START_TEST(test_order_and_aggregation)
{
	struct txq_pool p;
	struct txq q;
	struct txq_frame *f;
	const uint8_t *r;
	size_t off, rlen;
	unsigned int fl;

	memset(pkt, 0x11, sizeof(pkt));
	ck_assert_int_eq(txq_pool_init(&p, 8, FMAX, HDR), 0);
	txq_init(&q);
	ck_assert_ptr_null(txq_peek(&p, &q));
	/* Three small packets of one flow share a frame. */
	ck_assert_int_eq(txq_fits(&p, &q, 100), 0);
	ck_assert_int_eq(txq_put(&p, &q, pkt, 100, 7, 1000, 1, 0), TXQ_NEW);
	ck_assert_int_eq(txq_fits(&p, &q, 200), 1);
	ck_assert_int_eq(txq_put(&p, &q, pkt, 200, 7, 1010, 1,
	    INNER_REC_CSUM_LEFT), TXQ_JOINED);
	ck_assert_int_eq(txq_put(&p, &q, pkt, 300, 7, 1020, 1, 0), TXQ_JOINED);
	ck_assert_uint_eq(q.nframes, 1);
	ck_assert_uint_eq(q.bytes, 600 + 3 * INNER_REC_HDR_LEN);
	/* A large one does not fit: a frame of its own, then a small one
	 * of another flow joins it. */
	ck_assert_int_eq(txq_fits(&p, &q, 1200), 0);
	ck_assert_int_eq(txq_put(&p, &q, pkt, 1200, 7, 1030, 1, 0), TXQ_NEW);
	ck_assert_int_eq(txq_put(&p, &q, pkt, 50, 9, 1040, 1, 0), TXQ_JOINED);
	ck_assert_uint_eq(q.nframes, 2);
	f = txq_peek(&p, &q);
	ck_assert_uint_eq(f->depart_us, 1000);
	ck_assert_uint_eq(f->npkts, 3);
	ck_assert_int_eq(f->mixed, 0);
	ck_assert_uint_eq(f->flow, 7);
	/* The records follow the header space. */
	off = 0;
	ck_assert_int_eq(frame_rec_next(f->buf + HDR, f->len - HDR, &off, &r,
	    &rlen, &fl), 1);
	ck_assert_uint_eq(rlen, 100);
	ck_assert_uint_eq(fl, 0);
	/* The second one's checksum was left: its record says so. */
	ck_assert_int_eq(frame_rec_next(f->buf + HDR, f->len - HDR, &off, &r,
	    &rlen, &fl), 1);
	ck_assert_uint_eq(rlen, 200);
	ck_assert_uint_eq(fl, INNER_REC_CSUM_LEFT);
	txq_pop(&p, &q);
	f = txq_peek(&p, &q);
	ck_assert_uint_eq(f->depart_us, 1030);
	ck_assert_uint_eq(f->npkts, 2);
	ck_assert_int_eq(f->mixed, 1);
	ck_assert_uint_eq(q.bytes, 1250 + 2 * INNER_REC_HDR_LEN);
	txq_pop(&p, &q);
	ck_assert_ptr_null(txq_peek(&p, &q));
	ck_assert_uint_eq(q.bytes, 0);
	ck_assert_uint_eq(p.nfree, 8);
	txq_pool_free(&p);
}
END_TEST

START_TEST(test_pool_shared_and_limits)
{
	struct txq_pool p;
	struct txq a, b;
	int i;

	ck_assert_int_eq(txq_pool_init(&p, 4, FMAX, HDR), 0);
	txq_init(&a);
	txq_init(&b);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(txq_put(&p, &a, pkt, 1400, 1, i, 1, 0),
		    TXQ_NEW);
	ck_assert_int_eq(txq_put(&p, &b, pkt, 1400, 1, 0, 1, 0), TXQ_NEW);
	/* Dry: no frame for either link, but a small packet still fits
	 * the last frame of a. */
	ck_assert_int_eq(txq_put(&p, &b, pkt, 1400, 1, 0, 1, 0), -1);
	ck_assert_int_eq(txq_put(&p, &a, pkt, 1400, 1, 0, 1, 0), -1);
	ck_assert_int_eq(txq_put(&p, &a, pkt, 60, 1, 0, 1, 0), TXQ_JOINED);
	ck_assert_uint_eq(txq_drop_all(&p, &a), 3);
	ck_assert_uint_eq(a.bytes, 0);
	ck_assert_uint_eq(p.nfree, 3);
	ck_assert_int_eq(txq_put(&p, &b, pkt, 1400, 1, 5, 1, 0), TXQ_NEW);
	ck_assert_uint_eq(b.nframes, 2);
	/* Never fits a frame, or empty: refused. */
	ck_assert_int_eq(txq_put(&p, &b, pkt, FMAX - HDR -
	    INNER_REC_HDR_LEN + 1, 1, 0, 1, 0), -1);
	ck_assert_int_eq(txq_put(&p, &b, pkt, 0, 1, 0, 1, 0), -1);
	ck_assert_int_eq(txq_put(&p, &b, pkt, FMAX - HDR -
	    INNER_REC_HDR_LEN, 1, 0, 1, 0), TXQ_NEW);
	/* It would fit, but may not join: a frame of its own. */
	ck_assert_int_eq(txq_fits(&p, &a, 60), 0);
	ck_assert_int_eq(txq_put(&p, &a, pkt, 60, 1, 0, 1, 0), TXQ_NEW);
	ck_assert_int_eq(txq_fits(&p, &a, 60), 1);
	ck_assert_ptr_eq(txq_tail(&p, &a), txq_peek(&p, &a));
	ck_assert_int_eq(txq_put(&p, &a, pkt, 60, 1, 0, 0, 0), -1);
	txq_pool_free(&p);
	ck_assert_int_eq(txq_pool_init(&p, 0, FMAX, HDR), -1);
	ck_assert_int_eq(txq_pool_init(&p, 4, HDR + 1, HDR), -1);
}
END_TEST

static Suite *
txq_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("txq");
	tc = tcase_create("core");
	tcase_add_test(tc, test_order_and_aggregation);
	tcase_add_test(tc, test_pool_shared_and_limits);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(srunner_create(txq_suite())));
}
