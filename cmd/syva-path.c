// SPDX-License-Identifier: GPL-2.0-only
/*
 * syva-path: register files to a zone, unregister them, list and look them
 * up. The kernel knows a file by its identity (device, inode), so a path is
 * resolved once, here; the path itself is kept only to name the file in
 * listings and events. Many files per call: -r walks trees, - reads stdin.
 */
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include "syva.h"

static const char usage[] =
	"usage: syva-path add [-r] [-x] [-0] ZONE PATH...\n"
	"       syva-path del [-r] [-x] [-0] PATH...\n"
	"       syva-path list [--json | --text] [ZONE]\n"
	"       syva-path show [--json | --text] PATH...\n";

static const struct option opts[] = {
	{ "recursive", no_argument, NULL, 'r' },
	{ "one-file-system", no_argument, NULL, 'x' },
	{ "null", no_argument, NULL, '0' },
	OUT_LONGOPTS,
	{}
};

static bool recursive, one_fs, nul;

static void parse_opts(int argc, char **argv, const char *allowed)
{
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, allowed, opts, NULL)) != -1) {
		if (out_opt(c) && !strchr(allowed, 'r'))
			continue;
		switch (c) {
		case 'r': recursive = true; break;
		case 'x': one_fs = true; break;
		case '0': nul = true; break;
		default: usage_error(usage, "invalid option \"%s\" for %s", opt_name(argv), argv[0]);
		}
	}
	if (one_fs && !recursive)
		usage_error(usage, "-x goes with -r");
}

static struct syva s;
static uint32_t zone; /* add: the zone; del: unused */
static bool adding;
static size_t changed;

static struct syva_file_key key_of(const struct stat *st)
{
	struct syva_file_key k = { .ino = st->st_ino, .dev = syva_kdev(st->st_dev) };

	return k;
}

static void add_one(const char *path, const struct stat *st)
{
	struct syva_file_key k = key_of(st);
	struct syva_file f = { .zone = zone }, cur;
	struct syva_path p = {};
	char name[SYVA_ZONE_NAME_MAX];

	if (!bpf_map_lookup_elem(s.fd[M_FILES], &k, &cur) && cur.zone != zone)
		die(EX_DATAERR, "\"%s\" is registered to zone \"%s\": syva-path del it first",
		    path, zone_name(&s, cur.zone, name));
	if (strlen(path) >= sizeof(p.path))
		f.flags |= SYVA_FILE_TRUNCATED;
	strncpy(p.path, path, sizeof(p.path) - 1);
	txn_put(M_FILES, &k, &f);
	txn_put(M_PATHS, &k, &p);
	changed++;
}

/* del: with -r a tree may hold files never registered; skip those. */
static void del_one(const char *path, const struct stat *st, bool must)
{
	struct syva_file_key k = key_of(st);
	struct syva_file cur;
	int err;

	if (bpf_map_lookup_elem(s.fd[M_FILES], &k, &cur)) {
		if (must)
			die(EX_DATAERR, "\"%s\" is not registered to a zone", path);
		return;
	}
	if ((err = txn_delete(M_FILES, &k)) || (err = txn_delete(M_PATHS, &k)))
		die(ex_of_errno(err), "cannot unregister \"%s\": %s", path, strerror(-err));
	changed++;
}

static int walk_one(const char *path, const struct stat *st, int type,
		    struct FTW *ftw)
{
	(void)ftw;
	if (type == FTW_SL || type == FTW_SLN)
		return 0; /* opening a link opens its target: register that */
	if (type == FTW_NS) {
		if (errno == ENOENT)
			return 0; /* vanished while we walked */
		die(EX_NOINPUT, "cannot stat \"%s\": %s", path, strerror(errno));
	}
	if (adding)
		add_one(path, st);
	else
		del_one(path, st, false);
	return 0;
}

static void each_path(const char *item, void *ctx)
{
	char real[PATH_MAX];
	struct stat st;

	(void)ctx;
	/* The named path is followed, like open(2) would: its target counts. */
	if (!realpath(item, real) || stat(real, &st))
		die(errno == ENOENT || errno == ENOTDIR ? EX_NOINPUT : EX_OSERR,
		    "cannot resolve \"%s\": %s", item, strerror(errno));
	if (recursive && S_ISDIR(st.st_mode)) {
		if (nftw(real, walk_one, 64, FTW_PHYS | (one_fs ? FTW_MOUNT : 0)))
			die(EX_OSERR, "cannot walk \"%s\": %s", real, strerror(errno));
	} else if (adding) {
		add_one(real, &st);
	} else {
		del_one(real, &st, true);
	}
}

static int cmd_add(int argc, char **argv)
{
	parse_opts(argc, argv, "+rx0");
	if (argc - optind < 2)
		usage_error(usage, "add needs ZONE and at least one PATH");
	zone_check_name(argv[optind]);
	if (!strcmp(argv[optind], "host"))
		die(EX_DATAERR, "cannot register to \"host\": unregistered files are host files");
	syva_open(&s, SYVA_WRITE);
	zone = zone_need(&s, argv[optind]);
	adding = true;
	txn_begin(&s);
	if (!for_each_item(argc - optind - 1, argv + optind + 1, nul, each_path, NULL))
		die(EX_NOINPUT, "no paths read from stdin");
	txn_commit();
	return 0;
}

