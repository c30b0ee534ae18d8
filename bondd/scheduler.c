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
 * The packet scheduler (scheduler.h): strategies over a virtual queue per
 * link.  Runs in the core, unprivileged; its inputs come from linkd
 * through link_info and are clamped here before any arithmetic.
 */

#include <string.h>

#include "scheduler.h"

#define NS_PER_US	1000ULL
#define PPM		1000000ULL
#define MAX_BYTES	65535	/* no IP packet or datagram is larger */

void
sched_init(struct sched *s, enum conf_strategy strategy)
{
	memset(s, 0, sizeof(*s));
	s->strategy = strategy;
	s->rr_last = -1;
	s->sb_cur = -1;
	s->sb_cand = -1;
	s->bulk_rtt_pct = SCHED_BULK_RTT_PCT;
}

void
sched_set_bulk_rtt(struct sched *s, uint32_t pct, uint32_t max_us)
{
	s->bulk_rtt_pct = pct;
	s->max_rtt_us = max_us;
}

void
sched_set_strategy(struct sched *s, enum conf_strategy strategy)
{
	int	i;

	s->strategy = strategy;
	s->rr_last = -1;
	s->sb_cur = -1;
	s->sb_cand = -1;
	s->wrr_set = 0;
	for (i = 0; i < BONDD_MAX_LINKS; i++)
		s->link[i].wrr_cur = 0;
}

int
sched_link_update(struct sched *s, int id, const struct link_info *li,
    int usable)
{
	struct sched_link	*l;
	uint64_t		 rate;

	if (id < 0 || id >= BONDD_MAX_LINKS)
		return -1;
	l = &s->link[id];
	if (!l->present) {
		memset(l, 0, sizeof(*l));
		l->present = 1;
	}
	/* A queue left from before an outage says nothing now. */
	if (usable && !l->usable)
		l->busy_ns = 0;
	l->usable = usable != 0 && li->state < LINK_STATE_MAX;
	l->state = li->state;
	rate = li->rate_cfg_bps ? li->rate_cfg_bps : li->rate_rx_bps;
	if (rate == 0)
		rate = SCHED_DEFAULT_RATE;
	if (rate < CONF_RATE_MIN)
		rate = CONF_RATE_MIN;
	if (rate > CONF_RATE_MAX)
		rate = CONF_RATE_MAX;
	l->rate_bps = rate;
	l->owd_us = li->owd_us;
	/* A second of queue is no bottleneck we can pace around. */
	l->queue_us = li->queue_us > 1000000 ? 1000000 : li->queue_us;
	l->srtt_us = li->srtt_us;
	l->loss_ppm = li->loss_tx_ppm > PPM ? PPM : li->loss_tx_ppm;
	l->priority = li->priority ? li->priority : 1;
	l->backup = li->backup != 0;
	l->quota_bytes = li->quota_bytes;
	return 0;
}

void
sched_link_remove(struct sched *s, int id)
{
	if (id < 0 || id >= BONDD_MAX_LINKS)
		return;
	memset(&s->link[id], 0, sizeof(s->link[id]));
	if (s->sb_cur == id)
		s->sb_cur = -1;
	if (s->sb_cand == id)
		s->sb_cand = -1;
}

static int
exhausted(const struct sched *s, const struct sched_link *l)
{
	return s->strategy == STRATEGY_TIERED_FILL && l->quota_bytes &&
	    l->bytes_sent >= l->quota_bytes;
}

static int
usable(const struct sched *s, const struct sched_link *l)
{
	return l->present && l->usable && !exhausted(s, l);
}

/* Bit i set: link i may carry data now, backups only if alone. */
static unsigned int
usable_set(const struct sched *s)
{
	unsigned int	 prim = 0, backup = 0;
	int		 i;

	for (i = 0; i < BONDD_MAX_LINKS; i++) {
		if (!usable(s, &s->link[i]))
			continue;
		if (s->link[i].backup)
			backup |= 1U << i;
		else
			prim |= 1U << i;
	}
	return prim ? prim : backup;
}

