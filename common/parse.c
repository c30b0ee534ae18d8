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
 * The configuration parser.  libyaml events become a small tree of
 * scalars, mappings and sequences (anchors, aliases, tags and extra
 * documents refused on the way), then the tree is checked against the
 * schema of bondd.yaml(5) into struct config.  Every error names the
 * file, line and column of the node at fault.  Runs in the parent,
 * as root, on the administrator's file: the file is trusted not to
 * be hostile, but it is checked as if it were.
 */

#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <yaml.h>

#include "config.h"
#include "util.h"

#define YDEPTH_MAX	16	/* the schema nests 4 deep */
#define YNODES_MAX	20000
#define PATH_LEN	64	/* "peers[63].preshared_key_file" */

enum ytype {
	Y_SCALAR,
	Y_MAP,
	Y_SEQ
};

struct ynode {
	enum ytype	 type;
	char		*str;		/* scalar value */
	int		 plain;		/* unquoted scalar */
	size_t		 line, col;	/* 1-based */
	struct ynode	**kids;		/* map: key, value, key, value ... */
	size_t		 nkids;
	size_t		 cap;
};

struct pctx {
	const char	*file;
	char		*err;
	size_t		 errlen;
	yaml_parser_t	 parser;
	size_t		 nnodes;
	struct config	*conf;
};

static const char *const root_keys[] = { "role", "tunnel", "identity",
    "peer", "links", "listen", "peers", "session", "probe", "scheduler",
    "realtime", "fec", "control", NULL };
static const char *const tunnel_keys[] = { "name", "address", "mtu",
    "txqueuelen", "mss_clamp", NULL };
static const char *const identity_keys[] = { "private_key_file", "user",
    NULL };
static const char *const peer_keys[] = { "name", "public_key", "endpoint",
    "preshared_key_file", "allowed_ips", NULL };
static const char *const peers_keys[] = { "name", "public_key",
    "preshared_key_file", "allowed_ips", NULL };
static const char *const link_keys[] = { "name", "device", "source", "port",
    "fwmark", "up", "down", "priority", "quota", "backup", "mtu", "endpoint",
    NULL };
static const char *const session_keys[] = { "keepalive", "rekey", NULL };
static const char *const probe_keys[] = { "interval", "down_after", "lossy",
    "recover", NULL };
static const char *const scheduler_keys[] = { "strategy", "reorder_max",
    NULL };
static const char *const realtime_keys[] = { "udp_ports", "tcp_ports",
    "duplicate", NULL };
static const char *const fec_keys[] = { "mode", NULL };
static const char *const control_keys[] = { "socket", "group", "metrics",
    NULL };

static int
perr_at(struct pctx *ctx, size_t line, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int
perr(struct pctx *ctx, const struct ynode *, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
perr_at(struct pctx *ctx, size_t line, size_t col, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(ctx->err, ctx->errlen, "%s:%zu:%zu: %s", ctx->file, line, col,
	    msg);
	return (-1);
}

static int
perr(struct pctx *ctx, const struct ynode *n, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return (perr_at(ctx, n->line, n->col, "%s", msg));
}

/* The YAML layer: events to a tree. */

static void
node_free(struct ynode *n)
{
	size_t	 i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nkids; i++)
		node_free(n->kids[i]);
	free(n->kids);
	free(n->str);
	free(n);
}

static int
next_event(struct pctx *ctx, yaml_event_t *ev)
{
	yaml_parser_t	*p = &ctx->parser;
	yaml_mark_t	 m;

	if (yaml_parser_parse(p, ev))
		return (0);
	m = p->error == YAML_READER_ERROR ? p->mark : p->problem_mark;
	return (perr_at(ctx, m.line + 1, m.column + 1, "syntax error: %s",
	    p->problem != NULL ? p->problem : "unknown error"));
}

static int
node_add(struct pctx *ctx, struct ynode *parent, struct ynode *kid)
{
	struct ynode	**k;
	size_t		  cap;

	if (parent->nkids == parent->cap) {
		cap = parent->cap == 0 ? 8 : parent->cap * 2;
		if ((k = reallocarray(parent->kids, cap, sizeof(*k))) == NULL)
			return (perr(ctx, kid, "out of memory"));
		parent->kids = k;
		parent->cap = cap;
	}
	parent->kids[parent->nkids++] = kid;
	return (0);
}

/* Build the node that starts with ev; ev is consumed. */
static int
load_node(struct pctx *ctx, yaml_event_t *ev, int depth, struct ynode **out)
{
	struct ynode	*n = NULL, *kid;
	yaml_event_t	 kev;
	yaml_char_t	*anchor = NULL, *tag = NULL;
	yaml_event_type_t end;
	size_t		 line, col;

	*out = NULL;
	line = ev->start_mark.line + 1;
	col = ev->start_mark.column + 1;
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor;
		tag = ev->data.scalar.tag;
		end = YAML_NO_EVENT;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
		end = YAML_SEQUENCE_END_EVENT;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
		end = YAML_MAPPING_END_EVENT;
		break;
	case YAML_ALIAS_EVENT:
		yaml_event_delete(ev);
		return (perr_at(ctx, line, col, "aliases are not supported"));
	default:
		yaml_event_delete(ev);
		return (perr_at(ctx, line, col, "unexpected YAML event"));
	}
	if (anchor != NULL || tag != NULL) {
		yaml_event_delete(ev);
		return (perr_at(ctx, line, col, "%s are not supported",
		    anchor != NULL ? "anchors" : "tags"));
	}
	if (depth > YDEPTH_MAX || ++ctx->nnodes > YNODES_MAX) {
		yaml_event_delete(ev);
		return (perr_at(ctx, line, col, "document too deep or too "
		    "large"));
	}
	if ((n = calloc(1, sizeof(*n))) == NULL) {
		yaml_event_delete(ev);
		return (perr_at(ctx, line, col, "out of memory"));
	}
	n->line = line;
	n->col = col;
	if (ev->type == YAML_SCALAR_EVENT) {
		n->type = Y_SCALAR;
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		if (strlen((char *)ev->data.scalar.value) !=
		    ev->data.scalar.length) {
			yaml_event_delete(ev);
			node_free(n);
			return (perr_at(ctx, line, col, "NUL in a string"));
		}
		n->str = strdup((char *)ev->data.scalar.value);
		yaml_event_delete(ev);
		if (n->str == NULL) {
			node_free(n);
			return (perr_at(ctx, line, col, "out of memory"));
		}
		*out = n;
		return (0);
	}
	n->type = end == YAML_MAPPING_END_EVENT ? Y_MAP : Y_SEQ;
	yaml_event_delete(ev);
	for (;;) {
		if (next_event(ctx, &kev) == -1)
			goto fail;
		if (kev.type == end) {
			yaml_event_delete(&kev);
			break;
		}
		if (load_node(ctx, &kev, depth + 1, &kid) == -1)
			goto fail;
		if (node_add(ctx, n, kid) == -1) {
			node_free(kid);
			goto fail;
		}
	}
	*out = n;
	return (0);
 fail:
	node_free(n);
	return (-1);
}

