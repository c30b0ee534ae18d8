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
 * Unit tests of the coalescer (bondd/gro.c): runs of TCP segments over
 * IPv4 (with IP and TCP options) and IPv6 become one super-packet whose
 * header, lengths and checksums are checked against values computed
 * here, and which the segmenter cuts back into the very segments; odd
 * tails; and every packet that must not be merged: other flags, other
 * options, out of order, another flow, larger than the first, after a
 * short one, a bad checksum, another IP header, UDP where the device
 * takes no UDP super-packets.  Where it does, runs of UDP datagrams
 * merge the same way, checked the same way, and those that must not
 * are refused.  Test code; trusts its inputs.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "csum.h"
#include "gro.h"
#include "gso.h"
#include "check_main.h"
#include "check_pkt.h"

static uint8_t		payload[80000];
static uint8_t		segs[72][2000];
static size_t		seglen[72];
static struct gro	gro;

/* n segments of one flow, payload sizes from sizes[], the last PSH. */
static void
mk_run(int v6, size_t ipopt, size_t tcpopt, const size_t *sizes, int n)
{
	size_t		off = 0;
	int		i;

	for (i = 0; i < n; i++) {
		seglen[i] = mk_tcp(segs[i], v6, ipopt, tcpopt,
		    (uint16_t)(0x7000 + i), 0xffffff00 + (uint32_t)off,
		    (uint8_t)(TCP_ACK | (i == n - 1 ? TCP_PSH : 0)),
		    payload + off, sizes[i]);
		off += sizes[i];
	}
}

/*
 * The super-packet the coalescer holds after n packets of proto
 * (sizes[] payloads, headers hlen bytes of which l3 IP) went in, taken
 * into sp: its virtio_net_hdr, lengths, IPv4 header checksum and the
 * pseudo-header's sum in its checksum field are right, and the
 * segmenter cuts it back into the very packets of segs[].  Returns its
 * length; the caller checks what its protocol adds.
 */
static size_t
check_super(int v6, int proto, size_t l3, size_t hlen, const size_t *sizes,
    int n, uint8_t *sp)
{
	static uint8_t		 cut[2000];
	struct vnet_hdr		 h;
	struct gso_split	 g;
	const uint8_t		*b;
	uint8_t			*seg;
	size_t			 len, total = 0, slen, ck = proto == 6 ? 16 : 6;
	uint32_t		 s;
	int			 i;

	for (i = 0; i < n; i++)
		total += sizes[i];
	ck_assert_ptr_nonnull(b = gro_take(&gro, &len));
	ck_assert_ptr_null(gro_take(&gro, &slen));
	ck_assert_uint_eq(len, VNET_HDR_LEN + hlen + total);
	vnet_hdr_decode(b, &h);
	ck_assert_uint_eq(h.flags, VNET_F_NEEDS_CSUM);
	ck_assert_uint_eq(h.gso_type, proto == 17 ? VNET_GSO_UDP_L4 :
	    v6 ? VNET_GSO_TCPV6 : VNET_GSO_TCPV4);
	ck_assert_uint_eq(h.hdr_len, hlen);
	ck_assert_uint_eq(h.gso_size, sizes[0]);
	ck_assert_uint_eq(h.csum_start, l3);
	ck_assert_uint_eq(h.csum_offset, ck);
	memcpy(sp, b + VNET_HDR_LEN, len - VNET_HDR_LEN);
	len -= VNET_HDR_LEN;
	/* Lengths, IPv4 header checksum, payload in order. */
	if (v6)
		ck_assert_uint_eq(sp[4] << 8 | sp[5], len - 40);
	else {
		ck_assert_uint_eq(sp[2] << 8 | sp[3], len);
		ck_assert_uint_eq(ref_csum(sp, l3), 0);
	}
	ck_assert_mem_eq(sp + hlen, payload, total);
	/* The checksum field: the pseudo-header's sum, uncomplemented. */
	s = v6 ? 0x2001 * 2 + 0x0db8 * 2 + 1 + 2 : (198 << 8 | 18) * 2 +
	    (1 << 8 | 2) + (3 << 8 | 4);
	s += (uint32_t)proto + (uint32_t)(len - l3);
	while (s > 0xffff)
		s = (s >> 16) + (s & 0xffff);
	ck_assert_uint_eq(sp[l3 + ck] << 8 | sp[l3 + ck + 1], s);
	/* Cut again: the packets that went in. */
	ck_assert_int_eq(gso_start(&g, &h, sp, len), 0);
	for (i = 0; (seg = gso_next(&g, cut, sizeof(cut), &slen)) != NULL;
	    i++) {
		ck_assert_int_lt(i, n);
		ck_assert_uint_eq(slen, seglen[i]);
		ck_assert_mem_eq(seg, segs[i], slen);
	}
	ck_assert_int_eq(i, n);
	return len;
}

