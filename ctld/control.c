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
 * bondctl connections in ctld.  Runs sandboxed and unprivileged in
 * ctld; every byte from a client is untrusted: each frame is checked
 * against a rule table before use and a malformed one ends the
 * connection.  Holds no keys, only names and counters.
 *
 * Authorization.  The parent creates the socket file with mode 0660,
 * owner root and the configured control group, so the file system
 * decides who may connect at all.  Here the peer's uid from
 * SO_PEERCRED decides what it may do: uid 0 may use every verb; any
 * other uid (a member of the control group) may only read: status,
 * version and config.  Mutating verbs (link up/down, reload) from
 * such a uid are answered CTL_RES_DENIED.  Mutating requests are
 * logged at info level with the caller's uid and pid.  A ctld
 * respawned in a user namespace of its own reads root's uid as the
 * overflow uid: it asks the parent for the ids of each connection.
 */

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <event2/event.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bondd.h"
#include "control.h"
#include "ipc.h"
#include "listener.h"
#include "log.h"
#include "messages.h"
#include "sandbox.h"

struct ctl_conn {
	TAILQ_ENTRY(ctl_conn)	 entry;
	struct ipc_chan		 chan;
	struct event		*idle;
	char			 name[64];	/* for logs and chan.peer */
	uid_t			 uid;
	gid_t			 gid;
	pid_t			 pid;
	uint32_t		 reqid;		/* at the parent, 0 = none */
	struct ipc_role		 role;
};

static struct {
	struct event_base		*base;
	struct ipc_chan			*parent;
	const struct ipc_conf_ctld	*conf;
	const struct ctl_snapshot	*snap;
	struct listener			 lst;
	TAILQ_HEAD(, ctl_conn)		 conns;
	int				 nconns;
	uint32_t			 next_reqid;
	/* Connections whose ids were asked of the parent. */
	struct {
		int		 fd;		/* -1: free */
		uint32_t	 reqid;
	}				 asked[CTL_MAX_CLIENTS];
	int				 nasked;
} ctl = { .lst = LISTENER_INITIALIZER };

/* What a client may send: its hello, then requests.  Nothing
 * carries an fd on this channel. */
static const struct ipc_accept from_bondctl[] = {
	{ IPC_HELLO, IPC_IN_HELLO, IPC_ONCE, 0, IPC_S_RUNNING },
	{ IPC_CTL_STATUS, IPC_IN_RUNNING, IPC_MANY, 0, IPC_S_SAME },
	{ IPC_CTL_VERSION, IPC_IN_RUNNING, IPC_MANY, 0, IPC_S_SAME },
	{ IPC_CTL_LINK_UP, IPC_IN_RUNNING, IPC_MANY, 0, IPC_S_SAME },
	{ IPC_CTL_LINK_DOWN, IPC_IN_RUNNING, IPC_MANY, 0, IPC_S_SAME },
	{ IPC_CTL_RELOAD, IPC_IN_RUNNING, IPC_MANY, 0, IPC_S_SAME },
	{ IPC_CTL_CONFIG, IPC_IN_RUNNING, IPC_MANY, 0, IPC_S_SAME },
	{ 0, 0, 0, 0, IPC_S_SAME }
};

static void	 conn_close(struct ctl_conn *);
static void	 conn_dispatch(struct ipc_chan *, struct ipc_msg *, void *);

void
control_init(struct event_base *base, struct ipc_chan *parent,
    const struct ipc_conf_ctld *conf, const struct ctl_snapshot *snap)
{
	int	i;

	ctl.base = base;
	ctl.parent = parent;
	ctl.conf = conf;
	ctl.snap = snap;
	TAILQ_INIT(&ctl.conns);
	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		ctl.asked[i].fd = -1;
}

int
control_nclients(void)
{
	return ctl.nconns;
}

static void
conn_idle_arm(struct ctl_conn *c)
{
	struct timeval	 tv = { CTL_IDLE_TIMEOUT, 0 };

	evtimer_add(c->idle, &tv);
}

/* Queue IPC_CTL_RESULT with a code and a text: 0 or -1. */
static int
conn_result(struct ctl_conn *c, uint32_t code, const char *fmt, ...)
{
	struct ipc_ctl_result	 res = { code };
	uint8_t			 buf[sizeof(res) + 256];
	va_list			 ap;
	int			 n;

	memcpy(buf, &res, sizeof(res));
	va_start(ap, fmt);
	n = vsnprintf((char *)buf + sizeof(res), sizeof(buf) - sizeof(res),
	    fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(buf) - sizeof(res))
		n = sizeof(buf) - sizeof(res) - 1;
	return ipc_send(&c->chan, IPC_CTL_RESULT, 0, 0, -1, buf,
	    sizeof(res) + n);
}

