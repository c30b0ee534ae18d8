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
 * wanem: user-space WAN link emulator for the test bed (the kernel here
 * has no netem).  One instance relays the UDP datagrams of one WAN link
 * between a client and a server and applies, per direction, rate with a
 * drop-tail queue, one-way delay, jitter (FIFO preserved), random and
 * Gilbert-Elliott loss and outages; for the security tests it also
 * flips bits and replays datagrams on request.  Test tool only: it runs
 * as root inside a test namespace, treats every datagram as opaque bytes
 * and trusts its control socket, which only the test can reach.
 *
 * One thread: epoll, an absolute CLOCK_MONOTONIC timerfd armed for the
 * next departure, recvmmsg batches and a preallocated ring per
 * direction, so no allocation happens per packet.
 */

#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <netdb.h>
#include <sched.h>
#include <signal.h>
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
#define SLOT_SIZE	2048		/* largest datagram relayed */
#define RING_SLOTS	4096		/* per direction, power of two */
#define BATCH		32
#define MAX_CLIENTS	16
#define MAX_CTLCONN	8
#define CTL_MSG		1024
#define DEPART_SLACK	150000ULL	/* ns: send early what is due this soon,
					 * to wake less often */
#define MIN_QUEUE	3000		/* bytes: always room for a packet */

enum dir { UP, DOWN };
static const char *const dirname[] = { "up", "down" };

enum ev { EV_LISTEN, EV_UPSTREAM, EV_TIMER, EV_CTL, EV_CTLCONN, EV_SIGNAL };

struct params {
	uint64_t	rate;		/* bit/s, 0 = unlimited */
	uint64_t	delay;		/* ns */
	uint64_t	jitter;		/* ns, extra delay 0..jitter */
	int		jitter_normal;	/* Irwin-Hall instead of uniform */
	double		loss;		/* probability, good state */
	double		p_enter;	/* good -> bad per packet */
	double		p_exit;		/* bad -> good per packet */
	double		loss_bad;	/* probability in the bad state */
	uint64_t	queue_ns;	/* queue limit as time at rate, or 0 */
	uint64_t	queue_bytes;	/* queue limit in bytes, or 0 */
	int		overhead;	/* bytes per packet on the wire, -1 auto */
};

struct stats {
	uint64_t	rx_packets;
	uint64_t	tx_packets;
	uint64_t	tx_bytes;
	uint64_t	tx_errors;
	uint64_t	dropped_loss;
	uint64_t	dropped_queue;
	uint64_t	dropped_outage;
	uint64_t	dropped_oversize;
	uint64_t	flipped;
	uint64_t	replayed;
	uint64_t	late_max;	/* ns, worst departure after due time */
	uint64_t	late_1ms;	/* departures more than 1 ms late */
};

struct slot {
	uint64_t	deliver;	/* monotonic ns */
	uint16_t	len;
	uint8_t		client;
};

struct direction {
	struct params	 p;
	struct stats	 st;
	int		 outage;
	int		 bad;		/* Gilbert-Elliott state */
	uint64_t	 flip;		/* datagrams left to corrupt */
	uint64_t	 busy_until;	/* serializer free at, ns */
	uint64_t	 last_deliver;	/* FIFO floor */
	struct slot	 meta[RING_SLOTS];
	unsigned char	*data;		/* RING_SLOTS * SLOT_SIZE */
	unsigned int	 head, tail;	/* free-running indices */
	unsigned char	 last[SLOT_SIZE];
	size_t		 last_len;
	int		 last_client;
};

struct client {
	int			in_use;
	int			fd;	/* upstream socket, connected */
	struct sockaddr_storage	addr;
	socklen_t		addrlen;
	uint64_t		used;	/* last activity, for eviction */
};

static struct direction	 dirs[2];
static struct client	 clients[MAX_CLIENTS];
static struct sockaddr_storage listen_ss, server_ss, bind_ss;
static socklen_t	 listen_len, server_len, bind_len;
static int		 have_bind;
static int		 listen_fd = -1, timer_fd = -1, ctl_fd = -1, sig_fd = -1;
static int		 ep_fd = -1;
static int		 ctlconn[MAX_CTLCONN];
static int		 verbose;
static int		 quit;
static uint64_t		 armed = UINT64_MAX;
static uint64_t		 rng_state;
static const char	*ctl_path;

static void	 usage(void) __attribute__((noreturn));
static void	 logmsg(const char *, ...) __attribute__((format(printf, 1, 2)));
static void	 die(const char *, ...)
		    __attribute__((format(printf, 1, 2), noreturn));

