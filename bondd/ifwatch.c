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
 * rtnetlink link events for the parent.
 */

#include <sys/socket.h>

#include <linux/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "ifwatch.h"

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
	sa.nl_groups = RTMGRP_LINK;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
link_event(const struct nlmsghdr *nh, ifwatch_fn fn, void *arg)
{
	const struct ifinfomsg	*ifi;
	const struct rtattr	*rta;
	char			 name[IFNAMSIZ];
	size_t			 len, alen;
	int			 up;

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
		if (alen == 0 || alen > IFNAMSIZ ||
		    memchr(RTA_DATA(rta), '\0', alen) == NULL)
			return;
		memcpy(name, RTA_DATA(rta), alen);
		/* Usable means administratively up with a carrier. */
		up = nh->nlmsg_type == RTM_NEWLINK &&
		    (ifi->ifi_flags & IFF_UP) &&
		    (ifi->ifi_flags & IFF_LOWER_UP);
		fn(name, up, arg);
		return;
	}
}

void
ifwatch_parse(const void *buf, size_t n, ifwatch_fn fn, void *arg)
{
	const struct nlmsghdr	*nh;
	size_t			 len = n;

	for (nh = buf; NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
		if (nh->nlmsg_type == RTM_NEWLINK ||
		    nh->nlmsg_type == RTM_DELLINK)
			link_event(nh, fn, arg);
	}
}

int
ifwatch_read(int fd, ifwatch_fn fn, void *arg)
{
	char	buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	ssize_t	n;

	for (;;) {
		if ((n = recv(fd, buf, sizeof(buf), 0)) == -1) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			/* ENOBUFS: events were lost; the next ones still
			 * tell the truth. */
			if (errno == ENOBUFS)
				continue;
			return -1;
		}
		if (n == 0)
			return 0;
		ifwatch_parse(buf, n, fn, arg);
	}
}
