// SPDX-License-Identifier: GPL-2.0-only
/*
 * syva-status: is the kernel enforcing, and what has it decided? Reads the
 * pinned maps and link pins only (no daemon), so it answers in milliseconds
 * from scripts, timers and node_exporter's textfile collector. One report is
 * built as JSON and printed as JSON, text or Prometheus exposition; the exit
 * status is the health (0 healthy, 1 degraded, 69 unsafe), so
 * `syva-status -q && ...` works. --reset sets the baseline above which
 * errors, lost events and escapes count against health.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "syva.h"

static const char usage[] =
	"usage: syva-status [-q | --json | --text | --prometheus]\n"
	"       syva-status --reset\n";

enum {
	O_PROM = 256,
	O_RESET,
};
static const struct option opts[] = {
	{ "quiet", no_argument, NULL, 'q' },
	{ "prometheus", no_argument, NULL, O_PROM },
	{ "reset", no_argument, NULL, O_RESET },
	OUT_LONGOPTS,
	{}
};

enum health {
	HEALTHY,
	DEGRADED,
	UNSAFE,
};
static const char *const health_names[] = { "healthy", "degraded", "unsafe" };
static const int health_exit[] = { 0, 1, EX_UNAVAILABLE };

/* Reason codes: stable, so alert rules and scripts can match them. */
static const char *const reason_codes[] = {
	"not_loaded", "abi_mismatch", "not_attached", "selftest",
	"detector_missing", "errors", "lost", "escape", "map_full", NULL
};

static const char *const counter_fields[] = { "allow", "deny", "audit", "error", "lost" };

/* Maps whose fill is reported; fowners is an LRU and evicts when full. */
static const int fill_maps[] = { M_ZONES, M_ZONE_NAMES, M_CGROUPS, M_FILES, M_PATHS,
				 M_PAIRS, M_IPZONES, M_EGRESS4, M_EGRESS6, M_FOWNERS };

/*
 * Every key of the report, in order: all present, null when unknown (not
 * loaded), so the key set is the same whatever the health.
 */
static const char *const report_keys[] = {
	"v", "health", "reasons", "loaded", "mode", "abi_version", "generation",
	"loaded_at", "reset_at", "zones", "hooks_attached", "hooks_expected",
	"selftest", "selftests", "escape_detector", "escapes", "escapes_since_reset",
	"programs", "hooks", "zone_decisions", "maps", NULL
};

static enum health health;
static json_t *reasons;
static uint64_t loaded_at_s, reset_at_s; /* for the metrics */

