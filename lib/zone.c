// SPDX-License-Identifier: GPL-2.0-only
/*
 * Zone names. The names live in pinned maps (zones[id].name and the reverse
 * zone_names), so every tool and every event sees the same names without a
 * daemon. `host` is reserved: it names "not in any zone", id 0.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include "syva.h"

const char *zone_name_problem(const char *name)
{
	size_t i, n = strlen(name);

	if (n < 1 || n >= SYVA_ZONE_NAME_MAX)
		return "use [a-z0-9._-], 1-63 chars";
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return "use [a-z0-9._-], 1-63 chars";
	}
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return "\".\" and \"..\" are not zone names";
	return NULL;
}

void zone_check_name(const char *name)
{
	const char *why = zone_name_problem(name);

	if (why)
		die(EX_DATAERR, "invalid zone name \"%s\": %s", name, why);
}

int zone_find(struct syva *s, const char *name, uint32_t *id)
{
	struct syva_zone_name k = {};

	if (!strcmp(name, "host")) {
		*id = SYVA_ZONE_HOST;
		return 0;
	}
	if (strlen(name) >= sizeof(k.name))
		return -1;
	strcpy(k.name, name);
	return bpf_map_lookup_elem(s->fd[M_ZONE_NAMES], &k, id) ? -1 : 0;
}

uint32_t zone_need(struct syva *s, const char *name)
{
	uint32_t id;

	zone_check_name(name);
	if (zone_find(s, name, &id))
		die(EX_DATAERR, "unknown zone \"%s\": create it with syva-zone add",
		    name);
	return id;
}

int zone_get(struct syva *s, uint32_t id, struct syva_zone *z)
{
	if (id == SYVA_ZONE_HOST || id >= s->max[M_ZONES])
		return -1;
	if (bpf_map_lookup_elem(s->fd[M_ZONES], &id, z) ||
	    !(z->flags & SYVA_ZONE_IN_USE))
		return -1;
	return 0;
}

const char *zone_name(struct syva *s, uint32_t id, char buf[SYVA_ZONE_NAME_MAX])
{
	struct syva_zone z;

	if (id == SYVA_ZONE_HOST)
		return "host";
	if (zone_get(s, id, &z)) {
		snprintf(buf, SYVA_ZONE_NAME_MAX, "zone-%u", id);
		return buf;
	}
	memcpy(buf, z.name, SYVA_ZONE_NAME_MAX);
	buf[SYVA_ZONE_NAME_MAX - 1] = 0;
	return buf;
}

bool zone_list_open(struct syva *s, int argc, char **argv, const char *usage,
		    uint32_t *only)
{
	if (argc - optind > 1)
		usage_error(usage, "list takes at most one ZONE");
	syva_open(s, SYVA_READ);
	*only = 0;
	if (optind == argc)
		return false;
	*only = zone_need(s, argv[optind]);
	return true;
}
