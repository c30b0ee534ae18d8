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
 * Fuzz target: the coalescer (bondd/gro.c), which merges packets from
 * a peer into super-packets for the TUN device, checked against the
 * segmenter (bondd/gso.c), which cuts them as the kernel would: every
 * super-packet must cut back into the very packets that went into it,
 * but for what merging may change (the IPv4 id of DF packets, the TCP
 * window, which the newest segment sets, the urgent pointer of packets
 * without URG), and each cut packet's checksums must verify.  Input: a byte whose bit 0 says whether the
 * device takes UDP super-packets, then records of [u8 fix][u16 len]
 * [len bytes]: with fix & 1 the harness rights the record's IPv4
 * header and TCP or UDP checksums, so that merging is reached, not
 * only refusal; with fix & 2 the packet's L4 checksum is one the
 * sender left (not verified): what merges must be completed by
 * gso_csum_fill() into the packet that comes back.  Test code.
 */

#include <stdlib.h>

#include "csum.h"
#include "gro.h"
#include "gso.h"
#include "netbytes.h"
#include "fuzz.h"

#define MAXPKT	2048
#define MAXPEND	512	/* merged packets kept; then a take() first */

static struct gro	 gro;
static uint8_t		 pend[MAXPEND][MAXPKT];	/* merged, not taken */
static size_t		 pendlen[MAXPEND];
static int		 npend;
static uint8_t		 cutbuf[GRO_MAX + VNET_HDR_LEN];

/* IPv4 header and TCP/UDP checksums made right where lengths allow. */
static void
fix(uint8_t *p, size_t len)
{
	size_t	l3, ck;
	int	v6, proto;

	if (len < 20)
		return;
	if (p[0] >> 4 == 4) {
		if ((l3 = (size_t)(p[0] & 0x0f) * 4) < 20 || l3 > len)
			return;
		put16(p + 10, 0);
		put16(p + 10, csum_ip4(p, l3));
		v6 = 0;
		proto = p[9];
	} else if (p[0] >> 4 == 6 && len >= 40) {
		l3 = 40;
		v6 = 1;
		proto = p[6];
	} else
		return;
	if (proto == 6)
		ck = 16;
	else if (proto == 17)
		ck = 6;
	else
		return;
	if (len < l3 + ck + 2)
		return;
	put16(p + l3 + ck, 0);
	put16(p + l3 + ck, csum_l4(p, v6, p + l3, len - l3, proto));
	if (proto == 17 && get16(p + l3 + 6) == 0)
		put16(p + l3 + 6, 0xffff);
}

/* The cut packet c stands for the merged packet o. */
static void
same(const uint8_t *c, size_t clen, const uint8_t *o, size_t olen)
{
	size_t	i, l3;
	int	v6 = o[0] >> 4 == 6, tcp;

	if (clen != olen)
		abort();
	l3 = v6 ? 40 : (size_t)(o[0] & 0x0f) * 4;
	tcp = (v6 ? o[6] : o[9]) == 6;
	for (i = 0; i < olen; i++) {
		if (c[i] == o[i])
			continue;
		/* IPv4 id and header checksum: the kernel numbers the
		 * segments of a DF super-packet itself. */
		if (!v6 && (i == 4 || i == 5 || i == 10 || i == 11) &&
		    (get16(o + 6) & 0x4000))
			continue;
		/* TCP window and with it the checksum; the urgent
		 * pointer, meaningless without URG (never merged). */
		if (tcp && i >= l3 + 14 && i < l3 + 20)
			continue;
		abort();
	}
	if (!v6 && csum_ip4(c, l3) != get16(c + 10))
		abort();
	if (csum_l4(c, v6, c + l3, clen - l3, tcp ? 6 : 17) != 0)
		abort();
}

/* What gro_take() hands out must cut back into what was merged. */
static void
take(void)
{
	static uint8_t		 seg[GRO_MAX];
	struct vnet_hdr		 h;
	struct gso_split	 g;
	const uint8_t		*b;
	uint8_t			*s;
	size_t			 len, slen;
	int			 i;

	if ((b = gro_take(&gro, &len)) == NULL) {
		if (npend != 0)
			abort();
		return;
	}
	if (len < VNET_HDR_LEN || len > sizeof(cutbuf) || npend == 0)
		abort();
	memcpy(cutbuf, b, len);
	vnet_hdr_decode(cutbuf, &h);
	if (gso_start(&g, &h, cutbuf + VNET_HDR_LEN, len - VNET_HDR_LEN) ==
	    -1)
		abort();
	for (i = 0; (s = gso_next(&g, seg, sizeof(seg), &slen)) != NULL;
	    i++) {
		if (i >= npend)
			abort();
		same(s, slen, pend[i], pendlen[i]);
	}
	if (i != npend)
		abort();
	npend = 0;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in	 in = { data, size };
	static uint8_t	 pkt[MAXPKT];
	const uint8_t	*p;
	size_t		 n;
	uint8_t		 f;
	enum gro_verdict v;
	int		 left;

	gro.uso = fuzz_u8(&in) & 1;
	while (in.left > 0) {
		f = fuzz_u8(&in);
		n = fuzz_take(&in, &p, fuzz_u16(&in) % MAXPKT);
		memcpy(pkt, p, n);
		if (f & 1)
			fix(pkt, n);
		left = (f & 2) != 0;
		if (npend == MAXPEND)
			take();
		while ((v = gro_add(&gro, pkt, n, left)) == GRO_FLUSH)
			take();
		if (v == GRO_MERGED) {
			memcpy(pend[npend], pkt, n);
			if (left && gso_csum_fill(pend[npend], n) == -1)
				abort();
			pendlen[npend++] = n;
		} else if (v != GRO_ALONE)
			abort();
		else if (left)
			(void)gso_csum_fill(pkt, n);
	}
	take();
	return 0;
}
