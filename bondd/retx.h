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
 * The frames the core keeps for resending: a ring indexed by sequence
 * number, so that a NACK finds its frame in one step, and a failed
 * link's frames in flight can be found again.  The bytes go one after
 * the other, at their real length, into a byte ring of cap bytes that
 * starts again at 0 (a new lap) when a frame does not fit before cap.
 * cap follows what can be in flight: a lap that filled in less than
 * the window (what a NACK or a failing link may still ask for)
 * doubles it for the next lap, up to RETX_SLOTS full frames; a lap
 * that took more than RETX_SHRINK times the window halves it, down to
 * RETX_CAP_MIN, and the pages past it go back to the system.  So the
 * ring holds at least one lap, a window's worth once it has grown,
 * and only the pages of what a window carries stay resident.  Pure
 * logic on a clock the caller passes in (microseconds).  Runs in the core; holds no
 * secrets.  The sequence numbers looked up come from a peer's NACK,
 * which linkd authenticated but which is trusted no further: a slot
 * answers only for the very sequence number it holds, and resends for
 * NACKs are bounded, so that a peer (or whoever holds its keys and
 * moved its endpoint to a third party) cannot turn one NACK into many
 * frames: a frame is resent once per request however often a NACK
 * names it, at most RETX_RESENDS_MAX times in all, and the resends of
 * a second stay within RETX_BUDGET_MIN plus the frames kept in it or
 * the second before: a peer cannot lose more than was sent.
 */

#ifndef RETX_H
#define RETX_H

#include <stddef.h>
#include <stdint.h>

#define RETX_SLOTS		2048	/* frames kept for resending, at most */
#define RETX_CAP_MIN		(64 * 1024)	/* bytes of the ring, floor */
#define RETX_GROW		2	/* lap under this many windows: double */
#define RETX_SHRINK		4	/* lap this many windows: halve cap */
#define RETX_MAX_AGE_US		500000	/* older frames are not resent */
#define RETX_FAILOVER_MIN_US	100000	/* in flight on a failed link */
#define RETX_RESENDS_MAX	3	/* NACKed resends of one frame */
/* A peer asks for a hole at most once per NACK period (5 ms) and again
 * only when the resend is overdue: a request for a frame resent less
 * than this ago repeats one already answered. */
#define RETX_RESEND_GAP_US	2500
#define RETX_BUDGET_MIN		64	/* NACKed resends a second, floor */
#define RETX_BUDGET_US		1000000	/* the budget's period */

struct retx_frame {
	uint32_t	 seq;
	uint16_t	 len;
	int8_t		 link;		/* where it went last */
	uint8_t		 used;
	uint64_t	 sent_us;	/* when it was first sent */
	uint64_t	 resent_us;	/* last resent for a NACK, 0 = never */
	uint32_t	 resends;	/* resent for NACKs, <= RETX_RESENDS_MAX */
	uint32_t	 off;		/* its bytes: pool + off, len of them */
	uint64_t	 lap;		/* the lap that wrote them */
	uint8_t		*frame;
};

/*
 * Invariant: a frame's bytes are intact if its lap is the current one,
 * or the one before and the current lap has not written up to them
 * (off >= wr) nor left them past cap; retx_find() and
 * retx_next_on_link() return no other frame.
 */
struct retx {
	struct retx_frame *ring;	/* RETX_SLOTS, slot = seq % slots */
	uint8_t		  *pool;	/* size bytes, pages past cap unused */
	size_t		   size;	/* RETX_SLOTS * frame_max */
	size_t		   frame_max;
	size_t		   cap;		/* bytes of the current lap */
	size_t		   wr;		/* where the next frame goes */
	uint64_t	   lap;		/* laps begun, the current one */
	uint64_t	   lap_us;	/* when it began */
	uint64_t	   window_us;	/* see retx_set_window() */
	/* The resend budget: frames kept and NACKed resends in the
	 * period that began at period_us, frames kept in the one before. */
	uint64_t	   period_us;
	uint32_t	   kept, kept_before, resent;
};

/* 0, or -1 without memory (nothing kept allocated).  The window starts
 * at RETX_FAILOVER_MIN_US. */
int		 retx_init(struct retx *, size_t frame_max);
void		 retx_free(struct retx *);
/* How long a kept frame may still be asked for, at the next lap. */
void		 retx_set_window(struct retx *, uint64_t window_us);
/* Keep a copy of frame seq (len <= frame_max), sent now on link; it
 * takes the slot of the frame RETX_SLOTS sequence numbers older and
 * the bytes of the oldest frames of the ring. */
void		 retx_keep(struct retx *, uint32_t seq, const uint8_t *,
		    size_t len, int link, uint64_t now);
/* The kept frame seq, if it is young enough to resend; else NULL. */
struct retx_frame *retx_find(struct retx *, uint32_t seq, uint64_t now);
/* 1 if the kept frame may be resent now for a NACK, and then counts as
 * resent; 0 if it was resent under RETX_RESEND_GAP_US ago, was resent
 * RETX_RESENDS_MAX times already, or the budget of the period is
 * spent. */
int		 retx_nack_resend(struct retx *, struct retx_frame *,
		    uint64_t now);
/* How far back a failed link's frames count as in flight: twice its
 * smoothed RTT, within [RETX_FAILOVER_MIN_US, RETX_MAX_AGE_US]. */
uint64_t	 retx_failover_window(uint32_t srtt_us);
/* From slot *next on, the next frame last sent on link within window
 * of now, *next moved past it; NULL when there is none left. */
struct retx_frame *retx_next_on_link(struct retx *, size_t *next, int link,
		    uint64_t window, uint64_t now);

#endif /* RETX_H */
