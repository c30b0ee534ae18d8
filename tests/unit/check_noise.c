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
 * Unit tests of linkd/noise.c: both Noise_IK_25519_ChaChaPoly_BLAKE2b
 * vectors of tests/vectors/noise-ik-25519-chachapoly-blake2b.json
 * (from rweather/noise-c: noise-c-basic.txt and cacophony.txt) and the
 * Noise_IKpsk2_25519_ChaChaPoly_BLAKE2b vector of
 * tests/vectors/noise-ikpsk2-25519-chachapoly-blake2b.json (cacophony,
 * as shipped by mcginty/snow), copied here as constants, plus failure
 * cases (a pre-shared key on one side only, or two different ones)
 * and the RFC 8439 section 2.8.2 AEAD vector.  Test code; trusts its
 * inputs.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <openssl/crypto.h>
#include <sodium.h>

#include "noise.h"
#include "check_main.h"

#define MAXMSG	256

/* Keys shared by both vectors. */
static const char *init_static =
    "e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed542214d1";
static const char *init_ephemeral =
    "893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a";
static const char *init_remote_static =
    "31e0303fd6418d2f8c0e78b91f22e8caed0fbe48656dcf4767e4834f701b8f62";
static const char *resp_static =
    "4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893";
static const char *resp_ephemeral =
    "bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b";

struct vector {
	const char	*prologue;
	const char	*payload[6];
	const char	*ciphertext[6];
	/* NULL if not published, or for cacophony's IKpsk2 vector: its
	 * handshake_hash is not the h both sides agree on here, while all
	 * six messages, whose tags authenticate h, match. */
	const char	*handshake_hash;
	const char	*psk;		/* IKpsk2; NULL: IK */
};

static const struct vector vectors[] = {
	{	/* noise-c-basic.txt */
		"50726f6c6f677565313233",
		{ "4c756477696720766f6e204d69736573",
		  "4d757272617920526f746862617264",
		  "462e20412e20486179656b",
		  "4361726c204d656e676572",
		  "4a65616e2d426170746973746520536179",
		  "457567656e2042f6686d20766f6e2042617765726b" },
		{ "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3a"
		  "fa4c7944ba83a447b38c83e327ad936929812f624884847b7831e95e"
		  "197b2f797088efdd232fe541af156ec6d0657602902a8c3ee64e470f"
		  "4b6fcd9298ce0b56fe20f86e60d9d933ec6e103ffb09e6001d6abb64",
		  "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f1"
		  "448088439f069b267a06b3de3ecb1043bcb09807c6cd101f3826192a"
		  "65f11ef3fe4317",
		  "cd54383060e7a28434cca27fb1cc524cfbabeb18181589df219d07",
		  "a856d3bf0246bfc476c655009cd1ed677b8dcc5b349ae8ef2a05f2",
		  "49063084b2c51f098337cb8a13739ac848f907e67cfb2cc8a8b60586"
		  "467aa02fc7",
		  "8b9709d23b47e4639df7678d7a21741eba4ef1e9c60383001c743554"
		  "9c20f9d56f30e935d3" },
		"00e51d2aac81a9b8ebe441d6af3e1c8efc0f030cc608332edcb42588"
		"ff6a0ce26415ddc106e95277a5e6d54132f1e5245976b89caf96d262"
		"f1fe5a7f0c55c078",
		NULL
	},
	{	/* cacophony.txt */
		"4a6f686e2047616c74",
		{ "4c756477696720766f6e204d69736573",
		  "4d757272617920526f746862617264",
		  "462e20412e20486179656b",
		  "4361726c204d656e676572",
		  "4a65616e2d426170746973746520536179",
		  "457567656e2042f6686d20766f6e2042617765726b" },
		{ "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3a"
		  "fa4c7944ba83a447b38c83e327ad936929812f624884847b7831e95e"
		  "197b2f797088efdd2f88f1db7e1fb0e99c64419097af91cee64e470f"
		  "4b6fcd9298ce0b56fe20f86e13bf70439c538e3602a7127af71a29cc",
		  "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f1"
		  "448088439f069b267a06b3de3ecb1043bcb098e9af91d9c64748d998"
		  "c7b47890871571",
		  "cd54383060e7a28434cca27fb1cc524cfbabeb18181589df219d07",
		  "a856d3bf0246bfc476c655009cd1ed677b8dcc5b349ae8ef2a05f2",
		  "49063084b2c51f098337cb8a13739ac848f907e67cfb2cc8a8b60586"
		  "467aa02fc7",
		  "8b9709d23b47e4639df7678d7a21741eba4ef1e9c60383001c743554"
		  "9c20f9d56f30e935d3" },
		NULL,
		NULL
	},
	{	/* cacophony.txt, Noise_IKpsk2_25519_ChaChaPoly_BLAKE2b */
		"4a6f686e2047616c74",
		{ "4c756477696720766f6e204d69736573",
		  "4d757272617920526f746862617264",
		  "462e20412e20486179656b",
		  "4361726c204d656e676572",
		  "4a65616e2d426170746973746520536179",
		  "457567656e2042f6686d20766f6e2042617765726b" },
		{ "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3a"
		  "fa4c7944b6fe0240b839afac809de1630eaf99d8f9b941394f0512c0"
		  "554633bbb021d15176135c0a20e7fdb9a9ed066f22f054b47625b1d5"
		  "061cb27d6a17f053273db7c25216a5addc506ee321bc0618feb5849d",
		  "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f1"
		  "448088438f627e69fc120006f746b9d420bf4056cf8481ab32d9e904"
		  "ffaeeaa56a5290",
		  "07fc0034398a5f1010322be193d62f94bebf2948a20b3e15d681fe",
		  "2ea5400f5b8a16971c8b67bde75aeb7987d454b1c0beeb2566932d",
		  "96eef918ef51639fc0e156da1823c4f71b33fac5af983f5da9384f7d"
		  "a20d86ed91",
		  "f02766a56496e1fbf32e05274baebf6d693c8f3e4c6e0dc7ebdc5ac1"
		  "70f15dae433b92f469" },
		NULL,
		"54686973206973206d7920417573747269616e20706572737065637469"
		"766521"
	}
};

