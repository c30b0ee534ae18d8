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
 * by sequence holds the frames ahead of expected and the state of every
 * hole; two bitmaps of twice as many sequences, also indexed by
 * sequence, mark what was received (and what came as a resend) in the
 * window ahead and in the equal window behind expected.  Moving expected
 * by one clears the bits of the sequence that enters the window ahead,
 * which is the one that leaves the window behind.  A held frame's bytes
 * live in a buffer taken from a stack of free ones, not at its slot's
 * place: the buffers handed out are those on top, so the pages touched
 * (resident memory) follow how many frames were ever held at once, not
 * the window.  Invariant: a slot is S_HELD exactly when it owns one
 * buffer; every buffer is either owned by one held slot or on the stack.
 * A hole's slot keeps
 * when it is due and when it is given up; frames whose dep was just
 * written wait in a ring until reorder_pop() hands them out.  Runs in the sandboxed core on
 * values from authenticated frames; every loop is bounded by the number
 * of slots.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "reorder.h"

#define HOLD_MIN_US	1000
#define HOLD_MARGIN_US	1000
#define LINK_IDLE_US	10000000ULL	/* a silent link stops counting */
#define MIN_HALF_US	2000000ULL	/* the minimum spans 1 to 2 halves */
#define LINK_ACTIVE_US	100000ULL	/* a link in use: a frame this late */

enum slot_state {
	S_HOLE,		/* missing */
	S_HELD,		/* here, waiting for its dep */
	S_DONE		/* written */
};

struct slot {
	uint64_t	t;		/* held: arrival; hole: opened */
	uint64_t	due;		/* hole: overdue on every link */
	uint64_t	deadline;	/* hole: given up then */
	uint64_t	nacked_us;
	uint32_t	len;
	uint32_t	bi;		/* held: its buffer in buf */
	uint32_t	dep;		/* held: the frame it waits for */
	uint32_t	waiter;		/* a held frame waiting for this */
	uint8_t		state;		/* enum slot_state */
	uint8_t		has_waiter;
	uint8_t		dep_all;	/* held: waits for expected */
	uint8_t		nacks;		/* hole: times asked for */
	uint8_t		lost;		/* hole: named by its link */
};

struct rlink {
	int		has;
	uint64_t	last_us;
	uint64_t	half_start;
	uint32_t	min_cur;	/* int32 samples, serial order */
	uint32_t	min_prev;
	int64_t		ex8;		/* mean excess over the minimum, x 8 */
	int64_t		dv4;		/* its mean deviation, x 4 */
	int32_t		xmax_cur;	/* largest excess, this half */
	int32_t		xmax_prev;	/* and the one before */
	int		has_seq;
	uint32_t	max_seq;	/* highest sequence it delivered */
	uint64_t	seq_us;		/* when it last delivered one */
};

struct reorder {
	unsigned int	 slots;
	size_t		 slot_size;
	uint32_t	 max_hold_us;
	uint32_t	 hold_us;
	uint32_t	 nack_wait_us;
	uint32_t	 nack_delay_us;
	int		 have_latest;
	uint32_t	 latest;	/* largest delay sample expected now */
	int		 started;
	int		 flushing;
	uint32_t	 expected;
	uint32_t	 top;		/* highest received + 1, >= expected */
	uint32_t	 flush_to;
	uint64_t	 now;		/* latest clock seen */
	struct reorder_stats st;
	struct rlink	 link[REORDER_LINKS];
	struct slot	*slot;
	uint64_t	*bits;		/* received, 2 * slots bits */
	uint64_t	*rbits;		/* received as a resend */
	uint8_t		*buf;		/* slots buffers of slot_size */
	uint32_t	*free;		/* stack of free buffers */
	unsigned int	 nfree;
	uint32_t	*ready;		/* ring of slots entries */
	unsigned int	 rhead, rlen;
	unsigned int	 held_max;	/* frames held at most; 0: slots */
};

static int32_t
sdiff(uint32_t a, uint32_t b)
{
	return ((int32_t)(a - b));
}

static int
test_bit(const uint64_t *bits, unsigned int slots, uint32_t s)
{
	uint32_t i = s & (2 * slots - 1);

	return ((bits[i >> 6] >> (i & 63)) & 1);
}

