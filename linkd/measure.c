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
 * linkd's measurement of each established session: probes sent and
 * answered, the link state machine, the rate estimate, and the
 * LINK_INFO that tells the core what it schedules by.  Runs in linkd,
 * unprivileged, sandboxed and facing the network; it sees only
 * authenticated datagrams, but what the peer reports in them is
 * clamped by probe.c and ratectl.c.  The process holds the session
 * keys (the static private key stays in the parent); this file
 * encrypts probes with the session keys, through the session table.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <string.h>

#include <event2/event.h>

#include "config.h"
#include "frame.h"
#include "log.h"
#include "pktq.h"
#include "util.h"
#include "wire.h"
#include "linkd.h"

/* The measurement of sessions[i] is meas[i]: see linkd_meas. */
static struct linkmeas	 meas[SESS_MAX];

/* A peer's asks are answered at most this often. */
#define ASK_ANSWER_GAP_US	5000

static void	linkd_probe_send(struct session *, struct linkmeas *,
		    uint64_t, int);
static void	linkd_watch_arm(uint64_t);

/* The session table gives every session a fixed slot for this. */
struct linkmeas *
linkd_meas(struct session *s)
{
	return (&meas[s->slot]);
}

/* The configured rate of our send direction, 0 = none. */
static uint64_t
linkd_rate_cfg(struct linkmeas *m)
{
	return (ld.conf.role == ROLE_CLIENT ? ld.conf.up_bps :
	    m->pr.peer_rate_bps);
}

void
linkd_meas_start(struct session *s, uint64_t now)
{
	struct linkmeas	*m = linkd_meas(s);
	struct ls_conf	 c;

	memset(&c, 0, sizeof(c));
	c.down_after_us = ld.conf.down_after_ms * 1000ULL;
	c.lossy_ppm = ld.conf.lossy_ppm;
	c.recover_probes = ld.conf.recover_probes;
	probe_init(&m->pr, now);
	ls_init(&m->ls, &c, now);
	ratectl_init(&m->rc, now, linkd_rate_cfg(m));
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
void
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
	li->rate_est_bps = m->rc.est_bps;
	li->rate_pace_bps = ratectl_pace_bps(&m->rc);
	li->rx_owd_us = probe_owd_us(pr);
	li->queue_us = probe_queue_shown_us(pr);
	if (li->queue_us == UINT32_MAX)
		li->queue_us = 0;
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

void
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
void
linkd_rx_cb(void *arg, struct session *s, uint64_t now, uint32_t kp_index,
    uint64_t counter, const struct inner_hdr *ih, const uint8_t *f,
    size_t len)
{
	struct linkmeas		*m = linkd_meas(s);
	struct wire_probe	 w;
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
	/* Only slow, not gone (ls_watch): the peer, told DOWN by our
	 * probes, hears at once that the link carries again. */
	if (was == LINK_STATE_DOWN && (m->ls.state == LINK_STATE_RUNNING ||
	    m->ls.state == LINK_STATE_LOSSY))
		linkd_probe_send(s, m, now, 0);
	if (ih->kind == INNER_PROBE) {
		if (wire_probe_decode(f + INNER_HDR_LEN, len - INNER_HDR_LEN,
		    &w) != WIRE_OK) {
			s->ctr.malformed++;
			return;
		}
		peer_state = m->pr.peer_seen ? m->pr.peer_state : 0xff;
		if (probe_input(&m->pr, now, &w))
			changed |= ls_answered(&m->ls, now);
		/* The peer hears nothing from us: our answer (it echoes
		 * the ask) tells it the link still works. */
		if ((w.flags & WIRE_PROBE_ASK) &&
		    now - m->answered_us >= ASK_ANSWER_GAP_US) {
			m->answered_us = now;
			linkd_probe_send(s, m, now, 0);
		}
		/* The peer taking the link out (or back) tells the core at
		 * once. */
		changed |= m->pr.peer_state != peer_state;
		changed |= ls_loss(&m->ls, now, m->pr.loss_tx_ppm,
		    probe_loss_rx_ppm(&m->pr));
	}
	if (changed)
		linkd_info(s);
}

/* A send error that means the path is gone takes the link DOWN. */
void
linkd_send_error(struct session *s, int err, uint64_t now)
{
	struct linkmeas	*m = linkd_meas(s);

	if (m->active && ls_send_error(&m->ls, now, err)) {
		log_info("%s: peer %s link %u: %s, link down", ld.conf.name,
		    ld.tbl->peers[s->peer].name, s->link_id, strerror(err));
		linkd_info(s);
		linkd_core_flush();
	}
}

/*
 * The link is being removed: a last probe that says DOWN makes the peer
 * stop sending on it at once, instead of losing what it sends until
 * the silence is noticed.
 */
void
linkd_farewell(void)
{
	struct session	*s;
	uint64_t	 now = now_us();
	int		 i;

	ld.admin_down = 1;
	for (i = 0; i < ld.tbl->nsessions; i++) {
		s = &ld.tbl->sessions[i];
		if (s->used && linkd_meas(s)->active)
			linkd_probe_send(s, linkd_meas(s), now, 0);
	}
}

/* A probe; ask: the peer answers it at once (ls_watch suspects the
 * link). */
static void
linkd_probe_send(struct session *s, struct linkmeas *m, uint64_t now, int ask)
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
	if (ask)
		w.flags |= WIRE_PROBE_ASK;
	memset(&ih, 0, sizeof(ih));
	ih.kind = INNER_PROBE;
	ih.send_ts_us = (uint32_t)now;
	inner_hdr_encode(f, &ih);
	wire_probe_encode(f + INNER_HDR_LEN, &w);
	n = sess_encrypt(ld.tbl, s, now, f, sizeof(f), pbuf, sizeof(pbuf));
	if (n > 0)
		linkd_send_cb(NULL, s, now, pbuf, (size_t)n, &s->endpoint);
}

