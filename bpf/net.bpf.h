/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Network boundaries: socket_connect, socket_sendmsg (the destination of an
 * unconnected send) and socket_bind, for IPv4 and IPv6 socket addresses. A
 * destination is turned into the 16-byte form the maps use (IPv4 as
 * ::ffff:a.b.c.d), so an IPv4-mapped IPv6 address is judged exactly as the
 * IPv4 address it carries. The order is: loopback passes; a pod IP in
 * ipzones follows the pair rule (for open and isolated zones alike, and
 * before the allowlist); an open zone passes; an isolated zone passes only
 * through its egress allowlist. bind allows loopback only for isolated zones
 * and never consults the allowlist. Included by syva.bpf.c.
 */
#include <bpf/bpf_endian.h>

#define AF_UNSPEC 0
#define AF_INET 2
#define AF_INET6 10

/*
 * The shortest address each protocol accepts: struct sockaddr_in, and
 * SIN6_LEN_RFC2133 (sockaddr_in6 without sin6_scope_id). Every IPv4/IPv6
 * protocol (tcp, udp, raw, ping, their v6 twins) refuses anything shorter
 * with EINVAL after this hook, and the bytes past addrlen are uninitialised
 * stack in the syscall, so a shorter address is never interpreted.
 */
#define NET_SIN_LEN 16
#define NET_SIN6_LEN 24

/* A destination or bind address as the maps key it. */
struct net_dst {
	union {
		struct syva_ip ip;
		__u32 w[4];
	};
	__u16 port; /* host order */
	__u8 v4;    /* IPv4, including IPv4-mapped and AF_UNSPEC-as-IPv4 */
};

enum net_read {
	NET_JUDGE,     /* an IPv4/IPv6 address to decide on */
	NET_PASS,      /* not an IP address (other family, disconnect) */
	NET_MALFORMED, /* too short for its family: the protocol will refuse it */
	NET_ERROR,     /* a kernel read failed */
};

static __always_inline int net_read_addr(struct socket *sock,
					 struct sockaddr *sa, int len,
					 bool unspec_is_v4, struct net_dst *d)
{
	struct sockaddr_in6 *sin6 = (void *)sa;
	struct sockaddr_in *sin = (void *)sa;
	__u16 fam = 0, port = 0;

	if (!sa)
		return NET_PASS;
	if (len < (int)sizeof(sa->sa_family))
		return NET_MALFORMED;
	if (bpf_core_read(&fam, sizeof(fam), &sa->sa_family))
		return NET_ERROR;
	/*
	 * AF_UNSPEC on an AF_INET socket is read as IPv4 by udp_sendmsg and
	 * raw_sendmsg, and inet_bind takes it as 0.0.0.0: the wildcard. On
	 * connect it means "disconnect", and an AF_INET6 socket ignores it.
	 */
	if (fam == AF_UNSPEC && unspec_is_v4) {
		if (BPF_CORE_READ_INTO(&fam, sock, sk, __sk_common.skc_family))
			return NET_ERROR;
		if (fam != AF_INET)
			return NET_PASS;
	}
	if (fam == AF_INET) {
		if (len < NET_SIN_LEN)
			return NET_MALFORMED;
		d->w[0] = 0;
		d->w[1] = 0;
		d->w[2] = bpf_htonl(0xffff);
		if (bpf_core_read(&d->w[3], 4, &sin->sin_addr) ||
		    bpf_core_read(&port, sizeof(port), &sin->sin_port))
			return NET_ERROR;
		d->v4 = 1;
	} else if (fam == AF_INET6) {
		if (len < NET_SIN6_LEN)
			return NET_MALFORMED;
		if (bpf_core_read(&d->ip, 16, &sin6->sin6_addr) ||
		    bpf_core_read(&port, sizeof(port), &sin6->sin6_port))
			return NET_ERROR;
		d->v4 = !d->w[0] && !d->w[1] && d->w[2] == bpf_htonl(0xffff);
	} else {
		return NET_PASS;
	}
	d->port = bpf_ntohs(port);
	return NET_JUDGE;
}

