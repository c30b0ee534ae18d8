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
 * Fuzz target: the core's data path, in-process as it runs: elements
 * from two hostile linkd instances on real packet queues (linkq_set,
 * read by the core's own callback: session changes, link reports,
 * data frames through FEC, reorder, NACKs, the ip checks and the MSS
 * clamp to the TUN device) and packets from the TUN device (flow
 * table, scheduler, paced queues, ICMP errors).  What the core writes
 * back is read and dropped.  State lives on across inputs as in the
 * daemon.  Input: records of [u8 op][u8 link][u8 peer][u16 size]
 * [size bytes]; op & 7: the element's type (0, 6 unknown; 5, the
 * core's own LINK_HELD, refused from a linkd), 7 a
 * packet from the TUN device; op & 0x40: from linkd 1, else 0;
 * op & 0x80: a header length one more than the bytes; op & 0x20: the
 * event loop runs now, else after the input.  Test code.
 */

#include <sys/socket.h>

#include <arpa/inet.h>
#include <event2/event.h>
#include <stdlib.h>
#include <unistd.h>

#include "core.h"
#include "log.h"
#include "pktq.h"
#include "fuzz.h"

#define NLINKD	2

static struct pktq	*tx[NLINKD];	/* the linkd ends */
static int		 tun_peer;	/* the TUN device's other end */
static uint8_t		 raw[sizeof(struct pktq_elem) + 1];
static uint8_t		 sink[65536];

static void
prefix(struct conf_prefix *p, int family, const char *addr, int plen)
{
	p->family = family;
	p->plen = plen;
	if (inet_pton(family, addr, p->addr) != 1)
		fuzz_fail("%s", addr);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct ipc_conf_core	 c;
	struct event		*ev;
	int			 sv[2], i;

	(void)argc;
	(void)argv;
	fuzz_quiet_logs();
	if ((base = event_base_new()) == NULL)
		fuzz_fail("event_base_new");
	memset(&c, 0, sizeof(c));
	c.role = ROLE_CLIENT;
	c.tun_mtu = 1400;
	c.nlinkd = NLINKD;
	c.npeers = 2;
	c.strategy = STRATEGY_EARLIEST_ARRIVAL;
	c.reorder_max_ms = 50;
	c.mss_clamp = 1;
	strcpy(c.user, "_bondd");
	c.rt_udp_ports[0] = 5060;
	c.nrt_udp_ports = 1;
	prefix(&c.tun_addr[0], AF_INET, "198.19.0.2", 24);
	prefix(&c.tun_addr[1], AF_INET6, "2001:db8:1::2", 64);
	c.ntun_addr = 2;
	c.fec_mode = FEC_ADAPTIVE;
	core_configure(&c);
	/* Peer 0 owns the test ranges; peer 1 is a slot without one. */
	strcpy(peers[0].name, "server");
	prefix(&peers[0].allowed[0], AF_INET, "198.18.0.0", 15);
	prefix(&peers[0].allowed[1], AF_INET6, "2001:db8::", 32);
	peers[0].nallowed = 2;
	for (i = 0; i < NLINKD; i++)
		linkq_set(i, fuzz_pktq_fd(&tx[i]));
	/* The TUN device: packets keep their bounds on a datagram pair. */
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0, sv) == -1)
		fuzz_fail("socketpair");
	tun_fd = sv[0];
	tun_peer = sv[1];
	if ((ev = event_new(base, tun_fd, EV_READ | EV_PERSIST, tun_read_cb,
	    NULL)) == NULL || event_add(ev, NULL) == -1)
		fuzz_fail("tun event");
	return 0;
}

static void
pump(void)
{
	int	i;

	event_base_loop(base, EVLOOP_NONBLOCK);
	for (i = 0; i < NLINKD; i++)
		fuzz_pktq_sink(tx[i]);
	while (recv(tun_peer, sink, sizeof(sink), MSG_DONTWAIT) > 0)
		;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in	 in = { data, size };
	struct pktq_hdr	 h;
	const uint8_t	*p;
	size_t		 n;
	uint8_t		 op;

	while (in.left > 0) {
		op = fuzz_u8(&in);
		h.type = op & 7;
		h.link_id = fuzz_u8(&in);
		h.peer = fuzz_u8(&in);
		n = fuzz_take(&in, &p, fuzz_u16(&in) % PKTQ_FRAME_MAX);
		if (h.type == 7) {
			(void)send(tun_peer, p, n, MSG_DONTWAIT);
		} else {
			h.len = n + ((op & 0x80) != 0);
			memcpy(raw, &h, sizeof(h));
			memcpy(raw + sizeof(h), p, n);
			if (fuzz_pktq_inject(tx[(op & 0x40) != 0], raw,
			    sizeof(h) + n) == -1)
				pump();
		}
		if (op & 0x20)
			pump();
	}
	pump();
	return 0;
}