/* Of set, the links whose srtt is far above the median of set. */
static unsigned int
slow_links(const struct sched *s, unsigned int set)
{
	uint32_t	 rtt[BONDD_MAX_LINKS], t, median;
	unsigned int	 slow = 0;
	int		 i, j, n = 0;

	for (i = 0; i < BONDD_MAX_LINKS; i++)
		if ((set & (1U << i)) && s->link[i].srtt_us != 0)
			rtt[n++] = s->link[i].srtt_us;
	if (n < 2 || (s->bulk_rtt_pct == 0 && s->max_rtt_us == 0))
		return 0;
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && rtt[j - 1] > rtt[j]; j--) {
			t = rtt[j];
			rtt[j] = rtt[j - 1];
			rtt[j - 1] = t;
		}
	/* The lower median: with two links, the faster one. */
	median = rtt[(n - 1) / 2];
	for (i = 0; i < BONDD_MAX_LINKS; i++) {
		t = s->link[i].srtt_us;
		if (!(set & (1U << i)) || t == 0)
			continue;
		if ((s->bulk_rtt_pct != 0 &&
		    (uint64_t)t * 100 > (uint64_t)median * s->bulk_rtt_pct) ||
		    (s->max_rtt_us != 0 && t > s->max_rtt_us))
			slow |= 1U << i;
	}
	return slow == set ? 0 : slow;
}

unsigned int
sched_excluded(const struct sched *s)
{
	return slow_links(s, usable_set(s));
}

static uint64_t	queue_ns(const struct sched_link *, uint64_t);

/* The links bulk may use now: the slow ones only while all the others
 * have a full queue, ours and the one standing at their bottleneck
 * (a link whose capacity is estimated at or above what it carries
 * queues there, not here). */
static unsigned int
eligible_set(const struct sched *s, uint64_t now_ns)
{
	unsigned int	 set = usable_set(s), slow = slow_links(s, set);
	int		 i;

	if (slow == 0)
		return set;
	for (i = 0; i < BONDD_MAX_LINKS; i++)
		if ((set & ~slow & (1U << i)) &&
		    queue_ns(&s->link[i], now_ns) +
		    (uint64_t)s->link[i].queue_us * NS_PER_US <=
		    SCHED_FULL_US * NS_PER_US)
			return set & ~slow;
	return set;
}

/* Loss takes its share of a LOSSY link's rate: resends use it. */
static uint64_t
eff_rate(const struct sched_link *l)
{
	uint64_t	r = l->rate_bps;

	if (l->state == LINK_STATE_LOSSY)
		r = r / PPM * (PPM - l->loss_ppm) +
		    r % PPM * (PPM - l->loss_ppm) / PPM;
	return r < CONF_RATE_MIN ? CONF_RATE_MIN : r;
}

static uint64_t
tx_ns(const struct sched_link *l, size_t bytes)
{
	return (uint64_t)bytes * 8 * 1000000000ULL / eff_rate(l);
}

static uint64_t
queue_ns(const struct sched_link *l, uint64_t now_ns)
{
	return l->busy_ns > now_ns ? l->busy_ns - now_ns : 0;
}

/*
 * One-way delay of every link in set, in ns.  The owd values share one
 * unknown offset, so anchor the smallest at half its link's srtt; a
 * link without owd counts half its srtt.
 */
static void
owd_ns(const struct sched *s, unsigned int set, uint64_t out[])
{
	const struct sched_link	*l;
	int64_t			 min = 0, anchor = 0, d;
	int			 i, have = 0;

	for (i = 0; i < BONDD_MAX_LINKS; i++) {
		l = &s->link[i];
		if (!(set & (1U << i)) || l->owd_us == LINK_OWD_UNKNOWN)
			continue;
		if (!have || l->owd_us < min) {
			min = l->owd_us;
			anchor = l->srtt_us / 2;
			have = 1;
		}
	}
	for (i = 0; i < BONDD_MAX_LINKS; i++) {
		l = &s->link[i];
		out[i] = 0;
		if (!(set & (1U << i)))
			continue;
		if (l->owd_us == LINK_OWD_UNKNOWN)
			d = l->srtt_us / 2;
		else
			d = (int64_t)l->owd_us - min + anchor;
		out[i] = (uint64_t)(d < 0 ? 0 : d) * NS_PER_US;
	}
}

/* When a packet of that size leaving now past our queue arrives. */
static uint64_t
path_ns(const struct sched_link *l, size_t bytes, uint64_t owd)
{
	uint64_t	t;

	t = tx_ns(l, bytes) + owd + (uint64_t)l->queue_us * NS_PER_US;
	/* A lost packet arrives a round trip later, when resent. */
	if (l->state == LINK_STATE_LOSSY)
		t += (uint64_t)l->loss_ppm * l->srtt_us / PPM * NS_PER_US;
	return t;
}

static uint64_t
arrival_ns(const struct sched_link *l, uint64_t now_ns, size_t bytes,
    uint64_t owd)
{
	return now_ns + queue_ns(l, now_ns) + path_ns(l, bytes, owd);
}

