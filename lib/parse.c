// SPDX-License-Identifier: GPL-2.0-only
/*
 * Parsing shared by the tools: strict numbers (no sign, no trailing junk, no
 * silent wrap), and items from arguments or from stdin with "-", so a tool
 * takes one item or a hundred thousand per call (`find DIR | syva-path add Z -`).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "syva.h"

int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

size_t for_each_item(int argc, char **argv, bool nul,
		     void (*fn)(const char *item, void *ctx), void *ctx)
{
	char *line = NULL;
	size_t cap = 0, n = 0;
	ssize_t len;
	int i;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-")) {
			fn(argv[i], ctx);
			n++;
			continue;
		}
		while ((len = getdelim(&line, &cap, nul ? '\0' : '\n', stdin)) > 0) {
			if (line[len - 1] == (nul ? '\0' : '\n'))
				line[--len] = 0;
			if (!len)
				continue;
			fn(line, ctx);
			n++;
		}
		if (ferror(stdin))
			die(EX_IOERR, "cannot read stdin: %s", strerror(errno));
	}
	free(line);
	return n;
}
