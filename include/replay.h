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
 * Sliding anti-replay window over 64-bit counters (RFC 6479 style
 * bitmap).  Check before decryption, update only after the packet
 * authenticated.
 */

#ifndef REPLAY_H
#define REPLAY_H

#include <stdint.h>

#define REPLAY_WINDOW	4096			/* packets, power of two */
#define REPLAY_WORDS	(REPLAY_WINDOW / 64)

struct replay {
	uint64_t	top;		/* highest accepted counter + 1 */
	uint64_t	bitmap[REPLAY_WORDS];
};

void	replay_init(struct replay *);
/* 0 if ctr may be new, -1 if a duplicate or older than the window. */
int	replay_check(const struct replay *, uint64_t);
/* Record ctr as seen; returns -1 if it was already seen or too old. */
int	replay_update(struct replay *, uint64_t);

#endif /* REPLAY_H */
