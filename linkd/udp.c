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
 * Batched datagram I/O for linkd with recvmmsg(2) and sendmmsg(2), and
 * UDP GSO on send: a run of equal datagrams to one address is one
 * sendmmsg entry with a UDP_SEGMENT control message, cut into the same
 * datagrams by the kernel or the device.  Runs unprivileged in linkd
 * on the UDP socket the parent bound for it; treats every datagram as
 * opaque, untrusted bytes and never parses them.  Truncated datagrams
 * are dropped here.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/udp.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "util.h"
#include "udp.h"

int
udp_recv(int fd, struct udp_batch *b, int max)
{
	int	i, n, j;

	b->n = 0;
	if (max > UDP_BATCH)
		max = UDP_BATCH;
	if (max <= 0)
		return (0);
	for (i = 0; i < max; i++) {
		b->iov[i].iov_base = b->buf[i];
		b->iov[i].iov_len = UDP_BUFSIZE;
		memset(&b->msg[i].msg_hdr, 0, sizeof(b->msg[i].msg_hdr));
		b->msg[i].msg_hdr.msg_name = &b->addr[i];
		b->msg[i].msg_hdr.msg_namelen = sizeof(b->addr[i]);
		b->msg[i].msg_hdr.msg_iov = &b->iov[i];
		b->msg[i].msg_hdr.msg_iovlen = 1;
		b->msg[i].msg_len = 0;
	}
	n = recvmmsg(fd, b->msg, max, MSG_DONTWAIT, NULL);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return (0);
		return (-1);
	}
	/* Compact: drop truncated datagrams and odd address families. */
	for (i = j = 0; i < n; i++) {
		if (b->msg[i].msg_hdr.msg_flags & MSG_TRUNC)
			continue;
		if (b->addr[i].ss_family != AF_INET &&
		    b->addr[i].ss_family != AF_INET6)
			continue;
		if (i != j) {
			memcpy(b->buf[j], b->buf[i], b->msg[i].msg_len);
			b->addr[j] = b->addr[i];
		}
		b->len[j] = b->msg[i].msg_len;
		j++;
	}
	b->n = j;
	return (j);
}

#ifndef UDP_SEGMENT
#define UDP_SEGMENT	103	/* Linux 4.18 */
#endif
#ifndef UDP_GRO
#define UDP_GRO		104	/* Linux 5.0 */
#endif

int
udp_gro_set(int fd, int on)
{
	return (setsockopt(fd, IPPROTO_UDP, UDP_GRO, &on, sizeof(on)));
}

int
udp_recv_gro(int fd, struct udp_gro_batch *b, int max)
{
	struct cmsghdr	*cm;
	struct msghdr	*mh;
	int		 i, n, seg;

	b->n = 0;
	if (max > UDP_GRO_BATCH)
		max = UDP_GRO_BATCH;
	if (max <= 0)
		return (0);
	for (i = 0; i < max; i++) {
		b->iov[i].iov_base = b->buf[i];
		b->iov[i].iov_len = UDP_GRO_BUFSIZE;
		mh = &b->msg[i].msg_hdr;
		memset(mh, 0, sizeof(*mh));
		mh->msg_name = &b->addr[i];
		mh->msg_namelen = sizeof(b->addr[i]);
		mh->msg_iov = &b->iov[i];
		mh->msg_iovlen = 1;
		mh->msg_control = b->ctl[i].buf;
		mh->msg_controllen = sizeof(b->ctl[i].buf);
		b->msg[i].msg_len = 0;
	}
	n = recvmmsg(fd, b->msg, max, MSG_DONTWAIT, NULL);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return (0);
		return (-1);
	}
	/* Truncated ones and odd address families: no segment at all
	 * (len 0), not moved, which would copy up to 64 KB each. */
	for (i = 0; i < n; i++) {
		mh = &b->msg[i].msg_hdr;
		b->len[i] = 0;
		b->seg[i] = 1;
		if (mh->msg_flags & (MSG_TRUNC | MSG_CTRUNC) ||
		    b->msg[i].msg_len == 0)
			continue;
		if (b->addr[i].ss_family != AF_INET &&
		    b->addr[i].ss_family != AF_INET6)
			continue;
		/* Without the control message: one datagram. */
		seg = 0;
		for (cm = CMSG_FIRSTHDR(mh); cm != NULL;
		    cm = CMSG_NXTHDR(mh, cm))
			if (cm->cmsg_level == IPPROTO_UDP &&
			    cm->cmsg_type == UDP_GRO &&
			    cm->cmsg_len >= CMSG_LEN(sizeof(seg)))
				memcpy(&seg, CMSG_DATA(cm), sizeof(seg));
		b->len[i] = b->msg[i].msg_len;
		b->seg[i] = seg > 0 && (size_t)seg < b->len[i] ?
		    (size_t)seg : b->len[i];
	}
	b->n = n;
	return (n);
}

size_t
udp_gro_seg(const struct udp_gro_batch *b, int k, size_t i,
    const uint8_t **p)
{
	size_t	off;

	/* Invariant: 0 < seg, len <= UDP_GRO_BUFSIZE (len 0: nothing),
	 * so no overflow for i < len. */
	if (i >= b->len[k])
		return (0);
	off = i * b->seg[k];
	if (off >= b->len[k])
		return (0);
	*p = b->buf[k] + off;
	return (b->len[k] - off < b->seg[k] ? b->len[k] - off : b->seg[k]);
}

