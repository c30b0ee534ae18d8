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
 * The UDP wire format between two linkd processes.  All multi-byte
 * fields are little-endian.  doc: man/bondd.8 WIRE PROTOCOL and
 * tests/unit/check_wire.c hold the byte offsets and golden vectors.
 *
 *   common prefix (4 bytes): version u8, type u8, reserved u16 (0)
 *
 *   HANDSHAKE_INIT  prefix, sender_index u32, ephemeral[32],
 *                   static_enc[48], payload_enc[WIRE_INIT_PAYLOAD+16],
 *                   mac1[16], mac2[16]
 *   COOKIE_REPLY    (include/cookie.h)
 *   HANDSHAKE_RESP  prefix, sender_index u32, receiver_index u32,
 *                   ephemeral[32], payload_enc[16], mac1[16]
 *   DATA            prefix, receiver_index u32, counter u64,
 *                   ciphertext of an inner frame, tag[16]
 *
 * The 16-byte DATA header is the AEAD associated data.  mac1 is keyed
 * BLAKE2b-128 over the message up to mac1, key = BLAKE2b-256("mac1----"
 * || responder static public key), so a responder can drop junk before
 * any Diffie-Hellman.  mac2 of an INIT is keyed BLAKE2b-128 over the
 * message up to mac2, keyed by a cookie (zeros without one): under
 * load the responder wants it (cookie.h).
 *
 * The inner frame, the plaintext of DATA, and what a packet costs on
 * the wire are described in frame.h.
 */

#ifndef WIRE_H
#define WIRE_H

#include <stddef.h>
#include <stdint.h>

#define WIRE_VERSION		3

enum wire_type {
	WIRE_HANDSHAKE_INIT = 1,
	WIRE_HANDSHAKE_RESP = 2,
	WIRE_COOKIE_REPLY = 3,	/* include/cookie.h */
	WIRE_DATA = 4
};

#define WIRE_PREFIX_LEN		4
#define WIRE_TAG_LEN		16
#define WIRE_MAC_LEN		16
#define WIRE_KEY_LEN		32
#define WIRE_DATA_HDR_LEN	16
/* Handshake payload: link_id u8, flags u8, link name[16], tai64n[12] */
#define WIRE_INIT_PAYLOAD	30
#define WIRE_INIT_LEN		(WIRE_PREFIX_LEN + 4 + 32 + 48 + \
				    WIRE_INIT_PAYLOAD + 16 + 2 * WIRE_MAC_LEN)
#define WIRE_RESP_LEN		(WIRE_PREFIX_LEN + 4 + 4 + 32 + 16 + \
				    WIRE_MAC_LEN)
#define WIRE_DATA_OVERHEAD	(WIRE_DATA_HDR_LEN + WIRE_TAG_LEN)

/*
 * A probe, the body of an INNER_PROBE frame (frame.h), sent on every
 * link at the probe interval, also when idle.
 * Echoing the peer's last probe gives the RTT; the counters give the
 * loss and the delivered rate of each direction.
 *   seq u32, tx_us u64, echo_seq u32, echo_tx_us u64, echo_hold_us u32,
 *   rx_loss_ppm u32, rx_bytes u64, owd_us i32, rate_bps u64,
 *   priority u8, flags u8, state u8, reserved u8, quota_bytes u64,
 *   owd_recent_us i32
 * owd_us is the least (arrival - send_ts) of the frames received in
 * the last seconds, owd_recent_us the least since the previous probe
 * (WIRE_OWD_NONE: no frame): the sender reads the queue standing at its
 * link's bottleneck from the difference.
 */
#define WIRE_PROBE_LEN		68
#define WIRE_OWD_NONE		INT32_MIN
#define WIRE_PROBE_BACKUP	0x01	/* flags: a backup link */
#define WIRE_PROBE_ASK		0x02	/* flags: answer this one at once */

struct wire_probe {
	uint32_t	seq;		/* from 1 */
	uint64_t	tx_us;		/* sender's monotonic clock */
	uint32_t	echo_seq;	/* last probe received, 0 = none */
	uint64_t	echo_tx_us;	/* its tx_us */
	uint32_t	echo_hold_us;	/* how long it waited here */
	uint32_t	rx_loss_ppm;	/* loss of what we receive here */
	uint64_t	rx_bytes;	/* bytes received on this link */
	int32_t		owd_us;		/* min(arrival - send_ts) received */
	uint64_t	rate_bps;	/* client: the link's down rate */
	uint8_t		priority;
	uint8_t		flags;
	uint8_t		state;		/* sender's enum link_state */
	uint64_t	quota_bytes;
	int32_t		owd_recent_us;	/* min since the last probe */
};

struct wire_init {
	uint32_t	sender_index;
	uint8_t		ephemeral[32];
	uint8_t		static_enc[48];
	uint8_t		payload_enc[WIRE_INIT_PAYLOAD + 16];
	uint8_t		mac1[WIRE_MAC_LEN];
	uint8_t		mac2[WIRE_MAC_LEN];
};

struct wire_resp {
	uint32_t	sender_index;
	uint32_t	receiver_index;
	uint8_t		ephemeral[32];
	uint8_t		payload_enc[16];
	uint8_t		mac1[WIRE_MAC_LEN];
};

struct wire_data_hdr {
	uint32_t	receiver_index;
	uint64_t	counter;
};

/* The cleartext handshake payload inside payload_enc of an INIT. */
struct wire_init_payload {
	uint8_t		link_id;
	uint8_t		flags;
	char		link_name[16];	/* NUL padded */
	uint8_t		tai64n[12];	/* big-endian, as WireGuard */
};

enum wire_err {
	WIRE_OK = 0,
	WIRE_ESHORT = -1,	/* shorter than its type needs */
	WIRE_EVERSION = -2,	/* other protocol version */
	WIRE_ETYPE = -3,	/* unknown type */
	WIRE_ELEN = -4,		/* length does not match the type */
	WIRE_ERESERVED = -5,	/* reserved bits set */
	WIRE_ENAME = -6		/* link name not NUL terminated and padded */
};

/* Peek at the prefix: returns the type or a negative enum wire_err. */
int	wire_type(const uint8_t *, size_t);
size_t	wire_init_encode(uint8_t *, const struct wire_init *);
int	wire_init_decode(const uint8_t *, size_t, struct wire_init *);
size_t	wire_resp_encode(uint8_t *, const struct wire_resp *);
int	wire_resp_decode(const uint8_t *, size_t, struct wire_resp *);
size_t	wire_data_hdr_encode(uint8_t *, const struct wire_data_hdr *);
int	wire_data_hdr_decode(const uint8_t *, size_t, struct wire_data_hdr *);
void	wire_init_payload_encode(uint8_t *, const struct wire_init_payload *);
int	wire_init_payload_decode(const uint8_t *, size_t,
	    struct wire_init_payload *);
size_t	wire_probe_encode(uint8_t *, const struct wire_probe *);
int	wire_probe_decode(const uint8_t *, size_t, struct wire_probe *);
const char *wire_strerror(int);

#endif /* WIRE_H */
