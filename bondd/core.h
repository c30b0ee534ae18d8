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
 * The core role: it owns the TUN device and bonds the links of each
 * peer.  Its files share what is declared here: core.c starts the role
 * and follows the parent (configuration, reload, statistics);
 * core_tx.c carries packets from the TUN device to the linkd queues,
 * paced per link; core_rx.c carries frames from the linkd queues to the
 * TUN device and follows the links' state.  Runs sandboxed and unprivileged; holds no
 * keys and never sees bytes that linkd has not authenticated, and
 * trusts a linkd no more than the network.
 */

#ifndef CORE_H
#define CORE_H

#include <event2/event.h>
#include <stddef.h>
#include <stdint.h>

#include "bondd.h"
#include "config.h"
#include "fec.h"
#include "flow.h"
#include "linkinfo.h"
#include "messages.h"
#include "pktq.h"
#include "reorder.h"
#include "retx.h"
#include "scheduler.h"
#include "txq.h"

#define NO_LINKD	(-1)

/* One link of a peer, as the core sees it. */
struct core_link {
	int		 linkd;		/* session holder, or NO_LINKD */
	struct link_info info;		/* its linkd's last report */
	int		 have_info;
	int		 usable;	/* the scheduler may use it */
	uint64_t	 usable_since;
	int		 was_usable;	/* ever */
	uint64_t	 rate_bps;	/* paced and scheduled at */
	struct txq	 q;		/* frames waiting to depart */
	int		 has_last_seq;
	uint32_t	 last_seq;	/* the last data frame sent on it */
	uint64_t	 last_rx_us;	/* the peer's last frame on it */
	uint64_t	 held_bytes;	/* waited for its pace, unreported */
	uint64_t	 held_report_us;	/* last told to its linkd */
};

struct core_peer {
	char		 name[BONDD_PEER_NAME_MAX];
	struct conf_prefix allowed[BONDD_MAX_ALLOWED];
	int		 nallowed;
	uint32_t	 seq;		/* next frame sequence */
	struct core_link link[BONDD_MAX_LINKS];
	struct sched	 sched;
	int		 active;	/* the buffers below exist */
	struct reorder	*ro;
	struct flow_table *flows;
	struct retx	 retx;
	struct txq_pool	 txpool;	/* frames of every link's queue */
	struct fec_enc	*fec_enc;
	/* Only while the peer sends parity (fec_dec_use()); NULL else,
	 * and what decoders freed before counted in fec_dec_done. */
	struct fec_dec	*fec_dec;
	struct fec_dec_stats fec_dec_done;
	struct fec_tiersel fec_sel;
	struct fec_tier	 fec_tier;	/* of the blocks sent now */
	uint64_t	 last_parity_us; /* parity last came from the peer */
	struct event	*timer;
	uint64_t	 timer_at;	/* 0: not armed */
	uint64_t	 last_nack_us;
	int		 last_nack_link; /* the link the last NACK took */
	uint16_t	 peer_epoch;	/* the peer core's, 0 = none yet */
	uint16_t	 old_epoch;	/* its previous one */
	uint64_t	 fec_parity;	/* parity frames sent to it */
	uint64_t	 fec_skipped;	/* not sent: no room */
	uint64_t	 sparse_us;	/* sparse flows' window: start */
	uint64_t	 sparse_bytes;	/* and what they sent in it */
	uint64_t	 sparse_allow;	/* of a budget set when it opened */
};

/* The packet queue to and from one linkd. */
struct linkq {
	struct pktq	*q;
	struct event	*ev;		/* the socket: linkd gone */
	struct event	*ev_wake;	/* the ring's eventfd */
	int		 dirty;
	int		 has_owner;
	uint32_t	 owner;		/* struct ipc_linkd_owner */
};

/* core.c */
extern struct event_base	*base;
extern struct ipc_conf_core	 cconf;
extern struct core_peer		 peers[BONDD_MAX_PEERS];
extern int			 tun_fd;
extern struct linkq		 linkqs[BONDD_MAX_LINKS];
extern struct ipc_core_stats	 st;
extern size_t			 frame_max;	/* inner frame limit */
extern uint16_t			 epoch;		/* ours, random, not 0 */

int	core_main(int, int);
void	core_configure(const struct ipc_conf_core *);
void	peer_activate(struct core_peer *);
#define FEC_QUIET_US	1000000		/* no parity this long: none sent */
/*
 * What frames held behind holes may take of a peer's memory: with the
 * resend ring's 2048 frames (2.9 MB) and the rest of the core (about
 * 4.5 MB under load) it keeps the core within 10 MiB.  100 ms of holes
 * at 160 Mbit/s, or 17 ms at 1 Gbit/s.
 */
#define REORDER_HELD_BYTES	(2 << 20)
struct fec_dec *fec_dec_use(struct core_peer *, int, uint64_t);

/* core_tx.c */
void	fec_retier(struct core_peer *, uint64_t);
int	link_has_session(const struct core_peer *, int);
int	frame_send(struct core_peer *, int, const uint8_t *, size_t);
int	resend(struct core_peer *, struct retx_frame *, int, uint64_t);
int	resend_spread(struct core_peer *, struct retx_frame *, uint64_t);
void	link_requeue(struct core_peer *, int, uint64_t);
uint64_t peer_pace(struct core_peer *, uint64_t);
void	flush_queues(void);
void	clamp_mss(uint8_t *, size_t, int);
void	tun_read_cb(evutil_socket_t, short, void *);

/* core_rx.c */
void	peer_timer_cb(evutil_socket_t, short, void *);
void	peer_timer_arm(struct core_peer *, uint64_t);
void	linkq_close(int, uint64_t);
void	linkq_set(int, int);
int	tun_write(const uint8_t *, size_t);
void	tun_flush(void);
void	tun_coalesce_udp(int);

#endif /* CORE_H */
