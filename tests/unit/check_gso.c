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
 * Unit tests of the segmenter (bondd/gso.c): TCP over IPv4 with IP and
 * TCP options and over IPv6 (also behind hop-by-hop and destination
 * options), UDP (USO) over both, odd tails, the checksum the kernel
 * leaves to the reader (NEEDS_CSUM), and what must be refused (among
 * it fragment, AH and routing headers and chains that cannot be
 * walked).  Every expected segment is built here from scratch, its
 * checksums by a reference sum over an explicit pseudo-header, and two
 * checksums are golden values computed outside.  Test code; trusts its
 * inputs.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "csum.h"
#include "gso.h"
#include "check_main.h"
#include "check_pkt.h"

#define NH_HOPOPTS	0
#define NH_ROUTING	43
#define NH_FRAGMENT	44
#define NH_AH		51
#define NH_DSTOPTS	60

static uint8_t	payload[65536];
static uint8_t	super[70000], want[2000], out[2000];

/*
 * Cut super (len bytes, header h) again with the checksums left: each
 * segment differs from the one cut before, held in cut[k], in the L4
 * checksum only, which holds the pseudo-header's sum
 * (l3len: where L4 starts, ck: the field's offset there), and
 * gso_csum_fill() makes it that segment again.
 */
static uint8_t	cut[50][2000];
static size_t	cutlen[50];

static void
check_left(const struct vnet_hdr *h, size_t len, int v6, size_t l3len,
    size_t ck, int proto, size_t n)
{
	struct gso_split g;
	uint8_t		*seg;
	size_t		 k = 0, slen;

	ck_assert_int_eq(gso_start(&g, h, super, len), 0);
	ck_assert_int_eq(gso_leave_csum(&g), 1);
	while ((seg = gso_next(&g, out, sizeof(out), &slen)) != NULL) {
		ck_assert_uint_lt(k, n);
		ck_assert_uint_eq(slen, cutlen[k]);
		ck_assert_mem_eq(seg, cut[k], l3len + ck);
		ck_assert_mem_eq(seg + l3len + ck + 2, cut[k] + l3len + ck + 2,
		    slen - l3len - ck - 2);
		ck_assert_uint_eq(seg[l3len + ck] << 8 | seg[l3len + ck + 1],
		    csum_pseudo(seg, v6, slen - l3len, proto));
		ck_assert_int_eq(gso_csum_fill(seg, slen), 0);
		ck_assert_mem_eq(seg, cut[k], slen);
		k++;
	}
	ck_assert_uint_eq(k, n);
}

/*
 * Put an IPv6 extension header of type and size bytes in front of the
 * chain of packet p (len bytes); returns the new length.  Options
 * headers hold one PadN, a routing header segments left in its fourth
 * byte.  The L4 checksum stays right: the pseudo-header names the
 * upper layer's length and protocol, not the chain.
 */
static size_t
add_ext(uint8_t *p, size_t len, uint8_t type, size_t size, uint8_t left)
{
	uint8_t	*e = p + 40;

	memmove(e + size, e, len - 40);
	memset(e, 0, size);
	e[0] = p[6];
	e[1] = (uint8_t)(type == NH_AH ? size / 4 - 2 : size / 8 - 1);
	if (type == NH_HOPOPTS || type == NH_DSTOPTS) {
		e[2] = 1;
		e[3] = (uint8_t)(size - 4);
	} else if (type == NH_ROUTING)
		e[3] = left;
	p[6] = type;
	put16(p + 4, (uint16_t)(len + size - 40));
	return len + size;
}

/* What a sender with options puts behind the IPv6 header: hop-by-hop
 * (8 bytes), then destination options (16). */
static size_t
add_opts(uint8_t *p, size_t len)
{
	len = add_ext(p, len, NH_DSTOPTS, 16, 0);
	return add_ext(p, len, NH_HOPOPTS, 8, 0);
}

/* A segment as a receiver checks it: the IPv6 payload length and the
 * L4 checksum over the upper layer at l3len. */
static void
check_seg6(const uint8_t *seg, size_t len, size_t l3len, int proto)
{
	ck_assert_uint_eq((size_t)(seg[4] << 8 | seg[5]), len - 40);
	ck_assert_uint_eq(seg[6], NH_HOPOPTS);
	ck_assert_uint_eq(seg[40], NH_DSTOPTS);
	ck_assert_uint_eq(seg[48], proto);
	ck_assert_uint_eq(ref_l4(1, proto, seg + l3len, len - l3len), 0);
}

