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
 * Framing of the control messages between bondd processes (parent,
 * core, linkd, ctld) and between bondctl and ctld.  Every message is a
 * fixed 16-byte header plus a payload of at most the channel's maximum
 * size, carrying at most one file descriptor.  The messages themselves
 * are in messages.h.  Every receiver checks type, length, fd presence
 * and the sender's state before use: see struct ipc_accept.
 */

#ifndef IPC_H
#define IPC_H

#include <sys/queue.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <stddef.h>
#include <stdint.h>

#include "bondd.h"
#include "messages.h"

#define IPC_VERSION		1
#define IPC_HDR_SIZE		16
#define IPC_MAXSIZE		65536	/* internal channels, header included */
#define IPC_CTL_MAXSIZE		16384	/* bondctl <-> ctld */
#define IPC_FD_MARK		(1U << 31)	/* in hdr.len: an fd is attached */
/* bondctl reads the core's statistics as one record. */
_Static_assert(IPC_HDR_SIZE + sizeof(struct ipc_core_stats) <=
    IPC_CTL_MAXSIZE, "ipc_core_stats too large for the control channel");

/* The key channel carries hellos and struct ipc_dh only. */
#define IPC_KEYS_MAXSIZE	(IPC_HDR_SIZE + sizeof(struct ipc_dh))
_Static_assert(sizeof(struct ipc_hello) <= sizeof(struct ipc_dh),
    "a hello fits the key channel");

struct ipc_hdr {			/* host byte order: same host only */
	uint32_t	type;		/* enum ipc_type */
	uint32_t	len;		/* header + payload, | IPC_FD_MARK */
	uint32_t	id;		/* link index, generation, request id */
	uint32_t	pid;		/* bondctl pid to route a reply */
};
_Static_assert(sizeof(struct ipc_hdr) == IPC_HDR_SIZE, "ipc_hdr size");

/* A received message.  The payload points into the channel buffer and is
 * valid until the next ipc_get() or ipc_read() on that channel. */
struct ipc_msg {
	struct ipc_hdr	 hdr;		/* len without IPC_FD_MARK */
	const uint8_t	*data;
	size_t		 len;		/* payload length */
	size_t		 off;		/* read position for ipc_msg_get() */
	int		 fd;		/* -1 if none */
};

struct ipc_buf;
TAILQ_HEAD(ipc_bufq, ipc_buf);

#define IPC_F_FDPASS	0x01	/* channel may carry fds (parent <-> child) */

struct event;
struct event_base;
struct ipc_chan;

/*
 * msg is NULL when the channel closed, failed or sent a malformed frame;
 * the callback must then stop using (and usually free) the channel.  The
 * events are already deleted then, so it is called with NULL only once.
 *
 * While handling any message the callback may call ipc_event_del() or
 * ipc_clear() and then free the channel: the dispatch loop notices and
 * touches neither the channel nor its buffer again.  A channel must
 * always be cleared (or its events deleted) before it is freed.  The
 * message itself is released with ipc_msg_free() after the callback
 * returns; take the fd with ipc_msg_take_fd() to keep it.
 */
typedef void (*ipc_dispatch_fn)(struct ipc_chan *, struct ipc_msg *, void *);

struct ipc_chan {
	int		 fd;
	int		 flags;		/* IPC_F_* */
	size_t		 maxsize;	/* largest frame, header included */
	const char	*peer;		/* for log lines: "core", "linkd wan1" */
	uint8_t		*rbuf;		/* maxsize bytes */
	size_t		 rlen;		/* bytes in rbuf */
	size_t		 rpos;		/* start of the next frame */
	int		 rfds[4];	/* fds received, not yet matched */
	int		 nrfds;
	struct ipc_bufq	 wq;		/* queued frames */
	size_t		 wqlen;		/* frames queued */
	size_t		 wqbytes;	/* their bytes */
	size_t		 wqmax;		/* bound of wqbytes, 0 = none */
	struct event_base *base;
	struct event	*rev, *wev;
	ipc_dispatch_fn	 dispatch;
	void		*arg;
	/* Private to common/ipc*.c. */
	uint64_t	 rbase;		/* stream offset of rbuf[0] */
	uint64_t	 rfd_from[4];	/* stream span of the read that */
	uint64_t	 rfd_to[4];	/* brought rfds[i] */
	int		*gone;		/* set while dispatching */
};

/* The payload bounds of a type; a table of them ends with type 0. */
struct ipc_rule {
	uint32_t	type;
	uint32_t	min, max;	/* payload length bounds */
	int		fd;		/* 1: fd required, 0: none allowed */
};

/* Every type of messages.h with its bounds, in catalogue order. */
extern const struct ipc_rule ipc_catalogue[IPC_NTYPES + 1];

/*
 * The states of a channel as its receiver sees the sender.  Every
 * channel starts in IPC_S_HELLO, where only IPC_HELLO is accepted.
 * Between the parent and a child it then passes IPC_S_CONF while the
 * configuration arrives and reaches IPC_S_RUNNING: the child at the
 * parent's IPC_CONF_END, the parent at the child's IPC_READY.  A
 * bondctl connection goes from IPC_S_HELLO to IPC_S_RUNNING.
 */
