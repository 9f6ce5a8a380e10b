// SPDX-License-Identifier: GPL-2.0-only
/*
 * The loader behind syva-load, and the only file that includes the BPF
 * skeleton. Maps are pinned by name and reused across loads, so policy
 * survives an upgrade; every program's link is pinned under links/, so
 * enforcement survives the loader's exit. An upgrade attaches the new
 * program first and then renames its pin over the old one: for that instant
 * both run and either can deny, so no open slips through.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "syva.h"
#include "syva.skel.h"

static int print_libbpf(enum libbpf_print_level lvl, const char *fmt, va_list ap)
{
	if (!syva_verbose && lvl != LIBBPF_WARN)
		return 0;
	if (!syva_verbose)
		return 0; /* libbpf's chatter only with -v; we explain failures */
	return vfprintf(stderr, fmt, ap);
}

/* Programs attached only while syva-load tests, never pinned. */
static bool is_selftest(const struct bpf_program *p)
{
	return !strncmp(bpf_program__name(p), "syva_selftest", 13);
}

static struct bpf_map *skel_map(struct syva_bpf *sk, int id)
{
	return bpf_object__find_map_by_name(sk->obj, syva_maps[id].name);
}

/* Sizes of an existing load win: a live map cannot be resized. */
static void plan_sizes(struct syva_bpf *sk, const struct load_opts *o,
		       const char *root, bool *fresh)
{
	int id;

	*fresh = true;
	for (id = 0; id < M__NR; id++) {
		struct bpf_map_info info = {};
		uint32_t len = sizeof(info);
		struct bpf_map *m = skel_map(sk, id);
		char path[4096];
		int fd;

		snprintf(path, sizeof(path), "%s/%s", root, syva_maps[id].name);
		fd = bpf_obj_get(path);
		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len)) {
			*fresh = false;
			/* libbpf would refuse to reuse it, with a vaguer EINVAL. */
			if (info.type != bpf_map__type(m) ||
			    info.key_size != bpf_map__key_size(m) ||
			    info.value_size != bpf_map__value_size(m))
				die(EX_CONFIG,
				    "map %s is pinned with another layout (type %u key %u value %u; "
				    "this build: %u/%u/%u): syva-load --unload first",
				    syva_maps[id].name, info.type, info.key_size, info.value_size,
				    bpf_map__type(m), bpf_map__key_size(m), bpf_map__value_size(m));
			if (o->max[id] && o->max[id] != info.max_entries)
				die(EX_USAGE,
				    "map %s is loaded with capacity %u; a capacity cannot change "
				    "while loaded (syva-load --unload first)",
				    syva_maps[id].name, info.max_entries);
			bpf_map__set_max_entries(m, info.max_entries);
		} else if (o->max[id]) {
			bpf_map__set_max_entries(m, o->max[id]);
		}
		if (fd >= 0)
			close(fd);
	}
}

static void explain_load_failure(int err)
{
	if (err == -EPERM || err == -EACCES || err == -524 /* ENOTSUPP */ || err == -EOPNOTSUPP ||
	    err == -EINVAL)
		die(EX_UNAVAILABLE,
		    "this kernel refuses BPF-LSM programs (%s): enforcement needs "
		    "CONFIG_BPF_LSM, \"bpf\" in the active LSM list and BPF trampolines; "
		    "see syva-load --check",
		    strerror(-err));
	die(ex_of_errno(err), "cannot load the BPF programs: %s (run with -v for "
			      "libbpf's log)",
	    strerror(-err));
}

static uint64_t own_cgroup_id(void)
{
	int fd = cgroup_open_pid(getpid());
	uint64_t id = cgroup_fd_id(fd);

	close(fd);
	return id;
}

/*
 * The unix hooks judge a peer by the cgroup that created its socket: connect
 * to a listener of our own (an abstract name, nothing to clean up) and compare
 * the owner the hook's helper reads with our own cgroup.
 */
