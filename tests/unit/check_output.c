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
 * Unit tests of ctld/output.c: the text table and the JSON form of
 * `bondctl status` for a fixed snapshot, compared byte for byte with
 * golden strings, and the helpers for sizes, ages and JSON strings.
 */

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linkinfo.h"
#include "messages.h"
#include "output.h"
#include "check_main.h"

static struct ipc_link_stats	 fx_links[8];
static struct status		 fx;

/*
 * Three client links: wan0 established and running, a second one
 * still without peer or endpoint, taken down by the operator, and a
 * slow lossy dsl0.  Every counter has its own value so the goldens
 * prove each one reaches its place.
 */
static void
fixture(void)
{
	struct sockaddr_in	*sin;
	struct ipc_link_stats	*l;

	memset(&fx, 0, sizeof(fx));
	memset(fx_links, 0, sizeof(fx_links));
	fx.version = "0.1.0";
	fx.conf.role = ROLE_CLIENT;
	strcpy(fx.conf.tun_name, "bond0");
	fx.conf.tun_mtu = 1426;
	fx.core.tun_rx_packets = 1200;
	fx.core.tun_rx_bytes = 1258291;		/* 1.2M */
	fx.core.tun_tx_packets = 1100;
	fx.core.tun_tx_bytes = 1023;
	fx.core.no_route = 1;
	fx.core.bad_source = 2;
	fx.core.malformed = 3;
	fx.core.too_big = 4;
	fx.core.queue_full = 5;
	fx.core.claims_refused = 6;
	fx.core.nack_ignored = 7;
	fx.core.reorder_held = 31;
	fx.core.reorder_late = 32;
	fx.core.reorder_dup = 33;
	fx.core.reorder_lost = 34;
	fx.core.reorder_hold_us = 12345;	/* 12.3 ms */
	fx.core.reorder_cur = 35;
	fx.core.nack_tx = 36;
	fx.core.nack_rx = 37;
	fx.core.resent = 38;
	fx.core.failover_resent = 39;
	fx.core.rt_duplicated = 40;
	fx.core.aggregated = 41;
	fx.core.frames_tx = 42;
	fx.core.fec_parity = 43;
	fx.core.fec_skipped = 44;
	fx.core.fec_recovered = 45;
	fx.core.reorder_early = 46;
	fx.core.pace_rounds = 47;
	fx.core.paced_frames = 48;
	fx.core.link[0].pacing_bps = 19234567;	/* 19.2M */
	fx.core.link[0].queue_us = 450;		/* 0.5 ms, half up */
	fx.core.link[0].resent = 51;
	fx.core.link[0].rx_frames = 52;
	fx.core.link[0].rx_dup = 53;
	fx.core.link[0].rx_spurious = 54;
	fx.core.link[0].rx_lost = 55;
	/* The link of a row without a peer: not shown. */
	fx.core.link[1].pacing_bps = 99;
	fx.core.link[1].resent = 99;
	fx.core.link[2].queue_us = 40000;	/* 40.0 ms */
	fx.core.link[2].resent = 56;
	fx.core.link[2].rx_frames = 57;
	fx.core.link[2].rx_dup = 58;
	fx.core.link[2].rx_spurious = 59;
	fx.core.link[2].rx_lost = 60;
	fx.core.npeers = 1;
	strcpy(fx.core.peer[0].name, "server");
	fx.core.peer[0].fec_n = 10;
	fx.core.peer[0].fec_k = 2;
	fx.core.peer[0].fec_parity = 61;
	fx.core.peer[0].fec_skipped = 62;
	fx.core.peer[0].fec_recovered = 63;
	fx.core.peer[0].reorder_cur = 64;
	fx.core.peer[0].reorder_hold_us = 6550;	/* 6.6 ms */
	fx.core.peer[0].reorder_early = 65;
	fx.core.peer[0].asked_named = 66;
	fx.core.peer[0].asked_due = 67;
	fx.core.peer[0].asked_again = 68;
	/* A peer past npeers: not shown. */
	strcpy(fx.core.peer[1].name, "ghost");

	l = &fx_links[0];
	strcpy(l->link, "wan0");
	strcpy(l->peer, "server");
	l->link_id = 0;
	l->state = SESSION_ESTABLISHED;
	sin = (struct sockaddr_in *)&l->endpoint;
	sin->sin_family = AF_INET;
	sin->sin_port = htons(5800);
	inet_pton(AF_INET, "198.18.10.1", &sin->sin_addr);
	l->tx_packets = 1000;
	l->tx_bytes = 1536;
	l->rx_packets = 2000;
	l->rx_bytes = 3221225472ULL;		/* 3.0G */
	l->last_handshake_ms = 12345;
	l->handshakes = 3;
	l->auth_fail = 7;
	l->replay_drop = 8;
	l->malformed = 9;
	l->send_errors = 10;
	l->rtt_us = 23456;			/* 23.5 ms */
	l->rttvar_us = 4321;			/* 4.3 ms */
	l->jitter_us = 1250;			/* 1.3 ms, half up */
	l->link_state = LINK_STATE_RUNNING;
	l->loss_tx_ppm = 1;			/* 0.00 % */
	l->loss_rx_ppm = 5000;			/* 0.50 % */
	l->rate_tx_bps = 17234567;		/* 17.2M */
	l->rate_rx_bps = 3456789;
	l->rate_max_bps = 20000000;		/* 20M */
	l->probes_tx = 111;
	l->probes_rx = 109;
	l->core_dropped = 12;
	l->rate_probes = 7;
	l->rate_cfg_bps = 20000000;		/* 20M */
	l->rate_est_bps = 19512345;		/* 19.5M */
	l->queue_us = 1249;			/* 1.2 ms */

	l = &fx_links[1];
	strcpy(l->link, "lte\"1\\");
	l->link_id = 1;
	l->state = SESSION_HANDSHAKE;
	l->admin_down = 1;
	l->last_handshake_ms = -1;
	l->queue_us = IPC_QUEUE_UNKNOWN;

	l = &fx_links[2];
	strcpy(l->link, "dsl0");
	strcpy(l->peer, "server");
	l->link_id = 2;
	l->state = SESSION_ESTABLISHED;
	sin = (struct sockaddr_in *)&l->endpoint;
	sin->sin_family = AF_INET;
	sin->sin_port = htons(5802);
	inet_pton(AF_INET, "198.19.255.254", &sin->sin_addr);
	l->tx_packets = 13;
	l->tx_bytes = 14;
	l->rx_packets = 15;
	l->rx_bytes = 16;
	l->last_handshake_ms = 3725000;		/* 1h02m */
	l->handshakes = 17;
	l->auth_fail = 18;
	l->replay_drop = 19;
	l->malformed = 20;
	l->send_errors = 21;
	l->rtt_us = 999;			/* 1.0 ms */
	l->rttvar_us = 650;			/* 0.7 ms */
	l->jitter_us = 2350;			/* 2.4 ms */
	l->link_state = LINK_STATE_LOSSY;
	l->loss_tx_ppm = 123456;		/* 12.35 %, 12.3 % */
	l->loss_rx_ppm = 1000000;		/* 100 % */
	l->rate_tx_bps = 2449999;		/* 2.4M */
	l->rate_rx_bps = 24;
	l->rate_max_bps = 2500000;		/* 2.5M, weight 3 */
	l->probes_tx = 25;
	l->probes_rx = 26;
	l->core_dropped = 27;
	l->rate_est_bps = 2000000;		/* 2M, none configured */
	l->queue_us = IPC_QUEUE_UNKNOWN;

	fx.links = fx_links;
	fx.nlinks = 3;
}

