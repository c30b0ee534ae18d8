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
 * Packets built by hand for the segmenter's and the coalescer's tests
 * (check_gso.c, check_gro.c): IPv4 (with options) and IPv6, TCP (with
 * options) and UDP, their checksums from a reference sum over an
 * explicit pseudo-header.  A header, as each tests/unit/check_X.c is
 * its own binary.  Test code; trusts its inputs.
 */

#ifndef CHECK_PKT_H
#define CHECK_PKT_H

#include <stdint.h>
#include <string.h>

#define TCP_FIN	0x01
#define TCP_PSH	0x08
#define TCP_ACK	0x10
#define TCP_CWR	0x80

static const uint8_t	src4[4] = { 198, 18, 1, 2 };
static const uint8_t	dst4[4] = { 198, 18, 3, 4 };
static const uint8_t	src6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t	dst6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };


static inline void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* RFC 1071, word by word over a copy: what a receiver checks. */
static inline uint16_t
ref_csum(const uint8_t *p, size_t n)
{
	uint32_t	s = 0;
	size_t		i;

	for (i = 0; i < n; i++)
		s += (i % 2 == 0) ? (uint32_t)p[i] << 8 : p[i];
	while (s > 0xffff)
		s = (s >> 16) + (s & 0xffff);
	return (uint16_t)(~s & 0xffff);
}

/* The L4 checksum over an explicit pseudo-header and the L4 bytes. */
static inline uint16_t
ref_l4(int v6, int proto, const uint8_t *l4, size_t n)
{
	static uint8_t	b[70000];
	size_t		o;

	if (v6) {
		memcpy(b, src6, 16);
		memcpy(b + 16, dst6, 16);
		put32(b + 32, (uint32_t)n);
		b[36] = b[37] = b[38] = 0;
		b[39] = (uint8_t)proto;
		o = 40;
	} else {
		memcpy(b, src4, 4);
		memcpy(b + 4, dst4, 4);
		b[8] = 0;
		b[9] = (uint8_t)proto;
		put16(b + 10, (uint16_t)n);
		o = 12;
	}
	memcpy(b + o, l4, n);
	return ref_csum(b, o + n);
}

/* IP header (IPv4: ipopt bytes of options, id) before an L4 of l4len;
 * returns its length. */
static inline size_t
mk_ip(uint8_t *p, int v6, int proto, size_t ipopt, uint16_t id,
    size_t l4len)
{
	size_t	i;

	if (v6) {
		memset(p, 0, 40);
		p[0] = 0x60;
		put16(p + 4, (uint16_t)l4len);
		p[6] = (uint8_t)proto;
		p[7] = 64;
		memcpy(p + 8, src6, 16);
		memcpy(p + 24, dst6, 16);
		return 40;
	}
	memset(p, 0, 20 + ipopt);
	p[0] = (uint8_t)(0x40 | (20 + ipopt) / 4);
	put16(p + 2, (uint16_t)(20 + ipopt + l4len));
	put16(p + 4, id);
	put16(p + 6, 0x4000);		/* DF */
	p[8] = 64;
	p[9] = (uint8_t)proto;
	memcpy(p + 12, src4, 4);
	memcpy(p + 16, dst4, 4);
	for (i = 0; i < ipopt; i++)	/* router alert, then NOPs */
		p[20 + i] = i == 0 ? 148 : i == 1 ? 4 : i < 4 ? 0 : 1;
	put16(p + 10, ref_csum(p, 20 + ipopt));
	return 20 + ipopt;
}

/* A whole TCP packet, tcpopt bytes of options (NOPs, then a
 * timestamp), checksums right; returns its length. */
static inline size_t
mk_tcp(uint8_t *p, int v6, size_t ipopt, size_t tcpopt, uint16_t id,
    uint32_t seq, uint8_t flags, const uint8_t *data, size_t n)
{
	size_t	 h = mk_ip(p, v6, 6, ipopt, id, 20 + tcpopt + n), i;
	uint8_t	*t = p + h;

	memset(t, 0, 20 + tcpopt);
	put16(t, 40000);
	put16(t + 2, 443);
	put32(t + 4, seq);
	put32(t + 8, 0x01020304);
	t[12] = (uint8_t)((20 + tcpopt) / 4 << 4);
	t[13] = flags;
	put16(t + 14, 65000);
	for (i = 0; i < tcpopt; i++)
		t[20 + i] = 1;
	if (tcpopt >= 10) {
		t[20 + tcpopt - 10] = 8;
		t[20 + tcpopt - 9] = 10;
		put32(t + 20 + tcpopt - 8, 777);
		put32(t + 20 + tcpopt - 4, 888);
	}
	memcpy(t + 20 + tcpopt, data, n);
	put16(t + 16, ref_l4(v6, 6, t, 20 + tcpopt + n));
	return h + 20 + tcpopt + n;
}

static inline size_t
mk_udp(uint8_t *p, int v6, uint16_t id, const uint8_t *data, size_t n)
{
	size_t	 h = mk_ip(p, v6, 17, 0, id, 8 + n);
	uint8_t	*u = p + h;
	uint16_t c;

	put16(u, 5000);
	put16(u + 2, 6000);
	put16(u + 4, (uint16_t)(8 + n));
	put16(u + 6, 0);
	memcpy(u + 8, data, n);
	c = ref_l4(v6, 17, u, 8 + n);
	put16(u + 6, c == 0 ? 0xffff : c);
	return h + 8 + n;
}

#endif /* CHECK_PKT_H */