/* The segments coalesce into one super-packet, which is right (PSH
 * kept) and which the segmenter cuts back into the same segments. */
static void
check_merge(int v6, size_t ipopt, size_t tcpopt, const size_t *sizes, int n)
{
	static uint8_t	sp[70000];
	size_t		l3 = v6 ? 40 : 20 + ipopt;
	int		i;

	mk_run(v6, ipopt, tcpopt, sizes, n);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(gro_add(&gro, segs[i], seglen[i], 0),
		    GRO_MERGED);
	check_super(v6, 6, l3, l3 + 20 + tcpopt, sizes, n, sp);
	ck_assert_uint_eq(sp[l3 + 13], TCP_ACK | TCP_PSH);
}

START_TEST(test_tcp4)
{
	static const size_t	a[] = { 1000, 1000, 1000, 1 };
	static const size_t	b[45] = { [0 ... 43] = 1448, [44] = 777 };

	/* IP options, timestamps, an odd one-byte tail. */
	check_merge(0, 8, 12, a, 4);
	check_merge(0, 0, 0, b, 45);
}
END_TEST

START_TEST(test_tcp6)
{
	static const size_t	a[] = { 1208, 1208, 1208 };
	static const size_t	b[] = { 1428, 1427 };

	check_merge(1, 0, 12, a, 3);
	check_merge(1, 0, 0, b, 2);
}
END_TEST

/* A lone segment goes out as it came, with an empty header. */
START_TEST(test_single)
{
	static const size_t	a[] = { 1400 };
	const uint8_t		*b;
	size_t			 len;
	int			 i;

	mk_run(0, 0, 12, a, 1);
	ck_assert_int_eq(gro_add(&gro, segs[0], seglen[0], 0), GRO_MERGED);
	ck_assert_ptr_nonnull(b = gro_take(&gro, &len));
	ck_assert_uint_eq(len, VNET_HDR_LEN + seglen[0]);
	for (i = 0; i < VNET_HDR_LEN; i++)
		ck_assert_uint_eq(b[i], 0);
	ck_assert_mem_eq(b + VNET_HDR_LEN, segs[0], seglen[0]);
}
END_TEST

/* Segment 1 changed by edit() must not join segment 0: the pending
 * one is flushed first, and the changed one then goes as verdict. */
static void
refuse(int v6, void (*edit)(uint8_t *, size_t *), enum gro_verdict then)
{
	static const size_t	a[] = { 1000, 1000 };
	const uint8_t		*b;
	size_t			 len;

	mk_run(v6, 0, 12, a, 2);
	segs[1][(v6 ? 40 : 20) + 13] = TCP_ACK;
	edit(segs[1], &seglen[1]);
	ck_assert_int_eq(gro_add(&gro, segs[0], seglen[0], 0), GRO_MERGED);
	ck_assert_int_eq(gro_add(&gro, segs[1], seglen[1], 0), GRO_FLUSH);
	ck_assert_ptr_nonnull(b = gro_take(&gro, &len));
	ck_assert_uint_eq(len, VNET_HDR_LEN + seglen[0]);
	ck_assert_mem_eq(b + VNET_HDR_LEN, segs[0], seglen[0]);
	ck_assert_int_eq(gro_add(&gro, segs[1], seglen[1], 0), then);
	if (then == GRO_MERGED)
		ck_assert_ptr_nonnull(gro_take(&gro, &len));
	ck_assert_ptr_null(gro_take(&gro, &len));
}