/* Run a renderer into a string (caller frees). */
static char *
render(int (*fn)(FILE *, const struct status *), const struct status *st)
{
	char		*buf = NULL;
	size_t		 len = 0;
	FILE		*fp;

	fp = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(fn(fp, st), 0);
	ck_assert_int_eq(fclose(fp), 0);
	return buf;
}

static char *
json_str(const char *s, size_t len)
{
	char		*buf = NULL;
	size_t		 blen = 0;
	FILE		*fp;

	fp = open_memstream(&buf, &blen);
	ck_assert_ptr_nonnull(fp);
	output_json_str(fp, s, len);
	ck_assert_int_eq(fclose(fp), 0);
	return buf;
}

static const char golden_text[] =
"bondd 0.1.0  role client  tunnel bond0 mtu 1426\n"
"tun rx 1200 pkts 1.2M  tx 1100 pkts 1023B  no-route 1  bad-source 2  "
"malformed 3  too-big 4  queue-full 5  claims-refused 6\n"
"reorder hold 12.3ms holding 35 lost 34  nack tx 36 rx 37  resent 38  "
"failover-resent 39\n"
"peer server  fec 10+2  parity 61 skipped 62  rebuilt 63\n"
"  holding 64  hold 6.6ms  early 65  asked 66/67/68\n"
"LINK    PEER    STATE       ENDPOINT                 RATE   RTT  "
"       LOSS  WEIGHT    TX    RX  HS     DROPS\n"
"wan0    server  RUN         198.18.10.1:5800     17.2/20M  23.5  "
"   0.0/0.5%      20  1.5K  3.0G  12s    7/8/9\n"
"  cap 19.5/20M  queue 1.2/0.5ms  pacing 19.2M  resent 51 spurious 54 "
"lost 55\n"
"lte\"1\\  -       admin-down  -                      0.0/?M     -  "
"   0.0/0.0%       -    0B    0B  never  0/0/0\n"
"dsl0    server  LOSSY       198.19.255.254:5802  2.4/2.5M   1.0  "
"12.3/100.0%       3   14B   16B  1h02m  18/19/20\n"
"  cap 2M  queue ?/40.0ms  pacing 0.0M  resent 56 spurious 59 lost 60\n";