/*
 * The rate of our send direction, measured within the configured one
 * (ratectl.c): a server learns the client's down rate from its probes,
 * and a reload may change it.
 */
static int
linkd_rate_est(struct session *s, struct linkmeas *m, uint64_t now)
{
	struct ratectl_sample	 rs;
	int			 changed;

	if (m->rc.ceiling_bps != linkd_rate_cfg(m))
		ratectl_set_ceiling(&m->rc, linkd_rate_cfg(m));
	memset(&rs, 0, sizeof(rs));
	rs.tx_bps = m->pr.rate_tx_bps;
	rs.rx_bps = m->pr.rate_rx_bps;
	/* The peer's clock at the end of its last rate window: it moves
	 * with each new measurement. */
	rs.rx_gen = m->pr.peer_rx_tx_us;
	rs.queue_us = probe_queue_us(&m->pr);
	rs.loss_tx_ppm = m->pr.loss_tx_ppm;
	rs.held_bytes = m->held_bytes;
	m->held_bytes = 0;
	changed = ratectl_update(&m->rc, now, &rs);
	if (m->was_probing && !m->rc.probing &&
	    m->rc.est_bps > m->rc.probe_from_bps)
		log_info("%s: peer %s link %u: probe found %llu kbit/s, "
		    "had %llu", ld.conf.name, ld.tbl->peers[s->peer].name,
		    s->link_id, (unsigned long long)m->rc.est_bps / 1000,
		    (unsigned long long)m->rc.probe_from_bps / 1000);
	m->was_probing = m->rc.probing;
	return (changed);
}

/*
 * The core held traffic back for a session's pace (linkinfo.h).  From
 * the core, which a linkd trusts no more than the network: the length,
 * the session and the count are checked.
 */
void
linkd_held(const struct pktq_elem *e)
{
	struct link_held	 lh;
	struct session		*s;
	struct linkmeas		*m;

	if (e->hdr.len != sizeof(lh) || e->hdr.peer >= BONDD_MAX_PEERS) {
		ld.core_bad++;
		return;
	}
	memcpy(&lh, e->frame, sizeof(lh));
	s = sess_find(ld.tbl, e->hdr.peer, e->hdr.link_id);
	if (s == NULL || sess_state(s) != SESSION_ESTABLISHED ||
	    !(m = linkd_meas(s))->active)
		return;
	/* Clamped: the sum cannot wrap. */
	m->held_bytes += lh.bytes > RC_MAX_BPS ? RC_MAX_BPS : lh.bytes;
	if (m->held_bytes > RC_MAX_BPS)
		m->held_bytes = RC_MAX_BPS;
}

