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
 * peer.  Outgoing, it picks the peer by allowed_ips, the link by the
 * configured strategy (realtime flows pinned to the lowest-latency
 * link), aggregates small packets, numbers every frame and keeps it for
 * a while to resend it on another link when the peer asks (NACK) or its
 * link fails.  Incoming, it puts frames back in order (reorder.c),
 * checks every packet and writes it to the TUN device.  Runs sandboxed
 * and unprivileged; holds no keys and never sees bytes that linkd has
 * not authenticated, and trusts a linkd no more than the network.
 */

#include <sys/random.h>
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
#include "agg.h"
#include "flow.h"
#include "frame.h"
#include "icmp.h"
#include "ipc.h"
#include "ipcheck.h"
#include "linkinfo.h"
#include "log.h"
#include "messages.h"
#include "nack.h"
#include "pktq.h"
#include "reorder.h"
#include "retx.h"
#include "sandbox.h"
#include "scheduler.h"
#include "util.h"

#define TUN_BATCH	64
#define NO_LINKD	(-1)
#define RAMP_US		2000000		/* a returning link's rate ramp */
#define RATE_MARGIN_MIN	32000		/* bit/s kept free on every link */
/*
 * Drop at the tunnel's entrance once the chosen link of known (or
 * estimated) rate has this much queued: a link's own queue would drop the datagram after
 * it was numbered, and the resend that hides the loss from TCP also
 * hides the congestion, so TCP would never slow down.
 */
#define QUEUE_LIMIT_US	40000

