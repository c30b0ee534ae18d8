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
 * The schema of bondd.yaml(5): which keys exist, their types and
 * ranges, and the checks between them, applied to the tree that
 * common/yamltree.c reads, into struct config.  Every error names the
 * file, line and column of the node at fault.  Runs in the parent, as
 * root at start and as the unprivileged user on a reload, on the
 * administrator's file (common/keyfile.c says who may write it): the
 * file is trusted not to be hostile, but it is checked as if it were.
 * Holds the private key and the pre-shared keys it loads from their
 * files, and wipes them from struct config when the file is refused.
 */

#include <sys/stat.h>
#include <sys/types.h>

#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "config.h"
#include "util.h"
#include "yamltree.h"

#define PATH_LEN	64	/* "peers[63].preshared_key_file" */

/* The running configuration during parse_config_reload(), else NULL. */
static const struct config *parse_running;

static const char *const root_keys[] = { "role", "tunnel", "identity",
    "peer", "links", "listen", "peers", "session", "probe", "scheduler",
    "realtime", "fec", "control", "log", NULL };
static const char *const tunnel_keys[] = { "name", "address", "mtu",
    "txqueuelen", "mss_clamp", "routes", "persist", "offload", NULL };
static const char *const identity_keys[] = { "private_key_file", "user",
    NULL };
static const char *const peer_keys[] = { "name", "public_key", "endpoint",
    "preshared_key_file", "allowed_ips", NULL };
static const char *const peers_keys[] = { "name", "public_key",
    "preshared_key_file", "allowed_ips", NULL };
static const char *const link_keys[] = { "name", "device", "source", "port",
    "fwmark", "up", "down", "priority", "quota", "backup", "mtu", "endpoint",
    NULL };
static const char *const session_keys[] = { "keepalive", "rekey",
    "udp_offload", NULL };
static const char *const probe_keys[] = { "interval", "down_after", "lossy",
    "recover", NULL };
static const char *const scheduler_keys[] = { "strategy", "reorder_max",
    "bulk_rtt_percent", "bulk_max_rtt",
    NULL };
static const char *const realtime_keys[] = { "udp_ports", "tcp_ports",
    "duplicate", NULL };
static const char *const fec_keys[] = { "mode", NULL };
static const char *const control_keys[] = { "socket", "group", "metrics",
    NULL };
static const char *const log_keys[] = { "status_interval", NULL };

/* Values: the syntax of each kind of setting. */

/* "base.key" for messages; the schema's paths are all short. */
static const char *
kpath(char *buf, const char *base, const char *key)
{
	int	 n;

	if (*base == '\0')
		n = snprintf(buf, PATH_LEN, "%s", key);
	else
		n = snprintf(buf, PATH_LEN, "%s.%s", base, key);
	if (n < 0 || n >= PATH_LEN)
		buf[0] = '\0';
	return (buf);
}

/*
 * A percentage 0..100 as "5%", "0.5%" or a bare number, in parts per
 * million; at most four decimals, the resolution of a ppm.
 */
static int
get_percent_ppm(struct ydoc *d, const struct ynode *n, const char *path,
    uint32_t *out)
{
	const char	*s = n->str;
	uint64_t	 v = 0;
	int		 digits = 0, decimals = -1;

	if (n->type != Y_SCALAR)
		return (yerr(d, n, "%s: expected a percentage", path));
	for (; *s != '\0' && *s != '%'; s++) {
		if (*s == '.' && decimals == -1 && digits > 0) {
			decimals = 0;
			continue;
		}
		if (*s < '0' || *s > '9' || digits >= 9 || decimals >= 4)
			return (yerr(d, n, "%s: expected a percentage like "
			    "5%% or 0.5%%", path));
		v = v * 10 + (uint64_t)(*s - '0');
		digits++;
		if (decimals >= 0)
			decimals++;
	}
	if (digits == 0 || decimals == 0 || (*s == '%' && s[1] != '\0'))
		return (yerr(d, n, "%s: expected a percentage like 5%% or "
		    "0.5%%", path));
	for (decimals = decimals < 0 ? 0 : decimals; decimals < 4; decimals++)
		v *= 10;
	if (v > 1000000)
		return (yerr(d, n, "%s: %s out of range 0..100%%", path,
		    n->str));
	*out = (uint32_t)v;
	return (0);
}

