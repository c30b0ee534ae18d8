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
 * and sandboxed.  Elements move through two rings in memory shared by
 * the two processes (ring.h), one per direction, with an eventfd each
 * for wake-ups; a SOCK_SEQPACKET socketpair stays for the handover of
 * the rings and for noticing a closed peer.  The parent creates all of
 * it (pktq_socketpair) and sends each end, before it hands the end on,
 * the ring fds its holder needs; pktq_open takes them.  Everything
 * about the transport lives in this file, behind a small interface
 * (open, put, flush, get, fds to wait on).
 *
 * Invariant: the peer is another sandboxed process that can rewrite
 * the shared bytes at any time, also after they were checked.  So the
 * receiver copies every element into private memory (ring_get) before
 * it validates it (size, length field, type), and everything above
 * (ip_check, peer_allows, frame checks) sees only that copy; a bad
 * element is dropped and counted, never trusted.  The same holds in
 * both directions.  No pointer is kept in shared memory, and the
 * mapping is read-write, never executable.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pktq.h"
#include "ring.h"

/*
 * Bytes of records per ring, one ring per direction.  A reader takes
 * up to PKTQ_BATCH elements per wake-up: 64 full-size frames of a
 * 1500-byte MTU are about 98 KiB of records, so 256 KiB holds two and
 * a half such batches, one being read while the next is written, and
 * 2 ms of traffic at 1 Gbit/s.  A larger burst (one socket read of a
 * linkd brings up to 8 x 32 datagrams, or 8 x 8 of 64 KiB with GRO)
 * waits where it is, in the socket or in the core's paced queue:
 * producers ask pktq_room before they take more.  Without that, the
 * unshaped bench (TCP over plain veths, 80 s) lost tens of thousands
 * of frames to full rings, each one NACKed and resent.  Records are
 * packed end to end, so the size also bounds what the rings make
 * resident: 512 KiB in a linkd, as much per link in the core.
 */
#define PKTQ_RING_SIZE	(256 * 1024)
#define PKTQ_ELEM_MAX	((uint32_t)sizeof(struct pktq_elem))

_Static_assert(PKTQ_ELEM_COST(0) >= RING_REC_HDR + sizeof(struct pktq_hdr) +
    RING_ALIGN - 1, "an element's cost covers its record and padding");
/* Elements tried per one asked for in one pktq_get(): a peer that
 * writes only garbage cannot keep the caller's event loop here. */
#define PKTQ_GET_ROUNDS	4

/* The parent's handover on the socket: the holder's rings. */
#define PKTQ_HANDOVER_MAGIC	0x62717231	/* "bqr1" */
enum { HO_TX_MEM, HO_TX_EFD, HO_RX_MEM, HO_RX_EFD, HO_NFDS };

struct pktq {
	int		 fd;		/* the socket: handover, closing */
	int		 fds[HO_NFDS];
	int		 nout;		/* committed, not yet published */
	int		 eof;		/* peer closed, seen by pktq_get */
	uint64_t	 dropped;
	struct ring	 tx;
	struct ring	 rx;
};

static void
close_fds(int *fds, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		if (fds[i] != -1)
			close(fds[i]);
}

/* Sends on fd the rings its peer (the other end's holder) uses. */
static int
handover(int fd, int tx_mem, int tx_efd, int rx_mem, int rx_efd)
{
	struct msghdr	 mh;
	struct iovec	 iov;
	struct cmsghdr	*cm;
	uint32_t	 magic = PKTQ_HANDOVER_MAGIC;
	int		 fds[HO_NFDS] = { tx_mem, tx_efd, rx_mem, rx_efd };
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(fds))];
	} cmsg;

	memset(&mh, 0, sizeof(mh));
	memset(&cmsg, 0, sizeof(cmsg));
	iov.iov_base = &magic;
	iov.iov_len = sizeof(magic);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cmsg.buf;
	mh.msg_controllen = sizeof(cmsg.buf);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(cm), fds, sizeof(fds));
	return sendmsg(fd, &mh, MSG_NOSIGNAL) == (ssize_t)sizeof(magic) ?
	    0 : -1;
}

/*
 * Ring a carries sv[0]'s holder to sv[1]'s, ring b the other way.  A
 * datagram sent on one end arrives at the other, so each end's own
 * rings are sent on the opposite end, before either end leaves this
 * process: the handover is the first thing each end reads.
 */
