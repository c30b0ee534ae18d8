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
 * Unit tests of common/log.c: the stderr line format, with systemd's
 * journal stream too, relaying a child's lines as IPC_LOG, sanitising
 * relayed text, rate limiting and fatal in a relaying child.  Test
 * code only.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipc.h"
#include "log.h"
#include "check_main.h"

static int		sv[2];
static struct ipc_chan	relay, parent;

static void
setup(void)
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(ipc_init(&relay, sv[0], IPC_F_FDPASS, IPC_MAXSIZE,
	    "parent"), 0);
	ck_assert_int_eq(ipc_init(&parent, sv[1], IPC_F_FDPASS, IPC_MAXSIZE,
	    "child"), 0);
	log_init(1, 0, LOG_DAEMON);
	log_procinit("linkd wan1");
}

static void
teardown(void)
{
	log_set_relay(NULL);
	ipc_clear(&relay);
	ipc_clear(&parent);
}

/* Next IPC_LOG on the parent side: priority and text, or -1. */
static int
next_log(char *text, size_t size)
{
	struct ipc_msg	m;
	struct pollfd	pfd = { sv[1], POLLIN, 0 };
	int32_t		prio;
	int		r;

	while ((r = ipc_get(&parent, &m)) == 0) {
		if (poll(&pfd, 1, 100) != 1 || ipc_read(&parent) <= 0)
			return -1;
	}
	ck_assert_int_eq(r, 1);
	ck_assert_uint_eq(m.hdr.type, IPC_LOG);
	ck_assert_int_eq(ipc_msg_get(&m, &prio, sizeof(prio)), 0);
	ck_assert_int_eq(ipc_msg_get_str(&m, text, size), 0);
	return prio;
}

START_TEST(test_relay)
{
	char	text[IPC_LOG_MAX + 1];
	char	big[3000];

	log_set_relay(&relay);
	log_info("hello %d", 42);
	ck_assert_int_eq(next_log(text, sizeof(text)), LOG_INFO);
	ck_assert_str_eq(text, "linkd wan1: hello 42");

	errno = ENOENT;
	log_warn("open %s", "x");
	ck_assert_int_eq(errno, ENOENT);	/* preserved */
	ck_assert_int_eq(next_log(text, sizeof(text)), LOG_WARNING);
	ck_assert_str_eq(text, "linkd wan1: open x: No such file or directory");

	log_debug("not shown");
	log_init(1, 1, LOG_DAEMON);
	log_debug("shown");
	ck_assert_int_eq(next_log(text, sizeof(text)), LOG_DEBUG);
	ck_assert_str_eq(text, "linkd wan1: shown");
	log_init(1, 0, LOG_DAEMON);

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_warnx("%s", big);
	ck_assert_int_eq(next_log(text, sizeof(text)), LOG_WARNING);
	ck_assert_uint_eq(strlen(text), IPC_LOG_MAX);
	ck_assert_int_eq(next_log(text, sizeof(text)), -1);
}
END_TEST

START_TEST(test_ratelimit)
{
	static const char	*key1 = "k1", *key2 = "k2";
	char			 text[IPC_LOG_MAX + 1];
	int			 i;

	log_set_relay(&relay);
	for (i = 0; i < 5; i++)
		log_ratelimit(key1, "bad packet %d", i);
	log_ratelimit(key2, "other");
	ck_assert_int_eq(next_log(text, sizeof(text)), LOG_WARNING);
	ck_assert_str_eq(text, "linkd wan1: bad packet 0");
	ck_assert_int_eq(next_log(text, sizeof(text)), LOG_WARNING);
	ck_assert_str_eq(text, "linkd wan1: other");
	ck_assert_int_eq(next_log(text, sizeof(text)), -1);
}
END_TEST

/* The interval is 10 s: this test sleeps through one. */
START_TEST(test_ratelimit_suppressed)
{
	static const char	*key = "k3";
	char			 text[IPC_LOG_MAX + 1];

	log_set_relay(&relay);
	log_ratelimit(key, "x");
	log_ratelimit(key, "x");
	log_ratelimit(key, "x");
	sleep(10);
	log_ratelimit(key, "y");
	ck_assert_int_eq(next_log(text, sizeof(text)), LOG_WARNING);
	ck_assert_int_eq(next_log(text, sizeof(text)), LOG_WARNING);
	ck_assert_str_eq(text, "linkd wan1: y (2 similar suppressed)");
}
END_TEST

START_TEST(test_stderr_format)
{
	int	p[2], saved;
	char	buf[512];
	ssize_t	n;
	regex_t	re;

	ck_assert_int_eq(pipe(p), 0);
	saved = dup(2);
	ck_assert_int_eq(dup2(p[1], 2), 2);
	log_info("plain");
	log_relayed("linkd x", LOG_USER | LOG_ERR, "linkd x: a\nb\033c");
	/* Another's name is not taken: the true one comes first. */
	log_relayed("linkd x", LOG_ERR, "bondd: forged");
	log_relayed("linkd x", LOG_ERR, "linkd xy: forged");
	dup2(saved, 2);
	close(saved);
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_int_eq(regcomp(&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2} "
	    "[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3} linkd wan1: plain\n"
	    "[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}\\.[0-9]{3} "
	    "linkd x: a\\?b\\?c\n"
	    "[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}\\.[0-9]{3} "
	    "linkd x: bondd: forged\n"
	    "[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}\\.[0-9]{3} "
	    "linkd x: linkd xy: forged\n$", REG_EXTENDED), 0);
	ck_assert_msg(regexec(&re, buf, 0, NULL, 0) == 0, "got: %s", buf);
	regfree(&re);
}
END_TEST

