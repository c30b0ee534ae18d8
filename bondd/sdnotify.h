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
 * The service manager's notification protocol, without libsystemd:
 * each state change is one datagram of "KEY=value" lines to the unix
 * socket named by $NOTIFY_SOCKET (a path, or an abstract name written
 * with a leading '@').  Without the variable every call does nothing.
 */

#ifndef SDNOTIFY_H
#define SDNOTIFY_H

#include <sys/socket.h>
#include <sys/un.h>
#include <stddef.h>

#include "config.h"

/* The address a $NOTIFY_SOCKET value names: 0, or -1 if it is not an
 * absolute path or '@' and a name that fits sockaddr_un. */
int	sdnotify_addr(const char *, struct sockaddr_un *, socklen_t *);
/* Take $NOTIFY_SOCKET and unset it: children must not inherit it.
 * 0, also when unset; -1 if the value is unusable. */
int	sdnotify_init(void);
/* Send one message ("READY=1", "STATUS=...\n..."): 0 or -1. */
int	sdnotify(const char *);
/*
 * The STATUS text from the counts: a client's "2/3 links running"
 * (links carrying data, links configured), a server's "1/2 peers
 * connected, 3 links running" (peers with a link carrying data, peers
 * configured, links carrying data).
 */
struct sdnotify_counts {
	int	running;	/* links (sessions) carrying data */
	int	links;		/* client: links configured */
	int	peers_up;	/* server: peers with a running link */
	int	peers;		/* server: peers configured */
};
void	sdnotify_status(char *, size_t, enum conf_role,
	    const struct sdnotify_counts *);

#endif /* SDNOTIFY_H */
