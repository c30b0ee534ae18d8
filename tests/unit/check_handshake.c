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
 * Unit tests of linkd/handshake.c: a full INIT/RESP exchange whose
 * keys carry data both ways, mac1 recomputed independently, and the
 * refusals: mac1 before any DH, wrong responder, corrupted ciphertext
 * under a valid mac1, wrong lengths, a RESP from another responder;
 * the static key's holder asked once per handshake.
 * Test code; trusts its inputs.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>
#include <sodium.h>

#include "handshake.h"
#include "noise.h"
#include "wire.h"
#include "check_main.h"

struct party {
	struct hs_local	l;
	uint8_t		mac1_key[32];	/* what others put on our mail */
	uint8_t		priv[NOISE_DHLEN];	/* the key's holder's */
	int		sdh_calls;	/* DH asked of the holder */
	int		sdh_refuse;	/* the holder refuses them */
};

/* The key's holder (in bondd the parent), counting what it is asked. */
static int
holder_dh(void *arg, uint8_t out[NOISE_DHLEN], const uint8_t pub[NOISE_DHLEN])
{
	struct party *p = arg;

	p->sdh_calls++;
	if (p->sdh_refuse) {
		memset(out, 0, NOISE_DHLEN);
		return (-1);
	}
	return (noise_sdh_key(p->priv, out, pub));
}

static void
party(struct party *p)
{
	uint8_t pub[NOISE_DHLEN];

	memset(p, 0, sizeof(*p));
	noise_genkey(p->priv);
	ck_assert_int_eq(noise_pubkey(pub, p->priv), 0);
	handshake_local_init(&p->l, pub, holder_dh, p);
	handshake_mac1_key(p->mac1_key, p->l.pub);
}

/* The static-static DH of a with b (what a peer table keeps, from the
 * key's holder). */
static const uint8_t *
ss_of(const struct party *a, const struct party *b)
{
	static uint8_t ss[NOISE_DHLEN];

	ck_assert_int_eq(noise_dh(ss, a->priv, b->l.pub), 0);
	return (ss);
}

static void
payload(struct wire_init_payload *pl)
{
	memset(pl, 0, sizeof(*pl));
	pl->link_id = 2;
	pl->flags = 0;
	strcpy(pl->link_name, "dsl1");
	handshake_tai64n(pl->tai64n);
}

/* mac1 as wire.h describes it, computed here without handshake.c. */
static void
mac1_fix(uint8_t *msg, size_t len, const uint8_t pub[32])
{
	uint8_t in[8 + 32], key[32];

	memcpy(in, "mac1----", 8);
	memcpy(in + 8, pub, 32);
	crypto_generichash(key, 32, in, sizeof(in), NULL, 0);
	crypto_generichash(msg + len - 16, 16, msg, len - 16, key, 32);
}

/* An INIT from ini to rsp, IKpsk2 with psk when it is set. */
static void
make_init_psk(struct noise_hs *hs, const struct party *ini,
    const struct party *rsp, const uint8_t *psk, uint32_t idx,
    uint8_t out[WIRE_INIT_LEN])
{
	struct wire_init_payload pl;

	payload(&pl);
	ck_assert_int_eq(handshake_init_create(hs, &ini->l, rsp->l.pub,
	    ss_of(ini, rsp), psk, rsp->mac1_key, idx, &pl, out), 0);
}

static void
make_init(struct noise_hs *hs, const struct party *ini,
    const struct party *rsp, uint32_t idx, uint8_t out[WIRE_INIT_LEN])
{
	make_init_psk(hs, ini, rsp, NULL, idx, out);
}

