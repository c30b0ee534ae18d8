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
 * The coalescer: the in-order TCP segments of one flow that a flush
 * writes to the TUN device one after another become one super-packet
 * with a virtio_net_hdr (GRO), so the kernel takes them in one write
 * and one pass of its stack.  Only what the kernel's own GRO would
 * merge is merged: the same IP header but for length, id and
 * checksum, the same ports, acknowledgement and options, contiguous
 * sequence numbers, ACK alone (PSH ends a super-packet), segments of
 * the first one's size but for a shorter last one, and checksums that
 * verify (the merged packet's is left to the kernel, so a damaged
 * segment is never hidden inside one), or checksums the peer's
 * segmenter left (gso.h: it never verified them, and neither does the
 * kernel for what it delivers locally).  On a device that takes UDP
 * super-packets (USO), consecutive datagrams of one UDP flow merge the
 * same way (same headers but for length, id and checksum, the first
 * one's size but for a shorter last one, a checksum that verifies: a
 * datagram without one goes alone, as merging would add one); the
 * kernel cuts them into the very datagrams again, or hands them whole
 * to a socket that asked for UDP_GRO.  Anything else is written as it
 * is, after what is pending, so the order of packets is kept.  Pure
 * logic in the core on packets from a peer, untrusted: every header is
 * checked here.
 */

#ifndef GRO_H
#define GRO_H

#include <stddef.h>
#include <stdint.h>

#include "gso.h"

#define GRO_MAX		65535		/* IPv4 total length limit */
#define GRO_UDP_SEGS	64		/* the fewest datagrams a kernel
					   takes in one UDP super-packet */

enum gro_verdict {
	GRO_MERGED,	/* the packet is in the pending super-packet */
	GRO_FLUSH,	/* write the pending one (gro_take), add again */
	GRO_ALONE,	/* not for coalescing: write it as it is */
};

/* The pending super-packet; fields private to gro.c. */
struct gro {
	int		 uso;		/* set by the user: UDP may merge */
	uint8_t		 buf[VNET_HDR_LEN + GRO_MAX];
	size_t		 len;		/* its bytes after the header, 0: none */
	size_t		 l3len;
	size_t		 hlen;		/* IP and TCP or UDP headers */
	int		 proto;
	size_t		 mss;		/* the first segment's payload */
	uint32_t	 next_seq;
	uint16_t	 next_id;
	int		 v6;
	int		 nseg;
	int		 closed;	/* nothing may follow: PSH, short */
	int		 csum_left;	/* a segment's checksum was left */
};

/* Offer packet pkt (len bytes, a whole IP packet); csum_left: its TCP
 * or UDP checksum holds the pseudo-header's sum only, and is not
 * verified.  A packet left so and not taken (GRO_ALONE) must be
 * completed (gso_csum_fill()) before it is written. */
enum gro_verdict gro_add(struct gro *, const uint8_t *pkt, size_t len,
		    int csum_left);
/* The pending packet behind its header (*len bytes in all), emptied;
 * NULL if none.  A single segment goes as it came, header zero, unless
 * its checksum was left: then the header leaves it to the kernel. */
const uint8_t	*gro_take(struct gro *, size_t *len);

#endif /* GRO_H */
