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
 * udpcheck: paced UDP traffic generator and checker for the test bed.
 * "send" emits sequence numbered, timestamped and hashed datagrams at a
 * given rate for a bounded time; "recv" counts what arrives (loss,
 * duplicates, reordering, corruption, one-way delay, rate) and prints
 * JSON.  Both ends run on this machine (in different namespaces), so
 * CLOCK_MONOTONIC is shared and one-way delay is measurable.  Test tool
 * only; it trusts nothing it receives beyond counting it.
 *
 * The rate counts IP packets (payload + UDP and IP headers), as wanem
 * does.  In "send -l" and "recv -c" mode the receiver speaks first, so
 * traffic can flow from server to client through a NAT-like relay.
 */

#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "tool_addr.h"

#define NSEC		1000000000ULL
#define MAGIC		0x43504455U	/* "UDPC" */
#define HDR_LEN		28
#define MAX_SIZE	65507
#define MAX_SEQ		(1U << 24)	/* duplicate bitmap size */
#define MAX_SAMPLES	(1U << 22)

enum pkt_type { PKT_DATA, PKT_FIN, PKT_HELLO };

static void	usage(void) __attribute__((noreturn));
static void	die(const char *, ...)
		    __attribute__((format(printf, 1, 2), noreturn));

static void
usage(void)
{
	fprintf(stderr,
	    "usage: udpcheck send -t addr:port | -l addr:port [-b addr]"
	    " -r rate -s size -T seconds [-q]\n"
	    "       udpcheck recv -l addr:port | -c addr:port -T seconds"
	    " [-i idle_ms]\n");
	exit(2);
}

static void
die(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	fprintf(stderr, "udpcheck: ");
	vfprintf(stderr, fmt, ap);
	if (saved != 0)
		fprintf(stderr, ": %s", strerror(saved));
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static uint64_t
now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC + (uint64_t)ts.tv_nsec;
}

static void
sleep_until(uint64_t t)
{
	struct timespec	ts;

	ts.tv_sec = (time_t)(t / NSEC);
	ts.tv_nsec = (long)(t % NSEC);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	    EINTR)
		;
}

static double
parse_rate(const char *v)
{
	char	*end;
	double	 d;

	d = strtod(v, &end);
	if (end == v || d <= 0)
		usage();
	if (strcasecmp(end, "k") == 0 || strcasecmp(end, "kbit") == 0)
		d *= 1e3;
	else if (strcasecmp(end, "m") == 0 || strcasecmp(end, "mbit") == 0)
		d *= 1e6;
	else if (strcasecmp(end, "g") == 0 || strcasecmp(end, "gbit") == 0)
		d *= 1e9;
	else if (*end != '\0' && strcasecmp(end, "bit") != 0)
		usage();
	return d;
}

/* FNV-1a over the datagram, skipping the hash field itself. */
static uint32_t
pkt_hash(const unsigned char *p, size_t len)
{
	uint32_t	h = 2166136261U;
	size_t		i;

	for (i = 0; i < len; i++) {
		if (i >= 24 && i < 28)
			continue;
		h = (h ^ p[i]) * 16777619U;
	}
	return h;
}

static void
pkt_build(unsigned char *p, size_t len, uint32_t type, uint64_t seq)
{
	uint32_t	magic = MAGIC, h;
	uint64_t	ts;
	size_t		i;

	memcpy(p, &magic, 4);
	memcpy(p + 4, &type, 4);
	memcpy(p + 8, &seq, 8);
	for (i = HDR_LEN; i < len; i++)
		p[i] = (unsigned char)(seq + i);
	ts = now_ns();
	memcpy(p + 16, &ts, 8);
	h = pkt_hash(p, len);
	memcpy(p + 24, &h, 4);
}

