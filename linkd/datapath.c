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
 * linkd's data path: datagrams from the UDP socket are decrypted and
 * handed to the core in batches, frames from the core are checked,
 * encrypted and sent in batches; session up and down reach the core
 * on the same queue.  Runs in linkd, unprivileged, sandboxed and facing
 * the network: datagrams are untrusted until the session layer
 * authenticated them, every element from the core is checked before
 * use.  The process holds the session keys (the static private key
 * stays in the parent); this file uses the session keys, through the
 * session table, only.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <string.h>

#include <event2/event.h>

#include "config.h"
#include "frame.h"
#include "log.h"
#include "pktq.h"
#include "util.h"
#include "wire.h"
#include "udp.h"
#include "linkd.h"

#define LINKD_RX_ROUNDS		8	/* batches per wakeup, for fairness */

/* Batches live here, never on the stack or the heap per packet. */
static struct udp_batch	 rxb, txb;
/* UDP GSO on send: probed at the first batch, off for good once a
 * device refused it (then sent again one datagram at a time). */
static enum udp_gso	 gso = UDP_GSO_UNKNOWN;
/* UDP GRO on receive: the socket it was last switched on, -1 none;
 * refused once (a kernel before 5.0), never asked again. */
static struct udp_gro_batch grb;
static int		 gro_sock = -1;
static int		 gro_on, gro_refused;
static struct pktq_elem	 qin[PKTQ_BATCH];
static uint8_t		 frame[PKTQ_FRAME_MAX];
/*
 * The socket is not read while the core queue lacks room for what a
 * read may bring: the datagrams wait in the socket's buffer, not lost
 * in a full queue, until the core has read (it then signals the
 * queue's wake-up fd, see linkd_core_read).  A datagram of n bytes
 * gives at most one element of PKTQ_ELEM_COST(n - WIRE_DATA_OVERHEAD).
 */
static int		 rx_paused;

_Static_assert(PKTQ_ELEM_COST(0) <= WIRE_DATA_OVERHEAD,
    "a datagram's element costs the queue at most its own bytes");

static void	linkd_tx_flush(uint64_t);
static void	linkd_rx_one(uint64_t, const uint8_t *, size_t,
		    const struct sockaddr_storage *);
static void	linkd_rx_entry(uint64_t, int, int);
static int	linkd_rx_gro(evutil_socket_t);

/* Buffers of bufsize the next read may fill, at most batch; 0: the
 * socket pauses until the core has read. */
static int
linkd_rx_quota(size_t bufsize, int batch)
{
	size_t	room = pktq_room(ld.q, bufsize);

	if (room >= (size_t)batch * bufsize)
		return (batch);
	if (room < bufsize) {
		if (ld.ev_sock != NULL && !rx_paused)
			event_del(ld.ev_sock);
		rx_paused = 1;
	}
	return ((int)(room / bufsize));
}

/*
 * Network to core: decrypt a batch, hand the frames over in one go.
 * With GRO each entry read may hold several datagrams of one sender.
 */
