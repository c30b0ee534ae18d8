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
 * The parent's privileged operations on the tunnel's routing table and
 * its policy rules (the design is in bondd/routes.h).  Runs in the
 * parent: root at start, CAP_NET_ADMIN only afterwards, which is all
 * rtnetlink asks.  Its inputs are the validated configuration and the
 * kernel's listings; it holds no secret.
 */

#include <sys/socket.h>
#include <sys/types.h>

#include <linux/rtnetlink.h>
#include <net/if.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "netlink.h"
#include "priv.h"
#include "routes.h"
#include "util.h"

/* Per call, not on the stack: a server may have thousands. */
static struct nl_route	want[ROUTES_MAX], cur[ROUTES_MAX];
static uint8_t		del[ROUTES_MAX], add[ROUTES_MAX];

/* "blackhole 0.0.0.0/0 table 5800", "198.18.0.0/24 dev bond0 table
 * main" */
static const char *
route_fmt(const struct nl_route *r, const char *tun, char *buf, size_t len)
{
	char	p[INET6_ADDRSTRLEN + 5], t[16];

	if (r->table == RT_TABLE_MAIN)
		snprintf(t, sizeof(t), "main");
	else
		snprintf(t, sizeof(t), "%u", r->table);
	snprintf(buf, len, "%s%s%s%s table %s", r->blackhole ? "blackhole " :
	    "", prefix_fmt(&r->dst, p, sizeof(p)), r->blackhole ? "" :
	    " dev ", r->blackhole ? "" : tun, t);
	return buf;
}

static const char *
rule_fmt(const struct nl_rule *r, char *buf, size_t len)
{
	snprintf(buf, len, "%s rule %u: %s", r->family == AF_INET ? "IPv4" :
	    "IPv6", r->prio, r->has_uid ? "not uidrange, lookup the tunnel "
	    "table" : "lookup main without its default routes");
	return buf;
}

/* Make bondd's routes (protocol ROUTE_PROTO, via ifindex or
 * blackholes) of both tables want[0..nwant). */
static int
routes_apply(int fd, const char *tun, unsigned int ifindex, int nwant)
{
	static const uint32_t	tables[] = { RT_TABLE_MAIN, ROUTE_TABLE };
	char			buf[128];
	int			ncur = 0, n, i;

	for (i = 0; i < 4; i++) {
		if ((n = nl_route_list(fd, i < 2 ? AF_INET : AF_INET6,
		    tables[i % 2], ROUTE_PROTO, ifindex, cur + ncur,
		    ROUTES_MAX - ncur)) == -1) {
			log_warn("routes: list table %u", tables[i % 2]);
			return -1;
		}
		ncur += n;
	}
	routes_diff(cur, ncur, want, nwant, del, add);
	/* New ones first: a changed route never leaves a gap. */
	for (i = 0; i < nwant; i++) {
		if (!add[i])
			continue;
		log_debug("route %s: add", route_fmt(&want[i], tun, buf,
		    sizeof(buf)));
		if (nl_route_change(fd, 1, ROUTE_PROTO, ifindex,
		    &want[i]) == -1) {
			log_warn("route %s", buf);
			return -1;
		}
	}
	for (i = 0; i < ncur; i++) {
		if (!del[i])
			continue;
		log_debug("route %s: remove", route_fmt(&cur[i], tun, buf,
		    sizeof(buf)));
		if (nl_route_change(fd, 0, ROUTE_PROTO, ifindex,
		    &cur[i]) == -1) {
			log_warn("route %s: remove", buf);
			return -1;
		}
	}
	return 0;
}

static int
rules_apply(int fd, const struct nl_rule *wr, int nwr)
{
	struct nl_rule	cr[2 * ROUTE_RULES_MAX];
	uint8_t		cdel[2 * ROUTE_RULES_MAX], wadd[ROUTE_RULES_MAX];
	char		buf[128];
	int		ncr = 0, n, i;

	for (i = 0; i < 2; i++) {
		if ((n = nl_rule_list(fd, i == 0 ? AF_INET : AF_INET6,
		    ROUTE_PRIO_MAIN, ROUTE_PRIO_TABLE, cr + ncr,
		    2 * ROUTE_RULES_MAX - ncr)) == -1) {
			log_warn("routes: list rules");
			return -1;
		}
		ncr += n;
	}
	rules_diff(cr, ncr, wr, nwr, cdel, wadd);
	for (i = 0; i < nwr; i++) {
		if (!wadd[i])
			continue;
		log_debug("%s: add", rule_fmt(&wr[i], buf, sizeof(buf)));
		if (nl_rule_change(fd, 1, &wr[i]) == -1) {
			log_warn("%s", rule_fmt(&wr[i], buf, sizeof(buf)));
			return -1;
		}
	}
	for (i = 0; i < ncr; i++) {
		if (!cdel[i])
			continue;
		log_debug("%s: remove", rule_fmt(&cr[i], buf, sizeof(buf)));
		if (nl_rule_change(fd, 0, &cr[i]) == -1) {
			log_warn("%s: remove", rule_fmt(&cr[i], buf,
			    sizeof(buf)));
			return -1;
		}
	}
	return 0;
}

/* Routes (want[0..nwant)) before rules when adding, after them when
 * removing: a rule never points at an empty table. */
static int
routes_set(const char *tun, int nwant, uid_t uid)
{
	struct nl_rule	wr[ROUTE_RULES_MAX];
	unsigned int	ifindex;
	int		fd, nwr, rv = -1;

	ifindex = if_nametoindex(tun);
	if (ifindex == 0 && nwant > 0) {
		log_warn("routes: tun %s", tun);
		return -1;
	}
	if ((fd = nl_open()) == -1) {
		log_warn("routes: netlink socket");
		return -1;
	}
	nwr = routes_rules(want, nwant, uid, wr);
	if (nwant > 0 && routes_apply(fd, tun, ifindex, nwant) == 0 &&
	    rules_apply(fd, wr, nwr) == 0)
		rv = 0;
	if (nwant == 0 && rules_apply(fd, wr, nwr) == 0 &&
	    routes_apply(fd, tun, ifindex, nwant) == 0)
		rv = 0;
	close(fd);
	return rv;
}

int
priv_routes_sync(const char *tun, const struct config *conf, uid_t uid)
{
	int	n;

	n = routes_wanted(conf, want, ROUTES_MAX);
	if (routes_set(tun, n, uid) == -1)
		return -1;
	if (n > 0)
		log_info("routes: %d into %s%s", conf->persist ? n / 2 : n,
		    conf->tun_name, conf->persist ? ", each backed by a "
		    "blackhole" : "");
	return 0;
}

int
priv_routes_clear(const char *tun)
{
	return routes_set(tun, 0, 0);
}
