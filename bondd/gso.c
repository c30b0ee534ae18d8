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
 * The segmenter: TUN super-packets cut into the packets the sender
 * would have sent without offload, and checksums left to the reader
 * completed (gso.h).  Runs in the core, sandboxed and unprivileged;
 * holds no keys.  Its input comes from the TUN device and is untrusted:
 * every header is parsed and every length checked before use.
 */

#include <string.h>

#include "csum.h"
#include "gso.h"
#include "ip6.h"
#include "netbytes.h"

#define IP4_HDR_MIN	20
#define TCP_HDR_MIN	20
#define UDP_HDR_LEN	8
#define PROTO_TCP	6
#define PROTO_UDP	17
#define TCP_FIN		0x01
#define TCP_PSH		0x08
#define TCP_CWR		0x80

void
vnet_hdr_decode(const uint8_t *b, struct vnet_hdr *h)
{
	h->flags = b[0];
	h->gso_type = b[1];
	memcpy(&h->hdr_len, b + 2, 2);
	memcpy(&h->gso_size, b + 4, 2);
	memcpy(&h->csum_start, b + 6, 2);
	memcpy(&h->csum_offset, b + 8, 2);
}

void
vnet_hdr_encode(uint8_t *b, const struct vnet_hdr *h)
{
	b[0] = h->flags;
	b[1] = h->gso_type;
	memcpy(b + 2, &h->hdr_len, 2);
	memcpy(b + 4, &h->gso_size, 2);
	memcpy(b + 6, &h->csum_start, 2);
	memcpy(b + 8, &h->csum_offset, 2);
}

/*
 * The checksum the kernel left to us: the field holds the sum of the
 * pseudo-header; the sum from csum_start to the end, complemented, goes
 * in its place (0 written as 0xffff: the same for TCP, and what UDP
 * needs, 0 meaning none there).
 */
static int
csum_complete(uint8_t *pkt, size_t len, size_t start, size_t off)
{
	uint16_t	c;

	if (start >= len || off + 2 > len - start)
		return -1;
	c = csum_bytes(pkt + start, len - start);
	put16(pkt + start + off, c == 0 ? 0xffff : c);
	return 0;
}

/*
 * The IP and TCP or UDP headers of a super-packet; -1 if it is not
 * one whole unfragmented TCP or UDP packet.  IPv6 extension headers
 * are copied into every segment as they are, so only those that stay
 * true for each one pass: hop-by-hop and destination options, and a
 * routing header with no segments left.  AH signs the payload and a
 * routing header still to be followed names another destination for
 * the checksum: those, and fragments, are refused.
 */
static int
parse_headers(struct gso_split *g, const uint8_t *p, size_t len)
{
	struct ip6_chain c;
	int		 proto;

	if (len < IP4_HDR_MIN)
		return -1;
	if (p[0] >> 4 == 4) {
		g->l3len = (size_t)(p[0] & 0x0f) * 4;
		if (g->l3len < IP4_HDR_MIN || get16(p + 2) != len ||
		    (get16(p + 6) & 0x3fff) != 0)
			return -1;
		proto = p[9];
	} else if (p[0] >> 4 == 6) {
		if (len < IP6_HDR_LEN ||
		    (size_t)get16(p + 4) + IP6_HDR_LEN != len ||
		    ip6_chain(p, len, &c) == -1 || c.frag || c.ah ||
		    c.routing)
			return -1;
		g->v6 = 1;
		g->l3len = c.off;
		proto = c.proto;
	} else
		return -1;
	if (proto == PROTO_TCP) {
		if (len < g->l3len + TCP_HDR_MIN)
			return -1;
		g->tcp = 1;
		g->hlen = g->l3len + (size_t)(p[g->l3len + 12] >> 4) * 4;
		if (g->hlen < g->l3len + TCP_HDR_MIN)
			return -1;
	} else if (proto == PROTO_UDP)
		g->hlen = g->l3len + UDP_HDR_LEN;
	else
		return -1;
	return g->hlen < len ? 0 : -1;
}

