// SPDX-License-Identifier: GPL-2.0-only
/*
 * syva-zone: create, change, delete and list zones. A zone is a name, an id
 * the kernel uses, and its policy flags (same-zone ptrace, network mode,
 * audit). Ids are reused after deletion, which is why deletion removes every
 * reference to the id or refuses.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "syva.h"

static const char usage[] =
	"usage: syva-zone add [--ptrace] [--network isolated|open] [--audit] ZONE...\n"
	"       syva-zone set [--ptrace | --no-ptrace] [--network isolated|open]\n"
	"                     [--audit | --enforce] ZONE...\n"
	"       syva-zone del [--force] ZONE...\n"
	"       syva-zone list [--json | --text]\n"
	"       syva-zone show [--json | --text] ZONE...\n"
	"       syva-zone egress add ZONE SPEC...\n"
	"       syva-zone egress del ZONE SPEC...\n"
	"       syva-zone egress list [--json | --text] ZONE\n";

enum { O_PTRACE = 256,
       O_NOPTRACE,
       O_NETWORK,
       O_AUDIT,
       O_ENFORCE,
       O_FORCE };
static const struct option opts[] = {
	{ "ptrace", no_argument, NULL, O_PTRACE },
	{ "no-ptrace", no_argument, NULL, O_NOPTRACE },
	{ "network", required_argument, NULL, O_NETWORK },
	{ "audit", no_argument, NULL, O_AUDIT },
	{ "enforce", no_argument, NULL, O_ENFORCE },
	{ "force", no_argument, NULL, O_FORCE },
	OUT_LONGOPTS,
	{}
};

/* Flags to set and to clear, from the options a subcommand allows. */
struct flagopts {
	uint32_t set, clear;
	bool force;
};

