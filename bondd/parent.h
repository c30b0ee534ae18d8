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
 * The privileged parent: owns the configuration, creates the kernel
 * resources, starts and supervises the children.
 */

#ifndef PARENT_H
#define PARENT_H

#include <stdint.h>

#include "bondd.h"
#include "config.h"

#define MAX_INSTANCES	BONDD_MAX_LINKS	/* linkd slots */

/* parent.c */
extern struct config	 conf;
/* A client link keeps its slot (instance and link id) across reloads:
 * the server keys its sessions by link id. */
extern int		 slot_used[MAX_INSTANCES];
extern struct conf_link	 slink[MAX_INSTANCES];
extern uint32_t		 payload_max[MAX_INSTANCES];

int	parent_main(const char *, int, int, int);

/* parent_mtu.c */
extern uint32_t		 tun_mtu;

int		link_family(const struct conf_link *);
int		endpoint_family(int);
uint32_t	link_payload(const struct conf_link *, int);
int		compute_mtu(void);

#endif /* PARENT_H */