static void
set_bit(uint64_t *bits, unsigned int slots, uint32_t s)
{
	uint32_t i = s & (2 * slots - 1);

	bits[i >> 6] |= 1ULL << (i & 63);
}

static void
clear_bit(uint64_t *bits, unsigned int slots, uint32_t s)
{
	uint32_t i = s & (2 * slots - 1);

	bits[i >> 6] &= ~(1ULL << (i & 63));
}

static int
received(const struct reorder *r, uint32_t s)
{
	return (test_bit(r->bits, r->slots, s));
}

static struct slot *
slot_of(const struct reorder *r, uint32_t s)
{
	return (&r->slot[s & (r->slots - 1)]);
}

static uint8_t *
buf_of(const struct reorder *r, uint32_t s)
{
	return (r->buf + (size_t)slot_of(r, s)->bi * r->slot_size);
}

/* Slots held never outnumber slots, so the stack is never empty here. */
static void
buf_take(struct reorder *r, struct slot *sl)
{
	sl->bi = r->free[--r->nfree];
}

/* Before a slot leaves S_HELD or is overwritten. */
static void
buf_give(struct reorder *r, struct slot *sl)
{
	if (sl->state == S_HELD)
		r->free[r->nfree++] = sl->bi;
}

/* The first sequence from s on (s in the window) that was not
 * received, or top: 64 sequences a step, as most were received. */
static uint32_t
next_missing(const struct reorder *r, uint32_t s)
{
	uint64_t w;
	uint32_t i;

	while (s != r->top) {
		i = s & (2 * r->slots - 1);
		/* Whole words of bits: 2 x slots is a multiple of 64, so
		 * a word's bits are 64 consecutive sequences. */
		w = ~r->bits[i >> 6] >> (i & 63);
		if (w != 0) {
			if (sdiff(r->top, s) <= __builtin_ctzll(w))
				return (r->top);
			return (s + (uint32_t)__builtin_ctzll(w));
		}
		if (sdiff(r->top, s) <= (int32_t)(64 - (i & 63)))
			return (r->top);
		s += 64 - (i & 63);
	}
	return (s);
}

/* s is between expected and the highest received. */
static int
in_window(const struct reorder *r, uint32_t s)
{
	return (sdiff(s, r->expected) >= 0 && sdiff(s, r->top) < 0);
}

/* --- link delays --- */

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
	int64_t ex, dev;

	if (link < 0 || link >= REORDER_LINKS)
		return;
	l = &r->link[link];
	if (!l->has || now - l->half_start >= 2 * MIN_HALF_US) {
		l->has = 1;
		l->min_cur = l->min_prev = x;
		l->half_start = now;
		l->ex8 = l->dv4 = 0;
		l->xmax_cur = l->xmax_prev = 0;
	} else if (now - l->half_start >= MIN_HALF_US) {
		l->min_prev = l->min_cur;
		l->min_cur = x;
		l->xmax_prev = l->xmax_cur;
		l->xmax_cur = 0;
		l->half_start = now;
	} else if (sdiff(x, l->min_cur) < 0)
		l->min_cur = x;
	l->last_us = now;
	ex = sdiff(x, link_min(l));
	dev = ex - l->ex8 / 8;
	l->ex8 += dev;
	l->dv4 += (dev < 0 ? -dev : dev) - l->dv4 / 4;
	if (ex > l->xmax_cur)
		l->xmax_cur = ex > INT32_MAX ? INT32_MAX : (int32_t)ex;
}

/* The most a frame of this link is late now: its largest excess over
 * the minimum of the last 2 to 4 s, or the mean and three deviations
 * if that is more. */
static int64_t
link_late(const struct rlink *l)
{
	int64_t	x = l->xmax_cur > l->xmax_prev ? l->xmax_cur : l->xmax_prev;
	int64_t	m = l->ex8 / 8 + 3 * l->dv4 / 4;

	return x > m ? x : m;
}

/*
 * Over the links heard lately: the largest delay sample to expect now
 * (a link's minimum and how late its frames come, link_late), and
 * the hold of a hole nobody names: that minus the smallest minimum.
 */