static int
get_rate(struct ydoc *d, const struct ynode *n, const char *path,
    uint64_t *out)
{
	if (n->type != Y_SCALAR || conf_rate_parse(n->str, out) == -1)
		return (yerr(d, n, "%s: expected a rate such as 800kbit or "
		    "40mbit", path));
	if (*out < CONF_RATE_MIN || *out > CONF_RATE_MAX)
		return (yerr(d, n, "%s: %s out of range 1kbit..100gbit",
		    path, n->str));
	return (0);
}

static int
get_size(struct ydoc *d, const struct ynode *n, const char *path,
    uint64_t *out)
{
	if (n->type != Y_SCALAR || conf_size_parse(n->str, out) == -1)
		return (yerr(d, n, "%s: expected a size such as 500MB or "
		    "10GB", path));
	if (*out < CONF_SIZE_MIN || *out > CONF_SIZE_MAX)
		return (yerr(d, n, "%s: %s out of range 1B..1000PB", path,
		    n->str));
	return (0);
}

static int
get_name(struct ydoc *d, const struct ynode *n, const char *path, char *buf,
    size_t len)
{
	if (n->type != Y_SCALAR)
		return (yerr(d, n, "%s: expected a string", path));
	if (!conf_name_valid(n->str, len))
		return (yerr(d, n, "%s: invalid name '%s' (1..%zu characters "
		    "of A-Z a-z 0-9 _ . -)", path, n->str, len - 1));
	strlcpy(buf, n->str, len);
	return (0);
}

static int
get_key(struct ydoc *d, const struct ynode *n, const char *path,
    uint8_t key[BONDD_KEY_LEN])
{
	if (n->type != Y_SCALAR || key_from_base64(key, n->str) == -1)
		return (yerr(d, n, "%s: expected a base64 32-byte key",
		    path));
	return (0);
}

static int
get_keyfile(struct ydoc *d, const struct ynode *n, const char *path,
    char *file, size_t len, uint8_t key[BONDD_KEY_LEN],
    struct conf_fileid *id)
{
	char	 why[PATH_MAX + 256];

	if (yget_str(d, n, path, file, len) == -1)
		return (-1);
	if (conf_key_file(file, parse_running, key, id, why,
	    sizeof(why)) == -1)
		return (yerr(d, n, "%s: %s", path, why));
	return (0);
}

static int
get_addr(struct ydoc *d, const struct ynode *n, const char *path,
    uint16_t defport, struct sockaddr_storage *ss)
{
	if (n->type != Y_SCALAR || addr_parse(n->str, defport, ss) == -1)
		return (yerr(d, n, "%s: invalid address '%s' (expected "
		    "ADDRESS:PORT)", path, n->type == Y_SCALAR ? n->str : ""));
	return (0);
}

/* peer.endpoint: an address, or a DNS name the parent resolves. */
static int
get_endpoint(struct ydoc *d, const struct ynode *n, const char *path,
    struct conf_peer *peer)
{
	if (n->type != Y_SCALAR || conf_endpoint_parse(n->str,
	    BONDD_DEFAULT_PORT, &peer->endpoint, peer->endpoint_name,
	    sizeof(peer->endpoint_name), &peer->endpoint_port) == -1)
		return (yerr(d, n, "%s: invalid address or name '%s' "
		    "(expected ADDRESS:PORT or NAME:PORT)", path,
		    n->type == Y_SCALAR ? n->str : ""));
	return (0);
}

