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
 * has no netem).  One instance is one WAN link: it bridges every
 * Ethernet frame between two interfaces with AF_PACKET sockets, the
 * client's side and the server's side, and applies per direction rate
 * with a drop-tail queue (a limit in bytes, or in time at the rate),
 * one-way delay, jitter that keeps FIFO order, random and Gilbert-
 * Elliott loss and outages.  So the tunnel's UDP and a plain TCP or
 * MPTCP flow cross the same emulated link.  For the security tests it
 * also flips bits in and replays UDP datagrams on request.  Test tool
 * only: it runs as root inside a test namespace, treats every frame as
 * opaque bytes except to find a UDP payload to corrupt, and trusts its
 * control socket, which only the test can reach.
 *
 * The interfaces must not offload checksums or segmentation (the test
 * bed turns that off on both veth pairs): a frame read here is sent as
 * it is and counts as one packet of its IP length.
 *
 * One thread: epoll, an absolute CLOCK_MONOTONIC timerfd armed for the
 * next departure, recvmmsg batches and a preallocated ring per
 * direction, so no allocation happens per packet.
 *
 * The ports go by interface name: when one's device goes (ENETDOWN,
 * ENXIO), it is looked at every PORT_CHECK_NS until a device of that
 * name is there and up, and opened again if it is a new one, so a veth
 * deleted and made again (a replugged modem) is bridged again.
 */

#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/un.h>

#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <arpa/inet.h>

#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wanem_frame.h"
#include "wanem_spec.h"

#define NSEC		1000000000ULL
#define SLOT_SIZE	2048		/* largest frame bridged */
#define RING_SLOTS	4096		/* per direction, power of two */
#define BATCH		32
#define MAX_CTLCONN	8
#define CTL_MSG		2048
#define DEPART_SLACK	150000ULL	/* ns: send early what is due this soon,
					 * to wake less often */
#define PORT_CHECK_NS	10000000ULL	/* a port whose device went */

/* UP: from the client's side to the server's side. */
enum dir { UP, DOWN };
static const char *const dirname[] = { "up", "down" };

enum ev { EV_PORT, EV_TIMER, EV_CTL, EV_CTLCONN, EV_SIGNAL };

struct stats {
	uint64_t	rx_packets;
	uint64_t	rx_overrun;	/* kernel drops: read too late */
	uint64_t	tx_packets;
	uint64_t	tx_bytes;	/* IP bytes */
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
};

struct direction {
	struct params	 p;
	struct stats	 st;
	int		 in_fd;		/* port the frames come in */
	int		 out_fd;	/* port they leave through */
	int		 outage;
	int		 bad;		/* Gilbert-Elliott state */
	uint64_t	 flip;		/* UDP datagrams to corrupt */
	uint64_t	 busy_until;	/* serializer free at, ns */
	uint64_t	 last_deliver;	/* FIFO floor */
	struct slot	 meta[RING_SLOTS];
	unsigned char	*data;		/* RING_SLOTS * SLOT_SIZE */
	unsigned int	 head, tail;	/* free-running indices */
	unsigned char	 last[SLOT_SIZE];	/* last UDP frame */
	size_t		 last_len;
};

/* A port: the client's side (UP's input) or the server's. */
struct port {
	const char	*name;
	int		 fd;		/* -1 while its device is gone */
	unsigned int	 idx;
	int		 watch;		/* its device went: look again */
};

static struct direction	 dirs[2];
static struct port	 ports[2];
static int		 timer_fd = -1, ctl_fd = -1, sig_fd = -1;
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
	    "usage: wanem -S ctlsock -c client_if -s server_if"
	    " [-u spec] [-d spec] [-D] [-R]\n"
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
 * An AF_PACKET socket that reads every frame arriving on the device
 * of index idx and sends frames out of it.  Bound with protocol 0
 * first, so no frame of another interface slips in before the bind.
 * -1 if that device went meanwhile.
 */