/* Exactly one document, whose root is returned. */
static int
load_document(struct pctx *ctx, struct ynode **root)
{
	yaml_event_t	 ev;
	int		 rv = -1;

	*root = NULL;
	if (next_event(ctx, &ev) == -1)
		return (-1);
	yaml_event_delete(&ev);			/* STREAM_START */
	if (next_event(ctx, &ev) == -1)
		return (-1);
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		return (perr_at(ctx, 1, 1, "empty configuration"));
	}
	yaml_event_delete(&ev);			/* DOCUMENT_START */
	if (next_event(ctx, &ev) == -1)
		return (-1);
	if (load_node(ctx, &ev, 0, root) == -1)
		return (-1);
	if (next_event(ctx, &ev) == -1)		/* DOCUMENT_END */
		goto out;
	yaml_event_delete(&ev);
	if (next_event(ctx, &ev) == -1)
		goto out;
	if (ev.type != YAML_STREAM_END_EVENT) {
		perr_at(ctx, ev.start_mark.line + 1, ev.start_mark.column + 1,
		    "only one YAML document is allowed");
		yaml_event_delete(&ev);
		goto out;
	}
	yaml_event_delete(&ev);
	rv = 0;
 out:
	if (rv == -1) {
		node_free(*root);
		*root = NULL;
	}
	return (rv);
}

/* Schema helpers. */

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

static struct ynode *
map_get(const struct ynode *map, const char *key)
{
	size_t	 i;

	for (i = 0; i + 1 < map->nkids; i += 2)
		if (strcmp(map->kids[i]->str, key) == 0)
			return (map->kids[i + 1]);
	return (NULL);
}

/* A mapping with known, distinct, scalar keys only. */
static int
map_check(struct pctx *ctx, const struct ynode *map, const char *path,
    const char *const *keys)
{
	const struct ynode	*k;
	const char *const	*kp;
	size_t			 i, j;

	if (map->type != Y_MAP) {
		if (*path == '\0')
			return (perr(ctx, map, "expected a mapping at top "
			    "level"));
		return (perr(ctx, map, "%s: expected a mapping", path));
	}
	for (i = 0; i < map->nkids; i += 2) {
		k = map->kids[i];
		if (k->type != Y_SCALAR)
			return (perr(ctx, k, "%s%sexpected a string key", path,
			    *path ? ": " : ""));
		for (kp = keys; *kp != NULL; kp++)
			if (strcmp(*kp, k->str) == 0)
				break;
		if (*kp == NULL)
			return (perr(ctx, k, "unknown key '%s'%s%s", k->str,
			    *path ? " in " : "", path));
		for (j = 0; j < i; j += 2)
			if (strcmp(map->kids[j]->str, k->str) == 0)
				return (perr(ctx, k, "duplicate key '%s'%s%s",
				    k->str, *path ? " in " : "", path));
	}
	return (0);
}