static size_t
unhex(uint8_t *out, size_t size, const char *hex)
{
	size_t len;

	ck_assert_int_eq(sodium_hex2bin(out, size, hex, strlen(hex), NULL,
	    &len, NULL), 0);
	return (len);
}

static void
key(uint8_t k[32], const char *hex)
{
	ck_assert_uint_eq(unhex(k, 32, hex), 32);
}

/* noise_hs_init with the public key derived here, as a caller does
 * once for all its handshakes; IKpsk2 with psk when it is set.  The
 * private key is held here for the handshake's life, one per role (a
 * test runs one initiator and one responder at a time). */
static int
hs_init_psk(struct noise_hs *hs, int initiator, const uint8_t *p,
    size_t plen, const uint8_t s[32], const uint8_t *rs, const uint8_t *psk)
{
	static uint8_t held[2][32];
	uint8_t pub[32];
	int rv;

	memcpy(held[initiator != 0], s, 32);
	ck_assert_int_eq(noise_pubkey(pub, s), 0);
	rv = noise_hs_init(hs, initiator, p, plen, noise_sdh_key,
	    held[initiator != 0], pub, rs, psk != NULL);
	if (rv == 0 && psk != NULL)
		noise_hs_set_psk(hs, psk);
	return (rv);
}

static int
hs_init(struct noise_hs *hs, int initiator, const uint8_t *p, size_t plen,
    const uint8_t s[32], const uint8_t *rs)
{
	return (hs_init_psk(hs, initiator, p, plen, s, rs, NULL));
}

/* Both sides of a vector, with the fixed ephemerals; each side uses
 * IKpsk2 with its psk (hex) when it has one. */
static void
setup_pair_psk(struct noise_hs *ini, struct noise_hs *rsp, const char *prol,
    const char *ipsk, const char *rpsk)
{
	uint8_t p[64], s[32], rs[32], e[32], k[32];
	size_t plen;

	plen = unhex(p, sizeof(p), prol);
	key(s, init_static);
	key(rs, init_remote_static);
	key(e, init_ephemeral);
	if (ipsk != NULL)
		key(k, ipsk);
	ck_assert_int_eq(hs_init_psk(ini, 1, p, plen, s, rs,
	    ipsk != NULL ? k : NULL), 0);
	noise_hs_set_ephemeral(ini, e);
	key(s, resp_static);
	key(e, resp_ephemeral);
	if (rpsk != NULL)
		key(k, rpsk);
	ck_assert_int_eq(hs_init_psk(rsp, 0, p, plen, s, NULL,
	    rpsk != NULL ? k : NULL), 0);
	noise_hs_set_ephemeral(rsp, e);
}

