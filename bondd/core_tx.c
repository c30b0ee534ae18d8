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
 * routed to its peer by allowed_ips, and given a link: a realtime flow
 * its pinned lowest-latency link (maybe duplicated), any other flow the
 * link it keeps to until it outgrows it, then the one where each
 * packet arrives first (scheduler.c).  The packet waits in that link's
 * queue (txq.c) for its departure time, so that every link is paced at
 * its rate, sharing a frame with small packets that wait too; an idle
 * link sends at once.  A departing frame is numbered, named after its
 * link's and its flow's previous frames, kept for resending (retx.c),
 * folded into the FEC parity (fec.c) and queued to the link's linkd.
 * Runs in the core, sandboxed and unprivileged; holds no keys.  Packets
 * from the TUN device are untrusted: each is checked before use.
 */

#include <sys/socket.h>

#include <errno.h>
#include <event2/event.h>
#include <string.h>
#include <unistd.h>

#include "bondd.h"
#include "config.h"
#include "core.h"
#include "fec.h"
#include "flow.h"
#include "frame.h"
#include "gso.h"
#include "icmp.h"
#include "ipcheck.h"
#include "linkinfo.h"
#include "log.h"
#include "messages.h"
#include "pktq.h"
#include "retx.h"
#include "scheduler.h"
#include "txq.h"
#include "util.h"

#define TUN_BATCH	64
/*
 * Drop at the tunnel's entrance once a packet would arrive this much
 * later than the slowest link brings one without a queue: a link's own
 * queue would drop the datagram after it was numbered, and the resend
 * that hides the loss from TCP also hides the congestion, so TCP would
 * never slow down.
 */
#define QUEUE_LIMIT_US	40000
/* A link may send this far ahead of its pace: a burst of 2 ms. */
#define PACE_BURST_US	2000
/*
 * Paced frames go together: the timer wakes once the first waiting
 * frame is this close to its time (less than PACE_BURST_US), so each
 * wake-up sends about a millisecond of the link's frames, not the one
 * frame that just came within the burst.  No frame goes later than its
 * time.
 */
#define PACE_WAKE_US	1000
/* A flow whose link has this much queued has outgrown it. */
#define FLOW_FULL_US	5000
/* Parity is not sent to a link with more than this queued. */
#define FEC_ROOM_US	5000
/* A fixed FEC code, for fec.mode fixed. */
#define FEC_FIXED_N	10
#define FEC_FIXED_K	4

static uint8_t			 pktbuf[VNET_HDR_LEN + 65536];
static uint8_t			 segbuf[65536];
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

/*
 * Tell link id's linkd what waited for its pace (linkinfo.h), at most
 * every LINK_HELD_REPORT_US.  Lost with a full queue: the next report
 * counts it again.
 */
static void
held_report(struct core_peer *p, int id, uint64_t now)
{
	struct core_link	*l = &p->link[id];
	struct link_held	 lh;
	struct pktq_hdr		 h;
	int			 linkd;

	if (l->held_bytes == 0 || now - l->held_report_us <
	    LINK_HELD_REPORT_US || !link_has_session(p, id))
		return;
	linkd = l->linkd;
	memset(&h, 0, sizeof(h));
	h.type = PKTQ_LINK_HELD;
	h.link_id = id;
	h.peer = p - peers;
	lh.bytes = l->held_bytes;
	if (pktq_put(linkqs[linkd].q, &h, &lh, sizeof(lh)) == -1)
		return;
	linkqs[linkd].dirty = 1;
	l->held_bytes = 0;
	l->held_report_us = now;
}

/* seq minus prev for a 16-bit header field; 0 (unknown) if too far. */
static uint16_t
seq_back(uint32_t seq, uint32_t prev)
{
	uint32_t	d = seq - prev;

	return d > UINT16_MAX ? 0 : (uint16_t)d;
}

