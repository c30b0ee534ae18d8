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
 * The core role: it owns the TUN device and moves packets between it
 * and the linkd packet queues.  It chooses the peer of an outgoing
 * packet by its allowed_ips and a link among that peer's live sessions,
 * and checks every frame a linkd hands it before a packet reaches the
 * TUN device.  Runs sandboxed and unprivileged; holds no keys and never
 * sees bytes that linkd has not authenticated.
 */

#include <sys/socket.h>

#include <errno.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bondd.h"
#include "config.h"
#include "core.h"
#include "frame.h"
#include "ipc.h"
#include "log.h"
#include "messages.h"
#include "pktq.h"
#include "sandbox.h"
#include "util.h"

#define TUN_BATCH	64
#define NO_LINKD	(-1)

struct core_peer {
	char		 name[BONDD_PEER_NAME_MAX];
	struct conf_prefix allowed[BONDD_MAX_ALLOWED];
	int		 nallowed;
	uint32_t	 seq;
	/* Which linkd holds the session of each of its links. */
	int		 linkd_of[BONDD_MAX_LINKS];
	unsigned	 rr;
};

struct linkq {
	struct pktq	*q;
	struct event	*ev;
	int		 dirty;
};

static struct event_base	*base;
static struct ipc_chan		 parent;
static struct ipc_conf_core	 cconf;
static int			 have_conf, have_hello, running;
static struct core_peer		 peers[BONDD_MAX_PEERS];
static int			 npeers_seen;
static int			 tun_fd = -1;
static struct event		*tun_ev;
static struct linkq		 linkqs[BONDD_MAX_LINKS];
static struct ipc_core_stats	 st;
static struct pktq_elem		 elems[PKTQ_BATCH];
static uint8_t			 pktbuf[65536];
static uint8_t			 framebuf[PKTQ_FRAME_MAX];

static const struct ipc_rule parent_rules[] = {
	{ IPC_HELLO, sizeof(struct ipc_hello), sizeof(struct ipc_hello), 0 },
	{ IPC_CONF_CORE, sizeof(struct ipc_conf_core),
	    sizeof(struct ipc_conf_core), 0 },
	{ IPC_CONF_PEER, sizeof(struct ipc_conf_peer),
	    sizeof(struct ipc_conf_peer), 0 },
	{ IPC_TUN_FD, 0, 0, 1 },
	{ IPC_DATA_CHAN, 0, 0, 1 },
	{ IPC_CONF_END, 0, 0, 0 },
	{ IPC_SHUTDOWN, 0, 0, 0 },
	{ 0, 0, 0, 0 }
};

static int
peer_route(int family, const uint8_t *dst)
{
	const struct core_peer	*p;
	int			 i, j, best = -1, bestlen = -1;

	for (i = 0; i < (int)cconf.npeers; i++) {
		p = &peers[i];
		for (j = 0; j < p->nallowed; j++)
			if (p->allowed[j].plen > bestlen &&
			    prefix_match(&p->allowed[j], family, dst)) {
				best = i;
				bestlen = p->allowed[j].plen;
			}
	}
	return best;
}

static int
peer_allows(const struct core_peer *p, int family, const uint8_t *src)
{
	int	j;

	for (j = 0; j < p->nallowed; j++)
		if (prefix_match(&p->allowed[j], family, src))
			return 1;
	return 0;
}

/* Round robin over the peer's live sessions; the bonding scheduler
 * replaces this choice. */
static int
pick_link(struct core_peer *p, int *linkd)
{
	unsigned	i, id;

	for (i = 0; i < BONDD_MAX_LINKS; i++) {
		id = (p->rr + i) % BONDD_MAX_LINKS;
		if (p->linkd_of[id] != NO_LINKD &&
		    linkqs[p->linkd_of[id]].q != NULL) {
			p->rr = id + 1;
			*linkd = p->linkd_of[id];
			return id;
		}
	}
	return -1;
}

static void
flush_queues(void)
{
	int	i;

	for (i = 0; i < BONDD_MAX_LINKS; i++)
		if (linkqs[i].dirty) {
			if (pktq_flush(linkqs[i].q) == -1)
				st.queue_full++;
			linkqs[i].dirty = 0;
		}
}

static void
tun_packet(const uint8_t *pkt, size_t len)
{
	struct pktq_hdr	 h;
	struct core_peer *p;
	const uint8_t	*src, *dst;
	size_t		 flen;
	int		 family, pi, id, linkd;

	st.tun_rx_packets++;
	st.tun_rx_bytes += len;
	if ((family = ip_check(pkt, len, &src, &dst)) == -1) {
		st.malformed++;
		return;
	}
	if (len > cconf.tun_mtu) {
		st.too_big++;
		return;
	}
	pi = cconf.role == ROLE_CLIENT ? 0 : peer_route(family, dst);
	if (pi < 0 || (id = pick_link(&peers[pi], &linkd)) < 0) {
		st.no_route++;
		return;
	}
	p = &peers[pi];
	flen = frame_build(framebuf, sizeof(framebuf), p->seq++,
	    (uint32_t)now_us(), pkt, len);
	if (flen == 0) {
		st.too_big++;
		return;
	}
	memset(&h, 0, sizeof(h));
	h.type = PKTQ_DATA;
	h.link_id = id;
	h.peer = pi;
	if (pktq_put(linkqs[linkd].q, &h, framebuf, flen) == -1)
		st.queue_full++;
	linkqs[linkd].dirty = 1;
}

