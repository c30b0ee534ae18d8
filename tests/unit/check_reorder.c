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
 * Unit tests of bondd/reorder.c on a simulated clock: in-order pass
 * through, swaps, duplicates, gap timeouts, the adaptive hold time,
 * sequence wrap, bursts far ahead, NACK lists and deadlines, and a
 * random run checked against the order it must produce.  Test code;
 * trusts its inputs.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "reorder.h"
#include "check_main.h"

#define MS	1000ULL
#define SLOTS	4096
#define MTU	1500

/* Each test packet carries its own sequence number. */
static int
push(struct reorder *r, uint32_t seq, int link, int32_t owd, uint64_t now)
{
	uint8_t pkt[8];

	memcpy(pkt, &seq, sizeof(seq));
	memset(pkt + 4, 0xa5, 4);
	return (reorder_push(r, seq, link, owd, pkt, sizeof(pkt), now));
}

/* Drain reorder_pop into out[], returning how many came out. */
static int
drain(struct reorder *r, uint64_t now, uint32_t *out, int max)
{
	const uint8_t *p;
	size_t len;
	int n = 0;

	while (reorder_pop(r, now, &p, &len) == 1) {
		ck_assert_uint_eq(len, 8);
		ck_assert_int_eq(p[7], 0xa5);
		ck_assert_int_lt(n, max);
		memcpy(&out[n++], p, 4);
	}
	return (n);
}

/* Two links 10 ms and 40 ms one way, no jitter: hold 31 ms. */
static void
two_links(struct reorder *r, uint64_t now)
{
	ck_assert_int_eq(push(r, 0, 0, 10000, now), REORDER_DELIVER);
	ck_assert_int_eq(push(r, 0, 1, 40000, now), REORDER_DUP);
	ck_assert_uint_eq(reorder_hold_us(r), 31000);
}

START_TEST(test_in_order)
{
	struct reorder *r;
	struct reorder_stats st;
	uint32_t i, out[4];

	r = reorder_new(SLOTS, MTU, 100000);
	ck_assert_ptr_nonnull(r);
	for (i = 0; i < 10000; i++) {
		ck_assert_int_eq(push(r, 1000 + i, 0, 5000, i * 10),
		    REORDER_DELIVER);
		ck_assert_int_eq(drain(r, i * 10, out, 4), 0);
		ck_assert_uint_eq(reorder_next_deadline(r), 0);
	}
	reorder_stats(r, &st);
	ck_assert_uint_eq(st.delivered, 10000);
	ck_assert_uint_eq(st.held, 0);
	ck_assert_uint_eq(st.max_held, 0);
	ck_assert_uint_eq(st.skipped, 0);
	ck_assert_uint_eq(st.dup, 0);
	reorder_free(r);
}
END_TEST

START_TEST(test_swap)
{
	struct reorder *r;
	uint32_t out[4];

	r = reorder_new(SLOTS, MTU, 100000);
	ck_assert_int_eq(push(r, 7, 0, 0, 0), REORDER_DELIVER);
	ck_assert_int_eq(push(r, 9, 0, 0, 10), REORDER_HELD);
	ck_assert_int_eq(drain(r, 10, out, 4), 0);
	ck_assert_int_eq(push(r, 8, 1, 0, 20), REORDER_DELIVER);
	ck_assert_int_eq(drain(r, 20, out, 4), 1);
	ck_assert_uint_eq(out[0], 9);
	ck_assert_uint_eq(reorder_next_deadline(r), 0);
	reorder_free(r);
}
END_TEST

