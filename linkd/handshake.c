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
 * bondd's handshake datagrams on top of Noise IK, or IKpsk2 for a
 * peer with a pre-shared key: HANDSHAKE_INIT and HANDSHAKE_RESP with
 * their cleartext indices and mac1.  mac1 is checked first, in
 * constant time, so junk and messages for another key cost a BLAKE2b
 * and no Diffie-Hellman.  Runs unprivileged in linkd on untrusted
 * datagrams; holds the static private key, the handshake state and a
 * copy of the peer's pre-shared key, wiped when no longer needed.
 * Allocates nothing.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "handshake.h"

#define MAC1_LABEL	"mac1----"
#define MSG1_LEN	(32 + 48 + WIRE_INIT_PAYLOAD + NOISE_TAGLEN)
#define MSG2_LEN	(32 + NOISE_TAGLEN)
#define INIT_NOISE_OFF	(WIRE_PREFIX_LEN + 4)
#define RESP_NOISE_OFF	(WIRE_PREFIX_LEN + 8)
#define INIT_MAC1_OFF	(WIRE_INIT_LEN - 2 * WIRE_MAC_LEN)
#define TAI64_BASE	(((uint64_t)1 << 62) + 10)

void
handshake_mac1_key(uint8_t key[32], const uint8_t pub[NOISE_DHLEN])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, (const uint8_t *)MAC1_LABEL,
	    sizeof(MAC1_LABEL) - 1);
	crypto_generichash_update(&st, pub, NOISE_DHLEN);
	crypto_generichash_final(&st, key, 32);
}

int
handshake_local_init(struct hs_local *l, const uint8_t priv[NOISE_DHLEN])
{
	memcpy(l->priv, priv, NOISE_DHLEN);
	if (noise_pubkey(l->pub, l->priv) == -1) {
		sodium_memzero(l, sizeof(*l));
		return (-1);
	}
	handshake_mac1_key(l->mac1_key, l->pub);
	return (0);
}

int
handshake_ss(uint8_t ss[NOISE_DHLEN], const struct hs_local *l,
    const uint8_t rs[NOISE_DHLEN])
{
	return (noise_dh(ss, l->priv, rs));
}

/* The initiator's only peer: its ss, whatever rs (it set rs itself). */
static const uint8_t *
ss_fixed(void *arg, const uint8_t rs[NOISE_DHLEN])
{
	(void)rs;
	return (arg);
}

/* mac1 over the len bytes before it, written or checked at msg + len. */
static void
mac1_compute(uint8_t mac[WIRE_MAC_LEN], const uint8_t key[32],
    const uint8_t *msg, size_t len)
{
	crypto_generichash(mac, WIRE_MAC_LEN, msg, len, key, 32);
}

static int
mac1_check(const uint8_t key[32], const uint8_t *msg, size_t len)
{
	uint8_t mac[WIRE_MAC_LEN];

	mac1_compute(mac, key, msg, len - WIRE_MAC_LEN);
	return (sodium_memcmp(mac, msg + len - WIRE_MAC_LEN, WIRE_MAC_LEN));
}

/* Reason for a wire decoder error, for the caller's log line. */
static const char *
decode_why(int rv)
{
	switch (rv) {
	case WIRE_EVERSION:
		return ("version");
	case WIRE_ETYPE:
		return ("type");
	case WIRE_ERESERVED:
		return ("reserved");
	default:
		return ("length");
	}
}

int
handshake_init_create(struct noise_hs *hs, const struct hs_local *l,
    const uint8_t rs[NOISE_DHLEN], const uint8_t ss[NOISE_DHLEN],
    const uint8_t *psk, const uint8_t remote_mac1_key[32],
    uint32_t sender_index, const struct wire_init_payload *pl,
    uint8_t out[WIRE_INIT_LEN])
{
	struct wire_init w;
	uint8_t plain[WIRE_INIT_PAYLOAD], msg[MSG1_LEN];
	ssize_t n;

	if (noise_hs_init(hs, 1, (const uint8_t *)HANDSHAKE_PROLOGUE,
	    sizeof(HANDSHAKE_PROLOGUE) - 1, l->priv, l->pub, rs,
	    psk != NULL) == -1)
		return (-1);
	if (psk != NULL)
		noise_hs_set_psk(hs, psk);
	noise_hs_set_ss(hs, ss_fixed, (void *)(uintptr_t)ss);
	wire_init_payload_encode(plain, pl);
	n = noise_hs_write(hs, plain, sizeof(plain), msg, sizeof(msg));
	sodium_memzero(plain, sizeof(plain));
	if (n != MSG1_LEN) {
		noise_hs_wipe(hs);
		return (-1);
	}
	memset(&w, 0, sizeof(w));
	w.sender_index = sender_index;
	memcpy(w.ephemeral, msg, sizeof(w.ephemeral));
	memcpy(w.static_enc, msg + 32, sizeof(w.static_enc));
	memcpy(w.payload_enc, msg + 80, sizeof(w.payload_enc));
	wire_init_encode(out, &w);
	mac1_compute(out + INIT_MAC1_OFF, remote_mac1_key, out,
	    INIT_MAC1_OFF);
	return (0);
}

