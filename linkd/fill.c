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
 * The padding of a capacity probe (ratectl.h): while a session's rate
 * controller probes, linkd tops the link up to the fill rate with
 * KEEPALIVE frames padded to the largest frame the link carries, so
 * that the peer receives what the link can carry, not what the traffic
 * happened to send.  Runs in linkd, unprivileged, sandboxed and facing
 * the network; it holds the session keys and encrypts with them through
 * the session table.  A receiver counts the padding as received bytes
 * and drops it: any peer of this wire version takes it.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <string.h>

#include <event2/event.h>

#include "frame.h"
#include "log.h"
#include "util.h"
#include "wire.h"
#include "linkd.h"

#define FILL_TICK_US	2000	/* padding is sent this often ... */
#define FILL_BURST	32	/* ... at most this many frames at once:
				   about 180 Mbit/s of 1400-byte frames */
#define FILL_GAP_MAX_US	(4 * FILL_TICK_US)	/* a late tick: no more */

static void	fill_arm(void);

/* One padded KEEPALIVE on session s. */
static int
fill_send(struct session *s, uint64_t now)
{
	static uint8_t		 f[PKTQ_FRAME_MAX];
	static uint8_t		 out[PKTQ_FRAME_MAX + WIRE_DATA_OVERHEAD];
	struct inner_hdr	 ih;
	size_t			 len = ld.conf.payload_max;
	ssize_t			 n;

	if (len > sizeof(f))
		len = sizeof(f);
	if (len < INNER_HDR_LEN)
		return (-1);
	memset(f, 0, len);
	memset(&ih, 0, sizeof(ih));
	ih.kind = INNER_KEEPALIVE;
	ih.send_ts_us = (uint32_t)now;
	inner_hdr_encode(f, &ih);
	n = sess_encrypt(ld.tbl, s, now, f, len, out, sizeof(out));
	if (n <= 0)
		return (-1);
	return (linkd_send_cb(NULL, s, now, out, (size_t)n, &s->endpoint));
}

/*
 * What the link sent since the last tick, data and padding, falls short
 * of the fill rate by some bytes: padding makes them up.  Invariant:
 * no more than the fill rate over the time since the last tick (at most
 * FILL_GAP_MAX_US), and no credit carried from one tick to the next.
 */
static int
fill_session(struct session *s, struct linkmeas *m, uint64_t now)
{
	uint64_t	fill = ratectl_fill_bps(&m->rc), dt, want;
	int		n;

	if (fill == 0 || !m->active || ld.admin_down || ld.sock == -1 ||
	    sess_state(s) != SESSION_ESTABLISHED) {
		m->fill_us = 0;
		return (0);
	}
	if (m->fill_us != 0) {
		dt = now - m->fill_us;
		if (dt > FILL_GAP_MAX_US)
			dt = FILL_GAP_MAX_US;
		want = fill / 8 * dt / 1000000;
		for (n = 0; n < FILL_BURST &&
		    s->ctr.tx_bytes - m->fill_tx < want; n++)
			if (fill_send(s, now) == -1)
				break;
	}
	m->fill_us = now;
	m->fill_tx = s->ctr.tx_bytes;
	return (1);
}

static void
fill_tick(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	(void)arg;
	linkd_fill(now_us());
}

/* Pad every probing session; the timer runs while one probes. */
void
linkd_fill(uint64_t now)
{
	struct session	*s;
	int		 i, any = 0;

	for (i = 0; i < ld.tbl->nsessions; i++) {
		s = &ld.tbl->sessions[i];
		if (s->used)
			any |= fill_session(s, linkd_meas(s), now);
	}
	if (any)
		fill_arm();
}

static void
fill_arm(void)
{
	struct timeval	tv = { 0, FILL_TICK_US };

	if (ld.ev_fill == NULL &&
	    (ld.ev_fill = evtimer_new(ld.base, fill_tick, NULL)) == NULL)
		fatalx("%s: evtimer_new", __func__);
	if (!evtimer_pending(ld.ev_fill, NULL) &&
	    evtimer_add(ld.ev_fill, &tv) == -1)
		fatalx("%s: evtimer_add", __func__);
}
