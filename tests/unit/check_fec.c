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
 * Unit tests of bondd/fec.c: the tier table and its hysteresis (F29),
 * parity header decoding, blocks rebuilt from any k losses and refused
 * beyond, shortened blocks, a single frame, malformed parity, and a
 * random run whose rebuilt frames must equal what was sent.  Test code;
 * trusts its inputs.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "fec.h"
#include "check_main.h"

#define SYM_MAX		1502
#define MS		1000ULL

static uint8_t frames[64][SYM_MAX];
static size_t lens[64];

static void
make_frames(int n, unsigned int seed)
{
	int i;
	size_t j;

	srandom(seed);
	for (i = 0; i < n; i++) {
		lens[i] = 1 + (size_t)(random() % (SYM_MAX - 2));
		for (j = 0; j < lens[i]; j++)
			frames[i][j] = (uint8_t)random();
	}
}

static struct fec_tier
tier(int n, int k)
{
	struct fec_tier t = { (uint8_t)n, (uint8_t)k };

	return (t);
}

START_TEST(test_tiers)
{
	struct fec_tiersel ts;
	struct fec_tier t;
	static const struct {
		uint32_t ppm;
		int n, k;
	} want[] = {
		/* Blocks failing: 20+1 at 0.7 % 0.94 %, at 1 % 1.85 %;
		 * 10+2 at 3.5 % 0.74 %, at 4 % 1.07 %; 10+4 at 10 %
		 * 0.92 %, at 12 % 1.96 %; 8+4 at 12 % 0.95 %; 6+4 at
		 * 15 % 0.99 %. */
		{ 0, 0, 0 }, { 999, 0, 0 }, { 1000, 20, 1 }, { 7000, 20, 1 },
		{ 10000, 10, 2 }, { 35000, 10, 2 }, { 40000, 10, 4 },
		{ 100000, 10, 4 }, { 120000, 8, 4 }, { 150000, 6, 4 },
		{ 700000, 6, 4 }
	};
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		fec_tiersel_init(&ts);
		t = fec_tier_pick(&ts, want[i].ppm, 0);
		ck_assert_int_eq(t.n, want[i].n);
		ck_assert_int_eq(t.k, want[i].k);
	}
	/* Up at once, down only after 10 s below. */
	fec_tiersel_init(&ts);
	t = fec_tier_pick(&ts, 20000, 0);
	ck_assert_int_eq(t.k, 2);
	t = fec_tier_pick(&ts, 150000, 1 * MS);
	ck_assert_int_eq(t.n, 6);
	t = fec_tier_pick(&ts, 0, 2 * MS);
	ck_assert_int_eq(t.n, 6);
	t = fec_tier_pick(&ts, 0, 2 * MS + FEC_DOWN_US - 1);
	ck_assert_int_eq(t.n, 6);
	/* A spike resets the wait. */
	t = fec_tier_pick(&ts, 150000, 5000 * MS);
	t = fec_tier_pick(&ts, 0, 5001 * MS);
	t = fec_tier_pick(&ts, 0, 5001 * MS + FEC_DOWN_US - 1);
	ck_assert_int_eq(t.n, 6);
	t = fec_tier_pick(&ts, 0, 5001 * MS + FEC_DOWN_US);
	ck_assert_int_eq(t.k, 0);
}
END_TEST

