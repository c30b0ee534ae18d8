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
 * Minimal rtnetlink requests for the parent's privileged operations
 * (bondd/priv.c): add an address, set MTU, txqueuelen and IFF_UP.
 * Each request waits for the kernel's acknowledgement.
 */

#ifndef NETLINK_H
#define NETLINK_H

#include <stdint.h>

#include "config.h"

/* A NETLINK_ROUTE socket (CLOEXEC), or -1. */
int	nl_open(void);
/* Add an address to the interface; an address already present is
 * success.  IPv6 addresses skip DAD.  0 or -1 with errno set. */
int	nl_addr_add(int, unsigned int ifindex, const struct conf_prefix *);
/* Set MTU and txqueuelen (0 leaves either alone) and, when up is not
 * 0, IFF_UP.  0 or -1 with errno set. */
int	nl_link_set(int, unsigned int ifindex, uint32_t mtu,
	    uint32_t txqueuelen, int up);

#endif /* NETLINK_H */
