// SPDX-License-Identifier: GPL-2.0-only
/*
 * cgroup v2 identities. A cgroup's id is its kernfs node id, which is the
 * inode number of its directory on the cgroup2 mount and the 8-byte file
 * handle kernfs exports, so a cgroup named by path, pid or id resolves to
 * one open directory without a daemon's cache.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>
#include "syva.h"

const char *cgroup_root(void)
{
	const char *r = secure_getenv("SYVA_CGROUP_ROOT");

	return r && *r ? r : "/sys/fs/cgroup";
}

static int check_cgroup2(int fd, const char *what)
{
	struct statfs sf;

	if (fstatfs(fd, &sf) || sf.f_type != CGROUP2_SUPER_MAGIC)
		die(EX_DATAERR, "\"%s\" is not a cgroup v2 directory", what);
	return fd;
}

int cgroup_open_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		die(errno == ENOENT || errno == ENOTDIR ? EX_NOINPUT : EX_OSERR,
		    "cannot open cgroup \"%s\": %s", path, strerror(errno));
	return check_cgroup2(fd, path);
}

int cgroup_open_pid(long pid)
{
	char file[64], *line = NULL, path[PATH_MAX];
	size_t cap = 0;
	FILE *f;
	int fd = -1;

	snprintf(file, sizeof(file), "/proc/%ld/cgroup", pid);
	f = fopen(file, "re");
	if (!f)
		die(EX_NOINPUT, "no process with pid %ld", pid);
	/* The unified hierarchy's line is "0::/path". */
	while (getline(&line, &cap, f) > 0) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = 0;
		snprintf(path, sizeof(path), "%s%s", cgroup_root(), line + 3);
		fd = cgroup_open_path(path);
		break;
	}
	free(line);
	fclose(f);
	if (fd < 0)
		die(EX_DATAERR, "process %ld is in no cgroup v2", pid);
	return fd;
}

int cgroup_open_id(uint64_t id)
{
	struct {
		struct file_handle fh;
		uint64_t id;
	} h;
	int mfd, fd;

	mfd = open(cgroup_root(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mfd < 0)
		die(EX_OSERR, "cannot open %s: %s", cgroup_root(), strerror(errno));
	h.fh.handle_bytes = sizeof(h.id);
	h.fh.handle_type = 0xfe; /* FILEID_KERNFS */
	h.id = id;
	fd = open_by_handle_at(mfd, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(mfd);
	if (fd < 0)
		die(errno == ESTALE || errno == ENOENT ? EX_NOINPUT : EX_OSERR,
		    "no cgroup with id %llu: %s", (unsigned long long)id,
		    strerror(errno));
	{
		char what[32];

		snprintf(what, sizeof(what), "id %llu", (unsigned long long)id);
		return check_cgroup2(fd, what);
	}
}

uint64_t cgroup_fd_id(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		die(EX_OSERR, "cannot stat cgroup: %s", strerror(errno));
	return st.st_ino;
}

/* Depth-first search below a directory for the id. */
static bool find_id(int dirfd, uint64_t id, char *path, size_t len, size_t used)
{
	DIR *d = fdopendir(dirfd);
	struct dirent *de;
	bool found = false;

	if (!d) {
		close(dirfd);
		return false;
	}
	while (!found && (de = readdir(d))) {
		int sub;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (de->d_ino == id) {
			snprintf(path + used, len - used, "/%s", de->d_name);
			found = true;
			break;
		}
		sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub < 0)
			continue;
		snprintf(path + used, len - used, "/%s", de->d_name);
		found = find_id(sub, id, path, len, used + strlen(path + used));
		if (!found)
			path[used] = 0;
	}
	closedir(d);
	return found;
}

char *cgroup_path_of_id(uint64_t id)
{
	char path[PATH_MAX];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s", cgroup_root());
	if (!stat(path, &st) && st.st_ino == id)
		return strdup(path);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !find_id(fd, id, path, sizeof(path), strlen(path)))
		return NULL;
	return strdup(path);
}

static void walk(int dirfd, char *rel, size_t used,
		 bool (*fn)(uint64_t id, const char *rel, void *ctx), void *ctx)
{
	int dup = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	DIR *d = dup >= 0 ? fdopendir(dup) : NULL;
	struct dirent *de;

	if (!d) {
		if (dup >= 0)
			close(dup);
		return;
	}
	while ((de = readdir(d))) {
		int sub;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub < 0)
			continue; /* removed meanwhile: the rmdir hook cleans it */
		snprintf(rel + used, PATH_MAX - used, "%s%s", used ? "/" : "",
			 de->d_name);
		if (fn(cgroup_fd_id(sub), rel, ctx))
			walk(sub, rel, strlen(rel), fn, ctx);
		rel[used] = 0;
		close(sub);
	}
	closedir(d);
}

void cgroup_walk(int dirfd, bool (*fn)(uint64_t id, const char *rel, void *ctx),
		 void *ctx)
{
	char rel[PATH_MAX] = "";

	walk(dirfd, rel, 0, fn, ctx);
}

uint64_t cgroup_parent_id(int fd)
{
	struct stat st, root;
	int p;

	if (stat(cgroup_root(), &root) || fstat(fd, &st) || st.st_ino == root.st_ino)
		return 0;
	p = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (p < 0)
		return 0;
	st.st_ino = cgroup_fd_id(p);
	close(p);
	return st.st_ino;
}