/* Whole words only: "force" is not allowed because "enforce" is. */
static bool word_in(const char *words, const char *w)
{
	size_t n = strlen(w);
	const char *p;

	for (p = strstr(words, w); p; p = strstr(p + 1, w))
		if ((p == words || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
	return false;
}

static void parse_opts(int argc, char **argv, const char *allowed,
		       struct flagopts *f)
{
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		const char *name = NULL;

		for (const struct option *o = opts; o->name; o++)
			if (o->val == c)
				name = o->name;
		if (c == '?' || !name || !word_in(allowed, name))
			usage_error(usage, "invalid option \"%s\" for %s", opt_name(argv), argv[0]);
		if (out_opt(c))
			continue;
		switch (c) {
		case O_PTRACE: f->set |= SYVA_ZONE_PTRACE; break;
		case O_NOPTRACE: f->clear |= SYVA_ZONE_PTRACE; break;
		case O_AUDIT: f->set |= SYVA_ZONE_AUDIT; break;
		case O_ENFORCE: f->clear |= SYVA_ZONE_AUDIT; break;
		case O_FORCE: f->force = true; break;
		case O_NETWORK:
			if (!strcmp(optarg, "open"))
				f->set |= SYVA_ZONE_NET_OPEN;
			else if (!strcmp(optarg, "isolated"))
				f->clear |= SYVA_ZONE_NET_OPEN;
			else
				usage_error(usage, "invalid network mode \"%s\": use isolated or open",
					    optarg);
			break;
		}
	}
	if (f->set & f->clear)
		usage_error(usage, "contradictory options");
}

/* Validate every name before touching a map: all or nothing. */
static void check_names(int argc, char **argv)
{
	int i, j;

	if (argc < 1)
		usage_error(usage, "missing ZONE");
	for (i = 0; i < argc; i++) {
		zone_check_name(argv[i]);
		if (!strcmp(argv[i], "host"))
			die(EX_DATAERR, "invalid zone name \"host\": reserved for \"in no zone\"");
		for (j = 0; j < i; j++)
			if (!strcmp(argv[i], argv[j]))
				die(EX_DATAERR, "zone \"%s\" named twice", argv[i]);
	}
}

static uint32_t free_id(struct syva *s, uint32_t after)
{
	struct syva_zone z;
	uint32_t id;

	for (id = after + 1; id < s->max[M_ZONES]; id++)
		if (bpf_map_lookup_elem(s->fd[M_ZONES], &id, &z) ||
		    !(z.flags & SYVA_ZONE_IN_USE))
			return id;
	die(EX_TEMPFAIL, "no free zone id: all %u zones are in use (syva-load --max-zones)",
	    s->max[M_ZONES] - 1);
}

static int cmd_add(int argc, char **argv)
{
	struct flagopts f = {};
	struct syva s;
	uint32_t id = 0;
	int i;

	parse_opts(argc, argv, "ptrace network audit", &f);
	check_names(argc - optind, argv + optind);
	syva_open(&s, SYVA_WRITE);
	for (i = optind; i < argc; i++)
		if (!zone_find(&s, argv[i], &id))
			die(EX_DATAERR, "zone \"%s\" already exists", argv[i]);
	txn_begin(&s);
	for (i = optind; i < argc; i++) {
		struct syva_zone z = { .flags = SYVA_ZONE_IN_USE | f.set };
		struct syva_zone_name n = {};
		uint64_t *zero = calloc(s.ncpus, sizeof(struct syva_zone_stats));

		id = free_id(&s, id);
		strcpy(z.name, argv[i]);
		strcpy(n.name, argv[i]);
		/* A reused id starts with clean decision counts. */
		if (zero)
			bpf_map_update_elem(s.fd[M_ZONE_STATS], &id, zero, BPF_ANY);
		free(zero);
		txn_put(M_ZONES, &id, &z);
		txn_put(M_ZONE_NAMES, &n, &id);
	}
	txn_commit();
	return 0;
}

static int cmd_set(int argc, char **argv)
{
	struct flagopts f = {};
	struct syva_zone z;
	struct syva s;
	uint32_t id;
	int i;

	parse_opts(argc, argv, "ptrace no-ptrace network audit enforce", &f);
	check_names(argc - optind, argv + optind);
	if (!f.set && !f.clear)
		usage_error(usage, "set needs an option to change");
	syva_open(&s, SYVA_WRITE);
	for (i = optind; i < argc; i++)
		zone_need(&s, argv[i]);
	txn_begin(&s);
	for (i = optind; i < argc; i++) {
		id = zone_need(&s, argv[i]);
		zone_get(&s, id, &z);
		z.flags = (z.flags | f.set) & ~f.clear;
		txn_put(M_ZONES, &id, &z);
	}
	txn_commit();
	return 0;
}

/* Keys of `map` whose value (or key, for pairs and egress) refers to id. */
struct refs {
	void *keys;
	size_t n, cap, ksz;
};

static bool refers(int map, const void *key, const void *val, uint32_t id)
{
	switch (map) {
	case M_PAIRS: {
		const struct syva_pair *p = key;
		return p->lo == id || p->hi == id;
	}
	case M_EGRESS4:
		return ((const struct syva_egress4_key *)key)->zone == htobe32(id);
	case M_EGRESS6:
		return ((const struct syva_egress6_key *)key)->zone == htobe32(id);
	default: /* every other map's value starts with the zone id */
		return *(const uint32_t *)val == id;
	}
}

static void collect(struct syva *s, int map, uint32_t id, struct refs *r)
{
	size_t ksz = syva_maps[map].key_size;
	char key[64], next[64], val[sizeof(struct syva_ports)];
	void *prev = NULL;

	memset(r, 0, sizeof(*r));
	r->ksz = ksz;
	while (!bpf_map_get_next_key(s->fd[map], prev, next)) {
		memcpy(key, next, ksz);
		prev = key;
		if (bpf_map_lookup_elem(s->fd[map], key, val) ||
		    !refers(map, key, val, id))
			continue;
		if (r->n == r->cap) {
			r->cap = r->cap ? 2 * r->cap : 64;
			r->keys = realloc(r->keys, r->cap * ksz);
			if (!r->keys)
				die(EX_OSERR, "out of memory");
		}
		memcpy((char *)r->keys + r->n++ * ksz, key, ksz);
	}
}

static void delete_refs(int map, struct refs *r)
{
	size_t i;
	int err;

	for (i = 0; i < r->n; i++) {
		err = txn_delete(map, (char *)r->keys + i * r->ksz);
		if (err)
			die(ex_of_errno(err), "cannot delete from %s: %s",
			    syva_maps[map].name, strerror(-err));
	}
	free(r->keys);
}

static int cmd_del(int argc, char **argv)
{
	/* Maps holding references to a zone id, members and files first. */
	static const int maps[] = { M_CGROUPS, M_FILES, M_PAIRS, M_IPZONES,
				    M_EGRESS4, M_EGRESS6, M_FOWNERS };
	struct flagopts f = {};
	struct refs r[sizeof(maps) / sizeof(maps[0])];
	struct syva_zone_name n;
	struct syva_zone z;
	struct syva s;
	uint32_t id;
	size_t m;
	int i;

	parse_opts(argc, argv, "force", &f);
	check_names(argc - optind, argv + optind);
	syva_open(&s, SYVA_WRITE);
	for (i = optind; i < argc; i++)
		zone_need(&s, argv[i]);
	txn_begin(&s);
	for (i = optind; i < argc; i++) {
		id = zone_need(&s, argv[i]);
		for (m = 0; m < sizeof(maps) / sizeof(maps[0]); m++)
			collect(&s, maps[m], id, &r[m]);
		if (!f.force && (r[0].n || r[1].n))
			die(EX_DATAERR,
			    "zone \"%s\" still has %zu cgroups and %zu files: detach and "
			    "unregister them, or use --force",
			    argv[i], r[0].n, r[1].n);
		for (m = 0; m < sizeof(maps) / sizeof(maps[0]); m++) {
			/* A file's registered path goes with it. */
			if (maps[m] == M_FILES)
				for (size_t k = 0; k < r[m].n; k++)
					txn_delete(M_PATHS, (char *)r[m].keys + k * r[m].ksz);
			delete_refs(maps[m], &r[m]);
		}
		zone_get(&s, id, &z);
		memset(&n, 0, sizeof(n));
		memcpy(n.name, z.name, sizeof(n.name));
		txn_delete(M_ZONE_NAMES, &n);
		memset(&z, 0, sizeof(z));
		txn_put(M_ZONES, &id, &z);
	}
	txn_commit();
	return 0;
}

static json_t *zone_json(uint32_t id, const struct syva_zone *z)
{
	json_t *o = json_object();

	json_object_set_new(o, "zone", json_string(z->name));
	json_object_set_new(o, "id", json_integer(id));
	json_object_set_new(o, "network",
			    json_string(z->flags & SYVA_ZONE_NET_OPEN ? "open" : "isolated"));
	json_object_set_new(o, "ptrace", json_boolean(z->flags & SYVA_ZONE_PTRACE));
	json_object_set_new(o, "mode",
			    json_string(z->flags & SYVA_ZONE_AUDIT ? "audit" : "enforce"));
	return o;
}

static void print_zone(json_t *o)
{
	if (out_mode == OUT_JSON) {
		out_json(o);
		return;
	}
	out_text("%-24s id=%-5lld network=%-8s ptrace=%-3s mode=%s",
		 json_string_value(json_object_get(o, "zone")),
		 json_integer_value(json_object_get(o, "id")),
		 json_string_value(json_object_get(o, "network")),
		 json_is_true(json_object_get(o, "ptrace")) ? "yes" : "no",
		 json_string_value(json_object_get(o, "mode")));
	if (json_object_get(o, "cgroups"))
		out_text(" cgroups=%lld files=%lld deny=%lld audit=%lld",
			 json_integer_value(json_object_get(o, "cgroups")),
			 json_integer_value(json_object_get(o, "files")),
			 json_integer_value(json_object_get(o, "deny")),
			 json_integer_value(json_object_get(o, "audit")));
	out_text("\n");
	json_decref(o);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct syva_zone *)a)->name,
		      ((const struct syva_zone *)b)->name);
}