START_TEST(test_parity_header)
{
	uint8_t buf[64], sym[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t golden[19] = { 0xfe, 0xff, 0xff, 0xff, 10, 4, 3,
	    3, 64, 66, 65, 1, 2, 3, 4, 5, 6, 7, 8 };
	struct fec_parity fp, got;

	memset(&fp, 0, sizeof(fp));
	fp.base = 0xfffffffeU;
	fp.n = 10;
	fp.k = 4;
	fp.count = 3;
	fp.idx = 3;
	fp.off[0] = 64;
	fp.off[1] = 66;
	fp.off[2] = 65;
	fp.sym = sym;
	fp.sym_len = sizeof(sym);
	/* Golden bytes: base LE, n, k, count, idx, offsets, symbol. */
	ck_assert_uint_eq(fec_parity_encode(buf, &fp), sizeof(golden));
	ck_assert_mem_eq(buf, golden, sizeof(golden));
	ck_assert_int_eq(fec_parity_decode(buf, 19, &got), 0);
	ck_assert_uint_eq(got.base, fp.base);
	ck_assert_uint_eq(got.count, 3);
	ck_assert_mem_eq(got.off, fp.off, 3);
	ck_assert_uint_eq(got.sym_len, 8);
	ck_assert_mem_eq(got.sym, sym, 8);
	/* Too short for its offsets and a 3-byte symbol. */
	ck_assert_int_eq(fec_parity_decode(buf, 13, &got), -1);
	ck_assert_int_eq(fec_parity_decode(buf, 7, &got), -1);
	buf[10] = 64;		/* two frames at one offset */
	ck_assert_int_eq(fec_parity_decode(buf, 19, &got), -1);
	buf[10] = 65;
	buf[7] = 4;		/* idx >= k */
	ck_assert_int_eq(fec_parity_decode(buf, 19, &got), -1);
	buf[7] = 0;
	buf[6] = 11;		/* count > n */
	ck_assert_int_eq(fec_parity_decode(buf, 19, &got), -1);
	buf[6] = 0;
	ck_assert_int_eq(fec_parity_decode(buf, 19, &got), -1);
	buf[6] = 1;
	buf[4] = FEC_MAX_N + 1;
	ck_assert_int_eq(fec_parity_decode(buf, 19, &got), -1);
	buf[4] = 10;
	buf[5] = FEC_MAX_K + 1;
	ck_assert_int_eq(fec_parity_decode(buf, 19, &got), -1);
}
END_TEST

/*
 * Send count frames, frame i numbered first + perm[i] (first + i if perm
 * is NULL), with tier t, lose those in lost[] (data index < count,
 * parity index >= 100), and check what the receiver rebuilds.  Returns
 * how many frames were rebuilt.
 */
static int
run_blockp(uint32_t first, int count, struct fec_tier t, const int *lost,
    int nlost, int flush, const int *perm)
{
	struct fec_enc *e;
	struct fec_dec *d;
	struct fec_parity fp;
	uint8_t pbuf[FEC_MAX_K][SYM_MAX + FEC_PARITY_HDR(FEC_MAX_N)];
	size_t plen[FEC_MAX_K], len;
	const uint8_t *f;
	uint32_t seq;
	int i, j, np = 0, isl, got = 0;

	e = fec_enc_new(SYM_MAX);
	d = fec_dec_new(256, SYM_MAX);
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_nonnull(d);
	for (i = 0; i < count; i++)
		np = fec_enc_add(e, first + (uint32_t)(perm ? perm[i] : i),
		    frames[i], lens[i], t,
		    0);
	if (flush) {
		ck_assert_int_eq(np, 0);
		ck_assert_uint_eq(fec_enc_deadline(e), FEC_FLUSH_US);
		ck_assert_int_eq(fec_enc_flush(e, FEC_FLUSH_US - 1), 0);
		np = fec_enc_flush(e, FEC_FLUSH_US);
	}
	ck_assert_int_gt(np, 0);
	ck_assert_uint_eq(fec_enc_deadline(e), 0);
	for (j = 0; j < np; j++) {
		plen[j] = fec_enc_parity(e, j, pbuf[j], sizeof(pbuf[j]));
		ck_assert_uint_gt(plen[j], FEC_PARITY_HDR(count));
	}
	ck_assert_uint_eq(fec_enc_parity(e, np, pbuf[0], sizeof(pbuf[0])), 0);
	for (i = 0; i < count; i++) {
		for (isl = 0, j = 0; j < nlost; j++)
			isl |= lost[j] == i;
		if (!isl)
			fec_dec_data(d, first + (uint32_t)(perm ? perm[i] :
			    i), frames[i],
			    lens[i]);
	}
	for (j = 0; j < np; j++) {
		for (isl = 0, i = 0; i < nlost; i++)
			isl |= lost[i] == 100 + j;
		if (isl)
			continue;
		ck_assert_int_eq(fec_parity_decode(pbuf[j], plen[j], &fp), 0);
		ck_assert_int_eq(fec_dec_parity(d, &fp, 1 * MS), 0);
	}
	while (fec_dec_recover(d, 1 * MS, &seq, &f, &len) == 1) {
		for (i = 0; i < count; i++)
			if (first + (uint32_t)(perm ? perm[i] : i) == seq)
				break;
		ck_assert_int_lt(i, count);
		ck_assert_uint_eq(len, lens[i]);
		ck_assert_mem_eq(f, frames[i], len);
		got++;
	}
	fec_enc_free(e);
	fec_dec_free(d);
	return (got);
}

static int
run_block(uint32_t first, int count, struct fec_tier t, const int *lost,
    int nlost, int flush)
{
	return run_blockp(first, count, t, lost, nlost, flush, NULL);
}

/* 10 + 4: any four losses, data or parity, are repaired; five not. */
START_TEST(test_any_k)
{
	static const int l1[] = { 0, 3, 7, 9 };
	static const int l2[] = { 1, 2, 100, 103 };
	static const int l3[] = { 5 };
	static const int l4[] = { 0, 1, 2, 3, 4 };
	static const int l5[] = { 100, 101, 102, 103 };
	static const int l6[] = { 0, 3, 5 };

	make_frames(10, 7);
	ck_assert_int_eq(run_block(1000, 10, tier(10, 4), l1, 4, 0), 4);
	ck_assert_int_eq(run_block(1000, 10, tier(10, 4), l2, 4, 0), 2);
	ck_assert_int_eq(run_block(0xfffffffcU, 10, tier(10, 4), l3, 1, 0),
	    1);
	ck_assert_int_eq(run_block(1000, 10, tier(10, 4), l4, 5, 0), 0);
	ck_assert_int_eq(run_block(1000, 10, tier(10, 4), l5, 4, 0), 0);
	make_frames(20, 8);
	ck_assert_int_eq(run_block(5, 20, tier(20, 1), l3, 1, 0), 1);
	ck_assert_int_eq(run_block(5, 6, tier(6, 4), l6, 3, 0), 3);
}
END_TEST

/* Frames sent in another order than numbered, across the wrap, up to
 * FEC_OFF_BELOW below the first; one too far starts the next block. */
START_TEST(test_out_of_order)
{
	static const int perm[10] = { 3, 0, 1, 2, -60, 7, 6, 5, 4, 8 };
	static const int l1[] = { 0, 4, 5, 9 };
	struct fec_enc *e;

	make_frames(10, 12);
	ck_assert_int_eq(run_blockp(0xfffffff8U, 10, tier(10, 4), l1, 4, 0,
	    perm), 4);
	e = fec_enc_new(SYM_MAX);
	ck_assert_int_eq(fec_enc_add(e, 1000, frames[0], lens[0],
	    tier(10, 2), 0), 0);
	ck_assert_uint_eq(fec_enc_deadline(e), FEC_FLUSH_US);
	/* 65 below the first: the block ends, this one starts anew. */
	ck_assert_int_eq(fec_enc_add(e, 1000 - FEC_OFF_BELOW - 1, frames[1],
	    lens[1], tier(10, 2), 100), 0);
	ck_assert_uint_eq(fec_enc_deadline(e), 100 + FEC_FLUSH_US);
	fec_enc_free(e);
}
END_TEST

/* A partial block gets ceil(k x count / n) parity; one frame gets one. */
START_TEST(test_partial)
{
	static const int l1[] = { 0, 2 };
	static const int l2[] = { 0 };
	static const int l3[] = { 0, 1, 2 };

	make_frames(3, 9);
	ck_assert_int_eq(run_block(77, 3, tier(10, 4), l1, 2, 1), 2);
	ck_assert_int_eq(run_block(77, 3, tier(10, 4), l3, 3, 1), 0);
	ck_assert_int_eq(run_block(77, 1, tier(8, 4), l2, 1, 1), 1);
}
END_TEST

/* A lone frame costs one parity frame at most: two datagrams. */
START_TEST(test_single_frame_two_datagrams)
{
	static const int code[][2] = { { 20, 1 }, { 10, 2 }, { 10, 4 },
	    { 8, 4 }, { 6, 4 } };
	struct fec_enc *e;
	int i;

	make_frames(1, 3);
	for (i = 0; i < 5; i++) {
		e = fec_enc_new(SYM_MAX);
		ck_assert_int_eq(fec_enc_add(e, 1, frames[0], lens[0],
		    tier(code[i][0], code[i][1]), 0), 0);
		ck_assert_uint_ne(fec_enc_deadline(e), 0);
		ck_assert_int_eq(fec_enc_flush(e, FEC_FLUSH_US), 1);
		fec_enc_free(e);
	}
	/* A code outside the table is not used. */
	e = fec_enc_new(SYM_MAX);
	ck_assert_int_eq(fec_enc_add(e, 1, frames[0], lens[0], tier(6, 3),
	    0), 0);
	ck_assert_uint_eq(fec_enc_deadline(e), 0);
	fec_enc_free(e);
}
END_TEST

/* No code, no block; a gap in sequence (a frame of another block or
 * not yet sent) stays in the block; an oversized frame is not coded. */
START_TEST(test_gap_and_off)
{
	struct fec_enc *e;

	make_frames(4, 4);
	e = fec_enc_new(SYM_MAX);
	ck_assert_int_eq(fec_enc_add(e, 1, frames[0], lens[0], tier(0, 0),
	    0), 0);
	ck_assert_uint_eq(fec_enc_deadline(e), 0);
	ck_assert_int_eq(fec_enc_add(e, 2, frames[1], lens[1], tier(10, 2),
	    10), 0);
	ck_assert_uint_eq(fec_enc_deadline(e), 10 + FEC_FLUSH_US);
	ck_assert_int_eq(fec_enc_add(e, 4, frames[2], lens[2], tier(10, 2),
	    20), 0);
	ck_assert_uint_eq(fec_enc_deadline(e), 10 + FEC_FLUSH_US);
	ck_assert_int_eq(fec_enc_flush(e, 10 + FEC_FLUSH_US), 1);
	/* Too long for a symbol: not coded. */
	ck_assert_int_eq(fec_enc_add(e, 5, frames[3], SYM_MAX - 1,
	    tier(10, 2), 30), 0);
	fec_enc_free(e);
}
END_TEST

START_TEST(test_bad_parity)
{
	struct fec_dec *d;
	struct fec_parity fp;
	uint8_t sym[100];
	uint32_t seq;
	const uint8_t *f;
	size_t len;
	struct fec_dec_stats st;

	memset(sym, 0x5a, sizeof(sym));
	d = fec_dec_new(256, SYM_MAX);
	memset(&fp, 0, sizeof(fp));
	for (seq = 0; seq < FEC_MAX_N; seq++)
		fp.off[seq] = (uint8_t)seq;
	fp.base = 10;
	fp.n = 10;
	fp.k = 2;
	fp.count = 10;
	fp.idx = 0;
	fp.sym = sym;
	fp.sym_len = sizeof(sym);
	ck_assert_int_eq(fec_dec_parity(d, &fp, 0), 0);
	/* The same block with another code or length: refused. */
	fp.idx = 1;
	fp.k = 3;
	ck_assert_int_eq(fec_dec_parity(d, &fp, 0), -1);
	fp.k = 2;
	fp.sym_len = 99;
	ck_assert_int_eq(fec_dec_parity(d, &fp, 0), -1);
	fp.sym_len = SYM_MAX + 1;
	ck_assert_int_eq(fec_dec_parity(d, &fp, 0), -1);
	/* Garbage parity for nine frames we have: the rebuilt length
	 * makes no sense, nothing comes out. */
	for (seq = 10; seq < 19; seq++)
		fec_dec_data(d, seq, sym, 50);
	fp.sym_len = sizeof(sym);
	ck_assert_int_eq(fec_dec_parity(d, &fp, 0), 0);
	ck_assert_int_eq(fec_dec_recover(d, 0, &seq, &f, &len), 0);
	/* A frame longer than the block's symbols: dropped, no crash. */
	fp.base = 100;
	fp.idx = 0;
	fp.sym_len = 10;
	ck_assert_int_eq(fec_dec_parity(d, &fp, 0), 0);
	fec_dec_data(d, 100, sym, 60);
	ck_assert_int_eq(fec_dec_recover(d, 0, &seq, &f, &len), 0);
	fec_dec_stats(d, &st);
	ck_assert_uint_eq(st.bad, 5);
	ck_assert_uint_eq(st.recovered, 0);
	/* Expired with frames missing. */
	fp.base = 300;
	ck_assert_int_eq(fec_dec_parity(d, &fp, 0), 0);
	ck_assert_int_eq(fec_dec_recover(d, FEC_EXPIRE_US + 1, &seq, &f,
	    &len), 0);
	fec_dec_stats(d, &st);
	ck_assert_uint_eq(st.failed, 1);
	ck_assert_ptr_null(fec_dec_new(20, SYM_MAX));
	ck_assert_ptr_null(fec_enc_new(2));
	fec_dec_free(d);
}
END_TEST

/* Random streams: 5 % loss of data and parity over many blocks of the
 * adaptive tiers; every frame is either received or rebuilt intact,
 * except in blocks that lost more than their parity. */
START_TEST(test_random_stream)
{
	struct fec_enc *e;
	struct fec_dec *d;
	struct fec_parity fp;
	struct fec_dec_stats st;
	uint8_t pbuf[SYM_MAX + FEC_PARITY_HDR(FEC_MAX_N)];
	static uint8_t got[4000];
	size_t plen, len;
	const uint8_t *f;
	uint32_t seq;
	uint64_t now = 0;
	int i, j, np, lost = 0, missing = 0;

	make_frames(64, 11);
	e = fec_enc_new(SYM_MAX);
	d = fec_dec_new(1024, SYM_MAX);
	memset(got, 0, sizeof(got));
	for (i = 0; i < 4000; i++) {
		now += 100;
		np = fec_enc_add(e, (uint32_t)i, frames[i % 64], lens[i % 64],
		    tier(8, 4), now);
		if (random() % 100 >= 5) {
			fec_dec_data(d, (uint32_t)i, frames[i % 64],
			    lens[i % 64]);
			got[i] = 1;
		} else
			lost++;
		for (j = 0; j < np; j++) {
			plen = fec_enc_parity(e, j, pbuf, sizeof(pbuf));
			if (random() % 100 < 5)
				continue;
			ck_assert_int_eq(fec_parity_decode(pbuf, plen, &fp),
			    0);
			fec_dec_parity(d, &fp, now);
		}
		while (fec_dec_recover(d, now, &seq, &f, &len) == 1) {
			ck_assert_uint_lt(seq, 4000);
			ck_assert_int_eq(got[seq], 0);
			ck_assert_uint_eq(len, lens[seq % 64]);
			ck_assert_mem_eq(f, frames[seq % 64], len);
			got[seq] = 1;
		}
	}
	for (i = 0; i < 4000; i++)
		missing += !got[i];
	fec_dec_stats(d, &st);
	ck_assert_int_gt(lost, 100);
	/* 8 + 4 at 5 %: a block is lost only with 5 of 12 gone. */
	ck_assert_int_le(missing, lost / 50);
	ck_assert_uint_ge(st.recovered, (uint64_t)(lost - lost / 50));
	fec_enc_free(e);
	fec_dec_free(d);
}
END_TEST

static Suite *
fec_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("fec");
	tc = tcase_create("core");
	tcase_add_test(tc, test_tiers);
	tcase_add_test(tc, test_parity_header);
	tcase_add_test(tc, test_any_k);
	tcase_add_test(tc, test_out_of_order);
	tcase_add_test(tc, test_partial);
	tcase_add_test(tc, test_single_frame_two_datagrams);
	tcase_add_test(tc, test_gap_and_off);
	tcase_add_test(tc, test_bad_parity);
	tcase_add_test(tc, test_random_stream);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(srunner_create(fec_suite())));
}