/*
 * Answer a misbehaving client and drop it.  The answer gets one
 * non-blocking write: a client that does not read loses it.
 */
static void
conn_fail(struct ctl_conn *c, uint32_t code, const char *text)
{
	log_debug("%s: %s", c->name, text);
	if (conn_result(c, code, "%s", text) == 0)
		(void)ipc_write(&c->chan);
	conn_close(c);
}

static void
conn_close(struct ctl_conn *c)
{
	TAILQ_REMOVE(&ctl.conns, c, entry);
	ctl.nconns--;
	evtimer_del(c->idle);
	event_free(c->idle);
	ipc_clear(&c->chan);
	free(c);
}

static void
conn_idle(int fd, short ev, void *arg)
{
	struct ctl_conn	*c = arg;

	(void)fd;
	(void)ev;
	/* A request at the parent keeps the client alive until the
	 * parent answers; bondctl gives up by itself after a while. */
	if (c->reqid != 0) {
		conn_idle_arm(c);
		return;
	}
	log_debug("%s: idle, closed", c->name);
	conn_close(c);
}

/* A client refused for lack of room hears why before it goes. */
static void
refuse(int fd, const char *text)
{
	struct ipc_chan		 chan;
	struct ipc_ctl_result	 res = { CTL_RES_FAILED };
	uint8_t			 buf[sizeof(res) + 64];
	size_t			 n;

	if (ipc_init(&chan, fd, 0, IPC_CTL_MAXSIZE, "bondctl") == -1) {
		close(fd);
		return;
	}
	n = strlen(text);
	memcpy(buf, &res, sizeof(res));
	memcpy(buf + sizeof(res), text, n);
	if (ipc_compose(&chan, IPC_CTL_RESULT, 0, 0, -1, buf,
	    sizeof(res) + n) == 0)
		(void)ipc_write(&chan);
	ipc_clear(&chan);
}

int
control_add_client(int fd, uid_t uid, gid_t gid, pid_t pid)
{
	struct ctl_conn	*c;

	if (ctl.nconns >= CTL_MAX_CLIENTS) {
		log_ratelimit("ctl_full", "control: %d clients, refusing "
		    "uid %u pid %d", ctl.nconns, (unsigned)uid, (int)pid);
		refuse(fd, "too many bondctl connections");
		return -1;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("%s", __func__);
		close(fd);
		return -1;
	}
	c->uid = uid;
	c->gid = gid;
	c->pid = pid;
	ipc_role_init(&c->role, from_bondctl);
	snprintf(c->name, sizeof(c->name), "bondctl uid %u pid %d",
	    (unsigned)uid, (int)pid);
	if (ipc_init(&c->chan, fd, 0, IPC_CTL_MAXSIZE, c->name) == -1) {
		log_warn("%s: ipc_init", __func__);
		free(c);
		close(fd);
		return -1;
	}
	if ((c->idle = evtimer_new(ctl.base, conn_idle, c)) == NULL ||
	    ipc_event_set(&c->chan, ctl.base, conn_dispatch, c) == -1) {
		log_warnx("%s: cannot set events", __func__);
		if (c->idle != NULL)
			event_free(c->idle);
		ipc_clear(&c->chan);
		free(c);
		return -1;
	}
	conn_idle_arm(c);
	TAILQ_INSERT_TAIL(&ctl.conns, c, entry);
	ctl.nconns++;
	log_debug("%s: connected", c->name);
	return 0;
}

int
ctl_hello_check(const struct ipc_hello *h, char *why, size_t len)
{
	if (h->proc != PROC_BONDCTL) {
		snprintf(why, len, "bondd %s expects a bondctl", BONDD_VERSION);
		return -1;
	}
	if (h->version != CTL_PROTO_VERSION) {
		snprintf(why, len, "bondctl speaks control protocol %u, bondd "
		    "%s speaks %u: use the bondctl of the running bondd, or "
		    "restart bondd", h->version, BONDD_VERSION,
		    CTL_PROTO_VERSION);
		return -1;
	}
	return 0;
}

/*
 * The first frame: IPC_HELLO (of the catalogue's length) from bondctl.
 * A mismatch gets CTL_RES_VERSION with both protocol numbers, never
 * the client's text.
 */