static void
setup_pair(struct noise_hs *ini, struct noise_hs *rsp, const char *prol)
{
	setup_pair_psk(ini, rsp, prol, NULL, NULL);
}

static void
run_vector(const struct vector *v)
{
	struct noise_hs ini, rsp;
	uint8_t want[MAXMSG], pay[MAXMSG], out[MAXMSG], got[MAXMSG];
	uint8_t is[32], ir[32], rs_[32], rr[32], h1[64], h2[64], ipub[32];
	uint8_t *sk, *rk;
	size_t wlen, plen;
	ssize_t n;
	int i;

	setup_pair_psk(&ini, &rsp, v->prologue, v->psk, v->psk);

	/* Message 1: initiator -> responder. */
	plen = unhex(pay, sizeof(pay), v->payload[0]);
	wlen = unhex(want, sizeof(want), v->ciphertext[0]);
	n = noise_hs_write(&ini, pay, plen, out, sizeof(out));
	ck_assert_int_eq(n, (ssize_t)wlen);
	ck_assert_mem_eq(out, want, wlen);
	n = noise_hs_read(&rsp, want, wlen, got, sizeof(got));
	ck_assert_int_eq(n, (ssize_t)plen);
	ck_assert_mem_eq(got, pay, plen);
	key(ipub, init_static);
	ck_assert_int_eq(noise_pubkey(ipub, ipub), 0);
	ck_assert_mem_eq(noise_hs_remote_static(&rsp), ipub, 32);

	/* Message 2: responder -> initiator. */
	plen = unhex(pay, sizeof(pay), v->payload[1]);
	wlen = unhex(want, sizeof(want), v->ciphertext[1]);
	n = noise_hs_write(&rsp, pay, plen, out, sizeof(out));
	ck_assert_int_eq(n, (ssize_t)wlen);
	ck_assert_mem_eq(out, want, wlen);
	n = noise_hs_read(&ini, want, wlen, got, sizeof(got));
	ck_assert_int_eq(n, (ssize_t)plen);
	ck_assert_mem_eq(got, pay, plen);

	noise_hs_hash(&ini, h1);
	noise_hs_hash(&rsp, h2);
	ck_assert_mem_eq(h1, h2, sizeof(h1));
	if (v->handshake_hash != NULL) {
		ck_assert_uint_eq(unhex(want, sizeof(want),
		    v->handshake_hash), 64);
		ck_assert_mem_eq(h1, want, 64);
	}

	ck_assert_int_eq(noise_hs_split(&ini, is, ir), 0);
	ck_assert_int_eq(noise_hs_split(&rsp, rs_, rr), 0);
	ck_assert_mem_eq(is, rr, 32);
	ck_assert_mem_eq(ir, rs_, 32);
	/* The handshake hash survives split. */
	noise_hs_hash(&ini, h2);
	ck_assert_mem_eq(h1, h2, sizeof(h1));

	/* Transport: alternate directions, implicit nonces 0, 0, 1, 1. */
	for (i = 2; i < 6; i++) {
		uint64_t ctr = (uint64_t)(i - 2) / 2;

		plen = unhex(pay, sizeof(pay), v->payload[i]);
		wlen = unhex(want, sizeof(want), v->ciphertext[i]);
		ck_assert_uint_eq(wlen, plen + NOISE_TAGLEN);
		sk = (i % 2 == 0) ? is : rs_;
		rk = (i % 2 == 0) ? rr : ir;
		ck_assert_int_eq(noise_encrypt(sk, ctr, NULL, 0, pay, plen,
		    out), 0);
		ck_assert_mem_eq(out, want, wlen);
		ck_assert_int_eq(noise_decrypt(rk, ctr, NULL, 0, want, wlen,
		    got), 0);
		ck_assert_mem_eq(got, pay, plen);
		/* Wrong nonce and wrong direction fail. */
		ck_assert_int_eq(noise_decrypt(rk, ctr + 1, NULL, 0, want,
		    wlen, got), -1);
		ck_assert_int_eq(noise_decrypt(sk == is ? ir : rr, ctr, NULL,
		    0, want, wlen, got), -1);
	}
	noise_hs_wipe(&ini);
	noise_hs_wipe(&rsp);
}