static const char golden_json[] =
"{\"version\":\"0.1.0\",\"role\":\"client\","
"\"tunnel\":{\"name\":\"bond0\",\"mtu\":1426},"
"\"core\":{\"tun_rx_packets\":1200,\"tun_rx_bytes\":1258291,"
"\"tun_tx_packets\":1100,\"tun_tx_bytes\":1023,\"no_route\":1,"
"\"bad_source\":2,\"malformed\":3,\"too_big\":4,\"queue_full\":5,"
"\"claims_refused\":6,"
"\"reorder_held\":31,\"reorder_late\":32,\"reorder_dup\":33,"
"\"reorder_lost\":34,\"reorder_hold_us\":12345,\"reorder_cur\":35,"
"\"nack_tx\":36,\"nack_rx\":37,\"nack_ignored\":7,\"resent\":38,\"failover_resent\":39,"
"\"rt_duplicated\":40,\"aggregated\":41,\"frames_tx\":42,"
"\"fec_parity\":43,\"fec_skipped\":44,\"fec_recovered\":45,"
"\"reorder_early\":46,\"pace_rounds\":47,\"paced_frames\":48,"
"\"peers\":[{\"name\":\"server\",\"fec_n\":10,\"fec_k\":2,"
"\"fec_parity\":61,\"fec_skipped\":62,\"fec_recovered\":63,"
"\"reorder_cur\":64,\"reorder_hold_us\":6550,\"reorder_early\":65,"
"\"asked_named\":66,\"asked_due\":67,\"asked_again\":68}]},"
"\"links\":["
"{\"name\":\"wan0\",\"peer\":\"server\",\"link_id\":0,"
"\"state\":\"established\",\"admin\":\"up\","
"\"endpoint\":\"198.18.10.1:5800\",\"tx_packets\":1000,"
"\"tx_bytes\":1536,\"rx_packets\":2000,\"rx_bytes\":3221225472,"
"\"last_handshake_ms\":12345,\"handshakes\":3,\"auth_fail\":7,"
"\"replay_drop\":8,\"malformed\":9,\"send_errors\":10,"
"\"rtt_ms\":23.5,\"rttvar_ms\":4.3,\"jitter_ms\":1.3,"
"\"link_state\":\"running\",\"loss_tx_pct\":0.00,\"loss_rx_pct\":0.50,"
"\"rate_tx_bps\":17234567,\"rate_rx_bps\":3456789,"
"\"rate_max_bps\":20000000,\"weight\":20,\"probes_tx\":111,"
"\"probes_rx\":109,\"core_dropped\":12,\"rate_probes\":7,"
"\"rate_cfg_bps\":20000000,\"rate_est_bps\":19512345,"
"\"queue_bottleneck_ms\":1.2,\"pacing_bps\":19234567,"
"\"queue_entrance_ms\":0.5,\"resent\":51,\"rx_frames\":52,"
"\"rx_dup\":53,\"rx_spurious\":54,\"rx_lost\":55},"
"{\"name\":\"lte\\\"1\\\\\",\"peer\":null,\"link_id\":1,"
"\"state\":\"handshake\",\"admin\":\"down\",\"endpoint\":null,"
"\"tx_packets\":0,\"tx_bytes\":0,\"rx_packets\":0,\"rx_bytes\":0,"
"\"last_handshake_ms\":null,\"handshakes\":0,\"auth_fail\":0,"
"\"replay_drop\":0,\"malformed\":0,\"send_errors\":0,"
"\"rtt_ms\":null,\"rttvar_ms\":null,\"jitter_ms\":0.0,"
"\"link_state\":\"probing\",\"loss_tx_pct\":0.00,\"loss_rx_pct\":0.00,"
"\"rate_tx_bps\":0,\"rate_rx_bps\":0,\"rate_max_bps\":0,\"weight\":0,"
"\"probes_tx\":0,\"probes_rx\":0,\"core_dropped\":0,\"rate_probes\":0,"
"\"rate_cfg_bps\":0,\"rate_est_bps\":0,\"queue_bottleneck_ms\":null,"
"\"pacing_bps\":null,\"queue_entrance_ms\":null,\"resent\":null,"
"\"rx_frames\":null,\"rx_dup\":null,\"rx_spurious\":null,"
"\"rx_lost\":null},"
"{\"name\":\"dsl0\",\"peer\":\"server\",\"link_id\":2,"
"\"state\":\"established\",\"admin\":\"up\","
"\"endpoint\":\"198.19.255.254:5802\",\"tx_packets\":13,"
"\"tx_bytes\":14,\"rx_packets\":15,\"rx_bytes\":16,"
"\"last_handshake_ms\":3725000,\"handshakes\":17,\"auth_fail\":18,"
"\"replay_drop\":19,\"malformed\":20,\"send_errors\":21,"
"\"rtt_ms\":1.0,\"rttvar_ms\":0.7,\"jitter_ms\":2.4,"
"\"link_state\":\"lossy\",\"loss_tx_pct\":12.35,\"loss_rx_pct\":100.00,"
"\"rate_tx_bps\":2449999,\"rate_rx_bps\":24,\"rate_max_bps\":2500000,"
"\"weight\":3,\"probes_tx\":25,\"probes_rx\":26,\"core_dropped\":27,"
"\"rate_probes\":0,"
"\"rate_cfg_bps\":0,\"rate_est_bps\":2000000,"
"\"queue_bottleneck_ms\":null,\"pacing_bps\":0,"
"\"queue_entrance_ms\":40.0,\"resent\":56,\"rx_frames\":57,"
"\"rx_dup\":58,\"rx_spurious\":59,\"rx_lost\":60}"
"]}\n";

