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
 * peer.  This file starts it and follows the parent: configuration,
 * the peers' buffers, reload and statistics; core_tx.c and core_rx.c
 * carry the traffic.  Runs sandboxed and unprivileged; holds no keys
 * and never sees bytes that linkd has not authenticated, and trusts a
 * linkd no more than the network.
 */

#include <sys/random.h>
#include <sys/socket.h>

#include <event2/event.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "bondd.h"
#include "config.h"
#include "core.h"
#include "fec.h"
#include "flow.h"
#include "frame.h"
#include "ipc.h"
#include "log.h"
#include "messages.h"
#include "pktq.h"
#include "reorder.h"
#include "retx.h"
#include "sandbox.h"
#include "scheduler.h"
#include "txq.h"
#include "util.h"

#define TXQ_FRAMES	1024	/* frames waiting in a peer's link queues */
#define FEC_DEC_SLOTS	1024	/* recent frames kept for FEC recovery */

/* Shared with core_tx.c and core_rx.c: see core.h. */
struct event_base		*base;
struct ipc_conf_core		 cconf;
struct core_peer		 peers[BONDD_MAX_PEERS];
int				 tun_fd = -1;
struct linkq			 linkqs[BONDD_MAX_LINKS];
struct ipc_core_stats		 st;
size_t				 frame_max;
uint16_t			 epoch;

static struct ipc_chan		 parent;
static struct ipc_role		 parent_role;
static int			 peer_last = -1;	/* IPC_CONF_PEER */
static struct event		*tun_ev;
static unsigned			 reorder_slots;

/*
 * The parent's messages: the configuration, then reloads; the queue of
 * a (re)started linkd may come at any time.  The core runs once the
 * configuration ends.
 */
static const struct ipc_accept from_parent[] = {
	{ IPC_HELLO, IPC_IN_HELLO, IPC_ONCE, 0, IPC_S_CONF },
	{ IPC_CONF_CORE, IPC_IN_CONF, IPC_ONCE, 0, IPC_S_SAME },
	{ IPC_CONF_PEER, IPC_IN_CONF, IPC_MANY, IPC_CONF_CORE, IPC_S_SAME },
	{ IPC_TUN_FD, IPC_IN_CONF, IPC_ONCE, 0, IPC_S_SAME },
	{ IPC_LINKD_OWNER, IPC_IN_STARTED, IPC_MANY, IPC_CONF_CORE,
	    IPC_S_SAME },
	{ IPC_DATA_CHAN, IPC_IN_STARTED, IPC_MANY, IPC_CONF_CORE, IPC_S_SAME },
	{ IPC_CONF_END, IPC_IN_CONF, IPC_ONCE, IPC_CONF_CORE, IPC_S_RUNNING },
	{ IPC_RECONF_CORE, IPC_IN_RUNNING, IPC_MANY, 0, IPC_S_SAME },
	{ IPC_SHUTDOWN, IPC_IN_STARTED, IPC_MANY, 0, IPC_S_SAME },
	{ 0, 0, 0, 0, IPC_S_SAME }
};

/*
 * Every peer slot can hold a peer from the start: a reload may fill
 * any, and a linkd may name any below npeers (the core trusts it no
 * more than the network; a slot without a peer has no allowed_ips, so
 * nothing is routed to it nor accepted from it).
 */
static void
peer_init(struct core_peer *p)
{
	int	i;

	for (i = 0; i < BONDD_MAX_LINKS; i++)
		p->link[i].linkd = NO_LINKD;
	sched_init(&p->sched, cconf.strategy);
	sched_set_bulk_rtt(&p->sched, cconf.bulk_rtt_pct,
	    cconf.bulk_max_rtt_ms * 1000);
	if (getrandom(&p->seq, sizeof(p->seq), 0) != sizeof(p->seq))
		fatal("getrandom");
	if (p->timer == NULL &&
	    (p->timer = evtimer_new(base, peer_timer_cb, p)) == NULL)
		fatalx("evtimer_new");
}

/* Buffers of a peer are made when its first session comes up, so a
 * server with many configured sites pays only for the active ones. */
