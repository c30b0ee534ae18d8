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
 * measured as linkd measures (a probe every 100 ms carrying the
 * peer's received bytes and the smallest one-way delay it saw since
 * the last one; rates over 200 ms).  Checks convergence from the first
 * guess, a short queue on a link kept full, following a capacity drop
 * and its return, a configured ceiling, robustness to random loss,
 * traffic below the estimate, the floor, and the probes of a link
 * that traffic uses only in bursts (the core holds back what exceeds
 * the estimate; linkd pads the link to the fill rate while a probe
 * runs).  Test code; trusts its inputs.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "ratectl.h"
#include "check_main.h"

#define MS		1000ULL
#define SEC		1000000ULL
#define STEP_US		(1 * MS)

struct sim {
	struct ratectl	 rc;
	uint64_t	 now;
	double		 cap;		/* bottleneck, bit/s */
	double		 ploss;		/* random loss after the queue */
	double		 demand;	/* offered by the application */
	uint64_t	 burst_us;	/* demand only this long ... */
	uint64_t	 period_us;	/* ... every period, 0 = always */
	double		 held;		/* bits held back since the update */
	double		 fill_max;	/* highest fill rate seen */
	double		 q;		/* bits queued */
	double		 win_tx, win_rx, win_sent, win_lost;
	double		 qmin;		/* smallest queue delay, probe window */
	double		 qsum, qpeak;	/* queue delay: sum and most, sim_run */
	uint64_t	 win_start;
	uint64_t	 report_us;	/* a window's rates reach us this late */
	uint64_t	 report_at;	/* when the waiting ones do, 0 = none */
	uint64_t	 wait_tx, wait_rx;
	uint32_t	 jfloor_us;	/* jitter: least delay's rise, busy */
	uint64_t	 nprobe;
	struct ratectl_sample s;
};

static void
sim_init(struct sim *sm, double cap, uint64_t ceiling)
{
	memset(sm, 0, sizeof(*sm));
	sm->now = 1000 * SEC;
	sm->cap = cap;
	sm->demand = 1e12;
	sm->win_start = sm->now;
	sm->qmin = 1e9;
	ratectl_init(&sm->rc, sm->now, ceiling);
}

/* A millisecond of traffic; measurement and control as linkd does. */
static void
sim_step(struct sim *sm)
{
	double		 dt = STEP_US / 1e6, rate, in, drop, out, qmax, d;
	double		 fill = (double)ratectl_fill_bps(&sm->rc);

	d = sm->demand;
	if (sm->period_us != 0 && sm->now % sm->period_us >= sm->burst_us)
		d = 0;
	rate = (double)ratectl_pace_bps(&sm->rc);
	if (d > rate)
		sm->held += (d - rate) * dt;
	else
		rate = d;
	/* Padding tops the link up to the fill rate. */
	if (fill > rate)
		rate = fill;
	if (fill > sm->fill_max)
		sm->fill_max = fill;
	in = rate * dt;
	qmax = sm->cap * 0.050;
	sm->q += in;
	drop = sm->q > qmax ? sm->q - qmax : 0;
	sm->q -= drop;
	out = sm->q < sm->cap * dt ? sm->q : sm->cap * dt;
	sm->q -= out;
	sm->win_tx += in;
	sm->win_rx += out - out * sm->ploss;
	sm->win_sent += in;
	sm->win_lost += drop + out * sm->ploss;
	if (sm->q / sm->cap < sm->qmin)
		sm->qmin = sm->q / sm->cap;
	sm->qsum += sm->q / sm->cap;
	if (sm->q / sm->cap > sm->qpeak)
		sm->qpeak = sm->q / sm->cap;
	sm->now += STEP_US;

	/* A probe every 100 ms: queue seen since the last one. */
	if (sm->now % (100 * MS) == 0) {
		sm->s.queue_us = (uint32_t)(sm->qmin * 1e6);
		/* A FIFO link of jitter J: while frames are dense, the
		 * least of them sits J/2 or so above the base, and a
		 * little more or less from one probe to the next. */
		if (sm->jfloor_us != 0 && rate > sm->cap / 10)
			sm->s.queue_us += sm->jfloor_us +
			    (uint32_t)(sm->nprobe++ % 3) * 1000;
		sm->qmin = 1e9;
	}
	/* Rates and loss over 200 ms windows. */
	if (sm->now - sm->win_start >= 200 * MS) {
		sm->wait_tx = (uint64_t)(sm->win_tx * 5);
		sm->wait_rx = (uint64_t)(sm->win_rx * 5);
		sm->report_at = sm->now + sm->report_us;
		sm->s.loss_tx_ppm = sm->win_sent > 0 ?
		    (uint32_t)(sm->win_lost / sm->win_sent * 1e6) : 0;
		sm->win_tx = sm->win_rx = sm->win_sent = sm->win_lost = 0;
		sm->win_start = sm->now;
	}
	if (sm->report_at != 0 && sm->now >= sm->report_at) {
		sm->s.tx_bps = sm->wait_tx;
		sm->s.rx_bps = sm->wait_rx;
		sm->s.rx_gen++;
		sm->report_at = 0;
	}
	/* linkd's probe tick: every 50 ms. */
	if (sm->now % (50 * MS) == 0) {
		sm->s.held_bytes = (uint64_t)(sm->held / 8);
		sm->held = 0;
		ratectl_update(&sm->rc, sm->now, &sm->s);
	}
}

