// SPDX-License-Identifier: GPL-2.0-only
/*
 * Output. stdout carries data only: human text on a TTY, JSON lines when
 * piped (--json/--text force either). A JSON record is built in memory and
 * written with one write(2), so readers never see half a line; a closed pipe
 * ends the tool quietly (`syva-events -f | head -1`).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "syva.h"

enum out_mode out_mode = OUT_TEXT;

void out_default(void)
{
	out_mode = isatty(STDOUT_FILENO) ? OUT_TEXT : OUT_JSON;
	/* EPIPE as an error return, not a signal: we exit quietly on it. */
	signal(SIGPIPE, SIG_IGN);
}

bool out_opt(int c)
{
	if (c == 'J')
		out_mode = OUT_JSON;
	else if (c == 'T')
		out_mode = OUT_TEXT;
	else
		return false;
	return true;
}

static void write_all(const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(STDOUT_FILENO, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EPIPE)
			exit(0);
		if (n <= 0)
			die(EX_IOERR, "cannot write to stdout: %s", strerror(errno));
		buf += n;
		len -= n;
	}
}

void out_json(json_t *obj)
{
	char *s;
	size_t len;

	fflush(stdout); /* keep order with any buffered text */
	s = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(obj);
	if (!s)
		die(EX_SOFTWARE, "cannot encode JSON");
	len = strlen(s);
	s[len] = '\n'; /* replaces the NUL: one write for the line */
	write_all(s, len + 1);
	free(s);
}

void out_text(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

void out_flush(void)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		if (errno == EPIPE)
			exit(0);
		die(EX_IOERR, "cannot write to stdout: %s", strerror(errno));
	}
}

json_t *j_u64s(uint64_t v)
{
	char b[24];

	snprintf(b, sizeof(b), "%llu", (unsigned long long)v);
	return json_string(b);
}

/* Length of a valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and out-of-range points are not UTF-8. */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void j_set_kstr(json_t *o, const char *key, const char *buf, size_t max)
{
	size_t n = strnlen(buf, max), i = 0, l, o_len = 0;
	const unsigned char *s = (const unsigned char *)buf;
	char *clean = malloc(n * 3 + 1), hexkey[80], *hex;
	bool bad = false;

	if (!clean)
		die(EX_OSERR, "out of memory");
	while (i < n) {
		l = utf8_len(s + i, n - i);
		if (l && !(l == 1 && s[i] == 0)) {
			memcpy(clean + o_len, s + i, l);
			o_len += l, i += l;
			continue;
		}
		memcpy(clean + o_len, "\xef\xbf\xbd", 3); /* U+FFFD */
		o_len += 3, i++;
		bad = true;
	}
	clean[o_len] = 0;
	json_object_set_new(o, key, json_stringn(clean, o_len));
	free(clean);
	if (!bad)
		return;
	hex = malloc(n * 2 + 1);
	if (!hex)
		die(EX_OSERR, "out of memory");
	for (i = 0; i < n; i++)
		sprintf(hex + 2 * i, "%02x", s[i]);
	snprintf(hexkey, sizeof(hexkey), "%s_hex", key);
	json_object_set_new(o, hexkey, json_stringn(hex, 2 * n));
	free(hex);
}

void fmt_boottime(uint64_t boot_ns, char *buf, size_t len)
{
	static int64_t offset_ns;
	static bool have;
	struct timespec rt, bt;
	struct tm tm;
	int64_t ns;
	time_t sec;

	/* Wall clock minus boot clock, taken once: events carry boot time. */
	if (!have) {
		clock_gettime(CLOCK_REALTIME, &rt);
		clock_gettime(CLOCK_BOOTTIME, &bt);
		offset_ns = (rt.tv_sec - bt.tv_sec) * 1000000000LL +
			    (rt.tv_nsec - bt.tv_nsec);
		have = true;
	}
	ns = (int64_t)boot_ns + offset_ns;
	sec = ns / 1000000000LL;
	gmtime_r(&sec, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (long long)(ns % 1000000000LL) / 1000);
}

void out_getopt(int argc, char **argv, const char *usage)
{
	static const struct option opts[] = { OUT_LONGOPTS, {} };
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1)
		if (!out_opt(c))
			usage_error(usage, "invalid option \"%s\" for %s", opt_name(argv),
				    argv[0]);
}
