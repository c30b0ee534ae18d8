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
 * Noise_IK_25519_ChaChaPoly_BLAKE2b and its psk2 variant (Noise
 * revision 34): the symmetric state, the two IK handshake messages and
 * the transport AEAD.  Runs unprivileged in linkd and reads untrusted
 * handshake bytes; holds ephemeral private keys and the peer's
 * pre-shared key, wiped after use.  The static private key is not
 * here: each DH with it goes through the caller's noise_sdh_fn (in
 * bondd the parent answers it).
 *
 * X25519 and BLAKE2b come from libsodium.  The AEAD, which every data
 * packet pays twice (sealed by one linkd, opened by the other), comes
 * from OpenSSL's libcrypto, whose ChaCha20 and Poly1305 use AVX-512
 * where the CPU has it (libsodium's stop at AVX2 and SSE2): about
 * 1.2 us instead of 1.8 us per 1400-byte packet on the test machine.
 * Its two contexts are made by noise_init(), before the sandbox
 * (OpenSSL loads its provider then, reads no config file and leaves
 * no clean-up to run at exit); after that nothing here allocates or
 * makes a system call.  A context holds the key of its last packet:
 * noise_forget() overwrites both when a session's keys are wiped.
 * Each context also remembers that key, so that a run of packets under
 * one key sets only the nonce: keying the context again costs about
 * 0.15 us a packet, a tenth of the AEAD.  The tag goes in and out as a
 * parameter, not through EVP_CIPHER_CTX_ctrl(), which builds that
 * parameter anew for every call (0.06 us a packet).
 */

#include <sys/types.h>

#include <limits.h>
#include <stdint.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <sodium.h>

#include "noise.h"

#define HMAC_BLOCKLEN	128		/* BLAKE2b block length */
#define NOISE_MAXMSG	65535
#define MSG1_OVERHEAD	(NOISE_DHLEN + NOISE_DHLEN + 2 * NOISE_TAGLEN)
#define MSG2_OVERHEAD	(NOISE_DHLEN + NOISE_TAGLEN)

static void
nonce_make(uint8_t nonce[crypto_aead_chacha20poly1305_IETF_NPUBBYTES],
    uint64_t n)
{
	int i;

	memset(nonce, 0, 4);
	for (i = 0; i < 8; i++)
		nonce[4 + i] = (uint8_t)(n >> (8 * i));
}

static EVP_CIPHER_CTX	*seal_ctx, *open_ctx;
/* The key each context holds; keyed = 0: none of ours (noise_forget). */
static uint8_t		 seal_key[NOISE_KEYLEN], open_key[NOISE_KEYLEN];
static int		 seal_keyed, open_keyed;

/* Whether two keys are equal, in time that does not depend on where
 * they differ; word by word, as sodium_memcmp() byte by byte cost 0.07
 * us a packet. */
static int
key_equal(const uint8_t a[NOISE_KEYLEN], const uint8_t b[NOISE_KEYLEN])
{
	uint64_t	x, y, d = 0;
	int		i;

	for (i = 0; i < NOISE_KEYLEN; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		d |= x ^ y;
	}
	return (d == 0);
}

/* The parameter list that carries a packet's tag into or out of a
 * context. */
static void
tag_param(OSSL_PARAM p[2], uint8_t tag[NOISE_TAGLEN])
{
	p[0] = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG,
	    tag, NOISE_TAGLEN);
	p[1] = OSSL_PARAM_construct_end();
}

/* The key argument that sets k in a context: NULL when the context
 * holds k already (then only the nonce is set). */
static const uint8_t *
key_arg(uint8_t held[NOISE_KEYLEN], int *keyed, const uint8_t *k)
{
	if (*keyed && key_equal(held, k))
		return (NULL);
	memcpy(held, k, NOISE_KEYLEN);
	*keyed = 1;
	return (k);
}

int
noise_init(void)
{
	EVP_CIPHER	*c;
	int		 ok;

	if (seal_ctx != NULL)
		return (0);
	if (!OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG |
	    OPENSSL_INIT_NO_ATEXIT, NULL) ||
	    (c = EVP_CIPHER_fetch(NULL, "ChaCha20-Poly1305", NULL)) == NULL)
		return (-1);
	seal_ctx = EVP_CIPHER_CTX_new();
	open_ctx = EVP_CIPHER_CTX_new();
	ok = seal_ctx != NULL && open_ctx != NULL &&
	    EVP_EncryptInit_ex(seal_ctx, c, NULL, NULL, NULL) == 1 &&
	    EVP_DecryptInit_ex(open_ctx, c, NULL, NULL, NULL) == 1;
	/* The contexts keep their own reference to the cipher. */
	EVP_CIPHER_free(c);
	if (!ok) {
		EVP_CIPHER_CTX_free(seal_ctx);
		EVP_CIPHER_CTX_free(open_ctx);
		seal_ctx = open_ctx = NULL;
		return (-1);
	}
	noise_forget();
	return (0);
}

