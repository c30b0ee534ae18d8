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
 * Unit tests of linkd/cookie.c on a simulated clock: token buckets,
 * the load measurement entering and leaving the loaded state, the
 * cookie from reply to mac2 (bound to the address and port, to the
 * INIT it answers, and to the secret's lifetime), the per-source
 * buckets.  Test code; trusts its inputs.
 */

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <string.h>

#include <check.h>
#include <sodium.h>

#include "cookie.h"
#include "wire.h"
#include "check_main.h"

static void
sin4(struct sockaddr_storage *ss, const char *ip, uint16_t port)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	ck_assert_int_eq(inet_pton(AF_INET, ip, &s4->sin_addr), 1);
}

START_TEST(test_tbucket)
{
	struct tbucket b;
	uint64_t now = 5000000;
	int i;

	memset(&b, 0, sizeof(b));
	/* A fresh bucket holds its burst: 3 tokens of 100 us. */
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(tbucket_take(&b, now, 100, 300), 1);
	ck_assert_int_eq(tbucket_take(&b, now, 100, 300), 0);
	ck_assert_int_eq(tbucket_take(&b, now + 99, 100, 300), 0);
	/* 99 us banked, one more makes a token. */
	ck_assert_int_eq(tbucket_take(&b, now + 100, 100, 300), 1);
	ck_assert_int_eq(tbucket_take(&b, now + 100, 100, 300), 0);
	/* A long pause refills to the burst, not beyond. */
	now += 1000000;
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(tbucket_take(&b, now, 100, 300), 1);
	ck_assert_int_eq(tbucket_take(&b, now, 100, 300), 0);
	/* A clock that seems to go back gives no credit. */
	ck_assert_int_eq(tbucket_take(&b, now - 500, 100, 300), 0);
}
END_TEST

/*
 * 100 us of work per INIT: 1/16 of a core is 156 INITs in a 250 ms
 * window.  A rate just under that never loads; a flood loads within a
 * window, stays loaded while it lasts (no DH work is measured then,
 * the INITs are still counted), and the load ends a hold time after it.
 */
START_TEST(test_load)
{
	struct cookie_checker c;
	uint8_t pub[32];
	uint64_t now = 1000000, t;
	int i, n;

	randombytes_buf(pub, sizeof(pub));
	cookie_checker_init(&c, pub);
	/* Nothing measured yet: INITs alone are no load. */
	for (i = 0; i < 1000; i++)
		ck_assert_int_eq(cookie_load_init(&c, now + i), 0);
	cookie_load_work(&c, 100);
	ck_assert_uint_eq(c.cost_us, 100);

	/* 600 INITs a second (150 a window), each measured: no load. */
	now += 1000000;
	for (t = now; t < now + 5000000; t += 1667) {
		ck_assert_int_eq(cookie_load_init(&c, t), 0);
		cookie_load_work(&c, 100);
	}
	/* 20 000 a second: loaded after about 157 of them. */
	now = t + 1000000;
	for (i = 0; i < 200; i++) {
		if (cookie_load_init(&c, now + 50 * (uint64_t)i))
			break;
		cookie_load_work(&c, 100);
	}
	ck_assert_int_ge(i, 150);
	ck_assert_int_le(i, 160);
	/* Ten seconds of flood with no DH work measured: still loaded. */
	n = 0;
	for (t = now + 50 * (uint64_t)i; t < now + 10000000; t += 50)
		n += cookie_load_init(&c, t) == 0;
	ck_assert_int_eq(n, 0);
	/* The flood stops: loaded until the hold time is over. */
	ck_assert_int_eq(cookie_under_load(&c, t + COOKIE_LOAD_HOLD_US - 100),
	    1);
	ck_assert_int_eq(cookie_under_load(&c, t + COOKIE_LOAD_HOLD_US + 1),
	    0);
}
END_TEST

/* An INIT-sized message whose mac1 is random, mac2 to be written. */
static void
fake_init(uint8_t msg[WIRE_INIT_LEN])
{
	randombytes_buf(msg, WIRE_INIT_LEN);
	msg[0] = WIRE_VERSION;
	msg[1] = WIRE_HANDSHAKE_INIT;
	msg[2] = msg[3] = 0;
}

