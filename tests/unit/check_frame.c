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
 * Unit tests of common/frame.c: golden bytes for the inner header, the
 * records of a DATA frame and the body of a NACK, the overhead figures,
 * the rejections every decoder must make, and random bytes through all
 * decoders (run under ASan/UBSan).  Test code; trusts its inputs.
 */

#include <sys/socket.h>

#include <check.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "check_main.h"

/* Written from the layout comment in frame.h: little-endian fields. */
static const char *golden_inner = "01033412" "04030201" "d0c0b0a0"
    "0700" "fe01";
/* Records of a 3-byte and a 1-byte packet. */
static const char *golden_recs = "0300aabbcc" "0100dd";
/* A NACK frame: header (kind 4, epoch 0xbeef, seq 0), count 3,
 * reserved, three sequence numbers. */
static const char *golden_nack = "0400efbe" "00000000" "44332211"
    "0000" "0000" "0300" "0000" "04030201" "d0c0b0a0" "00000000";

static size_t
unhex(uint8_t *out, size_t size, const char *hex)
{
	size_t	len;

	ck_assert_int_eq(sodium_hex2bin(out, size, hex, strlen(hex), NULL,
	    &len, NULL), 0);
	return len;
}

START_TEST(test_sizes)
{
	ck_assert_uint_eq(INNER_HDR_LEN, 16);
	ck_assert_uint_eq(INNER_REC_HDR_LEN, 2);
	ck_assert_uint_eq(INNER_NACK_HDR_LEN, 4);
	ck_assert_uint_eq(INNER_NACK_MAX, 64);
	ck_assert_uint_eq(INNER_NACK_LEN(64), 260);
	/* IP + UDP + DATA header + tag; inner header + record header. */
	ck_assert_uint_eq(FRAME_OUTER_OVERHEAD4, 20 + 8 + 16 + 16);
	ck_assert_uint_eq(FRAME_OUTER_OVERHEAD6, 40 + 8 + 16 + 16);
	ck_assert_uint_eq(FRAME_INNER_OVERHEAD, 16 + 2);
	ck_assert_uint_eq(FRAME_PACKET_OVERHEAD4, 78);
	ck_assert_uint_eq(frame_outer_overhead(AF_INET), 60);
	ck_assert_uint_eq(frame_outer_overhead(AF_INET6), 80);
	/* The TUN MTU of a 1500-byte link, as man/bondd.8 states it. */
	ck_assert_uint_eq(1500 - frame_outer_overhead(AF_INET) -
	    FRAME_INNER_OVERHEAD, 1422);
	ck_assert_uint_eq(1500 - frame_outer_overhead(AF_INET6) -
	    FRAME_INNER_OVERHEAD, 1402);
}
END_TEST

