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
 * whether its device can carry (IPC_LINK_CARRIER).  A link also waits
 * while the server's name has no address for it (parent_resolve.c
 * restarts its linkd once it has): link_socket() and link_waits() are
 * the one place that decides and logs why a link waits.  The TUN
 * device is opened here too, with the flags its offload needs.
 *
 * Runs in the parent: root at start, afterwards the unprivileged user
 * with CAP_NET_ADMIN only, which is enough to open link sockets.  It
 * reads the kernel's messages, never a network packet, and no secret.
 */

#include <sys/socket.h>

#include <linux/if_tun.h>
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
#include "util.h"

/* UDP segmentation offload, Linux 6.2 and later. */
#ifndef TUN_F_USO4
#define TUN_F_USO4	0x20
#define TUN_F_USO6	0x40
#endif
#define TUN_TSO		(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN)

int	tun_vnet_hdr;	/* the core's reads and writes carry the header */
int	tun_uso;	/* and it may write UDP super-packets */

/*
 * The TUN device, with offload if tunnel.offload asks for it: the
 * virtio_net_hdr before every packet, checksums and TSO, and USO where
 * the kernel has it.  A kernel that refuses leaves the device plain,
 * said once.  Without offload every one is switched off, also on an
 * adopted device a previous run left with them on: a plain reader
 * would be handed super-packets it cannot tell from packets.
 */
int
tun_open(void)
{
	const char	*name = conf.tun_name;
	int		 fd;

	tun_vnet_hdr = tun_uso = 0;
	if (conf.tun_offload) {
		if ((fd = priv_tun_open(name, 1)) == -1)
			return -1;
		if (priv_tun_offload(fd, TUN_TSO | TUN_F_USO4 |
		    TUN_F_USO6) == 0) {
			log_info("tun %s: offload on: TSO, USO", name);
			tun_vnet_hdr = tun_uso = 1;
			return fd;
		}
		if (priv_tun_offload(fd, TUN_TSO) == 0) {
			log_info("tun %s: offload on: TSO (no USO in this "
			    "kernel)", name);
			tun_vnet_hdr = 1;
			return fd;
		}
		log_warn("tun %s: offload refused, plain reads and writes",
		    name);
		close(fd);
	}
	if ((fd = priv_tun_open(name, 0)) == -1)
		return -1;
	if (priv_tun_offload(fd, 0) == -1) {
		log_warn("tun %s: TUNSETOFFLOAD", name);
		close(fd);
		return -1;
	}
	return fd;
}

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

/*
 * Nothing is opened while something the socket needs is missing, in
 * this order: the server's address of the link's family (a name not
 * resolved yet), the device, the source address.  So the endpoint is
 * known whenever a socket is: linkd never gets one without it.
 */
int
link_socket(const struct conf_link *l, int *fd, unsigned int *ifindex)
{
	int	family;

	*fd = -1;
	*ifindex = 0;
	if ((family = link_family(l)) == 0)
		return WAIT_ADDRESS;
	if (l->device[0] != '\0' &&
	    (*ifindex = if_nametoindex(l->device)) == 0)
		return WAIT_DEVICE;
	if ((*fd = priv_link_socket(l, family)) == -1) {
		if (errno == ENODEV)
			return WAIT_DEVICE;
		if (errno == EADDRNOTAVAIL)
			return WAIT_SOURCE;
		return -1;
	}
	/* Made as root at start: the routing rules know it by owner. */
	if (priv_sock_owner(*fd, daemon_uid) == -1) {
		close(*fd);
		*fd = -1;
		return -1;
	}
	return LINK_READY;
}

/* The link has a socket, or says in the log why it waits. */
void
link_waits(struct slot *s, enum link_wait why)
{
	const struct conf_link	*l = &s->link;
	char			 addr[ADDR_STRLEN];

	if (why == s->waiting)
		return;
	s->waiting = why;
	switch (why) {
	case LINK_READY:
		break;
	case WAIT_ADDRESS:
		log_info("link %s: waits for an address of %s", l->name,
		    conf.peers[0].endpoint_name);
		break;
	case WAIT_DEVICE:
		log_info("link %s: device %s missing, the link waits for it",
		    l->name, l->device);
		break;
	case WAIT_SOURCE:
		log_info("link %s: source address %s missing, the link waits "
		    "for it", l->name, addr_fmt_host(&l->source, addr,
		    sizeof(addr)));
		break;
	}
}

/* linkd hears whether its link can carry: the device up, a socket. */
void
link_carrier(struct slot *s)
{
	struct ipc_link_carrier	 car;
	struct child		*c = &s->linkd;
	int			 up = !s->dev_down && s->waiting == LINK_READY;

	if (c->carrier_down == !up)
		return;
	c->carrier_down = !up;
	if (c->open) {
		car.up = up;
		send_msg(c, IPC_LINK_CARRIER, c->instance, &car, sizeof(car));
	}
}

/* The device or source address went: the link waits for it.  One
 * that waits already keeps its reason: link_socket() finds the next. */
static void
link_suspend(struct slot *s, enum link_wait why)
{
	if (s->waiting != LINK_READY)
		return;
	log_info("link %s: its %s gone", s->linkd.name,
	    why == WAIT_DEVICE ? "device" : "source address");
	close(s->fd);
	s->fd = -1;
	s->ifindex = 0;
	link_waits(s, why);
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
	int			 fd, r;

	if ((r = link_socket(l, &fd, &ifindex)) != LINK_READY) {
		if (r == -1)
			return;
		/* Gone again already: an old socket is no use. */
		if (s->fd != -1)
			link_suspend(s, r);
		else
			link_waits(s, r);
		return;
	}
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
	link_waits(s, LINK_READY);
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
		link_suspend(s, WAIT_DEVICE);
		s->dev_down = 1;
	} else if (s->waiting != LINK_READY || ifindex != s->ifindex)
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
				link_suspend(s, WAIT_DEVICE);
			else if (s->waiting != LINK_READY ||
			    ev->ifindex != s->ifindex)
				link_resume(s);
			if (was != s->dev_down)
				log_info("link %s: device %s %s", l->name,
				    l->device, ev->up ? "up" : "down");
		} else {
			if (l->source.ss_family == 0 ||
			    !same_host(&ev->addr, &l->source))
				continue;
			if (!ev->present)
				link_suspend(s, WAIT_SOURCE);
			else if (s->waiting != LINK_READY)
				link_resume(s);
		}
		link_carrier(s);
	}
}
