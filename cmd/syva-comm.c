// SPDX-License-Identifier: GPL-2.0-only
/*
 * syva-comm: open or close communication between two zones. A pair is
 * symmetric and stored once, so a half-written pair cannot exist; `host`
 * names "not in any zone" (a zoned process reaching unzoned processes or
 * sockets needs ZONE-host). Changes apply to the next syscall.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "syva.h"

static const char usage[] =
	"usage: syva-comm allow ZONE PEER...\n"
	"       syva-comm deny ZONE PEER...\n"
	"       syva-comm list [--json | --text] [ZONE]\n";

static struct syva_pair pair_of(struct syva *s, const char *a, const char *b)
{
	uint32_t x, y;
	struct syva_pair p;

	x = zone_need(s, a);
	y = zone_need(s, b);
	if (x == y)
		die(EX_DATAERR, "\"%s\" and \"%s\" are the same zone: a zone always reaches itself",
		    a, b);
	p.lo = x < y ? x : y;
	p.hi = x < y ? y : x;
	return p;
}

static int edit(int argc, char **argv, bool allow)
{
	uint32_t one = 1;
	struct syva s;
	int i, err;

	out_getopt(argc, argv, usage);
	if (argc - optind < 2)
		usage_error(usage, "%s needs ZONE and at least one PEER", argv[0]);
	for (i = optind; i < argc; i++)
		zone_check_name(argv[i]);
	syva_open(&s, SYVA_WRITE);
	for (i = optind + 1; i < argc; i++)
		pair_of(&s, argv[optind], argv[i]);
	txn_begin(&s);
	for (i = optind + 1; i < argc; i++) {
		struct syva_pair p = pair_of(&s, argv[optind], argv[i]);

		if (allow) {
			txn_put(M_PAIRS, &p, &one);
			continue;
		}
		err = txn_delete(M_PAIRS, &p); /* closing a closed pair is fine */
		if (err)
			die(ex_of_errno(err), "cannot delete pair: %s", strerror(-err));
	}
	txn_commit();
	return 0;
}

static int cmd_allow(int argc, char **argv)
{
	return edit(argc, argv, true);
}

static int cmd_deny(int argc, char **argv)
{
	return edit(argc, argv, false);
}

static int cmd_list(int argc, char **argv)
{
	struct syva_pair k, next, *prev = NULL;
	char an[SYVA_ZONE_NAME_MAX], bn[SYVA_ZONE_NAME_MAX];
	uint32_t only = 0;
	bool filter = false;
	struct syva s;
	json_t *o;

	out_getopt(argc, argv, usage);
	filter = zone_list_open(&s, argc, argv, usage, &only);
	while (!bpf_map_get_next_key(s.fd[M_PAIRS], prev, &next)) {
		const char *a, *b;

		k = next;
		prev = &k;
		if (filter && k.lo != only && k.hi != only)
			continue;
		/* The named zone first, and `host` never first. */
		if ((filter && k.hi == only) || k.lo == SYVA_ZONE_HOST) {
			a = zone_name(&s, k.hi, an);
			b = zone_name(&s, k.lo, bn);
		} else {
			a = zone_name(&s, k.lo, an);
			b = zone_name(&s, k.hi, bn);
		}
		if (out_mode == OUT_TEXT) {
			out_text("%s <-> %s\n", a, b);
			continue;
		}
		o = json_object();
		json_object_set_new(o, "zone", json_string(a));
		json_object_set_new(o, "peer_zone", json_string(b));
		out_json(o);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct syva_cmd cmds[] = {
		{ "allow", cmd_allow }, { "deny", cmd_deny }, { "list", cmd_list }, {}
	};

	return syva_main(argc, argv, usage, cmds);
}
