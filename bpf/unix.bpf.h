/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unix socket boundaries: stream and seqpacket connect (unix_stream_connect)
 * and datagram send or connect (unix_may_send), pathname and abstract alike,
 * since both hooks run after the name is resolved to the peer socket. The
 * peer's zone is the zone of the cgroup that created the peer socket (the
 * kernel stamps it into sk_cgrp_data at socket creation and never moves it),
 * then the pair rule. Included by syva.bpf.c.
 */

#define UNIX_SUN_PATH 108

/* Cgroup v2 id of the cgroup that created sk (cgroup_id: cgroup.bpf.h). */
static __always_inline int unix_sock_cgroup(struct sock *sk, __u64 *id)
{
	struct cgroup *cg = NULL;

	if (!sk || bpf_core_read(&cg, sizeof(cg), &sk->sk_cgrp_data.cgroup))
		return -1;
	return cgroup_id(cg, id);
}

/*
 * The peer for the event: its bound name as path ("@name" for an abstract
 * one) and, for a listener, the pid that called listen(2).
 */
static __always_inline void unix_event_peer(struct syva_event *e, struct sock *sk)
{
	struct unix_sock *u = (struct unix_sock *)sk; /* sk is its first member */
	struct unix_address *addr = NULL;
	struct pid *pid = NULL;
	int len = 0;

	if (!bpf_core_read(&pid, sizeof(pid), &sk->sk_peer_pid) && pid)
		bpf_core_read(&e->target_pid, sizeof(e->target_pid), &pid->numbers[0].nr);
	if (bpf_core_read(&addr, sizeof(addr), &u->addr) || !addr ||
	    bpf_core_read(&len, sizeof(len), &addr->len))
		return;
	/* len counts sun_family and, for a pathname, the NUL. */
	len -= sizeof(__u16);
	if (len <= 0)
		return;
	if (len > UNIX_SUN_PATH)
		len = UNIX_SUN_PATH;
	if (bpf_core_read(e->path, len & 0x7f, &addr->name[0].sun_path))
		return;
	/* An abstract name starts with a NUL: show it the way ss(8) does. */
	if (!e->path[0])
		e->path[0] = '@';
}

static __always_inline int unix_decide(__u32 hook, __u32 zone, struct sock *peer_sk)
{
	struct syva_event *e;
	__u64 cgroup;
	__u32 peer;
	int ret;

	if (unix_sock_cgroup(peer_sk, &cgroup))
		return fail_open(hook);
	peer = zone_of_cgroup(cgroup);
	if (pair_allowed(zone, peer))
		return allow(hook, zone);

	e = deny(hook, zone, peer, SYVA_WHY_PAIR, &ret);
	if (e) {
		e->target_cgroup_id = cgroup;
		unix_event_peer(e, peer_sk);
		bpf_ringbuf_submit(e, 0);
	}
	return ret;
}

/* connect(2) on SOCK_STREAM and SOCK_SEQPACKET; other is the listener. */
SEC("lsm/unix_stream_connect")
int BPF_PROG(syva_unix_stream_connect, struct sock *sock, struct sock *other,
	     struct sock *newsk)
{
	__u32 zone = caller_zone();

	if (zone == SYVA_ZONE_HOST)
		return 0;
	return unix_decide(SYVA_HOOK_UNIX_CONNECT, zone, other);
}

/*
 * SOCK_DGRAM: connect(2), and every send, connected or not (the kernel
 * checks again per datagram). other is the receiving socket.
 */
SEC("lsm/unix_may_send")
int BPF_PROG(syva_unix_may_send, struct socket *sock, struct socket *other)
{
	__u32 zone = caller_zone();
	struct sock *sk = NULL;

	if (zone == SYVA_ZONE_HOST)
		return 0;
	if (bpf_core_read(&sk, sizeof(sk), &other->sk))
		return fail_open(SYVA_HOOK_UNIX_SEND);
	return unix_decide(SYVA_HOOK_UNIX_SEND, zone, sk);
}

/*
 * Self-test, attached by syva-load only while it tests: the owner cgroup of
 * a listener the loader made, read by the helper the hooks use, for the
 * loader's own connect.
 */
SEC("lsm/unix_stream_connect")
int BPF_PROG(syva_selftest_unix, struct sock *sock, struct sock *other,
	     struct sock *newsk)
{
	__u32 zero = 0;
	struct syva_selftest *st = bpf_map_lookup_elem(&selftest, &zero);

	if (!st || st->tgid != bpf_get_current_pid_tgid() >> 32)
		return 0;
	if (unix_sock_cgroup(other, &st->unix_cgroup_id))
		st->unix_cgroup_id = 0;
	st->hits++;
	return 0;
}