/* Rebuild segment 1 of the run with one thing changed. */
static int	e_v6, e_flags = TCP_ACK, e_ttl = 64, e_ts = 888, e_port = 443;
static size_t	e_size = 1000;
static uint32_t	e_seq = 1000;
static uint16_t	e_id = 0x7001;
static int	e_df = 1, e_badsum, e_udp;

static void
rebuild(uint8_t *p, size_t *len)
{
	size_t	l3 = e_v6 ? 40 : 20, n;

	if (e_udp) {
		*len = mk_udp(p, e_v6, e_id, payload + 1000, e_size);
		return;
	}
	n = mk_tcp(p, e_v6, 0, 12, e_id, 0xffffff00 + e_seq,
	    (uint8_t)e_flags, payload + 1000, e_size);
	p[l3 + 2] = (uint8_t)(e_port >> 8);
	p[l3 + 3] = (uint8_t)e_port;
	put32(p + l3 + 28, (uint32_t)e_ts);
	if (e_v6)
		p[7] = (uint8_t)e_ttl;
	else {
		p[8] = (uint8_t)e_ttl;
		put16(p + 6, e_df ? 0x4000 : 0);
		put16(p + 10, 0);
		put16(p + 10, ref_csum(p, 20));
	}
	put16(p + l3 + 16, 0);
	put16(p + l3 + 16, ref_l4(e_v6, 6, p + l3, n - l3));
	if (e_badsum)
		p[n - 1] ^= 0x40;
	*len = n;
}

static void
reset_edit(int v6)
{
	e_v6 = v6;
	e_flags = TCP_ACK;
	e_ttl = 64;
	e_ts = 888;
	e_port = 443;
	e_size = 1000;
	e_seq = 1000;
	e_id = 0x7001;
	e_df = 1;
	e_badsum = 0;
	e_udp = 0;
}

START_TEST(test_refused)
{
	int	v6;

	for (v6 = 0; v6 <= 1; v6++) {
		/* Unchanged, it joins: the edits below are what refuses. */
		reset_edit(v6);
		mk_run(v6, 0, 12, (const size_t[]){ 1000, 1000 }, 2);
		ck_assert_int_eq(gro_add(&gro, segs[0], seglen[0], 0),
		    GRO_MERGED);
		rebuild(segs[1], &seglen[1]);
		ck_assert_int_eq(gro_add(&gro, segs[1], seglen[1], 0),
		    GRO_MERGED);
		ck_assert_ptr_nonnull(gro_take(&gro, &seglen[1]));

		/* Flags: FIN, SYN, RST, URG, CWR go alone. */
		e_flags = TCP_ACK | 0x01;
		refuse(v6, rebuild, GRO_ALONE);
		e_flags = TCP_ACK | 0x20;
		refuse(v6, rebuild, GRO_ALONE);
		e_flags = TCP_ACK | 0x80;
		refuse(v6, rebuild, GRO_ALONE);
		reset_edit(v6);
		/* Options differ: another timestamp. */
		e_ts = 889;
		refuse(v6, rebuild, GRO_MERGED);
		reset_edit(v6);
		/* Out of order: a gap, or the same bytes again. */
		e_seq = 2000;
		refuse(v6, rebuild, GRO_MERGED);
		e_seq = 0;
		refuse(v6, rebuild, GRO_MERGED);
		reset_edit(v6);
		/* Another flow; another hop count. */
		e_port = 444;
		refuse(v6, rebuild, GRO_MERGED);
		reset_edit(v6);
		e_ttl = 63;
		refuse(v6, rebuild, GRO_MERGED);
		reset_edit(v6);
		/* Larger than the first segment. */
		e_size = 1001;
		refuse(v6, rebuild, GRO_MERGED);
		reset_edit(v6);
		/* A damaged segment is never merged (nor started on). */
		e_badsum = 1;
		refuse(v6, rebuild, GRO_ALONE);
		reset_edit(v6);
		/* UDP is not coalesced. */
		e_udp = 1;
		refuse(v6, rebuild, GRO_ALONE);
		reset_edit(v6);
	}
	/* IPv4 without DF: the id must count on. */
	reset_edit(0);
	e_df = 0;
	e_id = 0x7005;
	refuse(0, rebuild, GRO_MERGED);
}
END_TEST

