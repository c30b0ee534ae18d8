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
 * Unit tests of bondd/retx.c on a simulated clock: a kept frame is
 * found by its sequence number until it is too old or its slot or its
 * bytes are reused, the byte ring's laps (real lengths, wrap, growth
 * to full, shrinking), the failover window's bounds, the walk over the frames a
 * failed link had in flight, and the bounds on resends for NACKs: the
 * per-frame mark and count and the budget of a second.  Test code;
 * trusts its inputs.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "retx.h"
#include "check_main.h"

#define FRAME_MAX	1440
#define T0		1000000000ULL

/* A frame whose bytes tell its sequence number. */
static void
keep(struct retx *rt, uint32_t seq, size_t len, int link, uint64_t now)
{
	uint8_t	f[FRAME_MAX];

	memset(f, (uint8_t)seq, len);
	retx_keep(rt, seq, f, len, link, now);
}

START_TEST(test_keep_find)
{
	struct retx		 rt;
	struct retx_frame	*r;

	ck_assert_int_eq(retx_init(&rt, FRAME_MAX), 0);
	/* Nothing kept yet, not even sequence 0 of an empty slot. */
	ck_assert_ptr_null(retx_find(&rt, 0, T0));
	keep(&rt, 7, 100, 2, T0);
	keep(&rt, 8, FRAME_MAX, 3, T0 + 10);
	r = retx_find(&rt, 7, T0 + 1000);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->seq, 7);
	ck_assert_uint_eq(r->len, 100);
	ck_assert_int_eq(r->link, 2);
	ck_assert_uint_eq(r->sent_us, T0);
	ck_assert_uint_eq(r->frame[0], 7);
	ck_assert_uint_eq(r->frame[99], 7);
	r = retx_find(&rt, 8, T0 + 1000);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->len, FRAME_MAX);
	ck_assert_uint_eq(r->frame[FRAME_MAX - 1], 8);
	/* Not kept: never sent, or sent into the same slot later. */
	ck_assert_ptr_null(retx_find(&rt, 9, T0 + 1000));
	ck_assert_ptr_null(retx_find(&rt, 7 + RETX_SLOTS, T0 + 1000));
	keep(&rt, 7 + RETX_SLOTS, 60, 1, T0 + 20);
	ck_assert_ptr_null(retx_find(&rt, 7, T0 + 1000));
	r = retx_find(&rt, 7 + RETX_SLOTS, T0 + 1000);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->len, 60);
	ck_assert_int_eq(r->link, 1);
	retx_free(&rt);
}
END_TEST

/* A frame is resent up to RETX_MAX_AGE_US after it was first sent. */
START_TEST(test_age_limit)
{
	struct retx	rt;

	ck_assert_int_eq(retx_init(&rt, FRAME_MAX), 0);
	keep(&rt, 0xfffffffe, 80, 0, T0);
	ck_assert_ptr_nonnull(retx_find(&rt, 0xfffffffe, T0));
	ck_assert_ptr_nonnull(retx_find(&rt, 0xfffffffe,
	    T0 + RETX_MAX_AGE_US));
	ck_assert_ptr_null(retx_find(&rt, 0xfffffffe,
	    T0 + RETX_MAX_AGE_US + 1));
	retx_free(&rt);
}
END_TEST

START_TEST(test_failover_window)
{
	ck_assert_uint_eq(retx_failover_window(0), RETX_FAILOVER_MIN_US);
	ck_assert_uint_eq(retx_failover_window(30000), 100000);
	ck_assert_uint_eq(retx_failover_window(50000), 100000);
	ck_assert_uint_eq(retx_failover_window(60000), 120000);
	ck_assert_uint_eq(retx_failover_window(250000), 500000);
	ck_assert_uint_eq(retx_failover_window(400000), RETX_MAX_AGE_US);
	/* Twice the largest RTT does not wrap around. */
	ck_assert_uint_eq(retx_failover_window(UINT32_MAX), RETX_MAX_AGE_US);
}
END_TEST

