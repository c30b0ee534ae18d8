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
 * ICMPv4 type 3 code 4 and ICMPv6 type 2 for oversized packets.
 */

#include <sys/socket.h>

#include <string.h>

#include "csum.h"
#include "icmp.h"
#include "netbytes.h"

static size_t
too_big4(const uint8_t *pkt, size_t len, uint32_t mtu,
    const struct conf_prefix *src, uint8_t *out, size_t outsize)
{
	size_t		ihl = (size_t)(pkt[0] & 0x0f) * 4, quote, n;
	uint16_t	frag = (uint16_t)(pkt[6] << 8 | pkt[7]);

	/* Only for DF packets, first fragments, and never about ICMP
	 * errors (type < 8 other than echo reply) or from multicast. */
	if (!(frag & 0x4000) || (frag & 0x1fff) != 0 || pkt[12] >= 224 ||
	    (pkt[12] == 0 && pkt[13] == 0 && pkt[14] == 0 && pkt[15] == 0))
		return 0;
	if (pkt[9] == 1 && len > ihl && pkt[ihl] != 0 && pkt[ihl] != 8)
		return 0;
	quote = ihl + 8 < len ? ihl + 8 : len;
	n = 20 + 8 + quote;
	if (n > outsize)
		return 0;
	memset(out, 0, 28);
	out[0] = 0x45;
	put16(out + 2, (uint16_t)n);
	out[8] = 64;			/* TTL */
	out[9] = 1;			/* ICMP */
	memcpy(out + 12, src->addr, 4);
	memcpy(out + 16, pkt + 12, 4);	/* back to the sender */
	put16(out + 10, csum_ip4(out, 20));
	out[20] = 3;			/* destination unreachable */
	out[21] = 4;			/* fragmentation needed */
	put16(out + 26, (uint16_t)mtu);
	memcpy(out + 28, pkt, quote);
	put16(out + 22, csum_bytes(out + 20, 8 + quote));
	return n;
}

static size_t
too_big6(const uint8_t *pkt, size_t len, uint32_t mtu,
    const struct conf_prefix *src, uint8_t *out, size_t outsize)
{
	static const uint8_t zero[16];
	size_t		quote, n;

	if (pkt[8] == 0xff || memcmp(pkt + 8, zero, 16) == 0)
		return 0;
	/* Not about an ICMPv6 error (types below 128). */
	if (pkt[6] == 58 && len > 40 && pkt[40] < 128)
		return 0;
	/* The error may not exceed the IPv6 minimum MTU. */
	quote = len < 1280 - 48 ? len : 1280 - 48;
	n = 40 + 8 + quote;
	if (n > outsize)
		return 0;
	memset(out, 0, 48);
	out[0] = 0x60;
	put16(out + 4, (uint16_t)(8 + quote));
	out[6] = 58;			/* ICMPv6 */
	out[7] = 64;			/* hop limit */
	memcpy(out + 8, src->addr, 16);
	memcpy(out + 24, pkt + 8, 16);
	out[40] = 2;			/* packet too big */
	out[44] = mtu >> 24;
	out[45] = (mtu >> 16) & 0xff;
	out[46] = (mtu >> 8) & 0xff;
	out[47] = mtu & 0xff;
	memcpy(out + 48, pkt, quote);
	put16(out + 42, csum_l4(out, 1, out + 40, 8 + quote, 58));
	return n;
}

size_t
icmp_too_big(const uint8_t *pkt, size_t len, uint32_t mtu,
    const struct conf_prefix *src, uint8_t *out, size_t outsize)
{
	if (src == NULL)
		return 0;
	if (len >= 20 && pkt[0] >> 4 == 4 && src->family == AF_INET)
		return too_big4(pkt, len, mtu, src, out, outsize);
	if (len >= 40 && pkt[0] >> 4 == 6 && src->family == AF_INET6)
		return too_big6(pkt, len, mtu, src, out, outsize);
	return 0;
}
