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
 * The link state machine of linkd: PROBING -> RUNNING <-> LOSSY,
 * DOWN on silence, a path-gone send error or carrier loss, back to
 * PROBING when an authenticated packet arrives.  A carrying link that
 * falls silent for several of its usual gaps between datagrams asks the
 * peer for an answer at once and is DOWN when none comes within about
 * two round trips: a black hole is noticed in a fraction of the silence
 * floor, while an idle link, whose usual gap is long, keeps that floor.
 * A link so taken DOWN that speaks again before the floor was only
 * slow (a stalled host, a queue): it is back as it was at once, with
 * no probes to prove and no flap counted.
 * Pure logic with the
 * clock passed in microseconds; every call returns 1 when the state
 * changed, so the caller tells the core at once.  Runs in linkd on
 * measurements of authenticated traffic.
 */

#ifndef LINKSTATE_H
#define LINKSTATE_H

#include <stdint.h>

#include "linkinfo.h"

#define LS_FLAP_US		30000000ULL	/* DOWN this soon: a flap */
#define LS_STABLE_US		60000000ULL	/* forgets the flaps */
#define LS_DAMP_MAX		8		/* probes needed x 8 at most */
#define LS_GAP_SUB_US		500000ULL	/* usual gap: 2 x 0.5 s max */
#define LS_SUSPECT_GAPS		2		/* silence of 2 usual gaps */
#define LS_SUSPECT_MIN_US	20000ULL	/* but never under 20 ms */
#define LS_ASK_WAIT_MIN_US	80000ULL	/* an answer may take 80 ms */

/* What ls_watch wants done. */
enum ls_watch {
	LS_WATCH_NONE,
	LS_WATCH_ASK,		/* send a probe the peer answers at once */
	LS_WATCH_DOWN		/* the state changed to DOWN */
};

struct ls_conf {
	uint64_t	down_after_us;	/* silence floor before DOWN */
	uint32_t	lossy_ppm;
	uint32_t	recover_probes;
};

struct linkstate {
	struct ls_conf	 conf;
	uint32_t	 state;		/* enum link_state */
	uint64_t	 since_us;	/* entered the state */
	uint64_t	 running_us;	/* became RUNNING, 0 = not up */
	uint64_t	 last_rx_us;	/* last authenticated datagram */
	int		 rx_seen;
	uint32_t	 answered;	/* answered probes while PROBING */
	uint32_t	 damp;		/* 1, 2, 4, 8 */
	int		 carrier_down;
	uint64_t	 gap_max[2];	/* longest gap, this and last sub-window */
	uint64_t	 gap_sub_us;	/* this sub-window began */
	uint64_t	 ask_us;	/* first ask of this silence, 0 = none */
	int		 asks;		/* 1 or 2 sent */
	/* DOWN by ls_watch, undone if the link speaks again before the
	 * silence floor: what it was before. */
	int		 watch_down;
	uint32_t	 watch_was, watch_damp;
	uint64_t	 watch_running_us;
};

void	 ls_init(struct linkstate *, const struct ls_conf *, uint64_t now);
/* Probes now needed before RUNNING. */
uint32_t ls_need(const struct linkstate *);
/* Silence after which a carrying link is DOWN, in microseconds. */
uint64_t ls_timeout_us(const struct linkstate *, uint32_t srtt_us);
int	 ls_rx(struct linkstate *, uint64_t now);
int	 ls_answered(struct linkstate *, uint64_t now);
int	 ls_loss(struct linkstate *, uint64_t now, uint32_t tx_ppm,
	    uint32_t rx_ppm);
int	 ls_timer(struct linkstate *, uint64_t now, uint32_t srtt_us);
/* The fast silence check of a RUNNING or LOSSY link, due at
 * ls_watch_due (0: nothing to watch). */
enum ls_watch ls_watch(struct linkstate *, uint64_t now, uint32_t srtt_us,
	    uint32_t rttvar_us);
uint64_t ls_watch_due(const struct linkstate *, uint32_t srtt_us,
	    uint32_t rttvar_us);
/* A local send error: DOWN at once when errno says the path is gone. */
int	 ls_send_error(struct linkstate *, uint64_t now, int err);
int	 ls_carrier(struct linkstate *, uint64_t now, int up);
/* The session layer gave up (no keys): DOWN. */
int	 ls_dead(struct linkstate *, uint64_t now);

#endif /* LINKSTATE_H */
