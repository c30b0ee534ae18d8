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
 * Entry point of the bondd executable.  Without -C it runs the
 * privileged parent; with -C it runs the core role, which the parent
 * starts by re-executing this binary.
 */

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "bondd.h"
#include "config.h"
#include "log.h"
#include "parent.h"
#include "core.h"

static void	usage(void) __attribute__((noreturn));

static void
usage(void)
{
	fprintf(stderr, "usage: bondd [-dknv] [-f file]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	const char	*file = BONDD_CONF;
	enum parent_action action = PARENT_RUN;
	int		 ch, debug = 0, verbose = 0, core = 0;

	while ((ch = getopt(argc, argv, "Cdf:knv")) != -1) {
		switch (ch) {
		case 'C':
			core = 1;
			break;
		case 'd':
			debug = 1;
			break;
		case 'f':
			file = optarg;
			break;
		case 'k':
		case 'n':
			if (action != PARENT_RUN)
				usage();
			action = ch == 'k' ? PARENT_REMOVE : PARENT_CHECK;
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	if (core)
		return core_main(debug, verbose);
	return parent_main(file, debug, verbose, action);
}