/* Traffic that wants the link 50 ms in every 500 (earliest arrival
 * sends to a slow link only what the others cannot take). */
static void
sim_init_bursty(struct sim *sm, double cap, uint64_t ceiling)
{
	sim_init(sm, cap, ceiling);
	sm->burst_us = 50 * MS;
	sm->period_us = 500 * MS;
}

/* A queue of q stands for RC_QUEUE_SLOTS slots, measured without a new
 * rate window (nothing judged): the next measurement sees it. */
static void
queue_stand(struct ratectl *rc, uint64_t *now, struct ratectl_sample *s,
    uint32_t q)
{
	int	i;

	s->queue_us = q;
	for (i = 0; i < RC_QUEUE_SLOTS; i++) {
		*now += RC_QUEUE_SLOT_US;
		ck_assert_int_eq(ratectl_update(rc, *now, s), 0);
	}
}

/* The peer's next measurement, a cycle after the last: what
 * ratectl_update() returns on it. */
static int
next_measurement(struct ratectl *rc, uint64_t *now, struct ratectl_sample *s)
{
	s->rx_gen++;
	*now += 100 * MS;
	return (ratectl_update(rc, *now, s));
}

/* Run for a while; the lowest and highest estimate and their mean. */
static void
sim_run(struct sim *sm, uint64_t us, double *lo, double *hi, double *mean)
{
	uint64_t	end = sm->now + us, n = 0;
	double		sum = 0, e;

	*lo = 1e18;
	*hi = 0;
	sm->qsum = sm->qpeak = 0;
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

/* From the 10 Mbit/s guess to the capacity within settle, then close
 * to it, on a link whose least delay sits jfloor_us above its base
 * while traffic is dense (jitter); the mean queue of those 20 s. */
static double
converge(double cap, uint64_t settle, uint32_t jfloor_us)
{
	struct sim	sm;
	double		lo, hi, mean;

	sim_init(&sm, cap, 0);
	sm.jfloor_us = jfloor_us;
	sim_run(&sm, settle, &lo, &hi, &mean);
	ck_assert_msg((double)sm.rc.est_bps >= 0.7 * cap,
	    "C %.0f: %llu after %llu ms", cap,
	    (unsigned long long)sm.rc.est_bps,
	    (unsigned long long)(settle / MS));
	sim_run(&sm, 20 * SEC, &lo, &hi, &mean);
	ck_assert_msg(mean >= 0.85 * cap && mean <= 1.1 * cap,
	    "C %.0f: mean %.0f", cap, mean);
	ck_assert_msg(lo >= 0.7 * cap && hi <= 1.25 * cap,
	    "C %.0f: estimate %.0f..%.0f", cap, lo, hi);
	return (sm.qsum / (double)(20 * SEC / STEP_US));
}

START_TEST(test_converge)
{
	converge(2e6, 2 * SEC, 0);
	converge(20e6, 2 * SEC, 0);
	converge(100e6, 2 * SEC, 0);
	/* A fibre line: 10 Mbit/s to 1 Gbit/s in under 2 s. */
	converge(1000e6, 2 * SEC, 0);
}
END_TEST

/*
 * Rates that reach us 100 ms after their window closed (the peer's
 * probe is on its way): each window measured began under the estimate
 * before the last doubling, so it shows 3/4 of the new one.  Startup
 * still doubles at every measurement, and the fibre line is reached
 * as soon as without the delay (judged by the new estimate, it doubled
 * at every other one and took 2.8 s).
 */
START_TEST(test_startup_late_rates)
{
	struct sim	sm;
	double		lo, hi, mean;

	sim_init(&sm, 1000e6, 0);
	sm.report_us = 100 * MS;
	sim_run(&sm, 2 * SEC, &lo, &hi, &mean);
	ck_assert_msg((double)sm.rc.est_bps >= 0.7 * sm.cap,
	    "%llu after 2 s", (unsigned long long)sm.rc.est_bps);
}
END_TEST

/*
 * Startup paces RC_STARTUP_GAIN times ahead of its estimate, within a
 * configured rate, and not while a probe pads the link; the cut that
 * ends it goes to what the link delivered, above the estimate too.
 */
START_TEST(test_startup_pace)
{
	struct ratectl		rc;
	struct ratectl_sample	s;
	uint64_t		now = 5 * SEC;

	ratectl_init(&rc, now, 0);
	ck_assert_uint_eq(ratectl_pace_bps(&rc),
	    RC_START_BPS * RC_STARTUP_GAIN);
	rc.probing = 1;
	ck_assert_uint_eq(ratectl_pace_bps(&rc), RC_START_BPS);
	rc.probing = 0;
	/* Sent 40 Mbit/s at the pace, 30 arrived, twice running. */
	memset(&s, 0, sizeof(s));
	s.tx_bps = 40000000;
	s.rx_bps = 30000000;
	ratectl_update(&rc, now, &s);
	ck_assert_int_eq(next_measurement(&rc, &now, &s), 0);
	ck_assert_int_eq(next_measurement(&rc, &now, &s), 1);
	ck_assert_int_eq(rc.startup, 0);
	ck_assert_uint_eq(rc.est_bps, 28500000);
	ck_assert_uint_eq(ratectl_pace_bps(&rc), 28500000);

	/* A configured rate bounds the pace: no startup at all. */
	ratectl_init(&rc, now, 20000000);
	ck_assert_uint_eq(ratectl_pace_bps(&rc), 20000000);
}
END_TEST

/*
 * A link that traffic keeps full: once a cut found its full rate, the
 * estimate stays near it and the queue in front of the link short
 * (with 10 % steps past it, the queue reached 40-50 ms, the limit,
 * every second).
 */
START_TEST(test_full_rate)
{
	struct sim	sm;
	double		lo, hi, mean, caps[] = { 5e6, 20e6, 100e6 };
	size_t		i;

	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		sim_init(&sm, caps[i], 0);
		sim_run(&sm, 5 * SEC, &lo, &hi, &mean);
		sim_run(&sm, 30 * SEC, &lo, &hi, &mean);
		ck_assert_msg(lo >= 0.9 * caps[i] && hi <= 1.1 * caps[i],
		    "C %.0f: estimate %.0f..%.0f", caps[i], lo, hi);
		ck_assert_msg(sm.qpeak < 0.025, "C %.0f: queue up to %.1f ms",
		    caps[i], sm.qpeak * 1e3);
		ck_assert_msg(sm.qsum * STEP_US / (30.0 * SEC) < 0.010,
		    "C %.0f: mean queue %.1f ms", caps[i],
		    sm.qsum * STEP_US / (30.0 * SEC) * 1e3);
	}
}
END_TEST