static uint32_t selftest_unix(struct syva_bpf *sk, uint64_t cg, char *why,
			      size_t whylen)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct syva_selftest st = { .tgid = getpid() };
	int mfd = bpf_map__fd(sk->maps.selftest), lfd, cfd = -1;
	socklen_t len = offsetof(struct sockaddr_un, sun_path) + 1;
	struct bpf_link *l = NULL;
	uint32_t zero = 0;

	len += snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1, "syva-selftest-%d",
			(int)getpid());
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, len) || listen(lfd, 1)) {
		snprintf(why, whylen, "cannot make a unix socket to test: %s", strerror(errno));
		goto out;
	}
	bpf_map_update_elem(mfd, &zero, &st, BPF_ANY);
	l = bpf_program__attach(sk->progs.syva_selftest_unix);
	if (!l) {
		snprintf(why, whylen, "cannot attach the unix self-test: %s", strerror(errno));
		goto out;
	}
	cfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (cfd < 0 || connect(cfd, (struct sockaddr *)&a, len)) {
		snprintf(why, whylen, "cannot connect to the unix test socket: %s",
			 strerror(errno));
		goto out;
	}
	bpf_link__destroy(l);
	l = NULL;
	bpf_map_lookup_elem(mfd, &zero, &st);
	if (!st.hits)
		snprintf(why, whylen, "the unix_stream_connect hook never saw our connect");
	else if (st.unix_cgroup_id != cg)
		snprintf(why, whylen, "unix hook saw socket owner cgroup %llu, we are in %llu",
			 (unsigned long long)st.unix_cgroup_id, (unsigned long long)cg);
out:
	bpf_link__destroy(l);
	if (cfd >= 0)
		close(cfd);
	if (lfd >= 0)
		close(lfd);
	return st.hits && st.unix_cgroup_id == cg ? SYVA_SELFTEST_UNIX :
						    SYVA_SELFTEST_FAILED;
}

/*
 * Prove the reads the hooks depend on: the self-test program, built from the
 * same helpers as the enforcing hooks, records what it sees for our open of
 * a fresh tmpfs file, and we compare with what userspace knows.
 */
static uint32_t selftest(struct syva_bpf *sk, char *why, size_t whylen)
{
	struct syva_selftest st = {};
	char path[] = "/dev/shm/syva-selftest-XXXXXX";
	struct bpf_link *l;
	struct stat sb;
	uint32_t zero = 0, got = SYVA_SELFTEST_RAN;
	uint64_t cg = own_cgroup_id();
	int fd, mfd = bpf_map__fd(sk->maps.selftest);

	fd = mkstemp(path);
	if (fd < 0) {
		strcpy(path, "/tmp/syva-selftest-XXXXXX");
		fd = mkstemp(path);
	}
	if (fd < 0 || fstat(fd, &sb)) {
		snprintf(why, whylen, "cannot create a test file: %s", strerror(errno));
		return got | SYVA_SELFTEST_FAILED;
	}
	close(fd);
	st.tgid = getpid();
	st.want_ino = sb.st_ino;
	bpf_map_update_elem(mfd, &zero, &st, BPF_ANY);
	l = bpf_program__attach(sk->progs.syva_selftest_open);
	if (!l) {
		unlink(path);
		snprintf(why, whylen, "cannot attach the self-test: %s", strerror(errno));
		return got | SYVA_SELFTEST_FAILED;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
	bpf_link__destroy(l);
	unlink(path);
	bpf_map_lookup_elem(mfd, &zero, &st);

	if (!st.hits) {
		snprintf(why, whylen, "the file_open hook never saw our open");
		return got | SYVA_SELFTEST_FAILED;
	}
	if (st.cgroup_id == cg)
		got |= SYVA_SELFTEST_CGROUP;
	else
		snprintf(why, whylen, "hook saw cgroup id %llu, we are in %llu",
			 (unsigned long long)st.cgroup_id, (unsigned long long)cg);
	if (st.task_cgroup_id == cg)
		got |= SYVA_SELFTEST_TASK;
	else
		snprintf(why, whylen, "task->cgroups read gave %llu, expected %llu",
			 (unsigned long long)st.task_cgroup_id, (unsigned long long)cg);
	if (st.key.ino == sb.st_ino && st.key.dev == syva_kdev(sb.st_dev))
		got |= SYVA_SELFTEST_INODE;
	else
		snprintf(why, whylen, "hook saw file (dev %u, ino %llu), stat gave (%u, %llu)",
			 st.key.dev, (unsigned long long)st.key.ino, syva_kdev(sb.st_dev),
			 (unsigned long long)sb.st_ino);
	if (!(got & SYVA_SELFTEST_CGROUP) || !(got & SYVA_SELFTEST_TASK) ||
	    !(got & SYVA_SELFTEST_INODE))
		got |= SYVA_SELFTEST_FAILED;
	else
		got |= selftest_unix(sk, cg, why, whylen);
	return got;
}

/* Programs behind links we unpinned, to wait for their detach. */
static uint32_t gone[64];
static int ngone;

/* Remember the program of the link pinned at path, before unpinning it. */
static void note_link(const char *path)
{
	struct bpf_link_info info = {};
	uint32_t len = sizeof(info);
	int fd = bpf_obj_get(path);

	if (fd < 0)
		return;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len) && ngone < 64)
		gone[ngone++] = info.prog_id;
	close(fd);
}

