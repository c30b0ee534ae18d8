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
 * Unit tests of the packet scheduler (bondd/sched.c) on a simulated
 * clock: every strategy's choices, link shares under light and
 * saturating loads, backup links and unusable links.  Test code; trusts
 * its inputs.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "scheduler.h"
#include "check_main.h"

#define MBIT	1000000ULL

static const enum conf_strategy all[] = {
	STRATEGY_EARLIEST_ARRIVAL, STRATEGY_WEIGHTED, STRATEGY_TIERED_FILL,
	STRATEGY_ROUND_ROBIN, STRATEGY_SINGLE_BEST
};
#define NSTRAT	(sizeof(all) / sizeof(all[0]))

static void
info(struct link_info *li, uint64_t rate, int32_t owd, uint32_t srtt)
{
	memset(li, 0, sizeof(*li));
	li->state = LINK_STATE_RUNNING;
	li->rate_cfg_bps = rate;
	li->owd_us = owd;
	li->srtt_us = srtt;
	li->priority = 1;
}

/* Add or refresh a usable link, with a queue standing at its
 * bottleneck. */
static void
add_queued(struct sched *s, int id, uint64_t rate, int32_t owd,
    uint32_t srtt, uint32_t queue_us)
{
	struct link_info	li;

	info(&li, rate, owd, srtt);
	li.queue_us = queue_us;
	ck_assert_int_eq(sched_link_update(s, id, &li, 1), 0);
}

static void
add(struct sched *s, int id, uint64_t rate, int32_t owd, uint32_t srtt)
{
	add_queued(s, id, rate, owd, srtt, 0);
}

/* Offer size-byte packets every gap_us for dur_us; bytes per link. */
static uint64_t
run(struct sched *s, uint64_t *now, uint64_t dur_us, uint64_t gap_us,
    size_t size, uint64_t bytes[BONDD_MAX_LINKS])
{
	uint64_t	end = *now + dur_us, total = 0;
	int		id;

	memset(bytes, 0, BONDD_MAX_LINKS * sizeof(bytes[0]));
	for (; *now < end; *now += gap_us) {
		id = sched_pick(s, *now, size);
		ck_assert_int_ge(id, 0);
		sched_sent(s, id, size, *now);
		bytes[id] += size;
		total += size;
	}
	return total;
}

START_TEST(test_ea_equal)
{
	struct sched	s;
	uint64_t	now = 1000000, b[BONDD_MAX_LINKS], total;
	int		i, id, last = -1;

	sched_init(&s, STRATEGY_EARLIEST_ARRIVAL);
	add(&s, 0, 20 * MBIT, 5000, 10000);
	add(&s, 1, 20 * MBIT, 5000, 10000);
	/* A burst at one instant alternates. */
	for (i = 0; i < 100; i++) {
		id = sched_pick(&s, now, 1200);
		ck_assert_int_ne(id, last);
		sched_sent(&s, id, 1200, now);
		last = id;
	}
	/* 48 Mbit/s offered to 2 x 20. */
	total = run(&s, &now, 2000000, 250, 1500, b);
	ck_assert_uint_le(b[0] > total / 2 ? b[0] - total / 2 :
	    total / 2 - b[0], total / 2 / 20);
}
END_TEST

START_TEST(test_ea_rates)
{
	struct sched	s;
	uint64_t	now = 0, b[BONDD_MAX_LINKS];

	sched_init(&s, STRATEGY_EARLIEST_ARRIVAL);
	add(&s, 0, 100 * MBIT, 7000, 16000);
	add(&s, 1, 20 * MBIT, 7000, 16000);
	/* 150 Mbit/s offered. */
	run(&s, &now, 2000000, 80, 1500, b);
	ck_assert_uint_ge(b[0] * 10, b[1] * 45);
	ck_assert_uint_le(b[0] * 10, b[1] * 55);
}
END_TEST

