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
 * Text and JSON rendering of `bondctl status`.  Runs in bondctl as the
 * invoking user; its input comes from ctld and has been size-checked,
 * but strings are still bounded by their arrays and escaped here, so
 * nothing a record holds can break the JSON or reach the terminal as a
 * control sequence.
 *
 * The JSON form is an interface for scripts and stays stable: fields
 * are only ever added.  One object on one line:
 *
 *	{"version":"0.1.0",
 *	 "role":"client" | "server",
 *	 "tunnel":{"name":"bond0","mtu":1426},
 *	 "peer_endpoint":{"peer":"server","name":"vps.example.net",
 *	         "port":N,"address":"198.18.0.2:5800" | null (none yet),
 *	         "failures":N (lookups failed since the last good one),
 *	         "error":"..." | null,"retry_s":N (0: none planned)}
 *	         (only when the client's peer.endpoint is a name),
 *	 "core":{"tun_rx_packets":N,"tun_rx_bytes":N,
 *	         "tun_tx_packets":N,"tun_tx_bytes":N,"no_route":N,
 *	         "bad_source":N,"malformed":N,"too_big":N,"queue_full":N,
 *	         "claims_refused":N (a linkd spoke for another's link),
 *	         "reorder_held":N,"reorder_late":N,"reorder_dup":N,
 *	         "reorder_lost":N,"reorder_hold_us":N,"reorder_cur":N,
 *	         "nack_tx":N,"nack_rx":N,"nack_ignored":N,"resent":N,
 *	         "failover_resent":N,
 *	         "rt_duplicated":N,"aggregated":N,"frames_tx":N,
 *	         "fec_parity":N,"fec_skipped":N,"fec_recovered":N,
 *	         "reorder_early":N,
 *	         "pace_rounds":N,"paced_frames":N (frames that left at
 *	         their pace, and how often some did: a paced link's batch),
 *	         "peers":[{"name":"server","fec_n":N,"fec_k":N (0 = off),
 *	                   "fec_parity":N,"fec_skipped":N,"fec_recovered":N,
 *	                   "reorder_cur":N,"reorder_hold_us":N,
 *	                   "reorder_early":N,"asked_named":N,"asked_due":N,
 *	                   "asked_again":N}, ...]},
 *	 "links":[{"name":"wan0",
 *	           "peer":"server" | null (no peer known yet),
 *	           "link_id":N,
 *	           "state":"none" | "handshake" | "established",
 *	           "admin":"up" | "down",
 *	           "endpoint":"198.18.10.1:5800" | "[2001:db8::1]:5800" | null,
 *	           "tx_packets":N,"tx_bytes":N,"rx_packets":N,"rx_bytes":N,
 *	           "last_handshake_ms":N (age) | null (never),
 *	           "handshakes":N,"auth_fail":N,"replay_drop":N,
 *	           "malformed":N,"send_errors":N,
 *	           "rtt_ms":N.N | null (unknown),
 *	           "rttvar_ms":N.N | null (RTT unknown),
 *	           "jitter_ms":N.N (of the probes received),
 *	           "link_state":"probing" | "running" | "lossy" | "down" |
 *	                        "waiting" (its device or address missing),
 *	           "loss_tx_pct":N.NN,"loss_rx_pct":N.NN,
 *	           "rate_tx_bps":N,"rate_rx_bps":N,
 *	           "rate_max_bps":N (0 = unknown),
 *	           "weight":N (rate_max_bps in Mbit/s, rounded),
 *	           "probes_tx":N,"probes_rx":N,"core_dropped":N,
 *	           "rate_probes":N (capacity probes started),
 *	           "rate_cfg_bps":N (0 = none),
 *	           "rate_est_bps":N (0 = not measured yet),
 *	           "queue_bottleneck_ms":N.N | null (not measured yet),
 *	           the core's figures of the link id, summed over the peers
 *	           on a server, null when the row has no peer:
 *	           "pacing_bps":N,"queue_entrance_ms":N.N,"resent":N,
 *	           "rx_frames":N,"rx_dup":N,"rx_spurious":N,"rx_lost":N},
 *	          ...]}
 *
 * N are unsigned decimal integers; fractions are fixed point, rounded
 * half up, printed without printf's locale-dependent %f.  Strings are
 * UTF-8: the characters '"' and '\' and control characters are
 * escaped, and a byte that is not part of valid UTF-8 becomes U+FFFD.
 * An unknown role, state or link_state prints as "unknown".
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linkinfo.h"
#include "messages.h"
#include "output.h"
#include "util.h"

#define NCOLS		12
#define CELL_LEN	ADDR_STRLEN

struct row {
	char		 cell[NCOLS][CELL_LEN];
	char		 more[256];	/* a second line, "" = none */
};

static const char *const col_head[NCOLS] = {
	"LINK", "PEER", "STATE", "ENDPOINT", "RATE", "RTT", "LOSS",
	"WEIGHT", "TX", "RX", "HS", "DROPS"
};
/* Figures are right-aligned. */
static const int col_right[NCOLS] = { 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0 };

static const char *
role_name(uint32_t role)
{
	switch (role) {
	case ROLE_CLIENT:
		return "client";
	case ROLE_SERVER:
		return "server";
	}
	return "unknown";
}

static const char *
state_name(uint32_t state)
{
	switch (state) {
	case SESSION_NONE:
		return "none";
	case SESSION_HANDSHAKE:
		return "handshake";
	case SESSION_ESTABLISHED:
		return "established";
	}
	return "unknown";
}

/* The link state in the table: short, upper case, unlike the JSON's
 * link_state_name(). */
static const char *
link_short_name(uint32_t state)
{
	switch (state) {
	case LINK_STATE_PROBING:
		return "PROBE";
	case LINK_STATE_RUNNING:
		return "RUN";
	case LINK_STATE_LOSSY:
		return "LOSSY";
	case LINK_STATE_DOWN:
		return "DOWN";
	case LINK_STATE_WAITING:
		return "WAIT";
	}
	return "unknown";
}

/*
 * v / unit rounded half up to dec (0 to 2) decimals, in integers so no
 * locale can change the decimal mark and no 64-bit value overflows
 * (unit is at most 1000000).
 */
static const char *
fixed_fmt(uint64_t v, uint64_t unit, int dec, char *buf, size_t len)
{
	uint64_t	 scale, ip, frac;

	scale = dec == 0 ? 1 : dec == 1 ? 10 : 100;
	ip = v / unit;
	frac = (v % unit * scale + unit / 2) / unit;
	if (frac >= scale) {
		ip++;
		frac -= scale;
	}
	if (dec == 0)
		snprintf(buf, len, "%" PRIu64, ip);
	else
		snprintf(buf, len, "%" PRIu64 ".%0*" PRIu64, ip, dec, frac);
	return buf;
}

const char *
output_bytes(uint64_t n, char *buf, size_t len)
{
	static const char units[] = "KMGTPE";
	double		 v;
	int		 u;

	if (n < 1024) {
		snprintf(buf, len, "%" PRIu64 "B", n);
		return buf;
	}
	v = (double)n / 1024;
	/* 1023.95 would print as "1024.0": move to the next unit. */
	for (u = 0; v >= 1023.95 && units[u + 1] != '\0'; u++)
		v /= 1024;
	snprintf(buf, len, "%.1f%c", v, units[u]);
	return buf;
}

/* The table's HS column drops the " ago" of output_age(). */
static const char *
age_fmt(int64_t ms, const char *ago, char *buf, size_t len)
{
	int64_t		 s;

	if (ms < 0) {
		snprintf(buf, len, "never");
		return buf;
	}
	s = ms / 1000;
	if (s < 60)
		snprintf(buf, len, "%" PRId64 "s%s", s, ago);
	else if (s < 3600)
		snprintf(buf, len, "%" PRId64 "m%02" PRId64 "s%s",
		    s / 60, s % 60, ago);
	else if (s < 86400)
		snprintf(buf, len, "%" PRId64 "h%02" PRId64 "m%s",
		    s / 3600, s % 3600 / 60, ago);
	else
		snprintf(buf, len, "%" PRId64 "d%02" PRId64 "h%s",
		    s / 86400, s % 86400 / 3600, ago);
	return buf;
}

const char *
output_age(int64_t ms, char *buf, size_t len)
{
	return age_fmt(ms, " ago", buf, len);
}

/*
 * Length of the valid UTF-8 sequence starting at p (at most len bytes
 * available), or 0 if it is not one.  Overlong forms, surrogates and
 * code points above U+10FFFF are invalid.
 */
static size_t
utf8_seq(const unsigned char *p, size_t len)
{
	unsigned char	 lo = 0x80, hi = 0xbf;
	size_t		 n, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;
		else if (p[0] == 0xed)
			hi = 0x9f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		if (p[0] == 0xf0)
			lo = 0x90;
		else if (p[0] == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (len < n || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

void
output_json_str(FILE *fp, const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n, i, seq;

	n = strnlen(s, len);
	fputc('"', fp);
	for (i = 0; i < n; i++) {
		switch (p[i]) {
		case '"':
			fputs("\\\"", fp);
			continue;
		case '\\':
			fputs("\\\\", fp);
			continue;
		case '\n':
			fputs("\\n", fp);
			continue;
		case '\r':
			fputs("\\r", fp);
			continue;
		case '\t':
			fputs("\\t", fp);
			continue;
		}
		if (p[i] < 0x20 || p[i] == 0x7f)
			fprintf(fp, "\\u%04x", p[i]);
		else if (p[i] < 0x80)
			fputc(p[i], fp);
		else if ((seq = utf8_seq(p + i, n - i)) == 0)
			fputs("\\ufffd", fp);
		else {
			fwrite(p + i, 1, seq, fp);
			i += seq - 1;
		}
	}
	fputc('"', fp);
}

/*
 * Copy a name for the terminal: only printable ASCII other than
 * space survives, anything else becomes '?', so a table cell is one
 * word and cannot carry an escape sequence.  "" becomes "-".
 */
static void
cell_str(char *dst, size_t dlen, const char *src, size_t slen)
{
	size_t		 n, i;

	n = strnlen(src, slen);
	if (n >= dlen)
		n = dlen - 1;
	for (i = 0; i < n; i++)
		dst[i] = (src[i] > ' ' && src[i] < 0x7f) ? src[i] : '?';
	dst[n] = '\0';
	if (n == 0)
		snprintf(dst, dlen, "-");
}

/* Established sessions show the link state machine's verdict. */
static const char *
state_cell(const struct ipc_link_stats *ls)
{
	if (ls->admin_down)
		return "admin-down";
	/* Missing device or address: whatever the session, say why. */
	if (ls->state == SESSION_ESTABLISHED ||
	    ls->link_state == LINK_STATE_WAITING)
		return link_short_name(ls->link_state);
	return state_name(ls->state);
}

/* Mbit/s with one decimal, a whole number without it. */
static const char *
mbit_fmt(uint64_t bps, char *buf, size_t len)
{
	size_t		 n;

	fixed_fmt(bps, 1000000, 1, buf, len);
	n = strlen(buf);
	if (n > 2 && strcmp(buf + n - 2, ".0") == 0)
		buf[n - 2] = '\0';
	return buf;
}

/*
 * "17.2/20M": what we send now over the capacity the scheduler uses,
 * in Mbit/s.  A whole capacity loses its ".0"; an unknown one is "?"
 * ("-" would read as a minus).
 */
static void
rate_cell(char *buf, size_t len, uint64_t now, uint64_t max)
{
	char		 tx[24], cap[24];

	fixed_fmt(now, 1000000, 1, tx, sizeof(tx));
	if (max == 0)
		snprintf(cap, sizeof(cap), "?");
	else
		mbit_fmt(max, cap, sizeof(cap));
	snprintf(buf, len, "%s/%sM", tx, cap);
}

const struct ipc_core_link *
output_core_link(const struct ipc_core_stats *c,
    const struct ipc_link_stats *ls)
{
	if (ls->peer[0] == '\0' || ls->link_id >= BONDD_MAX_LINKS)
		return NULL;
	return &c->link[ls->link_id];
}

/*
 * The second line of a row, once the link has a peer: "cap 19.5/20M"
 * (measured over configured, the measured alone if none is
 * configured), "queue 1.2/0.4ms" (at the bottleneck, at the tunnel's
 * entrance), the pacing rate and the core's resends, spurious resends
 * and losses of the link.  What is not known is "?".
 */
static void
link_more(char *buf, size_t len, const struct ipc_link_stats *ls,
    const struct ipc_core_link *cl)
{
	char		 est[24], cfg[24], bq[24], eq[24], pace[24];
	char		 cnt[96];

	if (ls->rate_est_bps == 0)
		snprintf(est, sizeof(est), "?");
	else
		mbit_fmt(ls->rate_est_bps, est, sizeof(est));
	cfg[0] = '\0';
	if (ls->rate_cfg_bps != 0) {
		cfg[0] = '/';
		mbit_fmt(ls->rate_cfg_bps, cfg + 1, sizeof(cfg) - 1);
	}
	if (ls->queue_us == IPC_QUEUE_UNKNOWN)
		snprintf(bq, sizeof(bq), "?");
	else
		fixed_fmt(ls->queue_us, 1000, 1, bq, sizeof(bq));
	if (cl == NULL) {
		snprintf(eq, sizeof(eq), "?");
		snprintf(pace, sizeof(pace), "?");
		snprintf(cnt, sizeof(cnt), "resent ? spurious ? lost ?");
	} else {
		fixed_fmt(cl->queue_us, 1000, 1, eq, sizeof(eq));
		fixed_fmt(cl->pacing_bps, 1000000, 1, pace, sizeof(pace));
		snprintf(cnt, sizeof(cnt), "resent %" PRIu64 " spurious %"
		    PRIu64 " lost %" PRIu64, cl->resent, cl->rx_spurious,
		    cl->rx_lost);
	}
	snprintf(buf, len, "  cap %s%sM  queue %s/%sms  pacing %sM  %s", est,
	    cfg, bq, eq, pace, cnt);
}

static void
link_row(struct row *r, const struct ipc_link_stats *ls,
    const struct ipc_core_link *cl)
{
	char		 addr[ADDR_STRLEN], tx[24], rx[24];
	const char	*a;
	size_t		 i;

	i = 0;
	cell_str(r->cell[i++], CELL_LEN, ls->link, sizeof(ls->link));
	cell_str(r->cell[i++], CELL_LEN, ls->peer, sizeof(ls->peer));
	snprintf(r->cell[i++], CELL_LEN, "%s", state_cell(ls));
	a = NULL;
	if (ls->endpoint.ss_family != 0)
		a = addr_fmt(&ls->endpoint, addr, sizeof(addr));
	cell_str(r->cell[i++], CELL_LEN, a != NULL ? a : "", ADDR_STRLEN);
	rate_cell(r->cell[i++], CELL_LEN, ls->rate_tx_bps, ls->rate_max_bps);
	if (ls->rtt_us == 0)
		snprintf(r->cell[i++], CELL_LEN, "-");
	else
		fixed_fmt(ls->rtt_us, 1000, 1, r->cell[i++], CELL_LEN);
	snprintf(r->cell[i++], CELL_LEN, "%s/%s%%",
	    fixed_fmt(ls->loss_tx_ppm, 10000, 1, tx, sizeof(tx)),
	    fixed_fmt(ls->loss_rx_ppm, 10000, 1, rx, sizeof(rx)));
	if (ls->rate_max_bps == 0)
		snprintf(r->cell[i++], CELL_LEN, "-");
	else
		fixed_fmt(ls->rate_max_bps, 1000000, 0, r->cell[i++],
		    CELL_LEN);
	output_bytes(ls->tx_bytes, r->cell[i++], CELL_LEN);
	output_bytes(ls->rx_bytes, r->cell[i++], CELL_LEN);
	age_fmt(ls->last_handshake_ms, "", r->cell[i++], CELL_LEN);
	snprintf(r->cell[i++], CELL_LEN, "%" PRIu64 "/%" PRIu64 "/%" PRIu64,
	    ls->auth_fail, ls->replay_drop, ls->malformed);
	r->more[0] = '\0';
	if (ls->peer[0] != '\0')
		link_more(r->more, sizeof(r->more), ls, cl);
}

static void
print_row(FILE *fp, const struct row *r, const int *width)
{
	int		 c;

	for (c = 0; c < NCOLS; c++) {
		if (c > 0)
			fputs("  ", fp);
		if (col_right[c])
			fprintf(fp, "%*s", width[c], r->cell[c]);
		else if (c == NCOLS - 1)
			fputs(r->cell[c], fp);
		else
			fprintf(fp, "%-*s", width[c], r->cell[c]);
	}
	fputc('\n', fp);
	if (r->more[0] != '\0')
		fprintf(fp, "%s\n", r->more);
}

/* "server vps.example.net:5800 at 198.18.0.2:5800", or why not. */
static void
endpoint_line(FILE *fp, const struct ipc_peer_endpoint *pe)
{
	char	 peer[BONDD_PEER_NAME_MAX], name[CONF_HOST_MAX];
	char	 error[sizeof(pe->error)], addr[ADDR_STRLEN];
	size_t	 i;

	cell_str(peer, sizeof(peer), pe->peer, sizeof(pe->peer));
	cell_str(name, sizeof(name), pe->name, sizeof(pe->name));
	/* The resolver's message has spaces; nothing else unprintable. */
	for (i = 0; i < sizeof(error) - 1 && pe->error[i] != '\0'; i++)
		error[i] = pe->error[i] >= ' ' && pe->error[i] < 0x7f ?
		    pe->error[i] : '?';
	error[i] = '\0';
	fprintf(fp, "%s %s:%u", peer, name, pe->port);
	if (pe->address.ss_family != 0)
		fprintf(fp, " at %s", addr_fmt(&pe->address, addr,
		    sizeof(addr)));
	else
		fprintf(fp, " not resolved");
	if (pe->failures > 0)
		fprintf(fp, "  %s: %s, %u failed lookup%s",
		    pe->address.ss_family != 0 ? "last lookup failed" :
		    "lookup failed", error, pe->failures,
		    pe->failures == 1 ? "" : "s");
	if (pe->retry_s > 0)
		fprintf(fp, ", next in %us", pe->retry_s);
	fputc('\n', fp);
}

/*
 * A peer's FEC and reordering, two lines:
 *	peer server  fec 10+2  parity 43 skipped 44  rebuilt 45
 *	  holding 35  hold 12.3ms  early 46  asked 47/48/49
 * (holes asked for: named lost, overdue, asked again)
 */
static void
peer_lines(FILE *fp, const struct ipc_core_peer *cp)
{
	char		 name[BONDD_PEER_NAME_MAX + 1], fec[32], hold[32];

	cell_str(name, sizeof(name), cp->name, sizeof(cp->name));
	if (cp->fec_k == 0)
		snprintf(fec, sizeof(fec), "off");
	else
		snprintf(fec, sizeof(fec), "%" PRIu32 "+%" PRIu32, cp->fec_n,
		    cp->fec_k);
	fprintf(fp, "peer %s  fec %s  parity %" PRIu64 " skipped %" PRIu64
	    "  rebuilt %" PRIu64 "\n", name, fec, cp->fec_parity,
	    cp->fec_skipped, cp->fec_recovered);
	fprintf(fp, "  holding %" PRIu32 "  hold %sms  early %" PRIu64
	    "  asked %" PRIu64 "/%" PRIu64 "/%" PRIu64 "\n",
	    cp->reorder_cur, fixed_fmt(cp->reorder_hold_us, 1000, 1, hold,
	    sizeof(hold)), cp->reorder_early, cp->asked_named, cp->asked_due,
	    cp->asked_again);
}

/*
 * The text form: a header line, the server's name if the endpoint is
 * one, two lines of core counters, two lines per peer, then one table
 * row per link session with columns as wide as their widest cell, and under a row with a peer a line of the
 * link's capacity, queues, pacing and resends.  With short names and
 * IPv4 endpoints a row fits in about 140 columns, the other lines in
 * 100.
 */
int
output_text(FILE *fp, const struct status *st)
{
	const struct ipc_core_stats *c = &st->core;
	struct row	*rows;
	char		 name[BONDD_NAME_MAX + 1], rxb[16], txb[16];
	char		 hold[32];
	int		 width[NCOLS];
	size_t		 i;
	int		 col, w;

	cell_str(name, sizeof(name), st->conf.tun_name,
	    sizeof(st->conf.tun_name));
	fprintf(fp, "bondd %s  role %s  tunnel %s mtu %u\n", st->version,
	    role_name(st->conf.role), name, st->conf.tun_mtu);
	if (st->endpoint != NULL)
		endpoint_line(fp, st->endpoint);
	fprintf(fp, "tun rx %" PRIu64 " pkts %s  tx %" PRIu64 " pkts %s  "
	    "no-route %" PRIu64 "  bad-source %" PRIu64 "  malformed %"
	    PRIu64 "  too-big %" PRIu64 "  queue-full %" PRIu64
	    "  claims-refused %" PRIu64 "\n",
	    c->tun_rx_packets, output_bytes(c->tun_rx_bytes, rxb,
	    sizeof(rxb)), c->tun_tx_packets, output_bytes(c->tun_tx_bytes,
	    txb, sizeof(txb)), c->no_route, c->bad_source, c->malformed,
	    c->too_big, c->queue_full, c->claims_refused);
	fprintf(fp, "reorder hold %sms holding %u lost %" PRIu64 "  nack tx %"
	    PRIu64 " rx %" PRIu64 "  resent %" PRIu64 "  failover-resent %"
	    PRIu64 "\n", fixed_fmt(c->reorder_hold_us, 1000, 1, hold,
	    sizeof(hold)), c->reorder_cur, c->reorder_lost, c->nack_tx,
	    c->nack_rx, c->resent, c->failover_resent);
	for (i = 0; i < c->npeers && i < BONDD_MAX_PEERS; i++)
		peer_lines(fp, &c->peer[i]);

	if ((rows = calloc(st->nlinks + 1, sizeof(*rows))) == NULL)
		return -1;
	for (col = 0; col < NCOLS; col++)
		snprintf(rows[0].cell[col], CELL_LEN, "%s", col_head[col]);
	for (i = 0; i < st->nlinks; i++)
		link_row(&rows[i + 1], &st->links[i],
		    output_core_link(c, &st->links[i]));
	for (col = 0; col < NCOLS; col++) {
		width[col] = 0;
		for (i = 0; i <= st->nlinks; i++) {
			w = (int)strlen(rows[i].cell[col]);
			if (w > width[col])
				width[col] = w;
		}
	}
	for (i = 0; i <= st->nlinks; i++)
		print_row(fp, &rows[i], width);
	free(rows);
	return ferror(fp) ? -1 : 0;
}

static void
json_u64(FILE *fp, const char *key, uint64_t v, int comma)
{
	fprintf(fp, "%s\"%s\":%" PRIu64, comma ? "," : "", key, v);
}

/* A fixed point number, see fixed_fmt(). */
static void
json_fixed(FILE *fp, const char *key, uint64_t v, uint64_t unit, int dec)
{
	char		 buf[32];

	fprintf(fp, ",\"%s\":%s", key, fixed_fmt(v, unit, dec, buf,
	    sizeof(buf)));
}

/* The core's figures of a link, null each when cl is. */
static void
json_core_link(FILE *fp, const struct ipc_core_link *cl)
{
	static const char *const keys[] = { "pacing_bps",
	    "queue_entrance_ms", "resent", "rx_frames", "rx_dup",
	    "rx_spurious", "rx_lost" };
	size_t		 i;

	if (cl == NULL) {
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			fprintf(fp, ",\"%s\":null", keys[i]);
		return;
	}
	json_u64(fp, keys[0], cl->pacing_bps, 1);
	json_fixed(fp, keys[1], cl->queue_us, 1000, 1);
	json_u64(fp, keys[2], cl->resent, 1);
	json_u64(fp, keys[3], cl->rx_frames, 1);
	json_u64(fp, keys[4], cl->rx_dup, 1);
	json_u64(fp, keys[5], cl->rx_spurious, 1);
	json_u64(fp, keys[6], cl->rx_lost, 1);
}

static void
json_link(FILE *fp, const struct ipc_link_stats *ls,
    const struct ipc_core_link *cl)
{
	char		 addr[ADDR_STRLEN];
	const char	*a;

	fputs("{\"name\":", fp);
	output_json_str(fp, ls->link, sizeof(ls->link));
	fputs(",\"peer\":", fp);
	if (ls->peer[0] == '\0')
		fputs("null", fp);
	else
		output_json_str(fp, ls->peer, sizeof(ls->peer));
	json_u64(fp, "link_id", ls->link_id, 1);
	fprintf(fp, ",\"state\":\"%s\",\"admin\":\"%s\",\"endpoint\":",
	    state_name(ls->state), ls->admin_down ? "down" : "up");
	a = NULL;
	if (ls->endpoint.ss_family != 0)
		a = addr_fmt(&ls->endpoint, addr, sizeof(addr));
	if (a == NULL)
		fputs("null", fp);
	else
		output_json_str(fp, a, ADDR_STRLEN);
	json_u64(fp, "tx_packets", ls->tx_packets, 1);
	json_u64(fp, "tx_bytes", ls->tx_bytes, 1);
	json_u64(fp, "rx_packets", ls->rx_packets, 1);
	json_u64(fp, "rx_bytes", ls->rx_bytes, 1);
	if (ls->last_handshake_ms < 0)
		fputs(",\"last_handshake_ms\":null", fp);
	else
		json_u64(fp, "last_handshake_ms",
		    (uint64_t)ls->last_handshake_ms, 1);
	json_u64(fp, "handshakes", ls->handshakes, 1);
	json_u64(fp, "auth_fail", ls->auth_fail, 1);
	json_u64(fp, "replay_drop", ls->replay_drop, 1);
	json_u64(fp, "malformed", ls->malformed, 1);
	json_u64(fp, "send_errors", ls->send_errors, 1);
	if (ls->rtt_us == 0)
		fputs(",\"rtt_ms\":null,\"rttvar_ms\":null", fp);
	else {
		json_fixed(fp, "rtt_ms", ls->rtt_us, 1000, 1);
		json_fixed(fp, "rttvar_ms", ls->rttvar_us, 1000, 1);
	}
	json_fixed(fp, "jitter_ms", ls->jitter_us, 1000, 1);
	fprintf(fp, ",\"link_state\":\"%s\"",
	    link_state_name(ls->link_state));
	json_fixed(fp, "loss_tx_pct", ls->loss_tx_ppm, 10000, 2);
	json_fixed(fp, "loss_rx_pct", ls->loss_rx_ppm, 10000, 2);
	json_u64(fp, "rate_tx_bps", ls->rate_tx_bps, 1);
	json_u64(fp, "rate_rx_bps", ls->rate_rx_bps, 1);
	json_u64(fp, "rate_max_bps", ls->rate_max_bps, 1);
	json_fixed(fp, "weight", ls->rate_max_bps, 1000000, 0);
	json_u64(fp, "probes_tx", ls->probes_tx, 1);
	json_u64(fp, "probes_rx", ls->probes_rx, 1);
	json_u64(fp, "core_dropped", ls->core_dropped, 1);
	json_u64(fp, "rate_probes", ls->rate_probes, 1);
	json_u64(fp, "rate_cfg_bps", ls->rate_cfg_bps, 1);
	json_u64(fp, "rate_est_bps", ls->rate_est_bps, 1);
	if (ls->queue_us == IPC_QUEUE_UNKNOWN)
		fputs(",\"queue_bottleneck_ms\":null", fp);
	else
		json_fixed(fp, "queue_bottleneck_ms", ls->queue_us, 1000, 1);
	json_core_link(fp, cl);
	fputc('}', fp);
}

static void
json_peer(FILE *fp, const struct ipc_core_peer *cp)
{
	fputs("{\"name\":", fp);
	output_json_str(fp, cp->name, sizeof(cp->name));
	json_u64(fp, "fec_n", cp->fec_n, 1);
	json_u64(fp, "fec_k", cp->fec_k, 1);
	json_u64(fp, "fec_parity", cp->fec_parity, 1);
	json_u64(fp, "fec_skipped", cp->fec_skipped, 1);
	json_u64(fp, "fec_recovered", cp->fec_recovered, 1);
	json_u64(fp, "reorder_cur", cp->reorder_cur, 1);
	json_u64(fp, "reorder_hold_us", cp->reorder_hold_us, 1);
	json_u64(fp, "reorder_early", cp->reorder_early, 1);
	json_u64(fp, "asked_named", cp->asked_named, 1);
	json_u64(fp, "asked_due", cp->asked_due, 1);
	json_u64(fp, "asked_again", cp->asked_again, 1);
	fputc('}', fp);
}

static void
json_endpoint(FILE *fp, const struct ipc_peer_endpoint *pe)
{
	char	 addr[ADDR_STRLEN];

	fputs(",\"peer_endpoint\":{\"peer\":", fp);
	output_json_str(fp, pe->peer, sizeof(pe->peer));
	fputs(",\"name\":", fp);
	output_json_str(fp, pe->name, sizeof(pe->name));
	json_u64(fp, "port", pe->port, 1);
	fputs(",\"address\":", fp);
	if (pe->address.ss_family == 0)
		fputs("null", fp);
	else
		output_json_str(fp, addr_fmt(&pe->address, addr, sizeof(addr)),
		    sizeof(addr));
	json_u64(fp, "failures", pe->failures, 1);
	fputs(",\"error\":", fp);
	if (pe->error[0] == '\0')
		fputs("null", fp);
	else
		output_json_str(fp, pe->error, sizeof(pe->error));
	json_u64(fp, "retry_s", pe->retry_s, 1);
	fputc('}', fp);
}

/* The JSON form documented at the top of this file. */
int
output_json(FILE *fp, const struct status *st)
{
	const struct ipc_core_stats *c = &st->core;
	size_t		 i;

	fputs("{\"version\":", fp);
	output_json_str(fp, st->version, strlen(st->version));
	fprintf(fp, ",\"role\":\"%s\",\"tunnel\":{\"name\":",
	    role_name(st->conf.role));
	output_json_str(fp, st->conf.tun_name, sizeof(st->conf.tun_name));
	fprintf(fp, ",\"mtu\":%u}", st->conf.tun_mtu);
	if (st->endpoint != NULL)
		json_endpoint(fp, st->endpoint);
	fputs(",\"core\":{", fp);
	json_u64(fp, "tun_rx_packets", c->tun_rx_packets, 0);
	json_u64(fp, "tun_rx_bytes", c->tun_rx_bytes, 1);
	json_u64(fp, "tun_tx_packets", c->tun_tx_packets, 1);
	json_u64(fp, "tun_tx_bytes", c->tun_tx_bytes, 1);
	json_u64(fp, "no_route", c->no_route, 1);
	json_u64(fp, "bad_source", c->bad_source, 1);
	json_u64(fp, "malformed", c->malformed, 1);
	json_u64(fp, "too_big", c->too_big, 1);
	json_u64(fp, "queue_full", c->queue_full, 1);
	json_u64(fp, "claims_refused", c->claims_refused, 1);
	json_u64(fp, "reorder_held", c->reorder_held, 1);
	json_u64(fp, "reorder_late", c->reorder_late, 1);
	json_u64(fp, "reorder_dup", c->reorder_dup, 1);
	json_u64(fp, "reorder_lost", c->reorder_lost, 1);
	json_u64(fp, "reorder_hold_us", c->reorder_hold_us, 1);
	json_u64(fp, "reorder_cur", c->reorder_cur, 1);
	json_u64(fp, "nack_tx", c->nack_tx, 1);
	json_u64(fp, "nack_rx", c->nack_rx, 1);
	json_u64(fp, "nack_ignored", c->nack_ignored, 1);
	json_u64(fp, "resent", c->resent, 1);
	json_u64(fp, "failover_resent", c->failover_resent, 1);
	json_u64(fp, "rt_duplicated", c->rt_duplicated, 1);
	json_u64(fp, "aggregated", c->aggregated, 1);
	json_u64(fp, "frames_tx", c->frames_tx, 1);
	json_u64(fp, "fec_parity", c->fec_parity, 1);
	json_u64(fp, "fec_skipped", c->fec_skipped, 1);
	json_u64(fp, "fec_recovered", c->fec_recovered, 1);
	json_u64(fp, "reorder_early", c->reorder_early, 1);
	json_u64(fp, "pace_rounds", c->pace_rounds, 1);
	json_u64(fp, "paced_frames", c->paced_frames, 1);
	fputs(",\"peers\":[", fp);
	for (i = 0; i < c->npeers && i < BONDD_MAX_PEERS; i++) {
		if (i > 0)
			fputc(',', fp);
		json_peer(fp, &c->peer[i]);
	}
	fputs("]},\"links\":[", fp);
	for (i = 0; i < st->nlinks; i++) {
		if (i > 0)
			fputc(',', fp);
		json_link(fp, &st->links[i], output_core_link(c,
		    &st->links[i]));
	}
	fputs("]}\n", fp);
	return ferror(fp) ? -1 : 0;
}
