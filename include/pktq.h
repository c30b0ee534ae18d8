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
 * The packet queue between the core and a linkd.  This is the only
 * interface either side uses for packets, so the transport behind it
 * (a shared-memory ring per direction, with a socketpair for the
 * handover and for noticing a closed peer) is one file, common/pktq.c.
 *
 * Each element is a pktq_hdr followed by an inner frame (frame.h).
 * Receivers get a private copy of every element and validate it:
 * length, type, ids.
 */

#ifndef PKTQ_H
#define PKTQ_H

#include <stddef.h>
#include <stdint.h>

#define PKTQ_BATCH	64
#define PKTQ_FRAME_MAX	9216		/* largest inner frame */

enum pktq_type {
	PKTQ_DATA = 1,		/* an inner frame for/from a peer */
	PKTQ_SESSION_UP,	/* linkd -> core: session usable */
	PKTQ_SESSION_DOWN,	/* linkd -> core: session gone */
	PKTQ_LINK_INFO,		/* linkd -> core: struct link_info */
	PKTQ_LINK_HELD		/* core -> linkd: struct link_held */
};

struct pktq_hdr {
	uint8_t		type;		/* enum pktq_type */
	uint8_t		link_id;	/* the client's link index */
	uint16_t	peer;		/* peer index in the config */
	uint32_t	len;		/* frame bytes that follow */
};

struct pktq_elem {
	struct pktq_hdr	hdr;
	uint8_t		frame[PKTQ_FRAME_MAX];
};

/* The most an element of len frame bytes takes in the queue. */
#define PKTQ_ELEM_COST(len)	(sizeof(struct pktq_hdr) + (size_t)(len) + 16)

struct pktq;

/* Parent: a connected SOCK_SEQPACKET pair, each end carrying the
 * fds of its holder's two rings, to be taken by pktq_open. */
int		 pktq_socketpair(int[2]);
/* Either side: takes the rings from the socket and maps them. */
struct pktq	*pktq_open(int fd);
void		 pktq_close(struct pktq *);
/* Wait for either fd to be readable, then call pktq_get: the socket
 * tells of a closed peer, the eventfd of elements. */
int		 pktq_fd(const struct pktq *);
int		 pktq_wake_fd(const struct pktq *);
/* Queue one element; publishes the batch when it is full.  -1 with
 * errno EAGAIN when the ring is full (the element is dropped). */
int		 pktq_put(struct pktq *, const struct pktq_hdr *,
		    const void *frame, size_t len);
/* Bytes of elements (each counted as PKTQ_ELEM_COST) the queue surely
 * takes now.  Below want, the peer is asked to signal pktq_wake_fd
 * once it has read some: a producer that stops for room instead of
 * losing elements waits there. */
size_t		 pktq_room(struct pktq *, size_t want);
/* Publish what is queued, waking the peer if it had drained.  0, or
 * -1 if the eventfd failed. */
int		 pktq_flush(struct pktq *);
/* Receive up to n (at most PKTQ_BATCH) elements without blocking.
 * Returns the number received (0 if none), or -1 on error (EPIPE: the
 * peer closed); malformed elements are dropped and counted, and at most
 * a few batches of them are read per call (0 may then leave more to
 * read: the eventfd is signalled again). */
int		 pktq_get(struct pktq *, struct pktq_elem *, int n);
uint64_t	 pktq_dropped(const struct pktq *);	/* malformed + full */
/* What a hostile peer can write: any bytes as one element, published
 * at once (tests and fuzzers). */
int		 pktq_put_raw(struct pktq *, const void *, size_t);

#endif /* PKTQ_H */
