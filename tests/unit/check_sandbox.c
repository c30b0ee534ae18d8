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
 * Unit tests of common/sandbox.c: forked children enter the sandbox
 * and the test reads their state from /proc, then makes them try
 * forbidden and allowed syscalls.  Needs root; skips otherwise.
 */

#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <netinet/udp.h>

#include <check.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bondd.h"
#include "log.h"
#include "sandbox.h"
#include "check_main.h"

#define TEST_USER	"nobody"

enum child_cmd {
	CMD_EXIT = 'x',
	CMD_SOCKET = 's',
	CMD_OPENAT = 'o',
	CMD_EXECMAP = 'm',
	CMD_KILL = 'k',
	CMD_SETOWN = 'O',
	CMD_SETSIG = 'S',
	CMD_ASYNC = 'A',
	CMD_SETLEASE = 'L',
	CMD_SOCKOPT = 'M',	/* a socket option that marks or binds */
	CMD_UDPOPT = 'u',	/* linkd's UDP GSO/GRO options */
	CMD_WORK = 'w'
};

struct child {
	pid_t	pid;
	int	cmd;	/* parent writes commands */
	int	ready;	/* child says it is sandboxed */
};

struct pstatus {
	long		uid;
	unsigned long long capeff, capbnd, capamb;
	int		nnp;
	int		seccomp;
};

static int
skip_unless_root(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "check_sandbox: not root, skipped\n");
		return 1;
	}
	return 0;
}

static void
child_timer(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	*(int *)arg = 1;
}

/* Runs in the sandboxed child: only exit codes, no check calls. */
static void
child_work(struct event_base *base)
{
	struct timeval	 tv = { 0, 1000 };
	struct event	*sig, *tm;
	int		 fired = 0;
	struct timespec	 ts;
	char		*p;
	size_t		 i;
	unsigned int	 sum = 0;
	int		 fl;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		_exit(2);
	if ((p = malloc(10 * 1024 * 1024)) == NULL)
		_exit(3);
	memset(p, 0x5a, 10 * 1024 * 1024);
	for (i = 0; i < 10 * 1024 * 1024; i += 4096)
		sum += (unsigned char)p[i];
	free(p);
	if (sum == 0)
		_exit(4);
	/* What every role does with a new fd: make it non-blocking. */
	if ((fl = fcntl(STDERR_FILENO, F_GETFL)) == -1 ||
	    fcntl(STDERR_FILENO, F_SETFL, fl | O_NONBLOCK) == -1 ||
	    fcntl(STDERR_FILENO, F_SETFL, fl) == -1)
		_exit(8);

	/* The loop every child runs, with a signal event as ctld has. */
	if ((sig = evsignal_new(base, SIGUSR1, child_timer, &fired)) == NULL ||
	    evsignal_add(sig, NULL) == -1)
		_exit(5);
	if ((tm = evtimer_new(base, child_timer, &fired)) == NULL ||
	    evtimer_add(tm, &tv) == -1)
		_exit(6);
	if (event_base_loop(base, EVLOOP_ONCE) == -1 || !fired)
		_exit(7);
	event_free(sig);
	event_free(tm);
	/* A log line on stderr: stdio, clock and zone work in the chroot. */
	log_warnx("sandboxed child: work done");
}

