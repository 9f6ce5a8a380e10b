// SPDX-License-Identifier: GPL-2.0-only
/*
 * syva-attach: put workloads (cgroup v2 directories) in a zone, take them
 * out, list them. A cgroup's existing descendants join with it, and the
 * kernel side adds any created later, so a container that makes its own
 * sub-cgroups stays in its zone.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "syva.h"

static const char usage[] =
	"usage: syva-attach add [--pid | --id] ZONE TARGET...\n"
	"       syva-attach del [--pid | --id] TARGET...\n"
	"       syva-attach list [--all] [--json | --text] [ZONE]\n";

enum { O_PID = 256,
       O_ID,
       O_ALL };
static const struct option opts[] = {
	{ "pid", no_argument, NULL, O_PID },
	{ "id", no_argument, NULL, O_ID },
	{ "all", no_argument, NULL, O_ALL },
	OUT_LONGOPTS,
	{}
};

static int kind; /* 0 path, O_PID or O_ID: how TARGETs are read */
static bool all;

static void parse_opts(int argc, char **argv, bool targets)
{
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (!targets && out_opt(c))
			continue;
		if (targets && (c == O_PID || c == O_ID) && !kind)
			kind = c;
		else if (!targets && c == O_ALL)
			all = true;
		else
			usage_error(usage, "invalid option \"%s\" for %s", opt_name(argv), argv[0]);
	}
}

/* Resolve every target up front: a typo fails before any map changes. */
struct targets {
	int *fd;
	size_t n, cap;
};

static void resolve(const char *item, void *ctx)
{
	struct targets *t = ctx;
	uint64_t v;
	int fd;

	if (kind == O_PID) {
		if (parse_u64(item, 1, 0x7fffffff, &v))
			die(EX_DATAERR, "invalid pid \"%s\": use a process id", item);
		fd = cgroup_open_pid((long)v);
	} else if (kind == O_ID) {
		if (parse_u64(item, 1, UINT64_MAX, &v))
			die(EX_DATAERR, "invalid cgroup id \"%s\": use a decimal id", item);
		fd = cgroup_open_id(v);
	} else {
		fd = cgroup_open_path(item);
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		t->fd = realloc(t->fd, t->cap * sizeof(*t->fd));
		if (!t->fd)
			die(EX_OSERR, "out of memory");
	}
	t->fd[t->n++] = fd;
}

struct inherit {
	struct syva *s;
	uint32_t zone; /* zone the subtree inherits; 0: leave it */
	uint32_t from; /* with del: only entries inherited from this zone */
};

/* Descendants follow unless they were attached themselves (nested zones). */
static bool inherit_one(uint64_t id, const char *rel, void *ctx)
{
	struct inherit *in = ctx;
	struct syva_member m, mine = { in->zone, SYVA_MEMBER_INHERITED };
	int err;

	(void)rel;
	if (!bpf_map_lookup_elem(in->s->fd[M_CGROUPS], &id, &m)) {
		if (m.flags & SYVA_MEMBER_EXPLICIT)
			return false;
		if (!in->zone && m.zone != in->from)
			return true;
	}
	if (in->zone) {
		txn_put(M_CGROUPS, &id, &mine);
		return true;
	}
	err = txn_delete(M_CGROUPS, &id);
	if (err)
		die(ex_of_errno(err), "cannot update cgroups: %s", strerror(-err));
	return true;
}

static int cmd_add(int argc, char **argv)
{
	struct targets t = {};
	struct syva_member m, cur;
	char name[SYVA_ZONE_NAME_MAX];
	struct syva s;
	uint64_t id;
	size_t i;

	parse_opts(argc, argv, true);
	if (argc - optind < 2)
		usage_error(usage, "add needs ZONE and at least one TARGET");
	zone_check_name(argv[optind]);
	if (!strcmp(argv[optind], "host"))
		die(EX_DATAERR, "cannot attach to \"host\": use syva-attach del");
	if (!for_each_item(argc - optind - 1, argv + optind + 1, false, resolve, &t))
		die(EX_NOINPUT, "no TARGET read from stdin");
	syva_open(&s, SYVA_WRITE);
	m.zone = zone_need(&s, argv[optind]);
	m.flags = SYVA_MEMBER_EXPLICIT;
	txn_begin(&s);
	for (i = 0; i < t.n; i++) {
		struct inherit in = { &s, m.zone, 0 };

		id = cgroup_fd_id(t.fd[i]);
		/* Zoning the root would zone every process, syva's tools too. */
		if (!cgroup_parent_id(t.fd[i]))
			die(EX_DATAERR, "cannot attach the root cgroup: attach a workload's cgroup");
		if (!bpf_map_lookup_elem(s.fd[M_CGROUPS], &id, &cur) &&
		    (cur.flags & SYVA_MEMBER_EXPLICIT) && cur.zone != m.zone)
			die(EX_DATAERR, "cgroup %llu is attached to zone \"%s\": "
					"syva-attach del it first",
			    (unsigned long long)id, zone_name(&s, cur.zone, name));
		/* Parent first: from here on the kernel zones new children too. */
		txn_put(M_CGROUPS, &id, &m);
		cgroup_walk(t.fd[i], inherit_one, &in);
	}
	txn_commit();
	return 0;
}

