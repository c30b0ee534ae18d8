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
 * Unit tests of linkd/probe.c on a simulated clock: RTT and RTTVAR
 * converge to a fixed delay, echoes of unknown or stale probes are
 * ignored, receive loss is measured from outer counters, the one-way
 * delay minimum follows a change after its window, jitter and the
 * delivered rate.  Test code; trusts its inputs.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "linkinfo.h"
#include "wire.h"
#include "probe.h"
#include "check_main.h"

#define MS	1000ULL
#define SEC	1000000ULL

static uint64_t
xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (*s);
}

/*
 * Two sides probing each other every 100 ms, b 37 ms after a, over a
 * path of d_ab / d_ba one-way delay, for dur; one probe in flight per
 * direction is enough since the delays are below the interval.
 */
static void
run_pair(struct probe *a, struct probe *b, uint64_t start, uint64_t dur,
    uint64_t d_ab, uint64_t d_ba, int *answers)
{
	struct probe_local	 l;
	struct wire_probe	 wa, wb;
	uint64_t		 t, arr_a = 0, arr_b = 0;
	int			 fa = 0, fb = 0;

	memset(&l, 0, sizeof(l));
	for (t = start; t < start + dur; t += MS) {
		if ((t - start) % (100 * MS) == 0) {
			probe_build(a, t, &l, LINK_STATE_RUNNING, 0, &wa);
			fa = 1;
			arr_b = t + d_ab;
		}
		if ((t - start) % (100 * MS) == 37 * MS) {
			probe_build(b, t, &l, LINK_STATE_RUNNING, 0, &wb);
			fb = 1;
			arr_a = t + d_ba;
		}
		if (fa && t == arr_b) {
			fa = 0;
			probe_input(b, t, &wa);
		}
		if (fb && t == arr_a) {
			fb = 0;
			if (probe_input(a, t, &wb) && answers != NULL)
				(*answers)++;
		}
	}
}

START_TEST(test_rtt_converges)
{
	struct probe	a, b;
	int		answers = 0;

	probe_init(&a, 0);
	probe_init(&b, 0);
	ck_assert_uint_eq(a.srtt_us, 0);
	run_pair(&a, &b, 0, 10 * SEC, 20 * MS, 25 * MS, &answers);
	/* The hold time at the peer is taken out: RTT is 45 ms exactly. */
	ck_assert_uint_eq(a.srtt_us, 45000);
	ck_assert_uint_eq(b.srtt_us, 45000);
	ck_assert_uint_lt(a.rttvar_us, 1000);
	ck_assert_int_ge(answers, 95);
	ck_assert_uint_ge(a.probes_tx, 100);
	ck_assert_uint_ge(a.probes_rx, 99);

	/* A new delay: SRTT follows within a few dozen samples. */
	run_pair(&a, &b, 10 * SEC, 5 * SEC, 60 * MS, 25 * MS, NULL);
	ck_assert_uint_ge(a.srtt_us, 84000);
	ck_assert_uint_le(a.srtt_us, 85000);
	/* Constant delays: no jitter once settled. */
	ck_assert_uint_lt(probe_jitter_us(&a), 200);
}
END_TEST