START_TEST(test_text_golden)
{
	char	*out;

	fixture();
	out = render(output_text, &fx);
	ck_assert_str_eq(out, golden_text);
	free(out);
}
END_TEST

START_TEST(test_json_golden)
{
	char	*out;

	fixture();
	out = render(output_json, &fx);
	ck_assert_str_eq(out, golden_json);
	free(out);
}
END_TEST

/* No links: the header row alone; an empty JSON list. */
START_TEST(test_no_links)
{
	char	*out;

	fixture();
	fx.nlinks = 0;
	fx.core.npeers = 0;
	fx.conf.role = ROLE_SERVER;
	out = render(output_text, &fx);
	ck_assert_ptr_nonnull(strstr(out, "role server"));
	ck_assert_ptr_nonnull(strstr(out, "failover-resent 39\nLINK  PEER  "
	    "STATE  ENDPOINT  RATE  RTT  LOSS  WEIGHT  TX  RX  HS  DROPS\n"));
	free(out);
	out = render(output_json, &fx);
	ck_assert_ptr_nonnull(strstr(out, "\"role\":\"server\""));
	ck_assert_ptr_nonnull(strstr(out, "\"reorder_early\":46,"
	    "\"pace_rounds\":47,\"paced_frames\":48,\"peers\":[]},"));
	ck_assert_ptr_nonnull(strstr(out, "\"links\":[]}\n"));
	free(out);
}
END_TEST

/*
 * Names that fill their arrays without a NUL, or hold control bytes,
 * stay inside their arrays, and reach the terminal as '?'.
 */
