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
 * The core's send queues: per link, the frames waiting for their
 * departure time, so that each link is paced at its current rate and
 * its bottleneck queue (a DSL or LTE modem's) stays short.  The
 * scheduler gives every packet a departure time on its link (its
 * virtual queue); a packet whose link is idle departs at once.  Small
 * packets that wait share a frame: a packet may join the last frame of
 * its link's queue when it fits, so aggregation costs no time of its
 * own.  A frame is numbered when it is made, so sequence numbers follow
 * the order packets came in, not the order links send them.
 *
 * Frames come from one pool per peer, so a link that needs a long queue
 * can have one while the others are idle.  Pure logic, no clock of its
 * own; frames leave the pool only through txq_pop() or txq_drop_all().
 *
 * Invariant: a queue's frames are in departure order, each holds 1 to
 * txq frame_max - TXQ_HDR bytes of records, and bytes counts the
 * records of every frame queued.
 */

#ifndef TXQ_H
#define TXQ_H

#include <stddef.h>
#include <stdint.h>

#define TXQ_NONE	(-1)
#define TXQ_JOINED	0
#define TXQ_NEW		1

struct txq_frame {
	uint64_t	 depart_us;	/* of its first packet */
	uint32_t	 seq;		/* set by the caller when made */
	uint16_t	 flow_dep;	/* inner header fields, the caller's */
	uint8_t		 flags;
	uint32_t	 flow;		/* of its first packet */
	uint8_t		 mixed;		/* packets of more than one flow */
	uint16_t	 npkts;
	size_t		 len;		/* inner frame, header space included */
	int		 next;		/* in its queue, TXQ_NONE = last */
	uint8_t		*buf;		/* hdr_len bytes of header, records */
};

struct txq_pool {
	size_t		 frame_max;	/* whole inner frame */
	size_t		 hdr_len;	/* room kept for the inner header */
	unsigned int	 nframes;
	unsigned int	 nfree;
	int		 free;		/* free list head */
	struct txq_frame *f;
	uint8_t		*mem;
};

struct txq {
	int		 head, tail;	/* TXQ_NONE: empty */
	unsigned int	 nframes;
	size_t		 bytes;		/* records queued */
};

/* A pool of nframes frames of frame_max bytes, hdr_len of them kept
 * for the header; -1 on bad sizes or no memory. */
int	 txq_pool_init(struct txq_pool *, unsigned int nframes,
	    size_t frame_max, size_t hdr_len);
void	 txq_pool_free(struct txq_pool *);
void	 txq_init(struct txq *);
/*
 * Queue a packet for departure at depart_us on q, its record's flags
 * rf (frame.h): it joins q's last frame if join is set and it fits
 * there, else takes a new frame.
 * TXQ_JOINED or TXQ_NEW (the caller numbers txq_tail()), or -1 if the
 * packet can never fit a frame or the pool is empty.
 */
int	 txq_put(struct txq_pool *, struct txq *, const uint8_t *, size_t,
	    uint32_t flow, uint64_t depart_us, int join, unsigned int rf);
/* 1 if a packet of len bytes fits q's last frame. */
int	 txq_fits(const struct txq_pool *, const struct txq *, size_t);
/* The last frame of q, NULL if q is empty. */
struct txq_frame *txq_tail(struct txq_pool *, struct txq *);
/* The first frame of q, NULL if q is empty. */
struct txq_frame *txq_peek(struct txq_pool *, struct txq *);
/* Give the first frame back to the pool. */
void	 txq_pop(struct txq_pool *, struct txq *);
/* Empty q (its link went away): the frames it held, for counters. */
unsigned int txq_drop_all(struct txq_pool *, struct txq *);

#endif /* TXQ_H */
