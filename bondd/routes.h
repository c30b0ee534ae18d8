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
 * What the tunnel's routing table and policy rules should hold, and
 * what to change to get there.  Pure: it compares configurations and
 * listings, so that it is unit-tested on its own; bondd/priv_route.c
 * reads the kernel's tables and applies the result.
 *
 * The design, fail closed for several WAN links each with its own
 * gateway: the routes live in a table of their own, ROUTE_TABLE, which
 * two rules per family consult just before the main table:
 *
 *	ROUTE_PRIO_MAIN:  lookup main suppress_prefixlength 0
 *	ROUTE_PRIO_TABLE: not uidrange U-U lookup ROUTE_TABLE
 *
 * The first lets every route of the main table except a default route
 * win (the LAN, the WAN subnets); the second sends the rest through the
 * tunnel's table, except what the daemon user U sends: the links'
 * sockets (owned by U) and the resolver of the server's name.  Their
 * datagrams follow the main table and the administrator's rules as if
 * bondd had no routes, each link by its own device and gateway; no
 * gateway is copied into bondd's table, so DHCP may change them.  With
 * tunnel.persist a blackhole at the worst metric backs every route:
 * if the device route is ever ignored (a device without carrier and
 * ignore_routes_with_linkdown) or gone, the packet is dropped, never
 * sent by a WAN route in clear.
 */

#ifndef ROUTES_H
#define ROUTES_H

#include <sys/types.h>

#include "bondd.h"
#include "config.h"
#include "netlink.h"

#define ROUTE_TABLE		5800
#define ROUTE_PRIO_MAIN		32760
#define ROUTE_PRIO_TABLE	32761
#define ROUTE_RULES_MAX		4	/* two per family */
/* Every route and its blackhole. */
#define ROUTES_MAX		(2 * (CONF_MAX_ROUTES + \
				    BONDD_MAX_PEERS * BONDD_MAX_ALLOWED))

/*
 * The routes conf asks for: tunnel.routes, and on a server every
 * peer's allowed_ips outside the tunnel's own subnets (the kernel
 * routes those already) except a default route (a source filter there,
 * never a route for the whole server); each prefix once, and with
 * persist its blackhole too.  Returns their number (at most max).
 */
int	 routes_wanted(const struct config *, struct nl_route *, int max);
/* The rules for the daemon user uid: none without routes. */
int	 routes_rules(int nroutes, uid_t, struct nl_rule out[ROUTE_RULES_MAX]);
/*
 * cur is what the kernel has, want what it should have: sets del[i]
 * for each cur[i] to remove and add[j] for each want[j] missing.
 * Returns the number of changes.
 */
int	 routes_diff(const struct nl_route *cur, int ncur,
	    const struct nl_route *want, int nwant, uint8_t *del,
	    uint8_t *add);
int	 rules_diff(const struct nl_rule *cur, int ncur,
	    const struct nl_rule *want, int nwant, uint8_t *del,
	    uint8_t *add);
/* Is p one of the n prefixes of set (host bits included)? */
int	 prefix_in(const struct conf_prefix *p, const struct conf_prefix *set,
	    int n);

#endif /* ROUTES_H */
