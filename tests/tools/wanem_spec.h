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
 * The link spec of wanem (test tool, root in a test namespace): the
 * parameters of one direction of an emulated link and the parser of
 * "key=value,..." specs given on the command line or the control
 * socket.  Pure: no I/O, no global state.
 */

#ifndef WANEM_SPEC_H
#define WANEM_SPEC_H

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MIN_QUEUE	3000		/* bytes: always room for a packet */

struct params {
	uint64_t	rate;		/* bit/s, 0 = unlimited */
	uint64_t	delay;		/* ns */
	uint64_t	jitter;		/* ns, extra delay 0..jitter */
	int		jitter_normal;	/* Irwin-Hall instead of uniform */
	double		loss;		/* probability, good state */
	double		p_enter;	/* good -> bad per packet */
	double		p_exit;		/* bad -> good per packet */
	double		loss_bad;	/* probability in the bad state */
	uint64_t	queue_ns;	/* queue limit as time at rate, or 0 */
	uint64_t	queue_bytes;	/* queue limit in bytes, or 0 */
	int		overhead;	/* bytes a packet costs besides its IP
					 * length (the rate is of IP bytes) */
};

/* "20mbit", "800kbit", "1gbit", "1500000" (bit/s); 0 means unlimited. */
static int
parse_rate(const char *v, uint64_t *out)
{
	char	*end;
	double	 d;

	errno = 0;
	d = strtod(v, &end);
	if (errno || end == v || d < 0)
		return -1;
	if (*end == '\0' || strcasecmp(end, "bit") == 0 ||
	    strcasecmp(end, "bps") == 0)
		;
	else if (strcasecmp(end, "k") == 0 || strcasecmp(end, "kbit") == 0)
		d *= 1e3;
	else if (strcasecmp(end, "m") == 0 || strcasecmp(end, "mbit") == 0)
		d *= 1e6;
	else if (strcasecmp(end, "g") == 0 || strcasecmp(end, "gbit") == 0)
		d *= 1e9;
	else
		return -1;
	if (d > 1e12)
		return -1;
	*out = (uint64_t)llround(d);
	return 0;
}

/* "10ms", "500us", "1s", "17.5ms", bare number = ms. */
static int
parse_time(const char *v, uint64_t *out)
{
	char	*end;
	double	 d;

	errno = 0;
	d = strtod(v, &end);
	if (errno || end == v || d < 0)
		return -1;
	if (*end == '\0' || strcmp(end, "ms") == 0)
		d *= 1e6;
	else if (strcmp(end, "us") == 0)
		d *= 1e3;
	else if (strcmp(end, "ns") == 0)
		;
	else if (strcmp(end, "s") == 0)
		d *= 1e9;
	else
		return -1;
	if (d > 60e9)
		return -1;
	*out = (uint64_t)llround(d);
	return 0;
}

/* "0.5%" or "0.005"; result is a probability. */
static int
parse_prob(const char *v, double *out)
{
	char	*end;
	double	 d;

	errno = 0;
	d = strtod(v, &end);
	if (errno || end == v)
		return -1;
	if (*end == '%') {
		d /= 100;
		end++;
	}
	if (*end != '\0' || d < 0 || d > 1)
		return -1;
	*out = d;
	return 0;
}

/* "50ms" (time at the current rate), "64000", "64000b", "64kb" (bytes). */
static int
parse_queue(const char *v, struct params *p)
{
	char		*end;
	double		 d;
	uint64_t	 ns;

	if (strlen(v) > 1 && v[strlen(v) - 1] == 's') {
		if (parse_time(v, &ns) == -1 || ns == 0)
			return -1;
		p->queue_ns = ns;
		p->queue_bytes = 0;
		return 0;
	}
	errno = 0;
	d = strtod(v, &end);
	if (errno || end == v || d <= 0)
		return -1;
	if (*end == '\0' || strcasecmp(end, "b") == 0)
		;
	else if (strcasecmp(end, "kb") == 0 || strcasecmp(end, "k") == 0)
		d *= 1e3;
	else if (strcasecmp(end, "mb") == 0 || strcasecmp(end, "m") == 0)
		d *= 1e6;
	else
		return -1;
	if (d > 1e9)
		return -1;
	p->queue_bytes = (uint64_t)d;
	p->queue_ns = 0;
	return 0;
}

static void
params_default(struct params *p)
{
	memset(p, 0, sizeof(*p));
	p->loss_bad = 1.0;
	p->queue_ns = 50 * 1000000ULL;
}

/*
 * Apply a comma separated spec on top of *p.  Keys not named keep their
 * value, so "set up loss=10%" changes only the loss; "reset" restores
 * the defaults first.  On error *p is unchanged and err says why.
 */
static int
parse_spec(const char *spec, struct params *p, char *err, size_t errlen)
{
	struct params	 n = *p;
	char		 buf[512], *tok, *save, *v, *slash;
	int		 ok;

	if (strlen(spec) >= sizeof(buf)) {
		snprintf(err, errlen, "spec too long");
		return -1;
	}
	strcpy(buf, spec);
	for (tok = strtok_r(buf, ", \t\n", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t\n", &save)) {
		if (strcmp(tok, "reset") == 0) {
			params_default(&n);
			continue;
		}
		if ((v = strchr(tok, '=')) == NULL) {
			snprintf(err, errlen, "expected key=value: %s", tok);
			return -1;
		}
		*v++ = '\0';
		ok = -1;
		if (strcmp(tok, "rate") == 0)
			ok = parse_rate(v, &n.rate);
		else if (strcmp(tok, "delay") == 0)
			ok = parse_time(v, &n.delay);
		else if (strcmp(tok, "jitter") == 0)
			ok = parse_time(v, &n.jitter);
		else if (strcmp(tok, "jitter_dist") == 0) {
			if (strcmp(v, "uniform") == 0 ||
			    strcmp(v, "normal") == 0) {
				n.jitter_normal = strcmp(v, "normal") == 0;
				ok = 0;
			}
		} else if (strcmp(tok, "loss") == 0)
			ok = parse_prob(v, &n.loss);
		else if (strcmp(tok, "loss_bad") == 0)
			ok = parse_prob(v, &n.loss_bad);
		else if (strcmp(tok, "burst") == 0) {
			if ((slash = strchr(v, '/')) != NULL) {
				*slash++ = '\0';
				if (parse_prob(v, &n.p_enter) == 0 &&
				    parse_prob(slash, &n.p_exit) == 0)
					ok = 0;
			} else if (strcmp(v, "off") == 0) {
				n.p_enter = 0;
				ok = 0;
			}
		} else if (strcmp(tok, "queue") == 0)
			ok = parse_queue(v, &n);
		else if (strcmp(tok, "overhead") == 0) {
			char	*end;
			long	 o = strtol(v, &end, 10);

			if (*end == '\0' && o >= 0 && o <= 1000) {
				n.overhead = (int)o;
				ok = 0;
			}
		} else {
			snprintf(err, errlen, "unknown key: %s", tok);
			return -1;
		}
		if (ok == -1) {
			snprintf(err, errlen, "bad value for %s: %s", tok, v);
			return -1;
		}
	}
	*p = n;
	return 0;
}

/* Queue limit in bytes for the current rate. */
static uint64_t
queue_limit(const struct params *p)
{
	uint64_t	b;

	if (p->queue_bytes)
		b = p->queue_bytes;
	else
		b = (uint64_t)((double)p->rate / 8 * (double)p->queue_ns /
		    1e9);
	return b < MIN_QUEUE ? MIN_QUEUE : b;
}

#endif /* WANEM_SPEC_H */
