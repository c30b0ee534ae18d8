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
 * Names of the link states of include/linkinfo.h: the long ones of
 * bondctl's JSON and the metrics, the short ones of linkd's status
 * line.  Runs in linkd and ctld; pure functions, no secrets.
 */

#include <stdint.h>

#include "linkinfo.h"

const char *
link_state_name(uint32_t s)
{
	switch (s) {
	case LINK_STATE_PROBING:
		return ("probing");
	case LINK_STATE_RUNNING:
		return ("running");
	case LINK_STATE_LOSSY:
		return ("lossy");
	case LINK_STATE_DOWN:
		return ("down");
	case LINK_STATE_WAITING:
		return ("waiting");
	default:
		return ("unknown");
	}
}

const char *
link_state_short_name(uint32_t s)
{
	switch (s) {
	case LINK_STATE_PROBING:
		return ("PROBE");
	case LINK_STATE_RUNNING:
		return ("RUN");
	case LINK_STATE_LOSSY:
		return ("LOSSY");
	case LINK_STATE_DOWN:
		return ("DOWN");
	case LINK_STATE_WAITING:
		return ("WAIT");
	default:
		return ("?");
	}
}
