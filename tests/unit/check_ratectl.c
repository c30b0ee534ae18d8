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
 * Unit tests of linkd/ratectl.c on a simulated link: a bottleneck of C
 * bit/s behind a 50 ms drop-tail queue, fed at min(estimate, demand),
 * measured as linkd measures (RTT from a probe every 100 ms smoothed
 * as RFC 6298, delivered rate and send loss over 1 s windows).  Checks
 * convergence, following a capacity drop, robustness to random loss,
 * app-limited traffic and the floor.  Test code; trusts its inputs.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "ratectl.h"
#include "check_main.h"

#define MS		1000ULL
#define SEC		1000000ULL
#define STEP_US		(10 * MS)
#define PKT_BITS	(1400.0 * 8)

struct sim {
	struct ratectl	 rc;
	uint64_t	 now;
	double		 cap;		/* bottleneck, bit/s */
	double		 base_rtt;	/* seconds */
	double		 ploss;		/* random loss after the queue */
	double		 demand;	/* offered by the application */
	double		 q;		/* bits queued */
	double		 tx_pkts;
	double		 win_tx, win_rx, win_sent, win_lost;
	uint64_t	 win_start;
	struct ratectl_sample s;
	int		 loss_known;
};

static void
sim_init(struct sim *sm, double cap, double base_rtt)
{
	memset(sm, 0, sizeof(*sm));
	sm->now = 1000 * SEC;
	sm->cap = cap;
	sm->base_rtt = base_rtt;
	sm->demand = 1e12;
	sm->win_start = sm->now;
	ratectl_init(&sm->rc, sm->now, 0);
}

/* Ten milliseconds of traffic, measurement and control. */
static void
sim_step(struct sim *sm)
{
	double		 dt = STEP_US / 1e6, rate, in, drop, out, lost, qmax;
	uint64_t	 loss, r;

	rate = (double)sm->rc.est_bps;
	if (sm->demand < rate)
		rate = sm->demand;
	in = rate * dt;
	qmax = sm->cap * 0.050;
	sm->q += in;
	drop = sm->q > qmax ? sm->q - qmax : 0;
	sm->q -= drop;
	out = sm->q < sm->cap * dt ? sm->q : sm->cap * dt;
	sm->q -= out;
	lost = drop + out * sm->ploss;
	sm->win_tx += in;
	sm->win_rx += out - out * sm->ploss;
	sm->win_sent += in / PKT_BITS;
	sm->win_lost += lost / PKT_BITS;
	sm->tx_pkts += in / PKT_BITS;
	sm->now += STEP_US;

	/* A probe every 100 ms: RTT with the queue it waited behind. */
	if (sm->now % (100 * MS) == 0) {
		r = (uint64_t)((sm->base_rtt + sm->q / sm->cap) * 1e6);
		if (sm->s.srtt_us == 0)
			sm->s.srtt_us = (uint32_t)r;
		else
			sm->s.srtt_us = (uint32_t)((7 * (uint64_t)sm->s.srtt_us
			    + r) / 8);
	}
	/* Rates and loss over 1 s windows, loss as an EWMA (1/4). */
	if (sm->now - sm->win_start >= SEC) {
		sm->s.tx_bps = (uint64_t)sm->win_tx;
		sm->s.rx_bps = (uint64_t)sm->win_rx;
		sm->s.rx_gen++;
		if (sm->win_sent >= 100) {
			loss = (uint64_t)(sm->win_lost / sm->win_sent * 1e6);
			if (!sm->loss_known)
				sm->s.loss_tx_ppm = (uint32_t)loss;
			else
				sm->s.loss_tx_ppm = (uint32_t)
				    ((3 * (uint64_t)sm->s.loss_tx_ppm + loss) /
				    4);
			sm->loss_known = 1;
		}
		sm->win_tx = sm->win_rx = sm->win_sent = sm->win_lost = 0;
		sm->win_start = sm->now;
	}
	/* linkd's probe tick: every 50 ms. */
	if (sm->now % (50 * MS) == 0) {
		sm->s.tx_packets = (uint64_t)sm->tx_pkts;
		ratectl_update(&sm->rc, sm->now, &sm->s);
	}
}

