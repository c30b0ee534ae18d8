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
 * ICMP "fragmentation needed" (IPv4) and "packet too big" (IPv6)
 * answers for packets larger than the tunnel carries, so that path MTU
 * discovery works through the tunnel instead of tunnel datagrams being
 * fragmented.  Runs in the core on packets read from the TUN device.
 */

#ifndef ICMP_H
#define ICMP_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

/*
 * Build the ICMP error for pkt (len bytes, an IP packet too big for
 * mtu) into out.  src is the address the error comes from (the
 * tunnel's own address of that family).  Returns the length, or 0 when
 * no error may be sent (not the first fragment, DF clear, an ICMP
 * error itself, a multicast or unspecified source).
 */
size_t	icmp_too_big(const uint8_t *pkt, size_t len, uint32_t mtu,
	    const struct conf_prefix *src, uint8_t *out, size_t outsize);

#endif /* ICMP_H */
