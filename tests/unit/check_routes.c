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
 * Unit tests of the tunnel's routes and rules (bondd/routes.c): what a
 * client and a server want, with and without persist, and the diff
 * that a start or a reload applies.  Test code; trusts its inputs.
 */

#include <sys/socket.h>

#include <linux/rtnetlink.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "netlink.h"
#include "routes.h"
#include "util.h"
#include "check_main.h"

static struct config	c;
static struct nl_route	want[ROUTES_MAX], cur[ROUTES_MAX];
static uint8_t		del[ROUTES_MAX], add[ROUTES_MAX];

static void
pfx(struct conf_prefix *p, const char *s)
{
	ck_assert_msg(prefix_parse(s, p) == 0, "%s", s);
}

/* A default route in the tunnel's table, others in main. */
static struct nl_route
rt(const char *s, int blackhole)
{
	struct nl_route	r;

	memset(&r, 0, sizeof(r));
	pfx(&r.dst, s);
	r.table = r.dst.plen == 0 ? ROUTE_TABLE : RT_TABLE_MAIN;
	r.blackhole = blackhole;
	return r;
}

/* Is "s" (blackhole or not, in its table) among the n routes? */
static int
has(const struct nl_route *r, int n, const char *s, int blackhole)
{
	struct nl_route	x = rt(s, blackhole);
	int		i;

	for (i = 0; i < n; i++)
		if (r[i].blackhole == x.blackhole && r[i].table == x.table &&
		    prefix_in(&r[i].dst, &x.dst, 1))
			return 1;
	return 0;
}

static void
setup(void)
{
	config_defaults(&c);
	pfx(&c.tun_addr[0], "198.19.0.1/24");
	pfx(&c.tun_addr[1], "2001:db8:19::1/64");
	c.ntun_addr = 2;
}

START_TEST(test_client)
{
	int	n;

	ck_assert_int_eq(routes_wanted(&c, want, ROUTES_MAX), 0);
	pfx(&c.routes[c.nroutes++], "0.0.0.0/0");
	pfx(&c.routes[c.nroutes++], "::/0");
	c.persist = false;
	n = routes_wanted(&c, want, ROUTES_MAX);
	ck_assert_int_eq(n, 2);
	ck_assert(has(want, n, "0.0.0.0/0", 0));
	ck_assert(has(want, n, "::/0", 0));

	/* Fail closed: each route has its blackhole. */
	c.persist = true;
	n = routes_wanted(&c, want, ROUTES_MAX);
	ck_assert_int_eq(n, 4);
	ck_assert(has(want, n, "0.0.0.0/0", 1));
	ck_assert(has(want, n, "::/0", 1));

	/* A client routes nothing of its peer's allowed_ips. */
	c.npeers = 1;
	pfx(&c.peers[0].allowed[c.peers[0].nallowed++], "198.18.5.0/24");
	ck_assert_int_eq(routes_wanted(&c, want, ROUTES_MAX), 4);
	/* Never more than max. */
	ck_assert_int_eq(routes_wanted(&c, want, 3), 3);
}
END_TEST

START_TEST(test_server)
{
	struct conf_peer	*p;
	int			 n;

	c.role = ROLE_SERVER;
	c.persist = false;
	c.npeers = 2;
	p = &c.peers[0];
	pfx(&p->allowed[p->nallowed++], "198.19.0.2/32");	/* tunnel */
	pfx(&p->allowed[p->nallowed++], "198.18.200.0/24");	/* its LAN */
	pfx(&p->allowed[p->nallowed++], "2001:db8:19::2/128");	/* tunnel */
	pfx(&p->allowed[p->nallowed++], "2001:db8:200::/64");
	p = &c.peers[1];
	pfx(&p->allowed[p->nallowed++], "198.19.0.0/23");	/* wider */
	pfx(&p->allowed[p->nallowed++], "198.18.200.0/24");	/* again */
	pfx(&p->allowed[p->nallowed++], "0.0.0.0/0");		/* a filter */
	pfx(&p->allowed[p->nallowed++], "::/0");
	pfx(&c.routes[c.nroutes++], "198.18.210.0/24");
	n = routes_wanted(&c, want, ROUTES_MAX);
	ck_assert_int_eq(n, 4);
	ck_assert(has(want, n, "198.18.210.0/24", 0));
	ck_assert(has(want, n, "198.18.200.0/24", 0));
	ck_assert(has(want, n, "2001:db8:200::/64", 0));
	/* Wider than the tunnel's own subnet: it is routed. */
	ck_assert(has(want, n, "198.19.0.0/23", 0));
	ck_assert(!has(want, n, "198.19.0.2/32", 0));
	ck_assert(!has(want, n, "0.0.0.0/0", 0));

	c.persist = true;
	ck_assert_int_eq(routes_wanted(&c, want, ROUTES_MAX), 8);
}
END_TEST

