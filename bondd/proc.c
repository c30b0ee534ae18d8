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
 * Starting children with fork and execveat.  Runs in the parent.
 */

#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bondd.h"
#include "log.h"
#include "proc.h"

extern char **environ;

static int
exec_open(struct proc_exec *pe, const char *path)
{
	struct stat	st;
	int		fd;

	if ((fd = open(path, O_PATH | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (st.st_mode & 0111) == 0) {
		close(fd);
		errno = ENOEXEC;
		return -1;
	}
	pe->fd = fd;
	snprintf(pe->path, sizeof(pe->path), "%s", path);
	return 0;
}

int
proc_exec_self(struct proc_exec *pe)
{
	char	self[4096];
	ssize_t	n;

	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) == -1) {
		log_warn("readlink /proc/self/exe");
		return -1;
	}
	self[n] = '\0';
	if (exec_open(pe, self) == -1) {
		log_warn("%s", self);
		return -1;
	}
	return 0;
}

int
proc_exec_open(struct proc_exec *pe, const char *name)
{
	char	self[4096], path[4096];
	ssize_t	n;

	/* A build tree keeps the children next to bondd. */
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) != -1) {
		self[n] = '\0';
		snprintf(path, sizeof(path), "%s/%s", dirname(self), name);
		if (exec_open(pe, path) == 0)
			return 0;
	}
	snprintf(path, sizeof(path), "%s/%s", LIBEXECDIR, name);
	if (exec_open(pe, path) == -1) {
		log_warn("cannot find %s", path);
		return -1;
	}
	return 0;
}

pid_t
proc_spawn(const struct proc_exec *pe, char *const argv[], int chanfd)
{
	sigset_t	all, old;
	pid_t		pid;
	int		execfd, sig;

	/* Until exec the child has our handlers, and libevent's writes
	 * the signal to our own event loop: a SIGTERM the parent sends a
	 * child it just started (its core died meanwhile) would stop the
	 * parent.  The child is born with every signal blocked and
	 * unblocks them only once they are back to their defaults. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	if ((pid = fork()) != 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (pid == -1)
			log_warn("fork");
		return pid;
	}

	/* Child: fd 3 is the channel, fd 4 the binary, nothing else
	 * survives exec. */
	if ((execfd = fcntl(pe->fd, F_DUPFD_CLOEXEC, 10)) == -1)
		_exit(127);
	if (chanfd == BONDD_PARENT_FD) {
		if (fcntl(chanfd, F_SETFD, 0) == -1)
			_exit(127);
	} else if (dup2(chanfd, BONDD_PARENT_FD) == -1)
		_exit(127);
	if (dup3(execfd, BONDD_PARENT_FD + 1, O_CLOEXEC) == -1)
		_exit(127);
	if (syscall(SYS_close_range, BONDD_PARENT_FD + 2, ~0U, 0) == -1)
		_exit(127);
	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);	/* SIGKILL, SIGSTOP: EINVAL */
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	syscall(SYS_execveat, BONDD_PARENT_FD + 1, "", argv, environ,
	    AT_EMPTY_PATH);
	_exit(127);
}
