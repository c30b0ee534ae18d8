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
 * ctld's Prometheus endpoint.  Runs sandboxed in ctld on the listening
 * TCP socket the parent opened; everything a scraper sends is
 * untrusted.  A connection gets METRICS_TIMEOUT seconds and
 * METRICS_REQ_MAX bytes for one request, one answer and is closed;
 * at most METRICS_MAX_CONNS are open at once, further ones wait in
 * the listen queue.  Only GET /metrics is served, from the latest
 * snapshot; nothing here changes any state of bondd.
 */

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <event2/event.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bondd.h"
#include "config.h"
#include "control.h"
#include "linkinfo.h"
#include "listener.h"
#include "log.h"
#include "messages.h"
#include "metrics.h"

/* How a field becomes a sample value. */
enum mval {
	MV_U64,		/* uint64_t */
	MV_U64_NAN0,	/* uint64_t, 0 = unknown (NaN) */
	MV_U32,		/* uint32_t */
	MV_US,		/* uint32_t microseconds as seconds */
	MV_US_NAN0,	/* the same, 0 = unknown */
	MV_US_QUEUE,	/* the same, IPC_QUEUE_UNKNOWN = unknown */
	MV_PPM,		/* uint32_t parts per million as a ratio */
	MV_STATE,	/* link: 1 if its state is named lvalue */
	MV_UP,		/* link: 1 if running or lossy */
	MV_ESTAB,	/* link: 1 if the session is established */
	MV_ADMIN	/* link: 1 unless taken down by bondctl */
};

/*
 * One sample per link, per peer or for the core.  An entry without a
 * type continues the family of the entry before it with another
 * value of the extra label.
 */
struct mdesc {
	const char	*name;
	const char	*type;
	const char	*help;
	const char	*lname, *lvalue;	/* one more label, or NULL */
	size_t		 off;
	enum mval	 kind;
};

#define LS(f)	offsetof(struct ipc_link_stats, f)
#define CS(f)	offsetof(struct ipc_core_stats, f)
#define CL(f)	offsetof(struct ipc_core_link, f)
#define CP(f)	offsetof(struct ipc_core_peer, f)