int
pktq_socketpair(int sv[2])
{
	int	mem[2] = { -1, -1 }, efd[2] = { -1, -1 }, saved;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0, sv) == -1)
		return -1;
	if (ring_create(PKTQ_RING_SIZE, PKTQ_ELEM_MAX, &mem[0],
	    &efd[0]) == -1 ||
	    ring_create(PKTQ_RING_SIZE, PKTQ_ELEM_MAX, &mem[1],
	    &efd[1]) == -1 ||
	    handover(sv[1], mem[0], efd[0], mem[1], efd[1]) == -1 ||
	    handover(sv[0], mem[1], efd[1], mem[0], efd[0]) == -1) {
		saved = errno;
		close_fds(mem, 2);
		close_fds(efd, 2);
		close_fds(sv, 2);
		errno = saved;
		return -1;
	}
	close_fds(mem, 2);
	close_fds(efd, 2);
	return 0;
}

/* The handover: exactly HO_NFDS fds and the magic, nothing else. */
static int
take_handover(int fd, int *fds)
{
	struct msghdr	 mh;
	struct iovec	 iov;
	struct cmsghdr	*cm;
	uint32_t	 magic = 0;
	ssize_t		 n;
	int		 i;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(HO_NFDS * sizeof(int))];
	} cmsg;

	for (i = 0; i < HO_NFDS; i++)
		fds[i] = -1;
	memset(&mh, 0, sizeof(mh));
	iov.iov_base = &magic;
	iov.iov_len = sizeof(magic);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cmsg.buf;
	mh.msg_controllen = sizeof(cmsg.buf);
	do
		n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	cm = CMSG_FIRSTHDR(&mh);
	if (cm != NULL && cm->cmsg_level == SOL_SOCKET &&
	    cm->cmsg_type == SCM_RIGHTS &&
	    cm->cmsg_len == CMSG_LEN(HO_NFDS * sizeof(int)))
		memcpy(fds, CMSG_DATA(cm), HO_NFDS * sizeof(int));
	else if (cm != NULL && cm->cmsg_level == SOL_SOCKET &&
	    cm->cmsg_type == SCM_RIGHTS)
		/* Not ours to keep: close what came. */
		close_fds((int *)CMSG_DATA(cm), (int)((cm->cmsg_len -
		    CMSG_LEN(0)) / sizeof(int)));
	if (n != sizeof(magic) || magic != PKTQ_HANDOVER_MAGIC ||
	    (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || fds[0] == -1 ||
	    CMSG_NXTHDR(&mh, cm) != NULL) {
		close_fds(fds, HO_NFDS);
		errno = EPROTO;
		return -1;
	}
	return 0;
}

struct pktq *
pktq_open(int fd)
{
	struct pktq	*q;
	int		 saved;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	q->fd = fd;
	if (take_handover(fd, q->fds) == -1 ||
	    ring_attach(&q->tx, q->fds[HO_TX_MEM], q->fds[HO_TX_EFD],
	    PKTQ_RING_SIZE, PKTQ_ELEM_MAX) == -1 ||
	    ring_attach(&q->rx, q->fds[HO_RX_MEM], q->fds[HO_RX_EFD],
	    PKTQ_RING_SIZE, PKTQ_ELEM_MAX) == -1) {
		saved = errno;
		ring_detach(&q->tx);
		close_fds(q->fds, HO_NFDS);
		free(q);
		errno = saved;
		return NULL;
	}
	/* Mapped: the memfds are not needed any more, the eventfds are. */
	close(q->fds[HO_TX_MEM]);
	close(q->fds[HO_RX_MEM]);
	q->fds[HO_TX_MEM] = q->fds[HO_RX_MEM] = -1;
	return q;
}

/* Unpublished elements are discarded; the fds are closed. */
void
pktq_close(struct pktq *q)
{
	if (q == NULL)
		return;
	ring_detach(&q->tx);
	ring_detach(&q->rx);
	close_fds(q->fds, HO_NFDS);
	close(q->fd);
	free(q);
}

int
pktq_fd(const struct pktq *q)
{
	return q->fd;
}

int
pktq_wake_fd(const struct pktq *q)
{
	return q->fds[HO_RX_EFD];
}

uint64_t
pktq_dropped(const struct pktq *q)
{
	return q->dropped;
}

/*
 * A full ring loses the element: the data path must not block, and
 * the protocol above recovers lost packets like lost UDP.
 */
