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
 * The server's name: a client's peer.endpoint given as a DNS name is
 * looked up at start, on every reload, when every link has been down
 * for RESOLVE_DOWN_MS, and again with a back-off while it fails; the
 * log and `bondctl status` say so.  A link sends to the first address
 * of its source's family (any family without a source); an address
 * that changes restarts the linkds that use it, with a new socket if
 * the family changed.  A link waits without a socket (WAIT_ADDRESS,
 * parent_device.c) until its family has an address; its linkd runs
 * and `bondctl status` shows it waiting.
 *
 * Runs in the parent: root at start, afterwards the unprivileged user
 * with CAP_NET_ADMIN only.  The lookup itself runs in a child forked
 * for it (resolve_child()): getaddrinfo() may wait for seconds on
 * unreachable name servers and parses what they answer, which the
 * parent must do neither of.  That child wipes its copy of the keys,
 * closes every fd but its pipe, becomes the daemon user without any
 * capability (so the routing rules send its queries by the WANs, see
 * bondd/routes.h) and writes one struct resolve_reply.  The parent
 * checks the reply as it checks any child's message.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <event2/event.h>
#include <netdb.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bondd.h"
#include "config.h"
#include "frame.h"
#include "linkinfo.h"
#include "log.h"
#include "messages.h"
#include "parent.h"
#include "priv.h"
#include "util.h"

#define RESOLVE_ADDRS		8
#define RESOLVE_START_MS	5000	/* the first lookup, before start */
#define RESOLVE_TIMEOUT_MS	30000	/* a lookup that hangs is killed */
#define RESOLVE_DOWN_MS		30000	/* every link down: look up again */
#define RESOLVE_RETRY_MAX_MS	60000	/* back-off ceiling */

/* What a lookup child writes, once, in one write(2). */
struct resolve_reply {
	int32_t			gai_error;	/* 0: found addr[0..n) */
	int32_t			sys_errno;	/* with EAI_SYSTEM */
	uint32_t		n;
	struct sockaddr_storage	addr[RESOLVE_ADDRS];
};

/* A lookup runs while fd is open; pid is its child until reaped. */
static struct {
	int			 active;	/* the endpoint is a name */
	pid_t			 pid;		/* the last lookup's child */
	int			 fd;		/* its pipe, -1: none running */
	int			 again;		/* a reload during a lookup */
	uint64_t		 started_ms;
	struct sockaddr_storage	 addr[RESOLVE_ADDRS];
	uint32_t		 naddr;		/* 0: never found any */
	uint32_t		 failures;
	char			 error[64];
	uint64_t		 next_ms;	/* next lookup due */
	uint64_t		 up_ms;		/* a link last seen up */
	struct event		*ev_read, *ev_tick;
} rs = { .fd = -1 };

static void	resolve_start(void);
static void	resolve_done(const struct resolve_reply *, const char *);

/* The address of the peer's family fam, or its first if fam is 0. */
static const struct sockaddr_storage *
resolved(int fam)
{
	uint32_t	i;

	for (i = 0; i < rs.naddr; i++)
		if (fam == 0 || rs.addr[i].ss_family == fam)
			return &rs.addr[i];
	return NULL;
}

int
peer_address(const struct conf_link *l, struct sockaddr_storage *out)
{
	const struct sockaddr_storage *a = NULL;

	memset(out, 0, sizeof(*out));
	if (l->endpoint.ss_family != 0)
		a = &l->endpoint;
	else if (conf.peers[0].endpoint.ss_family != 0)
		a = &conf.peers[0].endpoint;
	else
		a = resolved(l->source.ss_family);
	if (a == NULL)
		return 0;
	*out = *a;
	return out->ss_family;
}