/* One link of a peer, as the core sees it. */
struct core_link {
	int		 linkd;		/* session holder, or NO_LINKD */
	struct link_info info;		/* its linkd's last report */
	int		 have_info;
	int		 usable;	/* the scheduler may use it */
	uint64_t	 usable_since;
	int		 was_usable;	/* ever */
	struct agg	 agg;		/* exists while the peer is active */
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
	struct event	*timer;
	uint64_t	 timer_at;	/* 0: not armed */
	uint64_t	 last_nack_us;
	uint16_t	 peer_epoch;	/* the peer core's, 0 = none yet */
	uint16_t	 old_epoch;	/* its previous one */
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
static size_t			 frame_max;	/* inner frame limit */
static uint16_t			 epoch;		/* ours, random, not 0 */
static unsigned			 reorder_slots;

static void	peer_timer_arm(struct core_peer *, uint64_t);
static void	linkq_close(int, uint64_t);

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
	{ IPC_RECONF_CORE, sizeof(struct ipc_reconf_core),
	    sizeof(struct ipc_reconf_core) +
	    BONDD_MAX_PEERS * sizeof(struct ipc_reconf_peer), 0 },
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

/* Buffers of a peer are made when its first session comes up, so a
 * server with many configured sites pays only for the active ones. */
static void
peer_activate(struct core_peer *p)
{
	size_t	i;

	if (p->active)
		return;
	if ((p->ro = reorder_new(reorder_slots, frame_max,
	    cconf.reorder_max_ms * 1000)) == NULL ||
	    (p->flows = calloc(1, sizeof(*p->flows))) == NULL ||
	    retx_init(&p->retx, frame_max) == -1)
		fatal("peer %s buffers", p->name);
	flow_table_init(p->flows);
	for (i = 0; i < BONDD_MAX_LINKS; i++)
		if (agg_init(&p->link[i].agg, frame_max) == -1)
			fatal("aggregation buffer");
	p->active = 1;
}

static int
link_has_session(const struct core_peer *p, int id)
{
	return p->link[id].linkd != NO_LINKD &&
	    linkqs[p->link[id].linkd].q != NULL;
}

/* Hand one complete frame to the linkd of link id. */
static int
frame_send(struct core_peer *p, int id, const uint8_t *frame, size_t len)
{
	struct pktq_hdr	h;
	uint64_t	before;
	int		linkd, r;

	if (!link_has_session(p, id))
		return -1;
	linkd = p->link[id].linkd;
	memset(&h, 0, sizeof(h));
	h.type = PKTQ_DATA;
	h.link_id = id;
	h.peer = p - peers;
	/* A full queue to linkd can drop a whole batch: count them all. */
	before = pktq_dropped(linkqs[linkd].q);
	r = pktq_put(linkqs[linkd].q, &h, frame, len);
	st.queue_full += pktq_dropped(linkqs[linkd].q) - before;
	if (r == -1)
		return -1;
	linkqs[linkd].dirty = 1;
	st.frames_tx++;
	return 0;
}

/* Number a frame, keep a copy for resending, send it. */
static void
frame_commit(struct core_peer *p, int id, uint8_t *frame, size_t len,
    uint64_t now, int dup_id)
{
	struct inner_hdr	 h;
	uint32_t		 seq = p->seq++;

	memset(&h, 0, sizeof(h));
	h.kind = INNER_DATA;
	h.epoch = epoch;
	h.seq = seq;
	h.send_ts_us = (uint32_t)now;
	inner_hdr_encode(frame, &h);
	retx_keep(&p->retx, seq, frame, len, id, now);
	frame_send(p, id, frame, len);
	if (dup_id >= 0 && dup_id != id) {
		sched_sent(&p->sched, dup_id, len + FRAME_PACKET_OVERHEAD4, now);
		if (frame_send(p, dup_id, frame, len) == 0)
			st.rt_duplicated++;
	}
}

/* Send the frame pending for link id, if any. */
static void
link_flush(struct core_peer *p, int id, uint64_t now)
{
	struct agg	*a = &p->link[id].agg;

	if (a->len == 0)
		return;
	if (a->npkts > 1)
		st.aggregated += a->npkts;
	frame_commit(p, id, a->buf, a->len, now, -1);
	agg_clear(a);
}

static void
link_queue(struct core_peer *p, int id, const uint8_t *pkt, size_t len,
    uint64_t now)
{
	struct agg	*a = &p->link[id].agg;

	if (agg_full(a, len))
		link_flush(p, id, now);
	agg_add(a, pkt, len, now);
}

/* End of a burst: send the frames that must go, wake for the others. */
static void
peer_settle(struct core_peer *p, uint64_t now)
{
	uint64_t	 at, wake = 0;
	int		 id;

	for (id = 0; id < BONDD_MAX_LINKS; id++)
		switch (agg_settle(&p->link[id].agg, now, &at)) {
		case AGG_SEND:
			link_flush(p, id, now);
			break;
		case AGG_WAIT:
			if (wake == 0 || at < wake)
				wake = at;
			break;
		case AGG_EMPTY:
			break;
		}
	if (wake != 0)
		peer_timer_arm(p, wake);
}

static void
flush_queues(void)
{
	uint64_t	before;
	int		i;

	for (i = 0; i < BONDD_MAX_LINKS; i++)
		if (linkqs[i].dirty) {
			before = pktq_dropped(linkqs[i].q);
			pktq_flush(linkqs[i].q);
			st.queue_full += pktq_dropped(linkqs[i].q) - before;
			linkqs[i].dirty = 0;
		}
}

/* No link the strategy may use: a link still proving itself beats
 * dropping the packet. */
static int
pick_fallback(struct core_peer *p)
{
	int	id;

	for (id = 0; id < BONDD_MAX_LINKS; id++)
		if (link_has_session(p, id) && (!p->link[id].have_info ||
		    p->link[id].info.state != LINK_STATE_DOWN))
			return id;
	return -1;
}

static void
send_realtime(struct core_peer *p, const uint8_t *pkt, size_t len,
    uint64_t now)
{
	uint8_t		*frame = framebuf;
	uint32_t	 hash;
	size_t		 off;
	int		 id = -1, dup = -1;

	if (flow_id(pkt, len, 0, &hash) == 0 &&
	    (id = flow_pin_lookup(p->flows, hash, now)) >= 0 &&
	    !p->link[id].usable)
		id = -1;
	if (id < 0) {
		if ((id = sched_pick_best_latency(&p->sched, now, -1)) < 0 &&
		    (id = pick_fallback(p)) < 0) {
			st.no_route++;
			return;
		}
		flow_pin_set(p->flows, hash, id, now);
	}
	if (cconf.rt_duplicate)
		dup = sched_pick_best_latency(&p->sched, now, id);
	/* Realtime goes alone and at once: no aggregation delay. */
	link_flush(p, id, now);
	sched_sent(&p->sched, id, len + FRAME_PACKET_OVERHEAD4, now);
	off = INNER_HDR_LEN;
	frame_rec_put(frame, frame_max, &off, pkt, len);
	frame_commit(p, id, frame, off, now, dup);
}

/* Lower the MSS of a TCP SYN to what the tunnel carries, if asked. */
static void
clamp_mss(uint8_t *pkt, size_t len, int family)
{
	if (cconf.mss_clamp)
		flow_tcp_mss_clamp(pkt, len, cconf.tun_mtu -
		    (family == AF_INET ? 40 : 60));
}

static void
too_big(const uint8_t *pkt, size_t len)
{
	const struct conf_prefix *src = NULL;
	uint8_t			 out[1400];
	size_t			 n;
	uint32_t		 i;
	int			 family = pkt[0] >> 4 == 4 ? AF_INET : AF_INET6;

	st.too_big++;
	for (i = 0; i < cconf.ntun_addr; i++)
		if (cconf.tun_addr[i].family == family)
			src = &cconf.tun_addr[i];
	if ((n = icmp_too_big(pkt, len, cconf.tun_mtu, src, out,
	    sizeof(out))) > 0 && write(tun_fd, out, n) == -1)
		log_ratelimit("icmp", "tun write: %s", strerror(errno));
}

static void
tun_packet(uint8_t *pkt, size_t len, uint64_t now)
{
	struct core_peer *p;
	const uint8_t	*src, *dst;
	int		 family, pi, id;

	st.tun_rx_packets++;
	st.tun_rx_bytes += len;
	if ((family = ip_check(pkt, len, &src, &dst)) == -1) {
		st.malformed++;
		return;
	}
	if (len > cconf.tun_mtu) {
		too_big(pkt, len);
		return;
	}
	pi = cconf.role == ROLE_CLIENT ? 0 : peer_route(family, dst);
	if (pi < 0 || !peers[pi].active) {
		st.no_route++;
		return;
	}
	p = &peers[pi];
	clamp_mss(pkt, len, family);
	/* Configured ports, or DSCP EF. */
	if (flow_is_realtime(pkt, len, cconf.rt_udp_ports,
	    cconf.nrt_udp_ports, cconf.rt_tcp_ports, cconf.nrt_tcp_ports)) {
		send_realtime(p, pkt, len, now);
		return;
	}
	if ((id = sched_pick(&p->sched, now, len + FRAME_PACKET_OVERHEAD4)) < 0 &&
	    (id = pick_fallback(p)) < 0) {
		st.no_route++;
		return;
	}
	if (p->link[id].info.rate_cfg_bps != 0 &&
	    sched_queue_us(&p->sched, id, now) > QUEUE_LIMIT_US) {
		st.queue_full++;
		return;
	}
	sched_sent(&p->sched, id, len + FRAME_PACKET_OVERHEAD4, now);
	link_queue(p, id, pkt, len, now);
}

static void
tun_read_cb(evutil_socket_t fd, short ev, void *arg)
{
	uint64_t	now = now_us();
	ssize_t		n;
	int		i;

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
		tun_packet(pktbuf, n, now);
	}
	for (i = 0; i < (int)cconf.npeers; i++)
		if (peers[i].active)
			peer_settle(&peers[i], now);
	flush_queues();
}