static void reason(enum health h, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void reason(enum health h, const char *code, const char *fmt, ...)
{
	json_t *r = json_object();
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_object_set_new(r, "code", json_string(code));
	json_object_set_new(r, "health", json_string(health_names[h]));
	json_object_set_new(r, "detail", json_string(buf));
	json_array_append_new(reasons, r);
	if (h > health)
		health = h;
}

/* A program is attached when its link pin exists and is a live link. */
static bool attached(const char *prog)
{
	struct bpf_link_info info = {};
	uint32_t len = sizeof(info);
	char path[4096];
	int fd;
	bool ok;

	snprintf(path, sizeof(path), "%s/links/%s", syva_pin_root(), prog);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return false;
	ok = !bpf_obj_get_info_by_fd(fd, &info, &len) && info.prog_id;
	close(fd);
	return ok;
}

static json_t *stamp(uint64_t realtime_s)
{
	char buf[32];
	time_t t = (time_t)realtime_s;
	struct tm tm;

	if (!realtime_s)
		return json_null();
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

/*
 * Entries of a hash map, 4096 per bpf(2) call: a million registered files
 * must not make a 15 s timer cost seconds. -1 where batches are not
 * supported (tries, older kernels).
 */
static int64_t count_batch(struct syva *s, int map)
{
	enum { N = 4096 };
	const struct syva_map_desc *d = &syva_maps[map];
	LIBBPF_OPTS(bpf_map_batch_opts, bo);
	char *keys = malloc(N * d->key_size), *vals = malloc(N * d->value_size);
	uint64_t token[8], *in = NULL;
	int64_t n = 0;
	uint32_t got;
	int err;

	if (!keys || !vals)
		die(EX_OSERR, "out of memory");
	do {
		got = N;
		err = bpf_map_lookup_batch(s->fd[map], in, token, keys, vals, &got, &bo);
		if (err && errno != ENOENT) {
			n = -1;
			break;
		}
		n += got;
		in = token;
	} while (!err);
	free(keys);
	free(vals);
	return n;
}

/* Entries of a map; hash and trie maps have no count. */
static uint64_t entries(struct syva *s, int map)
{
	char key[64], next[64];
	struct syva_zone z;
	uint64_t n = 0;
	int64_t b;
	uint32_t id;

	if (map == M_ZONES) {
		for (id = 1; id < s->max[M_ZONES]; id++)
			n += !zone_get(s, id, &z);
		return n;
	}
	b = count_batch(s, map);
	if (b >= 0)
		return b;
	if (bpf_map_get_next_key(s->fd[map], NULL, next))
		return 0;
	do {
		memcpy(key, next, sizeof(key));
		n++;
	} while (!bpf_map_get_next_key(s->fd[map], key, next));
	return n;
}

static json_t *not_loaded(json_t *o, const char *code, const char *detail)
{
	reason(UNSAFE, code, "%s", detail);
	json_object_set_new(o, "loaded", json_false());
	/* Lists stay lists: `.hooks[]` yields nothing rather than an error. */
	json_object_set_new(o, "programs", json_array());
	json_object_set_new(o, "hooks", json_array());
	json_object_set_new(o, "zone_decisions", json_array());
	json_object_set_new(o, "maps", json_array());
	return o;
}

static void programs(json_t *o, bool *slot_ok)
{
	const struct syva_prog *p;
	int n = 0, up = 0, missing = 0, detector = 0, detector_up = 0;
	json_t *list = json_array(), *e, *hook;
	bool ok;

	for (p = syva_progs; p->name; p++) {
		ok = attached(p->name);
		n++;
		up += ok;
		if (p->slot >= 0 && !ok)
			slot_ok[p->slot] = false;
		e = json_object();
		json_object_set_new(e, "program", json_string(p->name));
		hook = p->slot >= 0 ? json_string(syva_hook_names[p->slot]) : json_null();
		json_object_set_new(e, "hook", hook);
		json_object_set_new(e, "attached", json_boolean(ok));
		json_array_append_new(list, e);
		if (syva_prog_optional(p->name)) {
			detector++;
			detector_up += ok;
		} else if (!ok) {
			missing++;
		}
	}
	/* One line for "nothing at all", else one per missing program. */
	if (missing && !up)
		reason(UNSAFE, "not_attached",
		       "no program is attached: nothing is enforced (run syva-load)");
	for (p = syva_progs; missing && up && p->name; p++) {
		if (syva_prog_optional(p->name) || attached(p->name))
			continue;
		if (p->slot >= 0)
			reason(UNSAFE, "not_attached",
			       "%s is not attached: %s is not enforced (syva-load repairs it)",
			       p->name, syva_hook_names[p->slot]);
		else
			reason(UNSAFE, "not_attached",
			       "%s is not attached: the hooks rely on it (syva-load repairs it)",
			       p->name);
	}
	if (detector && detector_up < detector)
		reason(DEGRADED, "detector_missing",
		       "the cgroup-escape detector is not attached: escapes go unseen");
	json_object_set_new(o, "hooks_attached", json_integer(up));
	json_object_set_new(o, "hooks_expected", json_integer(n));
	json_object_set_new(o, "programs", list);
	json_object_set_new(o, "escape_detector",
			    json_string(detector && detector_up == detector ? "attached" : "missing"));
}

static void selftests(json_t *o, uint32_t st)
{
	static const struct {
		const char *name;
		uint32_t bit;
	} tests[] = {
		{ "cgroup", SYVA_SELFTEST_CGROUP },
		{ "inode", SYVA_SELFTEST_INODE },
		{ "task", SYVA_SELFTEST_TASK },
		{ "unix", SYVA_SELFTEST_UNIX },
	};
	json_t *t = json_object();
	size_t i;

	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		json_object_set_new(t, tests[i].name, json_boolean(st & tests[i].bit));
	json_object_set_new(o, "selftests", t);
	if (!(st & SYVA_SELFTEST_RAN)) {
		json_object_set_new(o, "selftest", json_string("not-run"));
		reason(UNSAFE, "selftest", "no self-test ran: loaded without attaching?");
	} else if (st & SYVA_SELFTEST_FAILED) {
		json_object_set_new(o, "selftest", json_string("failed"));
		reason(UNSAFE, "selftest",
		       "the last load's self-test failed: the hooks may misread the kernel "
		       "(syva-load says why)");
	} else {
		json_object_set_new(o, "selftest", json_string("passed"));
	}
}

static void hooks(json_t *o, struct syva *s, const bool *slot_ok, const bool *slot_has)
{
	json_t *list = json_array(), *h;
	uint64_t c[5];
	int slot, i;

	for (slot = 0; slot < SYVA_HOOK_MAX; slot++) {
		if (!slot_has[slot])
			continue; /* not in this build */
		if (syva_percpu_sum(s, M_COUNTERS, &(uint32_t){ slot }, c, 5))
			memset(c, 0, sizeof(c));
		h = json_object();
		json_object_set_new(h, "hook", json_string(syva_hook_names[slot]));
		json_object_set_new(h, "attached", json_boolean(slot_ok[slot]));
		for (i = 0; i < 5; i++)
			json_object_set_new(h, counter_fields[i], json_integer((json_int_t)c[i]));
		json_array_append_new(list, h);
		/* Since the reset; a reload that kept the maps kept both. */
		if (c[3] > s->meta.reset_error[slot])
			reason(DEGRADED, "errors",
			       "%s: %llu kernel reads failed since the last reset (let through: "
			       "fail-open)",
			       syva_hook_names[slot],
			       (unsigned long long)(c[3] - s->meta.reset_error[slot]));
		if (c[4] > s->meta.reset_lost[slot])
			reason(DEGRADED, "lost",
			       "%s: %llu events lost since the last reset (ring buffer full: "
			       "is syva-events reading?)",
			       syva_hook_names[slot],
			       (unsigned long long)(c[4] - s->meta.reset_lost[slot]));
	}
	json_object_set_new(o, "hooks", list);
}

static void zones(json_t *o, struct syva *s)
{
	json_t *list = json_array(), *z;
	struct syva_zone zone;
	uint64_t st[3];
	uint32_t id, n = 0;

	for (id = 1; id < s->max[M_ZONES]; id++) {
		if (zone_get(s, id, &zone))
			continue;
		n++;
		if (syva_percpu_sum(s, M_ZONE_STATS, &id, st, 3))
			memset(st, 0, sizeof(st));
		z = json_object();
		zone.name[SYVA_ZONE_NAME_MAX - 1] = 0;
		json_object_set_new(z, "zone", json_string(zone.name));
		json_object_set_new(z, "allow", json_integer((json_int_t)st[0]));
		json_object_set_new(z, "deny", json_integer((json_int_t)st[1]));
		json_object_set_new(z, "audit", json_integer((json_int_t)st[2]));
		json_array_append_new(list, z);
	}
	json_object_set_new(o, "zones", json_integer(n));
	json_object_set_new(o, "zone_decisions", list);
}

static void maps(json_t *o, struct syva *s)
{
	json_t *list = json_array(), *m;
	uint64_t n, cap;
	size_t i;
	int id;

	for (i = 0; i < sizeof(fill_maps) / sizeof(fill_maps[0]); i++) {
		id = fill_maps[i];
		n = entries(s, id);
		cap = s->max[id] - (id == M_ZONES); /* zone id 0 is host */
		m = json_object();
		json_object_set_new(m, "map", json_string(syva_maps[id].name));
		json_object_set_new(m, "entries", json_integer((json_int_t)n));
		json_object_set_new(m, "capacity", json_integer((json_int_t)cap));
		json_array_append_new(list, m);
		if (id != M_FOWNERS && n * 10 > cap * 9)
			reason(DEGRADED, "map_full",
			       "map %s is %llu%% full (%llu of %llu): new entries will be refused",
			       syva_maps[id].name, (unsigned long long)(n * 100 / cap),
			       (unsigned long long)n, (unsigned long long)cap);
	}
	json_object_set_new(o, "maps", list);
}

static uint64_t escapes(struct syva *s)
{
	struct syva_state st;
	uint32_t zero = 0;

	return bpf_map_lookup_elem(s->fd[M_STATE], &zero, &st) ? 0 : st.escapes;
}

/* The whole report. Never dies for "not loaded": that is an answer. */
static json_t *report(void)
{
	bool slot_ok[SYVA_HOOK_SLOTS], slot_has[SYVA_HOOK_SLOTS] = {};
	LIBBPF_OPTS(bpf_obj_get_opts, ro, .file_flags = BPF_F_RDONLY);
	const struct syva_prog *p;
	json_t *o = json_object();
	struct syva_meta meta;
	uint32_t zero = 0;
	char path[4096], detail[4200];
	const char *mode;
	uint64_t esc, since;
	struct syva s;
	int fd, i;

	for (i = 0; report_keys[i]; i++)
		json_object_set_new(o, report_keys[i], json_null());
	reasons = json_array();
	json_object_set_new(o, "v", json_integer(1));
	json_object_set_new(o, "reasons", reasons);

	snprintf(path, sizeof(path), "%s/%s", syva_pin_root(), SYVA_MAP_META);
	fd = bpf_obj_get_opts(path, &ro);
	if (fd < 0 && errno == ENOENT) {
		snprintf(detail, sizeof(detail),
			 "syva is not loaded: nothing is pinned at %s (run syva-load)", path);
		return not_loaded(o, "not_loaded", detail);
	}
	if (fd >= 0 && !bpf_map_lookup_elem(fd, &zero, &meta) &&
	    meta.abi_version != SYVA_ABI_VERSION) {
		snprintf(detail, sizeof(detail),
			 "loaded ABI version %u, this syva-status speaks %u: nothing can be "
			 "checked (reload with this version's syva-load)",
			 meta.abi_version, SYVA_ABI_VERSION);
		close(fd);
		return not_loaded(o, "abi_mismatch", detail);
	}
	if (fd >= 0)
		close(fd);
	syva_open(&s, SYVA_READ); /* dies on what we cannot explain as health */

	json_object_set_new(o, "loaded", json_true());
	mode = s.meta.mode == SYVA_MODE_AUDIT ? "audit" : "enforce";
	json_object_set_new(o, "mode", json_string(mode));
	json_object_set_new(o, "abi_version", json_integer(s.meta.abi_version));
	json_object_set_new(o, "generation", j_u64s(s.meta.generation));
	json_object_set_new(o, "loaded_at", stamp(s.meta.loaded_at));
	json_object_set_new(o, "reset_at", stamp(s.meta.reset_at));
	loaded_at_s = s.meta.loaded_at;
	reset_at_s = s.meta.reset_at;
	for (p = syva_progs; p->name; p++)
		if (p->slot >= 0)
			slot_has[p->slot] = true;
	memset(slot_ok, 1, sizeof(slot_ok));
	programs(o, slot_ok);
	selftests(o, s.meta.selftest);
	esc = escapes(&s);
	json_object_set_new(o, "escapes", json_integer((json_int_t)esc));
	/* A reload that kept the maps kept state and baseline together. */
	since = esc > s.meta.reset_escapes ? esc - s.meta.reset_escapes : 0;
	json_object_set_new(o, "escapes_since_reset", json_integer((json_int_t)since));
	if (since)
		reason(DEGRADED, "escape",
		       "%llu zoned processes left their zone's cgroups since the last reset "
		       "(syva-events --action escape)",
		       (unsigned long long)since);
	hooks(o, &s, slot_ok, slot_has);
	zones(o, &s);
	maps(o, &s);
	syva_close(&s);
	return o;
}

/* ---- output --------------------------------------------------------------- */

static long long num(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static const char *str(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v ? v : "-";
}

static void print_text(json_t *o)
{
	json_t *r, *h;
	size_t i;

	out_text("health:      %s\n", str(o, "health"));
	json_array_foreach(json_object_get(o, "reasons"), i, r)
		out_text("  %-8s %s\n", str(r, "health"), str(r, "detail"));
	if (!json_is_true(json_object_get(o, "loaded")))
		return;
	out_text("mode:        %s\n", str(o, "mode"));
	out_text("programs:    %lld of %lld attached\n", num(o, "hooks_attached"),
		 num(o, "hooks_expected"));
	out_text("self-test:   %s\n", str(o, "selftest"));
	out_text("escapes:     %lld since the last reset, %lld since the load "
		 "(detector %s)\n",
		 num(o, "escapes_since_reset"), num(o, "escapes"),
		 str(o, "escape_detector"));
	out_text("zones:       %lld\n", num(o, "zones"));
	out_text("abi:         %lld\n", num(o, "abi_version"));
	out_text("generation:  %s\n", str(o, "generation"));
	out_text("loaded:      %s\n", str(o, "loaded_at"));
	if (json_is_null(json_object_get(o, "reset_at")))
		out_text("last reset:  never\n");
	else
		out_text("last reset:  %s\n", str(o, "reset_at"));

	out_text("\n%-22s %-4s %10s %10s %10s %8s %8s\n", "HOOK", "ATT", "ALLOW", "DENY",
		 "AUDIT", "ERROR", "LOST");
	json_array_foreach(json_object_get(o, "hooks"), i, h)
		out_text("%-22s %-4s %10lld %10lld %10lld %8lld %8lld\n", str(h, "hook"),
			 json_is_true(json_object_get(h, "attached")) ? "yes" : "NO",
			 num(h, "allow"), num(h, "deny"), num(h, "audit"), num(h, "error"),
			 num(h, "lost"));
	if (json_array_size(json_object_get(o, "zone_decisions"))) {
		out_text("\n%-22s %10s %10s %10s\n", "ZONE", "ALLOW", "DENY", "AUDIT");
		json_array_foreach(json_object_get(o, "zone_decisions"), i, h)
			out_text("%-22s %10lld %10lld %10lld\n", str(h, "zone"),
				 num(h, "allow"), num(h, "deny"), num(h, "audit"));
	}
	out_text("\n%-12s %10s %10s %5s\n", "MAP", "ENTRIES", "CAPACITY", "FILL");
	json_array_foreach(json_object_get(o, "maps"), i, h)
		out_text("%-12s %10lld %10lld %4lld%%\n", str(h, "map"), num(h, "entries"),
			 num(h, "capacity"),
			 num(h, "capacity") ? num(h, "entries") * 100 / num(h, "capacity") : 0);
}

/* Prometheus text exposition, version 0.0.4. */
static void family(const char *name, const char *type, const char *help)
{
	out_text("# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value with \, " and newline escaped. */
static void label(const char *k, const char *v, bool first)
{
	out_text("%s%s=\"", first ? "{" : ",", k);
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			out_text("\\%c", *v);
		else if (*v == '\n')
			out_text("\\n");
		else
			out_text("%c", *v);
	}
	out_text("\"");
}

static void sample(const char *name, long long v, const char *k1, const char *v1,
		   const char *k2, const char *v2)
{
	out_text("%s", name);
	if (k1)
		label(k1, v1, true);
	if (k2)
		label(k2, v2, false);
	out_text("%s %lld\n", k1 ? "}" : "", v);
}

static bool has_reason(json_t *o, const char *code)
{
	json_t *r;
	size_t i;

	json_array_foreach(json_object_get(o, "reasons"), i, r)
		if (!strcmp(str(r, "code"), code))
			return true;
	return false;
}

static void print_prometheus(json_t *o)
{
	static const char *const modes[] = { "enforce", "audit" };
	static const char *const tests[] = { "cgroup", "inode", "task", "unix" };
	bool loaded = json_is_true(json_object_get(o, "loaded"));
	json_t *h;
	size_t i;
	int k;

	family("syva_up", "gauge", "1 if syva is loaded and speaks this tool's ABI.");
	sample("syva_up", loaded, NULL, NULL, NULL, NULL);
	family("syva_health", "gauge", "1 for the current health state.");
	for (k = 0; k < 3; k++)
		sample("syva_health", !strcmp(str(o, "health"), health_names[k]), "state",
		       health_names[k], NULL, NULL);
	family("syva_health_reason", "gauge", "1 for each reason health is not healthy.");
	for (k = 0; reason_codes[k]; k++)
		sample("syva_health_reason", has_reason(o, reason_codes[k]), "reason",
		       reason_codes[k], NULL, NULL);
	if (!loaded)
		return;

	family("syva_mode", "gauge", "1 for the global mode (zones may audit on their own).");
	for (k = 0; k < 2; k++)
		sample("syva_mode", !strcmp(str(o, "mode"), modes[k]), "mode", modes[k], NULL, NULL);
	family("syva_abi_version", "gauge", "Kernel/user ABI version of the loaded programs.");
	sample("syva_abi_version", num(o, "abi_version"), NULL, NULL, NULL, NULL);
	family("syva_policy_generation", "gauge", "Policy generation, bumped by every policy edit.");
	sample("syva_policy_generation", strtoll(str(o, "generation"), NULL, 10), NULL, NULL,
	       NULL, NULL);
	family("syva_loaded_timestamp_seconds", "gauge", "When syva-load last loaded.");
	sample("syva_loaded_timestamp_seconds", (long long)loaded_at_s, NULL, NULL, NULL, NULL);
	family("syva_reset_timestamp_seconds", "gauge",
	       "When syva-status --reset last ran, 0 if never.");
	sample("syva_reset_timestamp_seconds", (long long)reset_at_s, NULL, NULL, NULL, NULL);
	family("syva_zones", "gauge", "Zones defined.");
	sample("syva_zones", num(o, "zones"), NULL, NULL, NULL, NULL);
	family("syva_hooks_expected", "gauge", "BPF programs this build attaches.");
	sample("syva_hooks_expected", num(o, "hooks_expected"), NULL, NULL, NULL, NULL);
	family("syva_hooks_attached", "gauge", "BPF programs attached (link pinned and live).");
	sample("syva_hooks_attached", num(o, "hooks_attached"), NULL, NULL, NULL, NULL);
	family("syva_program_attached", "gauge", "1 if the program is attached.");
	json_array_foreach(json_object_get(o, "programs"), i, h)
		sample("syva_program_attached", json_is_true(json_object_get(h, "attached")),
		       "program", str(h, "program"), NULL, NULL);
	family("syva_hook_attached", "gauge", "1 if every program of the hook is attached.");
	json_array_foreach(json_object_get(o, "hooks"), i, h)
		sample("syva_hook_attached", json_is_true(json_object_get(h, "attached")),
		       "hook", str(h, "hook"), NULL, NULL);
	family("syva_selftest_passed", "gauge", "1 if the load's self-test of this read passed.");
	for (k = 0; k < 4; k++)
		sample("syva_selftest_passed",
		       json_is_true(json_object_get(json_object_get(o, "selftests"), tests[k])),
		       "test", tests[k], NULL, NULL);
	family("syva_escape_detector_attached", "gauge", "1 if the cgroup-escape detector is attached.");
	sample("syva_escape_detector_attached", !strcmp(str(o, "escape_detector"), "attached"),
	       NULL, NULL, NULL, NULL);
	family("syva_escapes_total", "counter", "Zoned processes moved out of their zone's cgroups.");
	sample("syva_escapes_total", num(o, "escapes"), NULL, NULL, NULL, NULL);
	family("syva_decisions_total", "counter",
	       "Decisions on zoned callers by hook: allow, deny, audit (would deny).");
	json_array_foreach(json_object_get(o, "hooks"), i, h)
		for (k = 0; k < 3; k++)
			sample("syva_decisions_total", num(h, counter_fields[k]), "hook",
			       str(h, "hook"), "action", counter_fields[k]);
	family("syva_hook_errors_total", "counter",
	       "Kernel reads that failed; the operation was let through (fail-open).");
	json_array_foreach(json_object_get(o, "hooks"), i, h)
		sample("syva_hook_errors_total", num(h, "error"), "hook", str(h, "hook"), NULL, NULL);
	family("syva_events_lost_total", "counter", "Events not recorded: the ring buffer was full.");
	json_array_foreach(json_object_get(o, "hooks"), i, h)
		sample("syva_events_lost_total", num(h, "lost"), "hook", str(h, "hook"), NULL, NULL);
	family("syva_zone_decisions_total", "counter", "Decisions on a zone's callers by action.");
	json_array_foreach(json_object_get(o, "zone_decisions"), i, h)
		for (k = 0; k < 3; k++)
			sample("syva_zone_decisions_total", num(h, counter_fields[k]), "zone",
			       str(h, "zone"), "action", counter_fields[k]);
	family("syva_map_entries", "gauge", "Entries in a policy map.");
	json_array_foreach(json_object_get(o, "maps"), i, h)
		sample("syva_map_entries", num(h, "entries"), "map", str(h, "map"), NULL, NULL);
	family("syva_map_capacity", "gauge", "Capacity of a policy map.");
	json_array_foreach(json_object_get(o, "maps"), i, h)
		sample("syva_map_capacity", num(h, "capacity"), "map", str(h, "map"), NULL, NULL);
}

/* The baseline health counts from, under the writers' lock. */
static int reset(void)
{
	struct syva_state st = {};
	struct syva s;
	uint64_t c[5];
	uint32_t zero = 0, slot;

	syva_open(&s, SYVA_WRITE);
	for (slot = 0; slot < SYVA_HOOK_SLOTS; slot++) {
		if (syva_percpu_sum(&s, M_COUNTERS, &slot, c, 5))
			memset(c, 0, sizeof(c));
		s.meta.reset_error[slot] = c[3];
		s.meta.reset_lost[slot] = c[4];
	}
	bpf_map_lookup_elem(s.fd[M_STATE], &zero, &st);
	s.meta.reset_escapes = st.escapes;
	s.meta.reset_at = time(NULL);
	if (bpf_map_update_elem(s.fd[M_META], &zero, &s.meta, BPF_ANY))
		die(ex_of_errno(errno), "cannot write meta: %s", strerror(errno));
	syva_close(&s);
	return 0;
}

int main(int argc, char **argv)
{
	bool quiet = false, prom = false, do_reset = false, fmt = false;
	json_t *o;
	int c;

	syva_init(argc, argv, usage);
	while ((c = getopt_long(argc, argv, "q", opts, NULL)) != -1) {
		if (out_opt(c)) {
			fmt = true;
			continue;
		}
		switch (c) {
		case 'q': quiet = true; break;
		case O_PROM: prom = true; break;
		case O_RESET: do_reset = true; break;
		default: usage_error(usage, "invalid option \"%s\"", opt_name(argv));
		}
	}
	if (optind != argc)
		usage_error(usage, "unexpected argument \"%s\"", argv[optind]);
	if (quiet + prom + fmt + do_reset > 1)
		usage_error(usage, "-q, --json, --text, --prometheus and --reset stand alone");
	if (!syva_verbose)
		libbpf_set_print(NULL);
	if (do_reset)
		return reset();

	o = report();
	json_object_set_new(o, "health", json_string(health_names[health]));
	if (quiet)
		;
	else if (prom)
		print_prometheus(o);
	else if (out_mode == OUT_JSON)
		out_json(json_incref(o));
	else
		print_text(o);
	json_decref(o);
	out_flush();
	return health_exit[health];
}
