#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# Zone boundaries for files, exec and executable mappings, on a real kernel:
# every denial asserts EPERM and the hook's deny counter moving by exactly 1,
# next to must-not-block siblings (same zone, allowed pair, unzoned caller,
# unregistered file) in the same run.

load lib

setup_file() {
	syva_fresh
	syva-zone add a b
	export A B U D=/tmp/syva-file
	A=$(mkcg A a)
	B=$(mkcg B b)
	U=$(mkcg U)
	mkdir -p "$D"
	echo secret-a > "$D/secret_a"
	echo secret-b > "$D/secret_b"
	echo public > "$D/unreg"
	cp /bin/true "$D/bin_b"
	syva-path add a "$D/secret_a"
	syva-path add b "$D/secret_b" "$D/bin_b"
}

teardown_file() {
	syva_cleanup
	# Mounts the tests made, deepest first, even after a failed test.
	awk '$2 ~ "^/tmp/syva-file/" { print $2 }' /proc/mounts | sort -r | xargs -r umount
	rm -rf /tmp/syva-file
}

@test "self-test passed and every hook is attached" {
	run syva-status --json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.selftest == "passed"'
	echo "$output" | jq -e '.hooks_attached == .hooks_expected'
	! pgrep -x syva-load
}

@test "cross-zone open is denied with EPERM, deny +1" {
	expect file_open 1 EPERM "$A" open "$D/secret_b"
}

@test "same-zone open is allowed, deny +0" {
	expect file_open 0 ok "$A" open "$D/secret_a"
	expect file_open 0 ok "$B" open "$D/secret_b"
}

@test "unzoned caller is not touched, deny +0" {
	expect file_open 0 ok "$U" open "$D/secret_b"
	expect file_open 0 ok - open "$D/secret_a"
}

@test "unregistered file is open to every zone, deny +0" {
	expect file_open 0 ok "$A" open "$D/unreg"
}

@test "syva-comm allow flips the live denial, deny flips it back" {
	expect file_open 1 EPERM "$A" open "$D/secret_b"
	syva-comm allow a b
	expect file_open 0 ok "$A" open "$D/secret_b"
	expect file_open 0 ok "$B" open "$D/secret_a"
	syva-comm deny a b
	expect file_open 1 EPERM "$A" open "$D/secret_b"
}

@test "cross-zone exec is denied at bprm_check (+1), not at file_open (+0)" {
	local fo
	fo=$(counter file_open deny)
	expect bprm_check_security 1 EPERM "$A" exec "$D/bin_b"
	[ "$(counter file_open deny)" -eq "$fo" ]
	expect bprm_check_security 0 ok "$B" exec "$D/bin_b"
	expect bprm_check_security 0 ok "$U" exec "$D/bin_b"
}

@test "cross-zone executable mmap is denied, read-only mmap of it allowed" {
	expect mmap_file 1 EPERM - fd-mmap-exec "$D/bin_b" "$A"
	expect mmap_file 0 ok - fd-mmap-read "$D/bin_b" "$A"
	expect mmap_file 0 ok - fd-mmap-exec "$D/bin_b" "$B"
}

@test "mprotect(PROT_EXEC) of a cross-zone file mapping is denied" {
	expect file_mprotect 1 EPERM - fd-mprotect-exec "$D/bin_b" "$A"
	expect file_mprotect 0 ok - fd-mprotect-exec "$D/bin_b" "$B"
	expect file_mprotect 0 ok - fd-mprotect-exec "$D/bin_b" "$U"
}

@test "two tmpfs with a colliding inode number are not confused" {
	local fa=/tmp/syva-file/fsa fb=/tmp/syva-file/fsb
	mkdir -p "$fa" "$fb"
	mount -t tmpfs none "$fa"
	mount -t tmpfs none "$fb"
	echo guarded > "$fa/x"
	echo other > "$fb/x"
	# The precondition the test is about: same inode number, other device.
	[ "$(stat -c %i "$fa/x")" = "$(stat -c %i "$fb/x")" ]
	[ "$(stat -c %d "$fa/x")" != "$(stat -c %d "$fb/x")" ]
	syva-path add b "$fa/x"
	expect file_open 0 ok "$A" open "$fb/x"
	expect file_open 1 EPERM "$A" open "$fa/x"
	syva-path del "$fa/x"
	umount "$fa" "$fb"
}

