# SPDX-License-Identifier: GPL-2.0-only
# Shared by the VM enforcement suites: a fresh syva per suite file, zoned
# cgroups made by the test, a command run inside one, and a hook's counters
# read through syva-status, so every deny test can assert the errno (from
# probe) and the kernel's own deny delta.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SYVA_BUILD=${SYVA_BUILD:-$TOP/build}
export PATH="$SYVA_BUILD:$SYVA_BUILD/tests:$PATH"
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

# inside CG CMD...: run CMD as a process in cgroup CG ("-": where we are).
inside() {
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
	probe counter "$1" "$2"
}

# expect HOOK DELTA RESULT CG OP ARGS...: probe OP in CG must print RESULT
# ("ok", "EPERM", ...) and move HOOK's deny counter by exactly DELTA.
expect() {
	local hook=$1 delta=$2 want=$3 cg=$4 before after out
	shift 4
	before=$(counter "$hook" deny)
	out=$(inside "$cg" probe "$@") || true
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

# ---- evidence: events, audit, escape and health suites -------------------

# The documented key set of an event record, in its order.
EVENT_KEYS="v ts event_id node action hook zone peer_zone pid tgid uid comm cgroup_id path dev ino family addr port target_pid target_comm target_cgroup_id target_cgroup policy_generation severity reason"

# syva_fresh_with OPTS...: syva_fresh, with syva-load options that only a
# first load takes (capacities, --ringbuf-size).
syva_fresh_with() {
	syva-load --unload
	syva-load "$@"
	mkdir -p "$CG"
}

# drain_events: empty the ring buffer, so a test sees only its own events.
drain_events() {
	syva-events --json >/dev/null
}

# health_state: healthy, degraded or unsafe (syva-status's exit code is
# the health too, so read it through a pipe).
health_state() {
	syva-status --json | jq -r .health
}

# ---- process and unix socket suites ----------------------------------------

# denies HOOK: HOOK's deny counter as syva-status reports it, read without
# jq (one exec): the suites' check that probe's own count (counter, qexpect)
# agrees with the tool's. syva-status's exit code is its health, not a failure.
denies() {
	local j re="\"hook\":\"$1\",[^}]*\"deny\":([0-9]+)"
	j=$(syva-status --json || true)
	if [[ ! $j =~ $re ]]; then
		echo "no deny counter for hook $1 in syva-status --json" >&2
		return 1
	fi
	echo "${BASH_REMATCH[1]}"
}

# qexpect HOOK DELTA RESULT CG OP ARGS...: `expect` in one probe run: probe
# joins CG and reads HOOK's deny counter itself before and after the call
# (SYVA_PROBE_CG, SYVA_PROBE_DENY: tests/probe/task.c), so a check costs one
# exec, not five.
qexpect() {
	local hook=$1 delta=$2 want=$3 cg=$4 out
	shift 4
	[ "$cg" != - ] || cg=
	out=$(SYVA_PROBE_CG=$cg SYVA_PROBE_DENY=$hook probe "$@") || true
	if [ "$out" != "$want"$'\n'"deny+$delta" ]; then
		echo "probe $* in ${cg##*/}: got '${out//$'\n'/ }'," \
			"want '$want deny+$delta' ($hook)" >&2
		return 1
	fi
}

# hold CG: a new idle target process in cgroup CG, with SIGIO, SIGURG,
# SIGUSR1 and SIGUSR2 blocked (they stay pending once delivered); its pid.
hold() {
	SYVA_PROBE_CG=$1 probe hold
}
