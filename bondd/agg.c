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
 * Small packets sharing a frame per link (agg.h).  Pure logic in the
 * core; holds no secrets.
 */

#include <stdlib.h>

#include "agg.h"
#include "frame.h"

int
agg_init(struct agg *a, size_t frame_max)
{
	if ((a->buf = malloc(frame_max)) == NULL)
		return -1;
	a->frame_max = frame_max;
	agg_clear(a);
	return 0;
}

int
agg_full(const struct agg *a, size_t len)
{
	return a->len != 0 && a->len + INNER_REC_HDR_LEN + len > a->frame_max;
}

void
agg_add(struct agg *a, const uint8_t *pkt, size_t len, uint64_t now)
{
	if (a->len == 0) {
		a->len = INNER_HDR_LEN;
		a->all_small = 1;
		a->since_us = now;
	}
	frame_rec_put(a->buf, a->frame_max, &a->len, pkt, len);
	a->npkts++;
	if (len > AGG_SMALL)
		a->all_small = 0;
}

enum agg_verdict
agg_settle(const struct agg *a, uint64_t now, uint64_t *wake)
{
	if (a->len == 0)
		return AGG_EMPTY;
	if (!a->all_small || a->len > a->frame_max / 2 ||
	    now - a->since_us >= AGG_WAIT_US)
		return AGG_SEND;
	*wake = a->since_us + AGG_WAIT_US;
	return AGG_WAIT;
}

void
agg_clear(struct agg *a)
{
	a->len = 0;
	a->npkts = 0;
}
