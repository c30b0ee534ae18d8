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
 * The core's way in: frames from the linkd queues are checked against
 * the link and session they claim, their peer's epoch, put back in
 * order per flow (reorder.c), lost ones rebuilt from parity (fec.c),
 * and their packets checked and written to the TUN device; NACKs are
 * answered (nack.c) and asked for.  The queues also
 * bring the links' sessions and state, which decide what the scheduler
 * may use and what a failed link had in flight.  Runs in the core,
 * sandboxed and unprivileged; holds no keys, never sees bytes that
 * linkd has not authenticated, and trusts a linkd no more than the
 * network.
 */

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
#include "gro.h"
#include "gso.h"
#include "ipcheck.h"
#include "linkinfo.h"
#include "log.h"
#include "messages.h"
#include "nack.h"
#include "pktq.h"
#include "reorder.h"
#include "retx.h"
#include "scheduler.h"
#include "util.h"

#define RAMP_US		2000000		/* a returning link's rate ramp */
#define FEC_NACK_DELAY_US (2 * FEC_FLUSH_US)	/* parity's time to mend */
#define RATE_MARGIN_MIN	32000		/* bit/s kept free on every link */

static struct pktq_elem		 elems[PKTQ_BATCH];
static uint8_t			 tunbuf[VNET_HDR_LEN + 65536];
static struct gro		 gro;

static int
peer_allows(const struct core_peer *p, int family, const uint8_t *src)
{
	int	j;

	for (j = 0; j < p->nallowed; j++)
		if (prefix_match(&p->allowed[j], family, src))
			return 1;
	return 0;
}

/*
 * One packet to the TUN device; with offload, behind a header that
 * says it is whole: no segmentation, its checksum as it came (the
 * kernel checks it as on any device).
 */
int
tun_write(const uint8_t *pkt, size_t len)
{
	if (!cconf.tun_vnet_hdr)
		return write(tun_fd, pkt, len) == -1 ? -1 : 0;
	if (len > sizeof(tunbuf) - VNET_HDR_LEN) {
		errno = EMSGSIZE;
		return -1;
	}
	memset(tunbuf, 0, VNET_HDR_LEN);
	memcpy(tunbuf + VNET_HDR_LEN, pkt, len);
	return write(tun_fd, tunbuf, VNET_HDR_LEN + len) == -1 ? -1 : 0;
}

/* The super-packet the coalescer holds, if any, to the TUN device:
 * at the end of every event (flush_queues()), and before a packet it
 * does not take. */
void
tun_flush(void)
{
	const uint8_t	*b;
	size_t		 n;

	if ((b = gro_take(&gro, &n)) != NULL && write(tun_fd, b, n) == -1)
		log_ratelimit("tunwrite", "tun write: %s", strerror(errno));
}

/* Whether the device takes UDP super-packets, from the parent. */
void
tun_coalesce_udp(int uso)
{
	gro.uso = uso;
}

/*
 * A packet from a peer: with offload, the in-order TCP segments of a
 * flow (and UDP datagrams, with USO) become one super-packet; order is
 * kept.  A segment whose checksum the peer left goes to the kernel so
 * (it completes it only for a packet it forwards); one that cannot is
 * completed here.  0, or -1 if the write failed, or 1 for a packet
 * left so that is no whole TCP or UDP packet (dropped).
 */
static int
tun_deliver(uint8_t *pkt, size_t len, int csum_left)
{
	enum gro_verdict	r = GRO_ALONE;

	if (cconf.tun_vnet_hdr) {
		while ((r = gro_add(&gro, pkt, len, csum_left)) == GRO_FLUSH)
			tun_flush();
		if (r != GRO_ALONE)
			return 0;
	}
	if (csum_left && gso_csum_fill(pkt, len) == -1)
		return 1;
	return tun_write(pkt, len);
}

/* Write the packets of one frame (records, header stripped), in the
 * core's own memory: a copy (pktq.h) or the reorder buffer. */
