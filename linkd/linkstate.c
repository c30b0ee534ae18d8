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
 * The link state machine: when a link carries data and when it stops.
 * Pure logic on a clock passed in microseconds, driven by linkd from
 * authenticated traffic, probe answers, loss figures, send errors and
 * the parent's carrier events.  Flap damping doubles the answered
 * probes a link needs to come back each time it fails soon after it
 * came up.
 */

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "linkinfo.h"
#include "linkstate.h"

static int	ls_set(struct linkstate *, uint64_t, uint32_t);
static int	ls_watched(const struct linkstate *, uint32_t);
static uint64_t	ls_suspect_us(const struct linkstate *);
static uint64_t	ls_ask_wait_us(uint32_t, uint32_t);

void
ls_init(struct linkstate *ls, const struct ls_conf *c, uint64_t now)
{
	memset(ls, 0, sizeof(*ls));
	ls->conf = *c;
	if (ls->conf.recover_probes == 0)
		ls->conf.recover_probes = 1;
	ls->state = LINK_STATE_PROBING;
	ls->since_us = now;
	ls->last_rx_us = now;
	ls->gap_sub_us = now;
	ls->damp = 1;
}

uint32_t
ls_need(const struct linkstate *ls)
{
	return (ls->conf.recover_probes * ls->damp);
}

uint64_t
ls_timeout_us(const struct linkstate *ls, uint32_t srtt_us)
{
	uint64_t	timeout_us = ls->conf.down_after_us;

	if (3ULL * srtt_us > timeout_us)
		timeout_us = 3ULL * srtt_us;
	return (timeout_us);
}

static int
ls_set(struct linkstate *ls, uint64_t now, uint32_t state)
{
	if (ls->state == state)
		return (0);
	if (state == LINK_STATE_DOWN && ls->running_us != 0) {
		/* A flap: it failed soon after it came up. */
		if (now - ls->running_us < LS_FLAP_US &&
		    ls->damp < LS_DAMP_MAX)
			ls->damp *= 2;
		ls->running_us = 0;
	}
	if (state == LINK_STATE_RUNNING && ls->state == LINK_STATE_PROBING)
		ls->running_us = now;
	if (state == LINK_STATE_PROBING || state == LINK_STATE_DOWN)
		ls->answered = 0;
	ls->ask_us = 0;
	ls->watch_down = 0;
	ls->state = state;
	ls->since_us = now;
	return (1);
}

int
ls_rx(struct linkstate *ls, uint64_t now)
{
	uint64_t	gap = ls->rx_seen ? now - ls->last_rx_us : 0;

	if (now - ls->gap_sub_us >= LS_GAP_SUB_US) {
		/* A sub-window without any datagram leaves no gap of
		 * its own: the long gap that ends now stands for it. */
		ls->gap_max[1] = now - ls->gap_sub_us >= 2 * LS_GAP_SUB_US ?
		    0 : ls->gap_max[0];
		ls->gap_max[0] = 0;
		ls->gap_sub_us = now;
	}
	if (gap > ls->gap_max[0])
		ls->gap_max[0] = gap;
	ls->ask_us = 0;
	ls->last_rx_us = now;
	ls->rx_seen = 1;
	if (ls->watch_down && !ls->carrier_down &&
	    gap < ls->conf.down_after_us) {
		ls->watch_down = 0;
		ls->state = ls->watch_was;
		ls->since_us = now;
		ls->damp = ls->watch_damp;
		ls->running_us = ls->watch_running_us;
		return (1);
	}
	if (ls->state == LINK_STATE_DOWN && !ls->carrier_down)
		return (ls_set(ls, now, LINK_STATE_PROBING));
	return (0);
}

int
ls_answered(struct linkstate *ls, uint64_t now)
{
	if (ls->state != LINK_STATE_PROBING)
		return (0);
	if (++ls->answered < ls_need(ls))
		return (0);
	return (ls_set(ls, now, LINK_STATE_RUNNING));
}

/* Hysteresis: LOSSY above the threshold, RUNNING again below half. */
int
ls_loss(struct linkstate *ls, uint64_t now, uint32_t tx_ppm, uint32_t rx_ppm)
{
	uint32_t	loss = tx_ppm > rx_ppm ? tx_ppm : rx_ppm;

	if (ls->state == LINK_STATE_RUNNING && loss > ls->conf.lossy_ppm)
		return (ls_set(ls, now, LINK_STATE_LOSSY));
	if (ls->state == LINK_STATE_LOSSY && loss < ls->conf.lossy_ppm / 2)
		return (ls_set(ls, now, LINK_STATE_RUNNING));
	return (0);
}

