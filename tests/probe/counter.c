// SPDX-License-Identifier: GPL-2.0-only
/*
 * probe counter HOOK FIELD: one hook's counter summed over CPUs, read from
 * the pinned map directly. The suites read counters around every probe;
 * going through syva-status and jq cost seconds per check under TCG.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "probe.h"
#include "syva.h"

static int op_counter(char **argv)
{
	static const char *const fields[] = { "allow", "deny", "audit", "error", "lost" };
	struct syva_counters v[512];
	char path[4096];
	uint64_t sum = 0;
	int slot = syva_hook_slot(argv[0]), f, fd, cpu, ncpu;

	for (f = 0; f < 5 && strcmp(fields[f], argv[1]); f++)
		;
	ncpu = libbpf_num_possible_cpus();
	if (slot < 0 || f == 5 || ncpu <= 0 || ncpu > 512)
		return -EINVAL;
	snprintf(path, sizeof(path), "%s/%s", syva_pin_root(), SYVA_MAP_COUNTERS);
	fd = bpf_obj_get(path);
	if (fd < 0 || bpf_map_lookup_elem(fd, &slot, v))
		return -errno;
	for (cpu = 0; cpu < ncpu; cpu++)
		sum += ((uint64_t *)&v[cpu])[f];
	printf("%llu\n", (unsigned long long)sum);
	return 0;
}

static const struct probe_op counter_ops[] = {
	{ "counter", "HOOK allow|deny|audit|error|lost", 2, op_counter, 1 },
	{}
};
PROBE_OPS(counter_ops)