/* The frames last sent on link 1 within the window, in slot order. */
START_TEST(test_in_flight)
{
	struct retx		 rt;
	struct retx_frame	*r;
	uint32_t		 got[8];
	size_t			 next = 0;
	int			 n = 0;

	ck_assert_int_eq(retx_init(&rt, FRAME_MAX), 0);
	keep(&rt, RETX_SLOTS - 1, 50, 1, T0 + 50000);	/* last slot */
	keep(&rt, 10, 50, 1, T0);			/* too old */
	keep(&rt, 11, 50, 1, T0 + 1);
	keep(&rt, 12, 50, 0, T0 + 2);			/* other link */
	keep(&rt, 13, 50, 1, T0 + 100000);
	/* Resent on link 2 since: no longer in flight on link 1. */
	keep(&rt, 14, 50, 1, T0 + 100000);
	retx_find(&rt, 14, T0 + 100000)->link = 2;
	while ((r = retx_next_on_link(&rt, &next, 1, 100000,
	    T0 + 100001)) != NULL) {
		ck_assert_int_lt(n, 8);
		ck_assert_int_eq(r->link, 1);
		got[n++] = r->seq;
	}
	ck_assert_int_eq(n, 3);
	ck_assert_uint_eq(got[0], 11);
	ck_assert_uint_eq(got[1], 13);
	ck_assert_uint_eq(got[2], RETX_SLOTS - 1);
	/* The walk ended: it stays ended. */
	ck_assert_uint_eq(next, RETX_SLOTS);
	ck_assert_ptr_null(retx_next_on_link(&rt, &next, 1, 100000,
	    T0 + 100001));
	/* Link 2 has the frame moved to it. */
	next = 0;
	r = retx_next_on_link(&rt, &next, 2, 100000, T0 + 100001);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->seq, 14);
	ck_assert_ptr_null(retx_next_on_link(&rt, &next, 2, 100000,
	    T0 + 100001));
	retx_free(&rt);
}
END_TEST

/* resends of frames first..first+n-1 at now; how many were allowed. */
static int
resend_all(struct retx *rt, uint32_t first, int n, uint64_t now)
{
	struct retx_frame	*r;
	int			 i, ok = 0;

	for (i = 0; i < n; i++) {
		r = retx_find(rt, first + i, now);
		ck_assert_ptr_nonnull(r);
		ok += retx_nack_resend(rt, r, now);
	}
	return ok;
}

START_TEST(test_resend_mark)
{
	struct retx		 rt;
	struct retx_frame	*r;
	uint64_t		 t = T0 + 100;

	ck_assert_int_eq(retx_init(&rt, FRAME_MAX), 0);
	keep(&rt, 5, 100, 0, T0);
	r = retx_find(&rt, 5, t);
	ck_assert_int_eq(retx_nack_resend(&rt, r, t), 1);
	/* The same request again, or before the resend could arrive. */
	ck_assert_int_eq(retx_nack_resend(&rt, r, t), 0);
	ck_assert_int_eq(retx_nack_resend(&rt, r, t + RETX_RESEND_GAP_US - 1),
	    0);
	/* Asked again later: resent, up to RETX_RESENDS_MAX times. */
	ck_assert_int_eq(retx_nack_resend(&rt, r, t + RETX_RESEND_GAP_US), 1);
	ck_assert_int_eq(retx_nack_resend(&rt, r,
	    t + 2 * RETX_RESEND_GAP_US), 1);
	ck_assert_uint_eq(r->resends, RETX_RESENDS_MAX);
	ck_assert_int_eq(retx_nack_resend(&rt, r,
	    t + 10 * RETX_RESEND_GAP_US), 0);
	/* A new frame in the slot starts without a mark. */
	keep(&rt, 5 + RETX_SLOTS, 100, 0, t + 20000);
	r = retx_find(&rt, 5 + RETX_SLOTS, t + 20000);
	ck_assert_int_eq(retx_nack_resend(&rt, r, t + 20000), 1);
	retx_free(&rt);
}
END_TEST