START_TEST(test_dup)
{
	struct reorder *r;
	struct reorder_stats st;
	uint32_t out[4];

	r = reorder_new(SLOTS, MTU, 100000);
	ck_assert_int_eq(push(r, 0, 0, 0, 0), REORDER_DELIVER);
	ck_assert_int_eq(push(r, 2, 0, 0, 0), REORDER_HELD);
	ck_assert_int_eq(push(r, 2, 1, 0, 0), REORDER_DUP);
	ck_assert_int_eq(push(r, 0, 1, 0, 0), REORDER_DUP);
	ck_assert_int_eq(push(r, 1, 1, 0, 0), REORDER_DELIVER);
	ck_assert_int_eq(drain(r, 0, out, 4), 1);
	ck_assert_int_eq(push(r, 1, 0, 0, 0), REORDER_DUP);
	ck_assert_int_eq(push(r, 2, 0, 0, 0), REORDER_DUP);
	reorder_stats(r, &st);
	ck_assert_uint_eq(st.dup, 4);
	ck_assert_uint_eq(st.delivered, 3);
	ck_assert_uint_eq(st.held, 1);
	ck_assert_uint_eq(st.cur_held, 0);
	ck_assert_uint_eq(st.max_held, 1);
	reorder_free(r);
}
END_TEST

/* F27 (1): seqs 0..9999, every 10th sent twice. */
START_TEST(test_dup_every_tenth)
{
	struct reorder *r;
	struct reorder_stats st;
	uint32_t i, out[4];

	r = reorder_new(SLOTS, MTU, 100000);
	for (i = 0; i < 10000; i++) {
		ck_assert_int_eq(push(r, i, 0, 0, i), REORDER_DELIVER);
		if (i % 10 == 0)
			ck_assert_int_eq(push(r, i, 1, 0, i), REORDER_DUP);
		ck_assert_int_eq(drain(r, i, out, 4), 0);
	}
	reorder_stats(r, &st);
	ck_assert_uint_eq(st.delivered, 10000);
	ck_assert_uint_eq(st.dup, 1000);
	/* Far behind: old, not dup; 2^31 ahead is behind too. */
	ck_assert_int_eq(push(r, 10000 - SLOTS - 1, 0, 0, i), REORDER_OLD);
	ck_assert_int_eq(push(r, 10000 - SLOTS, 0, 0, i), REORDER_DUP);
	ck_assert_int_eq(push(r, 10000 + 0x80000000U, 0, 0, i), REORDER_OLD);
	reorder_free(r);
}
END_TEST

START_TEST(test_gap_timeout)
{
	struct reorder *r;
	struct reorder_stats st;
	uint32_t out[4];

	r = reorder_new(SLOTS, MTU, 100000);
	two_links(r, 0);
	ck_assert_int_eq(push(r, 2, 0, 10000, 1000), REORDER_HELD);
	ck_assert_uint_eq(reorder_next_deadline(r), 1000 + 31000);
	ck_assert_int_eq(drain(r, 1000, out, 4), 0);
	ck_assert_int_eq(drain(r, 31999, out, 4), 0);
	reorder_stats(r, &st);
	ck_assert_uint_eq(st.skipped, 0);
	ck_assert_int_eq(drain(r, 32000, out, 4), 1);
	ck_assert_uint_eq(out[0], 2);
	ck_assert_uint_eq(reorder_next_deadline(r), 0);
	reorder_stats(r, &st);
	ck_assert_uint_eq(st.skipped, 1);
	/* Seq 1 turns up after all: late, once. */
	ck_assert_int_eq(push(r, 1, 1, 40000, 33000), REORDER_LATE);
	ck_assert_int_eq(push(r, 1, 0, 10000, 33000), REORDER_DUP);
	ck_assert_int_eq(push(r, 3, 0, 10000, 33000), REORDER_DELIVER);
	reorder_stats(r, &st);
	ck_assert_uint_eq(st.late, 1);
	ck_assert_uint_eq(st.delivered, 3);
	reorder_free(r);
}
END_TEST