START_TEST(test_exchange)
{
	struct party a, b;
	struct noise_hs hi, hr;
	struct wire_init w;
	struct wire_resp r;
	struct wire_init_payload pl, got;
	struct wire_data_hdr dh;
	uint8_t init[WIRE_INIT_LEN], resp[WIRE_RESP_LEN], copy[WIRE_RESP_LEN];
	uint8_t is[32], ir[32], rs[32], rr[32], h1[64], h2[64];
	uint8_t pkt[64 + WIRE_DATA_OVERHEAD], back[64];
	const char *why = NULL;
	const char *text = "one IP packet, pretend";
	size_t tl = strlen(text);

	party(&a);
	party(&b);
	ck_assert_mem_eq(a.l.mac1_key, a.mac1_key, 32);

	payload(&pl);
	ck_assert_int_eq(handshake_init_create(&hi, &a.l, b.l.pub,
	    ss_of(&a, &b), NULL, b.mac1_key, 0x01020304, &pl, init),
	    0);
	ck_assert_int_eq(wire_type(init, sizeof(init)), WIRE_HANDSHAKE_INIT);
	/* mac1 recomputed independently matches. */
	memcpy(back, init + WIRE_INIT_LEN - 32, 16);
	mac1_fix(init, sizeof(init) - 16, b.l.pub);
	ck_assert_mem_eq(back, init + WIRE_INIT_LEN - 32, 16);
	/* mac2 is left to the cookie layer: zero here. */
	ck_assert(sodium_is_zero(init + WIRE_INIT_LEN - 16, 16));

	ck_assert_int_eq(handshake_init_consume(&hr, &b.l, NULL, NULL,
	    HS_TRY_IK, init, sizeof(init), &w, &got, &why), 0);
	ck_assert_uint_eq(w.sender_index, 0x01020304);
	ck_assert_mem_eq(noise_hs_remote_static(&hr), a.l.pub, 32);
	ck_assert_uint_eq(got.link_id, 2);
	ck_assert_str_eq(got.link_name, "dsl1");
	ck_assert_mem_eq(got.tai64n, pl.tai64n, 12);

	ck_assert_int_eq(handshake_resp_create(&hr, a.mac1_key, 0xa0a0a0a0,
	    w.sender_index, resp, rs, rr), 0);
	ck_assert_int_eq(wire_type(resp, sizeof(resp)), WIRE_HANDSHAKE_RESP);
	memcpy(copy, resp, sizeof(resp));
	mac1_fix(copy, sizeof(copy), a.l.pub);
	ck_assert_mem_eq(copy, resp, sizeof(resp));

	ck_assert_int_eq(handshake_resp_consume(&hi, &a.l, resp, sizeof(resp),
	    &r, is, ir, &why), 0);
	ck_assert_uint_eq(r.sender_index, 0xa0a0a0a0);
	ck_assert_uint_eq(r.receiver_index, 0x01020304);
	ck_assert_mem_eq(is, rr, 32);
	ck_assert_mem_eq(ir, rs, 32);
	ck_assert_mem_ne(is, ir, 32);
	noise_hs_hash(&hi, h1);
	noise_hs_hash(&hr, h2);
	ck_assert_mem_eq(h1, h2, 64);

	/* A second RESP (a replay) finds no handshake to finish. */
	ck_assert_int_eq(handshake_resp_consume(&hi, &a.l, resp,
	    sizeof(resp), &r, is, ir, &why), -1);

	/* DATA both ways, the header as associated data. */
	dh.receiver_index = 0xa0a0a0a0;
	dh.counter = 7;
	wire_data_hdr_encode(pkt, &dh);
	ck_assert_int_eq(noise_encrypt(is, dh.counter, pkt, WIRE_DATA_HDR_LEN,
	    (const uint8_t *)text, tl, pkt + WIRE_DATA_HDR_LEN), 0);
	ck_assert_int_eq(wire_data_hdr_decode(pkt, WIRE_DATA_HDR_LEN + tl +
	    16, &dh), WIRE_OK);
	ck_assert_int_eq(noise_decrypt(rr, dh.counter, pkt, WIRE_DATA_HDR_LEN,
	    pkt + WIRE_DATA_HDR_LEN, tl + 16, back), 0);
	ck_assert_mem_eq(back, text, tl);
	pkt[8] ^= 1;	/* the counter is authenticated */
	ck_assert_int_eq(noise_decrypt(rr, dh.counter ^ 1, pkt,
	    WIRE_DATA_HDR_LEN, pkt + WIRE_DATA_HDR_LEN, tl + 16, back), -1);

	dh.receiver_index = 0x01020304;
	dh.counter = 0;
	wire_data_hdr_encode(pkt, &dh);
	ck_assert_int_eq(noise_encrypt(rs, 0, pkt, WIRE_DATA_HDR_LEN,
	    (const uint8_t *)text, tl, pkt + WIRE_DATA_HDR_LEN), 0);
	ck_assert_int_eq(noise_decrypt(ir, 0, pkt, WIRE_DATA_HDR_LEN,
	    pkt + WIRE_DATA_HDR_LEN, tl + 16, back), 0);
	ck_assert_mem_eq(back, text, tl);
	ck_assert_int_eq(noise_decrypt(rr, 0, pkt, WIRE_DATA_HDR_LEN,
	    pkt + WIRE_DATA_HDR_LEN, tl + 16, back), -1);
	noise_hs_wipe(&hi);
	noise_hs_wipe(&hr);
}
END_TEST

