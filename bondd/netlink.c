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
 * Hand-built rtnetlink requests for configuring the tunnel device.
 * Runs in the parent with CAP_NET_ADMIN; it only reads the kernel's
 * acknowledgements, never anything from the network.
 */

#include <sys/socket.h>
#include <sys/types.h>

#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "netlink.h"

#define NL_BUFSIZE	1024

struct nl_req {
	struct nlmsghdr	*hdr;
	size_t		 size;
	char		 buf[NL_BUFSIZE];
};

static uint32_t	nl_seq;

static void	*nl_init(struct nl_req *, uint16_t, uint16_t, size_t);
static int	 nl_attr(struct nl_req *, uint16_t, const void *, size_t);
static int	 nl_talk(int, struct nl_req *);

int
nl_open(void)
{
	struct sockaddr_nl	sa;
	int			fd;

	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
	    NETLINK_ROUTE)) == -1)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

int
nl_addr_add(int fd, unsigned int ifindex, const struct conf_prefix *p)
{
	struct nl_req		 req;
	struct ifaddrmsg	*ifa;
	size_t			 alen;
	uint32_t		 flags = 0;

	if (p->family == AF_INET)
		alen = 4;
	else if (p->family == AF_INET6)
		alen = 16;
	else {
		errno = EAFNOSUPPORT;
		return -1;
	}
	ifa = nl_init(&req, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL,
	    sizeof(*ifa));
	ifa->ifa_family = p->family;
	ifa->ifa_prefixlen = p->plen;
	ifa->ifa_index = ifindex;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	if (p->family == AF_INET6) {
		/* Usable at once: nothing else can hold our address. */
		flags = IFA_F_NODAD;
		ifa->ifa_flags = IFA_F_NODAD;
	}
	if (nl_attr(&req, IFA_LOCAL, p->addr, alen) == -1 ||
	    nl_attr(&req, IFA_ADDRESS, p->addr, alen) == -1 ||
	    nl_attr(&req, IFA_FLAGS, &flags, sizeof(flags)) == -1)
		return -1;
	if (nl_talk(fd, &req) == -1) {
		if (errno == EEXIST)
			return 0;
		return -1;
	}
	return 0;
}

int
nl_link_set(int fd, unsigned int ifindex, uint32_t mtu,
    uint32_t txqueuelen, int up)
{
	struct nl_req		 req;
	struct ifinfomsg	*ifi;

	ifi = nl_init(&req, RTM_NEWLINK, 0, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	if (up) {
		ifi->ifi_flags = IFF_UP;
		ifi->ifi_change = IFF_UP;
	}
	if (mtu != 0 && nl_attr(&req, IFLA_MTU, &mtu, sizeof(mtu)) == -1)
		return -1;
	if (txqueuelen != 0 && nl_attr(&req, IFLA_TXQLEN, &txqueuelen,
	    sizeof(txqueuelen)) == -1)
		return -1;
	return nl_talk(fd, &req);
}

/* Start a request: header plus the family header of size len. */
static void *
nl_init(struct nl_req *req, uint16_t type, uint16_t flags, size_t len)
{
	memset(req, 0, sizeof(*req));
	req->hdr = (struct nlmsghdr *)req->buf;
	req->hdr->nlmsg_type = type;
	req->hdr->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	req->hdr->nlmsg_seq = ++nl_seq;
	req->hdr->nlmsg_len = NLMSG_LENGTH(len);
	req->size = NLMSG_ALIGN(req->hdr->nlmsg_len);
	return NLMSG_DATA(req->hdr);
}

static int
nl_attr(struct nl_req *req, uint16_t type, const void *data, size_t len)
{
	struct rtattr	*rta;

	if (req->size + RTA_SPACE(len) > sizeof(req->buf)) {
		errno = EMSGSIZE;
		return -1;
	}
	rta = (struct rtattr *)(req->buf + req->size);
	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	req->size += RTA_SPACE(len);
	req->hdr->nlmsg_len = req->size;
	return 0;
}

/* Send the request and wait for its acknowledgement. */
static int
nl_talk(int fd, struct nl_req *req)
{
	struct sockaddr_nl	 sa;
	struct nlmsghdr		*h;
	struct nlmsgerr		*err;
	char			 buf[NL_BUFSIZE];
	ssize_t			 n;
	size_t			 len;

	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	if (sendto(fd, req->buf, req->size, 0, (struct sockaddr *)&sa,
	    sizeof(sa)) != (ssize_t)req->size)
		return -1;
	for (;;) {
		if ((n = recv(fd, buf, sizeof(buf), 0)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		len = n;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, len);
		    h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != req->hdr->nlmsg_seq ||
			    h->nlmsg_type != NLMSG_ERROR)
				continue;
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*err))) {
				errno = EBADMSG;
				return -1;
			}
			err = NLMSG_DATA(h);
			if (err->error == 0)
				return 0;
			errno = -err->error;
			return -1;
		}
	}
}
