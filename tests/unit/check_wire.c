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
 * Unit tests of linkd/wire.c: golden bytes for every message, the
 * rejections every decoder must make, and a random-bytes loop over all
 * decoders (run under ASan/UBSan) checking that whatever decodes
 * encodes back to the same bytes.  Test code; trusts its inputs.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <sodium.h>

#include "frame.h"
#include "linkinfo.h"
#include "wire.h"
#include "check_main.h"

/*
 * Golden vectors, written from the layout comment in wire.h: fields
 * are little-endian, byte arrays count up from a distinct start.
 */
static const char *golden_init =
    "0301000001020304101112131415161718191a1b1c1d1e1f20212223"
    "2425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
    "404142434445464748494a4b4c4d4e4f505152535455565758595a5b"
    "5c5d5e5f606162636465666768696a6b6c6d6e6f7071727374757677"
    "78797a7b7c7d7e7f808182838485868788898a8b8c8de0e1e2e3e4e5"
    "e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
static const char *golden_resp =
    "0302000044332211d4c3b2a1101112131415161718191a1b1c1d1e1f"
    "202122232425262728292a2b2c2d2e2f606162636465666768696a6b"
    "6c6d6e6fe0e1e2e3e4e5e6e7e8e9eaebecedeeef";
static const char *golden_data = "03040000efbeadde0807060504030201";
/* seq, tx_us, echo_seq, echo_tx_us, echo_hold_us, rx_loss_ppm 5000,
 * rx_bytes, owd_us -2, rate_bps, priority 7, flags BACKUP, state
 * LOSSY, reserved, quota_bytes, owd_recent_us -5. */
static const char *golden_probe =
    "04030201181716151413121124232221383736353433323144434241"
    "881300005857565554535251feffffff686766656463626107010200"
    "7877767574737271" "fbffffff";
static const char *golden_payload =
    "035a6c746500000000000000000000000000400000006543210f0a0b"
    "0c0d";

static size_t
unhex(uint8_t *out, size_t size, const char *hex)
{
	size_t len;

	ck_assert_int_eq(sodium_hex2bin(out, size, hex, strlen(hex), NULL,
	    &len, NULL), 0);
	return (len);
}

static void
count(uint8_t *p, size_t n, uint8_t from)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(from + i);
}

START_TEST(test_sizes)
{
	ck_assert_uint_eq(WIRE_INIT_LEN, 166);
	ck_assert_uint_eq(WIRE_RESP_LEN, 76);
	ck_assert_uint_eq(WIRE_DATA_HDR_LEN, 16);
	ck_assert_uint_eq(WIRE_INIT_PAYLOAD, 30);
}
END_TEST

START_TEST(test_golden_init)
{
	struct wire_init m, d;
	uint8_t want[WIRE_INIT_LEN], buf[WIRE_INIT_LEN];

	memset(&m, 0, sizeof(m));
	m.sender_index = 0x04030201;
	count(m.ephemeral, sizeof(m.ephemeral), 0x10);
	count(m.static_enc, sizeof(m.static_enc), 0x30);
	count(m.payload_enc, sizeof(m.payload_enc), 0x60);
	count(m.mac1, sizeof(m.mac1), 0xe0);
	count(m.mac2, sizeof(m.mac2), 0xf0);
	ck_assert_uint_eq(unhex(want, sizeof(want), golden_init),
	    WIRE_INIT_LEN);
	ck_assert_uint_eq(wire_init_encode(buf, &m), WIRE_INIT_LEN);
	ck_assert_mem_eq(buf, want, WIRE_INIT_LEN);
	ck_assert_int_eq(wire_type(want, sizeof(want)), WIRE_HANDSHAKE_INIT);
	memset(&d, 0xaa, sizeof(d));
	ck_assert_int_eq(wire_init_decode(want, sizeof(want), &d), WIRE_OK);
	ck_assert_uint_eq(d.sender_index, m.sender_index);
	ck_assert_mem_eq(d.ephemeral, m.ephemeral, sizeof(m.ephemeral));
	ck_assert_mem_eq(d.static_enc, m.static_enc, sizeof(m.static_enc));
	ck_assert_mem_eq(d.payload_enc, m.payload_enc, sizeof(m.payload_enc));
	ck_assert_mem_eq(d.mac1, m.mac1, sizeof(m.mac1));
	ck_assert_mem_eq(d.mac2, m.mac2, sizeof(m.mac2));
}
END_TEST

