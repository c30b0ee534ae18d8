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
 * The coalescer (gro.h).  Runs in the core, sandboxed and unprivileged;
 * holds no keys.  Its packets come from a peer: authenticated by linkd
 * but not trusted, so every header is parsed and every checksum
 * verified before a segment is merged.
 */

#include <string.h>

#include "csum.h"
#include "gro.h"
#include "netbytes.h"

#define PROTO_TCP	6
#define PROTO_UDP	17
#define TCP_PSH		0x08
#define TCP_ACK		0x10
#define IP4_DF		0x4000

/* A TCP segment or UDP datagram that may be coalesced. */
struct seg {
	size_t		l3len, hlen, plen;
	uint32_t	seq;
	uint16_t	id;
	uint8_t		flags;
	int		v6;
	int		proto;
};

/* A whole unfragmented UDP datagram with a payload and a checksum that
 * verifies, or one the sender left (t: its UDP header). */
static int
udp_parse(const uint8_t *p, size_t len, const uint8_t *t, int left,
    struct seg *s)
{
	if (len < s->l3len + 8 || get16(t + 4) != len - s->l3len ||
	    (!left && get16(t + 6) == 0))
		return -1;
	s->hlen = s->l3len + 8;
	if ((s->plen = len - s->hlen) == 0)
		return -1;
	if (!left && csum_l4(p, s->v6, t, len - s->l3len, PROTO_UDP) != 0)
		return -1;
	return 0;
}

/*
 * A whole unfragmented TCP segment with a payload, ACK or ACK|PSH only
 * (SYN, FIN, RST, URG and the ECN signals go alone, as the kernel's
 * GRO flushes on them), whose IPv4 header and TCP checksums verify (the
 * TCP one unless the sender left it: left); or with uso, a UDP datagram
 * (udp_parse()).
 */
static int
seg_parse(const uint8_t *p, size_t len, int uso, int left, struct seg *s)
{
	const uint8_t	*t;

	memset(s, 0, sizeof(*s));
	if (len < 20)
		return -1;
	if (p[0] >> 4 == 4) {
		s->l3len = (size_t)(p[0] & 0x0f) * 4;
		s->proto = p[9];
		if (s->l3len < 20 || get16(p + 2) != len ||
		    (get16(p + 6) & 0x3fff) != 0 ||
		    csum_ip4(p, s->l3len) != get16(p + 10))
			return -1;
		s->id = get16(p + 4);
	} else if (p[0] >> 4 == 6) {
		if (len < 40 || (size_t)get16(p + 4) + 40 != len)
			return -1;
		s->proto = p[6];
		s->v6 = 1;
		s->l3len = 40;
	} else
		return -1;
	if (len < s->l3len + 8)
		return -1;
	t = p + s->l3len;
	if (s->proto == PROTO_UDP && uso)
		return udp_parse(p, len, t, left, s);
	if (s->proto != PROTO_TCP || len < s->l3len + 20)
		return -1;
	s->hlen = s->l3len + (size_t)(t[12] >> 4) * 4;
	if (s->hlen < s->l3len + 20 || s->hlen >= len)
		return -1;
	s->plen = len - s->hlen;
	s->seq = get32(t + 4);
	s->flags = t[13];
	if ((s->flags & ~TCP_PSH) != TCP_ACK)
		return -1;
	/* The sum over a segment and its right checksum is 0xffff. */
	if (!left && csum_l4(p, s->v6, t, len - s->l3len, PROTO_TCP) != 0)
		return -1;
	return 0;
}

