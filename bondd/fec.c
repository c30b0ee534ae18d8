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
 * Reed-Solomon FEC of the core (fec.h) on ISA-L's Cauchy codes: the
 * encoding matrix is the n x n identity over k Cauchy rows, any n of
 * whose n + k rows are invertible.  The sender folds each data symbol
 * into the parity as it passes (ec_encode_data_update), so it keeps no
 * copy of the data; the receiver remembers recent data symbols by
 * sequence and, when a block has as many parity frames as it misses
 * data, inverts the rows it has and rebuilds the rest.  Runs in the
 * sandboxed core; holds no keys.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <isa-l/erasure_code.h>

#include "fec.h"

#define NTIERS		5
#define DEC_BLOCKS	8

/* The codes, by the share of parity they cost. */
static const struct {
	struct fec_tier	tier;
} tiers[NTIERS] = {
	{ { 20, 1 } },
	{ { 10, 2 } },
	{ { 10, 4 } },
	{ { 8, 4 } },
	{ { 6, 4 } }
};

void
fec_tiersel_init(struct fec_tiersel *ts)
{
	memset(ts, 0, sizeof(*ts));
	ts->cur = -1;
}

/* How likely a block of code (n, k) loses more than k of its n + k
 * frames when each is lost with probability p. */
static double
block_fails(int n, int k, double p)
{
	double	term, sum = 0;
	int	i, j, m = n + k;

	for (i = k + 1; i <= m; i++) {
		/* C(m, i) p^i (1-p)^(m-i) */
		term = 1;
		for (j = 0; j < i; j++)
			term *= (double)(m - j) / (double)(j + 1) * p;
		for (j = 0; j < m - i; j++)
			term *= 1 - p;
		sum += term;
	}
	return (sum);
}

/* The cheapest code that keeps all but FEC_RESIDUAL of the blocks
 * whole at that loss (the strongest if none does); -1: none needed. */
static int
tier_for(uint32_t loss_ppm)
{
	double	p = (double)(loss_ppm > 1000000 ? 1000000 : loss_ppm) / 1e6;
	int	i;

	if (loss_ppm < FEC_OFF_PPM)
		return (-1);
	for (i = 0; i < NTIERS - 1; i++)
		if (block_fails(tiers[i].tier.n, tiers[i].tier.k, p) <=
		    FEC_RESIDUAL)
			break;
	return (i);
}

struct fec_tier
fec_tier_pick(struct fec_tiersel *ts, uint32_t loss_ppm, uint64_t now)
{
	static const struct fec_tier off = { 0, 0 };
	int want = tier_for(loss_ppm);

	if (want > ts->cur) {
		ts->cur = want;
		ts->low = 0;
	} else if (want < ts->cur) {
		if (!ts->low) {
			ts->low = 1;
			ts->low_since = now;
		} else if (now - ts->low_since >= FEC_DOWN_US) {
			ts->cur = want;
			ts->low = 0;
		}
	} else
		ts->low = 0;
	return (ts->cur < 0 ? off : tiers[ts->cur].tier);
}

static int
code_ok(unsigned int n, unsigned int k, unsigned int count)
{
	return (n >= 1 && n <= FEC_MAX_N && k >= 1 && k <= FEC_MAX_K &&
	    count >= 1 && count <= n);
}

size_t
fec_parity_encode(uint8_t *p, const struct fec_parity *fp)
{
	p[0] = fp->base & 0xff;
	p[1] = (fp->base >> 8) & 0xff;
	p[2] = (fp->base >> 16) & 0xff;
	p[3] = fp->base >> 24;
	p[4] = fp->n;
	p[5] = fp->k;
	p[6] = fp->count;
	p[7] = fp->idx;
	memcpy(p + 8, fp->off, fp->count);
	memcpy(p + FEC_PARITY_HDR(fp->count), fp->sym, fp->sym_len);
	return (FEC_PARITY_HDR(fp->count) + fp->sym_len);
}

