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
 * Minimal rtnetlink requests for the parent's privileged operations
 * (bondd/priv.c, bondd/priv_route.c): addresses, MTU, txqueuelen and
 * IFF_UP of the tunnel device, the routes of the tunnel's table and
 * the policy rules that consult it.  Each request waits for the
 * kernel's acknowledgement; a listing reads one dump.
 */

#ifndef NETLINK_H
#define NETLINK_H

#include <sys/types.h>

#include <stdint.h>

#include "config.h"

/* A route of the tunnel: to the tunnel device, or a blackhole (at the
 * worst metric) that drops what the device route no longer takes. */
struct nl_route {
	struct conf_prefix	dst;		/* network part only */
	uint32_t		table;
	uint8_t			blackhole;
};

/* A policy rule that looks up a table: "[not] [uidrange U-U] lookup
 * TABLE [suppress_prefixlength N]" at a priority. */
struct nl_rule {
	uint8_t		family;		/* AF_INET or AF_INET6 */
	uint8_t		invert;		/* "not": the selector inverted */
	uint8_t		has_uid;	/* selector: uidrange uid-uid */
	uint32_t	uid;
	uint32_t	prio;
	uint32_t	table;
	int32_t		suppress_plen;	/* -1: none */
};

/* A NETLINK_ROUTE socket (CLOEXEC), or -1. */
int	nl_open(void);
/* recv(2) of what the kernel sent; messages from any other sender are
 * dropped (and logged) and the next is read. */
ssize_t	nl_recv(int, void *, size_t, int flags);
/* Add an address to the interface; an address already present is
 * success.  IPv6 addresses skip DAD.  0 or -1 with errno set. */
int	nl_addr_add(int, unsigned int ifindex, const struct conf_prefix *);
/* Set MTU and txqueuelen (0 leaves either alone) and, when up is not
 * 0, IFF_UP.  0 or -1 with errno set. */
int	nl_link_set(int, unsigned int ifindex, uint32_t mtu,
	    uint32_t txqueuelen, int up);

/* Delete an address; one already gone is success.  0 or -1. */
int	nl_addr_del(int, unsigned int ifindex, const struct conf_prefix *);
/* The global addresses of the interface (host bits kept) into out, at
 * most max: their number, or -1 with errno set. */
int	nl_addr_list(int, unsigned int ifindex, struct conf_prefix *out,
	    int max);
/* Add (add != 0) or delete a route with protocol proto: to ifindex,
 * or a blackhole.  Adding one that exists, or deleting one that does
 * not, is success.  0 or -1 with errno set. */
int	nl_route_change(int, int add, uint8_t proto, unsigned int ifindex,
	    const struct nl_route *);
/* The routes of a family and table with protocol proto that go to
 * ifindex (0: none) or are blackholes, at most max: their number, or
 * -1 with errno set. */
int	nl_route_list(int, int family, uint32_t table, uint8_t proto,
	    unsigned int ifindex, struct nl_route *out, int max);
/* Add or delete a rule; an existing one (add) or a missing one
 * (delete) is success.  0 or -1 with errno set. */
int	nl_rule_change(int, int add, const struct nl_rule *);
/* The rules of a family with a priority in [lo, hi] that nl_rule
 * describes whole (a rule with any other selector is not listed), at
 * most max: their number, or -1 with errno set. */
int	nl_rule_list(int, int family, uint32_t lo, uint32_t hi,
	    struct nl_rule *out, int max);

#endif /* NETLINK_H */
