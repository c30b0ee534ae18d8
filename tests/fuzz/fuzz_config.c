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
 * Fuzz target: the configuration parser (parse_config, libyaml and
 * common/parse.c) on hostile YAML, and the canonical form bondd -n
 * prints: whatever parses must print as YAML that parses again to the
 * same canonical form.  The file and the key files it may name
 * (keys/client.key, keys/server.key, keys/psk.key, as in tests/conf)
 * live in a private directory made at start in /dev/shm: every input
 * is written there twice, and on a disk each write cost more than the
 * parse.  Key files are named relative to the working directory, so
 * each parse runs from there.
 * Input: the file's bytes.  Test code.
 */

#include <sys/stat.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "fuzz.h"

static char		 dir[] = "/dev/shm/bondd-fuzz-conf.XXXXXX";
static int		 dirfd_, cwdfd;
static struct config	*conf;

static const char *const keys[][2] = {
	{ "keys/client.key", "6mD8QX+R7SYZZMj3894ouCzpEJIs2xtU8o4lCodFIz4=\n" },
	{ "keys/server.key", "EfqqyEGe4Up3HFaWLQWluuHA9LkyInDydw5bf1ByloY=\n" },
	{ "keys/psk.key", "mRVF5MQf7WbvOQjVFSbnXgXPOpA8m7EPwVLkjjCiy8U=\n" },
};

static void
cleanup(void)
{
	size_t	i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		(void)unlinkat(dirfd_, keys[i][0], 0);
	(void)unlinkat(dirfd_, "keys", AT_REMOVEDIR);
	(void)unlinkat(dirfd_, "bondd.yaml", 0);
	(void)rmdir(dir);
}

static void
put_file(const char *name, const void *p, size_t len, mode_t mode)
{
	int	fd;

	if ((fd = openat(dirfd_, name, O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC | O_NOFOLLOW, mode)) == -1 ||
	    (len > 0 && write(fd, p, len) != (ssize_t)len) ||
	    fchmod(fd, mode) == -1 || close(fd) == -1)
		fuzz_fail("%s/%s", dir, name);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	size_t	i;

	(void)argc;
	(void)argv;
	if (mkdtemp(dir) == NULL ||
	    (dirfd_ = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    (cwdfd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    mkdirat(dirfd_, "keys", 0700) == -1)
		fuzz_fail("%s", dir);
	atexit(cleanup);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		put_file(keys[i][0], keys[i][1], strlen(keys[i][1]), 0600);
	if ((conf = malloc(sizeof(*conf))) == NULL)
		fuzz_fail("malloc");
	fuzz_quiet_logs();
	return 0;
}

/* Parse the file; its canonical form in *out (malloc'd), or -1. */
static int
parse(const void *p, size_t len, char **out)
{
	char	 err[512];
	FILE	*fp;
	size_t	 n;
	int	 rv;

	put_file("bondd.yaml", p, len, 0644);
	if (fchdir(dirfd_) == -1)
		fuzz_fail("fchdir");
	rv = parse_config("bondd.yaml", conf, err, sizeof(err));
	if (fchdir(cwdfd) == -1)
		fuzz_fail("fchdir");
	if (rv == -1) {
		if (memchr(err, '\0', sizeof(err)) == NULL || err[0] == '\0')
			fuzz_fail("parse_config failed without a message");
		return -1;
	}
	if ((fp = open_memstream(out, &n)) == NULL)
		fuzz_fail("open_memstream");
	print_config(conf, fp);
	if (fclose(fp) != 0)
		fuzz_fail("print_config");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*first, *again;

	if (parse(data, size, &first) == -1)
		return 0;
	if (parse(first, strlen(first), &again) == -1)
		fuzz_fail("the canonical form does not parse:\n%s", first);
	if (strcmp(first, again) != 0)
		fuzz_fail("the canonical form changes when parsed again:\n"
		    "%s\n--\n%s", first, again);
	free(first);
	free(again);
	return 0;
}