/* n datagrams of one UDP flow, payload sizes from sizes[]. */
static void
mk_udp_run(int v6, const size_t *sizes, int n)
{
	size_t	off = 0;
	int	i;

	for (i = 0; i < n; i++) {
		seglen[i] = mk_udp(segs[i], v6, (uint16_t)(0x7000 + i),
		    payload + off, sizes[i]);
		off += sizes[i];
	}
}

/* The datagrams coalesce into one UDP super-packet (USO), right (the
 * UDP length is the whole), and the segmenter cuts it back into the
 * very datagrams. */
static void
check_udp_merge(int v6, const size_t *sizes, int n)
{
	static uint8_t	sp[70000];
	size_t		len, l3 = v6 ? 40 : 20;
	int		i;

	gro.uso = 1;
	mk_udp_run(v6, sizes, n);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(gro_add(&gro, segs[i], seglen[i], 0),
		    GRO_MERGED);
	len = check_super(v6, 17, l3, l3 + 8, sizes, n, sp);
	ck_assert_uint_eq(sp[l3 + 4] << 8 | sp[l3 + 5], len - l3);
	gro.uso = 0;
}

START_TEST(test_udp)
{
	static const size_t	a[] = { 1200, 1200, 1200, 1 };
	static const size_t	b[] = { 1372, 1372 };
	static const size_t	c[64] = { [0 ... 63] = 100 };

	check_udp_merge(0, a, 4);
	check_udp_merge(1, a, 4);
	check_udp_merge(0, b, 2);
	check_udp_merge(1, c, 64);
}
END_TEST

/*
 * Segments whose checksum the peer's segmenter left carry only the
 * pseudo-header's sum, here garbage: they merge unverified into the
 * same super-packet as complete ones would, and a lone one goes with a
 * header that leaves its checksum to the kernel, the field righted.
 */
START_TEST(test_csum_left)
{
	static const size_t	a[] = { 1000, 1000, 1000, 1 };
	static const size_t	u[] = { 1200, 1200, 7 };
	static uint8_t		sp[70000], seg[2000];
	struct vnet_hdr		h;
	const uint8_t		*b;
	size_t			len;
	int			i;

	mk_run(0, 8, 12, a, 4);
	for (i = 0; i < 4; i++) {
		memcpy(seg, segs[i], seglen[i]);
		seg[28 + 16] ^= 0x5a;
		/* Verified, it would go alone; left, it merges. */
		if (i == 0)
			ck_assert_int_eq(gro_add(&gro, seg, seglen[i], 0),
			    GRO_ALONE);
		ck_assert_int_eq(gro_add(&gro, seg, seglen[i], 1),
		    GRO_MERGED);
	}
	check_super(0, 6, 28, 28 + 20 + 12, a, 4, sp);

	gro.uso = 1;
	mk_udp_run(1, u, 3);
	for (i = 0; i < 3; i++) {
		memcpy(seg, segs[i], seglen[i]);
		seg[40 + 6] = seg[40 + 7] = 0;
		ck_assert_int_eq(gro_add(&gro, seg, seglen[i], 1),
		    GRO_MERGED);
	}
	check_super(1, 17, 40, 48, u, 3, sp);
	gro.uso = 0;

	/* Alone: NEEDS_CSUM, no segmentation, the pseudo-header's sum. */
	mk_run(0, 0, 12, a, 1);
	memcpy(seg, segs[0], seglen[0]);
	seg[20 + 16] ^= 0xff;
	ck_assert_int_eq(gro_add(&gro, seg, seglen[0], 1), GRO_MERGED);
	ck_assert_ptr_nonnull(b = gro_take(&gro, &len));
	ck_assert_uint_eq(len, VNET_HDR_LEN + seglen[0]);
	vnet_hdr_decode(b, &h);
	ck_assert_uint_eq(h.flags, VNET_F_NEEDS_CSUM);
	ck_assert_uint_eq(h.gso_type, VNET_GSO_NONE);
	ck_assert_uint_eq(h.gso_size, 0);
	ck_assert_uint_eq(h.csum_start, 20);
	ck_assert_uint_eq(h.csum_offset, 16);
	ck_assert_mem_eq(b + VNET_HDR_LEN, segs[0], 36);
	ck_assert_mem_eq(b + VNET_HDR_LEN + 38, segs[0] + 38, seglen[0] - 38);
	ck_assert_uint_eq(b[VNET_HDR_LEN + 36] << 8 | b[VNET_HDR_LEN + 37],
	    csum_pseudo(b + VNET_HDR_LEN, 0, seglen[0] - 20, 6));
	/* The next complete one alone goes as before, header zero. */
	ck_assert_int_eq(gro_add(&gro, segs[0], seglen[0], 0), GRO_MERGED);
	ck_assert_ptr_nonnull(b = gro_take(&gro, &len));
	for (i = 0; i < VNET_HDR_LEN; i++)
		ck_assert_uint_eq(b[i], 0);
}
END_TEST

