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
 * Address, prefix and key conversions and clocks, shared by every
 * process.  Inputs come from the configuration file or from the
 * parent; nothing here resolves names or touches the network.
 */

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "util.h"

static int
port_parse(const char *s, uint16_t *port)
{
	unsigned long	 v = 0;

	if (*s == '\0' || strlen(s) > 5)
		return (-1);
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return (-1);
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (v == 0 || v > 65535)
		return (-1);
	*port = (uint16_t)v;
	return (0);
}

/* Fill ss from a literal address; port in host order. */
static int
host_parse(const char *s, uint16_t port, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		return (0);
	}
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET6, s, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		return (0);
	}
	memset(ss, 0, sizeof(*ss));
	return (-1);
}

int
addr_parse(const char *s, uint16_t default_port, struct sockaddr_storage *ss)
{
	char		 buf[ADDR_STRLEN];
	char		*host, *p;
	uint16_t	 port;

	if (strlcpy(buf, s, sizeof(buf)) >= sizeof(buf))
		return (-1);
	host = buf;
	if (buf[0] == '[') {
		/* "[v6]:port" or "[v6]" */
		if ((p = strchr(buf, ']')) == NULL)
			return (-1);
		*p++ = '\0';
		host = buf + 1;
		if (strchr(host, ':') == NULL)
			return (-1);	/* brackets are for v6 only */
		if (*p == '\0') {
			if (default_port == 0)
				return (-1);
			port = default_port;
		} else if (*p != ':' || port_parse(p + 1, &port) == -1)
			return (-1);
	} else if ((p = strchr(buf, ':')) != NULL && strchr(p + 1, ':') ==
	    NULL) {
		/* exactly one colon: "v4:port" */
		*p = '\0';
		if (port_parse(p + 1, &port) == -1)
			return (-1);
		if (host_parse(host, port, ss) == -1 || ss->ss_family !=
		    AF_INET)
			return (-1);
		return (0);
	} else {
		/* a bare v4 or v6 address */
		if (default_port == 0)
			return (-1);
		port = default_port;
	}
	return (host_parse(host, port, ss));
}

int
addr_parse_host(const char *s, struct sockaddr_storage *ss)
{
	return (host_parse(s, 0, ss));
}

const char *
addr_fmt(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6	*sin6 = (const struct sockaddr_in6 *)ss;
	char				 host[INET6_ADDRSTRLEN];

	switch (ss->ss_family) {
	case AF_INET:
		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, ntohs(sin->sin_port));
		break;
	case AF_INET6:
		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, ntohs(sin6->sin6_port));
		break;
	default:
		snprintf(buf, len, "none");
		break;
	}
	return (buf);
}

const char *
addr_fmt_host(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6	*sin6 = (const struct sockaddr_in6 *)ss;

	switch (ss->ss_family) {
	case AF_INET:
		if (inet_ntop(AF_INET, &sin->sin_addr, buf, len) == NULL)
			snprintf(buf, len, "?");
		break;
	case AF_INET6:
		if (inet_ntop(AF_INET6, &sin6->sin6_addr, buf, len) == NULL)
			snprintf(buf, len, "?");
		break;
	default:
		snprintf(buf, len, "none");
		break;
	}
	return (buf);
}

socklen_t
addr_len(const struct sockaddr_storage *ss)
{
	switch (ss->ss_family) {
	case AF_INET:
		return (sizeof(struct sockaddr_in));
	case AF_INET6:
		return (sizeof(struct sockaddr_in6));
	}
	return (0);
}

int
addr_equal(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	const struct sockaddr_in	*a4 = (const struct sockaddr_in *)a;
	const struct sockaddr_in	*b4 = (const struct sockaddr_in *)b;
	const struct sockaddr_in6	*a6 = (const struct sockaddr_in6 *)a;
	const struct sockaddr_in6	*b6 = (const struct sockaddr_in6 *)b;

	if (a->ss_family != b->ss_family)
		return (0);
	switch (a->ss_family) {
	case AF_INET:
		return (a4->sin_port == b4->sin_port &&
		    a4->sin_addr.s_addr == b4->sin_addr.s_addr);
	case AF_INET6:
		return (a6->sin6_port == b6->sin6_port &&
		    a6->sin6_scope_id == b6->sin6_scope_id &&
		    memcmp(&a6->sin6_addr, &b6->sin6_addr,
		    sizeof(a6->sin6_addr)) == 0);
	}
	return (1);	/* both unset */
}

