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
 * Unit tests of linkd/replay.c: order, reorder, duplicates, the window
 * edge, jumps, both ends of the counter range, and a random run checked
 * against a naive model.  Test code; trusts its inputs.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "replay.h"
#include "check_main.h"

/* check, then update, with the same verdict; check must not modify. */
static int
accept(struct replay *r, uint64_t ctr)
{
	struct replay before;
	int c, u;

	before = *r;
	c = replay_check(r, ctr);
	ck_assert_mem_eq(&before, r, sizeof(before));
	u = replay_update(r, ctr);
	ck_assert_int_eq(c, u);
	if (u == -1)
		ck_assert_mem_eq(&before, r, sizeof(before));
	return (u);
}

START_TEST(test_in_order)
{
	struct replay r;
	uint64_t i;

	replay_init(&r);
	for (i = 0; i < 3 * REPLAY_WINDOW; i++)
		ck_assert_int_eq(accept(&r, i), 0);
	/* Everything still in the window is a duplicate now. */
	for (i = 2 * REPLAY_WINDOW; i < 3 * REPLAY_WINDOW; i++)
		ck_assert_int_eq(replay_check(&r, i), -1);
	/* And everything below it is too old. */
	for (i = 0; i < 2 * REPLAY_WINDOW; i++)
		ck_assert_int_eq(replay_check(&r, i), -1);
}
END_TEST

START_TEST(test_counter_zero)
{
	struct replay r;

	replay_init(&r);
	ck_assert_int_eq(replay_check(&r, 0), 0);
	ck_assert_int_eq(accept(&r, 0), 0);
	ck_assert_int_eq(accept(&r, 0), -1);
	ck_assert_int_eq(accept(&r, 1), 0);
	ck_assert_int_eq(accept(&r, 0), -1);
}
END_TEST

START_TEST(test_reorder)
{
	struct replay r;

	replay_init(&r);
	ck_assert_int_eq(accept(&r, 100), 0);
	ck_assert_int_eq(accept(&r, 50), 0);
	ck_assert_int_eq(accept(&r, 99), 0);
	ck_assert_int_eq(accept(&r, 0), 0);
	ck_assert_int_eq(accept(&r, 101), 0);
	ck_assert_int_eq(accept(&r, 64), 0);
	ck_assert_int_eq(accept(&r, 63), 0);
	ck_assert_int_eq(accept(&r, 50), -1);
	ck_assert_int_eq(accept(&r, 99), -1);
	ck_assert_int_eq(accept(&r, 100), -1);
	ck_assert_int_eq(accept(&r, 0), -1);
	ck_assert_int_eq(accept(&r, 98), 0);
}
END_TEST

/* top = 10001: counters down to top - REPLAY_WINDOW pass, older not. */
START_TEST(test_window_edge)
{
	struct replay r;
	uint64_t top = 10001;

	replay_init(&r);
	ck_assert_int_eq(accept(&r, top - 1), 0);
	ck_assert_int_eq(accept(&r, top - REPLAY_WINDOW - 1), -1);
	ck_assert_int_eq(accept(&r, top - REPLAY_WINDOW - 2), -1);
	ck_assert_int_eq(accept(&r, top - REPLAY_WINDOW), 0);
	ck_assert_int_eq(accept(&r, top - REPLAY_WINDOW), -1);
	/* One step forward pushes that edge counter out of the window. */
	ck_assert_int_eq(accept(&r, top), 0);
	ck_assert_int_eq(replay_check(&r, top - REPLAY_WINDOW), -1);
	ck_assert_int_eq(accept(&r, top - REPLAY_WINDOW + 1), 0);
}
END_TEST

/*
 * Advancing by less than a word must not forget counters that share
 * a word with the new top (the RFC 6479 word-clearing trap).
 */