START_TEST(test_golden_resp)
{
	struct wire_resp m, d;
	uint8_t want[WIRE_RESP_LEN], buf[WIRE_RESP_LEN];

	memset(&m, 0, sizeof(m));
	m.sender_index = 0x11223344;
	m.receiver_index = 0xa1b2c3d4;
	count(m.ephemeral, sizeof(m.ephemeral), 0x10);
	count(m.payload_enc, sizeof(m.payload_enc), 0x60);
	count(m.mac1, sizeof(m.mac1), 0xe0);
	ck_assert_uint_eq(unhex(want, sizeof(want), golden_resp),
	    WIRE_RESP_LEN);
	ck_assert_uint_eq(wire_resp_encode(buf, &m), WIRE_RESP_LEN);
	ck_assert_mem_eq(buf, want, WIRE_RESP_LEN);
	ck_assert_int_eq(wire_type(want, sizeof(want)), WIRE_HANDSHAKE_RESP);
	memset(&d, 0xaa, sizeof(d));
	ck_assert_int_eq(wire_resp_decode(want, sizeof(want), &d), WIRE_OK);
	ck_assert_uint_eq(d.sender_index, m.sender_index);
	ck_assert_uint_eq(d.receiver_index, m.receiver_index);
	ck_assert_mem_eq(d.ephemeral, m.ephemeral, sizeof(m.ephemeral));
	ck_assert_mem_eq(d.payload_enc, m.payload_enc, sizeof(m.payload_enc));
	ck_assert_mem_eq(d.mac1, m.mac1, sizeof(m.mac1));
}
END_TEST

START_TEST(test_golden_data)
{
	struct wire_data_hdr h, d;
	uint8_t want[64], buf[WIRE_DATA_HDR_LEN];
	size_t min = WIRE_DATA_HDR_LEN + WIRE_TAG_LEN + INNER_HDR_LEN;

	h.receiver_index = 0xdeadbeef;
	h.counter = 0x0102030405060708ULL;
	memset(want, 0, sizeof(want));
	ck_assert_uint_eq(unhex(want, sizeof(want), golden_data),
	    WIRE_DATA_HDR_LEN);
	ck_assert_uint_eq(wire_data_hdr_encode(buf, &h), WIRE_DATA_HDR_LEN);
	ck_assert_mem_eq(buf, want, WIRE_DATA_HDR_LEN);
	ck_assert_int_eq(wire_type(want, min), WIRE_DATA);
	ck_assert_int_eq(wire_data_hdr_decode(want, min, &d), WIRE_OK);
	ck_assert_uint_eq(d.receiver_index, h.receiver_index);
	ck_assert_uint_eq(d.counter, h.counter);
	ck_assert_int_eq(wire_data_hdr_decode(want, sizeof(want), &d),
	    WIRE_OK);
	ck_assert_int_eq(wire_data_hdr_decode(want, min - 1, &d),
	    WIRE_ESHORT);
	ck_assert_int_eq(wire_data_hdr_decode(want, WIRE_DATA_HDR_LEN, &d),
	    WIRE_ESHORT);
}
END_TEST