START_TEST(test_echo_unknown_stale)
{
	struct probe		a;
	struct probe_local	l;
	struct wire_probe	out, in;
	uint64_t		t = 1 * SEC;
	int			i;

	memset(&l, 0, sizeof(l));
	probe_init(&a, 0);
	probe_build(&a, t, &l, LINK_STATE_PROBING, 0, &out);
	ck_assert_uint_eq(out.seq, 1);
	ck_assert_uint_eq(out.echo_seq, 0);

	memset(&in, 0, sizeof(in));
	in.seq = 1;
	in.tx_us = 500;
	/* Unknown sequence number. */
	in.echo_seq = 999;
	in.echo_tx_us = t;
	ck_assert_int_eq(probe_input(&a, t + 10 * MS, &in), 0);
	/* Right number, wrong send time. */
	in.seq = 2;
	in.tx_us = 600;
	in.echo_seq = 1;
	in.echo_tx_us = t + 1;
	ck_assert_int_eq(probe_input(&a, t + 10 * MS, &in), 0);
	/* A hold longer than the round trip. */
	in.seq = 3;
	in.tx_us = 700;
	in.echo_tx_us = t;
	in.echo_hold_us = 20000;
	ck_assert_int_eq(probe_input(&a, t + 10 * MS, &in), 0);
	ck_assert_uint_eq(a.srtt_us, 0);
	/* The real answer, then the same echo again. */
	in.seq = 4;
	in.tx_us = 800;
	in.echo_hold_us = 2000;
	ck_assert_int_eq(probe_input(&a, t + 10 * MS, &in), 1);
	ck_assert_uint_eq(a.srtt_us, 8000);
	ck_assert_uint_eq(a.rttvar_us, 4000);
	in.seq = 5;
	in.tx_us = 900;
	ck_assert_int_eq(probe_input(&a, t + 11 * MS, &in), 0);
	ck_assert_uint_eq(a.srtt_us, 8000);

	/* Our next probe echoes the newest probe it got. */
	probe_build(&a, t + 20 * MS, &l, LINK_STATE_PROBING, 0, &out);
	ck_assert_uint_eq(out.echo_seq, 5);
	ck_assert_uint_eq(out.echo_tx_us, 900);
	ck_assert_uint_eq(out.echo_hold_us, 9000);

	/* Probe 2, pushed out of the history by 16 newer ones: stale. */
	for (i = 0; i < PROBE_HIST; i++)
		probe_build(&a, t + (30 + i) * MS, &l, LINK_STATE_PROBING, 0,
		    &out);
	in.seq = 6;
	in.tx_us = 1000;
	in.echo_seq = 2;
	in.echo_tx_us = t + 20 * MS;
	in.echo_hold_us = 0;
	ck_assert_int_eq(probe_input(&a, t + 60 * MS, &in), 0);
	ck_assert_uint_eq(a.srtt_us, 8000);
}
END_TEST

/* 1000 datagrams per second with a given chance of loss, in ppm. */
static uint32_t
run_loss(uint32_t loss_ppm, uint64_t seed)
{
	struct probe	p;
	uint64_t	t, ctr = 0;

	probe_init(&p, 0);
	for (t = 0; t < 40 * SEC; t += MS, ctr++) {
		if (xorshift(&seed) % 1000000 < loss_ppm)
			continue;
		probe_rx_counter(&p, t, 7, ctr);
	}
	return (probe_loss_rx_ppm(&p));
}

START_TEST(test_loss)
{
	uint32_t	l;

	l = run_loss(100000, 0x12345678);
	ck_assert_uint_ge(l, 90000);
	ck_assert_uint_le(l, 110000);
	l = run_loss(5000, 0x9abcdef1);
	ck_assert_uint_ge(l, 3500);
	ck_assert_uint_le(l, 6500);
	ck_assert_uint_eq(run_loss(0, 1), 0);
}
END_TEST

START_TEST(test_loss_window_and_rekey)
{
	struct probe	p;
	uint64_t	t, ctr;

	probe_init(&p, 0);
	/* 50 packets a second expected, half lost: a window needs 2 s
	 * for 100 packets. */
	for (t = 0, ctr = 0; t < 1500 * MS; t += 40 * MS, ctr += 2)
		probe_rx_counter(&p, t, 1, ctr);
	ck_assert_int_eq(p.loss_known, 0);
	for (; t < 5 * SEC; t += 40 * MS, ctr += 2)
		probe_rx_counter(&p, t, 1, ctr);
	ck_assert_int_eq(p.loss_known, 1);
	ck_assert_uint_ge(probe_loss_rx_ppm(&p), 490000);

	/* New keys count from 0: no loss is made up of that. */
	probe_init(&p, 0);
	for (t = 0, ctr = 1000; t < 3 * SEC; t += MS, ctr++)
		probe_rx_counter(&p, t, 1, ctr);
	for (ctr = 0; t < 6 * SEC; t += MS, ctr++) {
		probe_rx_counter(&p, t, 2, ctr);
		/* A late one under the old keys now and then. */
		if (ctr % 100 == 0)
			probe_rx_counter(&p, t, 1, 5000 + ctr);
	}
	ck_assert_int_eq(p.loss_known, 1);
	ck_assert_uint_eq(probe_loss_rx_ppm(&p), 0);
}
END_TEST