int
pktq_put(struct pktq *q, const struct pktq_hdr *hdr, const void *frame,
    size_t len)
{
	struct pktq_elem	*e;

	if (len > PKTQ_FRAME_MAX) {
		q->dropped++;
		errno = EMSGSIZE;
		return -1;
	}
	if ((e = ring_reserve(&q->tx, sizeof(e->hdr) + len)) == NULL) {
		q->dropped++;
		errno = EAGAIN;
		return -1;
	}
	e->hdr = *hdr;
	e->hdr.len = len;
	if (len > 0)
		memcpy(e->frame, frame, len);
	ring_commit(&q->tx, sizeof(e->hdr) + len);
	if (++q->nout == PKTQ_BATCH)
		return pktq_flush(q);
	return 0;
}

int
pktq_put_raw(struct pktq *q, const void *elem, size_t len)
{
	void	*p;

	if ((p = ring_reserve(&q->tx, len)) == NULL)
		return -1;
	memcpy(p, elem, len);
	ring_commit(&q->tx, len);
	return ring_publish(&q->tx) == -1 ? -1 : 0;
}

size_t
pktq_room(struct pktq *q, size_t want)
{
	return ring_room(&q->tx, want > PKTQ_RING_SIZE ? PKTQ_RING_SIZE :
	    (uint32_t)want);
}

/* Publishes what was put; the peer is woken only if it had drained. */
int
pktq_flush(struct pktq *q)
{
	q->nout = 0;
	return ring_publish(&q->tx) == -1 ? -1 : 0;
}

static int
pktq_valid(const struct pktq_elem *e, size_t size)
{
	if (size < sizeof(e->hdr) || e->hdr.len != size - sizeof(e->hdr) ||
	    e->hdr.len > PKTQ_FRAME_MAX)
		return 0;
	switch (e->hdr.type) {
	case PKTQ_DATA:
	case PKTQ_SESSION_UP:
	case PKTQ_SESSION_DOWN:
	case PKTQ_LINK_INFO:
	case PKTQ_LINK_HELD:
		return 1;
	}
	return 0;
}

/*
 * Nothing in the ring: is the peer gone?  On a SOCK_SEQPACKET socket
 * a closed peer reads as a zero-length datagram.  Nothing but the
 * handover is ever sent on the socket, so any datagram is dropped.
 */
static int
pktq_peer_closed(struct pktq *q)
{
	uint8_t	b;
	ssize_t	n;
	int	rounds = 0;

	while (!q->eof && rounds++ < PKTQ_GET_ROUNDS) {
		n = recv(q->fd, &b, sizeof(b), MSG_DONTWAIT);
		if (n == 0)
			q->eof = 1;
		else if (n > 0)
			q->dropped++;
		else if (errno != EINTR)
			break;
	}
	return q->eof;
}

/*
 * The eventfd is cleared first, then the ring read: an element
 * published after the last look signals anew.  A call that stops
 * before the ring is empty (n elements, or its share of garbage)
 * signals the eventfd itself, so the caller's event loop comes back.
 */
int
pktq_get(struct pktq *q, struct pktq_elem *elems, int n)
{
	ssize_t		 len = 0;
	uint64_t	 one = 1;
	int		 got = 0, tries = 0;

	if (n <= 0)
		return 0;
	if (n > PKTQ_BATCH)
		n = PKTQ_BATCH;
	ring_drain_wake(&q->rx);
	while (got < n && tries++ < PKTQ_GET_ROUNDS * n) {
		/* A copy in private memory: the peer cannot change it. */
		if ((len = ring_get(&q->rx, &elems[got],
		    sizeof(elems[got]))) == -1)
			break;
		if (!pktq_valid(&elems[got], (size_t)len)) {
			q->dropped++;
			continue;
		}
		got++;
	}
	if (len != -1 && write(q->rx.efd, &one, sizeof(one)) == -1 &&
	    errno != EAGAIN)
		return -1;
	/* The peer stopped for room: its wake-up is the other ring's. */
	if (ring_room_wanted(&q->rx) && write(q->tx.efd, &one,
	    sizeof(one)) == -1 && errno != EAGAIN)
		return -1;
	q->dropped += q->rx.bad;
	q->rx.bad = 0;
	if (got == 0 && pktq_peer_closed(q)) {
		errno = EPIPE;
		return -1;
	}
	return got;
}