int
fec_parity_decode(const uint8_t *p, size_t len, struct fec_parity *fp)
{
	uint8_t	seen[256 / 8];
	int	i;

	if (len < 8)
		return (-1);
	fp->base = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
	    (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	fp->n = p[4];
	fp->k = p[5];
	fp->count = p[6];
	fp->idx = p[7];
	/* A symbol holds at least a length and one byte. */
	if (!code_ok(fp->n, fp->k, fp->count) || fp->idx >= fp->k ||
	    len < FEC_PARITY_HDR(fp->count) + 3)
		return (-1);
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < fp->count; i++) {
		fp->off[i] = p[8 + i];
		if (seen[fp->off[i] / 8] & (1 << (fp->off[i] % 8)))
			return (-1);
		seen[fp->off[i] / 8] |= 1 << (fp->off[i] % 8);
	}
	fp->sym = p + FEC_PARITY_HDR(fp->count);
	fp->sym_len = len - FEC_PARITY_HDR(fp->count);
	return (0);
}

/* The (n + k) x n encoding matrix of code (n, k). */
static void
code_matrix(uint8_t *a, int n, int k)
{
	gf_gen_cauchy1_matrix(a, n + k, n);
}

/* --- sender --- */

struct fec_enc {
	size_t		 sym_max;
	int		 open;		/* a block is being coded */
	struct fec_tier	 t;
	uint32_t	 base;
	uint8_t		 off[FEC_MAX_N];
	int		 count;
	size_t		 sym_len;	/* longest symbol so far */
	uint64_t	 since;
	int		 due;		/* parity frames of the closed block */
	uint8_t		*parity[FEC_MAX_K];
	uint8_t		*sym;		/* one data symbol */
	/* Parity rows of each tier, made on first use. */
	uint8_t		 tbls[NTIERS][32 * FEC_MAX_N * FEC_MAX_K];
	int		 have_tbls[NTIERS];
};

struct fec_enc *
fec_enc_new(size_t sym_max)
{
	struct fec_enc *e;
	int i;

	if (sym_max < 3 || sym_max > UINT16_MAX + 2) {
		errno = EINVAL;
		return (NULL);
	}
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return (NULL);
	e->sym_max = sym_max;
	for (i = 0; i < FEC_MAX_K; i++)
		if ((e->parity[i] = calloc(1, sym_max)) == NULL)
			goto fail;
	if ((e->sym = malloc(sym_max)) == NULL)
		goto fail;
	return (e);
fail:
	fec_enc_free(e);
	errno = ENOMEM;
	return (NULL);
}

void
fec_enc_free(struct fec_enc *e)
{
	int i;

	if (e == NULL)
		return;
	for (i = 0; i < FEC_MAX_K; i++)
		free(e->parity[i]);
	free(e->sym);
	free(e);
}

static uint8_t *
enc_tables(struct fec_enc *e, struct fec_tier t)
{
	uint8_t a[(FEC_MAX_N + FEC_MAX_K) * FEC_MAX_N];
	int i;

	for (i = 0; i < NTIERS; i++)
		if (tiers[i].tier.n == t.n && tiers[i].tier.k == t.k)
			break;
	if (i == NTIERS)
		return (NULL);
	if (!e->have_tbls[i]) {
		code_matrix(a, t.n, t.k);
		ec_init_tables(t.n, t.k, a + t.n * t.n, e->tbls[i]);
		e->have_tbls[i] = 1;
	}
	return (e->tbls[i]);
}

static int
enc_close(struct fec_enc *e, int k)
{
	e->open = 0;
	e->due = k;
	return (k);
}

