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
 * sd_notify(3) for the parent: one datagram per message to the socket
 * $NOTIFY_SOCKET names.  Written here rather than linked from
 * libsystemd: the privileged parent gains no library for one
 * datagram.  Runs in the parent, root at start (sdnotify_init()) and
 * the unprivileged user afterwards; it sends state and counts only,
 * never a secret, and reads nothing back.
 */

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "sdnotify.h"

static struct sockaddr_un	 notify_sun;
static socklen_t		 notify_len;	/* 0: no service manager */

int
sdnotify_addr(const char *env, struct sockaddr_un *sun, socklen_t *len)
{
	size_t	 n;

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (env == NULL || (env[0] != '/' && env[0] != '@') || env[1] == '\0')
		return -1;
	n = strlen(env);
	if (n >= sizeof(sun->sun_path))
		return -1;
	memcpy(sun->sun_path, env, n);
	/* An abstract name starts with a NUL and has no terminating one:
	 * its length is part of the address. */
	if (env[0] == '@') {
		sun->sun_path[0] = '\0';
		*len = offsetof(struct sockaddr_un, sun_path) + n;
	} else
		*len = offsetof(struct sockaddr_un, sun_path) + n + 1;
	return 0;
}

int
sdnotify_init(void)
{
	const char	*env;
	int		 rv = 0;

	notify_len = 0;
	if ((env = getenv("NOTIFY_SOCKET")) == NULL)
		return 0;
	if (sdnotify_addr(env, &notify_sun, &notify_len) == -1) {
		log_warnx("NOTIFY_SOCKET: not a socket address: %s", env);
		notify_len = 0;
		rv = -1;
	}
	unsetenv("NOTIFY_SOCKET");
	return rv;
}

int
sdnotify(const char *msg)
{
	size_t	 len = strlen(msg);
	ssize_t	 n;
	int	 fd, saved;

	if (notify_len == 0)
		return 0;
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("notify: socket");
		return -1;
	}
	n = sendto(fd, msg, len, MSG_NOSIGNAL,
	    (const struct sockaddr *)&notify_sun, notify_len);
	saved = errno;
	close(fd);
	if (n != (ssize_t)len) {
		errno = n == -1 ? saved : EMSGSIZE;
		log_warn("notify %.*s", (int)strcspn(msg, "\n"), msg);
		return -1;
	}
	return 0;
}

void
sdnotify_status(char *buf, size_t len, enum conf_role role,
    const struct sdnotify_counts *n)
{
	if (role == ROLE_CLIENT)
		snprintf(buf, len, "%d/%d links running", n->running,
		    n->links);
	else
		snprintf(buf, len, "%d/%d peers connected, %d links running",
		    n->peers_up, n->peers, n->running);
}
