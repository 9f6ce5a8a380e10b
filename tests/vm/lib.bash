# SPDX-License-Identifier: GPL-2.0-only
# Shared by the VM enforcement suites: a fresh syva per suite file, zoned
# cgroups made by the test, a command run inside one, and a hook's counters
# read through syva-status, so every deny test can assert the errno (from
# probe) and the kernel's own deny delta.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
B=${SYVA_BUILD:-$TOP/build}
export PATH="$B:$B/tests:$PATH"
CG=/sys/fs/cgroup/syva-test

# In setup_file: a clean load, and a parent cgroup for the suite.
syva_fresh() {
	syva-load --unload
	syva-load
	mkdir -p "$CG"
}

# In teardown_file: no test process or cgroup outlives its suite.
syva_cleanup() {
	local d
	if [ -d "$CG" ]; then
		for d in $(find "$CG" -depth -type d); do
			while read -r p; do kill -9 "$p" 2>/dev/null || true; done < "$d/cgroup.procs"
		done
		sleep 0.2
		find "$CG" -depth -type d -exec rmdir {} + 2>/dev/null || true
	fi
	syva-load --unload
}

# mkcg NAME [ZONE]: make a test cgroup, attached to ZONE if given.
mkcg() {
	mkdir -p "$CG/$1"
	[ -z "${2:-}" ] || syva-attach add "$2" "$CG/$1"
	echo "$CG/$1"
}

# in CG CMD...: run CMD as a process in cgroup CG ("-": where we are).
in() {
	local cg=$1
	shift
	if [ "$cg" = - ]; then
		"$@"
	else
		sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$cg" "$@"
	fi
}

# counter HOOK FIELD: allow, deny, audit, error or lost of one hook.
counter() {
	syva-status --json | jq -er --arg h "$1" --arg f "$2" \
		'.hooks[] | select(.hook == $h) | .[$f]'
}

# expect HOOK DELTA RESULT CG OP ARGS...: probe OP in CG must print RESULT
# ("ok", "EPERM", ...) and move HOOK's deny counter by exactly DELTA.
expect() {
	local hook=$1 delta=$2 want=$3 cg=$4 before after out
	shift 4
	before=$(counter "$hook" deny)
	out=$(in "$cg" probe "$@") || true
	after=$(counter "$hook" deny)
	if [ "$out" != "$want" ]; then
		echo "probe $* in ${cg##*/}: got '$out', want '$want'" >&2
		return 1
	fi
	if [ $((after - before)) -ne "$delta" ]; then
		echo "$hook deny delta $((after - before)), want $delta (probe $*)" >&2
		return 1
	fi
}

# snapshot: every policy map's contents, to prove a failed command changed
# nothing (counters and events are evidence, not policy, and may move).
snapshot() {
	local m
	for m in meta zones zone_names cgroups files paths pairs ipzones egress4 egress6; do
		echo "== $m"
		bpftool map dump pinned "${SYVA_BPFFS:-/sys/fs/bpf/syva}/$m" 2>&1 | sort
	done
}