static void
child_main(int cmdfd, int readyfd, enum proc_id role, int nonroot)
{
	struct passwd	*pw;
	struct event_base *base;
	char		 c = 'r';
	void		*m;
	int		 one = 1;
	socklen_t	 olen = sizeof(one);

	if (nonroot) {
		if ((pw = getpwnam(TEST_USER)) == NULL ||
		    setgroups(0, NULL) == -1 ||
		    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1 ||
		    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1)
			_exit(10);
	}
	/* As in the children: the event base exists before the sandbox. */
	if ((base = event_base_new()) == NULL)
		_exit(14);
	sandbox_enter(role, TEST_USER);
	if (write(readyfd, &c, 1) != 1)
		_exit(11);
	if (read(cmdfd, &c, 1) != 1)
		_exit(12);
	switch (c) {
	case CMD_SOCKET:
		socket(AF_INET, SOCK_DGRAM, 0);
		break;
	case CMD_OPENAT:
		openat(AT_FDCWD, "/", O_RDONLY);
		break;
	case CMD_EXECMAP:
		m = mmap(NULL, 4096, PROT_READ | PROT_EXEC,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		(void)m;
		break;
	case CMD_KILL:
		kill(getppid(), 0);
		break;
	/* Ways to have the kernel signal the parent for us. */
	case CMD_SETOWN:
		fcntl(cmdfd, F_SETOWN, getppid());
		break;
	case CMD_SETSIG:
		fcntl(cmdfd, F_SETSIG, SIGTERM);
		break;
	case CMD_ASYNC:
		fcntl(cmdfd, F_SETFL, O_ASYNC | O_NONBLOCK);
		break;
	case CMD_SETLEASE:
		fcntl(cmdfd, F_SETLEASE, F_RDLCK);
		break;
	/* Not a socket: the filter decides before the kernel refuses. */
	case CMD_SOCKOPT:
		setsockopt(cmdfd, SOL_SOCKET, SO_MARK, &one, sizeof(one));
		break;
	case CMD_UDPOPT:
		if (setsockopt(cmdfd, IPPROTO_UDP, UDP_GRO, &one,
		    sizeof(one)) == -1 && errno == ENOTSOCK &&
		    getsockopt(cmdfd, IPPROTO_UDP, UDP_SEGMENT, &one,
		    &olen) == -1 && errno == ENOTSOCK)
			_exit(0);
		_exit(21);
	case CMD_WORK:
		child_work(base);
		c = 'd';
		if (write(readyfd, &c, 1) != 1)
			_exit(13);
		_exit(0);
	default:
		_exit(0);
	}
	_exit(20);	/* the forbidden call returned */
}

static void
child_start(struct child *ch, enum proc_id role, int nonroot, int debug)
{
	int	cmd[2], ready[2];
	char	c;

	ck_assert_int_eq(pipe2(cmd, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(ready, O_CLOEXEC), 0);
	ch->pid = fork();
	ck_assert_int_ne(ch->pid, -1);
	if (ch->pid == 0) {
		close(cmd[1]);
		close(ready[0]);
		if (debug)
			setenv("BONDD_SANDBOX_DEBUG", "1", 1);
		child_main(cmd[0], ready[1], role, nonroot);
	}
	close(cmd[0]);
	close(ready[1]);
	ch->cmd = cmd[1];
	ch->ready = ready[0];
	/* EOF here means sandbox_enter failed and the child died. */
	ck_assert_int_eq(read(ch->ready, &c, 1), 1);
	ck_assert_int_eq(c, 'r');
}

static int
child_finish(struct child *ch, int cmd)
{
	char	c = cmd;
	int	status;

	ck_assert_int_eq(write(ch->cmd, &c, 1), 1);
	ck_assert_int_eq(waitpid(ch->pid, &status, 0), ch->pid);
	close(ch->cmd);
	close(ch->ready);
	return status;
}

static void
read_status(pid_t pid, struct pstatus *ps)
{
	char	 path[64], line[256];
	FILE	*f;

	memset(ps, 0, sizeof(*ps));
	ps->uid = ps->nnp = ps->seccomp = -1;
	ps->capeff = ps->capbnd = ps->capamb = ~0ULL;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "Uid:", 4) == 0)
			ps->uid = strtol(line + 4, NULL, 10);
		else if (strncmp(line, "CapEff:", 7) == 0)
			ps->capeff = strtoull(line + 7, NULL, 16);
		else if (strncmp(line, "CapBnd:", 7) == 0)
			ps->capbnd = strtoull(line + 7, NULL, 16);
		else if (strncmp(line, "CapAmb:", 7) == 0)
			ps->capamb = strtoull(line + 7, NULL, 16);
		else if (strncmp(line, "NoNewPrivs:", 11) == 0)
			ps->nnp = atoi(line + 11);
		else if (strncmp(line, "Seccomp:", 8) == 0)
			ps->seccomp = atoi(line + 8);
	}
	fclose(f);
}

static void
assert_chrooted(pid_t pid)
{
	char	path[64], root[PATH_MAX];
	ssize_t	n;

	snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
	n = readlink(path, root, sizeof(root) - 1);
	ck_assert_int_gt(n, 0);
	root[n] = '\0';
	ck_assert_str_eq(root, BONDD_CHROOT);
}

static void
assert_sandboxed(pid_t pid)
{
	struct pstatus	ps;

	read_status(pid, &ps);
	ck_assert_int_ne(ps.uid, 0);
	ck_assert_int_ne(ps.uid, -1);
	ck_assert_uint_eq(ps.capeff, 0);
	ck_assert_uint_eq(ps.capamb, 0);
	ck_assert_int_eq(ps.nnp, 1);
	ck_assert_int_eq(ps.seccomp, 2);
	assert_chrooted(pid);
}

static void
assert_sigsys(int status)
{
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS,
	    "child status %#x, expected death by SIGSYS", status);
}

START_TEST(test_linkd_state_and_socket)
{
	struct child	ch;
	struct pstatus	ps;

	if (skip_unless_root())
		return;
	child_start(&ch, PROC_LINKD, 0, 0);
	assert_sandboxed(ch.pid);
	read_status(ch.pid, &ps);
	ck_assert_uint_eq(ps.capbnd, 0);
	assert_sigsys(child_finish(&ch, CMD_SOCKET));
}
END_TEST

