#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# Proves the VM test bed gives the enforcement suites what they rely on: the
# kernel asked for, with BPF-LSM active and BTF, cgroup v2, bpffs, writable
# tmpfs, veth/dummy links and network namespaces, loop-mounted ext4 (for inode
# identity that 9p cannot give), overlayfs and unshare. Run it with
# tests/vm/run tests/vm/env.bats; it refuses to touch the host.

setup() {
	[ "${SYVA_IN_VM-}" = 1 ] || {
		echo "env.bats changes mounts and links: run it with tests/vm/run" >&2
		return 1
	}
	scratch=$(mktemp -d /tmp/env.XXXXXX)
}

teardown() {
	umount -q "$scratch"/* 2>/dev/null || true
	ip link del envv0 2>/dev/null || true
	ip link del envd0 2>/dev/null || true
	ip netns del envns 2>/dev/null || true
	rmdir /sys/fs/cgroup/envtest 2>/dev/null || true
	rm -rf "$scratch"
}

@test "the kernel is the series asked for" {
	run uname -r
	[ "$status" -eq 0 ]
	[[ $output == "$SYVA_VM_KERNEL".* ]]
}

@test "bpf is an active LSM" {
	tr , '\n' </sys/kernel/security/lsm | grep -qx bpf
}

@test "the kernel has BTF" {
	[ -s /sys/kernel/btf/vmlinux ]
}

@test "cgroup2 is mounted and a process can be moved into a child cgroup" {
	[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]
	mkdir /sys/fs/cgroup/envtest
	run sh -c 'echo $$ >/sys/fs/cgroup/envtest/cgroup.procs && cat /proc/self/cgroup'
	[ "$status" -eq 0 ]
	[ "$output" = 0::/envtest ]
}

@test "bpffs is mounted and takes a pinned map" {
	[ "$(stat -f -c %T /sys/fs/bpf)" = bpf_fs ]
	bpftool map create /sys/fs/bpf/envtest type hash key 4 value 4 entries 1 name envtest
	run bpftool -j map show pinned /sys/fs/bpf/envtest
	rm /sys/fs/bpf/envtest
	[ "$status" -eq 0 ]
	[[ $output == *'"name":"envtest"'* ]]
}

@test "/tmp is a writable tmpfs" {
	[ "$(stat -f -c %T /tmp)" = tmpfs ]
	echo hello >"$scratch/f"
	[ "$(cat "$scratch/f")" = hello ]
}

@test "/dev has fd, stdin, stdout, stderr, pts and a writable shm" {
	[ -e /dev/fd/0 ] && [ -e /dev/stdin ] && [ -e /dev/stdout ] && [ -e /dev/stderr ]
	[ "$(stat -f -c %T /dev/pts)" = devpts ]
	: >/dev/shm/envtest && rm /dev/shm/envtest
	# The form bats itself uses: process substitution through /dev/fd.
	[ "$(cat <(echo fd))" = fd ]
}

@test "veth and dummy links can be made and moved into a network namespace" {
	ip link add envv0 type veth peer name envv1
	ip link add envd0 type dummy
	ip netns add envns
	ip link set envv1 netns envns
	ip addr add 10.99.0.1/24 dev envv0
	ip link set envv0 up
	ip -n envns addr add 10.99.0.2/24 dev envv1
	ip -n envns link set envv1 up
	run ip -n envns -o link show
	[ "$status" -eq 0 ]
	[[ $output == *envv1* ]]
	[[ $output != *envd0* ]]
	run ip -o link show envd0
	[ "$status" -eq 0 ]
}

@test "an ext4 image can be made and loop-mounted in /tmp" {
	truncate -s 32M "$scratch/img"
	mkfs.ext4 -q -F "$scratch/img"
	mkdir "$scratch/ext4"
	mount -o loop "$scratch/img" "$scratch/ext4"
	[ "$(awk -v m="$scratch/ext4" '$2 == m { print $3 }' /proc/mounts)" = ext4 ]
	echo data >"$scratch/ext4/f"
	umount "$scratch/ext4"
	mount -o loop,ro "$scratch/img" "$scratch/ext4"
	[ "$(cat "$scratch/ext4/f")" = data ]
}

@test "overlayfs mounts on tmpfs directories" {
	mkdir "$scratch"/{lower,upper,work,merged}
	echo low >"$scratch/lower/f"
	mount -t overlay overlay \
		-o "lowerdir=$scratch/lower,upperdir=$scratch/upper,workdir=$scratch/work" \
		"$scratch/merged"
	[ "$(cat "$scratch/merged/f")" = low ]
	echo up >"$scratch/merged/g"
	[ "$(cat "$scratch/upper/g")" = up ]
	[ ! -e "$scratch/lower/g" ]
}

@test "unshare makes network and pid namespaces" {
	run unshare -n ip -o link show
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ $output == *": lo: "* ]]
	run unshare -p -f --mount-proc sh -c 'echo $$'
	[ "$status" -eq 0 ]
	[ "$output" = 1 ]
}

@test "the results share is writable" {
	# statfs over 9p reports the host's file system, so ask /proc/mounts.
	[ "$(awk -v m="$SYVA_VM_RESULTS" '$2 == m { print $3 }' /proc/mounts)" = 9p ]
	: >"$SYVA_VM_RESULTS/env.bats.probe" && rm "$SYVA_VM_RESULTS/env.bats.probe"
}