START_TEST(test_ea_delay)
{
	struct sched	s;
	uint64_t	now = 0, b[BONDD_MAX_LINKS], total;

	sched_init(&s, STRATEGY_EARLIEST_ARRIVAL);
	/* Relative owd 30 ms apart: 40 and 10 ms one way; the fast link
	 * is not the first, so a tie would not favour it. */
	add(&s, 0, 20 * MBIT, 27000, 80000);
	add(&s, 1, 20 * MBIT, -3000, 20000);
	total = run(&s, &now, 10000000, 10000, 100, b);
	ck_assert_uint_eq(b[1], total);
	/* 48 Mbit/s: the fast link's queue passes 30 ms. */
	total = run(&s, &now, 5000000, 250, 1500, b);
	ck_assert_uint_gt(b[0] * 10, total * 4);
	ck_assert_uint_gt(b[1], b[0]);
	/* Unknown owd: half the srtt. */
	add(&s, 0, 20 * MBIT, LINK_OWD_UNKNOWN, 80000);
	add(&s, 1, 20 * MBIT, LINK_OWD_UNKNOWN, 20000);
	now += 10000000;
	total = run(&s, &now, 1000000, 10000, 100, b);
	ck_assert_uint_eq(b[1], total);
}
END_TEST

START_TEST(test_ea_lossy)
{
	struct sched		s;
	struct link_info	li;
	uint64_t		now = 0, b[BONDD_MAX_LINKS], total;

	sched_init(&s, STRATEGY_EARLIEST_ARRIVAL);
	add(&s, 0, 20 * MBIT, 5000, 20000);
	info(&li, 20 * MBIT, 5000, 20000);
	li.state = LINK_STATE_LOSSY;
	li.loss_tx_ppm = 100000;
	sched_link_update(&s, 1, &li, 1);
	total = run(&s, &now, 1000000, 1000, 200, b);
	ck_assert_uint_eq(b[0], total);
	total = run(&s, &now, 2000000, 250, 1500, b);
	ck_assert_uint_gt(b[1], total / 4);
	ck_assert_uint_lt(b[1] * 100, total * 48);
	/* Back to RUNNING: equal again. */
	li.state = LINK_STATE_RUNNING;
	sched_link_update(&s, 1, &li, 1);
	now += 1000000;
	total = run(&s, &now, 2000000, 250, 1500, b);
	ck_assert_uint_gt(b[1] * 100, total * 48);
}
END_TEST

START_TEST(test_unusable)
{
	struct sched		s;
	struct link_info	li;
	uint64_t		now = 0, b[BONDD_MAX_LINKS];
	size_t			k;

	for (k = 0; k < NSTRAT; k++) {
		sched_init(&s, all[k]);
		add(&s, 0, 10 * MBIT, 5000, 30000);
		/* The best link on paper, but not usable. */
		info(&li, 100 * MBIT, 1000, 2000);
		li.state = LINK_STATE_DOWN;
		sched_link_update(&s, 1, &li, 0);
		add(&s, 2, 10 * MBIT, 5000, 30000);
		run(&s, &now, 1000000, 100, 1000, b);
		ck_assert_uint_eq(b[1], 0);
		ck_assert_uint_gt(b[0] + b[2], 0);
		ck_assert_int_ne(sched_pick_best_latency(&s, now, -1), 1);
		/* Removed entirely: same. */
		sched_link_remove(&s, 2);
		run(&s, &now, 100000, 100, 1000, b);
		ck_assert_uint_eq(b[0], 1000 * 1000);
	}
}
END_TEST

