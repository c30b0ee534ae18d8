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
 * Per-link measurement from probes and counters: RTT and its variance
 * (RFC 6298), jitter (RFC 3550), loss of each direction, delivered
 * rates, the one-way-delay minimum and the queue standing at the
 * bottleneck of our send direction: how far the least delay the peer
 * saw since its previous probe sits above the least it reported over
 * the last PROBE_BASE_SUBS x PROBE_BASE_SUB_US.  Pure logic with the clock
 * passed in microseconds; no syscalls.  Runs in linkd on probes that
 * were authenticated but come from the peer, so every value taken from
 * one is clamped before use.
 */

#ifndef PROBE_H
#define PROBE_H

#include <stdint.h>

#include "linkinfo.h"
#include "wire.h"

#define PROBE_HIST		16	/* sent probes remembered for echoes */
#define PROBE_OWD_SUBS		4	/* owd window in sub-window minima */
#define PROBE_OWD_SUB_US	500000	/* 4 x 0.5 s: a 2 s window */
#define PROBE_LOSS_WIN_US	1000000	/* loss window: at least 1 s */
#define PROBE_LOSS_WIN_PKTS	100	/* and 100 packets expected */
#define PROBE_RATE_US		200000	/* rates over at least 200 ms */
#define PROBE_BASE_SUBS		4	/* base delay: 4 x 2.5 s */
#define PROBE_BASE_SUB_US	2500000
#define PROBE_QUEUE_HOLD	3	/* probes a queue reading is shown */
#define PROBE_OWD_NONE		INT32_MAX	/* empty sub-window */

struct probe_sent {
	uint32_t	seq;
	uint64_t	tx_us;
	int		answered;
};

/* What this side tells the peer about its link (client config). */
struct probe_local {
	uint64_t	rate_bps;	/* client: down rate, server: 0 */
	uint8_t		priority;
	uint8_t		flags;		/* WIRE_PROBE_BACKUP */
	uint64_t	quota_bytes;
};

struct probe {
	/* sending */
	uint32_t	 seq;		/* last sent, 0 = none */
	struct probe_sent sent[PROBE_HIST];
	uint64_t	 probes_tx, probes_rx;
	uint64_t	 answered;	/* of ours, echoed in time */

	/* the peer's last probe, echoed in our next one */
	uint32_t	 echo_seq;
	uint64_t	 echo_tx_us;
	uint64_t	 echo_arrival_us;

	/* RTT, jitter */
	uint32_t	 srtt_us, rttvar_us;	/* 0 = no sample yet */
	uint64_t	 jitter_x16;		/* RFC 3550 J, times 16 */
	int		 have_last;
	uint64_t	 last_tx_us, last_arrival_us;

	/* receive loss from the outer counter, per keypair index */
	int		 loss_started;
	uint32_t	 loss_idx, loss_old_idx;
	uint64_t	 win_start_us, win_base, win_hi, win_rx;
	int		 loss_known;
	uint64_t	 loss_rx_x16;		/* ppm times 16 */

	/* what the peer reports */
	int		 peer_seen;
	uint32_t	 loss_tx_ppm;
	int32_t		 peer_owd_us;
	uint64_t	 peer_rate_bps;
	uint8_t		 peer_priority, peer_flags, peer_state;
	uint64_t	 peer_quota;
	int		 peer_rx_ref;
	uint64_t	 peer_rx_bytes, peer_rx_tx_us;
	uint64_t	 rate_rx_bps;		/* the peer receives from us */

	/* our own counters */
	int		 own_ref;
	uint64_t	 own_ref_us, own_tx_bytes, own_rx_bytes;
	uint64_t	 rate_tx_bps, rate_own_rx_bps;

	/* one-way delay: minimum over PROBE_OWD_SUBS sub-windows, and
	 * since our last probe */
	int32_t		 owd_min[PROBE_OWD_SUBS];
	int		 owd_cur;
	uint64_t	 owd_sub_start_us;
	int32_t		 owd_recent;

	/* the peer's recent minimum of our frames' delay, and its
	 * minimum over the last seconds: the base without a queue */
	int32_t		 peer_owd_recent_us;	/* WIRE_OWD_NONE: none */
	uint32_t	 queue_last_us;	/* the last known, UINT32_MAX none */
	uint32_t	 queue_misses;	/* probes since, that knew none */
	int32_t		 base_min[PROBE_BASE_SUBS];
	int		 base_cur;
	uint64_t	 base_sub_start_us;
};

void	 probe_init(struct probe *, uint64_t now);
/* Fill our next probe; the caller encrypts and sends it. */
void	 probe_build(struct probe *, uint64_t now, const struct probe_local *,
	    uint8_t state, uint64_t rx_bytes, struct wire_probe *);
/* A probe from the peer: 1 when it answered one of ours (an RTT
 * sample was taken), 0 otherwise. */
int	 probe_input(struct probe *, uint64_t now, const struct wire_probe *);
/* Every authenticated datagram from the peer: outer counter and the
 * local index of the keypair it came under. */
void	 probe_rx_counter(struct probe *, uint64_t now, uint32_t kp_index,
	    uint64_t counter);
/* Forget the loss of both directions: a link back from DOWN starts
 * afresh instead of carrying its outage in the average. */
void	 probe_loss_reset(struct probe *);
/* Every authenticated inner frame: its send_ts_us. */
void	 probe_owd_sample(struct probe *, uint64_t now, uint32_t send_ts_us);
/* Close windows that are due without traffic; update own rates. */
void	 probe_tick(struct probe *, uint64_t now, uint64_t tx_bytes,
	    uint64_t rx_bytes);
uint32_t probe_loss_rx_ppm(const struct probe *);
uint32_t probe_jitter_us(const struct probe *);
int32_t	 probe_owd_us(const struct probe *);
/* The queue standing at the bottleneck of our send direction now, in
 * microseconds, or UINT32_MAX while unknown. */
uint32_t probe_queue_us(const struct probe *);
/* The same for people and the scheduler: the last known reading while
 * at most PROBE_QUEUE_HOLD probes since carried none.  The peer knows
 * none in an interval in which no frame of ours arrived, as an idle
 * link's probes can fall; a reading that flickers to unknown says
 * nothing new.  The controller takes probe_queue_us(): it must not
 * judge one reading twice. */
uint32_t probe_queue_shown_us(const struct probe *);

#endif /* PROBE_H */