START_TEST(test_small_steps_keep_bits)
{
	struct replay r;
	uint64_t i, top, step;

	replay_init(&r);
	for (i = 0; i < REPLAY_WINDOW; i++)
		ck_assert_int_eq(accept(&r, i), 0);
	top = REPLAY_WINDOW;
	for (step = 1; step < 130; step += 7) {
		ck_assert_int_eq(accept(&r, top + step - 1), 0);
		top += step;
		/* Skipped counters are new, the rest still duplicates. */
		for (i = top - REPLAY_WINDOW; i < top - step; i++)
			ck_assert_int_eq(replay_check(&r, i), -1);
		for (i = top - step; i < top - 1; i++)
			ck_assert_int_eq(accept(&r, i), 0);
		ck_assert_int_eq(replay_check(&r, top - REPLAY_WINDOW - 1),
		    -1);
	}
}
END_TEST

START_TEST(test_big_jump)
{
	struct replay r;
	uint64_t i, far = 1000000;

	replay_init(&r);
	for (i = 0; i < REPLAY_WINDOW; i++)
		ck_assert_int_eq(accept(&r, i), 0);
	ck_assert_int_eq(accept(&r, far), 0);
	/* The whole window below the jump is new, whatever its bits. */
	for (i = far - REPLAY_WINDOW + 1; i < far; i++)
		ck_assert_int_eq(accept(&r, i), 0);
	ck_assert_int_eq(accept(&r, far - REPLAY_WINDOW), -1);
	for (i = 0; i < REPLAY_WINDOW; i++)
		ck_assert_int_eq(replay_check(&r, i), -1);
	/* A jump of exactly one window. */
	ck_assert_int_eq(accept(&r, far + REPLAY_WINDOW), 0);
	for (i = far + 1; i < far + REPLAY_WINDOW; i++)
		ck_assert_int_eq(replay_check(&r, i), 0);
	ck_assert_int_eq(replay_check(&r, far), -1);
}
END_TEST

START_TEST(test_top_of_range)
{
	struct replay r;

	replay_init(&r);
	ck_assert_int_eq(accept(&r, UINT64_MAX), -1);
	ck_assert_int_eq(accept(&r, 5), 0);
	ck_assert_int_eq(accept(&r, UINT64_MAX - 1), 0);
	ck_assert_uint_eq(r.top, UINT64_MAX);
	ck_assert_int_eq(accept(&r, UINT64_MAX), -1);
	ck_assert_int_eq(accept(&r, UINT64_MAX - 1), -1);
	ck_assert_int_eq(accept(&r, UINT64_MAX - 2), 0);
	ck_assert_int_eq(accept(&r, UINT64_MAX - REPLAY_WINDOW), 0);
	ck_assert_int_eq(accept(&r, UINT64_MAX - REPLAY_WINDOW - 1), -1);
	ck_assert_int_eq(accept(&r, 5), -1);
	ck_assert_int_eq(accept(&r, 0), -1);
	ck_assert_uint_eq(r.top, UINT64_MAX);
}
END_TEST

/* Random counters near a moving top against a table of every counter. */
START_TEST(test_model)
{
	struct replay r;
	static uint8_t seen[1 << 20];
	uint64_t top = 0, ctr;
	int i, want;

	memset(seen, 0, sizeof(seen));
	replay_init(&r);
	srandom(1);
	for (i = 0; i < 400000; i++) {
		ctr = top + (uint64_t)(random() % 600);
		ctr = ctr > 6000 ? ctr - 6000 : 0;
		if (random() % 50 == 0)
			ctr += (uint64_t)(random() % 9000);
		if (ctr >= sizeof(seen))
			break;
		want = seen[ctr] || ctr + REPLAY_WINDOW < top ? -1 : 0;
		ck_assert_int_eq(accept(&r, ctr), want);
		if (want == 0) {
			seen[ctr] = 1;
			if (ctr >= top)
				top = ctr + 1;
		}
	}
	ck_assert_uint_eq(r.top, top);
}
END_TEST

static Suite *
replay_suite(void)
{
	Suite *s = suite_create("replay");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_in_order);
	tcase_add_test(tc, test_counter_zero);
	tcase_add_test(tc, test_reorder);
	tcase_add_test(tc, test_window_edge);
	tcase_add_test(tc, test_small_steps_keep_bits);
	tcase_add_test(tc, test_big_jump);
	tcase_add_test(tc, test_top_of_range);
	tcase_add_test(tc, test_model);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(srunner_create(replay_suite())));
}
