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
 * `bondctl monitor`: a live view of the status snapshots.  Runs in
 * bondctl as the invoking user.  The records come from ctld and were
 * size-checked by bondctl; names are still bounded by their arrays
 * and anything but printable ASCII is shown as '?', so a record
 * cannot drive the terminal.  No curses: home, clear-to-end and the
 * cursor switch are understood by every terminal that matters.
 */

#include <sys/ioctl.h>

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "linkinfo.h"
#include "messages.h"
#include "monitor.h"
#include "output.h"
#include "util.h"

#define LINE_MAX_COLS	512
#define BAR_MIN		10
#define BAR_MAX		60

static struct termios		 saved_tio;
static volatile sig_atomic_t	 tio_saved;

/* Name strings of a record: printable ASCII only, bounded by len. */
static const char *
safe_name(const char *s, size_t len, char *buf, size_t buflen)
{
	size_t		 i;

	for (i = 0; i < len && i + 1 < buflen && s[i] != '\0'; i++)
		buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

/* Three significant digits: "950 bit/s", "8.00 Mbit/s", "123 Mbit/s". */
static const char *
rate_fmt(uint64_t bps, char *buf, size_t len)
{
	static const char	 units[] = "kMGT";
	double			 v;
	int			 u;

	if (bps < 1000) {
		snprintf(buf, len, "%" PRIu64 " bit/s", bps);
		return buf;
	}
	v = (double)bps / 1000;
	for (u = 0; v >= 999.5 && units[u + 1] != '\0'; u++)
		v /= 1000;
	snprintf(buf, len, "%.*f %cbit/s", v < 9.995 ? 2 : v < 99.95 ? 1 : 0,
	    v, units[u]);
	return buf;
}

static const char *
ms_fmt(uint32_t us, char *buf, size_t len)
{
	if (us == 0)
		snprintf(buf, len, "?");
	else
		snprintf(buf, len, "%.1fms", us / 1000.0);
	return buf;
}

static const char *
pct_fmt(uint32_t ppm, char *buf, size_t len)
{
	snprintf(buf, len, "%.1f%%", ppm / 10000.0);
	return buf;
}

static const char *
session_name(uint32_t s)
{
	switch (s) {
	case SESSION_NONE:
		return "no-session";
	case SESSION_HANDSHAKE:
		return "handshake";
	case SESSION_ESTABLISHED:
		return "established";
	default:
		return "unknown";
	}
}

/* A bar of width w filled in proportion to v of scale. */
static void
bar(char *buf, int w, uint64_t v, uint64_t scale)
{
	int	 i, fill = 0;

	if (scale > 0)
		fill = v >= scale ? w : (int)((v * (double)w) / scale + 0.5);
	for (i = 0; i < w; i++)
		buf[i] = i < fill ? '#' : '.';
	buf[w] = '\0';
}

/* One line, cut to the width; the rest of the screen line erased. */
static void
line(FILE *fp, int cols, int *left, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
line(FILE *fp, int cols, int *left, const char *fmt, ...)
{
	char		 buf[LINE_MAX_COLS + 1];
	va_list		 ap;

	if (*left <= 0)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (cols < LINE_MAX_COLS)
		buf[cols] = '\0';
	fprintf(fp, "%s\x1b[K\n", buf);
	(*left)--;
}

/*
 * How the link's send direction is used: the capacity measured (of the
 * configured rate), the queues at its bottleneck and at our entrance,
 * the pacing rate, and the core's resends, spurious resends and losses
 * of the link (without a peer, none).
 */
static void
draw_usage(FILE *fp, const struct ipc_link_stats *ls,
    const struct ipc_core_link *cl, int cols, int *left)
{
	char		 est[24], cfg[32], bq[16], eq[16], pace[24], cnt[96];

	if (ls->rate_est_bps == 0)
		snprintf(est, sizeof(est), "?");
	else
		rate_fmt(ls->rate_est_bps, est, sizeof(est));
	cfg[0] = '\0';
	if (ls->rate_cfg_bps != 0) {
		memcpy(cfg, " of ", 4);
		rate_fmt(ls->rate_cfg_bps, cfg + 4, sizeof(cfg) - 4);
	}
	if (ls->queue_us == IPC_QUEUE_UNKNOWN)
		snprintf(bq, sizeof(bq), "?");
	else
		snprintf(bq, sizeof(bq), "%.1fms", ls->queue_us / 1000.0);
	if (cl == NULL) {
		line(fp, cols, left, "  cap %s%s  queue bottleneck %s", est,
		    cfg, bq);
		return;
	}
	snprintf(eq, sizeof(eq), "%.1fms", cl->queue_us / 1000.0);
	snprintf(cnt, sizeof(cnt), "resent %" PRIu64 " spurious %" PRIu64
	    " lost %" PRIu64, cl->resent, cl->rx_spurious, cl->rx_lost);
	line(fp, cols, left, "  cap %s%s  queue bottleneck %s entrance %s  "
	    "pacing %s  %s", est, cfg, bq, eq, rate_fmt(cl->pacing_bps, pace,
	    sizeof(pace)), cnt);
}

/* A peer's FEC code and parity, and its frames held for reordering. */
static void
draw_peer(FILE *fp, const struct ipc_core_peer *cp, int cols, int *left)
{
	char		 name[BONDD_PEER_NAME_MAX], fec[24];

	safe_name(cp->name, sizeof(cp->name), name, sizeof(name));
	if (cp->fec_k == 0)
		snprintf(fec, sizeof(fec), "off");
	else
		snprintf(fec, sizeof(fec), "%" PRIu32 "+%" PRIu32, cp->fec_n,
		    cp->fec_k);
	line(fp, cols, left, "peer %-10s fec %s parity %" PRIu64 " skipped %"
	    PRIu64 " rebuilt %" PRIu64 "  reorder holding %" PRIu32
	    " hold %.1fms early %" PRIu64, name, fec, cp->fec_parity,
	    cp->fec_skipped, cp->fec_recovered, cp->reorder_cur,
	    cp->reorder_hold_us / 1000.0, cp->reorder_early);
}

static void
draw_link(FILE *fp, const struct ipc_link_stats *ls,
    const struct ipc_core_link *cl, uint64_t fallback, int cols, int *left)
{
	char		 name[BONDD_NAME_MAX], peer[BONDD_PEER_NAME_MAX];
	char		 rtt[16], ltx[16], lrx[16], tx[24], rx[24], max[24];
	char		 b[BAR_MAX + 1];
	uint64_t	 scale;
	int		 bw;

	bw = cols - 40;
	bw = bw < BAR_MIN ? BAR_MIN : bw > BAR_MAX ? BAR_MAX : bw;
	scale = ls->rate_max_bps != 0 ? ls->rate_max_bps : fallback;
	safe_name(ls->link, sizeof(ls->link), name, sizeof(name));
	safe_name(ls->peer, sizeof(ls->peer), peer, sizeof(peer));
	line(fp, cols, left, "%-12s %-10s %-8s rtt %-8s loss tx %-6s "
	    "rx %-6s %s%s", name, peer[0] != '\0' ? peer : "-",
	    link_state_name(ls->link_state), ms_fmt(ls->rtt_us, rtt,
	    sizeof(rtt)), pct_fmt(ls->loss_tx_ppm, ltx, sizeof(ltx)),
	    pct_fmt(ls->loss_rx_ppm, lrx, sizeof(lrx)),
	    session_name(ls->state), ls->admin_down ? " admin-down" : "");
	bar(b, bw, ls->rate_tx_bps, scale);
	line(fp, cols, left, "  tx [%s] %s of %s", b,
	    rate_fmt(ls->rate_tx_bps, tx, sizeof(tx)),
	    ls->rate_max_bps != 0 ? rate_fmt(ls->rate_max_bps, max,
	    sizeof(max)) : "?");
	bar(b, bw, ls->rate_rx_bps, scale);
	line(fp, cols, left, "  rx [%s] %s", b,
	    rate_fmt(ls->rate_rx_bps, rx, sizeof(rx)));
	if (peer[0] != '\0')
		draw_usage(fp, ls, cl, cols, left);
}

int
monitor_draw(FILE *fp, const struct status *st, int cols, int rows,
    const char *clock)
{
	const struct ipc_core_stats	*c = &st->core;
	const struct ipc_link_stats	*ls;
	char				 tun[BONDD_NAME_MAX], tx[24], rx[24];
	char				 bi[16], bo[16];
	uint64_t			 txsum = 0, rxsum = 0, fallback = 0;
	uint64_t			 ldrops = 0, cdrops;
	size_t				 i, up = 0;
	int				 left = rows - 1;

	if (cols > LINE_MAX_COLS)
		cols = LINE_MAX_COLS;
	for (i = 0; i < st->nlinks; i++) {
		ls = &st->links[i];
		txsum += ls->rate_tx_bps;
		rxsum += ls->rate_rx_bps;
		ldrops += ls->auth_fail + ls->replay_drop + ls->malformed +
		    ls->send_errors + ls->core_dropped;
		if (ls->link_state == LINK_STATE_RUNNING ||
		    ls->link_state == LINK_STATE_LOSSY)
			up++;
		/* Links of unknown capacity share the largest rate seen. */
		if (ls->rate_tx_bps > fallback)
			fallback = ls->rate_tx_bps;
		if (ls->rate_rx_bps > fallback)
			fallback = ls->rate_rx_bps;
	}
	cdrops = c->no_route + c->bad_source + c->malformed + c->too_big +
	    c->queue_full;

	fputs("\x1b[H", fp);
	line(fp, cols, &left, "bondd %s  %s  tunnel %s mtu %" PRIu32
	    "  links up %zu/%zu  %s  (q quits)", st->version,
	    st->conf.role == ROLE_SERVER ? "server" : "client",
	    safe_name(st->conf.tun_name, sizeof(st->conf.tun_name), tun,
	    sizeof(tun)), st->conf.tun_mtu, up, st->nlinks,
	    clock != NULL ? clock : "");
	line(fp, cols, &left, "total  tx %s  rx %s  tunnel in %s (%" PRIu64
	    " pkts) out %s (%" PRIu64 " pkts)",
	    rate_fmt(txsum, tx, sizeof(tx)), rate_fmt(rxsum, rx, sizeof(rx)),
	    output_bytes(c->tun_rx_bytes, bi, sizeof(bi)), c->tun_rx_packets,
	    output_bytes(c->tun_tx_bytes, bo, sizeof(bo)), c->tun_tx_packets);
	line(fp, cols, &left, "drops  core %" PRIu64 "  links %" PRIu64
	    "  reorder held %" PRIu64 " lost %" PRIu64 " hold %.1fms"
	    "  resent %" PRIu64, cdrops, ldrops, c->reorder_held,
	    c->reorder_lost, c->reorder_hold_us / 1000.0,
	    c->resent + c->failover_resent);
	for (i = 0; i < c->npeers && i < BONDD_MAX_PEERS; i++)
		draw_peer(fp, &c->peer[i], cols, &left);
	line(fp, cols, &left, "%s", "");
	if (st->nlinks == 0)
		line(fp, cols, &left, "%s", "no links");
	for (i = 0; i < st->nlinks; i++)
		draw_link(fp, &st->links[i], output_core_link(c,
		    &st->links[i]), fallback, cols, &left);
	fputs("\x1b[J", fp);
	return ferror(fp) ? -1 : 0;
}

/*
 * Async-signal-safe: used from the handlers too.  TCSANOW, not
 * TCSAFLUSH: that one first waits until the terminal has taken all our
 * output, so a terminal slow to read (a busy tmux) held 'q' and SIGTERM
 * for seconds.
 */
static void
term_restore(void)
{
	static const char	 show[] = "\x1b[?25h";

	if (tio_saved) {
		(void)tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
		tio_saved = 0;
	}
	(void)write(STDOUT_FILENO, show, sizeof(show) - 1);
}

static void
term_signal(int sig)
{
	term_restore();
	_exit(sig == SIGINT ? 0 : 128 + sig);
}

void
monitor_term_start(void)
{
	struct termios		 tio;
	struct sigaction	 sa;

	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved_tio) == 0) {
		tio = saved_tio;
		tio.c_lflag &= ~(ICANON | ECHO);
		tio.c_cc[VMIN] = 1;
		tio.c_cc[VTIME] = 0;
		if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &tio) == 0)
			tio_saved = 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = term_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	atexit(term_restore);
	fputs("\x1b[?25l\x1b[H\x1b[2J", stdout);
	fflush(stdout);
}

void
monitor_term_size(int *cols, int *rows)
{
	struct winsize	 ws;

	*cols = 80;
	*rows = 24;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 &&
	    ws.ws_row > 0) {
		*cols = ws.ws_col;
		*rows = ws.ws_row;
	}
}

int
monitor_wait(int ms)
{
	struct pollfd	 pfd;
	uint64_t	 end = now_ms() + ms;
	int64_t		 left;
	char		 buf[32];
	ssize_t		 n, i;

	pfd.fd = STDIN_FILENO;
	pfd.events = POLLIN;
	while ((left = (int64_t)(end - now_ms())) > 0) {
		/* Without a terminal there is no key to wait for. */
		if (!tio_saved) {
			poll(NULL, 0, (int)left);
			continue;
		}
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		if ((n = read(STDIN_FILENO, buf, sizeof(buf))) == 0)
			return 1;	/* the terminal went away */
		if (n == -1 && errno != EINTR && errno != EAGAIN)
			return 1;
		for (i = 0; i < n; i++)
			if (buf[i] == 'q' || buf[i] == 'Q')
				return 1;
	}
	return 0;
}
