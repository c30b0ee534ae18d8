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
 * linkd: one WAN link of a client, or one listen socket of a server.
 * Holds the static key and the session keys, moves datagrams between
 * its UDP socket and the packet queue to the core in batches.  Runs
 * sandboxed (no capabilities, chroot, seccomp) and trusts neither the
 * network, the core, nor any byte that was not authenticated.  The
 * parent is trusted, but its messages are still checked for shape.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <sodium.h>

#include "bondd.h"
#include "childargs.h"
#include "config.h"
#include "frame.h"
#include "ipc.h"
#include "log.h"
#include "messages.h"
#include "pktq.h"
#include "sandbox.h"
#include "util.h"
#include "wire.h"
#include "linkinfo.h"
#include "linkstate.h"
#include "probe.h"
#include "ratectl.h"
#include "session.h"
#include "udp.h"

#define LINKD_TICK_MS		250
#define LINKD_STATS_MS		500
#define LINKD_RX_ROUNDS		8	/* batches per wakeup, for fairness */
#define LINKD_LOG_MS		5000	/* a status line per session */

enum linkd_step {
	STEP_HELLO,
	STEP_CONF,
	STEP_KEY,
	STEP_PEERS,
	STEP_SOCK,
	STEP_CHAN,
	STEP_END,
	STEP_RUN
};

struct linkd {
	struct event_base	*base;
	struct ipc_chan		 parent;
	enum linkd_step		 step;
	struct ipc_conf_linkd	 conf;
	uint32_t		 npeers;	/* IPC_CONF_PEER received */
	struct sess_table	*tbl;
	int			 sock;
	struct pktq		*q;
	struct event		*ev_sock, *ev_q, *ev_tick, *ev_probe;
	int			 admin_down;
	int			 carrier_down;
	uint64_t		 stats_ms, log_ms;
	uint64_t		 rx_us;		/* clock of the batch in work */
	uint64_t		 core_bad;	/* malformed from the core */
	uint64_t		 core_drop;	/* no usable session */
};

/* Measurement and state of a session, by its slot in the table. */
struct linkmeas {
	int			 active;	/* session established */
	struct probe		 pr;
	struct linkstate	 ls;
	struct ratectl		 rc;	/* used when no rate is configured */
	uint64_t		 next_probe_us;
	uint64_t		 log_tx, log_answered;	/* at the last line */
};

static struct linkd	 ld;
static struct linkmeas	 meas[SESS_MAX];
static char		 procname[8 + BONDD_NAME_MAX];
/* Batches live here, never on the stack or the heap per packet. */
static struct udp_batch	 rxb, txb;
static struct pktq_elem	 qin[PKTQ_BATCH];
static uint8_t		 frame[PKTQ_FRAME_MAX];

static const struct ipc_rule linkd_rules[] = {
	{ IPC_HELLO, sizeof(struct ipc_hello), sizeof(struct ipc_hello), 0 },
	{ IPC_CONF_LINKD, sizeof(struct ipc_conf_linkd),
	    sizeof(struct ipc_conf_linkd), 0 },
	{ IPC_CONF_KEY, sizeof(struct ipc_conf_key),
	    sizeof(struct ipc_conf_key), 0 },
	{ IPC_CONF_PEER, sizeof(struct ipc_conf_peer),
	    sizeof(struct ipc_conf_peer), 0 },
	{ IPC_LINK_SOCK, 0, 0, 1 },
	{ IPC_DATA_CHAN, 0, 0, 1 },
	{ IPC_CONF_END, 0, 0, 0 },
	{ IPC_LINK_ADMIN, sizeof(struct ipc_link_admin),
	    sizeof(struct ipc_link_admin), 0 },
	{ IPC_LINK_CARRIER, sizeof(struct ipc_link_carrier),
	    sizeof(struct ipc_link_carrier), 0 },
	{ IPC_SHUTDOWN, 0, 0, 0 },
	{ IPC_RECONF_LINKD, sizeof(struct ipc_conf_linkd),
	    sizeof(struct ipc_conf_linkd), 0 },
	{ 0, 0, 0, 0 }
};

static void	linkd_dispatch_parent(struct ipc_chan *, struct ipc_msg *,
		    void *);
static void	linkd_conf(struct ipc_msg *);
static void	linkd_key(struct ipc_msg *);
static void	linkd_peer(struct ipc_msg *);
static void	linkd_start(void);
static void	linkd_admin(struct ipc_msg *);
static void	linkd_carrier(struct ipc_msg *);
static void	linkd_reconf(struct ipc_msg *);
static void	linkd_rx_cb(void *, struct session *, uint32_t, uint64_t,
		    const struct inner_hdr *, const uint8_t *, size_t);
static struct linkmeas *linkd_meas(struct session *);
static void	linkd_meas_start(struct session *, uint64_t);
static void	linkd_info(struct session *);
static void	linkd_send_error(struct session *, int);
static void	linkd_probe_tick(evutil_socket_t, short, void *);
static void	linkd_farewell(void);
static void	linkd_probe_send(struct session *, struct linkmeas *,
		    uint64_t);
static void	linkd_log_status(void);
static void	linkd_fill_info(struct session *, struct linkmeas *,
		    struct link_info *);
