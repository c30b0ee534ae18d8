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
 * linkd's reports: an IPC_LINK_STATS per session to the parent (for
 * bondctl and the metrics) and a status line per session in the log.
 * Runs in linkd, unprivileged, sandboxed and facing the network.  The
 * process holds the session keys (the static private key stays in the
 * parent); this file reads counters and measurements only.
 */

#include <sys/types.h>

#include <stdio.h>
#include <string.h>

#include "ipc.h"
#include "config.h"
#include "log.h"
#include "messages.h"
#include "linkd.h"

static void	linkd_fill_stats(struct session *, struct ipc_link_stats *);

/*
 * One IPC_LINK_STATS per session: a client always sends exactly one,
 * a server without sessions one with an empty peer.  Counters that
 * belong to no session ride on the first record.
 */
void
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
		st.queue_us = IPC_QUEUE_UNKNOWN;
		st.core_dropped = ld.core_drop + ld.core_bad;
		if (ipc_send(&ld.parent, IPC_LINK_STATS, ld.conf.instance, 0,
		    -1, &st, sizeof(st)) == -1)
			log_warn("%s: stats", __func__);
	}
}

static void
linkd_fill_stats(struct session *s, struct ipc_link_stats *st)
{
	struct linkmeas		*m = linkd_meas(s);
	struct link_info	 li;

	st->queue_us = IPC_QUEUE_UNKNOWN;
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
	st->rate_cfg_bps = li.rate_cfg_bps;
	st->rate_est_bps = li.rate_est_bps;
	st->rate_probes = m->rc.probes;
	/* Its unknown is UINT32_MAX, as ours; link_info says 0. */
	st->queue_us = probe_queue_shown_us(&m->pr);
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

/* The bottleneck's standing queue in whole ms, "?" before it is
 * measured. */
static void
fmt_queue(char *buf, size_t len, uint32_t us)
{
	if (us == IPC_QUEUE_UNKNOWN)
		snprintf(buf, len, "?");
	else
		snprintf(buf, len, "%u", (unsigned)((us + 500ULL) / 1000));
}

/*
 * wan0[60/60Mbps|30ms|SL0.0%|RL0.0%|c1.00|RUN|w:60|cap:58/60|q:2ms], per
 * session; c is the confidence: the share of our probes answered since
 * the last line; cap the capacity measured over the configured rate
 * ("-" if none); q the standing queue at the bottleneck.
 */
void
linkd_log_status(void)
{
	struct ipc_link_stats	 st;
	struct session		*s;
	struct linkmeas		*m;
	char			 cur[16], max[16], est[16], cfg[16], q[16];
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
		fmt_mbps(est, sizeof(est), st.rate_est_bps);
		if (st.rate_cfg_bps == 0)
			snprintf(cfg, sizeof(cfg), "-");
		else
			fmt_mbps(cfg, sizeof(cfg), st.rate_cfg_bps);
		fmt_queue(q, sizeof(q), st.queue_us);
		log_info("%s[%s/%sMbps|%ums|SL%.1f%%|RL%.1f%%|c%.2f|%s|w:%s"
		    "|cap:%s/%s|q:%sms]%s%s%s",
		    ld.conf.role == ROLE_CLIENT ? ld.conf.name : s->link_name,
		    cur, max, (st.rtt_us + 500) / 1000,
		    st.loss_tx_ppm / 10000.0, st.loss_rx_ppm / 10000.0, conf,
		    link_state_short_name(st.link_state), max, est, cfg, q,
		    ld.admin_down ? " admin-down" : "",
		    ld.conf.role == ROLE_SERVER ? " peer " : "",
		    ld.conf.role == ROLE_SERVER ?
		    ld.tbl->peers[s->peer].name : "");
	}
}
