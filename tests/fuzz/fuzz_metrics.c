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
 * Fuzz target: the metrics endpoint's HTTP request parser
 * (metrics_request), fed as ctld feeds it: the bytes received so far,
 * growing.  Its verdict is 0 (more needed) or one of the statuses it
 * answers with, and the answer it writes is a whole response.  Input:
 * the request's bytes.  Test code.
 */

#include <stdio.h>
#include <stdlib.h>

#include "metrics.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*copy, *out = NULL;
	FILE	*fp;
	size_t	 len, outlen;
	int	 status = 0;

	/* An exact copy: ASan sees a read past the bytes received. */
	for (len = 1; len <= size && status == 0; len++) {
		if ((copy = malloc(len)) == NULL)
			fuzz_fail("malloc");
		memcpy(copy, data, len);
		status = metrics_request(copy, len);
		free(copy);
	}
	if (status != 0 && status != 200 && status != 400 &&
	    status != 404 && status != 405)
		fuzz_fail("metrics_request: status %d", status);
	if (status == 0)
		return 0;
	if ((fp = open_memstream(&out, &outlen)) == NULL)
		fuzz_fail("open_memstream");
	if (metrics_response(fp, status, "x\n", 2) == -1 || fclose(fp) != 0)
		fuzz_fail("metrics_response");
	if (outlen < 12 || memcmp(out, "HTTP/1.", 7) != 0)
		fuzz_fail("not a response: %.*s", (int)outlen, out);
	free(out);
	return 0;
}
