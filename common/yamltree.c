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
 * YAML as a tree: libyaml events become scalars, mappings and sequences
 * that remember their line and column, so that every later error can
 * name the node at fault.  Anchors, aliases, tags and extra documents
 * are refused on the way, and the size and depth are bounded.  Runs in
 * the parent, as root, on the administrator's configuration file: the
 * file is trusted not to be hostile, but it is read as if it were.
 * Holds no secrets (key files are read by the schema, not here).
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "util.h"
#include "yamltree.h"

#define YDEPTH_MAX	16	/* bondd.yaml nests 4 deep */
#define YNODES_MAX	20000

/* One load: the libyaml parser and the nodes built so far. */
struct yload {
	struct ydoc	*doc;
	yaml_parser_t	 parser;
	size_t		 nnodes;
};

int
yerr_at(struct ydoc *d, size_t line, size_t col, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(d->err, d->errlen, "%s:%zu:%zu: %s", d->file, line, col,
	    msg);
	return (-1);
}

int
yerr(struct ydoc *d, const struct ynode *n, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return (yerr_at(d, n->line, n->col, "%s", msg));
}

/* Events to a tree. */

void
ynode_free(struct ynode *n)
{
	size_t	 i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nkids; i++)
		ynode_free(n->kids[i]);
	free(n->kids);
	free(n->str);
	free(n);
}

static int
next_event(struct yload *yl, yaml_event_t *ev)
{
	yaml_parser_t	*p = &yl->parser;
	yaml_mark_t	 m;

	if (yaml_parser_parse(p, ev))
		return (0);
	m = p->error == YAML_READER_ERROR ? p->mark : p->problem_mark;
	return (yerr_at(yl->doc, m.line + 1, m.column + 1, "syntax error: %s",
	    p->problem != NULL ? p->problem : "unknown error"));
}

static int
node_add(struct yload *yl, struct ynode *parent, struct ynode *kid)
{
	struct ynode	**k;
	size_t		  cap;

	if (parent->nkids == parent->cap) {
		cap = parent->cap == 0 ? 8 : parent->cap * 2;
		if ((k = reallocarray(parent->kids, cap, sizeof(*k))) == NULL)
			return (yerr(yl->doc, kid, "out of memory"));
		parent->kids = k;
		parent->cap = cap;
	}
	parent->kids[parent->nkids++] = kid;
	return (0);
}

/* Build the node that starts with ev; ev is consumed. */
static int
load_node(struct yload *yl, yaml_event_t *ev, int depth, struct ynode **out)
{
	struct ynode	*n = NULL, *kid;
	yaml_event_t	 kev;
	yaml_char_t	*anchor = NULL, *tag = NULL;
	yaml_event_type_t end;
	size_t		 line, col;

	*out = NULL;
	line = ev->start_mark.line + 1;
	col = ev->start_mark.column + 1;
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor;
		tag = ev->data.scalar.tag;
		end = YAML_NO_EVENT;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
		end = YAML_SEQUENCE_END_EVENT;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
		end = YAML_MAPPING_END_EVENT;
		break;
	case YAML_ALIAS_EVENT:
		yaml_event_delete(ev);
		return (yerr_at(yl->doc, line, col, "aliases are not "
		    "supported"));
	default:
		yaml_event_delete(ev);
		return (yerr_at(yl->doc, line, col, "unexpected YAML event"));
	}
	if (anchor != NULL || tag != NULL) {
		yaml_event_delete(ev);
		return (yerr_at(yl->doc, line, col, "%s are not supported",
		    anchor != NULL ? "anchors" : "tags"));
	}
	if (depth > YDEPTH_MAX || ++yl->nnodes > YNODES_MAX) {
		yaml_event_delete(ev);
		return (yerr_at(yl->doc, line, col, "document too deep or too "
		    "large"));
	}
	if ((n = calloc(1, sizeof(*n))) == NULL) {
		yaml_event_delete(ev);
		return (yerr_at(yl->doc, line, col, "out of memory"));
	}
	n->line = line;
	n->col = col;
	if (ev->type == YAML_SCALAR_EVENT) {
		n->type = Y_SCALAR;
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		if (strlen((char *)ev->data.scalar.value) !=
		    ev->data.scalar.length) {
			yaml_event_delete(ev);
			ynode_free(n);
			return (yerr_at(yl->doc, line, col, "NUL in a string"));
		}
		n->str = strdup((char *)ev->data.scalar.value);
		yaml_event_delete(ev);
		if (n->str == NULL) {
			ynode_free(n);
			return (yerr_at(yl->doc, line, col, "out of memory"));
		}
		*out = n;
		return (0);
	}
	n->type = end == YAML_MAPPING_END_EVENT ? Y_MAP : Y_SEQ;
	yaml_event_delete(ev);
	for (;;) {
		if (next_event(yl, &kev) == -1)
			goto fail;
		if (kev.type == end) {
			yaml_event_delete(&kev);
			break;
		}
		if (load_node(yl, &kev, depth + 1, &kid) == -1)
			goto fail;
		if (node_add(yl, n, kid) == -1) {
			ynode_free(kid);
			goto fail;
		}
	}
	*out = n;
	return (0);
 fail:
	ynode_free(n);
	return (-1);
}