static int
earliest(const struct sched *s, unsigned int set, uint64_t now_ns,
    size_t bytes)
{
	uint64_t	owd[BONDD_MAX_LINKS], t, best = 0;
	int		i, id = -1;

	owd_ns(s, set, owd);
	for (i = 0; i < BONDD_MAX_LINKS; i++) {
		if (!(set & (1U << i)))
			continue;
		t = arrival_ns(&s->link[i], now_ns, bytes, owd[i]);
		if (id == -1 || t < best) {
			best = t;
			id = i;
		}
	}
	return id;
}

static int
tiered(const struct sched *s, unsigned int set, uint64_t now_ns,
    size_t bytes)
{
	const struct sched_link	*l;
	unsigned int		 tier;
	uint32_t		 prio = 0, next;
	int			 i;

	for (;;) {
		/* The lowest priority above the last tier tried. */
		next = UINT32_MAX;
		for (i = 0; i < BONDD_MAX_LINKS; i++) {
			l = &s->link[i];
			if ((set & (1U << i)) && l->priority > prio &&
			    l->priority < next)
				next = l->priority;
		}
		if (next == UINT32_MAX)
			break;
		prio = next;
		tier = 0;
		for (i = 0; i < BONDD_MAX_LINKS; i++) {
			l = &s->link[i];
			if ((set & (1U << i)) && l->priority == prio &&
			    queue_ns(l, now_ns) <= SCHED_FULL_US * NS_PER_US)
				tier |= 1U << i;
		}
		if (tier)
			return earliest(s, tier, now_ns, bytes);
	}
	/* Every tier full: spread over all of them. */
	return earliest(s, set, now_ns, bytes);
}

static int
weighted(struct sched *s, unsigned int set, size_t bytes)
{
	struct sched_link	*l;
	uint64_t		 w[BONDD_MAX_LINKS], total = 0;
	int64_t			 add, added = 0;
	int			 i, id = -1;

	if (set != s->wrr_set) {
		for (i = 0; i < BONDD_MAX_LINKS; i++)
			s->link[i].wrr_cur = 0;
		s->wrr_set = set;
	}
	for (i = 0; i < BONDD_MAX_LINKS; i++) {
		w[i] = 0;
		if (!(set & (1U << i)))
			continue;
		/* kbit/s keeps (bytes << 16) * w within 64 bits. */
		w[i] = eff_rate(&s->link[i]) / 1000;
		total += w[i];
	}
	if (total == 0)
		return -1;
	for (i = 0; i < BONDD_MAX_LINKS; i++) {
		if (!(set & (1U << i)))
			continue;
		l = &s->link[i];
		add = (int64_t)(((uint64_t)bytes << 16) * w[i] / total);
		l->wrr_cur += add;
		added += add;
		if (id == -1 || l->wrr_cur > s->link[id].wrr_cur)
			id = i;
	}
	/* Take back exactly what was handed out: the sum stays 0. */
	s->link[id].wrr_cur -= added;
	return id;
}

static int
round_robin(struct sched *s, unsigned int set)
{
	int	i, id;

	for (i = 1; i <= BONDD_MAX_LINKS; i++) {
		id = (s->rr_last + i + BONDD_MAX_LINKS) % BONDD_MAX_LINKS;
		if (set & (1U << id)) {
			s->rr_last = id;
			return id;
		}
	}
	return -1;
}

/* Unknown srtt sorts last. */
static uint64_t
srtt_key(const struct sched_link *l)
{
	return l->srtt_us ? l->srtt_us : UINT32_MAX + 1ULL;
}

static int
single_best(struct sched *s, unsigned int set, uint64_t now_us)
{
	const struct sched_link	*l, *b;
	int			 i, best = -1;

	for (i = 0; i < BONDD_MAX_LINKS; i++) {
		if (!(set & (1U << i)))
			continue;
		l = &s->link[i];
		b = best == -1 ? NULL : &s->link[best];
		if (b == NULL || srtt_key(l) < srtt_key(b) ||
		    (srtt_key(l) == srtt_key(b) && l->rate_bps > b->rate_bps))
			best = i;
	}
	if (best == -1)
		return -1;
	if (s->sb_cur < 0 || !(set & (1U << s->sb_cur))) {
		s->sb_cur = best;
		s->sb_cand = -1;
		return best;
	}
	/* 20 % better, i.e. below 4/5 of the current srtt. */
	if (best == s->sb_cur || srtt_key(&s->link[best]) * 5 >=
	    srtt_key(&s->link[s->sb_cur]) * 4) {
		s->sb_cand = -1;
		return s->sb_cur;
	}
	if (s->sb_cand != best) {
		s->sb_cand = best;
		s->sb_since_us = now_us;
	} else if (now_us >= s->sb_since_us &&
	    now_us - s->sb_since_us >= SCHED_SWITCH_US) {
		s->sb_cur = best;
		s->sb_cand = -1;
	}
	return s->sb_cur;
}

