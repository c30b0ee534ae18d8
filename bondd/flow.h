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
 * Flows of inner IP packets: identification (5-tuple hash, IPv4 and
 * IPv6), realtime classification, the table that pins realtime flows
 * to a link, and TCP MSS clamping.  Pure logic in the core on packets
 * read from the TUN device or from a peer: every length is checked.
 */

#ifndef FLOW_H
#define FLOW_H

#include <stddef.h>
#include <stdint.h>

#define FLOW_DSCP_EF		46
#define FLOW_PIN_SIZE		1024	/* power of two */
#define FLOW_PIN_PROBE		8	/* slots tried per hash */
#define FLOW_PIN_EXPIRE_US	30000000ULL

/*
 * What identifies a flow.  Fragments (IPv4 MF or offset, any IPv6
 * fragment header) and protocols other than TCP, UDP and ICMP echo
 * carry no ports, so all pieces of one datagram map to one flow.
 */
struct flow_key {
	uint8_t		family;		/* 4 or 6 */
	uint8_t		proto;		/* after IPv6 extension headers */
	uint8_t		dscp;
	uint8_t		frag;		/* 1: a fragment, no ports */
	uint8_t		src[16];	/* IPv4 in the first 4 bytes */
	uint8_t		dst[16];
	uint16_t	sport;		/* ICMP echo: the identifier */
	uint16_t	dport;
};

struct flow_pin {
	uint32_t	hash;
	int		link;		/* -1: free slot */
	uint64_t	last_us;
};

struct flow_table {
	struct flow_pin	pin[FLOW_PIN_SIZE];
	uint64_t	rehomed;	/* pins dropped by flow_unpin_link */
	uint64_t	evicted;	/* pins pushed out by a full probe run */
};

/* Parse an IP packet; 0, or -1 if it is not a valid IPv4/IPv6 header. */
int	 flow_parse(const uint8_t *, size_t, struct flow_key *);
/* Seeded hash of a key (per direction: a->b and b->a differ). */
uint32_t flow_hash(const struct flow_key *, uint32_t);
/* Both at once: 0 and *hash, or -1 for a packet that is not IP. */
int	 flow_id(const uint8_t *, size_t, uint32_t, uint32_t *);
/* 1 if the packet is realtime: DSCP EF, or a UDP (TCP) packet whose
 * source or destination port is in the udp (tcp) list. */
int	 flow_is_realtime(const uint8_t *, size_t, const uint16_t *, int,
	    const uint16_t *, int);

void	 flow_table_init(struct flow_table *);
/* The link hash is pinned to (refreshing it), or -1: none or expired. */
int	 flow_pin_lookup(struct flow_table *, uint32_t, uint64_t);
/* Pin hash to link, replacing an older pin or the stalest of its slots. */
void	 flow_pin_set(struct flow_table *, uint32_t, int, uint64_t);
/* Link failed: unpin every flow on it, so that the next packet of each
 * picks a link again.  Returns how many moved (also added to rehomed). */
int	 flow_unpin_link(struct flow_table *, int);

/* Lower the MSS option of a TCP SYN (IPv4 or IPv6) to mss, fixing the
 * checksum incrementally (RFC 1624).  1 if changed, else 0. */
int	 flow_tcp_mss_clamp(uint8_t *, size_t, uint16_t);

#endif /* FLOW_H */