int
fec_enc_add(struct fec_enc *e, uint32_t seq, const uint8_t *frame,
    size_t len, struct fec_tier t, uint64_t now)
{
	uint8_t *tbls;
	int i;

	if (len == 0 || len + 2 > e->sym_max)
		return (0);
	/* Too far for an offset: the block ends unfinished. */
	if (e->open && seq - e->base > UINT8_MAX)
		e->open = 0;
	if (!e->open) {
		if (t.k == 0 || !code_ok(t.n, t.k, 1) ||
		    enc_tables(e, t) == NULL)
			return (0);
		e->open = 1;
		e->t = t;
		e->base = seq - FEC_OFF_BELOW;
		e->count = 0;
		e->sym_len = 0;
		e->since = now;
		for (i = 0; i < t.k; i++)
			memset(e->parity[i], 0, e->sym_max);
	}
	tbls = enc_tables(e, e->t);
	e->sym[0] = len & 0xff;
	e->sym[1] = len >> 8;
	memcpy(e->sym + 2, frame, len);
	ec_encode_data_update((int)len + 2, e->t.n, e->t.k, e->count, tbls,
	    e->sym, e->parity);
	if (len + 2 > e->sym_len)
		e->sym_len = len + 2;
	e->off[e->count] = (uint8_t)(seq - e->base);
	if (++e->count == e->t.n)
		return (enc_close(e, e->t.k));
	return (0);
}

int
fec_enc_flush(struct fec_enc *e, uint64_t now)
{
	int k;

	if (!e->open || now - e->since < FEC_FLUSH_US)
		return (0);
	/* Parity in proportion to the data: ceil(k x count / n). */
	k = (e->t.k * e->count + e->t.n - 1) / e->t.n;
	return (enc_close(e, k));
}

uint64_t
fec_enc_deadline(const struct fec_enc *e)
{
	return (e->open ? e->since + FEC_FLUSH_US : 0);
}

size_t
fec_enc_parity(struct fec_enc *e, int i, uint8_t *out, size_t outlen)
{
	struct fec_parity fp;

	if (i < 0 || i >= e->due ||
	    outlen < FEC_PARITY_HDR(e->count) + e->sym_len)
		return (0);
	fp.base = e->base;
	memcpy(fp.off, e->off, sizeof(fp.off));
	fp.n = e->t.n;
	fp.k = e->t.k;
	fp.count = (uint8_t)e->count;
	fp.idx = (uint8_t)i;
	fp.sym = e->parity[i];
	fp.sym_len = e->sym_len;
	return (fec_parity_encode(out, &fp));
}

/* --- receiver --- */

struct dslot {
	uint32_t	seq;
	int		valid;
	uint16_t	len;		/* of the symbol */
};

struct dblock {
	int		used;
	uint32_t	base;
	uint8_t		off[FEC_MAX_N];
	uint8_t		n, k, count;
	uint8_t		have;		/* parity bits */
	size_t		sym_len;
	uint64_t	since;
	uint8_t		*parity[FEC_MAX_K];
};

struct fec_dec {
	unsigned int	 slots;
	size_t		 sym_max;
	struct dslot	*ds;
	uint8_t		*dbuf;		/* slots symbols */
	struct dblock	 blk[DEC_BLOCKS];
	uint32_t	 outq[FEC_MAX_N];	/* rebuilt, to hand out */
	int		 nout, outpos;
	uint8_t		*zero;		/* a symbol of zeros */
	uint8_t		*scratch;	/* FEC_MAX_N padded symbols */
	struct fec_dec_stats st;
};

struct fec_dec *
fec_dec_new(unsigned int slots, size_t sym_max)
{
	struct fec_dec *d;
	int i;

	if (slots < 2 * FEC_MAX_N || (slots & (slots - 1)) != 0 ||
	    sym_max < 3 || sym_max > UINT16_MAX + 2) {
		errno = EINVAL;
		return (NULL);
	}
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return (NULL);
	d->slots = slots;
	d->sym_max = sym_max;
	d->ds = calloc(slots, sizeof(*d->ds));
	d->dbuf = malloc((size_t)slots * sym_max);
	d->zero = calloc(1, sym_max);
	d->scratch = malloc((size_t)FEC_MAX_N * sym_max);
	if (d->ds == NULL || d->dbuf == NULL || d->zero == NULL ||
	    d->scratch == NULL)
		goto fail;
	for (i = 0; i < DEC_BLOCKS; i++) {
		int j;

		for (j = 0; j < FEC_MAX_K; j++)
			if ((d->blk[i].parity[j] = malloc(sym_max)) == NULL)
				goto fail;
	}
	return (d);
fail:
	fec_dec_free(d);
	errno = ENOMEM;
	return (NULL);
}