int
sched_pick(struct sched *s, uint64_t now_us, size_t bytes)
{
	unsigned int	set = eligible_set(s, now_us * NS_PER_US);

	if (set == 0)
		return -1;
	if (bytes > MAX_BYTES)
		bytes = MAX_BYTES;
	switch (s->strategy) {
	case STRATEGY_WEIGHTED:
		return weighted(s, set, bytes);
	case STRATEGY_TIERED_FILL:
		return tiered(s, set, now_us * NS_PER_US, bytes);
	case STRATEGY_ROUND_ROBIN:
		/* Every packet in turn, whatever the links' srtt. */
		return round_robin(s, usable_set(s));
	case STRATEGY_SINGLE_BEST:
		return single_best(s, set, now_us);
	case STRATEGY_EARLIEST_ARRIVAL:
	default:
		return earliest(s, set, now_us * NS_PER_US, bytes);
	}
}

uint64_t
sched_sent(struct sched *s, int id, size_t bytes, uint64_t now_us)
{
	struct sched_link	*l;
	uint64_t		 now_ns = now_us * NS_PER_US, depart;

	if (id < 0 || id >= BONDD_MAX_LINKS || !s->link[id].present)
		return 0;
	l = &s->link[id];
	l->bytes_sent += bytes;
	if (bytes > MAX_BYTES)
		bytes = MAX_BYTES;
	if (l->busy_ns < now_ns)
		l->busy_ns = now_ns;
	depart = l->busy_ns / NS_PER_US;
	l->busy_ns += tx_ns(l, bytes);
	return depart;
}

int
sched_pick_best_latency(struct sched *s, uint64_t now_us, int exclude)
{
	unsigned int	set = usable_set(s);
	uint64_t	owd[BONDD_MAX_LINKS], t, best = 0;
	int		i, id = -1;

	(void)now_us;
	if (exclude >= 0 && exclude < BONDD_MAX_LINKS)
		set &= ~(1U << exclude);
	if (set == 0)
		return -1;
	/* These frames skip the queue: only the link itself counts. */
	owd_ns(s, set, owd);
	for (i = 0; i < BONDD_MAX_LINKS; i++) {
		if (!(set & (1U << i)))
			continue;
		t = path_ns(&s->link[i], SCHED_SMALL_PKT, owd[i]);
		if (id == -1 || t < best) {
			best = t;
			id = i;
		}
	}
	return id;
}

int
sched_over_limit(const struct sched *s, int id, uint64_t now_us,
    uint64_t limit_us)
{
	const struct sched_link	*l;
	unsigned int		 set;
	uint64_t		 owd[BONDD_MAX_LINKS], slowest = 0;
	uint64_t		 now_ns = now_us * NS_PER_US;
	int			 i;

	if (id < 0 || id >= BONDD_MAX_LINKS || !s->link[id].present)
		return 0;
	/* A slow link that bulk uses now, once the others' queues are
	 * full, sets the delay their packets wait in the reorder buffer
	 * for anyway: a fast link's queue may grow to it, or that queue
	 * would hold too little to keep one TCP flow's link busy after
	 * it halves its window. */
	set = eligible_set(s, now_ns) | 1U << id;
	owd_ns(s, set, owd);
	for (i = 0; i < BONDD_MAX_LINKS; i++)
		if ((set & (1U << i)) && owd[i] > slowest)
			slowest = owd[i];
	l = &s->link[id];
	/* A packet that finds our queue empty leaves at once and cannot
	 * fill it: only the bottleneck's queue, a probe estimate that one
	 * late probe inflates, would drop it, and the rate controller is
	 * what answers that queue.  Dropping it would only lose it (a ping
	 * or an ACK on an otherwise idle link). */
	if (queue_ns(l, now_ns) == 0)
		return 0;
	return queue_ns(l, now_ns) + owd[id] + (uint64_t)l->queue_us *
	    NS_PER_US > slowest + limit_us * NS_PER_US;
}

uint64_t
sched_queue_us(const struct sched *s, int id, uint64_t now_us)
{
	if (id < 0 || id >= BONDD_MAX_LINKS || !s->link[id].present)
		return 0;
	return queue_ns(&s->link[id], now_us * NS_PER_US) / NS_PER_US;
}