/* Two gaps opened at different times expire at different times. */
START_TEST(test_two_gaps)
{
	struct reorder *r;
	uint32_t out[8];

	r = reorder_new(SLOTS, MTU, 100000);
	two_links(r, 0);
	ck_assert_int_eq(push(r, 3, 0, 10000, 0), REORDER_HELD);
	ck_assert_int_eq(push(r, 6, 0, 10000, 20000), REORDER_HELD);
	ck_assert_uint_eq(reorder_next_deadline(r), 31000);
	ck_assert_int_eq(drain(r, 31000, out, 8), 1);
	ck_assert_uint_eq(out[0], 3);
	ck_assert_uint_eq(reorder_next_deadline(r), 51000);
	ck_assert_int_eq(push(r, 4, 1, 40000, 40000), REORDER_DELIVER);
	ck_assert_int_eq(drain(r, 40000, out, 8), 0);
	ck_assert_uint_eq(reorder_next_deadline(r), 51000);
	ck_assert_int_eq(drain(r, 50999, out, 8), 0);
	ck_assert_int_eq(drain(r, 51000, out, 8), 1);
	ck_assert_uint_eq(out[0], 6);
	reorder_free(r);
}
END_TEST

START_TEST(test_hold_spread)
{
	struct reorder *r;
	uint32_t hold, seq = 0;
	uint64_t t;

	r = reorder_new(SLOTS, MTU, 200000);
	ck_assert_uint_eq(reorder_hold_us(r), 200000);
	/* Link 1 alternates 40 and 44 ms: excess 0 and 4000, mean 2000. */
	for (t = 0; t < 1000 * MS; t += MS) {
		push(r, seq++, 0, 10000, t);
		push(r, seq++, 1, ((t / MS) & 1) ? 44000 : 40000, t);
	}
	/* Spread 30 ms, twice link 1's jitter (about 2 ms), 1 ms margin. */
	hold = reorder_hold_us(r);
	ck_assert_uint_ge(hold, 30000 + 2 * 1700 + 1000);
	ck_assert_uint_le(hold, 30000 + 2 * 2300 + 1000);
	/* The ceiling wins. */
	reorder_set_max_hold(r, 20000);
	ck_assert_uint_eq(reorder_hold_us(r), 20000);
	reorder_free(r);

	/* Negative offsets (receiver clock behind) and a spread across 0. */
	r = reorder_new(SLOTS, MTU, 200000);
	push(r, 0, 3, -5000, 0);
	push(r, 1, 5, 20000, 0);
	ck_assert_uint_eq(reorder_hold_us(r), 26000);
	/* And across the int32 wrap: the offsets differ by 30 ms. */
	push(r, 2, 3, INT32_MAX - 9999, 10);
	push(r, 3, 5, INT32_MIN + 20000, 10);
	ck_assert_uint_eq(reorder_hold_us(r), 200000);
	reorder_reset(r);
	push(r, 2, 3, INT32_MAX - 9999, 10);
	push(r, 3, 5, INT32_MIN + 20000, 10);
	ck_assert_uint_eq(reorder_hold_us(r), 31000);
	reorder_free(r);
}
END_TEST

START_TEST(test_hold_single_and_floor)
{
	struct reorder *r;

	r = reorder_new(SLOTS, MTU, 100000);
	push(r, 0, 2, 12345, 0);
	ck_assert_uint_eq(reorder_hold_us(r), 1000);
	reorder_free(r);
	/* A ceiling below the 1 ms floor is still the ceiling. */
	r = reorder_new(SLOTS, MTU, 500);
	push(r, 0, 2, 12345, 0);
	ck_assert_uint_eq(reorder_hold_us(r), 500);
	reorder_free(r);
	ck_assert_ptr_null(reorder_new(SLOTS, MTU, 0));
	ck_assert_ptr_null(reorder_new(1000, MTU, 1000));
	ck_assert_ptr_null(reorder_new(32, MTU, 1000));
	ck_assert_ptr_null(reorder_new(SLOTS, 0, 1000));
}
END_TEST

