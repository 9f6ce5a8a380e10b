// SPDX-License-Identifier: GPL-2.0-only
/*
 * probe ops for Unix sockets: a server to be the peer (started inside the
 * cgroup whose zone the test wants the socket to have, since the kernel
 * stamps a socket with its creator's cgroup), and the client calls the
 * hooks judge: stream and seqpacket connect, datagram send and connect.
 * ADDR is a path, or @NAME for an abstract name.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "probe.h"

static int unix_addr(const char *s, struct sockaddr_un *a, socklen_t *len)
{
	size_t n = strlen(s);

	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (n < 1 || n >= sizeof(a->sun_path))
		return -EINVAL;
	memcpy(a->sun_path, s, n);
	*len = offsetof(struct sockaddr_un, sun_path) + n;
	if (s[0] == '@')
		a->sun_path[0] = '\0'; /* abstract: no trailing NUL either */
	else
		*len += 1;
	return 0;
}

static int unix_type(const char *s)
{
	if (!strcmp(s, "stream"))
		return SOCK_STREAM;
	if (!strcmp(s, "seqpacket"))
		return SOCK_SEQPACKET;
	if (!strcmp(s, "dgram"))
		return SOCK_DGRAM;
	return -1;
}

/*
 * unix-serve TYPE ADDR: bind (and listen), then return, leaving a server
 * that accepts and closes, or reads and drops, until it is killed.
 */
static int op_unix_serve(char **argv)
{
	int type = unix_type(argv[0]), fd, c, null;
	struct sockaddr_un a;
	socklen_t len;
	char buf[256];
	pid_t pid;

	if (type < 0 || unix_addr(argv[1], &a, &len))
		return -EINVAL;
	if (a.sun_path[0])
		unlink(a.sun_path);
	fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, len))
		return PROBE_ERR();
	if (type != SOCK_DGRAM && listen(fd, 64))
		return PROBE_ERR();
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return PROBE_ERR();
	if (pid)
		return 0; /* ready: the socket is bound and listening */
	setsid();
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	if (fd != 3) {
		dup2(fd, 3);
		fd = 3;
	}
	close_range(4, ~0U, 0); /* the test runner's fds */
	for (;;) {
		if (type == SOCK_DGRAM) {
			if (recv(fd, buf, sizeof(buf), 0) < 0 && errno != EINTR)
				_exit(1);
			continue;
		}
		c = accept(fd, NULL, NULL);
		if (c >= 0)
			close(c);
	}
}

static int client(const char *type_s, const char *addr, int *fd,
		  struct sockaddr_un *a, socklen_t *len)
{
	int type = unix_type(type_s);

	if (type < 0 || unix_addr(addr, a, len))
		return -EINVAL;
	*fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	return *fd < 0 ? -EIO : 0;
}

/* unix-connect TYPE ADDR: connect(2); stream and seqpacket, or dgram. */
static int op_unix_connect(char **argv)
{
	struct sockaddr_un a;
	socklen_t len;
	int fd, err = client(argv[0], argv[1], &fd, &a, &len);

	if (err)
		return err;
	err = connect(fd, (struct sockaddr *)&a, len) ? PROBE_ERR() : 0;
	close(fd);
	return err;
}

/* unix-send ADDR: one datagram by sendto(2), no connect. */
static int op_unix_send(char **argv)
{
	struct sockaddr_un a;
	socklen_t len;
	int fd, err = client("dgram", argv[0], &fd, &a, &len);

	if (err)
		return err;
	err = sendto(fd, "x", 1, 0, (struct sockaddr *)&a, len) == 1 ? 0 : PROBE_ERR();
	close(fd);
	return err;
}

static const struct probe_op unix_ops[] = {
	{ "unix-serve", "stream|seqpacket|dgram ADDR (returns once bound)", 2, op_unix_serve },
	{ "unix-connect", "stream|seqpacket|dgram ADDR", 2, op_unix_connect },
	{ "unix-send", "ADDR (a datagram, by sendto)", 1, op_unix_send },
	{}
};
PROBE_OPS(unix_ops)
