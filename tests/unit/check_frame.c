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
 * Unit tests of the core's frame records and IP packet checks.
 */

#include <sys/socket.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "wire.h"
#include "check_main.h"

static size_t
make_ipv4(uint8_t *p, size_t len)
{
	memset(p, 0, len);
	p[0] = 0x45;
	p[2] = len >> 8;
	p[3] = len & 0xff;
	p[9] = 17;
	memcpy(p + 12, "\xc6\x13\x00\x02", 4);	/* 198.19.0.2 */
	memcpy(p + 16, "\xc6\x13\x00\x01", 4);	/* 198.19.0.1 */
	return len;
}

START_TEST(test_round_trip)
{
	uint8_t		 a[100], b[60], frame[256];
	const uint8_t	*out;
	size_t		 off = 0, len, n;

	make_ipv4(a, sizeof(a));
	make_ipv4(b, sizeof(b));
	ck_assert_uint_eq(frame_rec_put(frame, sizeof(frame), &off, a,
	    sizeof(a)), INNER_REC_HDR_LEN + sizeof(a));
	ck_assert_uint_eq(frame_rec_put(frame, sizeof(frame), &off, b,
	    sizeof(b)), INNER_REC_HDR_LEN + sizeof(b));
	/* Little-endian record length. */
	ck_assert_uint_eq(frame[0], sizeof(a));
	ck_assert_uint_eq(frame[1], 0);
	n = off;
	off = 0;
	ck_assert_int_eq(frame_rec_next(frame, n, &off, &out, &len), 1);
	ck_assert_uint_eq(len, sizeof(a));
	ck_assert_mem_eq(out, a, len);
	ck_assert_int_eq(frame_rec_next(frame, n, &off, &out, &len), 1);
	ck_assert_uint_eq(len, sizeof(b));
	ck_assert_mem_eq(out, b, len);
	ck_assert_int_eq(frame_rec_next(frame, n, &off, &out, &len), 0);
}
END_TEST

START_TEST(test_no_room)
{
	uint8_t	pkt[100], frame[100];
	size_t	off = 0;

	make_ipv4(pkt, sizeof(pkt));
	ck_assert_uint_eq(frame_rec_put(frame, sizeof(frame), &off, pkt,
	    sizeof(pkt)), 0);
	ck_assert_uint_eq(off, 0);
	ck_assert_uint_eq(frame_rec_put(frame, sizeof(frame), &off, pkt, 0),
	    0);
}
END_TEST

START_TEST(test_record_overrun)
{
	uint8_t		 pkt[60], frame[128];
	const uint8_t	*out;
	size_t		 off = 0, n, len;

	make_ipv4(pkt, sizeof(pkt));
	frame_rec_put(frame, sizeof(frame), &off, pkt, sizeof(pkt));
	n = off;
	/* The record claims one byte more than the frame holds. */
	frame[0] = sizeof(pkt) + 1;
	off = 0;
	ck_assert_int_eq(frame_rec_next(frame, n, &off, &out, &len), -1);
	/* A truncated record header. */
	off = 0;
	ck_assert_int_eq(frame_rec_next(frame, 1, &off, &out, &len), -1);
	/* A zero-length record. */
	frame[0] = frame[1] = 0;
	off = 0;
	ck_assert_int_eq(frame_rec_next(frame, n, &off, &out, &len), -1);
	/* An offset past the end. */
	off = n + 1;
	ck_assert_int_eq(frame_rec_next(frame, n, &off, &out, &len), -1);
}
END_TEST

START_TEST(test_ip_check)
{
	uint8_t		 p[80];
	const uint8_t	*src, *dst;

	make_ipv4(p, 60);
	ck_assert_int_eq(ip_check(p, 60, &src, &dst), AF_INET);
	ck_assert_ptr_eq(src, p + 12);
	ck_assert_ptr_eq(dst, p + 16);
	/* Total length disagrees with what was read. */
	ck_assert_int_eq(ip_check(p, 59, &src, &dst), -1);
	ck_assert_int_eq(ip_check(p, 10, &src, &dst), -1);
	p[0] = 0x44;		/* header shorter than 20 bytes */
	ck_assert_int_eq(ip_check(p, 60, &src, &dst), -1);
	memset(p, 0, sizeof(p));
	p[0] = 0x60;
	p[5] = 40;		/* payload length */
	ck_assert_int_eq(ip_check(p, 80, &src, &dst), AF_INET6);
	ck_assert_ptr_eq(dst, p + 24);
	ck_assert_int_eq(ip_check(p, 79, &src, &dst), -1);
	p[0] = 0x50;		/* no such IP version */
	ck_assert_int_eq(ip_check(p, 80, &src, &dst), -1);
}
END_TEST

static Suite *
frame_suite(void)
{
	Suite	*s = suite_create("frame");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_no_room);
	tcase_add_test(tc, test_record_overrun);
	tcase_add_test(tc, test_ip_check);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return (check_run(srunner_create(frame_suite())));
}