START_TEST(test_silent_link)
{
	struct reorder *r;
	uint32_t seq = 0, out[4];
	uint64_t t;

	r = reorder_new(SLOTS, MTU, 100000);
	two_links(r, 0);
	seq = 1;
	for (t = MS; t <= 2000 * MS; t += MS) {
		ck_assert_int_eq(push(r, seq++, 0, 10000, t),
		    REORDER_DELIVER);
		ck_assert_uint_eq(reorder_hold_us(r), 31000);
	}
	/* Link 1 said nothing since t = 0: more than 2 s now. */
	ck_assert_int_eq(push(r, seq++, 0, 10000, t), REORDER_DELIVER);
	ck_assert_uint_eq(reorder_hold_us(r), 1000);
	/* A pop also sees it, without a push. */
	reorder_reset(r);
	two_links(r, 5000 * MS);
	ck_assert_int_eq(drain(r, 7000 * MS, out, 4), 0);
	ck_assert_uint_eq(reorder_hold_us(r), 31000);
	ck_assert_int_eq(drain(r, 7000 * MS + 1, out, 4), 0);
	ck_assert_uint_eq(reorder_hold_us(r), 100000);
	reorder_free(r);
}
END_TEST

START_TEST(test_wrap)
{
	struct reorder *r;
	static const int32_t order[] = { 0, 3, 1, 2, 5, 4, 8, 6, 7, 9, 11,
	    10, 12, 15, 13, 14, 16, 19, 17, 18 };
	uint32_t base = 0xfffffff6U, want = base, out[32];
	size_t i;
	int n, k, v;

	r = reorder_new(SLOTS, MTU, 100000);
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		v = push(r, base + (uint32_t)order[i], 0, 0, i);
		ck_assert(v == REORDER_DELIVER || v == REORDER_HELD);
		if (v == REORDER_DELIVER)
			ck_assert_uint_eq(base + (uint32_t)order[i], want++);
		n = drain(r, i, out, 32);
		for (k = 0; k < n; k++)
			ck_assert_uint_eq(out[k], want++);
	}
	ck_assert_uint_eq(want, base + 20);
	ck_assert_uint_eq(reorder_next_deadline(r), 0);
	/* Behind across the wrap; before the first one is late, not old. */
	ck_assert_int_eq(push(r, 0xfffffffeU, 0, 0, 100), REORDER_DUP);
	ck_assert_int_eq(push(r, base + 20 - SLOTS - 1, 0, 0, 100),
	    REORDER_OLD);
	ck_assert_int_eq(push(r, base + 20 - SLOTS, 0, 0, 100), REORDER_LATE);
	ck_assert_int_eq(push(r, base + 20 - SLOTS, 0, 0, 100), REORDER_DUP);
	reorder_free(r);
}
END_TEST

