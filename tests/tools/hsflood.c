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
 * hsflood: a handshake flood for the test bed.  It sends UDP datagrams
 * of an INIT's length to a server at a fixed rate for a bounded time,
 * each from a random address of a source prefix (which must lie inside
 * 198.18.0.0/15, the test range) and a random port, through a raw
 * IPv4 socket that writes its own headers (IP_HDRINCL):
 *
 *   init     an INIT with a random body and a valid mac1, computed
 *            from the server's public key as a client does; mac2 zero
 *   garbage  random bytes of the same length
 *   replay   a genuine INIT captured before, sent again as it is
 *
 * "hsflood capture" reads, on one interface (AF_PACKET), the first INIT
 * sent to the server's address and port and writes it to a file, for
 * replay.  Test tool only: it runs as root inside a test namespace.
 * Prints what it sent as one line of JSON at the end.
 */

#include <sys/socket.h>

#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "wire.h"
#include "tool_addr.h"

#define MAC1_LABEL	"mac1----"
#define MAC1_OFF	(WIRE_INIT_LEN - 2 * WIRE_MAC_LEN)
#define BATCH		64
#define PKT_LEN		(20 + 8 + WIRE_INIT_LEN)
#define MAX_RATE	1000000
#define MAX_SECONDS	600
/* Random bytes of one datagram: address 4, id 2, port 2, body. */
#define RND_LEN		(8 + WIRE_INIT_LEN)

enum mode { M_INIT, M_GARBAGE, M_REPLAY };

static void
usage(void)
{
	fprintf(stderr,
	    "usage: hsflood -m init|garbage|replay [-k server_pubkey] "
	    "[-f init_file]\n"
	    "\t-s src_prefix -r rate -t seconds server:port\n"
	    "       hsflood capture -i ifname -o init_file -t seconds "
	    "server:port\n");
	exit(2);
}

static uint64_t
now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec);
}

static long
num(const char *s, long min, long max)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "hsflood: bad number %s\n", s);
		exit(2);
	}
	return (v);
}

/* A prefix "a.b.c.d/len" inside 198.18.0.0/15: base and host mask. */
static int
parse_prefix(const char *s, uint32_t *base, uint32_t *hostmask)
{
	char		 buf[32], *slash;
	struct in_addr	 a;
	long		 len;
	uint32_t	 mask;

	if (strlen(s) >= sizeof(buf))
		return (-1);
	strcpy(buf, s);
	if ((slash = strchr(buf, '/')) == NULL)
		return (-1);
	*slash = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1)
		return (-1);
	len = num(slash + 1, 15, 32);
	mask = len == 32 ? 0xffffffffU : ~(0xffffffffU >> len);
	*base = ntohl(a.s_addr) & mask;
	*hostmask = ~mask;
	/* 198.18.0.0/15 and nothing else. */
	if ((*base & 0xfffe0000U) != 0xc6120000U)
		return (-1);
	return (0);
}

static uint16_t
ip_cksum(const uint8_t *p, size_t len)
{
	uint32_t	sum = 0;
	size_t		i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ((uint16_t)~sum);
}

/* One datagram: IPv4 and UDP headers (UDP checksum 0: none), body;
 * its random parts from rnd (RND_LEN bytes). */
static void
build(uint8_t *pkt, const uint8_t *rnd, enum mode m,
    const uint8_t mac1_key[32], const uint8_t *replay, uint32_t base,
    uint32_t hostmask, const struct sockaddr_in *dst)
{
	struct iphdr	*ip = (struct iphdr *)pkt;
	struct udphdr	*udp = (struct udphdr *)(pkt + 20);
	uint8_t		*body = pkt + 28;
	uint32_t	 src, r;
	uint16_t	 id, port;

	memcpy(&r, rnd, 4);
	memcpy(&id, rnd + 4, 2);
	memcpy(&port, rnd + 6, 2);
	rnd += 8;
	src = base | (r & hostmask);
	memset(pkt, 0, 28);
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons(PKT_LEN);
	ip->id = id;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->saddr = htonl(src);
	ip->daddr = dst->sin_addr.s_addr;
	ip->check = htons(ip_cksum(pkt, 20));
	udp->source = htons((uint16_t)(1024 + port % (65536 - 1024)));
	udp->dest = dst->sin_port;
	udp->len = htons(8 + WIRE_INIT_LEN);
	switch (m) {
	case M_GARBAGE:
		memcpy(body, rnd, WIRE_INIT_LEN);
		break;
	case M_INIT:
		body[0] = WIRE_VERSION;
		body[1] = WIRE_HANDSHAKE_INIT;
		body[2] = body[3] = 0;
		memcpy(body + WIRE_PREFIX_LEN, rnd + WIRE_PREFIX_LEN,
		    MAC1_OFF - WIRE_PREFIX_LEN);
		crypto_generichash(body + MAC1_OFF, WIRE_MAC_LEN, body,
		    MAC1_OFF, mac1_key, 32);
		memset(body + MAC1_OFF + WIRE_MAC_LEN, 0, WIRE_MAC_LEN);
		break;
	case M_REPLAY:
		memcpy(body, replay, WIRE_INIT_LEN);
		break;
	}
}

