/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Zone membership follows the cgroup tree: a cgroup created below a zoned
 * cgroup joins its zone at mkdir (containers run systemd and make
 * sub-cgroups; moving into a child of your own cgroup must not leave the
 * zone), and a removed cgroup leaves the map, so the hooks stay one exact
 * lookup with no ancestor walk. Included by syva.bpf.c.
 */

static __always_inline int cgroup_id(struct cgroup *cg, __u64 *id)
{
	struct kernfs_node *kn = NULL;

	if (!cg || bpf_core_read(&kn, sizeof(kn), &cg->kn) || !kn)
		return -1;
	return bpf_core_read(id, sizeof(*id), &kn->id);
}

SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(syva_cgroup_mkdir, struct cgroup *cg, const char *path)
{
	struct cgroup_subsys_state *parent_css = NULL;
	struct syva_member *pm, child;
	__u64 id, parent_id;

	/* cgroup.self is the first member: the parent css is the parent. */
	if (bpf_core_read(&parent_css, sizeof(parent_css), &cg->self.parent) ||
	    !parent_css)
		return 0;
	if (cgroup_id((struct cgroup *)parent_css, &parent_id) ||
	    cgroup_id(cg, &id))
		return 0;
	pm = bpf_map_lookup_elem(&cgroups, &parent_id);
	if (!pm)
		return 0;
	child.zone = pm->zone;
	child.flags = SYVA_MEMBER_INHERITED;
	/* A full map is visible as a child cgroup that stays unzoned. */
	bpf_map_update_elem(&cgroups, &id, &child, BPF_NOEXIST);
	return 0;
}

SEC("tp_btf/cgroup_rmdir")
int BPF_PROG(syva_cgroup_rmdir, struct cgroup *cg, const char *path)
{
	__u64 id;

	if (!cgroup_id(cg, &id))
		bpf_map_delete_elem(&cgroups, &id);
	return 0;
}
