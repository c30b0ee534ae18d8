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
 * What the files of the linkd process share: its state, the
 * measurement of each session and the functions one file calls in
 * another.  Runs in linkd, unprivileged, sandboxed and facing the
 * network; the state holds the session table, so the session keys,
 * not the static private key (the parent keeps it, keyask.c).
 */

#ifndef LINKD_H
#define LINKD_H

#include <sys/socket.h>
#include <stdint.h>

#include <event2/event.h>

#include "ipc.h"
#include "linkinfo.h"
#include "messages.h"
#include "pktq.h"
#include "linkstate.h"
#include "probe.h"
#include "ratectl.h"
#include "session.h"

struct linkd {
	struct event_base	*base;
	struct ipc_chan		 parent;
	struct ipc_role		 parent_role;
	struct ipc_conf_linkd	 conf;
	int			 peer_last;	/* slot of the last
						   IPC_CONF_PEER, -1 */
	struct sess_table	*tbl;
	int			 sock;
	struct pktq		*q;
	struct event		*ev_sock, *ev_q, *ev_qwake, *ev_tick,
				*ev_probe, *ev_watch, *ev_fill;
	int			 admin_down;
	int			 carrier_down;
	uint64_t		 stats_us, log_us;	/* last sent */
	uint64_t		 core_bad;	/* malformed from the core */
	uint64_t		 core_drop;	/* no usable session */
};

/* Measurement and state of a session: meas[s->slot], see linkd_meas. */
struct linkmeas {
	int			 active;	/* session established */
	struct probe		 pr;
	struct linkstate	 ls;
	struct ratectl		 rc;	/* used when no rate is configured */
	uint64_t		 next_probe_us;
	uint64_t		 answered_us;	/* last ask answered */
	uint64_t		 log_tx, log_answered;	/* at the last line */
	uint64_t		 held_bytes;	/* the core held back, unread */
	uint64_t		 fill_us, fill_tx;	/* last fill tick */
	int			 was_probing;	/* at the last estimate */
};

extern struct linkd	ld;

/* datapath.c */
void	 linkd_sock_read(evutil_socket_t, short, void *);
void	 linkd_core_read(evutil_socket_t, short, void *);
int	 linkd_send_cb(void *, struct session *, uint64_t, const uint8_t *,
	    size_t, const struct sockaddr_storage *);
void	 linkd_state_cb(void *, struct session *, uint64_t, int);
void	 linkd_core_state(struct session *, int);
void	 linkd_core_flush(void);
void	 linkd_sock_closed(void);

/* measure.c */
struct linkmeas *linkd_meas(struct session *);
void	 linkd_meas_start(struct session *, uint64_t);
void	 linkd_fill_info(struct session *, struct linkmeas *,
	    struct link_info *);
void	 linkd_info(struct session *);
void	 linkd_rx_cb(void *, struct session *, uint64_t, uint32_t, uint64_t,
	    const struct inner_hdr *, const uint8_t *, size_t);
void	 linkd_send_error(struct session *, int, uint64_t);
void	 linkd_probe_tick(evutil_socket_t, short, void *);
void	 linkd_watch(evutil_socket_t, short, void *);
void	 linkd_farewell(void);
void	 linkd_held(const struct pktq_elem *);

/* fill.c: a capacity probe's padding */
void	 linkd_fill(uint64_t);

/* keyask.c: the DH with the static private key, asked of the parent */
void	 keyask_init(int);
int	 keyask_dh(void *, uint8_t[BONDD_KEY_LEN], const uint8_t[BONDD_KEY_LEN]);
uint64_t keyask_wait_us(void);

/* status.c */
void	 linkd_stats(uint64_t);
void	 linkd_log_status(void);

#endif /* LINKD_H */