START_TEST(test_follow_drop)
{
	struct sim	sm;
	double		lo, hi, mean;

	sim_init(&sm, 20e6, 0);
	sim_run(&sm, 10 * SEC, &lo, &hi, &mean);
	ck_assert(mean > 16e6);
	sm.cap = 5e6;
	sim_run(&sm, 1 * SEC, &lo, &hi, &mean);
	ck_assert_msg(sm.rc.est_bps <= 6e6, "after 1 s: %llu",
	    (unsigned long long)sm.rc.est_bps);
	sim_run(&sm, 20 * SEC, &lo, &hi, &mean);
	ck_assert_msg(mean >= 0.85 * 5e6 && mean <= 1.1 * 5e6, "mean %.0f",
	    mean);
	/* And back up when the capacity returns: 10 % a cycle. */
	sm.cap = 20e6;
	sim_run(&sm, 3 * SEC, &lo, &hi, &mean);
	ck_assert_msg(sm.rc.est_bps >= 16e6, "recovered to %llu",
	    (unsigned long long)sm.rc.est_bps);
}
END_TEST

/* A configured rate is where it starts and what it never exceeds; a
 * link slower than configured is found. */
START_TEST(test_ceiling)
{
	struct sim	sm;
	double		lo, hi, mean;

	sim_init(&sm, 100e6, 40000000);
	ck_assert_uint_eq(sm.rc.est_bps, 40000000);
	sim_run(&sm, 10 * SEC, &lo, &hi, &mean);
	ck_assert_msg(hi <= 40e6 && lo >= 0.95 * 40e6, "%.0f..%.0f", lo, hi);
	sim_init(&sm, 20e6, 40000000);
	sim_run(&sm, 2 * SEC, &lo, &hi, &mean);
	sim_run(&sm, 20 * SEC, &lo, &hi, &mean);
	ck_assert_msg(mean >= 0.85 * 20e6 && mean <= 1.1 * 20e6, "mean %.0f",
	    mean);
	/* A reload lowers it. */
	ratectl_set_ceiling(&sm.rc, 8000000);
	ck_assert_uint_eq(sm.rc.est_bps, 8000000);
	sim_run(&sm, 5 * SEC, &lo, &hi, &mean);
	ck_assert_msg(hi <= 8e6, "%.0f", hi);
}
END_TEST

