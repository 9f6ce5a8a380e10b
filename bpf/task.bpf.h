/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Process boundaries: ptrace (attach, and the /proc reads the kernel routes
 * through the same check), PTRACE_TRACEME, signals a task sends (task_kill),
 * and SIGIO/SIGURG, which the kernel raises from whatever context did the
 * I/O on behalf of whoever set the file's owner (file_set_fowner records
 * that setter, file_send_sigiotask judges it). Signals follow the pair rule;
 * ptrace never crosses into another zone. An unzoned target is zone `host`
 * in the pair rule. Included by syva.bpf.c.
 */

#define PTRACE_MODE_NOAUDIT 0x04
#define PF_EXITING 0x00000004
#define SEND_SIG_NOINFO 0
#define SEND_SIG_PRIV 1

/* Zone of a task through its cgroup; -1 when the kernel read fails. */
static __always_inline int task_zone(struct task_struct *t, __u32 *zone)
{
	__u64 id;

	if (task_cgroup_id(t, &id))
		return -1;
	*zone = zone_of_cgroup(id);
	return 0;
}

/* The other side of a process decision, for the event. */
static __always_inline void event_task(struct syva_event *e, struct task_struct *t)
{
	bpf_core_read(&e->target_pid, sizeof(e->target_pid), &t->tgid);
	bpf_core_read_str(e->target_comm, sizeof(e->target_comm), &t->comm);
	if (task_cgroup_id(t, &e->target_cgroup_id))
		e->target_cgroup_id = 0;
}

/*
 * ptrace is judged from the tracer's side. A zone traces nothing unless it
 * has --ptrace; with it, its own processes, and unzoned ones once the pair
 * ZONE-host is allowed. Pairs between two zones never open ptrace: tracing
 * reads and writes another program's memory and registers, which is not the
 * communication a pair grants. Returns the reason to deny, or NONE.
 */
static __always_inline __u8 ptrace_why(__u32 tracer, __u32 tracee)
{
	struct syva_zone *z;

	if (tracer != tracee &&
	    (tracee != SYVA_ZONE_HOST || !pair_allowed(tracer, SYVA_ZONE_HOST)))
		return SYVA_WHY_PAIR;
	z = zone_policy(tracer);
	if (!z || !(z->flags & SYVA_ZONE_PTRACE))
		return SYVA_WHY_PTRACE_SAME;
	return SYVA_WHY_NONE;
}

/*
 * Also reached by every /proc/PID file that needs "may read this process"
 * (environ, maps, fd/, exe, ...), by process_vm_readv, kcmp, pidfd_getfd and
 * perf: the same rule applies to all of them. The kernel returns before this
 * hook for the caller's own threads.
 */
SEC("lsm/ptrace_access_check")
int BPF_PROG(syva_ptrace_access_check, struct task_struct *child,
	     unsigned int mode)
{
	__u32 zone = caller_zone(), peer;
	struct syva_event *e;
	__u64 generation;
	__u8 why;
	int ret;

	if (zone == SYVA_ZONE_HOST)
		return 0;
	if (task_zone(child, &peer))
		return fail_open(SYVA_HOOK_PTRACE);
	why = ptrace_why(zone, peer);
	if (why == SYVA_WHY_NONE)
		return allow(SYVA_HOOK_PTRACE, zone);
	/*
	 * NOAUDIT is the kernel asking quietly: /proc/PID/stat uses it to decide
	 * whether to show its address fields or to blank them. Same answer, but
	 * no counter and no event, or every `ps` in a zone would record a
	 * denial per process outside it.
	 */
	if (mode & PTRACE_MODE_NOAUDIT)
		return in_audit(zone, &generation) ? 0 : -EPERM;

	e = deny(SYVA_HOOK_PTRACE, zone, peer, why, &ret);
	if (e) {
		event_task(e, child);
		bpf_ringbuf_submit(e, 0);
	}
	return ret;
}

/*
 * PTRACE_TRACEME: the caller offers itself to its parent, so the parent is
 * the tracer and its zone's rule applies (an unzoned parent may trace
 * anything, as with attach). The event's zone is the parent's; pid and comm
 * are the caller's, target_pid the parent.
 */
SEC("lsm/ptrace_traceme")
int BPF_PROG(syva_ptrace_traceme, struct task_struct *parent)
{
	__u32 tracer, tracee;
	struct syva_event *e;
	__u8 why;
	int ret;

	if (task_zone(parent, &tracer))
		return fail_open(SYVA_HOOK_PTRACE);
	if (tracer == SYVA_ZONE_HOST)
		return 0;
	tracee = caller_zone();
	why = ptrace_why(tracer, tracee);
	if (why == SYVA_WHY_NONE)
		return allow(SYVA_HOOK_PTRACE, tracer);

	e = deny(SYVA_HOOK_PTRACE, tracer, tracee, why, &ret);
	if (e) {
		event_task(e, parent);
		bpf_ringbuf_submit(e, 0);
	}
	return ret;
}

/*
 * The raw value of hook argument n. 6.12's verifier (not 6.1's) takes
 * task_kill's pointer arguments as trusted, hence never NULL, and dropped
 * `if (cred) return 0;` as always taken: the whole program became "return
 * 0" (bpftool prog dump xlated). info (SEND_SIG_NOINFO is NULL,
 * SEND_SIG_PRIV is 1) and cred (NULL but for USB async I/O) are therefore
 * tested as plain numbers.
 */
static __always_inline __u64 hook_arg(void *ctx, __u32 n)
{
	__u64 v = 0;

	bpf_get_func_arg(ctx, n, &v);
	return v;
}