void
linkd_sock_read(evutil_socket_t fd, short ev, void *arg)
{
	uint64_t	 now;
	int		 i, n, max, round, gro;

	(void)ev;
	(void)arg;
	gro = linkd_rx_gro(fd);
	for (round = 0; round < LINKD_RX_ROUNDS; round++) {
		max = gro ? linkd_rx_quota(UDP_GRO_BUFSIZE, UDP_GRO_BATCH) :
		    linkd_rx_quota(UDP_BUFSIZE, UDP_BATCH);
		if (max == 0)
			break;
		n = gro ? udp_recv_gro(fd, &grb, max) : udp_recv(fd, &rxb, max);
		if (n == -1) {
			log_ratelimit("linkd-recv", "%s: recvmmsg: %s",
			    ld.conf.name, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		now = now_us();
		for (i = 0; i < n; i++)
			linkd_rx_entry(now, gro, i);
		linkd_core_flush();
		if (n < max)
			break;
	}
}

/* Entry i of the batch just read: each datagram as it was sent. */
static void
linkd_rx_entry(uint64_t now, int gro, int i)
{
	const uint8_t	*p;
	size_t		 len, j;

	if (!gro) {
		linkd_rx_one(now, rxb.buf[i], rxb.len[i], &rxb.addr[i]);
		return;
	}
	for (j = 0; (len = udp_gro_seg(&grb, i, j, &p)) > 0; j++)
		linkd_rx_one(now, p, len, &grb.addr[i]);
}

/* One datagram: every check of the session layer, then to the core. */
static void
linkd_rx_one(uint64_t now, const uint8_t *buf, size_t len,
    const struct sockaddr_storage *from)
{
	struct pktq_hdr	 h;
	struct session	*s = NULL;
	size_t		 flen;

	if (sess_input(ld.tbl, now, buf, len, from, frame, sizeof(frame),
	    &flen, &s) != 1)
		return;
	memset(&h, 0, sizeof(h));
	h.type = PKTQ_DATA;
	h.link_id = s->link_id;
	h.peer = s->peer;
	if (pktq_put(ld.q, &h, frame, flen) == -1)
		log_ratelimit("linkd-pktq", "core queue full");
}

/*
 * With session.udp_offload, the socket coalesces datagrams of one
 * sender (GRO), switched on once per socket; a kernel that refuses
 * leaves it off for good.  Returns whether it is on.
 */
static int
linkd_rx_gro(evutil_socket_t fd)
{
	int	want = ld.conf.udp_offload && !gro_refused;

	if (fd != gro_sock || want != gro_on) {
		if (udp_gro_set(fd, want) == -1 && want) {
			log_info("%s: no UDP GRO (%s): datagrams are "
			    "received one by one", ld.conf.name,
			    strerror(errno));
			gro_refused = 1;
			want = 0;
		}
		gro_sock = fd;
		gro_on = want;
	}
	return (gro_on);
}

/* A new socket starts without GRO, and with its event added. */
void
linkd_sock_closed(void)
{
	gro_sock = -1;
	rx_paused = 0;
}

/*
 * Core to network: check every element, encrypt, send in batches.
 * Each element is copied out of the ring (pktq_get) first.  Encrypting
 * it where it lies would need its kind checked on a private copy of
 * its header and that copy encrypted apart from the rest, else the
 * core could change the kind after the check.  On the test machine
 * that split costs 194 ns more per 1400-byte frame than one AEAD pass,
 * the copy 38 ns.
 */
void
linkd_core_read(evutil_socket_t fd, short ev, void *arg)
{
	struct pktq_elem	*e;
	struct session		*s;
	uint64_t		 now, dropped;
	ssize_t			 len;
	int			 i, n;

	(void)fd;
	(void)ev;
	(void)arg;
	/* Only pktq_get moves the count here: the elements it refused. */
	dropped = pktq_dropped(ld.q);
	if ((n = pktq_get(ld.q, qin, PKTQ_BATCH)) == -1)
		fatal("core channel");
	ld.core_bad += pktq_dropped(ld.q) - dropped;
	now = now_us();
	for (i = 0; i < n; i++) {
		e = &qin[i];
		if (e->hdr.type == PKTQ_LINK_HELD) {
			linkd_held(e);
			continue;
		}
		if (e->hdr.type != PKTQ_DATA || e->hdr.peer >= BONDD_MAX_PEERS ||
		    e->hdr.len > ld.conf.payload_max ||
		    !frame_is_core(e->frame, e->hdr.len)) {
			ld.core_bad++;
			log_ratelimit("linkd-corebad", "%s: malformed frame "
			    "from the core (type %u, peer %u, len %u)",
			    ld.conf.name, e->hdr.type, e->hdr.peer, e->hdr.len);
			continue;
		}
		s = sess_find(ld.tbl, e->hdr.peer, e->hdr.link_id);
		if (s == NULL || ld.admin_down || ld.sock == -1 ||
		    sess_state(s) != SESSION_ESTABLISHED) {
			ld.core_drop++;
			continue;
		}
		len = sess_encrypt(ld.tbl, s, now, e->frame, e->hdr.len,
		    txb.buf[txb.n], sizeof(txb.buf[txb.n]));
		if (len == -1) {
			ld.core_drop++;
			continue;
		}
		txb.len[txb.n] = (size_t)len;
		txb.addr[txb.n] = s->endpoint;
		if (++txb.n == UDP_BATCH)
			linkd_tx_flush(now);
	}
	linkd_tx_flush(now);
	/* Woken, perhaps for room: the socket is read again (and pauses
	 * again at once if the core has not made enough). */
	if (rx_paused) {
		rx_paused = 0;
		if (ld.ev_sock != NULL && event_add(ld.ev_sock, NULL) == -1)
			fatalx("%s: event_add", __func__);
	}
}

static void
linkd_tx_flush(uint64_t now)
{
	enum udp_gso	 use;
	int		 failed, err;

	if (txb.n == 0)
		return;
	if (gso == UDP_GSO_UNKNOWN && (gso = udp_gso_probe(ld.sock)) ==
	    UDP_GSO_NONE && ld.conf.udp_offload)
		log_info("%s: no UDP GSO in this kernel: datagrams are sent "
		    "one by one", ld.conf.name);
	use = ld.conf.udp_offload ? gso : UDP_GSO_NONE;
	failed = udp_send(ld.sock, &txb, &use);
	err = errno;
	if (use == UDP_GSO_REFUSED && gso == UDP_GSO_ON) {
		gso = UDP_GSO_REFUSED;
		log_info("%s: UDP GSO refused on this route (EIO): "
		    "datagrams are sent one by one", ld.conf.name);
	}
	if (failed > 0) {
		/* Not per session: the table's counter, see sess_stats. */
		ld.tbl->ctr.send_errors += failed;
		log_ratelimit("linkd-send", "%s: %d datagrams not sent: %s",
		    ld.conf.name, failed, strerror(err));
		/* A client's socket serves its one session only. */
		if (ld.conf.role == ROLE_CLIENT)
			linkd_send_error(&ld.tbl->sessions[0], err, now);
	}
}

int
linkd_send_cb(void *arg, struct session *s, uint64_t now, const uint8_t *buf,
    size_t len, const struct sockaddr_storage *to)
{
	char	addr[ADDR_STRLEN];
	int	err;

	(void)arg;
	if (ld.sock == -1)
		return (-1);
	if (udp_send_one(ld.sock, buf, len, to) == -1) {
		err = errno;
		log_ratelimit("linkd-send", "%s: send to %s: %s", ld.conf.name,
		    addr_fmt(to, addr, sizeof(addr)), strerror(err));
		if (s == NULL)		/* a cookie reply */
			return (-1);
		s->ctr.send_errors++;
		linkd_send_error(s, err, now);
		return (-1);
	}
	return (0);
}

/* What was put on the core queue goes out; a full queue drops it. */
void
linkd_core_flush(void)
{
	if (pktq_flush(ld.q) == -1)
		log_ratelimit("linkd-pktq", "core queue full");
}

void
linkd_core_state(struct session *s, int up)
{
	struct pktq_hdr	h;

	memset(&h, 0, sizeof(h));
	h.type = up ? PKTQ_SESSION_UP : PKTQ_SESSION_DOWN;
	h.link_id = s->link_id;
	h.peer = s->peer;
	if (pktq_put(ld.q, &h, NULL, 0) == -1)
		log_ratelimit("linkd-pktq", "core queue full");
#ifdef BONDD_TEST_HOOKS
	/* The test build's linkd claims its neighbour's link too. */
	h.link_id = s->link_id ^ 1;
	if (pktq_put(ld.q, &h, NULL, 0) == -1)
		log_ratelimit("linkd-pktq", "core queue full");
#endif
}

void
linkd_state_cb(void *arg, struct session *s, uint64_t now, int up)
{
	(void)arg;
	log_info("%s: peer %s link %u: session %s", ld.conf.name,
	    ld.tbl->peers[s->peer].name, s->link_id, up ? "up" : "down");
	if (!up && linkd_meas(s)->active) {
		/* Dead keys: DOWN, told before the session goes. */
		ls_dead(&linkd_meas(s)->ls, now);
		linkd_info(s);
		linkd_meas(s)->active = 0;
	}
	if (up)
		linkd_meas_start(s, now);
	if (up && ld.admin_down)
		goto flush;
	linkd_core_state(s, up);
	if (up)
		linkd_info(s);
 flush:
	linkd_core_flush();
}