/* Exactly one document, whose root is returned. */
static int
load_document(struct yload *yl, struct ynode **root)
{
	yaml_event_t	 ev;
	int		 rv = -1;

	*root = NULL;
	if (next_event(yl, &ev) == -1)
		return (-1);
	yaml_event_delete(&ev);			/* STREAM_START */
	if (next_event(yl, &ev) == -1)
		return (-1);
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		return (yerr_at(yl->doc, 1, 1, "empty configuration"));
	}
	yaml_event_delete(&ev);			/* DOCUMENT_START */
	if (next_event(yl, &ev) == -1)
		return (-1);
	if (load_node(yl, &ev, 0, root) == -1)
		return (-1);
	if (next_event(yl, &ev) == -1)		/* DOCUMENT_END */
		goto out;
	yaml_event_delete(&ev);
	if (next_event(yl, &ev) == -1)
		goto out;
	if (ev.type != YAML_STREAM_END_EVENT) {
		yerr_at(yl->doc, ev.start_mark.line + 1,
		    ev.start_mark.column + 1,
		    "only one YAML document is allowed");
		yaml_event_delete(&ev);
		goto out;
	}
	yaml_event_delete(&ev);
	rv = 0;
 out:
	if (rv == -1) {
		ynode_free(*root);
		*root = NULL;
	}
	return (rv);
}

int
ydoc_load(struct ydoc *d, struct ynode **root)
{
	struct yload	 yl;
	FILE		*fp;
	int		 rv;

	*root = NULL;
	memset(&yl, 0, sizeof(yl));
	yl.doc = d;
	if ((fp = fopen(d->file, "re")) == NULL)
		return (yerr_at(d, 1, 1, "cannot open: %s", strerror(errno)));
	if (!yaml_parser_initialize(&yl.parser)) {
		fclose(fp);
		return (yerr_at(d, 1, 1, "out of memory"));
	}
	yaml_parser_set_input_file(&yl.parser, fp);
	rv = load_document(&yl, root);
	yaml_parser_delete(&yl.parser);
	fclose(fp);
	return (rv);
}

/* Checks on the tree. */

struct ynode *
ymap_get(const struct ynode *map, const char *key)
{
	size_t	 i;

	for (i = 0; i + 1 < map->nkids; i += 2)
		if (strcmp(map->kids[i]->str, key) == 0)
			return (map->kids[i + 1]);
	return (NULL);
}