/* Runs in the forked child; never returns. */
static void __attribute__((noreturn))
resolve_child(int wfd, const char *name, uint16_t port)
{
	struct resolve_reply	 rep;
	struct addrinfo		 hints, *res = NULL, *ai;
	struct passwd		*pw;
	char			 service[8];
	int			 i, sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGCHLD,
				    SIGPIPE };

	for (i = 0; i < (int)(sizeof(sigs) / sizeof(sigs[0])); i++)
		signal(sigs[i], SIG_DFL);
	sodium_memzero(conf.private_key, sizeof(conf.private_key));
	for (i = 0; i < BONDD_MAX_PEERS; i++)
		sodium_memzero(conf.peers[i].psk, sizeof(conf.peers[i].psk));
	/* Only the pipe: not the TUN, the sockets nor any channel. */
	if (dup2(wfd, 3) == -1 || close_range(4, ~0U, 0) == -1)
		_exit(1);
	if ((pw = getpwuid(daemon_uid)) == NULL)
		_exit(1);
	capng_clear(CAPNG_SELECT_BOTH);
	/* After the parent's drop, its bounding set is empty already. */
	if (getuid() == 0 ? capng_change_id(pw->pw_uid, pw->pw_gid,
	    CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING) != 0 :
	    capng_apply(CAPNG_SELECT_CAPS) != 0)
		_exit(1);
	if (getuid() == 0 || geteuid() == 0)
		_exit(1);

	memset(&rep, 0, sizeof(rep));
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_protocol = IPPROTO_UDP;
	hints.ai_flags = AI_ADDRCONFIG | AI_NUMERICSERV;
	snprintf(service, sizeof(service), "%u", port);
	rep.gai_error = getaddrinfo(name, service, &hints, &res);
	rep.sys_errno = errno;
	for (ai = res; rep.gai_error == 0 && ai != NULL &&
	    rep.n < RESOLVE_ADDRS; ai = ai->ai_next) {
		if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
		    ai->ai_addrlen > sizeof(rep.addr[0]))
			continue;
		memcpy(&rep.addr[rep.n++], ai->ai_addr, ai->ai_addrlen);
	}
	if (res != NULL)
		freeaddrinfo(res);
	if (rep.gai_error == 0 && rep.n == 0)
		rep.gai_error = EAI_NODATA;
	if (write(3, &rep, sizeof(rep)) != sizeof(rep))
		_exit(1);
	_exit(0);
}

/* Trust nothing of the reply but its shape: families and lengths. */
static int
reply_check(const struct resolve_reply *rep)
{
	uint32_t	i;

	if (rep->gai_error != 0)
		return rep->n == 0 ? 0 : -1;
	if (rep->n == 0 || rep->n > RESOLVE_ADDRS)
		return -1;
	for (i = 0; i < rep->n; i++)
		if (rep->addr[i].ss_family != AF_INET &&
		    rep->addr[i].ss_family != AF_INET6)
			return -1;
	return 0;
}

static void
resolve_read_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct resolve_reply	rep;
	ssize_t			n;

	(void)ev;
	(void)arg;
	n = read(fd, &rep, sizeof(rep));
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return;
	resolve_done(n == sizeof(rep) ? &rep : NULL, "lookup failed");
}

/* A lookup in a child; the reply arrives on rs.fd. */
static void
resolve_start(void)
{
	const struct conf_peer	*p = &conf.peers[0];
	int			 pfd[2];

	if (rs.fd != -1)
		return;
	rs.again = 0;
	rs.started_ms = now_ms();
	if (pipe2(pfd, O_CLOEXEC) == -1) {
		log_warn("%s: pipe", p->endpoint_name);
		resolve_done(NULL, "no pipe");
		return;
	}
	log_debug("looking up %s", p->endpoint_name);
	switch ((rs.pid = fork())) {
	case -1:
		log_warn("%s: fork", p->endpoint_name);
		close(pfd[0]);
		close(pfd[1]);
		rs.pid = 0;
		resolve_done(NULL, "cannot fork");
		return;
	case 0:
		close(pfd[0]);
		resolve_child(pfd[1], p->endpoint_name, p->endpoint_port);
	}
	close(pfd[1]);
	rs.fd = pfd[0];
	if (rs.ev_read != NULL) {
		event_assign(rs.ev_read, base, rs.fd, EV_READ, resolve_read_cb,
		    NULL);
		event_add(rs.ev_read, NULL);
	}
}

/* Stop the running lookup, if any; its reply no longer counts.  Its
 * child is at worst a zombie until reaped: the pid is still its own. */
static void
resolve_kill(void)
{
	if (rs.fd == -1)
		return;
	if (rs.ev_read != NULL)
		event_del(rs.ev_read);
	close(rs.fd);
	rs.fd = -1;
	if (rs.pid != 0)
		kill(rs.pid, SIGKILL);
}