static int
udp_socket(int family)
{
	int	fd, sz = 4 * 1024 * 1024;

	if ((fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		die("socket");
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	return fd;
}

static int
send_main(int argc, char *argv[])
{
	struct sockaddr_storage	 dst, lst, bnd, from;
	socklen_t		 dlen = 0, llen = 0, blen = 0, flen;
	const char		*t = NULL, *l = NULL, *b = NULL;
	unsigned char		*pkt;
	double			 rate = 0, secs = 0;
	uint64_t		 start, end, next, interval, seq = 0, bytes = 0;
	uint64_t		 errs = 0, now;
	size_t			 size = 1200;
	int			 ch, fd, nofin = 0, overhead, i;
	struct pollfd		 pfd;

	while ((ch = getopt(argc, argv, "T:b:l:qr:s:t:")) != -1) {
		switch (ch) {
		case 'T':
			secs = strtod(optarg, NULL);
			break;
		case 'b':
			b = optarg;
			break;
		case 'l':
			l = optarg;
			break;
		case 'q':
			nofin = 1;
			break;
		case 'r':
			rate = parse_rate(optarg);
			break;
		case 's':
			size = strtoul(optarg, NULL, 10);
			break;
		case 't':
			t = optarg;
			break;
		default:
			usage();
		}
	}
	if ((t == NULL) == (l == NULL) || rate <= 0 || secs <= 0 ||
	    secs > 600 || size < HDR_LEN || size > MAX_SIZE)
		usage();
	if ((pkt = malloc(size)) == NULL)
		die("malloc");
	errno = 0;
	if (t != NULL) {
		if (parse_addr(t, 1, &dst, &dlen) == -1)
			die("bad address %s", t);
		fd = udp_socket(dst.ss_family);
		if (b != NULL) {
			if (parse_addr(b, 0, &bnd, &blen) == -1)
				die("bad address %s", b);
			if (bind(fd, (struct sockaddr *)&bnd, blen) == -1)
				die("bind");
		}
	} else {
		/* Wait for the receiver's hello, then send to its source. */
		if (parse_addr(l, 1, &lst, &llen) == -1)
			die("bad address %s", l);
		fd = udp_socket(lst.ss_family);
		if (bind(fd, (struct sockaddr *)&lst, llen) == -1)
			die("bind");
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)(secs * 1000)) != 1)
			die("no hello");
		flen = sizeof(from);
		if (recvfrom(fd, pkt, size, 0, (struct sockaddr *)&from,
		    &flen) == -1)
			die("recvfrom");
		memcpy(&dst, &from, flen);
		dlen = flen;
	}
	if (connect(fd, (struct sockaddr *)&dst, dlen) == -1)
		die("connect");
	overhead = dst.ss_family == AF_INET6 ? 48 : 28;
	interval = (uint64_t)((double)(size + (size_t)overhead) * 8 * 1e9 /
	    rate);
	start = next = now_ns();
	end = start + (uint64_t)(secs * 1e9);
	for (;;) {
		if ((now = now_ns()) < next)
			sleep_until(next);
		now = now_ns();
		if (now >= end)
			break;
		/* Send everything due: bursts only when sleeps are late. */
		while (next <= now && now < end) {
			pkt_build(pkt, size, PKT_DATA, seq);
			if (send(fd, pkt, size, 0) == -1)
				errs++;
			else
				bytes += size;
			seq++;
			next += interval;
		}
	}
	if (!nofin)
		for (i = 0; i < 3; i++) {
			pkt_build(pkt, HDR_LEN, PKT_FIN, seq);
			(void)send(fd, pkt, HDR_LEN, 0);
			usleep(20000);
		}
	printf("{\"sent\":%" PRIu64 ",\"bytes\":%" PRIu64
	    ",\"send_errors\":%" PRIu64 ",\"duration_s\":%.3f}\n",
	    seq, bytes, errs, (double)(now_ns() - start) / 1e9);
	free(pkt);
	return 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double
pct(const uint64_t *v, size_t n, double q)
{
	size_t	i;

	if (n == 0)
		return -1;
	i = (size_t)ceil(q * (double)n) - 1;
	if (i >= n)
		i = n - 1;
	return (double)v[i] / 1e6;
}

