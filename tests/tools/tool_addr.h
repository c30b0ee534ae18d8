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
 * The address syntax both test tools (wanem, udpcheck) accept:
 * "1.2.3.4:5" or "[2001:db8::1]:5", the port optional when !want_port,
 * port 0 allowed (a test may bind anywhere).  Looser than the daemon's
 * addr_parse() on purpose.  Test tooling only.
 */

#ifndef TOOL_ADDR_H
#define TOOL_ADDR_H

#include <sys/socket.h>

#include <netdb.h>
#include <string.h>

static int
parse_addr(const char *s, int want_port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	char		 host[128], *port = NULL, *p;
	struct addrinfo	 hints, *res;

	if (strlen(s) >= sizeof(host))
		return -1;
	strcpy(host, s);
	if (host[0] == '[') {
		if ((p = strchr(host, ']')) == NULL)
			return -1;
		*p = '\0';
		if (p[1] == ':')
			port = p + 2;
		else if (p[1] != '\0')
			return -1;
		memmove(host, host + 1, strlen(host + 1) + 1);
	} else if ((p = strrchr(host, ':')) != NULL && strchr(host, ':') == p) {
		*p = '\0';
		port = p + 1;
	}
	if (want_port && port == NULL)
		return -1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	hints.ai_socktype = SOCK_DGRAM;
	if (getaddrinfo(host, port ? port : "0", &hints, &res) != 0)
		return -1;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

#endif /* TOOL_ADDR_H */
