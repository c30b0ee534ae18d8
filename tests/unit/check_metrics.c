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
 * Unit tests of ctld/metrics.c: the Prometheus text of a fixed
 * snapshot compared byte for byte with a golden string, label
 * escaping, request parsing (good, refused and malformed requests,
 * requests cut anywhere) and the response framing.
 */

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bondd.h"
#include "config.h"
#include "control.h"
#include "linkinfo.h"
#include "messages.h"
#include "metrics.h"
#include "check_main.h"

static struct ipc_link_stats	 fx_links[2];
static struct ctl_snapshot	 fx;

/* Every counter has its own value so the golden proves each one
 * reaches its place. */
static void
fixture(void)
{
	struct ipc_link_stats	*l;

	memset(&fx, 0, sizeof(fx));
	memset(fx_links, 0, sizeof(fx_links));
	fx.core.tun_rx_packets = 101;
	fx.core.tun_rx_bytes = 102;
	fx.core.tun_tx_packets = 103;
	fx.core.tun_tx_bytes = 104;
	fx.core.no_route = 105;
	fx.core.bad_source = 106;
	fx.core.malformed = 107;
	fx.core.too_big = 108;
	fx.core.queue_full = 109;
	fx.core.claims_refused = 160;
	fx.core.reorder_held = 110;
	fx.core.reorder_late = 111;
	fx.core.reorder_dup = 112;
	fx.core.reorder_lost = 113;
	fx.core.reorder_hold_us = 25000;
	fx.core.reorder_cur = 3;
	fx.core.nack_tx = 114;
	fx.core.nack_rx = 115;
	fx.core.resent = 116;
	fx.core.failover_resent = 117;
	fx.core.rt_duplicated = 118;
	fx.core.aggregated = 119;
	fx.core.frames_tx = 120;
	fx.core.paced_frames = 121;
	fx.core.pace_rounds = 122;
	fx.core.link[0].pacing_bps = 44000000;
	fx.core.link[0].queue_us = 1500;
	fx.core.link[0].resent = 121;
	fx.core.link[0].rx_frames = 122;
	fx.core.link[0].rx_dup = 123;
	fx.core.link[0].rx_spurious = 124;
	fx.core.link[0].rx_lost = 125;
	fx.core.link[1].resent = 126;
	fx.core.npeers = 1;
	strcpy(fx.core.peer[0].name, "server");
	fx.core.peer[0].fec_n = 10;
	fx.core.peer[0].fec_k = 4;
	fx.core.peer[0].fec_parity = 131;
	fx.core.peer[0].fec_skipped = 132;
	fx.core.peer[0].fec_recovered = 133;
	fx.core.peer[0].reorder_cur = 7;
	fx.core.peer[0].reorder_hold_us = 8000;
	fx.core.peer[0].reorder_early = 134;
	fx.core.peer[0].asked_named = 135;
	fx.core.peer[0].asked_due = 136;
	fx.core.peer[0].asked_again = 137;
	/* Past npeers: no samples. */
	strcpy(fx.core.peer[1].name, "ghost");

	l = &fx_links[0];
	strcpy(l->link, "wan0");
	strcpy(l->peer, "server");
	l->state = SESSION_ESTABLISHED;
	l->tx_packets = 1;
	l->tx_bytes = 2;
	l->rx_packets = 3;
	l->rx_bytes = 4;
	l->handshakes = 5;
	l->auth_fail = 6;
	l->replay_drop = 7;
	l->malformed = 8;
	l->send_errors = 9;
	l->core_dropped = 10;
	l->probes_tx = 11;
	l->probes_rx = 12;
	l->rtt_us = 12345;
	l->rttvar_us = 678;
	l->jitter_us = 90;
	l->loss_tx_ppm = 1500;
	l->loss_rx_ppm = 1000000;
	l->rate_tx_bps = 8000000;
	l->rate_rx_bps = 16000000;
	l->rate_max_bps = 50000000;
	l->link_state = LINK_STATE_LOSSY;
	l->rate_cfg_bps = 50000000;
	l->rate_est_bps = 45000000;
	l->queue_us = 2500;
	l->rate_probes = 13;

	/* Unknown RTT and capacity, taken down, no session. */
	l = &fx_links[1];
	strcpy(l->link, "lte");
	strcpy(l->peer, "server");
	l->state = SESSION_HANDSHAKE;
	l->admin_down = 1;
	l->tx_packets = UINT64_MAX;
	l->link_state = LINK_STATE_DOWN;
	l->link_id = 1;
	l->queue_us = IPC_QUEUE_UNKNOWN;

	fx.links = fx_links;
	fx.nlinks = 2;
}