START_TEST(test_weighted)
{
	struct sched	s;
	uint64_t	b[BONDD_MAX_LINKS], total = 0, now = 0, r = 1;
	uint64_t	w[5] = { 60, 110, 0, 220, 60 };
	int		id, i, j, hist[8], n0;
	size_t		size;

	sched_init(&s, STRATEGY_WEIGHTED);
	add(&s, 0, 30 * MBIT, 5000, 10000);
	add(&s, 1, 10 * MBIT, 50000, 100000);
	memset(b, 0, sizeof(b));
	for (i = 0; i < 20000; i++) {
		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
		size = 64 + (r >> 33) % 1437;
		id = sched_pick(&s, now, size);
		sched_sent(&s, id, size, now);
		b[id] += size;
		total += size;
	}
	ck_assert_uint_ge(b[0] * 1000, total * 740);
	ck_assert_uint_le(b[0] * 1000, total * 760);

	/* 3:1 with equal packets: smooth, 5-7 of every 8 on link 0. */
	sched_init(&s, STRATEGY_WEIGHTED);
	add(&s, 0, 30 * MBIT, 5000, 10000);
	add(&s, 1, 10 * MBIT, 5000, 10000);
	for (i = 0; i < 1000; i++) {
		hist[i % 8] = sched_pick(&s, now, 1000);
		if (i < 7)
			continue;
		for (j = n0 = 0; j < 8; j++)
			n0 += hist[j] == 0;
		ck_assert_int_ge(n0, 5);
		ck_assert_int_le(n0, 7);
	}

	/* Weights 60/110/0/220/60 (0: not usable), shares within 1 %. */
	sched_init(&s, STRATEGY_WEIGHTED);
	for (i = 0; i < 5; i++) {
		struct link_info li;

		info(&li, w[i] ? w[i] * MBIT : 1, 5000, 10000);
		sched_link_update(&s, i, &li, w[i] != 0);
	}
	memset(b, 0, sizeof(b));
	for (i = 0; i < 10000; i++)
		b[sched_pick(&s, now, 1000)]++;
	ck_assert_uint_eq(b[2], 0);
	for (i = 0; i < 5; i++) {
		/* b / 10000 = w / 450 +- 1 % */
		ck_assert_uint_ge(b[i] * 450 + 100 * 450, w[i] * 10000);
		ck_assert_uint_le(b[i] * 450, w[i] * 10000 + 100 * 450);
	}
}
END_TEST

START_TEST(test_tiered)
{
	struct sched		s;
	struct link_info	li;
	uint64_t		now = 0, b[BONDD_MAX_LINKS], total;

	sched_init(&s, STRATEGY_TIERED_FILL);
	add(&s, 0, 10 * MBIT, 5000, 10000);
	info(&li, 10 * MBIT, 2000, 4000);	/* faster, but tier 2 */
	li.priority = 2;
	sched_link_update(&s, 1, &li, 1);
	/* 5 Mbit/s: tier 1 never fills. */
	total = run(&s, &now, 5000000, 2400, 1500, b);
	ck_assert_uint_eq(b[0], total);
	/* 15 Mbit/s: tier 1 full, the rest on tier 2. */
	total = run(&s, &now, 10000000, 800, 1500, b);
	ck_assert_uint_ge(b[0] * 8, 95 * MBIT);
	ck_assert_uint_gt(b[1], 0);
	ck_assert_uint_ge(b[0] + b[1], total);
	ck_assert_uint_lt(sched_queue_us(&s, 0, now), 2 * SCHED_FULL_US);

	/* Quota: link 0 past 100 kB is skipped, tier 2 takes over. */
	sched_init(&s, STRATEGY_TIERED_FILL);
	info(&li, 10 * MBIT, 5000, 10000);
	li.quota_bytes = 100000;
	sched_link_update(&s, 0, &li, 1);
	info(&li, 10 * MBIT, 2000, 4000);
	li.priority = 2;
	sched_link_update(&s, 1, &li, 1);
	total = run(&s, &now, 1000000, 10000, 1000, b);
	ck_assert_uint_eq(b[0], 100000);
	ck_assert_uint_eq(b[1], total - 100000);
	/* Added again (a new linkd): a new quota period. */
	sched_link_remove(&s, 0);
	info(&li, 10 * MBIT, 5000, 10000);
	li.quota_bytes = 100000;
	sched_link_update(&s, 0, &li, 1);
	ck_assert_int_eq(sched_pick(&s, now, 1000), 0);
	ck_assert_int_eq(sched_pick_best_latency(&s, now, -1), 1);
}
END_TEST