/*
 * An unpinned link is released when its bpffs inode is freed (after an RCU
 * grace period), and detached later still, from a work item: its id is
 * gone before its program stops running. A program's id goes only after
 * the detach, so wait for that: when we return, after --unload nothing is
 * enforced, and after an upgrade only the new programs run and count.
 */
static void wait_released(void)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i, left, tries;

	for (tries = 0; tries < 500; tries++) {
		for (i = 0, left = 0; i < ngone; i++) {
			int fd = bpf_prog_get_fd_by_id(gone[i]);

			if (fd >= 0) {
				close(fd);
				left++;
			}
		}
		if (!left)
			break;
		nanosleep(&ts, NULL);
	}
	for (i = 0; i < ngone; i++) {
		int fd = bpf_prog_get_fd_by_id(gone[i]);

		if (fd >= 0) {
			close(fd);
			die(EX_TEMPFAIL, "program %u still runs after its link was unpinned: "
					 "another process holds it (bpftool prog show id %u)",
			    gone[i], gone[i]);
		}
	}
	ngone = 0;
}

static void pin_link(struct bpf_link *l, const char *root, const char *name)
{
	char tmp[4200], path[4096];

	/* bpffs refuses names with a dot, so the new pin is "new-<name>". */
	snprintf(path, sizeof(path), "%s/links/%s", root, name);
	snprintf(tmp, sizeof(tmp), "%s/links/new-%s", root, name);
	unlink(tmp);
	if (bpf_link__pin(l, tmp))
		die(EX_CANTCREAT, "cannot pin %s: %s", tmp, strerror(errno));
	/* Replacing the old pin drops the old link: the new one already runs. */
	note_link(path);
	if (rename(tmp, path))
		die(EX_CANTCREAT, "cannot replace %s: %s", path, strerror(errno));
}

/* Pins of programs this build no longer has would keep enforcing old code. */
static void prune_links(struct syva_bpf *sk, const char *root)
{
	char dir[4096];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/links", root);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[4400];

		if (de->d_name[0] == '.' ||
		    bpf_object__find_program_by_name(sk->obj, de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		note_link(path);
		unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
}

static void unpin_all(const char *root);

/*
 * Open the object and plan its sizes; with_optional false leaves the
 * escape detector's programs out, for a kernel that refuses them (they are
 * evidence, not enforcement: such a kernel still enforces).
 */
static struct syva_bpf *open_skel(const struct load_opts *o, const char *root,
				  bool *fresh, bool with_optional)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo);
	struct bpf_program *p;
	struct syva_bpf *sk;

	oo.pin_root_path = root;
	sk = syva_bpf__open_opts(&oo);
	if (!sk)
		die(EX_SOFTWARE, "cannot open the BPF object: %s", strerror(errno));
	plan_sizes(sk, o, root, fresh);
	bpf_object__for_each_program(p, sk->obj)
		if (o->no_attach ||
		    (!with_optional && syva_prog_optional(bpf_program__name(p))))
			bpf_program__set_autoload(p, false);
	return sk;
}

