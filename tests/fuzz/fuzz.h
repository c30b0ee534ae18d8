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
 * What the fuzz targets share: libFuzzer's entry points (the replay
 * driver, driver.c, calls the same two), a reader that takes an input
 * apart from the front, and helpers in lib.c.  Test code: each target
 * feeds hostile bytes to the real code of a role, in-process.
 */

#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* An input read from the front; past its end every read is zeros. */
struct fuzz_in {
	const uint8_t	*p;
	size_t		 left;
};

static inline uint8_t
fuzz_u8(struct fuzz_in *in)
{
	if (in->left == 0)
		return 0;
	in->left--;
	return *in->p++;
}

static inline uint16_t
fuzz_u16(struct fuzz_in *in)
{
	uint16_t	v = fuzz_u8(in);

	return v | (uint16_t)(fuzz_u8(in) << 8);
}

/* Up to max bytes from the front: how many *p holds. */
static inline size_t
fuzz_take(struct fuzz_in *in, const uint8_t **p, size_t max)
{
	size_t	n = in->left < max ? in->left : max;

	*p = in->p;
	in->p += n;
	in->left -= n;
	return n;
}

/* Log lines go to a UDP socket nobody reads: formatted, never shown,
 * and a burst of them never blocks. */
void	fuzz_quiet_logs(void);
/* The number of open descriptors, to find leaks. */
int	fuzz_nfds(void);
/*
 * The packet queue as a hostile linkd or core writes it: the queue
 * that reads (pktq_open) and the other end, tx, to write raw elements
 * to and to read what the role wrote from.  Only these know the
 * transport under pktq.h.
 */
struct pktq;
struct pktq	*fuzz_pktq_pair(struct pktq **tx);
/* The same as the fd a role gets from the parent (IPC_DATA_CHAN). */
int	fuzz_pktq_fd(struct pktq **tx);
/* One raw element (header and frame as the peer wrote them): 0, or -1
 * when the queue is full. */
int	fuzz_pktq_inject(struct pktq *tx, const void *, size_t);
/* Reads and forgets what the role wrote to tx. */
void	fuzz_pktq_sink(struct pktq *tx);
/* An invariant broke: say which and abort, which the fuzzer reports. */
void	fuzz_fail(const char *, ...)
	    __attribute__((noreturn, format(printf, 1, 2)));

#endif /* FUZZ_H */