static void
tun_read_cb(evutil_socket_t fd, short ev, void *arg)
{
	ssize_t	n;
	int	i;

	(void)ev;
	(void)arg;
	for (i = 0; i < TUN_BATCH; i++) {
		if ((n = read(fd, pktbuf, sizeof(pktbuf))) == -1) {
			if (errno != EAGAIN && errno != EINTR)
				log_ratelimit("tunread", "tun read: %s",
				    strerror(errno));
			break;
		}
		if (n == 0)
			break;
		tun_packet(pktbuf, n);
	}
	flush_queues();
}

static void
session_change(int instance, const struct pktq_hdr *h, int up)
{
	struct core_peer	*p;

	if (h->peer >= cconf.npeers || h->link_id >= BONDD_MAX_LINKS) {
		st.malformed++;
		return;
	}
	p = &peers[h->peer];
	if (up) {
		if (p->linkd_of[h->link_id] != instance)
			log_info("peer %s link %u: session up", p->name,
			    h->link_id);
		p->linkd_of[h->link_id] = instance;
	} else if (p->linkd_of[h->link_id] == instance) {
		log_info("peer %s link %u: session down", p->name,
		    h->link_id);
		p->linkd_of[h->link_id] = NO_LINKD;
	}
}

static void
deliver(int instance, const struct pktq_elem *e)
{
	struct frame_iter	 it;
	struct inner_hdr	 ih;
	struct core_peer	*p;
	const uint8_t		*pkt, *src, *dst;
	size_t			 len;
	int			 family, r;

	if (e->hdr.peer >= cconf.npeers || e->hdr.link_id >= BONDD_MAX_LINKS ||
	    peers[e->hdr.peer].linkd_of[e->hdr.link_id] != instance ||
	    frame_iter_init(&it, e->frame, e->hdr.len, &ih) == -1) {
		st.malformed++;
		return;
	}
	p = &peers[e->hdr.peer];
	while ((r = frame_next(&it, &pkt, &len)) == 1) {
		if ((family = ip_check(pkt, len, &src, &dst)) == -1) {
			st.malformed++;
			continue;
		}
		/* A peer may only send from the addresses it owns. */
		if (!peer_allows(p, family, src)) {
			st.bad_source++;
			continue;
		}
		if (write(tun_fd, pkt, len) == -1) {
			log_ratelimit("tunwrite", "tun write: %s",
			    strerror(errno));
			continue;
		}
		st.tun_tx_packets++;
		st.tun_tx_bytes += len;
	}
	if (r == -1)
		st.malformed++;
}

static void
linkq_read_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct linkq	*lq = arg;
	int		 instance = lq - linkqs, n, i;

	(void)fd;
	(void)ev;
	if ((n = pktq_get(lq->q, elems, PKTQ_BATCH)) == -1) {
		log_ratelimit("pktq", "linkd %d queue: %s", instance,
		    strerror(errno));
		return;
	}
	for (i = 0; i < n; i++) {
		switch (elems[i].hdr.type) {
		case PKTQ_SESSION_UP:
			session_change(instance, &elems[i].hdr, 1);
			break;
		case PKTQ_SESSION_DOWN:
			session_change(instance, &elems[i].hdr, 0);
			break;
		case PKTQ_DATA:
			deliver(instance, &elems[i]);
			break;
		default:
			st.malformed++;
			break;
		}
	}
}

static void
linkq_set(int instance, int fd)
{
	struct linkq	*lq = &linkqs[instance];
	int		 i, j;

	if (lq->q != NULL) {
		event_free(lq->ev);
		pktq_close(lq->q);
		lq->q = NULL;
		/* The old linkd's sessions died with it. */
		for (i = 0; i < (int)cconf.npeers; i++)
			for (j = 0; j < BONDD_MAX_LINKS; j++)
				if (peers[i].linkd_of[j] == instance)
					peers[i].linkd_of[j] = NO_LINKD;
	}
	if ((lq->q = pktq_open(fd)) == NULL)
		fatal("pktq_open");
	if ((lq->ev = event_new(base, fd, EV_READ | EV_PERSIST, linkq_read_cb,
	    lq)) == NULL || event_add(lq->ev, NULL) == -1)
		fatalx("linkd queue event");
	lq->dirty = 0;
}