/* Write the packets of one frame (records, header stripped). */
static void
deliver_records(struct core_peer *p, const uint8_t *recs, size_t len)
{
	const uint8_t	*pkt, *src, *dst;
	size_t		 plen, off = 0;
	int		 family, r;

	while ((r = frame_rec_next(recs, len, &off, &pkt, &plen)) == 1) {
		if ((family = ip_check(pkt, plen, &src, &dst)) == -1) {
			st.malformed++;
			continue;
		}
		/* A peer may only send from the addresses it owns. */
		if (!peer_allows(p, family, src)) {
			st.bad_source++;
			continue;
		}
		clamp_mss((uint8_t *)pkt, plen, family);
		if (write(tun_fd, pkt, plen) == -1) {
			log_ratelimit("tunwrite", "tun write: %s",
			    strerror(errno));
			continue;
		}
		st.tun_tx_packets++;
		st.tun_tx_bytes += plen;
	}
	if (r == -1)
		st.malformed++;
}

static void
reorder_drain(struct core_peer *p, uint64_t now)
{
	const uint8_t	*recs;
	size_t		 len;

	while (reorder_pop(p->ro, now, &recs, &len) == 1)
		deliver_records(p, recs, len);
}

/* Resend a kept frame on the best other link; 0 if it went. */
static int
resend(struct core_peer *p, struct retx_frame *r, uint64_t now)
{
	int	id;

	if ((id = sched_pick_best_latency(&p->sched, now, r->link)) < 0 &&
	    (id = sched_pick_best_latency(&p->sched, now, -1)) < 0)
		return -1;
	sched_sent(&p->sched, id, r->len + FRAME_PACKET_OVERHEAD4, now);
	if (frame_send(p, id, r->frame, r->len) == -1)
		return -1;
	r->link = id;
	return 0;
}