/* Random loss is not congestion. */
START_TEST(test_random_loss)
{
	struct sim	sm;
	double		lo, hi, mean;

	sim_init(&sm, 20e6, 0);
	sm.ploss = 0.05;
	sim_run(&sm, 5 * SEC, &lo, &hi, &mean);
	sim_run(&sm, 60 * SEC, &lo, &hi, &mean);
	ck_assert_msg(lo >= 0.7 * 20e6, "collapsed to %.0f", lo);
	ck_assert_msg(mean >= 0.8 * 20e6, "mean %.0f", mean);
}
END_TEST

/* Traffic below the estimate says nothing about the link: it holds;
 * traffic that fills it raises it, but no further than twice what the
 * peer received. */
START_TEST(test_app_limited)
{
	struct sim	sm;
	double		lo, hi, mean;

	sim_init(&sm, 50e6, 0);
	sm.demand = 1e6;
	sim_run(&sm, 60 * SEC, &lo, &hi, &mean);
	ck_assert_msg(hi <= RC_START_BPS, "rose to %.0f", hi);
	sm.demand = 15e6;
	sim_run(&sm, 60 * SEC, &lo, &hi, &mean);
	ck_assert_msg(hi <= 2 * 15e6, "rose to %.0f", hi);
	ck_assert_msg(sm.rc.est_bps >= 15e6, "stuck at %llu",
	    (unsigned long long)sm.rc.est_bps);
}
END_TEST

/*
 * Traffic that wants the link only in bursts never fills the estimate:
 * probes find the capacity, then back off.
 */
START_TEST(test_probe_bursts)
{
	struct sim	sm;
	double		lo, hi, mean;
	uint64_t	probes;

	sim_init_bursty(&sm, 30e6, 0);
	sim_run(&sm, 6 * SEC, &lo, &hi, &mean);
	ck_assert_msg((double)sm.rc.est_bps >= 0.7 * 30e6, "stuck at %llu",
	    (unsigned long long)sm.rc.est_bps);
	sim_run(&sm, 60 * SEC, &lo, &hi, &mean);
	ck_assert_msg(lo >= 0.7 * 30e6 && hi <= 1.3 * 30e6,
	    "estimate %.0f..%.0f", lo, hi);
	/* The estimate is right: probes come at most every 32 s. */
	probes = sm.rc.probes;
	sim_run(&sm, 64 * SEC, &lo, &hi, &mean);
	ck_assert_msg(sm.rc.probes - probes <= 3, "%llu probes in 64 s",
	    (unsigned long long)(sm.rc.probes - probes));

	/* The same without a probe stays near the first guess: a burst
	 * that startup's pace lets through fills an estimate now and
	 * then, no more. */
	sim_init_bursty(&sm, 30e6, 0);
	sm.rc.probe_next_us = UINT64_MAX;
	sim_run(&sm, 6 * SEC, &lo, &hi, &mean);
	ck_assert_msg(sm.rc.est_bps < 2 * RC_START_BPS, "%llu",
	    (unsigned long long)sm.rc.est_bps);
}
END_TEST

/* Light traffic that the estimate never holds back costs no probe;
 * a probe never fills beyond a configured rate. */