static void	udp_msg(struct udp_batch *, int);

int
udp_runs(const struct udp_batch *b, int from, int to, int segs,
    size_t bytes, struct udp_run *run)
{
	struct udp_run	*r = NULL;
	size_t		 sum = 0;
	int		 i, nrun = 0;

	for (i = from; i < to; i++) {
		/* GSO cuts a run into equal segments but the last one:
		 * a datagram joins while it is no longer than the first
		 * and the one before it was not shorter. */
		if (r != NULL && r->n < segs && sum + b->len[i] <= bytes &&
		    b->len[i] <= r->seg && b->len[i - 1] == r->seg &&
		    addr_equal(&b->addr[i], &b->addr[r->first])) {
			r->n++;
			sum += b->len[i];
			continue;
		}
		r = &run[nrun++];
		r->first = i;
		r->n = 1;
		r->seg = b->len[i];
		sum = b->len[i];
	}
	return (nrun);
}

enum udp_gso
udp_gso_probe(int fd)
{
	socklen_t	len;
	int		v;

	/* A kernel without UDP_SEGMENT ignores the control message and
	 * would send a whole run as one datagram: ask it first. */
	len = sizeof(v);
	if (getsockopt(fd, IPPROTO_UDP, UDP_SEGMENT, &v, &len) == -1)
		return (UDP_GSO_NONE);
	return (UDP_GSO_ON);
}

int
udp_send(int fd, struct udp_batch *b, enum udp_gso *gso)
{
	struct udp_run	*r;
	int		 k, n, nrun, off, from = 0, plain = 0, failed = 0;

	/* Datagrams from .. plain - 1 go one by one, the rest in runs. */
 again:
	nrun = udp_runs(b, from, plain, 1, UDP_GSO_BYTES, b->run);
	nrun += udp_runs(b, plain > from ? plain : from, b->n,
	    *gso == UDP_GSO_ON ? UDP_GSO_SEGS : 1, UDP_GSO_BYTES,
	    b->run + nrun);
	for (k = 0; k < nrun; k++)
		udp_msg(b, k);
	/* sendmmsg stops at the first failing entry: skip it, go on. */
	for (off = 0; off < nrun; ) {
		n = sendmmsg(fd, b->msg + off, nrun - off, MSG_DONTWAIT);
		if (n > 0) {
			off += n;
			continue;
		}
		if (n == 0) {
			for (; off < nrun; off++)
				failed += b->run[off].n;
			break;
		}
		if (errno == EINTR)
			continue;
		r = &b->run[off];
		if (r->n == 1) {
			failed++;
			off++;
			continue;
		}
		/* A GSO send refused: its datagrams again, one by one.
		 * EIO: the route's device cannot checksum a GSO datagram;
		 * it will not for the next ones either. */
		if (errno == EIO)
			*gso = UDP_GSO_REFUSED;
		from = r->first;
		plain = r->first + r->n;
		goto again;
	}
	b->n = 0;
	return (failed);
}

/* Entry k of the sendmmsg vector for run k. */
static void
udp_msg(struct udp_batch *b, int k)
{
	struct udp_run	*r = &b->run[k];
	struct msghdr	*mh = &b->msg[k].msg_hdr;
	struct cmsghdr	*cm;
	uint16_t	 seg;
	int		 i;

	for (i = r->first; i < r->first + r->n; i++) {
		b->iov[i].iov_base = b->buf[i];
		b->iov[i].iov_len = b->len[i];
	}
	memset(mh, 0, sizeof(*mh));
	mh->msg_name = &b->addr[r->first];
	mh->msg_namelen = addr_len(&b->addr[r->first]);
	mh->msg_iov = &b->iov[r->first];
	mh->msg_iovlen = r->n;
	if (r->n == 1)
		return;
	/* Without it the kernel would send the run as one datagram. */
	mh->msg_control = b->ctl[k].buf;
	mh->msg_controllen = sizeof(b->ctl[k].buf);
	cm = CMSG_FIRSTHDR(mh);
	cm->cmsg_level = IPPROTO_UDP;
	cm->cmsg_type = UDP_SEGMENT;
	cm->cmsg_len = CMSG_LEN(sizeof(seg));
	seg = (uint16_t)r->seg;
	memcpy(CMSG_DATA(cm), &seg, sizeof(seg));
}

int
udp_send_one(int fd, const void *buf, size_t len,
    const struct sockaddr_storage *to)
{
	struct msghdr	 mh;
	struct iovec	 iov;
	ssize_t		 n;

	/* One msghdr like the batches'; every child's seccomp list allows
	 * sendmsg(2) and sendto(2) alike. */
	iov.iov_base = (void *)(uintptr_t)buf;
	iov.iov_len = len;
	memset(&mh, 0, sizeof(mh));
	mh.msg_name = (void *)(uintptr_t)to;
	mh.msg_namelen = addr_len(to);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	do {
		n = sendmsg(fd, &mh, MSG_DONTWAIT);
	} while (n == -1 && errno == EINTR);
	return (n == (ssize_t)len ? 0 : -1);
}