/*
 * Any flipped bit is caught by the prefix check or mac1, before Noise:
 * the state given to consume is not even initialised.
 */
START_TEST(test_init_bitflip_mac1)
{
	struct party a, b;
	struct noise_hs hi, hr, pattern;
	struct wire_init w;
	struct wire_init_payload pl;
	uint8_t init[WIRE_INIT_LEN];
	const char *why;
	size_t i;

	party(&a);
	party(&b);
	make_init(&hi, &a, &b, 1, init);
	memset(&pattern, 0xa5, sizeof(pattern));
	/* Every bit up to mac2, which is the cookie layer's (cookie.c). */
	for (i = 0; i < (sizeof(init) - 16) * 8; i++) {
		init[i / 8] ^= (uint8_t)(1 << (i % 8));
		hr = pattern;
		why = NULL;
		ck_assert_int_eq(handshake_init_consume(&hr, &b.l, NULL, NULL,
		    HS_TRY_IK, init, sizeof(init), &w, &pl, &why), -1);
		if (i < 8)
			ck_assert_str_eq(why, "version");
		else if (i < 16)
			ck_assert_str_eq(why, "type");
		else if (i < 32)
			ck_assert_str_eq(why, "reserved");
		else
			ck_assert_str_eq(why, "mac1");
		ck_assert_mem_eq(&hr, &pattern, sizeof(hr));
		init[i / 8] ^= (uint8_t)(1 << (i % 8));
	}
	ck_assert_int_eq(handshake_init_consume(&hr, &b.l, NULL, NULL,
	    HS_TRY_IK, init, sizeof(init), &w, &pl, &why), 0);
}
END_TEST

START_TEST(test_init_wrong_responder)
{
	struct party a, b, c;
	struct noise_hs hi, hr, pattern;
	struct wire_init w;
	struct wire_init_payload pl;
	uint8_t init[WIRE_INIT_LEN];
	const char *why = NULL;

	party(&a);
	party(&b);
	party(&c);
	make_init(&hi, &a, &c, 1, init);
	memset(&pattern, 0x5a, sizeof(pattern));
	hr = pattern;
	ck_assert_int_eq(handshake_init_consume(&hr, &b.l, NULL, NULL,
	    HS_TRY_IK, init, sizeof(init), &w, &pl, &why), -1);
	ck_assert_str_eq(why, "mac1");
	ck_assert_mem_eq(&hr, &pattern, sizeof(hr));

	/* Right mac1 for b, but the Noise message was made for c. */
	mac1_fix(init, sizeof(init) - 16, b.l.pub);
	ck_assert_int_eq(handshake_init_consume(&hr, &b.l, NULL, NULL,
	    HS_TRY_IK, init, sizeof(init), &w, &pl, &why), -1);
	ck_assert_str_eq(why, "decrypt");
}
END_TEST

