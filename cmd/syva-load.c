// SPDX-License-Identifier: GPL-2.0-only
/*
 * syva-load: load, attach and pin syva's BPF-LSM programs and maps, so the
 * kernel enforces after this process exits; upgrade them in place; unload;
 * or say whether this kernel can enforce at all.
 */
#include <getopt.h>
#include <string.h>
#include "syva.h"

static const char usage[] =
	"usage: syva-load [-v] [--no-attach] [-m enforce|audit] [--max-zones N]\n"
	"                 [--max-cgroups N] [--max-files N] [--max-pairs N]\n"
	"                 [--max-ipzones N] [--max-egress N] [--ringbuf-size BYTES]\n"
	"       syva-load [-v] --unload\n"
	"       syva-load [-v] [--json | --text] --check\n";

enum { O_NOATTACH = 256,
       O_UNLOAD,
       O_CHECK,
       O_ZONES,
       O_CGROUPS,
       O_FILES,
       O_PAIRS,
       O_IPZONES,
       O_EGRESS,
       O_RINGBUF };

static const struct option opts[] = {
	{ "verbose", no_argument, NULL, 'v' },
	{ "mode", required_argument, NULL, 'm' },
	{ "no-attach", no_argument, NULL, O_NOATTACH },
	{ "unload", no_argument, NULL, O_UNLOAD },
	{ "check", no_argument, NULL, O_CHECK },
	{ "max-zones", required_argument, NULL, O_ZONES },
	{ "max-cgroups", required_argument, NULL, O_CGROUPS },
	{ "max-files", required_argument, NULL, O_FILES },
	{ "max-pairs", required_argument, NULL, O_PAIRS },
	{ "max-ipzones", required_argument, NULL, O_IPZONES },
	{ "max-egress", required_argument, NULL, O_EGRESS },
	{ "ringbuf-size", required_argument, NULL, O_RINGBUF },
	OUT_LONGOPTS,
	{}
};

static uint32_t capacity(const char *opt, const char *v, uint64_t min, uint64_t max)
{
	uint64_t n;

	if (parse_u64(v, min, max, &n))
		die(EX_USAGE, "invalid --%s \"%s\": use a number from %llu to %llu",
		    opt, v, (unsigned long long)min, (unsigned long long)max);
	return (uint32_t)n;
}

int main(int argc, char **argv)
{
	struct load_opts o = { .mode = -1 };
	bool unload = false, check = false;
	uint32_t rb;
	int c;

	syva_init(argc, argv, usage);
	while ((c = getopt_long(argc, argv, "vm:h", opts, NULL)) != -1) {
		if (out_opt(c))
			continue;
		switch (c) {
		case 'v':
			syva_verbose = 1;
			break;
		case 'm':
			if (!strcmp(optarg, "enforce"))
				o.mode = SYVA_MODE_ENFORCE;
			else if (!strcmp(optarg, "audit"))
				o.mode = SYVA_MODE_AUDIT;
			else
				usage_error(usage, "invalid mode \"%s\": use enforce or audit",
					    optarg);
			break;
		case O_NOATTACH: o.no_attach = true; break;
		case O_UNLOAD: unload = true; break;
		case O_CHECK: check = true; break;
		/* Zone ids index an array: the cap keeps ids in a u32 comfortably. */
		case O_ZONES: o.max[M_ZONES] = capacity("max-zones", optarg, 2, 1 << 20); break;
		case O_CGROUPS: o.max[M_CGROUPS] = capacity("max-cgroups", optarg, 1, 1 << 24); break;
		case O_FILES: o.max[M_FILES] = capacity("max-files", optarg, 1, 1 << 26); break;
		case O_PAIRS: o.max[M_PAIRS] = capacity("max-pairs", optarg, 1, 1 << 24); break;
		case O_IPZONES: o.max[M_IPZONES] = capacity("max-ipzones", optarg, 1, 1 << 24); break;
		case O_EGRESS: o.max[M_EGRESS4] = capacity("max-egress", optarg, 1, 1 << 24); break;
		case O_RINGBUF:
			rb = capacity("ringbuf-size", optarg, 4096, 1u << 30);
			/* The kernel wants a power-of-two multiple of the page size. */
			if (rb & (rb - 1))
				die(EX_USAGE, "invalid --ringbuf-size \"%s\": use a power of two >= 4096",
				    optarg);
			o.max[M_EVENTS] = rb;
			break;
		default:
			usage_error(usage, "invalid option \"%s\"", opt_name(argv));
		}
	}
	if (optind != argc)
		usage_error(usage, "unexpected argument \"%s\"", argv[optind]);
	if (unload + check > 1 || ((unload || check) && (o.no_attach || o.mode >= 0)))
		usage_error(usage, "--unload and --check stand alone");

	o.max[M_ZONE_NAMES] = o.max[M_ZONE_STATS] = o.max[M_ZONES];
	o.max[M_PATHS] = o.max[M_FILES];
	o.max[M_EGRESS6] = o.max[M_EGRESS4];
	if (check)
		return syva_check();
	if (unload)
		return syva_unload();
	return syva_load(&o);
}
