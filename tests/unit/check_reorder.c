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
 * through, swaps, duplicates and spurious resends, holes due on every
 * link or named lost by their own link, NACK lists and their repeat,
 * per-flow order (a hole holds only its flow), sequence wrap, bursts far
 * ahead, and random runs checked against the order they must produce.
 * Test code; trusts its inputs.
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
#define NONE	0xffffffffU	/* no link_prev */

/* Each test frame carries its own sequence number. */
static int
pushm(struct reorder *r, const struct reorder_meta *m, uint64_t now)
{
	uint8_t pkt[8];

	memcpy(pkt, &m->seq, sizeof(m->seq));
	memset(pkt + 4, 0xa5, 4);
	return (reorder_push(r, m, pkt, sizeof(pkt), now));
}

/* A frame in global order (its flow unknown), as before flows, sent in
 * its link's order: it names the frame before it there, one long
 * written. */
static int
push(struct reorder *r, uint32_t seq, int link, int32_t owd, uint64_t now)
{
	struct reorder_meta m;

	memset(&m, 0, sizeof(m));
	m.seq = seq;
	m.link = link;
	m.owd_us = owd;
	m.dep_kind = REORDER_DEP_ALL;
	m.has_link_prev = 1;
	m.link_prev = seq - UINT16_MAX;
	return (pushm(r, &m, now));
}

/* A frame of a flow: dep is the flow's previous frame (NONE: first);
 * prev the previous frame on its link (NONE: unknown). */