START_TEST(test_burst_ahead)
{
	struct reorder *r;
	struct reorder_stats st;
	uint32_t i, out[SLOTS];
	int n;

	r = reorder_new(SLOTS, MTU, 50000);
	ck_assert_int_eq(push(r, 0, 0, 0, 0), REORDER_DELIVER);
	for (i = 2; i <= 100; i++)
		ck_assert_int_eq(push(r, i, 0, 0, 0), REORDER_HELD);
	ck_assert_int_eq(push(r, 10000, 0, 0, 0), REORDER_FULL);
	ck_assert_uint_eq(reorder_next_deadline(r), 1);
	/* Held ones that fall out come out at once, in order. */
	n = drain(r, 0, out, SLOTS);
	ck_assert_int_eq(n, 99);
	for (i = 0; i < 99; i++)
		ck_assert_uint_eq(out[i], i + 2);
	ck_assert_int_eq(push(r, 10000, 0, 0, 0), REORDER_HELD);
	reorder_stats(r, &st);
	ck_assert_uint_eq(st.skipped, 1 + (10000 - SLOTS + 1 - 101));
	ck_assert_uint_eq(st.cur_held, 1);
	ck_assert_int_eq(push(r, 100, 0, 0, 0), REORDER_OLD);
	ck_assert_int_eq(push(r, 10000 - SLOTS + 1, 0, 0, 0),
	    REORDER_DELIVER);
	/* One link without jitter: the 1 ms floor. */
	ck_assert_uint_eq(reorder_next_deadline(r), 1000);
	ck_assert_int_eq(drain(r, 999, out, SLOTS), 0);
	ck_assert_int_eq(drain(r, 1000, out, SLOTS), 1);
	ck_assert_uint_eq(out[0], 10000);
	ck_assert_int_eq(push(r, 10001, 0, 0, 50000), REORDER_DELIVER);

	/* A flood far ahead with no pop in between neither deadlocks nor
	 * holds more than the ring. */
	for (i = 0; i < 100000; i++)
		push(r, 10002 + (uint32_t)random() % 1000000, 0, 0, 60000);
	reorder_stats(r, &st);
	ck_assert_uint_le(st.cur_held, SLOTS);
	while ((n = drain(r, 60000, out, SLOTS)) > 0)
		;
	for (i = 0; i < 100; i++) {
		n = push(r, 2000000 + i, 0, 0, 60000);
		if (n == REORDER_FULL) {
			drain(r, 60000, out, SLOTS);
			n = push(r, 2000000 + i, 0, 0, 60000);
		}
		ck_assert(n == REORDER_HELD || n == REORDER_DELIVER);
	}
	n = drain(r, 60000 + 50000, out, SLOTS);
	ck_assert_int_gt(n, 0);
	ck_assert_uint_eq(out[n - 1], 2000099);
	ck_assert_uint_eq(reorder_next_deadline(r), 0);
	reorder_stats(r, &st);
	ck_assert_uint_eq(st.cur_held, 0);
	ck_assert_uint_le(st.max_held, SLOTS);
	reorder_free(r);
}
END_TEST

START_TEST(test_missing)
{
	struct reorder *r;
	uint32_t seqs[8];
	int n;

	r = reorder_new(SLOTS, MTU, 100000);
	two_links(r, 0);
	/* hold 31 ms: a gap not yet passed on every link waits half of it,
	 * then is reported again after 20 ms. */
	ck_assert_int_eq(push(r, 3, 0, 10000, 0), REORDER_HELD);
	reorder_missing(r, 15500, seqs, &n, 8);
	ck_assert_int_eq(n, 0);
	reorder_missing(r, 15501, seqs, &n, 8);
	ck_assert_int_eq(n, 2);
	ck_assert_uint_eq(seqs[0], 1);
	ck_assert_uint_eq(seqs[1], 2);
	reorder_missing(r, 15501 + 19999, seqs, &n, 8);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(push(r, 1, 1, 40000, 8000), REORDER_DELIVER);
	reorder_missing(r, 15501 + 20000, seqs, &n, 8);
	ck_assert_int_eq(n, 1);
	ck_assert_uint_eq(seqs[0], 2);
	/* Links deliver in order: once every active link delivered a later
	 * frame, a gap is lost for sure and is reported after 1 ms, not
	 * half the hold.  Link 1 has only reached 1 here. */
	ck_assert_int_eq(push(r, 10, 0, 10000, 40000), REORDER_HELD);
	reorder_missing(r, 40000 + 1001, seqs, &n, 8);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(push(r, 11, 1, 40000, 41000), REORDER_HELD);
	reorder_missing(r, 41001, seqs, &n, 3);
	ck_assert_int_eq(n, 3);
	ck_assert_uint_eq(seqs[0], 4);
	ck_assert_uint_eq(seqs[2], 6);
	reorder_missing(r, 41001, seqs, &n, 8);
	ck_assert_int_eq(n, 3);
	ck_assert_uint_eq(seqs[0], 7);
	ck_assert_uint_eq(seqs[2], 9);
	/* Every one again once the repeat period passed. */
	reorder_missing(r, 41001 + REORDER_NACK_REPEAT_US, seqs, &n, 8);
	ck_assert_int_eq(n, 7);
	ck_assert_uint_eq(seqs[0], 2);
	reorder_free(r);

	/* Short hold: never before 2 ms. */
	r = reorder_new(SLOTS, MTU, 100000);
	ck_assert_int_eq(push(r, 0, 0, 0, 0), REORDER_DELIVER);
	ck_assert_int_eq(push(r, 2, 0, 0, 0), REORDER_HELD);
	ck_assert_uint_eq(reorder_hold_us(r), 1000);
	reorder_missing(r, 999, seqs, &n, 8);
	ck_assert_int_eq(n, 0);
	reorder_free(r);
}
END_TEST