static void
conn_hello(struct ctl_conn *c, const struct ipc_msg *msg)
{
	struct ipc_hello	 h;
	char			 why[192];

	memcpy(&h, msg->data, sizeof(h));
	if (ctl_hello_check(&h, why, sizeof(why)) == -1) {
		log_debug("%s: %s", c->name, why);
		if (conn_result(c, CTL_RES_VERSION, "%s", why) == 0)
			(void)ipc_write(&c->chan);
		conn_close(c);
	}
}

/* Send one frame to the client: 0, or -1 after closing it. */
static int
conn_send(struct ctl_conn *c, uint32_t type, const void *data, size_t len)
{
	if (ipc_send(&c->chan, type, 0, 0, -1, data, len) == -1) {
		log_warn("%s: reply", c->name);
		conn_close(c);
		return -1;
	}
	return 0;
}

/*
 * The current snapshot: the tunnel (without the sandbox user and
 * group, which are none of the client's business), the core's
 * counters, the server's name if the endpoint is one, and one record
 * per link session.
 */
static void
reply_status(struct ctl_conn *c)
{
	struct ipc_conf_ctld	 conf;
	size_t			 i;

	conf = *ctl.conf;
	memset(conf.user, 0, sizeof(conf.user));
	memset(conf.group, 0, sizeof(conf.group));
	conf.gid = 0;
	if (conn_send(c, IPC_CONF_CTLD, &conf, sizeof(conf)) == -1 ||
	    conn_send(c, IPC_CORE_STATS, &ctl.snap->core,
	    sizeof(ctl.snap->core)) == -1)
		return;
	if (ctl.snap->has_endpoint && conn_send(c, IPC_PEER_ENDPOINT,
	    &ctl.snap->endpoint, sizeof(ctl.snap->endpoint)) == -1)
		return;
	for (i = 0; i < ctl.snap->nlinks; i++)
		if (conn_send(c, IPC_LINK_STATS, &ctl.snap->links[i],
		    sizeof(ctl.snap->links[i])) == -1)
			return;
	if (conn_result(c, CTL_RES_OK, "%s", "") == -1)
		conn_close(c);
}

static void
reply_version(struct ctl_conn *c)
{
	if (conn_send(c, IPC_CTL_DATA, BONDD_VERSION,
	    strlen(BONDD_VERSION)) == -1)
		return;
	if (conn_result(c, CTL_RES_OK, "%s", "") == -1)
		conn_close(c);
}

/* Hand a request to the parent under a fresh request id. */
static void
forward(struct ctl_conn *c, const struct ipc_msg *msg)
{
	if (++ctl.next_reqid == 0)
		ctl.next_reqid = 1;
	if (ipc_send(ctl.parent, msg->hdr.type, 0, ctl.next_reqid, -1,
	    msg->data, msg->len) == -1) {
		log_warn("%s: forward to parent", c->name);
		if (conn_result(c, CTL_RES_FAILED, "bondd is not "
		    "answering") == -1)
			conn_close(c);
		return;
	}
	c->reqid = ctl.next_reqid;
}

static int
is_mutating(uint32_t type)
{
	return type == IPC_CTL_LINK_UP || type == IPC_CTL_LINK_DOWN ||
	    type == IPC_CTL_RELOAD;
}

/*
 * A link name: 1 to BONDD_NAME_MAX - 1 bytes (the catalogue's bounds,
 * checked before) without NUL or control characters, which keeps the
 * log line below honest.
 */
static int
link_name(const struct ipc_msg *msg, char name[BONDD_NAME_MAX])
{
	size_t		 i;

	for (i = 0; i < msg->len; i++)
		if (msg->data[i] < 0x20 || msg->data[i] == 0x7f)
			return -1;
	memcpy(name, msg->data, msg->len);
	name[msg->len] = '\0';
	return 0;
}

static void
conn_request(struct ctl_conn *c, struct ipc_msg *msg)
{
	char		 name[BONDD_NAME_MAX];
	uint32_t	 type = msg->hdr.type;
	int		 up = type == IPC_CTL_LINK_UP;

	if (type == IPC_CTL_LINK_UP || type == IPC_CTL_LINK_DOWN) {
		if (link_name(msg, name) == -1) {
			conn_fail(c, CTL_RES_BADMSG, "bad link name");
			return;
		}
	}
	if (is_mutating(type) && c->uid != 0) {
		log_info("%s: %s denied", c->name, ipc_type_name(type));
		if (conn_result(c, CTL_RES_DENIED, "only root may do "
		    "this") == -1)
			conn_close(c);
		return;
	}
	switch (type) {
	case IPC_CTL_STATUS:
		reply_status(c);
		break;
	case IPC_CTL_VERSION:
		reply_version(c);
		break;
	case IPC_CTL_LINK_UP:
	case IPC_CTL_LINK_DOWN:
		log_info("%s: link %s %s", c->name, name, up ? "up" : "down");
		forward(c, msg);
		break;
	case IPC_CTL_RELOAD:
		log_info("%s: reload", c->name);
		forward(c, msg);
		break;
	case IPC_CTL_CONFIG:
		forward(c, msg);
		break;
	}
}

