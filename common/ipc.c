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
 * Message framing between bondd processes: queueing, sending and
 * receiving frames with an optional fd, and the catalogue of message
 * types (messages.h) with their names and bounds.  Linked into every
 * process, privileged or not.  The bytes come from a less trusted
 * peer (a sandboxed child, or any local user's bondctl on ctld's
 * socket): every length is checked before use and no fd is accepted
 * that the framing does not expect.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipc.h"

#define IPC_WRITE_IOV	32	/* frames per sendmsg() */
#define IPC_RFDS	4	/* size of ipc_chan rfds[] */

const char *const proc_names[PROC_MAX] = {
	"parent", "core", "linkd", "ctld", "bondctl"
};

struct ipc_buf {
	TAILQ_ENTRY(ipc_buf)	 entry;
	size_t			 len;
	size_t			 off;	/* bytes already sent */
	int			 fd;	/* -1 once sent or if none */
	uint8_t			 data[];
};

static void	ipc_rfds_close(struct ipc_chan *);
static void	ipc_rfd_shift(struct ipc_chan *);

int
ipc_init(struct ipc_chan *chan, int fd, int flags, size_t maxsize,
    const char *peer)
{
	int	fl;

	memset(chan, 0, sizeof(*chan));
	chan->fd = -1;
	TAILQ_INIT(&chan->wq);
	if (maxsize < IPC_HDR_SIZE || maxsize >= IPC_FD_MARK) {
		errno = EINVAL;
		return -1;
	}
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		return -1;
	if ((chan->rbuf = malloc(maxsize)) == NULL)
		return -1;
	chan->fd = fd;
	chan->flags = flags;
	chan->maxsize = maxsize;
	chan->peer = peer;
	return 0;
}

void
ipc_clear(struct ipc_chan *chan)
{
	struct ipc_buf	*b;

	ipc_event_del(chan);
	while ((b = TAILQ_FIRST(&chan->wq)) != NULL) {
		TAILQ_REMOVE(&chan->wq, b, entry);
		if (b->fd != -1)
			close(b->fd);
		free(b);
	}
	chan->wqlen = chan->wqbytes = 0;
	ipc_rfds_close(chan);
	free(chan->rbuf);
	chan->rbuf = NULL;
	chan->rlen = chan->rpos = 0;
	if (chan->fd != -1)
		close(chan->fd);
	chan->fd = -1;
}

int
ipc_compose(struct ipc_chan *chan, uint32_t type, uint32_t id, uint32_t pid,
    int fd, const void *data, size_t len)
{
	struct iovec	iov;

	iov.iov_base = (void *)data;
	iov.iov_len = len;
	return ipc_composev(chan, type, id, pid, fd, &iov, len ? 1 : 0);
}

int
ipc_composev(struct ipc_chan *chan, uint32_t type, uint32_t id, uint32_t pid,
    int fd, const struct iovec *iov, int iovcnt)
{
	struct ipc_buf	*b;
	struct ipc_hdr	 hdr;
	size_t		 len = IPC_HDR_SIZE, off;
	int		 i;

	if (fd != -1 && !(chan->flags & IPC_F_FDPASS)) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len > chan->maxsize - len) {
			errno = EMSGSIZE;
			return -1;
		}
		len += iov[i].iov_len;
	}
	if (chan->wqmax != 0 && chan->wqbytes + len > chan->wqmax) {
		errno = ENOBUFS;
		return -1;
	}
	if ((b = malloc(sizeof(*b) + len)) == NULL)
		return -1;
	hdr.type = type;
	hdr.len = len | (fd != -1 ? IPC_FD_MARK : 0);
	hdr.id = id;
	hdr.pid = pid;
	memcpy(b->data, &hdr, sizeof(hdr));
	for (i = 0, off = IPC_HDR_SIZE; i < iovcnt; i++) {
		if (iov[i].iov_len == 0)
			continue;
		memcpy(b->data + off, iov[i].iov_base, iov[i].iov_len);
		off += iov[i].iov_len;
	}
	b->len = len;
	b->off = 0;
	b->fd = fd;
	TAILQ_INSERT_TAIL(&chan->wq, b, entry);
	chan->wqlen++;
	chan->wqbytes += len;
	return 0;
}