START_TEST(test_vector_basic)
{
	run_vector(&vectors[0]);
}
END_TEST

START_TEST(test_vector_cacophony)
{
	run_vector(&vectors[1]);
}
END_TEST

START_TEST(test_vector_ikpsk2)
{
	run_vector(&vectors[2]);
}
END_TEST

/*
 * IK and IKpsk2 never meet: with a pre-shared key on one side only,
 * message 1 fails (the protocol names differ); with two different
 * keys, message 1 passes (the key enters only message 2) and message
 * 2 fails.  The responder without a key for IKpsk2 cannot answer.
 */
START_TEST(test_psk_mismatch)
{
	const char *psk = vectors[2].psk;
	const char *other =
	    "0000000000000000000000000000000000000000000000000000000000000001";
	struct noise_hs ini, rsp, saved;
	uint8_t msg[MAXMSG], got[MAXMSG], p[64], s[32], pub[32];
	size_t plen;
	ssize_t n;

	setup_pair_psk(&ini, &rsp, vectors[2].prologue, psk, NULL);
	n = noise_hs_write(&ini, NULL, 0, msg, sizeof(msg));
	ck_assert_int_eq(n, 96);
	ck_assert_int_eq(noise_hs_read(&rsp, msg, (size_t)n, got,
	    sizeof(got)), -1);

	setup_pair_psk(&ini, &rsp, vectors[2].prologue, NULL, psk);
	n = noise_hs_write(&ini, NULL, 0, msg, sizeof(msg));
	ck_assert_int_eq(n, 96);
	ck_assert_int_eq(noise_hs_read(&rsp, msg, (size_t)n, got,
	    sizeof(got)), -1);

	setup_pair_psk(&ini, &rsp, vectors[2].prologue, other, psk);
	n = noise_hs_write(&ini, NULL, 0, msg, sizeof(msg));
	ck_assert_int_eq(noise_hs_read(&rsp, msg, (size_t)n, got,
	    sizeof(got)), 0);
	n = noise_hs_write(&rsp, NULL, 0, msg, sizeof(msg));
	ck_assert_int_eq(n, 48);
	saved = ini;
	ck_assert_int_eq(noise_hs_read(&ini, msg, (size_t)n, got,
	    sizeof(got)), -1);
	/* The failure left the initiator as it was. */
	ck_assert_mem_eq(&ini, &saved, sizeof(ini));

	/* A responder in IKpsk2 mode never given the key. */
	plen = unhex(p, sizeof(p), vectors[2].prologue);
	setup_pair_psk(&ini, &rsp, vectors[2].prologue, psk, psk);
	key(s, resp_static);
	ck_assert_int_eq(noise_pubkey(pub, s), 0);
	ck_assert_int_eq(noise_hs_init(&rsp, 0, p, plen, noise_sdh_key, s,
	    pub, NULL, 1), 0);
	n = noise_hs_write(&ini, NULL, 0, msg, sizeof(msg));
	ck_assert_int_eq(noise_hs_read(&rsp, msg, (size_t)n, got,
	    sizeof(got)), 0);
	ck_assert_int_eq(noise_hs_write(&rsp, NULL, 0, msg, sizeof(msg)), -1);
	noise_hs_wipe(&ini);
	noise_hs_wipe(&rsp);
	noise_hs_wipe(&saved);
}
END_TEST