void
peer_activate(struct core_peer *p)
{
	size_t	i;

	if (p->active)
		return;
	/* reorder_max 0: holes are given up at once. */
	if ((p->ro = reorder_new(reorder_slots, frame_max,
	    cconf.reorder_max_ms ? cconf.reorder_max_ms * 1000 : 1)) == NULL ||
	    (p->flows = calloc(1, sizeof(*p->flows))) == NULL ||
	    retx_init(&p->retx, frame_max) == -1 ||
	    txq_pool_init(&p->txpool, TXQ_FRAMES, frame_max,
	    INNER_HDR_LEN) == -1 ||
	    (p->fec_enc = fec_enc_new(frame_max + 2)) == NULL)
		fatal("peer %s buffers", p->name);
	reorder_set_held_max(p->ro, REORDER_HELD_BYTES / frame_max);
	flow_table_init(p->flows);
	fec_tiersel_init(&p->fec_sel);
	for (i = 0; i < BONDD_MAX_LINKS; i++)
		txq_init(&p->link[i].q);
	p->active = 1;
}

/*
 * The FEC decoder of a peer, made when parity comes (parity set) and
 * freed when none came for FEC_QUIET_US (looked at on every data frame
 * and every second's statistics): it remembers the last
 * FEC_DEC_SLOTS data frames (1.4 MB at line rate), needed only while
 * the peer sends parity.  The data frames of the first block after
 * parity resumes were not remembered: that block is not mended.  NULL
 * when there is none (or no memory for one: parity is then ignored).
 */
struct fec_dec *
fec_dec_use(struct core_peer *p, int parity, uint64_t now)
{
	struct fec_dec_stats	fs;

	if (parity && p->fec_dec == NULL &&
	    (p->fec_dec = fec_dec_new(FEC_DEC_SLOTS, frame_max + 2)) == NULL)
		log_warn("peer %s: FEC decoder", p->name);
	if (parity)
		p->last_parity_us = now;
	if (p->fec_dec != NULL && now - p->last_parity_us >= FEC_QUIET_US) {
		fec_dec_stats(p->fec_dec, &fs);
		p->fec_dec_done.parity += fs.parity;
		p->fec_dec_done.recovered += fs.recovered;
		p->fec_dec_done.failed += fs.failed;
		p->fec_dec_done.bad += fs.bad;
		fec_dec_free(p->fec_dec);
		p->fec_dec = NULL;
	}
	return p->fec_dec;
}

/* A slot emptied or given to another peer by a reload: what
 * peer_activate() made goes, and the slot starts afresh. */
static void
peer_reset(struct core_peer *p)
{
	struct event	*timer = p->timer;

	if (p->active) {
		reorder_free(p->ro);
		free(p->flows);
		retx_free(&p->retx);
		txq_pool_free(&p->txpool);
		fec_enc_free(p->fec_enc);
		fec_dec_free(p->fec_dec);
	}
	evtimer_del(timer);
	memset(p, 0, sizeof(*p));
	p->timer = timer;
	peer_init(p);
}

/* What a reload may change, checked at start and at every reload. */
static int
settings_ok(const struct ipc_conf_core *c)
{
	return c->strategy <= STRATEGY_SINGLE_BEST &&
	    c->reorder_max_ms <= 2000 && c->nrt_udp_ports <= 16 &&
	    c->nrt_tcp_ports <= 16 && c->fec_mode <= FEC_FIXED &&
	    (c->bulk_rtt_pct == 0 || (c->bulk_rtt_pct >= 100 &&
	    c->bulk_rtt_pct <= 10000)) && c->bulk_max_rtt_ms <= 60000 &&
	    c->status_interval_s <= CONF_STATUS_INTERVAL_MAX;
}

/* A peer's allowed prefixes: a known family, a length that fits it. */
static int
prefixes_ok(const struct conf_prefix *pfx, uint32_t n)
{
	uint32_t	i;

	if (n > BONDD_MAX_ALLOWED)
		return 0;
	for (i = 0; i < n; i++)
		if ((pfx[i].family != AF_INET && pfx[i].family != AF_INET6) ||
		    pfx[i].plen > (pfx[i].family == AF_INET ? 32 : 128))
			return 0;
	return 1;
}

