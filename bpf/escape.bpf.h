/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Cgroup-escape detection. A zoned task placed in a cgroup outside its zone
 * (not one that inherited the zone, not another cgroup of the same zone)
 * leaves every zone rule behind, and BPF-LSM has no hook to refuse that:
 * cgroup v2 only checks write access to the destination's cgroup.procs. So
 * this records and never denies. Two kernel paths put a task in a cgroup: a
 * write to cgroup.procs or cgroup.threads ends in cgroup_attach_task(),
 * watched by fentry (the source cgroup is known only before the move) and
 * fexit (whether it happened is known only after); clone3(CLONE_INTO_CGROUP)
 * creates the child in place, seen at sched_process_fork. Escapes are
 * counted in state.escapes; counters[cgroup_attach_task] counts as `allow`
 * the zoned moves that stayed in their zone and as `lost` the escape events
 * the ring buffer had no room for. Included by syva.bpf.c.
 */

/* A zoned task's move between fentry and fexit. */
struct escape_move {
	__u64 from;
	__u64 to;
};

/*
 * Keyed by the moved leader's address. cgroup_mutex serializes moves, so
 * one entry would do; a hash keeps that an assumption we do not depend on.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);
	__type(value, struct escape_move);
} escape_moves SEC(".maps");

/* `moved` went from cgroup `from` to cgroup `to`: record it if it escaped. */
static __always_inline void escape_check(__u64 from, __u64 to,
					 struct task_struct *moved, __u8 why)
{
	__u32 hook = SYVA_HOOK_CGROUP_ATTACH, zero = 0, zone, peer;
	struct syva_counters *c = bpf_map_lookup_elem(&counters, &hook);
	struct syva_state *st;
	struct syva_meta *m;
	struct syva_event *e;

	zone = zone_of_cgroup(from);
	if (zone == SYVA_ZONE_HOST)
		return;
	peer = zone_of_cgroup(to);
	if (peer == zone) {
		if (c)
			c->allow++;
		return;
	}
	st = bpf_map_lookup_elem(&state, &zero);
	if (st)
		__sync_fetch_and_add(&st->escapes, 1);
	m = bpf_map_lookup_elem(&meta, &zero);
	e = record(hook, zone, peer, why, SYVA_ACT_ESCAPE, m ? m->generation : 0, c);
	if (!e)
		return;
	e->target_cgroup_id = to;
	bpf_core_read(&e->target_pid, sizeof(e->target_pid), &moved->tgid);
	bpf_core_read_str(e->target_comm, sizeof(e->target_comm), &moved->comm);
	bpf_ringbuf_submit(e, 0);
}

SEC("fentry/cgroup_attach_task")
int BPF_PROG(syva_escape_enter, struct cgroup *dst, struct task_struct *leader,
	     bool threadgroup)
{
	__u64 key = (__u64)leader;
	struct escape_move mv;

	/* Only the leader is examined: threads share its cgroup on cgroup v2. */
	if (task_cgroup_id(leader, &mv.from) || cgroup_id(dst, &mv.to))
		return fail_open(SYVA_HOOK_CGROUP_ATTACH);
	if (mv.from == mv.to || zone_of_cgroup(mv.from) == SYVA_ZONE_HOST)
		return 0;
	bpf_map_update_elem(&escape_moves, &key, &mv, BPF_ANY);
	return 0;
}

/* A move the kernel then refused (a controller's can_attach) is no escape. */
SEC("fexit/cgroup_attach_task")
int BPF_PROG(syva_escape_exit, struct cgroup *dst, struct task_struct *leader,
	     bool threadgroup, int ret)
{
	__u64 key = (__u64)leader;
	struct escape_move *p = bpf_map_lookup_elem(&escape_moves, &key);
	struct escape_move mv;

	if (!p)
		return 0;
	mv = *p;
	bpf_map_delete_elem(&escape_moves, &key);
	if (!ret)
		escape_check(mv.from, mv.to, leader, SYVA_WHY_MOVED);
	return 0;
}

/*
 * The parent is current. A plain fork is born in the parent's cgroup and
 * costs one compare; only clone3(CLONE_INTO_CGROUP) gets further.
 */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(syva_escape_fork, struct task_struct *parent,
	     struct task_struct *child)
{
	__u64 from = bpf_get_current_cgroup_id(), to;

	if (task_cgroup_id(child, &to) || to == from)
		return 0;
	escape_check(from, to, child, SYVA_WHY_CLONED);
	return 0;
}
