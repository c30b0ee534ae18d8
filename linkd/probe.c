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
 * Link measurement of linkd: what probes, their echoes and the outer
 * counters of authenticated datagrams tell about the link in each
 * direction.  Pure logic, the clock is passed in microseconds.  The
 * probes come from the authenticated peer, which may still lie or be
 * buggy: echoes must match a probe we sent, values are clamped.
 */

#include <stdint.h>
#include <string.h>

#include "linkinfo.h"
#include "wire.h"
#include "probe.h"
#include "slots.h"

#define LOSS_SHIFT	2	/* EWMA gain 1/4 per window */
#define PPM		1000000ULL
#define PROBE_JITTER_MAX_US	60000000ULL	/* a minute */

static void	owd_advance(struct probe *, uint64_t);
static void	base_advance(struct probe *, uint64_t);
static void	loss_close(struct probe *, uint64_t);

void
probe_init(struct probe *p, uint64_t now)
{
	int	i;

	memset(p, 0, sizeof(*p));
	p->peer_owd_us = LINK_OWD_UNKNOWN;
	for (i = 0; i < PROBE_OWD_SUBS; i++)
		p->owd_min[i] = PROBE_OWD_NONE;
	p->owd_sub_start_us = now;
	p->owd_recent = PROBE_OWD_NONE;
	p->peer_owd_recent_us = WIRE_OWD_NONE;
	p->queue_last_us = UINT32_MAX;
	for (i = 0; i < PROBE_BASE_SUBS; i++)
		p->base_min[i] = PROBE_OWD_NONE;
	p->base_sub_start_us = now;
}

void
probe_build(struct probe *p, uint64_t now, const struct probe_local *l,
    uint8_t state, uint64_t rx_bytes, struct wire_probe *w)
{
	struct probe_sent	*ps;
	uint64_t		 hold_us;

	memset(w, 0, sizeof(*w));
	if (++p->seq == 0)
		p->seq = 1;
	ps = &p->sent[p->seq % PROBE_HIST];
	ps->seq = p->seq;
	ps->tx_us = now;
	ps->answered = 0;
	p->probes_tx++;

	w->seq = p->seq;
	w->tx_us = now;
	if (p->echo_seq != 0) {
		hold_us = now - p->echo_arrival_us;
		w->echo_seq = p->echo_seq;
		w->echo_tx_us = p->echo_tx_us;
		w->echo_hold_us = hold_us > UINT32_MAX ? UINT32_MAX :
		    (uint32_t)hold_us;
	}
	w->rx_loss_ppm = probe_loss_rx_ppm(p);
	w->rx_bytes = rx_bytes;
	w->owd_us = probe_owd_us(p);
	w->owd_recent_us = p->owd_recent == PROBE_OWD_NONE ? WIRE_OWD_NONE :
	    p->owd_recent;
	p->owd_recent = PROBE_OWD_NONE;
	w->rate_bps = l->rate_bps;
	w->priority = l->priority;
	w->flags = l->flags & WIRE_PROBE_BACKUP;
	w->state = state < LINK_STATE_MAX ? state : LINK_STATE_DOWN;
	w->quota_bytes = l->quota_bytes;
}

/* RFC 6298: the first sample sets SRTT and RTTVAR = R/2. */
static void
rtt_sample(struct probe *p, uint64_t rtt_us)
{
	uint64_t	d_us;

	if (rtt_us == 0)
		rtt_us = 1;
	if (rtt_us > UINT32_MAX / 2)
		rtt_us = UINT32_MAX / 2;
	if (p->srtt_us == 0) {
		p->srtt_us = (uint32_t)rtt_us;
		p->rttvar_us = (uint32_t)(rtt_us / 2);
		return;
	}
	d_us = rtt_us > p->srtt_us ? rtt_us - p->srtt_us :
	    p->srtt_us - rtt_us;
	p->rttvar_us = (uint32_t)((3ULL * p->rttvar_us + d_us) / 4);
	p->srtt_us = (uint32_t)((7ULL * p->srtt_us + rtt_us) / 8);
}

