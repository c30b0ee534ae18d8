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
 * (now a SOCK_SEQPACKET socketpair moved in batches with sendmmsg and
 * recvmmsg; later a shared-memory ring) is one file, common/pktq.c.
 *
 * Each element is a pktq_hdr followed by an inner frame (frame.h).
 * Receivers validate every element: length, type, ids.
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
	PKTQ_LINK_INFO		/* linkd -> core: struct link_info */
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

struct pktq;

/* Parent: a connected SOCK_SEQPACKET pair with large buffers. */
int		 pktq_socketpair(int[2]);
struct pktq	*pktq_open(int fd);
void		 pktq_close(struct pktq *);
int		 pktq_fd(const struct pktq *);
/* Queue one element; sends the batch when it is full.  -1 with errno
 * EAGAIN when the peer is not draining (the element is dropped). */
int		 pktq_put(struct pktq *, const struct pktq_hdr *,
		    const void *frame, size_t len);
/* Send what is queued.  0 when all went, -1 otherwise (dropped). */
int		 pktq_flush(struct pktq *);
/* Receive up to n (at most PKTQ_BATCH) elements without blocking.
 * Returns the number received (0 if none), or -1 on error (EPIPE: the
 * peer closed); malformed elements are dropped and counted, and at most
 * a few batches of them are read per call (0 may then leave more to
 * read: the fd stays readable).  Elements are never empty: a
 * zero-length datagram reads as the peer closing. */
int		 pktq_get(struct pktq *, struct pktq_elem *, int n);
uint64_t	 pktq_dropped(const struct pktq *);	/* malformed + full */

#endif /* PKTQ_H */