static int
port_open(const char *ifname, unsigned int idx)
{
	struct sockaddr_ll	sll;
	int			fd, one = 1;

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		die("socket(AF_PACKET)");
	/* What we send out of this port is not input of the link. */
	if (setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
	    sizeof(one)) == -1)
		die("PACKET_IGNORE_OUTGOING");
	(void)setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one,
	    sizeof(one));
	sock_buffers(fd);
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)idx;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) == -1) {
		if (errno != ENODEV)
			die("bind %s", ifname);
		close(fd);
		return -1;
	}
	epoll_add(fd, EV_PORT, 0);
	return fd;
}

/* The directions use the ports' sockets as they are now. */
static void
ports_sync(void)
{
	dirs[UP].in_fd = dirs[DOWN].out_fd = ports[0].fd;
	dirs[DOWN].in_fd = dirs[UP].out_fd = ports[1].fd;
}

/* An error on a port's socket that says its device went. */
static void
port_error(int fd, int err)
{
	int	i;

	if (err != ENETDOWN && err != ENXIO)
		return;
	for (i = 0; i < 2; i++)
		if (ports[i].fd == fd && fd != -1 && !ports[i].watch) {
			logmsg("%s: %s, watching it", ports[i].name,
			    strerror(err));
			ports[i].watch = 1;
		}
}

/* Up, per the device's flags. */
static int
port_up(const struct port *p)
{
	struct ifreq	ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", p->name);
	return ioctl(p->fd, SIOCGIFFLAGS, &ifr) == 0 &&
	    (ifr.ifr_flags & IFF_UP);
}

/* Watched ports: gone, back under the same index, or a new device. */
static void
ports_check(void)
{
	struct port	*p;
	unsigned int	 idx;
	int		 i;

	for (i = 0; i < 2; i++) {
		p = &ports[i];
		if (!p->watch)
			continue;
		idx = if_nametoindex(p->name);
		if (idx != p->idx || (p->fd == -1 && idx != 0)) {
			if (p->fd != -1)
				close(p->fd);
			p->idx = idx;
			p->fd = idx == 0 ? -1 : port_open(p->name, idx);
			logmsg("%s: %s", p->name, p->fd == -1 ? "gone" :
			    "opened again");
			ports_sync();
		}
		if (p->fd != -1 && port_up(p)) {
			logmsg("%s: up", p->name);
			p->watch = 0;
		}
	}
}

/*
 * Frames the kernel dropped on a direction's input port because we did
 * not read in time (the kernel's counter resets when read).
 */
