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
 * The clock of a ring of n time slots of len_us each, in which linkd
 * keeps a least or largest value over a sliding window: the one-way
 * delays and the base delay (probe.c), the peak estimate, the
 * standing queue and a jittery link's floor of delay (ratectl.c).  Pure logic on the caller's clock; holds
 * no secrets.
 */

#ifndef SLOTS_H
#define SLOTS_H

#include <stdint.h>

/*
 * Moves the ring to now: *cur steps one slot for each len_us passed
 * since *start_us, at most n, and *start_us follows; after a silence
 * longer than the whole ring it starts again at now.  Returns how many
 * slots were entered (0..n): the caller starts each of them afresh,
 * slots_back(*cur, n, k) for k below that.
 */
static inline int
slots_advance(uint64_t *start_us, int *cur, int n, uint64_t len_us,
    uint64_t now)
{
	int	entered;

	for (entered = 0; now - *start_us >= len_us && entered < n;
	    entered++) {
		*cur = (*cur + 1) % n;
		*start_us += len_us;
	}
	if (now - *start_us >= len_us)
		*start_us = now;
	return (entered);
}

/* The slot k steps before cur in a ring of n. */
static inline int
slots_back(int cur, int n, int k)
{
	return ((cur + n - k) % n);
}

#endif /* SLOTS_H */
