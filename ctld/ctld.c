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
 * ctld: answers bondctl on the control socket and Prometheus scrapers
 * on the optional metrics socket.  Started by the parent with fd 3 as
 * its channel; receives its configuration slice and the listening
 * sockets, enters the sandbox (no capabilities, unprivileged
 * user, chroot, seccomp) and only then accepts clients.  The parent is
 * trusted and any protocol violation from it is fatal; clients are
 * not (see control.c and metrics.c).  Holds no keys.
 */

#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bondd.h"
#include "childargs.h"
#include "control.h"
#include "ipc.h"
#include "log.h"
#include "messages.h"
#include "metrics.h"
#include "sandbox.h"
#include "util.h"

/*
 * The parent's messages: the configuration and the listening sockets,
 * each once (a reload moves none of them); statistics and replies to
 * bondctl at any time.
 */
static const struct ipc_accept from_parent[] = {
	{ IPC_HELLO, IPC_IN_HELLO, IPC_ONCE, 0, IPC_S_CONF },
	{ IPC_CONF_CTLD, IPC_IN_CONF, IPC_ONCE, 0, IPC_S_SAME },
	{ IPC_CTL_SOCK, IPC_IN_CONF, IPC_ONCE, 0, IPC_S_SAME },
	{ IPC_METRICS_SOCK, IPC_IN_CONF, IPC_ONCE, 0, IPC_S_SAME },
	{ IPC_CONF_END, IPC_IN_CONF, IPC_ONCE, IPC_CONF_CTLD, IPC_S_RUNNING },
	{ IPC_CORE_STATS, IPC_IN_STARTED, IPC_MANY, 0, IPC_S_SAME },
	{ IPC_LINK_STATS, IPC_IN_STARTED, IPC_MANY, 0, IPC_S_SAME },
	{ IPC_PEER_ENDPOINT, IPC_IN_STARTED, IPC_MANY, 0, IPC_S_SAME },
	{ IPC_STATS_END, IPC_IN_STARTED, IPC_MANY, 0, IPC_S_SAME },
	{ IPC_CTL_DATA, IPC_IN_STARTED, IPC_MANY, 0, IPC_S_SAME },
	{ IPC_CTL_RESULT, IPC_IN_STARTED, IPC_MANY, 0, IPC_S_SAME },
	{ IPC_PEERCRED, IPC_IN_RUNNING, IPC_MANY, 0, IPC_S_SAME },
	{ IPC_SHUTDOWN, IPC_IN_STARTED, IPC_MANY, 0, IPC_S_SAME },
	{ 0, 0, 0, 0, IPC_S_SAME }
};

static struct {
	struct ipc_chan		 parent;
	struct ipc_role		 parent_role;
	struct ipc_conf_ctld	 conf;
	int			 ctl_fd;
	int			 metrics_fd;	/* -1: none or in use */
	/* Statistics: the one shown, and the one being received. */
	struct ctl_snapshot	 snap, next;
	int			 in_snap;
} ctld = { .ctl_fd = -1, .metrics_fd = -1 };

static void	usage(void) __attribute__((noreturn));

static void
usage(void)
{
	fprintf(stderr, "usage: ctld [-dv]\n");
	exit(1);
}

/* Strings in the slice must end inside their arrays. */
static void
check_conf(const struct ipc_conf_ctld *c)
{
	if (memchr(c->tun_name, '\0', sizeof(c->tun_name)) == NULL ||
	    memchr(c->user, '\0', sizeof(c->user)) == NULL ||
	    memchr(c->group, '\0', sizeof(c->group)) == NULL ||
	    c->user[0] == '\0')
		fatalx("bad %s from parent: unterminated string",
		    ipc_type_name(IPC_CONF_CTLD));
}

/* The control socket must be a listening unix stream socket. */
static void
check_ctl_sock(int fd)
{
	int		 v;
	socklen_t	 len;

	len = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len) == -1 ||
	    v != AF_UNIX)
		fatalx("bad %s from parent: not a unix socket",
		    ipc_type_name(IPC_CTL_SOCK));
	len = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len) == -1 ||
	    v != SOCK_STREAM)
		fatalx("bad %s from parent: not a stream socket",
		    ipc_type_name(IPC_CTL_SOCK));
	len = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == -1 ||
	    v == 0)
		fatalx("bad %s from parent: not listening",
		    ipc_type_name(IPC_CTL_SOCK));
	if (fd_nonblock(fd) == -1)
		fatal("%s: fd_nonblock", __func__);
}

