// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pinned maps: found under the pin root, checked against this build's ABI
 * (version, and each map's type, key and value size) before any use, opened
 * read-only by readers, and written only under an flock on the pin
 * directory, so two tools editing policy at once cannot interleave.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "syva.h"

#define MAP(id, n, t, k, v) [id] = { n, t, k, v }
const struct syva_map_desc syva_maps[M__NR] = {
	MAP(M_META, SYVA_MAP_META, BPF_MAP_TYPE_ARRAY, 4, sizeof(struct syva_meta)),
	MAP(M_STATE, SYVA_MAP_STATE, BPF_MAP_TYPE_ARRAY, 4, sizeof(struct syva_state)),
	MAP(M_ZONES, SYVA_MAP_ZONES, BPF_MAP_TYPE_ARRAY, 4, sizeof(struct syva_zone)),
	MAP(M_ZONE_NAMES, SYVA_MAP_ZONE_NAMES, BPF_MAP_TYPE_HASH,
	    sizeof(struct syva_zone_name), 4),
	MAP(M_ZONE_STATS, SYVA_MAP_ZONE_STATS, BPF_MAP_TYPE_PERCPU_ARRAY, 4,
	    sizeof(struct syva_zone_stats)),
	MAP(M_CGROUPS, SYVA_MAP_CGROUPS, BPF_MAP_TYPE_HASH, 8,
	    sizeof(struct syva_member)),
	MAP(M_FILES, SYVA_MAP_FILES, BPF_MAP_TYPE_HASH,
	    sizeof(struct syva_file_key), sizeof(struct syva_file)),
	MAP(M_PATHS, SYVA_MAP_PATHS, BPF_MAP_TYPE_HASH,
	    sizeof(struct syva_file_key), sizeof(struct syva_path)),
	MAP(M_PAIRS, SYVA_MAP_PAIRS, BPF_MAP_TYPE_HASH, sizeof(struct syva_pair), 4),
	MAP(M_COUNTERS, SYVA_MAP_COUNTERS, BPF_MAP_TYPE_PERCPU_ARRAY, 4,
	    sizeof(struct syva_counters)),
	MAP(M_EVENTS, SYVA_MAP_EVENTS, BPF_MAP_TYPE_RINGBUF, 0, 0),
	MAP(M_IPZONES, SYVA_MAP_IPZONES, BPF_MAP_TYPE_HASH, sizeof(struct syva_ip), 4),
	MAP(M_EGRESS4, SYVA_MAP_EGRESS4, BPF_MAP_TYPE_LPM_TRIE,
	    sizeof(struct syva_egress4_key), sizeof(struct syva_ports)),
	MAP(M_EGRESS6, SYVA_MAP_EGRESS6, BPF_MAP_TYPE_LPM_TRIE,
	    sizeof(struct syva_egress6_key), sizeof(struct syva_ports)),
	MAP(M_FOWNERS, SYVA_MAP_FOWNERS, BPF_MAP_TYPE_LRU_HASH, 8, 4),
};

const char *syva_pin_root(void)
{
	const char *r = secure_getenv("SYVA_BPFFS");

	return r && *r ? r : SYVA_PIN_ROOT;
}

uint32_t syva_kdev(uint64_t st_dev)
{
	/* The kernel's internal dev_t: 12-bit major above a 20-bit minor. */
	return (uint32_t)(major(st_dev) << 20 | minor(st_dev));
}

static void lock_fd(int dirfd)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i;

	/* Edits are short; wait a little rather than fail a busy script. */
	for (i = 0; i < 500; i++) {
		if (!flock(dirfd, LOCK_EX | LOCK_NB))
			return;
		if (errno != EWOULDBLOCK)
			die(EX_OSERR, "cannot lock %s: %s", syva_pin_root(),
			    strerror(errno));
		nanosleep(&ts, NULL);
	}
	die(EX_TEMPFAIL, "%s is locked by another syva tool; try again",
	    syva_pin_root());
}

int syva_lock_root(bool create)
{
	const char *root = syva_pin_root();
	int fd;

	if (create && mkdir(root, 0700) && errno != EEXIST)
		die(errno == EACCES || errno == EPERM ? EX_NOPERM : EX_CANTCREAT,
		    "cannot create %s: %s", root, strerror(errno));
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	lock_fd(fd);
	return fd;
}