/* A valid mac1 over corrupted Noise fields: refused by Noise. */
START_TEST(test_init_corrupt_decrypt)
{
	struct party a, b;
	struct noise_hs hi, hr;
	struct wire_init w;
	struct wire_init_payload pl;
	uint8_t init[WIRE_INIT_LEN], bad[WIRE_INIT_LEN];
	const size_t at[] = { 8, 39, 40, 87, 88, 120, 133 };
	const char *why;
	size_t i;

	party(&a);
	party(&b);
	make_init(&hi, &a, &b, 1, init);
	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		memcpy(bad, init, sizeof(bad));
		bad[at[i]] ^= 0x40;
		mac1_fix(bad, sizeof(bad) - 16, b.l.pub);
		why = NULL;
		ck_assert_int_eq(handshake_init_consume(&hr, &b.l, NULL, NULL,
		    HS_TRY_IK, bad, sizeof(bad), &w, &pl, &why), -1);
		ck_assert_str_eq(why, "decrypt");
	}
	/* The cleartext sender index is not covered by Noise, only mac1. */
	memcpy(bad, init, sizeof(bad));
	bad[4] ^= 1;
	mac1_fix(bad, sizeof(bad) - 16, b.l.pub);
	ck_assert_int_eq(handshake_init_consume(&hr, &b.l, NULL, NULL,
	    HS_TRY_IK, bad, sizeof(bad), &w, &pl, &why), 0);
	ck_assert_uint_eq(w.sender_index, 0);
}
END_TEST

START_TEST(test_init_length)
{
	struct party a, b;
	struct noise_hs hi, hr;
	struct wire_init w;
	struct wire_init_payload pl;
	uint8_t init[WIRE_INIT_LEN + 1];
	const size_t lens[] = { 0, 3, 4, WIRE_INIT_LEN - 1, WIRE_INIT_LEN + 1,
	    WIRE_RESP_LEN };
	const char *why;
	size_t i;

	party(&a);
	party(&b);
	make_init(&hi, &a, &b, 1, init);
	init[WIRE_INIT_LEN] = 0;
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		why = NULL;
		ck_assert_int_eq(handshake_init_consume(&hr, &b.l, NULL, NULL,
		    HS_TRY_IK, init, lens[i], &w, &pl, &why), -1);
		ck_assert_str_eq(why, "length");
	}
}
END_TEST

/* A peer table's lookup: the precomputed ss of the one known key. */
struct ss_table {
	uint8_t	pub[32];
	uint8_t	ss[32];
	int	calls;
};

static const uint8_t *
ss_lookup(void *arg, const uint8_t rs[32])
{
	struct ss_table *t = arg;

	t->calls++;
	return (memcmp(rs, t->pub, 32) == 0 ? t->ss : NULL);
}

/*
 * The responder takes ss from its table: the precomputed value gives
 * the same keys as the Diffie-Hellman, and a static key the table does
 * not hold is refused there.
 */
START_TEST(test_init_ss_lookup)
{
	struct party a, b, c;
	struct noise_hs hi, hr;
	struct wire_init w;
	struct wire_init_payload got;
	struct ss_table tb;
	uint8_t init[WIRE_INIT_LEN], resp[WIRE_RESP_LEN];
	uint8_t is[32], ir[32], rs[32], rr[32];
	struct wire_resp r;
	const char *why = NULL;

	party(&a);
	party(&b);
	party(&c);
	memcpy(tb.pub, a.l.pub, 32);
	ck_assert_int_eq(noise_dh(tb.ss, b.priv, a.l.pub), 0);
	/* Both ends of a static pair derive the same ss. */
	ck_assert_mem_eq(tb.ss, ss_of(&a, &b), 32);
	tb.calls = 0;

	make_init(&hi, &a, &b, 7, init);
	ck_assert_int_eq(handshake_init_consume(&hr, &b.l, ss_lookup, &tb,
	    HS_TRY_IK, init, sizeof(init), &w, &got, &why), 0);
	ck_assert_int_eq(tb.calls, 1);
	ck_assert_int_eq(handshake_resp_create(&hr, a.mac1_key, 9,
	    w.sender_index, resp, rs, rr), 0);
	ck_assert_int_eq(handshake_resp_consume(&hi, &a.l, resp, sizeof(resp),
	    &r, is, ir, &why), 0);
	ck_assert_mem_eq(is, rr, 32);
	ck_assert_mem_eq(ir, rs, 32);

	make_init(&hi, &c, &b, 8, init);
	ck_assert_int_eq(handshake_init_consume(&hr, &b.l, ss_lookup, &tb,
	    HS_TRY_IK, init, sizeof(init), &w, &got, &why), -1);
	ck_assert_str_eq(why, "decrypt");
	ck_assert_int_eq(tb.calls, 2);
}
END_TEST

