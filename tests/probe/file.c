// SPDX-License-Identifier: GPL-2.0-only
/* probe ops for files: open, exec, executable mmap, mprotect(PROT_EXEC). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
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

static const struct probe_op file_ops[] = {
	{ "open", "PATH", 1, op_open },
	{ "exec", "PATH", 1, op_exec },
	{ "mmap-exec", "PATH", 1, op_mmap_exec },
	{ "mmap-read", "PATH", 1, op_mmap_read },
	{ "mprotect-exec", "PATH", 1, op_mprotect_exec },
	{}
};
PROBE_OPS(file_ops)
