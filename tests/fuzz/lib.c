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
 * Helpers of the fuzz targets (fuzz.h).  Test code.
 */

#include <sys/socket.h>
#include <netinet/in.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ipc.h"
#include "log.h"
#include "pktq.h"
#include "fuzz.h"

void
fuzz_quiet_logs(void)
{
	static struct ipc_chan	 sink;
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	int			 rx, tx;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((rx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(rx, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    getsockname(rx, (struct sockaddr *)&sin, &len) == -1 ||
	    (tx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(tx, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    ipc_init(&sink, tx, 0, IPC_MAXSIZE, "log sink") == -1)
		fuzz_fail("log sink");
	log_init(1, 1, LOG_DAEMON);
	log_set_relay(&sink);
}

int
fuzz_pktq_fd(struct pktq **tx)
{
	int	sv[2];

	if (pktq_socketpair(sv) == -1)
		fuzz_fail("pktq_socketpair");
	if ((*tx = pktq_open(sv[1])) == NULL)
		fuzz_fail("pktq_open");
	return sv[0];
}

struct pktq *
fuzz_pktq_pair(struct pktq **tx)
{
	struct pktq	*q;

	if ((q = pktq_open(fuzz_pktq_fd(tx))) == NULL)
		fuzz_fail("pktq_open");
	return q;
}

int
fuzz_pktq_inject(struct pktq *tx, const void *p, size_t len)
{
	return pktq_put_raw(tx, p, len);
}

void
fuzz_pktq_sink(struct pktq *tx)
{
	static struct pktq_elem	*sink;

	if (sink == NULL &&
	    (sink = calloc(PKTQ_BATCH, sizeof(*sink))) == NULL)
		fuzz_fail("calloc");
	while (pktq_get(tx, sink, PKTQ_BATCH) > 0)
		;
}

/*
 * Counted by reading /proc/self/fd again through a descriptor kept
 * open (it counts itself, every time): an opendir() per count, twice
 * per input, cost the control and ipc targets about as much as their
 * inputs.
 */
int
fuzz_nfds(void)
{
	static int		 dfd = -1;
	static uint64_t		 ents[1024];	/* aligned for dirent64 */
	struct dirent64		*e;
	ssize_t			 n, off;
	int			 count = 0;

	if (dfd == -1 && (dfd = open("/proc/self/fd",
	    O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		fuzz_fail("/proc/self/fd");
	if (lseek(dfd, 0, SEEK_SET) == -1)
		fuzz_fail("/proc/self/fd: lseek");
	while ((n = getdents64(dfd, ents, sizeof(ents))) > 0)
		for (off = 0; off < n; off += e->d_reclen) {
			e = (struct dirent64 *)((char *)ents + off);
			if (e->d_name[0] != '.')
				count++;
		}
	if (n == -1)
		fuzz_fail("/proc/self/fd: getdents64");
	return count;
}

void
fuzz_fail(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	fputs("fuzz: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}
