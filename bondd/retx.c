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
 * The ring of frames kept for resending (retx.h).  Pure logic in the
 * core; holds no secrets.
 */

#include <sys/mman.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "retx.h"

int
retx_init(struct retx *rt, size_t frame_max)
{
	memset(rt, 0, sizeof(*rt));
	rt->frame_max = frame_max;
	rt->size = RETX_SLOTS * frame_max;
	rt->cap = RETX_CAP_MIN < rt->size ? RETX_CAP_MIN : rt->size;
	rt->window_us = RETX_FAILOVER_MIN_US;
	/* Its own mapping: pages are resident only once written, and
	 * those past a shrunk cap can be given back. */
	rt->pool = mmap(NULL, rt->size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (rt->pool == MAP_FAILED)
		rt->pool = NULL;
	rt->ring = calloc(RETX_SLOTS, sizeof(*rt->ring));
	if (rt->ring == NULL || rt->pool == NULL) {
		retx_free(rt);
		return -1;
	}
	return 0;
}

void
retx_free(struct retx *rt)
{
	free(rt->ring);
	if (rt->pool != NULL)
		munmap(rt->pool, rt->size);
	rt->ring = NULL;
	rt->pool = NULL;
}

void
retx_set_window(struct retx *rt, uint64_t window_us)
{
	rt->window_us = window_us;
}

/* A new lap, its cap from how long the last one took; the pages past a
 * smaller cap go back (their frames are no longer intact).  A lap under
 * RETX_GROW windows doubles cap, so the ring still holds a window when
 * the rate doubles within a lap (TCP's slow start): a NACK for a frame
 * resent and lost again comes late in the window, and a frame gone by
 * then is a loss the flow sees. */
static void
retx_new_lap(struct retx *rt, uint64_t now)
{
	size_t	old = rt->cap, page = (size_t)sysconf(_SC_PAGESIZE), from;

	if (rt->lap == 0 || now - rt->lap_us < RETX_GROW * rt->window_us)
		rt->cap = rt->cap * 2 < rt->size ? rt->cap * 2 : rt->size;
	else if (now - rt->lap_us > RETX_SHRINK * rt->window_us &&
	    rt->cap / 2 >= RETX_CAP_MIN)
		rt->cap /= 2;
	if (rt->cap < old) {
		from = (rt->cap + page - 1) / page * page;
		if (from < old)
			madvise(rt->pool + from, old - from, MADV_DONTNEED);
	}
	rt->lap++;
	rt->lap_us = now;
	rt->wr = 0;
}

static int
retx_intact(const struct retx *rt, const struct retx_frame *r)
{
	if (!r->used)
		return 0;
	if (r->lap == rt->lap)
		return 1;
	return r->lap + 1 == rt->lap && r->off >= rt->wr &&
	    r->off + r->len <= rt->cap;
}

/* A new budget period when the last one is over; a gap of more than a
 * period leaves nothing kept before it. */
static void
retx_period(struct retx *rt, uint64_t now)
{
	if (now - rt->period_us < RETX_BUDGET_US)
		return;
	rt->kept_before = now - rt->period_us < 2 * RETX_BUDGET_US ?
	    rt->kept : 0;
	rt->kept = rt->resent = 0;
	rt->period_us = now;
}

void
retx_keep(struct retx *rt, uint32_t seq, const uint8_t *frame, size_t len,
    int link, uint64_t now)
{
	struct retx_frame	*r = &rt->ring[seq % RETX_SLOTS];

	if (rt->wr + len > rt->cap)
		retx_new_lap(rt, now);
	r->off = rt->wr;
	r->lap = rt->lap;
	r->frame = rt->pool + r->off;
	memcpy(r->frame, frame, len);
	rt->wr += len;
	r->seq = seq;
	r->len = len;
	r->link = link;
	r->used = 1;
	r->sent_us = now;
	r->resent_us = 0;
	r->resends = 0;
	retx_period(rt, now);
	rt->kept++;
}

struct retx_frame *
retx_find(struct retx *rt, uint32_t seq, uint64_t now)
{
	struct retx_frame	*r = &rt->ring[seq % RETX_SLOTS];

	if (!retx_intact(rt, r) || r->seq != seq ||
	    now - r->sent_us > RETX_MAX_AGE_US)
		return NULL;
	return r;
}

int
retx_nack_resend(struct retx *rt, struct retx_frame *r, uint64_t now)
{
	uint32_t	kept;

	retx_period(rt, now);
	kept = rt->kept > rt->kept_before ? rt->kept : rt->kept_before;
	if ((r->resends > 0 && now - r->resent_us < RETX_RESEND_GAP_US) ||
	    r->resends >= RETX_RESENDS_MAX ||
	    rt->resent >= RETX_BUDGET_MIN + kept)
		return 0;
	r->resends++;
	r->resent_us = now;
	rt->resent++;
	return 1;
}

uint64_t
retx_failover_window(uint32_t srtt_us)
{
	uint64_t	window = (uint64_t)srtt_us * 2;

	if (window < RETX_FAILOVER_MIN_US)
		window = RETX_FAILOVER_MIN_US;
	if (window > RETX_MAX_AGE_US)
		window = RETX_MAX_AGE_US;
	return window;
}

struct retx_frame *
retx_next_on_link(struct retx *rt, size_t *next, int link, uint64_t window,
    uint64_t now)
{
	struct retx_frame	*r;

	while (*next < RETX_SLOTS) {
		r = &rt->ring[(*next)++];
		if (retx_intact(rt, r) && r->link == link &&
		    now - r->sent_us <= window)
			return r;
	}
	return NULL;
}