static int open_map(struct syva *s, int id)
{
	const struct syva_map_desc *d = &syva_maps[id];
	LIBBPF_OPTS(bpf_obj_get_opts, o);
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info);
	char path[4096];
	int fd;

	o.file_flags = s->writing ? 0 : BPF_F_RDONLY;
	snprintf(path, sizeof(path), "%s/%s", syva_pin_root(), d->name);
	fd = bpf_obj_get_opts(path, &o);
	if (fd < 0) {
		if (errno == ENOENT && id == M_META)
			die(EX_UNAVAILABLE,
			    "syva is not loaded: no maps pinned under %s (run syva-load)",
			    syva_pin_root());
		if (errno == ENOENT)
			die(EX_CONFIG, "map %s is missing: loaded by another syva version?",
			    path);
		die(errno == EPERM || errno == EACCES ? EX_NOPERM : EX_UNAVAILABLE,
		    "cannot open %s: %s", path, strerror(errno));
	}
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		die(EX_OSERR, "cannot inspect %s: %s", path, strerror(errno));
	if (info.type != d->type || info.key_size != d->key_size ||
	    info.value_size != d->value_size)
		die(EX_CONFIG,
		    "map %s has layout type %u key %u value %u, this build expects %u/%u/%u: "
		    "ABI mismatch (syva-load --unload, then load this version)",
		    d->name, info.type, info.key_size, info.value_size, d->type,
		    d->key_size, d->value_size);
	s->max[id] = info.max_entries;
	return fd;
}

void syva_open(struct syva *s, int mode)
{
	uint32_t zero = 0;
	int i;

	memset(s, 0, sizeof(*s));
	s->writing = mode == SYVA_WRITE;
	s->dirfd = open(syva_pin_root(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dirfd < 0) {
		if (errno == ENOENT)
			die(EX_UNAVAILABLE,
			    "syva is not loaded: %s does not exist (run syva-load)",
			    syva_pin_root());
		die(errno == EACCES || errno == EPERM ? EX_NOPERM : EX_OSERR,
		    "cannot open %s: %s", syva_pin_root(), strerror(errno));
	}
	if (s->writing)
		lock_fd(s->dirfd);
	s->fd[M_META] = open_map(s, M_META);
	if (bpf_map_lookup_elem(s->fd[M_META], &zero, &s->meta))
		die(EX_OSERR, "cannot read meta: %s", strerror(errno));
	if (s->meta.abi_version != SYVA_ABI_VERSION)
		die(EX_CONFIG,
		    "loaded ABI version %u, this build speaks %u (syva-load --unload, then load this version)",
		    s->meta.abi_version, SYVA_ABI_VERSION);
	for (i = 0; i < M__NR; i++)
		if (i != M_META)
			s->fd[i] = open_map(s, i);
	s->ncpus = libbpf_num_possible_cpus();
	if (s->ncpus <= 0)
		die(EX_OSERR, "cannot count CPUs");
}

void syva_close(struct syva *s)
{
	int i;

	for (i = 0; i < M__NR; i++)
		if (s->fd[i] > 0)
			close(s->fd[i]);
	if (s->dirfd >= 0)
		close(s->dirfd); /* drops the lock */
}

int syva_percpu_sum(struct syva *s, int map, const void *key, uint64_t *sum,
		    int n)
{
	size_t vs = syva_maps[map].value_size;
	uint64_t *v;
	int cpu, i;

	/* Per-CPU values come back 8-byte aligned, one per possible CPU. */
	v = calloc(s->ncpus, (vs + 7) & ~7ul);
	if (!v)
		die(EX_OSERR, "out of memory");
	if (bpf_map_lookup_elem(s->fd[map], key, v)) {
		free(v);
		return -errno;
	}
	memset(sum, 0, n * sizeof(*sum));
	for (cpu = 0; cpu < s->ncpus; cpu++)
		for (i = 0; i < n; i++)
			sum[i] += v[cpu * ((vs + 7) / 8) + i];
	free(v);
	return 0;
}
