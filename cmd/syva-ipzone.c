// SPDX-License-Identifier: GPL-2.0-only
/*
 * syva-ipzone: which zone a pod IP belongs to. A connect or send from a zone
 * to a mapped address follows the pair rule (same zone, or a pair opened with
 * syva-comm), for open and isolated zones alike and before any egress
 * allowlist. IPv4 and IPv6; an IPv4-mapped IPv6 address is the IPv4 address
 * it carries, so both spellings name one entry. An address belongs to one
 * zone at a time: moving it is del, then add.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "syva.h"

static const char usage[] =
	"usage: syva-ipzone add IP... ZONE\n"
	"       syva-ipzone del IP...\n"
	"       syva-ipzone list [--json | --text] [ZONE]\n";

struct ips {
	struct syva_ip *v;
	size_t n, cap;
};

/* Every address is checked before the maps are opened. */
static void ip_item(const char *item, void *ctx)
{
	struct ips *ips = ctx;
	struct syva_ip ip;
	const char *why = net_parse_addr(item, &ip);

	if (!why && net_is_loopback(&ip))
		why = "loopback is every zone's own, never a pod's";
	if (!why && net_is_unspecified(&ip))
		why = "the unspecified address is no pod's";
	if (why)
		die(EX_DATAERR, "invalid pod IP \"%s\": %s", item, why);
	if (ips->n == ips->cap) {
		ips->cap = ips->cap ? 2 * ips->cap : 16;
		ips->v = realloc(ips->v, ips->cap * sizeof(*ips->v));
		if (!ips->v)
			die(EX_OSERR, "out of memory");
	}
	ips->v[ips->n++] = ip;
}

static int cmd_add(int argc, char **argv)
{
	char an[NET_ADDR_LEN], zn[SYVA_ZONE_NAME_MAX];
	const char *zone;
	struct ips ips = {};
	uint32_t id, cur;
	struct syva s;
	size_t i;

	out_getopt(argc, argv, usage);
	if (argc - optind < 2)
		usage_error(usage, "add needs at least one IP and a ZONE");
	zone = argv[argc - 1];
	zone_check_name(zone);
	if (!for_each_item(argc - optind - 1, argv + optind, false, ip_item, &ips))
		die(EX_NOINPUT, "no IP read from stdin");
	syva_open(&s, SYVA_WRITE);
	id = zone_need(&s, zone);
	for (i = 0; i < ips.n; i++)
		if (!bpf_map_lookup_elem(s.fd[M_IPZONES], &ips.v[i], &cur) && cur != id)
			die(EX_DATAERR, "%s is in zone \"%s\": syva-ipzone del it first",
			    net_fmt_addr(&ips.v[i], an), zone_name(&s, cur, zn));
	txn_begin(&s);
	for (i = 0; i < ips.n; i++)
		txn_put(M_IPZONES, &ips.v[i], &id);
	txn_commit();
	free(ips.v);
	return 0;
}

static int cmd_del(int argc, char **argv)
{
	struct ips ips = {};
	struct syva s;
	size_t i;
	int err;

	out_getopt(argc, argv, usage);
	if (argc - optind < 1)
		usage_error(usage, "del needs at least one IP");
	/* Deleting nothing is done at once, and changes nothing. */
	if (!for_each_item(argc - optind, argv + optind, false, ip_item, &ips))
		return 0;
	syva_open(&s, SYVA_WRITE);
	txn_begin(&s);
	for (i = 0; i < ips.n; i++) {
		err = txn_delete(M_IPZONES, &ips.v[i]); /* an absent one is fine */
		if (err)
			die(ex_of_errno(err), "cannot delete from map %s: %s",
			    syva_maps[M_IPZONES].name, strerror(-err));
	}
	txn_commit();
	free(ips.v);
	return 0;
}

struct entry {
	struct syva_ip ip;
	uint32_t zone;
};

/* IPv4 first (its mapped form sorts before any global IPv6), then bytes. */
static int by_addr(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	bool v4x = net_is_v4(&x->ip), v4y = net_is_v4(&y->ip);

	if (v4x != v4y)
		return v4x ? -1 : 1;
	return memcmp(x->ip.addr, y->ip.addr, 16);
}

static int cmd_list(int argc, char **argv)
{
	char an[NET_ADDR_LEN], zbuf[SYVA_ZONE_NAME_MAX];
	struct syva_ip key, next, *prev = NULL;
	const char *zn;
	struct entry *all = NULL;
	size_t n = 0, cap = 0, i;
	uint32_t only = 0, zone;
	bool filter = false;
	struct syva s;
	json_t *o;

	out_getopt(argc, argv, usage);
	filter = zone_list_open(&s, argc, argv, usage, &only);
	while (!bpf_map_get_next_key(s.fd[M_IPZONES], prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(s.fd[M_IPZONES], &key, &zone) ||
		    (filter && zone != only))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			all = realloc(all, cap * sizeof(*all));
			if (!all)
				die(EX_OSERR, "out of memory");
		}
		all[n++] = (struct entry){ key, zone };
	}
	qsort(all, n, sizeof(*all), by_addr);
	for (i = 0; i < n; i++) {
		net_fmt_addr(&all[i].ip, an);
		zn = zone_name(&s, all[i].zone, zbuf);
		if (out_mode == OUT_TEXT) {
			out_text("%-39s %s\n", an, zn);
			continue;
		}
		o = json_object();
		json_object_set_new(o, "addr", json_string(an));
		json_object_set_new(o, "zone", json_string(zn));
		out_json(o);
	}
	free(all);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct syva_cmd cmds[] = {
		{ "add", cmd_add }, { "del", cmd_del }, { "list", cmd_list }, {}
	};

	return syva_main(argc, argv, usage, cmds);
}