void
noise_forget(void)
{
	static const uint8_t	zero[NOISE_KEYLEN];
	static const uint8_t
	    nonce[crypto_aead_chacha20poly1305_IETF_NPUBBYTES];

	if (seal_ctx == NULL)
		return;
	(void)EVP_EncryptInit_ex(seal_ctx, NULL, NULL, zero, nonce);
	(void)EVP_DecryptInit_ex(open_ctx, NULL, NULL, zero, nonce);
	sodium_memzero(seal_key, sizeof(seal_key));
	sodium_memzero(open_key, sizeof(open_key));
	seal_keyed = open_keyed = 0;
}

int
noise_encrypt(const uint8_t k[NOISE_KEYLEN], uint64_t n, const uint8_t *ad,
    size_t adlen, const uint8_t *in, size_t len, uint8_t *out)
{
	uint8_t		nonce[crypto_aead_chacha20poly1305_IETF_NPUBBYTES];
	OSSL_PARAM	tag[2];
	int		l;

	/* 2^64-1 is reserved by the Noise spec. */
	if (n == UINT64_MAX || seal_ctx == NULL || len > NOISE_MAXMSG ||
	    adlen > INT_MAX)
		return (-1);
	nonce_make(nonce, n);
	if (EVP_EncryptInit_ex(seal_ctx, NULL, NULL,
	    key_arg(seal_key, &seal_keyed, k), nonce) != 1) {
		seal_keyed = 0;
		return (-1);
	}
	if ((adlen > 0 &&
	    EVP_EncryptUpdate(seal_ctx, NULL, &l, ad, (int)adlen) != 1) ||
	    (len > 0 &&
	    EVP_EncryptUpdate(seal_ctx, out, &l, in, (int)len) != 1) ||
	    EVP_EncryptFinal_ex(seal_ctx, out + len, &l) != 1)
		return (-1);
	tag_param(tag, out + len);
	if (EVP_CIPHER_CTX_get_params(seal_ctx, tag) != 1)
		return (-1);
	return (0);
}

/*
 * OpenSSL writes the plaintext before it checks the tag: on a failure
 * it is wiped, so that no caller can use bytes that were never
 * authenticated.  out may be NULL when there is no text (a handshake
 * message with an empty payload); the final step, which checks the
 * tag, writes nothing.
 */
int
noise_decrypt(const uint8_t k[NOISE_KEYLEN], uint64_t n, const uint8_t *ad,
    size_t adlen, const uint8_t *in, size_t len, uint8_t *out)
{
	uint8_t		nonce[crypto_aead_chacha20poly1305_IETF_NPUBBYTES];
	uint8_t		tag[NOISE_TAGLEN], none[1];
	OSSL_PARAM	tagp[2];
	size_t		clen;
	int		l;

	if (n == UINT64_MAX || open_ctx == NULL || len < NOISE_TAGLEN ||
	    len > NOISE_MAXMSG + NOISE_TAGLEN || adlen > INT_MAX)
		return (-1);
	clen = len - NOISE_TAGLEN;
	/* in and out may be the same buffer: keep the tag apart. */
	memcpy(tag, in + clen, NOISE_TAGLEN);
	tag_param(tagp, tag);
	nonce_make(nonce, n);
	if (EVP_DecryptInit_ex(open_ctx, NULL, NULL,
	    key_arg(open_key, &open_keyed, k), nonce) != 1) {
		open_keyed = 0;
		return (-1);
	}
	if ((adlen > 0 &&
	    EVP_DecryptUpdate(open_ctx, NULL, &l, ad, (int)adlen) != 1) ||
	    (clen > 0 &&
	    EVP_DecryptUpdate(open_ctx, out, &l, in, (int)clen) != 1) ||
	    EVP_CIPHER_CTX_set_params(open_ctx, tagp) != 1 ||
	    EVP_DecryptFinal_ex(open_ctx, none, &l) != 1) {
		if (clen > 0)
			sodium_memzero(out, clen);
		return (-1);
	}
	return (0);
}