/* JOURNAL_STREAM: "dev:ino" in decimal, nothing around it. */
START_TEST(test_journal_match)
{
	ck_assert_int_eq(log_journal_match("8:12345", 8, 12345), 1);
	ck_assert_int_eq(log_journal_match("8:12345", 8, 12346), 0);
	ck_assert_int_eq(log_journal_match("9:12345", 8, 12345), 0);
	ck_assert_int_eq(log_journal_match(NULL, 8, 12345), 0);
	ck_assert_int_eq(log_journal_match("", 0, 0), 0);
	ck_assert_int_eq(log_journal_match("8:", 8, 0), 0);
	ck_assert_int_eq(log_journal_match(":12345", 0, 12345), 0);
	ck_assert_int_eq(log_journal_match("8:12345x", 8, 12345), 0);
	ck_assert_int_eq(log_journal_match(" 8:12345", 8, 12345), 0);
	ck_assert_int_eq(log_journal_match("8: 12345", 8, 12345), 0);
	ck_assert_int_eq(log_journal_match("-8:12345", (dev_t)-8, 12345),
	    0);
	ck_assert_int_eq(log_journal_match("8:99999999999999999999999", 8,
	    (ino_t)-1), 0);
}
END_TEST

/*
 * With stderr the stream JOURNAL_STREAM names, lines carry their
 * syslog priority as "<N>" and no timestamp, relayed ones too; with
 * another stderr they keep the timestamp.
 */
START_TEST(test_journal_format)
{
	struct stat	 st;
	char		 env[64], buf[512];
	int		 p[2], saved;
	ssize_t		 n;

	ck_assert_int_eq(pipe(p), 0);
	saved = dup(2);
	ck_assert_int_eq(dup2(p[1], 2), 2);
	ck_assert_int_eq(fstat(2, &st), 0);
	snprintf(env, sizeof(env), "%llu:%llu",
	    (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
	ck_assert_int_eq(setenv("JOURNAL_STREAM", env, 1), 0);
	log_init(1, 1, LOG_DAEMON);
	log_info("up");
	log_warnx("lost %d", 3);
	log_debug("detail");
	log_relayed("linkd x", LOG_USER | LOG_ERR, "linkd x: bad");
	log_relayed("core", LOG_CRIT, "core: fatal: x");
	log_init(1, 0, LOG_DAEMON);
	log_info("still");
	/* The same variable, another stderr: timestamps again. */
	ck_assert_int_eq(dup2(saved, 2), 2);
	log_init(1, 0, LOG_DAEMON);
	ck_assert_int_eq(dup2(p[1], 2), 2);
	log_info("stamped");
	dup2(saved, 2);
	close(saved);
	close(p[1]);
	unsetenv("JOURNAL_STREAM");
	log_init(1, 0, LOG_DAEMON);
	n = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_ptr_nonnull(strstr(buf, "<6>linkd wan1: up\n"
	    "<4>linkd wan1: lost 3\n"
	    "<7>linkd wan1: detail\n"
	    "<3>linkd x: bad\n"
	    "<2>core: fatal: x\n"
	    "<6>linkd wan1: still\n"));
	ck_assert_msg(strncmp(buf, "<6>", 3) == 0, "got: %s", buf);
	ck_assert_ptr_null(strstr(buf, "<6>linkd wan1: stamped"));
	ck_assert_ptr_nonnull(strstr(buf, " linkd wan1: stamped\n"));
}
END_TEST

START_TEST(test_fatal_relayed)
{
	char	text[IPC_LOG_MAX + 1];
	pid_t	pid;
	int	status;

	if ((pid = fork()) == 0) {
		log_set_relay(&relay);
		errno = EPERM;
		fatal("cannot %s", "go on");
	}
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 1);
	ck_assert_int_eq(next_log(text, sizeof(text)), LOG_CRIT);
	ck_assert_str_eq(text,
	    "linkd wan1: fatal: cannot go on: Operation not permitted");
}
END_TEST

static Suite *
log_suite(void)
{
	Suite	*s = suite_create("log");
	TCase	*tc = tcase_create("log");

	tcase_set_timeout(tc, 30);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_relay);
	tcase_add_test(tc, test_ratelimit);
	tcase_add_test(tc, test_ratelimit_suppressed);
	tcase_add_test(tc, test_stderr_format);
	tcase_add_test(tc, test_journal_match);
	tcase_add_test(tc, test_journal_format);
	tcase_add_test(tc, test_fatal_relayed);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return (check_run(srunner_create(log_suite())));
}
