// SPDX-License-Identifier: GPL-2.0-only
/*
 * Subcommand dispatch: exact names only (no abbreviations a script could come
 * to depend on), -h/--help prints the usage, which is the man page SYNOPSIS.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "syva.h"

const char *opt_name(char **argv)
{
	static char buf[3];

	/* A short option getopt refused is in optopt; a long one in argv. */
	if (optopt > 0 && optopt < 256) {
		snprintf(buf, sizeof(buf), "-%c", optopt);
		return buf;
	}
	return argv[optind - 1];
}

void syva_init(int argc, char **argv, const char *usage)
{
	const char *slash;

	if (argc > 0 && argv[0]) {
		slash = strrchr(argv[0], '/');
		syva_prog = slash ? slash + 1 : argv[0];
	}
	opterr = 0; /* usage_error says it, once, naming the option */
	if (getenv("SYVA_VERBOSE"))
		syva_verbose = 1;
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(usage, stdout);
		exit(0);
	}
	out_default();
}

int syva_main(int argc, char **argv, const char *usage,
	      const struct syva_cmd *cmds)
{
	const struct syva_cmd *c;
	int ret;

	syva_init(argc, argv, usage);
	if (argc < 2)
		usage_error(usage, "missing command");
	for (c = cmds; c->name; c++) {
		if (strcmp(argv[1], c->name))
			continue;
		ret = c->fn(argc - 1, argv + 1);
		out_flush();
		return ret;
	}
	usage_error(usage, "unknown command \"%s\"", argv[1]);
}