START_TEST(test_round_robin)
{
	struct sched		s;
	struct link_info	li;
	int			i;

	sched_init(&s, STRATEGY_ROUND_ROBIN);
	add(&s, 0, 100 * MBIT, 5000, 10000);
	add(&s, 1, 1 * MBIT, 90000, 200000);
	add(&s, 2, 10 * MBIT, 5000, 10000);
	for (i = 0; i < 30; i++)
		ck_assert_int_eq(sched_pick(&s, 0, 1500), i % 3);
	info(&li, 1 * MBIT, 90000, 200000);
	sched_link_update(&s, 1, &li, 0);
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(sched_pick(&s, 0, 1500), (i % 2) * 2);
}
END_TEST

START_TEST(test_single_best)
{
	struct sched		s;
	struct link_info	li;
	uint64_t		t;

	sched_init(&s, STRATEGY_SINGLE_BEST);
	add(&s, 0, 10 * MBIT, 5000, 30000);
	add(&s, 1, 50 * MBIT, 5000, 40000);
	ck_assert_int_eq(sched_pick(&s, 0, 1500), 0);
	/* 13 % better is not enough, however long. */
	add(&s, 1, 50 * MBIT, 5000, 26000);
	for (t = 0; t <= 5000000; t += 100000)
		ck_assert_int_eq(sched_pick(&s, t, 1500), 0);
	/* 33 % better, but for 0.5 s only. */
	add(&s, 1, 50 * MBIT, 5000, 20000);
	for (; t <= 5500000; t += 100000)
		ck_assert_int_eq(sched_pick(&s, t, 1500), 0);
	add(&s, 1, 50 * MBIT, 5000, 29000);
	ck_assert_int_eq(sched_pick(&s, t, 1500), 0);
	/* Better again: the clock restarts, switch after 1 s. */
	add(&s, 1, 50 * MBIT, 5000, 20000);
	t += 100000;
	ck_assert_int_eq(sched_pick(&s, t, 1500), 0);
	ck_assert_int_eq(sched_pick(&s, t + 999999, 1500), 0);
	ck_assert_int_eq(sched_pick(&s, t + 1000000, 1500), 1);
	t += 1000000;
	/* No way back unless 20 % better; at once if 1 fails. */
	add(&s, 0, 10 * MBIT, 5000, 18000);
	ck_assert_int_eq(sched_pick(&s, t + 5000000, 1500), 1);
	info(&li, 50 * MBIT, 5000, 20000);
	li.state = LINK_STATE_DOWN;
	sched_link_update(&s, 1, &li, 0);
	ck_assert_int_eq(sched_pick(&s, t + 5000001, 1500), 0);
}
END_TEST

START_TEST(test_backup)
{
	struct sched		s;
	struct link_info	li;
	uint64_t		now = 0, b[BONDD_MAX_LINKS];
	size_t			k;

	for (k = 0; k < NSTRAT; k++) {
		sched_init(&s, all[k]);
		add(&s, 0, 10 * MBIT, 20000, 40000);
		add(&s, 1, 10 * MBIT, 20000, 40000);
		/* Best in every respect, but a backup. */
		info(&li, 100 * MBIT, 1000, 2000);
		li.backup = 1;
		sched_link_update(&s, 2, &li, 1);
		run(&s, &now, 1000000, 100, 1500, b);
		ck_assert_uint_eq(b[2], 0);
		ck_assert_int_ne(sched_pick_best_latency(&s, now, -1), 2);
		ck_assert_int_eq(sched_pick_best_latency(&s, now, 0), 1);

		info(&li, 10 * MBIT, 20000, 40000);
		li.state = LINK_STATE_DOWN;
		sched_link_update(&s, 0, &li, 0);
		sched_link_update(&s, 1, &li, 0);
		now += 1000000;
		run(&s, &now, 100000, 100, 1500, b);
		ck_assert_uint_eq(b[2], 1000 * 1500);
		ck_assert_int_eq(sched_pick_best_latency(&s, now, -1), 2);

		add(&s, 1, 10 * MBIT, 20000, 40000);
		now += 1000000;
		run(&s, &now, 100000, 1000, 1500, b);
		ck_assert_uint_eq(b[1], 100 * 1500);
	}
}
END_TEST

