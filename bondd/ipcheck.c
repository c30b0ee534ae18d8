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
 * Is it an IP packet: version, header length and total length agree
 * with the bytes read.  Runs in the core on packets from the TUN device
 * and from peers, untrusted; holds no secrets.
 */

#include <sys/socket.h>

#include "ipcheck.h"

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
