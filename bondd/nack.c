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
 * Building and answering NACKs (nack.h).  Pure logic in the core;
 * holds no secrets.
 */

#include <string.h>

#include "nack.h"

int
nack_due(uint64_t last_us, uint64_t now)
{
	return now - last_us >= NACK_PERIOD_US;
}

size_t
nack_build(struct reorder *ro, uint16_t epoch, uint64_t now,
    uint8_t *frame, int *n, int *again)
{
	struct inner_hdr h;
	uint32_t	 seqs[INNER_NACK_MAX];
	size_t		 len;
#ifdef BONDD_TEST_HOOKS
	int		 i;
#endif

	*n = 0;
	*again = reorder_missing(ro, now, seqs, n, INNER_NACK_MAX);
	if (*n == 0)
		return 0;
	memset(&h, 0, sizeof(h));
	h.kind = INNER_NACK;
	h.epoch = epoch;
	h.send_ts_us = (uint32_t)now;
	len = inner_hdr_encode(frame, &h);
#ifdef BONDD_TEST_HOOKS
	/* The test build names its holes again until the NACK is full. */
	for (i = *n; i < INNER_NACK_MAX; i++)
		seqs[i] = seqs[i % *n];
	return len + frame_nack_put(frame + len, seqs, INNER_NACK_MAX);
#endif
	return len + frame_nack_put(frame + len, seqs, *n);
}

int
nack_wanted(struct retx *rt, const uint8_t *body, size_t len, uint64_t now,
    struct retx_frame **want, size_t *nwant, size_t *nignored)
{
	struct retx_frame *r;
	uint32_t	 seqs[INNER_NACK_MAX];
	size_t		 n, i;

	if (frame_nack_get(body, len, seqs, &n) == -1)
		return -1;
	*nwant = *nignored = 0;
	for (i = 0; i < n; i++) {
		if ((r = retx_find(rt, seqs[i], now)) == NULL)
			continue;
		/* The mark of the first request refuses its repeats. */
		if (retx_nack_resend(rt, r, now))
			want[(*nwant)++] = r;
		else
			(*nignored)++;
	}
	return (int)n;
}