START_TEST(test_none)
{
	struct sched		s;
	struct link_info	li;
	size_t			k;

	for (k = 0; k < NSTRAT; k++) {
		sched_init(&s, all[k]);
		ck_assert_int_eq(sched_pick(&s, 0, 100), -1);
		ck_assert_int_eq(sched_pick_best_latency(&s, 0, -1), -1);
		info(&li, 10 * MBIT, 0, 1000);
		li.state = LINK_STATE_PROBING;
		sched_link_update(&s, 0, &li, 0);
		li.backup = 1;
		sched_link_update(&s, 1, &li, 0);
		ck_assert_int_eq(sched_pick(&s, 0, 100), -1);
		add(&s, 3, 10 * MBIT, 0, 1000);
		ck_assert_int_eq(sched_pick(&s, 0, 100), 3);
		ck_assert_int_eq(sched_pick_best_latency(&s, 0, 3), -1);
		ck_assert_int_eq(sched_link_update(&s, BONDD_MAX_LINKS, &li,
		    1), -1);
		ck_assert_int_eq(sched_link_update(&s, -1, &li, 1), -1);
	}
}
END_TEST

START_TEST(test_best_latency)
{
	struct sched		s;
	struct link_info	li;
	uint64_t		now = 5000000;
	int			i;

	sched_init(&s, STRATEGY_WEIGHTED);
	add(&s, 0, 20 * MBIT, 100, 10000);	/* 5 ms */
	add(&s, 1, 20 * MBIT, 10100, 30000);	/* 15 ms */
	ck_assert_int_eq(sched_pick_best_latency(&s, now, -1), 0);
	ck_assert_int_eq(sched_pick_best_latency(&s, now, 0), 1);
	/* 20 ms of our queue on link 0: these frames skip it, link 0
	 * still wins. */
	for (i = 0; i < 34; i++)
		sched_sent(&s, 0, 1500, now);
	ck_assert_uint_ge(sched_queue_us(&s, 0, now), 20000);
	ck_assert_int_eq(sched_pick_best_latency(&s, now, -1), 0);
	ck_assert_uint_eq(sched_queue_us(&s, 0, now + 30000), 0);
	/* A queue at link 0's bottleneck, which nobody skips: link 1. */
	info(&li, 20 * MBIT, 100, 10000);
	li.queue_us = 12000;
	sched_link_update(&s, 0, &li, 1);
	ck_assert_int_eq(sched_pick_best_latency(&s, now, -1), 1);
}
END_TEST

/* Departure times follow the virtual queue: at once on an idle link,
 * then one packet time apart. */
START_TEST(test_departure)
{
	struct sched	s;

	sched_init(&s, STRATEGY_EARLIEST_ARRIVAL);
	add(&s, 0, 12 * MBIT, 5000, 10000);
	/* 1500 bytes at 12 Mbit/s: 1 ms each. */
	ck_assert_uint_eq(sched_sent(&s, 0, 1500, 1000), 1000);
	ck_assert_uint_eq(sched_sent(&s, 0, 1500, 1000), 2000);
	ck_assert_uint_eq(sched_sent(&s, 0, 1500, 1500), 3000);
	/* Idle again: now. */
	ck_assert_uint_eq(sched_sent(&s, 0, 1500, 9000), 9000);
	ck_assert_uint_eq(sched_sent(&s, 5, 1500, 9000), 0);
	ck_assert_uint_eq(sched_sent(&s, -1, 1500, 9000), 0);
}
END_TEST

