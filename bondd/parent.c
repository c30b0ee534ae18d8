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
 * The privileged parent.  It parses the configuration, creates the TUN
 * device, the link sockets and the control socket while it is root,
 * starts the core, one linkd per link and ctld with fork+exec, hands
 * each its slice of the configuration and its fds, then keeps only
 * CAP_NET_ADMIN as the unprivileged user.  Afterwards it restarts
 * children that die, relays their log lines and statistics, and
 * answers ctld's requests.  It never reads a byte from the network.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bondd.h"
#include "config.h"
#include "ifwatch.h"
#include "ipc.h"
#include "log.h"
#include "messages.h"
#include "parent.h"
#include "pktq.h"
#include "priv.h"
#include "proc.h"
#include "reload.h"
#include "sandbox.h"
#include "util.h"
#include "wire.h"

struct config			 conf;
struct event_base		*base;
static int			 nlinkd;		/* slots in use */
int				 slot_used[MAX_INSTANCES];
struct conf_link		 slink[MAX_INSTANCES];
static char			 conf_path[PATH_MAX];
int				 tun_fd = -1, ctl_fd = -1, metrics_fd = -1;
int				 link_fd[MAX_INSTANCES];
uint32_t			 payload_max[MAX_INSTANCES];

/* A WAN device changed: tell its linkd at once. */
static void
carrier_changed(const char *ifname, int up, void *arg)
{
	struct ipc_link_carrier	 car;
	struct child		*c;
	int			 i;

	(void)arg;
	if (conf.role != ROLE_CLIENT)
		return;
	for (i = 0; i < MAX_INSTANCES; i++) {
		c = &linkds[i];
		if (!slot_used[i] || strcmp(slink[i].device, ifname) != 0 ||
		    c->carrier_down == !up)
			continue;
		c->carrier_down = !up;
		log_info("link %s: device %s %s", c->name, ifname,
		    up ? "up" : "down");
		if (c->open) {
			car.up = up;
			send_msg(c, IPC_LINK_CARRIER, c->instance, &car,
			    sizeof(car));
		}
	}
}

static void
ifwatch_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)ev;
	(void)arg;
	if (ifwatch_read(fd, carrier_changed, NULL) == -1)
		log_warn("netlink");
}

/* A reload is still stopping linkds it removed or replaced. */
static int
reload_busy(void)
{
	int	i;

	for (i = 0; i < MAX_INSTANCES; i++)
		if (linkds[i].removing || linkds[i].replacing)
			return 1;
	return 0;
}

static int
slot_by_name(const char *name)
{
	int	i;

	for (i = 0; i < MAX_INSTANCES; i++)
		if (slot_used[i] && strcmp(slink[i].name, name) == 0)
			return i;
	return -1;
}

static int
slot_free(void)
{
	int	i;

	for (i = 0; i < MAX_INSTANCES; i++)
		if (!slot_used[i] && linkds[i].pid == 0 &&
		    !linkds[i].removing)
			return i;
	return -1;
}

static void
reload_remove(int s)
{
	struct child	*c = &linkds[s];

	log_info("link %s: removed", c->name);
	slot_used[s] = 0;
	memset(stats[s], 0, sizeof(stats[s]));
	close(link_fd[s]);
	link_fd[s] = -1;
	if (c->pid > 0) {
		c->removing = 1;
		linkd_stop(c);
	} else
		evtimer_del(c->restart_ev);	/* it was to restart */
}

static void
reload_replace(int s, const struct conf_link *l, int fd, uint32_t payload,
    const char *why)
{
	struct child	*c = &linkds[s];

	log_info("link %s: %s changed, restarting its linkd", c->name, why);
	close(link_fd[s]);
	link_fd[s] = fd;
	slink[s] = *l;
	payload_max[s] = payload;
	/* Not running: the pending restart uses the new settings. */
	if (c->pid > 0) {
		c->replacing = 1;
		linkd_stop(c);
	}
}