static const struct mdesc link_metrics[] = {
	{ "bondd_link_tx_packets_total", "counter",
	    "Packets sent on the link.", NULL, NULL, LS(tx_packets), MV_U64 },
	{ "bondd_link_tx_bytes_total", "counter",
	    "Bytes sent on the link.", NULL, NULL, LS(tx_bytes), MV_U64 },
	{ "bondd_link_rx_packets_total", "counter",
	    "Packets received on the link.", NULL, NULL, LS(rx_packets),
	    MV_U64 },
	{ "bondd_link_rx_bytes_total", "counter",
	    "Bytes received on the link.", NULL, NULL, LS(rx_bytes), MV_U64 },
	{ "bondd_link_drops_total", "counter",
	    "Packets dropped by linkd, by reason.", "reason", "auth_fail",
	    LS(auth_fail), MV_U64 },
	{ "bondd_link_drops_total", NULL, NULL, "reason", "replay",
	    LS(replay_drop), MV_U64 },
	{ "bondd_link_drops_total", NULL, NULL, "reason", "malformed",
	    LS(malformed), MV_U64 },
	{ "bondd_link_drops_total", NULL, NULL, "reason", "send_error",
	    LS(send_errors), MV_U64 },
	{ "bondd_link_drops_total", NULL, NULL, "reason", "core_dropped",
	    LS(core_dropped), MV_U64 },
	{ "bondd_link_handshakes_total", "counter",
	    "Completed handshakes.", NULL, NULL, LS(handshakes), MV_U64 },
	{ "bondd_link_probes_total", "counter",
	    "Probes sent and answered.", "direction", "tx", LS(probes_tx),
	    MV_U64 },
	{ "bondd_link_probes_total", NULL, NULL, "direction", "rx",
	    LS(probes_rx), MV_U64 },
	{ "bondd_link_rtt_seconds", "gauge",
	    "Smoothed round-trip time, NaN if unknown.", NULL, NULL,
	    LS(rtt_us), MV_US_NAN0 },
	{ "bondd_link_rtt_var_seconds", "gauge",
	    "Round-trip time variation.", NULL, NULL, LS(rttvar_us), MV_US },
	{ "bondd_link_jitter_seconds", "gauge",
	    "Interarrival jitter.", NULL, NULL, LS(jitter_us), MV_US },
	{ "bondd_link_loss_ratio", "gauge",
	    "Packet loss by direction (tx as the peer measured it).",
	    "direction", "tx", LS(loss_tx_ppm), MV_PPM },
	{ "bondd_link_loss_ratio", NULL, NULL, "direction", "rx",
	    LS(loss_rx_ppm), MV_PPM },
	{ "bondd_link_rate_bps", "gauge",
	    "Rate in bit/s: sent and received in the last second, and the "
	    "capacity the scheduler uses (NaN if unknown).", "kind", "tx",
	    LS(rate_tx_bps), MV_U64 },
	{ "bondd_link_rate_bps", NULL, NULL, "kind", "rx", LS(rate_rx_bps),
	    MV_U64 },
	{ "bondd_link_rate_bps", NULL, NULL, "kind", "max",
	    LS(rate_max_bps), MV_U64_NAN0 },
	{ "bondd_link_state", "gauge",
	    "1 for the state the link is in.", "state", "probing", 0,
	    MV_STATE },
	{ "bondd_link_state", NULL, NULL, "state", "running", 0, MV_STATE },
	{ "bondd_link_state", NULL, NULL, "state", "lossy", 0, MV_STATE },
	{ "bondd_link_state", NULL, NULL, "state", "down", 0, MV_STATE },
	{ "bondd_link_state", NULL, NULL, "state", "waiting", 0, MV_STATE },
	{ "bondd_link_up", "gauge",
	    "1 if the link carries data (running or lossy).", NULL, NULL, 0,
	    MV_UP },
	{ "bondd_link_session_established", "gauge",
	    "1 if the link has an established session.", NULL, NULL, 0,
	    MV_ESTAB },
	{ "bondd_link_admin_up", "gauge",
	    "0 if the link was taken down with bondctl.", NULL, NULL, 0,
	    MV_ADMIN },
	{ "bondd_link_capacity_bps", "gauge",
	    "Capacity of the send direction in bit/s, measured and "
	    "configured (NaN if not measured yet, or none configured).",
	    "kind", "measured", LS(rate_est_bps), MV_U64_NAN0 },
	{ "bondd_link_capacity_bps", NULL, NULL, "kind", "configured",
	    LS(rate_cfg_bps), MV_U64_NAN0 },
	{ "bondd_link_capacity_probes_total", "counter",
	    "Capacity probes started on the send direction.", NULL, NULL,
	    LS(rate_probes), MV_U64 },
	{ "bondd_link_bottleneck_queue_seconds", "gauge",
	    "Standing queue at the bottleneck of the send direction, NaN "
	    "if not measured yet.", NULL, NULL, LS(queue_us), MV_US_QUEUE },
	{ NULL, NULL, NULL, NULL, NULL, 0, MV_U64 }
};

/* The core's figures of the link id of a session that has a peer. */
static const struct mdesc link_core_metrics[] = {
	{ "bondd_link_entrance_queue_seconds", "gauge",
	    "Time the data waiting in the core for the link needs to "
	    "leave.", NULL, NULL, CL(queue_us), MV_US },
	{ "bondd_link_pacing_bps", "gauge",
	    "Rate the core sends on the link at, 0 if it carries no data.",
	    NULL, NULL, CL(pacing_bps), MV_U64 },
	{ "bondd_link_resent_total", "counter",
	    "Frames sent again on the link.", NULL, NULL, CL(resent),
	    MV_U64 },
	{ "bondd_link_frames_rx_total", "counter",
	    "Data frames the core received on the link.", NULL, NULL,
	    CL(rx_frames), MV_U64 },
	{ "bondd_link_frames_dup_total", "counter",
	    "Duplicate frames received on the link.", NULL, NULL,
	    CL(rx_dup), MV_U64 },
	{ "bondd_link_resent_spurious_total", "counter",
	    "Duplicates received on the link of which one copy was a "
	    "resend.", NULL, NULL, CL(rx_spurious), MV_U64 },
	{ "bondd_link_frames_lost_total", "counter",
	    "Frames the link lost on the way here, named by a later frame.",
	    NULL, NULL, CL(rx_lost), MV_U64 },
	{ NULL, NULL, NULL, NULL, NULL, 0, MV_U64 }
};