/* A standing queue at a link's bottleneck counts like its delay. */
START_TEST(test_bottleneck_queue)
{
	struct sched	s;

	sched_init(&s, STRATEGY_EARLIEST_ARRIVAL);
	add(&s, 0, 50 * MBIT, 5000, 10000);
	add(&s, 1, 50 * MBIT, 10000, 20000);
	ck_assert_int_eq(sched_pick(&s, 0, 1500), 0);
	add_queued(&s, 0, 50 * MBIT, 5000, 10000, 6000);
	ck_assert_int_eq(sched_pick(&s, 0, 1500), 1);
	/* Realtime picks see it too. */
	ck_assert_int_eq(sched_pick_best_latency(&s, 0, -1), 1);
	add_queued(&s, 0, 50 * MBIT, 5000, 10000, 4000);
	ck_assert_int_eq(sched_pick(&s, 0, 1500), 0);
}
END_TEST

/*
 * The entrance drops what would wait too long in our queue, with the
 * bottleneck's queue counted; a packet that finds our queue empty is
 * never dropped, whatever the bottleneck's queue reads.
 */
START_TEST(test_over_limit)
{
	struct sched		s;
	struct link_info	li;
	uint64_t		now = 5000000;
	int			i;

	sched_init(&s, STRATEGY_EARLIEST_ARRIVAL);
	add(&s, 0, 12 * MBIT, 5000, 10000);
	add(&s, 1, 12 * MBIT, 5000, 10000);
	ck_assert_int_eq(sched_over_limit(&s, 0, now, 40000), 0);
	/* 50 ms of our queue on link 0 (1 ms per packet): over. */
	for (i = 0; i < 50; i++)
		sched_sent(&s, 0, 1500, now);
	ck_assert_int_eq(sched_over_limit(&s, 0, now, 40000), 1);
	ck_assert_int_eq(sched_over_limit(&s, 1, now, 40000), 0);
	/* 30 ms of it, and 20 ms at link 1's bottleneck. */
	ck_assert_int_eq(sched_over_limit(&s, 0, now + 20000, 40000), 0);
	for (i = 0; i < 30; i++)
		sched_sent(&s, 1, 1500, now);
	info(&li, 12 * MBIT, 5000, 10000);
	li.queue_us = 20000;
	sched_link_update(&s, 1, &li, 1);
	ck_assert_int_eq(sched_over_limit(&s, 1, now, 40000), 1);
	/* Our queue drained: 100 ms at the bottleneck drops nothing. */
	li.queue_us = 100000;
	sched_link_update(&s, 1, &li, 1);
	ck_assert_int_eq(sched_over_limit(&s, 1, now + 40000, 40000), 0);
	ck_assert_int_eq(sched_over_limit(&s, 0, now + 60000, 40000), 0);
}
END_TEST

/*
 * A slow link that bulk uses once the fast one is full sets the limit:
 * the fast link's queue may grow to its delay plus the limit, as the
 * reorder buffer waits for the slow link's packets anyway.  While it is
 * not used, the fast link's own delay counts.
 */
START_TEST(test_over_limit_slow_link)
{
	struct sched	s;
	uint64_t	now = 5000000;
	int		i;

	sched_init(&s, STRATEGY_EARLIEST_ARRIVAL);
	/* 1 ms per 1500-byte packet; one way 10 and 40 ms. */
	add(&s, 0, 12 * MBIT, 10000, 20000);
	add(&s, 1, 12 * MBIT, 40000, 80000);
	ck_assert_uint_eq(sched_excluded(&s), 1U << 1);
	for (i = 0; i < 15; i++)
		sched_sent(&s, 0, 1500, now);
	ck_assert_int_eq(sched_over_limit(&s, 0, now, 10000), 1);
	/* 45 ms queued: past SCHED_FULL_US, link 1 carries bulk too. */
	for (; i < 45; i++)
		sched_sent(&s, 0, 1500, now);
	ck_assert_int_eq(sched_pick(&s, now, 1500), 1);
	ck_assert_int_eq(sched_over_limit(&s, 0, now, 40000), 0);
	/* 75 ms: 10 + 75 is past 40 + 40. */
	for (; i < 75; i++)
		sched_sent(&s, 0, 1500, now);
	ck_assert_int_eq(sched_over_limit(&s, 0, now, 40000), 1);
}
END_TEST

