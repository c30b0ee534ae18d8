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
 * The core's receive reorder buffer (reorder.h).  A ring of slots indexed
 * by sequence holds the packets ahead of expected; a bitmap of twice as
 * many sequences, also indexed by sequence, marks what was received in
 * the window ahead and in the equal window behind expected.  Moving
 * expected by one clears the bit of the sequence that enters the window
 * ahead, which is the one that leaves the window behind.  For a missing
 * sequence below the highest received, its slot keeps the time it went
 * missing.  Runs in the sandboxed core on values from authenticated
 * frames; every loop is bounded by the number of slots.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "reorder.h"

#define HOLD_MIN_US	1000
#define HOLD_MARGIN_US	1000
#define LINK_IDLE_US	2000000ULL	/* a silent link stops counting */
#define MIN_HALF_US	2000000ULL	/* the minimum spans 1 to 2 halves */
#define NACK_AGE_MIN_US	2000
#define LINK_ACTIVE_US	100000ULL	/* counts for 'passed' in NACKs */

struct slot {
	uint64_t	t;		/* held: arrival; missing: since */
	uint64_t	nacked_us;
	uint32_t	len;
	uint8_t		nacked;
	uint8_t		gone;		/* reorder_skip: give up at once */
};

struct rlink {
	int		has;
	uint64_t	last_us;
	uint64_t	half_start;
	uint32_t	min_cur;	/* int32 samples, serial order */
	uint32_t	min_prev;
	int64_t		jitter8;	/* mean excess over the minimum, x 8 */
	int		has_seq;
	uint32_t	max_seq;	/* highest sequence it delivered */
	uint64_t	seq_us;		/* when it last delivered one */
};

struct reorder {
	unsigned int	 slots;
	size_t		 slot_size;
	uint32_t	 max_hold_us;
	uint32_t	 hold_us;
	int		 started;
	int		 flushing;
	uint32_t	 expected;
	uint32_t	 top;		/* highest received + 1, >= expected */
	uint32_t	 flush_to;
	uint64_t	 now;		/* latest clock seen */
	struct reorder_stats st;
	struct rlink	 link[REORDER_LINKS];
	struct slot	*slot;
	uint64_t	*bits;		/* 2 * slots bits */
	uint8_t		*buf;
};

static int32_t
sdiff(uint32_t a, uint32_t b)
{
	return ((int32_t)(a - b));
}

static int
test_bit(const struct reorder *r, uint32_t s)
{
	uint32_t i = s & (2 * r->slots - 1);

	return ((r->bits[i >> 6] >> (i & 63)) & 1);
}

static void
set_bit(struct reorder *r, uint32_t s)
{
	uint32_t i = s & (2 * r->slots - 1);

	r->bits[i >> 6] |= 1ULL << (i & 63);
}

static void
clear_bit(struct reorder *r, uint32_t s)
{
	uint32_t i = s & (2 * r->slots - 1);

	r->bits[i >> 6] &= ~(1ULL << (i & 63));
}

static struct slot *
slot_of(const struct reorder *r, uint32_t s)
{
	return (&r->slot[s & (r->slots - 1)]);
}

static uint8_t *
buf_of(const struct reorder *r, uint32_t s)
{
	return (r->buf + (size_t)(s & (r->slots - 1)) * r->slot_size);
}

/* Move expected forward by n; nothing in between may still be held. */
static void
advance(struct reorder *r, uint32_t n)
{
	uint32_t i, clear;

	clear = n < 2 * r->slots ? n : 2 * r->slots;
	for (i = 0; i < clear; i++)
		clear_bit(r, r->expected + r->slots + i);
	r->expected += n;
	if (sdiff(r->top, r->expected) < 0)
		r->top = r->expected;
	if (r->flushing && sdiff(r->expected, r->flush_to) >= 0)
		r->flushing = 0;
}

static uint32_t
link_min(const struct rlink *l)
{
	return (sdiff(l->min_prev, l->min_cur) < 0 ? l->min_prev :
	    l->min_cur);
}

static void
link_sample(struct reorder *r, int link, int32_t owd, uint64_t now)
{
	struct rlink *l;
	uint32_t x = (uint32_t)owd;
	int64_t dev;

	if (link < 0 || link >= REORDER_LINKS)
		return;
	l = &r->link[link];
	if (!l->has || now - l->half_start >= 2 * MIN_HALF_US) {
		l->has = 1;
		l->min_cur = l->min_prev = x;
		l->half_start = now;
		l->jitter8 = 0;
	} else if (now - l->half_start >= MIN_HALF_US) {
		l->min_prev = l->min_cur;
		l->min_cur = x;
		l->half_start = now;
	} else if (sdiff(x, l->min_cur) < 0)
		l->min_cur = x;
	l->last_us = now;
	dev = sdiff(x, link_min(l));
	l->jitter8 += dev - l->jitter8 / 8;
}