/* The configuration's peers, in rising slot order below npeers. */
static void
conf_peer(struct ipc_msg *msg)
{
	struct ipc_conf_peer	 cp;
	struct core_peer	*p;

	if (msg->hdr.id >= cconf.npeers || (int)msg->hdr.id <= peer_last ||
	    ipc_msg_get(msg, &cp, sizeof(cp)) == -1 ||
	    memchr(cp.name, '\0', sizeof(cp.name)) == NULL ||
	    cp.name[0] == '\0')
		fatalx("bad IPC_CONF_PEER from parent");
	if (!prefixes_ok(cp.allowed, cp.nallowed))
		fatalx("bad allowed prefix from parent");
	peer_last = msg->hdr.id;
	p = &peers[peer_last];
	memcpy(p->name, cp.name, sizeof(p->name));
	memcpy(p->allowed, cp.allowed, sizeof(p->allowed));
	p->nallowed = cp.nallowed;
}

/* The parent's IPC_CONF_CORE, checked, and what follows from it. */
void
core_configure(const struct ipc_conf_core *c)
{
	uint32_t	i;

	cconf = *c;
	if (cconf.npeers > BONDD_MAX_PEERS || cconf.npeers == 0 ||
	    cconf.nlinkd > BONDD_MAX_LINKS || cconf.tun_mtu < 576 ||
	    cconf.tun_mtu + FRAME_INNER_OVERHEAD > PKTQ_FRAME_MAX ||
	    cconf.role > ROLE_SERVER || !settings_ok(&cconf) ||
	    cconf.ntun_addr > 4 || cconf.tun_vnet_hdr > 1 ||
	    cconf.tun_uso > cconf.tun_vnet_hdr ||
	    memchr(cconf.user, '\0', sizeof(cconf.user)) == NULL)
		fatalx("bad IPC_CONF_CORE from parent");
	for (i = 0; i < cconf.ntun_addr; i++)
		if (cconf.tun_addr[i].family != AF_INET &&
		    cconf.tun_addr[i].family != AF_INET6)
			fatalx("bad tunnel address from parent");
	frame_max = cconf.tun_mtu + FRAME_INNER_OVERHEAD;
	tun_coalesce_udp(cconf.tun_uso);
	/* A random epoch and first sequence tell a restart apart. */
	while (epoch == 0)
		if (getrandom(&epoch, sizeof(epoch), 0) != sizeof(epoch))
			fatal("getrandom");
	reorder_slots = cconf.npeers <= 4 ? 4096 : 1024;
	for (i = 0; i < BONDD_MAX_PEERS; i++)
		peer_init(&peers[i]);
}

static void
start_running(void)
{
	if (tun_fd == -1 || peer_last < 0)
		fatalx("incomplete configuration from parent");
	sandbox_enter(PROC_CORE, cconf.user);
	if ((tun_ev = event_new(base, tun_fd, EV_READ | EV_PERSIST,
	    tun_read_cb, NULL)) == NULL || event_add(tun_ev, NULL) == -1)
		fatalx("tun event");
	if (ipc_send(&parent, IPC_READY, 0, 0, -1, NULL, 0) == -1)
		fatal("ready");
	log_debug("running: %u peer slots, tun mtu %u, strategy %s",
	    cconf.npeers,
	    cconf.tun_mtu, conf_strategy_name(cconf.strategy));
}

/*
 * A reload: the new scheduler, reorder, realtime, status interval and
 * allowed_ips settings apply in place, and the peer table: a slot
 * emptied or given to another peer loses what it held (its sessions
 * end in linkd, which tells us too), the others keep their state.
 * The queues of removed links close and their sessions go, as when a
 * linkd dies.
 */
