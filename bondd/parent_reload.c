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
 * Applying a reload: reload_diff() (reload.c) says what changed, this
 * file opens the sockets of added and replaced links, then removes,
 * replaces and adds linkds, tells the running ones of the peers that
 * were added, removed or changed, sends the new settings and the peer
 * table to the children that keep running, and last sets the tunnel's
 * routes (for the new peers' allowed_ips too).
 *
 * Runs in the parent as the unprivileged user with CAP_NET_ADMIN only,
 * which is enough to open link sockets and to change routes.  It never
 * parses a network packet; it reads the configuration file again.  A
 * key file that is unchanged keeps the key read at start, which the
 * unprivileged user cannot read again; the new configuration's copy
 * replaces the old one (wiped).
 */

#include <errno.h>
#include <event2/event.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bondd.h"
#include "config.h"
#include "frame.h"
#include "ipc.h"
#include "log.h"
#include "messages.h"
#include "parent.h"
#include "priv.h"
#include "reload.h"

/* A link socket reload_open() opened, and the payload its MTU allows;
 * none while the link waits (enum link_wait). */
struct new_sock {
	int		 fd;		/* -1: none, or handed to a slot */
	enum link_wait	 waiting;
	unsigned int	 ifindex;
	uint32_t	 payload_max;
};

/* A reload is still stopping linkds it removed or replaced. */
static int
reload_busy(void)
{
	int	i;

	for (i = 0; i < MAX_INSTANCES; i++)
		if (slots[i].linkd.removing || slots[i].linkd.replacing)
			return 1;
	return 0;
}

/* Slot s takes link l and its new socket; its old socket closes. */
static void
slot_set(struct slot *s, const struct conf_link *l, struct new_sock *ns)
{
	if (s->fd != -1)
		close(s->fd);
	s->link = *l;
	s->fd = ns->fd;
	s->ifindex = ns->ifindex;
	s->dev_down = 0;	/* until netlink says otherwise */
	s->payload_max = ns->payload_max;
	/* The peer's endpoint is the running one: only the link's own
	 * may have changed. */
	(void)peer_address(l, &s->endpoint);
	s->waiting = LINK_READY;
	link_waits(s, ns->waiting);
	ns->fd = -1;
}

static void
reload_remove(struct slot *s)
{
	struct child	*c = &s->linkd;

	log_info("link %s: removed", c->name);
	s->used = 0;
	memset(s->stats, 0, sizeof(s->stats));
	if (s->fd != -1)
		close(s->fd);
	s->fd = -1;
	s->waiting = LINK_READY;
	if (c->pid > 0) {
		c->removing = 1;
		linkd_stop(c);
	} else
		evtimer_del(c->restart_ev);	/* it was to restart */
}

static void
reload_replace(struct slot *s, const struct conf_link *l,
    struct new_sock *ns, const char *why)
{
	struct child	*c = &s->linkd;

	log_info("link %s: %s changed, restarting its linkd", c->name, why);
	slot_set(s, l, ns);
	/* Not running: the pending restart uses the new settings. */
	if (c->pid > 0) {
		c->replacing = 1;
		linkd_stop(c);
	}
}

/* reload_open() made sure that a slot is free for each added link. */
static void
reload_add(const struct conf_link *l, struct new_sock *ns)
{
	struct slot	*s;
	int		 i;

	for (i = 0; !slot_is_free(&slots[i]); i++)
		;
	s = &slots[i];
	child_init(&s->linkd, PROC_LINKD, i, l->name);
	s->used = 1;
	slot_set(s, l, ns);
	memset(s->stats, 0, sizeof(s->stats));
	log_info("link %s: added as link id %d", l->name, i);
	child_start(&s->linkd);
}

/*
 * The peers of the new configuration take their slots (reload.c
 * chose), and each running linkd hears of the slots that changed: a
 * removed peer's or a new key's sessions end there, the other peers'
 * sessions stay.  A linkd that starts later gets the new table whole.
 */
static void
reload_peers(const struct reload_diff *d)
{
	struct ipc_conf_peer	  p;
	const struct reload_peer *e;
	struct child		 *c;
	int			  i, k;

	for (i = 0; i < conf.npeers; i++) {
		peer_slot[i] = d->peer_slot[i];
		if ((uint32_t)peer_slot[i] >= npeer_slots)
			npeer_slots = peer_slot[i] + 1;
	}
	for (i = 0; i < d->npeers; i++) {
		e = &d->peers[i];
		if (e->class == RELOAD_UNCHANGED)
			continue;
		if (e->class == RELOAD_ADDED)
			log_info("peer %s: added", e->name);
		else if (e->class == RELOAD_REMOVED)
			log_info("peer %s: removed, its sessions end",
			    e->name);
		else
			log_info("peer %s: %s changed%s", e->name, e->why,
			    e->class == RELOAD_HARD ? ", its sessions end" :
			    "");
	}
	for (k = 0; k < MAX_INSTANCES; k++) {
		c = &slots[k].linkd;
		if (!slots[k].used || !c->open || c->replacing)
			continue;
		/* Removals first: an added peer may take a slot freed. */
		for (i = 0; i < d->npeers; i++)
			if (d->peers[i].class == RELOAD_REMOVED)
				send_msg(c, IPC_PEER_DEL, d->peers[i].slot,
				    NULL, 0);
		for (i = 0; i < d->npeers; i++) {
			e = &d->peers[i];
			if (e->class == RELOAD_REMOVED ||
			    e->class == RELOAD_UNCHANGED)
				continue;
			peer_conf_fill(c, e->new_idx, &p);
			send_msg(c, IPC_PEER_SET, e->slot, &p, sizeof(p));
			sodium_memzero(&p, sizeof(p));
		}
	}
}

/* The new global settings and the peer table to the core; the queues
 * of stopped linkds close there. */
static void
reload_core(const struct reload_diff *d)
{
	uint8_t			 buf[sizeof(struct ipc_reconf_core) +
				    BONDD_MAX_PEERS *
				    sizeof(struct ipc_reconf_peer)];
	struct ipc_reconf_core	 rc;
	struct ipc_reconf_peer	 rp;
	size_t			 off;
	uint32_t		 slot;
	int			 i;

	if (!core_child.open)
		return;
	memset(&rc, 0, sizeof(rc));
	core_conf_fill(&rc.conf);
	for (i = 0; i < MAX_INSTANCES; i++)
		if (slots[i].used && !slots[i].linkd.replacing)
			rc.live |= 1U << i;
	memcpy(buf, &rc, sizeof(rc));
	off = sizeof(rc);
	for (slot = 0; slot < npeer_slots; slot++) {
		memset(&rp, 0, sizeof(rp));
		if ((i = peer_in_slot(slot)) != -1) {
			memcpy(rp.name, conf.peers[i].name, sizeof(rp.name));
			memcpy(rp.allowed, conf.peers[i].allowed,
			    sizeof(rp.allowed));
			rp.nallowed = conf.peers[i].nallowed;
		}
		for (i = 0; i < d->npeers; i++)
			if (d->peers[i].slot == (int)slot &&
			    d->peers[i].class == RELOAD_ADDED)
				rp.fresh = 1;
		memcpy(buf + off, &rp, sizeof(rp));
		off += sizeof(rp);
	}
	send_msg(&core_child, IPC_RECONF_CORE, 0, buf, off);
}

/* Open the sockets of added and replaced links before anything
 * changes, so that a failure leaves the running config whole. */
static int
reload_open(const struct config *nc, const struct reload_diff *d,
    struct new_sock *ns, char *err, size_t errlen)
{
	const struct reload_link *e;
	const struct conf_link	*l;
	uint32_t		 need;
	int			 i, r, nfree = 0;

	for (i = 0; i < MAX_INSTANCES; i++)
		nfree += slot_is_free(&slots[i]);
	if (d->count[RELOAD_ADDED] > nfree) {
		snprintf(err, errlen, "no free link slot until the removed "
		    "links have stopped; reload again");
		return CTL_RES_PENDING;
	}
	need = tun_mtu + FRAME_INNER_OVERHEAD;
	for (i = 0; i < d->nlinks; i++) {
		e = &d->links[i];
		if (e->class != RELOAD_ADDED && e->class != RELOAD_HARD)
			continue;
		l = &nc->links[e->new_idx];
		if (link_payload(l, mtu_family(l)) < need) {
			snprintf(err, errlen, "link %s: its MTU cannot carry "
			    "the tunnel MTU %u", l->name, tun_mtu);
			return CTL_RES_FAILED;
		}
		/* A missing address, device or source address: the link
		 * waits for it, its MTU sized for either family until
		 * then. */
		if ((r = link_socket(l, &ns[i].fd, &ns[i].ifindex)) == -1) {
			snprintf(err, errlen, "link %s: cannot open its "
			    "socket: %s", l->name, strerror(errno));
			return CTL_RES_FAILED;
		}
		ns[i].waiting = r;
		ns[i].payload_max = link_family(l) == 0 ?
		    link_payload(l, mtu_family(l)) :
		    link_payload(l, link_family(l));
	}
	return CTL_RES_OK;
}

/*
 * `bondctl reload` (ctl: reply to request reqid) and SIGHUP.  The file
 * is parsed again and compared with the running configuration
 * (reload.c): a bad file or a key that needs a restart refuses the
 * reload and nothing changes; otherwise links are added, removed or
 * restarted, peers added, removed or changed, and the rest is sent to
 * the running children in place.  Unchanged links and peers are not
 * touched: their sessions and counters stay.
 */
void
reload_apply(uint32_t reqid, int ctl)
{
	struct config		*nc;
	struct reload_diff	 d;
	const struct reload_link *e;
	struct ipc_conf_linkd	 lc;
	struct slot		*s;
	struct child		*c;
	struct new_sock		 ns[2 * BONDD_MAX_LINKS];
	char			 err[1024];
	size_t			 len;
	uint32_t		 code;
	int			 i, persist_changed;

	if (reload_busy()) {
		reload_reply(reqid, ctl, CTL_RES_PENDING,
		    "the previous reload is still stopping links");
		return;
	}
	if ((nc = calloc(1, sizeof(*nc))) == NULL) {
		reload_reply(reqid, ctl, CTL_RES_FAILED, "out of memory");
		return;
	}
	memset(ns, 0, sizeof(ns));
	for (i = 0; i < 2 * BONDD_MAX_LINKS; i++)
		ns[i].fd = -1;
	if (parse_config_reload(conf_path, nc, &conf, err, sizeof(err)) ==
	    -1) {
		/* After start the parent reads as the unprivileged user. */
		if (strstr(err, strerror(EACCES)) != NULL) {
			len = strlen(err);
			snprintf(err + len, sizeof(err) - len, " (bondd reads "
			    "it as user %s: make the file readable by group "
			    "%s)", conf.user, conf.user);
		}
		reload_reply(reqid, ctl, CTL_RES_PARSE_ERROR, err);
		goto done;
	}
	if (reload_diff(&conf, peer_slot, nc, &d, err, sizeof(err)) == -1) {
		reload_reply(reqid, ctl, CTL_RES_FAILED, err);
		goto done;
	}
	if ((code = reload_open(nc, &d, ns, err, sizeof(err))) !=
	    CTL_RES_OK) {
		reload_reply(reqid, ctl, code, err);
		goto done;
	}

	/* From here on the new configuration is the running one. */
	for (i = 0; i < d.nlinks; i++) {
		e = &d.links[i];
		if (e->class == RELOAD_ADDED ||
		    (s = slot_by_name(e->name)) == NULL)
			continue;
		if (e->class == RELOAD_REMOVED)
			reload_remove(s);
		else if (e->class == RELOAD_HARD)
			reload_replace(s, &nc->links[e->new_idx], &ns[i],
			    e->why);
		else
			s->link = nc->links[e->new_idx];
	}
	persist_changed = conf.persist != nc->persist;
	sodium_memzero(conf.private_key, sizeof(conf.private_key));
	conf = *nc;
	reload_peers(&d);
	for (i = 0; i < d.nlinks; i++) {
		e = &d.links[i];
		if (e->class == RELOAD_ADDED)
			reload_add(&nc->links[e->new_idx], &ns[i]);
	}
	/* In place: linkds that keep running get their new settings. */
	for (s = slots; s < slots + MAX_INSTANCES; s++) {
		c = &s->linkd;
		if (!s->used || !c->open || c->replacing)
			continue;
		for (i = 0; i < d.nlinks; i++)
			if (strcmp(d.links[i].name, c->name) == 0)
				break;
		if (!d.linkd_changed && (i == d.nlinks ||
		    d.links[i].class != RELOAD_SOFT))
			continue;
		linkd_conf_fill(c, &lc);
		send_msg(c, IPC_RECONF_LINKD, c->instance, &lc, sizeof(lc));
	}
	reload_core(&d);
	resolve_reload();
	reload_summary(&d, err, sizeof(err));
	/* Always: a reload also puts back a route removed by hand. */
	if ((persist_changed && priv_tun_persist(tun_fd, conf.tun_name,
	    conf.persist, daemon_uid) == -1) ||
	    priv_routes_sync(conf.tun_name, &conf, daemon_uid) == -1) {
		len = strlen(err);
		snprintf(err + len, sizeof(err) - len, "; but the tunnel's "
		    "routes could not be set, see the log");
		reload_reply(reqid, ctl, CTL_RES_FAILED, err);
		goto done;
	}
	reload_reply(reqid, ctl, CTL_RES_OK, err);
 done:
	for (i = 0; i < 2 * BONDD_MAX_LINKS; i++)
		if (ns[i].fd != -1)
			close(ns[i].fd);
	sodium_memzero(nc, sizeof(*nc));
	free(nc);
}
