// SPDX-License-Identifier: GPL-2.0-only
/* probe ops for files: open, exec, executable mmap, mprotect(PROT_EXEC). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "probe.h"

static int op_open(char **argv)
{
	int fd = open(argv[0], O_RDONLY);

	if (fd < 0)
		return PROBE_ERR();
	close(fd);
	return 0;
}

/* The errno of execve itself, reported by the child through a pipe. */
static int op_exec(char **argv)
{
	int p[2], status, err = 0;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return PROBE_ERR();
	pid = fork();
	if (pid < 0)
		return PROBE_ERR();
	if (!pid) {
		char *args[] = { argv[0], NULL };

		close(p[0]);
		execv(argv[0], args);
		err = errno;
		if (write(p[1], &err, sizeof(err)) < 0)
			_exit(126);
		_exit(127);
	}
	close(p[1]);
	if (read(p[0], &err, sizeof(err)) != sizeof(err))
		err = 0;
	close(p[0]);
	waitpid(pid, &status, 0);
	return -err;
}

static int map_file(const char *path, int prot, void **addr)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return PROBE_ERR();
	*addr = mmap(NULL, 4096, prot, MAP_PRIVATE, fd, 0);
	close(fd);
	return *addr == MAP_FAILED ? PROBE_ERR() : 0;
}

static int op_mmap_exec(char **argv)
{
	void *a;

	return map_file(argv[0], PROT_READ | PROT_EXEC, &a);
}

static int op_mmap_read(char **argv)
{
	void *a;

	return map_file(argv[0], PROT_READ, &a);
}

/* Map read-only (allowed), then ask for PROT_EXEC: the mprotect bypass. */
static int op_mprotect_exec(char **argv)
{
	void *a;
	int err = map_file(argv[0], PROT_READ, &a);

	if (err)
		return err == -EPERM ? -EIO : err; /* not the call under test */
	return mprotect(a, 4096, PROT_READ | PROT_EXEC) ? PROBE_ERR() : 0;
}

/*
 * Open PATH where we are, then join cgroup CG and map the open file: the
 * mapping hooks are judged without file_open judging first.
 */
static int open_then_join(const char *path, const char *cg, int *fd)
{
	char procs[4096];
	int p;

	*fd = open(path, O_RDONLY);
	if (*fd < 0)
		return -EIO; /* not the call under test */
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg);
	p = open(procs, O_WRONLY);
	if (p < 0 || write(p, "0", 1) != 1)
		return -EIO;
	close(p);
	return 0;
}

static int fd_map(char **argv, int prot, bool then_exec)
{
	void *a;
	int fd, err = open_then_join(argv[0], argv[1], &fd);

	if (err)
		return err;
	a = mmap(NULL, 4096, prot, MAP_PRIVATE, fd, 0);
	if (a == MAP_FAILED)
		return then_exec ? -EIO : PROBE_ERR();
	if (then_exec && mprotect(a, 4096, PROT_READ | PROT_EXEC))
		return PROBE_ERR();
	return 0;
}

static int op_fd_mmap_exec(char **argv)
{
	return fd_map(argv, PROT_READ | PROT_EXEC, false);
}

static int op_fd_mmap_read(char **argv)
{
	return fd_map(argv, PROT_READ, false);
}

static int op_fd_mprotect_exec(char **argv)
{
	return fd_map(argv, PROT_READ, true);
}

/*
 * Open PATH over and over for MS milliseconds: EPERM when every open was
 * denied, "ok" as soon as one got through. The count goes to stderr.
 */
static int op_open_loop(char **argv)
{
	struct timespec t0, t;
	long ms = atol(argv[1]), n = 0;
	int fd;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		fd = open(argv[0], O_RDONLY);
		if (fd >= 0) {
			fprintf(stderr, "open %ld succeeded\n", n);
			close(fd);
			return 0;
		}
		if (errno != EPERM)
			return PROBE_ERR();
		n++;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < ms);
	fprintf(stderr, "%ld opens, all denied\n", n);
	return -EPERM;
}

/* Time N open+close of PATH; prints ns per open to stderr. */
static int op_open_bench(char **argv)
{
	struct timespec t0, t1;
	long n = atol(argv[1]), i;
	double ns;
	int fd;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		fd = open(argv[0], O_RDONLY);
		if (fd < 0)
			return PROBE_ERR();
		close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ns = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / (double)n;
	fprintf(stderr, "%.0f\n", ns);
	return 0;
}

static const struct probe_op file_ops[] = {
	{ "open", "PATH", 1, op_open },
	{ "exec", "PATH", 1, op_exec },
	{ "mmap-exec", "PATH", 1, op_mmap_exec },
	{ "mmap-read", "PATH", 1, op_mmap_read },
	{ "mprotect-exec", "PATH", 1, op_mprotect_exec },
	{ "fd-mmap-exec", "PATH CGROUP", 2, op_fd_mmap_exec },
	{ "fd-mmap-read", "PATH CGROUP", 2, op_fd_mmap_read },
	{ "fd-mprotect-exec", "PATH CGROUP", 2, op_fd_mprotect_exec },
	{ "open-loop", "PATH MS", 2, op_open_loop },
	{ "open-bench", "PATH N", 2, op_open_bench },
	{}
};
PROBE_OPS(file_ops)