static void
reconf_core(struct ipc_msg *msg)
{
	struct ipc_reconf_core	 rc;
	struct ipc_reconf_peer	 rp[BONDD_MAX_PEERS];
	struct core_peer	*p;
	uint64_t		 now = now_us();
	uint32_t		 i;
	int			 j;

	if (ipc_msg_get(msg, &rc, sizeof(rc)) == -1 ||
	    rc.conf.npeers < cconf.npeers ||
	    rc.conf.npeers > BONDD_MAX_PEERS || rc.conf.role != cconf.role ||
	    !settings_ok(&rc.conf))
		fatalx("bad IPC_RECONF_CORE from parent");
	for (i = 0; i < rc.conf.npeers; i++) {
		if (ipc_msg_get(msg, &rp[i], sizeof(rp[i])) == -1 ||
		    memchr(rp[i].name, '\0', sizeof(rp[i].name)) == NULL)
			fatalx("bad IPC_RECONF_CORE peer from parent");
		if (!prefixes_ok(rp[i].allowed, rp[i].nallowed) ||
		    (rp[i].name[0] == '\0' && rp[i].nallowed != 0))
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
	cconf.fec_mode = rc.conf.fec_mode;
	cconf.bulk_rtt_pct = rc.conf.bulk_rtt_pct;
	cconf.bulk_max_rtt_ms = rc.conf.bulk_max_rtt_ms;
	cconf.status_interval_s = rc.conf.status_interval_s;
	cconf.npeers = rc.conf.npeers;
	for (i = 0; i < cconf.npeers; i++) {
		p = &peers[i];
		if ((rp[i].name[0] == '\0' || rp[i].fresh) &&
		    (p->name[0] != '\0' || p->active)) {
			if (p->name[0] != '\0')
				log_info("peer %s: %s", p->name,
				    rp[i].name[0] == '\0' ? "removed" :
				    "replaced");
			peer_reset(p);
		}
		memcpy(p->name, rp[i].name, sizeof(p->name));
		memcpy(p->allowed, rp[i].allowed, sizeof(p->allowed));
		p->nallowed = rp[i].nallowed;
		sched_set_strategy(&p->sched, cconf.strategy);
		sched_set_bulk_rtt(&p->sched, cconf.bulk_rtt_pct,
		    cconf.bulk_max_rtt_ms * 1000);
		if (p->ro != NULL) {
			reorder_set_max_hold(p->ro,
			    cconf.reorder_max_ms ? cconf.reorder_max_ms * 1000 :
			    1);
			fec_retier(p, now);
		}
	}
	for (j = 0; j < BONDD_MAX_LINKS; j++)
		if (!(rc.live & (1U << j)))
			linkq_close(j, now);
	log_info("reconfigured: strategy %s, reorder_max %ums, fec %s",
	    conf_strategy_name(cconf.strategy), cconf.reorder_max_ms,
	    conf_fec_name(cconf.fec_mode));
}

/* What a linkd may speak for: a client's link, or on a server the
 * sessions of a listen socket (core_rx.c checks every claim). */
static void
linkd_owner(struct ipc_msg *msg)
{
	struct ipc_linkd_owner	o;

	if (msg->hdr.id >= cconf.nlinkd ||
	    ipc_msg_get(msg, &o, sizeof(o)) == -1 ||
	    (cconf.role == ROLE_CLIENT ? o.link_id >= BONDD_MAX_LINKS :
	    o.link_id != IPC_OWNER_LISTEN))
		fatalx("bad IPC_LINKD_OWNER from parent");
	linkqs[msg->hdr.id].owner = o.link_id;
	linkqs[msg->hdr.id].has_owner = 1;
}

static void
parent_dispatch(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	struct ipc_conf_core	 cc;
	const char		*why;

	(void)chan;
	(void)arg;
	if (msg == NULL)
		exit(0);	/* the parent is gone */
	if (ipc_role_accept(&parent_role, msg, &why) == NULL)
		fatalx("bad %s from parent: %s", ipc_type_name(msg->hdr.type),
		    why);
	switch (msg->hdr.type) {
	case IPC_HELLO:
		if (ipc_hello_check(msg, PROC_PARENT) == -1)
			fatalx("bad hello from parent");
		break;
	case IPC_CONF_CORE:
		if (ipc_msg_get(msg, &cc, sizeof(cc)) == -1)
			fatalx("bad IPC_CONF_CORE from parent");
		core_configure(&cc);
		break;
	case IPC_CONF_PEER:
		conf_peer(msg);
		break;
	case IPC_TUN_FD:
		tun_fd = ipc_msg_take_fd(msg);
		break;
	case IPC_LINKD_OWNER:
		linkd_owner(msg);
		break;
	case IPC_DATA_CHAN:
		if (msg->hdr.id >= cconf.nlinkd ||
		    !linkqs[msg->hdr.id].has_owner)
			fatalx("bad IPC_DATA_CHAN id %u", msg->hdr.id);
		linkq_set(msg->hdr.id, ipc_msg_take_fd(msg));
		break;
	case IPC_CONF_END:
		start_running();
		break;
	case IPC_SHUTDOWN:
		exit(0);
	case IPC_RECONF_CORE:
		reconf_core(msg);
		break;
	}
}

/* One active peer's figures, and its share of its links' figures. */
static void
stats_peer(struct core_peer *p, struct ipc_core_peer *cp, uint64_t now)
{
	struct reorder_stats	 rs;
	struct fec_dec_stats	 fs, cur;
	struct ipc_core_link	*cl;
	uint64_t		 q;
	int			 id;

	reorder_stats(p->ro, &rs);
	fs = p->fec_dec_done;
	if (fec_dec_use(p, 0, now) != NULL) {
		fec_dec_stats(p->fec_dec, &cur);
		fs.recovered += cur.recovered;
	}
	st.reorder_held += rs.held;
	st.reorder_early += rs.early;
	st.reorder_lost += rs.skipped;
	st.reorder_cur += rs.cur_held;
	if (rs.hold_us > st.reorder_hold_us)
		st.reorder_hold_us = rs.hold_us;
	for (id = 0; id < BONDD_MAX_LINKS; id++) {
		cl = &st.link[id];
		if (p->link[id].usable)
			cl->pacing_bps += p->link[id].rate_bps;
		q = sched_queue_us(&p->sched, id, now);
		if (q > cl->queue_us)
			cl->queue_us = q > UINT32_MAX ? UINT32_MAX : q;
		if (id >= REORDER_LINKS)
			continue;
		cl->rx_frames += rs.link[id].frames;
		cl->rx_dup += rs.link[id].dup;
		cl->rx_spurious += rs.link[id].spurious;
		cl->rx_lost += rs.link[id].lost;
	}
	memcpy(cp->name, p->name, sizeof(cp->name));
	cp->fec_n = p->fec_tier.n;
	cp->fec_k = p->fec_tier.k;
	cp->fec_parity = p->fec_parity;
	cp->fec_skipped = p->fec_skipped;
	cp->fec_recovered = fs.recovered;
	cp->reorder_cur = rs.cur_held;
	cp->reorder_hold_us = rs.hold_us;
	cp->reorder_early = rs.early;
	cp->asked_named = rs.asked_named;
	cp->asked_due = rs.asked_due;
	cp->asked_again = rs.asked_again;
}

/*
 * The figures read from the peers' state now; the counters kept as
 * things happen (st.link[].resent among them) stay as they are.
 */
static void
stats_gather(uint64_t now)
{
	struct ipc_core_link	*cl;
	int			 i, id;

	st.reorder_held = st.reorder_lost = st.reorder_early = 0;
	st.reorder_hold_us = st.reorder_cur = 0;
	st.fec_parity = st.fec_skipped = 0;
	for (id = 0; id < BONDD_MAX_LINKS; id++) {
		cl = &st.link[id];
		cl->pacing_bps = 0;
		cl->queue_us = 0;
		cl->rx_frames = cl->rx_dup = cl->rx_spurious = cl->rx_lost = 0;
	}
	st.npeers = 0;
	memset(st.peer, 0, sizeof(st.peer));
	for (i = 0; i < (int)cconf.npeers; i++) {
		st.fec_parity += peers[i].fec_parity;
		st.fec_skipped += peers[i].fec_skipped;
		if (peers[i].active)
			stats_peer(&peers[i], &st.peer[st.npeers++], now);
	}
}

/*
 * The status lines: the totals, with the resends, spurious resends and
 * losses of every link that carried anything, then one line per peer
 * with its FEC code and reordering.
 */
static void
stats_log(void)
{
	const struct ipc_core_link *cl;
	const struct ipc_core_peer *cp;
	char			 links[768], fec[16];
	size_t			 off = 0;
	uint32_t		 i;
	int			 id, n;

	links[0] = '\0';
	for (id = 0; id < BONDD_MAX_LINKS; id++) {
		cl = &st.link[id];
		if (cl->rx_frames == 0 && cl->resent == 0 &&
		    cl->pacing_bps == 0)
			continue;
		n = snprintf(links + off, sizeof(links) - off, " | link %d "
		    "resent %llu spurious %llu lost %llu", id,
		    (unsigned long long)cl->resent,
		    (unsigned long long)cl->rx_spurious,
		    (unsigned long long)cl->rx_lost);
		if (n < 0 || (size_t)n >= sizeof(links) - off)
			break;
		off += n;
	}
	log_info("reorder hold %ums held %u early %llu late %llu "
	    "lost %llu dup %llu | nack tx %llu rx %llu resent %llu "
	    "failover %llu | fec parity %llu skipped %llu rebuilt %llu | "
	    "dropped at entry %llu%s", st.reorder_hold_us / 1000,
	    st.reorder_cur, (unsigned long long)st.reorder_early,
	    (unsigned long long)st.reorder_late,
	    (unsigned long long)st.reorder_lost,
	    (unsigned long long)st.reorder_dup,
	    (unsigned long long)st.nack_tx,
	    (unsigned long long)st.nack_rx,
	    (unsigned long long)st.resent,
	    (unsigned long long)st.failover_resent,
	    (unsigned long long)st.fec_parity,
	    (unsigned long long)st.fec_skipped,
	    (unsigned long long)st.fec_recovered,
	    (unsigned long long)st.queue_full, links);
	for (i = 0; i < st.npeers; i++) {
		cp = &st.peer[i];
		if (cp->fec_k == 0)
			snprintf(fec, sizeof(fec), "off");
		else
			snprintf(fec, sizeof(fec), "%u+%u", cp->fec_n,
			    cp->fec_k);
		log_info("peer %s: fec %s parity %llu skipped %llu rebuilt "
		    "%llu | reorder hold %ums held %u early %llu | asked "
		    "named %llu due %llu again %llu", cp->name, fec,
		    (unsigned long long)cp->fec_parity,
		    (unsigned long long)cp->fec_skipped,
		    (unsigned long long)cp->fec_recovered,
		    cp->reorder_hold_us / 1000, cp->reorder_cur,
		    (unsigned long long)cp->reorder_early,
		    (unsigned long long)cp->asked_named,
		    (unsigned long long)cp->asked_due,
		    (unsigned long long)cp->asked_again);
	}
}

static void
stats_cb(evutil_socket_t fd, short ev, void *arg)
{
	static unsigned		ticks;

	(void)fd;
	(void)ev;
	(void)arg;
	if (parent_role.state != IPC_S_RUNNING)
		return;
	stats_gather(now_us());
	if (ipc_send(&parent, IPC_CORE_STATS, 0, 0, -1, &st,
	    sizeof(st)) == -1)
		log_warn("stats");
	/* Lines every log.status_interval seconds, 0 = none. */
	if (cconf.status_interval_s != 0 &&
	    ++ticks % cconf.status_interval_s == 0)
		stats_log();
}

int
core_main(int debug, int verbose)
{
	struct event_config *cfg;
	struct event	*stats_ev;
	struct timeval	 one_second = { 1, 0 };

	log_init(debug, verbose, LOG_DAEMON);
	log_procinit("core");
	/* Buffers of 128 KiB and more get their own mapping, given back
	 * when freed (the FEC decoder comes and goes): left alone, glibc
	 * raises this bound at the first such free and keeps the later
	 * ones in its heap, resident for good. */
	if (mallopt(M_MMAP_THRESHOLD, 128 * 1024) != 1)
		fatalx("mallopt");
	/* Pacing wakes at sub-millisecond times: timerfd, not epoll's
	 * millisecond timeout. */
	if ((cfg = event_config_new()) == NULL ||
	    event_config_set_flag(cfg, EVENT_BASE_FLAG_PRECISE_TIMER) == -1 ||
	    (base = event_base_new_with_config(cfg)) == NULL)
		fatalx("event_base_new");
	event_config_free(cfg);
	ipc_role_init(&parent_role, from_parent);
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
