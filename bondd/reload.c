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
static const char *const peer_class_names[] = {
	"unchanged", "changed", "new key", "added", "removed"
};

_Static_assert(BONDD_MAX_PEERS <= 64, "peer slots are bits of a uint64_t");

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
	if (o->tun_offload != n->tun_offload)
		return "tunnel.offload";
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
	/* Links without an endpoint of their own use the server's, and
	 * their sockets were opened for its address family; a name is
	 * looked up again on every reload, but stays the same name. */
	if (o->role == ROLE_CLIENT &&
	    (!addr_equal(&o->peers[0].endpoint, &n->peers[0].endpoint) ||
	    strcmp(o->peers[0].endpoint_name,
	    n->peers[0].endpoint_name) != 0 ||
	    o->peers[0].endpoint_port != n->peers[0].endpoint_port))
		return "peer.endpoint";
	return NULL;
}

/* Why a peer kept under its slot changed (and so its class), or NULL. */
static const char *
peer_hard(const struct conf_peer *a, const struct conf_peer *b)
{
	if (memcmp(a->public_key, b->public_key, BONDD_KEY_LEN) != 0)
		return "public_key";
	if (a->has_psk != b->has_psk ||
	    memcmp(a->psk, b->psk, BONDD_KEY_LEN) != 0)
		return "preshared_key_file";
	return NULL;
}

static const char *
peer_soft(const struct conf_peer *a, const struct conf_peer *b)
{
	if (strcmp(a->name, b->name) != 0)
		return "name";
	if (!prefixes_equal(a->allowed, a->nallowed, b->allowed, b->nallowed))
		return "allowed_ips";
	return NULL;
}

static void
add_peer(struct reload_diff *d, const char *name, enum reload_class c,
    int oi, int ni, int slot, const char *why)
{
	struct reload_peer	*p = &d->peers[d->npeers++];

	snprintf(p->name, sizeof(p->name), "%s", name);
	p->class = c;
	p->old_idx = oi;
	p->new_idx = ni;
	p->slot = slot;
	p->why = why;
	d->peer_count[c]++;
	if (ni != -1)
		d->peer_slot[ni] = slot;
	if (c != RELOAD_UNCHANGED)
		d->peers_changed = 1;
}

/* The lowest slot set in bits, -1 if none. */
static int
lowest_slot(uint64_t bits)
{
	int	i;

	for (i = 0; i < BONDD_MAX_PEERS; i++)
		if (bits & (1ULL << i))
			return i;
	return -1;
}

/* Which old peer each new one is, and the slot of every new peer. */
static void
diff_peers(const struct config *o, const int *oslot, const struct config *n,
    struct reload_diff *d)
{
	const char	*why;
	uint64_t	 held = 0, freed = 0, all;
	int		 new_of[BONDD_MAX_PEERS], old_of[BONDD_MAX_PEERS];
	int		 i, j, slot;

	all = BONDD_MAX_PEERS == 64 ? ~0ULL : (1ULL << BONDD_MAX_PEERS) - 1;
	for (i = 0; i < o->npeers; i++) {
		new_of[i] = -1;
		held |= 1ULL << oslot[i];
	}
	for (j = 0; j < n->npeers; j++)
		old_of[j] = -1;
	/* A client's one peer is the server, whatever it is called. */
	if (o->role == ROLE_CLIENT && o->npeers == 1 && n->npeers == 1)
		new_of[0] = old_of[0] = 0;
	for (j = 0; j < n->npeers; j++)
		for (i = 0; i < o->npeers && old_of[j] == -1; i++)
			if (new_of[i] == -1 &&
			    strcmp(o->peers[i].name, n->peers[j].name) == 0)
				new_of[i] = j, old_of[j] = i;
	for (j = 0; j < n->npeers; j++)
		for (i = 0; i < o->npeers && old_of[j] == -1; i++)
			if (new_of[i] == -1 && memcmp(o->peers[i].public_key,
			    n->peers[j].public_key, BONDD_KEY_LEN) == 0)
				new_of[i] = j, old_of[j] = i;

	for (i = 0; i < o->npeers; i++) {
		if ((j = new_of[i]) == -1) {
			add_peer(d, o->peers[i].name, RELOAD_REMOVED, i, -1,
			    oslot[i], NULL);
			freed |= 1ULL << oslot[i];
		} else if ((why = peer_hard(&o->peers[i], &n->peers[j])) !=
		    NULL)
			add_peer(d, n->peers[j].name, RELOAD_HARD, i, j,
			    oslot[i], why);
		else if ((why = peer_soft(&o->peers[i], &n->peers[j])) !=
		    NULL)
			add_peer(d, n->peers[j].name, RELOAD_SOFT, i, j,
			    oslot[i], why);
		else
			add_peer(d, n->peers[j].name, RELOAD_UNCHANGED, i, j,
			    oslot[i], NULL);
	}
	/* A slot another peer left in this reload may still have its
	 * frames in flight between linkd and the core: last choice. */
	for (j = 0; j < n->npeers; j++) {
		if (old_of[j] != -1)
			continue;
		if ((slot = lowest_slot(all & ~held)) == -1)
			slot = lowest_slot(freed);
		held |= 1ULL << slot;
		freed &= ~(1ULL << slot);
		add_peer(d, n->peers[j].name, RELOAD_ADDED, -1, j, slot,
		    NULL);
	}
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
reload_diff(const struct config *o, const int *oslot, const struct config *n,
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
	diff_peers(o, oslot, n, d);
	d->tunnel_changed = o->persist != n->persist ||
	    !prefixes_equal(o->routes, o->nroutes, n->routes, n->nroutes);
	d->routes_changed = d->peers_changed || d->tunnel_changed;
	d->linkd_changed = o->keepalive_s != n->keepalive_s ||
	    o->rekey_s != n->rekey_s ||
	    o->udp_offload != n->udp_offload ||
	    o->probe_interval_ms != n->probe_interval_ms ||
	    o->down_after_ms != n->down_after_ms ||
	    o->lossy_ppm != n->lossy_ppm ||
	    o->recover_probes != n->recover_probes ||
	    o->log_status_s != n->log_status_s;
	d->core_changed = o->strategy != n->strategy ||
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
	if (d->peers_changed) {
		off = strlen(buf);
		snprintf(buf + off, len - off, "; peers:");
		for (i = 0; i < (int)(sizeof(order) / sizeof(order[0])); i++) {
			if (d->peer_count[order[i]] == 0 &&
			    order[i] != RELOAD_UNCHANGED)
				continue;
			off = strlen(buf);
			n = snprintf(buf + off, len - off, "%s %d %s",
			    buf[off - 1] == ':' ? "" : ",",
			    d->peer_count[order[i]],
			    peer_class_names[order[i]]);
			if (n < 0 || (size_t)n >= len - off)
				return;
		}
	}
	if (d->core_changed || d->linkd_changed || d->tunnel_changed) {
		off = strlen(buf);
		snprintf(buf + off, len - off, "; global settings changed");
	}
}
