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
 * rtnetlink link and address events for the parent.  Runs in the
 * parent (CAP_NET_ADMIN only after start); it reads the kernel's
 * messages, never a network packet, and checks every length.
 */

#include <sys/socket.h>

#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "ifwatch.h"
#include "netlink.h"

int
ifwatch_open(void)
{
	struct sockaddr_nl	sa;
	int			fd;

	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    NETLINK_ROUTE)) == -1)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
link_event(const struct nlmsghdr *nh, ifwatch_fn fn, void *arg)
{
	struct ifwatch_event	 ev;
	const struct ifinfomsg	*ifi;
	const struct rtattr	*rta;
	size_t			 len, alen;

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return;
	ifi = NLMSG_DATA(nh);
	len = nh->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi));
	rta = (const struct rtattr *)((const char *)ifi +
	    NLMSG_ALIGN(sizeof(*ifi)));
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type != IFLA_IFNAME)
			continue;
		alen = RTA_PAYLOAD(rta);
		if (alen == 0 || alen > sizeof(ev.ifname) ||
		    memchr(RTA_DATA(rta), '\0', alen) == NULL)
			return;
		memset(&ev, 0, sizeof(ev));
		ev.kind = IFWATCH_LINK;
		memcpy(ev.ifname, RTA_DATA(rta), alen);
		ev.ifindex = ifi->ifi_index > 0 ? ifi->ifi_index : 0;
		ev.present = nh->nlmsg_type == RTM_NEWLINK;
		/* Usable means administratively up with a carrier. */
		ev.up = ev.present && (ifi->ifi_flags & IFF_UP) &&
		    (ifi->ifi_flags & IFF_LOWER_UP);
		fn(&ev, arg);
		return;
	}
}

/* The local address: IFA_LOCAL if given (IPv4, point-to-point), else
 * IFA_ADDRESS. */
static void
addr_event(const struct nlmsghdr *nh, ifwatch_fn fn, void *arg)
{
	struct ifwatch_event	 ev;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ev.addr;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ev.addr;
	const struct ifaddrmsg	*ifa;
	const struct rtattr	*rta, *local = NULL, *address = NULL;
	size_t			 len, alen;
	uint32_t		 flags;

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)))
		return;
	ifa = NLMSG_DATA(nh);
	if (ifa->ifa_family == AF_INET)
		alen = 4;
	else if (ifa->ifa_family == AF_INET6)
		alen = 16;
	else
		return;
	flags = ifa->ifa_flags;
	len = nh->nlmsg_len - NLMSG_LENGTH(sizeof(*ifa));
	rta = (const struct rtattr *)((const char *)ifa +
	    NLMSG_ALIGN(sizeof(*ifa)));
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == IFA_LOCAL)
			local = rta;
		else if (rta->rta_type == IFA_ADDRESS)
			address = rta;
		else if (rta->rta_type == IFA_FLAGS &&
		    RTA_PAYLOAD(rta) == sizeof(flags))
			memcpy(&flags, RTA_DATA(rta), sizeof(flags));
	}
	if (local == NULL)
		local = address;
	if (local == NULL || RTA_PAYLOAD(local) != alen)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.kind = IFWATCH_ADDR;
	ev.ifindex = ifa->ifa_index;
	/* An address still in duplicate detection cannot be bound. */
	ev.present = nh->nlmsg_type == RTM_NEWADDR &&
	    !(flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED));
	ev.addr.ss_family = ifa->ifa_family;
	if (ifa->ifa_family == AF_INET)
		memcpy(&sin->sin_addr, RTA_DATA(local), alen);
	else
		memcpy(&sin6->sin6_addr, RTA_DATA(local), alen);
	fn(&ev, arg);
}

void
ifwatch_parse(const void *buf, size_t n, ifwatch_fn fn, void *arg)
{
	const struct nlmsghdr	*nh;
	size_t			 len = n;

	for (nh = buf; NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
		switch (nh->nlmsg_type) {
		case RTM_NEWLINK:
		case RTM_DELLINK:
			link_event(nh, fn, arg);
			break;
		case RTM_NEWADDR:
		case RTM_DELADDR:
			addr_event(nh, fn, arg);
			break;
		}
	}
}

int
ifwatch_read(int fd, ifwatch_fn fn, void *arg)
{
	struct ifwatch_event	ev;
	char	buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	ssize_t	n;

	for (;;) {
		if ((n = nl_recv(fd, buf, sizeof(buf), 0)) == -1) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			/* ENOBUFS: events were lost; whoever listens
			 * looks at the devices again. */
			if (errno == ENOBUFS) {
				memset(&ev, 0, sizeof(ev));
				ev.kind = IFWATCH_LOST;
				fn(&ev, arg);
				continue;
			}
			return -1;
		}
		if (n == 0)
			return 0;
		ifwatch_parse(buf, n, fn, arg);
	}
}
