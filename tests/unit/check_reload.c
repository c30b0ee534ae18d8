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
 * Unit tests of the reload diff (bondd/reload.c): every class of link
 * change, every key that needs a restart, the peers' slots (kept by
 * name or key, new ones in free slots), the summary line.
 */

#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "reload.h"
#include "util.h"
#include "check_main.h"

static struct config	a, b;
static struct reload_diff d;
static char		err[256];
static int		ident[BONDD_MAX_PEERS];	/* peers[i] in slot i */

static void
add_link(struct config *c, const char *name, const char *dev)
{
	struct conf_link	*l = &c->links[c->nlinks++];

	memset(l, 0, sizeof(*l));
	snprintf(l->name, sizeof(l->name), "%s", name);
	snprintf(l->device, sizeof(l->device), "%s", dev);
	l->up_bps = 1000000;
	l->down_bps = 8000000;
	l->priority = 1;
}

/* A client with links wan0 and wan1; b starts as a copy. */
static void
setup(void)
{
	int	i;

	for (i = 0; i < BONDD_MAX_PEERS; i++)
		ident[i] = i;
	config_defaults(&a);
	ck_assert_int_eq(prefix_parse("198.19.0.2/24", &a.tun_addr[0]), 0);
	a.ntun_addr = 1;
	snprintf(a.private_key_file, sizeof(a.private_key_file), "/k");
	memset(a.private_key, 1, sizeof(a.private_key));
	a.npeers = 1;
	snprintf(a.peers[0].name, sizeof(a.peers[0].name), "server");
	memset(a.peers[0].public_key, 2, BONDD_KEY_LEN);
	ck_assert_int_eq(addr_parse("198.18.0.1:5800", 5800,
	    &a.peers[0].endpoint), 0);
	add_link(&a, "wan0", "eth0");
	add_link(&a, "wan1", "eth1");
	b = a;
	memset(err, 0, sizeof(err));
}

static const struct reload_link *
find(const char *name)
{
	int	i;

	for (i = 0; i < d.nlinks; i++)
		if (strcmp(d.links[i].name, name) == 0)
			return &d.links[i];
	return NULL;
}

START_TEST(test_identical)
{
	char	sum[128];

	ck_assert_int_eq(reload_diff(&a, ident, &b, &d, err, sizeof(err)), 0);
	ck_assert_int_eq(d.nlinks, 2);
	ck_assert_int_eq(d.count[RELOAD_UNCHANGED], 2);
	ck_assert_int_eq(d.linkd_changed, 0);
	ck_assert_int_eq(d.core_changed, 0);
	ck_assert_int_eq(find("wan0")->class, RELOAD_UNCHANGED);
	reload_summary(&d, sum, sizeof(sum));
	ck_assert_str_eq(sum, "reloaded: 2 unchanged");
}
END_TEST

START_TEST(test_added_removed)
{
	char	sum[128];

	/* wan1 goes, wan2 comes: wan0 keeps its place although the
	 * order in the file changes. */
	b.nlinks = 0;
	add_link(&b, "wan2", "eth2");
	b.links[b.nlinks++] = a.links[0];
	ck_assert_int_eq(reload_diff(&a, ident, &b, &d, err, sizeof(err)), 0);
	ck_assert_int_eq(d.nlinks, 3);
	ck_assert_int_eq(find("wan0")->class, RELOAD_UNCHANGED);
	ck_assert_int_eq(find("wan0")->old_idx, 0);
	ck_assert_int_eq(find("wan0")->new_idx, 1);
	ck_assert_int_eq(find("wan1")->class, RELOAD_REMOVED);
	ck_assert_int_eq(find("wan1")->new_idx, -1);
	ck_assert_int_eq(find("wan2")->class, RELOAD_ADDED);
	ck_assert_int_eq(find("wan2")->old_idx, -1);
	ck_assert_int_eq(find("wan2")->new_idx, 0);
	reload_summary(&d, sum, sizeof(sum));
	ck_assert_str_eq(sum, "reloaded: 1 added, 1 removed, 1 unchanged");
}
END_TEST

