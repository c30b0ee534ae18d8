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
 * Unit tests of common/yamltree.c on its own, without the bondd.yaml
 * schema: the shape of the tree and where each node starts, what is
 * refused while loading, the depth bound, and the generic checks on
 * mappings and scalars.  Test code; trusts its inputs.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "yamltree.h"
#include "check_main.h"

static char	 file[64];
static char	 err[512];
static struct ydoc doc;

static void
setup(void)
{
	int	 fd;

	snprintf(file, sizeof(file), "/tmp/check_yamltree.XXXXXX");
	ck_assert_int_ne(fd = mkstemp(file), -1);
	close(fd);
	doc.file = file;
	doc.err = err;
	doc.errlen = sizeof(err);
	err[0] = '\0';
}

static void
teardown(void)
{
	unlink(file);
}

/* Load text; the root or NULL. */
static struct ynode *
load(const char *text)
{
	struct ynode	*root;
	FILE		*fp;

	ck_assert_ptr_nonnull(fp = fopen(file, "w"));
	ck_assert_int_eq(fputs(text, fp) >= 0, 1);
	ck_assert_int_eq(fclose(fp), 0);
	if (ydoc_load(&doc, &root) == -1) {
		ck_assert_ptr_null(root);
		return (NULL);
	}
	ck_assert_ptr_nonnull(root);
	return (root);
}

/* err must be "file:" followed by want. */
static void
assert_err(const char *want)
{
	size_t	 n = strlen(file);

	ck_assert_msg(strncmp(err, file, n) == 0 && err[n] == ':' &&
	    strcmp(err + n + 1, want) == 0, "got '%s', want '%s:%s'", err,
	    file, want);
}

START_TEST(test_tree)
{
	struct ynode	*root, *v;

	root = load("# comment\n"
	    "a: 1\n"
	    "b: [x, \"y\"]\n"
	    "c:\n"
	    "  d: 'q'\n");
	ck_assert_ptr_nonnull(root);
	ck_assert_int_eq(root->type, Y_MAP);
	ck_assert_uint_eq(root->nkids, 6);
	ck_assert_uint_eq(root->line, 2);
	ck_assert_uint_eq(root->col, 1);

	v = ymap_get(root, "a");
	ck_assert_int_eq(v->type, Y_SCALAR);
	ck_assert_str_eq(v->str, "1");
	ck_assert_int_eq(v->plain, 1);
	ck_assert_uint_eq(v->line, 2);
	ck_assert_uint_eq(v->col, 4);

	v = ymap_get(root, "b");
	ck_assert_int_eq(v->type, Y_SEQ);
	ck_assert_uint_eq(v->nkids, 2);
	ck_assert_str_eq(v->kids[0]->str, "x");
	ck_assert_int_eq(v->kids[0]->plain, 1);
	ck_assert_str_eq(v->kids[1]->str, "y");
	ck_assert_int_eq(v->kids[1]->plain, 0);
	ck_assert_uint_eq(v->kids[1]->line, 3);
	ck_assert_uint_eq(v->kids[1]->col, 8);

	v = ymap_get(root, "c");
	ck_assert_int_eq(v->type, Y_MAP);
	ck_assert_str_eq(ymap_get(v, "d")->str, "q");
	ck_assert_uint_eq(ymap_get(v, "d")->line, 5);
	ck_assert_ptr_null(ymap_get(root, "d"));
	ynode_free(root);
}
END_TEST

START_TEST(test_refused)
{
	ck_assert_ptr_null(load("a: &x 1\n"));
	assert_err("1:4: anchors are not supported");
	ck_assert_ptr_null(load("a: 1\nb: *x\n"));
	assert_err("2:4: aliases are not supported");
	ck_assert_ptr_null(load("a: !!str 1\n"));
	assert_err("1:4: tags are not supported");
	ck_assert_ptr_null(load("a: 1\n---\nb: 2\n"));
	assert_err("2:1: only one YAML document is allowed");
	ck_assert_ptr_null(load("# nothing\n"));
	assert_err("1:1: empty configuration");
	ck_assert_ptr_null(load("a: \"x\\0y\"\n"));
	assert_err("1:4: NUL in a string");
	ck_assert_ptr_null(load("a: [1\n"));
	ck_assert_msg(strstr(err, ": syntax error: ") != NULL, "got '%s'",
	    err);
}
END_TEST

START_TEST(test_missing_file)
{
	struct ynode	*root;

	unlink(file);
	ck_assert_int_eq(ydoc_load(&doc, &root), -1);
	ck_assert_ptr_null(root);
	assert_err("1:1: cannot open: No such file or directory");
}
END_TEST

/* Nesting: the root is depth 0 and depth 16 is the deepest allowed. */
START_TEST(test_depth)
{
	struct ynode	*root;
	char		 text[64];
	int		 i;

	for (i = 0; i < 17; i++)
		text[i] = '[';
	for (; i < 34; i++)
		text[i] = ']';
	snprintf(text + i, sizeof(text) - i, "\n");
	ck_assert_ptr_nonnull(root = load(text));
	ynode_free(root);

	for (i = 0; i < 18; i++)
		text[i] = '[';
	for (; i < 36; i++)
		text[i] = ']';
	snprintf(text + i, sizeof(text) - i, "\n");
	ck_assert_ptr_null(load(text));
	assert_err("1:18: document too deep or too large");
}
END_TEST

