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
 * Holds the session keys, moves datagrams between
 * its UDP socket and the packet queue to the core in batches.  Runs
 * sandboxed (no capabilities, chroot, seccomp) and trusts neither the
 * network, the core, nor any byte that was not authenticated.  The
 * parent is trusted, but its messages are still checked for shape.
 *
 * This file: startup, the parent's messages (configuration, keys,
 * sockets, admin and carrier changes, reloads, shutdown) and the tick
 * that runs the session timers, the stats and the status line.  The
 * static private key never comes here: linkd gets the public key, the
 * static-static secret of each peer and a key channel on which it asks
 * the parent for the one DH with the private key that each handshake
 * needs (keyask.c).  A compromised linkd can ask while it runs, within
 * the parent's budget, but cannot read the key.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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
#include "linkd.h"
#include "noise.h"

#define LINKD_TICK_US		250000	/* sooner when a handshake is due */
#define LINKD_STATS_US		500000
/* A client link that heard nothing for this many probe intervals (and
 * at least as long as it takes to call the link down, and 0.5 s)
 * handshakes again beside its keys. */
#define LINKD_STALE_PROBES	5
#define LINKD_STALE_MIN_US	500000ULL

struct linkd		 ld;
static char		 procname[8 + BONDD_NAME_MAX];

/*
 * The parent's messages: the configuration in exactly this order (the
 * peers all come before the socket and the data channel, see
 * linkd_peer(); a client link that waits for its device, source
 * address or server's address gets no socket), then changes while
 * running.
 */
static const struct ipc_accept from_parent[] = {
	{ IPC_HELLO, IPC_IN_HELLO, IPC_ONCE, 0, IPC_S_CONF },
	{ IPC_CONF_LINKD, IPC_IN_CONF, IPC_ONCE, 0, IPC_S_SAME },
	{ IPC_CONF_KEY, IPC_IN_CONF, IPC_ONCE, IPC_CONF_LINKD, IPC_S_SAME },
	{ IPC_KEY_CHAN, IPC_IN_CONF, IPC_ONCE, IPC_CONF_KEY, IPC_S_SAME },
	{ IPC_CONF_PEER, IPC_IN_CONF, IPC_MANY, IPC_KEY_CHAN, IPC_S_SAME },
	{ IPC_LINK_SOCK, IPC_IN_CONF, IPC_ONCE, IPC_CONF_PEER, IPC_S_SAME },
	{ IPC_DATA_CHAN, IPC_IN_CONF, IPC_ONCE, IPC_CONF_PEER, IPC_S_SAME },
	{ IPC_CONF_END, IPC_IN_CONF, IPC_ONCE, IPC_DATA_CHAN, IPC_S_RUNNING },
	{ IPC_LINK_ADMIN, IPC_IN_RUNNING, IPC_MANY, 0, IPC_S_SAME },
	{ IPC_LINK_CARRIER, IPC_IN_RUNNING, IPC_MANY, 0, IPC_S_SAME },
	{ IPC_LINK_SOCK_NEW, IPC_IN_RUNNING, IPC_MANY, 0, IPC_S_SAME },
	{ IPC_LINK_SOCK_GONE, IPC_IN_RUNNING, IPC_MANY, 0, IPC_S_SAME },
	{ IPC_PEER_SET, IPC_IN_RUNNING, IPC_MANY, 0, IPC_S_SAME },
	{ IPC_PEER_DEL, IPC_IN_RUNNING, IPC_MANY, 0, IPC_S_SAME },
	{ IPC_RECONF_LINKD, IPC_IN_RUNNING, IPC_MANY, 0, IPC_S_SAME },
	{ IPC_SHUTDOWN, IPC_IN_RUNNING, IPC_MANY, 0, IPC_S_SAME },
	{ 0, 0, 0, 0, IPC_S_SAME }
};

static void	linkd_dispatch_parent(struct ipc_chan *, struct ipc_msg *,
		    void *);