START_TEST(test_golden_inner)
{
	struct inner_hdr	h, d;
	uint8_t			want[INNER_HDR_LEN], buf[INNER_HDR_LEN];

	h.kind = INNER_DATA;
	h.flags = INNER_F_RESENT | INNER_F_DEP_ALL;
	h.epoch = 0x1234;
	h.seq = 0x01020304;
	h.send_ts_us = 0xa0b0c0d0;
	h.link_prev = 7;
	h.flow_dep = 0x01fe;
	ck_assert_uint_eq(unhex(want, sizeof(want), golden_inner),
	    INNER_HDR_LEN);
	ck_assert_uint_eq(inner_hdr_encode(buf, &h), INNER_HDR_LEN);
	ck_assert_mem_eq(buf, want, INNER_HDR_LEN);
	ck_assert_int_eq(inner_hdr_decode(want, sizeof(want), &d), WIRE_OK);
	ck_assert_uint_eq(d.kind, h.kind);
	ck_assert_uint_eq(d.flags, h.flags);
	ck_assert_uint_eq(d.epoch, h.epoch);
	ck_assert_uint_eq(d.seq, h.seq);
	ck_assert_uint_eq(d.send_ts_us, h.send_ts_us);
	ck_assert_uint_eq(d.link_prev, h.link_prev);
	ck_assert_uint_eq(d.flow_dep, h.flow_dep);

	ck_assert_int_eq(inner_hdr_decode(want, INNER_HDR_LEN - 1, &d),
	    WIRE_ESHORT);
	want[0] = INNER_KEEPALIVE;
	ck_assert_int_eq(inner_hdr_decode(want, sizeof(want), &d), WIRE_OK);
	ck_assert_uint_eq(d.kind, INNER_KEEPALIVE);
	want[0] = 0;
	ck_assert_int_eq(inner_hdr_decode(want, sizeof(want), &d),
	    WIRE_ETYPE);
	want[0] = INNER_PROBE;
	ck_assert_int_eq(inner_hdr_decode(want, sizeof(want), &d), WIRE_OK);
	ck_assert_uint_eq(d.kind, INNER_PROBE);
	want[0] = INNER_NACK;
	ck_assert_int_eq(inner_hdr_decode(want, sizeof(want), &d), WIRE_OK);
	ck_assert_uint_eq(d.kind, INNER_NACK);
	want[0] = INNER_FEC;
	ck_assert_int_eq(inner_hdr_decode(want, sizeof(want), &d), WIRE_OK);
	ck_assert_uint_eq(d.kind, INNER_FEC);
	want[0] = 6;
	ck_assert_int_eq(inner_hdr_decode(want, sizeof(want), &d),
	    WIRE_ETYPE);
	/* A flag this version does not know is refused. */
	want[0] = INNER_DATA;
	want[1] = 0x04;
	ck_assert_int_eq(inner_hdr_decode(want, sizeof(want), &d),
	    WIRE_ERESERVED);
}
END_TEST

/* Only whole DATA and NACK headers pass between a core and a linkd. */
START_TEST(test_is_core)
{
	uint8_t	f[INNER_HDR_LEN];

	ck_assert_uint_eq(unhex(f, sizeof(f), golden_inner), INNER_HDR_LEN);
	ck_assert_int_eq(frame_is_core(f, sizeof(f)), 1);
	ck_assert_int_eq(frame_is_core(f, sizeof(f) - 1), 0);
	ck_assert_int_eq(frame_is_core(f, 0), 0);
	f[0] = INNER_NACK;
	ck_assert_int_eq(frame_is_core(f, sizeof(f)), 1);
	f[0] = INNER_FEC;
	ck_assert_int_eq(frame_is_core(f, sizeof(f)), 1);
	f[0] = INNER_KEEPALIVE;
	ck_assert_int_eq(frame_is_core(f, sizeof(f)), 0);
	f[0] = INNER_PROBE;
	ck_assert_int_eq(frame_is_core(f, sizeof(f)), 0);
	f[0] = 0;
	ck_assert_int_eq(frame_is_core(f, sizeof(f)), 0);
}
END_TEST

