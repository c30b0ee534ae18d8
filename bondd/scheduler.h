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
 * The packet scheduler: for each packet the core hands out, the link it
 * leaves on.  Pure logic in the core: no system calls, no clock (the
 * caller passes now_us, a monotonic time in microseconds), no
 * allocation.  Its inputs are link_info values the core has already
 * range-checked, which it checks again where a bad value would divide
 * by zero or overflow.
 *
 * Every link has a virtual queue: the bytes sent on it, draining at its
 * rate.  The strategies (config scheduler.strategy):
 *
 *  earliest_arrival  the link where a packet should arrive first:
 *		      queue wait + size / rate + one-way delay + the
 *		      standing queue at the link's bottleneck; LOSSY links
 *		      pay loss x srtt and lose their loss share of the
 *		      rate.
 *  weighted	      smooth weighted round robin, in bytes, weight = rate.
 *  tiered_fill	      priority tiers (1 first), earliest arrival inside a
 *		      tier; the next tier only when every link of this one
 *		      is full (more than SCHED_FULL_US queued) or past its
 *		      quota.  A link past its quota is not used at all in
 *		      this strategy until it is removed and added again.
 *  round_robin	      one packet per link in turn.
 *  single_best	      the link with the lowest srtt; another one takes
 *		      over when it is 20 % better for SCHED_SWITCH_US, or
 *		      at once when the current one becomes unusable.
 *
 * In every strategy a backup link is used only while no other link is
 * usable.  Except in round_robin, a link whose srtt is far above the
 * others' (more than bulk_rtt_pct percent of the lower median, or above
 * max_rtt_us) carries bulk only while every other link has more than
 * SCHED_FULL_US queued, here and at its bottleneck: a satellite or a
 * congested LTE link would reorder more than it adds.
 *
 * Usage: sched_init() once; sched_link_update() whenever the core has a
 * new link_info or the link's usability changes; per packet
 * id = sched_pick() then sched_sent(id) once the packet is queued (also
 * for packets sent on a link chosen otherwise: resends, duplicates,
 * pinned flows), so the virtual queue and the quota stay true; it
 * returns the packet's departure time on that link, when the virtual
 * queue reaches it, which the core's pacing follows.
 * sched_pick() advances the rotation of weighted, round_robin and
 * single_best: call it only for packets that will be sent.
 */

#ifndef SCHEDULER_H
#define SCHEDULER_H

#include <stddef.h>
#include <stdint.h>

#include "bondd.h"
#include "config.h"
#include "linkinfo.h"

#define SCHED_DEFAULT_RATE	10000000ULL	/* bit/s, nothing known */
#define SCHED_FULL_US		20000	/* tiered_fill: a full queue */
#define SCHED_SWITCH_US		1000000	/* single_best: hold-down */
#define SCHED_SMALL_PKT		100	/* sched_pick_best_latency() */
#define SCHED_BULK_RTT_PCT	250	/* default: 2.5 x the median srtt */

struct sched_link {
	int		 present;
	int		 usable;	/* as the core says */
	uint32_t	 state;		/* enum link_state */
	uint64_t	 rate_bps;	/* capacity estimate, never 0 */
	int32_t		 owd_us;	/* relative, or LINK_OWD_UNKNOWN */
	uint32_t	 queue_us;	/* standing queue at the bottleneck */
	uint32_t	 srtt_us;	/* 0 = unknown */
	uint32_t	 loss_ppm;	/* send loss */
	uint32_t	 priority;	/* tier, 1.. */
	int		 backup;
	uint64_t	 quota_bytes;	/* 0 = none */
	uint64_t	 bytes_sent;	/* since the link was added */
	uint64_t	 busy_ns;	/* the virtual queue is empty then */
	int64_t		 wrr_cur;	/* weighted: credit, bytes << 16 */
};

struct sched {
	enum conf_strategy strategy;
	struct sched_link link[BONDD_MAX_LINKS];
	int		 rr_last;	/* round_robin: last link */
	unsigned int	 wrr_set;	/* weighted: links in the rotation */
	int		 sb_cur;	/* single_best: current, -1 = none */
	int		 sb_cand;	/* challenger, -1 = none */
	uint64_t	 sb_since_us;	/* challenger better since */
	uint32_t	 bulk_rtt_pct;	/* 0: no srtt exclusion */
	uint32_t	 max_rtt_us;	/* 0: none */
};

/* Empty scheduler, no links. */
void	 sched_init(struct sched *, enum conf_strategy);
/* Change strategy (config reload); keeps links and their queues. */
void	 sched_set_strategy(struct sched *, enum conf_strategy);
/* Links slower than pct percent of the median srtt, or than max_us,
 * carry bulk only when needed (0 turns either test off). */
void	 sched_set_bulk_rtt(struct sched *, uint32_t pct, uint32_t max_us);
/* Bit i set: link i is out of the bulk set now for its srtt. */
unsigned int sched_excluded(const struct sched *);
/* Add or refresh link id (0..BONDD_MAX_LINKS-1) from its link_info;
 * usable: session up, state RUNNING or LOSSY, not admin down.  Returns
 * -1 if id is out of range. */
int	 sched_link_update(struct sched *, int, const struct link_info *,
	    int);
void	 sched_link_remove(struct sched *, int);
/* The link for a packet of that many bytes, -1 if none is usable. */
int	 sched_pick(struct sched *, uint64_t, size_t);
/* Account bytes queued on link id (virtual queue and quota); the time
 * they depart, now or later, 0 for a bad id. */
uint64_t sched_sent(struct sched *, int, size_t, uint64_t);
/* The usable link (not exclude; -1 excludes nothing) where a small
 * packet that skips the links' queues arrives first, whatever the
 * strategy: realtime traffic, resends, NACKs, duplicates.  -1 if none.
 * Changes no state. */
int	 sched_pick_best_latency(struct sched *, uint64_t, int);
/*
 * 1 if a packet queued on link id now would arrive more than limit_us
 * after the slowest link that bulk may use now would bring it without
 * a queue: the tunnel's entrance is full.  Waiting behind a fast link's
 * queue up to the slowest link's delay is how earliest arrival fills
 * the slow links, so that much is not counted against the limit.
 * Never 1 while the link's own queue is empty.
 */
int	 sched_over_limit(const struct sched *, int, uint64_t, uint64_t);
/* Time the link's virtual queue needs to drain, in microseconds. */
uint64_t sched_queue_us(const struct sched *, int, uint64_t);

#endif /* SCHEDULER_H */
