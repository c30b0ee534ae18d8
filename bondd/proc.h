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
 * Starting children: fork, put the channel at fd 3, close everything
 * else, and exec a binary the parent opened (O_PATH) at start, so a
 * child started later runs the same inode even after an upgrade.
 * Runs in the parent.
 */

#ifndef PROC_H
#define PROC_H

#include <sys/types.h>

struct proc_exec {
	int		 fd;		/* O_PATH of the binary */
	char		 path[4096];	/* for log lines and argv[0] */
};

/* Find and open a child binary: next to our own executable (a build
 * tree), else in LIBEXECDIR.  0 or -1 with a log line. */
int	proc_exec_open(struct proc_exec *, const char *name);
/* The running executable itself (for the core role). */
int	proc_exec_self(struct proc_exec *);
/* Start exe with argv; chanfd becomes fd 3 of the child.  Returns the
 * pid or -1. */
pid_t	proc_spawn(const struct proc_exec *, char *const argv[], int chanfd);

#endif /* PROC_H */
