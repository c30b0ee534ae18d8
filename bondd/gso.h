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
 * The TUN device's offload header (virtio_net_hdr) and the segmenter:
 * with offload on, the kernel hands the core TCP super-packets of up
 * to 64 KiB (TSO, and UDP ones from UDP_SEGMENT senders where it has
 * USO) and packets whose checksum is left to the reader (NEEDS_CSUM).
 * gso_start() checks such a packet and gso_next() cuts it into the
 * inner packets the sender would have sent without offload, each with
 * its own IP length, IPv4 id and header checksum, TCP sequence number
 * and flags, and a complete L4 checksum, so that everything after it
 * sees plain packets; or, asked with gso_leave_csum(), the L4 checksum
 * left as the kernel left it, the pseudo-header's sum, for the peer to
 * complete (gso_csum_fill()) or to leave to its own kernel: a full
 * pass over every byte saved on each end.  IPv6 hop-by-hop and
 * destination options go into every segment; what cannot be copied so
 * (a fragment, AH, a routing header with segments left) is refused.
 * Pure logic in the core on packets read from the TUN device, which
 * are untrusted: the IP and L4 headers are parsed and checked here,
 * the header's hdr_len and csum fields are hints only.
 */

#ifndef GSO_H
#define GSO_H

#include <stddef.h>
#include <stdint.h>

/* struct virtio_net_hdr as the TUN device reads and writes it. */
#define VNET_HDR_LEN		10
#define VNET_F_NEEDS_CSUM	0x01
#define VNET_F_DATA_VALID	0x02
#define VNET_GSO_NONE		0
#define VNET_GSO_TCPV4		1
#define VNET_GSO_TCPV6		4
#define VNET_GSO_UDP_L4		5
#define VNET_GSO_ECN		0x80

struct vnet_hdr {
	uint8_t		flags;
	uint8_t		gso_type;
	uint16_t	hdr_len;	/* IP and L4 headers */
	uint16_t	gso_size;	/* payload bytes per segment */
	uint16_t	csum_start;
	uint16_t	csum_offset;
};

/* A super-packet being cut; fields private to gso.c. */
struct gso_split {
	uint8_t		*pkt;
	size_t		 len;
	size_t		 l3len;		/* IP header, IPv6 extensions */
	size_t		 hlen;		/* IP and L4 headers */
	size_t		 mss;		/* 0: a single packet, as it is */
	size_t		 off;		/* next payload byte, from hlen */
	int		 v6;
	int		 tcp;
	int		 done;
	int		 csum_left;	/* the pseudo-header's sum stays */
	uint16_t	 nseg;
};

/* The TUN device's header is in host byte order (legacy virtio). */
void	 vnet_hdr_decode(const uint8_t *, struct vnet_hdr *);
void	 vnet_hdr_encode(uint8_t *, const struct vnet_hdr *);
/* Start on packet pkt (len bytes) read after header h: 0, or -1 if it
 * is malformed or of a kind that cannot be cut (dropped whole).  A
 * NEEDS_CSUM packet that is not cut gets its checksum here, in place. */
int	 gso_start(struct gso_split *, const struct vnet_hdr *h, uint8_t *pkt,
	    size_t len);
/* The next inner packet and its length in *len, NULL when all are out:
 * the packet itself if it is not cut, else built in out (outlen bytes,
 * at least the largest segment: headers and gso_size).  A super-packet
 * whose segment would not fit in out yields none. */
uint8_t	*gso_next(struct gso_split *, uint8_t *out, size_t outlen,
	    size_t *len);
/* After gso_start: the segments of a super-packet keep the pseudo-
 * header's sum in their L4 checksum field.  1 if they will (a packet
 * not cut is complete already), else 0. */
int	 gso_leave_csum(struct gso_split *);
/* A whole TCP or UDP packet (IPv4, or IPv6 with the extension headers
 * gso_start() takes) gets its complete L4 checksum in place, whatever
 * its checksum field held: 0, or -1 if it is no such packet. */
int	 gso_csum_fill(uint8_t *pkt, size_t len);

#endif /* GSO_H */
