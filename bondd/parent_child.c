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
 * The life of the children: start (fork+exec through proc.c, then the
 * hello and the configuration), the checks on every message a child
 * sends, reaping, killing a child that misbehaves, restarting one that
 * died with a back-off, stopping a linkd for a reload, and the last
 * shutdown.
 *
 * Runs in the parent: root at start, afterwards the unprivileged user
 * with CAP_NET_ADMIN only.  It never parses a network packet; what a
 * child sends is checked against the rule table of its role.  The
 * parent holds the static private key and never sends it: a linkd
 * asks for the DH with it on its key channel (parent_keys.c).
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <event2/event.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bondd.h"
#include "ipc.h"
#include "log.h"
#include "messages.h"
#include "parent.h"
#include "proc.h"
#include "util.h"

#define RESTART_MAX_MS	30000
#define RESTART_CALM_MS	10000	/* a child alive this long restarts at once */
/* Queued to one child, at most: ctld gets at most ~200 KB of statistics
 * a second (512 sessions), a linkd ~34 KB of peers at configuration;
 * a child that lets 4 MiB pile up does not read. */
#define CHILD_WQ_MAX	(4U << 20)

struct child			 core_child, ctld_child;
static int			 shutting_down;
static int			 debug_flag, verbose_flag;
static struct proc_exec		 exe_self, exe_linkd, exe_ctld;

static void	restart_cb(evutil_socket_t, short, void *);
static void	child_dispatch(struct ipc_chan *, struct ipc_msg *, void *);

/*
 * What each child may send: its hello first, then log lines, its
 * statistics or requests; IPC_READY, once, says it has entered its
 * sandbox and runs.
 */
static const struct ipc_accept from_core[] = {
	{ IPC_HELLO, IPC_IN_HELLO, IPC_ONCE, 0, IPC_S_CONF },
	{ IPC_LOG, IPC_IN_STARTED, IPC_MANY, 0, IPC_S_SAME },
	{ IPC_READY, IPC_IN_CONF, IPC_ONCE, 0, IPC_S_RUNNING },
	{ IPC_CORE_STATS, IPC_IN_STARTED, IPC_MANY, 0, IPC_S_SAME },
	{ 0, 0, 0, 0, IPC_S_SAME }
};

static const struct ipc_accept from_linkd[] = {
	{ IPC_HELLO, IPC_IN_HELLO, IPC_ONCE, 0, IPC_S_CONF },
	{ IPC_LOG, IPC_IN_STARTED, IPC_MANY, 0, IPC_S_SAME },
	{ IPC_READY, IPC_IN_CONF, IPC_ONCE, 0, IPC_S_RUNNING },
	{ IPC_LINK_STATS, IPC_IN_STARTED, IPC_MANY, 0, IPC_S_SAME },
	{ 0, 0, 0, 0, IPC_S_SAME }
};

static const struct ipc_accept from_ctld[] = {
	{ IPC_HELLO, IPC_IN_HELLO, IPC_ONCE, 0, IPC_S_CONF },
	{ IPC_LOG, IPC_IN_STARTED, IPC_MANY, 0, IPC_S_SAME },
	{ IPC_READY, IPC_IN_CONF, IPC_ONCE, 0, IPC_S_RUNNING },
	{ IPC_CTL_LINK_UP, IPC_IN_STARTED, IPC_MANY, 0, IPC_S_SAME },
	{ IPC_CTL_LINK_DOWN, IPC_IN_STARTED, IPC_MANY, 0, IPC_S_SAME },
	{ IPC_CTL_RELOAD, IPC_IN_STARTED, IPC_MANY, 0, IPC_S_SAME },
	{ IPC_CTL_CONFIG, IPC_IN_STARTED, IPC_MANY, 0, IPC_S_SAME },
	{ IPC_PEERCRED_ASK, IPC_IN_STARTED, IPC_MANY, 0, IPC_S_SAME },
	{ 0, 0, 0, 0, IPC_S_SAME }
};