/* Run for a while; the lowest and highest estimate and their mean. */
static void
sim_run(struct sim *sm, uint64_t us, double *lo, double *hi, double *mean)
{
	uint64_t	end = sm->now + us, n = 0;
	double		sum = 0, e;

	*lo = 1e18;
	*hi = 0;
	while (sm->now < end) {
		sim_step(sm);
		e = (double)sm->rc.est_bps;
		if (e < *lo)
			*lo = e;
		if (e > *hi)
			*hi = e;
		sum += e;
		n++;
	}
	*mean = sum / (double)n;
}

static void
converge(double cap, double rtt, uint64_t settle)
{
	struct sim	sm;
	double		lo, hi, mean;

	sim_init(&sm, cap, rtt);
	sim_run(&sm, settle, &lo, &hi, &mean);
	sim_run(&sm, 30 * SEC, &lo, &hi, &mean);
	ck_assert_msg(mean >= 0.8 * cap && mean <= 1.1 * cap,
	    "C %.0f: mean %.0f", cap, mean);
	ck_assert_msg(lo >= 0.7 * cap && hi <= 1.25 * cap,
	    "C %.0f: estimate %.0f..%.0f", cap, lo, hi);
}

START_TEST(test_converge)
{
	/* 10 to 100 Mbit/s is 25 raises of 10 %, about one a second. */
	converge(2e6, 0.020, 20 * SEC);
	converge(20e6, 0.020, 20 * SEC);
	converge(100e6, 0.020, 40 * SEC);
	converge(20e6, 0.080, 30 * SEC);
}
END_TEST

START_TEST(test_follow_drop)
{
	struct sim	sm;
	double		lo, hi, mean;

	sim_init(&sm, 20e6, 0.030);
	sim_run(&sm, 40 * SEC, &lo, &hi, &mean);
	ck_assert(mean > 16e6);
	sm.cap = 5e6;
	sim_run(&sm, 4 * SEC, &lo, &hi, &mean);
	ck_assert_msg(sm.rc.est_bps <= 6e6, "after 4 s: %llu",
	    (unsigned long long)sm.rc.est_bps);
	sim_run(&sm, 20 * SEC, &lo, &hi, &mean);
	ck_assert_msg(mean >= 0.8 * 5e6 && mean <= 1.1 * 5e6, "mean %.0f",
	    mean);
	/* And back up when the capacity returns. */
	sm.cap = 20e6;
	sim_run(&sm, 25 * SEC, &lo, &hi, &mean);
	ck_assert_msg(sm.rc.est_bps >= 16e6, "recovered to %llu",
	    (unsigned long long)sm.rc.est_bps);
}
END_TEST

START_TEST(test_random_loss)
{
	struct sim	sm;
	double		lo, hi, mean;

	sim_init(&sm, 20e6, 0.030);
	sm.ploss = 0.005;
	sim_run(&sm, 30 * SEC, &lo, &hi, &mean);
	sim_run(&sm, 60 * SEC, &lo, &hi, &mean);
	ck_assert_msg(lo >= 0.7 * 20e6, "collapsed to %.0f", lo);
}
END_TEST

START_TEST(test_app_limited)
{
	struct sim	sm;
	double		lo, hi, mean;

	sim_init(&sm, 50e6, 0.030);
	sm.demand = 1e6;
	sim_run(&sm, 120 * SEC, &lo, &hi, &mean);
	ck_assert_msg(hi <= RC_START_BPS, "rose to %.0f", hi);
	/* Demand near the estimate: it follows, but only so far. */
	sm.demand = 15e6;
	sim_run(&sm, 120 * SEC, &lo, &hi, &mean);
	ck_assert_msg(hi <= 2 * 15e6, "rose to %.0f", hi);
	ck_assert_msg(sm.rc.est_bps >= 15e6, "stuck at %llu",
	    (unsigned long long)sm.rc.est_bps);
}
END_TEST