int
ls_timer(struct linkstate *ls, uint64_t now, uint32_t srtt_us)
{
	int	silent;

	silent = now - ls->last_rx_us >= ls_timeout_us(ls, srtt_us);
	/* The floor confirms a DOWN of the watch: an outage. */
	if (ls->watch_down && silent)
		ls->watch_down = 0;
	if (ls->running_us != 0 && now - ls->running_us >= LS_STABLE_US)
		ls->damp = 1;
	switch (ls->state) {
	case LINK_STATE_RUNNING:
	case LINK_STATE_LOSSY:
		if (silent)
			return (ls_set(ls, now, LINK_STATE_DOWN));
		break;
	case LINK_STATE_PROBING:
		/* Answers must come in a row, not spread over outages. */
		if (silent)
			ls->answered = 0;
		break;
	}
	return (0);
}

/* Only a link that carries, with a round trip measured, is watched. */
static int
ls_watched(const struct linkstate *ls, uint32_t srtt_us)
{
	return ((ls->state == LINK_STATE_RUNNING ||
	    ls->state == LINK_STATE_LOSSY) && ls->rx_seen && srtt_us != 0);
}

/* Silence that makes the link suspect: several of its usual gaps. */
static uint64_t
ls_suspect_us(const struct linkstate *ls)
{
	uint64_t	usual = ls->gap_max[0] > ls->gap_max[1] ?
			    ls->gap_max[0] : ls->gap_max[1];

	if (LS_SUSPECT_GAPS * usual < LS_SUSPECT_MIN_US)
		return (LS_SUSPECT_MIN_US);
	return (LS_SUSPECT_GAPS * usual);
}

/* The answer to an ask crosses the link both ways, through whatever
 * queue stands there now: two smoothed round trips and their spread. */
static uint64_t
ls_ask_wait_us(uint32_t srtt_us, uint32_t rttvar_us)
{
	uint64_t	wait = 2ULL * srtt_us + 4ULL * rttvar_us;

	return (wait < LS_ASK_WAIT_MIN_US ? LS_ASK_WAIT_MIN_US : wait);
}

/*
 * Two asks, a quarter of the wait apart, so that one lost probe or
 * answer does not take a working link down; any datagram from the peer
 * ends the suspicion (ls_rx).  Invariant: ask_us != 0 only while
 * watched and silent since ask_us.
 */
enum ls_watch
ls_watch(struct linkstate *ls, uint64_t now, uint32_t srtt_us,
    uint32_t rttvar_us)
{
	uint64_t	wait = ls_ask_wait_us(srtt_us, rttvar_us);

	if (!ls_watched(ls, srtt_us)) {
		ls->ask_us = 0;
		return (LS_WATCH_NONE);
	}
	if (ls->ask_us == 0) {
		if (now - ls->last_rx_us < ls_suspect_us(ls))
			return (LS_WATCH_NONE);
		ls->ask_us = now;
		ls->asks = 1;
		return (LS_WATCH_ASK);
	}
	if (now - ls->ask_us >= wait) {
		ls->watch_was = ls->state;
		ls->watch_damp = ls->damp;
		ls->watch_running_us = ls->running_us;
		ls_set(ls, now, LINK_STATE_DOWN);
		ls->watch_down = 1;
		return (LS_WATCH_DOWN);
	}
	if (ls->asks == 1 && now - ls->ask_us >= wait / 4) {
		ls->asks = 2;
		return (LS_WATCH_ASK);
	}
	return (LS_WATCH_NONE);
}

uint64_t
ls_watch_due(const struct linkstate *ls, uint32_t srtt_us, uint32_t rttvar_us)
{
	uint64_t	wait = ls_ask_wait_us(srtt_us, rttvar_us);

	if (!ls_watched(ls, srtt_us))
		return (0);
	if (ls->ask_us == 0)
		return (ls->last_rx_us + ls_suspect_us(ls));
	return (ls->ask_us + (ls->asks == 1 ? wait / 4 : wait));
}

int
ls_send_error(struct linkstate *ls, uint64_t now, int err)
{
	switch (err) {
	case ENETDOWN:
	case ENETUNREACH:
	case EHOSTUNREACH:
	case ENODEV:
	case EADDRNOTAVAIL:
		return (ls_set(ls, now, LINK_STATE_DOWN));
	default:
		return (0);
	}
}

int
ls_carrier(struct linkstate *ls, uint64_t now, int up)
{
	ls->carrier_down = !up;
	if (!up)
		return (ls_set(ls, now, LINK_STATE_DOWN));
	if (ls->state == LINK_STATE_DOWN)
		return (ls_set(ls, now, LINK_STATE_PROBING));
	return (0);
}

int
ls_dead(struct linkstate *ls, uint64_t now)
{
	return (ls_set(ls, now, LINK_STATE_DOWN));
}