static void
nack_received(struct core_peer *p, const uint8_t *body, size_t len,
    uint64_t now)
{
	struct retx_frame *want[INNER_NACK_MAX];
	size_t		 nwant, i;
	int		 asked;

	if ((asked = nack_wanted(&p->retx, body, len, now, want,
	    &nwant)) == -1) {
		st.malformed++;
		return;
	}
	st.nack_rx += asked;
	for (i = 0; i < nwant; i++)
		if (resend(p, want[i], now) == 0)
			st.resent++;
}

/* Ask the peer for what is missing before the hold gives up on it. */
static void
nack_send(struct core_peer *p, uint64_t now)
{
	uint8_t		*f = framebuf;
	size_t		 len;
	int		 n, id;

	if ((len = nack_build(p->ro, epoch, now, f, &n)) == 0 ||
	    (id = sched_pick_best_latency(&p->sched, now, -1)) < 0)
		return;
	if (frame_send(p, id, f, len) == 0)
		st.nack_tx += n;
	p->last_nack_us = now;
}

/* Held frames, pending aggregates and NACKs all wake the same timer. */
static void
peer_service(struct core_peer *p, uint64_t now)
{
	uint64_t	dl;

	reorder_drain(p, now);
	if (nack_due(p->last_nack_us, now))
		nack_send(p, now);
	peer_settle(p, now);
	if ((dl = reorder_next_deadline(p->ro)) != 0) {
		/* While frames wait for a gap, look for NACKs too. */
		if (dl > now + NACK_PERIOD_US)
			dl = now + NACK_PERIOD_US;
		peer_timer_arm(p, dl);
	}
}

static void
peer_timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct core_peer	*p = arg;

	(void)fd;
	(void)ev;
	p->timer_at = 0;
	peer_service(p, now_us());
	flush_queues();
}

static void
peer_timer_arm(struct core_peer *p, uint64_t at)
{
	struct timeval	tv;
	uint64_t	now = now_us(), d;

	if (p->timer_at != 0 && p->timer_at <= at)
		return;
	d = at > now ? at - now : 0;
	tv.tv_sec = d / 1000000;
	tv.tv_usec = d % 1000000;
	p->timer_at = at;
	evtimer_add(p->timer, &tv);
}

/* The peer an element from a linkd names, if that linkd holds the
 * session of the link it names; NULL for anything else. */
static struct core_peer *
elem_peer(int instance, const struct pktq_hdr *h)
{
	if (h->peer >= cconf.npeers || h->link_id >= BONDD_MAX_LINKS ||
	    peers[h->peer].link[h->link_id].linkd != instance)
		return NULL;
	return &peers[h->peer];
}

/*
 * The peer's core restarted (a new epoch): its sequence numbers start
 * somewhere new, so our reordering state says nothing about them.
 * Frames of its previous epoch still in flight are dropped.
 */
