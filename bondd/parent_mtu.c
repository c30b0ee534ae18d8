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
 * The payload a link carries without IP fragmentation, and the tunnel
 * MTU that every link can carry.
 *
 * Runs in the parent: root at start, afterwards the unprivileged user
 * with CAP_NET_ADMIN only.  It reads the configuration and device MTUs,
 * never a network packet.  The parent holds the static private key; this
 * file does not use it.
 */

#include <sys/socket.h>

#include <stdint.h>

#include "config.h"
#include "frame.h"
#include "log.h"
#include "parent.h"
#include "pktq.h"
#include "priv.h"

uint32_t	tun_mtu;

/* The family of the server's address a link sends to now, 0 while the
 * server's name has none for it. */
int
link_family(const struct conf_link *l)
{
	struct sockaddr_storage	ss;

	return peer_address(l, &ss);
}

/*
 * The family a link's MTU is sized for.  The peer's endpoint cannot
 * change on reload, but a name may resolve to either family later:
 * then IPv6, the larger header, unless the link's source address fixes
 * the family.
 */
int
mtu_family(const struct conf_link *l)
{
	if (l->endpoint.ss_family != 0)
		return l->endpoint.ss_family;
	if (conf.peers[0].endpoint.ss_family != 0)
		return conf.peers[0].endpoint.ss_family;
	if (l->source.ss_family != 0)
		return l->source.ss_family;
	return AF_INET6;
}

/* The largest inner frame a link (NULL: a listen socket) carries
 * without IP fragmentation; 0 if its MTU is too small. */
uint32_t
link_payload(const struct conf_link *l, int family)
{
	uint32_t	lmtu = 1500, outer, payload;

	if (l != NULL) {
		if (l->mtu != 0)
			lmtu = l->mtu;
		else if (l->device[0] != '\0' &&
		    priv_device_mtu(l->device) != 0)
			lmtu = priv_device_mtu(l->device);
	}
	outer = frame_outer_overhead(family);
	if (lmtu < outer + FRAME_INNER_OVERHEAD + 576) {
		log_warnx("link %s: MTU %u is too small",
		    l != NULL ? l->name : "listen", lmtu);
		return 0;
	}
	payload = lmtu - outer;
	return payload > PKTQ_FRAME_MAX ? PKTQ_FRAME_MAX : payload;
}

/*
 * The TUN MTU: every packet must fit every link, so that any link can
 * carry it, whatever family the server's name resolves to later.  A
 * link's payload_max is that of the family it uses now.
 */
int
compute_mtu(void)
{
	const struct conf_link	*l;
	uint32_t		 min = UINT32_MAX, size;
	int			 i, fam;

	for (i = 0; i < MAX_INSTANCES; i++) {
		if (!slots[i].used)
			continue;
		l = &slots[i].link;
		if (conf.role == ROLE_CLIENT) {
			size = link_payload(l, mtu_family(l));
			fam = link_family(l);
			slots[i].payload_max = fam == 0 || fam ==
			    mtu_family(l) ? size : link_payload(l, fam);
		} else
			size = slots[i].payload_max = link_payload(NULL,
			    conf.listen[i].ss_family);
		if (size == 0)
			return -1;
		if (size < min)
			min = size;
	}
	tun_mtu = min - FRAME_INNER_OVERHEAD;
	if (conf.tun_mtu != 0) {
		if (conf.tun_mtu > tun_mtu) {
			log_warnx("tunnel mtu %u is larger than the links "
			    "carry unfragmented (%u)", conf.tun_mtu, tun_mtu);
			return -1;
		}
		tun_mtu = conf.tun_mtu;
	}
	return 0;
}
