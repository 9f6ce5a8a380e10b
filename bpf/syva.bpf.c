// SPDX-License-Identifier: GPL-2.0-only
/*
 * syva's kernel side: every map, and the one verdict path every hook ends in
 * (count, record, return EPERM or let audit mode through). The hooks, grouped
 * by concern, are in the *.bpf.h files included at the end; they all follow
 * the same shape: caller zone from the current cgroup (one lookup, and an
 * unzoned caller stops there), target zone from the object, then the pair
 * rule.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "abi.h"

char LICENSE[] SEC("license") = "GPL";

#define EPERM 1

/* Maps whose contents are policy or evidence are pinned by name. */
#define PINNED __uint(pinning, LIBBPF_PIN_BY_NAME)

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct syva_meta);
	PINNED;
} meta SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct syva_state);
	PINNED;
} state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SYVA_DEF_ZONES);
	__type(key, __u32);
	__type(value, struct syva_zone);
	PINNED;
} zones SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SYVA_DEF_ZONES);
	__type(key, struct syva_zone_name);
	__type(value, __u32);
	PINNED;
} zone_names SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SYVA_DEF_ZONES);
	__type(key, __u32);
	__type(value, struct syva_zone_stats);
	PINNED;
} zone_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SYVA_DEF_CGROUPS);
	__type(key, __u64);
	__type(value, struct syva_member);
	PINNED;
} cgroups SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SYVA_DEF_FILES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct syva_file_key);
	__type(value, struct syva_file);
	PINNED;
} files SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SYVA_DEF_FILES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct syva_file_key);
	__type(value, struct syva_path);
	PINNED;
} paths SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SYVA_DEF_PAIRS);
	__type(key, struct syva_pair);
	__type(value, __u32);
	PINNED;
} pairs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SYVA_HOOK_SLOTS);
	__type(key, __u32);
	__type(value, struct syva_counters);
	PINNED;
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, SYVA_DEF_RINGBUF);
	PINNED;
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SYVA_DEF_IPZONES);
	__type(key, struct syva_ip);
	__type(value, __u32);
	PINNED;
} ipzones SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SYVA_DEF_EGRESS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct syva_egress4_key);
	__type(value, struct syva_ports);
	PINNED;
} egress4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SYVA_DEF_EGRESS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct syva_egress6_key);
	__type(value, struct syva_ports);
	PINNED;
} egress6 SEC(".maps");

/*
 * F_SETOWN owner's zone per struct file: SIGIO/SIGURG are sent from whatever
 * context raised the I/O, so the sender is whoever set the owner. LRU so that
 * entries of freed files age out without a hook on every file free.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SYVA_DEF_FOWNERS);
	__type(key, __u64);
	__type(value, __u32);
	PINNED;
} fowners SEC(".maps");

/* Not pinned: lives only while syva-load runs its self-tests. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct syva_selftest);
} selftest SEC(".maps");

/* ---- identity ---------------------------------------------------------- */

static __always_inline __u32 zone_of_cgroup(__u64 id)
{
	struct syva_member *m = bpf_map_lookup_elem(&cgroups, &id);

	return m ? m->zone : SYVA_ZONE_HOST;
}

/* The one lookup an unzoned caller pays. */
static __always_inline __u32 caller_zone(void)
{
	return zone_of_cgroup(bpf_get_current_cgroup_id());
}

/* task -> css_set -> default-hierarchy cgroup -> kernfs id (CO-RE). */
static __always_inline int task_cgroup_id(struct task_struct *t, __u64 *id)
{
	struct css_set *cs = NULL;
	struct cgroup *cg = NULL;
	struct kernfs_node *kn = NULL;

	if (!t || bpf_core_read(&cs, sizeof(cs), &t->cgroups) || !cs)
		return -1;
	if (bpf_core_read(&cg, sizeof(cg), &cs->dfl_cgrp) || !cg)
		return -1;
	if (bpf_core_read(&kn, sizeof(kn), &cg->kn) || !kn)
		return -1;
	return bpf_core_read(id, sizeof(*id), &kn->id);
}

static __always_inline int file_key(struct file *f, struct syva_file_key *k)
{
	struct inode *inode = NULL;
	struct super_block *sb = NULL;

	k->pad = 0;
	if (!f || bpf_core_read(&inode, sizeof(inode), &f->f_inode) || !inode)
		return -1;
	if (bpf_core_read(&k->ino, sizeof(k->ino), &inode->i_ino))
		return -1;
	if (bpf_core_read(&sb, sizeof(sb), &inode->i_sb) || !sb)
		return -1;
	return bpf_core_read(&k->dev, sizeof(k->dev), &sb->s_dev);
}