START_TEST(test_cookie_roundtrip)
{
	struct cookie_checker c;
	struct cookie_maker m, other;
	struct sockaddr_storage a, a2, b;
	uint8_t spub[32], msg[WIRE_INIT_LEN], o[WIRE_INIT_LEN];
	uint8_t reply[COOKIE_REPLY_LEN];
	uint64_t now = 7000000;

	randombytes_buf(spub, sizeof(spub));
	cookie_checker_init(&c, spub);
	cookie_maker_init(&m, spub);
	sin4(&a, "198.18.0.2", 4000);
	sin4(&a2, "198.18.0.2", 4001);
	sin4(&b, "198.18.0.3", 4000);

	/* Without a cookie mac2 is zero and refused. */
	fake_init(msg);
	cookie_mac2_put(&m, now, msg, sizeof(msg));
	ck_assert(sodium_is_zero(msg + sizeof(msg) - 16, 16));
	ck_assert_int_eq(cookie_mac2_ok(&c, now, msg, sizeof(msg), &a), 0);

	/* The reply to that INIT gives the cookie of a. */
	cookie_reply_create(&c, now, 0x11223344, msg + sizeof(msg) - 32, &a,
	    reply);
	ck_assert_int_eq(wire_type(reply, sizeof(reply)), WIRE_COOKIE_REPLY);
	ck_assert_int_eq(cookie_reply_index(reply, sizeof(reply)),
	    0x11223344);
	ck_assert_int_eq(cookie_reply_index(reply, sizeof(reply) - 1), -1);
	/* Another initiator (another INIT, so another mac1) cannot read
	 * it; the one that sent the INIT can. */
	cookie_maker_init(&other, spub);
	fake_init(o);
	cookie_mac2_put(&other, now, o, sizeof(o));
	ck_assert_int_eq(cookie_reply_consume(&other, now, reply,
	    sizeof(reply)), -1);
	ck_assert_int_eq(other.has_cookie, 0);
	ck_assert_int_eq(cookie_reply_consume(&m, now, reply, sizeof(reply)),
	    0);
	reply[40] ^= 1;
	ck_assert_int_eq(cookie_reply_consume(&m, now, reply, sizeof(reply)),
	    -1);

	/* The next INIT carries a mac2 that holds from a only. */
	fake_init(msg);
	cookie_mac2_put(&m, now + 1000, msg, sizeof(msg));
	ck_assert(!sodium_is_zero(msg + sizeof(msg) - 16, 16));
	ck_assert_int_eq(cookie_mac2_ok(&c, now + 1000, msg, sizeof(msg),
	    &a), 1);
	ck_assert_int_eq(cookie_mac2_ok(&c, now + 1000, msg, sizeof(msg),
	    &a2), 0);
	ck_assert_int_eq(cookie_mac2_ok(&c, now + 1000, msg, sizeof(msg),
	    &b), 0);
	msg[20] ^= 1;
	ck_assert_int_eq(cookie_mac2_ok(&c, now + 1000, msg, sizeof(msg),
	    &a), 0);
	msg[20] ^= 1;

	/* The secret changes: the old cookie no longer counts. */
	ck_assert_int_eq(cookie_mac2_ok(&c, now + COOKIE_SECRET_US, msg,
	    sizeof(msg), &a), 0);
	/* The initiator stops using it before that. */
	fake_init(msg);
	cookie_mac2_put(&m, now + COOKIE_USE_US, msg, sizeof(msg));
	ck_assert(sodium_is_zero(msg + sizeof(msg) - 16, 16));
}
END_TEST

/* Replies to the same INIT never share a nonce, also across a new
 * secret, and each one decrypts. */
START_TEST(test_reply_nonces)
{
	struct cookie_checker c;
	struct cookie_maker m;
	struct sockaddr_storage a;
	uint8_t spub[32], msg[WIRE_INIT_LEN];
	uint8_t r[3][COOKIE_REPLY_LEN];
	uint64_t now = 7000000;
	int i, j;

	randombytes_buf(spub, sizeof(spub));
	cookie_checker_init(&c, spub);
	cookie_maker_init(&m, spub);
	sin4(&a, "198.18.0.2", 4000);
	fake_init(msg);
	cookie_mac2_put(&m, now, msg, sizeof(msg));
	cookie_reply_create(&c, now, 1, msg + sizeof(msg) - 32, &a, r[0]);
	cookie_reply_create(&c, now, 1, msg + sizeof(msg) - 32, &a, r[1]);
	cookie_reply_create(&c, now + COOKIE_SECRET_US, 1,
	    msg + sizeof(msg) - 32, &a, r[2]);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(cookie_reply_consume(&m, now, r[i],
		    COOKIE_REPLY_LEN), 0);
		for (j = 0; j < i; j++)
			ck_assert(memcmp(r[i] + 8, r[j] + 8,
			    COOKIE_NONCE_LEN) != 0);
	}
}
END_TEST

/* COOKIE_SRC_BURST at once, then COOKIE_SRC_RATE a second, per
 * address whatever its port; other addresses have their own. */
START_TEST(test_src_bucket)
{
	struct cookie_checker c;
	struct sockaddr_storage a, a2, b;
	uint8_t pub[32];
	uint64_t now = 3000000, t;
	int i, n;

	randombytes_buf(pub, sizeof(pub));
	cookie_checker_init(&c, pub);
	sin4(&a, "198.18.0.2", 4000);
	sin4(&a2, "198.18.0.2", 5000);
	sin4(&b, "198.19.7.9", 4000);
	for (i = 0; i < COOKIE_SRC_BURST; i++)
		ck_assert_int_eq(cookie_src_allow(&c, now, &a), 1);
	ck_assert_int_eq(cookie_src_allow(&c, now, &a), 0);
	ck_assert_int_eq(cookie_src_allow(&c, now, &a2), 0);
	ck_assert_int_eq(cookie_src_allow(&c, now, &b), 1);
	/* Ten seconds at 1000 a second from a: about 20 a second pass. */
	n = 0;
	for (t = now + 1000; t <= now + 10000000; t += 1000)
		n += cookie_src_allow(&c, t, &a);
	ck_assert_int_ge(n, 10 * COOKIE_SRC_RATE - 1);
	ck_assert_int_le(n, 10 * COOKIE_SRC_RATE + 1);
}
END_TEST

static Suite *
cookie_suite(void)
{
	Suite *s = suite_create("cookie");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_tbucket);
	tcase_add_test(tc, test_load);
	tcase_add_test(tc, test_cookie_roundtrip);
	tcase_add_test(tc, test_reply_nonces);
	tcase_add_test(tc, test_src_bucket);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	if (sodium_init() == -1)
		return (1);
	return (check_run(srunner_create(cookie_suite())));
}