static int
map_need(struct pctx *ctx, const struct ynode *map, const char *path,
    const char *key)
{
	if (map_get(map, key) != NULL)
		return (0);
	return (perr(ctx, map, "missing required key '%s'%s%s", key,
	    *path ? " in " : "", path));
}

static int
get_str(struct pctx *ctx, const struct ynode *n, const char *path, char *buf,
    size_t len)
{
	if (n->type != Y_SCALAR)
		return (perr(ctx, n, "%s: expected a string", path));
	if (n->str[0] == '\0')
		return (perr(ctx, n, "%s: must not be empty", path));
	if (strlcpy(buf, n->str, len) >= len)
		return (perr(ctx, n, "%s: too long (at most %zu characters)",
		    path, len - 1));
	return (0);
}

/* Decimal integers only: 0 ok, -1 not an integer, -2 too large. */
static int
int_scan(const struct ynode *n, long long *out)
{
	const char	*s = n->str;
	long long	 v = 0;
	int		 neg = 0;

	if (n->type != Y_SCALAR || !n->plain)
		return (-1);
	if (*s == '-') {
		neg = 1;
		s++;
	}
	if (*s < '0' || *s > '9' || (s[0] == '0' && s[1] != '\0'))
		return (-1);
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return (-1);
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, *s - '0', &v))
			return (-2);
	}
	*out = neg ? -v : v;
	return (0);
}

static int
get_int(struct pctx *ctx, const struct ynode *n, const char *path,
    long long min, long long max, long long *out)
{
	int	 rv;

	if ((rv = int_scan(n, out)) == -1)
		return (perr(ctx, n, "%s: expected an integer", path));
	if (rv == -2 || *out < min || *out > max)
		return (perr(ctx, n, "%s: %s out of range %lld..%lld", path,
		    n->str, min, max));
	return (0);
}

static int
get_u32(struct pctx *ctx, const struct ynode *n, const char *path,
    long long min, long long max, uint32_t *out)
{
	long long	 v;

	if (get_int(ctx, n, path, min, max, &v) == -1)
		return (-1);
	*out = (uint32_t)v;
	return (0);
}

/*
 * A percentage 0..100 as "5%", "0.5%" or a bare number, in parts per
 * million; at most four decimals, the resolution of a ppm.
 */
static int
get_percent_ppm(struct pctx *ctx, const struct ynode *n, const char *path,
    uint32_t *out)
{
	const char	*s = n->str;
	uint64_t	 v = 0;
	int		 digits = 0, decimals = -1;

	if (n->type != Y_SCALAR)
		return (perr(ctx, n, "%s: expected a percentage", path));
	for (; *s != '\0' && *s != '%'; s++) {
		if (*s == '.' && decimals == -1 && digits > 0) {
			decimals = 0;
			continue;
		}
		if (*s < '0' || *s > '9' || digits >= 9 || decimals >= 4)
			return (perr(ctx, n, "%s: expected a percentage like "
			    "5%% or 0.5%%", path));
		v = v * 10 + (uint64_t)(*s - '0');
		digits++;
		if (decimals >= 0)
			decimals++;
	}
	if (digits == 0 || decimals == 0 || (*s == '%' && s[1] != '\0'))
		return (perr(ctx, n, "%s: expected a percentage like 5%% or "
		    "0.5%%", path));
	for (decimals = decimals < 0 ? 0 : decimals; decimals < 4; decimals++)
		v *= 10;
	if (v > 1000000)
		return (perr(ctx, n, "%s: %s out of range 0..100%%", path,
		    n->str));
	*out = (uint32_t)v;
	return (0);
}

static int
get_bool(struct pctx *ctx, const struct ynode *n, const char *path, bool *out)
{
	if (n->type == Y_SCALAR && n->plain) {
		if (strcmp(n->str, "true") == 0 || strcmp(n->str, "yes") == 0) {
			*out = true;
			return (0);
		}
		if (strcmp(n->str, "false") == 0 || strcmp(n->str, "no") == 0) {
			*out = false;
			return (0);
		}
	}
	return (perr(ctx, n, "%s: expected true or false", path));
}

static int
get_rate(struct pctx *ctx, const struct ynode *n, const char *path,
    uint64_t *out)
{
	if (n->type != Y_SCALAR || conf_rate_parse(n->str, out) == -1)
		return (perr(ctx, n, "%s: expected a rate such as 800kbit or "
		    "40mbit", path));
	if (*out < CONF_RATE_MIN || *out > CONF_RATE_MAX)
		return (perr(ctx, n, "%s: %s out of range 1kbit..100gbit",
		    path, n->str));
	return (0);
}

static int
get_size(struct pctx *ctx, const struct ynode *n, const char *path,
    uint64_t *out)
{
	if (n->type != Y_SCALAR || conf_size_parse(n->str, out) == -1)
		return (perr(ctx, n, "%s: expected a size such as 500MB or "
		    "10GB", path));
	if (*out < CONF_SIZE_MIN || *out > CONF_SIZE_MAX)
		return (perr(ctx, n, "%s: %s out of range 1B..1000PB", path,
		    n->str));
	return (0);
}

