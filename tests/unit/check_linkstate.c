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
 * Unit tests of linkd/linkstate.c on a simulated clock: PROBING to
 * RUNNING after N answered probes, DOWN after max(3 x SRTT,
 * down_after) of silence and not before, LOSSY with hysteresis, flap
 * damping, send errors and carrier loss acting at once, the fast
 * silence watch (asks, DOWN within two round trips of a busy link's
 * silence, back at once when it speaks before the floor, an idle link
 * left to the silence floor).  Test code;
 * trusts its inputs.
 */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "linkinfo.h"
#include "linkstate.h"
#include "check_main.h"

#define MS	1000ULL
#define SEC	1000000ULL

static void
mk(struct linkstate *ls, uint64_t now)
{
	struct ls_conf	c;

	c.down_after_us = 300 * MS;
	c.lossy_ppm = 50000;
	c.recover_probes = 5;
	ls_init(ls, &c, now);
}

/* Answered probes every 100 ms until RUNNING; returns the time. */
static uint64_t
bring_up(struct linkstate *ls, uint64_t t)
{
	int	i;

	for (i = 0; i < 1000 && ls->state != LINK_STATE_RUNNING; i++) {
		t += 100 * MS;
		ls_rx(ls, t);
		ls_answered(ls, t);
	}
	ck_assert_uint_eq(ls->state, LINK_STATE_RUNNING);
	return (t);
}

START_TEST(test_probing_to_running)
{
	struct linkstate	ls;
	uint64_t		t = 10 * SEC;
	int			i;

	mk(&ls, t);
	ck_assert_uint_eq(ls.state, LINK_STATE_PROBING);
	ck_assert_uint_eq(ls_need(&ls), 5);
	for (i = 0; i < 4; i++) {
		t += 100 * MS;
		ck_assert_int_eq(ls_rx(&ls, t), 0);
		ck_assert_int_eq(ls_answered(&ls, t), 0);
		ck_assert_int_eq(ls_timer(&ls, t, 0), 0);
	}
	ck_assert_uint_eq(ls.state, LINK_STATE_PROBING);
	t += 100 * MS;
	ck_assert_int_eq(ls_answered(&ls, t), 1);
	ck_assert_uint_eq(ls.state, LINK_STATE_RUNNING);
	/* More answers change nothing. */
	ck_assert_int_eq(ls_answered(&ls, t), 0);

	/* Answers must be in a row: silence restarts the count. */
	mk(&ls, t);
	for (i = 0; i < 4; i++) {
		t += 100 * MS;
		ls_rx(&ls, t);
		ls_answered(&ls, t);
	}
	t += 400 * MS;
	ls_timer(&ls, t, 0);
	ck_assert_uint_eq(ls.answered, 0);
	ls_rx(&ls, t);
	ck_assert_int_eq(ls_answered(&ls, t), 0);
	ck_assert_uint_eq(ls.state, LINK_STATE_PROBING);
}
END_TEST

START_TEST(test_down_on_silence)
{
	struct linkstate	ls;
	uint64_t		t, last;

	mk(&ls, 0);
	last = bring_up(&ls, 0);
	/* SRTT unknown: down_after alone, 300 ms. */
	for (t = last; t < last + 300 * MS; t += 10 * MS)
		ck_assert_int_eq(ls_timer(&ls, t, 0), 0);
	ck_assert_uint_eq(ls.state, LINK_STATE_RUNNING);
	ck_assert_int_eq(ls_timer(&ls, last + 300 * MS, 0), 1);
	ck_assert_uint_eq(ls.state, LINK_STATE_DOWN);
	/* Any authenticated packet: PROBING again. */
	ck_assert_int_eq(ls_rx(&ls, last + 400 * MS), 1);
	ck_assert_uint_eq(ls.state, LINK_STATE_PROBING);

	/* SRTT 200 ms: 3 x SRTT = 600 ms wins over 300. */
	mk(&ls, 0);
	last = bring_up(&ls, 0);
	ck_assert_uint_eq(ls_timeout_us(&ls, 200000), 600 * MS);
	ck_assert_int_eq(ls_timer(&ls, last + 599 * MS, 200000), 0);
	ck_assert_uint_eq(ls.state, LINK_STATE_RUNNING);
	ck_assert_int_eq(ls_timer(&ls, last + 600 * MS, 200000), 1);
	ck_assert_uint_eq(ls.state, LINK_STATE_DOWN);
	/* SRTT 50 ms: down_after is the floor. */
	ck_assert_uint_eq(ls_timeout_us(&ls, 50000), 300 * MS);

	/* LOSSY goes DOWN the same way; traffic keeps it up. */
	mk(&ls, 0);
	last = bring_up(&ls, 0);
	ls_loss(&ls, last, 100000, 0);
	ck_assert_uint_eq(ls.state, LINK_STATE_LOSSY);
	for (t = last; t < last + 2 * SEC; t += 100 * MS) {
		ls_rx(&ls, t);
		ck_assert_int_eq(ls_timer(&ls, t + 50 * MS, 0), 0);
	}
	ck_assert_int_eq(ls_timer(&ls, t - 100 * MS + 300 * MS, 0), 1);
	ck_assert_uint_eq(ls.state, LINK_STATE_DOWN);
}
END_TEST