/* An authenticated payload whose link name is not NUL padded. */
START_TEST(test_init_bad_payload)
{
	struct party a, b;
	struct noise_hs hi, hr;
	struct wire_init w;
	struct wire_init_payload pl;
	uint8_t init[WIRE_INIT_LEN], plain[WIRE_INIT_PAYLOAD];
	uint8_t msg[32 + 48 + WIRE_INIT_PAYLOAD + 16];
	const char *why = NULL;

	party(&a);
	party(&b);
	memset(plain, 'x', sizeof(plain));
	ck_assert_int_eq(noise_hs_init(&hi, 1,
	    (const uint8_t *)HANDSHAKE_PROLOGUE,
	    strlen(HANDSHAKE_PROLOGUE), holder_dh, &a, a.l.pub, b.l.pub, 0),
	    0);
	ck_assert_int_eq(noise_hs_write(&hi, plain, sizeof(plain), msg,
	    sizeof(msg)), (ssize_t)sizeof(msg));
	init[0] = WIRE_VERSION;
	init[1] = WIRE_HANDSHAKE_INIT;
	init[2] = init[3] = 0;
	memset(init + 4, 0, 4);
	memcpy(init + 8, msg, sizeof(msg));
	mac1_fix(init, sizeof(init) - 16, b.l.pub);
	ck_assert_int_eq(handshake_init_consume(&hr, &b.l, NULL, NULL,
	    HS_TRY_IK, init, sizeof(init), &w, &pl, &why), -1);
	ck_assert_str_eq(why, "payload");
}
END_TEST

/*
 * The initiator refuses a RESP made by another responder, a bad mac1
 * and a bad length, and still completes with the genuine RESP.
 */
