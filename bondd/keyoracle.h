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
 * The parent's answer to linkd's requests for a Diffie-Hellman with
 * the static private key (the key channel, struct ipc_dh): the check of
 * the point and each linkd's budget of requests.  Pure: the clock is a
 * parameter in microseconds, the key is the caller's; no I/O.  Runs in
 * the parent, which holds the key; the points come from a linkd, which
 * faces the network and may be compromised.
 */

#ifndef KEYORACLE_H
#define KEYORACLE_H

#include <stdint.h>

#include "bondd.h"

/*
 * A linkd's budget: KEYORACLE_RATE requests a second, KEYORACLE_BURST
 * at once.  A handshake needs one.  A listener completes at most
 * 4 * BONDD_MAX_LINKS handshakes a second per peer (the per-peer limit
 * of linkd/session.h) over BONDD_MAX_PEERS peers: the rate is that
 * ceiling, eight times what every link of every peer needs to
 * handshake again within the 2 s of a client's retries after the
 * server restarted, and the burst holds all of them at once twice.
 * At the ceiling the parent spends about a tenth of a core (one X25519,
 * some 50 us, each); a compromised linkd cannot make it spend more.
 */
#define KEYORACLE_RATE		(BONDD_MAX_PEERS * 4 * BONDD_MAX_LINKS)
#define KEYORACLE_BURST		(BONDD_MAX_PEERS * 2 * BONDD_MAX_LINKS)
#define KEYORACLE_COST_US	(1000000ULL / KEYORACLE_RATE)
_Static_assert(KEYORACLE_BURST >= BONDD_MAX_PEERS * BONDD_MAX_LINKS,
    "every session of a listener can handshake at once");

enum keyoracle_res {
	KEYORACLE_OK = 0,
	KEYORACLE_LIMITED,	/* over the linkd's budget */
	KEYORACLE_LOW_ORDER	/* the result would be all zero */
};

/* One linkd's budget and what was asked of it; zeroed: a full bucket. */
struct keyoracle {
	uint64_t	credit_us;
	uint64_t	last_us;
	int		started;
	uint64_t	answered, limited, low_order;
};

/* X25519 of priv and pub: 0, or -1 (out zeroed) for a low-order pub. */
int	keyoracle_x25519(uint8_t out[BONDD_KEY_LEN],
	    const uint8_t priv[BONDD_KEY_LEN], const uint8_t pub[BONDD_KEY_LEN]);
/* A request at now: out = DH(priv, point) when KEYORACLE_OK, else
 * zeroed.  A refused request costs as much of the budget as a good
 * one: low-order points cannot be sent for free. */
enum keyoracle_res keyoracle_dh(struct keyoracle *, uint64_t now,
	    const uint8_t priv[BONDD_KEY_LEN],
	    const uint8_t point[BONDD_KEY_LEN], uint8_t out[BONDD_KEY_LEN]);

#endif /* KEYORACLE_H */