START_TEST(test_lossy_hysteresis)
{
	struct linkstate	ls;
	uint64_t		t;

	mk(&ls, 0);
	t = bring_up(&ls, 0);
	/* At the threshold: not yet. */
	ck_assert_int_eq(ls_loss(&ls, t, 50000, 0), 0);
	ck_assert_int_eq(ls_loss(&ls, t, 0, 50001), 1);
	ck_assert_uint_eq(ls.state, LINK_STATE_LOSSY);
	/* Between half and the threshold: stays LOSSY. */
	ck_assert_int_eq(ls_loss(&ls, t, 30000, 0), 0);
	ck_assert_int_eq(ls_loss(&ls, t, 25000, 25000), 0);
	ck_assert_uint_eq(ls.state, LINK_STATE_LOSSY);
	ck_assert_int_eq(ls_loss(&ls, t, 24999, 1000), 1);
	ck_assert_uint_eq(ls.state, LINK_STATE_RUNNING);
	/* The send direction alone counts too. */
	ck_assert_int_eq(ls_loss(&ls, t, 60000, 0), 1);
	ck_assert_uint_eq(ls.state, LINK_STATE_LOSSY);
	/* A PROBING link does not become LOSSY. */
	mk(&ls, 0);
	ck_assert_int_eq(ls_loss(&ls, 0, 900000, 900000), 0);
	ck_assert_uint_eq(ls.state, LINK_STATE_PROBING);
}
END_TEST

START_TEST(test_flap_damping)
{
	struct linkstate	ls;
	uint64_t		t;

	mk(&ls, 0);
	t = bring_up(&ls, 0);
	/* Down 10 s after coming up: twice the probes. */
	t += 10 * SEC;
	ls_send_error(&ls, t, ENETUNREACH);
	ck_assert_uint_eq(ls_need(&ls), 10);
	ls_rx(&ls, t);
	t = bring_up(&ls, t);
	t += 1 * SEC;
	ls_carrier(&ls, t, 0);
	ls_carrier(&ls, t, 1);
	ck_assert_uint_eq(ls_need(&ls), 20);
	t = bring_up(&ls, t);
	ls_dead(&ls, t + 5 * SEC);
	ck_assert_uint_eq(ls_need(&ls), 40);
	ls_rx(&ls, t + 6 * SEC);
	t = bring_up(&ls, t + 6 * SEC);
	ls_dead(&ls, t + 5 * SEC);
	/* At most 8 x. */
	ck_assert_uint_eq(ls_need(&ls), 40);

	/* Up, then 60 s stable: forgotten. */
	ls_rx(&ls, t + 6 * SEC);
	t = bring_up(&ls, t + 6 * SEC);
	ls_rx(&ls, t + 59 * SEC);
	ls_timer(&ls, t + 59 * SEC, 0);
	ck_assert_uint_eq(ls_need(&ls), 40);
	ls_rx(&ls, t + 60 * SEC);
	ls_timer(&ls, t + 60 * SEC, 0);
	ck_assert_uint_eq(ls_need(&ls), 5);
	/* And a DOWN after long service does not double. */
	ls_timer(&ls, t + 61 * SEC, 0);
	ck_assert_uint_eq(ls.state, LINK_STATE_DOWN);
	ck_assert_uint_eq(ls_need(&ls), 5);
}
END_TEST