/*
 * Send as much of the queue as the socket takes.  A frame carrying an
 * fd always starts its own sendmsg() so that the kernel attaches the fd
 * to the frame's first byte, which is what the receiver checks.
 */
int
ipc_write(struct ipc_chan *chan)
{
	struct iovec	 iov[IPC_WRITE_IOV];
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cmsgbuf;
	struct msghdr	 msg;
	struct cmsghdr	*cmsg;
	struct ipc_buf	*b, *first;
	ssize_t		 n;
	size_t		 chunk;
	int		 i;

	while ((first = TAILQ_FIRST(&chan->wq)) != NULL) {
		memset(&msg, 0, sizeof(msg));
		i = 0;
		TAILQ_FOREACH(b, &chan->wq, entry) {
			if (i == IPC_WRITE_IOV || (b != first && b->fd != -1))
				break;
			iov[i].iov_base = b->data + b->off;
			iov[i].iov_len = b->len - b->off;
			i++;
		}
		msg.msg_iov = iov;
		msg.msg_iovlen = i;
		if (first->fd != -1) {
			memset(&cmsgbuf, 0, sizeof(cmsgbuf));
			msg.msg_control = cmsgbuf.buf;
			msg.msg_controllen = sizeof(cmsgbuf.buf);
			cmsg = CMSG_FIRSTHDR(&msg);
			cmsg->cmsg_len = CMSG_LEN(sizeof(int));
			cmsg->cmsg_level = SOL_SOCKET;
			cmsg->cmsg_type = SCM_RIGHTS;
			memcpy(CMSG_DATA(cmsg), &first->fd, sizeof(int));
		}
		if ((n = sendmsg(chan->fd, &msg, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -1;
		}
		if (first->fd != -1) {
			/* The kernel holds its own reference now. */
			close(first->fd);
			first->fd = -1;
		}
		while (n > 0 && (b = TAILQ_FIRST(&chan->wq)) != NULL) {
			chunk = b->len - b->off;
			if ((size_t)n < chunk) {
				b->off += n;
				break;
			}
			n -= chunk;
			TAILQ_REMOVE(&chan->wq, b, entry);
			chan->wqlen--;
			chan->wqbytes -= b->len;
			free(b);
		}
	}
	return 1;
}

int
ipc_flush(struct ipc_chan *chan)
{
	struct pollfd	pfd;
	int		r;

	for (;;) {
		if ((r = ipc_write(chan)) == -1)
			return -1;
		if (r == 1)
			return 0;
		pfd.fd = chan->fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, -1) == -1 && errno != EINTR)
			return -1;
	}
}

static void
ipc_rfds_close(struct ipc_chan *chan)
{
	int	i;

	for (i = 0; i < chan->nrfds; i++)
		close(chan->rfds[i]);
	chan->nrfds = 0;
}

static void
ipc_rfd_shift(struct ipc_chan *chan)
{
	int	i;

	for (i = 1; i < chan->nrfds; i++) {
		chan->rfds[i - 1] = chan->rfds[i];
		chan->rfd_from[i - 1] = chan->rfd_from[i];
		chan->rfd_to[i - 1] = chan->rfd_to[i];
	}
	chan->nrfds--;
}

/*
 * Receive fds from a control message.  Our sender attaches exactly one
 * fd per sendmsg(), and the kernel never merges a read past the data
 * an fd came with, so more than one fd in one read is a protocol error.
 */