int
probe_input(struct probe *p, uint64_t now, const struct wire_probe *w)
{
	struct probe_sent	*ps;
	uint64_t		 elapsed_us, bytes, dt_us, gap_rx, gap_tx, d_us;
	uint32_t		 q;
	int			 answered = 0;

	p->probes_rx++;

	/* RFC 3550 jitter from probes, which leave at known times.  The
	 * peer's times are any 64-bit values: |D| is taken unsigned, and
	 * a sample beyond PROBE_JITTER_MAX_US is no jitter of a link. */
	if (p->have_last && w->tx_us > p->last_tx_us &&
	    now >= p->last_arrival_us) {
		gap_rx = now - p->last_arrival_us;
		gap_tx = w->tx_us - p->last_tx_us;
		d_us = gap_rx > gap_tx ? gap_rx - gap_tx : gap_tx - gap_rx;
		if (d_us > PROBE_JITTER_MAX_US)
			d_us = PROBE_JITTER_MAX_US;
		/* J += (|D| - J) / 16, kept times 16. */
		p->jitter_x16 = p->jitter_x16 + d_us - p->jitter_x16 / 16;
	}
	if (!p->have_last || w->tx_us > p->last_tx_us) {
		p->have_last = 1;
		p->last_tx_us = w->tx_us;
		p->last_arrival_us = now;
		p->echo_seq = w->seq;
		p->echo_tx_us = w->tx_us;
		p->echo_arrival_us = now;
	}

	/* An echo counts once, of a probe we sent and still remember. */
	ps = &p->sent[w->echo_seq % PROBE_HIST];
	if (w->echo_seq != 0 && ps->seq == w->echo_seq &&
	    ps->tx_us == w->echo_tx_us && !ps->answered &&
	    now >= ps->tx_us) {
		elapsed_us = now - ps->tx_us;
		if (w->echo_hold_us < elapsed_us) {
			ps->answered = 1;
			rtt_sample(p, elapsed_us - w->echo_hold_us);
			p->answered++;
			answered = 1;
		}
	}

	/* The peer's view of our send direction. */
	p->peer_seen = 1;
	p->loss_tx_ppm = w->rx_loss_ppm > PPM ? PPM : w->rx_loss_ppm;
	p->peer_owd_us = w->owd_us;
	p->peer_owd_recent_us = w->owd_recent_us;
	base_advance(p, now);
	if (w->owd_recent_us != WIRE_OWD_NONE &&
	    w->owd_recent_us < p->base_min[p->base_cur])
		p->base_min[p->base_cur] = w->owd_recent_us;
	if ((q = probe_queue_us(p)) != UINT32_MAX) {
		p->queue_last_us = q;
		p->queue_misses = 0;
	} else if (p->queue_misses < UINT32_MAX)
		p->queue_misses++;
	p->peer_rate_bps = w->rate_bps;
	p->peer_priority = w->priority;
	p->peer_flags = w->flags;
	p->peer_state = w->state;
	p->peer_quota = w->quota_bytes;
	if (!p->peer_rx_ref || w->rx_bytes < p->peer_rx_bytes ||
	    w->tx_us < p->peer_rx_tx_us) {
		p->peer_rx_ref = 1;
		p->peer_rx_bytes = w->rx_bytes;
		p->peer_rx_tx_us = w->tx_us;
	} else if ((dt_us = w->tx_us - p->peer_rx_tx_us) >= PROBE_RATE_US) {
		bytes = w->rx_bytes - p->peer_rx_bytes;
		p->rate_rx_bps = bytes > UINT64_MAX / 8000000 ? UINT64_MAX :
		    bytes * 8000000 / dt_us;
		p->peer_rx_bytes = w->rx_bytes;
		p->peer_rx_tx_us = w->tx_us;
	}
	return (answered);
}

/* One receive-loss window: 1 - received / expected, then the EWMA. */
static void
loss_close(struct probe *p, uint64_t now)
{
	uint64_t	expected, loss;

	expected = p->win_hi - p->win_base + 1;
	if (now - p->win_start_us < PROBE_LOSS_WIN_US ||
	    expected < PROBE_LOSS_WIN_PKTS || p->win_rx == 0)
		return;
	loss = p->win_rx >= expected ? 0 :
	    (expected - p->win_rx) * PPM / expected;
	if (!p->loss_known) {
		p->loss_known = 1;
		p->loss_rx_x16 = loss * 16;
	} else
		p->loss_rx_x16 = p->loss_rx_x16 -
		    (p->loss_rx_x16 >> LOSS_SHIFT) + ((loss * 16) >> LOSS_SHIFT);
	p->win_start_us = now;
	p->win_base = p->win_hi + 1;
	p->win_rx = 0;
}

void
probe_rx_counter(struct probe *p, uint64_t now, uint32_t kp_index,
    uint64_t counter)
{
	/* Late datagrams under the keys before a rekey: not counted. */
	if (p->loss_started && kp_index == p->loss_old_idx &&
	    kp_index != p->loss_idx)
		return;
	if (!p->loss_started || kp_index != p->loss_idx) {
		/* New keys count from 0 again: a fresh window. */
		p->loss_old_idx = p->loss_started ? p->loss_idx : kp_index;
		p->loss_started = 1;
		p->loss_idx = kp_index;
		p->win_start_us = now;
		p->win_base = p->win_hi = counter;
		p->win_rx = 1;
		return;
	}
	if (counter < p->win_base)
		return;		/* belonged to a closed window */
	if (counter > p->win_hi)
		p->win_hi = counter;
	p->win_rx++;
	loss_close(p, now);
}