static void
update_hold(struct reorder *r, uint64_t now)
{
	const struct rlink *l;
	uint32_t ref = 0;
	int64_t lo = 0, hi = 0, d;
	int i, n = 0;

	for (i = 0; i < REORDER_LINKS; i++) {
		l = &r->link[i];
		if (!l->has || now - l->last_us > LINK_IDLE_US)
			continue;
		if (n++ == 0)
			ref = link_min(l);
		d = sdiff(link_min(l), ref);
		if (d < lo)
			lo = d;
		d += link_late(l);
		if (n == 1 || d > hi)
			hi = d;
	}
	r->have_latest = n > 0;
	if (n == 0) {
		r->hold_us = r->max_hold_us;
		return;
	}
	r->latest = ref + (uint32_t)hi;
	d = hi - lo + HOLD_MARGIN_US;
	if (d < HOLD_MIN_US)
		d = HOLD_MIN_US;
	if (d > r->max_hold_us)
		d = r->max_hold_us;
	r->hold_us = (uint32_t)d;
}

/* A clock that steps back must not make every wait look 2^64 long. */
static void
note_now(struct reorder *r, uint64_t now)
{
	if (now > r->now)
		r->now = now;
}

static uint64_t
nack_wait(const struct reorder *r)
{
	return (r->nack_wait_us ? r->nack_wait_us : r->hold_us);
}

static void
set_deadline(struct reorder *r, uint32_t s, uint64_t at)
{
	struct slot *sl = slot_of(r, s);

	if (at > sl->t + r->max_hold_us)
		at = sl->t + r->max_hold_us;
	if (at < sl->t + HOLD_MIN_US)
		at = sl->t + HOLD_MIN_US;
	sl->deadline = at;
}

/*
 * Sequence s goes missing now, revealed by a later frame whose delay
 * sample is owd (or none).  It is due when overdue on every link, and
 * given up as if it had been asked for then.
 */
static void
open_hole(struct reorder *r, uint32_t s, int has_owd, int32_t owd,
    uint64_t now)
{
	struct slot *sl = slot_of(r, s);
	int64_t wait = r->max_hold_us;

	buf_give(r, sl);
	memset(sl, 0, sizeof(*sl));
	sl->state = S_HOLE;
	sl->t = now;
	if (has_owd && r->have_latest) {
		wait = sdiff(r->latest, (uint32_t)owd);
		if (wait < 0)
			wait = 0;
		wait += HOLD_MARGIN_US;
	}
	if (wait > r->max_hold_us)
		wait = r->max_hold_us;
	sl->due = now + (uint64_t)wait;
	sl->deadline = 0;
	set_deadline(r, s, sl->due + 2 * nack_wait(r));
}

/* --- release of frames that waited for another --- */

static void
ready_push(struct reorder *r, uint32_t s)
{
	if (r->rlen == r->slots)
		return;		/* cannot happen: each held frame once */
	r->ready[(r->rhead + r->rlen) & (r->slots - 1)] = s;
	r->rlen++;
}

/*
 * s was written, or expected passed it: the frame waiting for it may
 * go.  A hole given up releases its waiter only once expected passes
 * it: what the lost frame waited for is unknown, so its flow waits for
 * everything before it.
 */
static void
finish(struct reorder *r, uint32_t s)
{
	struct slot *sl = slot_of(r, s), *w;

	if (!sl->has_waiter)
		return;
	sl->has_waiter = 0;
	if (!in_window(r, sl->waiter) || !received(r, sl->waiter))
		return;
	w = slot_of(r, sl->waiter);
	if (w->state == S_HELD && !w->dep_all && w->dep == s)
		ready_push(r, sl->waiter);
}

/* Written already, or behind the window's start. */
static int
dep_done(const struct reorder *r, uint32_t d)
{
	if (sdiff(d, r->expected) < 0)
		return (1);
	return (in_window(r, d) && received(r, d) &&
	    slot_of(r, d)->state == S_DONE);
}

