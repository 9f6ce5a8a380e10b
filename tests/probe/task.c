// SPDX-License-Identifier: GPL-2.0-only
/*
 * probe ops for process boundaries: ptrace attach and PTRACE_TRACEME, the
 * ptrace-guarded /proc read, kill, SIGIO/SIGURG through F_SETOWN, and the
 * signals the kernel sends on a task's behalf (SIGCHLD, the parent-death
 * signal). A delivery op prints "ok" when the target got the signal and
 * "EPERM" when it did not, the kernel's silent drop on a denied sender; a
 * failure of anything but the call under test is EIO. Targets are made with
 * `probe hold`, which keeps those signals blocked, so a delivered one stays
 * visible as pending in /proc/PID/status without anyone racing to read it.
 *
 * Two environment variables apply to every op, so that the VM suites check
 * an errno and a counter with one exec instead of five (tests/vm/lib.bash
 * qexpect; under TCG an exec is what costs): SYVA_PROBE_CG=DIR moves probe
 * into that cgroup before anything else, as `inside DIR probe` would, and
 * SYVA_PROBE_DENY=HOOK prints "deny+N" after the result: how far HOOK's deny
 * counter moved, read from the pinned counters map before the op and at
 * exit. (Both would sit better in main.c.)
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "probe.h"
#include "syva.h"

/* ---- the deny counter watch (SYVA_PROBE_DENY) ---------------------------- */

static int join(const char *cg);

static int watch_slot = -1;
static long long watch_before = -1;

/* counters[slot].deny summed over every CPU, or -1 (as probe counter). */
static long long deny_count(int slot)
{
	struct syva_counters *v;
	long long sum = -1;
	char path[4096];
	int fd, i, n = libbpf_num_possible_cpus();

	snprintf(path, sizeof(path), "%s/%s", syva_pin_root(), SYVA_MAP_COUNTERS);
	fd = bpf_obj_get(path);
	if (fd < 0 || n <= 0)
		return -1;
	v = calloc(n, sizeof(*v));
	if (v && !bpf_map_lookup_elem(fd, &slot, v))
		for (sum = 0, i = 0; i < n; i++)
			sum += v[i].deny;
	free(v);
	close(fd);
	return sum;
}

static void watch_report(void)
{
	long long after = deny_count(watch_slot);

	if (watch_before < 0 || after < 0)
		printf("deny+?\n");
	else
		printf("deny+%lld\n", after - watch_before);
}

__attribute__((constructor)) static void probe_env(void)
{
	const char *cg = getenv("SYVA_PROBE_CG"), *hook = getenv("SYVA_PROBE_DENY");

	if (cg && *cg && join(cg)) {
		fprintf(stderr, "probe: cannot join cgroup %s\n", cg);
		exit(2);
	}
	if (!hook)
		return;
	watch_slot = syva_hook_slot(hook);
	if (watch_slot >= 0)
		watch_before = deny_count(watch_slot);
	atexit(watch_report);
}

/* Move the calling process into cgroup directory CG ("-": stay). */
static int join(const char *cg)
{
	char path[4096];
	int fd, ok;

	if (!strcmp(cg, "-"))
		return 0;
	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -EIO;
	ok = write(fd, "0", 1) == 1;
	close(fd);
	return ok ? 0 : -EIO;
}

static int parse_pid(const char *s, pid_t *pid)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end || v <= 0)
		return -EINVAL;
	*pid = v;
	return 0;
}

/* A signal by number or name, with or without SIG: 0, 10, USR1, SIGUSR1. */
static int parse_sig(const char *s, int *sig)
{
	char *end;
	long v = strtol(s, &end, 10);
	int i;

	if (!*end && v >= 0 && v < NSIG) {
		*sig = v;
		return 0;
	}
	if (!strncmp(s, "SIG", 3))
		s += 3;
	for (i = 1; i < NSIG; i++)
		if (sigabbrev_np(i) && !strcmp(s, sigabbrev_np(i))) {
			*sig = i;
			return 0;
		}
	return -EINVAL;
}

/* Is sig pending for pid (thread or process wide)? 1, 0, or -EIO. */
static int pending(pid_t pid, int sig)
{
	char path[64], line[256];
	unsigned long long mask;
	int found = 0, on = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -EIO;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "SigPnd: %llx", &mask) == 1 ||
		    sscanf(line, "ShdPnd: %llx", &mask) == 1) {
			found++;
			on |= !!(mask & (1ULL << (sig - 1)));
		}
	fclose(f);
	return found == 2 ? on : -EIO;
}