/* Serial order of sequence numbers. */
static int
seq_before_or_at(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

/*
 * Frame seq leaves on link id: it names the link's previous one.  A
 * frame that leaves ahead of frames numbered before it and still queued
 * for that link (realtime, sparse, a failed link's frames) names none
 * and stays out of the chain: the receiver takes a link's order only
 * from named frames, and would otherwise count the queued ones as
 * passed by the link, then lost.
 */
static void
link_chain(struct core_peer *p, int id, struct inner_hdr *h)
{
	struct core_link	*l = &p->link[id];
	struct txq_frame	*q = txq_peek(&p->txpool, &l->q);

	if (q != NULL && !seq_before_or_at(h->seq, q->seq)) {
		h->link_prev = 0;
		return;
	}
	h->link_prev = l->has_last_seq ? seq_back(h->seq, l->last_seq) : 0;
	l->last_seq = h->seq;
	l->has_last_seq = 1;
}

/*
 * Frame seq is made for a packet of flow fe (NULL: a packet that is no
 * flow): it waits for the flow's last frame, none if the flow is new;
 * a packet that is no flow waits for every earlier frame.
 */
static void
flow_number(struct txq_frame *f, uint32_t seq, struct flow_ent *fe)
{
	f->seq = seq;
	f->flags = 0;
	f->flow_dep = 0;
	if (fe == NULL) {
		f->flags = INNER_F_DEP_ALL;
		return;
	}
	if (fe->has_seq)
		f->flow_dep = seq_back(seq, fe->last_seq);
	fe->last_seq = seq;
	fe->has_seq = 1;
}

/* The FEC code for what the peer's links lose now (fec.mode). */
void
fec_retier(struct core_peer *p, uint64_t now)
{
	static const struct fec_tier off = { 0, 0 };
	static const struct fec_tier fixed = { FEC_FIXED_N, FEC_FIXED_K };
	const struct core_link	*l;
	uint64_t		 lost = 0, rate = 0;
	int			 id;

	switch (cconf.fec_mode) {
	case FEC_FIXED:
		p->fec_tier = fixed;
		return;
	case FEC_ADAPTIVE:
		break;
	default:
		p->fec_tier = off;
		return;
	}
	/* The loss a block meets: that of the links, by their rates. */
	for (id = 0; id < BONDD_MAX_LINKS; id++) {
		l = &p->link[id];
		if (!l->usable)
			continue;
		lost += l->rate_bps / 1000 * (l->info.loss_tx_ppm > 1000000 ?
		    1000000 : l->info.loss_tx_ppm);
		rate += l->rate_bps / 1000;
	}
	p->fec_tier = fec_tier_pick(&p->fec_sel, rate ? (uint32_t)(lost /
	    rate) : 0, now);
}

/* The n parity frames of the block just closed, each on the link
 * where it arrives first. */
static void
fec_send(struct core_peer *p, int n, uint64_t now)
{
	static uint8_t		 parity[PKTQ_FRAME_MAX];
	struct inner_hdr	 h;
	size_t			 off, len;
	int			 i, id;

	for (i = 0; i < n; i++) {
		memset(&h, 0, sizeof(h));
		h.kind = INNER_FEC;
		h.epoch = epoch;
		h.send_ts_us = (uint32_t)now;
		off = inner_hdr_encode(parity, &h);
		if ((len = fec_enc_parity(p->fec_enc, i, parity + off,
		    frame_max - off)) == 0)
			continue;
		if ((id = sched_pick(&p->sched, now, off + len +
		    FRAME_OUTER_OVERHEAD4)) < 0)
			return;
		/* Parity takes spare room only: where links are full, it
		 * would push out the data it protects; resends stand in. */
		if (sched_queue_us(&p->sched, id, now) > FEC_ROOM_US) {
			p->fec_skipped++;
			continue;
		}
		sched_sent(&p->sched, id, off + len + FRAME_OUTER_OVERHEAD4,
		    now);
		if (frame_send(p, id, parity, off + len) == 0)
			p->fec_parity++;
	}
}

/*
 * Send frame f (its records after INNER_HDR_LEN bytes of room), numbered
 * when it was made, on link id, and for a realtime frame a copy on
 * dup_id; keep it for resending and for the parity.
 */
static void
frame_commit(struct core_peer *p, int id, struct txq_frame *f, uint64_t now,
    int dup_id)
{
	struct inner_hdr	 h;
	int			 n;

	memset(&h, 0, sizeof(h));
	h.kind = INNER_DATA;
	h.flags = f->flags | (f->mixed ? INNER_F_DEP_ALL : 0);
	h.epoch = epoch;
	h.seq = f->seq;
	h.send_ts_us = (uint32_t)now;
	h.flow_dep = (h.flags & INNER_F_DEP_ALL) ? 0 : f->flow_dep;
	link_chain(p, id, &h);
	inner_hdr_encode(f->buf, &h);
	retx_keep(&p->retx, h.seq, f->buf, f->len, id, now);
	if (p->fec_enc != NULL &&
	    (n = fec_enc_add(p->fec_enc, h.seq, f->buf, f->len, p->fec_tier,
	    now)) > 0)
		fec_send(p, n, now);
	frame_send(p, id, f->buf, f->len);
	if (dup_id >= 0 && dup_id != id) {
		link_chain(p, dup_id, &h);
		inner_hdr_encode(f->buf, &h);
		sched_sent(&p->sched, dup_id, f->len + FRAME_OUTER_OVERHEAD4,
		    now);
		if (frame_send(p, dup_id, f->buf, f->len) == 0)
			st.rt_duplicated++;
	}
}

/*
 * Room for a frame of len in the queue to link id's linkd.  Without,
 * the frame waits in its paced queue instead of being lost in a full
 * one: the linkd signals the queue's wake-up once it has read, and
 * every linkq_read_cb services the peers again.
 */
static int
link_room(struct core_peer *p, int id, size_t len)
{
	if (!link_has_session(p, id))
		return 1;	/* frame_commit finds it another way */
	return pktq_room(linkqs[p->link[id].linkd].q, PKTQ_ELEM_COST(len)) >=
	    PKTQ_ELEM_COST(len);
}

/* Send kept frame r again on link id, marked as a resend. */
static int
resend_on(struct core_peer *p, struct retx_frame *r, int id, uint64_t now)
{
	struct inner_hdr	h;

	if (inner_hdr_decode(r->frame, r->len, &h) != WIRE_OK)
		return -1;
	h.flags |= INNER_F_RESENT;
	link_chain(p, id, &h);
	inner_hdr_encode(r->frame, &h);
	sched_sent(&p->sched, id, r->len + FRAME_OUTER_OVERHEAD4, now);
	if (frame_send(p, id, r->frame, r->len) == -1)
		return -1;
	st.link[id].resent++;
	r->link = id;
	return 0;
}

/*
 * Resend a kept frame on the link where it arrives first, other than
 * exclude (a link that failed) if another carries; 0 if it went.
 */
int
resend(struct core_peer *p, struct retx_frame *r, int exclude, uint64_t now)
{
	int	id;

	if ((id = sched_pick_best_latency(&p->sched, now, exclude)) < 0 &&
	    (id = sched_pick_best_latency(&p->sched, now, -1)) < 0)
		return -1;
	return resend_on(p, r, id, now);
}

/*
 * Resend a frame a failed link swallowed where it arrives first with
 * the queues counted, as data goes: the failed link's frames in flight
 * are many, and all on the fastest link would overflow the queue to its
 * linkd.  -1 if the link picked has no room there either.
 */
int
resend_spread(struct core_peer *p, struct retx_frame *r, uint64_t now)
{
	int	id;

	if ((id = sched_pick(&p->sched, now, r->len +
	    FRAME_OUTER_OVERHEAD4)) < 0 || !link_room(p, id, r->len))
		return -1;
	return resend_on(p, r, id, now);
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

/*
 * The link for a packet of flow f (NULL: none): the one its flow keeps
 * to while that link has room, else where it arrives first; -1 if
 * none carries.
 */
static int
pick_link(struct core_peer *p, size_t len, struct flow_ent *f, uint64_t now)
{
	int	id;

	if (f != NULL && !f->bulk && f->link >= 0 &&
	    p->link[f->link].usable) {
		if (sched_queue_us(&p->sched, f->link, now) <= FLOW_FULL_US)
			return f->link;
		f->bulk = 1;
	}
	if ((id = sched_pick(&p->sched, now, len +
	    FRAME_PACKET_OVERHEAD4)) < 0)
		id = pick_fallback(p);
	if (f != NULL && !f->bulk)
		f->link = id;
	return id;
}

/*
 * A packet joins the queue of its link, to depart at the link's pace.
 * It shares the link's last waiting frame only if that keeps its flow
 * in order: no later frame of the flow exists already.  rf: its
 * record's flags.
 */
static void
queue_packet(struct core_peer *p, const uint8_t *pkt, size_t len,
    unsigned int rf, struct flow_ent *fe, uint32_t hash, uint64_t now)
{
	struct txq		*q;
	struct txq_frame	*t;
	uint64_t		 depart;
	int			 id, join, r;

	if ((id = pick_link(p, len, fe, now)) < 0) {
		st.no_route++;
		return;
	}
	if (sched_over_limit(&p->sched, id, now, QUEUE_LIMIT_US)) {
		st.queue_full++;
		return;
	}
	q = &p->link[id].q;
	join = fe != NULL && txq_fits(&p->txpool, q, len) &&
	    (!fe->has_seq || seq_before_or_at(fe->last_seq,
	    txq_tail(&p->txpool, q)->seq));
	/* Joining a waiting frame costs the packet and its record
	 * header; a frame of its own, the whole overhead. */
	depart = sched_sent(&p->sched, id, join ? len + INNER_REC_HDR_LEN :
	    len + FRAME_PACKET_OVERHEAD4, now);
	if ((r = txq_put(&p->txpool, q, pkt, len, hash, depart, join, rf)) ==
	    -1) {
		st.queue_full++;
		return;
	}
	if (depart > now + PACE_BURST_US) {
		p->link[id].held_bytes += len;
		held_report(p, id, now);
	}
	t = txq_tail(&p->txpool, q);
	if (r == TXQ_NEW)
		flow_number(t, p->seq++, fe);
	else {
		fe->last_seq = t->seq;
		fe->has_seq = 1;
	}
}

/* Link id stopped carrying: its waiting frames, numbered already, go
 * at once on the link where they arrive first. */
void
link_requeue(struct core_peer *p, int id, uint64_t now)
{
	struct txq		*q = &p->link[id].q;
	struct txq_frame	*f;
	int			 to;

	while ((f = txq_peek(&p->txpool, q)) != NULL) {
		if ((to = sched_pick_best_latency(&p->sched, now, id)) < 0)
			st.no_route++;
		else {
			sched_sent(&p->sched, to, f->len +
			    FRAME_OUTER_OVERHEAD4, now);
			frame_commit(p, to, f, now, -1);
		}
		txq_pop(&p->txpool, q);
	}
}

/* Frames whose departure time came go; returns when the next one is
 * due (or a partial FEC block must close), 0 for never.  A linkd queue
 * without room holds its link's frames until that linkd has read, for
 * up to QUEUE_LIMIT_US past their departure. */
uint64_t
peer_pace(struct core_peer *p, uint64_t now)
{
	struct txq_frame	*f;
	uint64_t		 next = 0, at, sent = 0;
	int			 id, n;

	for (id = 0; id < BONDD_MAX_LINKS; id++)
		while ((f = txq_peek(&p->txpool, &p->link[id].q)) != NULL) {
			if (f->depart_us > now + PACE_BURST_US) {
				at = f->depart_us - PACE_WAKE_US;
				if (next == 0 || at < next)
					next = at;
				break;
			}
			/* A linkd that stopped reading holds at most
			 * the entrance's limit of its link's frames in
			 * the pool its peer's other links share; older
			 * ones go as before, into the full queue: lost
			 * there and counted, kept for a resend. */
			if (!link_room(p, id, f->len) &&
			    now < f->depart_us + QUEUE_LIMIT_US)
				break;
			if (f->npkts > 1)
				st.aggregated += f->npkts;
			frame_commit(p, id, f, now, -1);
			txq_pop(&p->txpool, &p->link[id].q);
			sent++;
		}
	if (sent > 0) {
		st.pace_rounds++;
		st.paced_frames += sent;
	}
	if (p->fec_enc != NULL) {
		if ((n = fec_enc_flush(p->fec_enc, now)) > 0)
			fec_send(p, n, now);
		if ((at = fec_enc_deadline(p->fec_enc)) != 0 &&
		    (next == 0 || at < next))
			next = at;
	}
	return next;
}

/* The end of every event: what it queued goes now, to each linkd and
 * (a super-packet being built) to the TUN device. */
void
flush_queues(void)
{
	uint64_t	before;
	int		i;

	tun_flush();
	for (i = 0; i < BONDD_MAX_LINKS; i++)
		if (linkqs[i].dirty) {
			before = pktq_dropped(linkqs[i].q);
			pktq_flush(linkqs[i].q);
			st.queue_full += pktq_dropped(linkqs[i].q) - before;
			linkqs[i].dirty = 0;
		}
}

/*
 * A packet that goes alone and at once, past the link's queue, on its
 * flow's link or where it arrives first: realtime (with a copy on a
 * second link if asked) and sparse flows.  fe is the packet's flow,
 * NULL for a packet that is no flow; rf its record's flags.
 */
static void
send_alone(struct core_peer *p, const uint8_t *pkt, size_t len,
    unsigned int rf, struct flow_ent *fe, int dup_ok, uint64_t now)
{
	struct txq_frame f;
	int		 id = -1, dup = -1;

	if (fe != NULL && (id = fe->link) >= 0 && !p->link[id].usable)
		id = -1;
	if (id < 0) {
		if ((id = sched_pick_best_latency(&p->sched, now, -1)) < 0 &&
		    (id = pick_fallback(p)) < 0) {
			st.no_route++;
			return;
		}
		if (fe != NULL)
			fe->link = id;
	}
	if (dup_ok && cconf.rt_duplicate)
		dup = sched_pick_best_latency(&p->sched, now, id);
	sched_sent(&p->sched, id, len + FRAME_PACKET_OVERHEAD4, now);
	memset(&f, 0, sizeof(f));
	f.buf = framebuf;
	f.len = INNER_HDR_LEN;
	frame_rec_put(framebuf, frame_max, &f.len, pkt, len, rf);
	flow_number(&f, p->seq++, fe);
	frame_commit(p, id, &f, now, dup);
}

/*
 * Whether a packet of a sparse flow may skip the queues: sparse
 * packets together take at most 1/8 of the usable links' summed rate
 * in each window, so a crowd of small flows can neither starve the
 * queued ones nor hide congestion from them.  A flow refused here is
 * dense from now on: its later packets must not overtake this one.
 */
static int
sparse_pass(struct core_peer *p, struct flow_ent *fe, size_t len,
    uint64_t now)
{
	uint64_t	rate = 0, allow;
	int		id;

	if (!flow_sparse(fe, len, now))
		return 0;
	/* The budget is set when a window opens. */
	if (now < p->sparse_us || now - p->sparse_us >= FLOW_SPARSE_US) {
		for (id = 0; id < BONDD_MAX_LINKS; id++)
			if (p->sched.link[id].present &&
			    p->sched.link[id].usable)
				rate += p->sched.link[id].rate_bps;
		p->sparse_us = now;
		p->sparse_bytes = 0;
		p->sparse_allow = rate / 64 * FLOW_SPARSE_US / 1000000;
	}
	/* No link usable when the window opened (a new core, every link
	 * silent): no share to count, and a refusal would leave a steady
	 * small flow (a ping every 0.2 s) dense for good, queued behind
	 * the bulk once the links are back.  The flow's own bound above
	 * still holds. */
	if (p->sparse_allow == 0)
		return 1;
	allow = p->sparse_allow;
	if (len > allow || p->sparse_bytes > allow - len) {
		fe->dense = 1;
		return 0;
	}
	p->sparse_bytes += len;
	return 1;
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
	    sizeof(out))) > 0 && tun_write(out, n) == -1)
		log_ratelimit("icmp", "tun write: %s", strerror(errno));
}

