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
 * The check every IP packet passes in the core, read from the TUN
 * device or from a peer's frame, before anything else looks at it.
 * Pure logic on untrusted bytes; holds no secrets.
 */

#ifndef IPCHECK_H
#define IPCHECK_H

#include <stddef.h>
#include <stdint.h>

/* An IP packet of exactly len bytes: returns AF_INET or AF_INET6 and
 * points src and dst at its addresses, or -1. */
int	ip_check(const uint8_t *, size_t, const uint8_t **, const uint8_t **);

#endif /* IPCHECK_H */