START_TEST(test_golden_probe)
{
	struct wire_probe p, d;
	uint8_t want[WIRE_PROBE_LEN + 1], buf[WIRE_PROBE_LEN];

	memset(&p, 0, sizeof(p));
	p.seq = 0x01020304;
	p.tx_us = 0x1112131415161718ULL;
	p.echo_seq = 0x21222324;
	p.echo_tx_us = 0x3132333435363738ULL;
	p.echo_hold_us = 0x41424344;
	p.rx_loss_ppm = 5000;
	p.rx_bytes = 0x5152535455565758ULL;
	p.owd_us = -2;
	p.rate_bps = 0x6162636465666768ULL;
	p.priority = 7;
	p.flags = WIRE_PROBE_BACKUP;
	p.state = LINK_STATE_LOSSY;
	p.quota_bytes = 0x7172737475767778ULL;
	p.owd_recent_us = -5;
	ck_assert_uint_eq(unhex(want, sizeof(want), golden_probe),
	    WIRE_PROBE_LEN);
	ck_assert_uint_eq(wire_probe_encode(buf, &p), WIRE_PROBE_LEN);
	ck_assert_mem_eq(buf, want, WIRE_PROBE_LEN);
	ck_assert_int_eq(wire_probe_decode(want, WIRE_PROBE_LEN, &d),
	    WIRE_OK);
	ck_assert_uint_eq(d.seq, p.seq);
	ck_assert_uint_eq(d.tx_us, p.tx_us);
	ck_assert_uint_eq(d.echo_seq, p.echo_seq);
	ck_assert_uint_eq(d.echo_tx_us, p.echo_tx_us);
	ck_assert_uint_eq(d.echo_hold_us, p.echo_hold_us);
	ck_assert_uint_eq(d.rx_loss_ppm, p.rx_loss_ppm);
	ck_assert_uint_eq(d.rx_bytes, p.rx_bytes);
	ck_assert_int_eq(d.owd_us, -2);
	ck_assert_uint_eq(d.rate_bps, p.rate_bps);
	ck_assert_uint_eq(d.priority, 7);
	ck_assert_uint_eq(d.flags, WIRE_PROBE_BACKUP);
	ck_assert_uint_eq(d.state, LINK_STATE_LOSSY);
	ck_assert_uint_eq(d.quota_bytes, p.quota_bytes);
	ck_assert_int_eq(d.owd_recent_us, -5);

	/* Rejections: length, unknown flag, unknown state, reserved. */
	ck_assert_int_eq(wire_probe_decode(want, WIRE_PROBE_LEN - 1, &d),
	    WIRE_ESHORT);
	ck_assert_int_eq(wire_probe_decode(want, WIRE_PROBE_LEN + 1, &d),
	    WIRE_ELEN);
	want[53] = 0x04;
	ck_assert_int_eq(wire_probe_decode(want, WIRE_PROBE_LEN, &d),
	    WIRE_ERESERVED);
	want[53] = WIRE_PROBE_BACKUP | WIRE_PROBE_ASK;
	ck_assert_int_eq(wire_probe_decode(want, WIRE_PROBE_LEN, &d),
	    WIRE_OK);
	ck_assert_uint_eq(d.flags, WIRE_PROBE_BACKUP | WIRE_PROBE_ASK);
	want[53] = 0;
	want[54] = LINK_STATE_MAX;
	ck_assert_int_eq(wire_probe_decode(want, WIRE_PROBE_LEN, &d),
	    WIRE_ERESERVED);
	want[54] = LINK_STATE_DOWN;
	want[55] = 1;
	ck_assert_int_eq(wire_probe_decode(want, WIRE_PROBE_LEN, &d),
	    WIRE_ERESERVED);
	want[55] = 0;
	ck_assert_int_eq(wire_probe_decode(want, WIRE_PROBE_LEN, &d),
	    WIRE_OK);
}
END_TEST