/* Run fn(arg) in a child that first joins cgroup CG; its result. */
static int in_child(const char *cg, int (*fn)(void *), void *arg)
{
	int p[2], status, err = -EIO;
	pid_t pid;

	if (!strcmp(cg, "-"))
		return fn(arg);
	if (pipe2(p, O_CLOEXEC))
		return -EIO;
	pid = fork();
	if (pid < 0)
		return -EIO;
	if (!pid) {
		close(p[0]);
		err = join(cg);
		if (!err)
			err = fn(arg);
		_exit(write(p[1], &err, sizeof(err)) == sizeof(err) ? 0 : 1);
	}
	close(p[1]);
	if (read(p[0], &err, sizeof(err)) != sizeof(err))
		err = -EIO;
	close(p[0]);
	waitpid(pid, &status, 0);
	return err;
}

/* The signals a hold process keeps blocked. */
static void held(sigset_t *s)
{
	sigemptyset(s);
	sigaddset(s, SIGIO);
	sigaddset(s, SIGURG);
	sigaddset(s, SIGUSR1);
	sigaddset(s, SIGUSR2);
}

/*
 * hold: a target process. Prints its pid and returns at once, leaving it
 * running (in our cgroup, detached from our output) with SIGIO, SIGURG,
 * SIGUSR1 and SIGUSR2 blocked, so they stay pending once delivered.
 */
static int op_hold(char **argv)
{
	sigset_t s;
	pid_t pid;
	int fd;

	(void)argv;
	held(&s);
	if (sigprocmask(SIG_BLOCK, &s, NULL))
		return -EIO;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -EIO;
	if (!pid) {
		setsid();
		fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		close_range(3, ~0U, 0); /* and the test runner's fds */
		for (;;)
			pause();
	}
	printf("%d\n", pid);
	return 0;
}

static int op_ptrace_attach(char **argv)
{
	pid_t pid;
	int status;

	if (parse_pid(argv[0], &pid))
		return -EINVAL;
	if (ptrace(PTRACE_ATTACH, pid, NULL, NULL))
		return PROBE_ERR();
	/* Attach stops the tracee: wait for it, then let it go unchanged. */
	if (waitpid(pid, &status, __WALL) != pid ||
	    ptrace(PTRACE_DETACH, pid, NULL, NULL))
		return -EIO;
	return 0;
}

/* A PTRACE_MODE_READ access: opening /proc/PID/environ. */
static int op_ptrace_read(char **argv)
{
	char path[64], c;
	pid_t pid;
	int fd;

	if (parse_pid(argv[0], &pid))
		return -EINVAL;
	snprintf(path, sizeof(path), "/proc/%d/environ", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return PROBE_ERR();
	if (read(fd, &c, 1) < 0) {
		close(fd);
		return -EIO;
	}
	close(fd);
	return 0;
}

static int traceme(void *arg)
{
	(void)arg;
	return ptrace(PTRACE_TRACEME, 0, NULL, NULL) ? PROBE_ERR() : 0;
}

/*
 * traceme CG: a child joins CG and asks us, its parent, to trace it. The
 * errno is PTRACE_TRACEME's own.
 */
static int op_traceme(char **argv)
{
	int p[2], status, err = -EIO;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -EIO;
	pid = fork();
	if (pid < 0)
		return -EIO;
	if (!pid) {
		close(p[0]);
		err = join(argv[0]);
		if (!err)
			err = traceme(NULL);
		_exit(write(p[1], &err, sizeof(err)) == sizeof(err) ? 0 : 1);
	}
	close(p[1]);
	if (read(p[0], &err, sizeof(err)) != sizeof(err))
		err = -EIO;
	close(p[0]);
	waitpid(pid, &status, __WALL);
	return err;
}

static int op_kill(char **argv)
{
	pid_t pid;
	int sig;

	if (parse_pid(argv[0], &pid) || parse_sig(argv[1], &sig))
		return -EINVAL;
	return kill(pid, sig) ? PROBE_ERR() : 0;
}

/* The I/O that raises the signal, done by the trigger process. */
static int write_byte(void *arg)
{
	return write(*(int *)arg, "x", 1) == 1 ? 0 : -EIO;
}

static int send_oob(void *arg)
{
	return send(*(int *)arg, "!", 1, MSG_OOB) == 1 ? 0 : -EIO;
}

/*
 * Own fd, make it signal pid, have the trigger process (us, or a child in
 * cgroup CG) do the I/O, then look for the signal at the target. Both I/O
 * paths raise the signal before the trigger's syscall returns.
 */
static int fown_signal(pid_t pid, int fd, int sig, int (*io)(void *), void *arg,
		       const char *cg)
{
	int err;

	if (pending(pid, sig))
		return -EIO; /* a dead target, or one already hit: a test bug */
	if (fcntl(fd, F_SETOWN, pid))
		return -EIO;
	err = in_child(cg, io, arg);
	if (err)
		return err;
	err = pending(pid, sig);
	if (err < 0)
		return err;
	return err ? 0 : -EPERM; /* not delivered: the kernel's silent drop */
}

/*
 * sigio PID [CG [SIG]]: F_SETOWN(PID) and O_ASYNC on a pipe's read end, then
 * a write to the pipe, by us or by a child in cgroup CG. SIG: F_SETSIG, to
 * have the kernel send that signal instead of SIGIO.
 */
static int op_sigio(char **argv)
{
	int p[2], err, sig = SIGIO;
	pid_t pid;

	if (parse_pid(argv[0], &pid) || (argv[1] && argv[2] && parse_sig(argv[2], &sig)))
		return -EINVAL;
	if (pipe2(p, O_CLOEXEC))
		return -EIO;
	if (fcntl(p[0], F_SETFL, O_ASYNC | O_NONBLOCK) ||
	    (sig != SIGIO && fcntl(p[0], F_SETSIG, sig))) {
		err = -EIO;
		goto out;
	}
	err = fown_signal(pid, p[0], sig, write_byte, &p[1], argv[1] ? argv[1] : "-");
out:
	close(p[0]);
	close(p[1]);
	return err;
}

/*
 * sigurg PID [CG]: F_SETOWN(PID) on one end of a Unix stream pair, then
 * out-of-band data sent to it (the kernel raises SIGURG as it queues it).
 */
static int op_sigurg(char **argv)
{
	int sv[2], err;
	pid_t pid;

	if (parse_pid(argv[0], &pid))
		return -EINVAL;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -EIO;
	err = fown_signal(pid, sv[0], SIGURG, send_oob, &sv[1], argv[1] ? argv[1] : "-");
	close(sv[0]);
	close(sv[1]);
	return err;
}

static int exit_now(void *arg)
{
	(void)arg;
	return 0;
}

/*
 * sigchld CG: a child joins CG and exits; did its SIGCHLD reach us? The
 * kernel sends it on the child's behalf, never through task_kill.
 */
static int op_sigchld(char **argv)
{
	struct timespec ts = { 5, 0 };
	sigset_t s;
	int err;

	sigemptyset(&s);
	sigaddset(&s, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &s, NULL))
		return -EIO;
	if (!strcmp(argv[0], "-"))
		return -EINVAL;
	err = in_child(argv[0], exit_now, NULL);
	if (err)
		return err;
	return sigtimedwait(&s, NULL, &ts) == SIGCHLD ? 0 : -EPERM;
}

