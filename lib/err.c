// SPDX-License-Identifier: GPL-2.0-only
/*
 * Errors: one line on stderr, "prog: what: why", and a <sysexits.h> code the
 * man pages document. die() undoes an unfinished map transaction first, so a
 * failed command leaves the maps as they were.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "syva.h"

const char *syva_prog = "syva";
int syva_verbose;

static void vmsg(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", syva_prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	txn_abort();
	exit(code);
}

void warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

void usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	fputs(usage, stderr);
	exit(EX_USAGE);
}

int ex_of_errno(int err)
{
	switch (err < 0 ? -err : err) {
	case E2BIG:
	case ENOSPC:
	case ENOMEM:
	case EBUSY:
	case EAGAIN:
		return EX_TEMPFAIL;
	case EPERM:
	case EACCES:
		return EX_NOPERM;
	case ENOENT:
		return EX_UNAVAILABLE;
	default:
		return EX_OSERR;
	}
}