START_TEST(test_golden_payload)
{
	struct wire_init_payload p, d;
	uint8_t want[WIRE_INIT_PAYLOAD], buf[WIRE_INIT_PAYLOAD];
	const uint8_t tai[12] = { 0x40, 0, 0, 0, 0x65, 0x43, 0x21, 0x0f,
	    0x0a, 0x0b, 0x0c, 0x0d };

	memset(&p, 0, sizeof(p));
	p.link_id = 3;
	p.flags = 0x5a;
	memcpy(p.link_name, "lte", 3);
	memcpy(p.tai64n, tai, sizeof(tai));
	ck_assert_uint_eq(unhex(want, sizeof(want), golden_payload),
	    WIRE_INIT_PAYLOAD);
	wire_init_payload_encode(buf, &p);
	ck_assert_mem_eq(buf, want, WIRE_INIT_PAYLOAD);
	memset(&d, 0xaa, sizeof(d));
	ck_assert_int_eq(wire_init_payload_decode(want, sizeof(want), &d),
	    WIRE_OK);
	ck_assert_mem_eq(&d, &p, sizeof(p));
	ck_assert_str_eq(d.link_name, "lte");

	ck_assert_int_eq(wire_init_payload_decode(want, sizeof(want) - 1,
	    &d), WIRE_ESHORT);
	ck_assert_int_eq(wire_init_payload_decode(want, sizeof(want) + 1,
	    &d), WIRE_ELEN);
	/* Junk after the NUL, and a name without one. */
	want[2 + 5] = 'x';
	ck_assert_int_eq(wire_init_payload_decode(want, sizeof(want), &d),
	    WIRE_ENAME);
	memset(want + 2, 'a', 16);
	ck_assert_int_eq(wire_init_payload_decode(want, sizeof(want), &d),
	    WIRE_ENAME);
	want[2 + 15] = '\0';
	ck_assert_int_eq(wire_init_payload_decode(want, sizeof(want), &d),
	    WIRE_OK);
	ck_assert_str_eq(d.link_name, "aaaaaaaaaaaaaaa");

	/* A 16-character name is cut to 15 and stays NUL terminated. */
	memcpy(p.link_name, "0123456789abcdef", 16);
	wire_init_payload_encode(buf, &p);
	ck_assert_int_eq(wire_init_payload_decode(buf, sizeof(buf), &d),
	    WIRE_OK);
	ck_assert_str_eq(d.link_name, "0123456789abcde");
}
END_TEST

