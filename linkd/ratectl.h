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
 * Capacity estimate of a link's send direction when the operator gave
 * no rate: a controller in the spirit of MUD that compares what the
 * peer receives with what we send, and watches send loss and queueing
 * delay.  Pure logic with the clock passed in microseconds; no
 * syscalls.  Its inputs come from the peer's probes, which are
 * authenticated but not trusted: every value is clamped, and the
 * estimate always stays between RC_MIN_BPS and RC_MAX_BPS.
 */

#ifndef RATECTL_H
#define RATECTL_H

#include <stdint.h>

#define RC_START_BPS	10000000ULL	/* first guess: 10 Mbit/s */
#define RC_MIN_BPS	64000ULL	/* never below 64 kbit/s */
#define RC_MAX_BPS	100000000000ULL	/* 100 Gbit/s: no overflow */
#define RC_CYCLE_US	100000		/* cycle: max(SRTT, 100 ms), */
#define RC_CYCLE_MAX_US	2000000		/* but at most 2 s */
#define RC_LOSS_PKTS	1000		/* sent since a change before
					   loss is judged */
#define RC_PEAK_SLOTS	3		/* 3 x 10 s: the floor's window */
#define RC_PEAK_SLOT_US	10000000
#define RC_DECAY_US	10000000	/* min SRTT 15/16 per 10 s */

/* What linkd measured when it calls ratectl_update(). */
struct ratectl_sample {
	uint64_t	tx_bps;		/* we sent, last rate window */
	uint64_t	rx_bps;		/* the peer received from us */
	uint64_t	rx_gen;		/* changes with each new rx_bps */
	uint64_t	tx_packets;	/* datagrams sent, cumulative */
	uint32_t	loss_tx_ppm;	/* send loss, as the peer measured */
	uint32_t	srtt_us;	/* 0 = no RTT sample yet */
};

struct ratectl {
	uint64_t	est_bps;
	uint64_t	cycle_us;	/* last cycle */
	uint64_t	gen;		/* rx_gen judged last */
	int		have_gen;
	int		have_sample;	/* a measurement since init */
	uint64_t	change_pkts;	/* tx_packets at the last change */
	uint32_t	min_srtt_us;	/* 0 = unknown */
	uint64_t	decay_us;	/* last decay of min_srtt_us */
	uint64_t	peak[RC_PEAK_SLOTS];	/* highest estimate per slot */
	int		peak_cur;
	uint64_t	peak_start_us;
	uint64_t	ups, downs;	/* changes made, for tests and logs */
};

/* start_bps 0: RC_START_BPS. */
void	 ratectl_init(struct ratectl *, uint64_t now, uint64_t start_bps);
/* At every probe tick; 1 when the estimate changed. */
int	 ratectl_update(struct ratectl *, uint64_t now,
	    const struct ratectl_sample *);
uint64_t ratectl_floor(const struct ratectl *);

#endif /* RATECTL_H */