static void
deliver_records(struct core_peer *p, const uint8_t *recs, size_t len)
{
	const uint8_t	*pkt, *src, *dst;
	size_t		 plen, off = 0;
	unsigned int	 rf;
	int		 family, r, w;

	while ((r = frame_rec_next(recs, len, &off, &pkt, &plen, &rf)) == 1) {
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
		if ((w = tun_deliver((uint8_t *)pkt, plen,
		    (rf & INNER_REC_CSUM_LEFT) != 0)) != 0) {
			if (w == 1)
				st.malformed++;
			else
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

static void
nack_received(struct core_peer *p, const uint8_t *body, size_t len,
    uint64_t now)
{
	struct retx_frame *want[INNER_NACK_MAX];
	size_t		 nwant, nignored, i;
	int		 asked;

	if ((asked = nack_wanted(&p->retx, body, len, now, want,
	    &nwant, &nignored)) == -1) {
		st.malformed++;
		return;
	}
	st.nack_rx += asked;
	st.nack_ignored += nignored;
	/* The link a frame was lost on is failing, full or lossy just
	 * now: the resend takes another path when there is one. */
	for (i = 0; i < nwant; i++)
		if (resend(p, want[i], want[i]->link, now) == 0)
			st.resent++;
}

/* Ask the peer for what is missing before the hold gives up on it. */
static void
nack_send(struct core_peer *p, uint64_t now)
{
	static uint8_t	 f[NACK_FRAME_MAX];
	size_t		 len;
	int		 n, again, id = -1;

	/* While the peer sends parity, it mends most losses before a
	 * resend could come: a hole named lost waits for it first. */
	reorder_set_nack_delay(p->ro, p->last_parity_us != 0 &&
	    now - p->last_parity_us < FEC_QUIET_US ? FEC_NACK_DELAY_US : 0);
	if ((len = nack_build(p->ro, epoch, now, f, &n, &again)) == 0)
		return;
	/* A hole asked for again: the last request may have died with the
	 * link it took, before that link is known to be down. */
	if (again > 0)
		id = sched_pick_best_latency(&p->sched, now, p->last_nack_link);
	if (id < 0 && (id = sched_pick_best_latency(&p->sched, now, -1)) < 0)
		return;
	if (frame_send(p, id, f, len) == 0)
		st.nack_tx += n;
	p->last_nack_us = now;
	p->last_nack_link = id;
}

/* Held frames, paced queues, FEC blocks and NACKs all wake the same
 * timer. */
static void
peer_service(struct core_peer *p, uint64_t now)
{
	uint64_t	dl, pace;

	reorder_drain(p, now);
	if (nack_due(p->last_nack_us, now))
		nack_send(p, now);
	pace = peer_pace(p, now);
	if ((dl = reorder_next_deadline(p->ro)) != 0) {
		/* While frames wait for a gap, look for NACKs too. */
		if (dl > now + NACK_PERIOD_US)
			dl = now + NACK_PERIOD_US;
	}
	if (pace != 0 && (dl == 0 || pace < dl))
		dl = pace;
	if (dl != 0)
		peer_timer_arm(p, dl);
}

void
peer_timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct core_peer	*p = arg;

	(void)fd;
	(void)ev;
	p->timer_at = 0;
	peer_service(p, now_us());
	flush_queues();
}

void
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

/* A data frame, received or rebuilt, into the reorder buffer and out. */
static void
data_received(struct core_peer *p, const struct inner_hdr *ih, int link,
    int32_t owd, const uint8_t *frame, size_t len, uint64_t now)
{
	struct reorder_meta	 rm;
	int			 v;

	memset(&rm, 0, sizeof(rm));
	rm.seq = ih->seq;
	rm.link = link;
	rm.owd_us = owd;
	rm.resent = (ih->flags & INNER_F_RESENT) != 0 || link < 0;
	if (ih->flags & INNER_F_DEP_ALL)
		rm.dep_kind = REORDER_DEP_ALL;
	else if (ih->flow_dep != 0) {
		rm.dep_kind = REORDER_DEP_SEQ;
		rm.dep = ih->seq - ih->flow_dep;
	} else
		rm.dep_kind = REORDER_DEP_NONE;
	if (ih->link_prev != 0) {
		rm.has_link_prev = 1;
		rm.link_prev = ih->seq - ih->link_prev;
	}
	for (;;) {
		v = reorder_push(p->ro, &rm, frame + INNER_HDR_LEN,
		    len - INNER_HDR_LEN, now);
		if (v != REORDER_FULL)
			break;
		reorder_drain(p, now);
	}
	switch (v) {
	case REORDER_LATE:
		st.reorder_late++;
		/* FALLTHROUGH */
	case REORDER_DELIVER:
		deliver_records(p, frame + INNER_HDR_LEN,
		    len - INNER_HDR_LEN);
		reorder_drain(p, now);
		break;
	case REORDER_HELD:
		reorder_drain(p, now);
		break;
	case REORDER_DUP:
	case REORDER_OLD:
		st.reorder_dup++;
		return;
	default:
		st.malformed++;
		return;
	}
	if (fec_dec_use(p, 0, now) != NULL)
		fec_dec_data(p->fec_dec, ih->seq, frame, len);
}

/* Frames the parity rebuilt: as if they had arrived, on no link. */
static void
fec_recover(struct core_peer *p, uint64_t now)
{
	struct inner_hdr	 ih;
	const uint8_t		*frame;
	size_t			 len;
	uint32_t		 seq;

	while (p->fec_dec != NULL &&
	    fec_dec_recover(p->fec_dec, now, &seq, &frame, &len) == 1) {
		if (inner_hdr_decode(frame, len, &ih) != WIRE_OK ||
		    ih.kind != INNER_DATA || ih.seq != seq ||
		    ih.epoch != p->peer_epoch) {
			st.malformed++;
			continue;
		}
		st.fec_recovered++;
		data_received(p, &ih, -1, 0, frame, len, now);
	}
}

static void
frame_received(int instance, const struct pktq_elem *e, uint64_t now)
{
	struct inner_hdr	 ih;
	struct fec_parity	 fp;
	struct core_peer	*p;
	int32_t			 owd;

	if ((p = elem_peer(instance, &e->hdr)) == NULL || !p->active ||
	    inner_hdr_decode(e->frame, e->hdr.len, &ih) != 0) {
		st.malformed++;
		return;
	}
	if (frame_is_core(e->frame, e->hdr.len) &&
	    ih.epoch != p->peer_epoch && peer_epoch_change(p, ih.epoch) == -1)
		return;
	owd = (int32_t)((uint32_t)now - ih.send_ts_us);
	p->link[e->hdr.link_id].last_rx_us = now;
	switch (ih.kind) {
	case INNER_DATA:
		data_received(p, &ih, e->hdr.link_id, owd, e->frame,
		    e->hdr.len, now);
		break;
	case INNER_NACK:
		reorder_sample(p->ro, e->hdr.link_id, owd, now);
		nack_received(p, e->frame + INNER_HDR_LEN,
		    e->hdr.len - INNER_HDR_LEN, now);
		return;
	case INNER_FEC:
		reorder_sample(p->ro, e->hdr.link_id, owd, now);
		if (fec_parity_decode(e->frame + INNER_HDR_LEN,
		    e->hdr.len - INNER_HDR_LEN, &fp) == -1) {
			st.malformed++;
			return;
		}
		if (fec_dec_use(p, 1, now) == NULL)
			return;
		if (fec_dec_parity(p->fec_dec, &fp, now) == -1) {
			st.malformed++;
			return;
		}
		break;
	default:
		st.malformed++;
		return;
	}
	fec_recover(p, now);
}

/*
 * How far back a failed link's frames may have been lost: since the
 * peer was last heard on it plus a round trip (what it had not heard
 * of by then), when that is within the resend ring's reach; else, for
 * a link the peer sent us nothing on, twice its round trip.
 */
static uint64_t
failover_window(const struct core_link *l, uint64_t now)
{
	uint64_t	w = retx_failover_window(l->info.srtt_us), quiet;

	if (l->last_rx_us == 0 || now < l->last_rx_us)
		return w;
	quiet = now - l->last_rx_us + l->info.srtt_us;
	return quiet > w && quiet <= RETX_MAX_AGE_US ? quiet : w;
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
	window = failover_window(&p->link[id], now);
	link_requeue(p, id, now);
	while ((r = retx_next_on_link(&p->retx, &next, id, window,
	    now)) != NULL) {
		if (resend_spread(p, r, now) == -1)
			break;
		st.failover_resent++;
	}
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

	li.rate_cfg_bps = l->rate_bps;
	if (l->usable && age < RAMP_US)
		li.rate_cfg_bps = l->rate_bps / 4 +
		    l->rate_bps * 3 / 4 * age / RAMP_US;
	sched_link_update(&p->sched, id, &li, l->usable);
}

/*
 * How long a NACK and the resend it asks for take: a round trip of the
 * fastest link, four of its deviations, and the NACK period.  The
 * reorder buffer asks again, and gives up, by it.
 */
static void
nack_wait_update(struct core_peer *p)
{
	const struct core_link	*l;
	uint64_t		 w, best = 0;
	int			 id;

	for (id = 0; id < BONDD_MAX_LINKS; id++) {
		l = &p->link[id];
		if (!l->usable || l->info.srtt_us == 0)
			continue;
		w = (uint64_t)l->info.srtt_us + 4ULL * l->info.rttvar_us;
		if (best == 0 || w < best)
			best = w;
	}
	if (best != 0)
		best += NACK_PERIOD_US;
	reorder_set_nack_wait(p->ro, best > UINT32_MAX ? UINT32_MAX :
	    (uint32_t)best);
}

/*
 * How long a sent frame may still be wanted, which sizes the resend
 * ring: a failing link's frames in flight are resent from twice its
 * smoothed RTT back, and a NACK comes within that of the slowest link.
 */
static void
retx_window_update(struct core_peer *p)
{
	uint32_t	worst = 0;
	int		id;

	for (id = 0; id < BONDD_MAX_LINKS; id++)
		if (p->link[id].usable && p->link[id].info.srtt_us > worst)
			worst = p->link[id].info.srtt_us;
	retx_set_window(&p->retx, retx_failover_window(worst));
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
	if (p->active) {
		nack_wait_update(p);
		retx_window_update(p);
		fec_retier(p, now);
	}
}

/* No other link of the peer may carry traffic now. */
static int
alone(const struct core_peer *p, unsigned int id)
{
	unsigned int	i;

	for (i = 0; i < BONDD_MAX_LINKS; i++)
		if (i != id && p->link[i].usable)
			return (0);
	return (1);
}

static void
link_info_received(int instance, const struct pktq_elem *e, uint64_t now)
{
	struct link_info	 li;
	struct core_peer	*p;
	uint64_t		 rate, margin;

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
	/* linkd's measure of the link, within the configured rate; the
	 * configured rate until there is one.  A link that carries the
	 * peer's traffic alone takes linkd's pace instead, ahead of an
	 * estimate that still looks for the link's rate: no split among
	 * links to keep right, and one TCP flow's slow start outruns an
	 * estimate that doubles per measurement.  Among several links
	 * the estimates set the split, and a pace far above one floods
	 * that link's queue. */
	rate = li.rate_est_bps != 0 ? li.rate_est_bps : li.rate_cfg_bps;
	if (li.rate_pace_bps > rate && alone(p, e->hdr.link_id))
		rate = li.rate_pace_bps;
	/* Aim a little under the rate: probes (about 11 kbit/s),
	 * keepalives and resends travel too, and a link's own queue must
	 * stay short. */
	margin = rate / 64 > RATE_MARGIN_MIN ? rate / 64 : RATE_MARGIN_MIN;
	rate -= margin < rate / 2 ? margin : rate / 2;
	p->link[e->hdr.link_id].rate_bps = rate;
	p->link[e->hdr.link_id].info = li;
	/* Probes keep the delay of a link that carries no data known, so
	 * that a hole in flight on it is not asked for too soon. */
	if (p->active && li.rx_owd_us != LINK_OWD_UNKNOWN)
		reorder_sample(p->ro, e->hdr.link_id, li.rx_owd_us, now);
	p->link[e->hdr.link_id].have_info = 1;
	link_update(p, e->hdr.link_id, now);
}

/*
 * A linkd speaks only for what it owns, or one compromised linkd could
 * claim every link and receive all the plaintext: on a client the one
 * link the parent gave it; on a server the sessions of its listen
 * socket, held from their first SESSION_UP until they end (a client
 * link that moves to another listen socket is taken there once the old
 * session died of silence).  Frames and reports are checked against
 * the holder (elem_peer()).
 */
static int
claim_ok(int instance, const struct core_peer *p, unsigned link_id)
{
	const struct linkq	*lq = &linkqs[instance];
	int			 holder = p->link[link_id].linkd;

	if (lq->owner != IPC_OWNER_LISTEN)
		return link_id == lq->owner;
	return holder == NO_LINKD || holder == instance;
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
	if (!claim_ok(instance, p, h->link_id)) {
		st.claims_refused++;
		log_ratelimit("claim", "linkd %d: session %s of peer %u link "
		    "%u refused: not its own", instance, up ? "up" : "down",
		    h->peer, h->link_id);
		return;
	}
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
		default:	/* LINK_HELD goes to a linkd, never from one */
			st.malformed++;
			break;
		}
	}
	/*
	 * The rest (NACKs above all) waits until every queue that is
	 * ready now was read: a frame still in another linkd's queue is
	 * no hole to ask for.
	 */
	for (i = 0; i < (int)cconf.npeers; i++)
		if (peers[i].active)
			peer_timer_arm(&peers[i], now);
	flush_queues();
}

void
linkq_close(int instance, uint64_t now)
{
	struct linkq	*lq = &linkqs[instance];
	int		 i, j;

	if (lq->q == NULL)
		return;
	event_free(lq->ev);
	event_free(lq->ev_wake);
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

void
linkq_set(int instance, int fd)
{
	struct linkq	*lq = &linkqs[instance];

	linkq_close(instance, now_us());
	if ((lq->q = pktq_open(fd)) == NULL)
		fatal("pktq_open");
	if ((lq->ev = event_new(base, fd, EV_READ | EV_PERSIST, linkq_read_cb,
	    lq)) == NULL || event_add(lq->ev, NULL) == -1 ||
	    (lq->ev_wake = event_new(base, pktq_wake_fd(lq->q),
	    EV_READ | EV_PERSIST, linkq_read_cb, lq)) == NULL ||
	    event_add(lq->ev_wake, NULL) == -1)
		fatalx("linkd queue event");
	lq->dirty = 0;
}