void
probe_loss_reset(struct probe *p)
{
	p->loss_started = 0;
	p->loss_known = 0;
	p->loss_rx_x16 = 0;
	p->loss_tx_ppm = 0;
}

/* Start sub-windows up to now, dropping those older than the window. */
static void
owd_advance(struct probe *p, uint64_t now)
{
	int	k;

	k = slots_advance(&p->owd_sub_start_us, &p->owd_cur, PROBE_OWD_SUBS,
	    PROBE_OWD_SUB_US, now);
	while (k-- > 0)
		p->owd_min[slots_back(p->owd_cur, PROBE_OWD_SUBS, k)] =
		    PROBE_OWD_NONE;
}

void
probe_owd_sample(struct probe *p, uint64_t now, uint32_t send_ts_us)
{
	int32_t	owd_us;

	owd_advance(p, now);
	/* Both clocks wrap at 2^32 us; the difference does not care. */
	owd_us = (int32_t)((uint32_t)now - send_ts_us);
	if (owd_us == PROBE_OWD_NONE || owd_us == LINK_OWD_UNKNOWN)
		return;
	if (owd_us < p->owd_min[p->owd_cur])
		p->owd_min[p->owd_cur] = owd_us;
	if (owd_us < p->owd_recent)
		p->owd_recent = owd_us;
}

/* Start base sub-windows up to now, dropping the oldest. */
static void
base_advance(struct probe *p, uint64_t now)
{
	int	k;

	k = slots_advance(&p->base_sub_start_us, &p->base_cur,
	    PROBE_BASE_SUBS, PROBE_BASE_SUB_US, now);
	while (k-- > 0)
		p->base_min[slots_back(p->base_cur, PROBE_BASE_SUBS, k)] =
		    PROBE_OWD_NONE;
}

uint32_t
probe_queue_us(const struct probe *p)
{
	int32_t	base = PROBE_OWD_NONE;
	int64_t	q;
	int	i;

	for (i = 0; i < PROBE_BASE_SUBS; i++)
		if (p->base_min[i] < base)
			base = p->base_min[i];
	if (base == PROBE_OWD_NONE || p->peer_owd_recent_us == WIRE_OWD_NONE ||
	    p->peer_owd_recent_us == PROBE_OWD_NONE)
		return (UINT32_MAX);
	q = (int64_t)p->peer_owd_recent_us - base;
	return (q < 0 ? 0 : q >= UINT32_MAX ? UINT32_MAX - 1 : (uint32_t)q);
}

uint32_t
probe_queue_shown_us(const struct probe *p)
{
	return (p->queue_misses <= PROBE_QUEUE_HOLD ? p->queue_last_us :
	    UINT32_MAX);
}

void
probe_tick(struct probe *p, uint64_t now, uint64_t tx_bytes,
    uint64_t rx_bytes)
{
	uint64_t	dt_us;

	owd_advance(p, now);
	if (p->loss_started)
		loss_close(p, now);
	if (!p->own_ref || tx_bytes < p->own_tx_bytes ||
	    rx_bytes < p->own_rx_bytes) {
		p->own_ref = 1;
		p->own_ref_us = now;
		p->own_tx_bytes = tx_bytes;
		p->own_rx_bytes = rx_bytes;
		return;
	}
	if ((dt_us = now - p->own_ref_us) < PROBE_RATE_US)
		return;
	p->rate_tx_bps = (tx_bytes - p->own_tx_bytes) * 8000000 / dt_us;
	p->rate_own_rx_bps = (rx_bytes - p->own_rx_bytes) * 8000000 / dt_us;
	p->own_ref_us = now;
	p->own_tx_bytes = tx_bytes;
	p->own_rx_bytes = rx_bytes;
}

uint32_t
probe_loss_rx_ppm(const struct probe *p)
{
	return ((uint32_t)(p->loss_rx_x16 / 16));
}

uint32_t
probe_jitter_us(const struct probe *p)
{
	uint64_t	jitter_us = p->jitter_x16 / 16;

	return (jitter_us > UINT32_MAX ? UINT32_MAX : (uint32_t)jitter_us);
}

int32_t
probe_owd_us(const struct probe *p)
{
	int32_t	m = PROBE_OWD_NONE;
	int	i;

	for (i = 0; i < PROBE_OWD_SUBS; i++)
		if (p->owd_min[i] < m)
			m = p->owd_min[i];
	return (m == PROBE_OWD_NONE ? LINK_OWD_UNKNOWN : m);
}