START_TEST(test_map_check)
{
	static const char *const keys[] = { "a", "b", NULL };
	struct ynode	*root;

	ck_assert_ptr_nonnull(root = load("a: 1\nb: {a: 2}\n"));
	ck_assert_int_eq(ymap_check(&doc, root, "", keys), 0);
	ck_assert_int_eq(ymap_check(&doc, ymap_get(root, "b"), "b", keys), 0);
	ck_assert_int_eq(ymap_need(&doc, root, "", "b"), 0);
	ck_assert_int_eq(ymap_need(&doc, ymap_get(root, "b"), "b", "b"), -1);
	assert_err("2:4: missing required key 'b' in b");
	ck_assert_int_eq(ymap_check(&doc, ymap_get(root, "a"), "a", keys), -1);
	assert_err("1:4: a: expected a mapping");
	ynode_free(root);

	ck_assert_ptr_nonnull(root = load("a: 1\nc: 2\n"));
	ck_assert_int_eq(ymap_check(&doc, root, "", keys), -1);
	assert_err("2:1: unknown key 'c'");
	ynode_free(root);

	ck_assert_ptr_nonnull(root = load("x: {b: 1, a: 2, b: 3}\n"));
	ck_assert_int_eq(ymap_check(&doc, ymap_get(root, "x"), "x", keys), -1);
	assert_err("1:17: duplicate key 'b' in x");
	ynode_free(root);

	ck_assert_ptr_nonnull(root = load("? [a]\n: 1\n"));
	ck_assert_int_eq(ymap_check(&doc, root, "", keys), -1);
	assert_err("1:3: expected a string key");
	ynode_free(root);

	ck_assert_ptr_nonnull(root = load("- a\n"));
	ck_assert_int_eq(ymap_check(&doc, root, "", keys), -1);
	assert_err("1:1: expected a mapping at top level");
	ynode_free(root);
}
END_TEST

START_TEST(test_scalars)
{
	struct ynode		*root, *const *items;
	const struct ynode	*s;
	long long		 v;
	uint32_t		 u;
	size_t			 n;
	bool			 b;
	char			 buf[4];

	ck_assert_ptr_nonnull(root = load("[0, -5, 007, \"5\", "
	    "9223372036854775807, 9223372036854775808, -x, 1e3, "
	    "yes, no, True, 'true', abc, abcd, '', [1, 2, 3]]\n"));
	s = root;
	ck_assert_int_eq(yint_scan(s->kids[0], &v), 0);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(yint_scan(s->kids[1], &v), 0);
	ck_assert_int_eq(v, -5);
	ck_assert_int_eq(yint_scan(s->kids[2], &v), -1);
	ck_assert_int_eq(yint_scan(s->kids[3], &v), -1);	/* quoted */
	ck_assert_int_eq(yint_scan(s->kids[4], &v), 0);
	ck_assert_int_eq(v, 9223372036854775807LL);
	ck_assert_int_eq(yint_scan(s->kids[5], &v), -2);
	ck_assert_int_eq(yint_scan(s->kids[6], &v), -1);
	ck_assert_int_eq(yint_scan(s->kids[7], &v), -1);
	ck_assert_int_eq(yint_scan(s->kids[15], &v), -1);	/* a list */

	ck_assert_int_eq(yget_int(&doc, s->kids[1], "i", -5, 5, &v), 0);
	ck_assert_int_eq(yget_int(&doc, s->kids[1], "i", -4, 5, &v), -1);
	assert_err("1:5: i: -5 out of range -4..5");
	ck_assert_int_eq(yget_u32(&doc, s->kids[5], "u", 0, 10, &u), -1);
	assert_err("1:40: u: 9223372036854775808 out of range 0..10");
	ck_assert_int_eq(yget_u32(&doc, s->kids[7], "u", 0, 10, &u), -1);
	assert_err("1:65: u: expected an integer");

	ck_assert_int_eq(yget_bool(&doc, s->kids[8], "b", &b), 0);
	ck_assert_int_eq(b, true);
	ck_assert_int_eq(yget_bool(&doc, s->kids[9], "b", &b), 0);
	ck_assert_int_eq(b, false);
	ck_assert_int_eq(yget_bool(&doc, s->kids[10], "b", &b), -1);
	assert_err("1:79: b: expected true or false");
	ck_assert_int_eq(yget_bool(&doc, s->kids[11], "b", &b), -1);

	ck_assert_int_eq(yget_str(&doc, s->kids[12], "s", buf, sizeof(buf)),
	    0);
	ck_assert_str_eq(buf, "abc");
	ck_assert_int_eq(yget_str(&doc, s->kids[13], "s", buf, sizeof(buf)),
	    -1);
	assert_err("1:98: s: too long (at most 3 characters)");
	ck_assert_int_eq(yget_str(&doc, s->kids[14], "s", buf, sizeof(buf)),
	    -1);
	assert_err("1:104: s: must not be empty");

	ck_assert_int_eq(yget_list(&doc, s->kids[12], "l", 2, &items, &n), 0);
	ck_assert_ptr_null(items);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(yget_list(&doc, s->kids[15], "l", 3, &items, &n), 0);
	ck_assert_ptr_eq(items, s->kids[15]->kids);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(yget_list(&doc, s->kids[15], "l", 2, &items, &n), -1);
	assert_err("1:115: l: too many entries (at most 2)");
	ynode_free(root);
}
END_TEST

static Suite *
yamltree_suite(void)
{
	Suite	*s = suite_create("yamltree");
	TCase	*tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_tree);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_depth);
	tcase_add_test(tc, test_map_check);
	tcase_add_test(tc, test_scalars);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(srunner_create(yamltree_suite())));
}
