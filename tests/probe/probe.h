/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * probe: the test suites' syscall runner. `probe OP ARGS...` makes exactly
 * one syscall of interest and prints "ok" or the errno's name (EPERM, ...),
 * exiting 0 or 1, so a test asserts the errno itself, not a tool's message.
 * Each concern adds its ops in its own file with PROBE_OPS().
 */
#ifndef PROBE_H
#define PROBE_H

struct probe_op {
	const char *name;
	const char *args;	/* for the usage text */
	int nargs;		/* required argument count */
	int (*fn)(char **argv); /* 0 or -errno */
	int prints;		/* the op prints its own result: no "ok" */
};

void probe_register(const struct probe_op *ops);

#define PROBE_OPS(tbl)                                           \
	__attribute__((constructor)) static void reg_##tbl(void) \
	{                                                        \
		probe_register(tbl);                             \
	}

/* Helper for ops: -errno of the last failed call. */
#define PROBE_ERR() (-errno)

#endif
