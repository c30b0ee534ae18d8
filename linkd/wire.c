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
 * Encoders and decoders of the UDP wire format in wire.h.  Byte order
 * is spelled out with shifts so that nothing depends on the host or on
 * struct layout.  Runs in linkd on untrusted datagrams: every decoder
 * checks length, version, type and reserved bits before reading a
 * field, and a decoded message encodes back to the same bytes.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "frame.h"
#include "linkinfo.h"
#include "wire.h"

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void
put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint16_t
get16(const uint8_t *p)
{
	return ((uint16_t)(p[0] | (p[1] << 8)));
}

static uint32_t
get32(const uint8_t *p)
{
	return ((uint32_t)p[0] | (uint32_t)p[1] << 8 |
	    (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

static uint64_t
get64(const uint8_t *p)
{
	return ((uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32);
}

static size_t
prefix_encode(uint8_t *p, enum wire_type type)
{
	p[0] = WIRE_VERSION;
	p[1] = (uint8_t)type;
	put16(p + 2, 0);
	return (WIRE_PREFIX_LEN);
}

/*
 * The version is judged first: a peer speaking another version may
 * have laid out everything else differently.
 */
int
wire_type(const uint8_t *p, size_t len)
{
	if (len < WIRE_PREFIX_LEN)
		return (WIRE_ESHORT);
	if (p[0] != WIRE_VERSION)
		return (WIRE_EVERSION);
	switch (p[1]) {
	case WIRE_HANDSHAKE_INIT:
	case WIRE_HANDSHAKE_RESP:
	case WIRE_COOKIE_REPLY:
	case WIRE_DATA:
		break;
	default:
		return (WIRE_ETYPE);
	}
	if (get16(p + 2) != 0)
		return (WIRE_ERESERVED);
	return (p[1]);
}

/* Prefix of the wanted type and an exact or minimum length. */
static int
check(const uint8_t *p, size_t len, enum wire_type want, size_t need,
    int exact)
{
	int t;

	if ((t = wire_type(p, len)) < 0)
		return (t);
	if (t != (int)want)
		return (WIRE_ETYPE);
	if (len < need)
		return (WIRE_ESHORT);
	if (exact && len != need)
		return (WIRE_ELEN);
	return (WIRE_OK);
}

size_t
wire_init_encode(uint8_t *p, const struct wire_init *m)
{
	size_t off;

	off = prefix_encode(p, WIRE_HANDSHAKE_INIT);
	put32(p + off, m->sender_index);
	off += 4;
	memcpy(p + off, m->ephemeral, sizeof(m->ephemeral));
	off += sizeof(m->ephemeral);
	memcpy(p + off, m->static_enc, sizeof(m->static_enc));
	off += sizeof(m->static_enc);
	memcpy(p + off, m->payload_enc, sizeof(m->payload_enc));
	off += sizeof(m->payload_enc);
	memcpy(p + off, m->mac1, sizeof(m->mac1));
	off += sizeof(m->mac1);
	memcpy(p + off, m->mac2, sizeof(m->mac2));
	off += sizeof(m->mac2);
	return (off);
}

int
wire_init_decode(const uint8_t *p, size_t len, struct wire_init *m)
{
	size_t off = WIRE_PREFIX_LEN;
	int rv;

	if ((rv = check(p, len, WIRE_HANDSHAKE_INIT, WIRE_INIT_LEN, 1)) != 0)
		return (rv);
	m->sender_index = get32(p + off);
	off += 4;
	memcpy(m->ephemeral, p + off, sizeof(m->ephemeral));
	off += sizeof(m->ephemeral);
	memcpy(m->static_enc, p + off, sizeof(m->static_enc));
	off += sizeof(m->static_enc);
	memcpy(m->payload_enc, p + off, sizeof(m->payload_enc));
	off += sizeof(m->payload_enc);
	memcpy(m->mac1, p + off, sizeof(m->mac1));
	off += sizeof(m->mac1);
	memcpy(m->mac2, p + off, sizeof(m->mac2));
	return (WIRE_OK);
}

size_t
wire_resp_encode(uint8_t *p, const struct wire_resp *m)
{
	size_t off;

	off = prefix_encode(p, WIRE_HANDSHAKE_RESP);
	put32(p + off, m->sender_index);
	put32(p + off + 4, m->receiver_index);
	off += 8;
	memcpy(p + off, m->ephemeral, sizeof(m->ephemeral));
	off += sizeof(m->ephemeral);
	memcpy(p + off, m->payload_enc, sizeof(m->payload_enc));
	off += sizeof(m->payload_enc);
	memcpy(p + off, m->mac1, sizeof(m->mac1));
	off += sizeof(m->mac1);
	return (off);
}

int
wire_resp_decode(const uint8_t *p, size_t len, struct wire_resp *m)
{
	size_t off = WIRE_PREFIX_LEN;
	int rv;

	if ((rv = check(p, len, WIRE_HANDSHAKE_RESP, WIRE_RESP_LEN, 1)) != 0)
		return (rv);
	m->sender_index = get32(p + off);
	m->receiver_index = get32(p + off + 4);
	off += 8;
	memcpy(m->ephemeral, p + off, sizeof(m->ephemeral));
	off += sizeof(m->ephemeral);
	memcpy(m->payload_enc, p + off, sizeof(m->payload_enc));
	off += sizeof(m->payload_enc);
	memcpy(m->mac1, p + off, sizeof(m->mac1));
	return (WIRE_OK);
}

size_t
wire_data_hdr_encode(uint8_t *p, const struct wire_data_hdr *h)
{
	size_t off;

	off = prefix_encode(p, WIRE_DATA);
	put32(p + off, h->receiver_index);
	put64(p + off + 4, h->counter);
	return (off + 12);
}

/* The datagram must hold at least a tag and an inner header. */
int
wire_data_hdr_decode(const uint8_t *p, size_t len, struct wire_data_hdr *h)
{
	int rv;

	if ((rv = check(p, len, WIRE_DATA, WIRE_DATA_HDR_LEN + WIRE_TAG_LEN +
	    INNER_HDR_LEN, 0)) != 0)
		return (rv);
	h->receiver_index = get32(p + WIRE_PREFIX_LEN);
	h->counter = get64(p + WIRE_PREFIX_LEN + 4);
	return (WIRE_OK);
}

void
wire_init_payload_encode(uint8_t *p, const struct wire_init_payload *pl)
{
	size_t n;

	p[0] = pl->link_id;
	p[1] = pl->flags;
	n = strnlen(pl->link_name, sizeof(pl->link_name) - 1);
	memset(p + 2, 0, sizeof(pl->link_name));
	memcpy(p + 2, pl->link_name, n);
	memcpy(p + 2 + sizeof(pl->link_name), pl->tai64n,
	    sizeof(pl->tai64n));
}

/* The name must end in NUL padding, so it is a C string and canonical. */
int
wire_init_payload_decode(const uint8_t *p, size_t len,
    struct wire_init_payload *pl)
{
	const uint8_t *name = p + 2;
	size_t i, n;

	if (len < WIRE_INIT_PAYLOAD)
		return (WIRE_ESHORT);
	if (len != WIRE_INIT_PAYLOAD)
		return (WIRE_ELEN);
	for (n = 0; n < sizeof(pl->link_name) && name[n] != '\0'; n++)
		;
	if (n == sizeof(pl->link_name))
		return (WIRE_ENAME);
	for (i = n; i < sizeof(pl->link_name); i++)
		if (name[i] != '\0')
			return (WIRE_ENAME);
	pl->link_id = p[0];
	pl->flags = p[1];
	memcpy(pl->link_name, name, sizeof(pl->link_name));
	memcpy(pl->tai64n, name + sizeof(pl->link_name), sizeof(pl->tai64n));
	return (WIRE_OK);
}

size_t
wire_probe_encode(uint8_t *p, const struct wire_probe *m)
{
	put32(p, m->seq);
	put64(p + 4, m->tx_us);
	put32(p + 12, m->echo_seq);
	put64(p + 16, m->echo_tx_us);
	put32(p + 24, m->echo_hold_us);
	put32(p + 28, m->rx_loss_ppm);
	put64(p + 32, m->rx_bytes);
	put32(p + 40, (uint32_t)m->owd_us);
	put64(p + 44, m->rate_bps);
	p[52] = m->priority;
	p[53] = m->flags;
	p[54] = m->state;
	p[55] = 0;
	put64(p + 56, m->quota_bytes);
	put32(p + 64, (uint32_t)m->owd_recent_us);
	return (WIRE_PROBE_LEN);
}

/*
 * Exactly one probe: unknown flags, a state we do not know and the
 * reserved byte are refused, so a decoded probe encodes back the same.
 * Values (loss above a million ppm, ...) are the caller's to judge.
 */
int
wire_probe_decode(const uint8_t *p, size_t len, struct wire_probe *m)
{
	if (len < WIRE_PROBE_LEN)
		return (WIRE_ESHORT);
	if (len != WIRE_PROBE_LEN)
		return (WIRE_ELEN);
	if ((p[53] & ~(WIRE_PROBE_BACKUP | WIRE_PROBE_ASK)) != 0 || p[54] >= LINK_STATE_MAX ||
	    p[55] != 0)
		return (WIRE_ERESERVED);
	m->seq = get32(p);
	m->tx_us = get64(p + 4);
	m->echo_seq = get32(p + 12);
	m->echo_tx_us = get64(p + 16);
	m->echo_hold_us = get32(p + 24);
	m->rx_loss_ppm = get32(p + 28);
	m->rx_bytes = get64(p + 32);
	m->owd_us = (int32_t)get32(p + 40);
	m->rate_bps = get64(p + 44);
	m->priority = p[52];
	m->flags = p[53];
	m->state = p[54];
	m->quota_bytes = get64(p + 56);
	m->owd_recent_us = (int32_t)get32(p + 64);
	return (WIRE_OK);
}

const char *
wire_strerror(int e)
{
	switch (e) {
	case WIRE_OK:
		return ("ok");
	case WIRE_ESHORT:
		return ("message too short");
	case WIRE_EVERSION:
		return ("unsupported protocol version");
	case WIRE_ETYPE:
		return ("unknown message type");
	case WIRE_ELEN:
		return ("bad message length");
	case WIRE_ERESERVED:
		return ("reserved bits set");
	case WIRE_ENAME:
		return ("bad link name");
	default:
		return ("unknown wire error");
	}
}
