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
 * The privileged parent: its start and its event loop.  It parses the
 * configuration, creates the TUN device, the link sockets and the
 * control socket while it is root, starts the core, one linkd per link
 * and ctld (parent_child.c), then keeps only CAP_NET_ADMIN as the
 * unprivileged user.  Its loop serves the signals (SIGHUP reloads,
 * SIGCHLD reaps), the events of the links' devices and addresses
 * (parent_device.c), the statistics timer and the children's
 * channels.
 *
 * Root at start, then CAP_NET_ADMIN only; it never reads a byte from
 * the network.  It reads the static private key with the configuration
 * and wipes it at exit.
 */

#include <net/if.h>

#include <errno.h>
#include <event2/event.h>
#include <limits.h>
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
#include "priv.h"
#include "sandbox.h"
#include "sdnotify.h"

struct config			 conf;
uid_t				 daemon_uid;
struct event_base		*base;
char				 conf_path[PATH_MAX];
struct slot			 slots[MAX_INSTANCES];
int				 tun_fd = -1, ctl_fd = -1, metrics_fd = -1;
int				 peer_slot[BONDD_MAX_PEERS];
uint32_t			 npeer_slots;

/* The slot of a link (client) or listen socket (server, "listen0"). */
struct slot *
slot_by_name(const char *name)
{
	int	i;

	for (i = 0; i < MAX_INSTANCES; i++)
		if (slots[i].used && strcmp(slots[i].linkd.name, name) == 0)
			return &slots[i];
	return NULL;
}

/* Neither configured nor still stopping a linkd. */
int
slot_is_free(const struct slot *s)
{
	return !s->used && s->linkd.pid == 0 && !s->linkd.removing;
}

/* The index in conf.peers of the peer in a slot, -1 if it is empty. */
int
peer_in_slot(uint32_t slot)
{
	int	i;

	for (i = 0; i < conf.npeers; i++)
		if (peer_slot[i] == (int)slot)
			return i;
	return -1;
}

static void
ifwatch_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)ev;
	(void)arg;
	if (ifwatch_read(fd, device_event, NULL) == -1)
		log_warn("netlink");
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
		notify_reload(0, 0);
		break;
	case SIGCHLD:
		reap_children();
		break;
	}
}

/* Everything that needs root, before the children start.  Returns the
 * number of link slots in use. */
static int
open_resources(void)
{
	int	i, n, r, existed;

	for (i = 0; i < MAX_INSTANCES; i++)
		slots[i].fd = -1;
	if (conf.role == ROLE_CLIENT) {
		n = conf.nlinks;
		for (i = 0; i < n; i++) {
			slots[i].used = 1;
			slots[i].link = conf.links[i];
			/* The server's address, if its name has one yet; a
			 * link whose address, device or source address is
			 * missing waits for it. */
			(void)peer_address(&slots[i].link, &slots[i].endpoint);
			if ((r = link_socket(&slots[i].link, &slots[i].fd,
			    &slots[i].ifindex)) == -1)
				exit(1);
			link_waits(&slots[i], r);
		}
	} else {
		n = conf.nlisten;
		for (i = 0; i < n; i++) {
			slots[i].used = 1;
			if ((slots[i].fd = priv_listen_socket(
			    &conf.listen[i])) == -1 ||
			    priv_sock_owner(slots[i].fd, daemon_uid) == -1)
				exit(1);
		}
	}
	if (compute_mtu() == -1)
		exit(1);
	existed = if_nametoindex(conf.tun_name) != 0;
	if ((tun_fd = tun_open()) == -1)
		exit(1);
	if (existed)
		log_info("tun %s: adopted the existing device", conf.tun_name);
	if (priv_tun_persist(tun_fd, conf.tun_name, conf.persist,
	    daemon_uid) == -1 ||
	    priv_tun_configure(conf.tun_name, conf.tun_addr, conf.ntun_addr,
	    tun_mtu, conf.tun_txqueuelen) == -1 ||
	    priv_routes_sync(conf.tun_name, &conf, daemon_uid) == -1)
		exit(1);
	if ((ctl_fd = priv_ctl_socket(conf.ctl_socket, conf.ctl_group)) == -1)
		exit(1);
	if (conf.metrics.ss_family != 0 &&
	    (metrics_fd = priv_metrics_socket(&conf.metrics)) == -1)
		exit(1);
	return n;
}

