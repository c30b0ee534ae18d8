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
 * Unit tests of bondd/sdnotify.c: the addresses $NOTIFY_SOCKET may
 * name (paths, abstract names) and those it may not, the STATUS text,
 * and the datagrams that reach a socket of the test's own, abstract
 * and bound to a path.  Test code only.
 */

#include <sys/socket.h>
#include <sys/un.h>

#include <check.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "sdnotify.h"
#include "check_main.h"

START_TEST(test_addr)
{
	struct sockaddr_un	 sun;
	socklen_t		 len = 0;
	char			 longpath[200];
	const size_t		 base = offsetof(struct sockaddr_un, sun_path);

	ck_assert_int_eq(sdnotify_addr("/run/systemd/notify", &sun, &len), 0);
	ck_assert_int_eq(sun.sun_family, AF_UNIX);
	ck_assert_str_eq(sun.sun_path, "/run/systemd/notify");
	ck_assert_uint_eq(len, base + strlen("/run/systemd/notify") + 1);

	/* Abstract: a leading NUL, the name, no terminating NUL. */
	ck_assert_int_eq(sdnotify_addr("@sd/notify", &sun, &len), 0);
	ck_assert_int_eq(sun.sun_path[0], '\0');
	ck_assert_int_eq(memcmp(sun.sun_path + 1, "sd/notify", 9), 0);
	ck_assert_uint_eq(len, base + 10);

	ck_assert_int_eq(sdnotify_addr(NULL, &sun, &len), -1);
	ck_assert_int_eq(sdnotify_addr("", &sun, &len), -1);
	ck_assert_int_eq(sdnotify_addr("@", &sun, &len), -1);
	ck_assert_int_eq(sdnotify_addr("/", &sun, &len), -1);
	ck_assert_int_eq(sdnotify_addr("run/notify", &sun, &len), -1);
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	ck_assert_int_eq(sdnotify_addr(longpath, &sun, &len), -1);
	/* The longest that fits: 107 characters and the NUL. */
	longpath[sizeof(sun.sun_path) - 1] = '\0';
	ck_assert_int_eq(sdnotify_addr(longpath, &sun, &len), 0);
	ck_assert_uint_eq(len, sizeof(sun));
	longpath[0] = '@';
	ck_assert_int_eq(sdnotify_addr(longpath, &sun, &len), 0);
	ck_assert_uint_eq(len, sizeof(sun) - 1);
}
END_TEST

START_TEST(test_status)
{
	struct sdnotify_counts	 n = { 2, 3, 0, 1 };
	char			 buf[128];

	sdnotify_status(buf, sizeof(buf), ROLE_CLIENT, &n);
	ck_assert_str_eq(buf, "2/3 links running");
	n = (struct sdnotify_counts){ 5, 1, 2, 3 };
	sdnotify_status(buf, sizeof(buf), ROLE_SERVER, &n);
	ck_assert_str_eq(buf, "2/3 peers connected, 5 links running");
}
END_TEST

/* A datagram socket of the test's own at env's address. */
static int
listener(const char *env)
{
	struct sockaddr_un	 sun;
	socklen_t		 len;
	int			 fd;

	ck_assert_int_eq(sdnotify_addr(env, &sun, &len), 0);
	ck_assert_int_ge(fd = socket(AF_UNIX, SOCK_DGRAM, 0), 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, len), 0);
	return fd;
}

static void
expect(int fd, const char *want)
{
	char	 buf[256];
	ssize_t	 n;

	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_str_eq(buf, want);
}

START_TEST(test_send)
{
	char	 env[64], path[64];
	int	 fd;

	log_init(1, 0, LOG_DAEMON);
	/* No variable: nothing to do, and no error. */
	unsetenv("NOTIFY_SOCKET");
	ck_assert_int_eq(sdnotify_init(), 0);
	ck_assert_int_eq(sdnotify("READY=1"), 0);

	snprintf(env, sizeof(env), "@bondd-check-%d", (int)getpid());
	fd = listener(env);
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", env, 1), 0);
	ck_assert_int_eq(sdnotify_init(), 0);
	ck_assert_ptr_null(getenv("NOTIFY_SOCKET"));
	ck_assert_int_eq(sdnotify("READY=1\nSTATUS=1/1 links running"), 0);
	expect(fd, "READY=1\nSTATUS=1/1 links running");
	ck_assert_int_eq(sdnotify("STOPPING=1"), 0);
	expect(fd, "STOPPING=1");
	close(fd);
	/* Nobody listens any more. */
	ck_assert_int_eq(sdnotify("STOPPING=1"), -1);

	snprintf(path, sizeof(path), "/tmp/check_sdnotify.%d", (int)getpid());
	unlink(path);
	fd = listener(path);
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", path, 1), 0);
	ck_assert_int_eq(sdnotify_init(), 0);
	ck_assert_int_eq(sdnotify("RELOADING=1"), 0);
	expect(fd, "RELOADING=1");
	close(fd);
	unlink(path);

	ck_assert_int_eq(setenv("NOTIFY_SOCKET", "relative", 1), 0);
	ck_assert_int_eq(sdnotify_init(), -1);
	ck_assert_ptr_null(getenv("NOTIFY_SOCKET"));
	ck_assert_int_eq(sdnotify("READY=1"), 0);
}
END_TEST

static Suite *
sdnotify_suite(void)
{
	Suite	*s = suite_create("sdnotify");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_addr);
	tcase_add_test(tc, test_status);
	tcase_add_test(tc, test_send);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(srunner_create(sdnotify_suite())));
}
