// SPDX-License-Identifier: GPL-2.0-only
/* probe's dispatch and result printing; see probe.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "probe.h"

static const struct probe_op *tables[16];
static int ntables;

void probe_register(const struct probe_op *ops)
{
	if (ntables < 16)
		tables[ntables++] = ops;
}

static const char *errname(int e)
{
	static char buf[32];
	const char *n = strerrorname_np(e);

	if (n)
		return n;
	snprintf(buf, sizeof(buf), "E%d", e);
	return buf;
}

int main(int argc, char **argv)
{
	const struct probe_op *op;
	int t, ret;

	for (t = 0; argc > 1 && t < ntables; t++)
		for (op = tables[t]; op->name; op++) {
			if (strcmp(op->name, argv[1]))
				continue;
			if (argc - 2 < op->nargs) {
				fprintf(stderr, "usage: probe %s %s\n", op->name, op->args);
				return 2;
			}
			ret = op->fn(argv + 2);
			if (ret || !op->prints)
				puts(ret ? errname(-ret) : "ok");
			return ret ? 1 : 0;
		}
	fprintf(stderr, "usage: probe OP ARGS...; ops:\n");
	for (t = 0; t < ntables; t++)
		for (op = tables[t]; op->name; op++)
			fprintf(stderr, "  %s %s\n", op->name, op->args);
	return 2;
}
