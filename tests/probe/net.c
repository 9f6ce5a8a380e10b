// SPDX-License-Identifier: GPL-2.0-only
/*
 * probe ops for the network hooks: TCP/UDP connect, unconnected UDP sendto,
 * bind, and a TCP listener that serves in the background. ADDR is IPv4 or
 * IPv6 (an IPv4-mapped one goes through an AF_INET6 socket, as applications
 * write it). An optional last argument bends the socket address the way a
 * hostile or buggy caller would: "unspec" sets sa_family to AF_UNSPEC,
 * "len=N" passes addrlen N. A TCP connect waits at most 5 s, so "ok" means
 * the handshake completed and ECONNREFUSED means it reached a port nobody
 * listens on: neither was blocked by syva, which fails the call with EPERM
 * before any packet leaves.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "probe.h"

struct addr {
	struct sockaddr_storage ss;
	socklen_t len;
	int family; /* the socket's */
};

static int get_addr(char **argv, int mod_at, struct addr *a)
{
	struct sockaddr_in *sin = (void *)&a->ss;
	struct sockaddr_in6 *sin6 = (void *)&a->ss;
	const char *mod = argv[mod_at];
	char *end;
	long port = strtol(argv[1], &end, 10);

	memset(a, 0, sizeof(*a));
	if (*end || port < 0 || port > 65535)
		return -EINVAL;
	if (inet_pton(AF_INET, argv[0], &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		a->len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, argv[0], &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		a->len = sizeof(*sin6);
	} else {
		return -EINVAL;
	}
	a->family = a->ss.ss_family;
	if (!mod)
		return 0;
	if (!strcmp(mod, "unspec"))
		a->ss.ss_family = AF_UNSPEC;
	else if (!strncmp(mod, "len=", 4))
		a->len = atoi(mod + 4);
	else
		return -EINVAL;
	return 0;
}

static int proto(const char *p, int *type)
{
	if (!strcmp(p, "tcp"))
		*type = SOCK_STREAM;
	else if (!strcmp(p, "udp"))
		*type = SOCK_DGRAM;
	else
		return -EINVAL;
	return 0;
}

static int op_connect(char **argv)
{
	struct pollfd p;
	struct addr a;
	int type, fd, err = 0;
	socklen_t len = sizeof(err);

	if (proto(argv[0], &type) || get_addr(argv + 1, 2, &a))
		return -EINVAL;
	fd = socket(a.family, type | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return PROBE_ERR();
	if (!connect(fd, (struct sockaddr *)&a.ss, a.len))
		return 0;
	if (errno != EINPROGRESS)
		return PROBE_ERR();
	p = (struct pollfd){ .fd = fd, .events = POLLOUT };
	if (poll(&p, 1, 5000) == 0)
		return -ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		return PROBE_ERR();
	return -err;
}

static int op_sendto(char **argv)
{
	struct addr a;
	int fd;

	if (get_addr(argv, 2, &a))
		return -EINVAL;
	fd = socket(a.family, SOCK_DGRAM, 0);
	if (fd < 0)
		return PROBE_ERR();
	if (sendto(fd, "x", 1, 0, (struct sockaddr *)&a.ss, a.len) < 0)
		return PROBE_ERR();
	return 0;
}

static int op_bind(char **argv)
{
	struct addr a;
	int type, fd;

	if (proto(argv[0], &type) || get_addr(argv + 1, 2, &a))
		return -EINVAL;
	fd = socket(a.family, type, 0);
	if (fd < 0)
		return PROBE_ERR();
	return bind(fd, (struct sockaddr *)&a.ss, a.len) ? PROBE_ERR() : 0;
}

/* listen(2) on a TCP socket never bound: the kernel picks wildcard:port. */
static int op_listen_unbound(char **argv)
{
	int fd = socket(argv[0][0] == '6' ? AF_INET6 : AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return PROBE_ERR();
	return listen(fd, 1) ? PROBE_ERR() : 0;
}

/*
 * Listen on every PORT, then serve from a child that outlives probe (the
 * test kills it with its cgroup): "ok" is printed once the ports listen.
 */
static int op_listen(char **argv)
{
	struct pollfd p[16];
	int n = 0, i, one = 1, zero = 0, null;
	struct addr a;
	char *args[3] = { argv[0], NULL, NULL };

	for (i = 1; argv[i] && n < 16; i++, n++) {
		args[1] = argv[i];
		if (get_addr(args, 2, &a))
			return -EINVAL;
		p[n].fd = socket(a.family, SOCK_STREAM, 0);
		p[n].events = POLLIN;
		if (p[n].fd < 0)
			return PROBE_ERR();
		setsockopt(p[n].fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (a.family == AF_INET6) /* [::] serves IPv4 too */
			setsockopt(p[n].fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		if (bind(p[n].fd, (struct sockaddr *)&a.ss, a.len) ||
		    listen(p[n].fd, 128))
			return PROBE_ERR();
	}
	switch (fork()) {
	case -1:
		return PROBE_ERR();
	case 0:
		break;
	default:
		return 0;
	}
	/* Let $(probe listen ...) return: the server holds no caller's pipe. */
	null = open("/dev/null", O_RDWR);
	dup2(null, 0);
	dup2(null, 1);
	dup2(null, 2);
	for (;;) {
		if (poll(p, n, -1) < 0)
			continue;
		for (i = 0; i < n; i++)
			if (p[i].revents & POLLIN) {
				int c = accept(p[i].fd, NULL, NULL);

				if (c >= 0)
					close(c);
			}
	}
}

static const struct probe_op net_ops[] = {
	{ "connect", "tcp|udp ADDR PORT [unspec|len=N]", 3, op_connect },
	{ "sendto", "ADDR PORT [unspec|len=N]", 2, op_sendto },
	{ "bind", "tcp|udp ADDR PORT [unspec|len=N]", 3, op_bind },
	{ "listen", "ADDR PORT...", 2, op_listen },
	{ "listen-unbound", "4|6", 1, op_listen_unbound },
	{}
};
PROBE_OPS(net_ops)