/* Every region of message 1 is authenticated; a failure keeps state. */
START_TEST(test_tampered_msg1)
{
	struct noise_hs ini, rsp, saved;
	uint8_t msg[MAXMSG], bad[MAXMSG], got[MAXMSG];
	const size_t at[] = { 0, 31, 32, 79, 80, 95 };
	ssize_t n;
	size_t i;

	setup_pair(&ini, &rsp, vectors[0].prologue);
	n = noise_hs_write(&ini, (const uint8_t *)"hi", 2, msg, sizeof(msg));
	ck_assert_int_eq(n, 96 + 2);
	saved = rsp;
	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		memcpy(bad, msg, (size_t)n);
		bad[at[i]] ^= 0x01;
		ck_assert_int_eq(noise_hs_read(&rsp, bad, (size_t)n, got,
		    sizeof(got)), -1);
		ck_assert_mem_eq(&rsp, &saved, sizeof(rsp));
	}
	/* Truncated, and too small a payload buffer. */
	ck_assert_int_eq(noise_hs_read(&rsp, msg, 95, got, sizeof(got)), -1);
	ck_assert_int_eq(noise_hs_read(&rsp, msg, (size_t)n, got, 1), -1);
	/* The genuine message still goes through afterwards. */
	ck_assert_int_eq(noise_hs_read(&rsp, msg, (size_t)n, got,
	    sizeof(got)), 2);
	ck_assert_mem_eq(got, "hi", 2);
}
END_TEST

START_TEST(test_wrong_responder_key)
{
	struct noise_hs ini, rsp;
	uint8_t p[] = "x", s[32], other[32], msg[MAXMSG], got[MAXMSG];
	ssize_t n;

	key(s, init_static);
	noise_genkey(other);
	ck_assert_int_eq(noise_pubkey(other, other), 0);
	ck_assert_int_eq(hs_init(&ini, 1, p, 1, s, other), 0);
	n = noise_hs_write(&ini, NULL, 0, msg, sizeof(msg));
	ck_assert_int_eq(n, 96);
	key(s, resp_static);
	ck_assert_int_eq(hs_init(&rsp, 0, p, 1, s, NULL), 0);
	ck_assert_int_eq(noise_hs_read(&rsp, msg, (size_t)n, got,
	    sizeof(got)), -1);
}
END_TEST

/* A different prologue on one side breaks message 1. */
START_TEST(test_prologue_mismatch)
{
	struct noise_hs ini, rsp;
	uint8_t s[32], rs[32], msg[MAXMSG], got[MAXMSG];
	ssize_t n;

	key(s, init_static);
	key(rs, init_remote_static);
	ck_assert_int_eq(hs_init(&ini, 1, (const uint8_t *)"a", 1, s,
	    rs), 0);
	n = noise_hs_write(&ini, NULL, 0, msg, sizeof(msg));
	ck_assert_int_eq(n, 96);
	key(s, resp_static);
	ck_assert_int_eq(hs_init(&rsp, 0, (const uint8_t *)"b", 1, s,
	    NULL), 0);
	ck_assert_int_eq(noise_hs_read(&rsp, msg, (size_t)n, got,
	    sizeof(got)), -1);
}
END_TEST

/* Messages out of turn, split too early, low-order points. */
START_TEST(test_state_machine)
{
	struct noise_hs ini, rsp;
	uint8_t msg[MAXMSG], got[MAXMSG], a[32], b[32], zero[32];
	ssize_t n;

	noise_genkey(a);
	setup_pair(&ini, &rsp, vectors[0].prologue);
	ck_assert_int_eq(noise_hs_write(&rsp, NULL, 0, msg, sizeof(msg)), -1);
	ck_assert_int_eq(noise_hs_split(&ini, b, b), -1);
	ck_assert_int_eq(noise_hs_write(&ini, NULL, 0, msg, 95), -1);
	n = noise_hs_write(&ini, NULL, 0, msg, sizeof(msg));
	ck_assert_int_eq(n, 96);
	ck_assert_int_eq(noise_hs_write(&ini, NULL, 0, msg, sizeof(msg)), -1);
	ck_assert_int_eq(noise_hs_read(&ini, msg, (size_t)n, got,
	    sizeof(got)), -1);

	/* An all-zero ephemeral gives an all-zero DH: refused. */
	memset(zero, 0, sizeof(zero));
	memset(msg, 0, 96);
	ck_assert_int_eq(noise_hs_read(&rsp, msg, 96, got, sizeof(got)), -1);
	ck_assert_int_eq(hs_init(&ini, 1, NULL, 0, a, NULL), -1);
	ck_assert_int_eq(hs_init(&ini, 1, NULL, 0, a, zero), 0);
	ck_assert_int_eq(noise_hs_write(&ini, NULL, 0, msg, sizeof(msg)), -1);
}
END_TEST