static int
get_name(struct pctx *ctx, const struct ynode *n, const char *path, char *buf,
    size_t len)
{
	if (n->type != Y_SCALAR)
		return (perr(ctx, n, "%s: expected a string", path));
	if (!conf_name_valid(n->str, len))
		return (perr(ctx, n, "%s: invalid name '%s' (1..%zu characters "
		    "of A-Z a-z 0-9 _ . -)", path, n->str, len - 1));
	strlcpy(buf, n->str, len);
	return (0);
}

static int
get_key(struct pctx *ctx, const struct ynode *n, const char *path,
    uint8_t key[BONDD_KEY_LEN])
{
	if (n->type != Y_SCALAR || key_from_base64(key, n->str) == -1)
		return (perr(ctx, n, "%s: expected a base64 32-byte key",
		    path));
	return (0);
}

static int
get_keyfile(struct pctx *ctx, const struct ynode *n, const char *path,
    char *file, size_t len, uint8_t key[BONDD_KEY_LEN])
{
	if (get_str(ctx, n, path, file, len) == -1)
		return (-1);
	if (conf_key_load(file, key) == -1) {
		if (errno == EINVAL)
			return (perr(ctx, n, "%s: %s does not hold a base64 "
			    "32-byte key", path, file));
		return (perr(ctx, n, "%s: cannot read %s: %s", path, file,
		    strerror(errno)));
	}
	return (0);
}

static int
get_addr(struct pctx *ctx, const struct ynode *n, const char *path,
    uint16_t defport, struct sockaddr_storage *ss)
{
	if (n->type != Y_SCALAR || addr_parse(n->str, defport, ss) == -1)
		return (perr(ctx, n, "%s: invalid address '%s' (expected "
		    "ADDRESS:PORT)", path, n->type == Y_SCALAR ? n->str : ""));
	return (0);
}

/*
 * A scalar or a sequence of 1..max items.  For a scalar, items is NULL
 * and the caller uses the node itself.
 */
static int
get_list(struct pctx *ctx, const struct ynode *n, const char *path, int max,
    struct ynode *const **items, size_t *nitems)
{
	if (n->type == Y_SCALAR) {
		*items = NULL;
		*nitems = 1;
		return (0);
	}
	if (n->type != Y_SEQ)
		return (perr(ctx, n, "%s: expected a list", path));
	if (n->nkids == 0)
		return (perr(ctx, n, "%s: must not be empty", path));
	if (n->nkids > (size_t)max)
		return (perr(ctx, n->kids[max], "%s: too many entries (at most "
		    "%d)", path, max));
	*items = n->kids;
	*nitems = n->nkids;
	return (0);
}