/* 70 % loss: cuts, but never under 10 % of the last 20 s's peak. */
START_TEST(test_floor)
{
	struct sim	sm;
	double		peak[20], hi20;
	uint64_t	t;
	int		i, slot;

	sim_init(&sm, 20e6, 0.030);
	for (t = 0; t < 40 * SEC; t += STEP_US)
		sim_step(&sm);
	ck_assert(sm.rc.est_bps > 15e6);
	for (i = 0; i < 20; i++)
		peak[i] = (double)sm.rc.est_bps;
	sm.ploss = 0.7;
	for (t = 0; t < 120 * SEC; t += STEP_US) {
		sim_step(&sm);
		slot = (int)(t / SEC) % 20;
		if (t % SEC == 0)
			peak[slot] = 0;
		if ((double)sm.rc.est_bps > peak[slot])
			peak[slot] = (double)sm.rc.est_bps;
		for (hi20 = 0, i = 0; i < 20; i++)
			if (peak[i] > hi20)
				hi20 = peak[i];
		ck_assert_msg((double)sm.rc.est_bps >= hi20 / 10 - 1,
		    "%llu under 10 %% of %.0f",
		    (unsigned long long)sm.rc.est_bps, hi20);
		ck_assert_uint_ge(sm.rc.est_bps, RC_MIN_BPS);
	}
	/* It did react to the loss. */
	ck_assert_uint_lt(sm.rc.est_bps, 4000000);
	ck_assert_uint_ge(sm.rc.downs, 2);
}
END_TEST

/* The peer's numbers are not trusted: no overflow, no runaway. */
START_TEST(test_clamp)
{
	struct ratectl		rc;
	struct ratectl_sample	s;
	uint64_t		now = 5 * SEC;
	int			i;

	ratectl_init(&rc, now, 1);
	ck_assert_uint_eq(rc.est_bps, RC_MIN_BPS);
	ratectl_init(&rc, now, UINT64_MAX);
	ck_assert_uint_eq(rc.est_bps, RC_MAX_BPS);
	ratectl_init(&rc, now, 0);
	ck_assert_uint_eq(rc.est_bps, RC_START_BPS);
	memset(&s, 0, sizeof(s));
	for (i = 0; i < 2000; i++) {
		now += 200 * MS;
		s.rx_gen++;
		s.tx_bps = UINT64_MAX;
		s.rx_bps = UINT64_MAX;
		s.tx_packets += 100;
		s.srtt_us = 10000;
		ratectl_update(&rc, now, &s);
		ck_assert_uint_le(rc.est_bps, RC_MAX_BPS);
	}
	ck_assert_uint_eq(rc.est_bps, RC_MAX_BPS);
	for (i = 0; i < 2000; i++) {
		now += 200 * MS;
		s.rx_gen++;
		s.rx_bps = 0;
		s.loss_tx_ppm = UINT32_MAX;
		s.tx_packets += 2000;
		s.srtt_us = UINT32_MAX;
		ratectl_update(&rc, now, &s);
		ck_assert_uint_ge(rc.est_bps, RC_MIN_BPS);
	}
	ck_assert_uint_eq(rc.est_bps, RC_MIN_BPS);
}
END_TEST

/*
 * Nothing happens before the first measurement; raises may repeat on
 * one measurement but stop at 125 % of what was sent; lowering waits
 * for a new one.
 */
