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
 * Defaults of the configuration and the syntax of its values (rates,
 * sizes, names), shared by the parser and the printer.  Runs in the
 * parent only, on text from the root-owned config file.  Holds no
 * secrets (common/keyfile.c reads the key files).
 */

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "util.h"

struct unit {
	const char	*name;
	uint64_t	 mult;
};

/* Largest multiplier first: the printer picks the first exact one. */
static const struct unit rate_units[] = {
	{ "gbit", 1000000000ULL },
	{ "mbit", 1000000ULL },
	{ "kbit", 1000ULL },
	{ "bit", 1ULL },
	{ "", 1ULL },
	{ NULL, 0 }
};

static const struct unit size_units[] = {
	{ "PiB", 1ULL << 50 },
	{ "PB", 1000000000000000ULL },
	{ "TiB", 1ULL << 40 },
	{ "TB", 1000000000000ULL },
	{ "GiB", 1ULL << 30 },
	{ "GB", 1000000000ULL },
	{ "MiB", 1ULL << 20 },
	{ "MB", 1000000ULL },
	{ "KiB", 1ULL << 10 },
	{ "KB", 1000ULL },
	{ "B", 1ULL },
	{ "", 1ULL },
	{ NULL, 0 }
};

static const char *const strategy_names[] = {
	[STRATEGY_EARLIEST_ARRIVAL] = "earliest_arrival",
	[STRATEGY_WEIGHTED] = "weighted",
	[STRATEGY_TIERED_FILL] = "tiered_fill",
	[STRATEGY_ROUND_ROBIN] = "round_robin",
	[STRATEGY_SINGLE_BEST] = "single_best"
};

static const char *const fec_names[] = {
	[FEC_OFF] = "off",
	[FEC_ADAPTIVE] = "adaptive",
	[FEC_FIXED] = "fixed"
};

void
config_defaults(struct config *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->role = ROLE_CLIENT;
	strlcpy(conf->tun_name, "bond0", sizeof(conf->tun_name));
	conf->tun_mtu = 0;
	conf->tun_txqueuelen = 1000;
	conf->persist = true;
	conf->tun_offload = true;
	strlcpy(conf->user, BONDD_USER, sizeof(conf->user));
	conf->keepalive_s = 25;
	conf->rekey_s = 120;
	conf->udp_offload = true;
	conf->probe_interval_ms = 100;
	conf->down_after_ms = 300;
	conf->lossy_ppm = 50000;
	conf->recover_probes = 5;
	conf->strategy = STRATEGY_EARLIEST_ARRIVAL;
	conf->reorder_max_ms = 100;
	conf->bulk_rtt_pct = 250;
	conf->mss_clamp = false;
	conf->rt_duplicate = false;
	conf->fec_mode = FEC_ADAPTIVE;
	strlcpy(conf->ctl_socket, BONDD_SOCKET, sizeof(conf->ctl_socket));
	conf->log_status_s = 60;
}

const char *
conf_role_name(enum conf_role role)
{
	return (role == ROLE_SERVER ? "server" : "client");
}

const char *
conf_strategy_name(enum conf_strategy s)
{
	if ((size_t)s >= sizeof(strategy_names) / sizeof(strategy_names[0]))
		return ("unknown");
	return (strategy_names[s]);
}

const char *
conf_fec_name(enum conf_fec_mode m)
{
	if ((size_t)m >= sizeof(fec_names) / sizeof(fec_names[0]))
		return ("unknown");
	return (fec_names[m]);
}

int
conf_strategy_parse(const char *s, enum conf_strategy *out)
{
	size_t	 i;

	for (i = 0; i < sizeof(strategy_names) / sizeof(strategy_names[0]);
	    i++) {
		if (strcmp(s, strategy_names[i]) == 0) {
			*out = (enum conf_strategy)i;
			return (0);
		}
	}
	return (-1);
}

int
conf_fec_parse(const char *s, enum conf_fec_mode *out)
{
	size_t	 i;

	for (i = 0; i < sizeof(fec_names) / sizeof(fec_names[0]); i++) {
		if (strcmp(s, fec_names[i]) == 0) {
			*out = (enum conf_fec_mode)i;
			return (0);
		}
	}
	return (-1);
}

/*
 * "D[.D]unit" to an exact integer: a fraction must come out whole
 * after the multiplier ("1.5kbit" is 1500, "1.0005kbit" is refused).
 */
