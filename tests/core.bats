#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# The core tools on the host. This kernel refuses LSM programs, but maps
# work: `syva-load --no-attach` pins them on a private bpffs, and a private
# cgroup2 mount gives real cgroups. Every tool and subcommand is fed bad
# input and must answer with its exit code, one line "tool: ..." on stderr
# naming the bad value (a usage error adds the usage text), nothing on
# stdout, and every policy map exactly as it was. The positive behaviour
# the host can show is here too: all-or-nothing edits, JSON key sets,
# --json/--text, "-" for stdin, zone deletion and its --force, the policy
# generation, map capacities, the writers' lock, and syva-load's one
# sentence on a kernel that cannot enforce.

bats_require_minimum_version 1.5.0

POLICY_MAPS="meta zones zone_names cgroups files paths pairs ipzones egress4 egress6"

setup_file() {
	export PATH="$BATS_TEST_DIRNAME/../build:$BATS_TEST_DIRNAME/../build/tests:$PATH"
	[ "$(id -u)" -eq 0 ] || return 0 # setup() skips every test
	# The pin roots below are fixed: one run of this suite at a time.
	exec {CORE_LOCK}>/tmp/syva-core-bats.lock
	flock -w 600 "$CORE_LOCK"
	mkdir -p /tmp/bpffs-core
	mountpoint -q /tmp/bpffs-core || mount -t bpf bpf /tmp/bpffs-core
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		export SYVA_CGROUP_ROOT=/sys/fs/cgroup
	else
		mkdir -p /tmp/cg-core
		mountpoint -q /tmp/cg-core || mount -t cgroup2 none /tmp/cg-core
		export SYVA_CGROUP_ROOT=/tmp/cg-core
	fi
	export SYVA_BPFFS=/tmp/bpffs-core/syva
	# A second root with tiny capacities, for the map-full tests.
	export SMALL=/tmp/bpffs-core/small
	export NOT_LOADED=/tmp/bpffs-core/not-loaded
	export CG=$SYVA_CGROUP_ROOT/syva-core-test
	syva-load --unload
	SYVA_BPFFS=$SMALL syva-load --unload
	syva-load --no-attach
	export CORE_READY=1
}

teardown_file() {
	[ -n "${CORE_READY-}" ] || return 0
	syva-load --unload
	SYVA_BPFFS=$SMALL syva-load --unload
	rmdir "$CG" 2>/dev/null || true
}

# Every test starts from an empty policy and an empty test cgroup.
setup() {
	[ -n "${CORE_READY-}" ] || skip "needs root (bpffs and cgroup2 mounts)"
	syva-load --unload
	syva-load --no-attach
	mkdir -p "$CG"
	: >"$BATS_TEST_TMPDIR/pids"
	: >"$BATS_TEST_TMPDIR/mounts"
}

teardown() {
	local p m
	[ -n "${CORE_READY-}" ] || return 0
	if [ -f "$BATS_TEST_TMPDIR/pids" ]; then
		while read -r p; do
			pkill -P "$p" 2>/dev/null || true
			kill "$p" 2>/dev/null || true
		done <"$BATS_TEST_TMPDIR/pids"
	fi
	if [ -f "$BATS_TEST_TMPDIR/mounts" ]; then
		while read -r m; do umount "$m" 2>/dev/null || true; done <"$BATS_TEST_TMPDIR/mounts"
	fi
	sleep 0.1
	find "$CG" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null || true
	SYVA_BPFFS=$SMALL syva-load --unload
}

# ---- helpers ---------------------------------------------------------------

# snapshot: every policy map of $SNAP_ROOT (default $SYVA_BPFFS), so a
# failed command can be shown to have changed nothing (counters and events
# are evidence and may move). Arrays dump in index order; hash and trie
# entries, whose order may change when an entry is put back, are sorted.
snapshot() {
	local root=${SNAP_ROOT:-$SYVA_BPFFS} m cmds= dump
	for m in $POLICY_MAPS; do
		case $m in
		meta | zones)
			echo "== $m"
			bpftool map dump pinned "$root/$m" || return 1
			;;
		*) cmds+="map dump pinned $root/$m"$'\n' ;;
		esac
	done
	dump=$(printf '%s' "$cmds" | bpftool -j batch file -) || {
		echo "snapshot: cannot dump the maps of $root: $dump" >&2
		return 1
	}
	jq -r '.[] | "== \(.command[3] | split("/") | last)",
		(.output | map([.key, .value] | tojson) | sort | .[])' <<<"$dump"
}