static int cmd_list(int argc, char **argv)
{
	struct syva_zone *all;
	struct flagopts f = {};
	struct syva s;
	uint32_t id, n = 0;

	parse_opts(argc, argv, "json text", &f);
	if (optind != argc)
		usage_error(usage, "list takes no arguments");
	syva_open(&s, SYVA_READ);
	all = calloc(s.max[M_ZONES], sizeof(*all));
	if (!all)
		die(EX_OSERR, "out of memory");
	for (id = 1; id < s.max[M_ZONES]; id++)
		if (!zone_get(&s, id, &all[n])) {
			all[n].reserved = id; /* carry the id through the sort */
			n++;
		}
	qsort(all, n, sizeof(*all), by_name);
	for (id = 0; id < n; id++)
		print_zone(zone_json(all[id].reserved, &all[id]));
	free(all);
	return 0;
}

static int cmd_show(int argc, char **argv)
{
	struct flagopts f = {};
	struct refs r;
	struct syva_zone z;
	struct syva s;
	uint64_t st[4];
	uint32_t id;
	json_t *o;
	int i;

	parse_opts(argc, argv, "json text", &f);
	if (optind == argc)
		usage_error(usage, "missing ZONE");
	for (i = optind; i < argc; i++)
		zone_check_name(argv[i]);
	syva_open(&s, SYVA_READ);
	for (i = optind; i < argc; i++) {
		if (zone_find(&s, argv[i], &id) || zone_get(&s, id, &z))
			die(EX_NOTFOUND, "no zone \"%s\"", argv[i]);
		o = zone_json(id, &z);
		collect(&s, M_CGROUPS, id, &r);
		json_object_set_new(o, "cgroups", json_integer(r.n));
		free(r.keys);
		collect(&s, M_FILES, id, &r);
		json_object_set_new(o, "files", json_integer(r.n));
		free(r.keys);
		if (syva_percpu_sum(&s, M_ZONE_STATS, &id, st, 4))
			memset(st, 0, sizeof(st));
		/* Counters are numbers, as in syva-status. */
		json_object_set_new(o, "allow", json_integer((json_int_t)st[0]));
		json_object_set_new(o, "deny", json_integer((json_int_t)st[1]));
		json_object_set_new(o, "audit", json_integer((json_int_t)st[2]));
		print_zone(o);
	}
	return 0;
}