/* 127.0.0.0/8 (also as ::ffff:127.x.y.z) and ::1; not 0.0.0.0 or ::. */
static __always_inline bool net_loopback(const struct net_dst *d)
{
	if (d->v4)
		return d->ip.addr[12] == 127;
	return !d->w[0] && !d->w[1] && !d->w[2] && d->w[3] == bpf_htonl(1);
}

/*
 * The longest allowlisted prefix of the zone holding the destination; its
 * effective ranges already include every covering prefix's ports.
 */
static __always_inline bool net_egress_allowed(__u32 zone,
					       const struct net_dst *d)
{
	struct syva_ports *p;
	__u32 i, n;

	if (d->v4) {
		struct syva_egress4_key k = {
			.prefixlen = 32 + 32,
			.zone = bpf_htonl(zone),
		};

		__builtin_memcpy(k.addr, &d->ip.addr[12], 4);
		p = bpf_map_lookup_elem(&egress4, &k);
	} else {
		struct syva_egress6_key k = {
			.prefixlen = 32 + 128,
			.zone = bpf_htonl(zone),
		};

		__builtin_memcpy(k.addr, d->ip.addr, 16);
		p = bpf_map_lookup_elem(&egress6, &k);
	}
	if (!p)
		return false;
	n = p->nr_effective;
	for (i = 0; i < SYVA_PORT_RANGES; i++) {
		if (i >= n)
			break;
		if (d->port >= p->effective[i].lo && d->port <= p->effective[i].hi)
			return true;
	}
	return false;
}

static __always_inline int net_deny(__u32 hook, __u32 zone, __u32 peer,
				    __u8 why, const struct net_dst *d)
{
	struct syva_event *e;
	int ret;

	e = deny(hook, zone, peer, why, &ret);
	if (e) {
		/* family says how to print addr: as it was judged. */
		e->family = d->v4 ? AF_INET : AF_INET6;
		__builtin_memcpy(e->addr, d->ip.addr, 16);
		e->port = d->port;
		bpf_ringbuf_submit(e, 0);
	}
	return ret;
}

/* connect and sendmsg: where may this zone send? */
static __always_inline int net_egress(__u32 hook, __u32 zone,
				      struct net_dst *d)
{
	struct syva_zone *z;
	__u32 *owner, peer;

	if (net_loopback(d))
		return allow(hook, zone);
	/* A pod IP is a zone's object: the pair rule, before the allowlist. */
	owner = bpf_map_lookup_elem(&ipzones, &d->ip);
	if (owner) {
		peer = *owner;
		if (pair_allowed(zone, peer))
			return allow(hook, zone);
		return net_deny(hook, zone, peer, SYVA_WHY_PAIR, d);
	}
	z = zone_policy(zone);
	if (z && (z->flags & SYVA_ZONE_NET_OPEN))
		return allow(hook, zone);
	if (net_egress_allowed(zone, d))
		return allow(hook, zone);
	return net_deny(hook, zone, SYVA_ZONE_HOST, SYVA_WHY_ISOLATED, d);
}

/* What a read outcome other than NET_JUDGE returns. */
static __always_inline int net_unjudged(__u32 hook, int r)
{
	/*
	 * Malformed: counted as an error and left to the protocol, which
	 * refuses it with EINVAL before anything is sent or bound (see
	 * NET_SIN_LEN); denying would only change that errno to EPERM.
	 */
	if (r == NET_MALFORMED || r == NET_ERROR)
		return fail_open(hook);
	return 0;
}

SEC("lsm/socket_connect")
int BPF_PROG(syva_socket_connect, struct socket *sock,
	     struct sockaddr *address, int addrlen)
{
	__u32 zone = caller_zone();
	struct net_dst d = {};
	int r;

	if (zone == SYVA_ZONE_HOST)
		return 0;
	r = net_read_addr(sock, address, addrlen, false, &d);
	if (r != NET_JUDGE)
		return net_unjudged(SYVA_HOOK_SOCK_CONNECT, r);
	return net_egress(SYVA_HOOK_SOCK_CONNECT, zone, &d);
}

