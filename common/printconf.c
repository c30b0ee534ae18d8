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
 * The canonical form of a configuration (bondd -n): every key in a
 * fixed order, defaults included, which parse_config() reads back to
 * the same struct.  Keys without a value and without a default
 * (device, source, rates, quota, group, preshared_key_file, routes)
 * are left out when unset.  Private and pre-shared keys are never printed,
 * only the names of their files.  Parent only.
 */

#include <stdio.h>
#include <string.h>

#include "config.h"
#include "util.h"

#define ALNUM	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

/*
 * Plain when unambiguous, else a double-quoted YAML string.  A colon
 * is plain inside ("host:5800") but not last: "/x:" reads as a key.
 */
static void
pstr(FILE *fp, const char *s)
{
	const unsigned char	*c;
	size_t			 len = strlen(s);

	if (len != 0 && strchr(ALNUM "/_.", *s) != NULL &&
	    strspn(s, ALNUM "/_.-+=:@") == len && s[len - 1] != ':') {
		fputs(s, fp);
		return;
	}
	fputc('"', fp);
	for (c = (const unsigned char *)s; *c != '\0'; c++) {
		if (*c == '"' || *c == '\\')
			fprintf(fp, "\\%c", *c);
		else if (*c < 0x20 || *c == 0x7f)
			fprintf(fp, "\\x%02x", *c);
		else
			fputc(*c, fp);
	}
	fputc('"', fp);
}

static void
pkv(FILE *fp, const char *indent, const char *key, const char *val)
{
	fprintf(fp, "%s%s: ", indent, key);
	pstr(fp, val);
	fputc('\n', fp);
}

static void
pkey(FILE *fp, const char *indent, const char *key,
    const uint8_t k[BONDD_KEY_LEN])
{
	char	 b64[KEY_B64_LEN];

	key_to_base64(b64, k);
	fprintf(fp, "%s%s: \"%s\"\n", indent, key, b64);
}

static void
pbool(FILE *fp, const char *indent, const char *key, bool v)
{
	fprintf(fp, "%s%s: %s\n", indent, key, v ? "true" : "false");
}

static void
pprefixes(FILE *fp, const char *indent, const char *key,
    const struct conf_prefix *p, int n)
{
	char	 buf[INET6_ADDRSTRLEN + 5];
	int	 i;

	fprintf(fp, "%s%s:\n", indent, key);
	for (i = 0; i < n; i++) {
		fprintf(fp, "%s  - ", indent);
		pstr(fp, prefix_fmt(&p[i], buf, sizeof(buf)));
		fputc('\n', fp);
	}
}

/* Parts per million as the shortest exact percentage: 5%, 0.5%. */
static void
ppercent(FILE *fp, const char *key, uint32_t ppm)
{
	char	frac[8];
	int	n;

	fprintf(fp, "  %s: %u", key, ppm / 10000);
	if (ppm % 10000 != 0) {
		snprintf(frac, sizeof(frac), "%04u", ppm % 10000);
		for (n = 4; frac[n - 1] == '0'; n--)
			frac[n - 1] = '\0';
		fprintf(fp, ".%s", frac);
	}
	fprintf(fp, "%%\n");
}

static void
pports(FILE *fp, const char *key, const uint16_t *ports, int n)
{
	int	 i;

	fprintf(fp, "  %s: [", key);
	for (i = 0; i < n; i++)
		fprintf(fp, "%s%u", i ? ", " : "", ports[i]);
	fprintf(fp, "]\n");
}

/* The endpoint as written: an address, or a name and its port. */
static void
print_endpoint(FILE *fp, const char *indent, const struct conf_peer *peer)
{
	char	 buf[CONF_HOST_MAX + 8];

	if (peer->endpoint_name[0] == '\0')
		addr_fmt(&peer->endpoint, buf, sizeof(buf));
	else
		snprintf(buf, sizeof(buf), "%s:%u", peer->endpoint_name,
		    peer->endpoint_port);
	pkv(fp, indent, "endpoint", buf);
}

/* first: before the first key, which may follow a "- " */
static void
print_peer(FILE *fp, const char *first, const char *indent,
    const struct conf_peer *peer, enum conf_role role)
{
	pkv(fp, first, "name", peer->name);
	pkey(fp, indent, "public_key", peer->public_key);
	if (role == ROLE_CLIENT)
		print_endpoint(fp, indent, peer);
	if (peer->has_psk)
		pkv(fp, indent, "preshared_key_file", peer->psk_file);
	pprefixes(fp, indent, "allowed_ips", peer->allowed, peer->nallowed);
}

