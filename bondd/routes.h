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
 * What the tunnel's routes and policy rules should be, and what to
 * change to get there.  Pure: it compares configurations and listings,
 * so that it is unit-tested on its own; bondd/priv_route.c reads the
 * kernel's tables and applies the result.
 *
 * The design, fail closed for several WAN links each with its own
 * gateway.  A route to a prefix goes into the main table, where the
 * longest prefix wins as with any route.  A default route (0.0.0.0/0,
 * ::/0) cannot: the WANs' own default routes are there, and the
 * tunnel's datagrams need them.  It goes into a table of its own,
 * ROUTE_TABLE, which two rules per family consult just before main:
 *
 *	ROUTE_PRIO_MAIN:  lookup main suppress_prefixlength 0
 *	ROUTE_PRIO_TABLE: not uidrange U-U lookup ROUTE_TABLE
 *
 * The first lets every route of the main table but a default route
 * win (the LAN, the WAN subnets, the tunnel's prefixes); the second
 * sends the rest into the tunnel, except what the daemon user U sends:
 * the links' sockets (owned by U) and the resolver of the server's
 * name.  Their datagrams follow the main table and the administrator's
 * rules as if bondd had no default route, each link by its own device
 * and gateway; no gateway is copied, so DHCP may change them.
 *
 * With tunnel.persist a blackhole at the worst metric backs every
 * route: if the device route is ever ignored (a device without carrier
 * and ignore_routes_with_linkdown) or gone, the packet is dropped,
 * never sent by another route in clear.  bondd's routes carry the
 * protocol ROUTE_PROTO, by which it finds them again.
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
#define ROUTE_PROTO		58	/* "bondd" in rt_protos terms */
#define ROUTE_RULES_MAX		4	/* two per family */
/* Every route and its blackhole. */
#define ROUTES_MAX		(2 * (CONF_MAX_ROUTES + \
				    BONDD_MAX_PEERS * BONDD_MAX_ALLOWED))

/*
 * The routes conf asks for: tunnel.routes, and on a server every
 * peer's allowed_ips outside the tunnel's own subnets (the kernel
 * routes those already) except a default route (a source filter there,
 * never a route for the whole server); each prefix once, in its table,
 * and with persist its blackhole too.  Returns their number (at most
 * max).
 */
int	 routes_wanted(const struct config *, struct nl_route *, int max);
/* The rules for the daemon user uid: none without a default route
 * among the n routes. */
int	 routes_rules(const struct nl_route *, int n, uid_t,
	    struct nl_rule out[ROUTE_RULES_MAX]);
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
