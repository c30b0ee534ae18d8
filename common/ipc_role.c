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
 * The state of a sender as its receiver follows it: every process
 * passes each message it receives through its rule table here before
 * it reads the payload.  Linked into every process; the message comes
 * from a less trusted peer (a sandboxed child, or any local user's
 * bondctl).  Pure: no I/O, no clock, no secrets.
 */

#include <stdint.h>

#include "ipc.h"

void
ipc_role_init(struct ipc_role *role, const struct ipc_accept *rules)
{
	role->rules = rules;
	role->state = IPC_S_HELLO;
	role->seen = 0;
}

/* The bit of a type in ipc_role.seen: its place in the catalogue. */
static uint64_t
type_bit(uint32_t type)
{
	int	i;

	for (i = 0; ipc_catalogue[i].type != 0; i++)
		if (ipc_catalogue[i].type == type)
			return 1ULL << i;
	return 0;
}

/*
 * The invariant: a message reaches its receiver's dispatch only if
 *	- its type has a rule in the receiver's table,
 *	- its length and fd are those of the catalogue for that type,
 *	- the sender is in one of the states of the rule,
 *	- a rule IPC_ONCE has not accepted a message before, and
 *	- the rule's `after` type has been accepted before.
 * The sender then moves on to the rule's state before the dispatch
 * runs, so the dispatch checks only what the payload says.  A sender
 * never moves back: HELLO, then CONF, then RUNNING.
 */
const struct ipc_accept *
ipc_role_accept(struct ipc_role *role, const struct ipc_msg *msg,
    const char **why)
{
	const struct ipc_accept	*a;
	uint32_t		 type = msg->hdr.type;
	uint64_t		 bit;

	for (a = role->rules; a->type != 0; a++)
		if (a->type == type)
			break;
	if (a->type == 0) {
		*why = "unexpected type";
		return NULL;
	}
	if (ipc_check(ipc_catalogue, msg, why) == NULL)
		return NULL;
	bit = type_bit(type);
	if (a->once && (role->seen & bit)) {
		*why = type == IPC_HELLO ? "hello twice" : "twice";
		return NULL;
	}
	if (!(a->in & (1U << role->state))) {
		*why = role->state == IPC_S_HELLO ? "hello expected" :
		    "out of order";
		return NULL;
	}
	if (a->after != 0 && !(role->seen & type_bit(a->after))) {
		*why = "out of order";
		return NULL;
	}
	role->seen |= bit;
	if (a->to > role->state)
		role->state = a->to;
	*why = NULL;
	return a;
}
