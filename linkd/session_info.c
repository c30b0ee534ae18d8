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
 * What a session table tells the rest of linkd: the session of a
 * (peer, link), its state and its counters for the statistics.  Runs
 * in linkd; it reads the table (which holds the keys) and copies out
 * names, addresses and counters only.
 */

#include <string.h>

#include "bondd.h"
#include "config.h"
#include "messages.h"
#include "util.h"
#include "session.h"

struct session *
sess_find(struct sess_table *t, uint16_t peer, uint8_t link_id)
{
	struct session	*s;

	if (peer >= t->npeers || !t->peers[peer].used ||
	    link_id >= BONDD_MAX_LINKS)
		return (NULL);
	if (t->role == ROLE_CLIENT)
		s = link_id == t->link_id ? &t->sessions[0] : NULL;
	else
		s = &t->sessions[peer * BONDD_MAX_LINKS + link_id];
	if (s == NULL || !s->used)
		return (NULL);
	return (s);
}

enum session_state
sess_state(const struct session *s)
{
	if (s == NULL || !s->used)
		return (SESSION_NONE);
	if (s->cur != NULL)
		return (SESSION_ESTABLISHED);
	if (s->next != NULL)
		return (SESSION_HANDSHAKE);
	return (SESSION_NONE);
}

static void
ctr_add(struct ipc_link_stats *st, const struct sess_counters *c)
{
	st->tx_packets += c->tx_packets;
	st->tx_bytes += c->tx_bytes;
	st->rx_packets += c->rx_packets;
	st->rx_bytes += c->rx_bytes;
	st->handshakes += c->handshakes;
	st->auth_fail += c->auth_fail;
	st->replay_drop += c->replay_drop;
	st->malformed += c->malformed;
	st->send_errors += c->send_errors;
}

void
sess_stats(const struct sess_table *t, const struct session *s,
    uint64_t now, int addtable, struct ipc_link_stats *st)
{
	memset(st, 0, sizeof(*st));
	strlcpy(st->link, t->name, sizeof(st->link));
	st->last_handshake_ms = -1;
	st->state = sess_state(s);
	if (addtable)
		ctr_add(st, &t->ctr);
	if (s == NULL || !s->used)
		return;
	if (t->role == ROLE_SERVER)
		strlcpy(st->link, s->link_name, sizeof(st->link));
	strlcpy(st->peer, t->peers[s->peer].name, sizeof(st->peer));
	st->link_id = s->link_id;
	st->endpoint = s->endpoint;
	ctr_add(st, &s->ctr);
	if (s->hs_done)
		st->last_handshake_ms = (int64_t)((now - s->hs_done_us) / 1000);
}