static int cmd_del(int argc, char **argv)
{
	struct targets t = {};
	struct syva_member cur, pm;
	struct syva s;
	uint64_t id, parent;
	size_t i;
	int err;

	parse_opts(argc, argv, true);
	if (argc - optind < 1)
		usage_error(usage, "del needs at least one TARGET");
	if (!for_each_item(argc - optind, argv + optind, false, resolve, &t))
		return 0; /* deleting nothing changes nothing */
	syva_open(&s, SYVA_WRITE);
	txn_begin(&s);
	for (i = 0; i < t.n; i++) {
		struct inherit in = { &s, 0, 0 };

		id = cgroup_fd_id(t.fd[i]);
		if (bpf_map_lookup_elem(s.fd[M_CGROUPS], &id, &cur) ||
		    !(cur.flags & SYVA_MEMBER_EXPLICIT))
			die(EX_DATAERR, "cgroup %llu is not attached to a zone",
			    (unsigned long long)id);
		in.from = cur.zone;
		/* Below a zoned parent, the subtree falls back to the parent's zone. */
		parent = cgroup_parent_id(t.fd[i]);
		if (parent && !bpf_map_lookup_elem(s.fd[M_CGROUPS], &parent, &pm)) {
			struct syva_member inh = { pm.zone, SYVA_MEMBER_INHERITED };

			in.zone = pm.zone;
			txn_put(M_CGROUPS, &id, &inh);
		} else if ((err = txn_delete(M_CGROUPS, &id))) {
			die(ex_of_errno(err), "cannot update cgroups: %s", strerror(-err));
		}
		cgroup_walk(t.fd[i], inherit_one, &in);
	}
	txn_commit();
	return 0;
}

struct lister {
	struct syva *s;
	uint32_t only;
	bool filter;
	uint64_t *live; /* ids of existing cgroups, to spot members now gone */
	size_t nlive, cap;
};

static void print_member(struct lister *l, uint64_t id, const struct syva_member *m,
			 const char *path)
{
	char name[SYVA_ZONE_NAME_MAX];
	json_t *o;

	if ((l->filter && m->zone != l->only) ||
	    (!all && !(m->flags & SYVA_MEMBER_EXPLICIT)))
		return;
	zone_name(l->s, m->zone, name);
	if (out_mode == OUT_TEXT) {
		out_text("%-24s %-20llu %s%s\n", name, (unsigned long long)id,
			 path ? path : "(gone)",
			 m->flags & SYVA_MEMBER_INHERITED ? " (inherited)" : "");
		return;
	}
	o = json_object();
	json_object_set_new(o, "zone", json_string(name));
	json_object_set_new(o, "cgroup_id", j_u64s(id));
	json_object_set_new(o, "path", path ? json_string(path) : json_null());
	json_object_set_new(o, "inherited",
			    json_boolean(m->flags & SYVA_MEMBER_INHERITED));
	out_json(o);
}

static bool list_one(uint64_t id, const char *rel, void *ctx)
{
	struct lister *l = ctx;
	struct syva_member m;
	char path[4200];

	if (l->nlive == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 256;
		l->live = realloc(l->live, l->cap * sizeof(*l->live));
		if (!l->live)
			die(EX_OSERR, "out of memory");
	}
	l->live[l->nlive++] = id;
	if (bpf_map_lookup_elem(l->s->fd[M_CGROUPS], &id, &m))
		return true;
	snprintf(path, sizeof(path), "%s/%s", cgroup_root(), rel);
	print_member(l, id, &m, path);
	return true;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmd_list(int argc, char **argv)
{
	struct lister l = {};
	struct syva_member m;
	struct syva s;
	uint64_t k, next, *prev = NULL;
	int root;

	parse_opts(argc, argv, false);
	l.filter = zone_list_open(&s, argc, argv, usage, &l.only);
	l.s = &s;
	/* One walk of the cgroup tree gives every live member its path. */
	root = cgroup_open_path(cgroup_root());
	if (!bpf_map_lookup_elem(s.fd[M_CGROUPS], &(uint64_t){ cgroup_fd_id(root) }, &m))
		print_member(&l, cgroup_fd_id(root), &m, cgroup_root());
	cgroup_walk(root, list_one, &l);
	/* Members whose directory is gone but still in the map. */
	qsort(l.live, l.nlive, sizeof(*l.live), cmp_u64);
	while (!bpf_map_get_next_key(s.fd[M_CGROUPS], prev, &next)) {
		k = next;
		prev = &k;
		if (k == cgroup_fd_id(root) ||
		    bsearch(&k, l.live, l.nlive, sizeof(k), cmp_u64) ||
		    bpf_map_lookup_elem(s.fd[M_CGROUPS], &k, &m))
			continue;
		print_member(&l, k, &m, NULL);
	}
	free(l.live);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct syva_cmd cmds[] = {
		{ "add", cmd_add }, { "del", cmd_del }, { "list", cmd_list }, {}
	};

	return syva_main(argc, argv, usage, cmds);
}