void
fec_dec_free(struct fec_dec *d)
{
	int i, j;

	if (d == NULL)
		return;
	for (i = 0; i < DEC_BLOCKS; i++)
		for (j = 0; j < FEC_MAX_K; j++)
			free(d->blk[i].parity[j]);
	free(d->ds);
	free(d->dbuf);
	free(d->zero);
	free(d->scratch);
	free(d);
}

static uint8_t *
dsym(const struct fec_dec *d, uint32_t seq)
{
	return (d->dbuf + (size_t)(seq & (d->slots - 1)) * d->sym_max);
}

static int
have_data(const struct fec_dec *d, uint32_t seq)
{
	const struct dslot *s = &d->ds[seq & (d->slots - 1)];

	return (s->valid && s->seq == seq);
}

void
fec_dec_data(struct fec_dec *d, uint32_t seq, const uint8_t *frame,
    size_t len)
{
	struct dslot *s = &d->ds[seq & (d->slots - 1)];
	uint8_t *p = dsym(d, seq);

	if (len == 0 || len + 2 > d->sym_max)
		return;
	p[0] = len & 0xff;
	p[1] = len >> 8;
	memcpy(p + 2, frame, len);
	s->seq = seq;
	s->len = (uint16_t)(len + 2);
	s->valid = 1;
}

int
fec_dec_parity(struct fec_dec *d, const struct fec_parity *fp,
    uint64_t now)
{
	struct dblock *b = NULL, *old = NULL;
	int i;

	/* The block of these frames, else a free entry, else the
	 * oldest. */
	if (!code_ok(fp->n, fp->k, fp->count) || fp->idx >= fp->k ||
	    fp->sym_len < 3 || fp->sym_len > d->sym_max ||
	    fp->count > d->slots / 2) {
		d->st.bad++;
		return (-1);
	}
	for (i = 0; i < DEC_BLOCKS && b == NULL; i++) {
		if (d->blk[i].used && d->blk[i].base == fp->base &&
		    d->blk[i].count == fp->count &&
		    memcmp(d->blk[i].off, fp->off, fp->count) == 0)
			b = &d->blk[i];
		else if (old == NULL || (old->used && (!d->blk[i].used ||
		    d->blk[i].since < old->since)))
			old = &d->blk[i];
	}
	if (b == NULL) {
		b = old;
		b->used = 1;
		b->base = fp->base;
		memcpy(b->off, fp->off, sizeof(b->off));
		b->n = fp->n;
		b->k = fp->k;
		b->count = fp->count;
		b->sym_len = fp->sym_len;
		b->have = 0;
		b->since = now;
	} else if (b->n != fp->n || b->k != fp->k || b->count != fp->count ||
	    b->sym_len != fp->sym_len) {
		d->st.bad++;
		return (-1);
	}
	if (!(b->have & (1U << fp->idx))) {
		memcpy(b->parity[fp->idx], fp->sym, fp->sym_len);
		b->have |= 1U << fp->idx;
		d->st.parity++;
	}
	return (0);
}

/* Data frames of block b not here, in missing[]; their number, or -1
 * if a frame here is longer than the block's symbols. */
static int
block_missing(const struct fec_dec *d, const struct dblock *b,
    int missing[FEC_MAX_N])
{
	uint32_t seq;
	int i, m = 0;

	for (i = 0; i < b->count; i++) {
		seq = b->base + b->off[i];
		if (!have_data(d, seq))
			missing[m++] = i;
		else if (d->ds[seq & (d->slots - 1)].len > b->sym_len)
			return (-1);
	}
	return (m);
}

/* Rebuild every missing frame of b into the data slots; -1 if the
 * rows cannot be inverted or a rebuilt symbol makes no sense. */