START_TEST(test_forbidden_calls)
{
	static const int cmds[] = { CMD_OPENAT, CMD_EXECMAP, CMD_KILL,
	    CMD_SETOWN, CMD_SETSIG, CMD_ASYNC, CMD_SETLEASE, CMD_SOCKOPT };
	static const enum proc_id roles[] = { PROC_LINKD, PROC_CORE,
	    PROC_CTLD };
	struct child	ch;
	size_t		i, j;
	int		status;

	if (skip_unless_root())
		return;
	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		for (j = 0; j < sizeof(cmds) / sizeof(cmds[0]); j++) {
			child_start(&ch, roles[i], 0, 0);
			assert_sigsys(child_finish(&ch, cmds[j]));
		}
		child_start(&ch, roles[i], 0, 0);
		assert_sigsys(child_finish(&ch, CMD_SOCKET));
	}
	/* linkd's UDP offload options, and only linkd's. */
	child_start(&ch, PROC_LINKD, 0, 0);
	status = child_finish(&ch, CMD_UDPOPT);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "linkd: UDP options: child status %#x", status);
	child_start(&ch, PROC_CORE, 0, 0);
	assert_sigsys(child_finish(&ch, CMD_UDPOPT));
}
END_TEST

START_TEST(test_allowed_work)
{
	static const enum proc_id roles[] = { PROC_LINKD, PROC_CORE,
	    PROC_CTLD };
	struct child	ch;
	char		c;
	int		status;
	size_t		i;

	if (skip_unless_root())
		return;
	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		child_start(&ch, roles[i], 0, 0);
		c = CMD_WORK;
		ck_assert_int_eq(write(ch.cmd, &c, 1), 1);
		ck_assert_int_eq(read(ch.ready, &c, 1), 1);
		ck_assert_int_eq(c, 'd');
		ck_assert_int_eq(waitpid(ch.pid, &status, 0), ch.pid);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "role %d: child status %#x", roles[i], status);
		close(ch.cmd);
		close(ch.ready);
	}
}
END_TEST

START_TEST(test_nonroot_userns)
{
	struct child	ch;
	struct passwd	*pw;
	struct pstatus	ps;

	if (skip_unless_root())
		return;
	ck_assert_ptr_nonnull(pw = getpwnam(TEST_USER));
	child_start(&ch, PROC_CTLD, 1, 0);
	read_status(ch.pid, &ps);
	ck_assert_int_eq(ps.uid, pw->pw_uid);
	ck_assert_uint_eq(ps.capeff, 0);
	ck_assert_int_eq(ps.nnp, 1);
	ck_assert_int_eq(ps.seccomp, 2);
	assert_chrooted(ch.pid);
	assert_sigsys(child_finish(&ch, CMD_SOCKET));
}
END_TEST

START_TEST(test_debug_trap)
{
	struct child	ch;
	int		status;

	if (skip_unless_root())
		return;
	child_start(&ch, PROC_CORE, 0, 1);
	status = child_finish(&ch, CMD_SOCKET);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 159,
	    "child status %#x, expected exit 159", status);
}
END_TEST

START_TEST(test_parent_drop)
{
	struct pstatus	ps;
	struct passwd	*pw;
	pid_t		pid;
	int		cmd[2], ready[2], status;
	char		c = 0;

	if (skip_unless_root())
		return;
	ck_assert_ptr_nonnull(pw = getpwnam(TEST_USER));
	ck_assert_int_eq(pipe(cmd), 0);
	ck_assert_int_eq(pipe(ready), 0);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		close(cmd[1]);
		close(ready[0]);
		sandbox_parent_drop(TEST_USER, 0);
		if (write(ready[1], "r", 1) != 1 ||
		    read(cmd[0], &c, 1) != 1)
			_exit(1);
		_exit(0);
	}
	close(cmd[0]);
	close(ready[1]);
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	read_status(pid, &ps);
	ck_assert_int_eq(ps.uid, pw->pw_uid);
	ck_assert_uint_eq(ps.capeff, 1ULL << 12);	/* CAP_NET_ADMIN */
	ck_assert_uint_eq(ps.capbnd, 0);	/* cleared */
	ck_assert_uint_eq(ps.capamb, 0);
	ck_assert_int_eq(write(cmd[1], "x", 1), 1);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(cmd[1]);
	close(ready[0]);
}
END_TEST

static Suite *
sandbox_suite(void)
{
	Suite	*s = suite_create("sandbox");
	TCase	*tc = tcase_create("children");

	tcase_add_test(tc, test_linkd_state_and_socket);
	tcase_add_test(tc, test_forbidden_calls);
	tcase_add_test(tc, test_allowed_work);
	tcase_add_test(tc, test_nonroot_userns);
	tcase_add_test(tc, test_debug_trap);
	tcase_add_test(tc, test_parent_drop);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return (check_run(srunner_create(sandbox_suite())));
}