/* Render into a string the caller frees. */
static char *
render(const struct ctl_snapshot *snap, uint32_t role, const char *version)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*fp;

	fp = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(metrics_render(fp, snap, role, version), 0);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_uint_eq(strlen(buf), len);
	return buf;
}

static const char golden[] =
	"# HELP bondd_info The running bondd.\n"
	"# TYPE bondd_info gauge\n"
	"bondd_info{version=\"0.1.0\",role=\"client\"} 1\n"
	"# HELP bondd_tun_packets_total Packets read from (rx) and written"
	" to (tx) the tunnel device.\n"
	"# TYPE bondd_tun_packets_total counter\n"
	"bondd_tun_packets_total{direction=\"rx\"} 101\n"
	"bondd_tun_packets_total{direction=\"tx\"} 103\n"
	"# HELP bondd_tun_bytes_total Bytes read from (rx) and written to"
	" (tx) the tunnel device.\n"
	"# TYPE bondd_tun_bytes_total counter\n"
	"bondd_tun_bytes_total{direction=\"rx\"} 102\n"
	"bondd_tun_bytes_total{direction=\"tx\"} 104\n"
	"# HELP bondd_core_drops_total Packets dropped by the core, by reason.\n"
	"# TYPE bondd_core_drops_total counter\n"
	"bondd_core_drops_total{reason=\"no_route\"} 105\n"
	"bondd_core_drops_total{reason=\"bad_source\"} 106\n"
	"bondd_core_drops_total{reason=\"malformed\"} 107\n"
	"bondd_core_drops_total{reason=\"too_big\"} 108\n"
	"bondd_core_drops_total{reason=\"queue_full\"} 109\n"
	"# HELP bondd_core_claims_refused_total Session changes a linkd sent"
	" for a link it does not own.\n"
	"# TYPE bondd_core_claims_refused_total counter\n"
	"bondd_core_claims_refused_total 160\n"
	"# HELP bondd_reorder_held_total Frames that waited in the reorder"
	" buffer for a gap.\n"
	"# TYPE bondd_reorder_held_total counter\n"
	"bondd_reorder_held_total 110\n"
	"# HELP bondd_reorder_late_total Frames that arrived after their"
	" gap was skipped.\n"
	"# TYPE bondd_reorder_late_total counter\n"
	"bondd_reorder_late_total 111\n"
	"# HELP bondd_reorder_dup_total Duplicate frames dropped.\n"
	"# TYPE bondd_reorder_dup_total counter\n"
	"bondd_reorder_dup_total 112\n"
	"# HELP bondd_reorder_lost_total Sequence numbers given up as lost.\n"
	"# TYPE bondd_reorder_lost_total counter\n"
	"bondd_reorder_lost_total 113\n"
	"# HELP bondd_reorder_hold_seconds Current reorder hold time.\n"
	"# TYPE bondd_reorder_hold_seconds gauge\n"
	"bondd_reorder_hold_seconds 0.025000\n"
	"# HELP bondd_reorder_held_frames Frames in the reorder buffer now.\n"
	"# TYPE bondd_reorder_held_frames gauge\n"
	"bondd_reorder_held_frames 3\n"
	"# HELP bondd_nack_total Sequence numbers asked again (tx) and"
	" asked of us (rx).\n"
	"# TYPE bondd_nack_total counter\n"
	"bondd_nack_total{direction=\"tx\"} 114\n"
	"bondd_nack_total{direction=\"rx\"} 115\n"
	"# HELP bondd_resent_total Frames sent again, by cause.\n"
	"# TYPE bondd_resent_total counter\n"
	"bondd_resent_total{cause=\"nack\"} 116\n"
	"bondd_resent_total{cause=\"failover\"} 117\n"
	"# HELP bondd_realtime_duplicated_total Realtime frames sent on a"
	" second link.\n"
	"# TYPE bondd_realtime_duplicated_total counter\n"
	"bondd_realtime_duplicated_total 118\n"
	"# HELP bondd_aggregated_packets_total Packets that shared a frame"
	" with others.\n"
	"# TYPE bondd_aggregated_packets_total counter\n"
	"bondd_aggregated_packets_total 119\n"
	"# HELP bondd_frames_tx_total Frames handed to the links.\n"
	"# TYPE bondd_frames_tx_total counter\n"
	"bondd_frames_tx_total 120\n"
	"# HELP bondd_paced_total Frames that left at their link's pace,"
	" and the rounds they left in.\n"
	"# TYPE bondd_paced_total counter\n"
	"bondd_paced_total{kind=\"frames\"} 121\n"
	"bondd_paced_total{kind=\"rounds\"} 122\n"
	"# HELP bondd_peer_fec_code_frames FEC code of the blocks sent to"
	" the peer: data and parity frames per block, 0 when off.\n"
	"# TYPE bondd_peer_fec_code_frames gauge\n"
	"bondd_peer_fec_code_frames{peer=\"server\",kind=\"data\"} 10\n"
	"bondd_peer_fec_code_frames{peer=\"server\",kind=\"parity\"} 4\n"
	"# HELP bondd_peer_fec_parity_total Parity frames sent to the"
	" peer, and skipped for want of room.\n"
	"# TYPE bondd_peer_fec_parity_total counter\n"
	"bondd_peer_fec_parity_total{peer=\"server\",result=\"sent\"} 131\n"
	"bondd_peer_fec_parity_total{peer=\"server\",result=\"skipped\"}"
	" 132\n"
	"# HELP bondd_peer_fec_recovered_total Frames rebuilt from the"
	" peer's parity.\n"
	"# TYPE bondd_peer_fec_recovered_total counter\n"
	"bondd_peer_fec_recovered_total{peer=\"server\"} 133\n"
	"# HELP bondd_peer_reorder_held_frames Frames of the peer in the"
	" reorder buffer now.\n"
	"# TYPE bondd_peer_reorder_held_frames gauge\n"
	"bondd_peer_reorder_held_frames{peer=\"server\"} 7\n"
	"# HELP bondd_peer_reorder_hold_seconds How long a missing frame"
	" is waited for if no later frame names it lost.\n"
	"# TYPE bondd_peer_reorder_hold_seconds gauge\n"
	"bondd_peer_reorder_hold_seconds{peer=\"server\"} 0.008000\n"
	"# HELP bondd_peer_reorder_early_total Frames written ahead of a"
	" missing frame of another flow.\n"
	"# TYPE bondd_peer_reorder_early_total counter\n"
	"bondd_peer_reorder_early_total{peer=\"server\"} 134\n"
	"# HELP bondd_peer_holes_asked_total Missing frames asked for, by"
	" cause: named lost by a later frame, overdue on every link, asked"
	" again.\n"
	"# TYPE bondd_peer_holes_asked_total counter\n"
	"bondd_peer_holes_asked_total{peer=\"server\",cause=\"named\"}"
	" 135\n"
	"bondd_peer_holes_asked_total{peer=\"server\",cause=\"due\"} 136\n"
	"bondd_peer_holes_asked_total{peer=\"server\",cause=\"again\"}"
	" 137\n"
	"# HELP bondd_link_tx_packets_total Packets sent on the link.\n"
	"# TYPE bondd_link_tx_packets_total counter\n"
	"bondd_link_tx_packets_total{link=\"wan0\",peer=\"server\"} 1\n"
	"bondd_link_tx_packets_total{link=\"lte\",peer=\"server\"}"
	" 18446744073709551615\n"
	"# HELP bondd_link_tx_bytes_total Bytes sent on the link.\n"
	"# TYPE bondd_link_tx_bytes_total counter\n"
	"bondd_link_tx_bytes_total{link=\"wan0\",peer=\"server\"} 2\n"
	"bondd_link_tx_bytes_total{link=\"lte\",peer=\"server\"} 0\n"
	"# HELP bondd_link_rx_packets_total Packets received on the link.\n"
	"# TYPE bondd_link_rx_packets_total counter\n"
	"bondd_link_rx_packets_total{link=\"wan0\",peer=\"server\"} 3\n"
	"bondd_link_rx_packets_total{link=\"lte\",peer=\"server\"} 0\n"
	"# HELP bondd_link_rx_bytes_total Bytes received on the link.\n"
	"# TYPE bondd_link_rx_bytes_total counter\n"
	"bondd_link_rx_bytes_total{link=\"wan0\",peer=\"server\"} 4\n"
	"bondd_link_rx_bytes_total{link=\"lte\",peer=\"server\"} 0\n"
	"# HELP bondd_link_drops_total Packets dropped by linkd, by reason.\n"
	"# TYPE bondd_link_drops_total counter\n"
	"bondd_link_drops_total{link=\"wan0\",peer=\"server\",reason=\"auth_fail\"} "
	"6\n"
	"bondd_link_drops_total{link=\"lte\",peer=\"server\",reason=\"auth_fail\"} "
	"0\n"
	"bondd_link_drops_total{link=\"wan0\",peer=\"server\",reason=\"replay\"} 7\n"
	"bondd_link_drops_total{link=\"lte\",peer=\"server\",reason=\"replay\"} 0\n"
	"bondd_link_drops_total{link=\"wan0\",peer=\"server\",reason=\"malformed\"} "
	"8\n"
	"bondd_link_drops_total{link=\"lte\",peer=\"server\",reason=\"malformed\"} "
	"0\n"
	"bondd_link_drops_total{link=\"wan0\",peer=\"server\",reason=\"send_error\"} "
	"9\n"
	"bondd_link_drops_total{link=\"lte\",peer=\"server\",reason=\"send_error\"} "
	"0\n"
	"bondd_link_drops_total{link=\"wan0\",peer=\"server\",reason=\"core_dropped\"} 1"
	"0\n"
	"bondd_link_drops_total{link=\"lte\",peer=\"server\",reason=\"core_dropped\"} "
	"0\n"
	"# HELP bondd_link_handshakes_total Completed handshakes.\n"
	"# TYPE bondd_link_handshakes_total counter\n"
	"bondd_link_handshakes_total{link=\"wan0\",peer=\"server\"} 5\n"
	"bondd_link_handshakes_total{link=\"lte\",peer=\"server\"} 0\n"
	"# HELP bondd_link_probes_total Probes sent and answered.\n"
	"# TYPE bondd_link_probes_total counter\n"
	"bondd_link_probes_total{link=\"wan0\",peer=\"server\",direction=\"tx\"} 11\n"
	"bondd_link_probes_total{link=\"lte\",peer=\"server\",direction=\"tx\"} 0\n"
	"bondd_link_probes_total{link=\"wan0\",peer=\"server\",direction=\"rx\"} 12\n"
	"bondd_link_probes_total{link=\"lte\",peer=\"server\",direction=\"rx\"} 0\n"
	"# HELP bondd_link_rtt_seconds Smoothed round-trip time, NaN if unknown.\n"
	"# TYPE bondd_link_rtt_seconds gauge\n"
	"bondd_link_rtt_seconds{link=\"wan0\",peer=\"server\"} 0.012345\n"
	"bondd_link_rtt_seconds{link=\"lte\",peer=\"server\"} NaN\n"
	"# HELP bondd_link_rtt_var_seconds Round-trip time variation.\n"
	"# TYPE bondd_link_rtt_var_seconds gauge\n"
	"bondd_link_rtt_var_seconds{link=\"wan0\",peer=\"server\"} 0.000678\n"
	"bondd_link_rtt_var_seconds{link=\"lte\",peer=\"server\"} 0.000000\n"
	"# HELP bondd_link_jitter_seconds Interarrival jitter.\n"
	"# TYPE bondd_link_jitter_seconds gauge\n"
	"bondd_link_jitter_seconds{link=\"wan0\",peer=\"server\"} 0.000090\n"
	"bondd_link_jitter_seconds{link=\"lte\",peer=\"server\"} 0.000000\n"
	"# HELP bondd_link_loss_ratio Packet loss by direction (tx as the"
	" peer measured it).\n"
	"# TYPE bondd_link_loss_ratio gauge\n"
	"bondd_link_loss_ratio{link=\"wan0\",peer=\"server\",direction=\"tx\"} 0.00150"
	"0\n"
	"bondd_link_loss_ratio{link=\"lte\",peer=\"server\",direction=\"tx\"} 0.00000"
	"0\n"
	"bondd_link_loss_ratio{link=\"wan0\",peer=\"server\",direction=\"rx\"} 1.00000"
	"0\n"
	"bondd_link_loss_ratio{link=\"lte\",peer=\"server\",direction=\"rx\"} 0.00000"
	"0\n"
	"# HELP bondd_link_rate_bps Rate in bit/s: sent and received in"
	" the last second, and the capacity the scheduler uses (NaN if unknown).\n"
	"# TYPE bondd_link_rate_bps gauge\n"
	"bondd_link_rate_bps{link=\"wan0\",peer=\"server\",kind=\"tx\"} 8000000\n"
	"bondd_link_rate_bps{link=\"lte\",peer=\"server\",kind=\"tx\"} 0\n"
	"bondd_link_rate_bps{link=\"wan0\",peer=\"server\",kind=\"rx\"} 16000000\n"
	"bondd_link_rate_bps{link=\"lte\",peer=\"server\",kind=\"rx\"} 0\n"
	"bondd_link_rate_bps{link=\"wan0\",peer=\"server\",kind=\"max\"} 50000000\n"
	"bondd_link_rate_bps{link=\"lte\",peer=\"server\",kind=\"max\"} NaN\n"
	"# HELP bondd_link_state 1 for the state the link is in.\n"
	"# TYPE bondd_link_state gauge\n"
	"bondd_link_state{link=\"wan0\",peer=\"server\",state=\"probing\"} 0\n"
	"bondd_link_state{link=\"lte\",peer=\"server\",state=\"probing\"} 0\n"
	"bondd_link_state{link=\"wan0\",peer=\"server\",state=\"running\"} 0\n"
	"bondd_link_state{link=\"lte\",peer=\"server\",state=\"running\"} 0\n"
	"bondd_link_state{link=\"wan0\",peer=\"server\",state=\"lossy\"} 1\n"
	"bondd_link_state{link=\"lte\",peer=\"server\",state=\"lossy\"} 0\n"
	"bondd_link_state{link=\"wan0\",peer=\"server\",state=\"down\"} 0\n"
	"bondd_link_state{link=\"lte\",peer=\"server\",state=\"down\"} 1\n"
	"bondd_link_state{link=\"wan0\",peer=\"server\",state=\"waiting\"} 0\n"
	"bondd_link_state{link=\"lte\",peer=\"server\",state=\"waiting\"} 0\n"
	"# HELP bondd_link_up 1 if the link carries data (running or lossy).\n"
	"# TYPE bondd_link_up gauge\n"
	"bondd_link_up{link=\"wan0\",peer=\"server\"} 1\n"
	"bondd_link_up{link=\"lte\",peer=\"server\"} 0\n"
	"# HELP bondd_link_session_established 1 if the link has an"
	" established session.\n"
	"# TYPE bondd_link_session_established gauge\n"
	"bondd_link_session_established{link=\"wan0\",peer=\"server\"} 1\n"
	"bondd_link_session_established{link=\"lte\",peer=\"server\"} 0\n"
	"# HELP bondd_link_admin_up 0 if the link was taken down with bondctl.\n"
	"# TYPE bondd_link_admin_up gauge\n"
	"bondd_link_admin_up{link=\"wan0\",peer=\"server\"} 1\n"
	"bondd_link_admin_up{link=\"lte\",peer=\"server\"} 0\n"
	"# HELP bondd_link_capacity_bps Capacity of the send direction in"
	" bit/s, measured and configured (NaN if not measured yet, or none"
	" configured).\n"
	"# TYPE bondd_link_capacity_bps gauge\n"
	"bondd_link_capacity_bps{link=\"wan0\",peer=\"server\",kind=\"measu"
	"red\"} 45000000\n"
	"bondd_link_capacity_bps{link=\"lte\",peer=\"server\",kind=\"measur"
	"ed\"} NaN\n"
	"bondd_link_capacity_bps{link=\"wan0\",peer=\"server\",kind=\"confi"
	"gured\"} 50000000\n"
	"bondd_link_capacity_bps{link=\"lte\",peer=\"server\",kind=\"config"
	"ured\"} NaN\n"
	"# HELP bondd_link_capacity_probes_total Capacity probes started on"
	" the send direction.\n"
	"# TYPE bondd_link_capacity_probes_total counter\n"
	"bondd_link_capacity_probes_total{link=\"wan0\",peer=\"server\"} 13\n"
	"bondd_link_capacity_probes_total{link=\"lte\",peer=\"server\"} 0\n"
	"# HELP bondd_link_bottleneck_queue_seconds Standing queue at the"
	" bottleneck of the send direction, NaN if not measured yet.\n"
	"# TYPE bondd_link_bottleneck_queue_seconds gauge\n"
	"bondd_link_bottleneck_queue_seconds{link=\"wan0\",peer=\"server\"}"
	" 0.002500\n"
	"bondd_link_bottleneck_queue_seconds{link=\"lte\",peer=\"server\"}"
	" NaN\n"
	"# HELP bondd_link_entrance_queue_seconds Time the data waiting in"
	" the core for the link needs to leave.\n"
	"# TYPE bondd_link_entrance_queue_seconds gauge\n"
	"bondd_link_entrance_queue_seconds{link=\"wan0\",peer=\"server\"}"
	" 0.001500\n"
	"bondd_link_entrance_queue_seconds{link=\"lte\",peer=\"server\"}"
	" 0.000000\n"
	"# HELP bondd_link_pacing_bps Rate the core sends on the link at,"
	" 0 if it carries no data.\n"
	"# TYPE bondd_link_pacing_bps gauge\n"
	"bondd_link_pacing_bps{link=\"wan0\",peer=\"server\"} 44000000\n"
	"bondd_link_pacing_bps{link=\"lte\",peer=\"server\"} 0\n"
	"# HELP bondd_link_resent_total Frames sent again on the link.\n"
	"# TYPE bondd_link_resent_total counter\n"
	"bondd_link_resent_total{link=\"wan0\",peer=\"server\"} 121\n"
	"bondd_link_resent_total{link=\"lte\",peer=\"server\"} 126\n"
	"# HELP bondd_link_frames_rx_total Data frames the core received"
	" on the link.\n"
	"# TYPE bondd_link_frames_rx_total counter\n"
	"bondd_link_frames_rx_total{link=\"wan0\",peer=\"server\"} 122\n"
	"bondd_link_frames_rx_total{link=\"lte\",peer=\"server\"} 0\n"
	"# HELP bondd_link_frames_dup_total Duplicate frames received on"
	" the link.\n"
	"# TYPE bondd_link_frames_dup_total counter\n"
	"bondd_link_frames_dup_total{link=\"wan0\",peer=\"server\"} 123\n"
	"bondd_link_frames_dup_total{link=\"lte\",peer=\"server\"} 0\n"
	"# HELP bondd_link_resent_spurious_total Duplicates received on"
	" the link of which one copy was a resend.\n"
	"# TYPE bondd_link_resent_spurious_total counter\n"
	"bondd_link_resent_spurious_total{link=\"wan0\",peer=\"server\"}"
	" 124\n"
	"bondd_link_resent_spurious_total{link=\"lte\",peer=\"server\"} 0\n"
	"# HELP bondd_link_frames_lost_total Frames the link lost on the"
	" way here, named by a later frame.\n"
	"# TYPE bondd_link_frames_lost_total counter\n"
	"bondd_link_frames_lost_total{link=\"wan0\",peer=\"server\"} 125\n"
	"bondd_link_frames_lost_total{link=\"lte\",peer=\"server\"} 0\n"
