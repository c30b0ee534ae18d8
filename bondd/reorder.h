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
 * Receiver reorder buffer of the core (F26, F27): puts the DATA frames of
 * one peer and direction back in global sequence order before they are
 * written to the TUN device.  Pure logic on a caller-supplied clock; the
 * sequence numbers and timestamps come from authenticated frames of the
 * peer, which is trusted only not to forge, so every value is bounded.
 *
 * Window.  With expected = the next sequence to write, a packet of
 * sequence s (serial arithmetic, int32 difference d = s - expected) is
 *   d == 0                 REORDER_DELIVER: the caller writes it at once
 *                          from its own buffer (no copy), then drains
 *                          reorder_pop();
 *   0 < d < slots          REORDER_HELD: copied into slot s % slots, or
 *                          REORDER_DUP if it is already held;
 *   d >= slots             REORDER_FULL: not stored; the window is
 *                          forced forward so that s fits.  The caller
 *                          drains reorder_pop() (held packets that fall
 *                          out are released in order, missing ones are
 *                          skipped as lost, whatever the hold) and then
 *                          pushes the same packet again, which is then
 *                          held.  A burst far ahead never deadlocks and
 *                          never takes memory;
 *   -slots <= d < 0        REORDER_DUP if it was delivered, else it was
 *                          skipped as lost and arrives late:
 *                          REORDER_LATE, recorded so that its copies are
 *                          duplicates.  F26 delivers late packets (TCP
 *                          copes with reordering better than with loss);
 *                          the caller writes it at once;
 *   d < -slots             REORDER_OLD: dropped.
 * A d of 2^31 or more is negative, hence OLD (F27: never allocated for).
 * The first packet after reorder_new() or reorder_reset() sets expected.
 *
 * Gaps.  A missing sequence s is timed from the moment the first packet
 * above it arrived.  reorder_pop() skips it (counted as lost) once it has
 * been missing for the hold time, or at once after reorder_skip().
 * reorder_next_deadline() tells when the caller must call reorder_pop()
 * again; reorder_missing() lists the gaps worth a NACK.
 *
 * Hold time.  Each push carries the one-way delay sample of its frame,
 * arrival - send_ts_us as a signed 32-bit difference, on link 0..7 (-1:
 * no sample).  The clock offset between the peers cancels out between
 * links.  Per link: the minimum over the last 2 to 4 s and the smoothed
 * mean excess of samples over that minimum (jitter, gain 1/8).  Over the
 * links with a sample in the last 2 s:
 *   hold = max(min) - min(min) + 2 * max(jitter) + 1 ms,
 * clamped to [1 ms, max_hold_us]; max_hold_us while no link has a
 * sample.  Offsets wrap around 2^32 like the sequence numbers.  Until a
 * slow link has been heard from, the hold ignores it: the core feeds the
 * samples of keepalives too (reorder_sample), and what is skipped too
 * early still comes out as LATE.
 */

#ifndef REORDER_H
#define REORDER_H

#include <stddef.h>
#include <stdint.h>

#define REORDER_LINKS		8
#define REORDER_MIN_SLOTS	64
#define REORDER_MAX_SLOTS	(1U << 20)
#define REORDER_NACK_REPEAT_US	20000	/* least time between two NACKs */

enum reorder_verdict {
	REORDER_DELIVER,	/* in order: write it now, then pop */
	REORDER_LATE,		/* skipped before, now here: write it now */
	REORDER_HELD,		/* copied, wait for reorder_pop */
	REORDER_DUP,		/* delivered or held already: dropped */
	REORDER_OLD,		/* behind the window: dropped */
	REORDER_FULL,		/* too far ahead: drain pop, push again */
	REORDER_TOOBIG		/* longer than a slot, must wait: dropped */
};

struct reorder_stats {
	uint64_t	delivered;	/* in order, by push or pop */
	uint64_t	late;		/* REORDER_LATE */
	uint64_t	held;		/* packets copied into a slot */
	uint64_t	dup;
	uint64_t	old;
	uint64_t	skipped;	/* sequences given up as lost */
	uint64_t	full;		/* times the window was forced */
	uint64_t	toobig;
	uint32_t	cur_held;	/* packets in slots now */
	uint32_t	max_held;	/* high-water mark of cur_held */
	uint32_t	hold_us;	/* current hold time */
};

struct reorder;

/*
 * slots: a power of two in [REORDER_MIN_SLOTS, REORDER_MAX_SLOTS]; the
 * window ahead of expected and the duplicate memory behind it are both
 * slots sequences.  slot_size: the longest packet that can be held (the
 * TUN MTU).  NULL with errno set on bad arguments or no memory; the only
 * allocation.
 */
struct reorder	*reorder_new(unsigned int slots, size_t slot_size,
		    uint32_t max_hold_us);
void		 reorder_free(struct reorder *);
/* Forget every sequence and delay (a new peer session); keep counters. */
void		 reorder_reset(struct reorder *);
void		 reorder_set_max_hold(struct reorder *, uint32_t);

/* A delay sample of a frame that carries no packet (keepalive, NACK). */
void		 reorder_sample(struct reorder *, int link, int32_t owd_us,
		    uint64_t now_us);
int		 reorder_push(struct reorder *, uint32_t seq, int link,
		    int32_t owd_sample_us, const uint8_t *pkt, size_t len,
		    uint64_t now_us);
/*
 * 1 with the next packet in order that may be written now (valid until
 * the next call on this reorder), 0 when none is.  Call it until it
 * returns 0 after a DELIVER, HELD or FULL push and at the deadline.
 */
int		 reorder_pop(struct reorder *, uint64_t now_us,
		    const uint8_t **pkt, size_t *len);
/* When reorder_pop() has work again (may be past), 0 if nothing held. */
uint64_t	 reorder_next_deadline(const struct reorder *);
/* Give up on seq now, if it is a known gap (seen a packet above it). */
void		 reorder_skip(struct reorder *, uint32_t seq);
/*
 * Up to max sequences, ascending, missing below the highest held one
 * once every link active in the last 100 ms delivered a later one (links
 * keep order), or else for more than max(hold / 2, 2 ms), and not
 * reported in the last NACK repeat period; marks them reported.  Scans
 * at most the held range.
 */
void		 reorder_missing(struct reorder *, uint64_t now_us,
		    uint32_t *seqs, int *n, int max);
uint32_t	 reorder_hold_us(const struct reorder *);
void		 reorder_stats(const struct reorder *, struct reorder_stats *);

#endif /* REORDER_H */
