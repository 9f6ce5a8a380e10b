// SPDX-License-Identifier: GPL-2.0-only
/*
 * All-or-nothing map edits. A mutating tool validates everything first, then
 * edits through txn_*; each change is logged with what it replaced, and on
 * any failure (die(), or an exit before txn_commit) the log is replayed
 * backwards so the maps end as they began. Commit bumps the generation that
 * events and status report.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "syva.h"

struct undo {
	int map;
	void *key;
	void *old; /* NULL: the key was absent */
};

static struct syva *cur;
static struct undo *log_;
static size_t nlog, caplog;

static void at_exit(void)
{
	txn_abort();
}

void txn_begin(struct syva *s)
{
	static bool registered;

	if (!s->writing)
		die(EX_SOFTWARE, "internal: transaction on a read-only open");
	cur = s;
	nlog = 0;
	if (!registered) {
		atexit(at_exit);
		registered = true;
	}
}

/* LPM lookups match by prefix; an exact key needs a walk of the keys. */
static int exact_lookup(int map, const void *key, void *val)
{
	const struct syva_map_desc *d = &syva_maps[map];
	char k[64], next[64];
	int fd = cur->fd[map];
	void *prev = NULL;

	if (d->type != BPF_MAP_TYPE_LPM_TRIE)
		return bpf_map_lookup_elem(fd, key, val);
	while (!bpf_map_get_next_key(fd, prev, next)) {
		if (!memcmp(next, key, d->key_size))
			return bpf_map_lookup_elem(fd, next, val);
		memcpy(k, next, d->key_size);
		prev = k;
	}
	errno = ENOENT;
	return -1;
}

static int record(int map, const void *key)
{
	const struct syva_map_desc *d = &syva_maps[map];
	struct undo *u;

	if (nlog == caplog) {
		caplog = caplog ? caplog * 2 : 64;
		log_ = realloc(log_, caplog * sizeof(*log_));
		if (!log_)
			die(EX_OSERR, "out of memory");
	}
	u = &log_[nlog];
	u->map = map;
	u->key = malloc(d->key_size);
	u->old = malloc(d->value_size);
	if (!u->key || !u->old)
		die(EX_OSERR, "out of memory");
	memcpy(u->key, key, d->key_size);
	if (exact_lookup(map, key, u->old)) {
		if (errno != ENOENT)
			return -errno;
		free(u->old);
		u->old = NULL;
	}
	nlog++;
	return 0;
}

int txn_update(int map, const void *key, const void *value, uint64_t flags)
{
	int err = record(map, key);

	if (err)
		return err;
	if (bpf_map_update_elem(cur->fd[map], key, value, flags)) {
		err = -errno;
		nlog--;
		free(log_[nlog].key);
		free(log_[nlog].old);
		return err;
	}
	return 0;
}

int txn_delete(int map, const void *key)
{
	int err = record(map, key);

	if (err)
		return err;
	if (bpf_map_delete_elem(cur->fd[map], key) && errno != ENOENT) {
		err = -errno;
		nlog--;
		free(log_[nlog].key);
		free(log_[nlog].old);
		return err;
	}
	return 0;
}

void txn_put(int map, const void *key, const void *value)
{
	int err = txn_update(map, key, value, BPF_ANY);

	if (err == -E2BIG || err == -ENOSPC || err == -ENOMEM)
		die(EX_TEMPFAIL, "map %s is full (capacity %u): nothing was changed",
		    syva_maps[map].name, cur->max[map]);
	if (err)
		die(ex_of_errno(err), "cannot update map %s: %s", syva_maps[map].name,
		    strerror(-err));
}

static void clear(void)
{
	while (nlog) {
		nlog--;
		free(log_[nlog].key);
		free(log_[nlog].old);
	}
	cur = NULL;
}

void txn_commit(void)
{
	uint32_t zero = 0;

	if (!cur)
		return;
	cur->meta.generation++;
	if (bpf_map_update_elem(cur->fd[M_META], &zero, &cur->meta, BPF_ANY))
		die(EX_OSERR, "cannot bump the generation: %s", strerror(errno));
	clear();
}

void txn_abort(void)
{
	struct undo *u;
	int fd;

	if (!cur)
		return;
	while (nlog) {
		u = &log_[--nlog];
		fd = cur->fd[u->map];
		if (u->old)
			bpf_map_update_elem(fd, u->key, u->old, BPF_ANY);
		else
			bpf_map_delete_elem(fd, u->key);
		free(u->key);
		free(u->old);
	}
	cur = NULL;
}