static int
unit_parse(const char *s, const struct unit *units, uint64_t *out)
{
	uint64_t	 whole = 0, frac = 0, scale = 1, v, f;
	const char	*p = s;
	int		 ndig = 0, nfrac = 0;

	for (; *p >= '0' && *p <= '9'; p++, ndig++) {
		if (__builtin_mul_overflow(whole, 10, &whole) ||
		    __builtin_add_overflow(whole, (uint64_t)(*p - '0'), &whole))
			return (-1);
	}
	if (ndig == 0)
		return (-1);
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, nfrac++) {
			if (nfrac >= 18)
				return (-1);
			frac = frac * 10 + (uint64_t)(*p - '0');
			scale *= 10;
		}
		if (nfrac == 0)
			return (-1);
	}
	for (; units->name != NULL; units++) {
		if (strcasecmp(p, units->name) != 0)
			continue;
		if (__builtin_mul_overflow(whole, units->mult, &v) ||
		    __builtin_mul_overflow(frac, units->mult, &f) ||
		    f % scale != 0 ||
		    __builtin_add_overflow(v, f / scale, &v))
			return (-1);
		*out = v;
		return (0);
	}
	return (-1);
}

static void
unit_fmt(uint64_t v, const struct unit *units, char *buf, size_t len)
{
	for (; units->name != NULL; units++) {
		if (v != 0 && v % units->mult == 0) {
			snprintf(buf, len, "%llu%s",
			    (unsigned long long)(v / units->mult), units->name);
			return;
		}
	}
	snprintf(buf, len, "%llu", (unsigned long long)v);
}

int
conf_rate_parse(const char *s, uint64_t *out)
{
	return (unit_parse(s, rate_units, out));
}

void
conf_rate_fmt(uint64_t v, char *buf, size_t len)
{
	unit_fmt(v, rate_units, buf, len);
}

int
conf_size_parse(const char *s, uint64_t *out)
{
	return (unit_parse(s, size_units, out));
}

void
conf_size_fmt(uint64_t v, char *buf, size_t len)
{
	unit_fmt(v, size_units, buf, len);
}

int
conf_name_valid(const char *s, size_t max)
{
	size_t	 len = strlen(s);

	if (len == 0 || len >= max || strcmp(s, ".") == 0 ||
	    strcmp(s, "..") == 0)
		return (0);
	return (strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_.-") == len);
}

int
conf_host_valid(const char *s)
{
	const char	*label, *p;
	size_t		 len = strlen(s), n;
	int		 digits = 0;

	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0 || len > CONF_HOST_MAX - 1)
		return (0);
	for (label = s; label < s + len; label = p + 1) {
		if ((p = memchr(label, '.', s + len - label)) == NULL)
			p = s + len;
		n = (size_t)(p - label);
		if (n == 0 || n > 63 || *label == '-' || p[-1] == '-' ||
		    strspn(label, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789_-") < n)
			return (0);
		digits = strspn(label, "0123456789") >= n;
	}
	return (!digits);
}

/* 1..65535, decimal digits only. */
static int
conf_port_parse(const char *s, uint16_t *port)
{
	unsigned long	 v = 0;

	if (*s == '\0' || strlen(s) > 5 || strspn(s, "0123456789") !=
	    strlen(s))
		return (-1);
	for (; *s != '\0'; s++)
		v = v * 10 + (unsigned long)(*s - '0');
	if (v == 0 || v > 65535)
		return (-1);
	*port = (uint16_t)v;
	return (0);
}

int
conf_endpoint_parse(const char *s, uint16_t defport,
    struct sockaddr_storage *ss, char *name, size_t namelen, uint16_t *port)
{
	char	 buf[CONF_HOST_MAX + 8], *p;

	memset(ss, 0, sizeof(*ss));
	name[0] = '\0';
	*port = 0;
	if (addr_parse(s, defport, ss) == 0)
		return (0);
	memset(ss, 0, sizeof(*ss));
	/* Brackets and more than one colon belong to IPv6 addresses. */
	if (strlcpy(buf, s, sizeof(buf)) >= sizeof(buf) ||
	    strchr(buf, '[') != NULL)
		return (-1);
	if ((p = strchr(buf, ':')) != NULL) {
		*p++ = '\0';
		if (conf_port_parse(p, port) == -1)
			return (-1);
	} else if ((*port = defport) == 0)
		return (-1);
	if (!conf_host_valid(buf) || strlcpy(name, buf, namelen) >= namelen) {
		name[0] = '\0';
		*port = 0;
		return (-1);
	}
	return (0);
}

