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
 * The slice of the configuration each child gets, with its fds: the
 * core (global settings, peers without keys, the TUN fd), each linkd
 * (its link, the public key, peer keys and static-static secrets, its
 * key channel and socket, a packet queue to the core) and ctld (the
 * control and metrics sockets).  A reload sends the same slices again
 * through core_conf_fill() and linkd_conf_fill().
 *
 * Runs in the parent: root at start, afterwards the unprivileged user
 * with CAP_NET_ADMIN only.  It never parses a network packet.  It
 * handles the secrets: the static private key never leaves the parent
 * (parent_keys.c); the peers' preshared keys and static-static secrets
 * go to linkd only, and every copy is wiped after sending.
 */

#include <sys/types.h>

#include <grp.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bondd.h"
#include "config.h"
#include "ipc.h"
#include "log.h"
#include "messages.h"
#include "parent.h"
#include "pktq.h"

/* The slice of peer i, keys only for linkd; the caller wipes it. */
void
peer_conf_fill(struct child *c, int i, struct ipc_conf_peer *p)
{
	const struct conf_peer	*cp = &conf.peers[i];

	memset(p, 0, sizeof(*p));
	memcpy(p->name, cp->name, sizeof(p->name));
	memcpy(p->public_key, cp->public_key, sizeof(p->public_key));
	/* Only linkd does crypto; the core gets no key material.  The
	 * pre-shared key is the peer's symmetric secret, mixed into the
	 * chaining key, not our identity: linkd holds it.  The
	 * static-static secret is computed here, with the private key
	 * that never leaves the parent. */
	if (c->proc == PROC_LINKD && cp->has_psk) {
		memcpy(p->psk, cp->psk, sizeof(p->psk));
		p->has_psk = 1;
	}
	if (c->proc == PROC_LINKD)
		p->has_ss = keys_peer_ss(p->ss, cp->public_key) == 0;
	/* A client's linkd sends where its slot says: its own endpoint,
	 * the peer's, or what the peer's name gave (none yet: it waits
	 * without a socket). */
	p->endpoint = cp->endpoint;
	if (c->proc == PROC_LINKD && conf.role == ROLE_CLIENT)
		p->endpoint = slots[c->instance].endpoint;
	memcpy(p->allowed, cp->allowed, sizeof(p->allowed));
	p->nallowed = cp->nallowed;
}

/* Every peer, in rising slot order. */
static void
send_peers(struct child *c)
{
	struct ipc_conf_peer	 p;
	uint32_t		 slot;
	int			 i;

	for (slot = 0; slot < npeer_slots; slot++) {
		if ((i = peer_in_slot(slot)) == -1)
			continue;
		peer_conf_fill(c, i, &p);
		send_msg(c, IPC_CONF_PEER, slot, &p, sizeof(p));
		sodium_memzero(&p, sizeof(p));
	}
}

void
core_conf_fill(struct ipc_conf_core *cc_out)
{
	struct ipc_conf_core	cc;

	memset(&cc, 0, sizeof(cc));
	cc.role = conf.role;
	cc.tun_mtu = tun_mtu;
	/* Instances are stable slots; a reload may fill any of them. */
	cc.nlinkd = MAX_INSTANCES;
	cc.npeers = npeer_slots;
	cc.strategy = conf.strategy;
	cc.reorder_max_ms = conf.reorder_max_ms;
	cc.fec_mode = conf.fec_mode;
	cc.bulk_rtt_pct = conf.bulk_rtt_pct;
	cc.bulk_max_rtt_ms = conf.bulk_max_rtt_ms;
	cc.mss_clamp = conf.mss_clamp;
	snprintf(cc.user, sizeof(cc.user), "%s", conf.user);
	memcpy(cc.rt_udp_ports, conf.rt_udp_ports, sizeof(cc.rt_udp_ports));
	memcpy(cc.rt_tcp_ports, conf.rt_tcp_ports, sizeof(cc.rt_tcp_ports));
	cc.nrt_udp_ports = conf.nrt_udp_ports;
	cc.nrt_tcp_ports = conf.nrt_tcp_ports;
	cc.rt_duplicate = conf.rt_duplicate;
	memcpy(cc.tun_addr, conf.tun_addr, sizeof(cc.tun_addr));
	cc.ntun_addr = conf.ntun_addr;
	cc.status_interval_s = conf.log_status_s;
	cc.tun_vnet_hdr = tun_vnet_hdr;
	cc.tun_uso = tun_uso;
	*cc_out = cc;
}

void
configure_core(struct child *c)
{
	struct ipc_conf_core	cc;

	core_conf_fill(&cc);
	send_msg(c, IPC_CONF_CORE, 0, &cc, sizeof(cc));
	send_peers(c);
	send_fd(c, IPC_TUN_FD, 0, tun_fd);
	send_msg(c, IPC_CONF_END, 0, NULL, 0);
}

