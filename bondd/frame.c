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
 * Inner frames: build one from a packet, walk the packets of one, and
 * check that bytes are an IP packet.  Runs in the core.
 */

#include <sys/socket.h>

#include <string.h>

#include "frame.h"
#include "wire.h"

size_t
frame_build(uint8_t *out, size_t size, uint32_t seq, uint32_t ts,
    const uint8_t *pkt, size_t len)
{
	struct inner_hdr	h;
	size_t			n;

	if (len > UINT16_MAX ||
	    size < INNER_HDR_LEN + INNER_REC_HDR_LEN + len)
		return 0;
	memset(&h, 0, sizeof(h));
	h.kind = INNER_DATA;
	h.seq = seq;
	h.send_ts_us = ts;
	n = inner_hdr_encode(out, &h);
	out[n] = len & 0xff;
	out[n + 1] = len >> 8;
	memcpy(out + n + INNER_REC_HDR_LEN, pkt, len);
	return n + INNER_REC_HDR_LEN + len;
}

int
frame_iter_init(struct frame_iter *it, const uint8_t *frame, size_t len,
    struct inner_hdr *h)
{
	if (inner_hdr_decode(frame, len, h) != 0 || h->kind != INNER_DATA)
		return -1;
	it->p = frame;
	it->len = len;
	it->off = INNER_HDR_LEN;
	return 0;
}

int
frame_next(struct frame_iter *it, const uint8_t **pkt, size_t *len)
{
	size_t	n;

	if (it->off == it->len)
		return 0;
	if (it->len - it->off < INNER_REC_HDR_LEN)
		return -1;
	n = it->p[it->off] | (size_t)it->p[it->off + 1] << 8;
	it->off += INNER_REC_HDR_LEN;
	if (n == 0 || n > it->len - it->off)
		return -1;
	*pkt = it->p + it->off;
	*len = n;
	it->off += n;
	return 1;
}

int
ip_check(const uint8_t *p, size_t len, const uint8_t **src,
    const uint8_t **dst)
{
	size_t	ihl, total;

	if (len < 20)
		return -1;
	switch (p[0] >> 4) {
	case 4:
		ihl = (size_t)(p[0] & 0x0f) * 4;
		total = (size_t)p[2] << 8 | p[3];
		if (ihl < 20 || total != len || ihl > len)
			return -1;
		*src = p + 12;
		*dst = p + 16;
		return AF_INET;
	case 6:
		if (len < 40)
			return -1;
		total = 40 + ((size_t)p[4] << 8 | p[5]);
		if (total != len)
			return -1;
		*src = p + 8;
		*dst = p + 24;
		return AF_INET6;
	default:
		return -1;
	}
}