static void
usage(void)
{
	fprintf(stderr,
	    "usage: wanem -S ctlsock -L addr:port -F addr:port [-B addr]"
	    " [-u spec] [-d spec] [-D]\n"
	    "       wanem ctl ctlsock command ...\n");
	exit(2);
}

static void
logmsg(const char *fmt, ...)
{
	va_list	ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "wanem: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
}

static void
die(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	fprintf(stderr, "wanem: ");
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

/* splitmix64: fast, good enough for loss and jitter decisions. */
static uint64_t
rng_next(void)
{
	uint64_t	z;

	z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double
rng_unit(void)
{
	return (double)(rng_next() >> 11) * (1.0 / 9007199254740992.0);
}

/* "20mbit", "800kbit", "1gbit", "1500000" (bit/s); 0 means unlimited. */
static int
parse_rate(const char *v, uint64_t *out)
{
	char	*end;
	double	 d;

	errno = 0;
	d = strtod(v, &end);
	if (errno || end == v || d < 0)
		return -1;
	if (*end == '\0' || strcasecmp(end, "bit") == 0 ||
	    strcasecmp(end, "bps") == 0)
		;
	else if (strcasecmp(end, "k") == 0 || strcasecmp(end, "kbit") == 0)
		d *= 1e3;
	else if (strcasecmp(end, "m") == 0 || strcasecmp(end, "mbit") == 0)
		d *= 1e6;
	else if (strcasecmp(end, "g") == 0 || strcasecmp(end, "gbit") == 0)
		d *= 1e9;
	else
		return -1;
	if (d > 1e12)
		return -1;
	*out = (uint64_t)llround(d);
	return 0;
}

/* "10ms", "500us", "1s", "17.5ms", bare number = ms. */
static int
parse_time(const char *v, uint64_t *out)
{
	char	*end;
	double	 d;

	errno = 0;
	d = strtod(v, &end);
	if (errno || end == v || d < 0)
		return -1;
	if (*end == '\0' || strcmp(end, "ms") == 0)
		d *= 1e6;
	else if (strcmp(end, "us") == 0)
		d *= 1e3;
	else if (strcmp(end, "ns") == 0)
		;
	else if (strcmp(end, "s") == 0)
		d *= 1e9;
	else
		return -1;
	if (d > 60e9)
		return -1;
	*out = (uint64_t)llround(d);
	return 0;
}

/* "0.5%" or "0.005"; result is a probability. */
static int
parse_prob(const char *v, double *out)
{
	char	*end;
	double	 d;

	errno = 0;
	d = strtod(v, &end);
	if (errno || end == v)
		return -1;
	if (*end == '%') {
		d /= 100;
		end++;
	}
	if (*end != '\0' || d < 0 || d > 1)
		return -1;
	*out = d;
	return 0;
}

/* "50ms" (time at the current rate), "64000", "64000b", "64kb" (bytes). */
static int
parse_queue(const char *v, struct params *p)
{
	char		*end;
	double		 d;
	uint64_t	 ns;

	if (strlen(v) > 1 && v[strlen(v) - 1] == 's') {
		if (parse_time(v, &ns) == -1 || ns == 0)
			return -1;
		p->queue_ns = ns;
		p->queue_bytes = 0;
		return 0;
	}
	errno = 0;
	d = strtod(v, &end);
	if (errno || end == v || d <= 0)
		return -1;
	if (*end == '\0' || strcasecmp(end, "b") == 0)
		;
	else if (strcasecmp(end, "kb") == 0 || strcasecmp(end, "k") == 0)
		d *= 1e3;
	else if (strcasecmp(end, "mb") == 0 || strcasecmp(end, "m") == 0)
		d *= 1e6;
	else
		return -1;
	if (d > 1e9)
		return -1;
	p->queue_bytes = (uint64_t)d;
	p->queue_ns = 0;
	return 0;
}

static void
params_default(struct params *p)
{
	memset(p, 0, sizeof(*p));
	p->loss_bad = 1.0;
	p->queue_ns = 50 * 1000000ULL;
	p->overhead = -1;
}

/*
 * Apply a comma separated spec on top of *p.  Keys not named keep their
 * value, so "set up loss=10%" changes only the loss; "reset" restores
 * the defaults first.  On error *p is unchanged and err says why.
 */
static int
parse_spec(const char *spec, struct params *p, char *err, size_t errlen)
{
	struct params	 n = *p;
	char		 buf[512], *tok, *save, *v, *slash;
	int		 ok;

	if (strlen(spec) >= sizeof(buf)) {
		snprintf(err, errlen, "spec too long");
		return -1;
	}
	strcpy(buf, spec);
	for (tok = strtok_r(buf, ", \t\n", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t\n", &save)) {
		if (strcmp(tok, "reset") == 0) {
			params_default(&n);
			continue;
		}
		if ((v = strchr(tok, '=')) == NULL) {
			snprintf(err, errlen, "expected key=value: %s", tok);
			return -1;
		}
		*v++ = '\0';
		ok = -1;
		if (strcmp(tok, "rate") == 0)
			ok = parse_rate(v, &n.rate);
		else if (strcmp(tok, "delay") == 0)
			ok = parse_time(v, &n.delay);
		else if (strcmp(tok, "jitter") == 0)
			ok = parse_time(v, &n.jitter);
		else if (strcmp(tok, "jitter_dist") == 0) {
			if (strcmp(v, "uniform") == 0 ||
			    strcmp(v, "normal") == 0) {
				n.jitter_normal = strcmp(v, "normal") == 0;
				ok = 0;
			}
		} else if (strcmp(tok, "loss") == 0)
			ok = parse_prob(v, &n.loss);
		else if (strcmp(tok, "loss_bad") == 0)
			ok = parse_prob(v, &n.loss_bad);
		else if (strcmp(tok, "burst") == 0) {
			if ((slash = strchr(v, '/')) != NULL) {
				*slash++ = '\0';
				if (parse_prob(v, &n.p_enter) == 0 &&
				    parse_prob(slash, &n.p_exit) == 0)
					ok = 0;
			} else if (strcmp(v, "off") == 0) {
				n.p_enter = 0;
				ok = 0;
			}
		} else if (strcmp(tok, "queue") == 0)
			ok = parse_queue(v, &n);
		else if (strcmp(tok, "overhead") == 0) {
			char	*end;
			long	 o = strtol(v, &end, 10);

			if (*end == '\0' && o >= 0 && o <= 1000) {
				n.overhead = (int)o;
				ok = 0;
			}
		} else {
			snprintf(err, errlen, "unknown key: %s", tok);
			return -1;
		}
		if (ok == -1) {
			snprintf(err, errlen, "bad value for %s: %s", tok, v);
			return -1;
		}
	}
	*p = n;
	return 0;
}

/* Queue limit in bytes for the current rate. */
static uint64_t
queue_limit(const struct params *p)
{
	uint64_t	b;

	if (p->queue_bytes)
		b = p->queue_bytes;
	else
		b = (uint64_t)((double)p->rate / 8 * (double)p->queue_ns /
		    1e9);
	return b < MIN_QUEUE ? MIN_QUEUE : b;
}

static int
wire_overhead(const struct params *p)
{
	if (p->overhead >= 0)
		return p->overhead;
	/* IP + UDP header: the rate is that of the IP link. */
	return listen_ss.ss_family == AF_INET6 ? 48 : 28;
}

static void
epoll_add(int fd, enum ev type, int idx)
{
	struct epoll_event	e;

	memset(&e, 0, sizeof(e));
	e.events = EPOLLIN;
	e.data.u64 = ((uint64_t)type << 32) | (uint32_t)idx;
	if (epoll_ctl(ep_fd, EPOLL_CTL_ADD, fd, &e) == -1)
		die("epoll_ctl");
}

static void
sock_buffers(int fd)
{
	int	sz = 4 * 1024 * 1024;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
}

/*
 * Find or create the upstream socket for a client source address.  The
 * least recently used entry is recycled when all are taken.
 */
static int
client_lookup(const struct sockaddr_storage *ss, socklen_t len, uint64_t now)
{
	int	i, victim = 0, fd;

	for (i = 0; i < MAX_CLIENTS; i++)
		if (clients[i].in_use && clients[i].addrlen == len &&
		    memcmp(&clients[i].addr, ss, len) == 0) {
			clients[i].used = now;
			return i;
		}
	for (i = 0; i < MAX_CLIENTS; i++) {
		if (!clients[i].in_use) {
			victim = i;
			break;
		}
		if (clients[i].used < clients[victim].used)
			victim = i;
	}
	if (clients[victim].in_use) {
		logmsg("evicting client %d", victim);
		close(clients[victim].fd);
		clients[victim].in_use = 0;
	}
	fd = socket(server_ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	sock_buffers(fd);
	if ((have_bind && bind(fd, (struct sockaddr *)&bind_ss,
	    bind_len) == -1) ||
	    connect(fd, (struct sockaddr *)&server_ss, server_len) == -1) {
		logmsg("upstream socket: %s", strerror(errno));
		close(fd);
		return -1;
	}
	clients[victim].in_use = 1;
	clients[victim].fd = fd;
	memcpy(&clients[victim].addr, ss, len);
	clients[victim].addrlen = len;
	clients[victim].used = now;
	epoll_add(fd, EV_UPSTREAM, victim);
	logmsg("new client %d", victim);
	return victim;
}

/* Loss decision, Gilbert-Elliott when burst is set. */
static int
lose(struct direction *d)
{
	const struct params	*p = &d->p;

	if (p->p_enter > 0) {
		if (!d->bad && rng_unit() < p->p_enter)
			d->bad = 1;
		else if (d->bad && rng_unit() < p->p_exit)
			d->bad = 0;
	} else
		d->bad = 0;
	if (d->bad)
		return rng_unit() < p->loss_bad;
	return p->loss > 0 && rng_unit() < p->loss;
}

static uint64_t
jitter(const struct params *p)
{
	double	u;

	if (p->jitter == 0)
		return 0;
	if (p->jitter_normal)
		u = (rng_unit() + rng_unit() + rng_unit()) / 3;
	else
		u = rng_unit();
	return (uint64_t)(u * (double)p->jitter);
}

/*
 * Run one received datagram through the impairments and, if it
 * survives, put it in the direction's ring with its delivery time.
 */
static void
admit(struct direction *d, const unsigned char *pkt, size_t len, int client,
    uint64_t now)
{
	const struct params	*p = &d->p;
	struct slot		*s;
	unsigned char		*buf;
	uint64_t		 start, backlog, ser, deliver, wire;
	size_t			 off;

	d->st.rx_packets++;
	memcpy(d->last, pkt, len);
	d->last_len = len;
	d->last_client = client;
	if (d->outage) {
		d->st.dropped_outage++;
		return;
	}
	if (lose(d)) {
		d->st.dropped_loss++;
		return;
	}
	if (d->tail - d->head >= RING_SLOTS) {
		d->st.dropped_queue++;
		return;
	}
	start = d->busy_until > now ? d->busy_until : now;
	if (p->rate) {
		wire = len + (uint64_t)wire_overhead(p);
		backlog = (uint64_t)((double)(start - now) *
		    (double)p->rate / 8e9);
		if (backlog + wire > queue_limit(p)) {
			d->st.dropped_queue++;
			return;
		}
		ser = wire * 8 * NSEC / p->rate;
		d->busy_until = start + ser;
	} else
		d->busy_until = start;
	deliver = d->busy_until + p->delay + jitter(p);
	if (deliver < d->last_deliver)
		deliver = d->last_deliver;
	d->last_deliver = deliver;

	s = &d->meta[d->tail % RING_SLOTS];
	buf = d->data + (size_t)(d->tail % RING_SLOTS) * SLOT_SIZE;
	memcpy(buf, pkt, len);
	if (d->flip > 0 && len > 0) {
		/* Past the 16 header bytes when there are any, to hit the
		 * ciphertext or the tag rather than the routing fields. */
		if (len > 16)
			off = 16 + rng_next() % (len - 16);
		else
			off = rng_next() % len;
		buf[off] ^= (unsigned char)(1u << (rng_next() % 8));
		d->flip--;
		d->st.flipped++;
	}
	s->deliver = deliver;
	s->len = (uint16_t)len;
	s->client = (uint8_t)client;
	d->tail++;
}

static ssize_t
transmit(enum dir dir, int client, const void *buf, size_t len)
{
	struct client	*c = &clients[client];

	if (!c->in_use)
		return -1;
	if (dir == UP)
		return send(c->fd, buf, len, 0);
	return sendto(listen_fd, buf, len, 0, (struct sockaddr *)&c->addr,
	    c->addrlen);
}

/*
 * Send every datagram of a direction that is due, in sendmmsg batches
 * of consecutive datagrams leaving through the same socket.
 */
static void
depart(enum dir dir, uint64_t now)
{
	struct direction	*d = &dirs[dir];
	struct mmsghdr		 msgs[BATCH];
	struct iovec		 iov[BATCH];
	struct slot		*s;
	struct client		*c;
	unsigned int		 idx;
	int			 n, sent, fd, client, i;

	while (d->head != d->tail) {
		n = 0;
		fd = -1;
		client = -1;
		while (d->head + (unsigned int)n != d->tail && n < BATCH) {
			idx = (d->head + (unsigned int)n) % RING_SLOTS;
			s = &d->meta[idx];
			if (s->deliver > now + DEPART_SLACK)
				break;
			if (n > 0 && dir == UP && s->client != client)
				break;
			client = s->client;
			c = &clients[client];
			if (d->outage || !c->in_use) {
				if (n > 0)
					break;
				if (d->outage)
					d->st.dropped_outage++;
				else
					d->st.tx_errors++;
				d->head++;
				continue;
			}
			fd = dir == UP ? c->fd : listen_fd;
			memset(&msgs[n], 0, sizeof(msgs[n]));
			iov[n].iov_base = d->data + (size_t)idx * SLOT_SIZE;
			iov[n].iov_len = s->len;
			msgs[n].msg_hdr.msg_iov = &iov[n];
			msgs[n].msg_hdr.msg_iovlen = 1;
			if (dir == DOWN) {
				msgs[n].msg_hdr.msg_name = &c->addr;
				msgs[n].msg_hdr.msg_namelen = c->addrlen;
			}
			if (now > s->deliver) {
				if (now - s->deliver > d->st.late_max)
					d->st.late_max = now - s->deliver;
				if (now - s->deliver > 1000000)
					d->st.late_1ms++;
			}
			n++;
		}
		if (n == 0)
			break;
		sent = sendmmsg(fd, msgs, (unsigned int)n, MSG_DONTWAIT);
		if (sent < 0)
			sent = 0;
		for (i = 0; i < n; i++) {
			if (i < sent) {
				d->st.tx_packets++;
				d->st.tx_bytes += iov[i].iov_len;
			} else
				d->st.tx_errors++;
		}
		/* A full socket buffer is a loss, as on a real interface. */
		d->head += (unsigned int)n;
	}
}

/* Arm the timer for the earliest head of both rings. */
static void
rearm(void)
{
	struct itimerspec	its;
	uint64_t		next = UINT64_MAX;
	int			i;

	for (i = 0; i < 2; i++)
		if (dirs[i].head != dirs[i].tail &&
		    dirs[i].meta[dirs[i].head % RING_SLOTS].deliver < next)
			next = dirs[i].meta[dirs[i].head % RING_SLOTS].deliver;
	if (next == armed)
		return;
	armed = next;
	memset(&its, 0, sizeof(its));
	if (next != UINT64_MAX) {
		its.it_value.tv_sec = (time_t)(next / NSEC);
		its.it_value.tv_nsec = (long)(next % NSEC);
		if (next == 0)
			its.it_value.tv_nsec = 1;
	}
	if (timerfd_settime(timer_fd, TFD_TIMER_ABSTIME, &its, NULL) == -1)
		die("timerfd_settime");
}

/*
 * Drain a socket with recvmmsg.  For the listen socket each datagram
 * goes up through the sender's client entry; for an upstream socket it
 * goes down to that client.
 */
static void
receive(int fd, enum dir dir, int client)
{
	static unsigned char		 bufs[BATCH][SLOT_SIZE];
	static struct sockaddr_storage	 from[BATCH];
	struct mmsghdr			 msgs[BATCH];
	struct iovec			 iov[BATCH];
	uint64_t			 now;
	int				 i, n, c, rounds;

	for (rounds = 0; rounds < 8; rounds++) {
		memset(msgs, 0, sizeof(msgs));
		for (i = 0; i < BATCH; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = SLOT_SIZE;
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			if (dir == UP) {
				msgs[i].msg_hdr.msg_name = &from[i];
				msgs[i].msg_hdr.msg_namelen = sizeof(from[i]);
			}
		}
		n = recvmmsg(fd, msgs, BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		now = now_ns();
		for (i = 0; i < n; i++) {
			if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
				dirs[dir].st.rx_packets++;
				dirs[dir].st.dropped_oversize++;
				continue;
			}
			c = client;
			if (dir == UP && (c = client_lookup(&from[i],
			    msgs[i].msg_hdr.msg_namelen, now)) == -1) {
				dirs[dir].st.rx_packets++;
				dirs[dir].st.tx_errors++;
				continue;
			}
			if (dir == DOWN)
				clients[c].used = now;
			admit(&dirs[dir], bufs[i], msgs[i].msg_len, c, now);
		}
		if (n < BATCH)
			return;
	}
}

static void
replay(enum dir dir, uint64_t n)
{
	struct direction	*d = &dirs[dir];

	while (n-- > 0) {
		if (transmit(dir, d->last_client, d->last, d->last_len) == -1)
			d->st.tx_errors++;
		else
			d->st.replayed++;
	}
}

static int
parse_dir(const char *s, int *both)
{
	if (both)
		*both = 0;
	if (strcmp(s, "up") == 0)
		return UP;
	if (strcmp(s, "down") == 0)
		return DOWN;
	if (both && strcmp(s, "both") == 0) {
		*both = 1;
		return UP;
	}
	return -1;
}

static int
parse_count(const char *s, uint64_t *n)
{
	char	*end;

	errno = 0;
	*n = strtoull(s, &end, 10);
	return (errno || end == s || *end != '\0' || *n > 1000000) ? -1 : 0;
}

static size_t
stats_json(char *out, size_t len)
{
	size_t		 off = 0;
	int		 i;
	struct stats	*s;

	off += (size_t)snprintf(out + off, len - off, "{");
	for (i = 0; i < 2; i++) {
		s = &dirs[i].st;
		off += (size_t)snprintf(out + off, len - off,
		    "%s\"%s\":{\"rx_packets\":%" PRIu64
		    ",\"tx_packets\":%" PRIu64 ",\"tx_bytes\":%" PRIu64
		    ",\"dropped_loss\":%" PRIu64
		    ",\"dropped_queue\":%" PRIu64
		    ",\"dropped_outage\":%" PRIu64
		    ",\"flipped\":%" PRIu64 ",\"replayed\":%" PRIu64
		    ",\"dropped_oversize\":%" PRIu64
		    ",\"tx_errors\":%" PRIu64 ",\"queued\":%u"
		    ",\"late_max_us\":%" PRIu64 ",\"late_1ms\":%" PRIu64
		    ",\"outage\":%s}",
		    i ? "," : "", dirname[i], s->rx_packets, s->tx_packets,
		    s->tx_bytes, s->dropped_loss, s->dropped_queue,
		    s->dropped_outage, s->flipped, s->replayed,
		    s->dropped_oversize, s->tx_errors,
		    dirs[i].tail - dirs[i].head, s->late_max / 1000,
		    s->late_1ms, dirs[i].outage ? "true" : "false");
		if (off >= len)
			return len - 1;
	}
	off += (size_t)snprintf(out + off, len - off, "}");
	return off >= len ? len - 1 : off;
}

/* Next blank separated word of *s, or NULL. */
static char *
next_word(char **s)
{
	char	*w;

	*s += strspn(*s, " \t");
	if (**s == '\0')
		return NULL;
	w = *s;
	*s += strcspn(*s, " \t");
	if (**s != '\0')
		*(*s)++ = '\0';
	return w;
}

/*
 * Execute one control command; the reply starts with "ok" or "error".
 */
static void
ctl_command(char *line, char *reply, size_t rlen)
{
	char		*cmd, *arg1, *arg2, *rest = line;
	int		 dir, both;
	uint64_t	 n;
	char		 err[160];

	line[strcspn(line, "\r\n")] = '\0';
	cmd = next_word(&rest);
	arg1 = next_word(&rest);
	if (cmd == NULL) {
		snprintf(reply, rlen, "error: empty command");
		return;
	}
	if (strcmp(cmd, "stats") == 0 && arg1 == NULL) {
		memcpy(reply, "ok ", 3);
		stats_json(reply + 3, rlen - 3);
		return;
	}
	if (arg1 == NULL || (dir = parse_dir(arg1, &both)) == -1) {
		snprintf(reply, rlen, "error: bad command or direction");
		return;
	}
	if (strcmp(cmd, "set") == 0) {
		/* The spec is the rest of the line. */
		if (parse_spec(rest, &dirs[dir].p, err, sizeof(err)) == -1 ||
		    (both && parse_spec(rest, &dirs[DOWN].p, err,
		    sizeof(err)) == -1)) {
			snprintf(reply, rlen, "error: %s", err);
			return;
		}
		logmsg("set %s %s", arg1, rest);
		snprintf(reply, rlen, "ok");
		return;
	}
	arg2 = next_word(&rest);
	if (arg2 == NULL || next_word(&rest) != NULL) {
		snprintf(reply, rlen, "error: bad command");
		return;
	}
	if (strcmp(cmd, "outage") == 0 &&
	    (strcmp(arg2, "on") == 0 || strcmp(arg2, "off") == 0)) {
		dirs[dir].outage = strcmp(arg2, "on") == 0;
		if (both)
			dirs[DOWN].outage = dirs[dir].outage;
		logmsg("outage %s %s", arg1, arg2);
		snprintf(reply, rlen, "ok");
		return;
	}
	if ((strcmp(cmd, "flip") == 0 || strcmp(cmd, "replay") == 0) &&
	    !both && parse_count(arg2, &n) == 0) {
		if (cmd[0] == 'f')
			dirs[dir].flip += n;
		else if (dirs[dir].last_len == 0) {
			snprintf(reply, rlen, "error: nothing to replay %s",
			    arg1);
			return;
		} else
			replay(dir, n);
		logmsg("%s %s %s", cmd, arg1, arg2);
		snprintf(reply, rlen, "ok");
		return;
	}
	snprintf(reply, rlen, "error: bad command");
}

static void
ctl_accept(void)
{
	int	fd, i;

	if ((fd = accept4(ctl_fd, NULL, NULL, SOCK_NONBLOCK |
	    SOCK_CLOEXEC)) == -1)
		return;
	for (i = 0; i < MAX_CTLCONN; i++)
		if (ctlconn[i] == -1) {
			ctlconn[i] = fd;
			epoll_add(fd, EV_CTLCONN, i);
			return;
		}
	close(fd);
}

static void
ctl_read(int i)
{
	char	line[CTL_MSG], reply[CTL_MSG];
	ssize_t	n;

	n = recv(ctlconn[i], line, sizeof(line) - 1, 0);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0) {
		line[n] = '\0';
		ctl_command(line, reply, sizeof(reply));
		(void)send(ctlconn[i], reply, strlen(reply), MSG_NOSIGNAL);
	}
	close(ctlconn[i]);	/* also removes it from the epoll set */
	ctlconn[i] = -1;
}

/* Client side of "wanem ctl": one command, one reply. */
static int
ctl_main(int argc, char *argv[])
{
	struct sockaddr_un	 sun;
	struct timeval		 tv = { 5, 0 };
	char			 cmd[CTL_MSG], reply[CTL_MSG + 1];
	size_t			 off = 0;
	ssize_t			 n;
	int			 fd, i;

	if (argc < 2)
		usage();
	cmd[0] = '\0';
	for (i = 1; i < argc; i++) {
		n = snprintf(cmd + off, sizeof(cmd) - off, "%s%s",
		    i > 1 ? " " : "", argv[i]);
		if (n < 0 || (size_t)n >= sizeof(cmd) - off)
			die("command too long");
		off += (size_t)n;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(argv[0]) >= sizeof(sun.sun_path))
		die("socket path too long");
	strcpy(sun.sun_path, argv[0]);
	if ((fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)) == -1)
		die("socket");
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		die("%s", argv[0]);
	if (send(fd, cmd, strlen(cmd), MSG_NOSIGNAL) == -1)
		die("send");
	if ((n = recv(fd, reply, sizeof(reply) - 1, 0)) <= 0)
		die("no reply");
	reply[n] = '\0';
	close(fd);
	if (strncmp(reply, "ok", 2) == 0) {
		if (reply[2] == ' ')
			printf("%s\n", reply + 3);
		return 0;
	}
	fprintf(stderr, "wanem: %s\n", reply);
	return 1;
}

static void
setup(const char *ctl)
{
	struct sockaddr_un	 sun;
	sigset_t		 mask;
	int			 i, one = 1;

	for (i = 0; i < 2; i++) {
		dirs[i].data = mmap(NULL, (size_t)RING_SLOTS * SLOT_SIZE,
		    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (dirs[i].data == MAP_FAILED)
			die("mmap");
	}
	for (i = 0; i < MAX_CTLCONN; i++)
		ctlconn[i] = -1;
	if ((ep_fd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		die("epoll_create1");

	listen_fd = socket(listen_ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (listen_fd == -1)
		die("socket");
	(void)setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one));
	sock_buffers(listen_fd);
	if (bind(listen_fd, (struct sockaddr *)&listen_ss, listen_len) == -1)
		die("bind listen address");
	epoll_add(listen_fd, EV_LISTEN, 0);

	timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (timer_fd == -1)
		die("timerfd_create");
	epoll_add(timer_fd, EV_TIMER, 0);

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(ctl) >= sizeof(sun.sun_path))
		die("control socket path too long");
	strcpy(sun.sun_path, ctl);
	(void)unlink(ctl);
	ctl_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (ctl_fd == -1)
		die("socket");
	if (bind(ctl_fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		die("bind %s", ctl);
	if (listen(ctl_fd, 8) == -1)
		die("listen");
	ctl_path = ctl;
	epoll_add(ctl_fd, EV_CTL, 0);

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) == -1)
		die("sigprocmask");
	signal(SIGPIPE, SIG_IGN);
	if ((sig_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		die("signalfd");
	epoll_add(sig_fd, EV_SIGNAL, 0);

	/* The default 50 us slack would be a visible part of 1 ms. */
	(void)prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
}

static void
loop(void)
{
	struct epoll_event	ev[16];
	uint64_t		now;
	int			i, n, idx;

	while (!quit) {
		n = epoll_wait(ep_fd, ev, 16, -1);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			die("epoll_wait");
		}
		for (i = 0; i < n; i++) {
			idx = (int)(uint32_t)ev[i].data.u64;
			switch ((enum ev)(ev[i].data.u64 >> 32)) {
			case EV_LISTEN:
				receive(listen_fd, UP, -1);
				break;
			case EV_UPSTREAM:
				if (clients[idx].in_use)
					receive(clients[idx].fd, DOWN, idx);
				break;
			case EV_TIMER:
				/* Rearming below clears the expiry. */
				armed = 0;
				break;
			case EV_CTL:
				ctl_accept();
				break;
			case EV_CTLCONN:
				if (ctlconn[idx] != -1)
					ctl_read(idx);
				break;
			case EV_SIGNAL:
				quit = 1;
				break;
			}
		}
		now = now_ns();
		depart(UP, now);
		depart(DOWN, now);
		rearm();
	}
}

int
main(int argc, char *argv[])
{
	const char	*ctl = NULL, *lst = NULL, *fwd = NULL, *bnd = NULL;
	const char	*uspec = NULL, *dspec = NULL;
	struct sched_param sp;
	char		 err[160];
	int		 ch, i, realtime = 0;

	if (argc >= 2 && strcmp(argv[1], "ctl") == 0)
		return ctl_main(argc - 2, argv + 2);

	while ((ch = getopt(argc, argv, "B:DF:L:RS:d:u:")) != -1) {
		switch (ch) {
		case 'B':
			bnd = optarg;
			break;
		case 'D':
			verbose = 1;
			break;
		case 'F':
			fwd = optarg;
			break;
		case 'L':
			lst = optarg;
			break;
		case 'R':
			realtime = 1;
			break;
		case 'S':
			ctl = optarg;
			break;
		case 'd':
			dspec = optarg;
			break;
		case 'u':
			uspec = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || ctl == NULL || lst == NULL || fwd == NULL)
		usage();
	errno = 0;
	if (parse_addr(lst, 1, &listen_ss, &listen_len) == -1)
		die("bad listen address %s", lst);
	if (parse_addr(fwd, 1, &server_ss, &server_len) == -1)
		die("bad server address %s", fwd);
	if (bnd != NULL) {
		if (parse_addr(bnd, 0, &bind_ss, &bind_len) == -1)
			die("bad bind address %s", bnd);
		have_bind = 1;
	}
	for (i = 0; i < 2; i++) {
		params_default(&dirs[i].p);
		if ((i == UP ? uspec : dspec) != NULL &&
		    parse_spec(i == UP ? uspec : dspec, &dirs[i].p, err,
		    sizeof(err)) == -1)
			die("%s spec: %s", dirname[i], err);
	}
	if (getrandom(&rng_state, sizeof(rng_state), 0) != sizeof(rng_state))
		rng_state = now_ns() ^ (uint64_t)getpid();

	setup(ctl);
	if (realtime) {
		/* Departures on time even when the test host is busy; the
		 * kernel's RT throttling still bounds a runaway. */
		memset(&sp, 0, sizeof(sp));
		sp.sched_priority = 10;
		if (sched_setscheduler(0, SCHED_FIFO, &sp) == -1)
			fprintf(stderr, "wanem: SCHED_FIFO: %s\n",
			    strerror(errno));
	}
	logmsg("relaying %s -> %s", lst, fwd);
	loop();
	logmsg("exiting");
	(void)unlink(ctl_path);
	return 0;
}