START_TEST(test_skip)
{
	struct reorder *r;
	struct reorder_stats st;
	uint32_t out[4], seqs[4];
	int n;

	r = reorder_new(SLOTS, MTU, 100000);
	two_links(r, 0);
	ck_assert_int_eq(push(r, 3, 0, 10000, 100), REORDER_HELD);
	reorder_skip(r, 1);
	reorder_skip(r, 3);		/* held: ignored */
	reorder_skip(r, 7);		/* nothing seen above: ignored */
	/* Due at once: the latest time seen. */
	ck_assert_uint_eq(reorder_next_deadline(r), 100);
	ck_assert_int_eq(drain(r, 200, out, 4), 0);
	reorder_stats(r, &st);
	ck_assert_uint_eq(st.skipped, 1);
	ck_assert_uint_eq(reorder_next_deadline(r), 100 + 31000);
	reorder_missing(r, 20000, seqs, &n, 4);
	ck_assert_int_eq(n, 1);
	reorder_skip(r, 2);
	reorder_missing(r, 50000, seqs, &n, 4);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(drain(r, 200, out, 4), 1);
	ck_assert_uint_eq(out[0], 3);
	reorder_free(r);
}
END_TEST

START_TEST(test_reset_and_toobig)
{
	struct reorder *r;
	uint8_t big[MTU + 1];
	uint32_t out[4];

	memset(big, 0, sizeof(big));
	r = reorder_new(SLOTS, MTU, 100000);
	ck_assert_int_eq(push(r, 500, 0, 0, 0), REORDER_DELIVER);
	ck_assert_int_eq(reorder_push(r, 502, 0, 0, big, sizeof(big), 0),
	    REORDER_TOOBIG);
	ck_assert_int_eq(reorder_push(r, 501, 0, 0, big, sizeof(big), 0),
	    REORDER_DELIVER);
	ck_assert_int_eq(reorder_push(r, 503, 0, 0, big, MTU, 0),
	    REORDER_HELD);
	reorder_reset(r);
	ck_assert_uint_eq(reorder_next_deadline(r), 0);
	ck_assert_int_eq(drain(r, 0, out, 4), 0);
	/* A new session starts anywhere. */
	ck_assert_int_eq(push(r, 7, 0, 0, 10), REORDER_DELIVER);
	ck_assert_int_eq(push(r, 8, 0, 0, 10), REORDER_DELIVER);
	reorder_free(r);
}
END_TEST

/*
 * Random run: seqs sent over three links of 10, 25 and 40 ms with jitter,
 * some duplicated, none lost, hold ceiling well above the spread.  The
 * output must be every seq exactly once, in order.
 */