/* Prefix and length rejections, for each message type. */
START_TEST(test_rejections)
{
	struct wire_init mi;
	struct wire_resp mr;
	struct wire_data_hdr md;
	uint8_t init[WIRE_INIT_LEN + 1], resp[WIRE_RESP_LEN + 1], b[200];

	ck_assert_uint_eq(unhex(init, sizeof(init), golden_init),
	    WIRE_INIT_LEN);
	ck_assert_uint_eq(unhex(resp, sizeof(resp), golden_resp),
	    WIRE_RESP_LEN);
	init[WIRE_INIT_LEN] = 0;
	resp[WIRE_RESP_LEN] = 0;

	/* Short buffers. */
	ck_assert_int_eq(wire_type(init, 0), WIRE_ESHORT);
	ck_assert_int_eq(wire_type(init, 3), WIRE_ESHORT);
	ck_assert_int_eq(wire_init_decode(init, 3, &mi), WIRE_ESHORT);
	ck_assert_int_eq(wire_init_decode(init, WIRE_INIT_LEN - 1, &mi),
	    WIRE_ESHORT);
	ck_assert_int_eq(wire_resp_decode(resp, WIRE_RESP_LEN - 1, &mr),
	    WIRE_ESHORT);
	ck_assert_int_eq(wire_data_hdr_decode(init, 0, &md), WIRE_ESHORT);

	/* Length mismatch: handshakes have one exact length. */
	ck_assert_int_eq(wire_init_decode(init, WIRE_INIT_LEN + 1, &mi),
	    WIRE_ELEN);
	ck_assert_int_eq(wire_resp_decode(resp, WIRE_RESP_LEN + 1, &mr),
	    WIRE_ELEN);

	/* Another message type than the decoder's. */
	ck_assert_int_eq(wire_resp_decode(init, WIRE_RESP_LEN, &mr),
	    WIRE_ETYPE);
	ck_assert_int_eq(wire_init_decode(resp, WIRE_INIT_LEN, &mi),
	    WIRE_ETYPE);
	ck_assert_int_eq(wire_data_hdr_decode(init, WIRE_INIT_LEN, &md),
	    WIRE_ETYPE);

	/* Unknown types. */
	memcpy(b, init, WIRE_INIT_LEN);
	b[1] = 0;
	ck_assert_int_eq(wire_type(b, WIRE_INIT_LEN), WIRE_ETYPE);
	b[1] = 3;
	ck_assert_int_eq(wire_type(b, WIRE_INIT_LEN), WIRE_COOKIE_REPLY);
	b[1] = 5;
	ck_assert_int_eq(wire_type(b, WIRE_INIT_LEN), WIRE_ETYPE);
	ck_assert_int_eq(wire_init_decode(b, WIRE_INIT_LEN, &mi),
	    WIRE_ETYPE);
	b[1] = 0xff;
	ck_assert_int_eq(wire_type(b, WIRE_INIT_LEN), WIRE_ETYPE);

	/* Wrong version (an earlier one, or the next), also when the
	 * rest is garbage. */
	memcpy(b, init, WIRE_INIT_LEN);
	b[0] = 1;
	ck_assert_int_eq(wire_type(b, WIRE_INIT_LEN), WIRE_EVERSION);
	b[0] = 2;
	ck_assert_int_eq(wire_type(b, WIRE_INIT_LEN), WIRE_EVERSION);
	b[0] = 4;
	ck_assert_int_eq(wire_type(b, WIRE_INIT_LEN), WIRE_EVERSION);
	ck_assert_int_eq(wire_init_decode(b, WIRE_INIT_LEN, &mi),
	    WIRE_EVERSION);
	b[0] = 0;
	b[1] = 0x77;
	b[2] = 0x55;
	ck_assert_int_eq(wire_type(b, 4), WIRE_EVERSION);
	ck_assert_int_eq(wire_data_hdr_decode(b, 100, &md), WIRE_EVERSION);

	/* Reserved bits, either byte. */
	memcpy(b, resp, WIRE_RESP_LEN);
	b[2] = 0x01;
	ck_assert_int_eq(wire_resp_decode(b, WIRE_RESP_LEN, &mr),
	    WIRE_ERESERVED);
	b[2] = 0;
	b[3] = 0x80;
	ck_assert_int_eq(wire_resp_decode(b, WIRE_RESP_LEN, &mr),
	    WIRE_ERESERVED);
	b[3] = 0;
	ck_assert_int_eq(wire_resp_decode(b, WIRE_RESP_LEN, &mr), WIRE_OK);
}
END_TEST

START_TEST(test_strerror)
{
	ck_assert_str_eq(wire_strerror(WIRE_OK), "ok");
	ck_assert_str_eq(wire_strerror(WIRE_ESHORT), "message too short");
	ck_assert_str_eq(wire_strerror(WIRE_EVERSION),
	    "unsupported protocol version");
	ck_assert_str_eq(wire_strerror(WIRE_ETYPE), "unknown message type");
	ck_assert_str_eq(wire_strerror(WIRE_ELEN), "bad message length");
	ck_assert_str_eq(wire_strerror(WIRE_ERESERVED), "reserved bits set");
	ck_assert_str_eq(wire_strerror(WIRE_ENAME), "bad link name");
	ck_assert_str_eq(wire_strerror(-99), "unknown wire error");
}
END_TEST

static uint64_t
xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (*s);
}

/*
 * 10^6 random datagrams through every decoder.  Half get a valid
 * prefix and a likely length so the field code runs too; whatever
 * decodes must encode back to the same bytes.
 */