START_TEST(test_odd_names)
{
	char	*out;

	fixture();
	memset(fx_links[1].link, 'x', sizeof(fx_links[1].link));
	memcpy(fx_links[1].peer, "a\033[2Jb c", 8);
	memset(fx.conf.tun_name, 'y', sizeof(fx.conf.tun_name));
	memset(fx.core.peer[0].name, 'z', sizeof(fx.core.peer[0].name));
	memcpy(fx.core.peer[0].name, "p\033]0;\a", 6);
	out = render(output_text, &fx);
	ck_assert_ptr_nonnull(strstr(out, "tunnel yyyyyyyyyyyyyyyy mtu"));
	ck_assert_ptr_nonnull(strstr(out, "\nxxxxxxxxxxxxxxxx  a?[2Jb?c  "));
	ck_assert_ptr_nonnull(strstr(out, "\npeer p?]0;?zzzzzzzzzzzzzzzzzzzz"
	    "zzzzzz  fec 10+2  "));
	ck_assert_ptr_null(strchr(out, '\033'));
	ck_assert_ptr_null(strchr(out, '\a'));
	free(out);
	out = render(output_json, &fx);
	ck_assert_ptr_nonnull(strstr(out, "{\"name\":\"xxxxxxxxxxxxxxxx\","
	    "\"peer\":\"a\\u001b[2Jb c\","));
	ck_assert_ptr_nonnull(strstr(out, "\"peers\":[{\"name\":"
	    "\"p\\u001b]0;\\u0007zzzzzzzzzzzzzzzzzzzzzzzzzz\",\"fec_n\":10,"));
	ck_assert_ptr_nonnull(strstr(out, "\"name\":\"yyyyyyyyyyyyyyyy\","
	    "\"mtu\""));
	free(out);
}
END_TEST

/* Another endpoint family and an unknown state and role. */
START_TEST(test_v6_unknown)
{
	struct sockaddr_in6	*sin6;
	char			*out;

	fixture();
	memset(&fx_links[1].endpoint, 0, sizeof(fx_links[1].endpoint));
	sin6 = (struct sockaddr_in6 *)&fx_links[1].endpoint;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(5801);
	inet_pton(AF_INET6, "2001:db8::1", &sin6->sin6_addr);
	fx_links[1].state = 77;
	fx_links[1].admin_down = 0;
	fx_links[1].rtt_us = 999;
	fx.conf.role = 9;
	out = render(output_json, &fx);
	ck_assert_ptr_nonnull(strstr(out, "\"role\":\"unknown\""));
	ck_assert_ptr_nonnull(strstr(out, "\"state\":\"unknown\",\"admin\":"
	    "\"up\",\"endpoint\":\"[2001:db8::1]:5801\""));
	ck_assert_ptr_nonnull(strstr(out, "\"rtt_ms\":1.0,\"rttvar_ms\":0.0,"));
	free(out);
	out = render(output_text, &fx);
	ck_assert_ptr_nonnull(strstr(out,
	    "  unknown  [2001:db8::1]:5801   "));
	free(out);
}
END_TEST

/*
 * An established session whose link state is out of range, and a
 * link whose capacity is unknown.
 */
START_TEST(test_unknown_link_state)
{
	char	*out;

	fixture();
	fx_links[0].link_state = LINK_STATE_MAX;
	fx_links[0].rate_max_bps = 0;
	fx_links[0].rate_est_bps = 0;
	fx_links[0].link_id = BONDD_MAX_LINKS;
	out = render(output_text, &fx);
	ck_assert_ptr_nonnull(strstr(out, "\nwan0    server  unknown     "
	    "198.18.10.1:5800      17.2/?M  23.5  "
	    "   0.0/0.5%       -  1.5K"));
	ck_assert_ptr_nonnull(strstr(out, "\n  cap ?/20M  queue 1.2/?ms  "
	    "pacing ?M  resent ? spurious ? lost ?\n"));
	free(out);
	out = render(output_json, &fx);
	ck_assert_ptr_nonnull(strstr(out, "\"link_state\":\"unknown\","));
	ck_assert_ptr_nonnull(strstr(out, "\"rate_max_bps\":0,\"weight\":0,"
	    "\"probes_tx\":111,"));
	ck_assert_ptr_nonnull(strstr(out, "\"rate_est_bps\":0,"
	    "\"queue_bottleneck_ms\":1.2,\"pacing_bps\":null,"
	    "\"queue_entrance_ms\":null,\"resent\":null,"));
	free(out);
}
END_TEST

/* Fixed point rounding carries into the integer part, and the
 * largest values neither overflow nor lose digits. */
