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
 * NACKs between the cores.  The receiving core asks for the sequence
 * numbers its reorder buffer misses, before the hold gives up on them;
 * the sending core resends those it still keeps.  Pure logic on a
 * clock the caller passes in (microseconds); the caller picks the link
 * and sends.  Runs in the core on NACKs linkd authenticated and trusts
 * them no further: a malformed body is refused whole, and only frames
 * still kept are resent.  Holds no secrets.
 */

#ifndef NACK_H
#define NACK_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "reorder.h"
#include "retx.h"

#define NACK_PERIOD_US	5000		/* how often gaps are looked for */
#define NACK_FRAME_MAX	(INNER_HDR_LEN + INNER_NACK_LEN(INNER_NACK_MAX))

/* 1 if it is time to look for gaps again, last_us being the last
 * time a NACK went. */
int	nack_due(uint64_t last_us, uint64_t now);
/*
 * Write into frame (NACK_FRAME_MAX bytes) a NACK of epoch for the
 * gaps ro has at now, which ro then counts as asked for.  Returns its
 * length, *n the sequence numbers in it and *again how many of them
 * were asked for before, or 0 with nothing missing.
 */
size_t	nack_build(struct reorder *ro, uint16_t epoch, uint64_t now,
	    uint8_t *frame, int *n, int *again);
/*
 * The kept frames a received NACK body asks for, in its order, into
 * want (room for INNER_NACK_MAX) and *nwant, each counted as resent
 * (retx_nack_resend()); sequence numbers no longer kept, or too old to
 * resend, are passed over, and those named again in the same NACK, or
 * refused by the ring's bounds, are counted in *nignored.  Returns how
 * many it asked for, or -1 if the body is malformed.
 */
int	nack_wanted(struct retx *, const uint8_t *body, size_t len,
	    uint64_t now, struct retx_frame **want, size_t *nwant,
	    size_t *nignored);

#endif /* NACK_H */