static struct vnet_hdr
gso_hdr(int type, size_t hlen, size_t mss, size_t l3len, size_t csum_off)
{
	struct vnet_hdr	h;

	memset(&h, 0, sizeof(h));
	h.flags = VNET_F_NEEDS_CSUM;
	h.gso_type = (uint8_t)type;
	h.hdr_len = (uint16_t)hlen;
	h.gso_size = (uint16_t)mss;
	h.csum_start = (uint16_t)l3len;
	h.csum_offset = (uint16_t)csum_off;
	return h;
}

/* Cut a TCP super-packet of n payload bytes by mss and compare each
 * segment with one built from scratch. */
static void
check_tcp(int v6, size_t ipopt, size_t tcpopt, size_t n, size_t mss,
    uint8_t flags, int ext)
{
	struct gso_split g;
	struct vnet_hdr	 h;
	uint8_t		*seg, f;
	size_t		 len, wlen, hlen, off = 0, k = 0, c;

	len = mk_tcp(super, v6, ipopt, tcpopt, 0x1234, 0xfffffc00, flags,
	    payload, n);
	if (ext)
		len = add_opts(super, len);
	hlen = len - n;
	/* The kernel leaves the checksum to the reader: garbage here. */
	put16(super + hlen - tcpopt - 4, 0xbeef);
	h = gso_hdr(v6 ? VNET_GSO_TCPV6 : VNET_GSO_TCPV4, hlen, mss,
	    hlen - 20 - tcpopt, 16);
	ck_assert_int_eq(gso_start(&g, &h, super, len), 0);
	while ((seg = gso_next(&g, out, sizeof(out), &len)) != NULL) {
		c = n - off < mss ? n - off : mss;
		f = flags;
		if (off + c < n)
			f &= (uint8_t)~(TCP_FIN | TCP_PSH);
		if (k > 0)
			f &= (uint8_t)~TCP_CWR;
		/* Sequence numbers wrap past 2^32 here. */
		wlen = mk_tcp(want, v6, ipopt, tcpopt, (uint16_t)(0x1234 + k),
		    0xfffffc00 + (uint32_t)off, f, payload + off, c);
		if (ext) {
			wlen = add_opts(want, wlen);
			check_seg6(seg, len, 64, 6);
		}
		ck_assert_ptr_eq(seg, out);
		ck_assert_uint_eq(len, wlen);
		ck_assert_mem_eq(seg, want, wlen);
		memcpy(cut[k], seg, len);
		cutlen[k] = len;
		off += c;
		k++;
	}
	ck_assert_uint_eq(off, n);
	ck_assert_uint_eq(k, (n + mss - 1) / mss);
	check_left(&h, hlen + n, v6, h.csum_start, 16, 6, k);
}

START_TEST(test_tcp4_options)
{
	/* IP options, a timestamp, an odd one-byte tail; FIN, PSH, CWR. */
	check_tcp(0, 4, 12, 3001, 1000, TCP_ACK | TCP_PSH | TCP_FIN |
	    TCP_CWR, 0);
	check_tcp(0, 0, 0, 1448 * 44, 1448, TCP_ACK | TCP_PSH, 0);
	check_tcp(0, 40, 40, 999, 1000, TCP_ACK, 0);	/* one segment */
}
END_TEST

START_TEST(test_tcp6)
{
	check_tcp(1, 0, 12, 2501, 1220, TCP_ACK | TCP_PSH | TCP_CWR, 0);
	check_tcp(1, 0, 0, 1428 * 45 + 77, 1428, TCP_ACK | TCP_FIN, 0);
}
END_TEST

