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
 * The inner frame: the plaintext of a DATA datagram (wire.h), what two
 * cores, or the two linkd processes of a link, say to each other.  All
 * multi-byte fields are little-endian; man/bondd.8 WIRE PROTOCOL tells
 * the same to the user and tests/unit/check_frame.c holds golden bytes.
 *
 *   header (16 bytes): kind u8, flags u8, epoch u16, seq u32,
 *                      send_ts_us u32, link_prev u16, flow_dep u16
 *     epoch: random per core start, never 0, so that a restarted
 *     peer's new sequence numbers are not mistaken for old ones; 0 in
 *     linkd's own frames
 *     flags: INNER_F_RESENT, a second copy made because the first was
 *     lost or its link failed; INNER_F_DEP_ALL, the frame's packets
 *     wait for every earlier frame; other bits 0
 *     link_prev: DATA, seq minus the sequence of the previous DATA
 *     frame sent on the same link, 0 = unknown or none: the frame
 *     left ahead of frames numbered before it that wait in the link's
 *     queue (links keep order: a receiver that misses the one named
 *     knows it lost)
 *     flow_dep: DATA without INNER_F_DEP_ALL, seq minus the sequence
 *     of the frame its flow waits for, 0 = the flow's first frame
 *   kind DATA: one or more records of (len u16, IP packet[len]);
 *              core to core.  The top bit of len is
 *              INNER_REC_CSUM_LEFT: the packet is a TCP or UDP segment
 *              whose checksum field holds the pseudo-header's sum only
 *              (the sender cut it from a super-packet its kernel left
 *              the checksum of), for the receiver to complete or to
 *              leave to its own kernel; the low 15 bits are the length
 *   kind KEEPALIVE: nothing more; linkd to linkd
 *   kind PROBE: struct wire_probe (WIRE_PROBE_LEN bytes, wire.h);
 *              linkd to linkd
 *   kind NACK: count u16, reserved u16 (0), then count sequence
 *              numbers u32 that the sending core misses; core to core
 *   kind FEC: a Reed-Solomon parity frame (bondd/fec.h): first u32, n
 *              u8, k u8, count u8, idx u8, then the parity symbol;
 *              core to core
 *
 * Used by the core and by linkd on frames linkd authenticated, every
 * length still checked, as a linkd is trusted no more than the
 * network; the parent takes the overhead figures for the TUN MTU.
 * Holds no secrets.
 */

#ifndef FRAME_H
#define FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"

#define INNER_HDR_LEN		16
#define INNER_REC_HDR_LEN	2
#define INNER_REC_CSUM_LEFT	0x8000	/* in a record's len field */
#define INNER_REC_LEN_MAX	0x7fff
#define INNER_NACK_HDR_LEN	4
#define INNER_NACK_MAX		64	/* sequence numbers in one NACK */
#define INNER_NACK_LEN(n)	(INNER_NACK_HDR_LEN + (size_t)(n) * 4)

enum inner_kind {
	INNER_DATA = 1,
	INNER_KEEPALIVE = 2,
	INNER_PROBE = 3,
	INNER_NACK = 4,
	INNER_FEC = 5
};

#define INNER_F_RESENT		0x01
#define INNER_F_DEP_ALL		0x02
#define INNER_F_ALL		(INNER_F_RESENT | INNER_F_DEP_ALL)

struct inner_hdr {
	uint8_t		kind;
	uint8_t		flags;
	uint16_t	epoch;
	uint32_t	seq;
	uint32_t	send_ts_us;
	uint16_t	link_prev;
	uint16_t	flow_dep;
};

/*
 * What a packet costs on the wire besides itself.  Around the inner
 * frame: the outer IP header (20 bytes over IPv4, 40 over IPv6), UDP
 * (8), the DATA header and the AEAD tag.  Inside it: the inner header
 * and the packet's record header.  A link of MTU m thus carries packets
 * of m - outer - FRAME_INNER_OVERHEAD bytes unfragmented.
 */
#define FRAME_OUTER_OVERHEAD4	(20 + 8 + WIRE_DATA_HDR_LEN + WIRE_TAG_LEN)
#define FRAME_OUTER_OVERHEAD6	(40 + 8 + WIRE_DATA_HDR_LEN + WIRE_TAG_LEN)
#define FRAME_INNER_OVERHEAD	(INNER_HDR_LEN + INNER_REC_HDR_LEN)
/* A packet alone in a frame on an IPv4 link: what the scheduler
 * charges a link per packet (the core does not know its family). */
#define FRAME_PACKET_OVERHEAD4	(FRAME_OUTER_OVERHEAD4 + FRAME_INNER_OVERHEAD)

/* The outer overhead of a link of that family: IPv6 for AF_INET6,
 * else IPv4. */
uint32_t frame_outer_overhead(int family);

size_t	inner_hdr_encode(uint8_t *, const struct inner_hdr *);
/* WIRE_OK, WIRE_ESHORT, WIRE_ETYPE (an unknown kind) or
 * WIRE_ERESERVED (an unknown flag). */
int	inner_hdr_decode(const uint8_t *, size_t, struct inner_hdr *);
/* 1 if len bytes hold an inner header of a kind the cores exchange
 * (DATA, NACK or FEC), else 0. */
int	frame_is_core(const uint8_t *, size_t);

/*
 * The records of a DATA frame, after its inner header.  frame_rec_put
 * appends one at *off (0 if it does not fit in size) with flags (0 or
 * INNER_REC_CSUM_LEFT); frame_rec_next reads the one at *off: 1 with
 * pkt/len/flags, 0 at the end, -1 if a record is empty or overruns the
 * frame.
 */
size_t	frame_rec_put(uint8_t *, size_t size, size_t *off, const uint8_t *,
	    size_t, unsigned int flags);
int	frame_rec_next(const uint8_t *, size_t, size_t *off,
	    const uint8_t **, size_t *, unsigned int *flags);

/*
 * The body of a NACK frame, after its inner header.  frame_nack_put
 * writes n (at most INNER_NACK_MAX) sequence numbers and returns
 * INNER_NACK_LEN(n); frame_nack_get reads a body of len bytes into seqs
 * (room for INNER_NACK_MAX) and *n: 0, or -1 if it is short, claims
 * more than INNER_NACK_MAX, or its length disagrees with its count.
 * The reserved field is not looked at.
 */
size_t	frame_nack_put(uint8_t *, const uint32_t *seqs, size_t n);
int	frame_nack_get(const uint8_t *, size_t, uint32_t *seqs, size_t *n);

#endif /* FRAME_H */