static int
pushf(struct reorder *r, uint32_t seq, int link, int32_t owd, uint64_t now,
    uint32_t dep, uint32_t prev, int resent)
{
	struct reorder_meta m;

	memset(&m, 0, sizeof(m));
	m.seq = seq;
	m.link = link;
	m.owd_us = owd;
	m.dep_kind = dep == NONE ? REORDER_DEP_NONE : REORDER_DEP_SEQ;
	m.dep = dep;
	m.has_link_prev = prev != NONE;
	m.link_prev = prev;
	m.resent = resent;
	return (pushm(r, &m, now));
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

/*
 * reorder_missing() finds every hole, in order, however they fall on
 * the words of its bitmap: single ones after words without any, a run
 * of 70, holes at both ends of a word, across the wrap of the sequence
 * numbers.
 */
START_TEST(test_missing_scan)
{
	static uint32_t seqs[SLOTS], want[SLOTS];
	struct reorder *r;
	uint32_t base = 0xffffff00U, i, nw = 0;
	int n, k;

	r = reorder_new(SLOTS, MTU, 100000);
	reorder_set_nack_wait(r, 4000);
	srandom(7);
	for (i = 0; i < 3000; i++) {
		if (i > 0 && i < 2999 && ((i >= 500 && i < 570) ||
		    (i < 1200 && ((base + i) % 64 == 63 ||
		    (base + i) % 64 == 0)) || (base + i) % 128 == 0 ||
		    random() % 150 == 0)) {
			want[nw++] = base + i;
			continue;
		}
		ck_assert_int_eq(pushf(r, base + i, 0, 10000, 0, NONE, NONE,
		    0), REORDER_DELIVER);
	}
	reorder_missing(r, 10 * 1000 * MS, seqs, &n, SLOTS);
	ck_assert_int_eq(n, (int)nw);
	for (k = 0; k < n; k++)
		ck_assert_uint_eq(seqs[k], want[k]);
	/* Asked for once: not again within the wait. */
	reorder_missing(r, 10 * 1000 * MS + 1, seqs, &n, SLOTS);
	ck_assert_int_eq(n, 0);
	reorder_free(r);
}
END_TEST

/*
 * At most held_max frames are held: one more makes room first, by
 * writing what can go, else by giving up the oldest hole; the frames
 * of the flow behind it go on, in order, and nothing is lost that
 * arrived.
 */
START_TEST(test_held_max)
{
	struct reorder *r;
	struct reorder_stats st;
	uint32_t out[64], i;
	int v, n, rounds;

	r = reorder_new(SLOTS, MTU, 100000);
	reorder_set_held_max(r, 8);
	ck_assert_int_eq(push(r, 100, 0, 10000, 0), REORDER_DELIVER);
	/* 101 and 110 missing: 102-109 and 111-118 wait. */
	for (i = 102; i < 119; i++) {
		if (i == 110)
			continue;
		for (rounds = 0; (v = push(r, i, 0, 10000, 0)) ==
		    REORDER_FULL; rounds++) {
			ck_assert_int_lt(rounds, 3);
			n = drain(r, 0, out, 64);
			if (i == 111)	/* 101 given up: 102-109 go */
				ck_assert_int_eq(n, 8);
		}
		ck_assert_msg(v == REORDER_HELD, "seq %u: %d", i, v);
		reorder_stats(r, &st);
		ck_assert_uint_le(st.cur_held, 8);
		ck_assert_uint_le(st.max_held, 8);
	}
	reorder_stats(r, &st);
	ck_assert_uint_eq(st.skipped, 1);	/* 101 */
	ck_assert_uint_eq(st.cur_held, 8);	/* 111-118 */
	ck_assert_uint_eq(st.full, 1);
	/* 119 would be the ninth: 110 is given up, 111-118 go in order,
	 * and 119 is next. */
	ck_assert_int_eq(push(r, 119, 0, 10000, 0), REORDER_FULL);
	n = drain(r, 0, out, 64);
	ck_assert_int_eq(n, 8);
	for (i = 0; i < 8; i++)
		ck_assert_uint_eq(out[i], 111 + i);
	ck_assert_int_eq(push(r, 119, 0, 10000, 0), REORDER_DELIVER);
	reorder_stats(r, &st);
	ck_assert_uint_eq(st.skipped, 2);
	ck_assert_uint_eq(st.cur_held, 0);
	ck_assert_uint_eq(st.max_held, 8);
	/* 110 after all: written late, not lost. */
	ck_assert_int_eq(push(r, 110, 0, 10000, 0), REORDER_LATE);
	reorder_free(r);
}
END_TEST

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
	ck_assert_uint_eq(st.early, 0);
	ck_assert_uint_eq(st.held, 0);
	ck_assert_uint_eq(st.max_held, 0);
	ck_assert_uint_eq(st.skipped, 0);
	ck_assert_uint_eq(st.dup, 0);
	ck_assert_uint_eq(st.link[0].frames, 10000);
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
	ck_assert_uint_eq(st.link[0].dup, 2);
	ck_assert_uint_eq(st.link[1].dup, 2);
	/* Copies the sender made on purpose are no spurious resends. */
	ck_assert_uint_eq(st.link[0].spurious + st.link[1].spurious, 0);
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

/* A resend whose original arrived too is counted, on the link of the
 * second copy, whichever copy came first. */
START_TEST(test_spurious)
{
	struct reorder *r;
	struct reorder_stats st;

	r = reorder_new(SLOTS, MTU, 100000);
	ck_assert_int_eq(pushf(r, 0, 0, 0, 0, NONE, NONE, 0),
	    REORDER_DELIVER);
	ck_assert_int_eq(pushf(r, 0, 1, 0, 0, NONE, NONE, 1), REORDER_DUP);
	ck_assert_int_eq(pushf(r, 2, 1, 0, 0, NONE, NONE, 1),
	    REORDER_DELIVER);
	ck_assert_int_eq(pushf(r, 2, 0, 0, 0, NONE, NONE, 0), REORDER_DUP);
	ck_assert_int_eq(pushf(r, 3, 0, 0, 0, NONE, NONE, 0),
	    REORDER_DELIVER);
	ck_assert_int_eq(pushf(r, 3, 1, 0, 0, NONE, NONE, 0), REORDER_DUP);
	reorder_stats(r, &st);
	ck_assert_uint_eq(st.dup, 3);
	ck_assert_uint_eq(st.link[1].spurious, 1);
	ck_assert_uint_eq(st.link[0].spurious, 1);
	ck_assert_uint_eq(st.link[1].dup, 2);
	reorder_free(r);
}
END_TEST

/*
 * A hole nobody names is due once overdue on the slowest link (31 ms
 * after a frame of the fast link revealed it); it is asked for then if
 * every link in use delivered a later frame, else a NACK time later
 * (the slow link may be late, or quiet), and given up twice the NACK
 * time after it was asked for.
 */
START_TEST(test_hole_due_and_deadline)
{
	struct reorder *r;
	struct reorder_stats st;
	uint32_t out[4], seqs[8];
	int n;

	r = reorder_new(SLOTS, MTU, 100000);
	reorder_set_nack_wait(r, 4000);
	two_links(r, 0);
	ck_assert_int_eq(push(r, 2, 0, 10000, 1000), REORDER_HELD);
	/* Due at 32 ms, but the slow link delivered nothing after it. */
	reorder_missing(r, 35999, seqs, &n, 8);
	ck_assert_int_eq(n, 0);
	reorder_missing(r, 36000, seqs, &n, 8);
	ck_assert_int_eq(n, 1);
	ck_assert_uint_eq(seqs[0], 1);
	/* Asked at 36 ms: given up at 36 + 2 x 4 ms. */
	ck_assert_uint_eq(reorder_next_deadline(r), 44000);
	ck_assert_int_eq(drain(r, 43999, out, 4), 0);
	reorder_stats(r, &st);
	ck_assert_uint_eq(st.skipped, 0);
	ck_assert_int_eq(drain(r, 44000, out, 4), 1);
	ck_assert_uint_eq(out[0], 2);
	ck_assert_uint_eq(reorder_next_deadline(r), 0);
	reorder_stats(r, &st);
	ck_assert_uint_eq(st.skipped, 1);
	ck_assert_uint_eq(st.asked_due, 1);
	/* Seq 1 turns up after all: late, once. */
	ck_assert_int_eq(push(r, 1, 1, 40000, 45000), REORDER_LATE);
	ck_assert_int_eq(push(r, 1, 0, 10000, 45000), REORDER_DUP);
	ck_assert_int_eq(push(r, 3, 0, 10000, 45000), REORDER_DELIVER);
	reorder_stats(r, &st);
	ck_assert_uint_eq(st.late, 1);
	ck_assert_uint_eq(st.delivered, 3);
	reorder_free(r);

	/* Not asked for: given up at due + 2 x 4 ms = 40 ms as well. */
	r = reorder_new(SLOTS, MTU, 100000);
	reorder_set_nack_wait(r, 4000);
	two_links(r, 0);
	ck_assert_int_eq(push(r, 2, 0, 10000, 1000), REORDER_HELD);
	ck_assert_uint_eq(reorder_next_deadline(r), 40000);
	/* Revealed by a frame of the slow link: due at once (+1 ms), but
	 * the fast link has not passed them yet. */
	ck_assert_int_eq(push(r, 5, 1, 40000, 2000), REORDER_HELD);
	reorder_missing(r, 3000, seqs, &n, 8);
	ck_assert_int_eq(n, 0);
	/* Once it has, they are lost: asked for at once. */
	ck_assert_int_eq(push(r, 6, 0, 10000, 2500), REORDER_HELD);
	reorder_missing(r, 3000, seqs, &n, 8);
	ck_assert_int_eq(n, 2);
	ck_assert_uint_eq(seqs[0], 3);
	ck_assert_uint_eq(seqs[1], 4);
	/* The ceiling: never more than max_hold after the hole opened. */
	reorder_set_nack_wait(r, 90000);
	reorder_missing(r, 32000, seqs, &n, 8);
	ck_assert_int_eq(n, 1);
	ck_assert_uint_eq(seqs[0], 1);
	/* 3 and 4 are past their deadline, but 2, 5, 6 wait for 1. */
	ck_assert_int_eq(drain(r, 100999, out, 4), 0);
	ck_assert_int_eq(drain(r, 101000, out, 4), 3);
	ck_assert_uint_eq(out[0], 2);
	ck_assert_uint_eq(out[1], 5);
	ck_assert_uint_eq(out[2], 6);
	reorder_free(r);
}
END_TEST

/*
 * A frame that names no predecessor on its link may have left ahead of
 * frames numbered before it and still queued there (a sparse frame
 * past a bulk queue): the link has not passed the holes below it.  A
 * frame in the link's order then shows that it has.
 */
START_TEST(test_unchained_passes_nothing)
{
	struct reorder *r;
	struct reorder_meta m;
	uint32_t seqs[8];
	uint8_t pkt[8];
	int n;

	r = reorder_new(SLOTS, MTU, 100000);
	reorder_set_nack_wait(r, 4000);
	two_links(r, 0);
	/* 1 waits in link 0's queue; 2 went on link 1: due at once. */
	ck_assert_int_eq(push(r, 2, 1, 40000, 1000), REORDER_HELD);
	memset(&m, 0, sizeof(m));
	m.seq = 3;
	m.link = 0;
	m.owd_us = 10000;
	m.dep_kind = REORDER_DEP_NONE;
	memset(pkt, 0xa5, sizeof(pkt));
	ck_assert_int_eq(reorder_push(r, &m, pkt, sizeof(pkt), 1500),
	    REORDER_DELIVER);
	reorder_missing(r, 3000, seqs, &n, 8);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(push(r, 4, 0, 10000, 3500), REORDER_HELD);
	reorder_missing(r, 3500, seqs, &n, 8);
	ck_assert_int_eq(n, 1);
	ck_assert_uint_eq(seqs[0], 1);
	reorder_free(r);
}
END_TEST

/* Links keep order: a frame naming a missing one as its link's previous
 * frame shows it lost at once; a hole on the slower link in flight is
 * not asked for. */
START_TEST(test_named_lost)
{
	struct reorder *r;
	struct reorder_stats st;
	uint32_t seqs[8];
	int n;

	r = reorder_new(SLOTS, MTU, 100000);
	reorder_set_nack_wait(r, 5000);
	two_links(r, 0);
	/*
	 * Sent: 1 on the slow link, 2 on the fast one (lost), 3, 4 on the
	 * fast one, 5 on the slow one.  3 names 2 as the fast link's
	 * previous frame: 2 was lost; 1 is still in flight.
	 */
	ck_assert_int_eq(pushf(r, 3, 0, 10000, 1000, NONE, 2, 0),
	    REORDER_DELIVER);
	reorder_stats(r, &st);
	ck_assert_uint_eq(st.link[0].lost, 1);
	reorder_missing(r, 1000, seqs, &n, 8);
	ck_assert_int_eq(n, 1);
	ck_assert_uint_eq(seqs[0], 2);
	ck_assert_int_eq(pushf(r, 4, 0, 10000, 1100, NONE, 3, 0),
	    REORDER_DELIVER);
	/* Asked again only once the resend is overdue, and at most twice. */
	reorder_missing(r, 5999, seqs, &n, 8);
	ck_assert_int_eq(n, 0);
	reorder_missing(r, 6000, seqs, &n, 8);
	ck_assert_int_eq(n, 1);
	ck_assert_uint_eq(seqs[0], 2);
	reorder_missing(r, 31000, seqs, &n, 8);
	ck_assert_int_eq(n, 0);
	/* 1 and 5 on the slow link arrive in time: never asked for. */
	ck_assert_int_eq(pushf(r, 1, 1, 40000, 31000, NONE, 0, 0),
	    REORDER_DELIVER);
	ck_assert_int_eq(pushf(r, 5, 1, 40000, 31100, NONE, 1, 0),
	    REORDER_DELIVER);
	reorder_stats(r, &st);
	ck_assert_uint_eq(st.link[1].lost, 0);
	ck_assert_uint_eq(st.link[0].lost, 1);
	ck_assert_uint_eq(st.skipped, 0);
	reorder_free(r);
}
END_TEST

/* A hole holds only its own flow; a chain of waiting frames goes as
 * soon as the hole is filled, in flow order. */
START_TEST(test_per_flow)
{
	struct reorder *r;
	struct reorder_stats st;
	uint32_t out[8];
	int n;

	r = reorder_new(SLOTS, MTU, 100000);
	reorder_set_nack_wait(r, 5000);
	two_links(r, 0);
	/* Flow A: 1, 3, 5.  Flow B: 2, 4, 6.  1 is missing. */
	ck_assert_int_eq(pushf(r, 2, 0, 10000, 100, NONE, NONE, 0),
	    REORDER_DELIVER);
	ck_assert_int_eq(pushf(r, 3, 0, 10000, 200, 1, NONE, 0),
	    REORDER_HELD);
	ck_assert_int_eq(pushf(r, 4, 0, 10000, 300, 2, NONE, 0),
	    REORDER_DELIVER);
	ck_assert_int_eq(pushf(r, 5, 0, 10000, 400, 3, NONE, 0),
	    REORDER_HELD);
	ck_assert_int_eq(pushf(r, 6, 0, 10000, 500, 4, NONE, 0),
	    REORDER_DELIVER);
	/* An unknown flow waits for all before it. */
	ck_assert_int_eq(push(r, 7, 0, 10000, 600), REORDER_HELD);
	ck_assert_int_eq(drain(r, 600, out, 8), 0);
	reorder_stats(r, &st);
	ck_assert_uint_eq(st.early, 3);
	ck_assert_uint_eq(st.cur_held, 3);
	ck_assert_int_eq(pushf(r, 1, 1, 40000, 30000, NONE, NONE, 0),
	    REORDER_DELIVER);
	n = drain(r, 30000, out, 8);
	ck_assert_int_eq(n, 3);
	ck_assert_uint_eq(out[0], 3);
	ck_assert_uint_eq(out[1], 5);
	ck_assert_uint_eq(out[2], 7);
	ck_assert_uint_eq(reorder_next_deadline(r), 0);
	reorder_free(r);

	/* The same hole given up releases the chain at its deadline. */
	r = reorder_new(SLOTS, MTU, 100000);
	reorder_set_nack_wait(r, 5000);
	two_links(r, 0);
	ck_assert_int_eq(pushf(r, 2, 0, 10000, 1000, NONE, NONE, 0),
	    REORDER_DELIVER);
	ck_assert_int_eq(pushf(r, 3, 0, 10000, 1000, 1, NONE, 0),
	    REORDER_HELD);
	ck_assert_int_eq(pushf(r, 4, 0, 10000, 1000, 3, NONE, 0),
	    REORDER_HELD);
	ck_assert_uint_eq(reorder_next_deadline(r), 1000 + 31000 + 10000);
	ck_assert_int_eq(drain(r, 41999, out, 8), 0);
	n = drain(r, 42000, out, 8);
	ck_assert_int_eq(n, 2);
	ck_assert_uint_eq(out[0], 3);
	ck_assert_uint_eq(out[1], 4);
	reorder_stats(r, &st);
	ck_assert_uint_eq(st.skipped, 1);
	ck_assert_uint_eq(st.cur_held, 0);
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
	/* Link 1 alternates 40 and 44 ms: excess 0 and 4000, mean 2000,
	 * mean deviation 2000. */
	for (t = 0; t < 1000 * MS; t += MS) {
		push(r, seq++, 0, 10000, t);
		push(r, seq++, 1, ((t / MS) & 1) ? 44000 : 40000, t);
	}
	/* Spread 30 ms, mean excess 2 ms, 3 x 2 ms deviation, 1 ms. */
	hold = reorder_hold_us(r);
	ck_assert_uint_ge(hold, 30000 + 2000 + 3 * 1800 + 1000);
	ck_assert_uint_le(hold, 30000 + 2000 + 3 * 2200 + 1000);
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
	/* A resend's delay says nothing about its link. */
	push(r, 4, 3, INT32_MAX - 9999, 20);
	pushf(r, 5, 3, INT32_MIN + 90000, 20, NONE, NONE, 1);
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
	for (t = 10 * MS; t <= 10000 * MS; t += 10 * MS) {
		ck_assert_int_eq(push(r, seq++, 0, 10000, t),
		    REORDER_DELIVER);
		ck_assert_uint_eq(reorder_hold_us(r), 31000);
	}
	/* Link 1 said nothing since t = 0: more than 10 s now. */
	ck_assert_int_eq(push(r, seq++, 0, 10000, t), REORDER_DELIVER);
	ck_assert_uint_eq(reorder_hold_us(r), 1000);
	/* A pop also sees it, without a push. */
	reorder_reset(r);
	two_links(r, 50000 * MS);
	ck_assert_int_eq(drain(r, 60000 * MS, out, 4), 0);
	ck_assert_uint_eq(reorder_hold_us(r), 31000);
	ck_assert_int_eq(drain(r, 60000 * MS + 1, out, 4), 0);
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
	/* One link without jitter: due after 1 ms, given up after twice
	 * the hold more: 3 ms. */
	ck_assert_uint_eq(reorder_next_deadline(r), 3000);
	ck_assert_int_eq(drain(r, 2999, out, SLOTS), 0);
	ck_assert_int_eq(drain(r, 3000, out, SLOTS), 1);
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

START_TEST(test_reset_and_toobig)
{
	struct reorder_meta m;
	struct reorder *r;
	uint8_t big[MTU + 1];
	uint32_t out[4];

	memset(big, 0, sizeof(big));
	memset(&m, 0, sizeof(m));
	m.dep_kind = REORDER_DEP_ALL;
	r = reorder_new(SLOTS, MTU, 100000);
	ck_assert_int_eq(push(r, 500, 0, 0, 0), REORDER_DELIVER);
	m.seq = 502;
	ck_assert_int_eq(reorder_push(r, &m, big, sizeof(big), 0),
	    REORDER_TOOBIG);
	m.seq = 501;
	ck_assert_int_eq(reorder_push(r, &m, big, sizeof(big), 0),
	    REORDER_DELIVER);
	m.seq = 503;
	ck_assert_int_eq(reorder_push(r, &m, big, MTU, 0), REORDER_HELD);
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
 * Random runs: frames of 8 flows sent over three links of 10, 25 and
 * 40 ms with FIFO jitter (a link never reorders), some duplicated, some
 * lost (loss_pct), naming their flow's and their link's previous frame.
 * Every frame that arrives comes out exactly once, each flow in order;
 * with no loss nothing is given up.
 */
struct ev {
	uint64_t	at;
	uint32_t	seq;
	int		link;
	int32_t		owd;
	uint32_t	dep;
	uint32_t	prev;
};

static int
ev_cmp(const void *a, const void *b)
{
	const struct ev *x = a, *y = b;

	if (x->at != y->at)
		return (x->at < y->at ? -1 : 1);
	return (x->seq < y->seq ? -1 : x->seq > y->seq);
}

static uint8_t seen[20000];

/* Frames written: each once, each flow in order. */
static void
check_out(const uint32_t *out, int n, const uint32_t *flow_of,
    uint32_t *flow_out, int *have_out)
{
	int k, f;

	for (k = 0; k < n; k++) {
		f = (int)flow_of[out[k]];
		if (have_out[f])
			ck_assert_uint_gt(out[k], flow_out[f]);
		flow_out[f] = out[k];
		have_out[f] = 1;
		ck_assert_int_eq(seen[out[k]]++, 0);
	}
}

static void
random_run(int loss_pct)
{
	struct ev *ev;
	struct reorder *r;
	struct reorder_stats st;
	static uint32_t out[SLOTS];
	const int N = 20000, F = 8;
	const int32_t base[3] = { 10000, 25000, 40000 };
	uint64_t t, prev_t, last_at[3] = { 0, 0, 0 };
	uint32_t flow_last[8], link_last[3], flow_of[20000], flow_out[8];
	int have_flow[8] = { 0 }, have_link[3] = { 0 }, have_out[8] = { 0 };
	int i, n, k, nev = 0, v, f, l, arrived = 0;

	srandom(1 + loss_pct);
	memset(seen, 0, sizeof(seen));
	ev = calloc(2 * N, sizeof(*ev));
	ck_assert_ptr_nonnull(ev);
	for (i = 0; i < N; i++) {
		t = (uint64_t)i * 100;		/* 10 kpps */
		f = (int)(random() % F);
		flow_of[i] = (uint32_t)f;
		for (k = 0; k < ((random() % 20) == 0 ? 2 : 1); k++) {
			l = i == 0 ? 0 : (int)(random() % 3);
			ev[nev].seq = (uint32_t)i;
			ev[nev].link = l;
			ev[nev].owd = base[l] + (int32_t)(random() % 3000);
			ev[nev].at = t + (uint64_t)ev[nev].owd;
			/* FIFO: never before the link's previous frame. */
			if (ev[nev].at < last_at[l])
				ev[nev].at = last_at[l];
			last_at[l] = ev[nev].at;
			ev[nev].dep = have_flow[f] ? flow_last[f] : NONE;
			ev[nev].prev = have_link[l] ? link_last[l] : NONE;
			link_last[l] = (uint32_t)i;
			have_link[l] = 1;
			/* Seq 0 always arrives: expected starts there. */
			if (i == 0 || (int)(random() % 100) >= loss_pct)
				nev++;
		}
		flow_last[f] = (uint32_t)i;
		have_flow[f] = 1;
	}
	qsort(ev, nev, sizeof(*ev), ev_cmp);
	r = reorder_new(SLOTS, MTU, 200000);
	reorder_set_nack_wait(r, 25000);
	for (k = 0; k < 3; k++)
		reorder_sample(r, k, base[k] - 7777, 0);
	for (i = 0; i < nev; i++) {
		/* A timer would fire at each deadline before the arrival. */
		prev_t = 0;
		while ((t = reorder_next_deadline(r)) != 0 && t <= ev[i].at &&
		    t > prev_t) {
			n = drain(r, t, out, SLOTS);
			check_out(out, n, flow_of, flow_out, have_out);
			prev_t = t;
		}
		/* The peer's clock runs 7777 us behind: only spreads count. */
		v = pushf(r, ev[i].seq, ev[i].link, ev[i].owd - 7777,
		    ev[i].at, ev[i].dep, ev[i].prev, 0);
		ck_assert(v == REORDER_DELIVER || v == REORDER_HELD ||
		    v == REORDER_DUP || v == REORDER_LATE);
		if (v == REORDER_DELIVER)
			check_out(&ev[i].seq, 1, flow_of, flow_out, have_out);
		else if (v == REORDER_LATE)
			ck_assert_int_eq(seen[ev[i].seq]++, 0);
		n = drain(r, ev[i].at, out, SLOTS);
		check_out(out, n, flow_of, flow_out, have_out);
	}
	/* Everything held comes out once the last deadline passed. */
	n = drain(r, ev[nev - 1].at + 200000, out, SLOTS);
	check_out(out, n, flow_of, flow_out, have_out);
	for (i = 0; i < N; i++)
		arrived += seen[i];
	reorder_stats(r, &st);
	ck_assert_uint_eq(st.cur_held, 0);
	ck_assert_uint_eq(st.delivered + st.late, (uint64_t)arrived);
	if (loss_pct == 0) {
		ck_assert_int_eq(arrived, N);
		ck_assert_uint_eq(st.skipped, 0);
		ck_assert_uint_eq(st.late, 0);
		ck_assert_uint_gt(st.early, 0);
		ck_assert_uint_eq(st.link[0].lost + st.link[1].lost +
		    st.link[2].lost, 0);
	} else {
		ck_assert_uint_gt(st.skipped, 0);
		ck_assert_uint_gt(st.link[0].lost + st.link[1].lost +
		    st.link[2].lost, 0);
	}
	reorder_free(r);
	free(ev);
}

/*
 * Held frames take buffers from the top of a stack, so a long run that
 * never holds more than HELD frames at once writes into HELD buffers
 * only (resident memory follows what is held, not the window of SLOTS),
 * and each pop still returns the bytes of its own frame.
 */
START_TEST(test_buffers_reused)
{
	enum { HELD = 3 };
	struct reorder *r;
	const uint8_t *f, *bufs[HELD + 1];
	uint32_t s, k, got;
	size_t len;
	int i, nbufs = 0;

	r = reorder_new(SLOTS, MTU, 100000);
	ck_assert_int_eq(push(r, 0, 0, 0, 0), REORDER_DELIVER);
	for (s = 1; s < 3 * SLOTS; s += HELD + 1) {
		/* s is late; the HELD frames after it wait for it. */
		for (k = 1; k <= HELD; k++)
			ck_assert_int_eq(push(r, s + k, 0, 0, s), REORDER_HELD);
		ck_assert_int_eq(push(r, s, 1, 0, s), REORDER_DELIVER);
		for (k = 1; k <= HELD; k++) {
			ck_assert_int_eq(reorder_pop(r, s, &f, &len), 1);
			ck_assert_uint_eq(len, 8);
			memcpy(&got, f, sizeof(got));
			ck_assert_uint_eq(got, s + k);
			for (i = 0; i < nbufs && bufs[i] != f; i++)
				;
			if (i == nbufs) {
				ck_assert_int_lt(nbufs, HELD);
				bufs[nbufs++] = f;
			}
		}
		ck_assert_int_eq(reorder_pop(r, s, &f, &len), 0);
	}
	ck_assert_int_eq(nbufs, HELD);
	reorder_free(r);
}
END_TEST

START_TEST(test_random)
{
	random_run(0);
}
END_TEST

START_TEST(test_random_loss)
{
	random_run(5);
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
	tcase_add_test(tc, test_spurious);
	tcase_add_test(tc, test_hole_due_and_deadline);
	tcase_add_test(tc, test_unchained_passes_nothing);
	tcase_add_test(tc, test_named_lost);
	tcase_add_test(tc, test_per_flow);
	tcase_add_test(tc, test_hold_spread);
	tcase_add_test(tc, test_hold_single_and_floor);
	tcase_add_test(tc, test_silent_link);
	tcase_add_test(tc, test_wrap);
	tcase_add_test(tc, test_burst_ahead);
	tcase_add_test(tc, test_reset_and_toobig);
	tcase_add_test(tc, test_buffers_reused);
	tcase_add_test(tc, test_random);
	tcase_add_test(tc, test_random_loss);
	tcase_add_test(tc, test_missing_scan);
	tcase_add_test(tc, test_held_max);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(srunner_create(reorder_suite())));
}