START_TEST(test_golden_records)
{
	const uint8_t	 a[] = { 0xaa, 0xbb, 0xcc }, b[] = { 0xdd };
	uint8_t		 want[16], frame[16], big[300], out[400];
	const uint8_t	*pkt;
	size_t		 off = 0, n, len;
	unsigned int	 fl;

	n = unhex(want, sizeof(want), golden_recs);
	ck_assert_uint_eq(frame_rec_put(frame, sizeof(frame), &off, a,
	    sizeof(a), 0), INNER_REC_HDR_LEN + sizeof(a));
	ck_assert_uint_eq(frame_rec_put(frame, sizeof(frame), &off, b,
	    sizeof(b), 0), INNER_REC_HDR_LEN + sizeof(b));
	ck_assert_uint_eq(off, n);
	ck_assert_mem_eq(frame, want, n);
	off = 0;
	ck_assert_int_eq(frame_rec_next(want, n, &off, &pkt, &len, &fl), 1);
	ck_assert_uint_eq(len, sizeof(a));
	ck_assert_uint_eq(fl, 0);
	ck_assert_mem_eq(pkt, a, len);
	ck_assert_int_eq(frame_rec_next(want, n, &off, &pkt, &len, &fl), 1);
	ck_assert_uint_eq(len, sizeof(b));
	ck_assert_mem_eq(pkt, b, len);
	ck_assert_int_eq(frame_rec_next(want, n, &off, &pkt, &len, &fl), 0);

	/* 258 bytes: the high byte of the length comes second. */
	memset(big, 0x5a, sizeof(big));
	off = 0;
	ck_assert_uint_eq(frame_rec_put(out, sizeof(out), &off, big, 258, 0),
	    260);
	ck_assert_uint_eq(out[0], 0x02);
	ck_assert_uint_eq(out[1], 0x01);

	/* A segment whose checksum the sender left: the length's top bit,
	 * read back apart from the length. */
	ck_assert_uint_eq(frame_rec_put(out, sizeof(out), &off, big, 3,
	    INNER_REC_CSUM_LEFT), 5);
	ck_assert_uint_eq(out[260], 0x03);
	ck_assert_uint_eq(out[261], 0x80);
	n = off;
	off = 0;
	ck_assert_int_eq(frame_rec_next(out, n, &off, &pkt, &len, &fl), 1);
	ck_assert_uint_eq(len, 258);
	ck_assert_uint_eq(fl, 0);
	ck_assert_int_eq(frame_rec_next(out, n, &off, &pkt, &len, &fl), 1);
	ck_assert_uint_eq(len, 3);
	ck_assert_uint_eq(fl, INNER_REC_CSUM_LEFT);
	ck_assert_int_eq(frame_rec_next(out, n, &off, &pkt, &len, &fl), 0);
}
END_TEST

START_TEST(test_no_room)
{
	static uint8_t	bigpkt[INNER_REC_LEN_MAX + 1],
			bigframe[INNER_REC_LEN_MAX + 3];
	uint8_t	pkt[100], frame[100];
	size_t	off = 0;

	memset(pkt, 0x45, sizeof(pkt));
	/* One byte short of the record header and the packet. */
	ck_assert_uint_eq(frame_rec_put(frame, sizeof(pkt) + 1, &off, pkt,
	    sizeof(pkt), 0), 0);
	ck_assert_uint_eq(off, 0);
	ck_assert_uint_eq(frame_rec_put(frame, sizeof(frame), &off, pkt, 0, 0),
	    0);
	ck_assert_uint_eq(frame_rec_put(frame, sizeof(frame), &off, pkt,
	    sizeof(pkt) - INNER_REC_HDR_LEN, 0), sizeof(pkt));
	ck_assert_uint_eq(off, sizeof(frame));
	/* An offset past the end. */
	off = sizeof(frame) + 1;
	ck_assert_uint_eq(frame_rec_put(frame, sizeof(frame), &off, pkt, 1, 0),
	    0);
	/* A length the flag bit would change. */
	off = 0;
	ck_assert_uint_eq(frame_rec_put(bigframe, sizeof(bigframe), &off,
	    bigpkt, sizeof(bigpkt), 0), 0);
}
END_TEST

START_TEST(test_record_overrun)
{
	uint8_t		 pkt[60], frame[128];
	const uint8_t	*out;
	size_t		 off = 0, n, len;
	unsigned int	 fl;

	memset(pkt, 0x45, sizeof(pkt));
	frame_rec_put(frame, sizeof(frame), &off, pkt, sizeof(pkt), 0);
	n = off;
	/* The record claims one byte more than the frame holds. */
	frame[0] = sizeof(pkt) + 1;
	off = 0;
	ck_assert_int_eq(frame_rec_next(frame, n, &off, &out, &len, &fl), -1);
	/* A truncated record header. */
	off = 0;
	ck_assert_int_eq(frame_rec_next(frame, 1, &off, &out, &len, &fl), -1);
	/* A zero-length record. */
	frame[0] = frame[1] = 0;
	off = 0;
	ck_assert_int_eq(frame_rec_next(frame, n, &off, &out, &len, &fl), -1);
	/* An offset past the end. */
	off = n + 1;
	ck_assert_int_eq(frame_rec_next(frame, n, &off, &out, &len, &fl), -1);
}
END_TEST

