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
 * Unit tests of common/util.c: addresses and ports, prefixes and
 * matching, base64 keys, and of the value syntax in common/config.c
 * (rates, sizes, names).  Test code; trusts its inputs.
 */

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "config.h"
#include "util.h"
#include "check_main.h"

static const char *
fmt(const char *in, uint16_t defport, char *buf, size_t len)
{
	struct sockaddr_storage	 ss;

	if (addr_parse(in, defport, &ss) == -1)
		return ("ERR");
	return (addr_fmt(&ss, buf, len));
}

START_TEST(test_addr_good)
{
	char	 buf[ADDR_STRLEN];

	ck_assert_str_eq(fmt("198.18.0.1:5800", 0, buf, sizeof(buf)),
	    "198.18.0.1:5800");
	ck_assert_str_eq(fmt("[2001:db8::1]:5800", 0, buf, sizeof(buf)),
	    "[2001:db8::1]:5800");
	ck_assert_str_eq(fmt("[2001:DB8:0::1]:1", 0, buf, sizeof(buf)),
	    "[2001:db8::1]:1");
	ck_assert_str_eq(fmt("198.18.0.1:65535", 0, buf, sizeof(buf)),
	    "198.18.0.1:65535");
	ck_assert_str_eq(fmt("198.18.0.1", 7, buf, sizeof(buf)),
	    "198.18.0.1:7");
	ck_assert_str_eq(fmt("2001:db8::2", 5800, buf, sizeof(buf)),
	    "[2001:db8::2]:5800");
	ck_assert_str_eq(fmt("[2001:db8::2]", 5800, buf, sizeof(buf)),
	    "[2001:db8::2]:5800");
	ck_assert_str_eq(fmt("::", 9, buf, sizeof(buf)), "[::]:9");
}
END_TEST

START_TEST(test_addr_bad)
{
	static const char *const bad[] = {
		"", ":5800", "198.18.0.1:", "198.18.0.1:0",
		"198.18.0.1:65536", "198.18.0.1:99999999", "198.18.0.1:-1",
		"198.18.0.1:+80", "198.18.0.1:80x", "198.18.0.256:80",
		"198.18.0:80", "localhost:80", "[2001:db8::1]",
		"[2001:db8::1]5800", "[2001:db8::1]:", "[198.18.0.1]:80",
		"2001:db8::1:5800x", "[2001:db8::1:80", "198.18.0.1",
		"2001:db8::1", " 198.18.0.1:80", "198.18.0.1:80 ",
		"[2001:db8::1]:80:80",
		"1234567890123456789012345678901234567890123456789012345678901"
		    "234567890:80",
	};
	struct sockaddr_storage	 ss;
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(addr_parse(bad[i], 0, &ss) == -1,
		    "accepted '%s'", bad[i]);
	/* A default port does not make garbage valid. */
	ck_assert_int_eq(addr_parse("example.org", 5800, &ss), -1);
	ck_assert_int_eq(addr_parse("198.18.0.1:0", 5800, &ss), -1);
}
END_TEST

START_TEST(test_addr_host_equal_len)
{
	struct sockaddr_storage	 a, b;
	char			 buf[ADDR_STRLEN];

	ck_assert_int_eq(addr_parse_host("198.18.0.9", &a), 0);
	ck_assert_int_eq(a.ss_family, AF_INET);
	ck_assert_uint_eq(addr_len(&a), sizeof(struct sockaddr_in));
	ck_assert_str_eq(addr_fmt_host(&a, buf, sizeof(buf)), "198.18.0.9");
	ck_assert_int_eq(addr_parse_host("198.18.0.9:80", &a), -1);
	ck_assert_int_eq(addr_parse_host("2001:db8::9", &a), 0);
	ck_assert_uint_eq(addr_len(&a), sizeof(struct sockaddr_in6));
	ck_assert_str_eq(addr_fmt_host(&a, buf, sizeof(buf)), "2001:db8::9");

	ck_assert_int_eq(addr_parse("198.18.0.1:80", 0, &a), 0);
	ck_assert_int_eq(addr_parse("198.18.0.1", 80, &b), 0);
	ck_assert(addr_equal(&a, &b));
	ck_assert_int_eq(addr_parse("198.18.0.1:81", 0, &b), 0);
	ck_assert(!addr_equal(&a, &b));
	ck_assert_int_eq(addr_parse("[::ffff:198.18.0.1]:80", 0, &b), 0);
	ck_assert(!addr_equal(&a, &b));
	memset(&a, 0, sizeof(a));
	ck_assert_uint_eq(addr_len(&a), 0);
	ck_assert_str_eq(addr_fmt(&a, buf, sizeof(buf)), "none");
}
END_TEST