START_TEST(test_probe_limits)
{
	struct sim	sm;
	double		lo, hi, mean;

	sim_init(&sm, 50e6, 0);
	sm.demand = 3e6;
	sim_run(&sm, 30 * SEC, &lo, &hi, &mean);
	ck_assert_uint_eq(sm.rc.probes, 0);
	ck_assert(sm.fill_max == 0);

	/* Lowered by loss, below a ceiling: probes find the way back,
	 * to the ceiling and no further. */
	sim_init_bursty(&sm, 100e6, 40000000);
	sm.rc.est_bps = 10000000;
	sim_run(&sm, 10 * SEC, &lo, &hi, &mean);
	ck_assert_msg(sm.rc.est_bps >= 36000000, "at %llu",
	    (unsigned long long)sm.rc.est_bps);
	ck_assert_msg(hi <= 40e6 && sm.fill_max <= 40e6, "%.0f, fill %.0f",
	    hi, sm.fill_max);
}
END_TEST

/* 70 % loss: cuts, but never under 10 % of the last 20 s's peak. */
START_TEST(test_floor)
{
	struct sim	sm;
	double		peak[20], hi20;
	uint64_t	t;
	int		i, slot;

	sim_init(&sm, 20e6, 0);
	for (t = 0; t < 10 * SEC; t += STEP_US)
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
		s.queue_us = 0;
		ratectl_update(&rc, now, &s);
		ck_assert_uint_le(rc.est_bps, RC_MAX_BPS);
	}
	ck_assert_uint_eq(rc.est_bps, RC_MAX_BPS);
	for (i = 0; i < 2000; i++) {
		now += 200 * MS;
		s.rx_gen++;
		s.rx_bps = 0;
		s.loss_tx_ppm = UINT32_MAX;
		s.queue_us = UINT32_MAX - 1;
		ratectl_update(&rc, now, &s);
		ck_assert_uint_ge(rc.est_bps, RC_MIN_BPS);
	}
	ck_assert_uint_eq(rc.est_bps, RC_MIN_BPS);
}
END_TEST

/*
 * Nothing happens before the first measurement or twice on one; at
 * most one step per cycle; doubling until the first queue, then 10 %;
 * a queue while we send little is not ours.
 */
START_TEST(test_steps)
{
	struct ratectl		rc;
	struct ratectl_sample	s;
	uint64_t		now = 5 * SEC;
	int			i;

	ratectl_init(&rc, now, 0);
	memset(&s, 0, sizeof(s));
	s.tx_bps = s.rx_bps = RC_START_BPS;
	s.queue_us = 0;
	s.rx_gen = 7;
	ck_assert_int_eq(ratectl_update(&rc, now, &s), 0);
	for (i = 0; i < 10; i++) {
		now += 100 * MS;
		ck_assert_int_eq(ratectl_update(&rc, now, &s), 0);
	}
	s.rx_gen++;
	ck_assert_int_eq(ratectl_update(&rc, now, &s), 1);
	ck_assert_uint_eq(rc.est_bps, 2 * RC_START_BPS);
	/* Within the cycle: nothing, fresh or not. */
	s.rx_gen++;
	ck_assert_int_eq(ratectl_update(&rc, now + 50 * MS, &s), 0);
	/* Sent 10 of 20 Mbit/s: not filled, hold. */
	now += 100 * MS;
	ck_assert_int_eq(ratectl_update(&rc, now, &s), 0);
	s.tx_bps = s.rx_bps = 2 * RC_START_BPS;
	/* The last window sent 10 Mbit/s: 20 received is fine. */
	ck_assert_int_eq(next_measurement(&rc, &now, &s), 1);
	ck_assert_uint_eq(rc.est_bps, 4 * RC_START_BPS);
	/* A standing queue while filling it: to 95 % of what the link
	 * delivered, startup over. */
	s.tx_bps = s.rx_bps = 4 * RC_START_BPS;
	queue_stand(&rc, &now, &s, RC_QUEUE_HIGH_US + 1);
	ck_assert_int_eq(next_measurement(&rc, &now, &s), 1);
	ck_assert_uint_eq(rc.est_bps, 38000000);
	/* Up again once it drained, but past the 40 Mbit/s the link
	 * delivered by 1/64 only (it sends what it is estimated at). */
	s.queue_us = 0;
	s.tx_bps = s.rx_bps = 38000000;
	ck_assert_int_eq(next_measurement(&rc, &now, &s), 1);
	ck_assert_uint_eq(rc.est_bps, 40625000);
	s.tx_bps = 40625000;
	s.rx_bps = 40000000;
	ck_assert_int_eq(next_measurement(&rc, &now, &s), 0);
	/* The link delivered more than ever: 10 % again. */
	s.tx_bps = s.rx_bps = 41000000;
	ck_assert_int_eq(next_measurement(&rc, &now, &s), 1);
	ck_assert_uint_eq(rc.est_bps, 40625000 + 4062500);
	/* Between the thresholds: hold. */
	s.tx_bps = s.rx_bps = 39600000;
	queue_stand(&rc, &now, &s, RC_QUEUE_LOW_US);
	ck_assert_int_eq(next_measurement(&rc, &now, &s), 0);
	/* A queue while we send a fifth: the other direction's, or
	 * another sender's; not ours to fix. */
	s.tx_bps = s.rx_bps = 8000000;
	queue_stand(&rc, &now, &s, 50000);
	ck_assert_int_eq(next_measurement(&rc, &now, &s), 0);
	/* Delivered far less than sent, twice running: down to 95 % of
	 * delivered; once is a skew of the windows. */
	queue_stand(&rc, &now, &s, RC_QUEUE_NONE);
	s.tx_bps = 39600000;
	next_measurement(&rc, &now, &s);
	s.tx_bps = 39600000;
	s.rx_bps = 20000000;
	ck_assert_int_eq(next_measurement(&rc, &now, &s), 0);
	ck_assert_int_eq(next_measurement(&rc, &now, &s), 1);
	ck_assert_uint_eq(rc.est_bps, 19000000);
}
END_TEST