static void
check_udp(int v6, size_t n, size_t mss, int ext)
{
	struct gso_split g;
	struct vnet_hdr	 h;
	uint8_t		*seg;
	size_t		 len, wlen, hlen, off = 0, k = 0, c;

	len = mk_udp(super, v6, 0x4242, payload, n);
	if (ext)
		len = add_opts(super, len);
	hlen = len - n;
	put16(super + hlen - 2, 0x1111);
	h = gso_hdr(VNET_GSO_UDP_L4, hlen, mss, hlen - 8, 6);
	ck_assert_int_eq(gso_start(&g, &h, super, len), 0);
	while ((seg = gso_next(&g, out, sizeof(out), &len)) != NULL) {
		c = n - off < mss ? n - off : mss;
		wlen = mk_udp(want, v6, (uint16_t)(0x4242 + k),
		    payload + off, c);
		if (ext) {
			wlen = add_opts(want, wlen);
			check_seg6(seg, len, 64, 17);
			ck_assert_uint_eq((size_t)(seg[68] << 8 | seg[69]),
			    len - 64);
		}
		ck_assert_uint_eq(len, wlen);
		ck_assert_mem_eq(seg, want, wlen);
		memcpy(cut[k], seg, len);
		cutlen[k] = len;
		off += c;
		k++;
	}
	ck_assert_uint_eq(off, n);
	ck_assert_uint_eq(k, (n + mss - 1) / mss);
	check_left(&h, hlen + n, v6, h.csum_start, 6, 17, k);
}

START_TEST(test_udp)
{
	check_udp(0, 2500, 1200, 0);
	check_udp(1, 2500, 1200, 0);
	check_udp(1, 1201, 1200, 0);
}
END_TEST

/* Hop-by-hop and destination options go into every segment. */
START_TEST(test_v6_options)
{
	check_tcp(1, 0, 12, 1196 * 5 + 3, 1196, TCP_ACK | TCP_PSH | TCP_FIN |
	    TCP_CWR, 1);
	check_udp(1, 3000, 1176, 1);
	check_udp(1, 1177, 1176, 1);
}
END_TEST

/* A packet that is not cut passes as it is, its checksum completed if
 * the kernel left it (the field holds the pseudo-header's sum). */
START_TEST(test_needs_csum)
{
	struct gso_split g;
	struct vnet_hdr	 h;
	uint8_t		 p[100], ref[100], *seg;
	size_t		 len, n;
	uint32_t	 s;

	/* Golden: IPv4 TCP 1000 -> 2000, one byte "A" (python). */
	n = mk_tcp(ref, 0, 0, 0, 0x0101, 1, TCP_ACK | TCP_PSH,
	    (const uint8_t *)"A", 1);
	ref[20] = 0x03; ref[21] = 0xe8; ref[22] = 0x07; ref[23] = 0xd0;
	put32(ref + 28, 2);
	put16(ref + 34, 512);
	put16(ref + 36, 0);
	put16(ref + 36, ref_l4(0, 6, ref + 20, 21));
	ck_assert_uint_eq(ref[10] << 8 | ref[11], 0xa9a3);
	ck_assert_uint_eq(ref[36] << 8 | ref[37], 0xd0e5);
	memcpy(p, ref, n);
	/* The pseudo-header's sum, not complemented, as the kernel puts. */
	s = (198 << 8 | 18) * 2 + (1 << 8 | 2) + (3 << 8 | 4) + 6 + 21;
	while (s > 0xffff)
		s = (s >> 16) + (s & 0xffff);
	put16(p + 36, (uint16_t)s);
	memset(&h, 0, sizeof(h));
	h.flags = VNET_F_NEEDS_CSUM;
	h.csum_start = 20;
	h.csum_offset = 16;
	ck_assert_int_eq(gso_start(&g, &h, p, n), 0);
	/* Not cut: complete here, nothing left to a peer. */
	ck_assert_int_eq(gso_leave_csum(&g), 0);
	ck_assert_ptr_eq(seg = gso_next(&g, out, sizeof(out), &len), p);
	ck_assert_uint_eq(len, n);
	ck_assert_mem_eq(p, ref, n);
	ck_assert_ptr_null(gso_next(&g, out, sizeof(out), &len));
	/* Filled whatever the field held; but only a TCP or UDP packet. */
	put16(p + 36, 0x5555);
	ck_assert_int_eq(gso_csum_fill(p, n), 0);
	ck_assert_mem_eq(p, ref, n);
	ck_assert_int_eq(gso_csum_fill(p, 39), -1);
	p[9] = 1;
	ck_assert_int_eq(gso_csum_fill(p, n), -1);

	/* Golden: IPv6 UDP 5000 -> 6000, "xyz" (python). */
	n = mk_udp(ref, 1, 0, (const uint8_t *)"xyz", 3);
	ck_assert_uint_eq(ref[46] << 8 | ref[47], 0x86f1);
	memcpy(p, ref, n);
	s = 0x2001 * 2 + 0x0db8 * 2 + 1 + 2 + 17 + 11;
	put16(p + 46, (uint16_t)s);
	h.csum_start = 40;
	h.csum_offset = 6;
	ck_assert_int_eq(gso_start(&g, &h, p, n), 0);
	ck_assert_ptr_eq(gso_next(&g, out, sizeof(out), &len), p);
	ck_assert_mem_eq(p, ref, n);

	/* Not flagged: untouched, even with a wrong checksum. */
	p[47] ^= 0xff;
	memcpy(ref, p, n);
	h.flags = 0;
	ck_assert_int_eq(gso_start(&g, &h, p, n), 0);
	ck_assert_ptr_eq(gso_next(&g, out, sizeof(out), &len), p);
	ck_assert_mem_eq(p, ref, n);

	/* The checksum field out of the packet. */
	h.flags = VNET_F_NEEDS_CSUM;
	h.csum_start = (uint16_t)n;
	h.csum_offset = 0;
	ck_assert_int_eq(gso_start(&g, &h, p, n), -1);
	h.csum_start = (uint16_t)(n - 1);
	ck_assert_int_eq(gso_start(&g, &h, p, n), -1);
	h.csum_start = 40;
	h.csum_offset = 0xffff;
	ck_assert_int_eq(gso_start(&g, &h, p, n), -1);
}
END_TEST

