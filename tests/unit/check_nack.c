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
 * Unit tests of bondd/nack.c on a simulated clock: the NACK built from
 * a reorder buffer's gaps, and the kept frames a received NACK asks
 * for.  Test code; trusts its inputs.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "frame.h"
#include "nack.h"
#include "check_main.h"

#define SLOTS		4096
#define MTU		1500
#define T0		7000000ULL

static void
push(struct reorder *ro, uint32_t seq, uint64_t now)
{
	struct reorder_meta	m;
	uint8_t			pkt[20];

	memset(pkt, 0x45, sizeof(pkt));
	memset(&m, 0, sizeof(m));
	m.seq = seq;
	m.owd_us = 1000;
	m.dep_kind = REORDER_DEP_ALL;
	/* In its link's order, after a frame long written. */
	m.has_link_prev = 1;
	m.link_prev = seq - UINT16_MAX;
	reorder_push(ro, &m, pkt, sizeof(pkt), now);
}

START_TEST(test_due)
{
	ck_assert_int_eq(nack_due(T0, T0), 0);
	ck_assert_int_eq(nack_due(T0, T0 + NACK_PERIOD_US - 1), 0);
	ck_assert_int_eq(nack_due(T0, T0 + NACK_PERIOD_US), 1);
	/* Never sent yet. */
	ck_assert_int_eq(nack_due(0, T0), 1);
}
END_TEST

