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
 * Fuzz target: the packet queue's receiving side (pktq_get) against
 * elements a compromised linkd or core writes: any size, any header.
 * Every element pktq_get returns must be whole and of a known type,
 * and every element written is returned or counted dropped.  Input:
 * elements of [u16 size][size bytes], written then read in batches,
 * on one queue until an input closes it (an element of size 0: the
 * peer closes its end).
 * Test code.
 */

#include <stdlib.h>
#include <unistd.h>

#include "pktq.h"
#include "fuzz.h"

static struct pktq_elem	*elems;
/* One queue for every input until the peer closes it, as in a role. */
static struct pktq	*q;
static struct pktq	*tx;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if ((elems = calloc(PKTQ_BATCH, sizeof(*elems))) == NULL)
		fuzz_fail("calloc");
	return 0;
}

/* Read what is queued; returns how many elements were good. */
static uint64_t
drain(int *eof)
{
	uint64_t	got = 0;
	int		i, n;

	while ((n = pktq_get(q, elems, PKTQ_BATCH)) > 0) {
		for (i = 0; i < n; i++) {
			if (elems[i].hdr.len > PKTQ_FRAME_MAX ||
			    elems[i].hdr.type < PKTQ_DATA ||
			    elems[i].hdr.type > PKTQ_LINK_HELD)
				fuzz_fail("pktq_get returned a bad element");
		}
		got += n;
	}
	if (n == -1)
		*eof = 1;
	return got;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t	 raw[sizeof(struct pktq_elem) + 64];
	struct fuzz_in	 in = { data, size };
	const uint8_t	*p;
	uint64_t	 sent = 0, got = 0, dropped;
	size_t		 want, n;
	int		 eof = 0, closed = 0;

	if (q == NULL)
		q = fuzz_pktq_pair(&tx);
	dropped = pktq_dropped(q);
	while (in.left > 0 && !eof) {
		want = fuzz_u16(&in) % sizeof(raw);
		n = fuzz_take(&in, &p, want);
		memcpy(raw, p, n);
		/* Short inputs end in zeros, as a short frame would. */
		memset(raw + n, 0, want - n);
		if (closed)
			continue;
		if (want == 0) {
			/* The peer closes its end; what it wrote stays. */
			pktq_close(tx);
			tx = NULL;
			closed = 1;
			continue;
		}
		if (fuzz_pktq_inject(tx, raw, want) == -1) {
			got += drain(&eof);
			continue;
		}
		sent++;
		if (sent % PKTQ_BATCH == 0)
			got += drain(&eof);
	}
	got += drain(&eof);
	dropped = pktq_dropped(q) - dropped;
	if (got + dropped != sent)
		fuzz_fail("%llu elements written, %llu read, %llu dropped",
		    (unsigned long long)sent, (unsigned long long)got,
		    (unsigned long long)dropped);
	if (closed != eof)
		fuzz_fail("the peer closing was %sseen", eof ? "" : "not ");
	if (closed) {
		pktq_close(q);
		q = NULL;
	}
	return 0;
}