static void
reload_add(const struct conf_link *l, int fd, uint32_t payload)
{
	int	s = slot_free();

	child_init(&linkds[s], PROC_LINKD, s, l->name);
	slot_used[s] = 1;
	slink[s] = *l;
	link_fd[s] = fd;
	payload_max[s] = payload;
	memset(stats[s], 0, sizeof(stats[s]));
	log_info("link %s: added as link id %d", l->name, s);
	child_start(&linkds[s]);
}

/* The new global settings and allowed_ips to the core; the queues of
 * stopped linkds close there. */
static void
reload_core(void)
{
	uint8_t			 buf[sizeof(struct ipc_reconf_core) +
				    BONDD_MAX_PEERS *
				    sizeof(struct ipc_reconf_peer)];
	struct ipc_reconf_core	 rc;
	struct ipc_reconf_peer	 rp;
	size_t			 off;
	int			 i;

	if (!core_child.open)
		return;
	memset(&rc, 0, sizeof(rc));
	core_conf_fill(&rc.conf);
	for (i = 0; i < MAX_INSTANCES; i++)
		if (slot_used[i] && !linkds[i].replacing)
			rc.live |= 1U << i;
	memcpy(buf, &rc, sizeof(rc));
	off = sizeof(rc);
	for (i = 0; i < conf.npeers; i++) {
		memset(&rp, 0, sizeof(rp));
		memcpy(rp.allowed, conf.peers[i].allowed, sizeof(rp.allowed));
		rp.nallowed = conf.peers[i].nallowed;
		memcpy(buf + off, &rp, sizeof(rp));
		off += sizeof(rp);
	}
	send_msg(&core_child, IPC_RECONF_CORE, 0, buf, off);
}

/* Open the sockets of added and replaced links before anything
 * changes, so that a failure leaves the running config whole. */
static int
reload_open(const struct config *nc, const struct reload_diff *d,
    int *fds, uint32_t *payload, char *err, size_t errlen)
{
	const struct reload_link *e;
	const struct conf_link	*l;
	uint32_t		 need;
	int			 i, nfree = 0;

	for (i = 0; i < MAX_INSTANCES; i++)
		nfree += !slot_used[i] && linkds[i].pid == 0 &&
		    !linkds[i].removing;
	if (d->count[RELOAD_ADDED] > nfree) {
		snprintf(err, errlen, "no free link slot until the removed "
		    "links have stopped; reload again");
		return CTL_RES_PENDING;
	}
	need = tun_mtu + INNER_HDR_LEN + INNER_REC_HDR_LEN;
	for (i = 0; i < d->nlinks; i++) {
		e = &d->links[i];
		if (e->class != RELOAD_ADDED && e->class != RELOAD_HARD)
			continue;
		l = &nc->links[e->new_idx];
		if ((payload[i] = link_payload(l, link_family(l))) < need) {
			snprintf(err, errlen, "link %s: its MTU cannot carry "
			    "the tunnel MTU %u", l->name, tun_mtu);
			return CTL_RES_FAILED;
		}
		if ((fds[i] = priv_link_socket(l, link_family(l))) == -1) {
			snprintf(err, errlen, "link %s: cannot open its "
			    "socket: %s", l->name, strerror(errno));
			return CTL_RES_FAILED;
		}
	}
	return CTL_RES_OK;
}

/*
 * `bondctl reload` (ctl: reply to request reqid) and SIGHUP.  The file
 * is parsed again and compared with the running configuration
 * (reload.c): a bad file or a key that needs a restart refuses the
 * reload and nothing changes; otherwise links are added, removed or
 * restarted and the rest is sent to the running children in place.
 * Unchanged links are not touched: their sessions and counters stay.
 */