/*
 * -m alone on a loaded system with every enforcing link in place: switch
 * the mode in meta, which the hooks read on every decision; nothing is
 * reloaded. Otherwise (not loaded, another ABI, a link missing) false, and
 * the full load below does it, repairing what is missing.
 */
static bool switch_mode(const struct load_opts *o, const char *root)
{
	const struct syva_prog *sp;
	struct syva_meta m;
	uint32_t zero = 0;
	char path[4096];
	int id, fd;

	if (o->mode < 0 || o->no_attach)
		return false;
	for (id = 0; id < M__NR; id++)
		if (o->max[id])
			return false;
	for (sp = syva_progs; sp->name; sp++) {
		snprintf(path, sizeof(path), "%s/links/%s", root, sp->name);
		fd = bpf_obj_get(path);
		if (fd < 0 && !syva_prog_optional(sp->name))
			return false;
		if (fd >= 0)
			close(fd);
	}
	snprintf(path, sizeof(path), "%s/%s", root, SYVA_MAP_META);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return false;
	if (bpf_map_lookup_elem(fd, &zero, &m) || m.abi_version != SYVA_ABI_VERSION) {
		close(fd);
		return false;
	}
	/* The mode decides outcomes: a new generation, as for any policy edit. */
	if (m.mode != (uint32_t)o->mode)
		m.generation++;
	m.mode = o->mode;
	if (bpf_map_update_elem(fd, &zero, &m, BPF_ANY))
		die(EX_OSERR, "cannot write meta: %s", strerror(errno));
	close(fd);
	return true;
}

