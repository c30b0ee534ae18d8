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
 * Unit tests of bondd/keyoracle.c, the parent's answer to a linkd's
 * request for the DH with the static private key: the result is the
 * X25519 of the key and the point; a low-order point is refused; a
 * linkd's budget empties after its burst, refills at its rate on the
 * injected clock, and refused requests are charged and counted.  Test
 * code; trusts its inputs.
 */

#include <stdint.h>
#include <string.h>

#include <check.h>
#include <sodium.h>

#include "keyoracle.h"
#include "check_main.h"

#define SEC	1000000ULL
#define T0	(1000 * SEC)

static uint8_t	priv[32], point[32], want[32];

static void
setup(void)
{
	uint8_t	e[32], pub[32];

	ck_assert_int_ge(sodium_init(), 0);
	randombytes_buf(priv, sizeof(priv));
	randombytes_buf(e, sizeof(e));
	ck_assert_int_eq(crypto_scalarmult_base(point, e), 0);
	/* What the other side computes from its ephemeral key. */
	ck_assert_int_eq(crypto_scalarmult_base(pub, priv), 0);
	ck_assert_int_eq(crypto_scalarmult(want, e, pub), 0);
}

START_TEST(test_answer)
{
	struct keyoracle	o;
	uint8_t			out[32];

	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(keyoracle_dh(&o, T0, priv, point, out),
	    KEYORACLE_OK);
	ck_assert_mem_eq(out, want, 32);
	ck_assert_uint_eq(o.answered, 1);
	ck_assert_uint_eq(o.limited + o.low_order, 0);
}
END_TEST

/* Low-order points give an all-zero result: refused, out zeroed. */
START_TEST(test_low_order)
{
	struct keyoracle	o;
	uint8_t			zero[32], one[32], out[32];

	memset(&o, 0, sizeof(o));
	memset(zero, 0, sizeof(zero));
	memset(one, 0, sizeof(one));
	one[0] = 1;
	memset(out, 0xee, sizeof(out));
	ck_assert_int_eq(keyoracle_dh(&o, T0, priv, zero, out),
	    KEYORACLE_LOW_ORDER);
	ck_assert_int_eq(sodium_is_zero(out, sizeof(out)), 1);
	ck_assert_int_eq(keyoracle_dh(&o, T0, priv, one, out),
	    KEYORACLE_LOW_ORDER);
	ck_assert_int_eq(sodium_is_zero(out, sizeof(out)), 1);
	ck_assert_uint_eq(o.low_order, 2);
	ck_assert_uint_eq(o.answered, 0);
	ck_assert_int_eq(keyoracle_x25519(out, priv, one), -1);
	ck_assert_int_eq(keyoracle_x25519(out, priv, point), 0);
	ck_assert_mem_eq(out, want, 32);
}
END_TEST

/*
 * The burst, then nothing until the clock gives credit back: one
 * request per KEYORACLE_COST_US, never more than the burst saved up.
 * Low-order requests use the budget as good ones do.
 */
START_TEST(test_budget)
{
	struct keyoracle	o;
	uint8_t			zero[32], out[32];
	uint64_t		now = T0;
	int			i;

	memset(&o, 0, sizeof(o));
	memset(zero, 0, sizeof(zero));
	for (i = 0; i < KEYORACLE_BURST - 1; i++)
		ck_assert_int_eq(keyoracle_dh(&o, now, priv, point, out),
		    KEYORACLE_OK);
	ck_assert_int_eq(keyoracle_dh(&o, now, priv, zero, out),
	    KEYORACLE_LOW_ORDER);
	memset(out, 0xee, sizeof(out));
	ck_assert_int_eq(keyoracle_dh(&o, now, priv, point, out),
	    KEYORACLE_LIMITED);
	ck_assert_int_eq(sodium_is_zero(out, sizeof(out)), 1);
	ck_assert_int_eq(keyoracle_dh(&o, now, priv, zero, out),
	    KEYORACLE_LIMITED);
	ck_assert_uint_eq(o.limited, 2);

	/* Less than one request's credit: still refused. */
	now += KEYORACLE_COST_US - 1;
	ck_assert_int_eq(keyoracle_dh(&o, now, priv, point, out),
	    KEYORACLE_LIMITED);
	now += 1;
	ck_assert_int_eq(keyoracle_dh(&o, now, priv, point, out),
	    KEYORACLE_OK);
	ck_assert_mem_eq(out, want, 32);
	ck_assert_int_eq(keyoracle_dh(&o, now, priv, point, out),
	    KEYORACLE_LIMITED);

	/* Paced at the rate, a second of requests all pass; one more at
	 * the same instant does not. */
	for (i = 0; i < KEYORACLE_RATE; i++) {
		now += KEYORACLE_COST_US;
		ck_assert_int_eq(keyoracle_dh(&o, now, priv, point, out),
		    KEYORACLE_OK);
	}
	ck_assert_int_eq(keyoracle_dh(&o, now, priv, point, out),
	    KEYORACLE_LIMITED);

	/* A long silence saves up the burst only. */
	now += 3600 * SEC;
	for (i = 0; i < KEYORACLE_BURST; i++)
		ck_assert_int_eq(keyoracle_dh(&o, now, priv, point, out),
		    KEYORACLE_OK);
	ck_assert_int_eq(keyoracle_dh(&o, now, priv, point, out),
	    KEYORACLE_LIMITED);
	ck_assert_uint_eq(o.limited, 6);
	ck_assert_uint_eq(o.low_order, 1);
}
END_TEST

static Suite *
keyoracle_suite(void)
{
	Suite	*s = suite_create("keyoracle");
	TCase	*tc = tcase_create("dh");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_answer);
	tcase_add_test(tc, test_low_order);
	tcase_add_test(tc, test_budget);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(srunner_create(keyoracle_suite())));
}