/*
 * pdeath CG: our child P1 forks P2, which joins CG and asks for SIGUSR1
 * when its parent dies; P1 then exits. Did P2 get it? The kernel sends it
 * from the exiting P1 as if P1 had called kill(2).
 */
static int op_pdeath(char **argv)
{
	int ready[2], res[2], err = -EIO, status;
	struct timespec ts = { 5, 0 };
	pid_t p1, p2;
	sigset_t s;
	char c;

	if (pipe2(ready, O_CLOEXEC) || pipe2(res, O_CLOEXEC))
		return -EIO;
	p1 = fork();
	if (p1 < 0)
		return -EIO;
	if (!p1) {
		p2 = fork();
		if (p2 < 0)
			_exit(1);
		if (!p2) {
			pid_t parent = getppid();

			sigemptyset(&s);
			sigaddset(&s, SIGUSR1);
			err = sigprocmask(SIG_BLOCK, &s, NULL) ? -EIO : join(argv[0]);
			if (!err && (prctl(PR_SET_PDEATHSIG, SIGUSR1) || getppid() != parent))
				err = -EIO;
			if (write(ready[1], "r", 1) != 1)
				_exit(1);
			if (!err)
				err = sigtimedwait(&s, NULL, &ts) == SIGUSR1 ? 0 : -EPERM;
			_exit(write(res[1], &err, sizeof(err)) == sizeof(err) ? 0 : 1);
		}
		/* P1: die once P2 is set up. */
		_exit(read(ready[0], &c, 1) == 1 ? 0 : 1);
	}
	close(ready[1]);
	close(res[1]);
	waitpid(p1, &status, 0);
	if (read(res[0], &err, sizeof(err)) != sizeof(err))
		err = -EIO;
	close(ready[0]);
	close(res[0]);
	return err;
}

static const struct probe_op task_ops[] = {
	{ "hold", "(prints the pid of a new target process)", 0, op_hold, 1 },
	{ "ptrace-attach", "PID", 1, op_ptrace_attach },
	{ "ptrace-read", "PID (open /proc/PID/environ)", 1, op_ptrace_read },
	{ "traceme", "CG (a child in cgroup CG asks us to trace it)", 1, op_traceme },
	{ "kill", "PID SIG", 2, op_kill },
	{ "sigio", "PID [CG [SIG]] (F_SETOWN on a pipe, written from CG)", 1, op_sigio },
	{ "sigurg", "PID [CG] (F_SETOWN on a socket, MSG_OOB from CG)", 1, op_sigurg },
	{ "sigchld", "CG (a child in CG exits: did SIGCHLD arrive?)", 1, op_sigchld },
	{ "pdeath", "CG (a grandchild in CG: does its PDEATHSIG arrive?)", 1, op_pdeath },
	{}
};
PROBE_OPS(task_ops)