enum ipc_state {
	IPC_S_SAME = 0,		/* in a rule: the state stays */
	IPC_S_HELLO,
	IPC_S_CONF,
	IPC_S_RUNNING
};
#define IPC_IN_HELLO	(1U << IPC_S_HELLO)
#define IPC_IN_CONF	(1U << IPC_S_CONF)
#define IPC_IN_RUNNING	(1U << IPC_S_RUNNING)
#define IPC_IN_STARTED	(IPC_IN_CONF | IPC_IN_RUNNING)	/* after hello */

#define IPC_MANY	0
#define IPC_ONCE	1

/*
 * A rule of a receiver's table, which ends with type 0: the type is
 * accepted in the states of `in`, only once over the channel's life if
 * IPC_ONCE, only after a message of type `after` was accepted (0: no
 * such condition), and moves the sender on to state `to` unless it is
 * there or past it already.  A table lists the startup in its order.
 */
struct ipc_accept {
	uint32_t	type;
	uint32_t	in;		/* IPC_IN_* */
	int		once;		/* IPC_ONCE or IPC_MANY */
	uint32_t	after;
	enum ipc_state	to;
};

/* One sender, as its receiver's table has followed it so far. */
struct ipc_role {
	const struct ipc_accept	*rules;
	enum ipc_state		 state;
	uint64_t		 seen;	/* bit i: ipc_catalogue[i] accepted */
};
_Static_assert(IPC_NTYPES <= 64, "one bit of ipc_role.seen per type");

/* ipc_init(chan, fd, IPC_F_*, maxsize, peer name): 0 or -1. */
int	 ipc_init(struct ipc_chan *, int, int, size_t, const char *);
void	 ipc_clear(struct ipc_chan *);	/* close fd, free queues */
/*
 * Queue one frame: (chan, type, id, pid, fd, payload).  The fd (or -1)
 * belongs to the channel once the call succeeds: it is sent with the
 * frame and then closed.  On failure the caller still owns it.  -1 with
 * EMSGSIZE if the frame exceeds maxsize, EINVAL for an fd on a channel
 * without IPC_F_FDPASS, ENOBUFS if the queue would pass wqmax (the
 * peer does not read).
 */
int	 ipc_compose(struct ipc_chan *, uint32_t, uint32_t, uint32_t, int,
	    const void *, size_t);
int	 ipc_composev(struct ipc_chan *, uint32_t, uint32_t, uint32_t, int,
	    const struct iovec *, int);
int	 ipc_write(struct ipc_chan *);	/* -1 err, 0 pending, 1 all sent */
int	 ipc_flush(struct ipc_chan *);	/* blocking: -1 or 0 */
/* -1 err (EAGAIN: nothing to read), 0 EOF, else bytes.  On IPC_F_FDPASS
 * channels more than one fd per read, or a truncated control message,
 * closes every pending fd and fails. */
ssize_t	 ipc_read(struct ipc_chan *);
/* -1 malformed (drop the peer), 0 no complete frame, 1 msg filled in.
 * An fd must arrive with the first byte of a frame carrying
 * IPC_FD_MARK; a missing fd, or an fd that arrived with a frame
 * without the mark, is malformed and all pending fds are closed. */
int	 ipc_get(struct ipc_chan *, struct ipc_msg *);
int	 ipc_msg_get(struct ipc_msg *, void *, size_t);
int	 ipc_msg_get_str(struct ipc_msg *, char *, size_t);
int	 ipc_msg_take_fd(struct ipc_msg *);
int	 ipc_msg_end(const struct ipc_msg *);	/* 0 if fully consumed */
void	 ipc_msg_free(struct ipc_msg *);	/* closes an untaken fd */
/* The rule for msg's type if msg meets its bounds, else NULL with
 * why set. */
const struct ipc_rule *ipc_check(const struct ipc_rule *,
	    const struct ipc_msg *, const char **);
const char *ipc_type_name(uint32_t);
const char *ipc_res_str(uint32_t);

/* A sender starts in IPC_S_HELLO with nothing seen.  ipc_role_accept()
 * returns the rule that accepts msg and moves the sender's state, or
 * NULL with why set: the receiver then drops the sender. */
void	 ipc_role_init(struct ipc_role *, const struct ipc_accept *);
const struct ipc_accept *ipc_role_accept(struct ipc_role *,
	    const struct ipc_msg *, const char **);

/* libevent glue: read events always, write events while frames are
 * queued; every complete frame goes to the dispatch function. */
int	 ipc_event_set(struct ipc_chan *, struct event_base *,
	    ipc_dispatch_fn, void *);
void	 ipc_event_del(struct ipc_chan *);
/* Compose and arm the write event (without events: leave it queued
 * for ipc_flush()). */
int	 ipc_send(struct ipc_chan *, uint32_t, uint32_t, uint32_t, int,
	    const void *, size_t);
/* Queue IPC_HELLO as ipc_send() does; check a received one (0 or -1,
 * logging what differs). */
int	 ipc_hello_send(struct ipc_chan *, enum proc_id, uint32_t);
int	 ipc_hello_check(const struct ipc_msg *, enum proc_id);

#endif /* IPC_H */