/*
 * A link without a configured rate that queues while we send a quarter
 * of its estimate or more is full at what it delivers: down to that,
 * at most halved in one step.  Less than a quarter, or a configured
 * link: hold.
 */
START_TEST(test_queue_short_of_estimate)
{
	struct ratectl		rc;
	struct ratectl_sample	s;
	uint64_t		now = 5 * SEC;

	ratectl_init(&rc, now, 0);
	memset(&s, 0, sizeof(s));
	ratectl_update(&rc, now, &s);
	s.tx_bps = s.rx_bps = 6000000;
	queue_stand(&rc, &now, &s, RC_QUEUE_HIGH_US + 1);
	ck_assert_int_eq(next_measurement(&rc, &now, &s), 1);
	ck_assert_uint_eq(rc.est_bps, 6000000);
	ck_assert_int_eq(rc.startup, 0);
	s.tx_bps = s.rx_bps = 2000000;
	ck_assert_int_eq(next_measurement(&rc, &now, &s), 1);
	ck_assert_uint_eq(rc.est_bps, 3000000);
	s.tx_bps = s.rx_bps = 700000;
	ck_assert_int_eq(next_measurement(&rc, &now, &s), 0);
	/* Without the queue, sending half: the traffic sets the pace. */
	s.queue_us = 0;
	s.tx_bps = s.rx_bps = 1500000;
	ck_assert_int_eq(next_measurement(&rc, &now, &s), 0);

	ratectl_init(&rc, now, 50000000);
	ratectl_update(&rc, now, &s);
	s.queue_us = 3 * RC_QUEUE_HIGH_US;
	s.tx_bps = s.rx_bps = 25000000;
	ck_assert_int_eq(next_measurement(&rc, &now, &s), 0);
	ck_assert_uint_eq(rc.est_bps, 50000000);
}
END_TEST

/* A jittery link's readings rise a few ms now and then: the least of
 * the last RC_QUEUE_SLOTS slots is the standing queue. */
START_TEST(test_queue_jitter)
{
	struct ratectl		rc;
	struct ratectl_sample	s;
	uint64_t		now = 5 * SEC, est;
	int			i;

	ratectl_init(&rc, now, 0);
	memset(&s, 0, sizeof(s));
	ratectl_update(&rc, now, &s);
	for (i = 0; i < 10; i++) {
		est = rc.est_bps;
		s.tx_bps = s.rx_bps = est;
		s.queue_us = i % 2 ? 6000 : 500;
		ck_assert_int_eq(next_measurement(&rc, &now, &s), 1);
		ck_assert_uint_gt(rc.est_bps, est);
	}
	/* Standing: no step up. */
	est = rc.est_bps;
	s.tx_bps = s.rx_bps = est;
	queue_stand(&rc, &now, &s, 6000);
	ck_assert_int_eq(next_measurement(&rc, &now, &s), 0);
}
END_TEST

