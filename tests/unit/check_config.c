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
 * Unit tests of the configuration parser and printer (common/yamltree.c,
 * common/parse.c, common/config.c, common/printconf.c): good client and
 * server files give the expected fields, every kind of bad file gives
 * its exact "file:line:column: message", and the canonical form reads
 * back to the same struct; the permission model of the files, and a
 * reload that keeps the keys of unchanged key files.  Fixtures live in
 * a fresh temporary directory.
 * Test code; trusts its inputs.
 */

#include <sys/stat.h>
#include <arpa/inet.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <sodium.h>

#include "config.h"
#include "util.h"
#include "check_main.h"

static char	 dir[64];
static char	 keyfile[128], pskfile[128];
static uint8_t	 priv[BONDD_KEY_LEN], psk[BONDD_KEY_LEN];
static char	 srv_pub[KEY_B64_LEN], cli_pub[KEY_B64_LEN];

/* The peers' keys: any 32 bytes will do. */
#define PUB_A	"K7SVnjWQDt/8IEXXiQ+iaAIm4XrpyXIRoCuYXRb3iQ0="
#define PUB_B	"xPwUUVUJZO5fdl8Ox09wb10BP7bTv85J5pDEgOZckl4="

static void
write_file(const char *path, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
write_file(const char *path, const char *fmt, ...)
{
	FILE	*fp;
	va_list	 ap;

	ck_assert_ptr_nonnull(fp = fopen(path, "w"));
	va_start(ap, fmt);
	vfprintf(fp, fmt, ap);
	va_end(ap);
	ck_assert_int_eq(fclose(fp), 0);
}

static void
write_key(const char *path, const uint8_t key[BONDD_KEY_LEN])
{
	char	 b64[KEY_B64_LEN];

	key_to_base64(b64, key);
	write_file(path, "%s\n", b64);
	/* Readable by its owner only, or bondd refuses it. */
	ck_assert_int_eq(chmod(path, 0600), 0);
}

static void
setup(void)
{
	uint8_t	 pub[BONDD_KEY_LEN], sk[BONDD_KEY_LEN];

	ck_assert_int_ge(sodium_init(), 0);
	umask(022);
	strlcpy(dir, "/tmp/check_config.XXXXXX", sizeof(dir));
	ck_assert_ptr_nonnull(mkdtemp(dir));
	crypto_box_keypair(pub, priv);
	key_to_base64(cli_pub, pub);
	crypto_box_keypair(pub, sk);
	key_to_base64(srv_pub, pub);
	randombytes_buf(psk, sizeof(psk));
	snprintf(keyfile, sizeof(keyfile), "%s/private.key", dir);
	snprintf(pskfile, sizeof(pskfile), "%s/psk.key", dir);
	write_key(keyfile, priv);
	write_key(pskfile, psk);
}

static void
teardown(void)
{
	char	 cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static const char *
path(const char *name)
{
	static char	 buf[4][160];
	static int	 i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return (buf[i]);
}

static int
prefix_is(const struct conf_prefix *p, const char *s)
{
	char	 buf[INET6_ADDRSTRLEN + 5];

	return (strcmp(prefix_fmt(p, buf, sizeof(buf)), s) == 0);
}

static const char *
afmt(const struct sockaddr_storage *ss)
{
	static char	 buf[ADDR_STRLEN];

	return (addr_fmt(ss, buf, sizeof(buf)));
}

#define CLIENT_FULL \
	"# a client\n" \
	"role: client\n" \
	"tunnel:\n" \
	"  name: bond7\n" \
	"  address: [198.19.0.2/24, \"2001:db8:1::2/64\"]\n" \
	"  mtu: 1400\n" \
	"  txqueuelen: 2000\n" \
	"  mss_clamp: yes\n" \
	"identity: {private_key_file: %s, user: nobody}\n" \
	"peer:\n" \
	"  name: vps\n" \
	"  public_key: %s\n" \
	"  endpoint: \"[2001:db8::1]:5801\"\n" \
	"  preshared_key_file: %s\n" \
	"  allowed_ips: [198.18.0.7/15]\n" \
	"links:\n" \
	"  - {name: dsl, device: eth1, up: 1.5mbit, down: 8mbit}\n" \
	"  - name: lte\n" \
	"    device: wwan0\n" \
	"    source: 198.18.5.9\n" \
	"    port: 5900\n" \
	"    fwmark: 4294967295\n" \
	"    up: 10000000\n" \
	"    down: 0.04gbit\n" \
	"    priority: 2\n" \
	"    quota: 10GB\n" \
	"    backup: true\n" \
	"    mtu: 1420\n" \
	"session: {keepalive: 10, rekey: 3600}\n" \
	"probe: {interval: 50, down_after: 200, lossy: 2.5%%, recover: 8}\n" \
	"scheduler: {strategy: tiered_fill, reorder_max: 0}\n" \
	"realtime: {udp_ports: [5060, 3478], tcp_ports: [22], " \
	    "duplicate: true}\n" \
	"fec: {mode: adaptive}\n" \
	"control:\n" \
	"  socket: /run/bondd/x.sock\n" \
	"  group: root\n" \
	"  metrics: 198.18.0.2:9100\n"

#define SERVER \
	"role: server\n" \
	"tunnel: {address: 198.19.0.1/24}\n" \
	"identity: {private_key_file: %s}\n" \
	"listen: [198.18.0.1:5800, \"[2001:db8::1]\"]\n" \
	"peers:\n" \
	"  - name: site-a\n" \
	"    public_key: %s\n" \
	"    allowed_ips: [198.19.0.2, 198.19.10.9/24]\n" \
	"  - name: site-b\n" \
	"    public_key: " PUB_B "\n" \
	"    preshared_key_file: %s\n" \
	"    allowed_ips: \"2001:db8:2::/48\"\n"

/* Minimal client; %s is the private key file. */
#define CLIENT_MIN \
	"role: client\n" \
	"tunnel: {address: 198.19.0.2/24}\n" \
	"identity: {private_key_file: %s}\n" \
	"peer:\n" \
	"  public_key: " PUB_A "\n" \
	"  endpoint: 198.18.0.1:5800\n" \
	"links:\n" \
	"  - name: wan0\n"

START_TEST(test_client_full)
{
	struct config		*c;
	struct conf_link	*l;
	char			 err[512] = "";
	uint8_t			 k[BONDD_KEY_LEN];

	ck_assert_ptr_nonnull(c = malloc(sizeof(*c)));
	write_file(path("c.yaml"), CLIENT_FULL, keyfile, srv_pub, pskfile);
	ck_assert_msg(parse_config(path("c.yaml"), c, err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert_str_eq(c->file, path("c.yaml"));
	ck_assert_int_eq(c->role, ROLE_CLIENT);
	ck_assert_str_eq(c->tun_name, "bond7");
	ck_assert_int_eq(c->ntun_addr, 2);
	ck_assert(prefix_is(&c->tun_addr[0], "198.19.0.2/24"));
	ck_assert(prefix_is(&c->tun_addr[1], "2001:db8:1::2/64"));
	ck_assert_uint_eq(c->tun_mtu, 1400);
	ck_assert_uint_eq(c->tun_txqueuelen, 2000);
	ck_assert(c->mss_clamp);
	ck_assert_str_eq(c->private_key_file, keyfile);
	ck_assert_mem_eq(c->private_key, priv, sizeof(priv));
	ck_assert_str_eq(c->user, "nobody");

	ck_assert_int_eq(c->npeers, 1);
	ck_assert_str_eq(c->peers[0].name, "vps");
	ck_assert_int_eq(key_from_base64(k, srv_pub), 0);
	ck_assert_mem_eq(c->peers[0].public_key, k, sizeof(k));
	ck_assert_str_eq(afmt(&c->peers[0].endpoint), "[2001:db8::1]:5801");
	ck_assert(c->peers[0].has_psk);
	ck_assert_mem_eq(c->peers[0].psk, psk, sizeof(psk));
	ck_assert_str_eq(c->peers[0].psk_file, pskfile);
	ck_assert_int_eq(c->peers[0].nallowed, 1);
	/* allowed_ips lose their host bits */
	ck_assert(prefix_is(&c->peers[0].allowed[0], "198.18.0.0/15"));

	ck_assert_int_eq(c->nlinks, 2);
	l = &c->links[0];
	ck_assert_str_eq(l->name, "dsl");
	ck_assert_str_eq(l->device, "eth1");
	ck_assert_int_eq(l->source.ss_family, 0);
	ck_assert_uint_eq(l->up_bps, 1500000);
	ck_assert_uint_eq(l->down_bps, 8000000);
	ck_assert_uint_eq(l->priority, 1);
	ck_assert_uint_eq(l->port, 0);
	ck_assert_uint_eq(l->fwmark, 0);
	ck_assert_uint_eq(l->quota_bytes, 0);
	ck_assert(!l->backup);
	ck_assert_uint_eq(l->mtu, 0);
	l = &c->links[1];
	ck_assert_str_eq(l->name, "lte");
	ck_assert_str_eq(l->device, "wwan0");
	ck_assert_str_eq(afmt(&l->source), "198.18.5.9:0");
	ck_assert_uint_eq(l->port, 5900);
	ck_assert_uint_eq(l->fwmark, 4294967295U);
	ck_assert_uint_eq(l->up_bps, 10000000);
	ck_assert_uint_eq(l->down_bps, 40000000);
	ck_assert_uint_eq(l->priority, 2);
	ck_assert_uint_eq(l->quota_bytes, 10000000000ULL);
	ck_assert(l->backup);
	ck_assert_uint_eq(l->mtu, 1420);

	ck_assert_uint_eq(c->keepalive_s, 10);
	ck_assert_uint_eq(c->rekey_s, 3600);
	ck_assert_uint_eq(c->probe_interval_ms, 50);
	ck_assert_uint_eq(c->down_after_ms, 200);
	ck_assert_uint_eq(c->lossy_ppm, 25000);
	ck_assert_uint_eq(c->recover_probes, 8);
	ck_assert_int_eq(c->strategy, STRATEGY_TIERED_FILL);
	ck_assert_uint_eq(c->reorder_max_ms, 0);
	ck_assert_int_eq(c->nrt_udp_ports, 2);
	ck_assert_uint_eq(c->rt_udp_ports[0], 5060);
	ck_assert_uint_eq(c->rt_udp_ports[1], 3478);
	ck_assert_int_eq(c->nrt_tcp_ports, 1);
	ck_assert_uint_eq(c->rt_tcp_ports[0], 22);
	ck_assert(c->rt_duplicate);
	ck_assert_int_eq(c->fec_mode, FEC_ADAPTIVE);
	ck_assert_str_eq(c->ctl_socket, "/run/bondd/x.sock");
	ck_assert_str_eq(c->ctl_group, "root");
	ck_assert_str_eq(afmt(&c->metrics), "198.18.0.2:9100");
	free(c);
}
END_TEST

START_TEST(test_client_defaults)
{
	struct config	*c;
	char		 err[512] = "";

	ck_assert_ptr_nonnull(c = malloc(sizeof(*c)));
	write_file(path("m.yaml"), CLIENT_MIN, keyfile);
	ck_assert_msg(parse_config(path("m.yaml"), c, err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert_str_eq(c->tun_name, "bond0");
	ck_assert_uint_eq(c->tun_mtu, 0);
	ck_assert_uint_eq(c->tun_txqueuelen, 1000);
	ck_assert(!c->mss_clamp);
	ck_assert_str_eq(c->user, BONDD_USER);
	ck_assert_str_eq(c->peers[0].name, "server");
	ck_assert(!c->peers[0].has_psk);
	ck_assert_int_eq(c->peers[0].nallowed, 2);
	ck_assert(prefix_is(&c->peers[0].allowed[0], "0.0.0.0/0"));
	ck_assert(prefix_is(&c->peers[0].allowed[1], "::/0"));
	ck_assert_uint_eq(c->links[0].priority, 1);
	ck_assert_uint_eq(c->keepalive_s, 25);
	ck_assert_uint_eq(c->rekey_s, 120);
	ck_assert_uint_eq(c->probe_interval_ms, 100);
	ck_assert_uint_eq(c->down_after_ms, 300);
	ck_assert_uint_eq(c->lossy_ppm, 50000);
	ck_assert_uint_eq(c->recover_probes, 5);
	ck_assert_int_eq(c->strategy, STRATEGY_EARLIEST_ARRIVAL);
	ck_assert_uint_eq(c->reorder_max_ms, 100);
	ck_assert_int_eq(c->nrt_udp_ports, 0);
	ck_assert(!c->rt_duplicate);
	ck_assert_int_eq(c->fec_mode, FEC_ADAPTIVE);
	ck_assert_str_eq(c->ctl_socket, BONDD_SOCKET);
	ck_assert_str_eq(c->ctl_group, "");
	ck_assert_int_eq(c->metrics.ss_family, 0);
	free(c);
}
END_TEST

START_TEST(test_server)
{
	struct config	*c;
	char		 err[512] = "";
	uint8_t		 k[BONDD_KEY_LEN];

	ck_assert_ptr_nonnull(c = malloc(sizeof(*c)));
	write_file(path("s.yaml"), SERVER, keyfile, cli_pub, pskfile);
	ck_assert_msg(parse_config(path("s.yaml"), c, err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert_int_eq(c->role, ROLE_SERVER);
	ck_assert_int_eq(c->nlinks, 0);
	ck_assert_int_eq(c->nlisten, 2);
	ck_assert_str_eq(afmt(&c->listen[0]), "198.18.0.1:5800");
	ck_assert_str_eq(afmt(&c->listen[1]), "[2001:db8::1]:5800");
	ck_assert_int_eq(c->npeers, 2);
	ck_assert_str_eq(c->peers[0].name, "site-a");
	ck_assert_int_eq(key_from_base64(k, cli_pub), 0);
	ck_assert_mem_eq(c->peers[0].public_key, k, sizeof(k));
	ck_assert(!c->peers[0].has_psk);
	ck_assert_int_eq(c->peers[0].nallowed, 2);
	ck_assert(prefix_is(&c->peers[0].allowed[0], "198.19.0.2/32"));
	ck_assert(prefix_is(&c->peers[0].allowed[1], "198.19.10.0/24"));
	ck_assert_int_eq(c->peers[0].endpoint.ss_family, 0);
	ck_assert_str_eq(c->peers[1].name, "site-b");
	ck_assert(c->peers[1].has_psk);
	ck_assert_mem_eq(c->peers[1].psk, psk, sizeof(psk));
	ck_assert_int_eq(c->peers[1].nallowed, 1);
	ck_assert(prefix_is(&c->peers[1].allowed[0], "2001:db8:2::/48"));
	free(c);
}
END_TEST

/* Parse, print, parse the print: the same struct, the same text. */
static void
round_trip(const char *name)
{
	struct config	*a, *b;
	char		 err[512] = "", out[160];
	char		*t1, *t2;
	size_t		 l1, l2;
	FILE		*fp;

	ck_assert_ptr_nonnull(a = malloc(sizeof(*a)));
	ck_assert_ptr_nonnull(b = malloc(sizeof(*b)));
	ck_assert_msg(parse_config(path(name), a, err, sizeof(err)) == 0,
	    "%s", err);
	snprintf(out, sizeof(out), "%s.out", path(name));
	ck_assert_ptr_nonnull(fp = fopen(out, "w"));
	print_config(a, fp);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_msg(parse_config(out, b, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(b->file, out);
	memcpy(b->file, a->file, sizeof(b->file));
	ck_assert(memcmp(a, b, sizeof(*a)) == 0);

	ck_assert_ptr_nonnull(fp = open_memstream(&t1, &l1));
	print_config(a, fp);
	fclose(fp);
	ck_assert_ptr_nonnull(fp = open_memstream(&t2, &l2));
	print_config(b, fp);
	fclose(fp);
	ck_assert_str_eq(t1, t2);
	/* No secret in the output, only the file names. */
	{
		char	 b64[KEY_B64_LEN];

		key_to_base64(b64, priv);
		ck_assert_ptr_null(strstr(t1, b64));
		key_to_base64(b64, psk);
		ck_assert_ptr_null(strstr(t1, b64));
	}
	free(t1);
	free(t2);
	free(a);
	free(b);
}

START_TEST(test_round_trip)
{
	write_file(path("c.yaml"), CLIENT_FULL, keyfile, srv_pub, pskfile);
	write_file(path("m.yaml"), CLIENT_MIN, keyfile);
	write_file(path("s.yaml"), SERVER, keyfile, cli_pub, pskfile);
	round_trip("c.yaml");
	round_trip("m.yaml");
	round_trip("s.yaml");
	/* Strings YAML reads as something else when printed plain: a
	 * trailing colon (a mapping key), a colon and a blank, a hash
	 * after a blank (a comment), quotes and backslashes. */
	write_file(path("h.yaml"), CLIENT_MIN
	    "control: {socket: \"/x:\"}\n", keyfile);
	round_trip("h.yaml");
	write_file(path("h.yaml"), CLIENT_MIN
	    "control: {socket: \"/a: b #c \\\"d\\\\e:\"}\n", keyfile);
	round_trip("h.yaml");
}
END_TEST

struct bad {
	const char	*what;
	const char	*yaml;		/* %1$s: the private key file */
	const char	*msg;		/* after "file:" */
};

#define TUN	"tunnel: {address: 198.19.0.2/24}\n"
#define IDENT	"identity: {private_key_file: %1$s}\n"
#define PEER	"peer: {public_key: " PUB_A ", endpoint: 198.18.0.1:5800}\n"
#define HEAD	"role: client\n" TUN IDENT PEER

static const struct bad bads[] = {
	{ "unknown key", HEAD "links:\n  - name: a\n    speed: 1\n",
	    "7:5: unknown key 'speed' in links[0]" },
	{ "unknown top key", HEAD "links: [{name: a}]\ntunel: {}\n",
	    "6:1: unknown key 'tunel'" },
	{ "wrong type",
	    "role: client\ntunnel:\n  address: 198.19.0.2/24\n  mtu: big\n"
	    IDENT PEER "links: [{name: a}]\n",
	    "4:8: tunnel.mtu: expected an integer or 'auto'" },
	{ "wrong type, section",
	    "role: client\ntunnel: [198.19.0.2/24]\n" IDENT PEER
	    "links: [{name: a}]\n",
	    "2:9: tunnel: expected a mapping" },
	{ "wrong type, quoted integer", HEAD "links: [{name: a, port: \"80\"}]\n",
	    "5:25: links[0].port: expected an integer" },
	{ "wrong type, bool", HEAD "links: [{name: a, backup: maybe}]\n",
	    "5:27: links[0].backup: expected true or false" },
	{ "out of range", HEAD "links: [{name: a}]\nsession: {keepalive: 601}\n",
	    "6:22: session.keepalive: 601 out of range 1..600" },
	{ "out of range, rate", HEAD "links: [{name: a, up: 999}]\n",
	    "5:23: links[0].up: 999 out of range 1kbit..100gbit" },
	{ "out of range, huge", HEAD
	    "links: [{name: a, fwmark: 99999999999999999999999}]\n",
	    "5:27: links[0].fwmark: 99999999999999999999999 out of range "
	    "0..4294967295" },
	{ "duplicate key",
	    "role: client\ntunnel:\n  address: 198.19.0.2/24\n  mtu: 1400\n"
	    "  mtu: 1500\n" IDENT PEER "links: [{name: a}]\n",
	    "5:3: duplicate key 'mtu' in tunnel" },
	{ "duplicate top key", "role: client\nrole: server\n",
	    "2:1: duplicate key 'role'" },
	{ "missing required", "tunnel: {address: 198.19.0.2/24}\n",
	    "1:1: missing required key 'role'" },
	{ "missing required, nested",
	    "role: client\ntunnel:\n  name: bond0\n" IDENT PEER
	    "links: [{name: a}]\n",
	    "3:3: missing required key 'address' in tunnel" },
	{ "missing required, link", HEAD "links:\n  - device: eth0\n",
	    "6:5: missing required key 'name' in links[0]" },
	{ "anchor", "role: client\ntunnel: &t {address: 198.19.0.2/24}\n",
	    "2:9: anchors are not supported" },
	{ "alias", HEAD "links: [{name: a, up: 1mbit, down: *x}]\n",
	    "5:36: aliases are not supported" },
	{ "tag", "role: !!str client\n",
	    "1:7: tags are not supported" },
	{ "syntax error", "role: client\ntunnel: {address: [1\n",
	    "3:1: syntax error: did not find expected ',' or ']'" },
	{ "syntax error, indent", "role: client\n  tunnel: x\n",
	    "2:9: syntax error: mapping values are not allowed in this "
	    "context" },
	{ "two documents", HEAD "links: [{name: a}]\n---\nrole: server\n",
	    "6:1: only one YAML document is allowed" },
	{ "empty", "# nothing\n", "1:1: empty configuration" },
	{ "bad address", HEAD "links: [{name: a, source: 198.18.0.256}]\n",
	    "5:27: links[0].source: invalid address '198.18.0.256'" },
	{ "bad endpoint", "role: client\n" TUN IDENT
	    "peer: {public_key: " PUB_A ", endpoint: 'example..org:80'}\n"
	    "links: [{name: a}]\n",
	    "4:76: peer.endpoint: invalid address or name 'example..org:80' "
	    "(expected ADDRESS:PORT or NAME:PORT)" },
	{ "bad route",
	    "role: client\ntunnel: {address: 198.19.0.2/24, routes: "
	    "[0.0.0.0/0, '::/129']}\n" IDENT PEER "links: [{name: a}]\n",
	    "2:54: tunnel.routes: invalid address or prefix '::/129'" },
	{ "duplicate route",
	    "role: client\ntunnel: {address: 198.19.0.2/24, routes: "
	    "[198.18.7.0/24, 198.18.7.9/24]}\n" IDENT PEER
	    "links: [{name: a}]\n",
	    "2:58: tunnel.routes: duplicate route 198.18.7.0/24" },
	{ "empty routes",
	    "role: client\ntunnel: {address: 198.19.0.2/24, routes: []}\n"
	    IDENT PEER "links: [{name: a}]\n",
	    "2:42: tunnel.routes: must not be empty" },
	{ "persist not a bool",
	    "role: client\ntunnel: {address: 198.19.0.2/24, persist: 2}\n"
	    IDENT PEER "links: [{name: a}]\n",
	    "2:43: tunnel.persist: expected true or false" },
	{ "bad prefix",
	    "role: client\ntunnel: {address: [198.19.0.2/24, 198.19.0.2/33]}\n"
	    IDENT PEER "links: [{name: a}]\n",
	    "2:35: tunnel.address: invalid address or prefix '198.19.0.2/33'" },
	{ "bad key", "role: client\n" TUN IDENT
	    "peer: {public_key: abcd, endpoint: 198.18.0.1:5800}\n"
	    "links: [{name: a}]\n",
	    "4:20: peer.public_key: expected a base64 32-byte key" },
	{ "client with listen", HEAD "links: [{name: a}]\n"
	    "listen: 198.18.0.1:5800\n",
	    "6:1: listen: only allowed with role server" },
	{ "server with links", "role: server\nlinks: []\n",
	    "2:1: links: only allowed with role client" },
	{ "too many links", HEAD "links: [{name: a}, {name: b}, {name: c}, "
	    "{name: d}, {name: e}, {name: f}, {name: g}, {name: h}, "
	    "{name: i}]\n",
	    "5:97: links: too many links (at most 8)" },
	{ "duplicate link name", HEAD "links:\n  - name: a\n  - name: b\n"
	    "  - name: a\n",
	    "8:11: links[2].name: duplicate link name 'a'" },
	{ "empty links", HEAD "links: []\n",
	    "5:8: links: must not be empty" },
	{ "bad link name", HEAD "links: [{name: 'a b'}]\n",
	    "5:16: links[0].name: invalid name 'a b' (1..15 characters of "
	    "A-Z a-z 0-9 _ . -)" },
	{ "no such group", HEAD "links: [{name: a}]\n"
	    "control: {group: no-such-group-x}\n",
	    "6:18: control.group: no such group 'no-such-group-x'" },
	{ "relative socket", HEAD "links: [{name: a}]\n"
	    "control: {socket: bondctl.sock}\n",
	    "6:19: control.socket: expected an absolute path" },
	{ "duplicate peer key", "role: server\n" TUN IDENT
	    "listen: 198.18.0.1:5800\npeers:\n"
	    "  - {name: a, public_key: " PUB_A ", allowed_ips: 198.19.0.2}\n"
	    "  - {name: b, public_key: " PUB_A ", allowed_ips: 198.19.0.3}\n",
	    "7:27: peers[1].public_key: duplicate public key (also in "
	    "peers[0])" },
	{ "server missing peers", "role: server\n" TUN IDENT
	    "listen: 198.18.0.1:5800\n",
	    "1:1: missing required key 'peers'" },
	{ "probe down_after", HEAD "links: [{name: a}]\n"
	    "probe: {interval: 100, down_after: 150}\n",
	    "6:36: probe.down_after: 150 shorter than two probe intervals "
	    "(200)" },
	{ "probe lossy range", HEAD "links: [{name: a}]\n"
	    "probe: {lossy: 100.01%%}\n",
	    "6:16: probe.lossy: 100.01% out of range 0..100%" },
	{ "probe lossy decimals", HEAD "links: [{name: a}]\n"
	    "probe: {lossy: 0.00001%%}\n",
	    "6:16: probe.lossy: expected a percentage like 5% or 0.5%" },
	{ "probe lossy junk", HEAD "links: [{name: a}]\n"
	    "probe: {lossy: 5%%%%}\n",
	    "6:16: probe.lossy: expected a percentage like 5% or 0.5%" },
	{ "probe lossy negative", HEAD "links: [{name: a}]\n"
	    "probe: {lossy: -1}\n",
	    "6:16: probe.lossy: expected a percentage like 5% or 0.5%" },
	{ "probe lossy dot", HEAD "links: [{name: a}]\n"
	    "probe: {lossy: 5.}\n",
	    "6:16: probe.lossy: expected a percentage like 5% or 0.5%" },
	{ "probe recover", HEAD "links: [{name: a}]\n"
	    "probe: {recover: 101}\n",
	    "6:18: probe.recover: 101 out of range 1..100" },
	{ "ipv6 small mtu",
	    "role: client\ntunnel: {address: '2001:db8::2/64', mtu: 1000}\n"
	    IDENT PEER "links: [{name: a}]\n",
	    "2:42: tunnel.mtu: IPv6 needs at least 1280" },
};

START_TEST(test_bad)
{
	const struct bad	*b = &bads[_i];
	struct config		*c;
	char			 err[512], want[512];

	ck_assert_ptr_nonnull(c = malloc(sizeof(*c)));
	write_file(path("bad.yaml"), b->yaml, keyfile);
	snprintf(want, sizeof(want), "%s:%s", path("bad.yaml"), b->msg);
	ck_assert_msg(parse_config(path("bad.yaml"), c, err, sizeof(err)) ==
	    -1, "%s: accepted", b->what);
	ck_assert_msg(strcmp(err, want) == 0, "%s: got '%s', want '%s'",
	    b->what, err, want);
	ck_assert_ptr_null(strchr(err, '\n'));
	free(c);
}
END_TEST

/* probe.lossy: "5%", "0.5%", a bare number; parts per million. */
START_TEST(test_lossy_values)
{
	static const struct {
		const char	*in;
		uint32_t	 ppm;
	} v[] = {
		{ "5%", 50000 }, { "0.5%", 5000 }, { "0.0001%", 1 },
		{ "100%", 1000000 }, { "0", 0 }, { "12.25", 122500 },
		{ "'3%'", 30000 },
	};
	struct config	*c;
	char		 err[512];
	size_t		 i;

	ck_assert_ptr_nonnull(c = malloc(sizeof(*c)));
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		write_file(path("l.yaml"), HEAD "links: [{name: a}]\n"
		    "probe: {lossy: %2$s}\n", keyfile, v[i].in);
		ck_assert_msg(parse_config(path("l.yaml"), c, err,
		    sizeof(err)) == 0, "%s: %s", v[i].in, err);
		ck_assert_msg(c->lossy_ppm == v[i].ppm, "%s: %u", v[i].in,
		    c->lossy_ppm);
	}
	free(c);
}
END_TEST

/* tunnel.routes keep their network part; persist is on by default. */
START_TEST(test_routes)
{
	struct config	*c;
	char		 err[512];

	ck_assert_ptr_nonnull(c = malloc(sizeof(*c)));
	write_file(path("r.yaml"), CLIENT_MIN, keyfile);
	ck_assert_msg(parse_config(path("r.yaml"), c, err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert_int_eq(c->nroutes, 0);
	ck_assert(c->persist);

	write_file(path("r.yaml"), "role: client\n"
	    "tunnel: {address: 198.19.0.2/24, persist: false,\n"
	    "  routes: [0.0.0.0/0, '::/0', 198.18.200.9/24, "
	    "'2001:db8:200::1/64']}\n" IDENT PEER "links: [{name: a}]\n",
	    keyfile);
	ck_assert_msg(parse_config(path("r.yaml"), c, err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert(!c->persist);
	ck_assert_int_eq(c->nroutes, 4);
	ck_assert(prefix_is(&c->routes[0], "0.0.0.0/0"));
	ck_assert(prefix_is(&c->routes[1], "::/0"));
	ck_assert(prefix_is(&c->routes[2], "198.18.200.0/24"));
	ck_assert(prefix_is(&c->routes[3], "2001:db8:200::/64"));
	round_trip("r.yaml");
	free(c);
}
END_TEST

/* peer.endpoint: addresses as before, or a name with its port. */
START_TEST(test_endpoint_forms)
{
	static const struct {
		const char	*in;
		const char	*addr;		/* NULL: a name */
		const char	*name;
		uint16_t	 port;
	} good[] = {
		{ "198.18.0.1:5801", "198.18.0.1:5801", "", 0 },
		{ "198.18.0.1", "198.18.0.1:5800", "", 0 },
		{ "[2001:db8::1]:7", "[2001:db8::1]:7", "", 0 },
		{ "2001:db8::1", "[2001:db8::1]:5800", "", 0 },
		{ "vps.example.net:443", NULL, "vps.example.net", 443 },
		{ "vps.example.net", NULL, "vps.example.net", 5800 },
		{ "localhost", NULL, "localhost", 5800 },
		{ "a-1.b_2.test.:65535", NULL, "a-1.b_2.test.", 65535 },
		{ "1a.example", NULL, "1a.example", 5800 },
	};
	static const char *const bad[] = {
		"", ":5800", "vps.example.net:", "vps.example.net:0",
		"vps.example.net:65536", "vps.example.net:+80",
		"vps.example.net:80:81", "-vps.example", "vps-.example",
		"vps..example", ".example", "vps example", "vps/example",
		"198.18.0.256", "198.18.0.1:x", "10.1", "[vps.example]:80",
		"[2001:db8::1]:0", "..",
		/* 64 characters in one label */
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaa.example",
	};
	struct sockaddr_storage	 ss;
	char			 name[CONF_HOST_MAX], longname[300];
	uint16_t		 port;
	size_t			 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ck_assert_msg(conf_endpoint_parse(good[i].in, 5800, &ss, name,
		    sizeof(name), &port) == 0, "%s refused", good[i].in);
		ck_assert_str_eq(name, good[i].name);
		ck_assert_uint_eq(port, good[i].port);
		if (good[i].addr != NULL)
			ck_assert_str_eq(afmt(&ss), good[i].addr);
		else
			ck_assert_int_eq(ss.ss_family, 0);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(conf_endpoint_parse(bad[i], 5800, &ss, name,
		    sizeof(name), &port) == -1, "%s accepted", bad[i]);
		ck_assert_str_eq(name, "");
		ck_assert_int_eq(ss.ss_family, 0);
	}
	/* 253 characters are a name, 254 are not. */
	memset(longname, 0, sizeof(longname));
	for (i = 0; i < 253; i++)
		longname[i] = (i % 50 == 49) ? '.' : 'a';
	ck_assert_int_eq(conf_host_valid(longname), 1);
	longname[253] = 'a';
	ck_assert_int_eq(conf_host_valid(longname), 0);
	/* A name that does not fit the caller's buffer is refused. */
	ck_assert_int_eq(conf_endpoint_parse("vps.example.net", 5800, &ss,
	    name, 8, &port), -1);
	ck_assert_str_eq(name, "");
	/* Without a default port, a name alone has none. */
	ck_assert_int_eq(conf_endpoint_parse("vps.example.net", 0, &ss,
	    name, sizeof(name), &port), -1);
}
END_TEST

START_TEST(test_bad_key_files)
{
	struct config	*c;
	char		 err[512], want[512];

	ck_assert_ptr_nonnull(c = malloc(sizeof(*c)));
	/* unreadable: does not exist */
	write_file(path("k.yaml"), "role: client\n" TUN
	    "identity: {private_key_file: %s/nokey}\n" PEER
	    "links: [{name: a}]\n", dir);
	ck_assert_int_eq(parse_config(path("k.yaml"), c, err, sizeof(err)),
	    -1);
	snprintf(want, sizeof(want), "%s:3:30: identity.private_key_file: "
	    "cannot read %s/nokey: No such file or directory",
	    path("k.yaml"), dir);
	ck_assert_str_eq(err, want);

	/* unreadable: a directory */
	write_file(path("k.yaml"), "role: client\n" TUN
	    "identity: {private_key_file: %s}\n" PEER
	    "links: [{name: a}]\n", dir);
	ck_assert_int_eq(parse_config(path("k.yaml"), c, err, sizeof(err)),
	    -1);
	snprintf(want, sizeof(want), "%s:3:30: identity.private_key_file: "
	    "%s is not a regular file", path("k.yaml"), dir);
	ck_assert_str_eq(err, want);

	/* not a key */
	write_file(path("bad.key"), "%s\n", "hello");
	ck_assert_int_eq(chmod(path("bad.key"), 0600), 0);
	write_file(path("k.yaml"), "role: client\n" TUN
	    "identity: {private_key_file: %s}\n" PEER
	    "links: [{name: a}]\n", path("bad.key"));
	ck_assert_int_eq(parse_config(path("k.yaml"), c, err, sizeof(err)),
	    -1);
	snprintf(want, sizeof(want), "%s:3:30: identity.private_key_file: "
	    "%s does not hold a base64 32-byte key", path("k.yaml"),
	    path("bad.key"));
	ck_assert_str_eq(err, want);

	/* a psk that is a key followed by more text */
	write_file(path("bad.key"), "%s\n%s\n", srv_pub, srv_pub);
	ck_assert_int_eq(chmod(path("bad.key"), 0600), 0);
	write_file(path("k.yaml"), "role: client\n" TUN
	    "identity: {private_key_file: %s}\npeer:\n  public_key: " PUB_A
	    "\n  endpoint: 198.18.0.1:5800\n  preshared_key_file: %s\n"
	    "links: [{name: a}]\n", keyfile, path("bad.key"));
	ck_assert_int_eq(parse_config(path("k.yaml"), c, err, sizeof(err)),
	    -1);
	snprintf(want, sizeof(want), "%s:7:23: peer.preshared_key_file: "
	    "%s does not hold a base64 32-byte key", path("k.yaml"),
	    path("bad.key"));
	ck_assert_str_eq(err, want);

	/* the config file itself */
	ck_assert_int_eq(parse_config(path("none.yaml"), c, err, sizeof(err)),
	    -1);
	snprintf(want, sizeof(want), "%s:1:1: cannot open: No such file or "
	    "directory", path("none.yaml"));
	ck_assert_str_eq(err, want);
	free(c);
}
END_TEST

static struct stat
fake_stat(mode_t mode, uid_t uid)
{
	struct stat	 st;

	memset(&st, 0, sizeof(st));
	st.st_mode = mode;
	st.st_uid = uid;
	return (st);
}

/* conf_file_check() on injected stats: who may write what. */
START_TEST(test_file_check)
{
	static const struct {
		mode_t			 mode;
		uid_t			 uid;
		uid_t			 owner;
		enum conf_file_kind	 kind;
		const char		*why;	/* NULL: accepted */
	} cases[] = {
		{ S_IFREG | 0600, 0, -1, CONF_FILE_KEY, NULL },
		{ S_IFREG | 0400, 0, -1, CONF_FILE_KEY, NULL },
		{ S_IFREG | 0640, 0, -1, CONF_FILE_KEY,
		    "is readable or writable by group or others (mode 0640): "
		    "chmod 600 it" },
		{ S_IFREG | 0604, 0, -1, CONF_FILE_KEY,
		    "is readable or writable by group or others (mode 0604): "
		    "chmod 600 it" },
		{ S_IFREG | 0620, 0, -1, CONF_FILE_KEY,
		    "is readable or writable by group or others (mode 0620): "
		    "chmod 600 it" },
		{ S_IFLNK | 0777, 0, -1, CONF_FILE_KEY,
		    "is a symbolic link: name the key file itself" },
		{ S_IFDIR | 0700, 0, -1, CONF_FILE_KEY,
		    "is not a regular file" },
		{ S_IFIFO | 0600, 0, -1, CONF_FILE_KEY,
		    "is not a regular file" },
		{ S_IFREG | 0600, 1000, -1, CONF_FILE_KEY,
		    "belongs to uid 1000: it must belong to root" },
		{ S_IFREG | 0600, 1000, 1000, CONF_FILE_KEY, NULL },
		{ S_IFREG | 0600, 1001, 1000, CONF_FILE_KEY,
		    "belongs to uid 1001: it must belong to root" },
		{ S_IFREG | 0644, 0, -1, CONF_FILE_CONFIG, NULL },
		{ S_IFREG | 0640, 0, -1, CONF_FILE_CONFIG, NULL },
		{ S_IFREG | 0664, 0, -1, CONF_FILE_CONFIG,
		    "is writable by group or others (mode 0664): chmod go-w "
		    "it" },
		{ S_IFREG | 0646, 0, -1, CONF_FILE_CONFIG,
		    "is writable by group or others (mode 0646): chmod go-w "
		    "it" },
		{ S_IFREG | 0644, 1000, -1, CONF_FILE_CONFIG,
		    "belongs to uid 1000: it must belong to root" },
		{ S_IFREG | 0644, 1000, 1000, CONF_FILE_CONFIG, NULL },
		{ S_IFDIR | 0755, 0, -1, CONF_FILE_CONFIG,
		    "is not a regular file" },
	};
	struct stat	 st;
	char		 why[128];
	size_t		 i;
	int		 rv;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		st = fake_stat(cases[i].mode, cases[i].uid);
		why[0] = '\0';
		rv = conf_file_check(&st, cases[i].kind, cases[i].owner, why,
		    sizeof(why));
		if (cases[i].why == NULL)
			ck_assert_msg(rv == 0, "case %zu refused: %s", i, why);
		else {
			ck_assert_msg(rv == -1, "case %zu accepted", i);
			ck_assert_str_eq(why, cases[i].why);
		}
	}
}
END_TEST

/* The refusals parse_config() reports, with the file at fault. */
START_TEST(test_bad_file_modes)
{
	struct config	*c;
	char		 err[512], want[512];

	ck_assert_ptr_nonnull(c = malloc(sizeof(*c)));
	write_file(path("k.yaml"), CLIENT_MIN, keyfile);
	ck_assert_msg(parse_config(path("k.yaml"), c, err, sizeof(err)) == 0,
	    "%s", err);

	ck_assert_int_eq(chmod(keyfile, 0640), 0);
	ck_assert_int_eq(parse_config(path("k.yaml"), c, err, sizeof(err)),
	    -1);
	snprintf(want, sizeof(want), "%s:3:30: identity.private_key_file: "
	    "%s is readable or writable by group or others (mode 0640): "
	    "chmod 600 it", path("k.yaml"), keyfile);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(chmod(keyfile, 0600), 0);

	ck_assert_int_eq(symlink(keyfile, path("link.key")), 0);
	write_file(path("k.yaml"), CLIENT_MIN, path("link.key"));
	ck_assert_int_eq(parse_config(path("k.yaml"), c, err, sizeof(err)),
	    -1);
	snprintf(want, sizeof(want), "%s:3:30: identity.private_key_file: "
	    "%s is a symbolic link: name the key file itself",
	    path("k.yaml"), path("link.key"));
	ck_assert_str_eq(err, want);

	write_file(path("k.yaml"), CLIENT_MIN, keyfile);
	ck_assert_int_eq(chmod(path("k.yaml"), 0664), 0);
	ck_assert_int_eq(parse_config(path("k.yaml"), c, err, sizeof(err)),
	    -1);
	snprintf(want, sizeof(want), "%s:1:1: the configuration file is "
	    "writable by group or others (mode 0664): chmod go-w it",
	    path("k.yaml"));
	ck_assert_str_eq(err, want);
	free(c);
}
END_TEST

/* Replace a file with a new one (a new inode) holding this key. */
static void
replace_key(const char *file, const uint8_t key[BONDD_KEY_LEN])
{
	write_key(path("new.key"), key);
	ck_assert_int_eq(rename(path("new.key"), file), 0);
}

/*
 * A reload keeps the key it holds while the key file is the one it
 * read: the held keys are changed behind its back here, and only they
 * can show up in the new configuration.  A file replaced is read.
 */
START_TEST(test_reload_held_keys)
{
	struct config	*run, *c;
	uint8_t		 held[BONDD_KEY_LEN], other[BONDD_KEY_LEN];
	char		 err[512];

	if (geteuid() != 0) {
		/* Only root may own the files of a reload. */
		fprintf(stderr, "check_config: not root, reload skipped\n");
		return;
	}
	ck_assert_ptr_nonnull(run = malloc(sizeof(*run)));
	ck_assert_ptr_nonnull(c = malloc(sizeof(*c)));
	write_file(path("s.yaml"), SERVER, keyfile, cli_pub, pskfile);
	ck_assert_msg(parse_config(path("s.yaml"), run, err,
	    sizeof(err)) == 0, "%s", err);
	randombytes_buf(held, sizeof(held));
	memcpy(run->private_key, held, sizeof(held));
	memcpy(run->peers[1].psk, held, sizeof(held));

	ck_assert_msg(parse_config_reload(path("s.yaml"), c, run, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_mem_eq(c->private_key, held, sizeof(held));
	ck_assert_mem_eq(c->peers[1].psk, held, sizeof(held));

	randombytes_buf(other, sizeof(other));
	replace_key(keyfile, other);
	ck_assert_msg(parse_config_reload(path("s.yaml"), c, run, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_mem_eq(c->private_key, other, sizeof(other));
	ck_assert_mem_eq(c->peers[1].psk, held, sizeof(held));

	/* The same file under another name is not the one it read. */
	ck_assert_int_eq(link(pskfile, path("psk2.key")), 0);
	write_file(path("s.yaml"), SERVER, keyfile, cli_pub,
	    path("psk2.key"));
	ck_assert_msg(parse_config_reload(path("s.yaml"), c, run, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_mem_eq(c->peers[1].psk, psk, sizeof(psk));

	/* A reload trusts root's files only. */
	ck_assert_int_eq(chown(keyfile, 1000, 0), 0);
	ck_assert_int_eq(parse_config_reload(path("s.yaml"), c, run, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "belongs to uid 1000: it must "
	    "belong to root"));
	free(run);
	free(c);
}
END_TEST

static Suite *
config_suite(void)
{
	Suite	*s = suite_create("config");
	TCase	*tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_client_full);
	tcase_add_test(tc, test_client_defaults);
	tcase_add_test(tc, test_server);
	tcase_add_test(tc, test_round_trip);
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bads) / sizeof(bads[0]));
	tcase_add_test(tc, test_lossy_values);
	tcase_add_test(tc, test_routes);
	tcase_add_test(tc, test_endpoint_forms);
	tcase_add_test(tc, test_bad_key_files);
	tcase_add_test(tc, test_file_check);
	tcase_add_test(tc, test_bad_file_modes);
	tcase_add_test(tc, test_reload_held_keys);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(srunner_create(config_suite())));
}
