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
 * The parent's privileged operations: the only code in bondd that
 * creates sockets or touches the TUN device.  Runs in the parent (root
 * at start, CAP_NET_ADMIN only after); parses nothing from the network.
 */

#ifndef PRIV_H
#define PRIV_H

#include <sys/socket.h>
#include <sys/types.h>
#include <stdint.h>

#include "config.h"

/* Create (or attach) the TUN device name with IFF_TUN|IFF_NO_PI, and
 * IFF_VNET_HDR if vnet_hdr, non-blocking.  A device another process
 * holds open is an error (errno EBUSY) with a clear log line.  Returns
 * the fd or -1. */
int	 priv_tun_open(const char *name, int vnet_hdr);
/* The device's offloads (TUNSETOFFLOAD, TUN_F_*): 0 or -1 (errno). */
int	 priv_tun_offload(int fd, unsigned int flags);
/* Persist (the device outlives the last fd, owned by owner) or not
 * (it goes with the last fd).  0 or -1 with a log line. */
int	 priv_tun_persist(int fd, const char *name, int persist, uid_t owner);
/* Remove the device name if it persists (bondd -k): 1 removed, 0 no
 * such device, -1 with a log line (errno EBUSY: a bondd holds it). */
int	 priv_tun_destroy(const char *name);
/* Set addresses, MTU and txqueuelen and bring the device up (rtnetlink);
 * other global addresses (an adopted device's old ones) are removed.
 * 0 or -1 with a log line. */
int	 priv_tun_configure(const char *name, const struct conf_prefix *,
	    int naddr, uint32_t mtu, uint32_t txqueuelen);
/* MTU of a network device, 0 if unknown. */
uint32_t priv_device_mtu(const char *);
/* A non-blocking UDP socket for a client link: bound to its device
 * (SO_BINDTODEVICE), source address and port, fwmark; PMTU discovery
 * on (never fragment); large buffers.  family is that of the peer's
 * endpoint.  Returns the fd or -1 with a log line. */
int	 priv_link_socket(const struct conf_link *, int family);
/* A non-blocking UDP socket bound to a server listen address. */
int	 priv_listen_socket(const struct sockaddr_storage *);
/* The socket belongs to uid: the kernel routes what it sends by that
 * user (rule "not uidrange", see bondd/routes.h).  0 or -1. */
int	 priv_sock_owner(int fd, uid_t uid);

/* priv_route.c: the tunnel's routing table and rules (bondd/routes.h),
 * made to match conf: missing ones are added before stale ones go, so
 * that no packet ever finds neither.  uid is the daemon user's.  0 or
 * -1 with a log line. */
int	 priv_routes_sync(const char *tun, const struct config *, uid_t uid);
/* Remove them all: what routes via tun (if it still exists), the
 * blackholes and the rules. 0 or -1 with a log line. */
int	 priv_routes_clear(const char *tun);
/* The bondctl socket: a listening unix stream socket at path, mode
 * 0660, group-owned by group ("" keeps root's), its directory created
 * 0755.  A live socket (another bondd) is an error.  Returns fd or -1. */
int	 priv_ctl_socket(const char *path, const char *group);

/* The Prometheus listener: a non-blocking TCP socket listening on
 * addr (SO_REUSEADDR).  Returns the fd or -1 with a log line. */
int	 priv_metrics_socket(const struct sockaddr_storage *);

#endif /* PRIV_H */