/* New addresses: the links that use them move to them. */
static void
resolve_apply(void)
{
	struct sockaddr_storage	 a;
	struct slot		*s;
	struct child		*c;
	char			 now[ADDR_STRLEN], was[ADDR_STRLEN];
	uint32_t		 payload;
	unsigned int		 ifindex;
	int			 i, fd, r;

	for (i = 0; i < MAX_INSTANCES; i++) {
		s = &slots[i];
		c = &s->linkd;
		if (!s->used || peer_address(&s->link, &a) == 0 ||
		    addr_equal(&a, &s->endpoint))
			continue;
		log_info("link %s: server %s at %s%s%s", s->link.name,
		    conf.peers[0].endpoint_name, addr_fmt(&a, now,
		    sizeof(now)), s->endpoint.ss_family != 0 ? ", was " : "",
		    s->endpoint.ss_family != 0 ? addr_fmt(&s->endpoint, was,
		    sizeof(was)) : "");
		if (s->fd == -1 || a.ss_family != s->endpoint.ss_family) {
			/* The MTU was sized for either family. */
			payload = link_payload(&s->link, a.ss_family);
			if (payload < tun_mtu + FRAME_INNER_OVERHEAD) {
				log_warnx("link %s: its MTU cannot carry the "
				    "tunnel MTU %u", s->link.name, tun_mtu);
				continue;
			}
			/* Still without a device or source address, the
			 * link waits for them with the address known. */
			if ((r = link_socket(&s->link, &fd, &ifindex)) == -1)
				continue;
			if (s->fd != -1)
				close(s->fd);
			s->fd = fd;
			s->ifindex = ifindex;
			s->payload_max = payload;
			link_waits(s, r);
		}
		s->endpoint = a;
		/* Its linkd starts again with the address (and socket); one
		 * not running gets them when it starts. */
		if (c->pid > 0) {
			c->replacing = 1;
			linkd_stop(c);
		}
	}
}

static void
resolve_done(const struct resolve_reply *rep, const char *why)
{
	const char	*name = conf.peers[0].endpoint_name;
	char		 addr[ADDR_STRLEN];
	uint64_t	 now = now_ms(), delay;

	resolve_kill();
	if (rep != NULL && reply_check(rep) == -1) {
		log_warnx("%s: malformed reply from the lookup", name);
		rep = NULL;
	}
	if (rep != NULL && rep->gai_error == 0) {
		memcpy(rs.addr, rep->addr, sizeof(rs.addr));
		rs.naddr = rep->n;
		if (rs.failures > 0 || rs.error[0] == '\0')
			log_info("%s: %s%s", name, addr_fmt(&rs.addr[0], addr,
			    sizeof(addr)), rep->n > 1 ? " and more" : "");
		rs.failures = 0;
		rs.error[0] = '\0';
		rs.next_ms = now + RESOLVE_DOWN_MS;
		resolve_apply();
	} else {
		if (rep != NULL)
			why = rep->gai_error == EAI_SYSTEM ?
			    strerror(rep->sys_errno) :
			    gai_strerror(rep->gai_error);
		snprintf(rs.error, sizeof(rs.error), "%s", why);
		rs.failures++;
		delay = 1000ULL << (rs.failures < 7 ? rs.failures - 1 : 6);
		if (delay > RESOLVE_RETRY_MAX_MS)
			delay = RESOLVE_RETRY_MAX_MS;
		rs.next_ms = now + delay;
		log_warnx("%s: does not resolve: %s; %s, retrying in %llu s",
		    name, rs.error, rs.naddr > 0 ? "keeping the last "
		    "addresses" : "the links wait",
		    (unsigned long long)(delay / 1000));
	}
	if (rs.again)
		resolve_start();
}

/* Is any link carrying traffic (by its last statistics)? */
static int
links_up(void)
{
	const struct session_stats	*ss;
	int				 i, j;

	for (i = 0; i < MAX_INSTANCES; i++) {
		if (!slots[i].used)
			continue;
		for (j = 0; j < MAX_SESSIONS; j++) {
			ss = &slots[i].stats[j];
			if (ss->at_ms != 0 &&
			    ss->st.state == SESSION_ESTABLISHED &&
			    ss->st.link_state != LINK_STATE_DOWN &&
			    ss->st.link_state != LINK_STATE_WAITING)
				return 1;
		}
	}
	return 0;
}