static int
peer_epoch_change(struct core_peer *p, uint16_t e)
{
	if (e == 0 || (p->old_epoch != 0 && e == p->old_epoch)) {
		st.reorder_dup++;
		return -1;
	}
	if (p->peer_epoch != 0)
		log_info("peer %s restarted: reordering starts afresh",
		    p->name);
	p->old_epoch = p->peer_epoch;
	p->peer_epoch = e;
	reorder_reset(p->ro);
	return 0;
}

static void
frame_received(int instance, const struct pktq_elem *e, uint64_t now)
{
	struct inner_hdr	 ih;
	struct core_peer	*p;
	int32_t			 owd;
	int			 v;

	if ((p = elem_peer(instance, &e->hdr)) == NULL || !p->active ||
	    inner_hdr_decode(e->frame, e->hdr.len, &ih) != 0) {
		st.malformed++;
		return;
	}
	if ((ih.kind == INNER_DATA || ih.kind == INNER_NACK) &&
	    ih.epoch != p->peer_epoch && peer_epoch_change(p, ih.epoch) == -1)
		return;
	owd = (int32_t)((uint32_t)now - ih.send_ts_us);
	switch (ih.kind) {
	case INNER_DATA:
		break;
	case INNER_NACK:
		reorder_sample(p->ro, e->hdr.link_id, owd, now);
		nack_received(p, e->frame + INNER_HDR_LEN,
		    e->hdr.len - INNER_HDR_LEN, now);
		return;
	default:
		st.malformed++;
		return;
	}
	for (;;) {
		v = reorder_push(p->ro, ih.seq, e->hdr.link_id, owd,
		    e->frame + INNER_HDR_LEN, e->hdr.len - INNER_HDR_LEN,
		    now);
		if (v != REORDER_FULL)
			break;
		reorder_drain(p, now);
	}
	switch (v) {
	case REORDER_LATE:
		st.reorder_late++;
		/* FALLTHROUGH */
	case REORDER_DELIVER:
		deliver_records(p, e->frame + INNER_HDR_LEN,
		    e->hdr.len - INNER_HDR_LEN);
		reorder_drain(p, now);
		break;
	case REORDER_HELD:
		reorder_drain(p, now);
		break;
	case REORDER_DUP:
	case REORDER_OLD:
		st.reorder_dup++;
		break;
	default:
		st.malformed++;
		break;
	}
}

/* A link stopped carrying: move its realtime flows, and resend what
 * it had in flight, which the peer would otherwise wait for. */
static void
link_failed(struct core_peer *p, int id, uint64_t now)
{
	struct retx_frame *r;
	uint64_t	 window;
	size_t		 next = 0;
	int		 moved;

	moved = flow_unpin_link(p->flows, id);
	window = retx_failover_window(p->link[id].info.srtt_us);
	link_flush(p, id, now);
	while ((r = retx_next_on_link(&p->retx, &next, id, window,
	    now)) != NULL)
		if (resend(p, r, now) == 0)
			st.failover_resent++;
	log_info("peer %s link %u: not usable; %d flows moved", p->name, id,
	    moved);
}

/*
 * The scheduler sees a link that just became usable at a quarter of its
 * rate, rising to all of it over RAMP_US: a link back from an outage
 * proves itself before it carries its full share.
 */
static void
sched_feed(struct core_peer *p, int id, uint64_t now)
{
	struct core_link	*l = &p->link[id];
	struct link_info	 li = l->info;
	uint64_t		 age = now - l->usable_since;

	if (l->usable && age < RAMP_US)
		li.rate_cfg_bps = li.rate_cfg_bps / 4 +
		    li.rate_cfg_bps * 3 / 4 * age / RAMP_US;
	sched_link_update(&p->sched, id, &li, l->usable);
}

static void
link_update(struct core_peer *p, int id, uint64_t now)
{
	struct core_link	*l = &p->link[id];
	int			 usable, was = l->usable;

	usable = link_has_session(p, id) && l->have_info &&
	    (l->info.state == LINK_STATE_RUNNING ||
	    l->info.state == LINK_STATE_LOSSY);
	l->usable = usable;
	/* No ramp the first time: there is nothing to recover from. */
	if (!was && usable) {
		l->usable_since = l->was_usable ? now : now - RAMP_US;
		l->was_usable = 1;
	}
	if (l->have_info)
		sched_feed(p, id, now);
	else
		sched_link_remove(&p->sched, id);
	if (was && !usable)
		link_failed(p, id, now);
	else if (!was && usable)
		log_info("peer %s link %u: carrying traffic", p->name, id);
}