static void
read_key(const char *b64, uint8_t mac1_key[32])
{
	crypto_generichash_state	st;
	uint8_t				pub[32];
	size_t				len;

	if (sodium_base642bin(pub, sizeof(pub), b64, strlen(b64), NULL, &len,
	    NULL, sodium_base64_VARIANT_ORIGINAL) != 0 || len != 32) {
		fprintf(stderr, "hsflood: bad public key\n");
		exit(2);
	}
	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, (const uint8_t *)MAC1_LABEL,
	    sizeof(MAC1_LABEL) - 1);
	crypto_generichash_update(&st, pub, sizeof(pub));
	crypto_generichash_final(&st, mac1_key, 32);
}

static void
read_init(const char *path, uint8_t init[WIRE_INIT_LEN])
{
	FILE	*f;
	size_t	 n;
	int	 extra;

	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		exit(1);
	}
	n = fread(init, 1, WIRE_INIT_LEN, f);
	extra = fgetc(f);
	fclose(f);
	if (n != WIRE_INIT_LEN || extra != EOF ||
	    init[1] != WIRE_HANDSHAKE_INIT) {
		fprintf(stderr, "hsflood: %s is no INIT\n", path);
		exit(1);
	}
}

static int
flood(enum mode m, const uint8_t mac1_key[32], const uint8_t *replay,
    uint32_t base, uint32_t hostmask, const struct sockaddr_in *dst,
    long rate, long seconds)
{
	static uint8_t		 pkts[BATCH][PKT_LEN], rnd[BATCH][RND_LEN];
	uint8_t			 key[crypto_stream_chacha20_KEYBYTES];
	uint8_t			 nonce[crypto_stream_chacha20_NONCEBYTES];
	uint64_t		 batches = 0;
	struct mmsghdr		 msgs[BATCH];
	struct iovec		 iov[BATCH];
	struct timespec		 tick = { 0, 1000000 };	/* 1 ms */
	uint64_t		 t0, t, end, due, sent = 0, errors = 0;
	uint64_t		 missed = 0, lag = (uint64_t)rate / 100 + 1;
	int			 fd, i, n, r;

	if ((fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW)) == -1) {
		perror("socket");
		return (1);
	}
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = pkts[i];
		iov[i].iov_len = PKT_LEN;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = (void *)dst;
		msgs[i].msg_hdr.msg_namelen = sizeof(*dst);
	}
	/* A keystream, not a getrandom() per field: the tool's own cost
	 * per datagram stays small beside the kernel's. */
	randombytes_buf(key, sizeof(key));
	t0 = now_ns();
	end = t0 + (uint64_t)seconds * 1000000000ULL;
	/* Paced on the clock: whatever is due by now goes out, so the
	 * rate holds on average even when a tick comes late.  More than
	 * 10 ms behind (a busy host), the rest is missed, not sent in a
	 * burst: the run ends on time and its summary shows the rate
	 * reached. */
	while ((t = now_ns()) < end) {
		due = (t - t0) * (uint64_t)rate / 1000000000ULL;
		if (due > sent + errors + missed + lag)
			missed = due - sent - errors - lag;
		while (sent + errors + missed < due) {
			n = due - sent - errors - missed > BATCH ? BATCH :
			    (int)(due - sent - errors - missed);
			memcpy(nonce, &batches, sizeof(nonce));
			batches++;
			crypto_stream_chacha20(&rnd[0][0], sizeof(rnd), nonce,
			    key);
			for (i = 0; i < n; i++)
				build(pkts[i], rnd[i], m, mac1_key, replay,
				    base, hostmask, dst);
			r = sendmmsg(fd, msgs, (unsigned int)n, 0);
			if (r <= 0) {
				/* ENOBUFS and the like: counted, not
				 * retried, so the rate stays fixed. */
				errors += (uint64_t)n;
				continue;
			}
			sent += (uint64_t)r;
			errors += (uint64_t)(n - r);
		}
		nanosleep(&tick, NULL);
	}
	close(fd);
	t = now_ns() - t0;
	printf("{\"mode\":\"%s\",\"sent\":%llu,\"errors\":%llu,"
	    "\"missed\":%llu,\"seconds\":%.3f,\"rate\":%.0f}\n",
	    m == M_INIT ? "init" : m == M_GARBAGE ? "garbage" : "replay",
	    (unsigned long long)sent, (unsigned long long)errors,
	    (unsigned long long)missed,
	    (double)t / 1e9, (double)sent * 1e9 / (double)t);
	return (0);
}

