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
 * The IPv6 extension-header chain (ip6.h).  Runs in the core, sandboxed
 * and unprivileged, on untrusted packets; holds no secrets.
 */

#include <string.h>

#include "ip6.h"

int
ip6_chain(const uint8_t *p, size_t end, struct ip6_chain *c)
{
	uint8_t	nh = p[6];
	size_t	o = IP6_HDR_LEN, next;
	int	n;

	memset(c, 0, sizeof(*c));
	for (n = 0; n < IP6_MAX_EXT_HDRS; n++) {
		if (nh != IP6_NH_HOPOPTS && nh != IP6_NH_ROUTING &&
		    nh != IP6_NH_DSTOPTS && nh != IP6_NH_AH &&
		    nh != IP6_NH_FRAGMENT)
			break;
		if (o + 2 > end)
			return -1;
		/* A fragment header is 8 bytes, AH counts 4-byte units
		 * less two, the others 8-byte units less one. */
		if (nh == IP6_NH_FRAGMENT)
			next = o + 8;
		else if (nh == IP6_NH_AH)
			next = o + ((size_t)p[o + 1] + 2) * 4;
		else
			next = o + ((size_t)p[o + 1] + 1) * 8;
		if (next > end)
			return -1;
		/* Invariant: the header's bytes o .. next lie within end
		 * (at least 8), so its fourth byte may be read. */
		if (nh == IP6_NH_ROUTING && p[o + 3] != 0)
			c->routing = 1;
		c->ah |= nh == IP6_NH_AH;
		c->frag = nh == IP6_NH_FRAGMENT;
		nh = p[o];
		o = next;
		if (c->frag)
			break;
	}
	c->proto = nh;
	c->off = o;
	return 0;
}