/*
 * A signal the pair rule would stop but that is not the caller's doing. The
 * kernel already keeps its own signals (SIGCHLD, SIGPIPE, tty SIGHUP/SIGINT,
 * timers: SEND_SIG_PRIV or si_code > 0) away from this hook; they are let
 * through here too in case a path ever passes one. The one signal the kernel
 * sends as if the caller had called kill(2) is PR_SET_PDEATHSIG: the child
 * asked for it, and its exiting parent only chooses when to die.
 */
static __always_inline int kill_not_callers(struct task_struct *p, __u64 info,
					    int sig)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct kernel_siginfo *si = (struct kernel_siginfo *)info;
	unsigned int flags = 0;
	int code = 0, want = 0;

	if (info == SEND_SIG_PRIV)
		return 1;
	if (info != SEND_SIG_NOINFO)
		return !bpf_core_read(&code, sizeof(code), &si->si_code) && code > 0;
	/* No siginfo, from an exiting task: only the pdeath signal. */
	if (!sig || bpf_core_read(&flags, sizeof(flags), &cur->flags) ||
	    !(flags & PF_EXITING))
		return 0;
	return !bpf_core_read(&want, sizeof(want), &p->pdeath_signal) && want == sig;
}

/*
 * kill(2) and relatives: kill, tkill, tgkill, rt_(tg)sigqueueinfo,
 * pidfd_send_signal, and each target of a group or -1 kill. Signal 0 (does
 * it exist?) is judged like any signal: it probes another zone's pids.
 */
SEC("lsm/task_kill")
int BPF_PROG(syva_task_kill, struct task_struct *p, struct kernel_siginfo *info,
	     int sig, const struct cred *cred)
{
	struct syva_event *e;
	__u32 zone, peer;
	int ret;

	/*
	 * Only USB async I/O passes a cred: completion is signalled from
	 * interrupt context, to the process that submitted the request and
	 * chose the signal. current is not the sender.
	 */
	if (hook_arg(ctx, 3))
		return 0;
	zone = caller_zone();
	if (zone == SYVA_ZONE_HOST)
		return 0;
	if (task_zone(p, &peer))
		return fail_open(SYVA_HOOK_TASK_KILL);
	if (pair_allowed(zone, peer) || kill_not_callers(p, hook_arg(ctx, 1), sig))
		return allow(SYVA_HOOK_TASK_KILL, zone);

	e = deny(SYVA_HOOK_TASK_KILL, zone, peer, SYVA_WHY_PAIR, &ret);
	if (e) {
		event_task(e, p);
		bpf_ringbuf_submit(e, 0);
	}
	return ret;
}

/*
 * F_SETOWN, F_SETOWN_EX, FIOSETOWN/SIOCSPGRP and tty O_ASYNC all pass here
 * just before the owner changes: remember who set it. An unzoned setter
 * leaves no entry, so an unzoned sender costs send_sigiotask one lookup.
 * fowners is an LRU keyed by the file's address: a freed file's entry ages
 * out or is overwritten by the next F_SETOWN on a file at that address, but
 * an entry evicted while its file lives makes that file's sender look
 * unzoned. Its capacity (SYVA_DEF_FOWNERS) is what bounds that.
 */
SEC("lsm/file_set_fowner")
int BPF_PROG(syva_file_set_fowner, struct file *file)
{
	__u64 key = (__u64)file;
	__u32 zone = caller_zone();

	if (zone == SYVA_ZONE_HOST)
		bpf_map_delete_elem(&fowners, &key);
	else
		bpf_map_update_elem(&fowners, &key, &zone, BPF_ANY);
	return 0;
}

/* Up to 6.11 the owner is embedded in struct file; 6.12 moved it out. */
struct file___embedded_fown {
	struct fown_struct f_owner;
} __attribute__((preserve_access_index));

/* The file a fown_struct belongs to, or NULL. */
static __always_inline struct file *fown_file(struct fown_struct *fown)
{
	struct file *f = NULL;

	/* 6.12 allocates the owner on first use, with a back pointer. */
	if (bpf_core_field_exists(struct fown_struct, file)) {
		if (bpf_core_read(&f, sizeof(f), &fown->file))
			return NULL;
		return f;
	}
	return (struct file *)((char *)fown -
			       bpf_core_field_offset(struct file___embedded_fown, f_owner));
}

/*
 * SIGIO (sig 0 unless F_SETSIG chose one; F_SETSIG may choose SIGKILL) and
 * SIGURG to one task of the file's owner. The kernel drops the signal on
 * denial; the sender is the recorded setter, never current, which may be a
 * softirq or whoever wrote to the pipe. The event's zone is the setter's;
 * its pid and comm are whatever task was running when the I/O raised it.
 */
SEC("lsm/file_send_sigiotask")
int BPF_PROG(syva_file_send_sigiotask, struct task_struct *tsk,
	     struct fown_struct *fown, int sig)
{
	struct syva_event *e;
	__u32 *setter, zone, peer;
	__u64 key;
	int ret;

	key = (__u64)fown_file(fown);
	if (!key)
		return fail_open(SYVA_HOOK_SIGIOTASK);
	setter = bpf_map_lookup_elem(&fowners, &key);
	if (!setter)
		return 0;
	zone = *setter;
	if (task_zone(tsk, &peer))
		return fail_open(SYVA_HOOK_SIGIOTASK);
	if (pair_allowed(zone, peer))
		return allow(SYVA_HOOK_SIGIOTASK, zone);

	e = deny(SYVA_HOOK_SIGIOTASK, zone, peer, SYVA_WHY_PAIR, &ret);
	if (e) {
		event_task(e, tsk);
		bpf_ringbuf_submit(e, 0);
	}
	return ret;
}