/* bondd -k: the device, its routes and rules go; the traffic they
 * held back leaves by the other routes again. */
static int
remove_resources(void)
{
	int	rv;

	if ((rv = priv_tun_destroy(conf.tun_name)) == -1)
		return 1;
	log_info("tun %s: %s", conf.tun_name, rv == 1 ? "removed" :
	    "no such device");
	if (priv_routes_clear(conf.tun_name) == -1)
		return 1;
	log_info("its routes, blackholes and rules removed");
	return 0;
}

int
parent_main(const char *file, int debug, int verbose,
    enum parent_action action)
{
	struct passwd	*pw;
	struct event	*sigev[4];
	struct event	*stats_ev, *nlev = NULL;
	/* Link statistics reach ctld twice a second (linkd sends them at
	 * that pace too), so bondctl shows a failure within a second. */
	struct timeval	 half_second = { 0, 500000 };
	char		 err[1024];
	int		 nlfd, nlinkd;
	const int	 sigs[4] = { SIGTERM, SIGINT, SIGHUP, SIGCHLD };
	int		 i;

	/* daemon(3) moves to /: a reload needs the absolute path. */
	if (realpath(file, conf_path) == NULL)
		snprintf(conf_path, sizeof(conf_path), "%s", file);
	log_init(1, verbose, LOG_DAEMON);
	log_procinit("bondd");
	/* Before anything starts: the children must not inherit it. */
	sdnotify_init();
	if (sodium_init() == -1)
		fatalx("sodium_init");
	if (parse_config(file, &conf, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (action == PARENT_CHECK) {
		print_config(&conf, stdout);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	if (geteuid() != 0)
		fatalx("must run as root");
	if (action == PARENT_REMOVE)
		return remove_resources();
	if ((pw = getpwnam(conf.user)) == NULL)
		fatalx("user %s does not exist (make install creates it)",
		    conf.user);
	daemon_uid = pw->pw_uid;

	resolve_init();
	/* The peers start in the slots of their order in the file. */
	for (i = 0; i < conf.npeers; i++)
		peer_slot[i] = i;
	npeer_slots = conf.npeers;
	nlinkd = open_resources();
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
			child_init(&slots[i].linkd, PROC_LINKD, i,
			    conf.links[i].name);
		else {
			char name[BONDD_NAME_MAX];

			snprintf(name, sizeof(name), "listen%u", (unsigned)i & 7);
			child_init(&slots[i].linkd, PROC_LINKD, i, name);
		}
	}
	child_start(&core_child);
	for (i = 0; i < nlinkd; i++)
		child_start(&slots[i].linkd);
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
		/* What changed before we listened. */
		device_check_all();
	}
	if ((stats_ev = event_new(base, -1, EV_PERSIST, stats_cb,
	    NULL)) == NULL || event_add(stats_ev, &half_second) == -1)
		fatalx("stats timer");
	resolve_events();

	event_base_dispatch(base);

	notify_stopping();
	resolve_shutdown();
	shutdown_children();
	/* Persistent: the device, its routes and rules stay and hold the
	 * traffic back until bondd runs again.  Otherwise the device goes
	 * with the last fd, its routes with it; the rules go here. */
	if (!conf.persist)
		(void)priv_routes_clear(conf.tun_name);
	if (unlink(conf.ctl_socket) == -1 && errno != ENOENT)
		log_debug("unlink %s: %s", conf.ctl_socket, strerror(errno));
	sodium_memzero(conf.private_key, sizeof(conf.private_key));
	log_info("exiting");
	return 0;
}