/*
 * A child that does not read its channel may not grow the parent: its
 * queue is bounded (CHILD_WQ_MAX) and a child that fills it is killed
 * and started again.  Nothing is sent to a child being restarted.
 */
void
send_fd(struct child *c, uint32_t type, uint32_t id, int fd)
{
	int	copy;

	if (!c->open)
		return;
	if ((copy = fcntl(fd, F_DUPFD_CLOEXEC, 0)) == -1)
		fatal("dup");
	if (ipc_send(&c->chan, type, id, 0, copy, NULL, 0) == -1) {
		if (errno != ENOBUFS)
			fatal("%s: send %s", c->label, ipc_type_name(type));
		close(copy);
		child_kill(c, "it does not read its channel");
	}
}

void
send_msg(struct child *c, uint32_t type, uint32_t id, const void *p,
    size_t len)
{
	if (!c->open)
		return;
	if (ipc_send(&c->chan, type, id, 0, -1, p, len) == -1) {
		if (errno != ENOBUFS)
			fatal("%s: send %s", c->label, ipc_type_name(type));
		child_kill(c, "it does not read its channel");
	}
}

/* The binaries the children run, opened as root before the parent
 * gives up its privileges, and the flags they get. */
int
child_prepare(int debug, int verbose)
{
	debug_flag = debug;
	verbose_flag = verbose;
	if (proc_exec_self(&exe_self) == -1 ||
	    proc_exec_open(&exe_linkd, "linkd") == -1 ||
	    proc_exec_open(&exe_ctld, "ctld") == -1)
		return -1;
	return 0;
}

void
child_init(struct child *c, enum proc_id proc, int instance,
    const char *name)
{
	if (c->restart_ev != NULL)
		event_free(c->restart_ev);
	memset(c, 0, sizeof(*c));
	c->proc = proc;
	c->instance = instance;
	snprintf(c->name, sizeof(c->name), "%s", name);
	if (proc == PROC_LINKD)
		snprintf(c->label, sizeof(c->label), "linkd %s", name);
	else
		snprintf(c->label, sizeof(c->label), "%s", proc_names[proc]);
	c->chan.fd = -1;
	if ((c->restart_ev = evtimer_new(base, restart_cb, c)) == NULL)
		fatalx("evtimer_new");
}

void
child_start(struct child *c)
{
	char		*argv[5];
	const struct proc_exec *pe;
	int		 sv[2], argc = 0;

	if (shutting_down)
		return;
	if (c->proc == PROC_LINKD && !core_child.open)
		return;		/* started again with the core */
	switch (c->proc) {
	case PROC_CORE:
		pe = &exe_self;
		break;
	case PROC_LINKD:
		pe = &exe_linkd;
		break;
	default:
		pe = &exe_ctld;
		break;
	}
	argv[argc++] = c->proc == PROC_CORE ? "bondd" : (char *)
	    proc_names[c->proc];
	if (c->proc == PROC_CORE)
		argv[argc++] = "-C";
	if (debug_flag)
		argv[argc++] = "-d";
	if (verbose_flag)
		argv[argc++] = "-v";
	argv[argc] = NULL;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		fatal("socketpair");
	if ((c->pid = proc_spawn(pe, argv, sv[1])) == -1)
		fatalx("cannot start %s", c->label);
	close(sv[1]);
	if (ipc_init(&c->chan, sv[0], IPC_F_FDPASS, IPC_MAXSIZE,
	    c->label) == -1 ||
	    ipc_event_set(&c->chan, base, child_dispatch, c) == -1)
		fatal("%s: channel", c->label);
	c->chan.wqmax = CHILD_WQ_MAX;
	c->open = 1;
	ipc_role_init(&c->role, c->proc == PROC_CORE ? from_core :
	    c->proc == PROC_LINKD ? from_linkd : from_ctld);
	c->started_ms = now_ms();
	log_debug("started %s, pid %d", c->label, (int)c->pid);

	if (ipc_hello_send(&c->chan, PROC_PARENT, c->instance) == -1)
		fatal("%s: hello", c->label);
	switch (c->proc) {
	case PROC_CORE:
		configure_core(c);
		break;
	case PROC_LINKD:
		configure_linkd(c);
		break;
	default:
		configure_ctld(c);
		break;
	}
}