START_TEST(test_send_error_carrier)
{
	struct linkstate	ls;
	uint64_t		t;
	static const int	gone[] = { ENETDOWN, ENETUNREACH, EHOSTUNREACH,
	    ENODEV, EADDRNOTAVAIL };
	size_t			i;

	for (i = 0; i < sizeof(gone) / sizeof(gone[0]); i++) {
		mk(&ls, 0);
		t = bring_up(&ls, 0);
		ck_assert_int_eq(ls_send_error(&ls, t, EAGAIN), 0);
		ck_assert_int_eq(ls_send_error(&ls, t, ENOBUFS), 0);
		ck_assert_uint_eq(ls.state, LINK_STATE_RUNNING);
		/* At once, with the last packet a moment ago. */
		ck_assert_int_eq(ls_send_error(&ls, t + 1 * MS, gone[i]), 1);
		ck_assert_uint_eq(ls.state, LINK_STATE_DOWN);
	}

	mk(&ls, 0);
	t = bring_up(&ls, 0);
	ck_assert_int_eq(ls_carrier(&ls, t, 0), 1);
	ck_assert_uint_eq(ls.state, LINK_STATE_DOWN);
	/* A straggler while the device is down does not revive it. */
	ck_assert_int_eq(ls_rx(&ls, t + 1 * MS), 0);
	ck_assert_uint_eq(ls.state, LINK_STATE_DOWN);
	ck_assert_int_eq(ls_carrier(&ls, t + 2 * MS, 1), 1);
	ck_assert_uint_eq(ls.state, LINK_STATE_PROBING);
	ck_assert_int_eq(ls_carrier(&ls, t + 3 * MS, 1), 0);

	/* A dead session is DOWN. */
	mk(&ls, 0);
	ck_assert_int_eq(ls_dead(&ls, 1), 1);
	ck_assert_uint_eq(ls.state, LINK_STATE_DOWN);
}
END_TEST

/* Datagrams every gap_us for 1.1 s from t: two full gap sub-windows. */
static uint64_t
traffic(struct linkstate *ls, uint64_t t, uint64_t gap_us)
{
	uint64_t	end = t + 1100 * MS;

	for (; t < end; t += gap_us)
		ls_rx(ls, t);
	return (t - gap_us);
}

START_TEST(test_watch_black_hole)
{
	struct linkstate	ls;
	uint64_t		last, ask;

	/* Busy: a datagram every ms, RTT 20 ms.  Suspect after the
	 * 20 ms floor, a second ask a quarter of the wait later, DOWN
	 * when the 80 ms floor of the wait (2 x 20 + 4 x 2 < 80) ends:
	 * 100 ms of silence instead of the 300 ms floor. */
	mk(&ls, 0);
	last = traffic(&ls, bring_up(&ls, 0), 1 * MS);
	ck_assert_uint_eq(ls_watch_due(&ls, 20 * MS, 2 * MS), last + 20 * MS);
	ck_assert_int_eq(ls_watch(&ls, last + 20 * MS - 1, 20 * MS, 2 * MS),
	    LS_WATCH_NONE);
	ask = last + 20 * MS;
	ck_assert_int_eq(ls_watch(&ls, ask, 20 * MS, 2 * MS), LS_WATCH_ASK);
	ck_assert_uint_eq(ls_watch_due(&ls, 20 * MS, 2 * MS), ask + 20 * MS);
	ck_assert_int_eq(ls_watch(&ls, ask + 20 * MS - 1, 20 * MS, 2 * MS),
	    LS_WATCH_NONE);
	ck_assert_int_eq(ls_watch(&ls, ask + 20 * MS, 20 * MS, 2 * MS),
	    LS_WATCH_ASK);
	ck_assert_uint_eq(ls_watch_due(&ls, 20 * MS, 2 * MS), ask + 80 * MS);
	ck_assert_int_eq(ls_watch(&ls, ask + 80 * MS - 1, 20 * MS, 2 * MS),
	    LS_WATCH_NONE);
	ck_assert_uint_eq(ls.state, LINK_STATE_RUNNING);
	ck_assert_int_eq(ls_watch(&ls, ask + 80 * MS, 20 * MS, 2 * MS),
	    LS_WATCH_DOWN);
	ck_assert_uint_eq(ls.state, LINK_STATE_DOWN);
	/* DOWN is left to ls_rx; nothing more to watch. */
	ck_assert_uint_eq(ls_watch_due(&ls, 20 * MS, 2 * MS), 0);
	ck_assert_int_eq(ls_watch(&ls, ask + 90 * MS, 20 * MS, 2 * MS),
	    LS_WATCH_NONE);

	/* A slow round trip waits for it: RTT 60 ms, spread 10 ms, so
	 * 2 x 60 + 4 x 10 = 160 ms; the second ask at 40 ms. */
	mk(&ls, 0);
	last = traffic(&ls, bring_up(&ls, 0), 1 * MS);
	ask = last + 20 * MS;
	ck_assert_int_eq(ls_watch(&ls, ask, 60 * MS, 10 * MS), LS_WATCH_ASK);
	ck_assert_int_eq(ls_watch(&ls, ask + 40 * MS, 60 * MS, 10 * MS),
	    LS_WATCH_ASK);
	ck_assert_int_eq(ls_watch(&ls, ask + 160 * MS - 1, 60 * MS, 10 * MS),
	    LS_WATCH_NONE);
	ck_assert_int_eq(ls_watch(&ls, ask + 160 * MS, 60 * MS, 10 * MS),
	    LS_WATCH_DOWN);
}
END_TEST

