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
 * Aggregation: small packets on their way to one link share a frame.
 * At the end of a burst a frame with a large packet, or half full,
 * goes at once; a frame of small packets only may wait up to
 * AGG_WAIT_US for company.  Pure logic on a clock the caller passes in
 * (microseconds); the caller numbers and sends the frame.  Runs in the
 * core on packets read from the TUN device; holds no secrets.
 */

#ifndef AGG_H
#define AGG_H

#include <stddef.h>
#include <stdint.h>

#define AGG_SMALL	256		/* bytes: a packet worth waiting for */
#define AGG_WAIT_US	1000		/* small packets wait at most 1 ms */

enum agg_verdict {
	AGG_EMPTY,			/* no frame pending */
	AGG_WAIT,			/* it may wait for company */
	AGG_SEND			/* it must go now */
};

/* The frame pending for one link.  buf holds its inner header (left
 * for the caller to write) and records. */
struct agg {
	uint8_t		*buf;		/* frame_max bytes */
	size_t		 frame_max;
	size_t		 len;		/* 0: empty; else header included */
	int		 npkts;
	int		 all_small;
	uint64_t	 since_us;	/* when its first packet came */
};

/* 0, or -1 without memory. */
int	agg_init(struct agg *, size_t frame_max);
/* 1 if a packet of len bytes does not fit the pending frame: send
 * that first. */
int	agg_full(const struct agg *, size_t len);
/* Add a packet that fits (not agg_full, len <= frame_max minus the
 * inner header and a record header), opening a frame if none is
 * pending. */
void	agg_add(struct agg *, const uint8_t *, size_t len, uint64_t now);
/* End of a burst: what to do with the pending frame; for AGG_WAIT,
 * *wake is when it must go at the latest. */
enum agg_verdict agg_settle(const struct agg *, uint64_t now,
	    uint64_t *wake);
/* The pending frame went: start afresh. */
void	agg_clear(struct agg *);

#endif /* AGG_H */