/*
 * Only a send that names its destination is judged: a connected socket's
 * destination went through socket_connect (TCP always does; a TCP Fast Open
 * sendto names one and is judged here).
 */
SEC("lsm/socket_sendmsg")
int BPF_PROG(syva_socket_sendmsg, struct socket *sock, struct msghdr *msg,
	     int size)
{
	__u32 zone = caller_zone();
	struct net_dst d = {};
	void *name = NULL;
	int namelen = 0, r;

	if (zone == SYVA_ZONE_HOST)
		return 0;
	if (bpf_core_read(&name, sizeof(name), &msg->msg_name))
		return fail_open(SYVA_HOOK_SOCK_SENDMSG);
	if (!name)
		return 0;
	if (bpf_core_read(&namelen, sizeof(namelen), &msg->msg_namelen))
		return fail_open(SYVA_HOOK_SOCK_SENDMSG);
	r = net_read_addr(sock, name, namelen, true, &d);
	if (r != NET_JUDGE)
		return net_unjudged(SYVA_HOOK_SOCK_SENDMSG, r);
	return net_egress(SYVA_HOOK_SOCK_SENDMSG, zone, &d);
}

/*
 * An isolated zone binds loopback only: the wildcard (0.0.0.0, ::, and
 * AF_UNSPEC on an AF_INET socket, which inet_bind takes as 0.0.0.0) would
 * make it reachable from everywhere. An open zone binds anything.
 */
SEC("lsm/socket_bind")
int BPF_PROG(syva_socket_bind, struct socket *sock, struct sockaddr *address,
	     int addrlen)
{
	__u32 zone = caller_zone();
	struct net_dst d = {};
	struct syva_zone *z;
	int r;

	if (zone == SYVA_ZONE_HOST)
		return 0;
	r = net_read_addr(sock, address, addrlen, true, &d);
	if (r != NET_JUDGE)
		return net_unjudged(SYVA_HOOK_SOCK_BIND, r);
	if (net_loopback(&d))
		return allow(SYVA_HOOK_SOCK_BIND, zone);
	z = zone_policy(zone);
	if (z && (z->flags & SYVA_ZONE_NET_OPEN))
		return allow(SYVA_HOOK_SOCK_BIND, zone);
	return net_deny(SYVA_HOOK_SOCK_BIND, zone, SYVA_ZONE_HOST, SYVA_WHY_BIND,
			&d);
}

/*
 * listen(2) on a socket never bound binds it to the wildcard address
 * itself (inet autobind), without socket_bind: an isolated zone would be
 * reachable from the network that way. A socket already bound passed
 * socket_bind, whatever address it chose.
 */
SEC("lsm/socket_listen")
int BPF_PROG(syva_socket_listen, struct socket *sock, int backlog)
{
	__u32 zone = caller_zone();
	struct net_dst d = {};
	struct syva_zone *z;
	struct sock *sk = NULL;
	__u16 family = 0, num = 0;

	if (zone == SYVA_ZONE_HOST)
		return 0;
	if (bpf_core_read(&sk, sizeof(sk), &sock->sk) || !sk ||
	    bpf_core_read(&family, sizeof(family), &sk->__sk_common.skc_family) ||
	    bpf_core_read(&num, sizeof(num), &sk->__sk_common.skc_num))
		return fail_open(SYVA_HOOK_SOCK_LISTEN);
	if ((family != AF_INET && family != AF_INET6) || num)
		return allow(SYVA_HOOK_SOCK_LISTEN, zone);
	z = zone_policy(zone);
	if (z && (z->flags & SYVA_ZONE_NET_OPEN))
		return allow(SYVA_HOOK_SOCK_LISTEN, zone);
	/* The address it would get: the wildcard of its family. */
	d.v4 = family == AF_INET;
	if (d.v4) {
		d.ip.addr[10] = 0xff;
		d.ip.addr[11] = 0xff;
	}
	return net_deny(SYVA_HOOK_SOCK_LISTEN, zone, SYVA_ZONE_HOST, SYVA_WHY_BIND,
			&d);
}
