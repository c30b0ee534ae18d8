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
 * The core's way out: a packet read from the TUN device is checked,
 * routed to its peer by allowed_ips, given a link by the scheduler
 * (realtime flows pinned to the lowest-latency link, maybe duplicated),
 * aggregated with other small packets for that link (agg.c), numbered
 * and kept for resending (retx.c), and queued to the link's linkd.
 * Runs in the core, sandboxed and unprivileged; holds no keys.  Packets
 * from the TUN device are untrusted: each is checked before use.
 */

#include <sys/socket.h>

#include <errno.h>
#include <event2/event.h>
#include <string.h>
#include <unistd.h>

#include "agg.h"
#include "bondd.h"
#include "config.h"
#include "core.h"
#include "flow.h"
#include "frame.h"
#include "icmp.h"
#include "ipcheck.h"
#include "linkinfo.h"
#include "log.h"
#include "messages.h"
#include "pktq.h"
#include "retx.h"
#include "scheduler.h"
#include "util.h"

#define TUN_BATCH	64
/*
 * Drop at the tunnel's entrance once the chosen link of known (or
 * estimated) rate has this much queued: a link's own queue would drop
 * the datagram after it was numbered, and the resend that hides the
 * loss from TCP also hides the congestion, so TCP would never slow
 * down.
 */
#define QUEUE_LIMIT_US	40000

static uint8_t			 pktbuf[65536];
static uint8_t			 framebuf[PKTQ_FRAME_MAX];

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

int
link_has_session(const struct core_peer *p, int id)
{
	return p->link[id].linkd != NO_LINKD &&
	    linkqs[p->link[id].linkd].q != NULL;
}

/* Hand one complete frame to the linkd of link id. */
int
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
		sched_sent(&p->sched, dup_id, len + FRAME_PACKET_OVERHEAD4,
		    now);
		if (frame_send(p, dup_id, frame, len) == 0)
			st.rt_duplicated++;
	}
}

/* Resend a kept frame on the best other link; 0 if it went. */
int
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

/* Send the frame pending for link id, if any. */
void
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
void
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

void
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
	struct flow_ent	*f = NULL;
	uint8_t		*frame = framebuf;
	uint32_t	 hash;
	size_t		 off;
	int		 id = -1, dup = -1;

	if (flow_id(pkt, len, 0, &hash) == 0) {
		f = flow_get(p->flows, hash, now);
		if ((id = f->link) >= 0 && !p->link[id].usable)
			id = -1;
	}
	if (id < 0) {
		if ((id = sched_pick_best_latency(&p->sched, now, -1)) < 0 &&
		    (id = pick_fallback(p)) < 0) {
			st.no_route++;
			return;
		}
		if (f != NULL)
			f->link = id;
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
void
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
	if ((id = sched_pick(&p->sched, now,
	    len + FRAME_PACKET_OVERHEAD4)) < 0 &&
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

void
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