/* Random keys: the handshake completes and the keys pair up. */
START_TEST(test_random_handshake)
{
	struct noise_hs ini, rsp;
	uint8_t si[32], sr[32], pr[32], msg[MAXMSG], got[MAXMSG];
	uint8_t is[32], ir[32], rs_[32], rr[32];
	ssize_t n;

	noise_genkey(si);
	noise_genkey(sr);
	ck_assert_int_eq(noise_pubkey(pr, sr), 0);
	ck_assert_int_eq(hs_init(&ini, 1, NULL, 0, si, pr), 0);
	ck_assert_int_eq(hs_init(&rsp, 0, NULL, 0, sr, NULL), 0);
	n = noise_hs_write(&ini, NULL, 0, msg, sizeof(msg));
	ck_assert_int_eq(n, 96);
	ck_assert_int_eq(noise_hs_read(&rsp, msg, (size_t)n, got, 0), 0);
	n = noise_hs_write(&rsp, NULL, 0, msg, sizeof(msg));
	ck_assert_int_eq(n, 48);
	ck_assert_int_eq(noise_hs_read(&ini, msg, (size_t)n, NULL, 0), 0);
	ck_assert_int_eq(noise_hs_split(&ini, is, ir), 0);
	ck_assert_int_eq(noise_hs_split(&rsp, rs_, rr), 0);
	ck_assert_mem_eq(is, rr, 32);
	ck_assert_mem_eq(ir, rs_, 32);
	ck_assert_mem_ne(is, ir, 32);
}
END_TEST

/* The Noise nonce for counter n: 4 zero bytes, then n little-endian,
 * built here on its own so the AEAD's nonce is checked, not shared. */
static void
noise_nonce(uint8_t nonce[12], uint64_t n)
{
	int	i;

	memset(nonce, 0, 4);
	for (i = 0; i < 8; i++)
		nonce[4 + i] = (uint8_t)(n >> (8 * i));
}

/*
 * RFC 8439 section 2.8.2.  Its nonce (07000000 4041...47) is not of
 * the Noise form, so libsodium's IETF AEAD is checked directly, then
 * noise_encrypt against the same primitive with a Noise nonce.
 */
START_TEST(test_rfc8439_aead)
{
	static const char *pt = "Ladies and Gentlemen of the class of '99: "
	    "If I could offer you only one tip for the future, sunscreen "
	    "would be it.";
	static const char *ct_hex =
	    "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
	    "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
	    "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
	    "3ff4def08e4b7a9de576d26586cec64b6116"
	    "1ae10b594f09e26a7e902ecbd0600691";
	const uint8_t nonce[12] = { 0x07, 0, 0, 0, 0x40, 0x41, 0x42, 0x43,
	    0x44, 0x45, 0x46, 0x47 };
	const uint8_t ad[12] = { 0x50, 0x51, 0x52, 0x53, 0xc0, 0xc1, 0xc2,
	    0xc3, 0xc4, 0xc5, 0xc6, 0xc7 };
	uint8_t k[32], want[256], out[256], back[256], n2[12];
	unsigned long long clen;
	size_t len, wlen;
	int i;

	for (i = 0; i < 32; i++)
		k[i] = (uint8_t)(0x80 + i);
	len = strlen(pt);
	ck_assert_uint_eq(len, 114);
	wlen = unhex(want, sizeof(want), ct_hex);
	ck_assert_uint_eq(wlen, len + 16);
	crypto_aead_chacha20poly1305_ietf_encrypt(out, &clen,
	    (const uint8_t *)pt, len, ad, sizeof(ad), NULL, nonce, k);
	ck_assert_uint_eq(clen, wlen);
	ck_assert_mem_eq(out, want, wlen);

	noise_nonce(n2, 0x0706050403020100ULL);
	crypto_aead_chacha20poly1305_ietf_encrypt(want, &clen,
	    (const uint8_t *)pt, len, ad, sizeof(ad), NULL, n2, k);
	ck_assert_int_eq(noise_encrypt(k, 0x0706050403020100ULL, ad,
	    sizeof(ad), (const uint8_t *)pt, len, out), 0);
	ck_assert_mem_eq(out, want, wlen);
	ck_assert_int_eq(noise_decrypt(k, 0x0706050403020100ULL, ad,
	    sizeof(ad), out, wlen, back), 0);
	ck_assert_mem_eq(back, pt, len);
	out[3] ^= 0x80;
	ck_assert_int_eq(noise_decrypt(k, 0x0706050403020100ULL, ad,
	    sizeof(ad), out, wlen, back), -1);
	/* Nonce 2^64-1 is reserved; a short input has no tag. */
	ck_assert_int_eq(noise_encrypt(k, UINT64_MAX, NULL, 0,
	    (const uint8_t *)pt, len, out), -1);
	ck_assert_int_eq(noise_decrypt(k, 0, NULL, 0, want, 15, back), -1);
}
END_TEST