static void
update_hold(struct reorder *r, uint64_t now)
{
	const struct rlink *l;
	uint32_t ref = 0, m;
	int64_t lo = 0, hi = 0, jit = 0, d, hold;
	int i, n = 0;

	for (i = 0; i < REORDER_LINKS; i++) {
		l = &r->link[i];
		if (!l->has || now - l->last_us > LINK_IDLE_US)
			continue;
		m = link_min(l);
		if (n++ == 0)
			ref = m;
		d = sdiff(m, ref);
		if (d < lo)
			lo = d;
		if (d > hi)
			hi = d;
		if (l->jitter8 / 8 > jit)
			jit = l->jitter8 / 8;
	}
	if (n == 0)
		hold = r->max_hold_us;
	else
		hold = hi - lo + 2 * jit + HOLD_MARGIN_US;
	if (hold < HOLD_MIN_US)
		hold = HOLD_MIN_US;
	if (hold > r->max_hold_us)
		hold = r->max_hold_us;
	r->hold_us = (uint32_t)hold;
}

/* A clock that steps back must not make every wait look 2^64 long. */
static void
note_now(struct reorder *r, uint64_t now)
{
	if (now > r->now)
		r->now = now;
}

struct reorder *
reorder_new(unsigned int slots, size_t slot_size, uint32_t max_hold_us)
{
	struct reorder *r;

	if (slots < REORDER_MIN_SLOTS || slots > REORDER_MAX_SLOTS ||
	    (slots & (slots - 1)) != 0 || slot_size == 0 ||
	    slot_size > UINT32_MAX || max_hold_us == 0 ||
	    slot_size > SIZE_MAX / slots) {
		errno = EINVAL;
		return (NULL);
	}
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return (NULL);
	r->slots = slots;
	r->slot_size = slot_size;
	r->max_hold_us = max_hold_us;
	r->slot = calloc(slots, sizeof(*r->slot));
	r->bits = calloc(2 * slots / 64, sizeof(*r->bits));
	r->buf = malloc(slots * slot_size);
	if (r->slot == NULL || r->bits == NULL || r->buf == NULL) {
		reorder_free(r);
		errno = ENOMEM;
		return (NULL);
	}
	reorder_reset(r);
	return (r);
}

void
reorder_free(struct reorder *r)
{
	if (r == NULL)
		return;
	free(r->slot);
	free(r->bits);
	free(r->buf);
	free(r);
}

void
reorder_reset(struct reorder *r)
{
	memset(r->bits, 0, 2 * r->slots / 8);
	memset(r->link, 0, sizeof(r->link));
	r->started = 0;
	r->flushing = 0;
	r->st.cur_held = 0;
	r->hold_us = r->max_hold_us;
}

void
reorder_set_max_hold(struct reorder *r, uint32_t max_hold_us)
{
	if (max_hold_us == 0)
		return;
	r->max_hold_us = max_hold_us;
	update_hold(r, r->now);
}

void
reorder_sample(struct reorder *r, int link, int32_t owd_us, uint64_t now)
{
	note_now(r, now);
	link_sample(r, link, owd_us, r->now);
	update_hold(r, r->now);
}

int
reorder_push(struct reorder *r, uint32_t seq, int link, int32_t owd_us,
    const uint8_t *pkt, size_t len, uint64_t now)
{
	struct slot *sl;
	struct rlink *l;
	int32_t d;
	uint32_t s;

	reorder_sample(r, link, owd_us, now);
	now = r->now;
	if (link >= 0 && link < REORDER_LINKS) {
		l = &r->link[link];
		if (!l->has_seq || sdiff(seq, l->max_seq) > 0)
			l->max_seq = seq;
		l->has_seq = 1;
		l->seq_us = now;
	}
	if (!r->started) {
		r->started = 1;
		r->expected = r->top = seq;
	}
	d = sdiff(seq, r->expected);
	if (d < 0) {
		if (d < -(int32_t)r->slots) {
			r->st.old++;
			return (REORDER_OLD);
		}
		if (test_bit(r, seq)) {
			r->st.dup++;
			return (REORDER_DUP);
		}
		set_bit(r, seq);
		r->st.late++;
		return (REORDER_LATE);
	}
	if (d >= (int32_t)r->slots) {
		if (!r->flushing || sdiff(seq - r->slots + 1, r->flush_to) > 0)
			r->flush_to = seq - r->slots + 1;
		r->flushing = 1;
		r->st.full++;
		return (REORDER_FULL);
	}
	if (test_bit(r, seq)) {
		r->st.dup++;
		return (REORDER_DUP);
	}
	if (d == 0) {
		set_bit(r, seq);
		advance(r, 1);
		r->st.delivered++;
		return (REORDER_DELIVER);
	}
	if (len > r->slot_size) {
		r->st.toobig++;
		return (REORDER_TOOBIG);
	}
	/* Every sequence between the old top and this one goes missing. */
	for (s = r->top; sdiff(s, seq) < 0; s++) {
		sl = slot_of(r, s);
		sl->t = now;
		sl->nacked = sl->gone = 0;
	}
	if (sdiff(seq + 1, r->top) > 0)
		r->top = seq + 1;
	sl = slot_of(r, seq);
	sl->t = now;
	sl->len = (uint32_t)len;
	memcpy(buf_of(r, seq), pkt, len);
	set_bit(r, seq);
	r->st.held++;
	if (++r->st.cur_held > r->st.max_held)
		r->st.max_held = r->st.cur_held;
	return (REORDER_HELD);
}