int
noise_pubkey(uint8_t pub[NOISE_DHLEN], const uint8_t priv[NOISE_DHLEN])
{
	return (crypto_scalarmult_base(pub, priv) == 0 ? 0 : -1);
}

void
noise_genkey(uint8_t priv[NOISE_DHLEN])
{
	randombytes_buf(priv, NOISE_DHLEN);
}

/*
 * X25519.  libsodium already refuses an all-zero result (a low-order
 * peer point); check again so that a weaker library cannot slip one
 * into the chaining key.
 */
int
noise_dh(uint8_t out[NOISE_DHLEN], const uint8_t priv[NOISE_DHLEN],
    const uint8_t pub[NOISE_DHLEN])
{
	if (crypto_scalarmult(out, priv, pub) != 0 ||
	    sodium_is_zero(out, NOISE_DHLEN)) {
		sodium_memzero(out, NOISE_DHLEN);
		return (-1);
	}
	return (0);
}

int
noise_sdh_key(void *priv, uint8_t out[NOISE_DHLEN],
    const uint8_t pub[NOISE_DHLEN])
{
	return (noise_dh(out, priv, pub));
}

static void
hash_update(crypto_generichash_state *st, const uint8_t *p, size_t len)
{
	if (len > 0)
		crypto_generichash_update(st, p, len);
}

/*
 * HMAC-BLAKE2b (RFC 2104 with a 128-byte block) over d1 || d2.  Keys
 * are always HASHLEN bytes here, shorter than a block, so they are
 * only zero padded.
 */
static void
hmac(uint8_t out[NOISE_HASHLEN], const uint8_t key[NOISE_HASHLEN],
    const uint8_t *d1, size_t l1, const uint8_t *d2, size_t l2)
{
	crypto_generichash_state st;
	uint8_t pad[HMAC_BLOCKLEN], inner[NOISE_HASHLEN];
	size_t i;

	memset(pad, 0x36, sizeof(pad));
	for (i = 0; i < NOISE_HASHLEN; i++)
		pad[i] ^= key[i];
	crypto_generichash_init(&st, NULL, 0, NOISE_HASHLEN);
	hash_update(&st, pad, sizeof(pad));
	hash_update(&st, d1, l1);
	hash_update(&st, d2, l2);
	crypto_generichash_final(&st, inner, sizeof(inner));

	memset(pad, 0x5c, sizeof(pad));
	for (i = 0; i < NOISE_HASHLEN; i++)
		pad[i] ^= key[i];
	crypto_generichash_init(&st, NULL, 0, NOISE_HASHLEN);
	hash_update(&st, pad, sizeof(pad));
	hash_update(&st, inner, sizeof(inner));
	crypto_generichash_final(&st, out, NOISE_HASHLEN);

	sodium_memzero(pad, sizeof(pad));
	sodium_memzero(inner, sizeof(inner));
	sodium_memzero(&st, sizeof(st));
}

/* HKDF of the Noise spec with two outputs, or three when o3 is set.
 * o1 may be ck itself: ck is read only before o1 is written. */
static void
hkdf(const uint8_t ck[NOISE_HASHLEN], const uint8_t *ikm, size_t ikmlen,
    uint8_t o1[NOISE_HASHLEN], uint8_t o2[NOISE_HASHLEN],
    uint8_t *o3)
{
	uint8_t tk[NOISE_HASHLEN];
	const uint8_t one = 0x01, two = 0x02, three = 0x03;

	hmac(tk, ck, ikm, ikmlen, NULL, 0);
	hmac(o1, tk, &one, 1, NULL, 0);
	hmac(o2, tk, o1, NOISE_HASHLEN, &two, 1);
	if (o3 != NULL)
		hmac(o3, tk, o2, NOISE_HASHLEN, &three, 1);
	sodium_memzero(tk, sizeof(tk));
}

static void
mix_hash(struct noise_hs *hs, const uint8_t *data, size_t len)
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, NOISE_HASHLEN);
	hash_update(&st, hs->h, NOISE_HASHLEN);
	hash_update(&st, data, len);
	crypto_generichash_final(&st, hs->h, NOISE_HASHLEN);
}

static void
mix_key(struct noise_hs *hs, const uint8_t ikm[NOISE_DHLEN])
{
	uint8_t tk[NOISE_HASHLEN];

	hkdf(hs->ck, ikm, NOISE_DHLEN, hs->ck, tk, NULL);
	memcpy(hs->cs.k, tk, NOISE_KEYLEN);
	hs->cs.n = 0;
	hs->cs.has_key = 1;
	sodium_memzero(tk, sizeof(tk));
}