static void
resolve_tick(evutil_socket_t fd, short ev, void *arg)
{
	uint64_t	now = now_ms();

	(void)fd;
	(void)ev;
	(void)arg;
	if (links_up())
		rs.up_ms = now;
	if (rs.fd != -1) {
		if (now - rs.started_ms >= RESOLVE_TIMEOUT_MS) {
			log_warnx("%s: lookup timed out",
			    conf.peers[0].endpoint_name);
			resolve_done(NULL, "timed out");
		}
		return;
	}
	if (now < rs.next_ms)
		return;
	/* Found once: look again only while every link is down. */
	if (rs.naddr > 0 && now - rs.up_ms < RESOLVE_DOWN_MS)
		return;
	if (rs.naddr > 0)
		log_info("%s: every link down for %d s, looking it up again",
		    conf.peers[0].endpoint_name, RESOLVE_DOWN_MS / 1000);
	resolve_start();
}

/* The first lookup, before the links' sockets are made: its result, or
 * its failure after RESOLVE_START_MS. */
void
resolve_init(void)
{
	struct resolve_reply	 rep;
	struct pollfd		 pfd;
	ssize_t			 n = -1;
	int			 status;

	rs.active = conf.role == ROLE_CLIENT &&
	    conf.peers[0].endpoint_name[0] != '\0';
	if (!rs.active)
		return;
	rs.up_ms = now_ms();
	resolve_start();
	if (rs.fd == -1)
		return;
	pfd.fd = rs.fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, RESOLVE_START_MS) == 1)
		n = read(rs.fd, &rep, sizeof(rep));
	/* Not yet in the event loop: reap it here, killed if need be. */
	kill(rs.pid, SIGKILL);
	while (waitpid(rs.pid, &status, 0) == -1 && errno == EINTR)
		;
	rs.pid = 0;
	resolve_done(n == sizeof(rep) ? &rep : NULL, n == -1 ?
	    "timed out" : "lookup failed");
}

/* In the event loop: the tick and the reader of later lookups. */
void
resolve_events(void)
{
	struct timeval	second = { 1, 0 };

	if (!rs.active)
		return;
	if ((rs.ev_read = event_new(base, -1, 0, NULL, NULL)) == NULL ||
	    (rs.ev_tick = event_new(base, -1, EV_PERSIST, resolve_tick,
	    NULL)) == NULL || event_add(rs.ev_tick, &second) == -1)
		fatalx("resolver events");
}

/* After a reload: the name again, now. */
void
resolve_reload(void)
{
	if (!rs.active)
		return;
	if (rs.fd != -1)
		rs.again = 1;
	else
		resolve_start();
}

/* The reaper saw pid end: 1 if it was the lookup's child.  One that
 * died without a reply left EOF in the pipe, read as a failure. */
int
resolve_reaped(pid_t pid)
{
	if (pid == 0 || pid != rs.pid)
		return 0;
	rs.pid = 0;
	return 1;
}

int
resolve_status(struct ipc_peer_endpoint *pe)
{
	uint64_t	now = now_ms();

	if (!rs.active)
		return 0;
	memset(pe, 0, sizeof(*pe));
	snprintf(pe->peer, sizeof(pe->peer), "%s", conf.peers[0].name);
	snprintf(pe->name, sizeof(pe->name), "%s",
	    conf.peers[0].endpoint_name);
	pe->port = conf.peers[0].endpoint_port;
	if (rs.naddr > 0)
		pe->address = rs.addr[0];
	pe->failures = rs.failures;
	snprintf(pe->error, sizeof(pe->error), "%s", rs.error);
	/* Planned: the next try of a failing name, as resolve_tick()
	 * decides; due now means within the next tick. */
	if (rs.failures > 0 && rs.fd == -1 && (rs.naddr == 0 ||
	    now - rs.up_ms >= RESOLVE_DOWN_MS))
		pe->retry_s = rs.next_ms > now ?
		    (uint32_t)((rs.next_ms - now + 999) / 1000) : 1;
	return 1;
}

void
resolve_shutdown(void)
{
	resolve_kill();
}