START_TEST(test_resend_budget)
{
	struct retx	rt;
	uint64_t	t = T0, g = RETX_RESEND_GAP_US;
	int		i;

	ck_assert_int_eq(retx_init(&rt, FRAME_MAX), 0);
	/* 100 frames kept in this second: 64 + 100 resends at most. */
	for (i = 0; i < 100; i++)
		keep(&rt, i, 100, 0, t);
	ck_assert_int_eq(resend_all(&rt, 0, 100, t + 10), 100);
	ck_assert_int_eq(resend_all(&rt, 0, 100, t + 10 + g),
	    RETX_BUDGET_MIN);
	ck_assert_int_eq(resend_all(&rt, 0, 100, t + 10 + 2 * g), 0);
	/* The next second counts the frames kept in this one: 40 new
	 * frames may be resent 3 times each (120 > 64 + 40). */
	t += RETX_BUDGET_US;
	for (i = 0; i < 40; i++)
		keep(&rt, 1000 + i, 100, 0, t);
	for (i = 0; i < RETX_RESENDS_MAX; i++)
		ck_assert_int_eq(resend_all(&rt, 1000, 40, t + 10 + i * g), 40);
	/* After a silent second nothing carries over: 40 frames, a
	 * budget of 64 + 40. */
	t += 3 * RETX_BUDGET_US;
	for (i = 0; i < 40; i++)
		keep(&rt, 2000 + i, 100, 0, t);
	ck_assert_int_eq(resend_all(&rt, 2000, 40, t + 10), 40);
	ck_assert_int_eq(resend_all(&rt, 2000, 40, t + 10 + g), 40);
	ck_assert_int_eq(resend_all(&rt, 2000, 40, t + 10 + 2 * g),
	    RETX_BUDGET_MIN + 40 - 80);
	retx_free(&rt);
}
END_TEST

/* Frame seq is kept, with its bytes intact. */
static int
intact(struct retx *rt, uint32_t seq, size_t len, uint64_t now)
{
	struct retx_frame	*r = retx_find(rt, seq, now);
	size_t			 i;

	if (r == NULL || r->len != len)
		return 0;
	for (i = 0; i < len; i++)
		if (r->frame[i] != (uint8_t)seq)
			return 0;
	return 1;
}

/* Frames take their real length: 600 of 100 bytes fit the first lap. */
START_TEST(test_real_length)
{
	struct retx	rt;
	uint32_t	s;

	ck_assert_int_eq(retx_init(&rt, FRAME_MAX), 0);
	ck_assert_uint_eq(rt.cap, RETX_CAP_MIN);
	for (s = 0; s < 600; s++)
		keep(&rt, s, 100, 0, T0 + s);
	ck_assert_uint_eq(rt.lap, 0);
	ck_assert_uint_eq(rt.wr, 600 * 100);
	for (s = 0; s < 600; s++)
		ck_assert(intact(&rt, s, 100, T0 + 1000));
	retx_free(&rt);
}
END_TEST

/* A slow lap wraps at cap without growing: the new lap's frames take
 * the bytes of the oldest, which are no longer found, also not on the
 * walk over a failed link's frames; the rest of the last lap is. */