static void
print_link(FILE *fp, const struct conf_link *l)
{
	char	 buf[ADDR_STRLEN];

	fprintf(fp, "  - ");
	pkv(fp, "", "name", l->name);
	if (l->device[0] != '\0')
		pkv(fp, "    ", "device", l->device);
	if (l->source.ss_family != 0)
		pkv(fp, "    ", "source", addr_fmt_host(&l->source, buf,
		    sizeof(buf)));
	if (l->endpoint.ss_family != 0)
		pkv(fp, "    ", "endpoint", addr_fmt(&l->endpoint, buf,
		    sizeof(buf)));
	fprintf(fp, "    port: %u\n", l->port);
	fprintf(fp, "    fwmark: %u\n", l->fwmark);
	if (l->up_bps != 0) {
		conf_rate_fmt(l->up_bps, buf, sizeof(buf));
		fprintf(fp, "    up: %s\n", buf);
	}
	if (l->down_bps != 0) {
		conf_rate_fmt(l->down_bps, buf, sizeof(buf));
		fprintf(fp, "    down: %s\n", buf);
	}
	fprintf(fp, "    priority: %u\n", l->priority);
	if (l->quota_bytes != 0) {
		conf_size_fmt(l->quota_bytes, buf, sizeof(buf));
		fprintf(fp, "    quota: %s\n", buf);
	}
	pbool(fp, "    ", "backup", l->backup);
	fprintf(fp, "    mtu: %u\n", l->mtu);
}

void
print_config(const struct config *conf, FILE *fp)
{
	char	 buf[ADDR_STRLEN];
	int	 i;

	fprintf(fp, "role: %s\n", conf_role_name(conf->role));

	fprintf(fp, "tunnel:\n");
	pkv(fp, "  ", "name", conf->tun_name);
	pprefixes(fp, "  ", "address", conf->tun_addr, conf->ntun_addr);
	if (conf->tun_mtu == 0)
		fprintf(fp, "  mtu: auto\n");
	else
		fprintf(fp, "  mtu: %u\n", conf->tun_mtu);
	fprintf(fp, "  txqueuelen: %u\n", conf->tun_txqueuelen);
	pbool(fp, "  ", "mss_clamp", conf->mss_clamp);
	if (conf->nroutes > 0)
		pprefixes(fp, "  ", "routes", conf->routes, conf->nroutes);
	pbool(fp, "  ", "persist", conf->persist);
	pbool(fp, "  ", "offload", conf->tun_offload);

	fprintf(fp, "identity:\n");
	pkv(fp, "  ", "private_key_file", conf->private_key_file);
	pkv(fp, "  ", "user", conf->user);

	if (conf->role == ROLE_CLIENT) {
		if (conf->npeers > 0) {
			fprintf(fp, "peer:\n");
			print_peer(fp, "  ", "  ", &conf->peers[0],
			    conf->role);
		}
		fprintf(fp, "links:\n");
		for (i = 0; i < conf->nlinks; i++)
			print_link(fp, &conf->links[i]);
	} else {
		fprintf(fp, "listen:\n");
		for (i = 0; i < conf->nlisten; i++) {
			fprintf(fp, "  - ");
			pstr(fp, addr_fmt(&conf->listen[i], buf, sizeof(buf)));
			fputc('\n', fp);
		}
		fprintf(fp, "peers:\n");
		for (i = 0; i < conf->npeers; i++) {
			fprintf(fp, "  - ");
			print_peer(fp, "", "    ", &conf->peers[i],
			    conf->role);
		}
	}

	fprintf(fp, "session:\n");
	fprintf(fp, "  keepalive: %u\n", conf->keepalive_s);
	fprintf(fp, "  rekey: %u\n", conf->rekey_s);
	pbool(fp, "  ", "udp_offload", conf->udp_offload);
	fprintf(fp, "probe:\n");
	fprintf(fp, "  interval: %u\n", conf->probe_interval_ms);
	fprintf(fp, "  down_after: %u\n", conf->down_after_ms);
	ppercent(fp, "lossy", conf->lossy_ppm);
	fprintf(fp, "  recover: %u\n", conf->recover_probes);
	fprintf(fp, "scheduler:\n");
	fprintf(fp, "  strategy: %s\n", conf_strategy_name(conf->strategy));
	fprintf(fp, "  reorder_max: %u\n", conf->reorder_max_ms);
	fprintf(fp, "  bulk_rtt_percent: %u\n", conf->bulk_rtt_pct);
	fprintf(fp, "  bulk_max_rtt: %u\n", conf->bulk_max_rtt_ms);
	fprintf(fp, "realtime:\n");
	pports(fp, "udp_ports", conf->rt_udp_ports, conf->nrt_udp_ports);
	pports(fp, "tcp_ports", conf->rt_tcp_ports, conf->nrt_tcp_ports);
	pbool(fp, "  ", "duplicate", conf->rt_duplicate);
	fprintf(fp, "fec:\n");
	fprintf(fp, "  mode: %s\n", conf_fec_name(conf->fec_mode));
	fprintf(fp, "control:\n");
	pkv(fp, "  ", "socket", conf->ctl_socket);
	if (conf->ctl_group[0] != '\0')
		pkv(fp, "  ", "group", conf->ctl_group);
	if (conf->metrics.ss_family == 0)
		fprintf(fp, "  metrics: off\n");
	else
		pkv(fp, "  ", "metrics", addr_fmt(&conf->metrics, buf,
		    sizeof(buf)));
	fprintf(fp, "log:\n");
	fprintf(fp, "  status_interval: %u\n", conf->log_status_s);
}