/* A new packet queue between the core and linkd i. */
static void
connect_linkd_core(struct child *c)
{
	struct ipc_linkd_owner	o;
	int			sv[2];

	if (pktq_socketpair(sv) == -1)
		fatal("packet queue");
	send_fd(c, IPC_DATA_CHAN, c->instance, sv[0]);
	close(sv[0]);
	if (core_child.open) {
		/* The core takes from this queue only what linkd owns. */
		o.link_id = conf.role == ROLE_CLIENT ? (uint32_t)c->instance :
		    IPC_OWNER_LISTEN;
		send_msg(&core_child, IPC_LINKD_OWNER, c->instance, &o,
		    sizeof(o));
		send_fd(&core_child, IPC_DATA_CHAN, c->instance, sv[1]);
	}
	close(sv[1]);
}

void
linkd_conf_fill(struct child *c, struct ipc_conf_linkd *out)
{
	struct ipc_conf_linkd	 lc;
	const struct conf_link	*l;

	memset(&lc, 0, sizeof(lc));
	lc.role = conf.role;
	lc.instance = c->instance;
	memcpy(lc.name, c->name, sizeof(lc.name));
	lc.link_id = c->instance;
	lc.npeers = npeer_slots;
	lc.keepalive_s = conf.keepalive_s;
	lc.rekey_s = conf.rekey_s;
	lc.udp_offload = conf.udp_offload;
	lc.probe_interval_ms = conf.probe_interval_ms;
	lc.payload_max = slots[c->instance].payload_max;
	snprintf(lc.user, sizeof(lc.user), "%s", conf.user);
	if (conf.role == ROLE_CLIENT) {
		l = &slots[c->instance].link;
		lc.up_bps = l->up_bps;
		lc.down_bps = l->down_bps;
		lc.priority = l->priority;
		lc.backup = l->backup;
		lc.quota_bytes = l->quota_bytes;
	}
	lc.down_after_ms = conf.down_after_ms;
	lc.lossy_ppm = conf.lossy_ppm;
	lc.recover_probes = conf.recover_probes;
	lc.status_interval_s = conf.log_status_s;
	*out = lc;
}

void
configure_linkd(struct child *c)
{
	struct ipc_conf_linkd	 lc;
	struct ipc_conf_key	 key;
	struct ipc_link_admin	 adm;
	struct ipc_link_carrier	 car;
	struct slot		*s = &slots[c->instance];
	int			 fd;

	linkd_conf_fill(c, &lc);
	send_msg(c, IPC_CONF_LINKD, c->instance, &lc, sizeof(lc));
	keys_public(key.public_key);
	send_msg(c, IPC_CONF_KEY, 0, &key, sizeof(key));
	fd = keys_chan_open(c);
	send_fd(c, IPC_KEY_CHAN, c->instance, fd);
	close(fd);
	send_peers(c);
	/* A waiting link (enum link_wait) starts without one. */
	if (s->fd != -1)
		send_fd(c, IPC_LINK_SOCK, c->instance, s->fd);
	connect_linkd_core(c);
	send_msg(c, IPC_CONF_END, 0, NULL, 0);
	if (c->admin_down) {
		adm.down = 1;
		send_msg(c, IPC_LINK_ADMIN, c->instance, &adm, sizeof(adm));
	}
	c->carrier_down = s->dev_down || s->waiting != LINK_READY;
	if (c->carrier_down) {
		car.up = 0;
		send_msg(c, IPC_LINK_CARRIER, c->instance, &car, sizeof(car));
	}
}

void
configure_ctld(struct child *c)
{
	struct ipc_conf_ctld	cc;
	struct group		*gr;

	memset(&cc, 0, sizeof(cc));
	cc.role = conf.role;
	memcpy(cc.tun_name, conf.tun_name, sizeof(cc.tun_name));
	cc.tun_mtu = tun_mtu;
	cc.metrics = conf.metrics;
	snprintf(cc.user, sizeof(cc.user), "%s", conf.user);
	snprintf(cc.group, sizeof(cc.group), "%s", conf.ctl_group);
	if (conf.ctl_group[0] != '\0' && (gr = getgrnam(conf.ctl_group)))
		cc.gid = gr->gr_gid;
	send_msg(c, IPC_CONF_CTLD, 0, &cc, sizeof(cc));
	send_fd(c, IPC_CTL_SOCK, 0, ctl_fd);
	if (metrics_fd != -1)
		send_fd(c, IPC_METRICS_SOCK, 0, metrics_fd);
	send_msg(c, IPC_CONF_END, 0, NULL, 0);
}
