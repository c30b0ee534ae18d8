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
#include "config.h"
#include "ipc.h"
#include "log.h"
#include "messages.h"
#include "pktq.h"
#include "sandbox.h"
#include "util.h"
#include "wire.h"
#include "session.h"
#include "udp.h"

#define LINKD_TICK_MS		250
#define LINKD_STATS_MS		1000
#define LINKD_RX_ROUNDS		8	/* batches per wakeup, for fairness */

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
	struct event		*ev_sock, *ev_q, *ev_tick;
	int			 admin_down;
	uint64_t		 stats_ms;
	uint64_t		 core_bad;	/* malformed from the core */
	uint64_t		 core_drop;	/* no usable session */
};

static struct linkd	 ld;
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
	{ IPC_SHUTDOWN, 0, 0, 0 },
	{ 0, 0, 0, 0 }
};

static void	linkd_dispatch_parent(struct ipc_chan *, struct ipc_msg *,
		    void *);
static void	linkd_conf(struct ipc_msg *);
static void	linkd_key(struct ipc_msg *);
static void	linkd_peer(struct ipc_msg *);
static void	linkd_start(void);
static void	linkd_admin(struct ipc_msg *);
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
	int	ch, debug = 0, verbose = 0;

	while ((ch = getopt(argc, argv, "dv")) != -1) {
		switch (ch) {
		case 'd':
			debug = 1;
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
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
		want = type == IPC_LINK_ADMIN ? IPC_LINK_ADMIN :
		    IPC_SHUTDOWN;
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
	case IPC_SHUTDOWN:
		log_debug("shutdown");
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

	sandbox_enter(PROC_LINKD, ld.conf.user);
	if (ipc_send(&ld.parent, IPC_READY, ld.conf.instance, 0, -1, NULL,
	    0) == -1)
		fatal("ipc_send");
	if ((ld.ev_sock = event_new(ld.base, ld.sock, EV_READ | EV_PERSIST,
	    linkd_sock_read, NULL)) == NULL ||
	    (ld.ev_q = event_new(ld.base, pktq_fd(ld.q), EV_READ | EV_PERSIST,
	    linkd_core_read, NULL)) == NULL ||
	    (ld.ev_tick = event_new(ld.base, -1, EV_PERSIST, linkd_tick,
	    NULL)) == NULL)
		fatalx("event_new failed");
	if (event_add(ld.ev_sock, NULL) == -1 ||
	    event_add(ld.ev_q, NULL) == -1 ||
	    event_add(ld.ev_tick, &tv) == -1)
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

static void
linkd_send_cb(void *arg, struct session *s, const uint8_t *buf, size_t len,
    const struct sockaddr_storage *to)
{
	char	addr[ADDR_STRLEN];

	(void)arg;
	if (ld.sock == -1)
		return;
	if (udp_send_one(ld.sock, buf, len, to) == -1) {
		s->ctr.send_errors++;
		log_ratelimit("linkd-send", "%s: send to %s: %s", ld.conf.name,
		    addr_fmt(to, addr, sizeof(addr)), strerror(errno));
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
	if (up && ld.admin_down)
		return;
	linkd_core_state(s, up);
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
		now = now_ms();
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
	uint64_t		 now;
	ssize_t			 len;
	int			 i, n;

	(void)fd;
	(void)ev;
	(void)arg;
	if ((n = pktq_get(ld.q, qin, PKTQ_BATCH)) == -1)
		fatal("core channel");
	now = now_ms();
	for (i = 0; i < n; i++) {
		e = &qin[i];
		if (e->hdr.type != PKTQ_DATA || e->hdr.peer >= ld.npeers ||
		    e->hdr.len < INNER_HDR_LEN ||
		    e->hdr.len > ld.conf.payload_max ||
		    e->frame[0] != INNER_DATA) {
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
	int	failed;

	if (txb.n == 0)
		return;
	if ((failed = udp_send(ld.sock, &txb)) > 0) {
		/* Not per session: the table's counter, see sess_stats. */
		ld.tbl->ctr.send_errors += failed;
		log_ratelimit("linkd-send", "%s: %d datagrams not sent: %s",
		    ld.conf.name, failed, strerror(errno));
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
		first = 0;
		if (ipc_send(&ld.parent, IPC_LINK_STATS, ld.conf.instance, 0,
		    -1, &st, sizeof(st)) == -1)
			log_warn("%s: stats", __func__);
	}
	if (first) {
		sess_stats(ld.tbl, NULL, now, 1, &st);
		st.admin_down = ld.admin_down;
		if (ipc_send(&ld.parent, IPC_LINK_STATS, ld.conf.instance, 0,
		    -1, &st, sizeof(st)) == -1)
			log_warn("%s: stats", __func__);
	}
}