int syva_load(const struct load_opts *o)
{
	const char *root = syva_pin_root();
	struct bpf_program *p;
	struct syva_bpf *sk;
	struct syva_meta m = {};
	uint32_t zero = 0, st = 0;
	char why[256] = "", dir[4096];
	struct statfs sf;
	bool fresh;
	int lockfd, err;

	libbpf_set_print(print_libbpf);
	snprintf(dir, sizeof(dir), "%s", root);
	*strrchr(dir, '/') = 0;
	if (statfs(*dir ? dir : "/", &sf) || sf.f_type != BPF_FS_MAGIC)
		die(EX_CANTCREAT, "cannot pin under %s: %s is not a mounted bpf "
				  "filesystem (mount -t bpf bpf %s)",
		    root, *dir ? dir : "/", *dir ? dir : "/");
	lockfd = syva_lock_root(true);
	snprintf(dir, sizeof(dir), "%s/links", root);
	if (mkdir(dir, 0700) && errno != EEXIST)
		die(EX_CANTCREAT, "cannot create %s: %s", dir, strerror(errno));

	if (switch_mode(o, root)) {
		close(lockfd);
		return 0;
	}

	sk = open_skel(o, root, &fresh, true);
	err = syva_bpf__load(sk);
	if (err && !o->no_attach) {
		/* libbpf unpinned the maps this attempt created: start over. */
		syva_bpf__destroy(sk);
		sk = open_skel(o, root, &fresh, false);
		err = syva_bpf__load(sk);
		if (!err)
			warnx("this kernel refuses the cgroup-escape detector; enforcing "
			      "without it (syva-status reports it missing; -v shows why)");
	}
	if (err) {
		/* Maps that did not exist before this attempt must not stay. */
		if (fresh)
			unpin_all(root);
		explain_load_failure(err);
	}

	if (!fresh && bpf_map_lookup_elem(bpf_map__fd(sk->maps.meta), &zero, &m))
		die(EX_OSERR, "cannot read meta: %s", strerror(errno));
	if (!fresh && m.abi_version && m.abi_version != SYVA_ABI_VERSION)
		die(EX_CONFIG, "loaded ABI version %u differs from %u: syva-load --unload first",
		    m.abi_version, SYVA_ABI_VERSION);
	m.abi_version = SYVA_ABI_VERSION;
	if (o->mode >= 0)
		m.mode = o->mode;
	m.max_zones = bpf_map__max_entries(sk->maps.zones);
	m.max_cgroups = bpf_map__max_entries(sk->maps.cgroups);
	m.max_files = bpf_map__max_entries(sk->maps.files);
	m.max_pairs = bpf_map__max_entries(sk->maps.pairs);
	m.max_ipzones = bpf_map__max_entries(sk->maps.ipzones);
	m.max_egress = bpf_map__max_entries(sk->maps.egress4);
	m.ringbuf_size = bpf_map__max_entries(sk->maps.events);
	m.loaded_at = time(NULL);

	if (!o->no_attach) {
		/* Test before touching live links: a failed upgrade keeps the old. */
		st = selftest(sk, why, sizeof(why));
		if (st & SYVA_SELFTEST_FAILED) {
			m.selftest = st;
			bpf_map_update_elem(bpf_map__fd(sk->maps.meta), &zero, &m, BPF_ANY);
			die(EX_SOFTWARE, "self-test failed: %s; enforcement was NOT activated",
			    why);
		}
		bpf_object__for_each_program(p, sk->obj) {
			struct bpf_link *l;

			if (is_selftest(p) || !bpf_program__autoload(p))
				continue;
			l = bpf_program__attach(p);
			if (!l && syva_prog_optional(bpf_program__name(p))) {
				warnx("cannot attach %s: %s; enforcing without it (syva-status "
				      "reports it missing)",
				      bpf_program__name(p), strerror(errno));
				continue;
			}
			if (!l)
				die(ex_of_errno(-errno), "cannot attach %s: %s",
				    bpf_program__name(p), strerror(errno));
			pin_link(l, root, bpf_program__name(p));
			bpf_link__disconnect(l);
			bpf_link__destroy(l);
		}
		prune_links(sk, root);
		wait_released();
		m.selftest = st;
	}
	/* The hooks read mode from here: written last, after the links. */
	if (bpf_map_update_elem(bpf_map__fd(sk->maps.meta), &zero, &m, BPF_ANY))
		die(EX_OSERR, "cannot write meta: %s", strerror(errno));
	syva_bpf__destroy(sk);
	close(lockfd);
	return 0;
}

static void rm_pins(const char *dir, bool links)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	char path[4400];

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (links) {
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			note_link(path);
		}
		unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
}

/* With the root locked. Links first: once they are gone nothing enforces. */
static void unpin_all(const char *root)
{
	char links[4096];

	snprintf(links, sizeof(links), "%s/links", root);
	rm_pins(links, true);
	rmdir(links);
	wait_released();
	rm_pins(root, false);
	if (rmdir(root) && errno != ENOENT)
		die(EX_OSERR, "cannot remove %s: %s", root, strerror(errno));
}

int syva_unload(void)
{
	int lockfd = syva_lock_root(false);

	if (lockfd < 0)
		return 0; /* nothing loaded: nothing to do */
	unpin_all(syva_pin_root());
	close(lockfd);
	return 0;
}

/* ---- preflight ----------------------------------------------------------- */

