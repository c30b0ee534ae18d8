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
 * Unit tests of common/linkinfo.c: the long and short names of every
 * link state and of a value out of range.  Test code; trusts its
 * inputs.
 */

#include <stdint.h>
#include <stdlib.h>

#include <check.h>

#include "linkinfo.h"
#include "check_main.h"

START_TEST(test_names)
{
	ck_assert_str_eq(link_state_name(LINK_STATE_PROBING), "probing");
	ck_assert_str_eq(link_state_name(LINK_STATE_RUNNING), "running");
	ck_assert_str_eq(link_state_name(LINK_STATE_LOSSY), "lossy");
	ck_assert_str_eq(link_state_name(LINK_STATE_DOWN), "down");
	ck_assert_str_eq(link_state_name(LINK_STATE_WAITING), "waiting");
	ck_assert_str_eq(link_state_name(LINK_STATE_MAX), "unknown");
	ck_assert_str_eq(link_state_short_name(LINK_STATE_RUNNING), "RUN");
	ck_assert_str_eq(link_state_short_name(LINK_STATE_PROBING), "PROBE");
	ck_assert_str_eq(link_state_short_name(LINK_STATE_LOSSY), "LOSSY");
	ck_assert_str_eq(link_state_short_name(LINK_STATE_DOWN), "DOWN");
	ck_assert_str_eq(link_state_short_name(LINK_STATE_WAITING), "WAIT");
	ck_assert_str_eq(link_state_short_name(LINK_STATE_MAX), "?");
}
END_TEST

static Suite *
linkinfo_suite(void)
{
	Suite	*s = suite_create("linkinfo");
	TCase	*tc = tcase_create("names");

	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(srunner_create(linkinfo_suite())));
}