/* Move expected forward by n; nothing in between may still be held. */
static void
advance(struct reorder *r, uint32_t n)
{
	uint32_t i, clear;

	clear = n < 2 * r->slots ? n : 2 * r->slots;
	for (i = 0; i < clear; i++) {
		clear_bit(r->bits, r->slots, r->expected + r->slots + i);
		clear_bit(r->rbits, r->slots, r->expected + r->slots + i);
	}
	r->expected += n;
	if (sdiff(r->top, r->expected) < 0)
		r->top = r->expected;
	if (r->flushing && sdiff(r->expected, r->flush_to) >= 0)
		r->flushing = 0;
}

/* Step expected over what is written and over holes past their
 * deadline (or forced out of the window). */
static void
settle(struct reorder *r, uint64_t now)
{
	struct slot *sl;
	uint32_t e;

	while (r->top != r->expected) {
		e = r->expected;
		sl = slot_of(r, e);
		if (received(r, e)) {
			if (sl->state != S_DONE)
				return;
		} else {
			if (now < sl->deadline && !(r->flushing &&
			    sdiff(e, r->flush_to) < 0))
				return;
			r->st.skipped++;
		}
		finish(r, e);
		advance(r, 1);
	}
	/* Nothing received between here and a forced window start. */
	if (r->flushing) {
		r->st.skipped += (uint32_t)sdiff(r->flush_to, r->expected);
		advance(r, (uint32_t)sdiff(r->flush_to, r->expected));
	}
}

static void
count_dup(struct reorder *r, const struct reorder_meta *m)
{
	r->st.dup++;
	if (m->link < 0 || m->link >= REORDER_LINKS)
		return;
	r->st.link[m->link].dup++;
	if (m->resent || test_bit(r->rbits, r->slots, m->seq))
		r->st.link[m->link].spurious++;
}

/* A frame on link names the one sent before it there: if that one is
 * missing, the link lost it (links keep order). */
static void
name_lost(struct reorder *r, const struct reorder_meta *m)
{
	struct slot *sl;

	if (!m->has_link_prev || m->link < 0 || m->link >= REORDER_LINKS ||
	    sdiff(m->link_prev, m->seq) >= 0 || !in_window(r, m->link_prev) ||
	    received(r, m->link_prev))
		return;
	sl = slot_of(r, m->link_prev);
	if (sl->state != S_HOLE || sl->lost)
		return;
	sl->lost = 1;
	r->st.link[m->link].lost++;
}

/* The window must start at to or later: settle() gives up the holes
 * before it and writes what waited for them.  REORDER_FULL. */
static int
force_window(struct reorder *r, uint32_t to)
{
	if (!r->flushing || sdiff(to, r->flush_to) > 0)
		r->flush_to = to;
	r->flushing = 1;
	return (REORDER_FULL);
}

/*
 * Held frames would exceed held_max (their memory): the caller drains
 * reorder_pop() and pushes again.  If nothing is ready to be written,
 * the oldest hole is given up so that what waited for it goes; each
 * round thus writes a frame or passes a hole, and the caller's loop
 * ends.
 */
static int
make_room(struct reorder *r)
{
	r->st.full++;
	if (r->rlen > 0 || received(r, r->expected))
		return (REORDER_FULL);
	return (force_window(r, next_missing(r, r->expected) + 1));
}

/* --- interface --- */

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
	r->rbits = calloc(2 * slots / 64, sizeof(*r->rbits));
	r->buf = malloc(slots * slot_size);
	r->free = calloc(slots, sizeof(*r->free));
	r->ready = calloc(slots, sizeof(*r->ready));
	if (r->slot == NULL || r->bits == NULL || r->rbits == NULL ||
	    r->buf == NULL || r->free == NULL || r->ready == NULL) {
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
	free(r->rbits);
	free(r->buf);
	free(r->free);
	free(r->ready);
	free(r);
}