static void
restart_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct child	*c = arg, *l;
	int		 i;

	(void)fd;
	(void)ev;
	/* A linkd told to stop by a reload did not: insist. */
	if (c->removing || c->replacing) {
		if (c->pid > 0) {
			log_warnx("%s did not stop; killing it", c->label);
			kill(c->pid, SIGKILL);
		}
		return;
	}
	child_start(c);
	/* A new core needs every linkd again: queues are per core. */
	if (c->proc == PROC_CORE)
		for (i = 0; i < MAX_INSTANCES; i++) {
			l = &slots[i].linkd;
			if (slots[i].used && l->pid == 0 &&
			    !evtimer_pending(l->restart_ev, NULL))
				child_start(l);
		}
}

static void
child_close(struct child *c)
{
	keys_chan_close(c);
	if (!c->open)
		return;
	ipc_event_del(&c->chan);
	ipc_clear(&c->chan);
	c->open = 0;
}

/* A child misbehaved on a channel: it is buggy or compromised. */
void
child_kill(struct child *c, const char *why)
{
	log_warnx("%s: %s; killing it", c->label, why);
	child_close(c);
	if (c->pid > 0)
		kill(c->pid, SIGKILL);
}

static void
schedule_restart(struct child *c)
{
	struct timeval	tv;
	uint64_t	delay = 0;

	if (now_ms() - c->started_ms < RESTART_CALM_MS) {
		c->restarts++;
		delay = 500ULL << (c->restarts < 7 ? c->restarts - 1 : 6);
		if (delay > RESTART_MAX_MS)
			delay = RESTART_MAX_MS;
	} else
		c->restarts = 0;
	tv.tv_sec = delay / 1000;
	tv.tv_usec = (delay % 1000) * 1000;
	log_info("restarting %s in %llu ms", c->label,
	    (unsigned long long)delay);
	evtimer_add(c->restart_ev, &tv);
}

static struct child *
child_by_pid(pid_t pid)
{
	int	i;

	if (core_child.pid == pid)
		return &core_child;
	if (ctld_child.pid == pid)
		return &ctld_child;
	for (i = 0; i < MAX_INSTANCES; i++)
		if (slots[i].linkd.pid == pid)
			return &slots[i].linkd;
	return NULL;
}

void
reap_children(void)
{
	struct child	*c;
	pid_t		 pid;
	int		 status, i;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (resolve_reaped(pid) ||
		    (c = child_by_pid(pid)) == NULL)
			continue;
		if (WIFSIGNALED(status))
			log_warnx("%s (pid %d) killed by signal %d%s",
			    c->label, (int)pid, WTERMSIG(status),
			    WTERMSIG(status) == SIGSYS ?
			    " (sandbox violation)" : "");
		else if (!shutting_down || WEXITSTATUS(status) != 0)
			log_warnx("%s (pid %d) exited with status %d",
			    c->label, (int)pid, WEXITSTATUS(status));
		child_close(c);
		c->pid = 0;
		if (c->proc == PROC_LINKD)
			memset(slots[c->instance].stats, 0,
			    sizeof(slots[c->instance].stats));
		if (c->removing) {
			c->removing = 0;
			evtimer_del(c->restart_ev);
			log_info("%s stopped: link removed", c->label);
			continue;
		}
		if (shutting_down)
			continue;
		if (c->replacing) {
			c->replacing = 0;
			c->started_ms = 0;	/* no back-off: start it now */
		}
		if (c->proc == PROC_CORE) {
			/* The queues died with the core: restart linkds
			 * too, they come back once the core is up. */
			for (i = 0; i < MAX_INSTANCES; i++)
				if (slots[i].linkd.pid > 0) {
					child_close(&slots[i].linkd);
					kill(slots[i].linkd.pid, SIGTERM);
				}
		}
		schedule_restart(c);
	}
}