START_TEST(test_soft)
{
	b.links[1].up_bps = 2000000;
	ck_assert_int_eq(reload_diff(&a, ident, &b, &d, err, sizeof(err)), 0);
	ck_assert_int_eq(find("wan1")->class, RELOAD_SOFT);
	ck_assert_str_eq(find("wan1")->why, "up");
	ck_assert_int_eq(find("wan0")->class, RELOAD_UNCHANGED);

	b = a;
	b.links[0].priority = 2;
	b.links[1].backup = true;
	ck_assert_int_eq(reload_diff(&a, ident, &b, &d, err, sizeof(err)), 0);
	ck_assert_str_eq(find("wan0")->why, "priority");
	ck_assert_str_eq(find("wan1")->why, "backup");
	ck_assert_int_eq(d.count[RELOAD_SOFT], 2);

	b = a;
	b.links[0].quota_bytes = 1000;
	b.links[1].down_bps = 1000;
	ck_assert_int_eq(reload_diff(&a, ident, &b, &d, err, sizeof(err)), 0);
	ck_assert_str_eq(find("wan0")->why, "quota");
	ck_assert_str_eq(find("wan1")->why, "down");
}
END_TEST

START_TEST(test_hard)
{
	snprintf(b.links[0].device, sizeof(b.links[0].device), "eth9");
	ck_assert_int_eq(reload_diff(&a, ident, &b, &d, err, sizeof(err)), 0);
	ck_assert_int_eq(find("wan0")->class, RELOAD_HARD);
	ck_assert_str_eq(find("wan0")->why, "device");

	b = a;
	b.links[0].port = 6000;
	b.links[0].up_bps = 5;		/* hard wins over soft */
	ck_assert_int_eq(reload_diff(&a, ident, &b, &d, err, sizeof(err)), 0);
	ck_assert_int_eq(find("wan0")->class, RELOAD_HARD);
	ck_assert_str_eq(find("wan0")->why, "port");

	b = a;
	b.links[1].fwmark = 7;
	ck_assert_int_eq(reload_diff(&a, ident, &b, &d, err, sizeof(err)), 0);
	ck_assert_str_eq(find("wan1")->why, "fwmark");

	b = a;
	b.links[1].mtu = 1400;
	ck_assert_int_eq(reload_diff(&a, ident, &b, &d, err, sizeof(err)), 0);
	ck_assert_str_eq(find("wan1")->why, "mtu");

	b = a;
	ck_assert_int_eq(addr_parse_host("198.18.1.2", &b.links[1].source), 0);
	ck_assert_int_eq(reload_diff(&a, ident, &b, &d, err, sizeof(err)), 0);
	ck_assert_str_eq(find("wan1")->why, "source");

	b = a;
	ck_assert_int_eq(addr_parse("198.18.2.1:5801", 5800,
	    &b.links[1].endpoint), 0);
	ck_assert_int_eq(reload_diff(&a, ident, &b, &d, err, sizeof(err)), 0);
	ck_assert_int_eq(find("wan1")->class, RELOAD_HARD);
	ck_assert_str_eq(find("wan1")->why, "endpoint");
	ck_assert_int_eq(d.count[RELOAD_HARD], 1);
	ck_assert_int_eq(d.count[RELOAD_UNCHANGED], 1);
}
END_TEST

START_TEST(test_global)
{
	b.keepalive_s = 10;
	ck_assert_int_eq(reload_diff(&a, ident, &b, &d, err, sizeof(err)), 0);
	ck_assert_int_eq(d.linkd_changed, 1);
	ck_assert_int_eq(d.core_changed, 0);
	ck_assert_int_eq(d.count[RELOAD_UNCHANGED], 2);

	b = a;
	b.lossy_ppm = 1;
	ck_assert_int_eq(reload_diff(&a, ident, &b, &d, err, sizeof(err)), 0);
	ck_assert_int_eq(d.linkd_changed, 1);

	b = a;
	b.strategy = STRATEGY_ROUND_ROBIN;
	ck_assert_int_eq(reload_diff(&a, ident, &b, &d, err, sizeof(err)), 0);
	ck_assert_int_eq(d.core_changed, 1);
	ck_assert_int_eq(d.linkd_changed, 0);

	b = a;
	b.rt_udp_ports[b.nrt_udp_ports++] = 5060;
	ck_assert_int_eq(reload_diff(&a, ident, &b, &d, err, sizeof(err)), 0);
	ck_assert_int_eq(d.core_changed, 1);

	b = a;
	b.reorder_max_ms = 50;
	ck_assert_int_eq(reload_diff(&a, ident, &b, &d, err, sizeof(err)), 0);
	ck_assert_int_eq(d.core_changed, 1);

	/* log.status_interval: linkd's status lines and the core's. */
	b = a;
	b.log_status_s = 0;
	ck_assert_int_eq(reload_diff(&a, ident, &b, &d, err, sizeof(err)), 0);
	ck_assert_int_eq(d.linkd_changed, 1);
	ck_assert_int_eq(d.core_changed, 1);
	ck_assert_int_eq(d.count[RELOAD_UNCHANGED], 2);

	/* allowed_ips are the peers', not a global setting; the
	 * server's routes follow them. */
	b = a;
	ck_assert_int_eq(prefix_parse("10.0.0.0/8",
	    &b.peers[0].allowed[b.peers[0].nallowed++]), 0);
	ck_assert_int_eq(reload_diff(&a, ident, &b, &d, err, sizeof(err)), 0);
	ck_assert_int_eq(d.peers_changed, 1);
	ck_assert_int_eq(d.peers[0].class, RELOAD_SOFT);
	ck_assert_str_eq(d.peers[0].why, "allowed_ips");
	ck_assert_int_eq(d.core_changed, 0);
	ck_assert_int_eq(d.routes_changed, 1);
}
END_TEST