START_TEST(test_resp_refused)
{
	struct party a, b, c;
	struct noise_hs hi, hi2, hr, hc, saved;
	struct wire_init w;
	struct wire_resp r;
	struct wire_init_payload pl;
	uint8_t init[WIRE_INIT_LEN], init2[WIRE_INIT_LEN];
	uint8_t resp[WIRE_RESP_LEN + 1], fake[WIRE_RESP_LEN], bad[WIRE_RESP_LEN];
	uint8_t k1[32], k2[32], k3[32], k4[32];
	const char *why;
	size_t i;

	party(&a);
	party(&b);
	party(&c);
	make_init(&hi, &a, &b, 7, init);
	ck_assert_int_eq(handshake_init_consume(&hr, &b.l, NULL, NULL,
	    HS_TRY_IK, init, sizeof(init), &w, &pl, &why), 0);
	ck_assert_int_eq(handshake_resp_create(&hr, a.mac1_key, 9, 7, resp,
	    k1, k2), 0);

	/* c answers its own INIT from a; a receives it for the b attempt. */
	make_init(&hi2, &a, &c, 7, init2);
	ck_assert_int_eq(handshake_init_consume(&hc, &c.l, NULL, NULL,
	    HS_TRY_IK, init2, sizeof(init2), &w, &pl, &why), 0);
	ck_assert_int_eq(handshake_resp_create(&hc, a.mac1_key, 9, 7, fake,
	    k3, k4), 0);

	saved = hi;
	why = NULL;
	ck_assert_int_eq(handshake_resp_consume(&hi, &a.l, fake, sizeof(fake),
	    &r, k3, k4, &why), -1);
	ck_assert_str_eq(why, "decrypt");
	ck_assert_mem_eq(&hi, &saved, sizeof(hi));

	/* Every flipped bit after the prefix fails mac1. */
	for (i = 32; i < sizeof(bad) * 8; i++) {
		memcpy(bad, resp, sizeof(bad));
		bad[i / 8] ^= (uint8_t)(1 << (i % 8));
		ck_assert_int_eq(handshake_resp_consume(&hi, &a.l, bad,
		    sizeof(bad), &r, k3, k4, &why), -1);
		ck_assert_str_eq(why, "mac1");
	}
	/* Corrupted ephemeral under a valid mac1. */
	memcpy(bad, resp, sizeof(bad));
	bad[12] ^= 0x10;
	mac1_fix(bad, sizeof(bad), a.l.pub);
	ck_assert_int_eq(handshake_resp_consume(&hi, &a.l, bad, sizeof(bad),
	    &r, k3, k4, &why), -1);
	ck_assert_str_eq(why, "decrypt");
	/* Lengths. */
	resp[WIRE_RESP_LEN] = 0;
	ck_assert_int_eq(handshake_resp_consume(&hi, &a.l, resp,
	    WIRE_RESP_LEN + 1, &r, k3, k4, &why), -1);
	ck_assert_str_eq(why, "length");
	ck_assert_int_eq(handshake_resp_consume(&hi, &a.l, resp,
	    WIRE_RESP_LEN - 1, &r, k3, k4, &why), -1);
	ck_assert_str_eq(why, "length");
	/* An INIT is not a RESP. */
	ck_assert_int_eq(handshake_resp_consume(&hi, &a.l, init, sizeof(init),
	    &r, k3, k4, &why), -1);
	ck_assert_str_eq(why, "type");
	ck_assert_mem_eq(&hi, &saved, sizeof(hi));

	/* The genuine RESP still completes the handshake. */
	ck_assert_int_eq(handshake_resp_consume(&hi, &a.l, resp,
	    WIRE_RESP_LEN, &r, k3, k4, &why), 0);
	ck_assert_mem_eq(k3, k2, 32);
	ck_assert_mem_eq(k4, k1, 32);
}
END_TEST

/*
 * Pre-shared keys: a responder reads an INIT only with the pattern the
 * initiator used (IKpsk2 with a key, IK without) among those it tries,
 * and says which; with the same key both sides derive the same
 * transport keys, with another one the initiator refuses the RESP and
 * keeps its handshake; a responder never given the key cannot answer.
 */