/* The "psk" token: MixKeyAndHash(psk).  Without the key (the caller
 * never set it) the message fails rather than run with zeros. */
static int
mix_psk(struct noise_hs *hs)
{
	uint8_t th[NOISE_HASHLEN], tk[NOISE_HASHLEN];

	if (!hs->has_psk)
		return (-1);
	hkdf(hs->ck, hs->psk, NOISE_PSKLEN, hs->ck, th, tk);
	mix_hash(hs, th, NOISE_HASHLEN);
	memcpy(hs->cs.k, tk, NOISE_KEYLEN);
	hs->cs.n = 0;
	hs->cs.has_key = 1;
	sodium_memzero(th, sizeof(th));
	sodium_memzero(tk, sizeof(tk));
	return (0);
}

/* The "e" token's hashing, sent or received.  With a psk modifier it
 * also enters the chaining key, so that the keys of the "psk" token
 * depend on this ephemeral. */
static void
mix_e(struct noise_hs *hs, const uint8_t e_pub[NOISE_DHLEN])
{
	mix_hash(hs, e_pub, NOISE_DHLEN);
	if (hs->psk2)
		mix_key(hs, e_pub);
}

/* MixKey of a DH result, which is then wiped. */
static void
mix_dh_result(struct noise_hs *hs, uint8_t dh[NOISE_DHLEN])
{
	mix_key(hs, dh);
	sodium_memzero(dh, NOISE_DHLEN);
}

/* DH with the static private key over pub (the key holder refuses an
 * all-zero result, as noise_dh() does), then MixKey. */
static int
mix_sdh(struct noise_hs *hs, const uint8_t pub[NOISE_DHLEN])
{
	uint8_t dh[NOISE_DHLEN];

	if (hs->sdh(hs->sdh_arg, dh, pub) == -1 ||
	    sodium_is_zero(dh, NOISE_DHLEN)) {
		sodium_memzero(dh, sizeof(dh));
		return (-1);
	}
	mix_dh_result(hs, dh);
	return (0);
}

/* DH then MixKey; the shared secret never outlives the call. */
static int
mix_dh(struct noise_hs *hs, const uint8_t priv[NOISE_DHLEN],
    const uint8_t pub[NOISE_DHLEN])
{
	uint8_t ss[NOISE_DHLEN];

	if (noise_dh(ss, priv, pub) == -1)
		return (-1);
	mix_dh_result(hs, ss);
	return (0);
}

/* EncryptAndHash; out gets len + NOISE_TAGLEN bytes (a key is set). */
static int
encrypt_and_hash(struct noise_hs *hs, const uint8_t *in, size_t len,
    uint8_t *out)
{
	if (noise_encrypt(hs->cs.k, hs->cs.n, hs->h, NOISE_HASHLEN, in, len,
	    out) == -1)
		return (-1);
	hs->cs.n++;
	mix_hash(hs, out, len + NOISE_TAGLEN);
	return (0);
}

/* DecryptAndHash; in holds len bytes including the tag. */
static int
decrypt_and_hash(struct noise_hs *hs, const uint8_t *in, size_t len,
    uint8_t *out)
{
	if (noise_decrypt(hs->cs.k, hs->cs.n, hs->h, NOISE_HASHLEN, in, len,
	    out) == -1)
		return (-1);
	hs->cs.n++;
	mix_hash(hs, in, len);
	return (0);
}

int
noise_hs_init(struct noise_hs *hs, int initiator, const uint8_t *prologue,
    size_t prologue_len, noise_sdh_fn sdh, void *sdh_arg,
    const uint8_t s_pub[NOISE_DHLEN], const uint8_t *rs, int psk2)
{
	memset(hs, 0, sizeof(*hs));
	if ((initiator && rs == NULL) || sdh == NULL)
		return (-1);
	hs->initiator = initiator ? 1 : 0;
	hs->psk2 = psk2 ? 1 : 0;
	hs->sdh = sdh;
	hs->sdh_arg = sdh_arg;
	memcpy(hs->s_pub, s_pub, NOISE_DHLEN);

	/* The protocol name fits in HASHLEN: zero padded, not hashed.
	 * It differs with the modifier: IK and IKpsk2 never agree. */
	if (hs->psk2)
		memcpy(hs->h, NOISE_PROTOCOL_PSK2,
		    sizeof(NOISE_PROTOCOL_PSK2) - 1);
	else
		memcpy(hs->h, NOISE_PROTOCOL, sizeof(NOISE_PROTOCOL) - 1);
	memcpy(hs->ck, hs->h, NOISE_HASHLEN);
	mix_hash(hs, prologue, prologue_len);

	/* Pre-message pattern "<- s". */
	if (hs->initiator) {
		memcpy(hs->rs, rs, NOISE_DHLEN);
		mix_hash(hs, hs->rs, NOISE_DHLEN);
	} else
		mix_hash(hs, hs->s_pub, NOISE_DHLEN);
	return (0);
}