START_TEST(test_prefix)
{
	struct conf_prefix	 p;
	char			 buf[INET6_ADDRSTRLEN + 5];
	static const char *const bad[] = {
		"", "/24", "198.19.0.2/", "198.19.0.2/33", "198.19.0.2/-1",
		"198.19.0.2/2a", "198.19.0.2/0024", "2001:db8::/129",
		"198.19.0.2/24/1", "host/24", "198.19.0.2 /24",
	};
	size_t			 i;

	/* Host bits are kept: a tunnel address is "address/len". */
	ck_assert_int_eq(prefix_parse("198.19.0.2/24", &p), 0);
	ck_assert_int_eq(p.family, AF_INET);
	ck_assert_int_eq(p.plen, 24);
	ck_assert_str_eq(prefix_fmt(&p, buf, sizeof(buf)), "198.19.0.2/24");
	ck_assert_int_eq(prefix_parse("198.19.0.2", &p), 0);
	ck_assert_int_eq(p.plen, 32);
	ck_assert_int_eq(prefix_parse("2001:db8:0:0::1", &p), 0);
	ck_assert_int_eq(p.family, AF_INET6);
	ck_assert_int_eq(p.plen, 128);
	ck_assert_str_eq(prefix_fmt(&p, buf, sizeof(buf)),
	    "2001:db8::1/128");
	ck_assert_int_eq(prefix_parse("::/0", &p), 0);
	ck_assert_int_eq(p.plen, 0);
	ck_assert_int_eq(prefix_parse("0.0.0.0/0", &p), 0);
	ck_assert_int_eq(prefix_parse("2001:db8::/128", &p), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(prefix_parse(bad[i], &p) == -1,
		    "accepted '%s'", bad[i]);
}
END_TEST

static int
match(const char *prefix, const char *addr)
{
	struct conf_prefix	 p;
	uint8_t			 a[16];
	int			 family;

	ck_assert_int_eq(prefix_parse(prefix, &p), 0);
	family = strchr(addr, ':') != NULL ? AF_INET6 : AF_INET;
	ck_assert_int_eq(inet_pton(family, addr, a), 1);
	return (prefix_match(&p, family, a));
}

START_TEST(test_prefix_match)
{
	ck_assert(match("198.18.0.0/15", "198.19.255.255"));
	ck_assert(match("198.18.0.0/15", "198.18.0.0"));
	ck_assert(!match("198.18.0.0/15", "198.20.0.0"));
	ck_assert(!match("198.18.0.0/15", "198.17.255.255"));
	ck_assert(match("198.19.0.2/24", "198.19.0.77"));
	ck_assert(match("0.0.0.0/0", "203.0.113.5"));
	ck_assert(!match("0.0.0.0/0", "2001:db8::1"));
	ck_assert(match("::/0", "2001:db8::1"));
	ck_assert(match("198.19.0.3", "198.19.0.3"));
	ck_assert(!match("198.19.0.3", "198.19.0.2"));
	ck_assert(match("2001:db8::/32", "2001:db8:ffff::1"));
	ck_assert(!match("2001:db8::/32", "2001:db9::1"));
	ck_assert(match("2001:db8:1::/63", "2001:db8:1:1::1"));
	ck_assert(!match("2001:db8:1::/63", "2001:db8:1:2::1"));
	ck_assert(!match("2001:db8::1/128", "2001:db8::2"));
}
END_TEST

START_TEST(test_key_base64)
{
	uint8_t		 key[BONDD_KEY_LEN], key2[BONDD_KEY_LEN];
	char		 b64[KEY_B64_LEN], line[64];
	size_t		 i;
	static const char *const bad[] = {
		"",
		/* 43 characters, no padding */
		"K7SVnjWQDt/8IEXXiQ+iaAIm4XrpyXIRoCuYXRb3iQ0",
		/* URL-safe alphabet */
		"K7SVnjWQDt_8IEXXiQ-iaAIm4XrpyXIRoCuYXRb3iQ0=",
		/* 33 bytes */
		"K7SVnjWQDt/8IEXXiQ+iaAIm4XrpyXIRoCuYXRb3iQ0AAA==",
		/* 31 bytes */
		"K7SVnjWQDt/8IEXXiQ+iaAIm4XrpyXIRoCuYXRb3iQ==",
		/* whitespace inside, before, or other text after */
		"K7SVnjWQDt/8IEXXiQ+iaAIm 4XrpyXIRoCuYXRb3iQ0=",
		" K7SVnjWQDt/8IEXXiQ+iaAIm4XrpyXIRoCuYXRb3iQ0=",
		"K7SVnjWQDt/8IEXXiQ+iaAIm4XrpyXIRoCuYXRb3iQ0=\nx",
		/* non-canonical final character (low bits set) */
		"K7SVnjWQDt/8IEXXiQ+iaAIm4XrpyXIRoCuYXRb3iQ1=",
		"K7SVnjWQDt/8IEXXiQ+iaAIm4XrpyXIRoCuYXRb3iQ0=="
	};

	ck_assert_int_eq(key_from_base64(key,
	    "K7SVnjWQDt/8IEXXiQ+iaAIm4XrpyXIRoCuYXRb3iQ0="), 0);
	ck_assert_uint_eq(key[0], 0x2b);
	ck_assert_uint_eq(key[31], 0x0d);
	key_to_base64(b64, key);
	ck_assert_str_eq(b64, "K7SVnjWQDt/8IEXXiQ+iaAIm4XrpyXIRoCuYXRb3iQ0=");
	/* A key file's trailing newline is fine. */
	ck_assert_int_eq(key_from_base64(key2,
	    "K7SVnjWQDt/8IEXXiQ+iaAIm4XrpyXIRoCuYXRb3iQ0=\r\n \t"), 0);
	ck_assert_mem_eq(key, key2, sizeof(key));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(key_from_base64(key2, bad[i]) == -1,
		    "accepted '%s'", bad[i]);
	/* Every byte value survives the round trip. */
	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(0xff - i * 7);
	key_to_base64(b64, key);
	ck_assert_uint_eq(strlen(b64), 44);
	snprintf(line, sizeof(line), "%s\n", b64);
	ck_assert_int_eq(key_from_base64(key2, line), 0);
	ck_assert_mem_eq(key, key2, sizeof(key));
}
END_TEST

START_TEST(test_rates_sizes)
{
	uint64_t	 v;
	char		 buf[32];

	ck_assert_int_eq(conf_rate_parse("1.5mbit", &v), 0);
	ck_assert_uint_eq(v, 1500000);
	ck_assert_int_eq(conf_rate_parse("40mbit", &v), 0);
	ck_assert_uint_eq(v, 40000000);
	ck_assert_int_eq(conf_rate_parse("800kbit", &v), 0);
	ck_assert_uint_eq(v, 800000);
	ck_assert_int_eq(conf_rate_parse("1gbit", &v), 0);
	ck_assert_uint_eq(v, 1000000000);
	ck_assert_int_eq(conf_rate_parse("100bit", &v), 0);
	ck_assert_uint_eq(v, 100);
	ck_assert_int_eq(conf_rate_parse("2500000", &v), 0);
	ck_assert_uint_eq(v, 2500000);
	ck_assert_int_eq(conf_rate_parse("0.001gbit", &v), 0);
	ck_assert_uint_eq(v, 1000000);
	ck_assert_int_eq(conf_rate_parse("1.0005kbit", &v), -1);
	ck_assert_int_eq(conf_rate_parse("1.5", &v), -1);
	ck_assert_int_eq(conf_rate_parse("mbit", &v), -1);
	ck_assert_int_eq(conf_rate_parse(".5mbit", &v), -1);
	ck_assert_int_eq(conf_rate_parse("5.mbit", &v), -1);
	ck_assert_int_eq(conf_rate_parse("5 mbit", &v), -1);
	ck_assert_int_eq(conf_rate_parse("5mbps", &v), -1);
	ck_assert_int_eq(conf_rate_parse("-5mbit", &v), -1);
	ck_assert_int_eq(conf_rate_parse("99999999999999999999gbit", &v), -1);
	ck_assert_int_eq(conf_rate_parse("18446744073709551616", &v), -1);

	conf_rate_fmt(1500000, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1500kbit");
	conf_rate_fmt(8000000, buf, sizeof(buf));
	ck_assert_str_eq(buf, "8mbit");
	conf_rate_fmt(100000000000ULL, buf, sizeof(buf));
	ck_assert_str_eq(buf, "100gbit");
	conf_rate_fmt(1001, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1001bit");

	ck_assert_int_eq(conf_size_parse("10GB", &v), 0);
	ck_assert_uint_eq(v, 10000000000ULL);
	ck_assert_int_eq(conf_size_parse("500MB", &v), 0);
	ck_assert_uint_eq(v, 500000000ULL);
	ck_assert_int_eq(conf_size_parse("2GiB", &v), 0);
	ck_assert_uint_eq(v, 2147483648ULL);
	ck_assert_int_eq(conf_size_parse("1.5TB", &v), 0);
	ck_assert_uint_eq(v, 1500000000000ULL);
	ck_assert_int_eq(conf_size_parse("4096", &v), 0);
	ck_assert_uint_eq(v, 4096);
	ck_assert_int_eq(conf_size_parse("10XB", &v), -1);
	conf_size_fmt(10000000000ULL, buf, sizeof(buf));
	ck_assert_str_eq(buf, "10GB");
	conf_size_fmt(2147483648ULL, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2GiB");
	conf_size_fmt(1500000000000ULL, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1500GB");
	conf_size_fmt(1001, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1001B");
}
END_TEST

START_TEST(test_names)
{
	ck_assert(conf_name_valid("bond0", BONDD_NAME_MAX));
	ck_assert(conf_name_valid("wwan0.1_a-b", BONDD_NAME_MAX));
	ck_assert(conf_name_valid("abcdefghijklmno", BONDD_NAME_MAX));
	ck_assert(!conf_name_valid("abcdefghijklmnop", BONDD_NAME_MAX));
	ck_assert(!conf_name_valid("", BONDD_NAME_MAX));
	ck_assert(!conf_name_valid("..", BONDD_NAME_MAX));
	ck_assert(!conf_name_valid("eth0/1", BONDD_NAME_MAX));
	ck_assert(!conf_name_valid("eth 0", BONDD_NAME_MAX));
	ck_assert(!conf_name_valid("eth:0", BONDD_NAME_MAX));
}
END_TEST

static Suite *
util_suite(void)
{
	Suite	*s = suite_create("util");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_addr_good);
	tcase_add_test(tc, test_addr_bad);
	tcase_add_test(tc, test_addr_host_equal_len);
	tcase_add_test(tc, test_prefix);
	tcase_add_test(tc, test_prefix_match);
	tcase_add_test(tc, test_key_base64);
	tcase_add_test(tc, test_rates_sizes);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(srunner_create(util_suite())));
}