static const struct mdesc peer_metrics[] = {
	{ "bondd_peer_fec_code_frames", "gauge",
	    "FEC code of the blocks sent to the peer: data and parity "
	    "frames per block, 0 when off.", "kind", "data", CP(fec_n),
	    MV_U32 },
	{ "bondd_peer_fec_code_frames", NULL, NULL, "kind", "parity",
	    CP(fec_k), MV_U32 },
	{ "bondd_peer_fec_parity_total", "counter",
	    "Parity frames sent to the peer, and skipped for want of room.",
	    "result", "sent", CP(fec_parity), MV_U64 },
	{ "bondd_peer_fec_parity_total", NULL, NULL, "result", "skipped",
	    CP(fec_skipped), MV_U64 },
	{ "bondd_peer_fec_recovered_total", "counter",
	    "Frames rebuilt from the peer's parity.", NULL, NULL,
	    CP(fec_recovered), MV_U64 },
	{ "bondd_peer_reorder_held_frames", "gauge",
	    "Frames of the peer in the reorder buffer now.", NULL, NULL,
	    CP(reorder_cur), MV_U32 },
	{ "bondd_peer_reorder_hold_seconds", "gauge",
	    "How long a missing frame is waited for if no later frame names "
	    "it lost.", NULL, NULL, CP(reorder_hold_us), MV_US },
	{ "bondd_peer_reorder_early_total", "counter",
	    "Frames written ahead of a missing frame of another flow.", NULL,
	    NULL, CP(reorder_early), MV_U64 },
	{ "bondd_peer_holes_asked_total", "counter",
	    "Missing frames asked for, by cause: named lost by a later "
	    "frame, overdue on every link, asked again.", "cause", "named",
	    CP(asked_named), MV_U64 },
	{ "bondd_peer_holes_asked_total", NULL, NULL, "cause", "due",
	    CP(asked_due), MV_U64 },
	{ "bondd_peer_holes_asked_total", NULL, NULL, "cause", "again",
	    CP(asked_again), MV_U64 },
	{ NULL, NULL, NULL, NULL, NULL, 0, MV_U64 }
};

static const struct mdesc core_metrics[] = {
	{ "bondd_tun_packets_total", "counter",
	    "Packets read from (rx) and written to (tx) the tunnel device.",
	    "direction", "rx", CS(tun_rx_packets), MV_U64 },
	{ "bondd_tun_packets_total", NULL, NULL, "direction", "tx",
	    CS(tun_tx_packets), MV_U64 },
	{ "bondd_tun_bytes_total", "counter",
	    "Bytes read from (rx) and written to (tx) the tunnel device.",
	    "direction", "rx", CS(tun_rx_bytes), MV_U64 },
	{ "bondd_tun_bytes_total", NULL, NULL, "direction", "tx",
	    CS(tun_tx_bytes), MV_U64 },
	{ "bondd_core_drops_total", "counter",
	    "Packets dropped by the core, by reason.", "reason", "no_route",
	    CS(no_route), MV_U64 },
	{ "bondd_core_drops_total", NULL, NULL, "reason", "bad_source",
	    CS(bad_source), MV_U64 },
	{ "bondd_core_drops_total", NULL, NULL, "reason", "malformed",
	    CS(malformed), MV_U64 },
	{ "bondd_core_drops_total", NULL, NULL, "reason", "too_big",
	    CS(too_big), MV_U64 },
	{ "bondd_core_drops_total", NULL, NULL, "reason", "queue_full",
	    CS(queue_full), MV_U64 },
	{ "bondd_core_claims_refused_total", "counter",
	    "Session changes a linkd sent for a link it does not own.", NULL,
	    NULL, CS(claims_refused), MV_U64 },
	{ "bondd_reorder_held_total", "counter",
	    "Frames that waited in the reorder buffer for a gap.", NULL, NULL,
	    CS(reorder_held), MV_U64 },
	{ "bondd_reorder_late_total", "counter",
	    "Frames that arrived after their gap was skipped.", NULL, NULL,
	    CS(reorder_late), MV_U64 },
	{ "bondd_reorder_dup_total", "counter",
	    "Duplicate frames dropped.", NULL, NULL, CS(reorder_dup), MV_U64 },
	{ "bondd_reorder_lost_total", "counter",
	    "Sequence numbers given up as lost.", NULL, NULL,
	    CS(reorder_lost), MV_U64 },
	{ "bondd_reorder_hold_seconds", "gauge",
	    "Current reorder hold time.", NULL, NULL, CS(reorder_hold_us),
	    MV_US },
	{ "bondd_reorder_held_frames", "gauge",
	    "Frames in the reorder buffer now.", NULL, NULL, CS(reorder_cur),
	    MV_U32 },
	{ "bondd_nack_total", "counter",
	    "Sequence numbers asked again (tx) and asked of us (rx).",
	    "direction", "tx", CS(nack_tx), MV_U64 },
	{ "bondd_nack_total", NULL, NULL, "direction", "rx", CS(nack_rx),
	    MV_U64 },
	{ "bondd_resent_total", "counter",
	    "Frames sent again, by cause.", "cause", "nack", CS(resent),
	    MV_U64 },
	{ "bondd_resent_total", NULL, NULL, "cause", "failover",
	    CS(failover_resent), MV_U64 },
	{ "bondd_realtime_duplicated_total", "counter",
	    "Realtime frames sent on a second link.", NULL, NULL,
	    CS(rt_duplicated), MV_U64 },
	{ "bondd_aggregated_packets_total", "counter",
	    "Packets that shared a frame with others.", NULL, NULL,
	    CS(aggregated), MV_U64 },
	{ "bondd_frames_tx_total", "counter",
	    "Frames handed to the links.", NULL, NULL, CS(frames_tx), MV_U64 },
	{ "bondd_paced_total", "counter",
	    "Frames that left at their link's pace, and the rounds they left"
	    " in.", "kind", "frames", CS(paced_frames), MV_U64 },
	{ "bondd_paced_total", NULL, NULL, "kind", "rounds",
	    CS(pace_rounds), MV_U64 },
	{ NULL, NULL, NULL, NULL, NULL, 0, MV_U64 }
};

