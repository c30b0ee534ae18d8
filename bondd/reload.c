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
 * The configuration diff of a reload (bondd/reload.h).  Runs in the
 * parent on two configurations it parsed itself; it touches neither
 * files nor processes.
 */

#include <stdio.h>
#include <string.h>

#include "bondd.h"
#include "config.h"
#include "reload.h"
#include "util.h"

static const char *const class_names[] = {
	"unchanged", "changed", "restarted", "added", "removed"
};

const char *
reload_class_name(enum reload_class c)
{
	if ((unsigned)c > RELOAD_REMOVED)
		return "?";
	return class_names[c];
}

static int
prefixes_equal(const struct conf_prefix *a, int na,
    const struct conf_prefix *b, int nb)
{
	int	i;

	if (na != nb)
		return 0;
	for (i = 0; i < na; i++)
		if (a[i].family != b[i].family || a[i].plen != b[i].plen ||
		    memcmp(a[i].addr, b[i].addr, sizeof(a[i].addr)) != 0)
			return 0;
	return 1;
}

static int
ports_equal(const uint16_t *a, int na, const uint16_t *b, int nb)
{
	return na == nb && memcmp(a, b, na * sizeof(*a)) == 0;
}

/* The key of a link that needs a new socket, or NULL. */
static const char *
link_hard(const struct conf_link *a, const struct conf_link *b)
{
	if (strcmp(a->device, b->device) != 0)
		return "device";
	if (!addr_equal(&a->source, &b->source))
		return "source";
	if (a->port != b->port)
		return "port";
	if (a->fwmark != b->fwmark)
		return "fwmark";
	if (!addr_equal(&a->endpoint, &b->endpoint))
		return "endpoint";
	if (a->mtu != b->mtu)
		return "mtu";
	return NULL;
}

/* The key of a link that changes in place, or NULL. */
static const char *
link_soft(const struct conf_link *a, const struct conf_link *b)
{
	if (a->up_bps != b->up_bps)
		return "up";
	if (a->down_bps != b->down_bps)
		return "down";
	if (a->priority != b->priority)
		return "priority";
	if (a->quota_bytes != b->quota_bytes)
		return "quota";
	if (a->backup != b->backup)
		return "backup";
	return NULL;
}

static int
find_link(const struct config *c, const char *name)
{
	int	i;

	for (i = 0; i < c->nlinks; i++)
		if (strcmp(c->links[i].name, name) == 0)
			return i;
	return -1;
}

/* The first key that needs a restart, or NULL. */
static const char *
fixed_key(const struct config *o, const struct config *n)
{
	int	i;

	if (o->role != n->role)
		return "role";
	if (strcmp(o->tun_name, n->tun_name) != 0)
		return "tunnel.name";
	if (!prefixes_equal(o->tun_addr, o->ntun_addr, n->tun_addr,
	    n->ntun_addr))
		return "tunnel.address";
	if (o->tun_mtu != n->tun_mtu)
		return "tunnel.mtu";
	if (o->tun_txqueuelen != n->tun_txqueuelen)
		return "tunnel.txqueuelen";
	if (strcmp(o->private_key_file, n->private_key_file) != 0 ||
	    memcmp(o->private_key, n->private_key,
	    sizeof(o->private_key)) != 0)
		return "identity.private_key_file";
	if (strcmp(o->user, n->user) != 0)
		return "identity.user";
	if (strcmp(o->ctl_socket, n->ctl_socket) != 0)
		return "control.socket";
	if (strcmp(o->ctl_group, n->ctl_group) != 0)
		return "control.group";
	if (!addr_equal(&o->metrics, &n->metrics))
		return "control.metrics";
	if (o->nlisten != n->nlisten)
		return "listen";
	for (i = 0; i < o->nlisten; i++)
		if (!addr_equal(&o->listen[i], &n->listen[i]))
			return "listen";
	/* Peers are indexed by position in every child: only their
	 * allowed_ips may change. */
	if (o->npeers != n->npeers)
		return o->role == ROLE_CLIENT ? "peer" : "peers";
	for (i = 0; i < o->npeers; i++) {
		if (strcmp(o->peers[i].name, n->peers[i].name) != 0)
			return o->role == ROLE_CLIENT ? "peer" : "peers.name";
		if (memcmp(o->peers[i].public_key, n->peers[i].public_key,
		    BONDD_KEY_LEN) != 0)
			return o->role == ROLE_CLIENT ? "peer.public_key" :
			    "peers.public_key";
		if (o->peers[i].has_psk != n->peers[i].has_psk ||
		    memcmp(o->peers[i].psk, n->peers[i].psk,
		    BONDD_KEY_LEN) != 0)
			return o->role == ROLE_CLIENT ?
			    "peer.preshared_key_file" :
			    "peers.preshared_key_file";
		if (!addr_equal(&o->peers[i].endpoint,
		    &n->peers[i].endpoint) ||
		    strcmp(o->peers[i].endpoint_name,
		    n->peers[i].endpoint_name) != 0 ||
		    o->peers[i].endpoint_port != n->peers[i].endpoint_port)
			return "peer.endpoint";
	}
	return NULL;
}

