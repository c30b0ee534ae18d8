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
 * Logging in the OpenBSD daemon style.  The parent logs to syslog, or
 * to stderr with -d.  Children have no syslog: after log_set_relay()
 * their lines travel to the parent as IPC_LOG messages.  Timestamps on
 * stderr have millisecond resolution; when stderr is systemd's journal
 * stream (JOURNAL_STREAM) each line starts with "<priority>" instead.
 */

#ifndef LOG_H
#define LOG_H

#include <sys/types.h>

#include <stdarg.h>
#include <syslog.h>

struct ipc_chan;

void	log_init(int foreground, int verbose, int facility);
/* 1 if the JOURNAL_STREAM value names the file dev:ino. */
int	log_journal_match(const char *, dev_t, ino_t);
void	log_procinit(const char *);		/* prefix of every line */
/* From now on send lines to the parent over this channel. */
void	log_set_relay(struct ipc_chan *);
/* Emit a line received from the child named who (parent only). */
void	log_relayed(const char *who, int priority, const char *text);

void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
/* A warning at most once per interval per call site key; the number of
 * lines suppressed is reported with the next one. */
void	log_ratelimit(const char *key, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	fatal(const char *, ...) __attribute__((noreturn,
	    format(printf, 1, 2)));
void	fatalx(const char *, ...) __attribute__((noreturn,
	    format(printf, 1, 2)));

#endif /* LOG_H */