START_TEST(test_rounding)
{
	char	*out;

	fixture();
	fx.nlinks = 1;
	fx_links[0].rtt_us = 9960;		/* 9.96 ms */
	fx_links[0].rttvar_us = 49;		/* 0.049 ms */
	fx_links[0].jitter_us = UINT32_MAX;
	fx_links[0].loss_tx_ppm = 99995;	/* 9.9995 % */
	fx_links[0].loss_rx_ppm = UINT32_MAX;
	fx_links[0].rate_tx_bps = 999950;	/* 0.99995M */
	fx_links[0].rate_max_bps = 1499999;	/* 1.499999M */
	fx_links[0].rate_est_bps = 1999999;	/* 1.999999M */
	fx_links[0].rate_cfg_bps = 2050000;	/* 2.05M */
	fx_links[0].queue_us = 99950;		/* 99.95 ms */
	fx.core.link[0].queue_us = UINT32_MAX;
	fx.core.reorder_hold_us = 50;
	out = render(output_json, &fx);
	ck_assert_ptr_nonnull(strstr(out, "\"rtt_ms\":10.0,\"rttvar_ms\":0.0,"
	    "\"jitter_ms\":4294967.3,"));
	ck_assert_ptr_nonnull(strstr(out, "\"loss_tx_pct\":10.00,"
	    "\"loss_rx_pct\":429496.73,"));
	ck_assert_ptr_nonnull(strstr(out, "\"rate_max_bps\":1499999,"
	    "\"weight\":1,"));
	free(out);
	out = render(output_text, &fx);
	ck_assert_ptr_nonnull(strstr(out, "reorder hold 0.1ms holding"));
	ck_assert_ptr_nonnull(strstr(out, "  1.0/1.5M  10.0  "
	    "10.0/429496.7%       1  "));
	ck_assert_ptr_nonnull(strstr(out, "\n  cap 2/2.1M  queue "
	    "100.0/4294967.3ms  pacing 19.2M  "));
	free(out);

	fx_links[0].rate_tx_bps = UINT64_MAX;
	fx_links[0].rate_max_bps = UINT64_MAX;
	out = render(output_json, &fx);
	ck_assert_ptr_nonnull(strstr(out, "\"rate_max_bps\":"
	    "18446744073709551615,\"weight\":18446744073710,"));
	free(out);
	out = render(output_text, &fx);
	ck_assert_ptr_nonnull(strstr(out,
	    "  18446744073709.6/18446744073709.6M  "));
	ck_assert_ptr_nonnull(strstr(out, "  18446744073710  "));
	free(out);
}
END_TEST

/* Eight links with wide but plausible figures fit in 150 columns. */
START_TEST(test_eight_links_width)
{
	struct sockaddr_in	*sin;
	struct ipc_link_stats	*l;
	char			*out, *line, *nl;
	size_t			 i;

	fixture();
	for (i = 0; i < 8; i++) {
		l = &fx_links[i];
		memset(l, 0, sizeof(*l));
		snprintf(l->link, sizeof(l->link), "wan%zu-fiber", i);
		strcpy(l->peer, "server-east");
		l->state = SESSION_ESTABLISHED;
		l->link_state = LINK_STATE_LOSSY;
		l->admin_down = i == 7;
		sin = (struct sockaddr_in *)&l->endpoint;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(65535);
		inet_pton(AF_INET, "198.19.200.200", &sin->sin_addr);
		l->rate_tx_bps = 987654321;
		l->rate_max_bps = 1000000000;
		l->rtt_us = 1234567;
		l->loss_tx_ppm = 123456;
		l->loss_rx_ppm = 1000000;
		l->tx_bytes = 1099511627775ULL;		/* 1024.0G */
		l->rx_bytes = 1099511627775ULL;
		l->last_handshake_ms = 90061000;
		l->auth_fail = 123456;
		l->replay_drop = 7890;
		l->malformed = 12345;
	}
	fx.nlinks = 8;
	fx.core.reorder_lost = fx.core.nack_tx = fx.core.nack_rx =
	    fx.core.resent = fx.core.failover_resent = 12345678901ULL;
	fx.core.reorder_hold_us = 1000000;
	fx.core.reorder_cur = 65536;
	for (i = 0; i < 8; i++) {
		fx_links[i].link_id = i;
		fx_links[i].rate_est_bps = 987654321;
		fx_links[i].rate_cfg_bps = 1000000000;
		fx_links[i].queue_us = 123456;
		fx.core.link[i].pacing_bps = 987654321;
		fx.core.link[i].queue_us = 40000;
		fx.core.link[i].resent = 12345678;
		fx.core.link[i].rx_spurious = 1234567;
		fx.core.link[i].rx_lost = 12345678;
	}
	strcpy(fx.core.peer[0].name, "server-east");
	fx.core.peer[0].fec_parity = fx.core.peer[0].fec_skipped =
	    fx.core.peer[0].fec_recovered = 12345678901ULL;
	fx.core.peer[0].reorder_cur = 65536;
	fx.core.peer[0].reorder_hold_us = 1000000;
	fx.core.peer[0].reorder_early = fx.core.peer[0].asked_named =
	    fx.core.peer[0].asked_due = fx.core.peer[0].asked_again =
	    1234567890;
	out = render(output_text, &fx);
	ck_assert_ptr_nonnull(strstr(out, "\nwan7-fiber  server-east  "
	    "admin-down  198.19.200.200:65535  987.7/1000M  1234.6  "
	    "12.3/100.0%    1000  1.0T  1.0T  1d01h  123456/7890/12345\n"
	    "  cap 987.7/1000M  queue 123.5/40.0ms  pacing 987.7M  "
	    "resent 12345678 spurious 1234567 lost 12345678\n"));
	/* The table and the core's counters within 150 columns, the
	 * peers' lines and the links' second lines within 100. */
	for (line = out; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		ck_assert_ptr_nonnull(nl);
		ck_assert_msg(nl - line <= (strncmp(line, "peer ", 5) == 0 ||
		    line[0] == ' ' ? 100 : 150), "%.*s", (int)(nl - line),
		    line);
	}
	free(out);
}
END_TEST