static int
get_prefixes(struct ydoc *d, const struct ynode *n, const char *path,
    int max, int mask, struct conf_prefix *out, int *nout)
{
	struct ynode *const	*items;
	const struct ynode	*it;
	size_t			 i, nitems, b;

	if (yget_list(d, n, path, max, &items, &nitems) == -1)
		return (-1);
	for (i = 0; i < nitems; i++) {
		it = items == NULL ? n : items[i];
		if (it->type != Y_SCALAR || prefix_parse(it->str, &out[i]) ==
		    -1)
			return (yerr(d, it, "%s: invalid address or prefix "
			    "'%s'", path, it->type == Y_SCALAR ? it->str : ""));
		if (!mask)
			continue;
		/* Routing only looks at the network part. */
		for (b = out[i].plen; b < 128; b++)
			out[i].addr[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
	}
	*nout = (int)nitems;
	return (0);
}

static int
get_ports(struct ydoc *d, const struct ynode *n, const char *path,
    uint16_t *out, int *nout)
{
	long long	 v;
	size_t		 i;

	if (n->type != Y_SEQ)
		return (yerr(d, n, "%s: expected a list", path));
	if (n->nkids > 16)
		return (yerr(d, n->kids[16], "%s: too many entries (at most "
		    "16)", path));
	for (i = 0; i < n->nkids; i++) {
		if (yget_int(d, n->kids[i], path, 1, 65535, &v) == -1)
			return (-1);
		out[i] = (uint16_t)v;
	}
	*nout = (int)n->nkids;
	return (0);
}

/* Sections. */

/* tunnel.routes: prefixes by their network part, each once. */
static int
parse_routes(struct ydoc *d, struct config *conf, const struct ynode *v)
{
	char	 buf[INET6_ADDRSTRLEN + 5];
	int	 i, j;

	if (get_prefixes(d, v, "tunnel.routes", CONF_MAX_ROUTES, 1,
	    conf->routes, &conf->nroutes) == -1)
		return (-1);
	for (i = 0; i < conf->nroutes; i++)
		for (j = 0; j < i; j++)
			if (memcmp(&conf->routes[i], &conf->routes[j],
			    sizeof(conf->routes[i])) == 0)
				return (yerr(d, v->type == Y_SEQ ? v->kids[i] :
				    v, "tunnel.routes: duplicate route %s",
				    prefix_fmt(&conf->routes[i], buf,
				    sizeof(buf))));
	return (0);
}

static int
parse_tunnel(struct ydoc *d, struct config *conf, const struct ynode *m)
{
	struct ynode	*v;
	char		 p[PATH_LEN];
	long long	 n;
	int		 i;

	if (ymap_check(d, m, "tunnel", tunnel_keys) == -1 ||
	    ymap_need(d, m, "tunnel", "address") == -1)
		return (-1);
	if ((v = ymap_get(m, "name")) != NULL && get_name(d, v,
	    kpath(p, "tunnel", "name"), conf->tun_name,
	    sizeof(conf->tun_name)) == -1)
		return (-1);
	v = ymap_get(m, "address");
	if (get_prefixes(d, v, "tunnel.address", 4, 0, conf->tun_addr,
	    &conf->ntun_addr) == -1)
		return (-1);
	if ((v = ymap_get(m, "mtu")) != NULL) {
		if (v->type == Y_SCALAR && strcmp(v->str, "auto") == 0)
			conf->tun_mtu = 0;
		else if (yint_scan(v, &n) == -1)
			return (yerr(d, v, "tunnel.mtu: expected an integer "
			    "or 'auto'"));
		else if (yget_u32(d, v, "tunnel.mtu", 576, 9000,
		    &conf->tun_mtu) == -1)
			return (-1);
		for (i = 0; conf->tun_mtu != 0 && i < conf->ntun_addr; i++)
			if (conf->tun_addr[i].family == AF_INET6 &&
			    conf->tun_mtu < 1280)
				return (yerr(d, v, "tunnel.mtu: IPv6 needs "
				    "at least 1280"));
	}
	if ((v = ymap_get(m, "txqueuelen")) != NULL && yget_u32(d, v,
	    "tunnel.txqueuelen", 1, 100000, &conf->tun_txqueuelen) == -1)
		return (-1);
	if ((v = ymap_get(m, "mss_clamp")) != NULL && yget_bool(d, v,
	    "tunnel.mss_clamp", &conf->mss_clamp) == -1)
		return (-1);
	if ((v = ymap_get(m, "routes")) != NULL && parse_routes(d, conf,
	    v) == -1)
		return (-1);
	if ((v = ymap_get(m, "persist")) != NULL && yget_bool(d, v,
	    "tunnel.persist", &conf->persist) == -1)
		return (-1);
	if ((v = ymap_get(m, "offload")) != NULL && yget_bool(d, v,
	    "tunnel.offload", &conf->tun_offload) == -1)
		return (-1);
	return (0);
}

static int
parse_identity(struct ydoc *d, struct config *conf, const struct ynode *m)
{
	struct ynode	*v;

	if (ymap_check(d, m, "identity", identity_keys) == -1 ||
	    ymap_need(d, m, "identity", "private_key_file") == -1)
		return (-1);
	if (get_keyfile(d, ymap_get(m, "private_key_file"),
	    "identity.private_key_file", conf->private_key_file,
	    sizeof(conf->private_key_file), conf->private_key,
	    &conf->private_key_id) == -1)
		return (-1);
	if ((v = ymap_get(m, "user")) != NULL && get_name(d, v,
	    "identity.user", conf->user, sizeof(conf->user)) == -1)
		return (-1);
	return (0);
}

/* Keys common to the client's peer and the server's peers. */
static int
parse_peer_common(struct ydoc *d, const struct ynode *m, const char *base,
    struct conf_peer *peer)
{
	struct ynode	*v;
	char		 p[PATH_LEN];

	if ((v = ymap_get(m, "name")) != NULL && get_name(d, v,
	    kpath(p, base, "name"), peer->name, sizeof(peer->name)) == -1)
		return (-1);
	if (get_key(d, ymap_get(m, "public_key"), kpath(p, base,
	    "public_key"), peer->public_key) == -1)
		return (-1);
	if ((v = ymap_get(m, "preshared_key_file")) != NULL) {
		if (get_keyfile(d, v, kpath(p, base, "preshared_key_file"),
		    peer->psk_file, sizeof(peer->psk_file), peer->psk,
		    &peer->psk_id) == -1)
			return (-1);
		peer->has_psk = true;
	}
	if ((v = ymap_get(m, "allowed_ips")) != NULL && get_prefixes(d, v,
	    kpath(p, base, "allowed_ips"), BONDD_MAX_ALLOWED, 1,
	    peer->allowed, &peer->nallowed) == -1)
		return (-1);
	return (0);
}

static int
parse_peer(struct ydoc *d, struct config *conf, const struct ynode *m)
{
	struct conf_peer	*peer = &conf->peers[0];

	if (ymap_check(d, m, "peer", peer_keys) == -1 ||
	    ymap_need(d, m, "peer", "public_key") == -1 ||
	    ymap_need(d, m, "peer", "endpoint") == -1)
		return (-1);
	strlcpy(peer->name, "server", sizeof(peer->name));
	prefix_parse("0.0.0.0/0", &peer->allowed[0]);
	prefix_parse("::/0", &peer->allowed[1]);
	peer->nallowed = 2;
	if (parse_peer_common(d, m, "peer", peer) == -1)
		return (-1);
	if (get_endpoint(d, ymap_get(m, "endpoint"), "peer.endpoint",
	    peer) == -1)
		return (-1);
	conf->npeers = 1;
	return (0);
}

static int
parse_peers(struct ydoc *d, struct config *conf, const struct ynode *seq)
{
	struct conf_peer *peer;
	struct ynode	*m;
	char		 base[PATH_LEN], p[PATH_LEN];
	size_t		 i;
	int		 j;

	if (seq->type != Y_SEQ)
		return (yerr(d, seq, "peers: expected a list"));
	if (seq->nkids == 0)
		return (yerr(d, seq, "peers: must not be empty"));
	if (seq->nkids > BONDD_MAX_PEERS)
		return (yerr(d, seq->kids[BONDD_MAX_PEERS], "peers: too many "
		    "peers (at most %d)", BONDD_MAX_PEERS));
	for (i = 0; i < seq->nkids; i++) {
		m = seq->kids[i];
		peer = &conf->peers[i];
		snprintf(base, sizeof(base), "peers[%zu]", i);
		if (ymap_check(d, m, base, peers_keys) == -1 ||
		    ymap_need(d, m, base, "name") == -1 ||
		    ymap_need(d, m, base, "public_key") == -1 ||
		    ymap_need(d, m, base, "allowed_ips") == -1 ||
		    parse_peer_common(d, m, base, peer) == -1)
			return (-1);
		for (j = 0; j < (int)i; j++) {
			if (strcmp(conf->peers[j].name, peer->name) == 0)
				return (yerr(d, ymap_get(m, "name"),
				    "%s: duplicate peer name '%s'",
				    kpath(p, base, "name"), peer->name));
			if (sodium_memcmp(conf->peers[j].public_key,
			    peer->public_key, BONDD_KEY_LEN) == 0)
				return (yerr(d, ymap_get(m, "public_key"),
				    "%s: duplicate public key (also in peers[%d])",
				    kpath(p, base, "public_key"), j));
		}
		conf->npeers = (int)i + 1;
	}
	return (0);
}

static int
parse_link(struct ydoc *d, const struct ynode *m, const char *base,
    struct conf_link *l)
{
	struct ynode	*v;
	char		 p[PATH_LEN];
	long long	 n;

	if (ymap_check(d, m, base, link_keys) == -1 ||
	    ymap_need(d, m, base, "name") == -1)
		return (-1);
	l->priority = 1;
	if (get_name(d, ymap_get(m, "name"), kpath(p, base, "name"), l->name,
	    sizeof(l->name)) == -1)
		return (-1);
	if ((v = ymap_get(m, "device")) != NULL && get_name(d, v,
	    kpath(p, base, "device"), l->device, sizeof(l->device)) == -1)
		return (-1);
	if ((v = ymap_get(m, "source")) != NULL && (v->type != Y_SCALAR ||
	    addr_parse_host(v->str, &l->source) == -1))
		return (yerr(d, v, "%s: invalid address '%s'", kpath(p, base,
		    "source"), v->type == Y_SCALAR ? v->str : ""));
	if ((v = ymap_get(m, "endpoint")) != NULL && get_addr(d, v,
	    kpath(p, base, "endpoint"), BONDD_DEFAULT_PORT, &l->endpoint) == -1)
		return (-1);
	if ((v = ymap_get(m, "port")) != NULL) {
		if (yget_int(d, v, kpath(p, base, "port"), 0, 65535, &n) ==
		    -1)
			return (-1);
		l->port = (uint16_t)n;
	}
	if ((v = ymap_get(m, "fwmark")) != NULL && yget_u32(d, v,
	    kpath(p, base, "fwmark"), 0, UINT32_MAX, &l->fwmark) == -1)
		return (-1);
	if ((v = ymap_get(m, "up")) != NULL && get_rate(d, v,
	    kpath(p, base, "up"), &l->up_bps) == -1)
		return (-1);
	if ((v = ymap_get(m, "down")) != NULL && get_rate(d, v,
	    kpath(p, base, "down"), &l->down_bps) == -1)
		return (-1);
	if ((v = ymap_get(m, "priority")) != NULL && yget_u32(d, v,
	    kpath(p, base, "priority"), 1, 16, &l->priority) == -1)
		return (-1);
	if ((v = ymap_get(m, "quota")) != NULL && get_size(d, v,
	    kpath(p, base, "quota"), &l->quota_bytes) == -1)
		return (-1);
	if ((v = ymap_get(m, "backup")) != NULL && yget_bool(d, v,
	    kpath(p, base, "backup"), &l->backup) == -1)
		return (-1);
	if ((v = ymap_get(m, "mtu")) != NULL) {
		if (yget_int(d, v, kpath(p, base, "mtu"), 0, 9000, &n) == -1)
			return (-1);
		if (n != 0 && n < 576)
			return (yerr(d, v, "%s: %s out of range 576..9000 "
			    "(0 for the device MTU)", p, v->str));
		l->mtu = (uint32_t)n;
	}
	return (0);
}

static int
parse_links(struct ydoc *d, struct config *conf, const struct ynode *seq)
{
	char		 base[PATH_LEN], p[PATH_LEN];
	size_t		 i;
	int		 j;

	if (seq->type != Y_SEQ)
		return (yerr(d, seq, "links: expected a list"));
	if (seq->nkids == 0)
		return (yerr(d, seq, "links: must not be empty"));
	if (seq->nkids > BONDD_MAX_LINKS)
		return (yerr(d, seq->kids[BONDD_MAX_LINKS], "links: too many "
		    "links (at most %d)", BONDD_MAX_LINKS));
	for (i = 0; i < seq->nkids; i++) {
		snprintf(base, sizeof(base), "links[%zu]", i);
		if (parse_link(d, seq->kids[i], base, &conf->links[i]) == -1)
			return (-1);
		for (j = 0; j < (int)i; j++)
			if (strcmp(conf->links[j].name, conf->links[i].name) ==
			    0)
				return (yerr(d, ymap_get(seq->kids[i], "name"),
				    "%s: duplicate link name '%s'",
				    kpath(p, base, "name"),
				    conf->links[i].name));
		conf->nlinks = (int)i + 1;
	}
	return (0);
}

static int
parse_listen(struct ydoc *d, struct config *conf, const struct ynode *n)
{
	struct ynode *const	*items;
	const struct ynode	*it;
	size_t			 i, nitems;
	int			 j;

	if (yget_list(d, n, "listen", BONDD_MAX_LISTEN, &items,
	    &nitems) == -1)
		return (-1);
	for (i = 0; i < nitems; i++) {
		it = items == NULL ? n : items[i];
		if (get_addr(d, it, "listen", BONDD_DEFAULT_PORT,
		    &conf->listen[i]) == -1)
			return (-1);
		for (j = 0; j < (int)i; j++)
			if (addr_equal(&conf->listen[j], &conf->listen[i]))
				return (yerr(d, it, "listen: duplicate "
				    "address '%s'", it->str));
	}
	conf->nlisten = (int)nitems;
	return (0);
}

static int
parse_session(struct ydoc *d, struct config *conf, const struct ynode *m)
{
	struct ynode	*v;

	if (ymap_check(d, m, "session", session_keys) == -1)
		return (-1);
	if ((v = ymap_get(m, "keepalive")) != NULL && yget_u32(d, v,
	    "session.keepalive", 1, 600, &conf->keepalive_s) == -1)
		return (-1);
	if ((v = ymap_get(m, "rekey")) != NULL && yget_u32(d, v,
	    "session.rekey", 10, 3600, &conf->rekey_s) == -1)
		return (-1);
	if ((v = ymap_get(m, "udp_offload")) != NULL && yget_bool(d, v,
	    "session.udp_offload", &conf->udp_offload) == -1)
		return (-1);
	return (0);
}

static int
parse_probe(struct ydoc *d, struct config *conf, const struct ynode *m)
{
	struct ynode	*v;

	if (ymap_check(d, m, "probe", probe_keys) == -1)
		return (-1);
	if ((v = ymap_get(m, "interval")) != NULL && yget_u32(d, v,
	    "probe.interval", 10, 10000, &conf->probe_interval_ms) == -1)
		return (-1);
	if ((v = ymap_get(m, "down_after")) != NULL && yget_u32(d, v,
	    "probe.down_after", 50, 60000, &conf->down_after_ms) == -1)
		return (-1);
	if ((v = ymap_get(m, "lossy")) != NULL && get_percent_ppm(d, v,
	    "probe.lossy", &conf->lossy_ppm) == -1)
		return (-1);
	if ((v = ymap_get(m, "recover")) != NULL && yget_u32(d, v,
	    "probe.recover", 1, 100, &conf->recover_probes) == -1)
		return (-1);
	v = ymap_get(m, "down_after");
	/* A link must miss at least two probes to be declared down. */
	if (conf->down_after_ms < 2 * conf->probe_interval_ms)
		return (yerr(d, v != NULL ? v : m, "probe.down_after: %u "
		    "shorter than two probe intervals (%u)",
		    conf->down_after_ms, 2 * conf->probe_interval_ms));
	return (0);
}

static int
parse_scheduler(struct ydoc *d, struct config *conf,
    const struct ynode *m)
{
	struct ynode	*v;

	if (ymap_check(d, m, "scheduler", scheduler_keys) == -1)
		return (-1);
	if ((v = ymap_get(m, "strategy")) != NULL && (v->type != Y_SCALAR ||
	    conf_strategy_parse(v->str, &conf->strategy) == -1))
		return (yerr(d, v, "scheduler.strategy: expected one of "
		    "earliest_arrival, weighted, tiered_fill, round_robin, "
		    "single_best"));
	if ((v = ymap_get(m, "reorder_max")) != NULL && yget_u32(d, v,
	    "scheduler.reorder_max", 0, 2000, &conf->reorder_max_ms) == -1)
		return (-1);
	if ((v = ymap_get(m, "bulk_rtt_percent")) != NULL && (yget_u32(d, v,
	    "scheduler.bulk_rtt_percent", 0, 10000, &conf->bulk_rtt_pct) ==
	    -1 || (conf->bulk_rtt_pct != 0 && conf->bulk_rtt_pct < 100)))
		return (conf->bulk_rtt_pct != 0 && conf->bulk_rtt_pct < 100 ?
		    yerr(d, v, "scheduler.bulk_rtt_percent: 0 (off) or at "
		    "least 100") : -1);
	if ((v = ymap_get(m, "bulk_max_rtt")) != NULL && yget_u32(d, v,
	    "scheduler.bulk_max_rtt", 0, 60000, &conf->bulk_max_rtt_ms) == -1)
		return (-1);
	return (0);
}

static int
parse_realtime(struct ydoc *d, struct config *conf, const struct ynode *m)
{
	struct ynode	*v;

	if (ymap_check(d, m, "realtime", realtime_keys) == -1)
		return (-1);
	if ((v = ymap_get(m, "udp_ports")) != NULL && get_ports(d, v,
	    "realtime.udp_ports", conf->rt_udp_ports,
	    &conf->nrt_udp_ports) == -1)
		return (-1);
	if ((v = ymap_get(m, "tcp_ports")) != NULL && get_ports(d, v,
	    "realtime.tcp_ports", conf->rt_tcp_ports,
	    &conf->nrt_tcp_ports) == -1)
		return (-1);
	if ((v = ymap_get(m, "duplicate")) != NULL && yget_bool(d, v,
	    "realtime.duplicate", &conf->rt_duplicate) == -1)
		return (-1);
	return (0);
}

static int
parse_fec(struct ydoc *d, struct config *conf, const struct ynode *m)
{
	struct ynode	*v;

	if (ymap_check(d, m, "fec", fec_keys) == -1)
		return (-1);
	if ((v = ymap_get(m, "mode")) != NULL && (v->type != Y_SCALAR ||
	    conf_fec_parse(v->str, &conf->fec_mode) == -1))
		return (yerr(d, v, "fec.mode: expected off, adaptive or "
		    "fixed"));
	return (0);
}

static int
parse_control(struct ydoc *d, struct config *conf, const struct ynode *m)
{
	struct ynode	*v;

	if (ymap_check(d, m, "control", control_keys) == -1)
		return (-1);
	if ((v = ymap_get(m, "socket")) != NULL) {
		if (yget_str(d, v, "control.socket", conf->ctl_socket,
		    sizeof(conf->ctl_socket)) == -1)
			return (-1);
		if (conf->ctl_socket[0] != '/')
			return (yerr(d, v, "control.socket: expected an "
			    "absolute path"));
	}
	if ((v = ymap_get(m, "group")) != NULL) {
		if (get_name(d, v, "control.group", conf->ctl_group,
		    sizeof(conf->ctl_group)) == -1)
			return (-1);
		if (getgrnam(conf->ctl_group) == NULL)
			return (yerr(d, v, "control.group: no such group "
			    "'%s'", conf->ctl_group));
	}
	if ((v = ymap_get(m, "metrics")) != NULL) {
		if (v->type == Y_SCALAR && strcmp(v->str, "off") == 0)
			memset(&conf->metrics, 0, sizeof(conf->metrics));
		else if (get_addr(d, v, "control.metrics", 0,
		    &conf->metrics) == -1)
			return (-1);
	}
	return (0);
}

static int
parse_log(struct ydoc *d, struct config *conf, const struct ynode *m)
{
	struct ynode	*v;

	if (ymap_check(d, m, "log", log_keys) == -1)
		return (-1);
	if ((v = ymap_get(m, "status_interval")) != NULL && yget_u32(d, v,
	    "log.status_interval", 0, CONF_STATUS_INTERVAL_MAX,
	    &conf->log_status_s) == -1)
		return (-1);
	return (0);
}

static int
parse_root(struct ydoc *d, struct config *conf, const struct ynode *root)
{
	const struct ynode *v, *k;
	const char	*only;
	size_t		 i;

	if (ymap_check(d, root, "", root_keys) == -1 ||
	    ymap_need(d, root, "", "role") == -1)
		return (-1);
	v = ymap_get(root, "role");
	if (v->type == Y_SCALAR && strcmp(v->str, "client") == 0)
		conf->role = ROLE_CLIENT;
	else if (v->type == Y_SCALAR && strcmp(v->str, "server") == 0)
		conf->role = ROLE_SERVER;
	else
		return (yerr(d, v, "role: expected client or server"));

	/* Keys of the other role, in the order they appear. */
	for (i = 0; i < root->nkids; i += 2) {
		k = root->kids[i];
		only = NULL;
		if (conf->role == ROLE_CLIENT && (strcmp(k->str, "listen") ==
		    0 || strcmp(k->str, "peers") == 0))
			only = "server";
		if (conf->role == ROLE_SERVER && (strcmp(k->str, "links") ==
		    0 || strcmp(k->str, "peer") == 0))
			only = "client";
		if (only != NULL)
			return (yerr(d, k, "%s: only allowed with role %s",
			    k->str, only));
	}
	if (ymap_need(d, root, "", "tunnel") == -1 ||
	    ymap_need(d, root, "", "identity") == -1)
		return (-1);
	if (conf->role == ROLE_CLIENT && (ymap_need(d, root, "", "peer") ==
	    -1 || ymap_need(d, root, "", "links") == -1))
		return (-1);
	if (conf->role == ROLE_SERVER && (ymap_need(d, root, "", "listen") ==
	    -1 || ymap_need(d, root, "", "peers") == -1))
		return (-1);

	if (parse_tunnel(d, conf, ymap_get(root, "tunnel")) == -1 ||
	    parse_identity(d, conf, ymap_get(root, "identity")) == -1)
		return (-1);
	if (conf->role == ROLE_CLIENT) {
		if (parse_peer(d, conf, ymap_get(root, "peer")) == -1 ||
		    parse_links(d, conf, ymap_get(root, "links")) == -1)
			return (-1);
	} else {
		if (parse_listen(d, conf, ymap_get(root, "listen")) == -1 ||
		    parse_peers(d, conf, ymap_get(root, "peers")) == -1)
			return (-1);
	}
	if ((v = ymap_get(root, "session")) != NULL &&
	    parse_session(d, conf, v) == -1)
		return (-1);
	if ((v = ymap_get(root, "probe")) != NULL &&
	    parse_probe(d, conf, v) == -1)
		return (-1);
	if ((v = ymap_get(root, "scheduler")) != NULL &&
	    parse_scheduler(d, conf, v) == -1)
		return (-1);
	if ((v = ymap_get(root, "realtime")) != NULL &&
	    parse_realtime(d, conf, v) == -1)
		return (-1);
	if ((v = ymap_get(root, "fec")) != NULL && parse_fec(d, conf, v) == -1)
		return (-1);
	if ((v = ymap_get(root, "control")) != NULL &&
	    parse_control(d, conf, v) == -1)
		return (-1);
	if ((v = ymap_get(root, "log")) != NULL && parse_log(d, conf, v) == -1)
		return (-1);
	return (0);
}

int
parse_config(const char *file, struct config *conf, char *err, size_t errlen)
{
	struct ydoc	 doc;
	struct ynode	*root = NULL;
	struct stat	 st;
	char		 why[128];
	int		 i, rv = -1;

	doc.file = file;
	doc.err = err;
	doc.errlen = errlen;
	config_defaults(conf);
	if (strlcpy(conf->file, file, sizeof(conf->file)) >= sizeof(conf->file))
		return (yerr_at(&doc, 1, 1, "file name too long"));
	/* A file that cannot be opened is ydoc_load()'s to report. */
	if (stat(file, &st) == 0 && conf_file_check(&st, CONF_FILE_CONFIG,
	    parse_running == NULL ? geteuid() : (uid_t)-1, why,
	    sizeof(why)) == -1)
		return (yerr_at(&doc, 1, 1, "the configuration file %s",
		    why));
	if (ydoc_load(&doc, &root) == 0 && parse_root(&doc, conf, root) == 0)
		rv = 0;
	ynode_free(root);
	if (rv == -1) {
		sodium_memzero(conf->private_key, sizeof(conf->private_key));
		for (i = 0; i < BONDD_MAX_PEERS; i++)
			sodium_memzero(conf->peers[i].psk,
			    sizeof(conf->peers[i].psk));
	}
	return (rv);
}

int
parse_config_reload(const char *file, struct config *conf,
    const struct config *running, char *err, size_t errlen)
{
	int	 rv;

	parse_running = running;
	rv = parse_config(file, conf, err, errlen);
	parse_running = NULL;
	return (rv);
}
