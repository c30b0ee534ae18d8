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
 * Links follow their devices: a client link's socket is bound to its
 * device and source address, so it is opened again when either comes
 * back, and the link waits without one while either is missing (a USB
 * modem unplugged, a PPPoE session that redials under a new device
 * index, an address that DHCP has not given yet).  A device missing at
 * start makes its link wait, not the daemon exit.  The kernel's
 * rtnetlink events drive it (ifwatch.c); each linkd hears of its new
 * socket (IPC_LINK_SOCK_NEW), of its loss (IPC_LINK_SOCK_GONE) and of
 * whether its device can carry (IPC_LINK_CARRIER).
 *
 * Runs in the parent: root at start, afterwards the unprivileged user
 * with CAP_NET_ADMIN only, which is enough to open link sockets.  It
 * reads the kernel's messages, never a network packet, and no secret.
 */

#include <sys/socket.h>

#include <netinet/in.h>
#include <net/if.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "bondd.h"
#include "config.h"
#include "frame.h"
#include "ifwatch.h"
#include "log.h"
#include "messages.h"
#include "parent.h"
#include "priv.h"

/* The same address, ports aside. */
static int
same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	const struct sockaddr_in	*a4 = (const struct sockaddr_in *)a;
	const struct sockaddr_in	*b4 = (const struct sockaddr_in *)b;
	const struct sockaddr_in6	*a6 = (const struct sockaddr_in6 *)a;
	const struct sockaddr_in6	*b6 = (const struct sockaddr_in6 *)b;

	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET)
		return a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	if (a->ss_family == AF_INET6)
		return memcmp(&a6->sin6_addr, &b6->sin6_addr,
		    sizeof(a6->sin6_addr)) == 0;
	return 0;
}

int
link_socket(const struct conf_link *l, int *fd, unsigned int *ifindex)
{
	*fd = -1;
	*ifindex = 0;
	if (l->device[0] != '\0' &&
	    (*ifindex = if_nametoindex(l->device)) == 0) {
		log_info("link %s: device %s missing, the link waits for it",
		    l->name, l->device);
		return 1;
	}
	if ((*fd = priv_link_socket(l, link_family(l))) != -1)
		return 0;
	if (errno == ENODEV || errno == EADDRNOTAVAIL) {
		log_info("link %s: %s missing, the link waits for it",
		    l->name, errno == ENODEV ? "its device" :
		    "its source address");
		return 1;
	}
	return -1;
}

/* linkd hears whether its link can carry: the device up, a socket. */
void
link_carrier(struct slot *s)
{
	struct ipc_link_carrier	 car;
	struct child		*c = &s->linkd;
	int			 up = !s->dev_down && !s->waiting;

	if (c->carrier_down == !up)
		return;
	c->carrier_down = !up;
	if (c->open) {
		car.up = up;
		send_msg(c, IPC_LINK_CARRIER, c->instance, &car, sizeof(car));
	}
}

/* The device or source address went: the link waits for it. */
static void
link_suspend(struct slot *s, const char *what)
{
	if (s->waiting)
		return;
	log_info("link %s: %s gone, the link waits for it", s->linkd.name,
	    what);
	close(s->fd);
	s->fd = -1;
	s->ifindex = 0;
	s->waiting = 1;
	if (s->linkd.open)
		send_msg(&s->linkd, IPC_LINK_SOCK_GONE, s->linkd.instance,
		    NULL, 0);
}

/* The device or source address is there, perhaps new: a new socket,
 * unless it still cannot be opened or carry the tunnel. */
static void
link_resume(struct slot *s)
{
	const struct conf_link	*l = &s->link;
	unsigned int		 ifindex;
	int			 fd;

	if (link_socket(l, &fd, &ifindex) != 0)
		return;
	if (link_payload(l, link_family(l)) < tun_mtu + FRAME_INNER_OVERHEAD) {
		log_warnx("link %s: device %s cannot carry the tunnel MTU %u, "
		    "the link waits", l->name, l->device, tun_mtu);
		close(fd);
		return;
	}
	if (s->fd != -1)
		close(s->fd);
	s->fd = fd;
	s->ifindex = ifindex;
	s->waiting = 0;
	if (l->device[0] != '\0')
		log_info("link %s: device %s there (index %u), new socket",
		    l->name, l->device, ifindex);
	else
		log_info("link %s: source address there, new socket",
		    l->name);
	if (s->linkd.open)
		send_fd(&s->linkd, IPC_LINK_SOCK_NEW, s->linkd.instance, fd);
}

/* Look at a link's device and address again (events were lost, or
 * could have come before we listened). */
static void
link_check(struct slot *s)
{
	const struct conf_link	*l = &s->link;
	unsigned int		 ifindex = 0;

	if (l->device[0] != '\0' &&
	    (ifindex = if_nametoindex(l->device)) == 0) {
		link_suspend(s, "its device");
		s->dev_down = 1;
	} else if (s->waiting || ifindex != s->ifindex)
		link_resume(s);
	link_carrier(s);
}

void
device_check_all(void)
{
	int	i;

	if (conf.role != ROLE_CLIENT)
		return;
	for (i = 0; i < MAX_INSTANCES; i++)
		if (slots[i].used)
			link_check(&slots[i]);
}

/*
 * A device or an address changed.  A link's device that appears, or
 * comes back under another index (deleted and made again), gets the
 * link a new socket; one that goes makes it wait.  Down acts at once
 * on linkd, without waiting for probes to time out.  An address
 * matters to links bound to it (source:); the others send from
 * whatever address their device has.
 */
void
device_event(const struct ifwatch_event *ev, void *arg)
{
	struct slot		*s;
	const struct conf_link	*l;
	int			 i, was;

	(void)arg;
	if (conf.role != ROLE_CLIENT)
		return;
	if (ev->kind == IFWATCH_LOST) {
		log_info("netlink: events lost, looking at the devices again");
		device_check_all();
		return;
	}
	for (i = 0; i < MAX_INSTANCES; i++) {
		s = &slots[i];
		l = &s->link;
		if (!s->used)
			continue;
		if (ev->kind == IFWATCH_LINK) {
			if (strcmp(l->device, ev->ifname) != 0)
				continue;
			was = s->dev_down;
			s->dev_down = !ev->up;
			if (!ev->present)
				link_suspend(s, "its device");
			else if (s->waiting || ev->ifindex != s->ifindex)
				link_resume(s);
			if (was != s->dev_down)
				log_info("link %s: device %s %s", l->name,
				    l->device, ev->up ? "up" : "down");
		} else {
			if (l->source.ss_family == 0 ||
			    !same_host(&ev->addr, &l->source))
				continue;
			if (!ev->present)
				link_suspend(s, "its source address");
			else if (s->waiting)
				link_resume(s);
		}
		link_carrier(s);
	}
}