START_TEST(test_owd_window)
{
	struct probe	p;
	uint64_t	t;
	uint64_t	base = 0xfffff000ULL;	/* crosses 2^32 us */

	probe_init(&p, base);
	ck_assert_int_eq(probe_owd_us(&p), LINK_OWD_UNKNOWN);
	for (t = base; t < base + 3 * SEC; t += 10 * MS)
		probe_owd_sample(&p, t, (uint32_t)(t - 10 * MS));
	ck_assert_int_eq(probe_owd_us(&p), 10000);
	/* The delay grows: the old minimum holds for the window... */
	for (; t < base + 4 * SEC; t += 10 * MS)
		probe_owd_sample(&p, t, (uint32_t)(t - 50 * MS));
	ck_assert_int_eq(probe_owd_us(&p), 10000);
	/* ...and is gone once the window passed. */
	for (; t < base + 5600 * MS; t += 10 * MS)
		probe_owd_sample(&p, t, (uint32_t)(t - 50 * MS));
	ck_assert_int_eq(probe_owd_us(&p), 50000);
	/* A shorter delay shows at once. */
	probe_owd_sample(&p, t, (uint32_t)(t - 5 * MS));
	ck_assert_int_eq(probe_owd_us(&p), 5000);
	/* Clocks apart: a negative difference is fine. */
	probe_init(&p, 0);
	probe_owd_sample(&p, 1 * SEC, (uint32_t)(3 * SEC));
	ck_assert_int_eq(probe_owd_us(&p), -2000000);
	/* Silence: the window empties on the tick. */
	probe_tick(&p, 4 * SEC, 0, 0);
	ck_assert_int_eq(probe_owd_us(&p), LINK_OWD_UNKNOWN);
}
END_TEST

/*
 * The least delay since our last probe travels in it; from the peer's,
 * the queue at the bottleneck of our send direction is how far it sits
 * above the least of the last 10 s.
 */
START_TEST(test_queue)
{
	struct probe		p, q;
	struct probe_local	l;
	struct wire_probe	w;
	uint64_t		t;
	int			i, k;

	memset(&l, 0, sizeof(l));
	probe_init(&p, 0);
	probe_build(&p, 0, &l, LINK_STATE_RUNNING, 0, &w);
	ck_assert_int_eq(w.owd_recent_us, WIRE_OWD_NONE);
	probe_owd_sample(&p, 10 * MS, (uint32_t)(2 * MS));
	probe_owd_sample(&p, 20 * MS, (uint32_t)(15 * MS));
	probe_build(&p, 30 * MS, &l, LINK_STATE_RUNNING, 0, &w);
	ck_assert_int_eq(w.owd_recent_us, 5000);
	probe_build(&p, 40 * MS, &l, LINK_STATE_RUNNING, 0, &w);
	ck_assert_int_eq(w.owd_recent_us, WIRE_OWD_NONE);

	/* The peer's side: 8 ms without a queue, then 20 ms of it. */
	probe_init(&q, 0);
	ck_assert_uint_eq(probe_queue_us(&q), UINT32_MAX);
	memset(&w, 0, sizeof(w));
	for (i = 1, t = 0; t < 3 * SEC; t += 100 * MS, i++) {
		w.seq = i;
		w.tx_us = t;
		w.owd_recent_us = 8000;
		probe_input(&q, t, &w);
	}
	ck_assert_uint_eq(probe_queue_us(&q), 0);
	ck_assert_uint_eq(probe_queue_shown_us(&q), 0);
	w.seq = i++;
	w.owd_recent_us = 28000;
	probe_input(&q, t, &w);
	ck_assert_uint_eq(probe_queue_us(&q), 20000);
	/* No frame since its last probe: unknown, not zero, to the
	 * controller; shown as the last reading for PROBE_QUEUE_HOLD
	 * probes, then unknown. */
	for (k = 1; k <= PROBE_QUEUE_HOLD + 1; k++) {
		w.seq = i++;
		w.owd_recent_us = WIRE_OWD_NONE;
		probe_input(&q, t + k * 10 * MS, &w);
		ck_assert_uint_eq(probe_queue_us(&q), UINT32_MAX);
		ck_assert_uint_eq(probe_queue_shown_us(&q),
		    k <= PROBE_QUEUE_HOLD ? 20000 : UINT32_MAX);
	}
	/* A queue that stands for more than 10 s becomes the base. */
	for (t += 200 * MS; t < 15 * SEC; t += 100 * MS) {
		w.seq = i++;
		w.owd_recent_us = 28000;
		probe_input(&q, t, &w);
	}
	ck_assert_uint_eq(probe_queue_us(&q), 0);
}
END_TEST