struct mconn {
	TAILQ_ENTRY(mconn)	 entry;
	int			 fd;
	struct event		*ev;		/* read, then write */
	struct event		*timer;
	char			 req[METRICS_REQ_MAX];
	size_t			 rlen;
	char			*out;		/* the response */
	size_t			 olen, opos;
};

static struct {
	struct event_base		*base;
	const struct ipc_conf_ctld	*conf;
	const struct ctl_snapshot	*snap;
	struct listener			 lst;
	TAILQ_HEAD(, mconn)		 conns;
	int				 nconns;
} mx = { .lst = LISTENER_INITIALIZER };

static void	 mconn_close(struct mconn *);
static void	 mconn_write(int, short, void *);

/* --- rendering ----------------------------------------------------- */

void
metrics_label(FILE *fp, const char *s, size_t len)
{
	size_t		 i;

	for (i = 0; i < len && s[i] != '\0'; i++) {
		switch (s[i]) {
		case '\\':
			fputs("\\\\", fp);
			break;
		case '"':
			fputs("\\\"", fp);
			break;
		case '\n':
			fputs("\\n", fp);
			break;
		default:
			fputc(s[i], fp);
		}
	}
}

/* A fixed-point millionth as a decimal: exact, unlike a double. */
static void
put_micro(FILE *fp, uint32_t v)
{
	fprintf(fp, "%" PRIu32 ".%06" PRIu32, v / 1000000, v % 1000000);
}

/* The field d names in base; the link kinds read ls, which only the
 * session's own table has. */
static void
put_value(FILE *fp, const void *base, const struct mdesc *d,
    const struct ipc_link_stats *ls)
{
	const uint8_t			*p = (const uint8_t *)base + d->off;
	uint64_t			 v64;
	uint32_t			 v32;
	int				 b = 0;

	switch (d->kind) {
	case MV_U64:
	case MV_U64_NAN0:
		memcpy(&v64, p, sizeof(v64));
		if (v64 == 0 && d->kind == MV_U64_NAN0)
			fputs("NaN", fp);
		else
			fprintf(fp, "%" PRIu64, v64);
		return;
	case MV_U32:
	case MV_US:
	case MV_US_NAN0:
	case MV_US_QUEUE:
	case MV_PPM:
		memcpy(&v32, p, sizeof(v32));
		if (d->kind == MV_U32)
			fprintf(fp, "%" PRIu32, v32);
		else if ((v32 == 0 && d->kind == MV_US_NAN0) ||
		    (v32 == IPC_QUEUE_UNKNOWN && d->kind == MV_US_QUEUE))
			fputs("NaN", fp);
		else
			put_micro(fp, v32);
		return;
	case MV_STATE:
		b = strcmp(link_state_name(ls->link_state), d->lvalue) == 0;
		break;
	case MV_UP:
		b = ls->link_state == LINK_STATE_RUNNING ||
		    ls->link_state == LINK_STATE_LOSSY;
		break;
	case MV_ESTAB:
		b = ls->state == SESSION_ESTABLISHED;
		break;
	case MV_ADMIN:
		b = ls->admin_down == 0;
		break;
	}
	fputc(b ? '1' : '0', fp);
}