START_TEST(test_golden_nack)
{
	const uint32_t		seqs[] = { 0x01020304, 0xa0b0c0d0, 0 };
	struct inner_hdr	h, d;
	uint8_t			want[64], buf[64];
	uint32_t		got[INNER_NACK_MAX];
	size_t			n, len;

	n = unhex(want, sizeof(want), golden_nack);
	ck_assert_uint_eq(n, INNER_HDR_LEN + INNER_NACK_LEN(3));
	memset(&h, 0, sizeof(h));
	h.kind = INNER_NACK;
	h.epoch = 0xbeef;
	h.send_ts_us = 0x11223344;
	len = inner_hdr_encode(buf, &h);
	ck_assert_uint_eq(frame_nack_put(buf + len, seqs, 3),
	    INNER_NACK_LEN(3));
	ck_assert_mem_eq(buf, want, n);

	ck_assert_int_eq(inner_hdr_decode(want, n, &d), WIRE_OK);
	ck_assert_uint_eq(d.kind, INNER_NACK);
	ck_assert_int_eq(frame_nack_get(want + INNER_HDR_LEN,
	    n - INNER_HDR_LEN, got, &len), 0);
	ck_assert_uint_eq(len, 3);
	ck_assert_mem_eq(got, seqs, sizeof(seqs));
}
END_TEST

START_TEST(test_nack_rejections)
{
	uint32_t	seqs[INNER_NACK_MAX + 1], got[INNER_NACK_MAX];
	uint8_t		body[INNER_NACK_LEN(INNER_NACK_MAX + 1)];
	size_t		i, n = 99;

	for (i = 0; i < INNER_NACK_MAX + 1; i++)
		seqs[i] = (uint32_t)i * 7919;
	frame_nack_put(body, seqs, 3);
	/* Shorter than the count and reserved field. */
	ck_assert_int_eq(frame_nack_get(body, 3, got, &n), -1);
	ck_assert_int_eq(frame_nack_get(body, 0, got, &n), -1);
	/* Length and count disagree, either way. */
	ck_assert_int_eq(frame_nack_get(body, INNER_NACK_LEN(2), got, &n),
	    -1);
	ck_assert_int_eq(frame_nack_get(body, INNER_NACK_LEN(3) + 1, got,
	    &n), -1);
	ck_assert_int_eq(frame_nack_get(body, INNER_NACK_LEN(4), got, &n),
	    -1);
	ck_assert_uint_eq(n, 99);
	/* An empty NACK is well formed. */
	frame_nack_put(body, seqs, 0);
	ck_assert_int_eq(frame_nack_get(body, INNER_NACK_LEN(0), got, &n), 0);
	ck_assert_uint_eq(n, 0);
	/* The most a NACK carries, and one more. */
	ck_assert_uint_eq(frame_nack_put(body, seqs, INNER_NACK_MAX),
	    INNER_NACK_LEN(INNER_NACK_MAX));
	ck_assert_int_eq(frame_nack_get(body, INNER_NACK_LEN(INNER_NACK_MAX),
	    got, &n), 0);
	ck_assert_uint_eq(n, INNER_NACK_MAX);
	ck_assert_mem_eq(got, seqs, sizeof(got));
	frame_nack_put(body, seqs, INNER_NACK_MAX + 1);
	ck_assert_int_eq(frame_nack_get(body,
	    INNER_NACK_LEN(INNER_NACK_MAX + 1), got, &n), -1);
	/* The reserved field is not looked at. */
	frame_nack_put(body, seqs, 2);
	body[2] = 0xff;
	ck_assert_int_eq(frame_nack_get(body, INNER_NACK_LEN(2), got, &n), 0);
	ck_assert_uint_eq(n, 2);
}
END_TEST