/* Busy link taken DOWN by the watch at last + 100 ms; returns last,
 * and in *running when it came up. */
static uint64_t
watch_down(struct linkstate *ls, uint64_t *running)
{
	uint64_t	last;

	mk(ls, 0);
	*running = bring_up(ls, 0);
	last = traffic(ls, *running, 1 * MS);
	ck_assert_int_eq(ls_watch(ls, last + 20 * MS, 20 * MS, 2 * MS),
	    LS_WATCH_ASK);
	ck_assert_int_eq(ls_watch(ls, last + 40 * MS, 20 * MS, 2 * MS),
	    LS_WATCH_ASK);
	ck_assert_int_eq(ls_watch(ls, last + 100 * MS, 20 * MS, 2 * MS),
	    LS_WATCH_DOWN);
	return (last);
}

START_TEST(test_watch_slow_not_gone)
{
	struct linkstate	ls;
	uint64_t		last, running;

	/* It speaks again before the 300 ms floor: RUNNING at once, no
	 * probes to prove, no flap counted. */
	last = watch_down(&ls, &running);
	ck_assert_uint_eq(ls.damp, 2);
	ck_assert_int_eq(ls_rx(&ls, last + 250 * MS), 1);
	ck_assert_uint_eq(ls.state, LINK_STATE_RUNNING);
	ck_assert_uint_eq(ls.damp, 1);
	ck_assert_uint_eq(ls.running_us, running);

	/* LOSSY comes back LOSSY. */
	mk(&ls, 0);
	last = traffic(&ls, bring_up(&ls, 0), 1 * MS);
	ls_loss(&ls, last, 100000, 0);
	ck_assert_uint_eq(ls.state, LINK_STATE_LOSSY);
	ls_watch(&ls, last + 20 * MS, 20 * MS, 2 * MS);
	ls_watch(&ls, last + 40 * MS, 20 * MS, 2 * MS);
	ck_assert_int_eq(ls_watch(&ls, last + 100 * MS, 20 * MS, 2 * MS),
	    LS_WATCH_DOWN);
	ck_assert_int_eq(ls_rx(&ls, last + 150 * MS), 1);
	ck_assert_uint_eq(ls.state, LINK_STATE_LOSSY);

	/* The floor confirms the outage: what speaks later must prove
	 * itself again, and the flap counts (it came up < 30 s ago). */
	last = watch_down(&ls, &running);
	ck_assert_int_eq(ls_timer(&ls, last + 300 * MS, 20 * MS), 0);
	ck_assert_uint_eq(ls.state, LINK_STATE_DOWN);
	ck_assert_int_eq(ls_rx(&ls, last + 350 * MS), 1);
	ck_assert_uint_eq(ls.state, LINK_STATE_PROBING);
	ck_assert_uint_eq(ls.damp, 2);
	ck_assert_uint_eq(ls_need(&ls), 10);

	/* Carrier loss is no slowness. */
	last = watch_down(&ls, &running);
	ls_carrier(&ls, last + 110 * MS, 0);
	ck_assert_int_eq(ls_rx(&ls, last + 150 * MS), 0);
	ck_assert_uint_eq(ls.state, LINK_STATE_DOWN);
}
END_TEST

