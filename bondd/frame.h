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
 * Inner frames as the core builds and reads them (layout in wire.h),
 * and the checks an IP packet passes before it reaches the TUN device.
 * Runs in the core on frames that linkd authenticated, but still checks
 * every length: a linkd is trusted no more than the network.
 */

#ifndef FRAME_H
#define FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"

/*
 * The records of a DATA frame, after its inner header: (len u16 LE,
 * packet).  frame_rec_put appends one at *off (0 if it does not fit in
 * size); frame_rec_next reads the one at *off: 1 with pkt/len, 0 at
 * the end, -1 if a record is empty or overruns the frame.
 */
size_t	frame_rec_put(uint8_t *, size_t size, size_t *off, const uint8_t *,
	    size_t);
int	frame_rec_next(const uint8_t *, size_t, size_t *off,
	    const uint8_t **, size_t *);

/* An IP packet of exactly len bytes: returns AF_INET or AF_INET6 and
 * points src and dst at its addresses, or -1. */
int	ip_check(const uint8_t *, size_t, const uint8_t **, const uint8_t **);

#endif /* FRAME_H */