static void
tun_packet(uint8_t *pkt, size_t len, unsigned int rf, uint64_t now)
{
	struct core_peer *p;
	struct flow_ent	*fe;
	const uint8_t	*src, *dst;
	uint32_t	 hash;
	int		 family, pi;

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
	if (flow_id(pkt, len, 0, &hash) == -1)
		hash = 0;
	fe = hash != 0 ? flow_get(p->flows, hash, now) : NULL;
	/* Configured ports, or DSCP EF. */
	if (flow_is_realtime(pkt, len, cconf.rt_udp_ports,
	    cconf.nrt_udp_ports, cconf.rt_tcp_ports, cconf.nrt_tcp_ports)) {
		send_alone(p, pkt, len, rf, fe, 1, now);
		return;
	}
	/* A sparse flow never waits behind the bulk ones. */
	if (fe != NULL && sparse_pass(p, fe, len, now)) {
		send_alone(p, pkt, len, rf, fe, 0, now);
		return;
	}
	queue_packet(p, pkt, len, rf, fe, hash, now);
}

/*
 * What one read with offload brings: a packet, perhaps a super-packet
 * to cut or one whose checksum is left to us, behind its header.  Each
 * inner packet goes its own way, through every check.  Returns how
 * many there were (at least 1: a dropped read counts).
 */