/* The metrics socket must be a listening TCP socket. */
static void
check_metrics_sock(int fd)
{
	int		 v;
	socklen_t	 len;

	len = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len) == -1 ||
	    (v != AF_INET && v != AF_INET6))
		fatalx("bad %s from parent: not an IP socket",
		    ipc_type_name(IPC_METRICS_SOCK));
	len = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len) == -1 ||
	    v != SOCK_STREAM)
		fatalx("bad %s from parent: not a stream socket",
		    ipc_type_name(IPC_METRICS_SOCK));
	len = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == -1 ||
	    v == 0)
		fatalx("bad %s from parent: not listening",
		    ipc_type_name(IPC_METRICS_SOCK));
	if (fd_nonblock(fd) == -1)
		fatal("%s: fd_nonblock", __func__);
}

/*
 * The end of the configuration: everything ctld will ever hold has
 * arrived, so it enters the sandbox, reports ready and opens the door
 * for clients.
 */
static void
conf_end(void)
{
	if (ctld.ctl_fd == -1)
		fatalx("bad %s from parent: no control socket",
		    ipc_type_name(IPC_CONF_END));
	sandbox_enter(PROC_CTLD, ctld.conf.user);
	if (ipc_send(&ctld.parent, IPC_READY, 0, 0, -1, NULL, 0) == -1)
		fatal("%s: ready", __func__);
	control_listen(ctld.ctl_fd);
	ctld.ctl_fd = -1;
	if (ctld.metrics_fd != -1) {
		metrics_listen(ctld.metrics_fd);
		ctld.metrics_fd = -1;
	}
	log_debug("running");
}

/* Strings end inside their arrays, the address is one or none. */
static int
peer_endpoint_ok(const struct ipc_peer_endpoint *pe)
{
	return memchr(pe->peer, '\0', sizeof(pe->peer)) != NULL &&
	    memchr(pe->name, '\0', sizeof(pe->name)) != NULL &&
	    memchr(pe->error, '\0', sizeof(pe->error)) != NULL &&
	    (pe->address.ss_family == 0 || pe->address.ss_family == AF_INET ||
	    pe->address.ss_family == AF_INET6);
}

/* The peers of a core record: within the array, names terminated. */
static int
core_stats_bad(const struct ipc_core_stats *cs)
{
	uint32_t	i;

	if (cs->npeers > BONDD_MAX_PEERS)
		return 1;
	for (i = 0; i < cs->npeers; i++)
		if (memchr(cs->peer[i].name, '\0',
		    sizeof(cs->peer[i].name)) == NULL)
			return 1;
	return 0;
}

/* One snapshot arrives as CORE_STATS, [PEER_ENDPOINT], LINK_STATS...,
 * STATS_END. */
static void
stats_msg(struct ipc_msg *msg)
{
	struct ctl_snapshot	 tmp;
	struct ipc_link_stats	*ls;
	const char		*name = ipc_type_name(msg->hdr.type);

	switch (msg->hdr.type) {
	case IPC_CORE_STATS:
		if (ipc_msg_get(msg, &ctld.next.core,
		    sizeof(ctld.next.core)) == -1 ||
		    core_stats_bad(&ctld.next.core))
			fatalx("bad %s from parent", name);
		ctld.next.nlinks = 0;
		ctld.next.has_endpoint = 0;
		ctld.in_snap = 1;
		break;
	case IPC_PEER_ENDPOINT:
		if (!ctld.in_snap || ctld.next.has_endpoint ||
		    ipc_msg_get(msg, &ctld.next.endpoint,
		    sizeof(ctld.next.endpoint)) == -1 ||
		    !peer_endpoint_ok(&ctld.next.endpoint))
			fatalx("bad %s from parent", name);
		ctld.next.has_endpoint = 1;
		break;
	case IPC_LINK_STATS:
		if (!ctld.in_snap || ctld.next.nlinks >= IPC_LINK_STATS_MAX)
			fatalx("bad %s from parent: out of order or too many",
			    name);
		ls = &ctld.next.links[ctld.next.nlinks];
		if (ipc_msg_get(msg, ls, sizeof(*ls)) == -1 ||
		    memchr(ls->link, '\0', sizeof(ls->link)) == NULL ||
		    memchr(ls->peer, '\0', sizeof(ls->peer)) == NULL)
			fatalx("bad %s from parent", name);
		ctld.next.nlinks++;
		break;
	case IPC_STATS_END:
		if (!ctld.in_snap)
			fatalx("bad %s from parent: no snapshot", name);
		/* Swap the buffers: the shown one keeps its address. */
		tmp = ctld.snap;
		ctld.snap = ctld.next;
		ctld.next = tmp;
		ctld.in_snap = 0;
		break;
	}
}