/*
 * F19: a link of 10 x the median srtt carries no bulk while the others
 * have room, takes some once they are full, and everything when it is
 * the only one left; the percentage and max_rtt are settable.
 */
START_TEST(test_bulk_rtt_exclusion)
{
	struct sched		s;
	struct link_info	li;
	uint64_t		bytes[BONDD_MAX_LINKS], now = 0;

	sched_init(&s, STRATEGY_EARLIEST_ARRIVAL);
	add(&s, 0, 10 * MBIT, 5000, 20000);
	add(&s, 1, 10 * MBIT, 6000, 22000);
	add(&s, 2, 10 * MBIT, 100000, 220000);
	ck_assert_uint_eq(sched_excluded(&s), 1U << 2);
	/* 15 Mbit/s offered: links 0 and 1 carry it all. */
	run(&s, &now, 2000000, 800, 1500, bytes);
	ck_assert_uint_eq(bytes[2], 0);
	/* 40 Mbit/s: the others are full, link 2 helps. */
	run(&s, &now, 2000000, 300, 1500, bytes);
	ck_assert_uint_gt(bytes[2], 0);
	/* A queue standing at the others' bottlenecks fills them too:
	 * their capacity estimated too high, our queue stays empty. */
	now += 1000000;
	ck_assert_int_ne(sched_pick(&s, now, 1500), 2);
	add_queued(&s, 0, 10 * MBIT, 5000, 20000, 150000);
	add_queued(&s, 1, 10 * MBIT, 6000, 22000, 150000);
	ck_assert_uint_eq(sched_excluded(&s), 1U << 2);
	ck_assert_int_eq(sched_pick(&s, now, 1500), 2);
	add_queued(&s, 1, 10 * MBIT, 6000, 22000, 1000);
	ck_assert_int_eq(sched_pick(&s, now, 1500), 1);
	add(&s, 0, 10 * MBIT, 5000, 20000);
	/* The only link left carries everything. */
	now += 1000000;
	info(&li, 10 * MBIT, 5000, 20000);
	sched_link_update(&s, 0, &li, 0);
	info(&li, 10 * MBIT, 6000, 22000);
	sched_link_update(&s, 1, &li, 0);
	ck_assert_uint_eq(sched_excluded(&s), 0);
	ck_assert_int_eq(sched_pick(&s, now, 1500), 2);
	/* Off: link 2 is a link like the others. */
	sched_link_update(&s, 0, &li, 1);
	sched_link_update(&s, 1, &li, 1);
	sched_set_bulk_rtt(&s, 0, 0);
	ck_assert_uint_eq(sched_excluded(&s), 0);
	/* An absolute ceiling alone. */
	sched_set_bulk_rtt(&s, 0, 150000);
	ck_assert_uint_eq(sched_excluded(&s), 1U << 2);
	sched_set_bulk_rtt(&s, 0, 250000);
	ck_assert_uint_eq(sched_excluded(&s), 0);
}
END_TEST

static Suite *
sched_suite(void)
{
	Suite	*s = suite_create("sched");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_ea_equal);
	tcase_add_test(tc, test_ea_rates);
	tcase_add_test(tc, test_ea_delay);
	tcase_add_test(tc, test_ea_lossy);
	tcase_add_test(tc, test_unusable);
	tcase_add_test(tc, test_weighted);
	tcase_add_test(tc, test_tiered);
	tcase_add_test(tc, test_round_robin);
	tcase_add_test(tc, test_single_best);
	tcase_add_test(tc, test_backup);
	tcase_add_test(tc, test_none);
	tcase_add_test(tc, test_best_latency);
	tcase_add_test(tc, test_departure);
	tcase_add_test(tc, test_bottleneck_queue);
	tcase_add_test(tc, test_over_limit);
	tcase_add_test(tc, test_over_limit_slow_link);
	tcase_add_test(tc, test_bulk_rtt_exclusion);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return (check_run(srunner_create(sched_suite())));
}
