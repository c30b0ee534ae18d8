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
 * Batched UDP I/O of a linkd: recvmmsg and sendmmsg over fixed,
 * preallocated batches, so the packet path allocates nothing and costs
 * one syscall per batch.  On send, runs of datagrams to the same
 * address go down the stack as one UDP GSO (UDP_SEGMENT) datagram that
 * the kernel or the device cuts again, where the kernel and the route
 * allow it.  Runs in linkd; moves opaque bytes only.
 */

#ifndef UDP_H
#define UDP_H

#include <sys/socket.h>
#include <sys/uio.h>
#include <stddef.h>
#include <stdint.h>

#include "pktq.h"
#include "wire.h"

#define UDP_BATCH	32
#define UDP_BUFSIZE	(PKTQ_FRAME_MAX + WIRE_DATA_OVERHEAD)
/* The kernel's limits on one GSO send: segments (UDP_MAX_SEGMENTS of
 * Linux 4.18 to 6.x) and bytes (one UDP datagram over IPv6, the
 * smaller of the two families). */
#define UDP_GSO_SEGS	64
#define UDP_GSO_BYTES	(65535 - 40 - 8)

/*
 * A run: datagrams first .. first + n - 1 of a batch, to one address,
 * all seg bytes long but the last, which may be shorter.  Invariant:
 * 1 <= n <= the limit it was split at, and the run's bytes fit the
 * byte limit (a run of one datagram is sent as it is).
 */
struct udp_run {
	int			first;
	int			n;
	size_t			seg;
};

struct udp_batch {
	struct mmsghdr		msg[UDP_BATCH];
	struct iovec		iov[UDP_BATCH];
	struct sockaddr_storage	addr[UDP_BATCH];
	size_t			len[UDP_BATCH];
	uint8_t			buf[UDP_BATCH][UDP_BUFSIZE];
	int			n;		/* datagrams in the batch */
	/* send only: the runs and their UDP_SEGMENT control messages */
	struct udp_run		run[UDP_BATCH];
	union {
		struct cmsghdr	align;
		uint8_t		buf[CMSG_SPACE(sizeof(uint16_t))];
	}			ctl[UDP_BATCH];
};

/*
 * Receive with UDP GRO: the kernel may hand over several datagrams of
 * one sender as one, seg bytes each but the last, so a buffer holds
 * the largest UDP datagram.
 */
#define UDP_GRO_BATCH	8
#define UDP_GRO_BUFSIZE	65535

struct udp_gro_batch {
	struct mmsghdr		msg[UDP_GRO_BATCH];
	struct iovec		iov[UDP_GRO_BATCH];
	struct sockaddr_storage	addr[UDP_GRO_BATCH];
	size_t			len[UDP_GRO_BATCH];
	size_t			seg[UDP_GRO_BATCH];	/* 0 < seg, len 0:
							   nothing to use */
	union {
		struct cmsghdr	align;
		uint8_t		buf[CMSG_SPACE(sizeof(int))];
	}			ctl[UDP_GRO_BATCH];
	uint8_t			buf[UDP_GRO_BATCH][UDP_GRO_BUFSIZE];
	int			n;
};

/* What a linkd knows of UDP GSO on its socket. */
enum udp_gso {
	UDP_GSO_UNKNOWN,	/* not probed yet */
	UDP_GSO_ON,		/* the kernel takes it */
	UDP_GSO_NONE,		/* the kernel does not know UDP_SEGMENT */
	UDP_GSO_REFUSED		/* a send was refused with EIO: a device
				   without checksum offload (Linux
				   before 6.11), an IPsec route */
};

/* Receive up to max (at most UDP_BATCH) datagrams: their number, 0 if
 * none, -1. */
int	udp_recv(int, struct udp_batch *, int max);
/* UDP_GRO on (1) or off (0) on a socket: 0, or -1 if refused. */
int	udp_gro_set(int, int);
/* Receive up to max (at most UDP_GRO_BATCH), each one datagram or
 * several coalesced by GRO: the number of entries (some may hold
 * nothing), 0 if none, -1. */
int	udp_recv_gro(int, struct udp_gro_batch *, int max);
/*
 * Segment i of entry k: sets *p, returns its length, 0 past the last.
 * Every segment is one datagram as the sender sent it.
 */
size_t	udp_gro_seg(const struct udp_gro_batch *, int, size_t,
	    const uint8_t **);
/*
 * Split datagrams from .. to - 1 of a batch into runs of at most segs
 * datagrams and bytes bytes (segs 1: one run per datagram); returns
 * the number of runs written to run[].
 */
int	udp_runs(const struct udp_batch *, int, int, int, size_t,
	    struct udp_run *);
/* UDP_GSO_ON if the kernel knows UDP_SEGMENT on this socket, else
 * UDP_GSO_NONE. */
enum udp_gso udp_gso_probe(int);
/*
 * Send the n queued datagrams (buf, len, addr) and empty the batch,
 * runs as one GSO send each while *gso is UDP_GSO_ON.  A GSO send the
 * kernel refuses is sent again one datagram at a time; EIO also sets
 * *gso to UDP_GSO_REFUSED for later batches.  Returns the number of
 * datagrams that failed (counted and logged by the caller, errno of
 * the last failure).
 */
int	udp_send(int, struct udp_batch *, enum udp_gso *);
/* One datagram outside the batch (handshakes, keepalives): 0 or -1. */
int	udp_send_one(int, const void *, size_t,
	    const struct sockaddr_storage *);

#endif /* UDP_H */
