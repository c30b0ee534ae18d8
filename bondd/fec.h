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
 * Forward error correction of the core: systematic Reed-Solomon over
 * GF(2^8) across consecutive DATA frames of one peer and direction.
 * Data frames travel as they are, delivered at once; after every n of
 * them (or when a partial block has waited FEC_FLUSH_US) the sender adds
 * k parity frames, fewer for a partial block, so that the receiver can
 * rebuild up to that many lost frames of the block without a round
 * trip.  The parity count follows the measured loss (fec_tier_pick):
 * the cheapest of the codes 20+1, 10+2, 10+4, 8+4 and 6+4 that mends
 * all but 1 % of the blocks at that loss.  Resends (NACK) mend what it
 * misses, so it need not be stronger.
 *
 * A block is the next n frames sent, whatever their links; each parity
 * frame names them by sequence number (a base and an 8-bit offset each,
 * in the order they were coded: frames are numbered when made and sent
 * when their link's pace allows, so not always in order).  A block of
 * count < n frames is coded as if the rest were zeros (shortened
 * code), so n and k stay fixed per block and are carried with each
 * parity frame: the receiver needs no agreement in advance.  The symbol
 * of a frame is its length (u16 LE) and its bytes, zero-padded to the
 * longest symbol of the block.
 *
 * Pure logic on an injected clock; the codec is Intel's ISA-L (Debian
 * libisal), vectorised and maintained, rather than a hand-written GF
 * multiply.  Runs in the core on frames linkd authenticated: every
 * parity header is checked, a block that does not add up is dropped.
 */

#ifndef FEC_H
#define FEC_H

#include <stddef.h>
#include <stdint.h>

#define FEC_MAX_N	20		/* data frames per block */
#define FEC_MAX_K	4		/* parity frames per block */
#define FEC_FLUSH_US	5000		/* a partial block waits this long */
#define FEC_EXPIRE_US	500000		/* a block the receiver gives up */
#define FEC_DOWN_US	10000000	/* loss low this long: tier down */
#define FEC_OFF_PPM	1000		/* below 0.1 % loss: no parity */
#define FEC_RESIDUAL	0.01		/* blocks a code may fail to mend */
/* base u32, n, k, count, idx, then count offsets u8 */
#define FEC_PARITY_HDR(count)	(8 + (size_t)(count))
#define FEC_OFF_BELOW	64		/* offsets start this far below the
					   block's first frame */

struct fec_tier {
	uint8_t		n, k;		/* k == 0: off */
};

/* Parity-count choice from the loss the data will meet. */
struct fec_tiersel {
	int		cur;		/* index in the tier table, -1 off */
	uint64_t	low_since;	/* loss below cur's floor since */
	int		low;
};

void	fec_tiersel_init(struct fec_tiersel *);
/* The code for loss_ppm now: up at once, down only after the loss
 * called for a cheaper one for FEC_DOWN_US. */
struct fec_tier fec_tier_pick(struct fec_tiersel *, uint32_t loss_ppm,
	    uint64_t now);

struct fec_parity {
	uint32_t	base;		/* offsets count from here */
	uint8_t		n, k;		/* the code */
	uint8_t		count;		/* data frames in the block */
	uint8_t		idx;		/* this parity frame, 0..k-1 */
	uint8_t		off[FEC_MAX_N];	/* frame i is base + off[i] */
	const uint8_t	*sym;		/* the parity symbol */
	size_t		 sym_len;
};

/* Parity header codec (FEC_PARITY_HDR(count) bytes, then the symbol);
 * decode returns -1 for anything that is no valid code, also two
 * frames with one offset. */
size_t	fec_parity_encode(uint8_t *, const struct fec_parity *);
int	fec_parity_decode(const uint8_t *, size_t, struct fec_parity *);

struct fec_enc;

/* sym_max: the longest symbol, 2 + the longest frame.  NULL on ENOMEM. */
struct fec_enc	*fec_enc_new(size_t sym_max);
void		 fec_enc_free(struct fec_enc *);
/*
 * Frame seq joins the current block, or starts one with tier t (none
 * while t.k == 0).  A frame too far from the block's first for an 8-bit
 * offset closes the block instead (its parity is lost, the frame starts
 * the next).  Returns the number of parity frames now due: k when the
 * block is full, else 0.
 */
int		 fec_enc_add(struct fec_enc *, uint32_t seq, const uint8_t *,
		    size_t, struct fec_tier t, uint64_t now);
/* Parity due for a partial block older than FEC_FLUSH_US: closes it. */
int		 fec_enc_flush(struct fec_enc *, uint64_t now);
/* When a partial block is due for flushing, 0 if none is open. */
uint64_t	 fec_enc_deadline(const struct fec_enc *);
/* Parity frame i of the block just closed (i < what add or flush
 * returned), as a parity header and symbol in out; its length. */
size_t		 fec_enc_parity(struct fec_enc *, int i, uint8_t *out,
		    size_t outlen);

struct fec_dec;

/* slots: data frames remembered, a power of two >= 2 * FEC_MAX_N. */
struct fec_dec	*fec_dec_new(unsigned int slots, size_t sym_max);
void		 fec_dec_free(struct fec_dec *);
/* A data frame arrived (or was rebuilt): remember it. */
void		 fec_dec_data(struct fec_dec *, uint32_t seq, const uint8_t *,
		    size_t);
/* A parity frame arrived; -1 if it is malformed. */
int		 fec_dec_parity(struct fec_dec *, const struct fec_parity *,
		    uint64_t now);
/*
 * Rebuild one missing frame of a block that has enough parity now: 1
 * with its seq and bytes (valid until the next call), 0 when nothing
 * can be rebuilt.  Call until 0 after fec_dec_data or fec_dec_parity.
 */
int		 fec_dec_recover(struct fec_dec *, uint64_t now, uint32_t *seq,
		    const uint8_t **, size_t *);

struct fec_dec_stats {
	uint64_t	parity;		/* parity frames taken */
	uint64_t	recovered;	/* frames rebuilt */
	uint64_t	failed;		/* blocks expired with frames missing */
	uint64_t	bad;		/* malformed parity */
};
void		 fec_dec_stats(const struct fec_dec *, struct fec_dec_stats *);

#endif /* FEC_H */