START_TEST(test_psk)
{
	struct party a, b;
	struct noise_hs hi, hr, saved;
	struct wire_init w;
	struct wire_resp r;
	struct wire_init_payload pl;
	uint8_t init[WIRE_INIT_LEN], resp[WIRE_RESP_LEN];
	uint8_t psk[NOISE_PSKLEN], other[NOISE_PSKLEN];
	uint8_t is[32], ir[32], rs[32], rr[32];
	const char *why;

	party(&a);
	party(&b);
	randombytes_buf(psk, sizeof(psk));
	randombytes_buf(other, sizeof(other));

	/* IKpsk2 INIT: IK alone cannot read it, IK and IKpsk2 can. */
	make_init_psk(&hi, &a, &b, psk, 1, init);
	why = NULL;
	ck_assert_int_eq(handshake_init_consume(&hr, &b.l, NULL, NULL,
	    HS_TRY_IK, init, sizeof(init), &w, &pl, &why), -1);
	ck_assert_str_eq(why, "decrypt");
	ck_assert_int_eq(handshake_init_consume(&hr, &b.l, NULL, NULL,
	    HS_TRY_IK | HS_TRY_IKPSK2, init, sizeof(init), &w, &pl, &why), 0);
	ck_assert_int_eq(hr.psk2, 1);
	ck_assert_mem_eq(noise_hs_remote_static(&hr), a.l.pub, 32);
	noise_hs_set_psk(&hr, psk);
	ck_assert_int_eq(handshake_resp_create(&hr, a.mac1_key, 2, 1, resp,
	    rs, rr), 0);
	ck_assert_int_eq(handshake_resp_consume(&hi, &a.l, resp, sizeof(resp),
	    &r, is, ir, &why), 0);
	ck_assert_mem_eq(is, rr, 32);
	ck_assert_mem_eq(ir, rs, 32);

	/* Another key on the responder: the RESP is refused. */
	make_init_psk(&hi, &a, &b, psk, 3, init);
	ck_assert_int_eq(handshake_init_consume(&hr, &b.l, NULL, NULL,
	    HS_TRY_IKPSK2, init, sizeof(init), &w, &pl, &why), 0);
	noise_hs_set_psk(&hr, other);
	ck_assert_int_eq(handshake_resp_create(&hr, a.mac1_key, 4, 3, resp,
	    rs, rr), 0);
	saved = hi;
	why = NULL;
	ck_assert_int_eq(handshake_resp_consume(&hi, &a.l, resp, sizeof(resp),
	    &r, is, ir, &why), -1);
	ck_assert_str_eq(why, "decrypt");
	ck_assert_mem_eq(&hi, &saved, sizeof(hi));

	/* IK INIT: IKpsk2 alone cannot read it, both can, as IK. */
	make_init(&hi, &a, &b, 5, init);
	ck_assert_int_eq(handshake_init_consume(&hr, &b.l, NULL, NULL,
	    HS_TRY_IKPSK2, init, sizeof(init), &w, &pl, &why), -1);
	ck_assert_int_eq(handshake_init_consume(&hr, &b.l, NULL, NULL,
	    HS_TRY_IKPSK2 | HS_TRY_IK, init, sizeof(init), &w, &pl, &why), 0);
	ck_assert_int_eq(hr.psk2, 0);
	ck_assert_int_eq(handshake_resp_create(&hr, a.mac1_key, 6, 5, resp,
	    rs, rr), 0);
	ck_assert_int_eq(handshake_resp_consume(&hi, &a.l, resp, sizeof(resp),
	    &r, is, ir, &why), 0);
	ck_assert_mem_eq(is, rr, 32);

	/* Nothing to try: nothing read. */
	make_init(&hi, &a, &b, 7, init);
	ck_assert_int_eq(handshake_init_consume(&hr, &b.l, NULL, NULL, 0,
	    init, sizeof(init), &w, &pl, &why), -1);

	/* IKpsk2 read, but no key given: no RESP. */
	make_init_psk(&hi, &a, &b, psk, 8, init);
	ck_assert_int_eq(handshake_init_consume(&hr, &b.l, NULL, NULL,
	    HS_TRY_IKPSK2, init, sizeof(init), &w, &pl, &why), 0);
	ck_assert_int_eq(handshake_resp_create(&hr, a.mac1_key, 9, 8, resp,
	    rs, rr), -1);
	noise_hs_wipe(&hi);
	noise_hs_wipe(&hr);
	noise_hs_wipe(&saved);
}
END_TEST

/*
 * The static private key's holder is asked once per handshake on each
 * side (with ss precomputed): the responder's "es", once whatever the
 * patterns it tries, and the initiator's "se".  A refusal fails the
 * handshake and leaves the initiator's state as it was.
 */
