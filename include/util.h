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
 * Small helpers every process uses: addresses, prefixes, keys in
 * base64, monotonic time.
 */

#ifndef UTIL_H
#define UTIL_H

#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define ADDR_STRLEN	64	/* "[v6]:port" with room to spare */
#define KEY_B64_LEN	45	/* 44 characters and NUL */

/* "198.18.0.1:5800", "[2001:db8::1]:5800", or an address alone when
 * default_port is not 0.  0 or -1. */
int		 addr_parse(const char *, uint16_t default_port,
		    struct sockaddr_storage *);
/* An address without a port: 0 or -1. */
int		 addr_parse_host(const char *, struct sockaddr_storage *);
const char	*addr_fmt(const struct sockaddr_storage *, char *, size_t);
/* The address alone, without brackets or port. */
const char	*addr_fmt_host(const struct sockaddr_storage *, char *, size_t);
socklen_t	 addr_len(const struct sockaddr_storage *);
int		 addr_equal(const struct sockaddr_storage *,
		    const struct sockaddr_storage *);

/* "198.18.0.0/15", "2001:db8::/32"; an address alone is a host
 * prefix.  Host bits may be set (a tunnel address keeps them). */
int		 prefix_parse(const char *, struct conf_prefix *);
const char	*prefix_fmt(const struct conf_prefix *, char *, size_t);
/* Does the address (family, network order bytes) fall in the prefix? */
int		 prefix_match(const struct conf_prefix *, int family,
		    const uint8_t *);

/* Standard base64 with padding, 44 characters for 32 bytes. */
int		 key_from_base64(uint8_t[BONDD_KEY_LEN], const char *);
void		 key_to_base64(char[KEY_B64_LEN],
		    const uint8_t[BONDD_KEY_LEN]);

uint64_t	 now_ms(void);		/* CLOCK_MONOTONIC */
uint64_t	 now_us(void);

int		 fd_nonblock(int);

#if defined(__GLIBC__) && (__GLIBC__ == 2 && __GLIBC_MINOR__ < 38)
size_t		 strlcpy(char *, const char *, size_t);
#endif

#endif /* UTIL_H */