static void
link_info_received(int instance, const struct pktq_elem *e, uint64_t now)
{
	struct link_info	 li;
	struct core_peer	*p;
	uint64_t		 margin;

	if ((p = elem_peer(instance, &e->hdr)) == NULL ||
	    e->hdr.len != sizeof(li)) {
		st.malformed++;
		return;
	}
	memcpy(&li, e->frame, sizeof(li));
	if (li.state >= LINK_STATE_MAX || li.priority > 16 || li.backup > 1) {
		st.malformed++;
		return;
	}
	/* Without a configured rate, linkd's estimate stands in for it. */
	if (li.rate_cfg_bps == 0)
		li.rate_cfg_bps = li.rate_est_bps;
	/* Aim a little under the rate: probes (about 11 kbit/s),
	 * keepalives and resends travel too, and a link's own queue must
	 * stay short. */
	margin = li.rate_cfg_bps / 64 > RATE_MARGIN_MIN ?
	    li.rate_cfg_bps / 64 : RATE_MARGIN_MIN;
	li.rate_cfg_bps -= margin < li.rate_cfg_bps / 2 ? margin :
	    li.rate_cfg_bps / 2;
	p->link[e->hdr.link_id].info = li;
	p->link[e->hdr.link_id].have_info = 1;
	link_update(p, e->hdr.link_id, now);
}

static void
session_change(int instance, const struct pktq_hdr *h, int up, uint64_t now)
{
	struct core_peer	*p;

	if (h->peer >= cconf.npeers || h->link_id >= BONDD_MAX_LINKS) {
		st.malformed++;
		return;
	}
	p = &peers[h->peer];
	if (up) {
		peer_activate(p);
		if (p->link[h->link_id].linkd != instance)
			log_info("peer %s link %u: session up", p->name,
			    h->link_id);
		p->link[h->link_id].linkd = instance;
	} else if (p->link[h->link_id].linkd == instance) {
		log_info("peer %s link %u: session down", p->name,
		    h->link_id);
		p->link[h->link_id].linkd = NO_LINKD;
		p->link[h->link_id].have_info = 0;
	} else
		return;
	link_update(p, h->link_id, now);
}

static void
linkq_read_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct linkq	*lq = arg;
	uint64_t	 now = now_us(), dropped;
	int		 instance = lq - linkqs, n, i;

	(void)fd;
	(void)ev;
	/* Only pktq_get moves the count here: the elements it refused. */
	dropped = pktq_dropped(lq->q);
	n = pktq_get(lq->q, elems, PKTQ_BATCH);
	st.malformed += pktq_dropped(lq->q) - dropped;
	if (n == -1) {
		if (errno == EPIPE) {
			/* The linkd died; the parent starts a new one and
			 * hands us its queue. */
			linkq_close(instance, now);
			return;
		}
		log_ratelimit("pktq", "linkd %d queue: %s", instance,
		    strerror(errno));
		return;
	}
	for (i = 0; i < n; i++) {
		switch (elems[i].hdr.type) {
		case PKTQ_SESSION_UP:
			session_change(instance, &elems[i].hdr, 1, now);
			break;
		case PKTQ_SESSION_DOWN:
			session_change(instance, &elems[i].hdr, 0, now);
			break;
		case PKTQ_LINK_INFO:
			link_info_received(instance, &elems[i], now);
			break;
		case PKTQ_DATA:
			frame_received(instance, &elems[i], now);
			break;
		default:
			st.malformed++;
			break;
		}
	}
	for (i = 0; i < (int)cconf.npeers; i++)
		if (peers[i].active)
			peer_service(&peers[i], now);
	flush_queues();
}

