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
 * Receiver reorder buffer of the core: puts the DATA frames of one peer
 * and direction back in order before their packets are written to the
 * TUN device.  Pure logic on a caller-supplied clock (microseconds); the
 * sequence numbers, delays and dependencies come from authenticated
 * frames of the peer, which is trusted only not to forge, so every value
 * is bounded and no input can make it allocate or loop without bound.
 *
 * Order is per flow, not global.  The sender names, for every frame, the
 * earlier frame its flow waits for (dep): a frame whose dep has been
 * written (or given up) is written at once, even while an earlier frame
 * of another flow is missing, so a hole holds only the flow it belongs
 * to.  A frame whose flow the sender could not tell waits for every
 * earlier frame (REORDER_DEP_ALL), as a global order would, and so does
 * a frame whose dep was lost: what the lost frame waited for is unknown.
 *
 * Window.  With expected = the lowest sequence not yet written or given
 * up, a frame of sequence s (serial arithmetic, d = s - expected):
 *   d == 0 or dep written  REORDER_DELIVER: the caller writes it at once
 *                          from its own buffer (no copy), then drains
 *                          reorder_pop();
 *   0 < d < slots          REORDER_HELD: copied into slot s % slots until
 *                          its dep is written or given up;
 *                          REORDER_DUP if it was seen already;
 *   d >= slots             REORDER_FULL: not stored; the window is forced
 *                          forward so that s fits.  The caller drains
 *                          reorder_pop() and pushes the same frame again;
 *                          so too when it would be held and held_max
 *                          frames are held already (the oldest hole is
 *                          given up if nothing else can go);
 *   -slots <= d < 0        REORDER_DUP if it was seen, else it had been
 *                          given up and arrives late: REORDER_LATE, to be
 *                          written at once (TCP copes with reordering
 *                          better than with loss);
 *   d < -slots             REORDER_OLD: dropped.
 * The first frame after reorder_new() or reorder_reset() sets expected.
 *
 * Holes.  A missing sequence is a hole from the moment a later frame
 * arrives.  It is due once it is overdue on every link: its send time
 * is at most that of the later frame, so it is due when that frame's
 * delay sample has grown to the largest delay a link shows now (per
 * link: the minimum sample of the last 2 to 4 s plus the largest excess
 * over it in the last 2 to 4 s, or the mean excess and three mean
 * deviations of it if more; a link silent for 10 s no longer counts).
 * The sender also names the previous frame it sent on the same link
 * (link_prev): links keep order, so a frame that names a missing one
 * shows at once that it was lost on that link.  reorder_missing() lists
 * the holes not yet asked for that are lost, or due and passed by every
 * link in use (each delivered a later frame that named its previous one
 * there: one that names none may have left ahead of frames queued
 * before it), or due for a NACK time more (a quiet link's last frame);
 * a hole asked for once may be asked for again only when the resend is
 * itself overdue (the NACK time set with reorder_set_nack_wait).  A
 * hole is given up when expected reaches it and its deadline passed:
 * twice the NACK time after it was due or last asked for, never later
 * than max_hold_us after it opened.
 *
 * Invariant: a frame is written exactly once (deliver, early deliver or
 * pop) or counted as a duplicate; a held frame's dep is always earlier
 * than the frame, so the frame at expected never waits for anything.
 */

#ifndef REORDER_H
#define REORDER_H

#include <stddef.h>
#include <stdint.h>

#define REORDER_LINKS		8
#define REORDER_MIN_SLOTS	64
#define REORDER_MAX_SLOTS	(1U << 20)
#define REORDER_NACKS		2	/* times a hole is asked for */

enum reorder_verdict {
	REORDER_DELIVER,	/* write it now, then pop */
	REORDER_LATE,		/* given up before, now here: write it now */
	REORDER_HELD,		/* copied, wait for reorder_pop */
	REORDER_DUP,		/* seen already: dropped */
	REORDER_OLD,		/* behind the window: dropped */
	REORDER_FULL,		/* too far ahead: drain pop, push again */
	REORDER_TOOBIG		/* longer than a slot, must wait: dropped */
};

enum reorder_dep {
	REORDER_DEP_NONE,	/* the first frame of its flow */
	REORDER_DEP_SEQ,	/* waits for frame dep */
	REORDER_DEP_ALL		/* waits for every earlier frame */
};

/* What the sender said of a frame, and the delay it took. */
struct reorder_meta {
	uint32_t	seq;
	int		link;		/* 0..REORDER_LINKS-1, -1 = unknown */
	int32_t		owd_us;		/* arrival - send time: a sample */
	int		dep_kind;	/* enum reorder_dep */
	uint32_t	dep;		/* REORDER_DEP_SEQ: that frame */
	int		has_link_prev;
	uint32_t	link_prev;	/* the previous frame on its link */
	int		resent;		/* a second copy the sender made */
};

struct reorder_link_stats {
	uint64_t	frames;		/* frames received on the link */
	uint64_t	dup;		/* duplicates received on it */
	uint64_t	spurious;	/* duplicates of which one copy was
					   a resend: a resend not needed */
	uint64_t	lost;		/* frames it lost (a later frame on
					   it named them) */
};

struct reorder_stats {
	uint64_t	delivered;	/* written, in flow order */
	uint64_t	early;		/* of them, ahead of a hole of
					   another flow */
	uint64_t	late;		/* REORDER_LATE */
	uint64_t	held;		/* frames copied into a slot */
	uint64_t	dup;
	uint64_t	old;
	uint64_t	skipped;	/* sequences given up as lost */
	uint64_t	full;		/* times the window was forced */
	uint64_t	toobig;
	uint64_t	asked_named;	/* holes asked for: named lost */
	uint64_t	asked_due;	/* overdue on every link */
	uint64_t	asked_again;	/* their resend overdue */
	uint32_t	cur_held;	/* frames in slots now */
	uint32_t	max_held;	/* high-water mark of cur_held */
	uint32_t	hold_us;	/* the wait of a hole nobody named */
	struct reorder_link_stats link[REORDER_LINKS];
};

struct reorder;

/*
 * slots: a power of two in [REORDER_MIN_SLOTS, REORDER_MAX_SLOTS]; the
 * window ahead of expected and the duplicate memory behind it are both
 * slots sequences.  slot_size: the longest frame that can be held.  NULL
 * with errno set on bad arguments or no memory; the only allocation.
 */
struct reorder	*reorder_new(unsigned int slots, size_t slot_size,
		    uint32_t max_hold_us);
void		 reorder_free(struct reorder *);
/* Forget every sequence and delay (a new peer session); keep counters. */
void		 reorder_reset(struct reorder *);
void		 reorder_set_max_hold(struct reorder *, uint32_t);
/* Hold at most n frames (0: slots), which bounds their memory: a frame
 * that would be one more is REORDER_FULL, and the oldest hole is given
 * up if nothing else can be written. */
void		 reorder_set_held_max(struct reorder *, unsigned int n);
/* How long a NACK and the resend it asks for take (the round trip of
 * the best link and its variation); 0 = unknown: the hold stands in. */
void		 reorder_set_nack_wait(struct reorder *, uint32_t);
/* How long a hole named lost waits before it is asked for: the time
 * parity (FEC) takes to mend it, 0 when the peer sends none. */
void		 reorder_set_nack_delay(struct reorder *, uint32_t);

/* A delay sample of a frame that carries no packet (keepalive, NACK). */
void		 reorder_sample(struct reorder *, int link, int32_t owd_us,
		    uint64_t now_us);
int		 reorder_push(struct reorder *, const struct reorder_meta *,
		    const uint8_t *frame, size_t len, uint64_t now_us);
/*
 * 1 with the next frame that may be written now (valid until the next
 * call on this reorder), 0 when none is.  Call it until it returns 0
 * after a DELIVER, HELD or FULL push and at the deadline.
 */
int		 reorder_pop(struct reorder *, uint64_t now_us,
		    const uint8_t **frame, size_t *len);
/* When reorder_pop() has work again (may be past), 0 if nothing held. */
uint64_t	 reorder_next_deadline(const struct reorder *);
/*
 * Up to max holes, ascending, worth a NACK now (lost on their link, or
 * due, and not asked for within the NACK time); marks them asked for.
 * Scans at most the window.  Returns how many of them were asked for
 * before.
 */
int		 reorder_missing(struct reorder *, uint64_t now_us,
		    uint32_t *seqs, int *n, int max);
uint32_t	 reorder_hold_us(const struct reorder *);
void		 reorder_stats(const struct reorder *, struct reorder_stats *);

#endif /* REORDER_H */