static int lsm_prog_loadable(char *detail, size_t len)
{
	struct bpf_insn insns[] = {
		{ .code = 0xb7, .dst_reg = 0, .imm = 0 }, /* r0 = 0 */
		{ .code = 0x95 },			  /* exit */
	};
	LIBBPF_OPTS(bpf_prog_load_opts, po);
	struct btf *btf = btf__load_vmlinux_btf();
	int id, fd;

	if (!btf) {
		snprintf(detail, len, "no kernel BTF");
		return 0;
	}
	id = btf__find_by_name_kind(btf, "bpf_lsm_file_open", BTF_KIND_FUNC);
	btf__free(btf);
	if (id < 0) {
		snprintf(detail, len, "kernel has no BPF-LSM hooks (CONFIG_BPF_LSM off)");
		return 0;
	}
	po.expected_attach_type = BPF_LSM_MAC;
	po.attach_btf_id = id;
	fd = bpf_prog_load(BPF_PROG_TYPE_LSM, "syva_probe", "GPL", insns, 2, &po);
	if (fd < 0) {
		snprintf(detail, len, "kernel refuses BPF-LSM programs (%s)",
			 strerror(errno));
		return 0;
	}
	close(fd);
	snprintf(detail, len, "loads");
	return 1;
}

static void report(const char *check, int ok, const char *detail, int *bad)
{
	json_t *o;

	if (!ok)
		(*bad)++;
	if (out_mode == OUT_TEXT) {
		out_text("%-4s %-9s %s\n", ok ? "ok" : "FAIL", check, detail);
		return;
	}
	o = json_object();
	json_object_set_new(o, "check", json_string(check));
	json_object_set_new(o, "ok", json_boolean(ok));
	json_object_set_new(o, "detail", json_string(detail));
	out_json(o);
}

int syva_check(void)
{
	char detail[4200], lsm[512] = "", pdir[4096];
	struct utsname u;
	struct statfs sf;
	struct stat sb;
	int bad = 0, maj = 0, min = 0, ok;
	FILE *f;

	libbpf_set_print(print_libbpf);
	uname(&u);
	sscanf(u.release, "%d.%d", &maj, &min);
	snprintf(detail, sizeof(detail), "%s (need >= 5.10)", u.release);
	report("kernel", maj > 5 || (maj == 5 && min >= 10), detail, &bad);

	f = fopen("/sys/kernel/security/lsm", "re");
	if (f) {
		if (!fgets(lsm, sizeof(lsm), f))
			lsm[0] = 0;
		fclose(f);
		lsm[strcspn(lsm, "\n")] = 0;
		snprintf(detail, sizeof(detail), "%s", lsm);
		ok = !!strstr(lsm, "bpf");
		if (!ok)
			snprintf(detail, sizeof(detail),
				 "\"bpf\" not in active LSMs (%s): boot with lsm=...,bpf", lsm);
	} else {
		ok = 0;
		snprintf(detail, sizeof(detail),
			 "cannot read /sys/kernel/security/lsm (mount -t securityfs securityfs /sys/kernel/security)");
	}
	report("lsm", ok, detail, &bad);

	ok = !stat("/sys/kernel/btf/vmlinux", &sb);
	report("btf", ok, ok ? "/sys/kernel/btf/vmlinux" : "no /sys/kernel/btf/vmlinux (CONFIG_DEBUG_INFO_BTF)", &bad);

	ok = !statfs(cgroup_root(), &sf) && sf.f_type == CGROUP2_SUPER_MAGIC;
	snprintf(detail, sizeof(detail), "%s %s", cgroup_root(),
		 ok ? "is cgroup v2" : "is not a cgroup v2 mount");
	report("cgroup2", ok, detail, &bad);

	snprintf(pdir, sizeof(pdir), "%s", syva_pin_root());
	*strrchr(pdir, '/') = 0;
	ok = !statfs(*pdir ? pdir : "/", &sf) && sf.f_type == BPF_FS_MAGIC;
	snprintf(detail, sizeof(detail), "%s %s", *pdir ? pdir : "/",
		 ok ? "is a bpf filesystem" : "is not a bpf filesystem (mount -t bpf bpf /sys/fs/bpf)");
	report("bpffs", ok, detail, &bad);

	ok = lsm_prog_loadable(detail, sizeof(detail));
	report("lsm-prog", ok, detail, &bad);
	out_flush();
	return bad ? EX_UNAVAILABLE : 0;
}