START_TEST(test_random)
{
	static const size_t lens[] = { WIRE_INIT_LEN, WIRE_RESP_LEN,
	    WIRE_DATA_HDR_LEN + WIRE_TAG_LEN + INNER_HDR_LEN,
	    WIRE_INIT_PAYLOAD, WIRE_PROBE_LEN };
	static const uint8_t types[] = { WIRE_HANDSHAKE_INIT,
	    WIRE_HANDSHAKE_RESP, WIRE_DATA };
	struct wire_init mi;
	struct wire_resp mr;
	struct wire_data_hdr md;
	struct wire_init_payload mp;
	struct wire_probe mw;
	uint8_t *heap, *buf, out[256];
	uint64_t s = 0x9e3779b97f4a7c15ULL, r;
	size_t len, i;
	long n, ok = 0, bad = 0;
	int t;

	/* Datagrams end where the heap block ends: ASan sees overreads. */
	heap = malloc(200);
	ck_assert_ptr_nonnull(heap);
	for (n = 0; n < 1000000; n++) {
		r = xorshift(&s);
		len = (r & 1) ? lens[(r >> 8) % 5] : (size_t)((r >> 8) % 200);
		buf = heap + 200 - len;
		for (i = 0; i < len; i++)
			buf[i] = (uint8_t)(xorshift(&s) >> 24);
		if ((r & 2) && len >= 4) {
			buf[0] = WIRE_VERSION;
			buf[1] = types[(r >> 16) % 3];
			buf[2] = buf[3] = 0;
		}
		if ((r & 4) && len >= 4) {
			buf[2] = buf[3] = 0;
			if (buf[0] <= 2)
				buf[0] = buf[0] % 3;
		}
		t = wire_type(buf, len);
		if (!(t == WIRE_HANDSHAKE_INIT || t == WIRE_HANDSHAKE_RESP ||
		    t == WIRE_COOKIE_REPLY || t == WIRE_DATA ||
		    (t < 0 && t >= WIRE_ERESERVED)))
			bad++;
		if (wire_init_decode(buf, len, &mi) == WIRE_OK) {
			if (t != WIRE_HANDSHAKE_INIT ||
			    wire_init_encode(out, &mi) != len ||
			    memcmp(out, buf, len) != 0)
				bad++;
			ok++;
		}
		if (wire_resp_decode(buf, len, &mr) == WIRE_OK) {
			if (t != WIRE_HANDSHAKE_RESP ||
			    wire_resp_encode(out, &mr) != len ||
			    memcmp(out, buf, len) != 0)
				bad++;
			ok++;
		}
		if (wire_data_hdr_decode(buf, len, &md) == WIRE_OK) {
			if (t != WIRE_DATA ||
			    wire_data_hdr_encode(out, &md) != WIRE_DATA_HDR_LEN ||
			    memcmp(out, buf, WIRE_DATA_HDR_LEN) != 0)
				bad++;
			ok++;
		}
		if (wire_init_payload_decode(buf, len, &mp) == WIRE_OK) {
			wire_init_payload_encode(out, &mp);
			if (len != WIRE_INIT_PAYLOAD ||
			    memcmp(out, buf, WIRE_INIT_PAYLOAD) != 0)
				bad++;
			ok++;
		}
		if ((r & 8) && len == WIRE_PROBE_LEN) {
			buf[53] &= WIRE_PROBE_BACKUP;
			buf[54] %= LINK_STATE_MAX;
			buf[55] = 0;
		}
		if (wire_probe_decode(buf, len, &mw) == WIRE_OK) {
			if (len != WIRE_PROBE_LEN ||
			    wire_probe_encode(out, &mw) != WIRE_PROBE_LEN ||
			    memcmp(out, buf, WIRE_PROBE_LEN) != 0)
				bad++;
			ok++;
		}
	}
	free(heap);
	/* Checked once: an assertion per datagram costs a pipe write. */
	ck_assert_int_eq(bad, 0);
	/* The loop did reach the field code. */
	ck_assert_int_gt(ok, 100000);
}
END_TEST

static Suite *
wire_suite(void)
{
	Suite *s = suite_create("wire");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_sizes);
	tcase_add_test(tc, test_golden_init);
	tcase_add_test(tc, test_golden_resp);
	tcase_add_test(tc, test_golden_data);
	tcase_add_test(tc, test_golden_probe);
	tcase_add_test(tc, test_golden_payload);
	tcase_add_test(tc, test_rejections);
	tcase_add_test(tc, test_strerror);
	tcase_add_test(tc, test_random);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(srunner_create(wire_suite())));
}