void
noise_hs_set_ephemeral(struct noise_hs *hs, const uint8_t e[NOISE_DHLEN])
{
	memcpy(hs->e_priv, e, NOISE_DHLEN);
	hs->has_e = 1;
}

void
noise_hs_set_psk(struct noise_hs *hs, const uint8_t psk[NOISE_PSKLEN])
{
	memcpy(hs->psk, psk, NOISE_PSKLEN);
	hs->has_psk = 1;
}

void
noise_hs_set_sdh(struct noise_hs *hs, noise_sdh_fn fn, void *arg)
{
	hs->sdh = fn;
	hs->sdh_arg = arg;
}

void
noise_hs_set_ss(struct noise_hs *hs, noise_ss_fn fn, void *arg)
{
	hs->ss_fn = fn;
	hs->ss_arg = arg;
}

/*
 * "ss": the caller's precomputed value when it has one (a responder
 * learns rs in message 1 and refuses a key that is no peer's here,
 * without a Diffie-Hellman), else the static key's DH.
 */
static int
mix_ss(struct noise_hs *hs)
{
	const uint8_t	*ss;

	if (hs->ss_fn == NULL)
		return (mix_sdh(hs, hs->rs));
	if ((ss = hs->ss_fn(hs->ss_arg, hs->rs)) == NULL)
		return (-1);
	mix_key(hs, ss);
	return (0);
}

static int
ephemeral_make(struct noise_hs *hs)
{
	if (!hs->has_e)
		noise_genkey(hs->e_priv);
	return (noise_pubkey(hs->e_pub, hs->e_priv));
}

/* -> e, es, s, ss, payload */
static int
write_msg1(struct noise_hs *hs, const uint8_t *payload, size_t plen,
    uint8_t *out)
{
	if (ephemeral_make(hs) == -1)
		return (-1);
	memcpy(out, hs->e_pub, NOISE_DHLEN);
	mix_e(hs, hs->e_pub);
	out += NOISE_DHLEN;
	if (mix_dh(hs, hs->e_priv, hs->rs) == -1)
		return (-1);
	if (encrypt_and_hash(hs, hs->s_pub, NOISE_DHLEN, out) == -1)
		return (-1);
	out += NOISE_DHLEN + NOISE_TAGLEN;
	if (mix_ss(hs) == -1)
		return (-1);
	return (encrypt_and_hash(hs, payload, plen, out));
}

/* <- e, ee, se, payload; IKpsk2: <- e, ee, se, psk, payload */
static int
write_msg2(struct noise_hs *hs, const uint8_t *payload, size_t plen,
    uint8_t *out)
{
	if (ephemeral_make(hs) == -1)
		return (-1);
	memcpy(out, hs->e_pub, NOISE_DHLEN);
	mix_e(hs, hs->e_pub);
	out += NOISE_DHLEN;
	if (mix_dh(hs, hs->e_priv, hs->re) == -1)
		return (-1);
	if (mix_dh(hs, hs->e_priv, hs->rs) == -1)
		return (-1);
	if (hs->psk2 && mix_psk(hs) == -1)
		return (-1);
	return (encrypt_and_hash(hs, payload, plen, out));
}

static int
read_msg1(struct noise_hs *hs, const uint8_t *msg, size_t len,
    uint8_t *payload)
{
	memcpy(hs->re, msg, NOISE_DHLEN);
	mix_e(hs, hs->re);
	msg += NOISE_DHLEN;
	if (mix_sdh(hs, hs->re) == -1)
		return (-1);
	if (decrypt_and_hash(hs, msg, NOISE_DHLEN + NOISE_TAGLEN,
	    hs->rs) == -1)
		return (-1);
	msg += NOISE_DHLEN + NOISE_TAGLEN;
	if (mix_ss(hs) == -1)
		return (-1);
	return (decrypt_and_hash(hs, msg, len - MSG1_OVERHEAD + NOISE_TAGLEN,
	    payload));
}

