/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * File, exec and executable-mapping boundaries: a file registered to a zone
 * (by its (dev, ino)) may be opened, executed or mapped executable only by
 * its own zone, an allowed pair, or an unzoned caller. Included by
 * syva.bpf.c.
 */

#define PROT_EXEC 0x4
/*
 * execve's open carries __FMODE_EXEC in f_flags on every kernel we support
 * (f_mode no longer has FMODE_EXEC at file_open time on 6.12), and
 * open(2) cannot set that bit from userspace.
 */
#define __FMODE_EXEC 0x20

/* The file decision shared by every file hook. */
static __always_inline int file_decide(__u32 hook, struct file *f, __u32 zone)
{
	struct syva_file_key k;
	struct syva_file *owner;
	struct syva_event *e;
	int ret;

	if (file_key(f, &k))
		return fail_open(hook);
	owner = bpf_map_lookup_elem(&files, &k);
	if (!owner || pair_allowed(zone, owner->zone))
		return allow(hook, zone);

	e = deny(hook, zone, owner->zone, SYVA_WHY_PAIR, &ret);
	if (e) {
		e->ino = k.ino;
		e->dev = k.dev;
		bpf_ringbuf_submit(e, 0);
	}
	return ret;
}

SEC("lsm/file_open")
int BPF_PROG(syva_file_open, struct file *file)
{
	__u32 zone = caller_zone();
	unsigned int flags = 0;

	if (zone == SYVA_ZONE_HOST)
		return 0;
	/*
	 * execve opens the binary before bprm_check runs; leave that open to
	 * bprm_check (and the ELF interpreter to mmap_file), so a cross-zone
	 * exec is one exec denial, not a file_open one.
	 */
	if (!bpf_core_read(&flags, sizeof(flags), &file->f_flags) &&
	    (flags & __FMODE_EXEC))
		return 0;
	return file_decide(SYVA_HOOK_FILE_OPEN, file, zone);
}

SEC("lsm/bprm_check_security")
int BPF_PROG(syva_bprm_check, struct linux_binprm *bprm)
{
	__u32 zone = caller_zone();
	struct syva_file_key k;
	struct syva_file *owner;
	struct syva_event *e;
	struct file *f = NULL;
	const char *filename = NULL;
	int ret;

	if (zone == SYVA_ZONE_HOST)
		return 0;
	if (bpf_core_read(&f, sizeof(f), &bprm->file) || file_key(f, &k))
		return fail_open(SYVA_HOOK_BPRM_CHECK);
	owner = bpf_map_lookup_elem(&files, &k);
	if (!owner || pair_allowed(zone, owner->zone))
		return allow(SYVA_HOOK_BPRM_CHECK, zone);

	e = deny(SYVA_HOOK_BPRM_CHECK, zone, owner->zone, SYVA_WHY_PAIR, &ret);
	if (e) {
		e->ino = k.ino;
		e->dev = k.dev;
		/* The one file hook where the kernel has the path the caller used. */
		if (!bpf_core_read(&filename, sizeof(filename), &bprm->filename) &&
		    filename)
			bpf_probe_read_kernel_str(e->path, sizeof(e->path), filename);
		bpf_ringbuf_submit(e, 0);
	}
	return ret;
}

SEC("lsm/mmap_file")
int BPF_PROG(syva_mmap_file, struct file *file, unsigned long reqprot,
	     unsigned long prot, unsigned long flags)
{
	__u32 zone;

	/* Only executable file mappings are judged; anonymous ones pass. */
	if (!(prot & PROT_EXEC) || !file)
		return 0;
	zone = caller_zone();
	if (zone == SYVA_ZONE_HOST)
		return 0;
	return file_decide(SYVA_HOOK_MMAP_FILE, file, zone);
}

/*
 * mprotect(PROT_EXEC) on a file mapping made without it would otherwise
 * bypass mmap_file. Note: on overlayfs the mapping holds the real (layer)
 * file, so this hook sees the layer's identity, not the merged path's.
 */
SEC("lsm/file_mprotect")
int BPF_PROG(syva_file_mprotect, struct vm_area_struct *vma,
	     unsigned long reqprot, unsigned long prot)
{
	struct file *f = NULL;
	__u32 zone;

	if (!(prot & PROT_EXEC))
		return 0;
	if (bpf_core_read(&f, sizeof(f), &vma->vm_file) || !f)
		return 0;
	zone = caller_zone();
	if (zone == SYVA_ZONE_HOST)
		return 0;
	return file_decide(SYVA_HOOK_FILE_MPROTECT, f, zone);
}

/*
 * A registered file that is deleted must not pass its zone on to a new file
 * that reuses its inode number (ext4 does, quickly). The inode is freed when
 * its last link and last user are gone; an inode merely evicted from the
 * cache still has links and keeps its registration. Costs one lookup per
 * inode freed, off the syscall path of the hooks above.
 */
SEC("lsm/inode_free_security")
int BPF_PROG(syva_inode_free, struct inode *inode)
{
	struct syva_file_key k = {};
	struct super_block *sb = NULL;
	unsigned int nlink = 1;

	if (bpf_core_read(&nlink, sizeof(nlink), &inode->__i_nlink) || nlink)
		return 0;
	if (bpf_core_read(&k.ino, sizeof(k.ino), &inode->i_ino) ||
	    bpf_core_read(&sb, sizeof(sb), &inode->i_sb) || !sb ||
	    bpf_core_read(&k.dev, sizeof(k.dev), &sb->s_dev))
		return 0;
	if (!bpf_map_delete_elem(&files, &k))
		bpf_map_delete_elem(&paths, &k);
	return 0;
}

/*
 * Self-test, attached by syva-load only while it tests: records what the
 * hook path reads for the loader's own open of a known file, through the
 * same helpers the enforcing hooks use.
 */
SEC("lsm/file_open")
int BPF_PROG(syva_selftest_open, struct file *file)
{
	__u32 zero = 0;
	struct syva_selftest *st = bpf_map_lookup_elem(&selftest, &zero);
	struct syva_file_key k;

	if (!st || st->tgid != bpf_get_current_pid_tgid() >> 32)
		return 0;
	if (file_key(file, &k) || k.ino != st->want_ino)
		return 0;
	st->key = k;
	st->cgroup_id = bpf_get_current_cgroup_id();
	if (task_cgroup_id(bpf_get_current_task_btf(), &st->task_cgroup_id))
		st->task_cgroup_id = 0;
	st->hits++;
	return 0;
}