static void	linkd_conf(struct ipc_msg *);
static void	linkd_key(struct ipc_msg *);
static void	linkd_peer(struct ipc_msg *);
static void	linkd_peer_get(struct ipc_msg *, struct ipc_conf_peer *);
static void	linkd_peer_set(struct ipc_msg *);
static void	linkd_peer_del(struct ipc_msg *);
static void	linkd_sock(struct ipc_msg *);
static void	linkd_chan(struct ipc_msg *);
static void	linkd_start(void);
static void	linkd_admin(struct ipc_msg *);
static void	linkd_carrier(struct ipc_msg *);
static void	linkd_sock_new(struct ipc_msg *);
static void	linkd_sock_gone(void);
static void	linkd_reconf(struct ipc_msg *);
static void	linkd_tick(evutil_socket_t, short, void *);
static uint64_t	linkd_stale_us(const struct ipc_conf_linkd *);
static uint64_t	linkd_clock_cb(void *);
static void	linkd_sock_watch(void);
static void	linkd_sock_close(void);
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
	if (noise_init() == -1)
		fatalx("OpenSSL has no ChaCha20-Poly1305");
	if ((ld.base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	ld.sock = -1;
	ld.peer_last = -1;
	ipc_role_init(&ld.parent_role, from_parent);
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
 * Everything from the parent passes the rule table, in the order of
 * the startup; anything else is a broken invariant between trusted
 * processes and ends linkd.
 */
static void
linkd_dispatch_parent(struct ipc_chan *chan, struct ipc_msg *msg,
    void *arg)
{
	const char	*why;

	(void)chan;
	(void)arg;
	if (msg == NULL) {
		/* The parent went away: nothing left to serve. */
		exit(0);
	}
	if (ipc_role_accept(&ld.parent_role, msg, &why) == NULL)
		fatalx("%s: bad %s from parent: %s", __func__,
		    ipc_type_name(msg->hdr.type), why);

	switch (msg->hdr.type) {
	case IPC_HELLO:
		if (ipc_hello_check(msg, PROC_PARENT) == -1)
			fatalx("parent speaks another version: restart bondd");
		break;
	case IPC_CONF_LINKD:
		linkd_conf(msg);
		break;
	case IPC_CONF_KEY:
		linkd_key(msg);
		break;
	case IPC_KEY_CHAN:
		keyask_init(ipc_msg_take_fd(msg));
		break;
	case IPC_CONF_PEER:
		linkd_peer(msg);
		break;
	case IPC_LINK_SOCK:
		linkd_sock(msg);
		break;
	case IPC_DATA_CHAN:
		linkd_chan(msg);
		break;
	case IPC_CONF_END:
		linkd_start();
		break;
	case IPC_LINK_ADMIN:
		linkd_admin(msg);
		break;
	case IPC_LINK_CARRIER:
		linkd_carrier(msg);
		break;
	case IPC_LINK_SOCK_NEW:
		linkd_sock_new(msg);
		break;
	case IPC_LINK_SOCK_GONE:
		linkd_sock_gone();
		break;
	case IPC_PEER_SET:
		linkd_peer_set(msg);
		break;
	case IPC_PEER_DEL:
		linkd_peer_del(msg);
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
	if (c->status_interval_s > CONF_STATUS_INTERVAL_MAX)
		fatalx("%s: status interval %u", __func__,
		    c->status_interval_s);
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
	cb.clock = linkd_clock_cb;
	cb.sdh = keyask_dh;
	ld.tbl = sess_table_new(ld.conf.role, ld.conf.name, ld.conf.link_id,
	    ld.conf.keepalive_s, ld.conf.rekey_s, key.public_key, &cb);
	if (ld.tbl == NULL)
		fatalx("%s: cannot set up sessions", __func__);
	ld.tbl->stale_us = linkd_stale_us(&ld.conf);
}

/* The silence after which a client link handshakes again; the server
 * never initiates. */
static uint64_t
linkd_stale_us(const struct ipc_conf_linkd *c)
{
	uint64_t	us;

	if (c->role != ROLE_CLIENT)
		return (0);
	us = (uint64_t)c->probe_interval_ms * 1000 * LINKD_STALE_PROBES;
	if (us < c->down_after_ms * 1000ULL)
		us = c->down_after_ms * 1000ULL;
	return (us < LINKD_STALE_MIN_US ? LINKD_STALE_MIN_US : us);
}

/* Sessions measure their handshake work on this clock. */
static uint64_t
linkd_clock_cb(void *arg)
{
	struct timespec	ts;

	(void)arg;
	/* The CPU this process spent, not the wall clock: on a busy host
	 * a handshake the scheduler interrupted is no costlier, and must
	 * not put the listener under load by itself.  Plus the time spent
	 * waiting for the parent's DH with the static key: that work is
	 * done for us, and a flood of INITs that reach it must put the
	 * listener under load as when linkd did it. */
	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) == -1)
		return (now_us());
	return ((uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000 +
	    keyask_wait_us());
}

/* A peer's slice, checked; the caller wipes it. */
static void
linkd_peer_get(struct ipc_msg *msg, struct ipc_conf_peer *p)
{
	int	af;

	if (msg->hdr.id >= BONDD_MAX_PEERS ||
	    (ld.conf.role == ROLE_CLIENT && msg->hdr.id != 0))
		fatalx("%s: peer slot %u", __func__, msg->hdr.id);
	if (ipc_msg_get(msg, p, sizeof(*p)) == -1 || ipc_msg_end(msg) != 0)
		fatalx("%s: short message", __func__);
	if (memchr(p->name, '\0', sizeof(p->name)) == NULL ||
	    p->name[0] == '\0')
		fatalx("%s: bad name", __func__);
	/* A client's server has no address while the link waits for
	 * one, without a socket (linkd_has_endpoint()). */
	af = p->endpoint.ss_family;
	if (ld.conf.role == ROLE_CLIENT && af != AF_INET && af != AF_INET6 &&
	    (af != 0 || ld.sock != -1))
		fatalx("%s: client peer without endpoint", __func__);
	if (p->has_psk > 1 || p->has_ss > 1)
		fatalx("%s: bad has_psk or has_ss", __func__);
}

/* The configuration's peers: in rising slot order, before the socket. */
static void
linkd_peer(struct ipc_msg *msg)
{
	struct ipc_conf_peer	p;

	if ((int)msg->hdr.id <= ld.peer_last ||
	    msg->hdr.id >= ld.conf.npeers || ld.sock != -1 || ld.q != NULL)
		fatalx("%s: peer %u out of order", __func__, msg->hdr.id);
	linkd_peer_get(msg, &p);
	if (sess_peer_set(ld.tbl, msg->hdr.id, p.name, p.public_key,
	    p.has_ss ? p.ss : NULL,
	    ld.conf.role == ROLE_CLIENT ? &p.endpoint : NULL,
	    now_us()) == -1 || sess_peer_psk(ld.tbl, msg->hdr.id,
	    p.has_psk ? p.psk : NULL, now_us()) == -1)
		fatalx("%s: bad peer slot", __func__);
	sodium_memzero(&p, sizeof(p));
	ld.peer_last = msg->hdr.id;
}

/* A reload: a peer added, renamed or with a new key (its sessions end:
 * the core hears it on the queue). */
static void
linkd_peer_set(struct ipc_msg *msg)
{
	struct ipc_conf_peer	p;

	linkd_peer_get(msg, &p);
	if (sess_peer_set(ld.tbl, msg->hdr.id, p.name, p.public_key,
	    p.has_ss ? p.ss : NULL,
	    ld.conf.role == ROLE_CLIENT ? &p.endpoint : NULL,
	    now_us()) == -1 || sess_peer_psk(ld.tbl, msg->hdr.id,
	    p.has_psk ? p.psk : NULL, now_us()) == -1)
		fatalx("%s: bad peer slot", __func__);
	sodium_memzero(&p, sizeof(p));
	linkd_core_flush();
}

/* A reload removed a peer: its sessions end. */
static void
linkd_peer_del(struct ipc_msg *msg)
{
	if (sess_peer_del(ld.tbl, msg->hdr.id, now_us()) == -1)
		fatalx("%s: no peer in slot %u", __func__, msg->hdr.id);
	linkd_core_flush();
}

/* A client sends nowhere without its server's address: it gets a
 * socket only with one. */
static void
linkd_has_endpoint(const char *func)
{
	if (ld.conf.role == ROLE_CLIENT &&
	    ld.tbl->peers[0].endpoint.ss_family == 0)
		fatalx("%s: a socket without the server's address", func);
}

/* The socket, if any, comes after every peer and before the data
 * channel. */
static void
linkd_sock(struct ipc_msg *msg)
{
	if (ld.peer_last < 0 || ld.q != NULL)
		fatalx("%s: socket out of order", __func__);
	linkd_has_endpoint(__func__);
	ld.sock = ipc_msg_take_fd(msg);
	if (fd_nonblock(ld.sock) == -1)
		fatal("link socket");
}

static void
linkd_chan(struct ipc_msg *msg)
{
	if (ld.peer_last < 0)
		fatalx("%s: no peer before the data channel", __func__);
	if (msg->hdr.id != ld.conf.instance)
		fatalx("data channel for instance %u, we are %u",
		    msg->hdr.id, ld.conf.instance);
	if ((ld.q = pktq_open(ipc_msg_take_fd(msg))) == NULL)
		fatal("pktq_open");
}

/* Configuration complete: enter the sandbox, then serve. */
static void
linkd_start(void)
{
	struct timeval	ptv;
	uint32_t	half_us;

	/* Probes and silence are checked at half the probe interval. */
	half_us = ld.conf.probe_interval_ms * 1000 / 2;
	ptv.tv_sec = half_us / 1000000;
	ptv.tv_usec = half_us % 1000000;

	if (ld.sock == -1 && ld.conf.role != ROLE_CLIENT)
		fatalx("%s: a listener without its socket", __func__);
	sandbox_enter(PROC_LINKD, ld.conf.user);
	if (ipc_send(&ld.parent, IPC_READY, ld.conf.instance, 0, -1, NULL,
	    0) == -1)
		fatal("ipc_send");
	if ((ld.ev_q = event_new(ld.base, pktq_fd(ld.q), EV_READ | EV_PERSIST,
	    linkd_core_read, NULL)) == NULL ||
	    (ld.ev_qwake = event_new(ld.base, pktq_wake_fd(ld.q),
	    EV_READ | EV_PERSIST, linkd_core_read, NULL)) == NULL ||
	    (ld.ev_tick = event_new(ld.base, -1, 0, linkd_tick,
	    NULL)) == NULL ||
	    (ld.ev_probe = event_new(ld.base, -1, EV_PERSIST,
	    linkd_probe_tick, NULL)) == NULL ||
	    (ld.ev_watch = event_new(ld.base, -1, 0, linkd_watch,
	    NULL)) == NULL)
		fatalx("event_new failed");
	if (event_add(ld.ev_q, NULL) == -1 ||
	    event_add(ld.ev_qwake, NULL) == -1 ||
	    event_add(ld.ev_probe, &ptv) == -1)
		fatalx("event_add failed");
	if (ld.sock != -1)
		linkd_sock_watch();
	log_info("%s %s ready%s", ld.conf.role == ROLE_CLIENT ? "link" :
	    "listener", ld.conf.name, ld.sock == -1 ?
	    ", waiting for a socket" : "");
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
#ifdef BONDD_TEST_HOOKS
	/* The test build, told "up", has the kernel send SIGTERM to its
	 * parent on the channel's I/O, as a compromised linkd would try. */
	if (!a.down && (fcntl(BONDD_PARENT_FD, F_SETOWN, getppid()) == -1 ||
	    fcntl(BONDD_PARENT_FD, F_SETSIG, SIGTERM) == -1 ||
	    fcntl(BONDD_PARENT_FD, F_SETFL, O_ASYNC | O_NONBLOCK) == -1))
		log_warn("test hook: fcntl");
#endif
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
	linkd_core_flush();
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
		m = linkd_meas(s);
		if (s->used && m->active && ls_carrier(&m->ls, now, c.up))
			linkd_info(s);
	}
	linkd_core_flush();
	/* The path may work again: a handshake that is due goes now. */
	if (c.up && ld.sock != -1) {
		sess_kick(ld.tbl, now);
		linkd_tick(-1, 0, NULL);
	}
}

/* Datagrams from the socket to the data path. */
static void
linkd_sock_watch(void)
{
	if ((ld.ev_sock = event_new(ld.base, ld.sock, EV_READ | EV_PERSIST,
	    linkd_sock_read, NULL)) == NULL || event_add(ld.ev_sock,
	    NULL) == -1)
		fatalx("%s: event", __func__);
}

/* The socket closes; without one the link waits. */
static void
linkd_sock_close(void)
{
	if (ld.ev_sock != NULL) {
		event_free(ld.ev_sock);
		ld.ev_sock = NULL;
	}
	if (ld.sock != -1)
		close(ld.sock);
	ld.sock = -1;
	linkd_sock_closed();
}

/*
 * The parent opened a new socket: the device came back (perhaps under
 * a new index) or its source address did.  The session and its keys
 * stay; a handshake that was due goes now (the server learns our new
 * address from the first authenticated datagram).
 */
static void
linkd_sock_new(struct ipc_msg *msg)
{
	int	fd;

	if (ld.conf.role != ROLE_CLIENT)
		fatalx("%s: a listener's socket never changes", __func__);
	linkd_has_endpoint(__func__);
	fd = ipc_msg_take_fd(msg);
	linkd_sock_close();
	ld.sock = fd;
	if (fd_nonblock(ld.sock) == -1)
		fatal("link socket");
	linkd_sock_watch();
	log_info("%s: new socket", ld.conf.name);
	sess_kick(ld.tbl, now_us());
	linkd_tick(-1, 0, NULL);
}

/* The device or the source address went: nothing can be sent or
 * received until IPC_LINK_SOCK_NEW. */
static void
linkd_sock_gone(void)
{
	if (ld.conf.role != ROLE_CLIENT)
		fatalx("%s: a listener's socket never goes", __func__);
	linkd_sock_close();
	log_info("%s: socket closed, waiting for the device", ld.conf.name);
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
	struct linkmeas		*m;
	struct timeval		 ptv;
	uint32_t		 half_us;
	int			 i;

	if (ipc_msg_get(msg, &n, sizeof(n)) == -1 || ipc_msg_end(msg) != 0)
		fatalx("%s: short message", __func__);
	if (n.role != ld.conf.role || n.instance != ld.conf.instance ||
	    n.link_id != ld.conf.link_id ||
	    n.payload_max != ld.conf.payload_max ||
	    memcmp(n.name, ld.conf.name, sizeof(n.name)) != 0)
		fatalx("%s: the link changed identity", __func__);
	/* Peer slots only grow, as peers are added (IPC_PEER_SET). */
	if (n.npeers < ld.conf.npeers || n.npeers > BONDD_MAX_PEERS)
		fatalx("%s: %u peer slots", __func__, n.npeers);
	if (n.keepalive_s == 0 || n.rekey_s == 0 ||
	    n.probe_interval_ms < 10 || n.probe_interval_ms > 10000 ||
	    n.down_after_ms == 0 || n.recover_probes == 0 ||
	    n.lossy_ppm > 1000000 ||
	    n.status_interval_s > CONF_STATUS_INTERVAL_MAX)
		fatalx("%s: bad settings", __func__);
	ld.conf.up_bps = n.up_bps;
	ld.conf.down_bps = n.down_bps;
	ld.conf.priority = n.priority;
	ld.conf.backup = n.backup;
	ld.conf.quota_bytes = n.quota_bytes;
	ld.conf.keepalive_s = n.keepalive_s;
	ld.conf.rekey_s = n.rekey_s;
	ld.conf.udp_offload = n.udp_offload;
	ld.conf.down_after_ms = n.down_after_ms;
	ld.conf.lossy_ppm = n.lossy_ppm;
	ld.conf.recover_probes = n.recover_probes;
	ld.conf.status_interval_s = n.status_interval_s;
	ld.conf.npeers = n.npeers;
	ld.tbl->keepalive_us = n.keepalive_s * 1000000ULL;
	ld.tbl->rekey_us = n.rekey_s * 1000000ULL;
	ld.tbl->stale_us = linkd_stale_us(&n);
	if (n.probe_interval_ms != ld.conf.probe_interval_ms) {
		ld.conf.probe_interval_ms = n.probe_interval_ms;
		half_us = n.probe_interval_ms * 1000 / 2;
		ptv.tv_sec = half_us / 1000000;
		ptv.tv_usec = half_us % 1000000;
		if (event_add(ld.ev_probe, &ptv) == -1)
			fatalx("%s: event_add", __func__);
	}
	for (i = 0; i < ld.tbl->nsessions; i++) {
		s = &ld.tbl->sessions[i];
		m = linkd_meas(s);
		if (!s->used || !m->active)
			continue;
		m->ls.conf.down_after_us = n.down_after_ms * 1000ULL;
		m->ls.conf.lossy_ppm = n.lossy_ppm;
		m->ls.conf.recover_probes = n.recover_probes;
		/* The core schedules by the new rate at once. */
		if (sess_state(s) == SESSION_ESTABLISHED)
			linkd_info(s);
	}
	linkd_core_flush();
	log_info("%s: reconfigured", ld.conf.name);
}

/* The session timers, then the stats and the status line; it runs
 * again when the sessions want it, at least every LINKD_TICK_US. */
static void
linkd_tick(evutil_socket_t fd, short ev, void *arg)
{
	struct timeval	tv;
	uint64_t	now = now_us(), wait;

	(void)fd;
	(void)ev;
	(void)arg;
	/* A client link without a socket has nothing to send. */
	wait = LINKD_TICK_US;
	if ((ld.sock != -1 || ld.conf.role != ROLE_CLIENT) &&
	    (wait = sess_timer(ld.tbl, now)) > LINKD_TICK_US)
		wait = LINKD_TICK_US;
	tv.tv_sec = 0;
	tv.tv_usec = wait;
	if (event_add(ld.ev_tick, &tv) == -1)
		fatalx("%s: event_add", __func__);
	if (now - ld.stats_us >= LINKD_STATS_US) {
		ld.stats_us = now;
		linkd_stats(now);
	}
	/* log.status_interval: a status line per session, 0 = none. */
	if (ld.conf.status_interval_s != 0 &&
	    now - ld.log_us >= ld.conf.status_interval_s * 1000000ULL) {
		ld.log_us = now;
		linkd_log_status();
	}
}
