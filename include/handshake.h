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
 * bondd's handshake on top of Noise IK (IKpsk2 with a pre-shared
 * key): building and checking the HANDSHAKE_INIT and HANDSHAKE_RESP
 * datagrams of wire.h, including mac1 (checked before any
 * Diffie-Hellman) and the prologue.  Runs in linkd on untrusted bytes;
 * allocates nothing.
 */

#ifndef HANDSHAKE_H
#define HANDSHAKE_H

#include <stddef.h>
#include <stdint.h>

#include "noise.h"
#include "wire.h"

#define HANDSHAKE_PROLOGUE	"bondd handshake v1"

/* The Noise patterns a responder tries on an INIT: IK for peers
 * without a pre-shared key, IKpsk2 for peers with one. */
#define HS_TRY_IK	0x1
#define HS_TRY_IKPSK2	0x2

/* Keys one endpoint derives from its own static private key. */
struct hs_local {
	uint8_t		priv[NOISE_DHLEN];
	uint8_t		pub[NOISE_DHLEN];
	uint8_t		mac1_key[32];	/* to check mac1 of what we receive */
};

/* Derive pub and mac1_key from priv. */
int	handshake_local_init(struct hs_local *, const uint8_t[NOISE_DHLEN]);
/* mac1 key of a remote static key (what we put on what we send). */
void	handshake_mac1_key(uint8_t[32], const uint8_t[NOISE_DHLEN]);

/* The static-static DH with a peer, computed once when the peer is
 * configured: 0, or -1 for a key no handshake can use. */
int	handshake_ss(uint8_t ss[NOISE_DHLEN], const struct hs_local *,
	    const uint8_t rs[NOISE_DHLEN]);

/*
 * Initiator: write an INIT into out (WIRE_INIT_LEN bytes, mac2 zero:
 * cookie_mac2_put() writes it) and keep the handshake state in hs.
 * remote_mac1_key = handshake_mac1_key(rs), ss = handshake_ss(rs);
 * psk: the peer's pre-shared key (IKpsk2), or NULL (IK).
 */
int	handshake_init_create(struct noise_hs *, const struct hs_local *,
	    const uint8_t rs[NOISE_DHLEN], const uint8_t ss[NOISE_DHLEN],
	    const uint8_t *psk, const uint8_t remote_mac1_key[32],
	    uint32_t sender_index, const struct wire_init_payload *,
	    uint8_t out[WIRE_INIT_LEN]);

/* Responder: decode an INIT and check its mac1 (no Diffie-Hellman).
 * 0, or -1 with *why set as below. */
int	handshake_init_check(const struct hs_local *, const uint8_t *, size_t,
	    struct wire_init *, const char **why);

/*
 * Responder: check mac1, then run Noise message 1, taking "ss" from
 * ss_fn, which also refuses a static key that is no peer's.  The
 * patterns of `try` (HS_TRY_*) are tried in turn, IKpsk2 first: the
 * initiator's choice is only known from which one decrypts.  On
 * success hs holds the state (hs->psk2 says which pattern; the caller
 * checks it is the peer's and gives the peer's key with
 * noise_hs_set_psk()), *init the decoded fields, *payload the
 * decrypted payload, and noise_hs_remote_static(hs) the initiator's
 * static key, the one ss_fn accepted.
 * Returns 0, or -1 with *why set ("mac1", "decrypt", "length", or
 * "version", "type", "reserved", "payload").  A datagram refused
 * before Noise (length, prefix, mac1) leaves hs untouched: no DH ran.
 */
int	handshake_init_consume(struct noise_hs *, const struct hs_local *,
	    noise_ss_fn ss_fn, void *ss_arg, int try,
	    const uint8_t *, size_t, struct wire_init *,
	    struct wire_init_payload *, const char **why);

/* Responder: write a RESP (WIRE_RESP_LEN bytes), then split keys.
 * IKpsk2 needs the pre-shared key set in hs by now. */
int	handshake_resp_create(struct noise_hs *,
	    const uint8_t initiator_mac1_key[32], uint32_t sender_index,
	    uint32_t receiver_index, uint8_t out[WIRE_RESP_LEN],
	    uint8_t send_key[NOISE_KEYLEN], uint8_t recv_key[NOISE_KEYLEN]);

/* Initiator: check mac1 and run Noise message 2, then split keys.
 * On failure (*why as above) hs is unchanged: the handshake in flight
 * survives a forged RESP. */
int	handshake_resp_consume(struct noise_hs *, const struct hs_local *,
	    const uint8_t *, size_t, struct wire_resp *,
	    uint8_t send_key[NOISE_KEYLEN], uint8_t recv_key[NOISE_KEYLEN],
	    const char **why);

/* TAI64N of the wall clock, big-endian, for the INIT payload. */
void	handshake_tai64n(uint8_t[12]);

#endif /* HANDSHAKE_H */