static int
block_decode(struct fec_dec *d, struct dblock *b, const int *missing,
    int m)
{
	uint8_t a[(FEC_MAX_N + FEC_MAX_K) * FEC_MAX_N];
	uint8_t sel[FEC_MAX_N * FEC_MAX_N], inv[FEC_MAX_N * FEC_MAX_N];
	uint8_t rows[FEC_MAX_K * FEC_MAX_N];
	uint8_t tbls[32 * FEC_MAX_N * FEC_MAX_K];
	uint8_t *src[FEC_MAX_N], *out[FEC_MAX_K];
	const struct dslot *s;
	uint32_t seq;
	size_t len;
	int i, j, r = 0, n = b->n, mi = 0;

	code_matrix(a, n, b->k);
	/* n rows: the data we have (zeros past count), then parity. */
	for (i = 0; i < n; i++) {
		if (mi < m && missing[mi] == i) {
			mi++;
			continue;
		}
		memcpy(sel + r * n, a + i * n, n);
		if (i >= b->count)
			src[r] = d->zero;
		else {
			seq = b->base + b->off[i];
			s = &d->ds[seq & (d->slots - 1)];
			src[r] = d->scratch + (size_t)r * d->sym_max;
			memcpy(src[r], dsym(d, seq), s->len);
			memset(src[r] + s->len, 0, b->sym_len - s->len);
		}
		r++;
	}
	for (j = 0; j < b->k && r < n; j++) {
		if (!(b->have & (1U << j)))
			continue;
		memcpy(sel + r * n, a + (n + j) * n, n);
		src[r++] = b->parity[j];
	}
	if (r != n || gf_invert_matrix(sel, inv, n) != 0)
		return (-1);
	for (i = 0; i < m; i++) {
		memcpy(rows + i * n, inv + missing[i] * n, n);
		seq = b->base + b->off[missing[i]];
		out[i] = dsym(d, seq);
		/* Overwritten now, whatever it held. */
		d->ds[seq & (d->slots - 1)].valid = 0;
	}
	ec_init_tables(n, m, rows, tbls);
	ec_encode_data((int)b->sym_len, n, m, tbls, src, out);
	for (i = 0; i < m; i++) {
		len = out[i][0] | (size_t)out[i][1] << 8;
		if (len == 0 || len + 2 > b->sym_len)
			return (-1);
	}
	for (i = 0; i < m; i++) {
		seq = b->base + b->off[missing[i]];
		len = out[i][0] | (size_t)out[i][1] << 8;
		d->ds[seq & (d->slots - 1)].seq = seq;
		d->ds[seq & (d->slots - 1)].len = (uint16_t)(len + 2);
		d->ds[seq & (d->slots - 1)].valid = 1;
		d->outq[d->nout++] = seq;
	}
	return (0);
}

int
fec_dec_recover(struct fec_dec *d, uint64_t now, uint32_t *seq,
    const uint8_t **frame, size_t *len)
{
	struct dblock *b;
	int missing[FEC_MAX_N], m, i;
	uint8_t *p;

	for (;;) {
		while (d->outpos < d->nout) {
			*seq = d->outq[d->outpos++];
			if (!have_data(d, *seq))
				continue;
			p = dsym(d, *seq);
			*frame = p + 2;
			*len = d->ds[*seq & (d->slots - 1)].len - 2;
			d->st.recovered++;
			return (1);
		}
		d->nout = d->outpos = 0;
		for (i = 0; i < DEC_BLOCKS; i++) {
			b = &d->blk[i];
			if (!b->used)
				continue;
			m = block_missing(d, b, missing);
			if (m <= 0) {
				if (m == -1)
					d->st.bad++;
				b->used = 0;
				continue;
			}
			if (now - b->since > FEC_EXPIRE_US) {
				d->st.failed++;
				b->used = 0;
				continue;
			}
			if (m > __builtin_popcount(b->have))
				continue;
			b->used = 0;
			if (block_decode(d, b, missing, m) == -1) {
				d->st.bad++;
				continue;
			}
			break;
		}
		if (d->nout == 0)
			return (0);
	}
}

void
fec_dec_stats(const struct fec_dec *d, struct fec_dec_stats *st)
{
	*st = d->st;
}