START_TEST(test_watch_answer)
{
	struct linkstate	ls;
	uint64_t		last, ask;

	/* Any datagram after an ask ends the suspicion: no DOWN, and
	 * the next suspicion needs a new silence of two usual gaps (the
	 * 30 ms one just seen counts). */
	mk(&ls, 0);
	last = traffic(&ls, bring_up(&ls, 0), 1 * MS);
	ask = last + 20 * MS;
	ck_assert_int_eq(ls_watch(&ls, ask, 20 * MS, 2 * MS), LS_WATCH_ASK);
	ls_rx(&ls, last + 30 * MS);
	ck_assert_uint_eq(ls_watch_due(&ls, 20 * MS, 2 * MS),
	    last + 30 * MS + 60 * MS);
	ck_assert_int_eq(ls_watch(&ls, last + 70 * MS, 20 * MS, 2 * MS),
	    LS_WATCH_NONE);
	ck_assert_int_eq(ls_watch(&ls, last + 90 * MS - 1, 20 * MS, 2 * MS),
	    LS_WATCH_NONE);
	ck_assert_uint_eq(ls.state, LINK_STATE_RUNNING);
	ck_assert_int_eq(ls_watch(&ls, last + 90 * MS, 20 * MS, 2 * MS),
	    LS_WATCH_ASK);
}
END_TEST

START_TEST(test_watch_idle)
{
	struct linkstate	ls;
	uint64_t		last;

	/* Idle: only the peer's probes, every 100 ms.  Suspect after
	 * 200 ms, past two of them, so an idle link asks little; with
	 * the 80 ms wait DOWN at 280 ms, about the silence floor. */
	mk(&ls, 0);
	last = traffic(&ls, bring_up(&ls, 0), 100 * MS);
	ck_assert_uint_eq(ls_watch_due(&ls, 20 * MS, 2 * MS),
	    last + 200 * MS);
	ck_assert_int_eq(ls_watch(&ls, last + 199 * MS, 20 * MS, 2 * MS),
	    LS_WATCH_NONE);
	ck_assert_int_eq(ls_watch(&ls, last + 200 * MS, 20 * MS, 2 * MS),
	    LS_WATCH_ASK);

	/* A long gap ending in a silent sub-window counts as the usual
	 * gap: after 1.2 s without traffic, the next suspicion waits
	 * twice that. */
	mk(&ls, 0);
	last = traffic(&ls, bring_up(&ls, 0), 1 * MS);
	ls_rx(&ls, last + 1200 * MS);
	ck_assert_uint_eq(ls_watch_due(&ls, 20 * MS, 2 * MS),
	    last + 1200 * MS + 2400 * MS);

	/* Nothing measured or not carrying: not watched. */
	mk(&ls, 0);
	last = traffic(&ls, bring_up(&ls, 0), 1 * MS);
	ck_assert_uint_eq(ls_watch_due(&ls, 0, 0), 0);
	ck_assert_int_eq(ls_watch(&ls, last + SEC, 0, 0), LS_WATCH_NONE);
	mk(&ls, 0);
	ls_rx(&ls, 1 * MS);
	ck_assert_uint_eq(ls.state, LINK_STATE_PROBING);
	ck_assert_uint_eq(ls_watch_due(&ls, 20 * MS, 2 * MS), 0);
	ck_assert_int_eq(ls_watch(&ls, SEC, 20 * MS, 2 * MS), LS_WATCH_NONE);
}
END_TEST

static Suite *
linkstate_suite(void)
{
	Suite *s = suite_create("linkstate");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_probing_to_running);
	tcase_add_test(tc, test_down_on_silence);
	tcase_add_test(tc, test_lossy_hysteresis);
	tcase_add_test(tc, test_flap_damping);
	tcase_add_test(tc, test_send_error_carrier);
	tcase_add_test(tc, test_watch_black_hole);
	tcase_add_test(tc, test_watch_slow_not_gone);
	tcase_add_test(tc, test_watch_answer);
	tcase_add_test(tc, test_watch_idle);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(srunner_create(linkstate_suite())));
}