/* A peer count past the array reads no further than the array. */
START_TEST(test_peers_bounded)
{
	char	*out, *p;
	int	 n;

	fixture();
	fx.core.npeers = UINT32_MAX;
	out = render(output_text, &fx);
	for (n = 0, p = out; (p = strstr(p, "\npeer ")) != NULL; p++)
		n++;
	ck_assert_int_eq(n, BONDD_MAX_PEERS);
	free(out);
	out = render(output_json, &fx);
	for (n = 0, p = out; (p = strstr(p, "\"fec_n\":")) != NULL; p++)
		n++;
	ck_assert_int_eq(n, BONDD_MAX_PEERS);
	free(out);
}
END_TEST

START_TEST(test_bytes)
{
	char	 b[16];

	ck_assert_str_eq(output_bytes(0, b, sizeof(b)), "0B");
	ck_assert_str_eq(output_bytes(1023, b, sizeof(b)), "1023B");
	ck_assert_str_eq(output_bytes(1024, b, sizeof(b)), "1.0K");
	ck_assert_str_eq(output_bytes(1536, b, sizeof(b)), "1.5K");
	ck_assert_str_eq(output_bytes(1048575, b, sizeof(b)), "1.0M");
	ck_assert_str_eq(output_bytes(1258291, b, sizeof(b)), "1.2M");
	ck_assert_str_eq(output_bytes(UINT64_MAX, b, sizeof(b)), "16.0E");
}
END_TEST

START_TEST(test_age)
{
	char	 b[32];

	ck_assert_str_eq(output_age(-1, b, sizeof(b)), "never");
	ck_assert_str_eq(output_age(0, b, sizeof(b)), "0s ago");
	ck_assert_str_eq(output_age(59999, b, sizeof(b)), "59s ago");
	ck_assert_str_eq(output_age(60000, b, sizeof(b)), "1m00s ago");
	ck_assert_str_eq(output_age(3599999, b, sizeof(b)), "59m59s ago");
	ck_assert_str_eq(output_age(3600000, b, sizeof(b)), "1h00m ago");
	ck_assert_str_eq(output_age(90061000, b, sizeof(b)), "1d01h ago");
}
END_TEST

START_TEST(test_json_escape)
{
	static const struct {
		const char	*in;
		size_t		 len;
		const char	*out;
	} t[] = {
		{ "plain", 16, "\"plain\"" },
		{ "", 16, "\"\"" },
		{ "q\"b\\s/", 16, "\"q\\\"b\\\\s/\"" },
		{ "\t\n\r\001\037\177", 16,
		    "\"\\t\\n\\r\\u0001\\u001f\\u007f\"" },
		{ "caf\xc3\xa9", 16, "\"caf\xc3\xa9\"" },	/* é */
		{ "\xe2\x82\xac", 16, "\"\xe2\x82\xac\"" },	/* € */
		{ "\xf0\x9f\x98\x80", 16, "\"\xf0\x9f\x98\x80\"" },
		{ "a\xffz", 16, "\"a\\ufffdz\"" },
		{ "\xc0\x80", 16, "\"\\ufffd\\ufffd\"" },	/* overlong */
		{ "\xed\xa0\x80", 16, "\"\\ufffd\\ufffd\\ufffd\"" },
		    /* a surrogate */
		{ "\xf4\x90\x80\x80", 16,
		    "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },	/* > U+10FFFF */
		{ "x\xc3", 16, "\"x\\ufffd\"" },	/* cut short */
		{ "\xc3\xa9", 1, "\"\\ufffd\"" },	/* by the bound */
		{ "abcdef", 3, "\"abc\"" },
	};
	size_t	 i;
	char	*out;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		out = json_str(t[i].in, t[i].len);
		ck_assert_msg(strcmp(out, t[i].out) == 0, "case %zu: %s", i,
		    out);
		free(out);
	}
}
END_TEST

