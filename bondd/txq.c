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
 * The core's paced send queues (txq.h): a pool of fixed-size frames
 * linked into one FIFO per link.  Runs in the sandboxed core on packets
 * read from the TUN device; every length is checked before a copy.
 */

#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "txq.h"

int
txq_pool_init(struct txq_pool *p, unsigned int nframes, size_t frame_max,
    size_t hdr_len)
{
	unsigned int i;

	memset(p, 0, sizeof(*p));
	if (nframes == 0 || frame_max <= hdr_len + INNER_REC_HDR_LEN ||
	    frame_max > SIZE_MAX / nframes)
		return (-1);
	p->frame_max = frame_max;
	p->hdr_len = hdr_len;
	p->nframes = nframes;
	if ((p->f = calloc(nframes, sizeof(*p->f))) == NULL ||
	    (p->mem = malloc((size_t)nframes * frame_max)) == NULL) {
		txq_pool_free(p);
		return (-1);
	}
	for (i = 0; i < nframes; i++) {
		p->f[i].buf = p->mem + (size_t)i * frame_max;
		p->f[i].next = i + 1 < nframes ? (int)i + 1 : TXQ_NONE;
	}
	p->free = 0;
	p->nfree = nframes;
	return (0);
}

void
txq_pool_free(struct txq_pool *p)
{
	free(p->f);
	free(p->mem);
	memset(p, 0, sizeof(*p));
}

void
txq_init(struct txq *q)
{
	q->head = q->tail = TXQ_NONE;
	q->nframes = 0;
	q->bytes = 0;
}

int
txq_put(struct txq_pool *p, struct txq *q, const uint8_t *pkt, size_t len,
    uint32_t flow, uint64_t depart_us, int join, unsigned int rf)
{
	struct txq_frame *f;
	size_t off;
	int i;

	if (len == 0 || p->hdr_len + INNER_REC_HDR_LEN + len > p->frame_max)
		return (-1);
	if (join && q->tail != TXQ_NONE) {
		f = &p->f[q->tail];
		off = f->len;
		if (frame_rec_put(f->buf, p->frame_max, &off, pkt, len, rf) !=
		    0) {
			f->len = off;
			f->npkts++;
			f->mixed |= f->flow != flow;
			q->bytes += INNER_REC_HDR_LEN + len;
			return (TXQ_JOINED);
		}
	}
	if ((i = p->free) == TXQ_NONE)
		return (-1);
	f = &p->f[i];
	p->free = f->next;
	p->nfree--;
	off = p->hdr_len;
	frame_rec_put(f->buf, p->frame_max, &off, pkt, len, rf);
	f->len = off;
	f->npkts = 1;
	f->flow = flow;
	f->mixed = 0;
	f->seq = 0;
	f->flow_dep = 0;
	f->flags = 0;
	f->depart_us = depart_us;
	f->next = TXQ_NONE;
	if (q->tail == TXQ_NONE)
		q->head = i;
	else
		p->f[q->tail].next = i;
	q->tail = i;
	q->nframes++;
	q->bytes += INNER_REC_HDR_LEN + len;
	return (TXQ_NEW);
}

int
txq_fits(const struct txq_pool *p, const struct txq *q, size_t len)
{
	return q->tail != TXQ_NONE &&
	    p->f[q->tail].len + INNER_REC_HDR_LEN + len <= p->frame_max;
}

struct txq_frame *
txq_tail(struct txq_pool *p, struct txq *q)
{
	return (q->tail == TXQ_NONE ? NULL : &p->f[q->tail]);
}

struct txq_frame *
txq_peek(struct txq_pool *p, struct txq *q)
{
	return (q->head == TXQ_NONE ? NULL : &p->f[q->head]);
}

void
txq_pop(struct txq_pool *p, struct txq *q)
{
	struct txq_frame *f;
	int i = q->head;

	if (i == TXQ_NONE)
		return;
	f = &p->f[i];
	q->head = f->next;
	if (q->head == TXQ_NONE)
		q->tail = TXQ_NONE;
	q->nframes--;
	q->bytes -= f->len - p->hdr_len;
	f->next = p->free;
	p->free = i;
	p->nfree++;
}

unsigned int
txq_drop_all(struct txq_pool *p, struct txq *q)
{
	unsigned int n = q->nframes;

	while (q->head != TXQ_NONE)
		txq_pop(p, q);
	return (n);
}
