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
 * The live view of `bondctl monitor`: one screen per status snapshot
 * drawn with plain ANSI sequences, and the terminal handling around
 * it (cbreak mode, restored at exit and on SIGINT, SIGTERM and
 * SIGHUP).  Runs in bondctl as the invoking user.
 */

#ifndef MONITOR_H
#define MONITOR_H

#include <stdio.h>

#include "output.h"

#define MONITOR_INTERVAL_MS	1000

/*
 * One screen for a snapshot, at most cols columns and rows lines,
 * starting at the home position and clearing what the last screen
 * left: 0, or -1 if the stream reported an error.  clock is shown
 * in the header and may be NULL.
 */
int	 monitor_draw(FILE *, const struct status *, int cols, int rows,
	    const char *clock);
/* cbreak mode without echo, cursor hidden, screen cleared; undone at
 * exit() and by the signals above (which end the program). */
void	 monitor_term_start(void);
void	 monitor_term_size(int *, int *);
/* Wait up to ms for a key: 1 if the user asked to quit, else 0. */
int	 monitor_wait(int);

#endif /* MONITOR_H */