static int
read_msg2(struct noise_hs *hs, const uint8_t *msg, size_t len,
    uint8_t *payload)
{
	memcpy(hs->re, msg, NOISE_DHLEN);
	mix_e(hs, hs->re);
	msg += NOISE_DHLEN;
	if (mix_dh(hs, hs->e_priv, hs->re) == -1)
		return (-1);
	if (mix_sdh(hs, hs->re) == -1)
		return (-1);
	if (hs->psk2 && mix_psk(hs) == -1)
		return (-1);
	return (decrypt_and_hash(hs, msg, len - MSG2_OVERHEAD + NOISE_TAGLEN,
	    payload));
}

/*
 * Both directions work on a copy of the state and commit it only on
 * success: a forged or corrupted message leaves a pending handshake
 * untouched, so junk cannot abort it.
 */
ssize_t
noise_hs_write(struct noise_hs *hs, const uint8_t *payload,
    size_t payload_len, uint8_t *out, size_t out_size)
{
	struct noise_hs t;
	size_t overhead, len;
	int first, rv;

	if (hs->msg_index > 1 || hs->initiator != (hs->msg_index == 0))
		return (-1);
	first = hs->msg_index == 0;
	overhead = first ? MSG1_OVERHEAD : MSG2_OVERHEAD;
	if (payload_len > NOISE_MAXMSG - overhead)
		return (-1);
	len = overhead + payload_len;
	if (out_size < len)
		return (-1);

	t = *hs;
	if (first)
		rv = write_msg1(&t, payload, payload_len, out);
	else
		rv = write_msg2(&t, payload, payload_len, out);
	if (rv == 0) {
		t.msg_index++;
		*hs = t;
	}
	sodium_memzero(&t, sizeof(t));
	return (rv == 0 ? (ssize_t)len : -1);
}

ssize_t
noise_hs_read(struct noise_hs *hs, const uint8_t *msg, size_t len,
    uint8_t *payload, size_t payload_size)
{
	struct noise_hs t;
	size_t overhead;
	int first, rv;

	if (hs->msg_index > 1 || hs->initiator != (hs->msg_index == 1))
		return (-1);
	first = hs->msg_index == 0;
	overhead = first ? MSG1_OVERHEAD : MSG2_OVERHEAD;
	if (len < overhead || len > NOISE_MAXMSG ||
	    payload_size < len - overhead)
		return (-1);

	t = *hs;
	if (first)
		rv = read_msg1(&t, msg, len, payload);
	else
		rv = read_msg2(&t, msg, len, payload);
	if (rv == 0) {
		t.msg_index++;
		*hs = t;
	} else if (len > overhead)
		sodium_memzero(payload, len - overhead);
	sodium_memzero(&t, sizeof(t));
	return (rv == 0 ? (ssize_t)(len - overhead) : -1);
}

/*
 * Split() after message 2.  The chaining key, the ephemeral private
 * keys and the pre-shared key go away here (forward secrecy); h and rs stay for
 * the caller.
 */
int
noise_hs_split(struct noise_hs *hs, uint8_t send[NOISE_KEYLEN],
    uint8_t recv[NOISE_KEYLEN])
{
	uint8_t k1[NOISE_HASHLEN], k2[NOISE_HASHLEN];

	if (hs->msg_index != 2)
		return (-1);
	hkdf(hs->ck, NULL, 0, k1, k2, NULL);
	if (hs->initiator) {
		memcpy(send, k1, NOISE_KEYLEN);
		memcpy(recv, k2, NOISE_KEYLEN);
	} else {
		memcpy(send, k2, NOISE_KEYLEN);
		memcpy(recv, k1, NOISE_KEYLEN);
	}
	sodium_memzero(k1, sizeof(k1));
	sodium_memzero(k2, sizeof(k2));
	sodium_memzero(hs->ck, sizeof(hs->ck));
	sodium_memzero(&hs->cs, sizeof(hs->cs));
	sodium_memzero(hs->e_priv, sizeof(hs->e_priv));
	sodium_memzero(hs->psk, sizeof(hs->psk));
	hs->msg_index = 3;
	return (0);
}

const uint8_t *
noise_hs_remote_static(const struct noise_hs *hs)
{
	return (hs->rs);
}

void
noise_hs_hash(const struct noise_hs *hs, uint8_t h[NOISE_HASHLEN])
{
	memcpy(h, hs->h, NOISE_HASHLEN);
}

void
noise_hs_wipe(struct noise_hs *hs)
{
	sodium_memzero(hs, sizeof(*hs));
}