START_TEST(test_refused)
{
	struct gso_split g;
	struct vnet_hdr	 h;
	size_t		 len, n;

	len = mk_tcp(super, 0, 0, 0, 1, 1, TCP_ACK, payload, 3000);
	h = gso_hdr(VNET_GSO_TCPV4, 40, 1000, 20, 16);
	ck_assert_int_eq(gso_start(&g, &h, super, len), 0);
	/* No room for a segment: none. */
	ck_assert_ptr_null(gso_next(&g, out, 1000, &n));
	ck_assert_ptr_null(gso_next(&g, out, sizeof(out), &n));
	h.gso_size = 0;
	ck_assert_int_eq(gso_start(&g, &h, super, len), -1);
	h.gso_size = 1000;
	/* Type and packet disagree; UFO (whole datagrams) is not asked. */
	h.gso_type = VNET_GSO_TCPV6;
	ck_assert_int_eq(gso_start(&g, &h, super, len), -1);
	h.gso_type = VNET_GSO_UDP_L4;
	ck_assert_int_eq(gso_start(&g, &h, super, len), -1);
	h.gso_type = 3;
	ck_assert_int_eq(gso_start(&g, &h, super, len), -1);
	h.gso_type = VNET_GSO_TCPV4 | VNET_GSO_ECN;
	ck_assert_int_eq(gso_start(&g, &h, super, len), 0);
	/* Lengths that disagree with the buffer. */
	ck_assert_int_eq(gso_start(&g, &h, super, len - 1), -1);
	ck_assert_int_eq(gso_start(&g, &h, super, 19), -1);
	/* Headers only: nothing to cut. */
	n = mk_tcp(super, 0, 0, 0, 1, 1, TCP_ACK, payload, 0);
	ck_assert_int_eq(gso_start(&g, &h, super, n), -1);
	/* A fragment; a TCP header shorter than 20 bytes. */
	len = mk_tcp(super, 0, 0, 0, 1, 1, TCP_ACK, payload, 3000);
	put16(super + 6, 0x2000);
	ck_assert_int_eq(gso_start(&g, &h, super, len), -1);
	put16(super + 6, 0x4000);
	super[32] = 0x40;
	ck_assert_int_eq(gso_start(&g, &h, super, len), -1);
	/* Another protocol. */
	len = mk_tcp(super, 1, 0, 0, 1, 1, TCP_ACK, payload, 3000);
	h.gso_type = VNET_GSO_TCPV6;
	ck_assert_int_eq(gso_start(&g, &h, super, len), 0);
	super[6] = 1;
	ck_assert_int_eq(gso_start(&g, &h, super, len), -1);
	super[0] = 0x50;
	ck_assert_int_eq(gso_start(&g, &h, super, len), -1);
}
END_TEST