# fails CODE WHAT CMD [ARG...]: CMD must exit CODE with nothing on stdout,
# and one line on stderr, "TOOL: ...", containing WHAT (the bad value); a
# usage error (64) may add the tool's usage text after it, nothing else.
# The policy maps must be unchanged. TOOL is CMD's name, or $FAILS_TOOL
# when CMD is a wrapper (setpriv).
fails() {
	local code=$1 what=$2 tool=${FAILS_TOOL:-${3##*/}} before after first rest
	local -a why=()
	shift 2
	before=$(snapshot) || return 1
	run --separate-stderr "$@"
	after=$(snapshot) || return 1
	first=${stderr%%$'\n'*}
	rest=${stderr#"$first"}
	rest=${rest#$'\n'}
	[ "$status" -eq "$code" ] || why+=("exit status $status, want $code")
	[ -z "$output" ] || why+=("stdout is not empty: $output")
	[[ $first == "$tool: "* ]] || why+=("stderr's first line does not start with \"$tool: \"")
	[[ $first == *"$what"* ]] || why+=("the message does not contain: $what")
	if [ -n "$rest" ]; then
		if [ "$code" -ne 64 ]; then
			why+=("more than one line on stderr")
		elif [ "$rest" != "$("$tool" --help)" ]; then
			why+=("after the message, stderr holds more than the usage text")
		fi
	fi
	[ "$before" = "$after" ] ||
		why+=("the maps changed: $(diff <(echo "$before") <(echo "$after") | head -20)")
	if [ ${#why[@]} -gt 0 ]; then
		{
			echo "\$ $*"
			printf '  %s\n' "${why[@]}"
			echo "  stderr was:"
			printf '%s\n' "$stderr" | sed 's/^/    /'
		} >&2
		return 1
	fi
}

# keys_are KEY...: every JSON line on stdin has exactly these keys (and
# there is at least one line).
keys_are() {
	local want got
	want=$(printf '%s\n' "$@" | LC_ALL=C sort | jq -Rsc 'split("\n")[:-1]')
	got=$(jq -c keys | sort -u)
	if [ -z "$got" ] || [ "$got" != "$want" ]; then
		echo "keys: $got" >&2
		echo "want: $want" >&2
		return 1
	fi
}

# not_json LABEL TEXT: TEXT is text, not JSON lines.
not_json() {
	if jq -e . <<<"$2" >/dev/null 2>&1; then
		echo "$1: text output parses as JSON: $2" >&2
		return 1
	fi
}

# The policy generation in meta.
generation() {
	bpftool -j map dump pinned "${SNAP_ROOT:-$SYVA_BPFFS}/meta" |
		jq -er '.[0].formatted.value.generation'
}

zone_id() {
	syva-zone list --json | jq -ser --arg z "$1" 'map(select(.zone == $z))[0].id'
}

# The kernel's dev_t of a file's file system: major << 20 | minor.
kdev() {
	local maj min
	read -r maj min < <(stat -c '%Hd %Ld' "$1")
	echo $((maj << 20 | min))
}

# bg CMD...: run CMD in the background, killed with its children in
# teardown; prints its pid.
bg() {
	"$@" </dev/null >/dev/null 2>&1 3>&- &
	echo $! >>"$BATS_TEST_TMPDIR/pids"
	echo $!
}

# A file tree: tree/a, tree/sub/b, tree/sub/deep/c.
mktree() {
	local t=$BATS_TEST_TMPDIR/${1:-tree}
	mkdir -p "$t/sub/deep"
	echo a >"$t/a"
	echo b >"$t/sub/b"
	echo c >"$t/sub/deep/c"
	echo "$t"
}

# entries MAP: number of entries of a policy map.
entries() {
	bpftool -j map dump pinned "${SNAP_ROOT:-$SYVA_BPFFS}/$1" | jq length
}

# ---- syva-load ---------------------------------------------------------------

@test "syva-load: a kernel that refuses BPF-LSM is exit 69 in one sentence, and nothing stays pinned" {
	# A kernel that loads BPF-LSM programs has nothing to refuse: then the
	# preflight must say so and pass, which is asserted instead.
	if syva-load --check --json | jq -e 'select(.check == "lsm-prog") | .ok' >/dev/null; then
		syva-load --check --text
		return
	fi
	local fresh=/tmp/bpffs-core/fresh
	SYVA_BPFFS=$fresh syva-load --unload
	SYVA_BPFFS=$fresh run --separate-stderr syva-load
	[ "$status" -eq 69 ]
	[ -z "$output" ]
	echo "stderr: $stderr"
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "syva-load: this kernel refuses BPF-LSM programs"* ]]
	# No libbpf chatter or verifier log without -v.
	if grep -qiE 'libbpf|verifier|processed [0-9]+ insns|^[0-9]+: \(' <<<"$stderr"; then
		false
	fi
	[ ! -e "$fresh" ]
}

@test "syva-load: a failed load keeps the policy of a loaded root" {
	# A kernel that loads BPF-LSM programs has nothing to refuse: then the
	# preflight must say so and pass, which is asserted instead.
	if syva-load --check --json | jq -e 'select(.check == "lsm-prog") | .ok' >/dev/null; then
		syva-load --check --text
		return
	fi
	syva-zone add web db
	syva-comm allow web db
	echo x >"$BATS_TEST_TMPDIR/f"
	syva-path add web "$BATS_TEST_TMPDIR/f"
	fails 69 "refuses BPF-LSM programs" syva-load
	fails 69 "refuses BPF-LSM programs" syva-load -m audit
}

@test "syva-load --check: one record per check with keys check, ok, detail; exit 69 exactly when one fails" {
	run --separate-stderr syva-load --check --json
	[ -z "$stderr" ]
	printf '%s\n' "$output" | keys_are check ok detail
	[ "$(jq -r .check <<<"$output" | tr '\n' ' ')" = "kernel lsm btf cgroup2 bpffs lsm-prog " ]
	jq -e '.ok | type == "boolean"' <<<"$output" >/dev/null
	jq -e '.detail | type == "string" and length > 0' <<<"$output" >/dev/null
	# This suite runs with a cgroup2 root and a bpffs: those pass.
	[ "$(jq -r 'select(.check == "cgroup2" or .check == "bpffs") | .ok' <<<"$output")" = "true
true" ]
	if jq -se 'all(.ok)' <<<"$output" >/dev/null; then
		[ "$status" -eq 0 ]
	else
		[ "$status" -eq 69 ]
	fi
	run syva-load --check --text
	[ "${#lines[@]}" -eq 6 ]
	for l in "${lines[@]}"; do
		[[ $l =~ ^(ok|FAIL)\ +(kernel|lsm|btf|cgroup2|bpffs|lsm-prog)\ +[^\ ] ]]
	done
}

@test "syva-load: capacities are checked before anything is pinned" {
	fails 64 'invalid --max-zones "1"' syva-load --no-attach --max-zones 1
	fails 64 'invalid --max-zones "1048577"' syva-load --no-attach --max-zones 1048577
	fails 64 'invalid --max-zones "abc"' syva-load --no-attach --max-zones abc
	fails 64 'invalid --max-zones "-5"' syva-load --no-attach --max-zones -5
	fails 64 'invalid --max-zones "+5"' syva-load --no-attach --max-zones +5
	fails 64 'invalid --max-zones "99999999999999999999"' syva-load --no-attach --max-zones 99999999999999999999
	fails 64 'invalid --max-cgroups "0"' syva-load --no-attach --max-cgroups 0
	fails 64 'invalid --max-files "0"' syva-load --no-attach --max-files 0
	fails 64 'invalid --max-files "67108865"' syva-load --no-attach --max-files 67108865
	fails 64 'invalid --max-pairs ""' syva-load --no-attach --max-pairs ''
	fails 64 'invalid --max-ipzones "1k"' syva-load --no-attach --max-ipzones 1k
	fails 64 'invalid --max-egress "0x10"' syva-load --no-attach --max-egress 0x10
	fails 64 'invalid --ringbuf-size "5000"' syva-load --no-attach --ringbuf-size 5000
	fails 64 'invalid --ringbuf-size "2048"' syva-load --no-attach --ringbuf-size 2048
	# A loaded map cannot be resized: say so, change nothing.
	fails 64 "capacity 4096" syva-load --no-attach --max-zones 8
	fails 64 "capacity 1048576" syva-load --no-attach --max-files 16
}

@test "syva-load: usage errors" {
	fails 64 'invalid mode "bogus"' syva-load -m bogus
	fails 64 '"extra"' syva-load extra
	fails 64 "--unload and --check stand alone" syva-load --unload --check
	fails 64 "--unload and --check stand alone" syva-load --check --no-attach
	fails 64 "--unload and --check stand alone" syva-load --unload -m audit
}

@test "syva-load: an unknown option is named in one line" {
	fails 64 "--bogus" syva-load --bogus
	fails 64 "--max-zones" syva-load --max-zones
}

@test "syva-load: a pin root that is not on a bpffs is exit 73" {
	mkdir -p "$BATS_TEST_TMPDIR/plain"
	SNAP_ROOT=$SYVA_BPFFS SYVA_BPFFS=$BATS_TEST_TMPDIR/plain/syva \
		fails 73 "$BATS_TEST_TMPDIR/plain is not a mounted bpf filesystem" syva-load --no-attach
	[ ! -e "$BATS_TEST_TMPDIR/plain/syva" ]
}

@test "syva-load --unload removes every pin; unloading nothing succeeds" {
	[ -e "$SYVA_BPFFS/meta" ]
	run --separate-stderr syva-load --unload
	[ "$status" -eq 0 ] && [ -z "$output" ] && [ -z "$stderr" ]
	[ ! -e "$SYVA_BPFFS" ]
	run --separate-stderr syva-load --unload
	[ "$status" -eq 0 ] && [ -z "$output" ] && [ -z "$stderr" ]
}

@test "syva-load --no-attach: the capacities asked for are the maps' capacities" {
	export SYVA_BPFFS=$SMALL
	syva-load --no-attach --max-zones 3 --max-cgroups 5 --max-files 7 --max-pairs 11 \
		--max-ipzones 13 --max-egress 17
	run --separate-stderr syva-status --json
	[ "$(jq -c '.maps | map({(.map): .capacity}) | add' <<<"$output")" = \
		'{"zones":2,"zone_names":3,"cgroups":5,"files":7,"paths":7,"pairs":11,"ipzones":13,"egress4":17,"egress6":17,"fowners":16384}' ]
	# Loading again keeps them, and the policy.
	syva-zone add kept
	syva-load --no-attach
	run syva-status --json
	[ "$(jq '.maps[] | select(.map == "files") | .capacity' <<<"$output")" -eq 7 ]
	[ "$(syva-zone list --json | jq -r .zone)" = kept ]
}

# ---- full maps ----------------------------------------------------------------

@test "a full map is exit 75 naming the map and its capacity, and changes nothing" {
	export SYVA_BPFFS=$SMALL
	syva-load --no-attach --max-zones 3 --max-cgroups 1 --max-files 2 --max-pairs 1 \
		--max-ipzones 1 --max-egress 1
	syva-zone add a b
	fails 75 "all 2 zones are in use" syva-zone add c
	local f
	for f in 1 2 3; do echo "$f" >"$BATS_TEST_TMPDIR/f$f"; done
	fails 75 "map files is full (capacity 2)" syva-path add a "$BATS_TEST_TMPDIR"/f1 "$BATS_TEST_TMPDIR"/f2 "$BATS_TEST_TMPDIR"/f3
	syva-path add a "$BATS_TEST_TMPDIR/f1" "$BATS_TEST_TMPDIR/f2"
	syva-comm allow a b
	fails 75 "map pairs is full (capacity 1)" syva-comm allow a host
	fails 75 "map ipzones is full (capacity 1)" syva-ipzone add 10.0.0.1 10.0.0.2 a
	fails 75 "map egress4 is full (capacity 1)" syva-zone egress add a 10.0.0.0/8 10.1.0.0/16
	fails 75 "map egress6 is full (capacity 1)" syva-zone egress add a 2001:db8::/32 2001:db9::/32
	mkdir -p "$CG/full/child"
	fails 75 "map cgroups is full (capacity 1)" syva-attach add a "$CG/full"
}

# ---- the writers' lock ---------------------------------------------------------

@test "a busy lock: writers give up with 75 after waiting, readers do not wait" {
	syva-zone add web
	bg flock -o "$SYVA_BPFFS" sleep 60 >/dev/null
	local i
	for i in $(seq 50); do
		flock -n "$SYVA_BPFFS" true || break
		sleep 0.1
	done
	run flock -n "$SYVA_BPFFS" true
	[ "$status" -ne 0 ]
	# A reader answers at once.
	run timeout 2 syva-zone list --json
	[ "$status" -eq 0 ] && [ "$(jq -r .zone <<<"$output")" = web ]
	local start=$SECONDS
	fails 75 "$SYVA_BPFFS is locked by another syva tool" syva-zone add late
	[ $((SECONDS - start)) -ge 3 ]
	fails 75 "is locked" syva-load --no-attach
}

@test "a writer waits for a lock held briefly, then applies its change" {
	bg flock -o "$SYVA_BPFFS" sleep 1 >/dev/null
	sleep 0.2
	run --separate-stderr syva-zone add patient
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
	[ "$(zone_id patient)" -eq 1 ]
}

@test "parallel writers are serialised: each succeeds once, with its own id" {
	local g0 i pids=() rc=0
	g0=$(generation)
	for i in $(seq 12); do
		syva-zone add "p$i" 2>"$BATS_TEST_TMPDIR/err$i" &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" || rc=1; done
	cat "$BATS_TEST_TMPDIR"/err*
	[ "$rc" -eq 0 ]
	[ "$(syva-zone list --json | jq -r .id | sort -n | tr '\n' ' ')" = "1 2 3 4 5 6 7 8 9 10 11 12 " ]
	[ "$(generation)" -eq $((g0 + 12)) ]
}

# ---- the policy generation ---------------------------------------------------

@test "the generation moves by one per successful change, not on a failure or a read" {
	local g
	g=$(generation)
	syva-zone add web db
	[ "$(generation)" -eq $((g + 1)) ]
	syva-comm allow web db
	[ "$(generation)" -eq $((g + 2)) ]
	syva-zone set --ptrace web
	[ "$(generation)" -eq $((g + 3)) ]
	syva-zone add web 2>/dev/null || true
	syva-comm allow web nosuch 2>/dev/null || true
	syva-zone list >/dev/null
	syva-comm list >/dev/null
	syva-status --json >/dev/null || true
	[ "$(generation)" -eq $((g + 3)) ]
}

# ---- syva-zone ---------------------------------------------------------------

@test "syva-zone: invalid zone names are exit 65, named" {
	local long=$(printf 'a%.0s' $(seq 64)) name
	for name in "A" "bad!name" "." ".." "é" "a/b"; do
		fails 65 "invalid zone name \"$name\"" syva-zone add "$name"
	done
	for name in "a b" "" "$long"; do
		fails 65 "invalid zone name \"$name\"" syva-zone add "$name"
		fails 65 "invalid zone name \"$name\"" syva-zone set --ptrace "$name"
		fails 65 "invalid zone name \"$name\"" syva-zone del "$name"
		fails 65 "invalid zone name \"$name\"" syva-zone show "$name"
		fails 65 "invalid zone name \"$name\"" syva-zone egress add "$name" 10.0.0.0/8
		fails 65 "invalid zone name \"$name\"" syva-zone egress list "$name"
	done
	# 63 characters is the longest name.
	syva-zone add "${long:1}"
	[ "$(syva-zone list --json | jq -r .zone)" = "${long:1}" ]
}

@test "syva-zone: host is reserved" {
	fails 65 'invalid zone name "host"' syva-zone add host
	fails 65 'invalid zone name "host"' syva-zone add web host
	fails 65 'invalid zone name "host"' syva-zone set --ptrace host
	fails 65 'invalid zone name "host"' syva-zone del host
	fails 65 'invalid zone "host"' syva-zone egress add host 10.0.0.0/8
	fails 65 'invalid zone "host"' syva-zone egress list host
	fails 1 'no zone "host"' syva-zone show host
}

@test "syva-zone: unknown zones and conflicts" {
	syva-zone add web
	fails 65 'zone "web" already exists' syva-zone add web
	fails 65 'zone "web" already exists' syva-zone add fresh web
	fails 65 'zone "twice" named twice' syva-zone add twice twice
	fails 65 'unknown zone "nosuch"' syva-zone set --ptrace nosuch
	fails 65 'unknown zone "nosuch"' syva-zone set --ptrace web nosuch
	fails 65 'unknown zone "nosuch"' syva-zone del nosuch
	fails 65 'unknown zone "nosuch"' syva-zone del web nosuch
	fails 65 'unknown zone "nosuch"' syva-zone egress add nosuch 10.0.0.0/8
	fails 65 'unknown zone "nosuch"' syva-zone egress del nosuch 10.0.0.0/8
	fails 65 'unknown zone "nosuch"' syva-zone egress list nosuch
	fails 1 'no zone "nosuch"' syva-zone show nosuch
}

@test "syva-zone: usage errors" {
	syva-zone add web
	fails 64 "missing command" syva-zone
	fails 64 'unknown command "bogus"' syva-zone bogus
	fails 64 'unknown command "ad"' syva-zone ad web
	fails 64 "missing ZONE" syva-zone add
	fails 64 "missing ZONE" syva-zone add --ptrace
	fails 64 "missing ZONE" syva-zone del
	fails 64 "missing ZONE" syva-zone show
	fails 64 "set needs an option" syva-zone set web
	fails 64 "contradictory" syva-zone set --ptrace --no-ptrace web
	fails 64 "contradictory" syva-zone set --audit --enforce web
	fails 64 'invalid network mode "bogus"' syva-zone add --network bogus web2
	fails 64 'invalid network mode ""' syva-zone set --network '' web
	fails 64 "list takes no arguments" syva-zone list web
	fails 64 "egress needs add, del or list" syva-zone egress
	fails 64 'unknown egress command "bogus"' syva-zone egress bogus web
	fails 64 "egress add needs ZONE and at least one SPEC" syva-zone egress add web
	fails 64 "egress del needs ZONE and at least one SPEC" syva-zone egress del web
	fails 64 "egress list needs one ZONE" syva-zone egress list
	fails 64 "egress list needs one ZONE" syva-zone egress list web web
}

@test "syva-zone: an unknown or misplaced option is named in one line" {
	syva-zone add web
	fails 64 "--bogus" syva-zone add --bogus z
	fails 64 "--force" syva-zone add --force z
	fails 64 "--no-ptrace" syva-zone add --no-ptrace z
	fails 64 "--force" syva-zone set --force web
	fails 64 "--ptrace" syva-zone del --ptrace web
	fails 64 "--force" syva-zone list --force
	fails 64 "--audit" syva-zone show --audit web
	fails 64 "--json" syva-zone egress add --json web 10.0.0.0/8
	fails 64 "--network" syva-zone add --network
}

@test "syva-zone egress: invalid SPECs are exit 65, named" {
	syva-zone add web
	local spec
	for spec in bogus 10.0.0.0/33 10.0.0.1/8 10.0.0.0/8:0 10.0.0.0/8:65536 10.0.0.0/8:443-80 \
		10.0.0.0/8: "[10.0.0.0/8]:443" 2001:db8::/32:443 "[2001:db8::/32" 2001:db8::/129 \
		"10.0.0.0/8:a" ""; do
		fails 65 "invalid egress spec \"$spec\"" syva-zone egress add web "$spec"
	done
	for spec in bogus 10.0.0.1/8 "[2001:db8::/32"; do
		fails 65 "invalid egress spec \"$spec\"" syva-zone egress del web "$spec"
	done
	# One bad SPEC among good ones: nothing is added.
	fails 65 'invalid egress spec "bogus"' syva-zone egress add web 10.0.0.0/8 bogus 192.0.2.0/24
	syva-zone egress add web 10.0.0.0/8
	fails 65 "cannot delete port 443 of 10.0.0.0/8" syva-zone egress del web 10.0.0.0/8:443
}

@test "syva-zone: add, set and list; JSON keys of list and show" {
	syva-zone add --ptrace --network open --audit alpha
	syva-zone add beta
	run --separate-stderr syva-zone list
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
	printf '%s\n' "$output" | keys_are zone id network ptrace mode
	[ "$(jq -c 'select(.zone == "alpha") | [.network, .ptrace, .mode]' <<<"$output")" = '["open",true,"audit"]' ]
	[ "$(jq -c 'select(.zone == "beta") | [.network, .ptrace, .mode]' <<<"$output")" = '["isolated",false,"enforce"]' ]
	syva-zone set --no-ptrace --network isolated --enforce alpha
	syva-zone set --ptrace beta
	run syva-zone list
	[ "$(jq -c 'select(.zone == "alpha") | [.network, .ptrace, .mode]' <<<"$output")" = '["isolated",false,"enforce"]' ]
	[ "$(jq -c 'select(.zone == "beta") | [.network, .ptrace, .mode]' <<<"$output")" = '["isolated",true,"enforce"]' ]
	run --separate-stderr syva-zone show alpha beta
	[ "$status" -eq 0 ] && [ "${#lines[@]}" -eq 2 ]
	printf '%s\n' "$output" | keys_are zone id network ptrace mode cgroups files allow deny audit
}

@test "syva-zone: list is sorted by name; ids go lowest first and are reused" {
	syva-zone add charlie alpha bravo
	[ "$(syva-zone list | jq -r .zone | tr '\n' ' ')" = "alpha bravo charlie " ]
	[ "$(zone_id charlie) $(zone_id alpha) $(zone_id bravo)" = "1 2 3" ]
	syva-zone del alpha
	syva-zone add delta
	[ "$(zone_id delta)" -eq 2 ]
}

@test "syva-zone: all or nothing" {
	syva-zone add web
	fails 65 'invalid zone name "bad!name"' syva-zone add x 'bad!name'
	fails 65 'invalid zone name "A"' syva-zone add x y A
	fails 65 'unknown zone "nosuch"' syva-zone set --ptrace web nosuch
	fails 65 'unknown zone "nosuch"' syva-zone del web nosuch
	[ "$(syva-zone list | jq -r .zone)" = web ]
}

@test "syva-zone: a counter has one JSON type in every tool" {
	syva-zone add web
	local in_show in_status
	in_show=$(syva-zone show web | jq -r '[.allow, .deny, .audit] | map(type) | unique | .[]')
	in_status=$(syva-status --json | jq -r '.zone_decisions[0] | [.allow, .deny, .audit] | map(type) | unique | .[]')
	echo "syva-zone show: $in_show, syva-status: $in_status"
	[ "$in_show" = "$in_status" ]
}

@test "syva-zone del: refused while cgroups or files reference the zone" {
	syva-zone add db
	mkdir -p "$CG/db/sub"
	syva-attach add db "$CG/db"
	echo x >"$BATS_TEST_TMPDIR/secret"
	syva-path add db "$BATS_TEST_TMPDIR/secret"
	fails 65 'zone "db" still has 2 cgroups and 1 files' syva-zone del db
	syva-path del "$BATS_TEST_TMPDIR/secret"
	fails 65 'zone "db" still has 2 cgroups and 0 files' syva-zone del db
	syva-attach del "$CG/db"
	syva-zone del db
	[ -z "$(syva-zone list)" ]
}

@test "syva-zone del --force removes every reference to the zone, and the reused id starts clean" {
	local db web f
	syva-zone add web db
	db=$(zone_id db)
	web=$(zone_id web)
	mkdir -p "$CG/db/sub" "$CG/web"
	syva-attach add db "$CG/db"
	syva-attach add web "$CG/web"
	echo x >"$BATS_TEST_TMPDIR/dbfile"
	echo y >"$BATS_TEST_TMPDIR/webfile"
	syva-path add db "$BATS_TEST_TMPDIR/dbfile"
	syva-path add web "$BATS_TEST_TMPDIR/webfile"
	syva-comm allow db web
	syva-comm allow db host
	syva-comm allow web host
	syva-ipzone add 10.0.0.9 2001:db8::9 db
	syva-ipzone add 10.0.0.8 web
	syva-zone egress add db 10.0.0.0/8:443 "[2001:db8::/32]:443"
	syva-zone egress add web 192.0.2.0/24
	# An F_SETOWN record of each zone, as the kernel would write it.
	bpftool map update pinned "$SYVA_BPFFS/fowners" key hex 01 00 00 00 00 00 00 00 \
		value hex "$(printf %02x "$db")" 00 00 00
	bpftool map update pinned "$SYVA_BPFFS/fowners" key hex 02 00 00 00 00 00 00 00 \
		value hex "$(printf %02x "$web")" 00 00 00

	run --separate-stderr syva-zone del --force db
	[ "$status" -eq 0 ] && [ -z "$output" ] && [ -z "$stderr" ]

	# Nothing of db's is left, everything of web's is.
	[ "$(syva-zone list | jq -r .zone)" = web ]
	[ "$(syva-attach list --all | jq -r '[.zone, .path] | join(" ")')" = "web $CG/web" ]
	[ "$(syva-path list | jq -r .zone)" = web ]
	[ "$(entries paths)" -eq 1 ]
	[ "$(syva-comm list | jq -c '[.zone, .peer_zone]')" = '["web","host"]' ]
	[ "$(syva-ipzone list | jq -c '[.addr, .zone]')" = '["10.0.0.8","web"]' ]
	[ "$(syva-zone egress list web | jq -r .spec)" = 192.0.2.0/24 ]
	[ "$(entries egress4)" -eq 1 ] && [ "$(entries egress6)" -eq 0 ]
	[ "$(bpftool -j map dump pinned "$SYVA_BPFFS/fowners" | jq -c '[.[].formatted.value]')" = "[$web]" ]
	[ "$(bpftool -j map dump pinned "$SYVA_BPFFS/zone_names" | jq length)" -eq 1 ]

	# The next zone gets db's id, and none of its references.
	syva-zone add next
	[ "$(zone_id next)" -eq "$db" ]
	[ "$(syva-zone show next | jq -c '[.cgroups, .files]')" = "[0,0]" ]
	[ -z "$(syva-comm list next)" ]
	[ -z "$(syva-ipzone list next)" ]
	[ -z "$(syva-zone egress list next)" ]
}

@test "syva-zone del: pairs, pod addresses and the allowlist go with the zone" {
	syva-zone add web db
	syva-comm allow web db
	syva-ipzone add 10.0.0.9 db
	syva-zone egress add db 10.0.0.0/8
	syva-zone del db
	[ -z "$(syva-comm list)" ]
	[ -z "$(syva-ipzone list)" ]
	[ "$(entries egress4)" -eq 0 ]
}

@test "syva-zone egress: list prints what add reads back, with its JSON keys" {
	syva-zone add web db
	syva-zone egress add web 10.0.0.0/8:443 "[2001:db8::/32]:80-81" 192.0.2.7
	run syva-zone egress list web
	printf '%s\n' "$output" | keys_are zone spec addr prefixlen port_min port_max
	[ "$(jq -c 'select(.spec == "192.0.2.7/32") | [.port_min, .port_max]' <<<"$output")" = "[null,null]" ]
	syva-zone egress list --text web | syva-zone egress add db -
	[ "$(syva-zone egress list --text db)" = "$(syva-zone egress list --text web)" ]
}

# ---- syva-comm ---------------------------------------------------------------

@test "syva-comm: bad input" {
	syva-zone add web db
	fails 64 "missing command" syva-comm
	fails 64 'unknown command "bogus"' syva-comm bogus
	fails 64 "allow needs ZONE and at least one PEER" syva-comm allow web
	fails 64 "allow needs ZONE and at least one PEER" syva-comm allow
	fails 64 "deny needs ZONE and at least one PEER" syva-comm deny web
	fails 64 "list takes at most one ZONE" syva-comm list web db
	fails 65 'invalid zone name "a b"' syva-comm allow "a b" web
	fails 65 'invalid zone name ""' syva-comm allow web ""
	fails 65 'invalid zone name "A"' syva-comm list A
	fails 65 'unknown zone "nosuch"' syva-comm allow web nosuch
	fails 65 'unknown zone "nosuch"' syva-comm allow nosuch web
	fails 65 'unknown zone "nosuch"' syva-comm deny web nosuch
	fails 65 'unknown zone "nosuch"' syva-comm list nosuch
	fails 65 '"web" and "web" are the same zone' syva-comm allow web web
	fails 65 '"host" and "host" are the same zone' syva-comm allow host host
	# All or nothing: one unknown peer among good ones.
	fails 65 'unknown zone "nosuch"' syva-comm allow web db host nosuch
}

@test "syva-comm: an unknown option is named in one line" {
	syva-zone add web db
	fails 64 "--bogus" syva-comm allow --bogus web db
	fails 64 "--force" syva-comm deny --force web db
	fails 64 "--all" syva-comm list --all
}

@test "syva-comm: pairs are symmetric and stored once; list keys and order" {
	syva-zone add web db
	syva-comm allow web db
	syva-comm allow db web
	[ "$(entries pairs)" -eq 1 ]
	syva-comm allow web host
	run syva-comm list
	printf '%s\n' "$output" | keys_are zone peer_zone
	# host is never first; the named zone is.
	[ "$(jq -c 'select(.peer_zone == "host" or .zone == "host") | [.zone, .peer_zone]' <<<"$output")" = '["web","host"]' ]
	[ "$(syva-comm list db | jq -c '[.zone, .peer_zone]')" = '["db","web"]' ]
	[ "$(syva-comm list --text db)" = "db <-> web" ]
	syva-comm deny db web
	syva-comm deny db web
	[ "$(syva-comm list | jq -c '[.zone, .peer_zone]')" = '["web","host"]' ]
}

# ---- syva-attach -------------------------------------------------------------

@test "syva-attach: bad input" {
	syva-zone add web db
	mkdir -p "$CG/a" "$CG/b"
	syva-attach add web "$CG/b"
	fails 64 "missing command" syva-attach
	fails 64 'unknown command "bogus"' syva-attach bogus
	fails 64 "add needs ZONE and at least one TARGET" syva-attach add web
	fails 64 "del needs at least one TARGET" syva-attach del
	fails 64 "list takes at most one ZONE" syva-attach list web db
	fails 65 'invalid zone name "a b"' syva-attach add "a b" "$CG/a"
	fails 65 'unknown zone "nosuch"' syva-attach add nosuch "$CG/a"
	fails 65 'unknown zone "nosuch"' syva-attach list nosuch
	fails 65 'cannot attach to "host"' syva-attach add host "$CG/a"
	fails 66 "cannot open cgroup \"$CG/nonexistent\"" syva-attach add web "$CG/nonexistent"
	fails 66 'cannot open cgroup "/nonexistent"' syva-attach del /nonexistent
	fails 65 "\"$BATS_TEST_TMPDIR\" is not a cgroup v2 directory" syva-attach add web "$BATS_TEST_TMPDIR"
	fails 65 'invalid pid "abc"' syva-attach add --pid web abc
	fails 65 'invalid pid "0"' syva-attach add --pid web 0
	fails 65 'invalid pid "2147483648"' syva-attach add --pid web 2147483648
	fails 65 'invalid pid ""' syva-attach add --pid web ""
	fails 66 "no process with pid 2147483647" syva-attach add --pid web 2147483647
	fails 65 'invalid cgroup id "abc"' syva-attach add --id web abc
	fails 65 'invalid cgroup id "0"' syva-attach add --id web 0
	fails 65 'invalid cgroup id "18446744073709551616"' syva-attach add --id web 18446744073709551616
	fails 66 "no cgroup with id 999999999999" syva-attach add --id web 999999999999
	fails 65 "cgroup $(stat -c %i "$CG/a") is not attached to a zone" syva-attach del "$CG/a"
	fails 65 "is attached to zone \"web\"" syva-attach add db "$CG/b"
}

@test "syva-attach: an unknown or misplaced option is named in one line" {
	syva-zone add web
	mkdir -p "$CG/a"
	fails 64 "--bogus" syva-attach add --bogus web "$CG/a"
	fails 64 "--id" syva-attach add --pid --id web 1
	fails 64 "--all" syva-attach add --all web "$CG/a"
	fails 64 "--pid" syva-attach list --pid
	fails 64 "--json" syva-attach del --json "$CG/a"
}

@test "syva-attach: the root cgroup is refused, by path, by id and by pid" {
	syva-zone add web
	mkdir -p "$CG/a"
	fails 65 "cannot attach the root cgroup" syva-attach add web "$SYVA_CGROUP_ROOT"
	fails 65 "cannot attach the root cgroup" syva-attach add --id web "$(stat -c %i "$SYVA_CGROUP_ROOT")"
	# All or nothing: a good target before it is not attached either.
	fails 65 "cannot attach the root cgroup" syva-attach add web "$CG/a" "$SYVA_CGROUP_ROOT"
	if [ "$(sed -n 's/^0:://p' /proc/self/cgroup)" = / ]; then
		fails 65 "cannot attach the root cgroup" syva-attach add --pid web $$
	fi
	fails 66 "/nonexistent" syva-attach add web "$CG/a" /nonexistent
}

@test "syva-attach add: existing descendants are inherited; list keys; --all" {
	syva-zone add web
	mkdir -p "$CG/p/c/g"
	syva-attach add web "$CG/p"
	run --separate-stderr syva-attach list --all
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
	printf '%s\n' "$output" | keys_are zone cgroup_id path inherited
	[ "$(jq -r '[.path, .inherited, .zone] | join(" ")' <<<"$output")" = "$CG/p false web
$CG/p/c true web
$CG/p/c/g true web" ]
	[ "$(jq -r 'select(.path == "'"$CG/p"'") | .cgroup_id' <<<"$output")" = "$(stat -c %i "$CG/p")" ]
	jq -e '.cgroup_id | type == "string"' <<<"$output" >/dev/null
	# Without --all, attached cgroups only.
	[ "$(syva-attach list | jq -r .path)" = "$CG/p" ]
	[ "$(syva-attach list --text)" = "$(printf '%-24s %-20s %s' web "$(stat -c %i "$CG/p")" "$CG/p")" ]
}

@test "syva-attach: zones nest, and del falls back to a zoned parent's zone" {
	syva-zone add outer inner
	mkdir -p "$CG/o/i/g"
	syva-attach add inner "$CG/o/i"
	syva-attach add outer "$CG/o"
	# The inner attachment and its subtree keep their zone.
	[ "$(syva-attach list --all | jq -r '[.path, .zone, .inherited] | join(" ")')" = "$CG/o outer false
$CG/o/i inner false
$CG/o/i/g inner true" ]
	syva-attach del "$CG/o/i"
	[ "$(syva-attach list --all | jq -r '[.path, .zone, .inherited] | join(" ")')" = "$CG/o outer false
$CG/o/i outer true
$CG/o/i/g outer true" ]
	# With no zoned parent the subtree leaves every zone.
	syva-attach del "$CG/o"
	[ -z "$(syva-attach list --all)" ]
	[ "$(entries cgroups)" -eq 0 ]
}

@test "syva-attach: targets by pid, by id and from stdin; attaching again is fine" {
	syva-zone add web db
	mkdir -p "$CG/bypid" "$CG/byid" "$CG/s1" "$CG/s2"
	local pid
	pid=$(bg sleep 60)
	echo "$pid" >"$CG/bypid/cgroup.procs"
	syva-attach add --pid web "$pid"
	syva-attach add --id web "$(stat -c %i "$CG/byid")"
	printf '%s\n' "$CG/s1" "$CG/s2" | syva-attach add db -
	syva-attach add --id web "$(stat -c %i "$CG/byid")"
	[ "$(syva-attach list web | jq -r .path | sort | tr '\n' ' ')" = "$CG/byid $CG/bypid " ]
	[ "$(syva-attach list db | jq -r .path | sort | tr '\n' ' ')" = "$CG/s1 $CG/s2 " ]
	syva-attach del --pid "$pid"
	printf '%s\n' "$CG/s1" "$CG/s2" | syva-attach del -
	[ "$(syva-attach list | jq -r .path)" = "$CG/byid" ]
}

@test "syva-attach list: a member whose directory is gone has a null path" {
	syva-zone add web
	mkdir -p "$CG/gone"
	local id
	id=$(stat -c %i "$CG/gone")
	syva-attach add web "$CG/gone"
	rmdir "$CG/gone"
	# With the programs attached the kernel forgets it at rmdir; here not.
	run syva-attach list
	[ "$(jq -c '[.cgroup_id, .path]' <<<"$output")" = "[\"$id\",null]" ]
	[[ $(syva-attach list --text) == *"(gone)"* ]]
}

# ---- syva-path -------------------------------------------------------------

@test "syva-path: bad input" {
	syva-zone add web db
	local f=$BATS_TEST_TMPDIR/f g=$BATS_TEST_TMPDIR/g
	echo f >"$f"
	echo g >"$g"
	syva-path add web "$f"
	fails 64 "missing command" syva-path
	fails 64 'unknown command "bogus"' syva-path bogus
	fails 64 "add needs ZONE and at least one PATH" syva-path add web
	fails 64 "del needs at least one PATH" syva-path del
	fails 64 "show needs at least one PATH" syva-path show
	fails 64 "list takes at most one ZONE" syva-path list web db
	fails 64 "-x goes with -r" syva-path add -x web "$g"
	fails 64 "-x goes with -r" syva-path del -x "$f"
	fails 65 'invalid zone name "A"' syva-path add A "$g"
	fails 65 'invalid zone name "a b"' syva-path list "a b"
	fails 65 'unknown zone "nosuch"' syva-path add nosuch "$g"
	fails 65 'unknown zone "nosuch"' syva-path list nosuch
	fails 65 'cannot register to "host"' syva-path add host "$g"
	fails 66 'cannot resolve "/nonexistent"' syva-path add web /nonexistent
	fails 66 "cannot resolve \"$f/x\"" syva-path add web "$f/x"
	fails 66 'cannot resolve ""' syva-path add web ""
	fails 66 'cannot resolve "/nonexistent"' syva-path del /nonexistent
	fails 66 'cannot resolve "/nonexistent"' syva-path show /nonexistent
	fails 65 "\"$g\" is not registered to a zone" syva-path del "$g"
	fails 65 "\"$f\" is registered to zone \"web\"" syva-path add db "$f"
}

@test "syva-path: an unknown or misplaced option is named in one line" {
	syva-zone add web
	echo f >"$BATS_TEST_TMPDIR/f"
	fails 64 "--bogus" syva-path add --bogus web "$BATS_TEST_TMPDIR/f"
	fails 64 "--json" syva-path add --json web "$BATS_TEST_TMPDIR/f"
	fails 64 "-r" syva-path list -r
	fails 64 "-0" syva-path show -0 "$BATS_TEST_TMPDIR/f"
}

@test "syva-path: all or nothing" {
	syva-zone add web db
	local t
	t=$(mktree)
	syva-path add db "$t/sub/b"
	# One file of the tree belongs to another zone: nothing is registered.
	fails 65 "\"$t/sub/b\" is registered to zone \"db\"" syva-path add -r web "$t"
	fails 66 'cannot resolve "/nonexistent"' syva-path add web "$t/a" /nonexistent
	fails 65 "\"$t/a\" is not registered to a zone" syva-path del "$t/sub/b" "$t/a"
	[ "$(syva-path list | jq -r .path)" = "$t/sub/b" ]
}

@test "syva-path: list and show records; identity as the kernel has it" {
	syva-zone add web
	local f=$BATS_TEST_TMPDIR/f g=$BATS_TEST_TMPDIR/g
	echo f >"$f"
	echo g >"$g"
	syva-path add web "$f"
	run --separate-stderr syva-path list
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
	printf '%s\n' "$output" | keys_are zone path dev ino registered_path truncated
	[ "$(jq -c '[.zone, .path, .registered_path, .truncated]' <<<"$output")" = "[\"web\",\"$f\",\"$f\",false]" ]
	[ "$(jq -r .ino <<<"$output")" = "$(stat -c %i "$f")" ]
	jq -e '.ino | type == "string"' <<<"$output" >/dev/null
	[ "$(jq -r .dev <<<"$output")" -eq "$(kdev "$f")" ]
	run --separate-stderr syva-path show "$f"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | keys_are zone path dev ino registered_path truncated
	# Not registered: the record says so, and the answer is "no".
	run --separate-stderr syva-path show "$g" "$f"
	[ "$status" -eq 1 ] && [ -z "$stderr" ]
	[ "${#lines[@]}" -eq 2 ]
	printf '%s\n' "$output" | keys_are zone path dev ino registered_path truncated
	[ "$(jq -c 'select(.path == "'"$g"'") | [.zone, .registered_path]' <<<"$output")" = "[null,null]" ]
}

@test "syva-path add -r: directories and files, symlinks inside not followed; a named symlink is" {
	syva-zone add web
	local t out
	t=$(mktree)
	echo outside >"$BATS_TEST_TMPDIR/outside"
	ln -s "$BATS_TEST_TMPDIR/outside" "$t/link"
	syva-path add -r web "$t"
	[ "$(syva-path list | jq -r .path | tr '\n' ' ')" = "$t $t/a $t/sub $t/sub/b $t/sub/deep $t/sub/deep/c " ]
	run syva-path show "$BATS_TEST_TMPDIR/outside"
	[ "$status" -eq 1 ]
	syva-path add web "$t/link"
	[ "$(syva-path show "$BATS_TEST_TMPDIR/outside" | jq -r .zone)" = web ]
	# del -r skips what is not registered.
	echo new >"$t/sub/new"
	syva-path del -r "$t/sub"
	[ "$(syva-path list | jq -r .path | tr '\n' ' ')" = "$BATS_TEST_TMPDIR/outside $t $t/a " ]
}

@test "syva-path add -r -x stays on one file system" {
	syva-zone add web
	local t
	t=$(mktree)
	mkdir "$t/mnt"
	mount -t tmpfs none "$t/mnt"
	echo "$t/mnt" >>"$BATS_TEST_TMPDIR/mounts"
	echo m >"$t/mnt/m"
	syva-path add -r -x web "$t"
	run syva-path show "$t/mnt/m"
	[ "$status" -eq 1 ]
	syva-path add -r web "$t"
	[ "$(syva-path show "$t/mnt/m" | jq -r .zone)" = web ]
}

@test "syva-path: paths from stdin, one per line or NUL-separated" {
	syva-zone add web db
	local t
	t=$(mktree)
	find "$t" -type f | syva-path add web -
	[ "$(syva-path list web | jq -r .path | tr '\n' ' ')" = "$t/a $t/sub/b $t/sub/deep/c " ]
	syva-path list web | jq -r .path | syva-path del -
	[ -z "$(syva-path list)" ]
	mv "$t/a" "$t/a b"
	printf '%s\n' "newline" >"$t/sub/with
newline"
	find "$t" -type f -print0 | syva-path add -0 db -
	[ "$(syva-path list db | jq -s length)" -eq 4 ]
	[ "$(syva-path show "$t/a b" | jq -r .zone)" = db ]
}

@test "syva-path: a long path is kept truncated; a non-UTF-8 path gets _hex keys" {
	syva-zone add web
	local d=$BATS_TEST_TMPDIR long bad
	long=$d/$(printf 'x%.0s' $(seq 250))
	echo l >"$long"
	bad=$d/$'\xff'name
	echo b >"$bad"
	syva-path add web "$long" "$bad"
	run syva-path list
	[ "$(jq -c 'select(.truncated) | [(.registered_path | length), (.path | length)]' <<<"$output")" = "[255,255]" ]
	[[ $(syva-path list --text) == *"..."* ]]
	jq -c 'select(.path | test("name$"))' <<<"$output" |
		keys_are zone path path_hex dev ino registered_path registered_path_hex truncated
	[ "$(jq -r 'select(.path | test("name$")) | .path_hex' <<<"$output")" = "$(printf '%s' "$bad" | od -An -tx1 | tr -d ' \n')" ]
	[[ $(jq -r 'select(.path | test("name$")) | .path' <<<"$output") == *$'\xef\xbf\xbd'name ]]
}

# ---- syva-ipzone -------------------------------------------------------------

@test "syva-ipzone: bad input" {
	syva-zone add web db
	syva-ipzone add 10.0.0.1 web
	fails 64 "missing command" syva-ipzone
	fails 64 'unknown command "bogus"' syva-ipzone bogus
	fails 64 "add needs at least one IP and a ZONE" syva-ipzone add web
	fails 64 "del needs at least one IP" syva-ipzone del
	fails 64 "list takes at most one ZONE" syva-ipzone list web db
	fails 65 'unknown zone "nosuch"' syva-ipzone add 10.0.0.2 nosuch
	fails 65 'unknown zone "nosuch"' syva-ipzone list nosuch
	fails 65 'invalid zone name "a b"' syva-ipzone add 10.0.0.2 "a b"
	local ip
	for ip in bogus 10.0.0.0/24 10.0.0.1:80 256.0.0.1 "" 127.0.0.1 127.1.2.3 ::1 0.0.0.0 :: \
		::ffff:127.0.0.1 ::ffff:0.0.0.0; do
		fails 65 "invalid pod IP \"$ip\"" syva-ipzone add "$ip" web
	done
	for ip in bogus 127.0.0.1 ::; do
		fails 65 "invalid pod IP \"$ip\"" syva-ipzone del "$ip"
	done
	fails 65 '10.0.0.1 is in zone "web"' syva-ipzone add 10.0.0.1 db
	fails 65 '10.0.0.1 is in zone "web"' syva-ipzone add ::ffff:10.0.0.1 db
	# All or nothing.
	fails 65 'invalid pod IP "bogus"' syva-ipzone add 10.0.0.2 bogus web
	fails 65 '10.0.0.1 is in zone "web"' syva-ipzone add 10.0.0.2 10.0.0.1 db
}

@test "syva-ipzone: an unknown option is named in one line" {
	syva-zone add web
	fails 64 "--bogus" syva-ipzone add --bogus 10.0.0.1 web
	fails 64 "--all" syva-ipzone list --all
}

@test "syva-ipzone: list keys; a mapped IPv6 address is the IPv4 one; stdin" {
	syva-zone add web db
	syva-ipzone add ::ffff:10.0.0.1 2001:db8::1 web
	printf '%s\n' 10.0.0.3 10.0.0.2 | syva-ipzone add - db
	syva-ipzone add 10.0.0.1 web
	run syva-ipzone list
	printf '%s\n' "$output" | keys_are addr zone
	[ "$(jq -r '[.addr, .zone] | join(" ")' <<<"$output")" = "10.0.0.1 web
10.0.0.2 db
10.0.0.3 db
2001:db8::1 web" ]
	syva-ipzone del 10.0.0.1 10.0.0.99
	[ "$(syva-ipzone list web | jq -r .addr)" = 2001:db8::1 ]
}

# ---- syva-status ---------------------------------------------------------------

@test "syva-status: the report's keys; exit status is the health" {
	run --separate-stderr syva-status --json
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 1 ]
	printf '%s\n' "$output" | keys_are v health reasons loaded mode abi_version generation \
		loaded_at reset_at zones hooks_attached hooks_expected selftest selftests \
		escape_detector escapes escapes_since_reset programs hooks zone_decisions maps
	# Loaded without programs: unsafe, and the reasons say why.
	[ "$status" -eq 69 ]
	[ "$(jq -r '[.loaded, .health, .selftest] | join(" ")' <<<"$output")" = "true unsafe not-run" ]
	jq -e '.reasons | map(.code) | index("not_attached") and index("selftest")' <<<"$output" >/dev/null
	jq -e '.generation | type == "string"' <<<"$output" >/dev/null
	run --separate-stderr syva-status -q
	[ "$status" -eq 69 ] && [ -z "$output" ] && [ -z "$stderr" ]
	run syva-status --prometheus
	[[ $output == *$'\nsyva_up 1\n'* ]]
	run syva-status --text
	[[ ${lines[0]} == "health:      unsafe" ]]
}

@test "syva-status: not loaded is unsafe, with the same keys and empty lists" {
	SYVA_BPFFS=$NOT_LOADED run --separate-stderr syva-status --json
	[ "$status" -eq 69 ] && [ -z "$stderr" ]
	printf '%s\n' "$output" | keys_are v health reasons loaded mode abi_version generation \
		loaded_at reset_at zones hooks_attached hooks_expected selftest selftests \
		escape_detector escapes escapes_since_reset programs hooks zone_decisions maps
	[ "$(jq -c '[.loaded, .health, .reasons[0].code, .programs, .hooks, .maps]' <<<"$output")" = \
		'[false,"unsafe","not_loaded",[],[],[]]' ]
	SYVA_BPFFS=$NOT_LOADED run syva-status --prometheus
	[[ $output == *$'\nsyva_up 0\n'* ]]
}

@test "syva-status: bad input" {
	fails 64 '"extra"' syva-status extra
	fails 64 "stand alone" syva-status -q --json
	fails 64 "stand alone" syva-status --reset --prometheus
	fails 64 "--bogus" syva-status --bogus
}

@test "syva-status --reset sets the baseline time and no policy" {
	local g
	g=$(generation)
	run --separate-stderr syva-status --reset
	[ "$status" -eq 0 ] && [ -z "$output" ] && [ -z "$stderr" ]
	[ "$(syva-status --json | jq -r '.reset_at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$")')" = true ]
	[ "$(generation)" -eq "$g" ]
}

# ---- syva-events ---------------------------------------------------------------

@test "syva-events: bad input" {
	fails 65 'invalid zone name "a b"' syva-events --zone "a b"
	fails 65 'invalid zone name ""' syva-events --zone ""
	fails 64 'invalid hook "bogus"' syva-events --hook bogus
	fails 64 'invalid action "allow"' syva-events --action allow
	fails 64 'invalid node name ""' syva-events --node ""
	fails 64 '"extra"' syva-events extra
	local z=() i
	for i in $(seq 17); do z+=(--zone "z$i"); done
	fails 64 "at most 16 --zone" syva-events "${z[@]}"
	fails 64 "--bogus" syva-events --bogus
}

@test "syva-events: nothing pending is exit 0 and no output; a second reader is 75" {
	run --separate-stderr syva-events --zone host --hook file_open --action deny
	[ "$status" -eq 0 ] && [ -z "$output" ] && [ -z "$stderr" ]
	bg flock -o "$SYVA_BPFFS/links" sleep 60 >/dev/null
	sleep 0.3
	fails 75 "another syva-events is reading the events" syva-events
}

# ---- items from stdin --------------------------------------------------------------

@test "\"-\" with nothing on stdin: an add is exit 66, a del does nothing" {
	syva-zone add web
	fails 66 "stdin" syva-path add web - </dev/null
	fails 66 "stdin" syva-attach add web - </dev/null
	fails 66 "stdin" syva-ipzone add - web </dev/null
	fails 66 "stdin" syva-zone egress add web - </dev/null
	local cmd
	for cmd in "syva-path del -" "syva-attach del -" "syva-ipzone del -" "syva-zone egress del web -"; do
		run --separate-stderr $cmd </dev/null
		echo "$cmd: $status $stderr"
		[ "$status" -eq 0 ] && [ -z "$output" ] && [ -z "$stderr" ]
	done
}

# ---- shared failures -------------------------------------------------------------

@test "every tool says 69 when syva is not loaded" {
	local nl=$NOT_LOADED
	export SNAP_ROOT=$SYVA_BPFFS
	SYVA_BPFFS=$nl fails 69 "syva is not loaded" syva-zone list
	SYVA_BPFFS=$nl fails 69 "syva is not loaded" syva-zone add web
	SYVA_BPFFS=$nl fails 69 "syva is not loaded" syva-comm list
	SYVA_BPFFS=$nl fails 69 "syva is not loaded" syva-attach list
	SYVA_BPFFS=$nl fails 69 "syva is not loaded" syva-path list
	SYVA_BPFFS=$nl fails 69 "syva is not loaded" syva-ipzone list
	SYVA_BPFFS=$nl fails 69 "syva is not loaded" syva-events
	SYVA_BPFFS=$nl fails 69 "syva is not loaded" syva-status --reset
}

@test "another ABI version loaded is 78 for every tool, and for syva-load" {
	local rest
	rest=$(bpftool -j map dump pinned "$SYVA_BPFFS/meta" | jq -r '.[0].value[4:] | join(" ")')
	# shellcheck disable=SC2086 # one argument per byte
	bpftool map update pinned "$SYVA_BPFFS/meta" key hex 00 00 00 00 value 0x63 0x00 0x00 0x00 $rest
	fails 78 "ABI version 99" syva-zone list
	fails 78 "ABI version 99" syva-zone add web
	fails 78 "ABI version 99" syva-comm list
	fails 78 "ABI version 99" syva-attach list
	fails 78 "ABI version 99" syva-path list
	fails 78 "ABI version 99" syva-ipzone list
	fails 78 "ABI version 99" syva-events
	fails 78 "ABI version 99" syva-load --no-attach
	run syva-status --json
	[ "$status" -eq 69 ]
	[ "$(jq -r '.reasons[0].code' <<<"$output")" = abi_mismatch ]
}

@test "a map of another layout is 78 naming the map, for the tools and for syva-load" {
	rm "$SYVA_BPFFS/pairs"
	bpftool map create "$SYVA_BPFFS/pairs" type hash key 8 value 8 entries 4 name pairs
	fails 78 "map pairs has layout" syva-zone list
	fails 78 "map pairs has layout" syva-comm allow host host
	fails 78 "pairs" syva-load --no-attach
}

@test "a missing map is 78 naming it" {
	rm "$SYVA_BPFFS/ipzones"
	POLICY_MAPS=${POLICY_MAPS/ipzones/} fails 78 "map $SYVA_BPFFS/ipzones is missing" syva-zone list
	POLICY_MAPS=${POLICY_MAPS/ipzones/} fails 78 "ipzones is missing" syva-ipzone list
}

@test "no permission is 77" {
	syva-zone add web
	local as_nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups env "PATH=$PATH")
	FAILS_TOOL=syva-zone fails 77 "Permission denied" "${as_nobody[@]}" syva-zone list
	FAILS_TOOL=syva-zone fails 77 "Permission denied" "${as_nobody[@]}" syva-zone add other
	FAILS_TOOL=syva-path fails 77 "Permission denied" "${as_nobody[@]}" syva-path list
}

@test "stdout that cannot be written is 74; a closed pipe ends a tool quietly" {
	syva-zone add web
	syva-comm allow web host
	mkdir -p "$CG/w"
	syva-attach add web "$CG/w"
	echo f >"$BATS_TEST_TMPDIR/f"
	syva-path add web "$BATS_TEST_TMPDIR/f"
	syva-ipzone add 10.0.0.1 web
	syva-zone egress add web 10.0.0.0/8
	local cmd rc
	for cmd in "syva-zone list" "syva-zone show web" "syva-zone egress list web" \
		"syva-comm list" "syva-attach list" "syva-path list" "syva-path show $BATS_TEST_TMPDIR/f" \
		"syva-ipzone list" "syva-load --check"; do
		run --separate-stderr bash -c "$cmd >/dev/full"
		echo "$cmd: $status $stderr"
		[ "$status" -eq 74 ]
		[[ $stderr == "${cmd%% *}: cannot write to stdout: No space left on device" ]]
		run --separate-stderr bash -c "$cmd --text >/dev/full"
		[ "$status" -eq 74 ]
		# The reader is gone before the tool writes: EPIPE, quietly.
		rc=0
		bash -c "sleep 0.3; exec $cmd" 2>"$BATS_TEST_TMPDIR/err" > >(exec 0<&-; sleep 2) || rc=$?
		echo "$cmd | closed: $rc $(cat "$BATS_TEST_TMPDIR/err")"
		[ "$rc" -eq 0 ] && [ ! -s "$BATS_TEST_TMPDIR/err" ]
	done
}

@test "JSON when piped, text on a terminal, --json and --text to force either" {
	syva-zone add web
	syva-comm allow web host
	mkdir -p "$CG/w"
	syva-attach add web "$CG/w"
	echo f >"$BATS_TEST_TMPDIR/f"
	syva-path add web "$BATS_TEST_TMPDIR/f"
	syva-ipzone add 10.0.0.1 web
	local cmd out
	for cmd in "syva-zone list" "syva-zone show web" "syva-comm list" "syva-attach list" \
		"syva-path list" "syva-ipzone list" "syva-status" "syva-load --check"; do
		out=$($cmd) || true
		jq -e . <<<"$out" >/dev/null
		out=$($cmd --json) || true
		jq -e . <<<"$out" >/dev/null
		out=$($cmd --text) || true
		[ -n "$out" ]
		not_json "$cmd" "$out"
		out=$(script -qec "$cmd" /dev/null | tr -d '\r') || true
		[ -n "$out" ]
		not_json "$cmd" "$out"
		out=$(script -qec "$cmd --json" /dev/null | tr -d '\r') || true
		jq -e . <<<"$out" >/dev/null
	done
}