/* UDP datagrams that must not merge, on a device that takes them. */
START_TEST(test_udp_refused)
{
	static const size_t	a[66] = { [0 ... 65] = 500 };
	const uint8_t		*b;
	size_t			 len;
	int			 v6, i;

	gro.uso = 1;
	for (v6 = 0; v6 <= 1; v6++) {
		/* A damaged datagram goes alone, after the pending one. */
		mk_udp_run(v6, a, 2);
		segs[1][seglen[1] - 1] ^= 0x40;
		ck_assert_int_eq(gro_add(&gro, segs[0], seglen[0], 0),
		    GRO_MERGED);
		ck_assert_int_eq(gro_add(&gro, segs[1], seglen[1], 0),
		    GRO_FLUSH);
		ck_assert_ptr_nonnull(b = gro_take(&gro, &len));
		ck_assert_uint_eq(len, VNET_HDR_LEN + seglen[0]);
		ck_assert_int_eq(gro_add(&gro, segs[1], seglen[1], 0),
		    GRO_ALONE);
		/* Another port: a new super-packet. */
		mk_udp_run(v6, a, 2);
		segs[1][(v6 ? 40 : 20) + 1] ^= 1;
		segs[1][(v6 ? 40 : 20) + 7] ^= 1;	/* sum still right */
		ck_assert_int_eq(gro_add(&gro, segs[0], seglen[0], 0),
		    GRO_MERGED);
		ck_assert_int_eq(gro_add(&gro, segs[1], seglen[1], 0),
		    GRO_FLUSH);
		ck_assert_ptr_nonnull(gro_take(&gro, &len));
		ck_assert_int_eq(gro_add(&gro, segs[1], seglen[1], 0),
		    GRO_MERGED);
		ck_assert_ptr_nonnull(gro_take(&gro, &len));
		/* Larger than the first; and nothing after a short one. */
		mk_udp_run(v6, (const size_t[]){ 500, 501 }, 2);
		ck_assert_int_eq(gro_add(&gro, segs[0], seglen[0], 0),
		    GRO_MERGED);
		ck_assert_int_eq(gro_add(&gro, segs[1], seglen[1], 0),
		    GRO_FLUSH);
		ck_assert_ptr_nonnull(gro_take(&gro, &len));
		mk_udp_run(v6, (const size_t[]){ 500, 499, 499 }, 3);
		ck_assert_int_eq(gro_add(&gro, segs[0], seglen[0], 0),
		    GRO_MERGED);
		ck_assert_int_eq(gro_add(&gro, segs[1], seglen[1], 0),
		    GRO_MERGED);
		ck_assert_int_eq(gro_add(&gro, segs[2], seglen[2], 0),
		    GRO_FLUSH);
		ck_assert_ptr_nonnull(gro_take(&gro, &len));
		/* A TCP segment after UDP. */
		mk_udp_run(v6, a, 1);
		ck_assert_int_eq(gro_add(&gro, segs[0], seglen[0], 0),
		    GRO_MERGED);
		mk_run(v6, 0, 12, (const size_t[]){ 500 }, 1);
		ck_assert_int_eq(gro_add(&gro, segs[0], seglen[0], 0),
		    GRO_FLUSH);
		ck_assert_ptr_nonnull(gro_take(&gro, &len));
		/* No more than GRO_UDP_SEGS datagrams in one. */
		mk_udp_run(v6, a, GRO_UDP_SEGS + 1);
		for (i = 0; i < GRO_UDP_SEGS; i++)
			ck_assert_int_eq(gro_add(&gro, segs[i], seglen[i], 0),
			    GRO_MERGED);
		ck_assert_int_eq(gro_add(&gro, segs[i], seglen[i], 0),
		    GRO_FLUSH);
		ck_assert_ptr_nonnull(b = gro_take(&gro, &len));
		ck_assert_uint_eq(len, VNET_HDR_LEN + (v6 ? 40 : 20) + 8 +
		    GRO_UDP_SEGS * 500);
		ck_assert_ptr_null(gro_take(&gro, &len));
	}
	/* IPv4 without a checksum: merging would add one, so alone. */
	mk_udp_run(0, a, 1);
	put16(segs[0] + 26, 0);
	ck_assert_int_eq(gro_add(&gro, segs[0], seglen[0], 0), GRO_ALONE);
	gro.uso = 0;
}
END_TEST

