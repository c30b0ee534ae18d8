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
 * Batched datagram I/O for linkd with recvmmsg(2) and sendmmsg(2).
 * Runs unprivileged in linkd on the UDP socket the parent bound for
 * it; treats every datagram as opaque, untrusted bytes and never
 * parses them.  Truncated datagrams are dropped here.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "util.h"
#include "udp.h"

int
udp_recv(int fd, struct udp_batch *b)
{
	int	i, n, j;

	for (i = 0; i < UDP_BATCH; i++) {
		b->iov[i].iov_base = b->buf[i];
		b->iov[i].iov_len = UDP_BUFSIZE;
		memset(&b->msg[i].msg_hdr, 0, sizeof(b->msg[i].msg_hdr));
		b->msg[i].msg_hdr.msg_name = &b->addr[i];
		b->msg[i].msg_hdr.msg_namelen = sizeof(b->addr[i]);
		b->msg[i].msg_hdr.msg_iov = &b->iov[i];
		b->msg[i].msg_hdr.msg_iovlen = 1;
		b->msg[i].msg_len = 0;
	}
	b->n = 0;
	n = recvmmsg(fd, b->msg, UDP_BATCH, MSG_DONTWAIT, NULL);
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

int
udp_send(int fd, struct udp_batch *b)
{
	int	i, n, off = 0, failed = 0;

	for (i = 0; i < b->n; i++) {
		b->iov[i].iov_base = b->buf[i];
		b->iov[i].iov_len = b->len[i];
		memset(&b->msg[i].msg_hdr, 0, sizeof(b->msg[i].msg_hdr));
		b->msg[i].msg_hdr.msg_name = &b->addr[i];
		b->msg[i].msg_hdr.msg_namelen = addr_len(&b->addr[i]);
		b->msg[i].msg_hdr.msg_iov = &b->iov[i];
		b->msg[i].msg_hdr.msg_iovlen = 1;
	}
	/* sendmmsg stops at the first failing datagram: skip it, go on. */
	while (off < b->n) {
		n = sendmmsg(fd, b->msg + off, b->n - off, MSG_DONTWAIT);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			failed++;
			off++;
		} else if (n == 0)
			break;
		else
			off += n;
	}
	failed += b->n - off;
	b->n = 0;
	return (failed);
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