START_TEST(test_holder_asked_once)
{
	struct party a, b;
	struct noise_hs hi, hr, saved;
	struct wire_init w;
	struct wire_resp r;
	struct wire_init_payload pl;
	struct ss_table tb;
	uint8_t init[WIRE_INIT_LEN], resp[WIRE_RESP_LEN];
	uint8_t is[32], ir[32], rs[32], rr[32];
	const char *why = NULL;

	party(&a);
	party(&b);
	memcpy(tb.pub, a.l.pub, 32);
	ck_assert_int_eq(noise_dh(tb.ss, b.priv, a.l.pub), 0);

	make_init(&hi, &a, &b, 1, init);
	ck_assert_int_eq(a.sdh_calls, 0);	/* es, ss: no static DH */
	/* IKpsk2 is tried first and fails, then IK reads it. */
	ck_assert_int_eq(handshake_init_consume(&hr, &b.l, ss_lookup, &tb,
	    HS_TRY_IKPSK2 | HS_TRY_IK, init, sizeof(init), &w, &pl, &why),
	    0);
	ck_assert_int_eq(b.sdh_calls, 1);
	ck_assert_int_eq(handshake_resp_create(&hr, a.mac1_key, 2, 1, resp,
	    rs, rr), 0);
	ck_assert_int_eq(b.sdh_calls, 1);
	saved = hi;
	a.sdh_refuse = 1;
	ck_assert_int_eq(handshake_resp_consume(&hi, &a.l, resp, sizeof(resp),
	    &r, is, ir, &why), -1);
	ck_assert_mem_eq(&hi, &saved, sizeof(hi));
	ck_assert_int_eq(a.sdh_calls, 1);
	a.sdh_refuse = 0;
	ck_assert_int_eq(handshake_resp_consume(&hi, &a.l, resp, sizeof(resp),
	    &r, is, ir, &why), 0);
	ck_assert_int_eq(a.sdh_calls, 2);
	ck_assert_mem_eq(is, rr, 32);
	ck_assert_mem_eq(ir, rs, 32);

	/* A responder whose holder refuses reads no INIT. */
	make_init(&hi, &a, &b, 3, init);
	b.sdh_refuse = 1;
	why = NULL;
	ck_assert_int_eq(handshake_init_consume(&hr, &b.l, ss_lookup, &tb,
	    HS_TRY_IK, init, sizeof(init), &w, &pl, &why), -1);
	ck_assert_str_eq(why, "decrypt");
	ck_assert_int_eq(b.sdh_calls, 2);
	noise_hs_wipe(&hi);
	noise_hs_wipe(&hr);
	noise_hs_wipe(&saved);
}
END_TEST

START_TEST(test_tai64n)
{
	uint8_t t1[12], t2[12];
	uint64_t sec = 0;
	uint32_t nsec = 0;
	time_t now;
	int i;

	handshake_tai64n(t1);
	now = time(NULL);
	handshake_tai64n(t2);
	for (i = 0; i < 8; i++)
		sec = sec << 8 | t1[i];
	for (i = 8; i < 12; i++)
		nsec = nsec << 8 | t1[i];
	ck_assert_uint_eq(t1[0], 0x40);
	sec -= ((uint64_t)1 << 62) + 10;
	ck_assert(sec + 2 >= (uint64_t)now && sec <= (uint64_t)now + 2);
	ck_assert_uint_lt(nsec, 1000000000);
	/* Big-endian, so later stamps compare greater with memcmp. */
	ck_assert_int_le(memcmp(t1, t2, 12), 0);
}
END_TEST

static Suite *
handshake_suite(void)
{
	Suite *s = suite_create("handshake");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_exchange);
	tcase_add_test(tc, test_init_bitflip_mac1);
	tcase_add_test(tc, test_init_wrong_responder);
	tcase_add_test(tc, test_init_corrupt_decrypt);
	tcase_add_test(tc, test_init_length);
	tcase_add_test(tc, test_init_bad_payload);
	tcase_add_test(tc, test_init_ss_lookup);
	tcase_add_test(tc, test_resp_refused);
	tcase_add_test(tc, test_psk);
	tcase_add_test(tc, test_holder_asked_once);
	tcase_add_test(tc, test_tai64n);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	if (sodium_init() == -1 || noise_init() == -1)
		return (1);
	return (check_run(srunner_create(handshake_suite())));
}