/* Same zone, or an allowed pair (stored once, lower id first). */
static __always_inline int pair_allowed(__u32 a, __u32 b)
{
	struct syva_pair k;

	if (a == b)
		return 1;
	k.lo = a < b ? a : b;
	k.hi = a < b ? b : a;
	return bpf_map_lookup_elem(&pairs, &k) != NULL;
}

static __always_inline struct syva_zone *zone_policy(__u32 zone)
{
	return bpf_map_lookup_elem(&zones, &zone);
}

/* ---- the verdict path -------------------------------------------------- */

static __always_inline void count_zone(__u32 zone, int action)
{
	struct syva_zone_stats *zs = bpf_map_lookup_elem(&zone_stats, &zone);

	if (!zs)
		return;
	if (action == SYVA_ACT_ALLOW)
		zs->allow++;
	else if (action == SYVA_ACT_DENY)
		zs->deny++;
	else
		zs->audit++;
}

static __always_inline int allow(__u32 hook, __u32 zone)
{
	struct syva_counters *c = bpf_map_lookup_elem(&counters, &hook);

	if (c)
		c->allow++;
	count_zone(zone, SYVA_ACT_ALLOW);
	return 0;
}

/* A kernel read failed: let the operation through, but never silently. */
static __always_inline int fail_open(__u32 hook)
{
	struct syva_counters *c = bpf_map_lookup_elem(&counters, &hook);

	if (c)
		c->error++;
	return 0;
}

static __always_inline int in_audit(__u32 zone, __u64 *generation)
{
	__u32 zero = 0;
	struct syva_meta *m = bpf_map_lookup_elem(&meta, &zero);
	struct syva_zone *z = zone_policy(zone);

	*generation = m ? m->generation : 0;
	return (m && m->mode == SYVA_MODE_AUDIT) ||
	       (z && (z->flags & SYVA_ZONE_AUDIT));
}

/*
 * Reserve and fill what every recorded decision shares: who (the current
 * task), when, under which policy generation. The caller adds the object
 * and submits. NULL when the ring buffer is full, counted as lost in c.
 */
static __always_inline struct syva_event *record(__u32 hook, __u32 zone,
						 __u32 peer, __u8 why,
						 __u8 action, __u64 generation,
						 struct syva_counters *c)
{
	__u64 pid_tgid, uid_gid;
	struct syva_state *st;
	struct syva_event *e;
	__u32 zero = 0;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		if (c)
			c->lost++;
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	st = bpf_map_lookup_elem(&state, &zero);
	if (st)
		e->event_id = __sync_fetch_and_add(&st->event_seq, 1) + 1;
	pid_tgid = bpf_get_current_pid_tgid();
	uid_gid = bpf_get_current_uid_gid();
	e->ts_boot_ns = bpf_ktime_get_boot_ns();
	e->cgroup_id = bpf_get_current_cgroup_id();
	e->generation = generation;
	e->pid = (__u32)pid_tgid;
	e->tgid = pid_tgid >> 32;
	e->uid = (__u32)uid_gid;
	e->zone = zone;
	e->peer_zone = peer;
	e->hook = hook;
	e->action = action;
	e->reason = why;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	return e;
}

/*
 * A denial: count it as deny or would-deny, set *ret to what the hook must
 * return, and reserve its event. The caller fills in the object and submits;
 * NULL means the ring buffer was full, which is counted as lost (the
 * decision stands either way).
 */
static __always_inline struct syva_event *deny(__u32 hook, __u32 zone,
					       __u32 peer, __u8 why, int *ret)
{
	struct syva_counters *c = bpf_map_lookup_elem(&counters, &hook);
	__u64 generation = 0;
	int audit = in_audit(zone, &generation);
	__u8 action = audit ? SYVA_ACT_AUDIT : SYVA_ACT_DENY;

	*ret = audit ? 0 : -EPERM;
	if (c) {
		if (audit)
			c->audit++;
		else
			c->deny++;
	}
	count_zone(zone, action);
	return record(hook, zone, peer, why, action, generation, c);
}

#include "file.bpf.h"
#include "cgroup.bpf.h"
#include "task.bpf.h"
#include "unix.bpf.h"
#include "net.bpf.h"
#include "escape.bpf.h"