static void
linkq_close(int instance, uint64_t now)
{
	struct linkq	*lq = &linkqs[instance];
	int		 i, j;

	if (lq->q == NULL)
		return;
	event_free(lq->ev);
	pktq_close(lq->q);
	lq->q = NULL;
	lq->dirty = 0;
	/* The old linkd's sessions died with it. */
	for (i = 0; i < (int)cconf.npeers; i++)
		for (j = 0; j < BONDD_MAX_LINKS; j++)
			if (peers[i].link[j].linkd == instance) {
				peers[i].link[j].linkd = NO_LINKD;
				peers[i].link[j].have_info = 0;
				link_update(&peers[i], j, now);
			}
}

static void
linkq_set(int instance, int fd)
{
	struct linkq	*lq = &linkqs[instance];

	linkq_close(instance, now_us());
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
		p->link[i].linkd = NO_LINKD;
	sched_init(&p->sched, cconf.strategy);
	if (getrandom(&p->seq, sizeof(p->seq), 0) != sizeof(p->seq))
		fatal("getrandom");
	if ((p->timer = evtimer_new(base, peer_timer_cb, p)) == NULL)
		fatalx("evtimer_new");
}

static void
check_conf(void)
{
	uint32_t	i;

	if (cconf.npeers > BONDD_MAX_PEERS || cconf.npeers == 0 ||
	    cconf.nlinkd > BONDD_MAX_LINKS || cconf.tun_mtu < 576 ||
	    cconf.tun_mtu + FRAME_INNER_OVERHEAD > PKTQ_FRAME_MAX ||
	    cconf.role > ROLE_SERVER ||
	    cconf.strategy > STRATEGY_SINGLE_BEST ||
	    cconf.reorder_max_ms > 2000 || cconf.nrt_udp_ports > 16 ||
	    cconf.nrt_tcp_ports > 16 || cconf.ntun_addr > 4 ||
	    memchr(cconf.user, '\0', sizeof(cconf.user)) == NULL)
		fatalx("bad IPC_CONF_CORE from parent");
	for (i = 0; i < cconf.ntun_addr; i++)
		if (cconf.tun_addr[i].family != AF_INET &&
		    cconf.tun_addr[i].family != AF_INET6)
			fatalx("bad tunnel address from parent");
	frame_max = cconf.tun_mtu + FRAME_INNER_OVERHEAD;
	/* A random epoch and first sequence tell a restart apart. */
	while (epoch == 0)
		if (getrandom(&epoch, sizeof(epoch), 0) != sizeof(epoch))
			fatal("getrandom");
	reorder_slots = cconf.npeers <= 4 ? 4096 : 1024;
}

static void
start_running(void)
{
	if (!have_conf || tun_fd == -1 || npeers_seen != (int)cconf.npeers)
		fatalx("incomplete configuration from parent");
	sandbox_enter(PROC_CORE, cconf.user);
	if ((tun_ev = event_new(base, tun_fd, EV_READ | EV_PERSIST,
	    tun_read_cb, NULL)) == NULL || event_add(tun_ev, NULL) == -1)
		fatalx("tun event");
	running = 1;
	if (ipc_send(&parent, IPC_READY, 0, 0, -1, NULL, 0) == -1)
		fatal("ready");
	log_debug("running: %u peers, tun mtu %u, strategy %s", cconf.npeers,
	    cconf.tun_mtu, conf_strategy_name(cconf.strategy));
}

/*
 * A reload: the new scheduler, reorder, realtime and allowed_ips
 * settings apply in place; the queues of removed links close and their
 * sessions go, as when a linkd dies.
 */
