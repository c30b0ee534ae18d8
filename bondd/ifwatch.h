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
 * Watching network devices and their addresses: the parent subscribes
 * to rtnetlink link and address events so that a WAN device going down
 * takes its link out at once, and a device or address that appears,
 * comes back under a new index or goes gets the link a new socket or
 * makes it wait.  The messages come from the kernel, not the network;
 * they are still length-checked.
 */

#ifndef IFWATCH_H
#define IFWATCH_H

#include <sys/socket.h>

enum ifwatch_kind {
	IFWATCH_LINK,		/* a device appeared, changed or went */
	IFWATCH_ADDR,		/* an address appeared or went */
	IFWATCH_LOST		/* events were lost: look at everything */
};

struct ifwatch_event {
	enum ifwatch_kind	kind;
	unsigned int		ifindex;	/* LINK, ADDR */
	/* LINK: the device exists (RTM_NEWLINK); ADDR: the address is
	 * there and usable (RTM_NEWADDR, not tentative) */
	int			present;
	int			up;		/* LINK: up, with a carrier */
	char			ifname[16];	/* LINK; IFNAMSIZ */
	struct sockaddr_storage	addr;		/* ADDR, port 0 */
};

typedef void (*ifwatch_fn)(const struct ifwatch_event *, void *);

/* A non-blocking NETLINK_ROUTE socket subscribed to link and address
 * events. */
int	ifwatch_open(void);
/* Read what is pending and call fn for each event.  0 or -1. */
int	ifwatch_read(int, ifwatch_fn, void *);
/* Parse one buffer of netlink messages (exposed for tests). */
void	ifwatch_parse(const void *, size_t, ifwatch_fn, void *);

#endif /* IFWATCH_H */