/*
 * egress: a zone's allowlist of destinations, SPEC = CIDR[:PORT[-PORT]]
 * (IPv6 as [CIDR]:PORT). Ports of one prefix form a set: add is a union, del
 * a difference, and a SPEC without a port is "any port" on add and "the
 * whole prefix" on del. Every SPEC is parsed before the maps are opened, and
 * the zone's whole list is recomputed and checked before anything is written.
 */
struct specs {
	struct net_spec *v;
	size_t n, cap;
};

static void spec_item(const char *item, void *ctx)
{
	struct specs *sp = ctx;
	const char *why;

	if (sp->n == sp->cap) {
		sp->cap = sp->cap ? 2 * sp->cap : 16;
		sp->v = realloc(sp->v, sp->cap * sizeof(*sp->v));
		if (!sp->v)
			die(EX_OSERR, "out of memory");
	}
	why = net_parse_spec(item, &sp->v[sp->n]);
	if (why)
		die(EX_DATAERR, "invalid egress spec \"%s\": %s", item, why);
	sp->n++;
}

/* The zone an allowlist belongs to; `host` has none (it is not confined). */
static uint32_t egress_zone(struct syva *s, const char *name)
{
	if (!strcmp(name, "host"))
		die(EX_DATAERR, "invalid zone \"host\": unzoned processes have no egress allowlist");
	return zone_need(s, name);
}