static void
conf_peer(struct ipc_msg *msg)
{
	struct ipc_conf_peer	 cp;
	struct core_peer	*p;
	uint32_t		 i;

	if (!have_conf || running || msg->hdr.id >= cconf.npeers ||
	    msg->hdr.id != (uint32_t)npeers_seen ||
	    ipc_msg_get(msg, &cp, sizeof(cp)) == -1 ||
	    memchr(cp.name, '\0', sizeof(cp.name)) == NULL ||
	    cp.nallowed > BONDD_MAX_ALLOWED)
		fatalx("bad IPC_CONF_PEER from parent");
	for (i = 0; i < cp.nallowed; i++)
		if ((cp.allowed[i].family != AF_INET &&
		    cp.allowed[i].family != AF_INET6) ||
		    cp.allowed[i].plen >
		    (cp.allowed[i].family == AF_INET ? 32 : 128))
			fatalx("bad allowed prefix from parent");
	p = &peers[npeers_seen++];
	memcpy(p->name, cp.name, sizeof(p->name));
	memcpy(p->allowed, cp.allowed, sizeof(p->allowed));
	p->nallowed = cp.nallowed;
	for (i = 0; i < BONDD_MAX_LINKS; i++)
		p->linkd_of[i] = NO_LINKD;
}

static void
start_running(void)
{
	if (!have_conf || tun_fd == -1 || npeers_seen != (int)cconf.npeers)
		fatalx("incomplete configuration from parent");
	if (memchr(cconf.user, '\0', sizeof(cconf.user)) == NULL)
		fatalx("bad user from parent");
	sandbox_enter(PROC_CORE, cconf.user);
	if ((tun_ev = event_new(base, tun_fd, EV_READ | EV_PERSIST,
	    tun_read_cb, NULL)) == NULL || event_add(tun_ev, NULL) == -1)
		fatalx("tun event");
	running = 1;
	if (ipc_send(&parent, IPC_READY, 0, 0, -1, NULL, 0) == -1)
		fatal("ready");
	log_debug("running: %u peers, tun mtu %u", cconf.npeers,
	    cconf.tun_mtu);
}

static void
parent_dispatch(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	const char	*why;

	(void)chan;
	(void)arg;
	if (msg == NULL)
		exit(0);	/* the parent is gone */
	if (ipc_check(parent_rules, msg, &why) == NULL)
		fatalx("bad %s from parent: %s", ipc_type_name(msg->hdr.type),
		    why);
	if (!have_hello && msg->hdr.type != IPC_HELLO)
		fatalx("%s before hello", ipc_type_name(msg->hdr.type));
	switch (msg->hdr.type) {
	case IPC_HELLO:
		if (have_hello || ipc_hello_check(msg, PROC_PARENT) == -1)
			fatalx("bad hello from parent");
		have_hello = 1;
		break;
	case IPC_CONF_CORE:
		if (have_conf || ipc_msg_get(msg, &cconf, sizeof(cconf)) == -1 ||
		    cconf.npeers > BONDD_MAX_PEERS || cconf.npeers == 0 ||
		    cconf.nlinkd > BONDD_MAX_LINKS ||
		    cconf.tun_mtu < 576 || cconf.tun_mtu > PKTQ_FRAME_MAX ||
		    cconf.role > ROLE_SERVER)
			fatalx("bad IPC_CONF_CORE from parent");
		have_conf = 1;
		break;
	case IPC_CONF_PEER:
		conf_peer(msg);
		break;
	case IPC_TUN_FD:
		if (tun_fd != -1 || running)
			fatalx("unexpected IPC_TUN_FD");
		tun_fd = ipc_msg_take_fd(msg);
		break;
	case IPC_DATA_CHAN:
		if (!have_conf || msg->hdr.id >= cconf.nlinkd)
			fatalx("bad IPC_DATA_CHAN id %u", msg->hdr.id);
		linkq_set(msg->hdr.id, ipc_msg_take_fd(msg));
		break;
	case IPC_CONF_END:
		if (running)
			fatalx("unexpected IPC_CONF_END");
		start_running();
		break;
	case IPC_SHUTDOWN:
		exit(0);
	}
}

static void
stats_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	(void)arg;
	if (running && ipc_send(&parent, IPC_CORE_STATS, 0, 0, -1, &st,
	    sizeof(st)) == -1)
		log_warn("stats");
}

int
core_main(int debug, int verbose)
{
	struct event	*stats_ev;
	struct timeval	 one_second = { 1, 0 };

	log_init(debug, verbose, LOG_DAEMON);
	log_procinit("core");
	if ((base = event_base_new()) == NULL)
		fatalx("event_base_new");
	if (ipc_init(&parent, BONDD_PARENT_FD, IPC_F_FDPASS, IPC_MAXSIZE,
	    "parent") == -1 ||
	    ipc_event_set(&parent, base, parent_dispatch, NULL) == -1)
		fatalx("parent channel");
	log_set_relay(&parent);
	if (ipc_hello_send(&parent, PROC_CORE, 0) == -1)
		fatalx("hello");
	if ((stats_ev = event_new(base, -1, EV_PERSIST, stats_cb,
	    NULL)) == NULL || event_add(stats_ev, &one_second) == -1)
		fatalx("stats timer");
	event_base_dispatch(base);
	return 0;
}