static int
ipc_recv_fds(struct ipc_chan *chan, struct msghdr *msg, uint64_t from,
    uint64_t to)
{
	struct cmsghdr	*cmsg;
	int		 fds[IPC_RFDS];
	int		 fd, i, n, nfds = 0, bad = 0;

	for (cmsg = CMSG_FIRSTHDR(msg); cmsg != NULL;
	    cmsg = CMSG_NXTHDR(msg, cmsg)) {
		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(cmsg) + i * sizeof(int),
			    sizeof(int));
			if (nfds < IPC_RFDS)
				fds[nfds++] = fd;
			else {
				close(fd);
				bad = 1;
			}
		}
	}
	if (nfds > 1 || chan->nrfds + nfds > IPC_RFDS ||
	    (msg->msg_flags & MSG_CTRUNC))
		bad = 1;
	if (bad) {
		for (i = 0; i < nfds; i++)
			close(fds[i]);
		ipc_rfds_close(chan);
		errno = EBADMSG;
		return -1;
	}
	for (i = 0; i < nfds; i++) {
		chan->rfds[chan->nrfds] = fds[i];
		chan->rfd_from[chan->nrfds] = from;
		chan->rfd_to[chan->nrfds] = to;
		chan->nrfds++;
	}
	return 0;
}

ssize_t
ipc_read(struct ipc_chan *chan)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int) * IPC_RFDS)];
	} cmsgbuf;
	struct msghdr	msg;
	struct iovec	iov;
	uint64_t	from;
	ssize_t		n;

	if (chan->rpos > 0) {
		memmove(chan->rbuf, chan->rbuf + chan->rpos,
		    chan->rlen - chan->rpos);
		chan->rbase += chan->rpos;
		chan->rlen -= chan->rpos;
		chan->rpos = 0;
	}
	if (chan->rlen == chan->maxsize) {
		/* A complete frame is waiting for ipc_get(). */
		errno = ENOBUFS;
		return -1;
	}
	iov.iov_base = chan->rbuf + chan->rlen;
	iov.iov_len = chan->maxsize - chan->rlen;

	if (!(chan->flags & IPC_F_FDPASS)) {
		/* read(2): the kernel discards any fd a client sends. */
		while ((n = read(chan->fd, iov.iov_base, iov.iov_len)) == -1 &&
		    errno == EINTR)
			;
		if (n > 0)
			chan->rlen += n;
		return n;
	}

	memset(&msg, 0, sizeof(msg));
	memset(&cmsgbuf, 0, sizeof(cmsgbuf));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cmsgbuf.buf;
	msg.msg_controllen = sizeof(cmsgbuf.buf);
	while ((n = recvmsg(chan->fd, &msg, MSG_CMSG_CLOEXEC)) == -1 &&
	    errno == EINTR)
		;
	if (n == -1)
		return -1;
	from = chan->rbase + chan->rlen;
	if (ipc_recv_fds(chan, &msg, from, from + n) == -1)
		return -1;
	chan->rlen += n;
	return n;
}

int
ipc_get(struct ipc_chan *chan, struct ipc_msg *msg)
{
	struct ipc_hdr	hdr;
	uint64_t	start, end;
	size_t		len;
	int		mark, fd = -1;

	if (chan->rlen - chan->rpos < IPC_HDR_SIZE)
		return 0;
	memcpy(&hdr, chan->rbuf + chan->rpos, sizeof(hdr));
	mark = (hdr.len & IPC_FD_MARK) != 0;
	len = hdr.len & ~IPC_FD_MARK;
	if (len < IPC_HDR_SIZE || len > chan->maxsize)
		goto bad;
	if (chan->rlen - chan->rpos < len)
		return 0;

	start = chan->rbase + chan->rpos;
	end = start + len;
	if (mark) {
		/* The oldest fd must have come with this frame's start. */
		if (chan->nrfds == 0 || chan->rfd_from[0] > start ||
		    chan->rfd_to[0] <= start)
			goto bad;
		fd = chan->rfds[0];
		ipc_rfd_shift(chan);
	}
	/* An fd whose read ended inside this frame has no frame left. */
	if (chan->nrfds > 0 && chan->rfd_to[0] <= end) {
		if (fd != -1)
			close(fd);
		goto bad;
	}

	msg->hdr = hdr;
	msg->hdr.len = len;
	msg->data = chan->rbuf + chan->rpos + IPC_HDR_SIZE;
	msg->len = len - IPC_HDR_SIZE;
	msg->off = 0;
	msg->fd = fd;
	chan->rpos += len;
	if (chan->rpos == chan->rlen) {
		chan->rbase += chan->rlen;
		chan->rpos = chan->rlen = 0;
	}
	return 1;

 bad:
	ipc_rfds_close(chan);
	errno = EBADMSG;
	return -1;
}