int
prefix_parse(const char *s, struct conf_prefix *p)
{
	char		 buf[INET6_ADDRSTRLEN + 5];
	char		*slash, *c;
	unsigned int	 plen = 0, max;

	memset(p, 0, sizeof(*p));
	if (strlcpy(buf, s, sizeof(buf)) >= sizeof(buf))
		return (-1);
	if ((slash = strchr(buf, '/')) != NULL) {
		*slash++ = '\0';
		if (*slash == '\0' || strlen(slash) > 3)
			return (-1);
		for (c = slash; *c != '\0'; c++) {
			if (*c < '0' || *c > '9')
				return (-1);
			plen = plen * 10 + (unsigned int)(*c - '0');
		}
	}
	if (inet_pton(AF_INET, buf, p->addr) == 1) {
		p->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, p->addr) == 1) {
		p->family = AF_INET6;
		max = 128;
	} else {
		memset(p, 0, sizeof(*p));
		return (-1);
	}
	if (slash == NULL)
		plen = max;
	if (plen > max) {
		memset(p, 0, sizeof(*p));
		return (-1);
	}
	p->plen = (uint8_t)plen;
	return (0);
}

const char *
prefix_fmt(const struct conf_prefix *p, char *buf, size_t len)
{
	char	 host[INET6_ADDRSTRLEN];

	if ((p->family != AF_INET && p->family != AF_INET6) ||
	    inet_ntop(p->family, p->addr, host, sizeof(host)) == NULL)
		snprintf(buf, len, "none");
	else
		snprintf(buf, len, "%s/%u", host, p->plen);
	return (buf);
}

int
prefix_match(const struct conf_prefix *p, int family, const uint8_t *addr)
{
	unsigned int	 whole, rest;
	uint8_t		 mask;

	if (family != p->family)
		return (0);
	whole = p->plen / 8;
	rest = p->plen % 8;
	if (memcmp(p->addr, addr, whole) != 0)
		return (0);
	if (rest == 0)
		return (1);
	mask = (uint8_t)(0xff << (8 - rest));
	return ((p->addr[whole] & mask) == (addr[whole] & mask));
}

int
key_from_base64(uint8_t key[BONDD_KEY_LEN], const char *s)
{
	uint8_t		 tmp[BONDD_KEY_LEN];
	size_t		 len, binlen;
	const char	*end;

	/* A key file ends with a newline; nothing else may follow. */
	len = strlen(s);
	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r' ||
	    s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len != KEY_B64_LEN - 1)
		return (-1);
	if (sodium_base642bin(tmp, sizeof(tmp), s, len, NULL, &binlen, &end,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || binlen != sizeof(tmp) ||
	    end != s + len) {
		sodium_memzero(tmp, sizeof(tmp));
		return (-1);
	}
	memcpy(key, tmp, sizeof(tmp));
	sodium_memzero(tmp, sizeof(tmp));
	return (0);
}

void
key_to_base64(char b64[KEY_B64_LEN], const uint8_t key[BONDD_KEY_LEN])
{
	sodium_bin2base64(b64, KEY_B64_LEN, key, BONDD_KEY_LEN,
	    sodium_base64_VARIANT_ORIGINAL);
}

uint64_t
now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000);
}

uint64_t
now_ms(void)
{
	return (now_us() / 1000);
}

int
fd_nonblock(int fd)
{
	int	 flags;

	if ((flags = fcntl(fd, F_GETFL)) == -1)
		return (-1);
	if (flags & O_NONBLOCK)
		return (0);
	return (fcntl(fd, F_SETFL, flags | O_NONBLOCK));
}

#if defined(__GLIBC__) && (__GLIBC__ == 2 && __GLIBC_MINOR__ < 38)
size_t
strlcpy(char *dst, const char *src, size_t size)
{
	size_t	 len = strlen(src);

	if (size > 0) {
		size_t	 n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return (len);
}
#endif
