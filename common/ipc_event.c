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
 * libevent glue for IPC channels, and the IPC_HELLO handshake every
 * channel starts with.  Linked into every process; the frames it hands
 * to dispatch functions come from a less trusted peer and have only
 * been checked for framing, not for content.
 */

#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <string.h>

#include <event.h>

#include "ipc.h"
#include "log.h"

static void	ipc_event_read(int, short, void *);
static void	ipc_event_write(int, short, void *);
static void	ipc_event_fail(struct ipc_chan *);

int
ipc_event_set(struct ipc_chan *chan, struct event_base *base,
    ipc_dispatch_fn fn, void *arg)
{
	ipc_event_del(chan);
	chan->base = base;
	chan->dispatch = fn;
	chan->arg = arg;
	chan->rev = event_new(base, chan->fd, EV_READ | EV_PERSIST,
	    ipc_event_read, chan);
	chan->wev = event_new(base, chan->fd, EV_WRITE, ipc_event_write, chan);
	if (chan->rev == NULL || chan->wev == NULL ||
	    event_add(chan->rev, NULL) == -1 ||
	    (chan->wqlen > 0 && event_add(chan->wev, NULL) == -1)) {
		ipc_event_del(chan);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/*
 * Also called from ipc_clear(), possibly inside a dispatch function:
 * tell the running dispatch loop that the channel may be gone.
 */
void
ipc_event_del(struct ipc_chan *chan)
{
	if (chan->rev != NULL)
		event_free(chan->rev);
	if (chan->wev != NULL)
		event_free(chan->wev);
	chan->rev = chan->wev = NULL;
	chan->base = NULL;
	if (chan->gone != NULL)
		*chan->gone = 1;
	chan->gone = NULL;
}

/* Report the channel dead once: the events go first. */
static void
ipc_event_fail(struct ipc_chan *chan)
{
	ipc_dispatch_fn	 fn = chan->dispatch;
	void		*arg = chan->arg;

	ipc_event_del(chan);
	fn(chan, NULL, arg);
}

static void
ipc_event_read(int fd, short ev, void *arg)
{
	struct ipc_chan	*chan = arg;
	struct ipc_msg	 msg;
	ssize_t		 n;
	int		 gone = 0, r;

	(void)fd;
	(void)ev;
	if ((n = ipc_read(chan)) == -1 &&
	    (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n == -1)
		log_warn("read from %s", chan->peer);
	if (n <= 0) {
		ipc_event_fail(chan);
		return;
	}

	chan->gone = &gone;
	for (;;) {
		if ((r = ipc_get(chan, &msg)) == 0)
			break;
		if (r == -1) {
			log_warnx("malformed message from %s", chan->peer);
			ipc_event_fail(chan);
			return;
		}
		chan->dispatch(chan, &msg, chan->arg);
		ipc_msg_free(&msg);
		if (gone)
			return;
	}
	chan->gone = NULL;
}

static void
ipc_event_write(int fd, short ev, void *arg)
{
	struct ipc_chan	*chan = arg;
	int		 r;

	(void)fd;
	(void)ev;
	if ((r = ipc_write(chan)) == -1) {
		log_warn("write to %s", chan->peer);
		ipc_event_fail(chan);
		return;
	}
	if (r == 0 && event_add(chan->wev, NULL) == -1) {
		log_warnx("write event for %s", chan->peer);
		ipc_event_fail(chan);
	}
}

int
ipc_send(struct ipc_chan *chan, uint32_t type, uint32_t id, uint32_t pid,
    int fd, const void *data, size_t len)
{
	if (ipc_compose(chan, type, id, pid, fd, data, len) == -1)
		return -1;
	if (chan->wev != NULL && !event_pending(chan->wev, EV_WRITE, NULL))
		return event_add(chan->wev, NULL);
	return 0;
}

int
ipc_hello_send(struct ipc_chan *chan, enum proc_id proc, uint32_t instance)
{
	struct ipc_hello	hello;

	memset(&hello, 0, sizeof(hello));
	hello.version = IPC_VERSION;
	hello.proc = proc;
	hello.instance = instance;
	strncpy(hello.build, BONDD_VERSION, sizeof(hello.build));
	return ipc_send(chan, IPC_HELLO, instance, 0, -1, &hello,
	    sizeof(hello));
}

static const char *
proc_name(uint32_t proc)
{
	return proc < PROC_MAX ? proc_names[proc] : "unknown process";
}

int
ipc_hello_check(const struct ipc_msg *msg, enum proc_id expect)
{
	struct ipc_hello	hello;
	char			build[sizeof(hello.build)];
	char			want[sizeof(hello.build)];
	size_t			i;

	if (msg->hdr.type != IPC_HELLO) {
		log_warnx("%s: expected IPC_HELLO, got %s", proc_name(expect),
		    ipc_type_name(msg->hdr.type));
		return -1;
	}
	if (msg->len != sizeof(hello)) {
		log_warnx("%s: IPC_HELLO of %zu bytes, expected %zu: "
		    "restart bondd", proc_name(expect), msg->len,
		    sizeof(hello));
		return -1;
	}
	memcpy(&hello, msg->data, sizeof(hello));
	if (hello.version != IPC_VERSION) {
		log_warnx("%s: IPC version %u, expected %u: restart bondd",
		    proc_name(expect), hello.version, IPC_VERSION);
		return -1;
	}
	memset(want, 0, sizeof(want));
	strncpy(want, BONDD_VERSION, sizeof(want));
	if (memcmp(hello.build, want, sizeof(want)) != 0) {
		/* The peer's string is untrusted: show printable bytes only. */
		for (i = 0; i < sizeof(build) - 1 && hello.build[i] != '\0';
		    i++)
			build[i] = isprint((unsigned char)hello.build[i]) ?
			    hello.build[i] : '?';
		build[i] = '\0';
		log_warnx("%s: build \"%s\"%s, expected \"%s\": "
		    "restart bondd", proc_name(expect), build,
		    strcmp(build, BONDD_VERSION) == 0 ? " (bad padding)" : "",
		    BONDD_VERSION);
		return -1;
	}
	if (hello.proc != (uint32_t)expect) {
		log_warnx("IPC_HELLO from %s, expected %s",
		    proc_name(hello.proc), proc_name(expect));
		return -1;
	}
	return 0;
}