static void
port_overruns(struct direction *d)
{
	struct tpacket_stats	ts;
	socklen_t		len = sizeof(ts);

	if (getsockopt(d->in_fd, SOL_PACKET, PACKET_STATISTICS, &ts,
	    &len) == 0)
		d->st.rx_overrun += ts.tp_drops;
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
 * Corrupt one bit of a UDP payload, past its first 16 bytes when it has
 * more (to hit the tunnel's ciphertext or tag rather than its routing
 * fields), and keep the UDP checksum valid.
 */
static void
flip_bit(unsigned char *f, size_t udp)
{
	size_t	start = udp + 8, plen = get16(f + udp + 4) - 8u, off;

	if (plen == 0)
		return;
	if (plen > 16)
		off = 16 + rng_next() % (plen - 16);
	else
		off = rng_next() % plen;
	f[start + off] ^= (unsigned char)(1u << (rng_next() % 8));
	frame_udp_checksum(f, udp);
}

/*
 * Run one received frame through the impairments and, if it survives,
 * put it in the direction's ring with its delivery time.  Invariant:
 * delivery times never decrease along the ring (FIFO, also with
 * jitter), and the bytes waiting for the serializer never exceed the
 * queue limit.
 */
static void
admit(struct direction *d, const unsigned char *pkt, size_t len,
    uint64_t now)
{
	const struct params	*p = &d->p;
	struct slot		*s;
	unsigned char		*buf;
	uint64_t		 start, backlog, ser, deliver, wire;
	size_t			 udp;

	d->st.rx_packets++;
	udp = frame_udp(pkt, len);
	if (udp != 0) {
		memcpy(d->last, pkt, len);
		d->last_len = len;
	}
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
		wire = frame_ip_len(len) + (uint64_t)p->overhead;
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
	if (d->flip > 0 && udp != 0) {
		flip_bit(buf, udp);
		d->flip--;
		d->st.flipped++;
	}
	s->deliver = deliver;
	s->len = (uint16_t)len;
	d->tail++;
}

/* Send every frame of a direction that is due, in sendmmsg batches. */
static void
depart(struct direction *d, uint64_t now)
{
	struct mmsghdr		 msgs[BATCH];
	struct iovec		 iov[BATCH];
	struct slot		*s;
	unsigned int		 idx;
	int			 n, sent, i;

	while (d->head != d->tail) {
		n = 0;
		while (d->head + (unsigned int)n != d->tail && n < BATCH) {
			idx = (d->head + (unsigned int)n) % RING_SLOTS;
			s = &d->meta[idx];
			if (s->deliver > now + DEPART_SLACK)
				break;
			if (d->outage) {
				if (n > 0)
					break;
				d->st.dropped_outage++;
				d->head++;
				continue;
			}
			memset(&msgs[n], 0, sizeof(msgs[n]));
			iov[n].iov_base = d->data + (size_t)idx * SLOT_SIZE;
			iov[n].iov_len = s->len;
			msgs[n].msg_hdr.msg_iov = &iov[n];
			msgs[n].msg_hdr.msg_iovlen = 1;
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
		sent = sendmmsg(d->out_fd, msgs, (unsigned int)n,
		    MSG_DONTWAIT);
		if (sent < 0) {
			port_error(d->out_fd, errno);
			sent = 0;
		}
		for (i = 0; i < n; i++) {
			if (i < sent) {
				d->st.tx_packets++;
				d->st.tx_bytes += frame_ip_len(iov[i].iov_len);
			} else
				d->st.tx_errors++;
		}
		/* A full queue on the way out is a loss, as on a real
		 * interface. */
		d->head += (unsigned int)n;
	}
}

/* Arm the timer for the earliest head of both rings, or sooner to
 * look at a port whose device went. */
static void
rearm(uint64_t now)
{
	struct itimerspec	its;
	uint64_t		next = UINT64_MAX;
	int			i;

	for (i = 0; i < 2; i++)
		if (dirs[i].head != dirs[i].tail &&
		    dirs[i].meta[dirs[i].head % RING_SLOTS].deliver < next)
			next = dirs[i].meta[dirs[i].head % RING_SLOTS].deliver;
	if ((ports[0].watch || ports[1].watch) && now + PORT_CHECK_NS < next)
		next = now + PORT_CHECK_NS;
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

/* Drain a direction's input port with recvmmsg. */
static void
receive(struct direction *d)
{
	static unsigned char	 bufs[BATCH][SLOT_SIZE];
	struct mmsghdr		 msgs[BATCH];
	struct iovec		 iov[BATCH];
	uint64_t		 now;
	int			 i, n, rounds;

	for (rounds = 0; rounds < 8; rounds++) {
		memset(msgs, 0, sizeof(msgs));
		for (i = 0; i < BATCH; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = SLOT_SIZE;
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
		}
		n = recvmmsg(d->in_fd, msgs, BATCH, MSG_DONTWAIT, NULL);
		if (n == -1)
			port_error(d->in_fd, errno);
		if (n <= 0)
			return;
		now = now_ns();
		for (i = 0; i < n; i++) {
			if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
				d->st.rx_packets++;
				d->st.dropped_oversize++;
				continue;
			}
			admit(d, bufs[i], msgs[i].msg_len, now);
		}
		if (n < BATCH)
			return;
	}
}

/* Copies of the direction's last UDP frame, sent now. */
static void
replay(struct direction *d, uint64_t n)
{
	while (n-- > 0) {
		if (send(d->out_fd, d->last, d->last_len, MSG_DONTWAIT) == -1)
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
		port_overruns(&dirs[i]);
		s = &dirs[i].st;
		off += (size_t)snprintf(out + off, len - off,
		    "%s\"%s\":{\"rx_packets\":%" PRIu64
		    ",\"tx_packets\":%" PRIu64 ",\"tx_bytes\":%" PRIu64
		    ",\"dropped_loss\":%" PRIu64
		    ",\"dropped_queue\":%" PRIu64
		    ",\"dropped_outage\":%" PRIu64
		    ",\"flipped\":%" PRIu64 ",\"replayed\":%" PRIu64
		    ",\"dropped_oversize\":%" PRIu64
		    ",\"tx_errors\":%" PRIu64 ",\"rx_overrun\":%" PRIu64
		    ",\"queued\":%u"
		    ",\"late_max_us\":%" PRIu64 ",\"late_1ms\":%" PRIu64
		    ",\"outage\":%s}",
		    i ? "," : "", dirname[i], s->rx_packets, s->tx_packets,
		    s->tx_bytes, s->dropped_loss, s->dropped_queue,
		    s->dropped_outage, s->flipped, s->replayed,
		    s->dropped_oversize, s->tx_errors, s->rx_overrun,
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
			replay(&dirs[dir], n);
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
setup(const char *ctl, const char *cif, const char *sif)
{
	struct sockaddr_un	 sun;
	sigset_t		 mask;
	int			 i;

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

	ports[0].name = cif;
	ports[1].name = sif;
	for (i = 0; i < 2; i++) {
		if ((ports[i].idx = if_nametoindex(ports[i].name)) == 0)
			die("interface %s", ports[i].name);
		if ((ports[i].fd = port_open(ports[i].name,
		    ports[i].idx)) == -1)
			die("bind %s", ports[i].name);
	}
	ports_sync();

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
			case EV_PORT:
				/* Both ports: a read that finds nothing
				 * costs less than tracking which woke. */
				receive(&dirs[UP]);
				receive(&dirs[DOWN]);
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
		ports_check();
		now = now_ns();
		depart(&dirs[UP], now);
		depart(&dirs[DOWN], now);
		rearm(now);
	}
}

int
main(int argc, char *argv[])
{
	const char	*ctl = NULL, *cif = NULL, *sif = NULL;
	const char	*uspec = NULL, *dspec = NULL;
	struct sched_param sp;
	char		 err[160];
	int		 ch, i, realtime = 0;

	if (argc >= 2 && strcmp(argv[1], "ctl") == 0)
		return ctl_main(argc - 2, argv + 2);

	while ((ch = getopt(argc, argv, "DRS:c:d:s:u:")) != -1) {
		switch (ch) {
		case 'D':
			verbose = 1;
			break;
		case 'R':
			realtime = 1;
			break;
		case 'S':
			ctl = optarg;
			break;
		case 'c':
			cif = optarg;
			break;
		case 'd':
			dspec = optarg;
			break;
		case 's':
			sif = optarg;
			break;
		case 'u':
			uspec = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || ctl == NULL || cif == NULL || sif == NULL)
		usage();
	for (i = 0; i < 2; i++) {
		params_default(&dirs[i].p);
		if ((i == UP ? uspec : dspec) != NULL &&
		    parse_spec(i == UP ? uspec : dspec, &dirs[i].p, err,
		    sizeof(err)) == -1)
			die("%s spec: %s", dirname[i], err);
	}
	if (getrandom(&rng_state, sizeof(rng_state), 0) != sizeof(rng_state))
		rng_state = now_ns() ^ (uint64_t)getpid();

	setup(ctl, cif, sif);
	if (realtime) {
		/* Departures on time even when the test host is busy; the
		 * kernel's RT throttling still bounds a runaway. */
		memset(&sp, 0, sizeof(sp));
		sp.sched_priority = 10;
		if (sched_setscheduler(0, SCHED_FIFO, &sp) == -1)
			fprintf(stderr, "wanem: SCHED_FIFO: %s\n",
			    strerror(errno));
	}
	logmsg("bridging %s <-> %s", cif, sif);
	loop();
	logmsg("exiting");
	(void)unlink(ctl_path);
	return 0;
}