static uint64_t
xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * Random frames through every decoder, ending where a heap block ends
 * so that ASan sees an overread.  Half get a known kind and a likely
 * length; whatever decodes must encode back to the same bytes.
 */
START_TEST(test_random)
{
	struct inner_hdr h;
	const uint8_t	*pkt;
	uint8_t		*heap, *buf, out[300];
	uint32_t	 seqs[INNER_NACK_MAX];
	uint64_t	 s = 0x9e3779b97f4a7c15ULL, r;
	unsigned int	 fl;
	size_t		 len, i, off, plen, n;
	long		 k, ok = 0, bad = 0;
	int		 v;

	heap = malloc(300);
	ck_assert_ptr_nonnull(heap);
	for (k = 0; k < 200000; k++) {
		r = xorshift(&s);
		len = (r & 1) ? INNER_HDR_LEN + INNER_NACK_LEN((r >> 8) % 4) :
		    (size_t)((r >> 8) % 300);
		buf = heap + 300 - len;
		for (i = 0; i < len; i++)
			buf[i] = (uint8_t)(xorshift(&s) >> 24);
		if ((r & 2) && len >= INNER_NACK_HDR_LEN) {
			buf[0] = (uint8_t)(1 + (r >> 16) % 5);
			buf[1] = (uint8_t)((r >> 24) % 4);
		}
		if (inner_hdr_decode(buf, len, &h) == WIRE_OK) {
			if (inner_hdr_encode(out, &h) != INNER_HDR_LEN ||
			    memcmp(out, buf, INNER_HDR_LEN) != 0 ||
			    frame_is_core(buf, len) != (h.kind == INNER_DATA ||
			    h.kind == INNER_NACK || h.kind == INNER_FEC))
				bad++;
			ok++;
		}
		/* Records: every packet lies inside the frame. */
		off = 0;
		while ((v = frame_rec_next(buf, len, &off, &pkt, &plen,
		    &fl)) == 1)
			if (pkt < buf || pkt + plen > buf + len || plen == 0 ||
			    plen > INNER_REC_LEN_MAX ||
			    (fl & ~INNER_REC_CSUM_LEFT) != 0)
				bad++;
		/* A NACK body: everything but the reserved field comes
		 * back. */
		if (len >= INNER_NACK_HDR_LEN && (r & 2)) {
			buf[0] = (uint8_t)((len - INNER_NACK_HDR_LEN) / 4);
			buf[1] = 0;
		}
		if (frame_nack_get(buf, len, seqs, &n) == 0) {
			if (frame_nack_put(out, seqs, n) != len ||
			    memcmp(out, buf, 2) != 0 ||
			    memcmp(out + 4, buf + 4, len - 4) != 0)
				bad++;
			ok++;
		}
	}
	free(heap);
	/* Checked once: an assertion per frame costs a pipe write. */
	ck_assert_int_eq(bad, 0);
	/* The loop did reach the field code. */
	ck_assert_int_gt(ok, 20000);
}
END_TEST

static Suite *
frame_suite(void)
{
	Suite	*s = suite_create("frame");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_sizes);
	tcase_add_test(tc, test_golden_inner);
	tcase_add_test(tc, test_is_core);
	tcase_add_test(tc, test_golden_records);
	tcase_add_test(tc, test_no_room);
	tcase_add_test(tc, test_record_overrun);
	tcase_add_test(tc, test_golden_nack);
	tcase_add_test(tc, test_nack_rejections);
	tcase_add_test(tc, test_random);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_run(srunner_create(frame_suite()));
}