void
reorder_reset(struct reorder *r)
{
	unsigned int i;

	/* Buffer 0 on top: the same few buffers serve again. */
	for (i = 0; i < r->slots; i++) {
		if (r->slot[i].state == S_HELD)
			r->slot[i].state = S_DONE;
		r->free[i] = r->slots - 1 - i;
	}
	r->nfree = r->slots;
	memset(r->bits, 0, 2 * r->slots / 8);
	memset(r->rbits, 0, 2 * r->slots / 8);
	memset(r->link, 0, sizeof(r->link));
	r->started = 0;
	r->flushing = 0;
	r->rhead = r->rlen = 0;
	r->st.cur_held = 0;
	r->have_latest = 0;
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
reorder_set_held_max(struct reorder *r, unsigned int n)
{
	r->held_max = n;
}

void
reorder_set_nack_wait(struct reorder *r, uint32_t us)
{
	r->nack_wait_us = us;
}

void
reorder_set_nack_delay(struct reorder *r, uint32_t us)
{
	r->nack_delay_us = us;
}

void
reorder_sample(struct reorder *r, int link, int32_t owd_us, uint64_t now)
{
	note_now(r, now);
	link_sample(r, link, owd_us, r->now);
	update_hold(r, r->now);
}

int
reorder_push(struct reorder *r, const struct reorder_meta *m,
    const uint8_t *frame, size_t len, uint64_t now)
{
	struct slot *sl, *dl;
	struct rlink *l;
	uint32_t s, seq = m->seq;
	int32_t d;
	int ok;

	note_now(r, now);
	now = r->now;
	/* A resend still carries its first send time: no delay sample. */
	if (!m->resent)
		link_sample(r, m->link, m->owd_us, now);
	update_hold(r, now);
	if (m->link >= 0 && m->link < REORDER_LINKS) {
		l = &r->link[m->link];
		r->st.link[m->link].frames++;
		/* Only a frame that names its link's previous one left in
		 * its link's order; a resend left long after its number. */
		if (!m->resent && m->has_link_prev) {
			if (!l->has_seq || sdiff(seq, l->max_seq) > 0)
				l->max_seq = seq;
			l->has_seq = 1;
		}
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
		if (received(r, seq)) {
			count_dup(r, m);
			return (REORDER_DUP);
		}
		set_bit(r->bits, r->slots, seq);
		if (m->resent)
			set_bit(r->rbits, r->slots, seq);
		r->st.late++;
		return (REORDER_LATE);
	}
	if (d >= (int32_t)r->slots) {
		r->st.full++;
		return (force_window(r, seq - r->slots + 1));
	}
	if (received(r, seq)) {
		count_dup(r, m);
		return (REORDER_DUP);
	}
	/* A dep that is not earlier than the frame is no flow order. */
	ok = d == 0 || m->dep_kind == REORDER_DEP_NONE ||
	    (m->dep_kind == REORDER_DEP_SEQ && sdiff(m->dep, seq) < 0 &&
	    dep_done(r, m->dep));
	if (!ok && len > r->slot_size) {
		r->st.toobig++;
		return (REORDER_TOOBIG);
	}
	if (!ok && r->held_max != 0 && r->st.cur_held >= r->held_max)
		return (make_room(r));
	/* Every sequence between the old top and this one goes missing. */
	if (sdiff(seq, r->top) >= 0) {
		for (s = r->top; sdiff(s, seq) < 0; s++)
			open_hole(r, s, m->link >= 0 && !m->resent, m->owd_us,
			    now);
		r->top = seq + 1;
		buf_give(r, slot_of(r, seq));
		memset(slot_of(r, seq), 0, sizeof(struct slot));
	}
	name_lost(r, m);
	set_bit(r->bits, r->slots, seq);
	if (m->resent)
		set_bit(r->rbits, r->slots, seq);
	sl = slot_of(r, seq);
	if (ok) {
		r->st.delivered++;
		if (d != 0)
			r->st.early++;
		buf_give(r, sl);
		sl->state = S_DONE;
		finish(r, seq);
		settle(r, now);
		return (REORDER_DELIVER);
	}
	if (sl->state != S_HELD)
		buf_take(r, sl);
	sl->state = S_HELD;
	sl->t = now;
	sl->len = (uint32_t)len;
	sl->dep_all = 1;
	if (m->dep_kind == REORDER_DEP_SEQ && sdiff(m->dep, seq) < 0) {
		/* dep is a hole or held (not done): wait for it. */
		dl = slot_of(r, m->dep);
		if (!dl->has_waiter || dl->waiter == seq) {
			dl->has_waiter = 1;
			dl->waiter = seq;
			sl->dep = m->dep;
			sl->dep_all = 0;
		}
	}
	memcpy(buf_of(r, seq), frame, len);
	r->st.held++;
	if (++r->st.cur_held > r->st.max_held)
		r->st.max_held = r->st.cur_held;
	return (REORDER_HELD);
}

static void
deliver_slot(struct reorder *r, uint32_t s, const uint8_t **frame,
    size_t *len)
{
	struct slot *sl = slot_of(r, s);

	/* Back on the stack, but only reorder_push() takes a buffer: the
	 * frame stays valid until the next call, as reorder_pop() says. */
	buf_give(r, sl);
	sl->state = S_DONE;
	r->st.cur_held--;
	r->st.delivered++;
	if (s != r->expected)
		r->st.early++;
	*frame = buf_of(r, s);
	*len = sl->len;
	finish(r, s);
}

int
reorder_pop(struct reorder *r, uint64_t now, const uint8_t **frame,
    size_t *len)
{
	uint32_t s;

	note_now(r, now);
	now = r->now;
	update_hold(r, now);
	if (!r->started)
		return (0);
	do {
		while (r->rlen > 0) {
			s = r->ready[r->rhead];
			r->rhead = (r->rhead + 1) & (r->slots - 1);
			r->rlen--;
			if (in_window(r, s) && received(r, s) &&
			    slot_of(r, s)->state == S_HELD) {
				deliver_slot(r, s, frame, len);
				return (1);
			}
		}
		settle(r, now);
	} while (r->rlen > 0);
	if (r->top != r->expected && received(r, r->expected) &&
	    slot_of(r, r->expected)->state == S_HELD) {
		deliver_slot(r, r->expected, frame, len);
		return (1);
	}
	return (0);
}

uint64_t
reorder_next_deadline(const struct reorder *r)
{
	uint64_t now = r->now > 0 ? r->now : 1;

	if (!r->started)
		return (0);
	if (r->rlen > 0 || r->flushing)
		return (now);
	if (r->top == r->expected)
		return (0);
	if (received(r, r->expected))
		return (now);
	return (slot_of(r, r->expected)->deadline);
}

int
reorder_missing(struct reorder *r, uint64_t now, uint32_t *seqs, int *n,
    int max)
{
	struct slot *sl;
	uint64_t wait;
	uint32_t s, passed = 0;
	int ask, i, active = 0, again = 0;

	*n = 0;
	note_now(r, now);
	now = r->now;
	if (!r->started)
		return 0;
	wait = nack_wait(r);
	/*
	 * Links keep order, and a frame leaves no earlier than the frames
	 * numbered before it on its link: a hole below what every link in
	 * use has delivered is lost wherever it went.  'passed' is the
	 * least of them.
	 */
	for (i = 0; i < REORDER_LINKS; i++) {
		if (!r->link[i].has_seq ||
		    now - r->link[i].seq_us > LINK_ACTIVE_US)
			continue;
		if (!active || sdiff(r->link[i].max_seq, passed) < 0)
			passed = r->link[i].max_seq;
		active = 1;
	}
	for (s = r->expected; s != r->top && *n < max; s++) {
		if ((s = next_missing(r, s)) == r->top)
			break;
		sl = slot_of(r, s);
		if (sl->state != S_HOLE)
			continue;
		/* Due but not passed: in flight on a link late for once,
		 * or lost on a link that has gone quiet; the latter waits
		 * a resend's time more. */
		if (sl->nacks == 0)
			ask = (sl->lost && now >= sl->t + r->nack_delay_us) ||
			    (now >= sl->due && active && sdiff(passed, s) > 0) ||
			    now >= sl->due + wait;
		else
			ask = sl->nacks < REORDER_NACKS &&
			    now >= sl->nacked_us + wait;
		if (!ask)
			continue;
		if (sl->nacks > 0) {
			r->st.asked_again++;
			again++;
		} else if (sl->lost)
			r->st.asked_named++;
		else
			r->st.asked_due++;
		sl->nacks++;
		sl->nacked_us = now;
		if (now + 2 * wait > sl->deadline)
			set_deadline(r, s, now + 2 * wait);
		seqs[(*n)++] = s;
	}
	return again;
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