START_TEST(test_jitter)
{
	struct probe		p;
	struct wire_probe	w;
	uint64_t		t;
	int			i;

	probe_init(&p, 0);
	memset(&w, 0, sizeof(w));
	/* Sent every 100 ms, arriving 10 or 20 ms later in turn: |D| is
	 * always 10 ms, so J tends to 10 ms. */
	for (i = 0; i < 300; i++) {
		t = (uint64_t)i * 100 * MS;
		w.seq = i + 1;
		w.tx_us = t;
		probe_input(&p, t + (i % 2 ? 20 : 10) * MS, &w);
	}
	ck_assert_uint_ge(probe_jitter_us(&p), 9500);
	ck_assert_uint_le(probe_jitter_us(&p), 10000);
}
END_TEST

/* A peer's send times 2^63 and more apart, either way: no overflow
 * (UBSan would stop here), and the jitter stays within a minute. */
START_TEST(test_jitter_extremes)
{
	static const uint64_t	tx[] = { 1, (1ULL << 63) + 2, UINT64_MAX,
	    2, (1ULL << 63) + 1 };
	struct probe		p;
	struct wire_probe	w;
	size_t			i;

	probe_init(&p, 0);
	memset(&w, 0, sizeof(w));
	for (i = 0; i < sizeof(tx) / sizeof(tx[0]); i++) {
		w.seq = i + 1;
		w.tx_us = tx[i];
		probe_input(&p, 1000 + i * 100 * MS, &w);
		ck_assert_uint_le(probe_jitter_us(&p), 60000000);
	}
	ck_assert_uint_gt(probe_jitter_us(&p), 0);
}
END_TEST

START_TEST(test_rates)
{
	struct probe		p;
	struct wire_probe	w;
	uint64_t		t;
	int			i;

	probe_init(&p, 0);
	memset(&w, 0, sizeof(w));
	w.rate_bps = 40000000;
	w.rx_loss_ppm = 2000000;	/* nonsense: clamped */
	/* The peer received 1.25 MB a second from us: 10 Mbit/s. */
	for (i = 0; i < 50; i++) {
		t = (uint64_t)i * 100 * MS;
		w.seq = i + 1;
		w.tx_us = t + 5 * SEC;
		w.rx_bytes = (uint64_t)i * 125000;
		probe_input(&p, t, &w);
	}
	ck_assert_uint_eq(p.rate_rx_bps, 10000000);
	ck_assert_uint_eq(p.peer_rate_bps, 40000000);
	ck_assert_uint_eq(p.loss_tx_ppm, 1000000);

	/* Our own counters, over 200 ms windows: 2 Mbit/s out, 1 in. */
	probe_tick(&p, 0, 0, 0);
	probe_tick(&p, 100 * MS, 25000, 12500);
	ck_assert_uint_eq(p.rate_tx_bps, 0);
	probe_tick(&p, 200 * MS, 50000, 25000);
	ck_assert_uint_eq(p.rate_tx_bps, 2000000);
	ck_assert_uint_eq(p.rate_own_rx_bps, 1000000);
}
END_TEST

static Suite *
probe_suite(void)
{
	Suite *s = suite_create("probe");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_rtt_converges);
	tcase_add_test(tc, test_echo_unknown_stale);
	tcase_add_test(tc, test_loss);
	tcase_add_test(tc, test_loss_window_and_rekey);
	tcase_add_test(tc, test_owd_window);
	tcase_add_test(tc, test_queue);
	tcase_add_test(tc, test_jitter);
	tcase_add_test(tc, test_jitter_extremes);
	tcase_add_test(tc, test_rates);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(srunner_create(probe_suite())));
}