/*
 * A link of 10 ms jitter: every reading while traffic is dense sits
 * 4 to 6 ms above the base, over RC_QUEUE_LOW_US, and stays there
 * whatever we send.  The estimate still reaches the link's rate (it
 * stayed at about a third of it when any reading over RC_QUEUE_LOW_US
 * held it), and the queue that is ours stays short.
 */
START_TEST(test_jitter_floor)
{
	double	q = converge(60e6, 4 * SEC, 4000);

	ck_assert_msg(q < 0.010, "queue %.1f ms on average", q * 1e3);
}
END_TEST

/* Heavy loss on a link that traffic used in part: at most halved, not
 * cut to what that traffic delivered (a burst into a short queue). */
START_TEST(test_loss_light_use)
{
	struct ratectl		rc;
	struct ratectl_sample	s;
	uint64_t		now = 5 * SEC;

	ratectl_init(&rc, now, 0);
	rc.est_bps = 50000000;
	memset(&s, 0, sizeof(s));
	ratectl_update(&rc, now, &s);
	s.tx_bps = 5000000;
	s.rx_bps = 4000000;
	s.loss_tx_ppm = 200000;
	ck_assert_int_eq(next_measurement(&rc, &now, &s), 1);
	ck_assert_uint_eq(rc.est_bps, 25000000);
	/* Filling it: what the peer received; but the loss is an average
	 * over seconds, so not at the next measurement, and no step up
	 * while it lasts. */
	s.tx_bps = 25000000;
	s.rx_bps = 24000000;
	ck_assert_int_eq(next_measurement(&rc, &now, &s), 0);
	now += RC_LOSS_HOLD_US;
	s.rx_bps = 10000000;
	ck_assert_int_eq(next_measurement(&rc, &now, &s), 1);
	ck_assert_uint_eq(rc.est_bps, 9500000);
}
END_TEST

/* A configured link is lowered by what it fails to deliver, not by a
 * queue alone (a busy receiver delays what it timestamps). */
START_TEST(test_configured_queue)
{
	struct ratectl		rc;
	struct ratectl_sample	s;
	uint64_t		now = 5 * SEC;
	int			i;

	ratectl_init(&rc, now, 50000000);
	memset(&s, 0, sizeof(s));
	ratectl_update(&rc, now, &s);
	s.tx_bps = s.rx_bps = 49000000;
	s.queue_us = 3 * RC_QUEUE_HIGH_US;
	for (i = 0; i < 20; i++) {
		next_measurement(&rc, &now, &s);
		ck_assert_uint_eq(rc.est_bps, 50000000);
	}
	/* Without a configured rate, the same queue lowers it. */
	ratectl_init(&rc, now, 0);
	rc.startup = 0;
	ratectl_update(&rc, now, &s);
	s.tx_bps = s.rx_bps = RC_START_BPS;
	ck_assert_int_eq(next_measurement(&rc, &now, &s), 1);
	ck_assert_uint_eq(rc.est_bps, RC_START_BPS / 20 * 19);
}
END_TEST

static Suite *
ratectl_suite(void)
{
	Suite	*su = suite_create("ratectl");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_converge);
	tcase_add_test(tc, test_startup_late_rates);
	tcase_add_test(tc, test_queue_short_of_estimate);
	tcase_add_test(tc, test_full_rate);
	tcase_add_test(tc, test_follow_drop);
	tcase_add_test(tc, test_ceiling);
	tcase_add_test(tc, test_random_loss);
	tcase_add_test(tc, test_app_limited);
	tcase_add_test(tc, test_floor);
	tcase_add_test(tc, test_clamp);
	tcase_add_test(tc, test_steps);
	tcase_add_test(tc, test_configured_queue);
	tcase_add_test(tc, test_loss_light_use);
	tcase_add_test(tc, test_queue_jitter);
	tcase_add_test(tc, test_jitter_floor);
	tcase_add_test(tc, test_startup_pace);
	tcase_add_test(tc, test_probe_bursts);
	tcase_add_test(tc, test_probe_limits);
	suite_add_tcase(su, tc);
	return (su);
}

int
main(void)
{
	return (check_run(srunner_create(ratectl_suite())));
}