static int egress_edit(int argc, char **argv, bool add)
{
	struct flagopts f = {};
	struct specs sp = {};
	struct egress_list l;
	const char *why;
	struct syva s;
	uint32_t id;
	size_t i;

	parse_opts(argc, argv, "", &f);
	if (argc - optind < 2)
		usage_error(usage, "egress %s needs ZONE and at least one SPEC", argv[0]);
	zone_check_name(argv[optind]);
	/* An add that reads nothing is an error; a del of nothing is done. */
	if (!for_each_item(argc - optind - 1, argv + optind + 1, false, spec_item, &sp)) {
		if (add)
			die(EX_NOINPUT, "no SPEC read from stdin");
		return 0;
	}
	syva_open(&s, SYVA_WRITE);
	id = egress_zone(&s, argv[optind]);
	egress_load(&s, id, &l);
	for (i = 0; i < sp.n; i++) {
		why = add ? egress_add(&l, &sp.v[i]) : egress_del(&l, &sp.v[i]);
		if (why)
			die(EX_DATAERR, "zone \"%s\": %s", argv[optind], why);
	}
	why = egress_check(&l);
	if (why)
		die(EX_DATAERR, "zone \"%s\": %s", argv[optind], why);
	txn_begin(&s);
	egress_store(&l);
	txn_commit();
	egress_free(&l);
	free(sp.v);
	return 0;
}

static int cmd_egress_add(int argc, char **argv)
{
	return egress_edit(argc, argv, true);
}

static int cmd_egress_del(int argc, char **argv)
{
	return egress_edit(argc, argv, false);
}

static void print_spec(const char *zone, const struct net_spec *sp)
{
	char spec[NET_SPEC_LEN], addr[NET_ADDR_LEN];
	bool any = sp->ports.lo == 0 && sp->ports.hi == 65535;
	json_t *o;

	net_fmt_spec(sp, spec);
	if (out_mode == OUT_TEXT) {
		out_text("%s\n", spec);
		return;
	}
	o = json_object();
	json_object_set_new(o, "zone", json_string(zone));
	json_object_set_new(o, "spec", json_string(spec));
	json_object_set_new(o, "addr", json_string(net_fmt_addr(&sp->pfx.addr, addr)));
	json_object_set_new(o, "prefixlen", json_integer(sp->pfx.len));
	json_object_set_new(o, "port_min", any ? json_null() : json_integer(sp->ports.lo));
	json_object_set_new(o, "port_max", any ? json_null() : json_integer(sp->ports.hi));
	out_json(o);
}

/* One SPEC per line, as egress add reads them back. */
static int cmd_egress_list(int argc, char **argv)
{
	struct flagopts f = {};
	struct egress_list l;
	struct syva s;
	size_t i, j;

	parse_opts(argc, argv, "json text", &f);
	if (argc - optind != 1)
		usage_error(usage, "egress list needs one ZONE");
	zone_check_name(argv[optind]);
	syva_open(&s, SYVA_READ);
	egress_load(&s, egress_zone(&s, argv[optind]), &l);
	egress_sort(&l);
	for (i = 0; i < l.n; i++)
		for (j = 0; j < l.e[i].val.nr_declared; j++) {
			struct net_spec sp = { l.e[i].pfx, l.e[i].val.declared[j] };

			print_spec(argv[optind], &sp);
		}
	egress_free(&l);
	return 0;
}

static int cmd_egress(int argc, char **argv)
{
	static const struct syva_cmd cmds[] = {
		{ "add", cmd_egress_add },
		{ "del", cmd_egress_del },
		{ "list", cmd_egress_list },
		{}
	};
	const struct syva_cmd *c;

	if (argc < 2)
		usage_error(usage, "egress needs add, del or list");
	for (c = cmds; c->name; c++)
		if (!strcmp(argv[1], c->name))
			return c->fn(argc - 1, argv + 1);
	usage_error(usage, "unknown egress command \"%s\"", argv[1]);
}

int main(int argc, char **argv)
{
	static const struct syva_cmd cmds[] = {
		{ "add", cmd_add }, { "set", cmd_set }, { "del", cmd_del }, { "list", cmd_list }, { "show", cmd_show }, { "egress", cmd_egress }, {}
	};

	return syva_main(argc, argv, usage, cmds);
}