START_TEST(test_random)
{
	struct ev {
		uint64_t	at;
		uint32_t	seq;
		int		link;
		int32_t		owd;
	} *ev, tmp;
	struct reorder *r;
	struct reorder_stats st;
	static uint32_t out[SLOTS];
	const int N = 20000;
	const int32_t base[3] = { 10000, 25000, 40000 };
	uint32_t want = 0;
	uint64_t t;
	int i, j, n, k, nev = 0, v;

	srandom(1);
	ev = calloc(2 * N, sizeof(*ev));
	ck_assert_ptr_nonnull(ev);
	for (i = 0; i < N; i++) {
		t = (uint64_t)i * 100;		/* 10 kpps */
		for (k = 0; k < ((random() % 20) == 0 ? 2 : 1); k++) {
			ev[nev].link = (int)(random() % 3);
			ev[nev].owd = base[ev[nev].link] +
			    (int32_t)(random() % 3000);
			/* Seq 0 arrives first, so expected starts there. */
			if (i == 0) {
				ev[nev].link = 0;
				ev[nev].owd = base[0];
			}
			ev[nev].at = t + (uint64_t)ev[nev].owd;
			ev[nev].seq = (uint32_t)i;
			nev++;
		}
	}
	/* Insertion sort by arrival; nearly sorted already. */
	for (i = 1; i < nev; i++) {
		tmp = ev[i];
		for (j = i - 1; j >= 0 && ev[j].at > tmp.at; j--)
			ev[j + 1] = ev[j];
		ev[j + 1] = tmp;
	}
	r = reorder_new(SLOTS, MTU, 200000);
	/* Keepalives have been heard on every link before the data. */
	for (k = 0; k < 3; k++)
		reorder_sample(r, k, base[k] - 7777, 0);
	ck_assert_uint_eq(reorder_hold_us(r), 31000);
	for (i = 0; i < nev; i++) {
		/* A timer would fire at the deadline. */
		t = reorder_next_deadline(r);
		if (t != 0 && t <= ev[i].at) {
			n = drain(r, t, out, SLOTS);
			for (k = 0; k < n; k++)
				ck_assert_uint_eq(out[k], want++);
		}
		/* The peer's clock runs 7777 us behind: only spreads count. */
		v = push(r, ev[i].seq, ev[i].link, ev[i].owd - 7777,
		    ev[i].at);
		ck_assert(v == REORDER_DELIVER || v == REORDER_HELD ||
		    v == REORDER_DUP);
		if (v == REORDER_DELIVER)
			ck_assert_uint_eq(ev[i].seq, want++);
		n = drain(r, ev[i].at, out, SLOTS);
		for (k = 0; k < n; k++)
			ck_assert_uint_eq(out[k], want++);
	}
	ck_assert_uint_eq(want, (uint32_t)N);
	reorder_stats(r, &st);
	ck_assert_uint_eq(st.skipped, 0);
	ck_assert_uint_eq(st.delivered, (uint64_t)N);
	ck_assert_uint_eq(st.dup, (uint64_t)(nev - N));
	ck_assert_uint_gt(st.held, 0);
	/* Spread 30 ms plus twice the jitter (mean excess about 1.5 ms). */
	ck_assert_uint_ge(reorder_hold_us(r), 30000);
	ck_assert_uint_le(reorder_hold_us(r), 40000);
	reorder_free(r);
	free(ev);
}
END_TEST

static Suite *
reorder_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("reorder");
	tc = tcase_create("core");
	tcase_add_test(tc, test_in_order);
	tcase_add_test(tc, test_swap);
	tcase_add_test(tc, test_dup);
	tcase_add_test(tc, test_dup_every_tenth);
	tcase_add_test(tc, test_gap_timeout);
	tcase_add_test(tc, test_two_gaps);
	tcase_add_test(tc, test_hold_spread);
	tcase_add_test(tc, test_hold_single_and_floor);
	tcase_add_test(tc, test_silent_link);
	tcase_add_test(tc, test_wrap);
	tcase_add_test(tc, test_burst_ahead);
	tcase_add_test(tc, test_missing);
	tcase_add_test(tc, test_skip);
	tcase_add_test(tc, test_reset_and_toobig);
	tcase_add_test(tc, test_random);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(srunner_create(reorder_suite())));
}
