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
 * The files bondd reads, and who may have written them: the checks
 * of the configuration file and of the key files, and the loading of
 * a key file, also for a reload by the parent that no longer runs as
 * root.  Runs in the parent only (and in bondd -n).  Holds the text of
 * a key file while it decodes it, and wipes it before it returns.
 *
 * The model: root writes the configuration and the keys.  The
 * configuration may be readable by the unprivileged user (a reload
 * reads it as that user); a key file is readable by its owner only,
 * so the parent reads it as root at start and keeps the key.  A
 * reload cannot read a root-only key again: it keeps the key it holds
 * while the file is the one it read, and refuses a changed one it
 * cannot read (restart bondd to load it).
 */

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "config.h"
#include "util.h"

int
conf_file_check(const struct stat *st, enum conf_file_kind kind,
    uid_t owner, char *why, size_t len)
{
	const mode_t	 mode = st->st_mode & 07777;

	if (kind == CONF_FILE_KEY && S_ISLNK(st->st_mode))
		snprintf(why, len, "is a symbolic link: name the key file "
		    "itself");
	else if (!S_ISREG(st->st_mode))
		snprintf(why, len, "is not a regular file");
	else if (st->st_uid != 0 && st->st_uid != owner)
		snprintf(why, len, "belongs to uid %u: it must belong to "
		    "root", (unsigned int)st->st_uid);
	else if (kind == CONF_FILE_KEY && (mode & (S_IRWXG | S_IRWXO)))
		snprintf(why, len, "is readable or writable by group or "
		    "others (mode %04o): chmod 600 it", (unsigned int)mode);
	else if (kind == CONF_FILE_CONFIG && (mode & (S_IWGRP | S_IWOTH)))
		snprintf(why, len, "is writable by group or others (mode "
		    "%04o): chmod go-w it", (unsigned int)mode);
	else
		return (0);
	return (-1);
}

static void
fileid_set(struct conf_fileid *id, const struct stat *st)
{
	memset(id, 0, sizeof(*id));
	id->dev = st->st_dev;
	id->ino = st->st_ino;
	id->size = st->st_size;
	id->mtime = st->st_mtim;
	id->ctime = st->st_ctim;
}

/* The same inode, not written to nor changed since: the same key. */
static int
fileid_same(const struct conf_fileid *id, const struct stat *st)
{
	return (id->dev == st->st_dev && id->ino == st->st_ino &&
	    id->size == st->st_size &&
	    id->mtime.tv_sec == st->st_mtim.tv_sec &&
	    id->mtime.tv_nsec == st->st_mtim.tv_nsec &&
	    id->ctime.tv_sec == st->st_ctim.tv_sec &&
	    id->ctime.tv_nsec == st->st_ctim.tv_nsec);
}

/* The key running read from this very file, if any: 0 and a copy. */
static int
key_held(const struct config *running, const char *path,
    const struct stat *st, uint8_t key[BONDD_KEY_LEN],
    struct conf_fileid *id)
{
	const struct conf_peer	*p;
	int			 i;

	if (strcmp(running->private_key_file, path) == 0 &&
	    fileid_same(&running->private_key_id, st)) {
		memcpy(key, running->private_key, BONDD_KEY_LEN);
		*id = running->private_key_id;
		return (0);
	}
	for (i = 0; i < running->npeers; i++) {
		p = &running->peers[i];
		if (p->has_psk && strcmp(p->psk_file, path) == 0 &&
		    fileid_same(&p->psk_id, st)) {
			memcpy(key, p->psk, BONDD_KEY_LEN);
			*id = p->psk_id;
			return (0);
		}
	}
	return (-1);
}

/* A key file is 44 characters and a newline: read at most 127. */
static int
key_read(int fd, uint8_t key[BONDD_KEY_LEN])
{
	char	 buf[128];
	ssize_t	 n;
	size_t	 len = 0;
	int	 rv = 0;

	while (len < sizeof(buf) - 1 &&
	    (n = read(fd, buf + len, sizeof(buf) - 1 - len)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			rv = -1;
			break;
		}
		len += (size_t)n;
	}
	buf[len] = '\0';
	if (rv == 0 && (memchr(buf, '\0', len) != NULL ||
	    key_from_base64(key, buf) == -1)) {
		errno = EINVAL;
		rv = -1;
	}
	sodium_memzero(buf, sizeof(buf));
	return (rv);
}

int
conf_key_file(const char *path, const struct config *running,
    uint8_t key[BONDD_KEY_LEN], struct conf_fileid *id, char *why,
    size_t len)
{
	struct stat	 st;
	char		 reason[128];
	/* Root writes keys; bondd -n run by a user trusts theirs too. */
	uid_t		 owner = running == NULL ? geteuid() : (uid_t)-1;
	int		 fd;

	/* Not opened yet: a symbolic link is named as one, and a
	 * reload recognizes the file it read at start. */
	if (lstat(path, &st) == -1) {
		if (running != NULL && errno == EACCES)
			snprintf(why, len, "user %s, which bondd runs as "
			    "after start, cannot reach %s: keep key files in "
			    "a directory it can search, such as /etc/bondd",
			    running->user, path);
		else
			snprintf(why, len, "cannot read %s: %s", path,
			    strerror(errno));
		return (-1);
	}
	if (conf_file_check(&st, CONF_FILE_KEY, owner, reason,
	    sizeof(reason)) == -1) {
		snprintf(why, len, "%s %s", path, reason);
		return (-1);
	}
	if (running != NULL && key_held(running, path, &st, key, id) == 0)
		return (0);

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC |
	    O_NOCTTY)) == -1) {
		if (errno == ELOOP)
			snprintf(why, len, "%s is a symbolic link: name the "
			    "key file itself", path);
		else if (running != NULL && errno == EACCES)
			snprintf(why, len, "%s is not the file bondd read at "
			    "start, and user %s cannot read it: restart bondd "
			    "to load it", path, running->user);
		else
			snprintf(why, len, "cannot read %s: %s", path,
			    strerror(errno));
		return (-1);
	}
	/* What was opened is what counts, should the name have moved. */
	if (fstat(fd, &st) == -1) {
		snprintf(why, len, "cannot read %s: %s", path,
		    strerror(errno));
		close(fd);
		return (-1);
	}
	if (conf_file_check(&st, CONF_FILE_KEY, owner, reason,
	    sizeof(reason)) == -1) {
		snprintf(why, len, "%s %s", path, reason);
		close(fd);
		return (-1);
	}
	if (key_read(fd, key) == -1) {
		if (errno == EINVAL)
			snprintf(why, len, "%s does not hold a base64 32-byte "
			    "key", path);
		else
			snprintf(why, len, "cannot read %s: %s", path,
			    strerror(errno));
		close(fd);
		return (-1);
	}
	close(fd);
	fileid_set(id, &st);
	return (0);
}
