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
 * Logging for every bondd process: stderr with millisecond timestamps
 * in the foreground (or with a "<priority>" prefix and no timestamp
 * when stderr is systemd's journal stream), syslog otherwise, and
 * relaying of a sandboxed child's lines to the parent as IPC_LOG
 * messages.  The parent treats a relayed line as untrusted text:
 * priority masked, control bytes replaced, so a child can neither pick
 * a facility nor forge lines.
 */

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "ipc.h"
#include "log.h"

#define LOG_LINE_MAX		(IPC_LOG_MAX + 64)
#define LOG_RATE_KEYS		32
#define LOG_RATE_INTERVAL_MS	10000

static int		 log_fg = 1;	/* stderr until log_init() */
static int		 log_journal;	/* stderr is the journal's stream */
static int		 log_verbose;
static const char	*log_prefix;
static struct ipc_chan	*log_relay;
static int		 log_in_relay;	/* a relay send that logs itself */
static int		 log_dying;	/* fatal: flush the relay now */

static struct {
	const char	*key;
	uint64_t	 last_ms;
	unsigned int	 suppressed;
} log_rate[LOG_RATE_KEYS];

static void	vlog(int, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));
static void	log_emit(int, const char *);
static void	log_stderr(int, const char *);
static void	logit(int, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	log_fatal(int, const char *, va_list)
		    __attribute__((noreturn, format(printf, 2, 0)));

/*
 * systemd sets JOURNAL_STREAM to "device:inode" of the stream it gave
 * the service as stdout and stderr; a stderr redirected elsewhere no
 * longer matches.
 */
int
log_journal_match(const char *env, dev_t dev, ino_t ino)
{
	unsigned long long	 d, i;
	const char		*p;
	char			*end;

	if (env == NULL || *env < '0' || *env > '9')
		return 0;
	errno = 0;
	d = strtoull(env, &end, 10);
	if (errno != 0 || *end != ':')
		return 0;
	p = end + 1;
	if (*p < '0' || *p > '9')
		return 0;
	i = strtoull(p, &end, 10);
	if (errno != 0 || *end != '\0')
		return 0;
	return d == (unsigned long long)dev && i == (unsigned long long)ino;
}

void
log_init(int foreground, int verbose, int facility)
{
	struct stat	st;

	log_fg = foreground;
	log_verbose = verbose;
	/* The journal stamps lines itself and reads "<N>" as priority. */
	log_journal = foreground && fstat(STDERR_FILENO, &st) == 0 &&
	    log_journal_match(getenv("JOURNAL_STREAM"), st.st_dev, st.st_ino);
	/* Read the zone now: a chrooted child cannot. */
	tzset();
	if (!foreground)
		openlog("bondd", LOG_PID | LOG_NDELAY, facility);
}

void
log_procinit(const char *prefix)
{
	log_prefix = prefix;
}

void
log_set_relay(struct ipc_chan *chan)
{
	log_relay = chan;
}

static void
log_stderr(int pri, const char *line)
{
	struct timespec	ts;
	struct tm	tm;
	char		date[32];

	if (log_journal) {
		fprintf(stderr, "<%d>%s\n", LOG_PRI(pri), line);
		fflush(stderr);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ld %s\n", date, ts.tv_nsec / 1000000, line);
	fflush(stderr);
}

/*
 * Write a finished line (prefix included) to its destination.  A relay
 * that fails falls back to stderr rather than losing the line.
 */
static void
log_emit(int pri, const char *line)
{
	struct ipc_log	hdr;
	uint8_t		buf[sizeof(hdr) + IPC_LOG_MAX];
	size_t		len;
	int		r;

	if (log_relay != NULL && !log_in_relay) {
		log_in_relay = 1;
		len = strnlen(line, IPC_LOG_MAX);
		hdr.priority = pri;
		memcpy(buf, &hdr, sizeof(hdr));
		memcpy(buf + sizeof(hdr), line, len);
		len += sizeof(hdr);
		if (log_relay->wev != NULL && !log_dying)
			r = ipc_send(log_relay, IPC_LOG, 0, 0, -1, buf, len);
		else if ((r = ipc_compose(log_relay, IPC_LOG, 0, 0, -1, buf,
		    len)) == 0)
			r = ipc_flush(log_relay);
		log_in_relay = 0;
		if (r == 0)
			return;
	}
	if (log_fg)
		log_stderr(pri, line);
	else
		syslog(pri, "%s", line);
}

static void
vlog(int pri, const char *fmt, va_list ap)
{
	char	line[LOG_LINE_MAX];
	int	n = 0;

	if (log_prefix != NULL &&
	    (n = snprintf(line, sizeof(line), "%s: ", log_prefix)) < 0)
		n = 0;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	log_emit(pri, line);
}

void
log_relayed(const char *who, int priority, const char *text)
{
	char	line[LOG_LINE_MAX];
	size_t	i, n = 0, wlen = strlen(who);

	/* The line starts with the child's true name, whatever it wrote:
	 * it cannot pass for another process. */
	if (strncmp(text, who, wlen) != 0 ||
	    strncmp(text + wlen, ": ", 2) != 0)
		n = snprintf(line, sizeof(line), "%s: ", who);
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	for (i = 0; n < sizeof(line) - 1 && text[i] != '\0'; i++, n++)
		line[n] = (text[i] >= 0x20 && text[i] < 0x7f) ? text[i] : '?';
	line[n] = '\0';
	/* The child must not choose the facility. */
	priority = LOG_PRI(priority);
	if (log_fg)
		log_stderr(priority, line);
	else
		syslog(priority, "%s", line);
}

void
log_warn(const char *fmt, ...)
{
	char	buf[LOG_LINE_MAX];
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_warnx("%s: %s", buf, strerror(saved));
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
	errno = saved;
}

/*
 * Data-path warnings: one line per key every LOG_RATE_INTERVAL_MS.
 * Keys are compared by pointer (call sites pass string literals); with
 * the table full, lines are simply logged.
 */
void
log_ratelimit(const char *key, const char *fmt, ...)
{
	struct timespec	 ts;
	char		 buf[LOG_LINE_MAX];
	uint64_t	 now;
	unsigned int	 suppressed = 0;
	va_list		 ap;
	int		 i, slot = -1, saved = errno;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	for (i = 0; i < LOG_RATE_KEYS; i++) {
		if (log_rate[i].key == key) {
			slot = i;
			break;
		}
		if (slot == -1 && log_rate[i].key == NULL)
			slot = i;
	}
	if (slot != -1 && log_rate[slot].key == key) {
		if (now - log_rate[slot].last_ms < LOG_RATE_INTERVAL_MS) {
			log_rate[slot].suppressed++;
			errno = saved;
			return;
		}
		suppressed = log_rate[slot].suppressed;
	}
	if (slot != -1) {
		log_rate[slot].key = key;
		log_rate[slot].last_ms = now;
		log_rate[slot].suppressed = 0;
	}

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (suppressed > 0)
		log_warnx("%s (%u similar suppressed)", buf, suppressed);
	else
		log_warnx("%s", buf);
	errno = saved;
}

static void
logit(int pri, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(pri, fmt, ap);
	va_end(ap);
}

/* In a relaying child the line is flushed before exit, best effort. */
static void
log_fatal(int err, const char *fmt, va_list ap)
{
	char	buf[LOG_LINE_MAX];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	log_dying = 1;
	if (err != 0)
		logit(LOG_CRIT, "fatal: %s: %s", buf, strerror(err));
	else
		logit(LOG_CRIT, "fatal: %s", buf);
	exit(1);
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	log_fatal(saved, fmt, ap);
	/* NOTREACHED */
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_fatal(0, fmt, ap);
	/* NOTREACHED */
}
