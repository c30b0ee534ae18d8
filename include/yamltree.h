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
 * A YAML file as a small tree of scalars, mappings and sequences, each
 * node with the line and column it starts at, and the checks every
 * schema needs on it: known and distinct keys, strings, integers,
 * booleans, lists.  Knows nothing of bondd.yaml(5); the schema lives in
 * common/parse.c.  Every error is one line "file:line:column: message".
 */

#ifndef YAMLTREE_H
#define YAMLTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ytype {
	Y_SCALAR,
	Y_MAP,
	Y_SEQ
};

struct ynode {
	enum ytype	 type;
	char		*str;		/* scalar value, NUL-free */
	int		 plain;		/* unquoted scalar */
	size_t		 line, col;	/* 1-based */
	struct ynode	**kids;		/* map: key, value, key, value ... */
	size_t		 nkids;
	size_t		 cap;
};

/* The file being read and where its one error message goes. */
struct ydoc {
	const char	*file;
	char		*err;
	size_t		 errlen;
};

/*
 * Read doc->file, which must hold exactly one YAML document without
 * anchors, aliases or tags, into a tree.  0, or -1 with the message.
 */
int	 ydoc_load(struct ydoc *, struct ynode **root);
void	 ynode_free(struct ynode *);

/* Write "file:line:column: message" into doc->err; always -1. */
int	 yerr_at(struct ydoc *, size_t line, size_t col, const char *, ...)
	    __attribute__((format(printf, 4, 5)));
int	 yerr(struct ydoc *, const struct ynode *, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

/*
 * Mappings.  path names the mapping in messages ("" for the top level).
 * ymap_check() wants known, distinct, scalar keys only; ymap_get() and
 * ymap_need() are only used on a mapping ymap_check() accepted.
 */
int	 ymap_check(struct ydoc *, const struct ynode *, const char *path,
	    const char *const *keys);
int	 ymap_need(struct ydoc *, const struct ynode *, const char *path,
	    const char *key);
struct ynode *ymap_get(const struct ynode *, const char *key);

/* Scalars; path names the value in messages. */
int	 yget_str(struct ydoc *, const struct ynode *, const char *path,
	    char *, size_t);
/* A plain decimal integer: 0, -1 not an integer, -2 too large. */
int	 yint_scan(const struct ynode *, long long *);
int	 yget_int(struct ydoc *, const struct ynode *, const char *path,
	    long long min, long long max, long long *);
int	 yget_u32(struct ydoc *, const struct ynode *, const char *path,
	    long long min, long long max, uint32_t *);
int	 yget_bool(struct ydoc *, const struct ynode *, const char *path,
	    bool *);
/*
 * A scalar or a sequence of 1..max items.  For a scalar, items is NULL
 * and the caller uses the node itself.
 */
int	 yget_list(struct ydoc *, const struct ynode *, const char *path,
	    int max, struct ynode *const **items, size_t *nitems);

#endif /* YAMLTREE_H */