static int
recv_main(int argc, char *argv[])
{
	struct sockaddr_storage	 ss;
	socklen_t		 slen;
	const char		*l = NULL, *c = NULL;
	static unsigned char	 pkt[MAX_SIZE + 1];
	unsigned char		*seen;
	uint64_t		*delays;
	double			 secs = 0, idle_ms = 1000, dur;
	uint64_t		 start, deadline, now, seq, ts, t_first = 0;
	uint64_t		 t_last = 0, fin_at = 0, sent = UINT64_MAX;
	uint64_t		 received = 0, uniq = 0, dups = 0, reord = 0;
	uint64_t		 corrupt = 0, bytes = 0, first_bytes = 0;
	uint64_t		 max_seq = 0, nsamples = 0, last_hello = 0;
	uint32_t		 magic, type, h;
	ssize_t			 n;
	int			 ch, fd, timeout, hellos = 0, overhead;
	struct pollfd		 pfd;

	while ((ch = getopt(argc, argv, "T:c:i:l:")) != -1) {
		switch (ch) {
		case 'T':
			secs = strtod(optarg, NULL);
			break;
		case 'c':
			c = optarg;
			break;
		case 'i':
			idle_ms = strtod(optarg, NULL);
			break;
		case 'l':
			l = optarg;
			break;
		default:
			usage();
		}
	}
	if ((l == NULL) == (c == NULL) || secs <= 0 || secs > 600 ||
	    idle_ms <= 0)
		usage();
	errno = 0;
	if (parse_addr(l ? l : c, 1, &ss, &slen) == -1)
		die("bad address");
	fd = udp_socket(ss.ss_family);
	if (l != NULL && bind(fd, (struct sockaddr *)&ss, slen) == -1)
		die("bind");
	if (c != NULL && connect(fd, (struct sockaddr *)&ss, slen) == -1)
		die("connect");
	overhead = ss.ss_family == AF_INET6 ? 48 : 28;
	if ((seen = calloc(MAX_SEQ / 8, 1)) == NULL ||
	    (delays = malloc(MAX_SAMPLES * sizeof(*delays))) == NULL)
		die("malloc");
	start = now_ns();
	deadline = start + (uint64_t)(secs * 1e9);
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (;;) {
		now = now_ns();
		if (now >= deadline)
			break;
		if (received > 0 && now - t_last >= (uint64_t)(idle_ms * 1e6))
			break;
		if (fin_at && now - fin_at >= 200000000ULL)
			break;
		/* Client mode: say hello until the data flows. */
		if (c != NULL && received == 0 && hellos < 50 &&
		    now - last_hello >= 100000000ULL) {
			pkt_build(pkt, HDR_LEN, PKT_HELLO, 0);
			(void)send(fd, pkt, HDR_LEN, 0);
			last_hello = now;
			hellos++;
		}
		timeout = (int)((deadline - now) / 1000000) + 1;
		if (timeout > 50)
			timeout = 50;
		if (poll(&pfd, 1, timeout) <= 0)
			continue;
		n = recv(fd, pkt, sizeof(pkt), MSG_DONTWAIT);
		now = now_ns();
		if (n < HDR_LEN)
			continue;
		memcpy(&magic, pkt, 4);
		memcpy(&type, pkt + 4, 4);
		memcpy(&seq, pkt + 8, 8);
		memcpy(&ts, pkt + 16, 8);
		memcpy(&h, pkt + 24, 4);
		if (magic != MAGIC) {
			corrupt++;
			continue;
		}
		if (h != pkt_hash(pkt, (size_t)n)) {
			corrupt++;
			continue;
		}
		if (type == PKT_FIN) {
			sent = seq;
			if (!fin_at)
				fin_at = now;
			continue;
		}
		if (type != PKT_DATA)
			continue;
		received++;
		if (received == 1) {
			t_first = now;
			first_bytes = (uint64_t)n;
		}
		t_last = now;
		bytes += (uint64_t)n;
		if (seq < MAX_SEQ) {
			if (seen[seq / 8] & (1 << (seq % 8))) {
				dups++;
				continue;
			}
			seen[seq / 8] |= (unsigned char)(1 << (seq % 8));
		}
		uniq++;
		if (seq < max_seq)
			reord++;
		else
			max_seq = seq;
		if (nsamples < MAX_SAMPLES && now >= ts)
			delays[nsamples++] = now - ts;
	}
	qsort(delays, nsamples, sizeof(*delays), cmp_u64);
	dur = (double)(t_last - t_first) / 1e9;
	printf("{\"received\":%" PRIu64 ",\"unique\":%" PRIu64
	    ",\"duplicates\":%" PRIu64 ",\"reordered\":%" PRIu64
	    ",\"corrupt\":%" PRIu64 ",\"sent\":%" PRId64
	    ",\"lost\":%" PRId64 ",\"loss_pct\":%.3f,\"bytes\":%" PRIu64
	    ",\"duration_s\":%.3f,\"rate_bps\":%.0f,\"ip_rate_bps\":%.0f"
	    ",\"delay_min_ms\":%.3f,\"delay_p50_ms\":%.3f"
	    ",\"delay_p99_ms\":%.3f,\"delay_max_ms\":%.3f}\n",
	    received, uniq, dups, reord, corrupt,
	    sent == UINT64_MAX ? (int64_t)-1 : (int64_t)sent,
	    sent == UINT64_MAX ? (int64_t)-1 : (int64_t)(sent - uniq),
	    sent == UINT64_MAX || sent == 0 ? -1.0 :
	    100.0 * (double)(sent - uniq) / (double)sent,
	    bytes, dur,
	    dur > 0 ? (double)(bytes - first_bytes) * 8 / dur : 0.0,
	    dur > 0 ? (double)(bytes - first_bytes +
	    (received - 1) * (uint64_t)overhead) * 8 / dur : 0.0,
	    nsamples ? (double)delays[0] / 1e6 : -1.0,
	    pct(delays, nsamples, 0.50), pct(delays, nsamples, 0.99),
	    nsamples ? (double)delays[nsamples - 1] / 1e6 : -1.0);
	free(seen);
	free(delays);
	return 0;
}

int
main(int argc, char *argv[])
{
	if (argc < 2)
		usage();
	if (strcmp(argv[1], "send") == 0)
		return send_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "recv") == 0)
		return recv_main(argc - 1, argv + 1);
	usage();
}
