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
 * Encoders and decoders of the inner frame in frame.h.  Byte order is
 * spelled out with shifts, so nothing depends on the host or on struct
 * layout.  Runs in the core and in linkd on frames linkd authenticated,
 * trusted no more than the network: every decoder checks the length
 * before it reads a field.  The parent only asks for the overhead of
 * a link.  Holds no secrets.
 */

#include <sys/socket.h>

#include <string.h>

#include "frame.h"

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 |
	    (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint32_t
frame_outer_overhead(int family)
{
	return family == AF_INET6 ? FRAME_OUTER_OVERHEAD6 :
	    FRAME_OUTER_OVERHEAD4;
}

size_t
inner_hdr_encode(uint8_t *p, const struct inner_hdr *h)
{
	p[0] = h->kind;
	p[1] = h->flags;
	put16(p + 2, h->epoch);
	put32(p + 4, h->seq);
	put32(p + 8, h->send_ts_us);
	put16(p + 12, h->link_prev);
	put16(p + 14, h->flow_dep);
	return INNER_HDR_LEN;
}

int
inner_hdr_decode(const uint8_t *p, size_t len, struct inner_hdr *h)
{
	if (len < INNER_HDR_LEN)
		return WIRE_ESHORT;
	switch (p[0]) {
	case INNER_DATA:
	case INNER_KEEPALIVE:
	case INNER_PROBE:
	case INNER_NACK:
	case INNER_FEC:
		break;
	default:
		return WIRE_ETYPE;
	}
	if (p[1] & ~INNER_F_ALL)
		return WIRE_ERESERVED;
	h->kind = p[0];
	h->flags = p[1];
	h->epoch = get16(p + 2);
	h->seq = get32(p + 4);
	h->send_ts_us = get32(p + 8);
	h->link_prev = get16(p + 12);
	h->flow_dep = get16(p + 14);
	return WIRE_OK;
}

int
frame_is_core(const uint8_t *p, size_t len)
{
	return len >= INNER_HDR_LEN &&
	    (p[0] == INNER_DATA || p[0] == INNER_NACK || p[0] == INNER_FEC);
}

size_t
frame_rec_put(uint8_t *out, size_t size, size_t *off, const uint8_t *pkt,
    size_t len, unsigned int flags)
{
	if (len == 0 || len > INNER_REC_LEN_MAX || *off > size ||
	    size - *off < INNER_REC_HDR_LEN + len)
		return 0;
	put16(out + *off, (uint16_t)(len | (flags & INNER_REC_CSUM_LEFT)));
	memcpy(out + *off + INNER_REC_HDR_LEN, pkt, len);
	*off += INNER_REC_HDR_LEN + len;
	return INNER_REC_HDR_LEN + len;
}

int
frame_rec_next(const uint8_t *recs, size_t len, size_t *off,
    const uint8_t **pkt, size_t *plen, unsigned int *flags)
{
	size_t	n;

	if (*off == len)
		return 0;
	if (*off > len || len - *off < INNER_REC_HDR_LEN)
		return -1;
	n = get16(recs + *off);
	*flags = n & INNER_REC_CSUM_LEFT;
	n &= INNER_REC_LEN_MAX;
	*off += INNER_REC_HDR_LEN;
	if (n == 0 || n > len - *off)
		return -1;
	*pkt = recs + *off;
	*plen = n;
	*off += n;
	return 1;
}

size_t
frame_nack_put(uint8_t *out, const uint32_t *seqs, size_t n)
{
	size_t	i;

	put16(out, (uint16_t)n);
	put16(out + 2, 0);
	for (i = 0; i < n; i++)
		put32(out + INNER_NACK_HDR_LEN + i * 4, seqs[i]);
	return INNER_NACK_LEN(n);
}

int
frame_nack_get(const uint8_t *body, size_t len, uint32_t *seqs, size_t *n)
{
	size_t	count, i;

	if (len < INNER_NACK_HDR_LEN)
		return -1;
	count = get16(body);
	if (count > INNER_NACK_MAX || len != INNER_NACK_LEN(count))
		return -1;
	for (i = 0; i < count; i++)
		seqs[i] = get32(body + INNER_NACK_HDR_LEN + i * 4);
	*n = count;
	return 0;
}