;

START_TEST(test_golden)
{
	char	*s;

	fixture();
	s = render(&fx, ROLE_CLIENT, "0.1.0");
	ck_assert_str_eq(s, golden);
	free(s);
}
END_TEST

/* Names are checked by the config parser, but the exposition must
 * stay parsable whatever they hold. */
START_TEST(test_escape)
{
	char	*s;

	fixture();
	strcpy(fx_links[0].link, "a\"b\\c\nd");
	strcpy(fx_links[0].peer, "s\\");
	strcpy(fx.core.peer[0].name, "q\"\\\n");
	s = render(&fx, ROLE_SERVER, "1\"2");
	ck_assert_ptr_nonnull(strstr(s,
	    "bondd_info{version=\"1\\\"2\",role=\"server\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(s, "bondd_link_rx_packets_total{"
	    "link=\"a\\\"b\\\\c\\nd\",peer=\"s\\\\\"} 3\n"));
	ck_assert_ptr_nonnull(strstr(s, "bondd_link_resent_total{"
	    "link=\"a\\\"b\\\\c\\nd\",peer=\"s\\\\\"} 121\n"));
	ck_assert_ptr_nonnull(strstr(s, "bondd_peer_fec_recovered_total{"
	    "peer=\"q\\\"\\\\\\n\"} 133\n"));
	free(s);
}
END_TEST

/* A label never reads past its array, terminated or not. */
START_TEST(test_label_bounded)
{
	char	 in[4] = { 'a', '"', 'b', 'c' }, *buf = NULL;
	size_t	 len = 0;
	FILE	*fp;

	fp = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(fp);
	metrics_label(fp, in, sizeof(in));
	metrics_label(fp, "x\0y", 3);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_str_eq(buf, "a\\\"bcx");
	free(buf);
}
END_TEST

/* No links yet: every family is announced, no link sample is made. */
START_TEST(test_no_links)
{
	char	*s, *p;

	fixture();
	fx.nlinks = 0;
	s = render(&fx, ROLE_CLIENT, "0.1.0");
	ck_assert_ptr_nonnull(strstr(s,
	    "# TYPE bondd_link_tx_packets_total counter\n"));
	ck_assert_ptr_nonnull(strstr(s, "# TYPE bondd_link_admin_up gauge\n"));
	for (p = s; (p = strstr(p, "\nbondd_link_")) != NULL; p++)
		ck_abort_msg("link sample without links: %.40s", p + 1);
	ck_assert_ptr_nonnull(strstr(s, "\nbondd_tun_packets_total"
	    "{direction=\"rx\"} 101\n"));
	free(s);
}
END_TEST

/*
 * A session without a peer (a server's idle listen socket) or with a
 * link id out of range has its own samples but none of the core's
 * figures of a link.
 */
START_TEST(test_core_link_missing)
{
	char	*s;

	fixture();
	fx_links[0].link_id = BONDD_MAX_LINKS;
	fx_links[1].peer[0] = '\0';
	s = render(&fx, ROLE_SERVER, "0.1.0");
	ck_assert_ptr_nonnull(strstr(s, "\nbondd_link_capacity_bps{link="
	    "\"wan0\",peer=\"server\",kind=\"measured\"} 45000000\n"));
	ck_assert_ptr_nonnull(strstr(s, "\nbondd_link_bottleneck_queue_"
	    "seconds{link=\"lte\",peer=\"\"} NaN\n"));
	ck_assert_ptr_nonnull(strstr(s, "# TYPE bondd_link_resent_total "
	    "counter\n# HELP bondd_link_frames_rx_total "));
	ck_assert_ptr_nonnull(strstr(s, "# TYPE bondd_link_frames_lost_total "
	    "counter\n"));
	ck_assert_ptr_null(strstr(s, "\nbondd_link_pacing_bps{"));
	ck_assert_ptr_null(strstr(s, "\nbondd_link_frames_lost_total{"));
	free(s);
}
END_TEST

/* The peers shown are the npeers first, never more than the array. */
START_TEST(test_peers_bounded)
{
	char	*s, *p;
	int	 n;

	fixture();
	fx.core.npeers = 0;
	s = render(&fx, ROLE_SERVER, "0.1.0");
	ck_assert_ptr_nonnull(strstr(s, "# TYPE bondd_peer_holes_asked_total "
	    "counter\n# HELP bondd_link_tx_packets_total "));
	ck_assert_ptr_null(strstr(s, "\nbondd_peer_"));
	free(s);
	fx.core.npeers = UINT32_MAX;
	s = render(&fx, ROLE_SERVER, "0.1.0");
	for (n = 0, p = s; (p = strstr(p, "\nbondd_peer_fec_recovered_"
	    "total{")) != NULL; p++)
		n++;
	ck_assert_int_eq(n, BONDD_MAX_PEERS);
	ck_assert_ptr_nonnull(strstr(s, "\nbondd_peer_fec_recovered_total{"
	    "peer=\"ghost\"} 0\n"));
	free(s);
}
END_TEST

/* A state out of range is no state at all, and not up. */
START_TEST(test_unknown_state)
{
	char	*s;

	fixture();
	fx_links[0].link_state = LINK_STATE_MAX + 7;
	s = render(&fx, ROLE_CLIENT, "0.1.0");
	ck_assert_ptr_null(strstr(s,
	    "bondd_link_state{link=\"wan0\",peer=\"server\",state=\"lossy\"} 1"));
	ck_assert_ptr_nonnull(strstr(s,
	    "bondd_link_up{link=\"wan0\",peer=\"server\"} 0\n"));
	free(s);
}
END_TEST

static const struct {
	const char	*req;
	int		 status;
} requests[] = {
	{ "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 200 },
	{ "GET /metrics HTTP/1.0\r\n\r\n", 200 },
	{ "GET /metrics HTTP/1.1\n"
	    "User-Agent: Prometheus/2.45\nAccept: text/plain\n\n", 200 },
	{ "GET /metrics?x=1 HTTP/1.1\r\n\r\n", 200 },
	{ "GET /metrics/ HTTP/1.1\r\n\r\n", 404 },
	{ "GET / HTTP/1.1\r\n\r\n", 404 },
	{ "GET /metricsx HTTP/1.1\r\n\r\n", 404 },
	{ "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 405 },
	{ "HEAD /metrics HTTP/1.1\r\n\r\n", 405 },
	{ "get /metrics HTTP/1.1\r\n\r\n", 405 },
	{ "PUT / HTTP/1.0\r\n\r\n", 405 },
	/* malformed */
	{ "garbage\r\n\r\n", 400 },
	{ "\r\n\r\n", 400 },
	{ "GET /metrics\r\n\r\n", 400 },
	{ "GET /metrics HTTP/2.0\r\n\r\n", 400 },
	{ "GET /metrics HTTP/1.1 \r\n\r\n", 400 },
	{ "GET  /metrics HTTP/1.1\r\n\r\n", 400 },
	{ "GET /met\x01rics HTTP/1.1\r\n\r\n", 400 },
	{ "G(T /metrics HTTP/1.1\r\n\r\n", 400 },
	{ "GET /metrics HTTP/1.1\r\nNoColon\r\n\r\n", 400 },
	{ "GET /metrics HTTP/1.1\r\n: empty\r\n\r\n", 400 },
	{ "GET /metrics HTTP/1.1\r\nBad Name: x\r\n\r\n", 400 },
	{ "GET /metrics HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", 400 },
	{ "GET /metrics HTTP/1.1\r\nA: b\x1b[2J\r\n\r\n", 400 },
	/* a bad request line is known before the headers end */
	{ "FOO\r\n", 400 },
	/* incomplete */
	{ "GET /metrics HTTP/1.1\r\nHost: x\r\n", 0 },
	{ "GET /metrics HTTP/1.1", 0 },
	{ "", 0 },
};

START_TEST(test_request)
{
	const char	*r = requests[_i].req;

	ck_assert_msg(metrics_request(r, strlen(r)) == requests[_i].status,
	    "request %d: got %d, want %d", _i, metrics_request(r, strlen(r)),
	    requests[_i].status);
}
END_TEST

/* A NUL anywhere is malformed. */
START_TEST(test_request_nul)
{
	static const char	 r[] = "GET /metrics HTTP/1.1\r\nA: \0b\r\n\r\n";

	ck_assert_int_eq(metrics_request(r, sizeof(r) - 1), 400);
	ck_assert_int_eq(metrics_request("GET /\0 HTTP/1.1\r\n\r\n", 19), 400);
}
END_TEST

/* Fed a byte at a time, a request is undecided until its end. */
START_TEST(test_request_incremental)
{
	static const char	 r[] = "GET /metrics HTTP/1.1\r\nHost: a\r\n"
	    "Accept: */*\r\n\r\n";
	size_t			 n;

	for (n = 0; n < sizeof(r) - 1; n++)
		ck_assert_int_eq(metrics_request(r, n), 0);
	ck_assert_int_eq(metrics_request(r, n), 200);
}
END_TEST

/* METRICS_REQ_MAX bytes without the end of the headers: refused. */
START_TEST(test_request_too_long)
{
	char	*r;
	size_t	 n;

	r = malloc(METRICS_REQ_MAX + 1);
	ck_assert_ptr_nonnull(r);
	n = (size_t)snprintf(r, METRICS_REQ_MAX, "GET /metrics HTTP/1.1\r\n"
	    "X-Pad: ");
	memset(r + n, 'a', METRICS_REQ_MAX + 1 - n);
	ck_assert_int_eq(metrics_request(r, METRICS_REQ_MAX - 1), 0);
	ck_assert_int_eq(metrics_request(r, METRICS_REQ_MAX), 400);
	ck_assert_int_eq(metrics_request(r, METRICS_REQ_MAX + 1), 400);
	/* A request ending exactly at the limit is still fine. */
	memcpy(r + METRICS_REQ_MAX - 4, "\r\n\r\n", 4);
	ck_assert_int_eq(metrics_request(r, METRICS_REQ_MAX), 200);
	free(r);
}
END_TEST

static char *
response(int status, const char *body)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*fp;

	fp = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(metrics_response(fp, status, body, strlen(body)), 0);
	ck_assert_int_eq(fclose(fp), 0);
	return buf;
}

START_TEST(test_response)
{
	char	*s;

	s = response(200, "a 1\n");
	ck_assert_str_eq(s, "HTTP/1.1 200 OK\r\n"
	    "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
	    "Content-Length: 4\r\n"
	    "Connection: close\r\n"
	    "\r\n"
	    "a 1\n");
	free(s);
	s = response(405, "Method Not Allowed\n");
	ck_assert_str_eq(s, "HTTP/1.1 405 Method Not Allowed\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Length: 19\r\n"
	    "Allow: GET\r\n"
	    "Connection: close\r\n"
	    "\r\n"
	    "Method Not Allowed\n");
	free(s);
	s = response(404, "");
	ck_assert_ptr_nonnull(strstr(s, "HTTP/1.1 404 Not Found\r\n"));
	ck_assert_ptr_nonnull(strstr(s, "Content-Length: 0\r\n"));
	ck_assert_int_eq(strcmp(s + strlen(s) - 4, "\r\n\r\n"), 0);
	free(s);
	s = response(400, "");
	ck_assert_ptr_nonnull(strstr(s, "HTTP/1.1 400 Bad Request\r\n"));
	free(s);
}
END_TEST

static Suite *
metrics_suite(void)
{
	Suite	*s = suite_create("metrics");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_golden);
	tcase_add_test(tc, test_escape);
	tcase_add_test(tc, test_label_bounded);
	tcase_add_test(tc, test_no_links);
	tcase_add_test(tc, test_unknown_state);
	tcase_add_test(tc, test_core_link_missing);
	tcase_add_test(tc, test_peers_bounded);
	tcase_add_loop_test(tc, test_request, 0,
	    sizeof(requests) / sizeof(requests[0]));
	tcase_add_test(tc, test_request_nul);
	tcase_add_test(tc, test_request_incremental);
	tcase_add_test(tc, test_request_too_long);
	tcase_add_test(tc, test_response);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return (check_run(srunner_create(metrics_suite())));
}