static void
add_link(struct reload_diff *d, const char *name, enum reload_class c,
    int oi, int ni, const char *why)
{
	struct reload_link	*l = &d->links[d->nlinks++];

	snprintf(l->name, sizeof(l->name), "%s", name);
	l->class = c;
	l->old_idx = oi;
	l->new_idx = ni;
	l->why = why;
	d->count[c]++;
}

int
reload_diff(const struct config *o, const struct config *n,
    struct reload_diff *d, char *err, size_t errlen)
{
	const char	*key, *why;
	int		 i, j;

	memset(d, 0, sizeof(*d));
	if ((key = fixed_key(o, n)) != NULL) {
		snprintf(err, errlen, "%s cannot change on reload; "
		    "restart bondd", key);
		return -1;
	}
	for (i = 0; i < o->npeers; i++)
		if (!prefixes_equal(o->peers[i].allowed, o->peers[i].nallowed,
		    n->peers[i].allowed, n->peers[i].nallowed))
			d->peers_changed = 1;
	d->routes_changed = d->peers_changed || o->persist != n->persist ||
	    !prefixes_equal(o->routes, o->nroutes, n->routes, n->nroutes);
	d->linkd_changed = o->keepalive_s != n->keepalive_s ||
	    o->rekey_s != n->rekey_s ||
	    o->probe_interval_ms != n->probe_interval_ms ||
	    o->down_after_ms != n->down_after_ms ||
	    o->lossy_ppm != n->lossy_ppm ||
	    o->recover_probes != n->recover_probes ||
	    o->log_status_s != n->log_status_s;
	d->core_changed = d->peers_changed || o->strategy != n->strategy ||
	    o->reorder_max_ms != n->reorder_max_ms ||
	    o->bulk_rtt_pct != n->bulk_rtt_pct ||
	    o->bulk_max_rtt_ms != n->bulk_max_rtt_ms ||
	    o->mss_clamp != n->mss_clamp ||
	    !ports_equal(o->rt_udp_ports, o->nrt_udp_ports, n->rt_udp_ports,
	    n->nrt_udp_ports) ||
	    !ports_equal(o->rt_tcp_ports, o->nrt_tcp_ports, n->rt_tcp_ports,
	    n->nrt_tcp_ports) ||
	    o->rt_duplicate != n->rt_duplicate ||
	    o->fec_mode != n->fec_mode ||
	    o->log_status_s != n->log_status_s;

	for (i = 0; i < o->nlinks; i++) {
		if ((j = find_link(n, o->links[i].name)) == -1) {
			add_link(d, o->links[i].name, RELOAD_REMOVED, i, -1,
			    NULL);
			continue;
		}
		if ((why = link_hard(&o->links[i], &n->links[j])) != NULL)
			add_link(d, o->links[i].name, RELOAD_HARD, i, j, why);
		else if ((why = link_soft(&o->links[i], &n->links[j])) !=
		    NULL)
			add_link(d, o->links[i].name, RELOAD_SOFT, i, j, why);
		else
			add_link(d, o->links[i].name, RELOAD_UNCHANGED, i, j,
			    NULL);
	}
	for (j = 0; j < n->nlinks; j++)
		if (find_link(o, n->links[j].name) == -1)
			add_link(d, n->links[j].name, RELOAD_ADDED, -1, j,
			    NULL);
	return 0;
}

void
reload_summary(const struct reload_diff *d, char *buf, size_t len)
{
	static const enum reload_class order[] = {
		RELOAD_ADDED, RELOAD_REMOVED, RELOAD_HARD, RELOAD_SOFT,
		RELOAD_UNCHANGED
	};
	size_t	off = 0;
	int	i, n;

	snprintf(buf, len, "reloaded:");
	for (i = 0; i < (int)(sizeof(order) / sizeof(order[0])); i++) {
		if (d->count[order[i]] == 0 && order[i] != RELOAD_UNCHANGED)
			continue;
		off = strlen(buf);
		n = snprintf(buf + off, len - off, "%s %d %s",
		    off > strlen("reloaded:") ? "," : "", d->count[order[i]],
		    reload_class_name(order[i]));
		if (n < 0 || (size_t)n >= len - off)
			return;
	}
	if (d->core_changed || d->linkd_changed || d->routes_changed) {
		off = strlen(buf);
		snprintf(buf + off, len - off, "; global settings changed");
	}
}