static void
conn_dispatch(struct ipc_chan *chan, struct ipc_msg *msg, void *arg)
{
	struct ctl_conn	*c = arg;
	const char	*why;

	(void)chan;
	if (msg == NULL) {
		log_debug("%s: closed", c->name);
		conn_close(c);
		return;
	}
	if (ipc_role_accept(&c->role, msg, &why) == NULL) {
		conn_fail(c, CTL_RES_BADMSG, why);
		return;
	}
	if (msg->hdr.type == IPC_HELLO) {
		conn_hello(c, msg);
		return;
	}
	/* One request at a time: its reply must be out first. */
	if (c->reqid != 0 || c->chan.wqlen > 0) {
		conn_fail(c, CTL_RES_BADMSG, "request before the last "
		    "one was answered");
		return;
	}
	conn_idle_arm(c);
	conn_request(c, msg);
}

/*
 * A reply from the parent to a forwarded request.  The client may be
 * gone: then the reply is dropped.
 */
void
control_parent_reply(const struct ipc_msg *msg)
{
	struct ctl_conn	*c;

	TAILQ_FOREACH(c, &ctl.conns, entry)
		if (c->reqid != 0 && c->reqid == msg->hdr.pid)
			break;
	if (c == NULL) {
		log_debug("%s: %s for gone request %u", __func__,
		    ipc_type_name(msg->hdr.type), msg->hdr.pid);
		return;
	}
	if (conn_send(c, msg->hdr.type, msg->data, msg->len) == -1)
		return;
	if (msg->hdr.type == IPC_CTL_RESULT) {
		c->reqid = 0;
		conn_idle_arm(c);
	}
}

/* The parent reads the ids of a copy of the connection; it waits here
 * for IPC_PEERCRED. */
static void
ask_cred(int s)
{
	int	i, copy;

	for (i = 0; i < CTL_MAX_CLIENTS && ctl.asked[i].fd != -1; i++)
		;
	if (i == CTL_MAX_CLIENTS || ctl.nconns + ctl.nasked >=
	    CTL_MAX_CLIENTS) {
		refuse(s, "too many bondctl connections");
		return;
	}
	if ((copy = fcntl(s, F_DUPFD_CLOEXEC, 0)) == -1) {
		log_warn("control: dup");
		close(s);
		return;
	}
	if (ipc_send(ctl.parent, IPC_PEERCRED_ASK, 0, ++ctl.next_reqid, copy,
	    NULL, 0) == -1) {
		log_warn("control: ask for credentials");
		close(copy);
		close(s);
		return;
	}
	ctl.asked[i].fd = s;
	ctl.asked[i].reqid = ctl.next_reqid;
	ctl.nasked++;
}

static void
control_accept(int s, void *arg)
{
	struct ucred	 cred;
	socklen_t	 len = sizeof(cred);

	(void)arg;
	if (sandbox_in_userns()) {
		ask_cred(s);
		return;
	}
	if (getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1 ||
	    len != sizeof(cred)) {
		log_warn("control: SO_PEERCRED");
		close(s);
		return;
	}
	(void)control_add_client(s, cred.uid, cred.gid, cred.pid);
}

void
control_parent_cred(struct ipc_msg *msg)
{
	struct ipc_peercred	pc;
	int			i, fd;

	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		if (ctl.asked[i].fd != -1 &&
		    ctl.asked[i].reqid == msg->hdr.pid)
			break;
	if (i == CTL_MAX_CLIENTS)
		fatalx("IPC_PEERCRED not asked for");
	fd = ctl.asked[i].fd;
	ctl.asked[i].fd = -1;
	ctl.nasked--;
	/* Of the catalogue's length: it cannot fall short. */
	(void)ipc_msg_get(msg, &pc, sizeof(pc));
	if (!pc.ok) {
		close(fd);
		return;
	}
	(void)control_add_client(fd, pc.uid, pc.gid, pc.pid);
}

void
control_listen(int fd)
{
	listener_open(&ctl.lst, ctl.base, fd, "control", control_accept, NULL);
}

void
control_shutdown(void)
{
	struct ctl_conn	*c;

	while ((c = TAILQ_FIRST(&ctl.conns)) != NULL)
		conn_close(c);
	listener_close(&ctl.lst);
}
