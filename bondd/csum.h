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
 * The Internet checksum (RFC 1071) in one place: the one's complement
 * sum of big-endian 16-bit words, the IPv4 header checksum, the TCP,
 * UDP and ICMPv6 checksums over their pseudo-header, and the
 * incremental update of RFC 1624 for a rewritten header field.  Pure
 * functions on bytes the caller has bounded; used by the core on
 * packets from the TUN device and from the peer.  Holds no secrets.
 */

#ifndef CSUM_H
#define CSUM_H

#include <stddef.h>
#include <stdint.h>

/* The sum of n bytes added to sum, not folded: a 64-bit sum of 16-bit
 * words cannot overflow for any packet. */
uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t n);
/* The sum folded to 16 bits, not complemented. */
uint16_t csum_fold(uint64_t sum);
/* The checksum of n bytes alone (ICMPv4): complemented. */
uint16_t csum_bytes(const uint8_t *p, size_t n);
/* An IPv4 header of ihl bytes, its checksum field left out. */
uint16_t csum_ip4(const uint8_t *ip, size_t ihl);
/* The pseudo-header's sum (addresses, length, protocol), folded, not
 * complemented: what a packet whose checksum is left to the device
 * holds in its checksum field. */
uint16_t csum_pseudo(const uint8_t *ip, int v6, size_t l4len, int proto);
/* A TCP, UDP or ICMPv6 packet of l4len bytes at l4 under the IP header
 * ip, with its pseudo-header: 0 when it verifies with its checksum in
 * place, else the checksum to write with the field zero. */
uint16_t csum_l4(const uint8_t *ip, int v6, const uint8_t *l4, size_t l4len,
	    int proto);
/* The checksum at ck after a 16-bit word changed from old to new. */
void	 csum_update(uint8_t *ck, uint16_t old, uint16_t new);

#endif /* CSUM_H */