/*
 * The transport AEAD (OpenSSL's) against libsodium's as the oracle, at
 * every length 0-300 and then up to a jumbo frame, with and without
 * associated data: the same bytes.  Opening in place works; a tampered
 * byte anywhere fails and leaves no plaintext behind; noise_forget()
 * between packets changes nothing.
 */
START_TEST(test_aead_oracle)
{
	static uint8_t	pt[9100], ct[9116], want[9116], back[9116];
	uint8_t		k[32], ad[32], nonce[12];
	unsigned long long clen;
	uint64_t	n;
	size_t		len, adlen, at;

	randombytes_buf(pt, sizeof(pt));
	randombytes_buf(ad, sizeof(ad));
	for (len = 0; len <= 9000; len += len < 300 ? 1 : 997) {
		randombytes_buf(k, sizeof(k));
		n = ((uint64_t)randombytes_random() << 32) | len;
		adlen = len % 33;
		noise_nonce(nonce, n);
		crypto_aead_chacha20poly1305_ietf_encrypt(want, &clen, pt,
		    len, ad, adlen, NULL, nonce, k);
		ck_assert_uint_eq(clen, len + NOISE_TAGLEN);
		ck_assert_int_eq(noise_encrypt(k, n, ad, adlen, pt, len, ct),
		    0);
		ck_assert_mem_eq(ct, want, clen);
		if (len % 7 == 0)
			noise_forget();
		ck_assert_int_eq(noise_decrypt(k, n, ad, adlen, ct, clen,
		    back), 0);
		ck_assert_mem_eq(back, pt, len);
		/* In place, as a caller may open a packet. */
		ck_assert_int_eq(noise_decrypt(k, n, ad, adlen, ct, clen,
		    ct), 0);
		ck_assert_mem_eq(ct, pt, len);
		/* One flipped bit, in the text or the tag; or another
		 * counter, or other associated data. */
		memcpy(ct, want, clen);
		at = (size_t)randombytes_uniform((uint32_t)clen);
		ct[at] ^= (uint8_t)(1U << (len % 8));
		memset(back, 0xaa, len);
		ck_assert_int_eq(noise_decrypt(k, n, ad, adlen, ct, clen,
		    back), -1);
		for (at = 0; at < len; at++)
			ck_assert_uint_eq(back[at], 0);
		ck_assert_int_eq(noise_decrypt(k, n + 1, ad, adlen, want,
		    clen, back), -1);
		if (adlen > 0)
			ck_assert_int_eq(noise_decrypt(k, n, ad, adlen - 1,
			    want, clen, back), -1);
	}
	/* No text: a handshake message with an empty payload opens into
	 * no buffer at all. */
	ck_assert_int_eq(noise_encrypt(k, 9, ad, 32, pt, 0, ct), 0);
	ck_assert_int_eq(noise_decrypt(k, 9, ad, 32, ct, NOISE_TAGLEN, NULL),
	    0);
	ct[0] ^= 1;
	ck_assert_int_eq(noise_decrypt(k, 9, ad, 32, ct, NOISE_TAGLEN, NULL),
	    -1);
}
END_TEST