/* Routes and persist change in place; nothing else follows them. */
START_TEST(test_routes)
{
	char	sum[128];

	ck_assert_int_eq(reload_diff(&a, ident, &b, &d, err, sizeof(err)), 0);
	ck_assert_int_eq(d.routes_changed, 0);

	ck_assert_int_eq(prefix_parse("0.0.0.0/0", &b.routes[b.nroutes++]),
	    0);
	ck_assert_int_eq(reload_diff(&a, ident, &b, &d, err, sizeof(err)), 0);
	ck_assert_int_eq(d.routes_changed, 1);
	ck_assert_int_eq(d.core_changed, 0);
	ck_assert_int_eq(d.linkd_changed, 0);
	ck_assert_int_eq(d.count[RELOAD_UNCHANGED], 2);

	b = a;
	b.persist = !a.persist;
	ck_assert_int_eq(reload_diff(&a, ident, &b, &d, err, sizeof(err)), 0);
	ck_assert_int_eq(d.routes_changed, 1);
	ck_assert_int_eq(d.tunnel_changed, 1);
	ck_assert_int_eq(d.core_changed, 0);
	reload_summary(&d, sum, sizeof(sum));
	ck_assert_str_eq(sum, "reloaded: 2 unchanged; global settings changed");

	/* The same name again is no change; another name needs a
	 * restart, as another address does. */
	snprintf(a.peers[0].endpoint_name, sizeof(a.peers[0].endpoint_name),
	    "vps.example.net");
	a.peers[0].endpoint_port = 5800;
	memset(&a.peers[0].endpoint, 0, sizeof(a.peers[0].endpoint));
	b = a;
	ck_assert_int_eq(reload_diff(&a, ident, &b, &d, err, sizeof(err)), 0);
	b.peers[0].endpoint_port = 5801;
	ck_assert_int_eq(reload_diff(&a, ident, &b, &d, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "peer.endpoint cannot change on reload; "
	    "restart bondd");
	b = a;
	snprintf(b.peers[0].endpoint_name, sizeof(b.peers[0].endpoint_name),
	    "vps2.example.net");
	ck_assert_int_eq(reload_diff(&a, ident, &b, &d, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "peer.endpoint cannot change on reload; "
	    "restart bondd");
}
END_TEST

/* Each key that needs a restart is refused, named in the message. */
START_TEST(test_refused)
{
	static const char *const keys[] = {
		"role", "tunnel.name", "tunnel.address", "tunnel.mtu",
		"tunnel.txqueuelen", "identity.private_key_file",
		"identity.private_key_file", "identity.user",
		"control.socket", "control.group", "control.metrics",
		"peer.endpoint"
	};
	char	want[128];
	int	i;

	for (i = 0; i < (int)(sizeof(keys) / sizeof(keys[0])); i++) {
		b = a;
		switch (i) {
		case 0:
			b.role = ROLE_SERVER;
			break;
		case 1:
			snprintf(b.tun_name, sizeof(b.tun_name), "bond1");
			break;
		case 2:
			ck_assert_int_eq(prefix_parse("198.19.0.3/24",
			    &b.tun_addr[0]), 0);
			break;
		case 3:
			b.tun_mtu = 1300;
			break;
		case 4:
			b.tun_txqueuelen = 5;
			break;
		case 5:
			snprintf(b.private_key_file,
			    sizeof(b.private_key_file), "/other");
			break;
		case 6:
			b.private_key[0] ^= 1;	/* same file, new key */
			break;
		case 7:
			snprintf(b.user, sizeof(b.user), "nobody");
			break;
		case 8:
			snprintf(b.ctl_socket, sizeof(b.ctl_socket), "/x");
			break;
		case 9:
			snprintf(b.ctl_group, sizeof(b.ctl_group), "wheel");
			break;
		case 10:
			ck_assert_int_eq(addr_parse("198.18.0.9:9100", 9100,
			    &b.metrics), 0);
			break;
		case 11:
			ck_assert_int_eq(addr_parse("198.18.0.7:5800", 5800,
			    &b.peers[0].endpoint), 0);
			break;
		}
		/* A refused file changes nothing, even with link changes. */
		b.links[0].up_bps = 42;
		ck_assert_int_eq(reload_diff(&a, ident, &b, &d, err, sizeof(err)),
		    -1);
		snprintf(want, sizeof(want), "%s cannot change on reload; "
		    "restart bondd", keys[i]);
		ck_assert_str_eq(err, want);
		ck_assert_int_eq(d.nlinks, 0);
	}
}
END_TEST

/* A server with site1 and site2 in slots 0 and 1; sb starts as a copy. */
static struct config	sa, sb;

static void
add_peer(struct config *c, const char *name, int key)
{
	struct conf_peer	*p = &c->peers[c->npeers++];

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	memset(p->public_key, key, BONDD_KEY_LEN);
	p->nallowed = 1;
	p->allowed[0].family = AF_INET;
	p->allowed[0].plen = 32;
	p->allowed[0].addr[3] = (uint8_t)key;
}

static void
setup_server(void)
{
	config_defaults(&sa);
	sa.role = ROLE_SERVER;
	sa.nlisten = 1;
	ck_assert_int_eq(addr_parse("198.18.0.1:5800", 5800, &sa.listen[0]),
	    0);
	add_peer(&sa, "site1", 2);
	add_peer(&sa, "site2", 3);
	sb = sa;
}

static const struct reload_peer *
find_peer(const char *name)
{
	int	i;

	for (i = 0; i < d.npeers; i++)
		if (strcmp(d.peers[i].name, name) == 0)
			return &d.peers[i];
	return NULL;
}

START_TEST(test_server)
{
	setup_server();
	ck_assert_int_eq(addr_parse("198.18.0.1:5801", 5800, &sb.listen[0]),
	    0);
	ck_assert_int_eq(reload_diff(&sa, ident, &sb, &d, err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "listen cannot change on reload; restart bondd");

	sb = sa;
	ck_assert_int_eq(prefix_parse("198.19.0.3/32",
	    &sb.peers[1].allowed[sb.peers[1].nallowed++]), 0);
	ck_assert_int_eq(reload_diff(&sa, ident, &sb, &d, err, sizeof(err)),
	    0);
	ck_assert_int_eq(d.peers_changed, 1);
	ck_assert_int_eq(find_peer("site1")->class, RELOAD_UNCHANGED);
	ck_assert_int_eq(find_peer("site2")->class, RELOAD_SOFT);
	ck_assert_int_eq(d.nlinks, 0);
}
END_TEST

/* Sites come and go; the others keep their slots, whatever the order
 * of the file. */
START_TEST(test_peers_added_removed)
{
	const int	kept[2] = { 2, 1 };	/* site3's, site2's slot */
	char		sum[160];

	setup_server();
	sb.npeers = 0;
	add_peer(&sb, "site3", 4);
	sb.peers[sb.npeers++] = sa.peers[1];
	ck_assert_int_eq(reload_diff(&sa, ident, &sb, &d, err, sizeof(err)),
	    0);
	ck_assert_int_eq(d.npeers, 3);
	ck_assert_int_eq(find_peer("site1")->class, RELOAD_REMOVED);
	ck_assert_int_eq(find_peer("site1")->slot, 0);
	ck_assert_int_eq(find_peer("site1")->new_idx, -1);
	ck_assert_int_eq(find_peer("site2")->class, RELOAD_UNCHANGED);
	ck_assert_int_eq(find_peer("site2")->slot, 1);
	ck_assert_int_eq(d.peer_slot[1], 1);
	/* Not site1's slot, freed in the same reload: a new one. */
	ck_assert_int_eq(find_peer("site3")->class, RELOAD_ADDED);
	ck_assert_int_eq(find_peer("site3")->slot, 2);
	ck_assert_int_eq(d.peer_slot[0], 2);
	ck_assert_int_eq(d.peers_changed, 1);
	ck_assert_int_eq(d.core_changed, 0);
	/* The server routes the sites' allowed_ips: they follow. */
	ck_assert_int_eq(d.routes_changed, 1);
	ck_assert_int_eq(d.tunnel_changed, 0);
	reload_summary(&d, sum, sizeof(sum));
	ck_assert_str_eq(sum, "reloaded: 0 unchanged; peers: 1 added, "
	    "1 removed, 1 unchanged");

	/* The next reload: site3 stays in slot 2, and a new one takes
	 * the slot site1 left, free since. */
	sa = sb;
	add_peer(&sb, "site4", 5);
	ck_assert_int_eq(reload_diff(&sa, kept, &sb, &d, err, sizeof(err)),
	    0);
	ck_assert_int_eq(find_peer("site3")->slot, 2);
	ck_assert_int_eq(find_peer("site2")->slot, 1);
	ck_assert_int_eq(find_peer("site4")->slot, 0);
	ck_assert_int_eq(find_peer("site4")->class, RELOAD_ADDED);
}
END_TEST

/* A new key ends that peer's sessions (same slot); a new name with the
 * same key is the same peer, renamed. */
START_TEST(test_peers_changed)
{
	setup_server();
	sb.peers[0].public_key[7] ^= 1;
	snprintf(sb.peers[1].name, sizeof(sb.peers[1].name), "site9");
	ck_assert_int_eq(reload_diff(&sa, ident, &sb, &d, err, sizeof(err)),
	    0);
	ck_assert_int_eq(find_peer("site1")->class, RELOAD_HARD);
	ck_assert_str_eq(find_peer("site1")->why, "public_key");
	ck_assert_int_eq(find_peer("site1")->slot, 0);
	ck_assert_int_eq(find_peer("site9")->class, RELOAD_SOFT);
	ck_assert_str_eq(find_peer("site9")->why, "name");
	ck_assert_int_eq(find_peer("site9")->slot, 1);
	ck_assert_ptr_null(find_peer("site2"));

	sb = sa;
	sb.peers[1].has_psk = true;
	ck_assert_int_eq(reload_diff(&sa, ident, &sb, &d, err, sizeof(err)),
	    0);
	ck_assert_int_eq(find_peer("site2")->class, RELOAD_HARD);
	ck_assert_str_eq(find_peer("site2")->why, "preshared_key_file");

	/* A client's one peer is the server, even renamed with a new key. */
	b.peers[0].public_key[0] ^= 1;
	snprintf(b.peers[0].name, sizeof(b.peers[0].name), "vps");
	ck_assert_int_eq(reload_diff(&a, ident, &b, &d, err, sizeof(err)), 0);
	ck_assert_int_eq(d.npeers, 1);
	ck_assert_int_eq(d.peers[0].class, RELOAD_HARD);
	ck_assert_int_eq(d.peers[0].slot, 0);
}
END_TEST

/* All 64 slots taken: an added peer gets the slot of one removed. */
START_TEST(test_peers_full)
{
	char	name[16];
	int	i;

	setup_server();
	sa.npeers = 0;
	for (i = 0; i < BONDD_MAX_PEERS; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		add_peer(&sa, name, i + 1);
	}
	sb = sa;
	sb.peers[17] = sb.peers[--sb.npeers];
	add_peer(&sb, "fresh", 200);
	ck_assert_int_eq(reload_diff(&sa, ident, &sb, &d, err, sizeof(err)),
	    0);
	ck_assert_int_eq(find_peer("s17")->class, RELOAD_REMOVED);
	ck_assert_int_eq(find_peer("fresh")->slot, 17);
	ck_assert_int_eq(find_peer("s63")->slot, 63);
	ck_assert_int_eq(d.peer_count[RELOAD_UNCHANGED], 63);
}
END_TEST

START_TEST(test_summary)
{
	char	sum[128];

	b.nlinks = 1;
	b.links[0].up_bps = 2;
	add_link(&b, "wan2", "eth2");
	add_link(&b, "wan3", "eth3");
	b.strategy = STRATEGY_WEIGHTED;
	ck_assert_int_eq(reload_diff(&a, ident, &b, &d, err, sizeof(err)), 0);
	reload_summary(&d, sum, sizeof(sum));
	ck_assert_str_eq(sum, "reloaded: 2 added, 1 removed, 1 changed, "
	    "0 unchanged; global settings changed");
	/* Truncation stays a C string. */
	reload_summary(&d, sum, 12);
	ck_assert_int_lt(strlen(sum), 12);
	ck_assert_str_eq(reload_class_name(RELOAD_HARD), "restarted");
}
END_TEST

static Suite *
reload_suite(void)
{
	Suite	*s = suite_create("reload");
	TCase	*tc = tcase_create("diff");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_identical);
	tcase_add_test(tc, test_added_removed);
	tcase_add_test(tc, test_soft);
	tcase_add_test(tc, test_hard);
	tcase_add_test(tc, test_global);
	tcase_add_test(tc, test_routes);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_server);
	tcase_add_test(tc, test_peers_added_removed);
	tcase_add_test(tc, test_peers_changed);
	tcase_add_test(tc, test_peers_full);
	tcase_add_test(tc, test_summary);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(srunner_create(reload_suite())));
}