void
reload_apply(uint32_t reqid, int ctl)
{
	struct config		*nc;
	struct reload_diff	 d;
	const struct reload_link *e;
	struct ipc_conf_linkd	 lc;
	struct child		*c;
	int			 fds[2 * BONDD_MAX_LINKS];
	uint32_t		 payload[2 * BONDD_MAX_LINKS];
	char			 err[1024];
	size_t			 len;
	uint32_t		 code;
	int			 i, s;

	if (reload_busy()) {
		reload_reply(reqid, ctl, CTL_RES_PENDING,
		    "the previous reload is still stopping links");
		return;
	}
	if ((nc = calloc(1, sizeof(*nc))) == NULL) {
		reload_reply(reqid, ctl, CTL_RES_FAILED, "out of memory");
		return;
	}
	for (i = 0; i < 2 * BONDD_MAX_LINKS; i++)
		fds[i] = -1;
	if (parse_config(conf_path, nc, err, sizeof(err)) == -1) {
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
	if (reload_diff(&conf, nc, &d, err, sizeof(err)) == -1) {
		reload_reply(reqid, ctl, CTL_RES_FAILED, err);
		goto done;
	}
	if ((code = reload_open(nc, &d, fds, payload, err,
	    sizeof(err))) != CTL_RES_OK) {
		reload_reply(reqid, ctl, code, err);
		goto done;
	}

	/* From here on the new configuration is the running one. */
	for (i = 0; i < d.nlinks; i++) {
		e = &d.links[i];
		if (e->class == RELOAD_ADDED ||
		    (s = slot_by_name(e->name)) == -1)
			continue;
		if (e->class == RELOAD_REMOVED)
			reload_remove(s);
		else if (e->class == RELOAD_HARD) {
			reload_replace(s, &nc->links[e->new_idx], fds[i],
			    payload[i], e->why);
			fds[i] = -1;
		} else
			slink[s] = nc->links[e->new_idx];
	}
	sodium_memzero(conf.private_key, sizeof(conf.private_key));
	conf = *nc;
	for (i = 0; i < d.nlinks; i++) {
		e = &d.links[i];
		if (e->class == RELOAD_ADDED) {
			reload_add(&nc->links[e->new_idx], fds[i], payload[i]);
			fds[i] = -1;
		}
	}
	/* In place: linkds that keep running get their new settings. */
	for (s = 0; s < MAX_INSTANCES; s++) {
		c = &linkds[s];
		if (!slot_used[s] || !c->open || c->replacing)
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
	reload_core();
	for (nlinkd = 0, s = 0; s < MAX_INSTANCES; s++)
		nlinkd += slot_used[s];
	reload_summary(&d, err, sizeof(err));
	reload_reply(reqid, ctl, CTL_RES_OK, err);
 done:
	for (i = 0; i < 2 * BONDD_MAX_LINKS; i++)
		if (fds[i] != -1)
			close(fds[i]);
	sodium_memzero(nc, sizeof(*nc));
	free(nc);
}

static void
signal_cb(evutil_socket_t sig, short ev, void *arg)
{
	(void)ev;
	(void)arg;
	switch (sig) {
	case SIGTERM:
	case SIGINT:
		log_info("received signal %d, shutting down", (int)sig);
		event_base_loopbreak(base);
		break;
	case SIGHUP:
		log_info("SIGHUP: reloading %s", conf_path);
		reload_apply(0, 0);
		break;
	case SIGCHLD:
		reap_children();
		break;
	}
}

/* Everything that needs root, before the children start. */
static void
open_resources(void)
{
	int	i;

	if (conf.role == ROLE_CLIENT) {
		nlinkd = conf.nlinks;
		for (i = 0; i < nlinkd; i++) {
			slot_used[i] = 1;
			slink[i] = conf.links[i];
			if ((link_fd[i] = priv_link_socket(&slink[i],
			    endpoint_family(i))) == -1)
				exit(1);
		}
	} else {
		nlinkd = conf.nlisten;
		for (i = 0; i < nlinkd; i++) {
			slot_used[i] = 1;
			if ((link_fd[i] = priv_listen_socket(
			    &conf.listen[i])) == -1)
				exit(1);
		}
	}
	if (compute_mtu() == -1)
		exit(1);
	if ((tun_fd = priv_tun_open(conf.tun_name)) == -1)
		exit(1);
	if (priv_tun_configure(conf.tun_name, conf.tun_addr, conf.ntun_addr,
	    tun_mtu, conf.tun_txqueuelen) == -1)
		exit(1);
	if ((ctl_fd = priv_ctl_socket(conf.ctl_socket, conf.ctl_group)) == -1)
		exit(1);
	if (conf.metrics.ss_family != 0 &&
	    (metrics_fd = priv_metrics_socket(&conf.metrics)) == -1)
		exit(1);
}

int
parent_main(const char *file, int debug, int verbose, int noaction)
{
	struct event	*sigev[4];
	struct event	*stats_ev, *nlev = NULL;
	/* Link statistics reach ctld twice a second (linkd sends them at
	 * that pace too), so bondctl shows a failure within a second. */
	struct timeval	 half_second = { 0, 500000 };
	char		 err[1024];
	int		 nlfd;
	const int	 sigs[4] = { SIGTERM, SIGINT, SIGHUP, SIGCHLD };
	int		 i;

	/* daemon(3) moves to /: a reload needs the absolute path. */
	if (realpath(file, conf_path) == NULL)
		snprintf(conf_path, sizeof(conf_path), "%s", file);
	log_init(1, verbose, LOG_DAEMON);
	log_procinit("bondd");
	if (sodium_init() == -1)
		fatalx("sodium_init");
	if (parse_config(file, &conf, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (noaction) {
		print_config(&conf, stdout);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	if (geteuid() != 0)
		fatalx("must run as root");
	if (getpwnam(conf.user) == NULL)
		fatalx("user %s does not exist (make install creates it)",
		    conf.user);

	open_resources();
	if (child_prepare(debug, verbose) == -1)
		exit(1);
	if (!debug) {
		if (daemon(0, 0) == -1)
			fatal("daemon");
		log_init(0, verbose, LOG_DAEMON);
		log_procinit("bondd");
	}
	signal(SIGPIPE, SIG_IGN);
	if ((base = event_base_new()) == NULL)
		fatalx("event_base_new");
	for (i = 0; i < 4; i++)
		if ((sigev[i] = evsignal_new(base, sigs[i], signal_cb,
		    NULL)) == NULL || evsignal_add(sigev[i], NULL) == -1)
			fatalx("signal events");

	child_init(&core_child, PROC_CORE, 0, "core");
	child_init(&ctld_child, PROC_CTLD, 0, "ctld");
	for (i = 0; i < nlinkd; i++) {
		if (conf.role == ROLE_CLIENT)
			child_init(&linkds[i], PROC_LINKD, i,
			    conf.links[i].name);
		else {
			char name[BONDD_NAME_MAX];

			snprintf(name, sizeof(name), "listen%u", (unsigned)i & 7);
			child_init(&linkds[i], PROC_LINKD, i, name);
		}
	}
	child_start(&core_child);
	for (i = 0; i < nlinkd; i++)
		child_start(&linkds[i]);
	child_start(&ctld_child);

	/* The children started as root and sandbox themselves; from now
	 * on the parent needs only CAP_NET_ADMIN. */
	sandbox_parent_drop(conf.user, 0);
	log_info("started: %s, tunnel %s mtu %u, %d %s",
	    conf_role_name(conf.role), conf.tun_name, tun_mtu, nlinkd,
	    conf.role == ROLE_CLIENT ? "links" : "listen sockets");

	if (conf.role == ROLE_CLIENT) {
		if ((nlfd = ifwatch_open()) == -1 || (nlev = event_new(base,
		    nlfd, EV_READ | EV_PERSIST, ifwatch_cb, NULL)) == NULL ||
		    event_add(nlev, NULL) == -1)
			log_warn("netlink: device events unavailable");
	}
	if ((stats_ev = event_new(base, -1, EV_PERSIST, stats_cb,
	    NULL)) == NULL || event_add(stats_ev, &half_second) == -1)
		fatalx("stats timer");

	event_base_dispatch(base);

	shutdown_children();
	if (unlink(conf.ctl_socket) == -1 && errno != ENOENT)
		log_debug("unlink %s: %s", conf.ctl_socket, strerror(errno));
	sodium_memzero(conf.private_key, sizeof(conf.private_key));
	log_info("exiting");
	return 0;
}