int
handshake_init_check(const struct hs_local *l, const uint8_t *buf,
    size_t len, struct wire_init *w, const char **why)
{
	int	rv;

	if ((rv = wire_init_decode(buf, len, w)) != WIRE_OK) {
		*why = decode_why(rv);
		return (-1);
	}
	/* mac1 is not the last field of an INIT: mac2 follows. */
	if (mac1_check(l->mac1_key, buf, len - WIRE_MAC_LEN) != 0) {
		*why = "mac1";
		return (-1);
	}
	return (0);
}

/*
 * A datagram refused for its length, prefix or mac1 never reaches
 * Noise and leaves hs untouched; one refused by Noise leaves hs wiped.
 */
int
handshake_init_consume(struct noise_hs *hs, const struct hs_local *l,
    noise_ss_fn ss_fn, void *ss_arg, int try, const uint8_t *buf,
    size_t len, struct wire_init *w, struct wire_init_payload *pl,
    const char **why)
{
	static const int order[] = { HS_TRY_IKPSK2, HS_TRY_IK };
	uint8_t plain[WIRE_INIT_PAYLOAD];
	size_t i;
	int rv, ok = 0;

	if (handshake_init_check(l, buf, len, w, why) == -1)
		return (-1);
	for (i = 0; i < sizeof(order) / sizeof(order[0]) && !ok; i++) {
		if ((try & order[i]) == 0)
			continue;
		if (noise_hs_init(hs, 0, (const uint8_t *)HANDSHAKE_PROLOGUE,
		    sizeof(HANDSHAKE_PROLOGUE) - 1, l->priv, l->pub, NULL,
		    order[i] == HS_TRY_IKPSK2) == -1) {
			*why = "key";
			return (-1);
		}
		noise_hs_set_ss(hs, ss_fn, ss_arg);
		ok = noise_hs_read(hs, buf + INIT_NOISE_OFF, MSG1_LEN, plain,
		    sizeof(plain)) == WIRE_INIT_PAYLOAD;
		if (!ok)
			noise_hs_wipe(hs);
	}
	if (!ok) {
		*why = "decrypt";
		return (-1);
	}
	rv = wire_init_payload_decode(plain, sizeof(plain), pl);
	sodium_memzero(plain, sizeof(plain));
	if (rv != WIRE_OK) {
		noise_hs_wipe(hs);
		*why = "payload";
		return (-1);
	}
	return (0);
}

int
handshake_resp_create(struct noise_hs *hs,
    const uint8_t initiator_mac1_key[32], uint32_t sender_index,
    uint32_t receiver_index, uint8_t out[WIRE_RESP_LEN],
    uint8_t send_key[NOISE_KEYLEN], uint8_t recv_key[NOISE_KEYLEN])
{
	struct wire_resp w;
	uint8_t msg[MSG2_LEN];

	if (noise_hs_write(hs, NULL, 0, msg, sizeof(msg)) != MSG2_LEN)
		return (-1);
	memset(&w, 0, sizeof(w));
	w.sender_index = sender_index;
	w.receiver_index = receiver_index;
	memcpy(w.ephemeral, msg, sizeof(w.ephemeral));
	memcpy(w.payload_enc, msg + 32, sizeof(w.payload_enc));
	wire_resp_encode(out, &w);
	mac1_compute(out + WIRE_RESP_LEN - WIRE_MAC_LEN, initiator_mac1_key,
	    out, WIRE_RESP_LEN - WIRE_MAC_LEN);
	return (noise_hs_split(hs, send_key, recv_key));
}

/*
 * On any failure hs is left as it was, so a forged RESP cannot abort
 * the handshake in flight.
 */
int
handshake_resp_consume(struct noise_hs *hs, const struct hs_local *l,
    const uint8_t *buf, size_t len, struct wire_resp *w,
    uint8_t send_key[NOISE_KEYLEN], uint8_t recv_key[NOISE_KEYLEN],
    const char **why)
{
	int rv;

	if ((rv = wire_resp_decode(buf, len, w)) != WIRE_OK) {
		*why = decode_why(rv);
		return (-1);
	}
	if (mac1_check(l->mac1_key, buf, len) != 0) {
		*why = "mac1";
		return (-1);
	}
	if (noise_hs_read(hs, buf + RESP_NOISE_OFF, MSG2_LEN, NULL, 0) != 0) {
		*why = "decrypt";
		return (-1);
	}
	if (noise_hs_split(hs, send_key, recv_key) == -1) {
		*why = "state";
		return (-1);
	}
	return (0);
}

void
handshake_tai64n(uint8_t out[12])
{
	struct timespec ts;
	uint64_t sec;
	uint32_t nsec;
	int i;

	clock_gettime(CLOCK_REALTIME, &ts);
	sec = TAI64_BASE + (uint64_t)ts.tv_sec;
	nsec = (uint32_t)ts.tv_nsec;
	for (i = 0; i < 8; i++)
		out[i] = (uint8_t)(sec >> (56 - 8 * i));
	for (i = 0; i < 4; i++)
		out[8 + i] = (uint8_t)(nsec >> (24 - 8 * i));
}
