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
 * Noise_IK_25519_ChaChaPoly_BLAKE2b and, for peers that share a
 * pre-shared key, Noise_IKpsk2_25519_ChaChaPoly_BLAKE2b (the Noise
 * Protocol Framework, revision 34) built on libsodium.  Runs in linkd,
 * which does not hold the static private key: the DH with it is a
 * callback (noise_sdh_fn).
 * The state machine is generic enough for the published test vectors
 * and for bondd's own handshake (linkd/session.c).
 */

#ifndef NOISE_H
#define NOISE_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#define NOISE_DHLEN	32
#define NOISE_HASHLEN	64
#define NOISE_KEYLEN	32
#define NOISE_TAGLEN	16
#define NOISE_PSKLEN	32
#define NOISE_PROTOCOL	"Noise_IK_25519_ChaChaPoly_BLAKE2b"
#define NOISE_PROTOCOL_PSK2 "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2b"

struct noise_cipher {
	uint8_t		k[NOISE_KEYLEN];
	uint64_t	n;
	int		has_key;
};

/*
 * The static-static DH of a remote static key, computed once per peer
 * by the caller: returns its 32 bytes, or NULL when the key is not one
 * of the caller's peers (the handshake fails there, before any more
 * work).
 */
typedef const uint8_t *(*noise_ss_fn)(void *, const uint8_t[NOISE_DHLEN]);

/*
 * The Diffie-Hellman of the local static private key with a public
 * point, out = DH(s, pub), from whoever holds the key: in bondd the
 * parent, asked over IPC, as linkd never holds it.  0, or -1 when it
 * is refused (a low-order point, a holder that did not answer) with
 * out zeroed.
 */
typedef int	(*noise_sdh_fn)(void *, uint8_t out[NOISE_DHLEN],
		    const uint8_t pub[NOISE_DHLEN]);

struct noise_hs {
	int		initiator;
	int		msg_index;	/* next message of the pattern */
	uint8_t		h[NOISE_HASHLEN];
	uint8_t		ck[NOISE_HASHLEN];
	struct noise_cipher cs;
	noise_sdh_fn	sdh;		/* DH with the static private key */
	void		*sdh_arg;
	uint8_t		s_pub[NOISE_DHLEN];
	uint8_t		e_priv[NOISE_DHLEN], e_pub[NOISE_DHLEN];
	uint8_t		rs[NOISE_DHLEN], re[NOISE_DHLEN];
	int		has_e;		/* fixed ephemeral (tests) */
	int		psk2;		/* IKpsk2: fixed by noise_hs_init */
	int		has_psk;	/* psk set: needed by message 2 */
	uint8_t		psk[NOISE_PSKLEN];
	noise_ss_fn	ss_fn;		/* precomputed static-static DH */
	void		*ss_arg;
};

/* Start a handshake.  sdh does each DH with the static private key
 * (see noise_sdh_fn), s_pub is that key's public key; rs is the
 * responder's static key (initiator only, NULL for the responder).
 * Each handshake calls sdh once ("es" of the responder, "se" of the
 * initiator), twice without noise_hs_set_ss().  psk2: run
 * IKpsk2 rather than IK; the two differ from message 1 on, so both
 * sides must choose the same, and the key itself must be given with
 * noise_hs_set_psk() before message 2. */
int	noise_hs_init(struct noise_hs *, int initiator,
	    const uint8_t *prologue, size_t prologue_len,
	    noise_sdh_fn sdh, void *sdh_arg, const uint8_t s_pub[NOISE_DHLEN],
	    const uint8_t *rs, int psk2);
/* IKpsk2: the pre-shared key, mixed in at the end of message 2.  The
 * responder learns whose key to use only from message 1. */
void	noise_hs_set_psk(struct noise_hs *, const uint8_t[NOISE_PSKLEN]);
/* Another callback for the static key's DH from now on. */
void	noise_hs_set_sdh(struct noise_hs *, noise_sdh_fn, void *);
/* Take "ss" from fn instead of computing it (see noise_ss_fn). */
void	noise_hs_set_ss(struct noise_hs *, noise_ss_fn, void *);
/* Tests only: use this ephemeral private key instead of a random one. */
void	noise_hs_set_ephemeral(struct noise_hs *, const uint8_t[NOISE_DHLEN]);
/* Write the next message (-> e, es, s, ss / <- e, ee, se, and psk for
 * IKpsk2) with payload.
 * Returns the message length or -1. */
ssize_t	noise_hs_write(struct noise_hs *, const uint8_t *payload,
	    size_t payload_len, uint8_t *out, size_t out_size);
/* Read the next message; writes the decrypted payload.  Returns the
 * payload length or -1 (authentication failure or bad length). */
ssize_t	noise_hs_read(struct noise_hs *, const uint8_t *msg, size_t len,
	    uint8_t *payload, size_t payload_size);
/* After both messages: the two transport keys.  For the initiator
 * send = c1, recv = c2; for the responder the reverse. */
int	noise_hs_split(struct noise_hs *, uint8_t send[NOISE_KEYLEN],
	    uint8_t recv[NOISE_KEYLEN]);
/* The remote static key learnt by the responder after message 1. */
const uint8_t *noise_hs_remote_static(const struct noise_hs *);
void	noise_hs_hash(const struct noise_hs *, uint8_t[NOISE_HASHLEN]);
void	noise_hs_wipe(struct noise_hs *);

/*
 * Transport: ChaCha20-Poly1305 IETF, nonce = 4 zero bytes || n (LE).
 * noise_init() first, before the sandbox (0, or -1 if OpenSSL lacks
 * the cipher); until then both calls fail.  noise_forget() overwrites
 * the last key the AEAD kept, for when keys are wiped.
 */
int	noise_init(void);
void	noise_forget(void);
int	noise_encrypt(const uint8_t k[NOISE_KEYLEN], uint64_t n,
	    const uint8_t *ad, size_t adlen, const uint8_t *in, size_t len,
	    uint8_t *out);
int	noise_decrypt(const uint8_t k[NOISE_KEYLEN], uint64_t n,
	    const uint8_t *ad, size_t adlen, const uint8_t *in, size_t len,
	    uint8_t *out);

/* X25519: 0, or -1 for a low-order peer point (an all-zero result). */
int	noise_dh(uint8_t out[NOISE_DHLEN], const uint8_t priv[NOISE_DHLEN],
	    const uint8_t pub[NOISE_DHLEN]);
/* A noise_sdh_fn for a key held in this process, arg its 32 bytes:
 * the test vectors, the unit tests and the fuzz targets. */
int	noise_sdh_key(void *, uint8_t out[NOISE_DHLEN],
	    const uint8_t pub[NOISE_DHLEN]);
/* X25519 keys: public from private; a new private key. */
int	noise_pubkey(uint8_t pub[NOISE_DHLEN], const uint8_t priv[NOISE_DHLEN]);
void	noise_genkey(uint8_t priv[NOISE_DHLEN]);

#endif /* NOISE_H */
