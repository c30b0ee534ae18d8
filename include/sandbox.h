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
 * The sandbox every child enters before it touches untrusted input:
 * chroot to an empty directory, the unprivileged user, no
 * capabilities, tight rlimits, PR_SET_NO_NEW_PRIVS and a libseccomp
 * allow-list of its own that kills the process on any other syscall.
 * What each role keeps (syscalls, fds, rlimits) is one row of the
 * table sandbox_roles in common/sandbox.c.
 */

#ifndef SANDBOX_H
#define SANDBOX_H

#include "bondd.h"

/*
 * Enter the sandbox of the given role as the given user.  fatal()s
 * on any failure: a child never runs unconfined.  Call it after every
 * resource the role needs has been received.
 */
void	sandbox_enter(enum proc_id, const char *user);
/* 1 if sandbox_enter() made a user namespace (a respawn after the
 * parent dropped root): other users' ids read as the overflow id. */
int	sandbox_in_userns(void);
/* Parent after start: keep only CAP_NET_ADMIN (and CAP_NET_RAW if
 * need_raw) and switch to the unprivileged user. */
void	sandbox_parent_drop(const char *user, int need_raw);

#endif /* SANDBOX_H */