static void
put_family(FILE *fp, const struct mdesc *d)
{
	fprintf(fp, "# HELP %s %s\n# TYPE %s %s\n", d->name, d->help,
	    d->name, d->type);
}

/* A sample of session ls, its value read in base. */
static void
put_link_sample(FILE *fp, const struct mdesc *d,
    const struct ipc_link_stats *ls, const void *base)
{
	fprintf(fp, "%s{link=\"", d->name);
	metrics_label(fp, ls->link, sizeof(ls->link));
	fputs("\",peer=\"", fp);
	metrics_label(fp, ls->peer, sizeof(ls->peer));
	if (d->lname != NULL)
		fprintf(fp, "\",%s=\"%s", d->lname, d->lvalue);
	fputs("\"} ", fp);
	put_value(fp, base, d, ls);
	fputc('\n', fp);
}

static void
put_peer_sample(FILE *fp, const struct mdesc *d,
    const struct ipc_core_peer *cp)
{
	fprintf(fp, "%s{peer=\"", d->name);
	metrics_label(fp, cp->name, sizeof(cp->name));
	if (d->lname != NULL)
		fprintf(fp, "\",%s=\"%s", d->lname, d->lvalue);
	fputs("\"} ", fp);
	put_value(fp, cp, d, NULL);
	fputc('\n', fp);
}

static void
put_core_sample(FILE *fp, const struct mdesc *d,
    const struct ipc_core_stats *cs)
{
	fputs(d->name, fp);
	if (d->lname != NULL)
		fprintf(fp, "{%s=\"%s\"}", d->lname, d->lvalue);
	fputc(' ', fp);
	put_value(fp, cs, d, NULL);
	fputc('\n', fp);
}

/* The core's figures of a session's link id; NULL without a peer
 * (a server's listen socket) or for an id out of range. */
static const struct ipc_core_link *
core_link(const struct ipc_core_stats *cs, const struct ipc_link_stats *ls)
{
	if (ls->peer[0] == '\0' || ls->link_id >= BONDD_MAX_LINKS)
		return NULL;
	return &cs->link[ls->link_id];
}

int
metrics_render(FILE *fp, const struct ctl_snapshot *snap, uint32_t role,
    const char *version)
{
	const struct ipc_core_link *cl;
	const struct mdesc	*d;
	size_t			 i, npeers;

	fputs("# HELP bondd_info The running bondd.\n"
	    "# TYPE bondd_info gauge\nbondd_info{version=\"", fp);
	metrics_label(fp, version, strlen(version));
	fprintf(fp, "\",role=\"%s\"} 1\n", conf_role_name(role));
	for (d = core_metrics; d->name != NULL; d++) {
		if (d->type != NULL)
			put_family(fp, d);
		put_core_sample(fp, d, &snap->core);
	}
	npeers = snap->core.npeers < BONDD_MAX_PEERS ? snap->core.npeers :
	    BONDD_MAX_PEERS;
	/* Prometheus wants a family's samples together. */
	for (d = peer_metrics; d->name != NULL; d++) {
		if (d->type != NULL)
			put_family(fp, d);
		for (i = 0; i < npeers; i++)
			put_peer_sample(fp, d, &snap->core.peer[i]);
	}
	for (d = link_metrics; d->name != NULL; d++) {
		if (d->type != NULL)
			put_family(fp, d);
		for (i = 0; i < snap->nlinks; i++)
			put_link_sample(fp, d, &snap->links[i],
			    &snap->links[i]);
	}
	for (d = link_core_metrics; d->name != NULL; d++) {
		if (d->type != NULL)
			put_family(fp, d);
		for (i = 0; i < snap->nlinks; i++)
			if ((cl = core_link(&snap->core,
			    &snap->links[i])) != NULL)
				put_link_sample(fp, d, &snap->links[i], cl);
	}
	return ferror(fp) ? -1 : 0;
}

