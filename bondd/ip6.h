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
 * The IPv6 extension-header chain in one place: where the upper layer
 * starts behind hop-by-hop, routing, destination options, AH and
 * fragment headers, and what the walk met on the way, for the flow
 * key (flow.c) and for the segmenter, which must know what it may copy
 * into every segment (gso.c).  Pure logic in the core on packets from
 * the TUN device or a peer, which are untrusted: every header length
 * is checked against the bytes at hand.  Holds no secrets.
 */

#ifndef IP6_H
#define IP6_H

#include <stddef.h>
#include <stdint.h>

#define IP6_HDR_LEN		40
#define IP6_NH_HOPOPTS		0
#define IP6_NH_ROUTING		43
#define IP6_NH_FRAGMENT		44
#define IP6_NH_AH		51
#define IP6_NH_DSTOPTS		60
/* Headers walked at most; a longer chain ends at the ninth's type. */
#define IP6_MAX_EXT_HDRS	8

struct ip6_chain {
	size_t		off;		/* the upper layer, from the IP header */
	uint8_t		proto;		/* its type, or the header not walked */
	uint8_t		frag;		/* a fragment header: the walk stops */
	uint8_t		ah;		/* an authentication header */
	uint8_t		routing;	/* a routing header with segments left */
};

/*
 * Walk the chain of the IPv6 packet p whose header (IP6_HDR_LEN bytes,
 * checked by the caller) and chain lie in its first end bytes: 0 and c
 * filled, or -1 if a header runs past end.  What follows a fragment
 * header may be in another fragment: the walk stops behind it.
 */
int	ip6_chain(const uint8_t *p, size_t end, struct ip6_chain *c);

#endif /* IP6_H */
