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
 * Ethernet frames as wanem (test tool, root in a test namespace) sees
 * them: the IP length a frame costs on the emulated link, where its UDP
 * datagram is, and the UDP checksum a bit flip must leave valid so the
 * damage reaches the tunnel rather than dying in the receiver's UDP
 * check.  Pure: every length is checked against the frame's.
 */

#ifndef WANEM_FRAME_H
#define WANEM_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define ETH_HEADER	14
#define TYPE_IPV4	0x0800
#define TYPE_IPV6	0x86dd
#define PROTO_UDP	17

static uint16_t
get16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Bytes of a frame past its Ethernet header: what the link's rate counts. */
static size_t
frame_ip_len(size_t len)
{
	return len > ETH_HEADER ? len - ETH_HEADER : 0;
}

/*
 * Offset of the UDP header in a frame, or 0 when the frame is not a
 * whole UDP datagram over IPv4, or over IPv6 without extension headers.
 */
static size_t
frame_udp(const unsigned char *f, size_t len)
{
	const unsigned char	*ip = f + ETH_HEADER;
	size_t			 off;

	if (len < ETH_HEADER + 20)
		return 0;
	switch (get16(f + 12)) {
	case TYPE_IPV4:
		/* Not a fragment: MF clear and offset 0. */
		if ((ip[0] >> 4) != 4 || (ip[0] & 0x0f) < 5 ||
		    ip[9] != PROTO_UDP || (ip[6] & 0x3f) != 0 || ip[7] != 0)
			return 0;
		off = ETH_HEADER + (size_t)(ip[0] & 0x0f) * 4;
		break;
	case TYPE_IPV6:
		if (len < ETH_HEADER + 40 || (ip[0] >> 4) != 6 ||
		    ip[6] != PROTO_UDP)
			return 0;
		off = ETH_HEADER + 40;
		break;
	default:
		return 0;
	}
	if (len < off + 8 || get16(f + off + 4) < 8 ||
	    get16(f + off + 4) > len - off)
		return 0;
	return off;
}

static uint32_t
sum16(uint32_t s, const unsigned char *p, size_t n)
{
	for (; n > 1; p += 2, n -= 2)
		s += get16(p);
	if (n == 1)
		s += (uint32_t)p[0] << 8;
	return s;
}

/*
 * Recompute the checksum of the UDP datagram at off (from frame_udp).
 * An IPv4 datagram sent without a checksum stays without.
 */
static void
frame_udp_checksum(unsigned char *f, size_t off)
{
	const unsigned char	*ip = f + ETH_HEADER;
	uint16_t		 ulen = get16(f + off + 4), c;
	uint32_t		 s;

	if (get16(f + 12) == TYPE_IPV4) {
		if (get16(f + off + 6) == 0)
			return;
		s = sum16(0, ip + 12, 8);	/* source, destination */
	} else
		s = sum16(0, ip + 8, 32);
	s += PROTO_UDP + ulen;
	f[off + 6] = f[off + 7] = 0;
	s = sum16(s, f + off, ulen);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	c = (uint16_t)~s;
	if (c == 0)
		c = 0xffff;
	f[off + 6] = (unsigned char)(c >> 8);
	f[off + 7] = (unsigned char)c;
}

#endif /* WANEM_FRAME_H */
