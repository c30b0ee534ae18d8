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

#include <stdlib.h>
#include <string.h>

#include "retx.h"

int
retx_init(struct retx *rt, size_t frame_max)
{
	size_t	i;

	rt->frame_max = frame_max;
	rt->ring = calloc(RETX_SLOTS, sizeof(*rt->ring));
	rt->pool = malloc(RETX_SLOTS * frame_max);
	if (rt->ring == NULL || rt->pool == NULL) {
		retx_free(rt);
		return -1;
	}
	for (i = 0; i < RETX_SLOTS; i++)
		rt->ring[i].frame = rt->pool + i * frame_max;
	return 0;
}

void
retx_free(struct retx *rt)
{
	free(rt->ring);
	free(rt->pool);
	rt->ring = NULL;
	rt->pool = NULL;
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

	memcpy(r->frame, frame, len);
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

	if (!r->used || r->seq != seq || now - r->sent_us > RETX_MAX_AGE_US)
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
		if (r->used && r->link == link && now - r->sent_us <= window)
			return r;
	}
	return NULL;
}