/*
 * A context keeps its key from one packet to the next: packets under
 * keys that alternate, or that differ in one bit, still match the
 * oracle, a packet opened under the wrong key fails and the right key
 * opens it after that failure.
 */
START_TEST(test_aead_key_switch)
{
	uint8_t		k[3][32], ad[16], pt[200], ct[216], want[216],
			back[200], nonce[12];
	unsigned long long clen;
	uint64_t	n;
	int		i, w;

	randombytes_buf(k[0], sizeof(k[0]));
	randombytes_buf(k[1], sizeof(k[1]));
	memcpy(k[2], k[0], sizeof(k[0]));
	k[2][31] ^= 0x80;
	randombytes_buf(ad, sizeof(ad));
	randombytes_buf(pt, sizeof(pt));
	for (i = 0; i < 60; i++) {
		w = i % 5 == 4 ? 2 : (i / 2) % 2;
		n = 1000 + (uint64_t)i;
		noise_nonce(nonce, n);
		crypto_aead_chacha20poly1305_ietf_encrypt(want, &clen, pt,
		    sizeof(pt), ad, sizeof(ad), NULL, nonce, k[w]);
		ck_assert_int_eq(noise_encrypt(k[w], n, ad, sizeof(ad), pt,
		    sizeof(pt), ct), 0);
		ck_assert_mem_eq(ct, want, clen);
		ck_assert_int_eq(noise_decrypt(k[(w + 1) % 3], n, ad,
		    sizeof(ad), ct, clen, back), -1);
		ck_assert_int_eq(noise_decrypt(k[w], n, ad, sizeof(ad), ct,
		    clen, back), 0);
		ck_assert_mem_eq(back, pt, sizeof(pt));
		if (i % 11 == 10)
			noise_forget();
	}
}
END_TEST

/* OpenSSL's allocations, counted from before noise_init(). */
static unsigned long	ossl_allocs;

static void *
count_malloc(size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	ossl_allocs++;
	return (malloc(n));
}

static void *
count_realloc(void *p, size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	ossl_allocs++;
	return (realloc(p, n));
}

static void
count_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	free(p);
}

/* Sealing and opening packets, good and forged, allocates nothing
 * after noise_init(): the data path of a sandboxed linkd. */
START_TEST(test_aead_no_alloc)
{
	uint8_t		k[32] = { 1 }, ad[16] = { 3 }, pt[1400] = { 2 };
	uint8_t		ct[1416], back[1416];
	unsigned long	before = ossl_allocs;
	int		i;

	ck_assert_uint_gt(before, 0);
	for (i = 0; i < 1000; i++) {
		k[0] = (uint8_t)i;
		ck_assert_int_eq(noise_encrypt(k, (uint64_t)i, ad, sizeof(ad),
		    pt, sizeof(pt), ct), 0);
		ct[i % sizeof(ct)] ^= (uint8_t)(i % 2);
		ck_assert_int_eq(noise_decrypt(k, (uint64_t)i, ad, sizeof(ad),
		    ct, sizeof(ct), back), i % 2 ? -1 : 0);
		if (i % 100 == 0)
			noise_forget();
	}
	ck_assert_uint_eq(ossl_allocs, before);
}
END_TEST

static Suite *
noise_suite(void)
{
	Suite *s = suite_create("noise");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_vector_basic);
	tcase_add_test(tc, test_aead_key_switch);
	tcase_add_test(tc, test_vector_cacophony);
	tcase_add_test(tc, test_vector_ikpsk2);
	tcase_add_test(tc, test_psk_mismatch);
	tcase_add_test(tc, test_tampered_msg1);
	tcase_add_test(tc, test_wrong_responder_key);
	tcase_add_test(tc, test_prologue_mismatch);
	tcase_add_test(tc, test_state_machine);
	tcase_add_test(tc, test_random_handshake);
	tcase_add_test(tc, test_rfc8439_aead);
	tcase_add_test(tc, test_aead_oracle);
	tcase_add_test(tc, test_aead_no_alloc);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	if (!CRYPTO_set_mem_functions(count_malloc, count_realloc,
	    count_free) || sodium_init() == -1 || noise_init() == -1)
		return (1);
	return (check_run(srunner_create(noise_suite())));
}