int
ymap_check(struct ydoc *d, const struct ynode *map, const char *path,
    const char *const *keys)
{
	const struct ynode	*k;
	const char *const	*kp;
	size_t			 i, j;

	if (map->type != Y_MAP) {
		if (*path == '\0')
			return (yerr(d, map, "expected a mapping at top "
			    "level"));
		return (yerr(d, map, "%s: expected a mapping", path));
	}
	for (i = 0; i < map->nkids; i += 2) {
		k = map->kids[i];
		if (k->type != Y_SCALAR)
			return (yerr(d, k, "%s%sexpected a string key", path,
			    *path ? ": " : ""));
		for (kp = keys; *kp != NULL; kp++)
			if (strcmp(*kp, k->str) == 0)
				break;
		if (*kp == NULL)
			return (yerr(d, k, "unknown key '%s'%s%s", k->str,
			    *path ? " in " : "", path));
		for (j = 0; j < i; j += 2)
			if (strcmp(map->kids[j]->str, k->str) == 0)
				return (yerr(d, k, "duplicate key '%s'%s%s",
				    k->str, *path ? " in " : "", path));
	}
	return (0);
}

int
ymap_need(struct ydoc *d, const struct ynode *map, const char *path,
    const char *key)
{
	if (ymap_get(map, key) != NULL)
		return (0);
	return (yerr(d, map, "missing required key '%s'%s%s", key,
	    *path ? " in " : "", path));
}

int
yget_str(struct ydoc *d, const struct ynode *n, const char *path, char *buf,
    size_t len)
{
	if (n->type != Y_SCALAR)
		return (yerr(d, n, "%s: expected a string", path));
	if (n->str[0] == '\0')
		return (yerr(d, n, "%s: must not be empty", path));
	if (strlcpy(buf, n->str, len) >= len)
		return (yerr(d, n, "%s: too long (at most %zu characters)",
		    path, len - 1));
	return (0);
}

/* Decimal integers only, no sign but a minus, no leading zero. */
int
yint_scan(const struct ynode *n, long long *out)
{
	const char	*s = n->str;
	long long	 v = 0;
	int		 neg = 0;

	if (n->type != Y_SCALAR || !n->plain)
		return (-1);
	if (*s == '-') {
		neg = 1;
		s++;
	}
	if (*s < '0' || *s > '9' || (s[0] == '0' && s[1] != '\0'))
		return (-1);
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return (-1);
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, *s - '0', &v))
			return (-2);
	}
	*out = neg ? -v : v;
	return (0);
}

int
yget_int(struct ydoc *d, const struct ynode *n, const char *path,
    long long min, long long max, long long *out)
{
	int	 rv;

	if ((rv = yint_scan(n, out)) == -1)
		return (yerr(d, n, "%s: expected an integer", path));
	if (rv == -2 || *out < min || *out > max)
		return (yerr(d, n, "%s: %s out of range %lld..%lld", path,
		    n->str, min, max));
	return (0);
}

int
yget_u32(struct ydoc *d, const struct ynode *n, const char *path,
    long long min, long long max, uint32_t *out)
{
	long long	 v;

	if (yget_int(d, n, path, min, max, &v) == -1)
		return (-1);
	*out = (uint32_t)v;
	return (0);
}

int
yget_bool(struct ydoc *d, const struct ynode *n, const char *path, bool *out)
{
	if (n->type == Y_SCALAR && n->plain) {
		if (strcmp(n->str, "true") == 0 || strcmp(n->str, "yes") == 0) {
			*out = true;
			return (0);
		}
		if (strcmp(n->str, "false") == 0 || strcmp(n->str, "no") == 0) {
			*out = false;
			return (0);
		}
	}
	return (yerr(d, n, "%s: expected true or false", path));
}

int
yget_list(struct ydoc *d, const struct ynode *n, const char *path, int max,
    struct ynode *const **items, size_t *nitems)
{
	if (n->type == Y_SCALAR) {
		*items = NULL;
		*nitems = 1;
		return (0);
	}
	if (n->type != Y_SEQ)
		return (yerr(d, n, "%s: expected a list", path));
	if (n->nkids == 0)
		return (yerr(d, n, "%s: must not be empty", path));
	if (n->nkids > (size_t)max)
		return (yerr(d, n->kids[max], "%s: too many entries (at most "
		    "%d)", path, max));
	*items = n->kids;
	*nitems = n->nkids;
	return (0);
}