@test "a file on an ext4 loop image is enforced by its identity" {
	local img=/tmp/syva-file/ext4.img mnt=/tmp/syva-file/ext4
	mkdir -p "$mnt"
	truncate -s 16M "$img"
	mkfs.ext4 -q -F "$img"
	mount -o loop "$img" "$mnt"
	echo on-ext4 > "$mnt/f"
	syva-path add b "$mnt/f"
	expect file_open 1 EPERM "$A" open "$mnt/f"
	expect file_open 0 ok "$B" open "$mnt/f"
	syva-path del "$mnt/f"
	expect file_open 0 ok "$A" open "$mnt/f"
	umount "$mnt"
}

@test "a file registered through an overlayfs merged path is denied cross-zone" {
	local o=/tmp/syva-file/ov
	mkdir -p "$o/lower" "$o/upper" "$o/work" "$o/merged"
	echo layer > "$o/lower/f"
	mount -t overlay overlay -o "lowerdir=$o/lower,upperdir=$o/upper,workdir=$o/work" "$o/merged"
	syva-path add b "$o/merged/f"
	expect file_open 1 EPERM "$A" open "$o/merged/f"
	expect file_open 0 ok "$B" open "$o/merged/f"
	syva-path del "$o/merged/f"
	umount "$o/merged"
}

@test "a deleted file's registration is not inherited by a new file" {
	local mnt=/tmp/syva-file/ext4b img=/tmp/syva-file/ext4b.img ino
	mkdir -p "$mnt"
	truncate -s 16M "$img"
	mkfs.ext4 -q -F "$img"
	mount -o loop "$img" "$mnt"
	echo gone > "$mnt/old"
	ino=$(stat -c %i "$mnt/old")
	syva-path add b "$mnt/old"
	syva-path show "$mnt/old"
	[ "$(syva-path list b | jq -r 'select(.path == "'"$mnt/old"'") | .ino')" = "$ino" ]
	rm "$mnt/old"
	sync
	! syva-path list b | grep -F "$mnt/old"
	# A new file takes the freed inode number, and no zone with it.
	echo new > "$mnt/new"
	[ "$(stat -c %i "$mnt/new")" = "$ino" ]
	run syva-path show "$mnt/new"
	[ "$status" -eq 1 ]
	expect file_open 0 ok "$A" open "$mnt/new"
	umount "$mnt"
}

@test "a child cgroup of a zoned cgroup is in the zone, made before or after attach" {
	local pre post
	pre=$(mkcg pre)/child
	mkdir "$pre"
	syva-attach add b "$(dirname "$pre")"
	post=$(mkcg B)/later
	mkdir "$post"
	expect file_open 1 EPERM "$pre" open "$D/secret_a"
	expect file_open 1 EPERM "$post" open "$D/secret_a"
	expect file_open 0 ok "$post" open "$D/secret_b"
	rmdir "$post"
	# The rmdir hook removes the child's membership.
	run syva-attach list --all b
	! echo "$output" | grep -q later
}

@test "syva-path add -r of 100000 files is enforced on a sample" {
	local big=/tmp/syva-file/big before f
	mkdir -p "$big"
	(cd "$big" && seq 1 100000 | sed 's/^/f/' | xargs touch)
	syva-path add -r b "$big"
	[ "$(syva-path list b | grep -c "$big/")" -eq 100000 ]
	before=$(counter file_open deny)
	for f in f1 f777 f31415 f50000 f99999 f100000; do
		[ "$(inside "$A" probe open "$big/$f")" = EPERM ]
	done
	[ $(($(counter file_open deny) - before)) -eq 6 ]
	expect file_open 0 ok "$B" open "$big/f42"
	syva-path del -r "$big"
	expect file_open 0 ok "$A" open "$big/f42"
}

@test "an in-place re-load never lets a cross-zone open through" {
	local gen
	gen=$(syva-status --json | jq -r .generation)
	inside "$A" probe open-loop "$D/secret_b" 8000 >/tmp/syva-file/loop.out \
		2>/tmp/syva-file/loop.err &
	sleep 1
	syva-load
	syva-load
	wait $! || true
	cat /tmp/syva-file/loop.err
	[ "$(cat /tmp/syva-file/loop.out)" = EPERM ]
	grep -q 'opens, all denied' /tmp/syva-file/loop.err
	# The maps, and with them the policy, were kept.
	syva-zone show a
	[ "$(syva-status --json | jq -r .generation)" = "$gen" ]
	expect file_open 1 EPERM "$A" open "$D/secret_b"
}

@test "after --unload nothing is enforced; a new load enforces again" {
	syva-load --unload
	[ ! -e /sys/fs/bpf/syva ]
	[ "$(inside "$A" probe open "$D/secret_b")" = ok ]
	syva-load
	syva-zone add a b
	syva-attach add a "$A"
	syva-path add b "$D/secret_b"
	expect file_open 1 EPERM "$A" open "$D/secret_b"
}