/* After a short segment or a PSH nothing joins; nor past 64 KiB. */
START_TEST(test_closed)
{
	static const size_t	a[] = { 1000, 500, 500 };
	static const size_t	b[47] = { [0 ... 46] = 1448 };
	const uint8_t		*p;
	size_t			 len;
	int			 i;

	mk_run(0, 0, 0, a, 3);
	segs[2][33] = TCP_ACK;
	segs[2][36] = segs[2][37] = 0;
	put16(segs[2] + 36, ref_l4(0, 6, segs[2] + 20, seglen[2] - 20));
	ck_assert_int_eq(gro_add(&gro, segs[0], seglen[0], 0), GRO_MERGED);
	ck_assert_int_eq(gro_add(&gro, segs[1], seglen[1], 0), GRO_MERGED);
	ck_assert_int_eq(gro_add(&gro, segs[2], seglen[2], 0), GRO_FLUSH);
	ck_assert_ptr_nonnull(gro_take(&gro, &len));
	ck_assert_uint_eq(len, VNET_HDR_LEN + 40 + 1500);

	/* 45 segments of 1448 fit under 65535 with the headers; the
	 * 46th does not. */
	mk_run(0, 0, 0, b, 47);
	for (i = 0; i < 45; i++)
		ck_assert_int_eq(gro_add(&gro, segs[i], seglen[i], 0),
		    GRO_MERGED);
	ck_assert_int_eq(gro_add(&gro, segs[45], seglen[45], 0), GRO_FLUSH);
	ck_assert_ptr_nonnull(p = gro_take(&gro, &len));
	ck_assert_uint_eq(len, VNET_HDR_LEN + 40 + 45 * 1448);
	ck_assert_uint_le(len - VNET_HDR_LEN, 65535);
	ck_assert_uint_eq(p[VNET_HDR_LEN + 2] << 8 | p[VNET_HDR_LEN + 3],
	    40 + 45 * 1448);
}
END_TEST

static Suite *
gro_suite(void)
{
	Suite	*s = suite_create("gro");
	TCase	*tc = tcase_create("core");
	size_t	 i;

	for (i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 13 + 5);
	tcase_add_test(tc, test_tcp4);
	tcase_add_test(tc, test_tcp6);
	tcase_add_test(tc, test_single);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_closed);
	tcase_add_test(tc, test_udp);
	tcase_add_test(tc, test_udp_refused);
	tcase_add_test(tc, test_csum_left);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return (check_run(srunner_create(gro_suite())));
}