/* The first INIT to dst seen on ifname within seconds, to path. */
static int
capture(const char *ifname, const char *path, const struct sockaddr_in *dst,
    long seconds)
{
	struct sockaddr_ll	 sll;
	struct pollfd		 pfd;
	uint8_t			 buf[2048];
	const struct iphdr	*ip = (const struct iphdr *)buf;
	const struct udphdr	*udp;
	uint64_t		 end;
	ssize_t			 n;
	size_t			 hl;
	FILE			*f;
	int			 fd;

	if ((fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP))) == -1) {
		perror("socket");
		return (1);
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_IP);
	if ((sll.sll_ifindex = (int)if_nametoindex(ifname)) == 0 ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) == -1) {
		perror(ifname);
		return (1);
	}
	end = now_ns() + (uint64_t)seconds * 1000000000ULL;
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (now_ns() < end) {
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		if ((n = recv(fd, buf, sizeof(buf), 0)) < 20)
			continue;
		hl = (size_t)ip->ihl * 4;
		if (ip->version != 4 || ip->protocol != IPPROTO_UDP ||
		    ip->daddr != dst->sin_addr.s_addr ||
		    (size_t)n != hl + 8 + WIRE_INIT_LEN)
			continue;
		udp = (const struct udphdr *)(buf + hl);
		if (udp->dest != dst->sin_port ||
		    buf[hl + 8 + 1] != WIRE_HANDSHAKE_INIT)
			continue;
		if ((f = fopen(path, "wb")) == NULL ||
		    fwrite(buf + hl + 8, 1, WIRE_INIT_LEN, f) !=
		    WIRE_INIT_LEN || fclose(f) != 0) {
			perror(path);
			return (1);
		}
		printf("{\"captured\":%d}\n", WIRE_INIT_LEN);
		return (0);
	}
	fprintf(stderr, "hsflood: no INIT seen on %s\n", ifname);
	return (1);
}

int
main(int argc, char *argv[])
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	 dst;
	socklen_t		 sslen;
	uint8_t			 mac1_key[32], replay[WIRE_INIT_LEN];
	const char		*key = NULL, *file = NULL, *prefix = NULL;
	const char		*ifname = NULL, *out = NULL;
	enum mode		 m = M_INIT;
	uint32_t		 base = 0, hostmask = 0;
	long			 rate = 0, seconds = 0;
	int			 ch, cap = 0, mset = 0;

	if (sodium_init() == -1)
		return (1);
	memset(mac1_key, 0, sizeof(mac1_key));
	memset(replay, 0, sizeof(replay));
	if (argc > 1 && strcmp(argv[1], "capture") == 0) {
		cap = 1;
		argc--;
		argv++;
	}
	while ((ch = getopt(argc, argv, "f:i:k:m:o:r:s:t:")) != -1) {
		switch (ch) {
		case 'f': file = optarg; break;
		case 'i': ifname = optarg; break;
		case 'k': key = optarg; break;
		case 'o': out = optarg; break;
		case 'r': rate = num(optarg, 1, MAX_RATE); break;
		case 's': prefix = optarg; break;
		case 't': seconds = num(optarg, 1, MAX_SECONDS); break;
		case 'm':
			mset = 1;
			if (strcmp(optarg, "init") == 0)
				m = M_INIT;
			else if (strcmp(optarg, "garbage") == 0)
				m = M_GARBAGE;
			else if (strcmp(optarg, "replay") == 0)
				m = M_REPLAY;
			else
				usage();
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1 || seconds == 0 || parse_addr(argv[0], 1, &ss,
	    &sslen) == -1 || ss.ss_family != AF_INET)
		usage();
	memcpy(&dst, &ss, sizeof(dst));
	if (cap) {
		if (ifname == NULL || out == NULL)
			usage();
		return (capture(ifname, out, &dst, seconds));
	}
	if (!mset || rate == 0 || prefix == NULL ||
	    parse_prefix(prefix, &base, &hostmask) == -1)
		usage();
	if (m == M_INIT) {
		if (key == NULL)
			usage();
		read_key(key, mac1_key);
	} else if (m == M_REPLAY) {
		if (file == NULL)
			usage();
		read_init(file, replay);
	}
	return (flood(m, mac1_key, replay, base, hostmask, &dst, rate,
	    seconds));
}