START_TEST(test_diff)
{
	int	n;

	pfx(&c.routes[c.nroutes++], "0.0.0.0/0");
	pfx(&c.routes[c.nroutes++], "198.18.200.0/24");
	n = routes_wanted(&c, want, ROUTES_MAX);
	ck_assert_int_eq(n, 4);

	/* Nothing yet: everything is added. */
	ck_assert_int_eq(routes_diff(cur, 0, want, n, del, add), 4);
	ck_assert(add[0] && add[1] && add[2] && add[3]);

	/* Everything there: nothing changes. */
	memcpy(cur, want, n * sizeof(want[0]));
	ck_assert_int_eq(routes_diff(cur, n, want, n, del, add), 0);

	/* A route left from an older configuration goes, as does one in
	 * the other table; a blackhole is not the device route of the
	 * same prefix. */
	cur[0] = rt("198.18.9.0/24", 0);
	cur[1] = rt("0.0.0.0/0", 0);
	cur[1].table = RT_TABLE_MAIN;
	cur[2] = rt("0.0.0.0/0", 1);
	cur[3] = rt("198.18.200.0/24", 1);
	ck_assert_int_eq(routes_diff(cur, 4, want, n, del, add), 4);
	ck_assert(del[0] && del[1] && !del[2] && !del[3]);
	ck_assert_int_eq(add[0] + add[1] + add[2] + add[3], 2);
	ck_assert(add[0] && has(&want[0], 1, "0.0.0.0/0", 0));

	/* persist off: the blackholes go. */
	c.persist = false;
	memcpy(cur, want, n * sizeof(want[0]));
	ck_assert_int_eq(routes_wanted(&c, want, ROUTES_MAX), 2);
	ck_assert_int_eq(routes_diff(cur, n, want, 2, del, add), 2);
	ck_assert(!del[0] && del[1] && !del[2] && del[3]);
	ck_assert(!add[0] && !add[1]);
}
END_TEST

/* A prefix goes to main, a default route to the tunnel's table. */
START_TEST(test_tables)
{
	int	n;

	pfx(&c.routes[c.nroutes++], "198.18.200.0/24");
	pfx(&c.routes[c.nroutes++], "::/0");
	n = routes_wanted(&c, want, ROUTES_MAX);
	ck_assert_int_eq(n, 4);
	ck_assert_uint_eq(want[0].table, RT_TABLE_MAIN);
	ck_assert_uint_eq(want[1].table, RT_TABLE_MAIN);
	ck_assert_uint_eq(want[2].table, ROUTE_TABLE);
	ck_assert_uint_eq(want[3].table, ROUTE_TABLE);
}
END_TEST

START_TEST(test_rules)
{
	struct nl_rule	r[ROUTE_RULES_MAX], old[ROUTE_RULES_MAX + 1];
	uint8_t		rdel[ROUTE_RULES_MAX + 1], radd[ROUTE_RULES_MAX];
	int		n, i;

	ck_assert_int_eq(routes_rules(want, 0, 1000, r), 0);
	/* Prefixes alone live in main: no rule. */
	want[0] = rt("198.18.200.0/24", 0);
	want[1] = rt("2001:db8:200::/64", 1);
	ck_assert_int_eq(routes_rules(want, 2, 1000, r), 0);
	/* A default route (of either family) needs both families' rules:
	 * the other may get one on reload. */
	want[2] = rt("::/0", 0);
	n = routes_rules(want, 3, 1000, r);
	ck_assert_int_eq(n, 4);
	for (i = 0; i < n; i++) {
		ck_assert(r[i].family == AF_INET || r[i].family == AF_INET6);
		if (r[i].prio == ROUTE_PRIO_MAIN) {
			/* main, except its default routes */
			ck_assert_uint_eq(r[i].table, RT_TABLE_MAIN);
			ck_assert_int_eq(r[i].suppress_plen, 0);
			ck_assert(!r[i].has_uid && !r[i].invert);
		} else {
			/* the tunnel's table, for all but the daemon user */
			ck_assert_uint_eq(r[i].prio, ROUTE_PRIO_TABLE);
			ck_assert_uint_eq(r[i].table, ROUTE_TABLE);
			ck_assert_int_eq(r[i].suppress_plen, -1);
			ck_assert(r[i].has_uid && r[i].invert);
			ck_assert_uint_eq(r[i].uid, 1000);
		}
	}
	ck_assert_int_lt(ROUTE_PRIO_TABLE, 32766);	/* before main */

	ck_assert_int_eq(rules_diff(r, n, r, n, rdel, radd), 0);
	/* Another daemon user: its rule is replaced, the rest stays. */
	memcpy(old, r, sizeof(r));
	for (i = 0; i < n; i++)
		if (old[i].has_uid)
			old[i].uid = 999;
	ck_assert_int_eq(rules_diff(old, n, r, n, rdel, radd), 4);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(rdel[i], old[i].has_uid);
		ck_assert_int_eq(radd[i], r[i].has_uid);
	}
	/* No routes left: every rule goes. */
	ck_assert_int_eq(rules_diff(r, n, NULL, 0, rdel, radd), 4);
}
END_TEST

static Suite *
routes_suite(void)
{
	Suite	*s = suite_create("routes");
	TCase	*tc = tcase_create("wanted");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_client);
	tcase_add_test(tc, test_server);
	tcase_add_test(tc, test_diff);
	tcase_add_test(tc, test_tables);
	tcase_add_test(tc, test_rules);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(srunner_create(routes_suite())));
}