/* --- requests ------------------------------------------------------ */

/* RFC 9110 token characters. */
static int
is_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || (c != '\0' &&
	    strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* "METHOD SP target SP HTTP/1.x": the status it deserves. */
static int
request_line(const char *p, size_t len)
{
	const char	*sp1, *sp2, *q;
	size_t		 mlen, tlen, plen, i;

	if ((sp1 = memchr(p, ' ', len)) == NULL)
		return 400;
	mlen = sp1 - p;
	if ((sp2 = memchr(sp1 + 1, ' ', len - mlen - 1)) == NULL)
		return 400;
	tlen = sp2 - sp1 - 1;
	if (mlen == 0 || tlen == 0)
		return 400;
	for (i = 0; i < mlen; i++)
		if (!is_tchar((unsigned char)p[i]))
			return 400;
	for (i = 0; i < tlen; i++)
		if ((unsigned char)sp1[1 + i] <= 0x20 ||
		    (unsigned char)sp1[1 + i] >= 0x7f)
			return 400;
	if (len - mlen - tlen - 2 != 8 || (memcmp(sp2 + 1, "HTTP/1.0",
	    8) != 0 && memcmp(sp2 + 1, "HTTP/1.1", 8) != 0))
		return 400;
	if (mlen != 3 || memcmp(p, "GET", 3) != 0)
		return 405;
	/* The path without a query. */
	q = memchr(sp1 + 1, '?', tlen);
	plen = q != NULL ? (size_t)(q - sp1 - 1) : tlen;
	if (plen != 8 || memcmp(sp1 + 1, "/metrics", 8) != 0)
		return 404;
	return 200;
}

/* "name: value": 0, or -1 if malformed (folded lines included). */
static int
header_line(const char *p, size_t len)
{
	const char	*colon;
	size_t		 i, nlen;

	if ((colon = memchr(p, ':', len)) == NULL)
		return -1;
	nlen = colon - p;
	if (nlen == 0)
		return -1;
	for (i = 0; i < nlen; i++)
		if (!is_tchar((unsigned char)p[i]))
			return -1;
	for (i = nlen + 1; i < len; i++)
		if (((unsigned char)p[i] < 0x20 && p[i] != '\t') ||
		    p[i] == 0x7f)
			return -1;
	return 0;
}

int
metrics_request(const char *buf, size_t len)
{
	const char	*p, *eol;
	size_t		 left, n;
	int		 status = 0;

	if (len > METRICS_REQ_MAX)
		len = METRICS_REQ_MAX;
	for (p = buf, left = len; (eol = memchr(p, '\n', left)) != NULL;
	    left -= n + 1, p = eol + 1) {
		n = eol - p;
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (p == buf) {
			/* A bad request line is answered at once. */
			if ((status = request_line(p, n)) == 400)
				return 400;
		} else if (n == 0)
			return status;
		else if (header_line(p, n) == -1)
			return 400;
		n = eol - p;
	}
	return len >= METRICS_REQ_MAX ? 400 : 0;
}

static const char *
reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	default:
		return "Bad Request";
	}
}

int
metrics_response(FILE *fp, int status, const char *body, size_t len)
{
	fprintf(fp, "HTTP/1.1 %d %s\r\n"
	    "Content-Type: text/plain; %scharset=utf-8\r\n"
	    "Content-Length: %zu\r\n"
	    "%s"
	    "Connection: close\r\n"
	    "\r\n", status, reason(status),
	    status == 200 ? "version=0.0.4; " : "", len,
	    status == 405 ? "Allow: GET\r\n" : "");
	fwrite(body, 1, len, fp);
	return ferror(fp) ? -1 : 0;
}

/* --- connections --------------------------------------------------- */

