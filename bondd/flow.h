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
 * IPv6), realtime classification, the sender's table of flows (the
 * link a flow keeps to, whether it outgrew it, the last frame that
 * carried it), and TCP MSS clamping.  Pure logic in the core on packets
 * read from the TUN device or from a peer: every length is checked.
 */

#ifndef FLOW_H
#define FLOW_H

#include <stddef.h>
#include <stdint.h>

#define FLOW_DSCP_EF		46
#define FLOW_TABLE_SIZE		4096	/* power of two */
#define FLOW_PROBE		8	/* slots tried per hash */
#define FLOW_EXPIRE_US		30000000ULL
#define FLOW_REPIN_US		1000000ULL	/* idle: pick a link again */
/* Sparse: no more than this many bytes in any window of this length. */
#define FLOW_SPARSE_BYTES	3000
#define FLOW_SPARSE_US		20000ULL

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

/*
 * A flow as the sender sees it.  A flow keeps to one link (so its
 * packets never overtake each other) until it outgrows it; then it is
 * bulk and every packet takes the link where it arrives first.
 */
struct flow_ent {
	uint32_t	hash;
	int8_t		link;		/* the link it keeps to, -1: none */
	uint8_t		used;
	uint8_t		bulk;		/* spread over the links */
	uint8_t		has_seq;
	uint32_t	last_seq;	/* the last frame that carried it */
	uint64_t	last_us;	/* last packet */
	uint8_t		dense;		/* was not sparse since pinned */
	uint32_t	window_bytes;	/* sent in the window from */
	uint64_t	window_us;
};

struct flow_table {
	struct flow_ent	ent[FLOW_TABLE_SIZE];
	uint64_t	rehomed;	/* flows moved off a failed link */
	uint64_t	evicted;	/* flows pushed out by a full probe run */
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
/*
 * The flow of hash, made afresh if it is new or was idle more than
 * FLOW_EXPIRE_US (in place of the stalest of its slots when they are
 * all taken); one idle more than FLOW_REPIN_US keeps its last frame but
 * not its link nor its bulk mark.  Marked active at now.  Never NULL.
 */
struct flow_ent *flow_get(struct flow_table *, uint32_t, uint64_t);
/*
 * Count a packet of len bytes of flow f: 1 while the flow is sparse
 * (pings, name lookups, voice, game updates, a TCP handshake, the ACKs
 * of a modest download), 0 once it sent more than FLOW_SPARSE_BYTES in
 * a FLOW_SPARSE_US window; then it stays dense until it is idle long
 * enough to pick its link again.
 * Invariant: every packet of a flow while sparse was counted sparse,
 * and a dense flow turns sparse only after FLOW_REPIN_US idle, so a
 * sparse packet that skips the link's queue never overtakes an
 * earlier packet of its own flow still waiting there.
 */
int	 flow_sparse(struct flow_ent *, size_t, uint64_t);
/* Link failed: every flow on it picks a link again with its next
 * packet.  Returns how many moved (also added to rehomed). */
int	 flow_unpin_link(struct flow_table *, int);

/* Lower the MSS option of a TCP SYN (IPv4 or IPv6) to mss, fixing the
 * checksum incrementally (RFC 1624).  1 if changed, else 0. */
int	 flow_tcp_mss_clamp(uint8_t *, size_t, uint16_t);

#endif /* FLOW_H */