static void
reconf_core(struct ipc_msg *msg)
{
	struct ipc_reconf_core	 rc;
	struct ipc_reconf_peer	 rp[BONDD_MAX_PEERS];
	uint64_t		 now = now_us();
	uint32_t		 i, k;
	int			 j;

	if (!running || ipc_msg_get(msg, &rc, sizeof(rc)) == -1 ||
	    rc.conf.npeers != cconf.npeers || rc.conf.role != cconf.role ||
	    rc.conf.strategy > STRATEGY_SINGLE_BEST ||
	    rc.conf.reorder_max_ms > 2000 || rc.conf.nrt_udp_ports > 16 ||
	    rc.conf.nrt_tcp_ports > 16)
		fatalx("bad IPC_RECONF_CORE from parent");
	for (i = 0; i < cconf.npeers; i++) {
		if (ipc_msg_get(msg, &rp[i], sizeof(rp[i])) == -1 ||
		    rp[i].nallowed > BONDD_MAX_ALLOWED)
			fatalx("bad IPC_RECONF_CORE peer from parent");
		for (k = 0; k < rp[i].nallowed; k++)
			if ((rp[i].allowed[k].family != AF_INET &&
			    rp[i].allowed[k].family != AF_INET6) ||
			    rp[i].allowed[k].plen >
			    (rp[i].allowed[k].family == AF_INET ? 32 : 128))
				fatalx("bad allowed prefix from parent");
	}
	if (ipc_msg_end(msg) != 0)
		fatalx("bad IPC_RECONF_CORE length from parent");
	cconf.strategy = rc.conf.strategy;
	cconf.reorder_max_ms = rc.conf.reorder_max_ms;
	cconf.mss_clamp = rc.conf.mss_clamp;
	memcpy(cconf.rt_udp_ports, rc.conf.rt_udp_ports,
	    sizeof(cconf.rt_udp_ports));
	memcpy(cconf.rt_tcp_ports, rc.conf.rt_tcp_ports,
	    sizeof(cconf.rt_tcp_ports));
	cconf.nrt_udp_ports = rc.conf.nrt_udp_ports;
	cconf.nrt_tcp_ports = rc.conf.nrt_tcp_ports;
	cconf.rt_duplicate = rc.conf.rt_duplicate;
	for (i = 0; i < cconf.npeers; i++) {
		memcpy(peers[i].allowed, rp[i].allowed,
		    sizeof(peers[i].allowed));
		peers[i].nallowed = rp[i].nallowed;
		sched_set_strategy(&peers[i].sched, cconf.strategy);
		if (peers[i].ro != NULL)
			reorder_set_max_hold(peers[i].ro,
			    cconf.reorder_max_ms * 1000);
	}
	for (j = 0; j < BONDD_MAX_LINKS; j++)
		if (!(rc.live & (1U << j)))
			linkq_close(j, now);
	log_info("reconfigured: strategy %s, reorder_max %ums",
	    conf_strategy_name(cconf.strategy), cconf.reorder_max_ms);
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
		if (have_conf || ipc_msg_get(msg, &cconf, sizeof(cconf)) == -1)
			fatalx("bad IPC_CONF_CORE from parent");
		check_conf();
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
	case IPC_RECONF_CORE:
		reconf_core(msg);
		break;
	}
}

static void
stats_cb(evutil_socket_t fd, short ev, void *arg)
{
	static unsigned		ticks;
	struct reorder_stats	rs;
	int			i;

	(void)fd;
	(void)ev;
	(void)arg;
	if (!running)
		return;
	st.reorder_held = st.reorder_lost = 0;
	st.reorder_hold_us = st.reorder_cur = 0;
	for (i = 0; i < (int)cconf.npeers; i++) {
		if (!peers[i].active)
			continue;
		reorder_stats(peers[i].ro, &rs);
		st.reorder_held += rs.held;
		st.reorder_lost += rs.skipped;
		st.reorder_cur += rs.cur_held;
		if (rs.hold_us > st.reorder_hold_us)
			st.reorder_hold_us = rs.hold_us;
	}
	if (ipc_send(&parent, IPC_CORE_STATS, 0, 0, -1, &st,
	    sizeof(st)) == -1)
		log_warn("stats");
	if (++ticks % 5 == 0)
		log_info("reorder hold %ums held %u late %llu lost %llu dup %llu"
		    " | nack tx %llu rx %llu resent %llu failover %llu | "
		    "dropped at entry %llu", st.reorder_hold_us / 1000,
		    st.reorder_cur, (unsigned long long)st.reorder_late,
		    (unsigned long long)st.reorder_lost,
		    (unsigned long long)st.reorder_dup,
		    (unsigned long long)st.nack_tx,
		    (unsigned long long)st.nack_rx,
		    (unsigned long long)st.resent,
		    (unsigned long long)st.failover_resent,
		    (unsigned long long)st.queue_full);
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