START_TEST(test_build)
{
	struct reorder		*ro;
	struct inner_hdr	 h;
	uint8_t			 f[NACK_FRAME_MAX];
	uint32_t		 seqs[INNER_NACK_MAX];
	size_t			 len, n;
	int			 asked = -1, again = -1;

	ck_assert_uint_eq(NACK_FRAME_MAX, 16 + 4 + 64 * 4);
	ro = reorder_new(SLOTS, MTU, 100000);
	ck_assert_ptr_nonnull(ro);
	reorder_set_nack_wait(ro, 10000);
	/* Nothing missing: no NACK. */
	ck_assert_uint_eq(nack_build(ro, 0x1234, T0, f, &asked, &again), 0);
	ck_assert_int_eq(asked, 0);
	push(ro, 10, T0);
	push(ro, 13, T0);
	len = nack_build(ro, 0x1234, T0 + 3000, f, &asked, &again);
	ck_assert_int_eq(asked, 2);
	ck_assert_int_eq(again, 0);
	ck_assert_uint_eq(len, INNER_HDR_LEN + INNER_NACK_LEN(2));
	ck_assert_int_eq(inner_hdr_decode(f, len, &h), WIRE_OK);
	ck_assert_uint_eq(h.kind, INNER_NACK);
	ck_assert_uint_eq(h.flags, 0);
	ck_assert_uint_eq(h.epoch, 0x1234);
	ck_assert_uint_eq(h.seq, 0);
	ck_assert_uint_eq(h.send_ts_us, (uint32_t)(T0 + 3000));
	ck_assert_int_eq(frame_nack_get(f + INNER_HDR_LEN,
	    len - INNER_HDR_LEN, seqs, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(seqs[0], 11);
	ck_assert_uint_eq(seqs[1], 12);
	/* Asked for already: not again before the resend is overdue. */
	ck_assert_uint_eq(nack_build(ro, 0x1234, T0 + 3000, f, &asked, &again), 0);
	ck_assert_int_eq(asked, 0);
	/* More gaps than a NACK holds: the first INNER_NACK_MAX. */
	push(ro, 300, T0 + 4000);
	len = nack_build(ro, 0x1234, T0 + 8000, f, &asked, &again);
	ck_assert_int_eq(asked, INNER_NACK_MAX);
	ck_assert_uint_eq(len, NACK_FRAME_MAX);
	ck_assert_int_eq(frame_nack_get(f + INNER_HDR_LEN,
	    len - INNER_HDR_LEN, seqs, &n), 0);
	ck_assert_uint_eq(n, INNER_NACK_MAX);
	ck_assert_uint_eq(seqs[0], 14);
	ck_assert_uint_eq(seqs[INNER_NACK_MAX - 1], 14 + INNER_NACK_MAX - 1);
	/* Once the wait has passed, 11 and 12 are asked for again, and
	 * said to be, ahead of holes not asked for yet. */
	len = nack_build(ro, 0x1234, T0 + 13000, f, &asked, &again);
	ck_assert_int_eq(asked, INNER_NACK_MAX);
	ck_assert_int_eq(again, 2);
	ck_assert_int_eq(frame_nack_get(f + INNER_HDR_LEN,
	    len - INNER_HDR_LEN, seqs, &n), 0);
	ck_assert_uint_eq(seqs[0], 11);
	ck_assert_uint_eq(seqs[1], 12);
	ck_assert_uint_eq(seqs[2], 14 + INNER_NACK_MAX);
	reorder_free(ro);
}
END_TEST

START_TEST(test_wanted)
{
	const uint32_t		 ask[] = { 11, 99, 10, 11, 12 };
	struct retx		 rt;
	struct retx_frame	*want[INNER_NACK_MAX];
	uint8_t			 f[64], body[INNER_NACK_LEN(5)];
	size_t			 nwant = 99, nignored = 99;

	ck_assert_int_eq(retx_init(&rt, sizeof(f)), 0);
	memset(f, 0, sizeof(f));
	retx_keep(&rt, 10, f, sizeof(f), 0, T0);
	retx_keep(&rt, 11, f, sizeof(f), 1, T0 + 10);
	retx_keep(&rt, 12, f, sizeof(f), 1, T0 - RETX_MAX_AGE_US);
	frame_nack_put(body, ask, 5);
	/* In the NACK's order, once if asked twice; 99 was never sent and
	 * 12 is too old. */
	ck_assert_int_eq(nack_wanted(&rt, body, sizeof(body), T0 + 20, want,
	    &nwant, &nignored), 5);
	ck_assert_uint_eq(nwant, 2);
	ck_assert_uint_eq(want[0]->seq, 11);
	ck_assert_uint_eq(want[1]->seq, 10);
	ck_assert_uint_eq(nignored, 1);
	/* Later, none is young enough. */
	ck_assert_int_eq(nack_wanted(&rt, body, sizeof(body),
	    T0 + 10 + RETX_MAX_AGE_US + 1, want, &nwant, &nignored), 5);
	ck_assert_uint_eq(nwant, 0);
	ck_assert_uint_eq(nignored, 0);
	/* A malformed body asks for nothing. */
	nwant = 99;
	ck_assert_int_eq(nack_wanted(&rt, body, sizeof(body) - 1, T0, want,
	    &nwant, &nignored), -1);
	ck_assert_int_eq(nack_wanted(&rt, body, 2, T0, want, &nwant,
	    &nignored), -1);
	ck_assert_uint_eq(nwant, 99);
	retx_free(&rt);
}
END_TEST

/* One sequence number named 64 times: one resend, and a repeat of the
 * whole NACK before that resend could have arrived gets none. */
START_TEST(test_repeated)
{
	uint32_t		 ask[INNER_NACK_MAX];
	struct retx		 rt;
	struct retx_frame	*want[INNER_NACK_MAX];
	uint8_t			 f[64], body[INNER_NACK_LEN(INNER_NACK_MAX)];
	size_t			 nwant, nignored, i;

	ck_assert_int_eq(retx_init(&rt, sizeof(f)), 0);
	memset(f, 0, sizeof(f));
	retx_keep(&rt, 500, f, sizeof(f), 0, T0);
	for (i = 0; i < INNER_NACK_MAX; i++)
		ask[i] = 500;
	frame_nack_put(body, ask, INNER_NACK_MAX);
	ck_assert_int_eq(nack_wanted(&rt, body, sizeof(body), T0 + 1000, want,
	    &nwant, &nignored), INNER_NACK_MAX);
	ck_assert_uint_eq(nwant, 1);
	ck_assert_uint_eq(want[0]->seq, 500);
	ck_assert_uint_eq(nignored, INNER_NACK_MAX - 1);
	ck_assert_int_eq(nack_wanted(&rt, body, sizeof(body),
	    T0 + 1000 + RETX_RESEND_GAP_US - 1, want, &nwant, &nignored),
	    INNER_NACK_MAX);
	ck_assert_uint_eq(nwant, 0);
	ck_assert_uint_eq(nignored, INNER_NACK_MAX);
	/* Asked again once the gap is over: the resend was lost. */
	ck_assert_int_eq(nack_wanted(&rt, body, sizeof(body),
	    T0 + 1000 + RETX_RESEND_GAP_US, want, &nwant, &nignored),
	    INNER_NACK_MAX);
	ck_assert_uint_eq(nwant, 1);
	retx_free(&rt);
}
END_TEST

static Suite *
nack_suite(void)
{
	Suite	*s = suite_create("nack");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_due);
	tcase_add_test(tc, test_build);
	tcase_add_test(tc, test_wanted);
	tcase_add_test(tc, test_repeated);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_run(srunner_create(nack_suite()));
}