/* Build the answer in memory: 0, or -1 if out of memory. */
static int
mconn_answer(struct mconn *c, int status)
{
	FILE		*fp;
	char		*body = NULL, err[64];
	size_t		 blen = 0;
	int		 rv;

	if (status == 200) {
		if ((fp = open_memstream(&body, &blen)) == NULL)
			return -1;
		rv = metrics_render(fp, mx.snap, mx.conf->role,
		    BONDD_VERSION);
		if (fclose(fp) == EOF || rv == -1) {
			free(body);
			return -1;
		}
	} else {
		blen = snprintf(err, sizeof(err), "%s\n", reason(status));
		body = err;
	}
	if ((fp = open_memstream(&c->out, &c->olen)) == NULL) {
		if (body != err)
			free(body);
		return -1;
	}
	rv = metrics_response(fp, status, body, blen);
	if (body != err)
		free(body);
	if (fclose(fp) == EOF || rv == -1)
		return -1;
	c->opos = 0;
	return 0;
}

static void
mconn_read(int fd, short ev, void *arg)
{
	struct mconn	*c = arg;
	ssize_t		 n;
	int		 status;

	(void)ev;
	n = read(fd, c->req + c->rlen, sizeof(c->req) - c->rlen);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		if (n == -1)
			log_debug("metrics: read: %s", strerror(errno));
		mconn_close(c);
		return;
	}
	c->rlen += n;
	if ((status = metrics_request(c->req, c->rlen)) == 0)
		return;
	if (mconn_answer(c, status) == -1) {
		log_warn("metrics: response");
		mconn_close(c);
		return;
	}
	event_free(c->ev);
	if ((c->ev = event_new(mx.base, fd, EV_WRITE | EV_PERSIST,
	    mconn_write, c)) == NULL || event_add(c->ev, NULL) == -1) {
		log_warnx("metrics: cannot set events");
		mconn_close(c);
		return;
	}
	mconn_write(fd, EV_WRITE, c);
}

static void
mconn_write(int fd, short ev, void *arg)
{
	struct mconn	*c = arg;
	ssize_t		 n;

	(void)ev;
	while (c->opos < c->olen) {
		n = write(fd, c->out + c->opos, c->olen - c->opos);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n == -1) {
			log_debug("metrics: write: %s", strerror(errno));
			mconn_close(c);
			return;
		}
		c->opos += n;
	}
	/* Our half closes first: the scraper sees the end of the body. */
	(void)shutdown(fd, SHUT_WR);
	mconn_close(c);
}

static void
mconn_timeout(int fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	log_debug("metrics: connection timed out");
	mconn_close(arg);
}

static void
mconn_close(struct mconn *c)
{
	TAILQ_REMOVE(&mx.conns, c, entry);
	mx.nconns--;
	if (c->ev != NULL)
		event_free(c->ev);
	event_free(c->timer);
	close(c->fd);
	free(c->out);
	free(c);
	listener_release(&mx.lst);
}

static void
metrics_accept(int s, void *arg)
{
	struct timeval	 tv = { METRICS_TIMEOUT, 0 };
	struct mconn	*c;

	(void)arg;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("%s", __func__);
		close(s);
		return;
	}
	c->fd = s;
	if ((c->ev = event_new(mx.base, s, EV_READ | EV_PERSIST,
	    mconn_read, c)) == NULL ||
	    (c->timer = evtimer_new(mx.base, mconn_timeout, c)) == NULL ||
	    event_add(c->ev, NULL) == -1 || evtimer_add(c->timer, &tv) == -1) {
		log_warnx("%s: cannot set events", __func__);
		if (c->ev != NULL)
			event_free(c->ev);
		if (c->timer != NULL)
			event_free(c->timer);
		close(s);
		free(c);
		return;
	}
	TAILQ_INSERT_TAIL(&mx.conns, c, entry);
	/* The rest wait in the kernel's listen queue. */
	if (++mx.nconns >= METRICS_MAX_CONNS)
		listener_hold(&mx.lst);
}

void
metrics_init(struct event_base *base, const struct ipc_conf_ctld *conf,
    const struct ctl_snapshot *snap)
{
	mx.base = base;
	mx.conf = conf;
	mx.snap = snap;
	TAILQ_INIT(&mx.conns);
}

void
metrics_listen(int fd)
{
	listener_open(&mx.lst, mx.base, fd, "metrics", metrics_accept, NULL);
}

void
metrics_shutdown(void)
{
	struct mconn	*c;

	while ((c = TAILQ_FIRST(&mx.conns)) != NULL)
		mconn_close(c);
	listener_close(&mx.lst);
}
