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
 * Accepting on ctld's listening sockets (bondctl and metrics), with a
 * pause when descriptors run out.  Runs sandboxed in ctld; it only
 * hands new sockets to their owner, which trusts nothing from them.
 */

#include <sys/socket.h>

#include <errno.h>
#include <event2/event.h>
#include <string.h>
#include <unistd.h>

#include "listener.h"
#include "log.h"

static void
listener_accept(int fd, short ev, void *arg)
{
	struct listener	*l = arg;
	struct timeval	 pause = { 1, 0 };
	int		 s;

	(void)ev;
	if ((s = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) ==
	    -1) {
		if (errno == ENFILE || errno == EMFILE) {
			/* Out of descriptors: stop for a second. */
			log_ratelimit(l->name, "%s: accept4: %s", l->name,
			    strerror(errno));
			event_del(l->ev_accept);
			evtimer_add(l->ev_pause, &pause);
		} else if (errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR && errno != ECONNABORTED)
			log_warn("%s: accept4", l->name);
		return;
	}
	l->cb(s, l->arg);
}

static void
listener_resume(int fd, short ev, void *arg)
{
	struct listener	*l = arg;

	(void)fd;
	(void)ev;
	if (!l->held)
		event_add(l->ev_accept, NULL);
}

void
listener_open(struct listener *l, struct event_base *base, int fd,
    const char *name, void (*cb)(int, void *), void *arg)
{
	l->fd = fd;
	l->name = name;
	l->cb = cb;
	l->arg = arg;
	l->held = 0;
	if ((l->ev_accept = event_new(base, fd, EV_READ | EV_PERSIST,
	    listener_accept, l)) == NULL ||
	    (l->ev_pause = evtimer_new(base, listener_resume, l)) == NULL)
		fatalx("%s: event_new", __func__);
	if (event_add(l->ev_accept, NULL) == -1)
		fatalx("%s: event_add", __func__);
}

void
listener_hold(struct listener *l)
{
	l->held = 1;
	event_del(l->ev_accept);
}

void
listener_release(struct listener *l)
{
	l->held = 0;
	/* After EMFILE the pause timer resumes. */
	if (l->ev_accept != NULL && !evtimer_pending(l->ev_pause, NULL))
		event_add(l->ev_accept, NULL);
}

void
listener_close(struct listener *l)
{
	if (l->ev_accept != NULL) {
		event_free(l->ev_accept);
		event_free(l->ev_pause);
		l->ev_accept = l->ev_pause = NULL;
	}
	if (l->fd != -1) {
		close(l->fd);
		l->fd = -1;
	}
}