START_TEST(test_wrap_evicts)
{
	struct retx		 rt;
	struct retx_frame	*r;
	uint64_t		 now = T0;
	uint32_t		 s, b, per = RETX_CAP_MIN / FRAME_MAX;
	uint32_t		 q = 2 * RETX_CAP_MIN / FRAME_MAX;
	size_t			 next = 0;
	int			 n = 0;

	ck_assert_int_eq(retx_init(&rt, FRAME_MAX), 0);
	retx_set_window(&rt, 1000);
	/* The first lap, untimed, doubles cap; then a lap of the new cap
	 * (q frames) from b on, each frame 200 us apart. */
	for (s = 0; s <= per; s++, now += 200)
		keep(&rt, s, FRAME_MAX, 1, now);
	ck_assert_uint_eq(rt.cap, 2 * RETX_CAP_MIN);
	b = per;
	retx_set_window(&rt, (uint64_t)q * 200 / 3);
	for (; s < b + q; s++, now += 200)
		keep(&rt, s, FRAME_MAX, 1, now);
	ck_assert_uint_eq(rt.lap, 1);
	/* The lap took 3 windows, between RETX_GROW and RETX_SHRINK:
	 * cap stays. */
	keep(&rt, b + q, FRAME_MAX, 1, now);
	ck_assert_uint_eq(rt.lap, 2);
	ck_assert_uint_eq(rt.cap, 2 * RETX_CAP_MIN);
	ck_assert(!intact(&rt, b, FRAME_MAX, now));
	for (s = b + 1; s <= b + q; s++)
		ck_assert(intact(&rt, s, FRAME_MAX, now));
	keep(&rt, b + q + 1, FRAME_MAX, 1, now);
	ck_assert(!intact(&rt, b + 1, FRAME_MAX, now));
	ck_assert(intact(&rt, b + 2, FRAME_MAX, now));
	while ((r = retx_next_on_link(&rt, &next, 1, RETX_MAX_AGE_US,
	    now)) != NULL) {
		ck_assert_uint_gt(r->seq, b + 1);
		n++;
	}
	ck_assert_int_eq(n, (int)q);
	retx_free(&rt);
}
END_TEST

/* Full at line rate: laps that fill within the window double cap up to
 * RETX_SLOTS full frames, and then the last RETX_SLOTS frames are all
 * kept, as many as the slots can name. */
START_TEST(test_grow_full)
{
	struct retx	rt;
	uint64_t	now = T0;
	uint32_t	s;

	ck_assert_int_eq(retx_init(&rt, FRAME_MAX), 0);
	retx_set_window(&rt, 100000);
	/* While it grows, at least the current lap is kept. */
	for (s = 0; s < 200; s++, now++)
		keep(&rt, s, FRAME_MAX, 0, now);
	ck_assert_uint_gt(rt.cap, RETX_CAP_MIN);
	ck_assert_uint_lt(rt.cap, rt.size);
	for (s = 200 - rt.wr / FRAME_MAX; s < 200; s++)
		ck_assert(intact(&rt, s, FRAME_MAX, now));
	for (; s < 4 * RETX_SLOTS; s++, now++)
		keep(&rt, s, FRAME_MAX, 0, now);
	ck_assert_uint_eq(rt.cap, rt.size);
	ck_assert_uint_eq(rt.size, RETX_SLOTS * FRAME_MAX);
	for (s = 3 * RETX_SLOTS; s < 4 * RETX_SLOTS; s++)
		ck_assert(intact(&rt, s, FRAME_MAX, now));
	ck_assert(!intact(&rt, 3 * RETX_SLOTS - 1, FRAME_MAX, now));
	retx_free(&rt);
}
END_TEST

/* A lap between one and RETX_GROW windows still doubles cap: at that
 * rate the next lap holds two windows, so a doubled rate still finds a
 * window of frames. */
