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
 * Anti-replay window: a ring of REPLAY_WINDOW bits indexed by counter
 * (RFC 6479).  Moving the top forward clears the bits of the skipped
 * counters word by word, masking the two partial words at the ends so
 * that no bit of a counter still inside the window is lost: the window
 * is the full REPLAY_WINDOW counters below the top.  Runs in linkd on
 * counters read from untrusted datagrams; holds no secrets.
 */

#include <stdint.h>
#include <string.h>

#include "replay.h"

#define BIT(c)		((c) & (REPLAY_WINDOW - 1))
#define WORD(c)		(BIT(c) >> 6)
#define MASK(c)		(1ULL << (BIT(c) & 63))

void
replay_init(struct replay *r)
{
	memset(r, 0, sizeof(*r));
}

/*
 * UINT64_MAX is never accepted: the Noise nonce 2^64-1 is reserved and
 * top (highest + 1) must not wrap.
 */
int
replay_check(const struct replay *r, uint64_t ctr)
{
	if (ctr == UINT64_MAX)
		return (-1);
	if (ctr >= r->top)
		return (0);
	if (r->top - ctr > REPLAY_WINDOW)
		return (-1);
	return ((r->bitmap[WORD(ctr)] & MASK(ctr)) ? -1 : 0);
}

/* Clear the bits of counters [from, to), fewer than REPLAY_WINDOW. */
static void
clear_range(struct replay *r, uint64_t from, uint64_t to)
{
	uint64_t n, mask;
	unsigned int off;

	while (from < to) {
		off = (unsigned int)(BIT(from) & 63);
		n = 64 - off;
		if (n > to - from)
			n = to - from;
		mask = n == 64 ? ~0ULL : ((1ULL << n) - 1) << off;
		r->bitmap[WORD(from)] &= ~mask;
		from += n;
	}
}

int
replay_update(struct replay *r, uint64_t ctr)
{
	if (replay_check(r, ctr) == -1)
		return (-1);
	if (ctr >= r->top) {
		if (ctr - r->top >= REPLAY_WINDOW)
			memset(r->bitmap, 0, sizeof(r->bitmap));
		else
			clear_range(r, r->top, ctr + 1);
		r->top = ctr + 1;
	}
	r->bitmap[WORD(ctr)] |= MASK(ctr);
	return (0);
}