static int
tun_read_offload(uint8_t *buf, size_t n, uint64_t now)
{
	struct vnet_hdr	 h;
	struct gso_split g;
	uint8_t		*pkt;
	size_t		 len;
	unsigned int	 rf;
	int		 npkts = 0;

	if (n < VNET_HDR_LEN) {
		st.malformed++;
		return 1;
	}
	vnet_hdr_decode(buf, &h);
	if (gso_start(&g, &h, buf + VNET_HDR_LEN, n - VNET_HDR_LEN) == -1) {
		st.malformed++;
		return 1;
	}
	/* The peer completes what the kernel left, or leaves it to its
	 * own: no pass over the payload here. */
	rf = gso_leave_csum(&g) ? INNER_REC_CSUM_LEFT : 0;
	while ((pkt = gso_next(&g, segbuf, sizeof(segbuf), &len)) != NULL) {
		tun_packet(pkt, len, rf, now);
		npkts++;
	}
	return npkts > 0 ? npkts : 1;
}

void
tun_read_cb(evutil_socket_t fd, short ev, void *arg)
{
	uint64_t	now = now_us(), at;
	ssize_t		n;
	int		i;

	(void)ev;
	(void)arg;
	/* A batch is TUN_BATCH inner packets, however many reads bring
	 * them: a larger burst overruns the queues to linkd before it
	 * drains them. */
	for (i = 0; i < TUN_BATCH;) {
		if ((n = read(fd, pktbuf, sizeof(pktbuf))) == -1) {
			if (errno != EAGAIN && errno != EINTR)
				log_ratelimit("tunread", "tun read: %s",
				    strerror(errno));
			break;
		}
		if (n == 0)
			break;
		if (cconf.tun_vnet_hdr)
			i += tun_read_offload(pktbuf, n, now);
		else {
			tun_packet(pktbuf, n, 0, now);
			i++;
		}
	}
	/* What an idle link can send goes now, together. */
	for (i = 0; i < (int)cconf.npeers; i++)
		if (peers[i].active && (at = peer_pace(&peers[i], now)) != 0)
			peer_timer_arm(&peers[i], at);
	flush_queues();
}
