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
 * What linkd tells the core about its link: the state machine's verdict
 * and the measurements behind it.  Sent as a PKTQ_LINK_INFO element at
 * every probe interval and at once when the state changes.  The core
 * checks every field's range before use.
 */

#ifndef LINKINFO_H
#define LINKINFO_H

#include <stdint.h>

enum link_state {
	LINK_STATE_PROBING = 0,	/* new or back from DOWN: not carrying data */
	LINK_STATE_RUNNING,	/* carrying data */
	LINK_STATE_LOSSY,	/* carrying data, loss above the threshold */
	LINK_STATE_DOWN,	/* silent: no data */
	LINK_STATE_WAITING,	/* its device, source address or the
				   server's address is missing (the
				   parent says so in status) */
	LINK_STATE_MAX
};

#define LINK_OWD_UNKNOWN	INT32_MIN

struct link_info {
	uint32_t	state;		/* enum link_state */
	uint32_t	srtt_us;	/* smoothed RTT, 0 = unknown */
	uint32_t	rttvar_us;
	uint32_t	jitter_us;	/* RFC 3550 interarrival jitter */
	/* Our send direction: the peer's minimum of (arrival - send_ts)
	 * over frames from us on this link.  Comparable across the links
	 * of one peer (same two clocks), not an absolute delay. */
	int32_t		owd_us;
	uint32_t	loss_tx_ppm;	/* send loss, as the peer measured */
	uint32_t	loss_rx_ppm;	/* receive loss, measured here */
	uint64_t	rate_cfg_bps;	/* configured rate of our send
					   direction, 0 = unknown */
	uint64_t	rate_rx_bps;	/* rate the peer receives from us */
	uint32_t	priority;	/* tier from the client's config, 1.. */
	uint32_t	backup;		/* used only when all others are down */
	uint64_t	quota_bytes;	/* tiered_fill quota, 0 = none */
	/* Capacity estimate of our send direction when none is
	 * configured (ratectl.c), 0 = no estimate yet. */
	uint64_t	rate_est_bps;
	/* The rate the core paces our send direction at: the estimate,
	 * RC_STARTUP_GAIN times it while the estimate still doubles
	 * toward a link's unknown rate; 0 = the estimate. */
	uint64_t	rate_pace_bps;
	/* Standing queue at the link's bottleneck in our send direction:
	 * how far the peer's recent minimum delay sits above the long-term
	 * minimum, 0 = none or unknown. */
	uint32_t	queue_us;
	/* Our receive direction: the least (arrival - send_ts) of the
	 * peer's frames here over the last seconds, probes included, or
	 * LINK_OWD_UNKNOWN; same clocks as the core's own samples. */
	int32_t		rx_owd_us;
};

/* "probing", "running", "lossy", "down", "waiting"; "unknown" out of
 * range. */
const char *link_state_name(uint32_t);
/* PROBE, RUN, LOSSY, DOWN, WAIT for log lines; "?" out of range. */
const char *link_state_short_name(uint32_t);

/*
 * What the core tells linkd about demand: bytes it held back for the
 * link's pace (they joined a queue more than a pacing burst deep) since
 * its previous report.  Traffic wanted more of the link than its
 * estimate gives: the rate controller may probe for more.  Sent as a
 * PKTQ_LINK_HELD element at most every LINK_HELD_REPORT_US, only when
 * nonzero; linkd clamps it.
 */
#define LINK_HELD_REPORT_US	50000

struct link_held {
	uint64_t	bytes;
};

#endif /* LINKINFO_H */
