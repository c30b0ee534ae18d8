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
 * The Internet checksum: see csum.h.  Runs in the core; holds no
 * secrets.
 */

#include <arpa/inet.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "csum.h"
#include "netbytes.h"

/*
 * Eight bytes a word in the host's order: the one's complement sum is
 * the same in either byte order, swapped (RFC 1071), and the halves of
 * a 64-bit word are added apart so that the sum never overflows (2^32
 * words).  Four words a step into four sums, which the CPU adds side by
 * side: twice as fast as one sum over a 1400-byte packet, which every
 * segment pays once on each end.  The tail, up to seven bytes, is
 * summed word by word in network order as it is.
 */
static inline uint64_t
halves(const uint8_t *p)
{
	uint64_t	w;

	memcpy(&w, p, 8);
	return ((w & 0xffffffff) + (w >> 32));
}

uint64_t
csum_add(uint64_t sum, const uint8_t *p, size_t n)
{
	uint64_t	h0 = 0, h1 = 0, h2 = 0, h3 = 0;
	size_t		i;

	for (i = 0; i + 32 <= n; i += 32) {
		h0 += halves(p + i);
		h1 += halves(p + i + 8);
		h2 += halves(p + i + 16);
		h3 += halves(p + i + 24);
	}
	for (; i + 8 <= n; i += 8)
		h0 += halves(p + i);
	if (i > 0)
		sum += htons(csum_fold(h0 + h1 + h2 + h3));
	for (; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

uint16_t
csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

uint16_t
csum_bytes(const uint8_t *p, size_t n)
{
	return (uint16_t)~csum_fold(csum_add(0, p, n));
}

uint16_t
csum_ip4(const uint8_t *ip, size_t ihl)
{
	return (uint16_t)~csum_fold(csum_add(csum_add(0, ip, 10), ip + 12,
	    ihl - 12));
}

static uint64_t
pseudo(const uint8_t *ip, int v6, size_t l4len, int proto)
{
	return csum_add(0, ip + (v6 ? 8 : 12), v6 ? 32 : 8) +
	    (uint32_t)proto + (uint32_t)l4len;
}

uint16_t
csum_pseudo(const uint8_t *ip, int v6, size_t l4len, int proto)
{
	return csum_fold(pseudo(ip, v6, l4len, proto));
}

uint16_t
csum_l4(const uint8_t *ip, int v6, const uint8_t *l4, size_t l4len, int proto)
{
	return (uint16_t)~csum_fold(csum_add(pseudo(ip, v6, l4len, proto),
	    l4, l4len));
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'). */
void
csum_update(uint8_t *ck, uint16_t old, uint16_t new)
{
	uint64_t	sum;

	sum = (uint16_t)~get16(ck);
	sum += (uint16_t)~old;
	sum += new;
	put16(ck, (uint16_t)~csum_fold(sum));
}