int
gso_start(struct gso_split *g, const struct vnet_hdr *h, uint8_t *pkt,
    size_t len)
{
	int	type = h->gso_type & ~VNET_GSO_ECN;

	memset(g, 0, sizeof(*g));
	g->pkt = pkt;
	g->len = len;
	if (type == VNET_GSO_NONE) {
		if ((h->flags & VNET_F_NEEDS_CSUM) &&
		    csum_complete(pkt, len, h->csum_start, h->csum_offset) == -1)
			return -1;
		return 0;
	}
	if (h->gso_size == 0 || parse_headers(g, pkt, len) == -1)
		return -1;
	switch (type) {
	case VNET_GSO_TCPV4:
		if (g->v6 || !g->tcp)
			return -1;
		break;
	case VNET_GSO_TCPV6:
		if (!g->v6 || !g->tcp)
			return -1;
		break;
	case VNET_GSO_UDP_L4:
		if (g->tcp)
			return -1;
		break;
	default:
		return -1;
	}
	g->mss = h->gso_size;
	return 0;
}

/*
 * The L4 checksum of packet pkt (len bytes, headers as in g): complete,
 * or with left the pseudo-header's sum only (what the kernel leaves).
 */
static void
l4_csum(const struct gso_split *g, uint8_t *pkt, size_t len, int left)
{
	uint8_t		*l4 = pkt + g->l3len;
	size_t		 off = g->tcp ? 16 : 6;
	int		 proto = g->tcp ? PROTO_TCP : PROTO_UDP;
	uint16_t	 ck;

	if (left) {
		put16(l4 + off, csum_pseudo(pkt, g->v6, len - g->l3len, proto));
		return;
	}
	put16(l4 + off, 0);
	ck = csum_l4(pkt, g->v6, l4, len - g->l3len, proto);
	/* 0 means none in UDP. */
	put16(l4 + off, ck == 0 && !g->tcp ? 0xffff : ck);
}

/*
 * Segment k of n: the headers of the super-packet with its own lengths,
 * IPv4 id (the sender's next ids), TCP sequence number, FIN and PSH on
 * the last segment only and CWR on the first only (as the kernel's own
 * segmentation does), and complete checksums, or the pseudo-header's
 * sum in the L4 one (gso_leave_csum()).
 */
uint8_t *
gso_next(struct gso_split *g, uint8_t *out, size_t outlen, size_t *len)
{
	size_t		 pay = g->len - g->hlen, c, n;
	uint8_t		*l4 = out + g->l3len;
	int		 last;

	if (g->done)
		return NULL;
	if (g->mss == 0) {
		g->done = 1;
		*len = g->len;
		return g->pkt;
	}
	c = pay - g->off < g->mss ? pay - g->off : g->mss;
	n = g->hlen + c;
	if (n > outlen) {
		g->done = 1;
		return NULL;
	}
	last = g->off + c == pay;
	memcpy(out, g->pkt, g->hlen);
	memcpy(out + g->hlen, g->pkt + g->hlen + g->off, c);
	if (g->v6)
		put16(out + 4, (uint16_t)(n - IP6_HDR_LEN));
	else {
		put16(out + 2, (uint16_t)n);
		put16(out + 4, (uint16_t)(get16(g->pkt + 4) + g->nseg));
		put16(out + 10, csum_ip4(out, g->l3len));
	}
	if (g->tcp) {
		put32(l4 + 4, get32(g->pkt + g->l3len + 4) + (uint32_t)g->off);
		if (!last)
			l4[13] &= (uint8_t)~(TCP_FIN | TCP_PSH);
		if (g->nseg > 0)
			l4[13] &= (uint8_t)~TCP_CWR;
	} else
		put16(l4 + 4, (uint16_t)(n - g->l3len));
	l4_csum(g, out, n, g->csum_left);
	g->off += c;
	g->nseg++;
	g->done = last;
	*len = n;
	return out;
}

int
gso_leave_csum(struct gso_split *g)
{
	g->csum_left = g->mss != 0;
	return g->csum_left;
}

int
gso_csum_fill(uint8_t *pkt, size_t len)
{
	struct gso_split g;

	memset(&g, 0, sizeof(g));
	if (parse_headers(&g, pkt, len) == -1)
		return -1;
	l4_csum(&g, pkt, len, 0);
	return 0;
}