static int
get_prefixes(struct pctx *ctx, const struct ynode *n, const char *path,
    int max, int mask, struct conf_prefix *out, int *nout)
{
	struct ynode *const	*items;
	const struct ynode	*it;
	size_t			 i, nitems, b;

	if (get_list(ctx, n, path, max, &items, &nitems) == -1)
		return (-1);
	for (i = 0; i < nitems; i++) {
		it = items == NULL ? n : items[i];
		if (it->type != Y_SCALAR || prefix_parse(it->str, &out[i]) ==
		    -1)
			return (perr(ctx, it, "%s: invalid address or prefix "
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
get_ports(struct pctx *ctx, const struct ynode *n, const char *path,
    uint16_t *out, int *nout)
{
	long long	 v;
	size_t		 i;

	if (n->type != Y_SEQ)
		return (perr(ctx, n, "%s: expected a list", path));
	if (n->nkids > 16)
		return (perr(ctx, n->kids[16], "%s: too many entries (at most "
		    "16)", path));
	for (i = 0; i < n->nkids; i++) {
		if (get_int(ctx, n->kids[i], path, 1, 65535, &v) == -1)
			return (-1);
		out[i] = (uint16_t)v;
	}
	*nout = (int)n->nkids;
	return (0);
}

/* Sections. */

static int
parse_tunnel(struct pctx *ctx, const struct ynode *m)
{
	struct config	*conf = ctx->conf;
	struct ynode	*v;
	char		 p[PATH_LEN];
	long long	 n;
	int		 i;

	if (map_check(ctx, m, "tunnel", tunnel_keys) == -1 ||
	    map_need(ctx, m, "tunnel", "address") == -1)
		return (-1);
	if ((v = map_get(m, "name")) != NULL && get_name(ctx, v,
	    kpath(p, "tunnel", "name"), conf->tun_name,
	    sizeof(conf->tun_name)) == -1)
		return (-1);
	v = map_get(m, "address");
	if (get_prefixes(ctx, v, "tunnel.address", 4, 0, conf->tun_addr,
	    &conf->ntun_addr) == -1)
		return (-1);
	if ((v = map_get(m, "mtu")) != NULL) {
		if (v->type == Y_SCALAR && strcmp(v->str, "auto") == 0)
			conf->tun_mtu = 0;
		else if (int_scan(v, &n) == -1)
			return (perr(ctx, v, "tunnel.mtu: expected an integer "
			    "or 'auto'"));
		else if (get_u32(ctx, v, "tunnel.mtu", 576, 9000,
		    &conf->tun_mtu) == -1)
			return (-1);
		for (i = 0; conf->tun_mtu != 0 && i < conf->ntun_addr; i++)
			if (conf->tun_addr[i].family == AF_INET6 &&
			    conf->tun_mtu < 1280)
				return (perr(ctx, v, "tunnel.mtu: IPv6 needs "
				    "at least 1280"));
	}
	if ((v = map_get(m, "txqueuelen")) != NULL && get_u32(ctx, v,
	    "tunnel.txqueuelen", 1, 100000, &conf->tun_txqueuelen) == -1)
		return (-1);
	if ((v = map_get(m, "mss_clamp")) != NULL && get_bool(ctx, v,
	    "tunnel.mss_clamp", &conf->mss_clamp) == -1)
		return (-1);
	return (0);
}

static int
parse_identity(struct pctx *ctx, const struct ynode *m)
{
	struct config	*conf = ctx->conf;
	struct ynode	*v;

	if (map_check(ctx, m, "identity", identity_keys) == -1 ||
	    map_need(ctx, m, "identity", "private_key_file") == -1)
		return (-1);
	if (get_keyfile(ctx, map_get(m, "private_key_file"),
	    "identity.private_key_file", conf->private_key_file,
	    sizeof(conf->private_key_file), conf->private_key) == -1)
		return (-1);
	if ((v = map_get(m, "user")) != NULL && get_name(ctx, v,
	    "identity.user", conf->user, sizeof(conf->user)) == -1)
		return (-1);
	return (0);
}

/* Keys common to the client's peer and the server's peers. */
static int
parse_peer_common(struct pctx *ctx, const struct ynode *m, const char *base,
    struct conf_peer *peer)
{
	struct ynode	*v;
	char		 p[PATH_LEN];

	if ((v = map_get(m, "name")) != NULL && get_name(ctx, v,
	    kpath(p, base, "name"), peer->name, sizeof(peer->name)) == -1)
		return (-1);
	if (get_key(ctx, map_get(m, "public_key"), kpath(p, base,
	    "public_key"), peer->public_key) == -1)
		return (-1);
	if ((v = map_get(m, "preshared_key_file")) != NULL) {
		if (get_keyfile(ctx, v, kpath(p, base, "preshared_key_file"),
		    peer->psk_file, sizeof(peer->psk_file), peer->psk) == -1)
			return (-1);
		peer->has_psk = true;
	}
	if ((v = map_get(m, "allowed_ips")) != NULL && get_prefixes(ctx, v,
	    kpath(p, base, "allowed_ips"), BONDD_MAX_ALLOWED, 1,
	    peer->allowed, &peer->nallowed) == -1)
		return (-1);
	return (0);
}

static int
parse_peer(struct pctx *ctx, const struct ynode *m)
{
	struct conf_peer	*peer = &ctx->conf->peers[0];

	if (map_check(ctx, m, "peer", peer_keys) == -1 ||
	    map_need(ctx, m, "peer", "public_key") == -1 ||
	    map_need(ctx, m, "peer", "endpoint") == -1)
		return (-1);
	strlcpy(peer->name, "server", sizeof(peer->name));
	prefix_parse("0.0.0.0/0", &peer->allowed[0]);
	prefix_parse("::/0", &peer->allowed[1]);
	peer->nallowed = 2;
	if (parse_peer_common(ctx, m, "peer", peer) == -1)
		return (-1);
	if (get_addr(ctx, map_get(m, "endpoint"), "peer.endpoint",
	    BONDD_DEFAULT_PORT, &peer->endpoint) == -1)
		return (-1);
	ctx->conf->npeers = 1;
	return (0);
}

static int
parse_peers(struct pctx *ctx, const struct ynode *seq)
{
	struct config	*conf = ctx->conf;
	struct conf_peer *peer;
	struct ynode	*m;
	char		 base[PATH_LEN], p[PATH_LEN];
	size_t		 i;
	int		 j;

	if (seq->type != Y_SEQ)
		return (perr(ctx, seq, "peers: expected a list"));
	if (seq->nkids == 0)
		return (perr(ctx, seq, "peers: must not be empty"));
	if (seq->nkids > BONDD_MAX_PEERS)
		return (perr(ctx, seq->kids[BONDD_MAX_PEERS], "peers: too many "
		    "peers (at most %d)", BONDD_MAX_PEERS));
	for (i = 0; i < seq->nkids; i++) {
		m = seq->kids[i];
		peer = &conf->peers[i];
		snprintf(base, sizeof(base), "peers[%zu]", i);
		if (map_check(ctx, m, base, peers_keys) == -1 ||
		    map_need(ctx, m, base, "name") == -1 ||
		    map_need(ctx, m, base, "public_key") == -1 ||
		    map_need(ctx, m, base, "allowed_ips") == -1 ||
		    parse_peer_common(ctx, m, base, peer) == -1)
			return (-1);
		for (j = 0; j < (int)i; j++) {
			if (strcmp(conf->peers[j].name, peer->name) == 0)
				return (perr(ctx, map_get(m, "name"),
				    "%s: duplicate peer name '%s'",
				    kpath(p, base, "name"), peer->name));
			if (sodium_memcmp(conf->peers[j].public_key,
			    peer->public_key, BONDD_KEY_LEN) == 0)
				return (perr(ctx, map_get(m, "public_key"),
				    "%s: duplicate public key (also in peers[%d])",
				    kpath(p, base, "public_key"), j));
		}
		conf->npeers = (int)i + 1;
	}
	return (0);
}

static int
parse_link(struct pctx *ctx, const struct ynode *m, const char *base,
    struct conf_link *l)
{
	struct ynode	*v;
	char		 p[PATH_LEN];
	long long	 n;

	if (map_check(ctx, m, base, link_keys) == -1 ||
	    map_need(ctx, m, base, "name") == -1)
		return (-1);
	l->priority = 1;
	if (get_name(ctx, map_get(m, "name"), kpath(p, base, "name"), l->name,
	    sizeof(l->name)) == -1)
		return (-1);
	if ((v = map_get(m, "device")) != NULL && get_name(ctx, v,
	    kpath(p, base, "device"), l->device, sizeof(l->device)) == -1)
		return (-1);
	if ((v = map_get(m, "source")) != NULL && (v->type != Y_SCALAR ||
	    addr_parse_host(v->str, &l->source) == -1))
		return (perr(ctx, v, "%s: invalid address '%s'", kpath(p, base,
		    "source"), v->type == Y_SCALAR ? v->str : ""));
	if ((v = map_get(m, "endpoint")) != NULL && get_addr(ctx, v,
	    kpath(p, base, "endpoint"), BONDD_DEFAULT_PORT, &l->endpoint) == -1)
		return (-1);
	if ((v = map_get(m, "port")) != NULL) {
		if (get_int(ctx, v, kpath(p, base, "port"), 0, 65535, &n) ==
		    -1)
			return (-1);
		l->port = (uint16_t)n;
	}
	if ((v = map_get(m, "fwmark")) != NULL && get_u32(ctx, v,
	    kpath(p, base, "fwmark"), 0, UINT32_MAX, &l->fwmark) == -1)
		return (-1);
	if ((v = map_get(m, "up")) != NULL && get_rate(ctx, v,
	    kpath(p, base, "up"), &l->up_bps) == -1)
		return (-1);
	if ((v = map_get(m, "down")) != NULL && get_rate(ctx, v,
	    kpath(p, base, "down"), &l->down_bps) == -1)
		return (-1);
	if ((v = map_get(m, "priority")) != NULL && get_u32(ctx, v,
	    kpath(p, base, "priority"), 1, 16, &l->priority) == -1)
		return (-1);
	if ((v = map_get(m, "quota")) != NULL && get_size(ctx, v,
	    kpath(p, base, "quota"), &l->quota_bytes) == -1)
		return (-1);
	if ((v = map_get(m, "backup")) != NULL && get_bool(ctx, v,
	    kpath(p, base, "backup"), &l->backup) == -1)
		return (-1);
	if ((v = map_get(m, "mtu")) != NULL) {
		if (get_int(ctx, v, kpath(p, base, "mtu"), 0, 9000, &n) == -1)
			return (-1);
		if (n != 0 && n < 576)
			return (perr(ctx, v, "%s: %s out of range 576..9000 "
			    "(0 for the device MTU)", p, v->str));
		l->mtu = (uint32_t)n;
	}
	return (0);
}

static int
parse_links(struct pctx *ctx, const struct ynode *seq)
{
	struct config	*conf = ctx->conf;
	char		 base[PATH_LEN], p[PATH_LEN];
	size_t		 i;
	int		 j;

	if (seq->type != Y_SEQ)
		return (perr(ctx, seq, "links: expected a list"));
	if (seq->nkids == 0)
		return (perr(ctx, seq, "links: must not be empty"));
	if (seq->nkids > BONDD_MAX_LINKS)
		return (perr(ctx, seq->kids[BONDD_MAX_LINKS], "links: too many "
		    "links (at most %d)", BONDD_MAX_LINKS));
	for (i = 0; i < seq->nkids; i++) {
		snprintf(base, sizeof(base), "links[%zu]", i);
		if (parse_link(ctx, seq->kids[i], base, &conf->links[i]) == -1)
			return (-1);
		for (j = 0; j < (int)i; j++)
			if (strcmp(conf->links[j].name, conf->links[i].name) ==
			    0)
				return (perr(ctx, map_get(seq->kids[i], "name"),
				    "%s: duplicate link name '%s'",
				    kpath(p, base, "name"),
				    conf->links[i].name));
		conf->nlinks = (int)i + 1;
	}
	return (0);
}

static int
parse_listen(struct pctx *ctx, const struct ynode *n)
{
	struct config		*conf = ctx->conf;
	struct ynode *const	*items;
	const struct ynode	*it;
	size_t			 i, nitems;
	int			 j;

	if (get_list(ctx, n, "listen", BONDD_MAX_LISTEN, &items,
	    &nitems) == -1)
		return (-1);
	for (i = 0; i < nitems; i++) {
		it = items == NULL ? n : items[i];
		if (get_addr(ctx, it, "listen", BONDD_DEFAULT_PORT,
		    &conf->listen[i]) == -1)
			return (-1);
		for (j = 0; j < (int)i; j++)
			if (addr_equal(&conf->listen[j], &conf->listen[i]))
				return (perr(ctx, it, "listen: duplicate "
				    "address '%s'", it->str));
	}
	conf->nlisten = (int)nitems;
	return (0);
}

static int
parse_session(struct pctx *ctx, const struct ynode *m)
{
	struct ynode	*v;

	if (map_check(ctx, m, "session", session_keys) == -1)
		return (-1);
	if ((v = map_get(m, "keepalive")) != NULL && get_u32(ctx, v,
	    "session.keepalive", 1, 600, &ctx->conf->keepalive_s) == -1)
		return (-1);
	if ((v = map_get(m, "rekey")) != NULL && get_u32(ctx, v,
	    "session.rekey", 10, 3600, &ctx->conf->rekey_s) == -1)
		return (-1);
	return (0);
}

static int
parse_probe(struct pctx *ctx, const struct ynode *m)
{
	struct config	*conf = ctx->conf;
	struct ynode	*v;

	if (map_check(ctx, m, "probe", probe_keys) == -1)
		return (-1);
	if ((v = map_get(m, "interval")) != NULL && get_u32(ctx, v,
	    "probe.interval", 10, 10000, &conf->probe_interval_ms) == -1)
		return (-1);
	if ((v = map_get(m, "down_after")) != NULL && get_u32(ctx, v,
	    "probe.down_after", 50, 60000, &conf->down_after_ms) == -1)
		return (-1);
	if ((v = map_get(m, "lossy")) != NULL && get_percent_ppm(ctx, v,
	    "probe.lossy", &conf->lossy_ppm) == -1)
		return (-1);
	if ((v = map_get(m, "recover")) != NULL && get_u32(ctx, v,
	    "probe.recover", 1, 100, &conf->recover_probes) == -1)
		return (-1);
	v = map_get(m, "down_after");
	/* A link must miss at least two probes to be declared down. */
	if (conf->down_after_ms < 2 * conf->probe_interval_ms)
		return (perr(ctx, v != NULL ? v : m, "probe.down_after: %u "
		    "shorter than two probe intervals (%u)",
		    conf->down_after_ms, 2 * conf->probe_interval_ms));
	return (0);
}

static int
parse_scheduler(struct pctx *ctx, const struct ynode *m)
{
	struct ynode	*v;

	if (map_check(ctx, m, "scheduler", scheduler_keys) == -1)
		return (-1);
	if ((v = map_get(m, "strategy")) != NULL && (v->type != Y_SCALAR ||
	    conf_strategy_parse(v->str, &ctx->conf->strategy) == -1))
		return (perr(ctx, v, "scheduler.strategy: expected one of "
		    "earliest_arrival, weighted, tiered_fill, round_robin, "
		    "single_best"));
	if ((v = map_get(m, "reorder_max")) != NULL && get_u32(ctx, v,
	    "scheduler.reorder_max", 0, 2000, &ctx->conf->reorder_max_ms) == -1)
		return (-1);
	return (0);
}

static int
parse_realtime(struct pctx *ctx, const struct ynode *m)
{
	struct config	*conf = ctx->conf;
	struct ynode	*v;

	if (map_check(ctx, m, "realtime", realtime_keys) == -1)
		return (-1);
	if ((v = map_get(m, "udp_ports")) != NULL && get_ports(ctx, v,
	    "realtime.udp_ports", conf->rt_udp_ports,
	    &conf->nrt_udp_ports) == -1)
		return (-1);
	if ((v = map_get(m, "tcp_ports")) != NULL && get_ports(ctx, v,
	    "realtime.tcp_ports", conf->rt_tcp_ports,
	    &conf->nrt_tcp_ports) == -1)
		return (-1);
	if ((v = map_get(m, "duplicate")) != NULL && get_bool(ctx, v,
	    "realtime.duplicate", &conf->rt_duplicate) == -1)
		return (-1);
	return (0);
}

static int
parse_fec(struct pctx *ctx, const struct ynode *m)
{
	struct ynode	*v;

	if (map_check(ctx, m, "fec", fec_keys) == -1)
		return (-1);
	if ((v = map_get(m, "mode")) != NULL && (v->type != Y_SCALAR ||
	    conf_fec_parse(v->str, &ctx->conf->fec_mode) == -1))
		return (perr(ctx, v, "fec.mode: expected off, adaptive or "
		    "fixed"));
	return (0);
}

static int
parse_control(struct pctx *ctx, const struct ynode *m)
{
	struct config	*conf = ctx->conf;
	struct ynode	*v;

	if (map_check(ctx, m, "control", control_keys) == -1)
		return (-1);
	if ((v = map_get(m, "socket")) != NULL) {
		if (get_str(ctx, v, "control.socket", conf->ctl_socket,
		    sizeof(conf->ctl_socket)) == -1)
			return (-1);
		if (conf->ctl_socket[0] != '/')
			return (perr(ctx, v, "control.socket: expected an "
			    "absolute path"));
	}
	if ((v = map_get(m, "group")) != NULL) {
		if (get_name(ctx, v, "control.group", conf->ctl_group,
		    sizeof(conf->ctl_group)) == -1)
			return (-1);
		if (getgrnam(conf->ctl_group) == NULL)
			return (perr(ctx, v, "control.group: no such group "
			    "'%s'", conf->ctl_group));
	}
	if ((v = map_get(m, "metrics")) != NULL) {
		if (v->type == Y_SCALAR && strcmp(v->str, "off") == 0)
			memset(&conf->metrics, 0, sizeof(conf->metrics));
		else if (get_addr(ctx, v, "control.metrics", 0,
		    &conf->metrics) == -1)
			return (-1);
	}
	return (0);
}

static int
parse_root(struct pctx *ctx, const struct ynode *root)
{
	struct config	*conf = ctx->conf;
	const struct ynode *v, *k;
	const char	*only;
	size_t		 i;

	if (map_check(ctx, root, "", root_keys) == -1 ||
	    map_need(ctx, root, "", "role") == -1)
		return (-1);
	v = map_get(root, "role");
	if (v->type == Y_SCALAR && strcmp(v->str, "client") == 0)
		conf->role = ROLE_CLIENT;
	else if (v->type == Y_SCALAR && strcmp(v->str, "server") == 0)
		conf->role = ROLE_SERVER;
	else
		return (perr(ctx, v, "role: expected client or server"));

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
			return (perr(ctx, k, "%s: only allowed with role %s",
			    k->str, only));
	}
	if (map_need(ctx, root, "", "tunnel") == -1 ||
	    map_need(ctx, root, "", "identity") == -1)
		return (-1);
	if (conf->role == ROLE_CLIENT && (map_need(ctx, root, "", "peer") ==
	    -1 || map_need(ctx, root, "", "links") == -1))
		return (-1);
	if (conf->role == ROLE_SERVER && (map_need(ctx, root, "", "listen") ==
	    -1 || map_need(ctx, root, "", "peers") == -1))
		return (-1);

	if (parse_tunnel(ctx, map_get(root, "tunnel")) == -1 ||
	    parse_identity(ctx, map_get(root, "identity")) == -1)
		return (-1);
	if (conf->role == ROLE_CLIENT) {
		if (parse_peer(ctx, map_get(root, "peer")) == -1 ||
		    parse_links(ctx, map_get(root, "links")) == -1)
			return (-1);
	} else {
		if (parse_listen(ctx, map_get(root, "listen")) == -1 ||
		    parse_peers(ctx, map_get(root, "peers")) == -1)
			return (-1);
	}
	if ((v = map_get(root, "session")) != NULL &&
	    parse_session(ctx, v) == -1)
		return (-1);
	if ((v = map_get(root, "probe")) != NULL && parse_probe(ctx, v) == -1)
		return (-1);
	if ((v = map_get(root, "scheduler")) != NULL &&
	    parse_scheduler(ctx, v) == -1)
		return (-1);
	if ((v = map_get(root, "realtime")) != NULL &&
	    parse_realtime(ctx, v) == -1)
		return (-1);
	if ((v = map_get(root, "fec")) != NULL && parse_fec(ctx, v) == -1)
		return (-1);
	if ((v = map_get(root, "control")) != NULL &&
	    parse_control(ctx, v) == -1)
		return (-1);
	return (0);
}

int
parse_config(const char *file, struct config *conf, char *err, size_t errlen)
{
	struct pctx	 ctx;
	struct ynode	*root = NULL;
	FILE		*fp;
	int		 i, rv = -1;

	memset(&ctx, 0, sizeof(ctx));
	ctx.file = file;
	ctx.err = err;
	ctx.errlen = errlen;
	ctx.conf = conf;
	config_defaults(conf);
	if (strlcpy(conf->file, file, sizeof(conf->file)) >= sizeof(conf->file))
		return (perr_at(&ctx, 1, 1, "file name too long"));
	if ((fp = fopen(file, "re")) == NULL)
		return (perr_at(&ctx, 1, 1, "cannot open: %s",
		    strerror(errno)));
	if (!yaml_parser_initialize(&ctx.parser)) {
		fclose(fp);
		return (perr_at(&ctx, 1, 1, "out of memory"));
	}
	yaml_parser_set_input_file(&ctx.parser, fp);
	if (load_document(&ctx, &root) == 0 && parse_root(&ctx, root) == 0)
		rv = 0;
	node_free(root);
	yaml_parser_delete(&ctx.parser);
	fclose(fp);
	if (rv == -1) {
		sodium_memzero(conf->private_key, sizeof(conf->private_key));
		for (i = 0; i < BONDD_MAX_PEERS; i++)
			sodium_memzero(conf->peers[i].psk,
			    sizeof(conf->peers[i].psk));
	}
	return (rv);
}
