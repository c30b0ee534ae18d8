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
 * The tunnel's routes and rules, wanted and compared (bondd/routes.h).
 * Runs in the parent on its own configuration and on listings the
 * kernel gave it; touches neither files nor sockets.
 */

#include <sys/socket.h>

#include <linux/rtnetlink.h>

#include <string.h>

#include "config.h"
#include "netlink.h"
#include "routes.h"
#include "util.h"

int
prefix_in(const struct conf_prefix *p, const struct conf_prefix *set, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		if (set[i].family == p->family && set[i].plen == p->plen &&
		    memcmp(set[i].addr, p->addr, sizeof(p->addr)) == 0)
			return 1;
	return 0;
}

static int
route_equal(const struct nl_route *a, const struct nl_route *b)
{
	return a->blackhole == b->blackhole && a->table == b->table &&
	    prefix_in(&a->dst, &b->dst, 1);
}

/* Inside one of the tunnel's own subnets (p already masked)? */
static int
in_tunnel_subnet(const struct config *conf, const struct conf_prefix *p)
{
	const struct conf_prefix *a;
	int			  i;

	for (i = 0; i < conf->ntun_addr; i++) {
		a = &conf->tun_addr[i];
		if (p->plen >= a->plen && prefix_match(a, p->family, p->addr))
			return 1;
	}
	return 0;
}

/* Append p (and its blackhole) unless it is there already. */
static int
add_route(const struct config *conf, const struct conf_prefix *p,
    struct nl_route *out, int n, int max)
{
	struct nl_route	r;
	int		i, k;

	for (k = 0; k <= (conf->persist ? 1 : 0); k++) {
		memset(&r, 0, sizeof(r));
		r.dst = *p;
		r.table = p->plen == 0 ? ROUTE_TABLE : RT_TABLE_MAIN;
		r.blackhole = k;
		for (i = 0; i < n && !route_equal(&out[i], &r); i++)
			;
		if (i == n && n < max)
			out[n++] = r;
	}
	return n;
}

int
routes_wanted(const struct config *conf, struct nl_route *out, int max)
{
	const struct conf_peer	*peer;
	int			 i, j, n = 0;

	for (i = 0; i < conf->nroutes; i++)
		n = add_route(conf, &conf->routes[i], out, n, max);
	if (conf->role != ROLE_SERVER)
		return n;
	for (i = 0; i < conf->npeers; i++) {
		peer = &conf->peers[i];
		for (j = 0; j < peer->nallowed; j++)
			if (peer->allowed[j].plen != 0 &&
			    !in_tunnel_subnet(conf, &peer->allowed[j]))
				n = add_route(conf, &peer->allowed[j], out, n,
				    max);
	}
	return n;
}

int
routes_rules(const struct nl_route *routes, int nroutes, uid_t uid,
    struct nl_rule out[ROUTE_RULES_MAX])
{
	static const int	 families[] = { AF_INET, AF_INET6 };
	int			 i, n = 0;

	for (i = 0; i < nroutes && routes[i].table != ROUTE_TABLE; i++)
		;
	if (i == nroutes)
		return 0;
	for (i = 0; i < 2; i++) {
		memset(&out[n], 0, sizeof(out[n]));
		out[n].family = families[i];
		out[n].prio = ROUTE_PRIO_MAIN;
		out[n].table = RT_TABLE_MAIN;
		out[n].suppress_plen = 0;
		n++;
		memset(&out[n], 0, sizeof(out[n]));
		out[n].family = families[i];
		out[n].prio = ROUTE_PRIO_TABLE;
		out[n].table = ROUTE_TABLE;
		out[n].suppress_plen = -1;
		out[n].invert = 1;
		out[n].has_uid = 1;
		out[n].uid = uid;
		n++;
	}
	return n;
}

int
routes_diff(const struct nl_route *cur, int ncur, const struct nl_route *want,
    int nwant, uint8_t *del, uint8_t *add)
{
	int	i, j, changes = 0;

	for (i = 0; i < ncur; i++) {
		for (j = 0; j < nwant && !route_equal(&cur[i], &want[j]); j++)
			;
		changes += del[i] = j == nwant;
	}
	for (j = 0; j < nwant; j++) {
		for (i = 0; i < ncur && !route_equal(&cur[i], &want[j]); i++)
			;
		changes += add[j] = i == ncur;
	}
	return changes;
}

static int
rule_equal(const struct nl_rule *a, const struct nl_rule *b)
{
	return a->family == b->family && a->prio == b->prio &&
	    a->table == b->table && a->invert == b->invert &&
	    a->suppress_plen == b->suppress_plen &&
	    a->has_uid == b->has_uid && (!a->has_uid || a->uid == b->uid);
}

int
rules_diff(const struct nl_rule *cur, int ncur, const struct nl_rule *want,
    int nwant, uint8_t *del, uint8_t *add)
{
	int	i, j, changes = 0;

	for (i = 0; i < ncur; i++) {
		for (j = 0; j < nwant && !rule_equal(&cur[i], &want[j]); j++)
			;
		changes += del[i] = j == nwant;
	}
	for (j = 0; j < nwant; j++) {
		for (i = 0; i < ncur && !rule_equal(&cur[i], &want[j]); i++)
			;
		changes += add[j] = i == ncur;
	}
	return changes;
}