int
reorder_pop(struct reorder *r, uint64_t now, const uint8_t **pkt,
    size_t *len)
{
	const struct slot *sl;
	uint32_t e;

	note_now(r, now);
	now = r->now;
	update_hold(r, now);
	if (!r->started)
		return (0);
	while (r->top != r->expected) {
		e = r->expected;
		sl = slot_of(r, e);
		if (test_bit(r, e)) {
			*pkt = buf_of(r, e);
			*len = sl->len;
			advance(r, 1);
			r->st.cur_held--;
			r->st.delivered++;
			return (1);
		}
		if (!sl->gone && !(r->flushing && sdiff(e, r->flush_to) < 0) &&
		    now - sl->t < r->hold_us)
			return (0);
		advance(r, 1);
		r->st.skipped++;
	}
	/* Nothing received between here and a forced window start. */
	if (r->flushing) {
		r->st.skipped += (uint32_t)sdiff(r->flush_to, r->expected);
		advance(r, (uint32_t)sdiff(r->flush_to, r->expected));
	}
	return (0);
}

uint64_t
reorder_next_deadline(const struct reorder *r)
{
	const struct slot *sl;
	uint64_t now = r->now > 0 ? r->now : 1;

	if (!r->started || r->top == r->expected)
		return (r->flushing ? now : 0);
	sl = slot_of(r, r->expected);
	if (r->flushing || sl->gone || test_bit(r, r->expected))
		return (now);
	return (sl->t + r->hold_us);
}

void
reorder_skip(struct reorder *r, uint32_t seq)
{
	if (!r->started || sdiff(seq, r->expected) < 0 ||
	    sdiff(seq, r->top) >= 0 || test_bit(r, seq))
		return;
	slot_of(r, seq)->gone = 1;
}

void
reorder_missing(struct reorder *r, uint64_t now, uint32_t *seqs, int *n,
    int max)
{
	struct slot *sl;
	uint64_t age;
	uint32_t s, passed;
	int i, active;

	*n = 0;
	note_now(r, now);
	now = r->now;
	if (!r->started)
		return;
	age = r->hold_us / 2;
	if (age < NACK_AGE_MIN_US)
		age = NACK_AGE_MIN_US;
	/*
	 * A link delivers in the order it was given frames, so a gap is
	 * surely lost once every link in use has delivered a later frame:
	 * 'passed' is the lowest such sequence.  Otherwise the gap waits
	 * half the hold, the time natural reordering may take.
	 */
	active = 0;
	passed = 0;
	for (i = 0; i < REORDER_LINKS; i++) {
		if (!r->link[i].has_seq ||
		    now - r->link[i].seq_us > LINK_ACTIVE_US)
			continue;
		if (!active || sdiff(r->link[i].max_seq, passed) < 0)
			passed = r->link[i].max_seq;
		active = 1;
	}
	for (s = r->expected; s != r->top && *n < max; s++) {
		if (test_bit(r, s))
			continue;
		sl = slot_of(r, s);
		if (sl->gone || now - sl->t < NACK_AGE_MIN_US / 2)
			continue;
		if (!(active && sdiff(passed, s) > 0) && now - sl->t <= age)
			continue;
		if (sl->nacked && now - sl->nacked_us < REORDER_NACK_REPEAT_US)
			continue;
		sl->nacked = 1;
		sl->nacked_us = now;
		seqs[(*n)++] = s;
	}
}

uint32_t
reorder_hold_us(const struct reorder *r)
{
	return (r->hold_us);
}

void
reorder_stats(const struct reorder *r, struct reorder_stats *st)
{
	*st = r->st;
	st->hold_us = r->hold_us;
}
