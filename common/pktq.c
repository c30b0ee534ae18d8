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
 * The packet queue between the core and one linkd, both unprivileged
 * and sandboxed.  The transport is a SOCK_SEQPACKET socketpair created
 * by the parent, one element per datagram, moved in batches of
 * PKTQ_BATCH with sendmmsg(2)/recvmmsg(2): one syscall per batch, no
 * allocation per packet, never blocking.  Everything about the
 * transport lives in this file, behind an interface kept small on
 * purpose (open, put, flush, get, and an fd to wait on) so that the
 * transport can later become a ring in memory shared by the two
 * processes without changing the core or linkd.  The peer is another
 * sandboxed process, so each received element is validated (size,
 * length field, type) and a bad one is dropped and counted, never
 * trusted.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pktq.h"

#define PKTQ_SOCKBUF	(4 * 1024 * 1024)
/* Batches of garbage read per pktq_get() before it gives the loop back. */
#define PKTQ_GET_ROUNDS	4

struct pktq {
	int		 fd;
	int		 nout;		/* elements queued to send */
	size_t		 soff;		/* bytes used in sbuf */
	int		 eof;		/* peer closed, seen by pktq_get */
	uint64_t	 dropped;
	struct mmsghdr	 smsg[PKTQ_BATCH];
	struct iovec	 siov[PKTQ_BATCH][2];
	struct pktq_hdr	 shdr[PKTQ_BATCH];
	struct mmsghdr	 rmsg[PKTQ_BATCH];
	struct iovec	 riov[PKTQ_BATCH];
	/* Frames to send, packed end to end: a batch touches the pages
	 * its bytes need, not PKTQ_BATCH times the largest frame. */
	uint8_t		 sbuf[PKTQ_BATCH * PKTQ_FRAME_MAX];
};

/* The FORCE variants need CAP_NET_ADMIN, which only the parent has. */
static int
pktq_bufsize(int fd)
{
	int	size = PKTQ_SOCKBUF;

	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size,
	    sizeof(size)) == -1 &&
	    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)) == -1)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
	    sizeof(size)) == -1 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) == -1)
		return -1;
	return 0;
}

int
pktq_socketpair(int sv[2])
{
	int	saved;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0, sv) == -1)
		return -1;
	if (pktq_bufsize(sv[0]) == -1 || pktq_bufsize(sv[1]) == -1) {
		saved = errno;
		close(sv[0]);
		close(sv[1]);
		errno = saved;
		return -1;
	}
	return 0;
}

struct pktq *
pktq_open(int fd)
{
	struct pktq	*q;
	int		 i;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	q->fd = fd;
	for (i = 0; i < PKTQ_BATCH; i++) {
		q->siov[i][0].iov_base = &q->shdr[i];
		q->siov[i][0].iov_len = sizeof(q->shdr[i]);
		q->smsg[i].msg_hdr.msg_iov = q->siov[i];
		q->smsg[i].msg_hdr.msg_iovlen = 2;
		q->rmsg[i].msg_hdr.msg_iov = &q->riov[i];
		q->rmsg[i].msg_hdr.msg_iovlen = 1;
	}
	return q;
}

/* Unsent elements are discarded; the fd is closed. */
void
pktq_close(struct pktq *q)
{
	if (q == NULL)
		return;
	close(q->fd);
	free(q);
}

int
pktq_fd(const struct pktq *q)
{
	return q->fd;
}

uint64_t
pktq_dropped(const struct pktq *q)
{
	return q->dropped;
}

int
pktq_put(struct pktq *q, const struct pktq_hdr *hdr, const void *frame,
    size_t len)
{
	int	i = q->nout;

	if (len > PKTQ_FRAME_MAX) {
		q->dropped++;
		errno = EMSGSIZE;
		return -1;
	}
	q->shdr[i] = *hdr;
	q->shdr[i].len = len;
	/* At most PKTQ_BATCH - 1 frames before this one: it fits. */
	q->siov[i][1].iov_base = q->sbuf + q->soff;
	q->siov[i][1].iov_len = len;
	if (len > 0)
		memcpy(q->sbuf + q->soff, frame, len);
	q->soff += len;
	if (++q->nout == PKTQ_BATCH)
		return pktq_flush(q);
	return 0;
}

/*
 * A full peer loses the rest of the batch: the data path must not
 * block, and the protocol above recovers lost packets like lost UDP.
 */
int
pktq_flush(struct pktq *q)
{
	int	sent = 0, r;

	while (sent < q->nout) {
		r = sendmmsg(q->fd, q->smsg + sent, q->nout - sent,
		    MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			q->dropped += q->nout - sent;
			q->nout = 0;
			q->soff = 0;
			return -1;
		}
		sent += r;
	}
	q->nout = 0;
	q->soff = 0;
	return 0;
}

static int
pktq_valid(const struct mmsghdr *m, const struct pktq_elem *e)
{
	size_t	size = m->msg_len;

	if (m->msg_hdr.msg_flags & MSG_TRUNC)
		return 0;
	if (size < sizeof(e->hdr) || e->hdr.len != size - sizeof(e->hdr) ||
	    e->hdr.len > PKTQ_FRAME_MAX)
		return 0;
	switch (e->hdr.type) {
	case PKTQ_DATA:
	case PKTQ_SESSION_UP:
	case PKTQ_SESSION_DOWN:
	case PKTQ_LINK_INFO:
		return 1;
	}
	return 0;
}

/*
 * On a SOCK_SEQPACKET socket a closed peer reads as a zero-length
 * datagram; it ends the batch and the next call reports EPIPE.
 * A batch of nothing but malformed elements is read again, so that
 * good ones behind it are not left waiting, but only PKTQ_GET_ROUNDS
 * times: a peer that writes only garbage costs at most that many
 * batches per wake-up and cannot keep the caller's event loop here.
 */
int
pktq_get(struct pktq *q, struct pktq_elem *elems, int n)
{
	int	i, r, got = 0, rounds = 0;

	if (n <= 0)
		return 0;
	if (n > PKTQ_BATCH)
		n = PKTQ_BATCH;
	while (got == 0 && !q->eof && rounds++ < PKTQ_GET_ROUNDS) {
		for (i = 0; i < n; i++) {
			q->riov[i].iov_base = &elems[i];
			q->riov[i].iov_len = sizeof(elems[i]);
			q->rmsg[i].msg_hdr.msg_flags = 0;
		}
		r = recvmmsg(q->fd, q->rmsg, n, MSG_DONTWAIT, NULL);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -1;
		}
		for (i = 0; i < r; i++) {
			if (q->rmsg[i].msg_len == 0) {
				q->eof = 1;
				break;
			}
			if (!pktq_valid(&q->rmsg[i], &elems[i])) {
				q->dropped++;
				continue;
			}
			if (got != i) {
				elems[got].hdr = elems[i].hdr;
				memcpy(elems[got].frame, elems[i].frame,
				    elems[i].hdr.len);
			}
			got++;
		}
		/* A short batch means the socket is drained. */
		if (r < n)
			break;
	}
	if (got == 0 && q->eof) {
		errno = EPIPE;
		return -1;
	}
	return got;
}