/* IPv6 extension headers that would not stay true in every segment,
 * or a chain that cannot be walked. */
START_TEST(test_v6_refused)
{
	struct gso_split g;
	struct vnet_hdr	 h;
	size_t		 len;
	int		 i;

	h = gso_hdr(VNET_GSO_TCPV6, 0, 1000, 0, 16);
	/* A routing header with no segments left passes. */
	len = mk_tcp(super, 1, 0, 0, 1, 1, TCP_ACK, payload, 3000);
	len = add_ext(super, len, NH_ROUTING, 24, 0);
	ck_assert_int_eq(gso_start(&g, &h, super, len), 0);
	len = mk_tcp(super, 1, 0, 0, 1, 1, TCP_ACK, payload, 3000);
	len = add_ext(super, len, NH_ROUTING, 24, 1);
	ck_assert_int_eq(gso_start(&g, &h, super, len), -1);
	len = mk_tcp(super, 1, 0, 0, 1, 1, TCP_ACK, payload, 3000);
	len = add_ext(super, len, NH_FRAGMENT, 8, 0);
	ck_assert_int_eq(gso_start(&g, &h, super, len), -1);
	len = mk_tcp(super, 1, 0, 0, 1, 1, TCP_ACK, payload, 3000);
	len = add_ext(super, len, NH_AH, 24, 0);
	ck_assert_int_eq(gso_start(&g, &h, super, len), -1);
	/* Behind options, still refused. */
	len = add_opts(super, len);
	ck_assert_int_eq(gso_start(&g, &h, super, len), -1);
	/* Eight headers are walked, not nine. */
	len = mk_tcp(super, 1, 0, 0, 1, 1, TCP_ACK, payload, 3000);
	for (i = 0; i < 8; i++)
		len = add_ext(super, len, NH_DSTOPTS, 8, 0);
	ck_assert_int_eq(gso_start(&g, &h, super, len), 0);
	len = add_ext(super, len, NH_DSTOPTS, 8, 0);
	ck_assert_int_eq(gso_start(&g, &h, super, len), -1);
	/* A header longer than the packet; a chain with no upper layer. */
	len = mk_tcp(super, 1, 0, 0, 1, 1, TCP_ACK, payload, 1000);
	len = add_ext(super, len, NH_DSTOPTS, 8, 0);
	ck_assert_int_eq(gso_start(&g, &h, super, len), 0);
	super[41] = 255;
	ck_assert_int_eq(gso_start(&g, &h, super, len), -1);
	len = mk_tcp(super, 1, 0, 0, 1, 1, TCP_ACK, payload, 3000);
	len = add_ext(super, len, NH_DSTOPTS, 8, 0);
	super[40] = 59;		/* no next header */
	ck_assert_int_eq(gso_start(&g, &h, super, len), -1);
	h.gso_type = VNET_GSO_UDP_L4;
	len = mk_udp(super, 1, 0, payload, 3000);
	len = add_ext(super, len, NH_FRAGMENT, 8, 0);
	ck_assert_int_eq(gso_start(&g, &h, super, len), -1);
}
END_TEST

START_TEST(test_vnet_hdr)
{
	struct vnet_hdr	h = { 1, 4, 60, 1428, 40, 16 }, d;
	uint8_t		b[VNET_HDR_LEN];

	vnet_hdr_encode(b, &h);
	vnet_hdr_decode(b, &d);
	ck_assert_mem_eq(&h, &d, sizeof(h));
	ck_assert_uint_eq(b[0], 1);
	ck_assert_uint_eq(b[1], 4);
}
END_TEST

static Suite *
gso_suite(void)
{
	Suite	*s = suite_create("gso");
	TCase	*tc = tcase_create("core");
	size_t	 i;

	for (i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7 + 3);
	tcase_add_test(tc, test_tcp4_options);
	tcase_add_test(tc, test_tcp6);
	tcase_add_test(tc, test_udp);
	tcase_add_test(tc, test_v6_options);
	tcase_add_test(tc, test_v6_refused);
	tcase_add_test(tc, test_needs_csum);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_vnet_hdr);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return (check_run(srunner_create(gso_suite())));
}