/* Segment s of packet p continues the pending super-packet. */
static int
seg_follows(const struct gro *g, const uint8_t *p, const struct seg *s)
{
	const uint8_t	*q = g->buf + VNET_HDR_LEN;
	const uint8_t	*t = p + s->l3len, *u = q + g->l3len;

	if (g->closed || s->proto != g->proto || s->v6 != g->v6 ||
	    s->l3len != g->l3len || s->hlen != g->hlen || s->plen > g->mss ||
	    g->len + s->plen > GRO_MAX ||
	    (s->proto == PROTO_TCP && s->seq != g->next_seq) ||
	    (s->proto == PROTO_UDP && g->nseg >= GRO_UDP_SEGS))
		return 0;
	if (g->v6) {
		/* Traffic class, flow label, hop limit, addresses. */
		if (memcmp(p, q, 4) != 0 || memcmp(p + 6, q + 6, 34) != 0)
			return 0;
	} else {
		/* TOS, DF, TTL, addresses, options; the id counts on
		 * unless DF makes it meaningless (RFC 6864). */
		if (memcmp(p, q, 2) != 0 || memcmp(p + 6, q + 6, 4) != 0 ||
		    memcmp(p + 12, q + 12, g->l3len - 12) != 0 ||
		    (!(get16(p + 6) & IP4_DF) && s->id != g->next_id))
			return 0;
	}
	if (s->proto == PROTO_UDP)
		return memcmp(t, u, 4) == 0;	/* ports */
	/* Ports, acknowledgement, header length, options. */
	return memcmp(t, u, 4) == 0 && memcmp(t + 8, u + 8, 5) == 0 &&
	    memcmp(t + 20, u + 20, g->hlen - g->l3len - 20) == 0;
}

enum gro_verdict
gro_add(struct gro *g, const uint8_t *pkt, size_t len, int csum_left)
{
	struct seg	 s;
	uint8_t		*q = g->buf + VNET_HDR_LEN;

	if (seg_parse(pkt, len, g->uso, csum_left, &s) == -1)
		return g->len != 0 ? GRO_FLUSH : GRO_ALONE;
	if (g->len == 0) {
		memcpy(q, pkt, len);
		g->len = len;
		g->csum_left = 0;
		g->l3len = s.l3len;
		g->hlen = s.hlen;
		g->mss = s.plen;
		g->v6 = s.v6;
		g->proto = s.proto;
		g->nseg = 1;
	} else if (seg_follows(g, pkt, &s)) {
		memcpy(q + g->len, pkt + s.hlen, s.plen);
		g->len += s.plen;
		g->nseg++;
		/* The newest window and PSH. */
		if (s.proto == PROTO_TCP) {
			memcpy(q + g->l3len + 14, pkt + s.l3len + 14, 2);
			q[g->l3len + 13] |= s.flags & TCP_PSH;
		}
	} else
		return GRO_FLUSH;
	g->csum_left |= csum_left;
	g->next_seq = s.seq + (uint32_t)s.plen;
	g->next_id = (uint16_t)(s.id + 1);
	g->closed = (s.flags & TCP_PSH) || s.plen < g->mss;
	return GRO_MERGED;
}

/*
 * A super-packet: its own lengths and IPv4 header checksum, the TCP or
 * UDP checksum left to the kernel (the field holds the pseudo-header's
 * sum over the whole length, which the kernel adjusts per segment),
 * cut by the kernel at the first segment's size if it must be.  A
 * single segment goes as it came, but one whose checksum the sender
 * left is left to the kernel the same way.
 */
const uint8_t *
gro_take(struct gro *g, size_t *len)
{
	struct vnet_hdr	 h;
	uint8_t		*q = g->buf + VNET_HDR_LEN;

	if (g->len == 0)
		return NULL;
	memset(&h, 0, sizeof(h));
	if (g->nseg > 1) {
		if (g->v6)
			put16(q + 4, (uint16_t)(g->len - 40));
		else {
			put16(q + 2, (uint16_t)g->len);
			put16(q + 10, csum_ip4(q, g->l3len));
		}
		h.hdr_len = (uint16_t)g->hlen;
		h.gso_size = (uint16_t)g->mss;
		if (g->proto == PROTO_UDP) {
			put16(q + g->l3len + 4, (uint16_t)(g->len - g->l3len));
			h.gso_type = VNET_GSO_UDP_L4;
		} else
			h.gso_type = g->v6 ? VNET_GSO_TCPV6 : VNET_GSO_TCPV4;
	}
	if (g->nseg > 1 || g->csum_left) {
		h.flags = VNET_F_NEEDS_CSUM;
		h.csum_start = (uint16_t)g->l3len;
		h.csum_offset = g->proto == PROTO_UDP ? 6 : 16;
		put16(q + g->l3len + h.csum_offset, csum_pseudo(q, g->v6,
		    g->len - g->l3len, g->proto));
	}
	vnet_hdr_encode(g->buf, &h);
	*len = VNET_HDR_LEN + g->len;
	g->len = 0;
	return g->buf;
}