static void	linkd_fill_stats(struct session *, struct ipc_link_stats *);
static void	linkd_send_cb(void *, struct session *, const uint8_t *,
		    size_t, const struct sockaddr_storage *);
static void	linkd_state_cb(void *, struct session *, int);
static void	linkd_core_state(struct session *, int);
static void	linkd_sock_read(evutil_socket_t, short, void *);
static void	linkd_core_read(evutil_socket_t, short, void *);
static void	linkd_tx_flush(void);
static void	linkd_tick(evutil_socket_t, short, void *);
static void	linkd_stats(uint64_t);
static void	usage(void) __attribute__((noreturn));

static void
usage(void)
{
	fprintf(stderr, "usage: linkd [-dv]\n");
	exit(1);
}

int
main(int argc, char *argv[])
{
	int	debug, verbose;

	if (child_args(argc, argv, &debug, &verbose) == -1)
		usage();

	log_init(debug, verbose, LOG_DAEMON);
	log_procinit("linkd");
	if (sodium_init() == -1)
		fatalx("sodium_init failed");
	if ((ld.base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	ld.sock = -1;
	if (ipc_init(&ld.parent, BONDD_PARENT_FD, IPC_F_FDPASS, IPC_MAXSIZE,
	    "parent") == -1)
		fatal("ipc_init");
	if (ipc_event_set(&ld.parent, ld.base, linkd_dispatch_parent,
	    NULL) == -1)
		fatal("ipc_event_set");
	log_set_relay(&ld.parent);
	if (ipc_hello_send(&ld.parent, PROC_LINKD, 0) == -1)
		fatal("ipc_hello_send");

	event_base_dispatch(ld.base);
	return (0);
}

/*
 * Everything from the parent passes the rule table and must come in
 * the order of the startup sequence; anything else is a broken
 * invariant between trusted processes and ends linkd.
 */
static void
linkd_dispatch_parent(struct ipc_chan *chan, struct ipc_msg *msg,
    void *arg)
{
	const char	*why;
	uint32_t	 want = 0, type;
	int		 fd;

	(void)chan;
	(void)arg;
	if (msg == NULL) {
		/* The parent went away: nothing left to serve. */
		exit(0);
	}
	type = msg->hdr.type;
	if (ipc_check(linkd_rules, msg, &why) == NULL)
		fatalx("%s: bad %s from parent: %s", __func__,
		    ipc_type_name(type), why);
	switch (ld.step) {
	case STEP_HELLO:
		want = IPC_HELLO;
		break;
	case STEP_CONF:
		want = IPC_CONF_LINKD;
		break;
	case STEP_KEY:
		want = IPC_CONF_KEY;
		break;
	case STEP_PEERS:
		want = ld.npeers < ld.conf.npeers ? IPC_CONF_PEER :
		    IPC_LINK_SOCK;
		break;
	case STEP_SOCK:
		want = IPC_LINK_SOCK;
		break;
	case STEP_CHAN:
		want = IPC_DATA_CHAN;
		break;
	case STEP_END:
		want = IPC_CONF_END;
		break;
	case STEP_RUN:
		want = type == IPC_LINK_ADMIN || type == IPC_LINK_CARRIER ||
		    type == IPC_RECONF_LINKD ? type : IPC_SHUTDOWN;
		break;
	}
	if (type != want)
		fatalx("%s: unexpected %s from parent", __func__,
		    ipc_type_name(type));

	switch (type) {
	case IPC_HELLO:
		if (ipc_hello_check(msg, PROC_PARENT) == -1)
			fatalx("parent speaks another version: restart bondd");
		ld.step = STEP_CONF;
		break;
	case IPC_CONF_LINKD:
		linkd_conf(msg);
		ld.step = STEP_KEY;
		break;
	case IPC_CONF_KEY:
		linkd_key(msg);
		ld.step = STEP_PEERS;
		break;
	case IPC_CONF_PEER:
		linkd_peer(msg);
		break;
	case IPC_LINK_SOCK:
		fd = ipc_msg_take_fd(msg);
		if (ld.conf.role == ROLE_CLIENT && ld.npeers != 1)
			fatalx("client link without its peer");
		ld.sock = fd;
		if (fd_nonblock(fd) == -1)
			fatal("link socket");
		ld.step = STEP_CHAN;
		break;
	case IPC_DATA_CHAN:
		if (msg->hdr.id != ld.conf.instance)
			fatalx("data channel for instance %u, we are %u",
			    msg->hdr.id, ld.conf.instance);
		fd = ipc_msg_take_fd(msg);
		if ((ld.q = pktq_open(fd)) == NULL)
			fatal("pktq_open");
		ld.step = STEP_END;
		break;
	case IPC_CONF_END:
		linkd_start();
		ld.step = STEP_RUN;
		break;
	case IPC_LINK_ADMIN:
		linkd_admin(msg);
		break;
	case IPC_LINK_CARRIER:
		linkd_carrier(msg);
		break;
	case IPC_RECONF_LINKD:
		linkd_reconf(msg);
		break;
	case IPC_SHUTDOWN:
		log_debug("shutdown");
		linkd_farewell();
		exit(0);
	}
}

static void
linkd_conf(struct ipc_msg *msg)
{
	struct ipc_conf_linkd	*c = &ld.conf;

	if (ipc_msg_get(msg, c, sizeof(*c)) == -1 || ipc_msg_end(msg) != 0)
		fatalx("%s: short message", __func__);
	if (c->role != ROLE_CLIENT && c->role != ROLE_SERVER)
		fatalx("%s: bad role %u", __func__, c->role);
	if (memchr(c->name, '\0', sizeof(c->name)) == NULL ||
	    memchr(c->user, '\0', sizeof(c->user)) == NULL)
		fatalx("%s: unterminated string", __func__);
	if (c->link_id >= BONDD_MAX_LINKS)
		fatalx("%s: link id %u", __func__, c->link_id);
	if (c->npeers == 0 || c->npeers > BONDD_MAX_PEERS ||
	    (c->role == ROLE_CLIENT && c->npeers != 1))
		fatalx("%s: %u peers", __func__, c->npeers);
	if (c->keepalive_s == 0 || c->rekey_s == 0)
		fatalx("%s: zero keepalive or rekey", __func__);
	if (c->payload_max < INNER_HDR_LEN || c->payload_max > PKTQ_FRAME_MAX)
		fatalx("%s: payload_max %u", __func__, c->payload_max);
	if (c->probe_interval_ms < 10 || c->probe_interval_ms > 10000 ||
	    c->down_after_ms == 0 || c->recover_probes == 0 ||
	    c->lossy_ppm > 1000000)
		fatalx("%s: bad probe settings", __func__);
	snprintf(procname, sizeof(procname), "linkd %s", c->name);
	log_procinit(procname);
}

static void
linkd_key(struct ipc_msg *msg)
{
	struct ipc_conf_key	key;
	struct sess_cb		cb;

	if (ipc_msg_get(msg, &key, sizeof(key)) == -1 ||
	    ipc_msg_end(msg) != 0)
		fatalx("%s: short message", __func__);
	memset(&cb, 0, sizeof(cb));
	cb.send = linkd_send_cb;
	cb.state = linkd_state_cb;
	cb.rx = linkd_rx_cb;
	ld.tbl = sess_table_new(ld.conf.role, ld.conf.name, ld.conf.link_id,
	    ld.conf.keepalive_s, ld.conf.rekey_s, key.private_key, &cb);
	sodium_memzero(&key, sizeof(key));
	if (ld.tbl == NULL)
		fatalx("%s: cannot set up sessions", __func__);
}

static void
linkd_peer(struct ipc_msg *msg)
{
	struct ipc_conf_peer	p;
	int			af;

	if (msg->hdr.id != ld.npeers)
		fatalx("%s: peer %u out of order", __func__, msg->hdr.id);
	if (ipc_msg_get(msg, &p, sizeof(p)) == -1 || ipc_msg_end(msg) != 0)
		fatalx("%s: short message", __func__);
	if (memchr(p.name, '\0', sizeof(p.name)) == NULL)
		fatalx("%s: unterminated name", __func__);
	af = p.endpoint.ss_family;
	if (ld.conf.role == ROLE_CLIENT && af != AF_INET && af != AF_INET6)
		fatalx("%s: client peer without endpoint", __func__);
	if (sess_add_peer(ld.tbl, p.name, p.public_key,
	    ld.conf.role == ROLE_CLIENT ? &p.endpoint : NULL) == -1)
		fatalx("%s: too many peers", __func__);
	if (p.has_psk)
		log_warnx("peer %s: pre-shared keys are not supported yet, "
		    "ignored", p.name);
	sodium_memzero(&p, sizeof(p));
	ld.npeers++;
}

/* Configuration complete: enter the sandbox, then serve. */
static void
linkd_start(void)
{
	struct timeval	tv = { 0, LINKD_TICK_MS * 1000 };
	struct timeval	ptv;
	uint32_t	half;

	/* Probes and silence are checked at half the probe interval. */
	half = ld.conf.probe_interval_ms * 1000 / 2;
	ptv.tv_sec = half / 1000000;
	ptv.tv_usec = half % 1000000;

	sandbox_enter(PROC_LINKD, ld.conf.user);
	if (ipc_send(&ld.parent, IPC_READY, ld.conf.instance, 0, -1, NULL,
	    0) == -1)
		fatal("ipc_send");
	if ((ld.ev_sock = event_new(ld.base, ld.sock, EV_READ | EV_PERSIST,
	    linkd_sock_read, NULL)) == NULL ||
	    (ld.ev_q = event_new(ld.base, pktq_fd(ld.q), EV_READ | EV_PERSIST,
	    linkd_core_read, NULL)) == NULL ||
	    (ld.ev_tick = event_new(ld.base, -1, EV_PERSIST, linkd_tick,
	    NULL)) == NULL ||
	    (ld.ev_probe = event_new(ld.base, -1, EV_PERSIST,
	    linkd_probe_tick, NULL)) == NULL)
		fatalx("event_new failed");
	if (event_add(ld.ev_sock, NULL) == -1 ||
	    event_add(ld.ev_q, NULL) == -1 ||
	    event_add(ld.ev_tick, &tv) == -1 ||
	    event_add(ld.ev_probe, &ptv) == -1)
		fatalx("event_add failed");
	log_info("%s %s ready", ld.conf.role == ROLE_CLIENT ? "link" :
	    "listener", ld.conf.name);
	/* A client starts its handshake at once. */
	linkd_tick(-1, 0, NULL);
}

static void
linkd_admin(struct ipc_msg *msg)
{
	struct ipc_link_admin	 a;
	struct session		*s;
	int			 i, down;

	if (ipc_msg_get(msg, &a, sizeof(a)) == -1 || ipc_msg_end(msg) != 0)
		fatalx("%s: short message", __func__);
	down = a.down != 0;
	if (down == ld.admin_down)
		return;
	ld.admin_down = down;
	log_info("%s: administratively %s", ld.conf.name, down ? "down" : "up");
	for (i = 0; i < ld.tbl->nsessions; i++) {
		s = &ld.tbl->sessions[i];
		if (s->used && s->up)
			linkd_core_state(s, !down);
	}
	if (pktq_flush(ld.q) == -1)
		log_ratelimit("linkd-pktq", "core queue full");
}

/* The device came or went: down acts at once, up starts probing. */
static void
linkd_carrier(struct ipc_msg *msg)
{
	struct ipc_link_carrier	 c;
	struct session		*s;
	struct linkmeas		*m;
	uint64_t		 now = now_us();
	int			 i;

	if (ipc_msg_get(msg, &c, sizeof(c)) == -1 || ipc_msg_end(msg) != 0)
		fatalx("%s: short message", __func__);
	ld.carrier_down = c.up == 0;
	log_info("%s: carrier %s", ld.conf.name, c.up ? "up" : "down");
	for (i = 0; i < ld.tbl->nsessions; i++) {
		s = &ld.tbl->sessions[i];
		m = &meas[i];
		if (s->used && m->active && ls_carrier(&m->ls, now, c.up))
			linkd_info(s);
	}
	if (pktq_flush(ld.q) == -1)
		log_ratelimit("linkd-pktq", "core queue full");
}

/*
 * A reload: rates, priority, backup, quota, timers and state thresholds
 * change in place; keys and sessions stay.  What names the link must
 * not change: the parent restarts a linkd for that.
 */
static void
linkd_reconf(struct ipc_msg *msg)
{
	struct ipc_conf_linkd	 n;
	struct session		*s;
	struct timeval		 ptv;
	uint32_t		 half;
	int			 i;

	if (ipc_msg_get(msg, &n, sizeof(n)) == -1 || ipc_msg_end(msg) != 0)
		fatalx("%s: short message", __func__);
	if (n.role != ld.conf.role || n.instance != ld.conf.instance ||
	    n.link_id != ld.conf.link_id || n.npeers != ld.conf.npeers ||
	    n.payload_max != ld.conf.payload_max ||
	    memcmp(n.name, ld.conf.name, sizeof(n.name)) != 0)
		fatalx("%s: the link changed identity", __func__);
	if (n.keepalive_s == 0 || n.rekey_s == 0 ||
	    n.probe_interval_ms < 10 || n.probe_interval_ms > 10000 ||
	    n.down_after_ms == 0 || n.recover_probes == 0 ||
	    n.lossy_ppm > 1000000)
		fatalx("%s: bad settings", __func__);
	ld.conf.up_bps = n.up_bps;
	ld.conf.down_bps = n.down_bps;
	ld.conf.priority = n.priority;
	ld.conf.backup = n.backup;
	ld.conf.quota_bytes = n.quota_bytes;
	ld.conf.keepalive_s = n.keepalive_s;
	ld.conf.rekey_s = n.rekey_s;
	ld.conf.down_after_ms = n.down_after_ms;
	ld.conf.lossy_ppm = n.lossy_ppm;
	ld.conf.recover_probes = n.recover_probes;
	ld.tbl->keepalive_ms = n.keepalive_s * 1000;
	ld.tbl->rekey_ms = n.rekey_s * 1000;
	if (n.probe_interval_ms != ld.conf.probe_interval_ms) {
		ld.conf.probe_interval_ms = n.probe_interval_ms;
		half = n.probe_interval_ms * 1000 / 2;
		ptv.tv_sec = half / 1000000;
		ptv.tv_usec = half % 1000000;
		if (event_add(ld.ev_probe, &ptv) == -1)
			fatalx("%s: event_add", __func__);
	}
	for (i = 0; i < ld.tbl->nsessions; i++) {
		s = &ld.tbl->sessions[i];
		if (!s->used || !meas[i].active)
			continue;
		meas[i].ls.conf.down_after_ms = n.down_after_ms;
		meas[i].ls.conf.lossy_ppm = n.lossy_ppm;
		meas[i].ls.conf.recover_probes = n.recover_probes;
		/* The core schedules by the new rate at once. */
		if (sess_state(s) == SESSION_ESTABLISHED)
			linkd_info(s);
	}
	if (pktq_flush(ld.q) == -1)
		log_ratelimit("linkd-pktq", "core queue full");
	log_info("%s: reconfigured", ld.conf.name);
}

static void
linkd_send_cb(void *arg, struct session *s, const uint8_t *buf, size_t len,
    const struct sockaddr_storage *to)
{
	char	addr[ADDR_STRLEN];
	int	err;

	(void)arg;
	if (ld.sock == -1)
		return;
	if (udp_send_one(ld.sock, buf, len, to) == -1) {
		err = errno;
		s->ctr.send_errors++;
		log_ratelimit("linkd-send", "%s: send to %s: %s", ld.conf.name,
		    addr_fmt(to, addr, sizeof(addr)), strerror(err));
		linkd_send_error(s, err);
	}
}

/* A send error that means the path is gone takes the link DOWN. */
static void
linkd_send_error(struct session *s, int err)
{
	struct linkmeas	*m = linkd_meas(s);

	if (m->active && ls_send_error(&m->ls, now_us(), err)) {
		log_info("%s: peer %s link %u: %s, link down", ld.conf.name,
		    ld.tbl->peers[s->peer].name, s->link_id, strerror(err));
		linkd_info(s);
		if (pktq_flush(ld.q) == -1)
			log_ratelimit("linkd-pktq", "core queue full");
	}
}

static void
linkd_core_state(struct session *s, int up)
{
	struct pktq_hdr	h;

	memset(&h, 0, sizeof(h));
	h.type = up ? PKTQ_SESSION_UP : PKTQ_SESSION_DOWN;
	h.link_id = s->link_id;
	h.peer = s->peer;
	if (pktq_put(ld.q, &h, NULL, 0) == -1)
		log_ratelimit("linkd-pktq", "core queue full");
}

static void
linkd_state_cb(void *arg, struct session *s, int up)
{
	(void)arg;
	log_info("%s: peer %s link %u: session %s", ld.conf.name,
	    ld.tbl->peers[s->peer].name, s->link_id, up ? "up" : "down");
	if (!up && linkd_meas(s)->active) {
		/* Dead keys: DOWN, told before the session goes. */
		ls_dead(&linkd_meas(s)->ls, now_us());
		linkd_info(s);
		linkd_meas(s)->active = 0;
	}
	if (up)
		linkd_meas_start(s, now_us());
	if (up && ld.admin_down)
		goto flush;
	linkd_core_state(s, up);
	if (up)
		linkd_info(s);
 flush:
	if (pktq_flush(ld.q) == -1)
		log_ratelimit("linkd-pktq", "core queue full");
}

/* Network to core: decrypt a batch, hand the frames over in one go. */
static void
linkd_sock_read(evutil_socket_t fd, short ev, void *arg)
{
	struct pktq_hdr	 h;
	struct session	*s;
	uint64_t	 now;
	size_t		 flen;
	int		 i, n, round;

	(void)ev;
	(void)arg;
	for (round = 0; round < LINKD_RX_ROUNDS; round++) {
		if ((n = udp_recv(fd, &rxb)) == -1) {
			log_ratelimit("linkd-recv", "%s: recvmmsg: %s",
			    ld.conf.name, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		ld.rx_us = now_us();
		now = ld.rx_us / 1000;
		for (i = 0; i < n; i++) {
			s = NULL;
			if (sess_input(ld.tbl, now, rxb.buf[i], rxb.len[i],
			    &rxb.addr[i], frame, sizeof(frame), &flen,
			    &s) != 1)
				continue;
			memset(&h, 0, sizeof(h));
			h.type = PKTQ_DATA;
			h.link_id = s->link_id;
			h.peer = s->peer;
			if (pktq_put(ld.q, &h, frame, flen) == -1)
				log_ratelimit("linkd-pktq", "core queue full");
		}
		if (pktq_flush(ld.q) == -1)
			log_ratelimit("linkd-pktq", "core queue full");
		if (n < UDP_BATCH)
			break;
	}
}

/* Core to network: check every element, encrypt, send in batches. */
static void
linkd_core_read(evutil_socket_t fd, short ev, void *arg)
{
	struct pktq_elem	*e;
	struct session		*s;
	uint64_t		 now, dropped;
	ssize_t			 len;
	int			 i, n;

	(void)fd;
	(void)ev;
	(void)arg;
	/* Only pktq_get moves the count here: the elements it refused. */
	dropped = pktq_dropped(ld.q);
	if ((n = pktq_get(ld.q, qin, PKTQ_BATCH)) == -1)
		fatal("core channel");
	ld.core_bad += pktq_dropped(ld.q) - dropped;
	now = now_ms();
	for (i = 0; i < n; i++) {
		e = &qin[i];
		if (e->hdr.type != PKTQ_DATA || e->hdr.peer >= ld.npeers ||
		    e->hdr.len > ld.conf.payload_max ||
		    !frame_is_core(e->frame, e->hdr.len)) {
			ld.core_bad++;
			log_ratelimit("linkd-corebad", "%s: malformed frame "
			    "from the core (type %u, peer %u, len %u)",
			    ld.conf.name, e->hdr.type, e->hdr.peer, e->hdr.len);
			continue;
		}
		s = sess_find(ld.tbl, e->hdr.peer, e->hdr.link_id);
		if (s == NULL || ld.admin_down ||
		    sess_state(s) != SESSION_ESTABLISHED) {
			ld.core_drop++;
			continue;
		}
		len = sess_encrypt(ld.tbl, s, now, e->frame, e->hdr.len,
		    txb.buf[txb.n], sizeof(txb.buf[txb.n]));
		if (len == -1) {
			ld.core_drop++;
			continue;
		}
		txb.len[txb.n] = (size_t)len;
		txb.addr[txb.n] = s->endpoint;
		if (++txb.n == UDP_BATCH)
			linkd_tx_flush();
	}
	linkd_tx_flush();
}

static void
linkd_tx_flush(void)
{
	int	failed, err;

	if (txb.n == 0)
		return;
	if ((failed = udp_send(ld.sock, &txb)) > 0) {
		err = errno;
		/* Not per session: the table's counter, see sess_stats. */
		ld.tbl->ctr.send_errors += failed;
		log_ratelimit("linkd-send", "%s: %d datagrams not sent: %s",
		    ld.conf.name, failed, strerror(err));
		/* A client's socket serves its one session only. */
		if (ld.conf.role == ROLE_CLIENT)
			linkd_send_error(&ld.tbl->sessions[0], err);
	}
}

static void
linkd_tick(evutil_socket_t fd, short ev, void *arg)
{
	uint64_t	now = now_ms();

	(void)fd;
	(void)ev;
	(void)arg;
	sess_timer(ld.tbl, now);
	if (now - ld.stats_ms >= LINKD_STATS_MS) {
		ld.stats_ms = now;
		linkd_stats(now);
	}
	if (now - ld.log_ms >= LINKD_LOG_MS) {
		ld.log_ms = now;
		linkd_log_status();
	}
}

/*
 * One IPC_LINK_STATS per session: a client always sends exactly one,
 * a server without sessions one with an empty peer.  Counters that
 * belong to no session ride on the first record.
 */
static void
linkd_stats(uint64_t now)
{
	struct ipc_link_stats	 st;
	struct session		*s;
	int			 i, first = 1;

	for (i = 0; i < ld.tbl->nsessions; i++) {
		s = &ld.tbl->sessions[i];
		if (!s->used)
			continue;
		sess_stats(ld.tbl, s, now, first, &st);
		st.admin_down = ld.admin_down;
		linkd_fill_stats(s, &st);
		if (first)
			st.core_dropped = ld.core_drop + ld.core_bad;
		first = 0;
		if (ipc_send(&ld.parent, IPC_LINK_STATS, ld.conf.instance, 0,
		    -1, &st, sizeof(st)) == -1)
			log_warn("%s: stats", __func__);
	}
	if (first) {
		sess_stats(ld.tbl, NULL, now, 1, &st);
		st.admin_down = ld.admin_down;
		st.link_state = LINK_STATE_DOWN;
		st.core_dropped = ld.core_drop + ld.core_bad;
		if (ipc_send(&ld.parent, IPC_LINK_STATS, ld.conf.instance, 0,
		    -1, &st, sizeof(st)) == -1)
			log_warn("%s: stats", __func__);
	}
}

static struct linkmeas *
linkd_meas(struct session *s)
{
	return (&meas[s - ld.tbl->sessions]);
}

static void
linkd_meas_start(struct session *s, uint64_t now)
{
	struct linkmeas	*m = linkd_meas(s);
	struct ls_conf	 c;

	memset(&c, 0, sizeof(c));
	c.down_after_ms = ld.conf.down_after_ms;
	c.lossy_ppm = ld.conf.lossy_ppm;
	c.recover_probes = ld.conf.recover_probes;
	probe_init(&m->pr, now);
	ls_init(&m->ls, &c, now);
	ratectl_init(&m->rc, now, 0);
	if (ld.carrier_down)
		ls_carrier(&m->ls, now, 0);
	m->next_probe_us = now;
	m->active = 1;
}

/*
 * What the core schedules by.  A peer that says it is DOWN (it hears
 * nothing from us, or it took the link out of service) would lose what
 * we send: the core sees PROBING until it says otherwise.
 */
static void
linkd_fill_info(struct session *s, struct linkmeas *m, struct link_info *li)
{
	struct probe	*pr = &m->pr;
	int		 client = ld.conf.role == ROLE_CLIENT;

	(void)s;
	memset(li, 0, sizeof(*li));
	li->state = m->ls.state;
	if ((li->state == LINK_STATE_RUNNING ||
	    li->state == LINK_STATE_LOSSY) && pr->peer_seen &&
	    pr->peer_state == LINK_STATE_DOWN)
		li->state = LINK_STATE_PROBING;
	li->srtt_us = pr->srtt_us;
	li->rttvar_us = pr->rttvar_us;
	li->jitter_us = probe_jitter_us(pr);
	li->owd_us = pr->peer_seen ? pr->peer_owd_us : LINK_OWD_UNKNOWN;
	li->loss_tx_ppm = pr->loss_tx_ppm;
	li->loss_rx_ppm = probe_loss_rx_ppm(pr);
	li->rate_cfg_bps = client ? ld.conf.up_bps : pr->peer_rate_bps;
	li->rate_rx_bps = pr->rate_rx_bps;
	if (li->rate_cfg_bps == 0)
		li->rate_est_bps = m->rc.est_bps;
	if (client) {
		li->priority = ld.conf.priority;
		li->backup = ld.conf.backup != 0;
		li->quota_bytes = ld.conf.quota_bytes;
	} else {
		li->priority = pr->peer_priority;
		li->backup = (pr->peer_flags & WIRE_PROBE_BACKUP) != 0;
		li->quota_bytes = pr->peer_quota;
	}
	if (li->priority == 0)
		li->priority = 1;
}

static void
linkd_info(struct session *s)
{
	struct link_info	 li;
	struct pktq_hdr		 h;

	linkd_fill_info(s, linkd_meas(s), &li);
	memset(&h, 0, sizeof(h));
	h.type = PKTQ_LINK_INFO;
	h.link_id = s->link_id;
	h.peer = s->peer;
	if (pktq_put(ld.q, &h, &li, sizeof(li)) == -1)
		log_ratelimit("linkd-pktq", "core queue full");
}

/* Every authenticated datagram: counters, delay, probes. */
static void
linkd_rx_cb(void *arg, struct session *s, uint32_t kp_index,
    uint64_t counter, const struct inner_hdr *ih, const uint8_t *f,
    size_t len)
{
	struct linkmeas		*m = linkd_meas(s);
	struct wire_probe	 w;
	uint64_t		 now = ld.rx_us;
	uint32_t		 was, peer_state;
	int			 changed;

	(void)arg;
	if (!m->active)
		return;
	probe_rx_counter(&m->pr, now, kp_index, counter);
	probe_owd_sample(&m->pr, now, ih->send_ts_us);
	was = m->ls.state;
	changed = ls_rx(&m->ls, now);
	/* The outage's missing datagrams are no loss of the link. */
	if (was == LINK_STATE_DOWN && m->ls.state == LINK_STATE_PROBING)
		probe_loss_reset(&m->pr);
	if (ih->kind == INNER_PROBE) {
		if (wire_probe_decode(f + INNER_HDR_LEN, len - INNER_HDR_LEN,
		    &w) != WIRE_OK) {
			s->ctr.malformed++;
			return;
		}
		peer_state = m->pr.peer_seen ? m->pr.peer_state : 0xff;
		if (probe_input(&m->pr, now, &w))
			changed |= ls_answered(&m->ls, now);
		/* The peer taking the link out (or back) tells the core at
		 * once. */
		changed |= m->pr.peer_state != peer_state;
		changed |= ls_loss(&m->ls, now, m->pr.loss_tx_ppm,
		    probe_loss_rx_ppm(&m->pr));
	}
	if (changed)
		linkd_info(s);
}

/*
 * The link is being removed: a last probe that says DOWN makes the peer
 * stop sending on it at once, instead of losing what it sends until
 * the silence is noticed.
 */
static void
linkd_farewell(void)
{
	struct session	*s;
	uint64_t	 now = now_us();
	int		 i;

	ld.admin_down = 1;
	for (i = 0; i < ld.tbl->nsessions; i++) {
		s = &ld.tbl->sessions[i];
		if (s->used && linkd_meas(s)->active)
			linkd_probe_send(s, linkd_meas(s), now);
	}
}

static void
linkd_probe_send(struct session *s, struct linkmeas *m, uint64_t now)
{
	static uint8_t		 pbuf[INNER_HDR_LEN + WIRE_PROBE_LEN +
				    WIRE_DATA_OVERHEAD];
	uint8_t			 f[INNER_HDR_LEN + WIRE_PROBE_LEN];
	struct probe_local	 pl;
	struct inner_hdr	 ih;
	struct wire_probe	 w;
	ssize_t			 n;
	uint8_t			 state;

	memset(&pl, 0, sizeof(pl));
	if (ld.conf.role == ROLE_CLIENT) {
		pl.rate_bps = ld.conf.down_bps;
		pl.priority = ld.conf.priority > 255 ? 255 : ld.conf.priority;
		pl.flags = ld.conf.backup ? WIRE_PROBE_BACKUP : 0;
		pl.quota_bytes = ld.conf.quota_bytes;
	}
	/* Out of service: the peer must not send us data either. */
	state = ld.admin_down ? LINK_STATE_DOWN : (uint8_t)m->ls.state;
	probe_build(&m->pr, now, &pl, state, s->ctr.rx_bytes, &w);
	memset(&ih, 0, sizeof(ih));
	ih.kind = INNER_PROBE;
	ih.send_ts_us = (uint32_t)now;
	inner_hdr_encode(f, &ih);
	wire_probe_encode(f + INNER_HDR_LEN, &w);
	n = sess_encrypt(ld.tbl, s, now / 1000, f, sizeof(f), pbuf,
	    sizeof(pbuf));
	if (n > 0)
		linkd_send_cb(NULL, s, pbuf, (size_t)n, &s->endpoint);
}

/* The configured rate of our send direction, 0 = none. */
static uint64_t
linkd_rate_cfg(struct linkmeas *m)
{
	return (ld.conf.role == ROLE_CLIENT ? ld.conf.up_bps :
	    m->pr.peer_rate_bps);
}

/* Without a configured rate, the estimate stands in (ratectl.c). */
static int
linkd_rate_est(struct session *s, struct linkmeas *m, uint64_t now)
{
	struct ratectl_sample	 rs;

	if (linkd_rate_cfg(m) != 0)
		return (0);
	memset(&rs, 0, sizeof(rs));
	rs.tx_bps = m->pr.rate_tx_bps;
	rs.rx_bps = m->pr.rate_rx_bps;
	/* The peer's clock at the end of its last rate window: it moves
	 * with each new measurement. */
	rs.rx_gen = m->pr.peer_rx_tx_us;
	rs.tx_packets = s->ctr.tx_packets;
	rs.loss_tx_ppm = m->pr.loss_tx_ppm;
	rs.srtt_us = m->pr.srtt_us;
	return (ratectl_update(&m->rc, now, &rs));
}

/*
 * At half the probe interval: probes that are due, silence, loss
 * windows without traffic, and a LINK_INFO per established session at
 * every probe.  Sessions the session layer gave up on are DOWN.
 */
static void
linkd_probe_tick(evutil_socket_t fd, short ev, void *arg)
{
	struct session	*s;
	struct linkmeas	*m;
	uint64_t	 now = now_us(), ival;
	int		 i, changed;

	(void)fd;
	(void)ev;
	(void)arg;
	ival = (uint64_t)ld.conf.probe_interval_ms * 1000;
	for (i = 0; i < ld.tbl->nsessions; i++) {
		s = &ld.tbl->sessions[i];
		m = &meas[i];
		if (!s->used || sess_state(s) != SESSION_ESTABLISHED) {
			m->active = 0;
			continue;
		}
		if (!m->active)
			linkd_meas_start(s, now);
		probe_tick(&m->pr, now, s->ctr.tx_bytes, s->ctr.rx_bytes);
		changed = linkd_rate_est(s, m, now);
		changed |= ls_timer(&m->ls, now, m->pr.srtt_us);
		changed |= ls_loss(&m->ls, now, m->pr.loss_tx_ppm,
		    probe_loss_rx_ppm(&m->pr));
		if (changed && m->ls.state == LINK_STATE_DOWN)
			log_info("%s: peer %s link %u: silent for %llu ms, "
			    "link down", ld.conf.name,
			    ld.tbl->peers[s->peer].name, s->link_id,
			    (unsigned long long)(now - m->ls.last_rx_us) /
			    1000);
		if (now >= m->next_probe_us) {
			linkd_probe_send(s, m, now);
			m->next_probe_us += ival;
			if (m->next_probe_us <= now)
				m->next_probe_us = now + ival;
			changed = 1;
		}
		if (changed)
			linkd_info(s);
	}
	if (pktq_flush(ld.q) == -1)
		log_ratelimit("linkd-pktq", "core queue full");
}

static void
linkd_fill_stats(struct session *s, struct ipc_link_stats *st)
{
	struct linkmeas		*m = linkd_meas(s);
	struct link_info	 li;

	if (!m->active || sess_state(s) != SESSION_ESTABLISHED) {
		st->link_state = LINK_STATE_DOWN;
		return;
	}
	linkd_fill_info(s, m, &li);
	st->rtt_us = li.srtt_us;
	st->rttvar_us = li.rttvar_us;
	st->jitter_us = li.jitter_us;
	st->link_state = m->ls.state;
	st->loss_tx_ppm = li.loss_tx_ppm;
	st->loss_rx_ppm = li.loss_rx_ppm;
	st->rate_tx_bps = m->pr.rate_tx_bps;
	st->rate_rx_bps = m->pr.rate_own_rx_bps;
	st->rate_max_bps = li.rate_cfg_bps != 0 ? li.rate_cfg_bps :
	    li.rate_est_bps;
	st->probes_tx = m->pr.probes_tx;
	st->probes_rx = m->pr.probes_rx;
}

static void
fmt_mbps(char *buf, size_t len, uint64_t bps)
{
	if (bps >= 10000000 || bps == 0)
		snprintf(buf, len, "%llu",
		    (unsigned long long)((bps + 500000) / 1000000));
	else
		snprintf(buf, len, "%.1f", (double)bps / 1e6);
}

/*
 * wan0[60/60Mbps|30ms|SL0.0%|RL0.0%|c1.00|RUN|w:60], per session; c is
 * the confidence: the share of our probes answered since the last line.
 */
static void
linkd_log_status(void)
{
	struct ipc_link_stats	 st;
	struct session		*s;
	struct linkmeas		*m;
	char			 cur[16], max[16];
	uint64_t		 sent, got;
	double			 conf;
	int			 i;

	for (i = 0; i < ld.tbl->nsessions; i++) {
		s = &ld.tbl->sessions[i];
		if (!s->used || (ld.conf.role == ROLE_SERVER &&
		    sess_state(s) != SESSION_ESTABLISHED))
			continue;
		memset(&st, 0, sizeof(st));
		linkd_fill_stats(s, &st);
		m = linkd_meas(s);
		sent = m->pr.probes_tx - m->log_tx;
		got = m->pr.answered - m->log_answered;
		conf = sent == 0 ? 1.0 : got >= sent ? 1.0 :
		    (double)got / (double)sent;
		m->log_tx = m->pr.probes_tx;
		m->log_answered = m->pr.answered;
		fmt_mbps(cur, sizeof(cur), st.rate_tx_bps);
		fmt_mbps(max, sizeof(max), st.rate_max_bps);
		log_info("%s[%s/%sMbps|%ums|SL%.1f%%|RL%.1f%%|c%.2f|%s|w:%s]"
		    "%s%s%s",
		    ld.conf.role == ROLE_CLIENT ? ld.conf.name : s->link_name,
		    cur, max, (st.rtt_us + 500) / 1000,
		    st.loss_tx_ppm / 10000.0, st.loss_rx_ppm / 10000.0, conf,
		    ls_short_name(st.link_state), max,
		    ld.admin_down ? " admin-down" : "",
		    ld.conf.role == ROLE_SERVER ? " peer " : "",
		    ld.conf.role == ROLE_SERVER ?
		    ld.tbl->peers[s->peer].name : "");
	}
}