static int cmd_del(int argc, char **argv)
{
	parse_opts(argc, argv, "+rx0");
	if (argc - optind < 1)
		usage_error(usage, "del needs at least one PATH");
	syva_open(&s, SYVA_WRITE);
	txn_begin(&s);
	if (!for_each_item(argc - optind, argv + optind, nul, each_path, NULL)) {
		txn_abort(); /* deleting nothing changes nothing, not even the generation */
		return 0;
	}
	txn_commit();
	return 0;
}

static void print_entry(const char *path, const struct syva_file_key *k,
			const struct syva_file *f, const char *registered)
{
	char name[SYVA_ZONE_NAME_MAX];
	json_t *o;

	zone_name(&s, f ? f->zone : SYVA_ZONE_HOST, name);
	if (out_mode == OUT_TEXT) {
		out_text("%-24s %s%s\n", f ? name : "(none)", path,
			 f && (f->flags & SYVA_FILE_TRUNCATED) ? "..." : "");
		return;
	}
	o = json_object();
	json_object_set_new(o, "zone", f ? json_string(name) : json_null());
	j_set_kstr(o, "path", path, PATH_MAX);
	json_object_set_new(o, "dev", json_integer(k->dev));
	json_object_set_new(o, "ino", j_u64s(k->ino));
	if (registered)
		j_set_kstr(o, "registered_path", registered, SYVA_PATH_MAX);
	else
		json_object_set_new(o, "registered_path", json_null());
	json_object_set_new(o, "truncated",
			    json_boolean(f && (f->flags & SYVA_FILE_TRUNCATED)));
	out_json(o);
}

struct entry {
	struct syva_file_key k;
	struct syva_file f;
	struct syva_path p;
};

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->p.path,
		      ((const struct entry *)b)->p.path);
}

static int cmd_list(int argc, char **argv)
{
	struct syva_file_key k, next, *prev = NULL;
	struct entry *e = NULL;
	size_t n = 0, cap = 0, i;
	bool filter = false;
	uint32_t only = 0;

	parse_opts(argc, argv, "");
	filter = zone_list_open(&s, argc, argv, usage, &only);
	while (!bpf_map_get_next_key(s.fd[M_FILES], prev, &next)) {
		k = next;
		prev = &k;
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			e = realloc(e, cap * sizeof(*e));
			if (!e)
				die(EX_OSERR, "out of memory");
		}
		e[n].k = k;
		if (bpf_map_lookup_elem(s.fd[M_FILES], &k, &e[n].f) ||
		    (filter && e[n].f.zone != only))
			continue;
		if (bpf_map_lookup_elem(s.fd[M_PATHS], &k, &e[n].p))
			snprintf(e[n].p.path, sizeof(e[n].p.path), "(dev %u ino %llu)",
				 k.dev, (unsigned long long)k.ino);
		e[n].p.path[sizeof(e[n].p.path) - 1] = 0;
		n++;
	}
	qsort(e, n, sizeof(*e), by_path);
	for (i = 0; i < n; i++)
		print_entry(e[i].p.path, &e[i].k, &e[i].f, e[i].p.path);
	free(e);
	return 0;
}

static int cmd_show(int argc, char **argv)
{
	char real[PATH_MAX];
	struct syva_file_key k;
	struct syva_file f;
	struct syva_path p;
	struct stat st;
	int i, ret = 0;

	parse_opts(argc, argv, "");
	if (argc - optind < 1)
		usage_error(usage, "show needs at least one PATH");
	syva_open(&s, SYVA_READ);
	for (i = optind; i < argc; i++) {
		if (!realpath(argv[i], real) || stat(real, &st))
			die(errno == ENOENT || errno == ENOTDIR ? EX_NOINPUT : EX_OSERR,
			    "cannot resolve \"%s\": %s", argv[i], strerror(errno));
		k = key_of(&st);
		if (bpf_map_lookup_elem(s.fd[M_FILES], &k, &f)) {
			print_entry(real, &k, NULL, NULL);
			ret = EX_NOTFOUND; /* "no": not registered */
			continue;
		}
		if (bpf_map_lookup_elem(s.fd[M_PATHS], &k, &p))
			p.path[0] = 0;
		p.path[sizeof(p.path) - 1] = 0;
		print_entry(real, &k, &f, p.path[0] ? p.path : NULL);
	}
	return ret;
}

int main(int argc, char **argv)
{
	static const struct syva_cmd cmds[] = {
		{ "add", cmd_add }, { "del", cmd_del }, { "list", cmd_list }, { "show", cmd_show }, {}
	};

	return syva_main(argc, argv, usage, cmds);
}