static void
dispatch_parent(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	const char	*why;
	const char	*name;

	(void)chan;
	(void)arg;
	if (msg == NULL) {
		log_debug("parent closed the channel");
		control_shutdown();
		metrics_shutdown();
		exit(0);
	}
	name = ipc_type_name(msg->hdr.type);
	if (ipc_role_accept(&ctld.parent_role, msg, &why) == NULL)
		fatalx("bad %s from parent: %s", name, why);
	switch (msg->hdr.type) {
	case IPC_HELLO:
		if (ipc_hello_check(msg, PROC_PARENT) == -1)
			fatalx("bad %s from parent", name);
		break;
	case IPC_CONF_CTLD:
		if (ipc_msg_get(msg, &ctld.conf, sizeof(ctld.conf)) == -1)
			fatalx("bad %s from parent", name);
		check_conf(&ctld.conf);
		break;
	case IPC_CTL_SOCK:
		ctld.ctl_fd = ipc_msg_take_fd(msg);
		check_ctl_sock(ctld.ctl_fd);
		break;
	case IPC_METRICS_SOCK:
		ctld.metrics_fd = ipc_msg_take_fd(msg);
		check_metrics_sock(ctld.metrics_fd);
		break;
	case IPC_CONF_END:
		conf_end();
		break;
	case IPC_CORE_STATS:
	case IPC_LINK_STATS:
	case IPC_PEER_ENDPOINT:
	case IPC_STATS_END:
		stats_msg(msg);
		break;
	case IPC_CTL_DATA:
	case IPC_CTL_RESULT:
		control_parent_reply(msg);
		break;
	case IPC_PEERCRED:
		control_parent_cred(msg);
		break;
	case IPC_SHUTDOWN:
		log_debug("shutdown");
		control_shutdown();
		metrics_shutdown();
		exit(0);
	}
}

int
main(int argc, char *argv[])
{
	struct event_base	*base;
	int			 debug, verbose;

	if (child_args(argc, argv, &debug, &verbose) == -1)
		usage();

	log_init(debug, verbose, LOG_DAEMON);
	log_procinit("ctld");
	/* A client that goes away must not take ctld with it. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		fatal("signal");

	if ((ctld.snap.links = calloc(IPC_LINK_STATS_MAX,
	    sizeof(*ctld.snap.links))) == NULL ||
	    (ctld.next.links = calloc(IPC_LINK_STATS_MAX,
	    sizeof(*ctld.next.links))) == NULL)
		fatal("calloc");
	if ((base = event_base_new()) == NULL)
		fatalx("event_base_new");
	ipc_role_init(&ctld.parent_role, from_parent);
	if (ipc_init(&ctld.parent, BONDD_PARENT_FD, IPC_F_FDPASS,
	    IPC_MAXSIZE, "parent") == -1)
		fatal("ipc_init");
	if (ipc_event_set(&ctld.parent, base, dispatch_parent, NULL) == -1)
		fatalx("ipc_event_set");
	log_set_relay(&ctld.parent);
	if (ipc_hello_send(&ctld.parent, PROC_CTLD, 0) == -1)
		fatal("hello");
	control_init(base, &ctld.parent, &ctld.conf, &ctld.snap);
	metrics_init(base, &ctld.conf, &ctld.snap);

	event_base_dispatch(base);
	fatalx("event loop ended");
}