START_TEST(test_grow_margin)
{
	struct retx	rt;
	uint64_t	now = T0;
	uint32_t	s, b, per = RETX_CAP_MIN / FRAME_MAX;
	uint32_t	q = 2 * RETX_CAP_MIN / FRAME_MAX;
	uint32_t	q4 = 4 * RETX_CAP_MIN / FRAME_MAX;

	ck_assert_int_eq(retx_init(&rt, FRAME_MAX), 0);
	/* A frame every 100 us.  The first lap (per frames), which has no
	 * start to time, doubles cap; the second (q frames from b) takes
	 * 1.5 windows and doubles it again. */
	retx_set_window(&rt, (uint64_t)q * 100 * 2 / 3);
	for (s = 0; s <= per; s++, now += 100)
		keep(&rt, s, FRAME_MAX, 0, now);
	ck_assert_uint_eq(rt.lap, 1);
	ck_assert_uint_eq(rt.cap, 2 * RETX_CAP_MIN);
	b = per;
	for (; s <= b + q; s++, now += 100)
		keep(&rt, s, FRAME_MAX, 0, now);
	ck_assert_uint_eq(rt.lap, 2);
	ck_assert_uint_eq(rt.cap, 4 * RETX_CAP_MIN);
	/* At twice the rate (50 us a frame) the new lap still holds the
	 * frame sent a window (4 q / 3 frames) ago. */
	b += q;
	for (; s < b + q4; s++, now += 50)
		keep(&rt, s, FRAME_MAX, 0, now);
	ck_assert_uint_eq(rt.lap, 2);
	ck_assert(intact(&rt, s - 1 - q * 4 / 3, FRAME_MAX, now));
	retx_free(&rt);
}
END_TEST

/* When the rate falls, laps longer than RETX_SHRINK windows halve cap
 * down to its floor; the last lap's frames past the smaller cap are
 * gone (their pages given back), the others stay intact. */
START_TEST(test_shrink)
{
	struct retx	rt;
	uint64_t	now = T0;
	uint32_t	s, lap_frames, first;
	size_t		cap;

	ck_assert_int_eq(retx_init(&rt, FRAME_MAX), 0);
	retx_set_window(&rt, 1000);
	for (s = 0; rt.cap < 4 * RETX_CAP_MIN; s++, now++)
		keep(&rt, s, FRAME_MAX, 0, now);
	/* Fill this lap slowly: the next one is half as long. */
	cap = rt.cap;
	first = s - rt.wr / FRAME_MAX;
	while (rt.wr + FRAME_MAX <= cap) {
		keep(&rt, s++, FRAME_MAX, 0, now);
		now += 100;
	}
	lap_frames = s - first;
	now += RETX_SHRINK * 1000;
	keep(&rt, s, FRAME_MAX, 0, now);
	ck_assert_uint_eq(rt.cap, cap / 2);
	/* Frame first was overwritten; those of the last lap below the new
	 * cap are intact, those past it gone. */
	ck_assert(!intact(&rt, first, FRAME_MAX, now));
	ck_assert(intact(&rt, first + 1, FRAME_MAX, now));
	ck_assert(intact(&rt, first + rt.cap / FRAME_MAX - 1, FRAME_MAX, now));
	ck_assert_ptr_null(retx_find(&rt, first + rt.cap / FRAME_MAX, now));
	ck_assert_ptr_null(retx_find(&rt, first + lap_frames - 1, now));
	ck_assert(intact(&rt, s, FRAME_MAX, now));
	/* Idle laps halve it down to the floor, never below. */
	for (s++; s < 2000; s++, now += 100000)
		keep(&rt, s, FRAME_MAX, 0, now);
	ck_assert_uint_eq(rt.cap, RETX_CAP_MIN);
	ck_assert(intact(&rt, 1999, FRAME_MAX, now));
	retx_free(&rt);
}
END_TEST

static Suite *
retx_suite(void)
{
	Suite	*s = suite_create("retx");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_keep_find);
	tcase_add_test(tc, test_age_limit);
	tcase_add_test(tc, test_failover_window);
	tcase_add_test(tc, test_grow_margin);
	tcase_add_test(tc, test_in_flight);
	tcase_add_test(tc, test_resend_mark);
	tcase_add_test(tc, test_resend_budget);
	tcase_add_test(tc, test_real_length);
	tcase_add_test(tc, test_wrap_evicts);
	tcase_add_test(tc, test_grow_full);
	tcase_add_test(tc, test_shrink);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_run(srunner_create(retx_suite()));
}
