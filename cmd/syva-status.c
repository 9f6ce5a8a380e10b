// SPDX-License-Identifier: GPL-2.0-only
/*
 * syva-status: is the kernel enforcing, and what has it decided? Reads the
 * pinned maps and link pins only (no daemon), so it answers in milliseconds
 * and works from scripts and timers.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "syva.h"

static const char usage[] =
	"usage: syva-status [--json | --text]\n";

static const struct option opts[] = { OUT_LONGOPTS, {} };

/* A hook is attached when its link pin exists and is a live link. */
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

static const char *prog_of_slot(int slot)
{
	const struct syva_prog *p;

	for (p = syva_progs; p->name; p++)
		if (p->slot == slot)
			return p->name;
	return NULL;
}

int main(int argc, char **argv)
{
	static const char *const fields[] = { "allow", "deny", "audit", "error", "lost" };
	const struct syva_prog *p;
	json_t *o, *hooks, *h;
	struct syva_zone z;
	struct syva s;
	uint64_t c[5];
	uint32_t id, nzones = 0;
	int slot, i, c_, nattached = 0, nprogs = 0;

	syva_init(argc, argv, usage);
	while ((c_ = getopt_long(argc, argv, "", opts, NULL)) != -1)
		if (!out_opt(c_))
			usage_error(usage, "invalid arguments");
	if (optind != argc)
		usage_error(usage, "unexpected argument \"%s\"", argv[optind]);
	syva_open(&s, SYVA_READ);

	for (id = 1; id < s.max[M_ZONES]; id++)
		nzones += !zone_get(&s, id, &z);
	for (p = syva_progs; p->name; p++) {
		nprogs++;
		nattached += attached(p->name);
	}

	o = json_object();
	json_object_set_new(o, "v", json_integer(1));
	json_object_set_new(o, "mode", json_string(s.meta.mode == SYVA_MODE_AUDIT ?
							   "audit" : "enforce"));
	json_object_set_new(o, "abi_version", json_integer(s.meta.abi_version));
	json_object_set_new(o, "generation", j_u64s(s.meta.generation));
	json_object_set_new(o, "zones", json_integer(nzones));
	json_object_set_new(o, "hooks_attached", json_integer(nattached));
	json_object_set_new(o, "hooks_expected", json_integer(nprogs));
	json_object_set_new(o, "selftest",
			    json_string(!(s.meta.selftest & SYVA_SELFTEST_RAN) ? "not-run" :
					s.meta.selftest & SYVA_SELFTEST_FAILED ? "failed" : "passed"));
	hooks = json_array();
	for (slot = 0; slot < SYVA_HOOK_MAX; slot++) {
		const char *prog = prog_of_slot(slot);

		if (!prog)
			continue; /* not in this build */
		if (syva_percpu_sum(&s, M_COUNTERS, &(uint32_t){ slot }, c, 5))
			memset(c, 0, sizeof(c));
		h = json_object();
		json_object_set_new(h, "hook", json_string(syva_hook_names[slot]));
		json_object_set_new(h, "attached", json_boolean(attached(prog)));
		for (i = 0; i < 5; i++)
			json_object_set_new(h, fields[i], json_integer((json_int_t)c[i]));
		json_array_append_new(hooks, h);
	}
	json_object_set_new(o, "hooks", hooks);

	if (out_mode == OUT_JSON) {
		out_json(o);
		return 0;
	}
	out_text("mode:        %s\n", json_string_value(json_object_get(o, "mode")));
	out_text("hooks:       %d of %d attached\n", nattached, nprogs);
	out_text("self-test:   %s\n", json_string_value(json_object_get(o, "selftest")));
	out_text("zones:       %u\n", nzones);
	out_text("abi:         %u\n", s.meta.abi_version);
	out_text("generation:  %llu\n", (unsigned long long)s.meta.generation);
	out_text("%-22s %-4s %10s %10s %10s %8s %8s\n", "HOOK", "ATT", "ALLOW",
		 "DENY", "AUDIT", "ERROR", "LOST");
	json_array_foreach(hooks, i, h) {
		out_text("%-22s %-4s", json_string_value(json_object_get(h, "hook")),
			 json_is_true(json_object_get(h, "attached")) ? "yes" : "NO");
		out_text(" %10lld %10lld %10lld %8lld %8lld\n",
			 json_integer_value(json_object_get(h, "allow")),
			 json_integer_value(json_object_get(h, "deny")),
			 json_integer_value(json_object_get(h, "audit")),
			 json_integer_value(json_object_get(h, "error")),
			 json_integer_value(json_object_get(h, "lost")));
	}
	json_decref(o);
	return 0;
}
