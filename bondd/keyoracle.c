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
 * The parent's answer to a linkd's request for a Diffie-Hellman with
 * the static private key: within the linkd's budget (a token bucket in
 * microseconds of credit), and never an all-zero result.  Pure: no
 * I/O, the clock is a parameter.  Runs in the parent, which holds the
 * key and never parses a network packet; the point comes from a linkd
 * and is untrusted.
 */

#include <string.h>

#include <sodium.h>

#include "keyoracle.h"

/* libsodium refuses an all-zero result (a low-order point) itself;
 * the check is repeated so that no other build can let one pass. */
int
keyoracle_x25519(uint8_t out[BONDD_KEY_LEN], const uint8_t priv[BONDD_KEY_LEN],
    const uint8_t pub[BONDD_KEY_LEN])
{
	if (crypto_scalarmult(out, priv, pub) != 0 ||
	    sodium_is_zero(out, BONDD_KEY_LEN)) {
		sodium_memzero(out, BONDD_KEY_LEN);
		return (-1);
	}
	return (0);
}

/* Take one request's credit: 1, or 0 when the bucket is empty. */
static int
budget_take(struct keyoracle *o, uint64_t now)
{
	const uint64_t	max_us = KEYORACLE_BURST * KEYORACLE_COST_US;

	if (!o->started) {
		o->started = 1;
		o->credit_us = max_us;
	} else if (now > o->last_us) {
		o->credit_us += now - o->last_us;
		if (o->credit_us > max_us)
			o->credit_us = max_us;
	}
	o->last_us = now;
	if (o->credit_us < KEYORACLE_COST_US)
		return (0);
	o->credit_us -= KEYORACLE_COST_US;
	return (1);
}

enum keyoracle_res
keyoracle_dh(struct keyoracle *o, uint64_t now,
    const uint8_t priv[BONDD_KEY_LEN], const uint8_t point[BONDD_KEY_LEN],
    uint8_t out[BONDD_KEY_LEN])
{
	memset(out, 0, BONDD_KEY_LEN);
	if (!budget_take(o, now)) {
		o->limited++;
		return (KEYORACLE_LIMITED);
	}
	if (keyoracle_x25519(out, priv, point) == -1) {
		o->low_order++;
		return (KEYORACLE_LOW_ORDER);
	}
	o->answered++;
	return (KEYORACLE_OK);
}