START_TEST(test_stale_sample)
{
	struct ratectl		rc;
	struct ratectl_sample	s;
	uint64_t		now = 5 * SEC;
	int			i;

	ratectl_init(&rc, now, 0);
	memset(&s, 0, sizeof(s));
	s.tx_bps = s.rx_bps = RC_START_BPS;
	s.srtt_us = 20000;
	s.rx_gen = 7;
	for (i = 0; i < 100; i++) {
		now += 50 * MS;
		s.tx_packets += 50;
		ck_assert_int_eq(ratectl_update(&rc, now, &s), 0);
	}
	ck_assert_uint_eq(rc.est_bps, RC_START_BPS);
	s.rx_gen++;
	ck_assert_int_eq(ratectl_update(&rc, now, &s), 1);
	ck_assert_uint_eq(rc.est_bps, 11000000);
	/* Within the cycle: nothing, fresh or not. */
	s.rx_gen++;
	ck_assert_int_eq(ratectl_update(&rc, now + 50 * MS, &s), 0);
	now += 100 * MS;
	ck_assert_int_eq(ratectl_update(&rc, now, &s), 1);
	ck_assert_uint_eq(rc.est_bps, 12100000);
	now += 100 * MS;
	ck_assert_int_eq(ratectl_update(&rc, now, &s), 1);
	ck_assert_uint_eq(rc.est_bps, 12500000);
	for (i = 0; i < 20; i++) {
		now += 100 * MS;
		ck_assert_int_eq(ratectl_update(&rc, now, &s), 0);
	}
	/* A queue: no change until a new measurement, then -10 %. */
	s.srtt_us = 200000;
	for (i = 0; i < 20; i++) {
		now += 200 * MS;
		ck_assert_int_eq(ratectl_update(&rc, now, &s), 0);
	}
	s.rx_gen++;
	now += 200 * MS;
	ck_assert_int_eq(ratectl_update(&rc, now, &s), 1);
	ck_assert_uint_eq(rc.est_bps, 11250000);
}
END_TEST

/*
 * A queue in the other direction delays the probes too: with little
 * sent, it is not ours and the estimate stays.
 */
START_TEST(test_reverse_queue)
{
	struct ratectl		rc;
	struct ratectl_sample	s;
	uint64_t		now = 5 * SEC;
	int			i;

	ratectl_init(&rc, now, 0);
	memset(&s, 0, sizeof(s));
	s.srtt_us = 20000;
	ratectl_update(&rc, now, &s);
	s.tx_bps = s.rx_bps = 500000;
	s.srtt_us = 80000;
	for (i = 0; i < 20; i++) {
		now += 1 * SEC;
		s.rx_gen++;
		s.tx_packets += 50;
		ratectl_update(&rc, now, &s);
	}
	ck_assert_uint_eq(rc.est_bps, RC_START_BPS);
	/* The same delay while we fill the estimate: it is ours. */
	s.tx_bps = s.rx_bps = RC_START_BPS;
	now += 1 * SEC;
	s.rx_gen++;
	ck_assert_int_eq(ratectl_update(&rc, now, &s), 1);
	ck_assert_uint_eq(rc.est_bps, 9500000);
}
END_TEST

/* min_srtt follows a longer route, 1/16 per 10 s. */
START_TEST(test_min_srtt_decay)
{
	struct ratectl		rc;
	struct ratectl_sample	s;
	uint64_t		now = 5 * SEC;
	int			i;

	ratectl_init(&rc, now, 0);
	memset(&s, 0, sizeof(s));
	s.srtt_us = 20000;
	ratectl_update(&rc, now, &s);
	ck_assert_uint_eq(rc.min_srtt_us, 20000);
	s.srtt_us = 100000;
	now += 9 * SEC;
	ratectl_update(&rc, now, &s);
	ck_assert_uint_eq(rc.min_srtt_us, 20000);
	now += 1 * SEC;
	ratectl_update(&rc, now, &s);
	ck_assert_uint_eq(rc.min_srtt_us, 25000);
	for (i = 0; i < 100; i++) {
		now += 10 * SEC;
		ratectl_update(&rc, now, &s);
	}
	ck_assert_uint_ge(rc.min_srtt_us, 99000);
}
END_TEST

static Suite *
ratectl_suite(void)
{
	Suite	*su = suite_create("ratectl");
	TCase	*tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_converge);
	tcase_add_test(tc, test_follow_drop);
	tcase_add_test(tc, test_random_loss);
	tcase_add_test(tc, test_app_limited);
	tcase_add_test(tc, test_floor);
	tcase_add_test(tc, test_clamp);
	tcase_add_test(tc, test_stale_sample);
	tcase_add_test(tc, test_reverse_queue);
	tcase_add_test(tc, test_min_srtt_decay);
	suite_add_tcase(su, tc);
	return (su);
}

int
main(void)
{
	return (check_run(srunner_create(ratectl_suite())));
}