/*
 * The server's name: absent unless the endpoint is one; resolved, or
 * failing with its error, count and next try; the name and the error
 * are bounded and escaped like any other string.
 */
START_TEST(test_peer_endpoint)
{
	struct ipc_peer_endpoint	 pe;
	struct sockaddr_in		*sin;
	char				*out;

	fixture();
	out = render(output_json, &fx);
	ck_assert_ptr_null(strstr(out, "peer_endpoint"));
	free(out);

	memset(&pe, 0, sizeof(pe));
	strcpy(pe.peer, "vps");
	strcpy(pe.name, "vps.example.net");
	pe.port = 5800;
	strcpy(pe.error, "Name or service not known");
	pe.failures = 3;
	pe.retry_s = 4;
	fx.endpoint = &pe;
	out = render(output_text, &fx);
	ck_assert_ptr_nonnull(strstr(out, "mtu 1426\nvps vps.example.net:5800 "
	    "not resolved  lookup failed: Name or service not known, 3 failed "
	    "lookups, next in 4s\ntun rx "));
	free(out);
	out = render(output_json, &fx);
	ck_assert_ptr_nonnull(strstr(out, "\"mtu\":1426},\"peer_endpoint\":"
	    "{\"peer\":\"vps\",\"name\":\"vps.example.net\",\"port\":5800,"
	    "\"address\":null,\"failures\":3,\"error\":\"Name or service not "
	    "known\",\"retry_s\":4},\"core\":{"));
	free(out);

	sin = (struct sockaddr_in *)&pe.address;
	sin->sin_family = AF_INET;
	sin->sin_port = htons(5800);
	inet_pton(AF_INET, "198.18.0.2", &sin->sin_addr);
	pe.failures = 0;
	pe.retry_s = 0;
	pe.error[0] = '\0';
	out = render(output_text, &fx);
	ck_assert_ptr_nonnull(strstr(out, "\nvps vps.example.net:5800 at "
	    "198.18.0.2:5800\ntun rx "));
	free(out);
	out = render(output_json, &fx);
	ck_assert_ptr_nonnull(strstr(out, "\"address\":\"198.18.0.2:5800\","
	    "\"failures\":0,\"error\":null,\"retry_s\":0}"));
	free(out);

	/* Unterminated, with control bytes: bounded and escaped. */
	memset(pe.name, 'n', sizeof(pe.name));
	memset(pe.error, 'e', sizeof(pe.error));
	pe.error[0] = '\033';
	pe.failures = 1;
	out = render(output_text, &fx);
	ck_assert_ptr_null(strchr(out, '\033'));
	ck_assert_ptr_nonnull(strstr(out, "lookup failed: ?eee"));
	free(out);
	out = render(output_json, &fx);
	ck_assert_ptr_nonnull(strstr(out, "\"error\":\"\\u001beee"));
	free(out);
}
END_TEST

static Suite *
output_suite(void)
{
	Suite	*s = suite_create("output");
	TCase	*tc = tcase_create("render");

	tcase_add_test(tc, test_text_golden);
	tcase_add_test(tc, test_json_golden);
	tcase_add_test(tc, test_no_links);
	tcase_add_test(tc, test_odd_names);
	tcase_add_test(tc, test_v6_unknown);
	tcase_add_test(tc, test_unknown_link_state);
	tcase_add_test(tc, test_rounding);
	tcase_add_test(tc, test_eight_links_width);
	tcase_add_test(tc, test_peers_bounded);
	tcase_add_test(tc, test_bytes);
	tcase_add_test(tc, test_age);
	tcase_add_test(tc, test_json_escape);
	tcase_add_test(tc, test_peer_endpoint);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return (check_run(srunner_create(output_suite())));
}