/*
 * At half the probe interval: probes that are due, silence, loss
 * windows without traffic, and a LINK_INFO per established session at
 * every probe.  Sessions the session layer gave up on are DOWN.
 */
void
linkd_probe_tick(evutil_socket_t fd, short ev, void *arg)
{
	struct session	*s;
	struct linkmeas	*m;
	uint64_t	 now = now_us(), ival_us;
	int		 i, changed;

	(void)fd;
	(void)ev;
	(void)arg;
	/* What waits in the socket has arrived: a linkd that did not run
	 * for a while (a busy host) must not take that for silence. */
	if (ld.sock != -1) {
		linkd_sock_read(ld.sock, EV_READ, NULL);
		now = now_us();
	}
	ival_us = (uint64_t)ld.conf.probe_interval_ms * 1000;
	for (i = 0; i < ld.tbl->nsessions; i++) {
		s = &ld.tbl->sessions[i];
		m = linkd_meas(s);
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
			linkd_probe_send(s, m, now, 0);
			m->next_probe_us += ival_us;
			if (m->next_probe_us <= now)
				m->next_probe_us = now + ival_us;
			changed = 1;
		}
		if (changed)
			linkd_info(s);
	}
	linkd_core_flush();
	linkd_fill(now);
	linkd_watch_arm(now);
}

/* The fast silence check (linkstate.c ls_watch) of every session. */
void
linkd_watch(evutil_socket_t fd, short ev, void *arg)
{
	struct session	*s;
	struct linkmeas	*m;
	uint64_t	 now;
	int		 i, changed = 0;

	(void)fd;
	(void)ev;
	(void)arg;
	/* Datagrams waiting in the socket are no silence. */
	if (ld.sock != -1)
		linkd_sock_read(ld.sock, EV_READ, NULL);
	now = now_us();
	for (i = 0; i < ld.tbl->nsessions; i++) {
		s = &ld.tbl->sessions[i];
		m = linkd_meas(s);
		if (!s->used || !m->active)
			continue;
		switch (ls_watch(&m->ls, now, m->pr.srtt_us,
		    m->pr.rttvar_us)) {
		case LS_WATCH_ASK:
			linkd_probe_send(s, m, now, 1);
			break;
		case LS_WATCH_DOWN:
			log_info("%s: peer %s link %u: silent for %llu ms, "
			    "asks unanswered (rtt %u ms, rttvar %u ms), "
			    "link down", ld.conf.name,
			    ld.tbl->peers[s->peer].name, s->link_id,
			    (unsigned long long)(now - m->ls.last_rx_us) /
			    1000, m->pr.srtt_us / 1000,
			    m->pr.rttvar_us / 1000);
			linkd_info(s);
			changed = 1;
			break;
		case LS_WATCH_NONE:
			break;
		}
	}
	if (changed)
		linkd_core_flush();
	linkd_watch_arm(now);
}

/* The watch runs when the earliest session needs it. */
static void
linkd_watch_arm(uint64_t now)
{
	struct session	*s;
	struct linkmeas	*m;
	struct timeval	 tv;
	uint64_t	 due, next = 0;
	int		 i;

	for (i = 0; i < ld.tbl->nsessions; i++) {
		s = &ld.tbl->sessions[i];
		m = linkd_meas(s);
		if (!s->used || !m->active)
			continue;
		due = ls_watch_due(&m->ls, m->pr.srtt_us, m->pr.rttvar_us);
		if (due != 0 && (next == 0 || due < next))
			next = due;
	}
	if (next == 0) {
		evtimer_del(ld.ev_watch);
		return;
	}
	/* A due time passed already runs in 1 ms. */
	next = next > now + 1000 ? next - now : 1000;
	tv.tv_sec = (time_t)(next / 1000000);
	tv.tv_usec = (suseconds_t)(next % 1000000);
	if (evtimer_add(ld.ev_watch, &tv) == -1)
		fatalx("%s: evtimer_add", __func__);
}