int
ipc_msg_get(struct ipc_msg *msg, void *dst, size_t n)
{
	if (n > msg->len - msg->off)
		return -1;
	if (n > 0)
		memcpy(dst, msg->data + msg->off, n);
	msg->off += n;
	return 0;
}

/*
 * The rest of the payload as a string: it travels without NUL, so an
 * embedded NUL (a truncation trick) or one that does not fit is refused.
 */
int
ipc_msg_get_str(struct ipc_msg *msg, char *buf, size_t size)
{
	size_t	n = msg->len - msg->off;

	if (size == 0 || n >= size)
		return -1;
	if (n > 0 && memchr(msg->data + msg->off, '\0', n) != NULL)
		return -1;
	if (n > 0)
		memcpy(buf, msg->data + msg->off, n);
	buf[n] = '\0';
	msg->off += n;
	return 0;
}

int
ipc_msg_take_fd(struct ipc_msg *msg)
{
	int	fd = msg->fd;

	msg->fd = -1;
	return fd;
}

int
ipc_msg_end(const struct ipc_msg *msg)
{
	return msg->off == msg->len ? 0 : -1;
}

void
ipc_msg_free(struct ipc_msg *msg)
{
	if (msg->fd != -1)
		close(msg->fd);
	msg->fd = -1;
}

const struct ipc_rule ipc_catalogue[IPC_NTYPES + 1] = {
#define IPC_CATALOGUE_RULE(type, value, payload)	{ type, payload },
	IPC_MESSAGES(IPC_CATALOGUE_RULE)
#undef IPC_CATALOGUE_RULE
	{ 0, 0, 0, 0 }
};

const struct ipc_rule *
ipc_check(const struct ipc_rule *rules, const struct ipc_msg *msg,
    const char **why)
{
	const struct ipc_rule	*r;

	for (r = rules; r->type != 0; r++)
		if (r->type == msg->hdr.type)
			break;
	if (r->type == 0) {
		*why = "unexpected type";
		return NULL;
	}
	if (msg->len < r->min || msg->len > r->max) {
		*why = "bad length";
		return NULL;
	}
	if (r->fd && msg->fd == -1) {
		*why = "missing fd";
		return NULL;
	}
	if (!r->fd && msg->fd != -1) {
		*why = "unexpected fd";
		return NULL;
	}
	*why = NULL;
	return r;
}

const char *
ipc_type_name(uint32_t type)
{
	static char	buf[32];

	/* A value given twice in the catalogue fails here at compile time. */
	switch (type) {
#define IPC_TYPE_CASE(type, value, payload)	case type: return #type;
	IPC_MESSAGES(IPC_TYPE_CASE)
#undef IPC_TYPE_CASE
	}
	snprintf(buf, sizeof(buf), "IPC_UNKNOWN(0x%x)", type);
	return buf;
}

const char *
ipc_res_str(uint32_t code)
{
	static const char *const res[CTL_RES_MAX] = {
		[CTL_RES_OK] = "ok",
		[CTL_RES_DENIED] = "permission denied",
		[CTL_RES_BADMSG] = "malformed request",
		[CTL_RES_NOSUCHLINK] = "no such link",
		[CTL_RES_PARSE_ERROR] = "configuration error",
		[CTL_RES_PENDING] = "reload already in progress",
		[CTL_RES_VERSION] = "bondctl and bondd versions differ",
		[CTL_RES_FAILED] = "request failed",
	};

	if (code >= CTL_RES_MAX)
		return "unknown result";
	return res[code];
}
