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
 * Constants shared by every bondd process: paths, the unprivileged
 * user, process roles and size limits.
 */

#ifndef BONDD_H
#define BONDD_H

#define BONDD_VERSION		"0.1.0"
#define BONDD_USER		"_bondd"
#define BONDD_CONF		"/etc/bondd/bondd.yaml"
#define BONDD_SOCKET		"/run/bondd/bondctl.sock"
#define BONDD_CHROOT		"/var/empty"

/* Every child finds its channel to the parent at this fd. */
#define BONDD_PARENT_FD		3

#define BONDD_MAX_LINKS		8
#define BONDD_MAX_PEERS		64
#define BONDD_MAX_LISTEN	4
#define BONDD_MAX_ALLOWED	16	/* allowed_ips per peer */
#define BONDD_NAME_MAX		16	/* link and tunnel names, incl. NUL */
#define BONDD_PEER_NAME_MAX	32	/* incl. NUL */
#define BONDD_KEY_LEN		32	/* X25519 keys */
#define BONDD_DEFAULT_PORT	5800

enum proc_id {
	PROC_PARENT = 0,
	PROC_CORE,
	PROC_LINKD,
	PROC_CTLD,
	PROC_BONDCTL,
	PROC_MAX
};

extern const char *const proc_names[PROC_MAX];

#endif /* BONDD_H */
