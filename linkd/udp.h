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
 * one syscall per batch.  Runs in linkd; moves opaque bytes only.
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

struct udp_batch {
	struct mmsghdr		msg[UDP_BATCH];
	struct iovec		iov[UDP_BATCH];
	struct sockaddr_storage	addr[UDP_BATCH];
	size_t			len[UDP_BATCH];
	uint8_t			buf[UDP_BATCH][UDP_BUFSIZE];
	int			n;		/* datagrams in the batch */
};

/* Receive up to UDP_BATCH datagrams: their number, 0 if none, -1. */
int	udp_recv(int, struct udp_batch *);
/*
 * Send the n queued datagrams (buf, len, addr) and empty the batch.
 * Returns the number that failed (counted and logged by the caller).
 */
int	udp_send(int, struct udp_batch *);
/* One datagram outside the batch (handshakes, keepalives): 0 or -1. */
int	udp_send_one(int, const void *, size_t,
	    const struct sockaddr_storage *);

#endif /* UDP_H */