/* Tell a linkd to stop; if it has not within 2 s, restart_cb kills it. */
void
linkd_stop(struct child *c)
{
	struct timeval	tv = { 2, 0 };

	evtimer_del(c->restart_ev);
	if (c->pid == 0)
		return;
	if (c->open)
		send_msg(c, IPC_SHUTDOWN, c->instance, NULL, 0);
	evtimer_add(c->restart_ev, &tv);
}

static void
child_dispatch(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	struct child		*c = arg;
	struct ipc_log		 lg;
	const char		*why;
	char			 text[IPC_LOG_MAX + 1];

	(void)chan;
	if (msg == NULL) {
		/* Closed or malformed: the reaper restarts it. */
		if (c->pid > 0 && !shutting_down && !c->removing &&
		    !c->replacing)
			child_kill(c, "channel closed or malformed");
		else
			child_close(c);
		return;
	}
	if (ipc_role_accept(&c->role, msg, &why) == NULL) {
		log_warnx("%s: %s: %s", c->label,
		    ipc_type_name(msg->hdr.type), why);
		child_kill(c, "bad message");
		return;
	}
	switch (msg->hdr.type) {
	case IPC_HELLO:
		if (ipc_hello_check(msg, c->proc) == -1) {
			child_kill(c, "bad hello");
			return;
		}
		break;
	case IPC_LOG:
		if (ipc_msg_get(msg, &lg, sizeof(lg)) == -1 ||
		    ipc_msg_get_str(msg, text, sizeof(text)) == -1 ||
		    lg.priority < LOG_EMERG || lg.priority > LOG_DEBUG) {
			child_kill(c, "bad log message");
			return;
		}
		log_relayed(c->label, lg.priority, text);
		break;
	case IPC_READY:
		log_debug("%s ready", c->label);
		notify_child_ready();
		break;
	case IPC_LINK_STATS:
		store_link_stats(c, msg);
		break;
	case IPC_CORE_STATS:
		/* Of the catalogue's length: it cannot fall short. */
		(void)ipc_msg_get(msg, &core_stats, sizeof(core_stats));
		break;
	case IPC_CTL_LINK_UP:
	case IPC_CTL_LINK_DOWN:
		ctl_link_admin(msg->hdr.pid, msg,
		    msg->hdr.type == IPC_CTL_LINK_DOWN);
		break;
	case IPC_CTL_RELOAD:
		notify_reload(msg->hdr.pid, 1);
		break;
	case IPC_CTL_CONFIG:
		ctl_config(msg->hdr.pid);
		break;
	case IPC_PEERCRED_ASK:
		ctl_peercred(msg->hdr.pid, ipc_msg_take_fd(msg));
		break;
	}
}

void
shutdown_children(void)
{
	struct child	*all[MAX_INSTANCES + 2];
	int		 n = 0, i, alive;

	shutting_down = 1;
	for (i = 0; i < MAX_INSTANCES; i++)
		if (slots[i].used || slots[i].linkd.pid > 0)
			all[n++] = &slots[i].linkd;
	all[n++] = &ctld_child;
	all[n++] = &core_child;
	for (i = 0; i < n; i++)
		if (all[i]->open) {
			ipc_compose(&all[i]->chan, IPC_SHUTDOWN, 0, 0, -1,
			    NULL, 0);
			ipc_write(&all[i]->chan);
		}
	/* Give them two seconds, then insist. */
	for (int tries = 0; tries < 20; tries++) {
		reap_children();
		for (alive = 0, i = 0; i < n; i++)
			alive += all[i]->pid > 0;
		if (alive == 0)
			return;
		usleep(100000);
	}
	for (i = 0; i < n; i++)
		if (all[i]->pid > 0)
			kill(all[i]->pid, SIGKILL);
	reap_children();
}
