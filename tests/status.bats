#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# syva-status and syva-events formats on the host, against maps pinned with
# `syva-load --no-attach` on a private bpffs (the host kernel refuses the
# programs, so nothing is attached and health is unsafe; the VM suites see
# it healthy): JSON key sets, exit codes, the Prometheus exposition (promtool
# and a format check of its own), --reset and the writers' lock, the reader
# lock of syva-events, and the contrib files (alert rules and their unit
# tests, the textfile writer, the systemd units).

TOP=$(cd "$(dirname "$BATS_TEST_FILENAME")/.." && pwd)
B=${SYVA_BUILD:-$TOP/build}
export PATH="$B:$PATH"
MNT=/tmp/bpffs-ev
export SYVA_BPFFS=$MNT/syva
STATUS_KEYS="v health reasons loaded mode abi_version generation loaded_at reset_at zones hooks_attached hooks_expected selftest selftests escape_detector escapes escapes_since_reset programs hooks zone_decisions maps"
# Every hook of issue 5's time; hooks added since may follow.
HOOKS="file_open bprm_check_security mmap_file file_mprotect ptrace_access_check task_kill file_send_sigiotask unix_stream_connect unix_may_send socket_connect socket_sendmsg socket_bind cgroup_attach_task"

setup_file() {
	mkdir -p "$MNT"
	mountpoint -q "$MNT" || mount -t bpf bpf "$MNT"
	syva-load --unload
	syva-load --no-attach --max-pairs 4
	syva-zone add web db
}

teardown_file() {
	syva-load --unload
}

# poke MAP KEY VALUE: write a value for every CPU of a per-CPU map, or the
# value of a plain one, as hex bytes (what the kernel would have counted).
poke() {
	bpftool map update pinned "$SYVA_BPFFS/$1" key hex $2 value hex $3
}

# le64 N: N as 8 little-endian hex bytes.
le64() {
	printf '%016x' "$1" | sed 's/../& /g' | awk '{ for (i = 8; i >= 1; i--) printf "%s ", $i }'
}

# counters VALUE for hook slot: allow deny audit error lost + 3 reserved.
counters() {
	poke counters "$(le64 "$1" | cut -d' ' -f1-4)" \
		"$(le64 0)$(le64 0)$(le64 0)$(le64 "$2")$(le64 "$3")$(le64 0)$(le64 0)$(le64 0)"
}

@test "loaded without hooks: unsafe, exit 69, the documented key set" {
	run syva-status --json
	[ "$status" -eq 69 ]
	echo "$output" | jq -e --arg k "$STATUS_KEYS" '[keys_unsorted[]] == ($k | split(" "))'
	echo "$output" | jq -e --arg h "$HOOKS" '
		.v == 1 and .health == "unsafe" and .loaded and .mode == "enforce" and
		.abi_version == 2 and (.generation | test("^[0-9]+$")) and .zones == 2 and
		.hooks_attached == 0 and .selftest == "not-run" and .escape_detector == "missing" and
		.escapes == 0 and .reset_at == null and
		(.loaded_at | test("^[0-9-]{10}T[0-9:]{8}Z$")) and
		(($h | split(" ")) - (.hooks | map(.hook)) == []) and
		(.hooks | map(keys) | unique == [["allow", "attached", "audit", "deny", "error", "hook", "lost"]]) and
		(.hooks | map(.allow, .deny, .audit, .error, .lost) | all(type == "number")) and
		(.zone_decisions | map(.zone) == ["web", "db"]) and
		(.maps[] | select(.map == "pairs") | .capacity == 4 and .entries == 0) and
		(.reasons | map(.code) == ["not_attached", "detector_missing", "selftest"]) and
		(.reasons | all(keys == ["code", "detail", "health"]))'
}

@test "the existing readers' shape: .hooks[] | select(.hook == \"file_open\") | .deny" {
	[ "$(syva-status --json | jq '.hooks[] | select(.hook=="file_open") | .deny')" = 0 ]
}

@test "-q prints nothing and exits with the health; text starts with it" {
	run syva-status -q
	[ "$status" -eq 69 ]
	[ -z "$output" ]
	run syva-status --text
	[ "$status" -eq 69 ]
	[ "${lines[0]}" = "health:      unsafe" ]
	[[ ${lines[1]} == "  unsafe   no program is attached: nothing is enforced (run syva-load)" ]]
	# Piped without an option: JSON.
	syva-status | jq -e '.health == "unsafe"'
}

@test "not loaded: unsafe, exit 69, same key set; -q silent" {
	run env SYVA_BPFFS=$MNT/nowhere syva-status --json
	[ "$status" -eq 69 ]
	echo "$output" | jq -e --arg k "$STATUS_KEYS" '[keys_unsorted[]] == ($k | split(" "))'
	echo "$output" | jq -e '.health == "unsafe" and (.loaded | not) and .hooks == [] and
		.mode == null and (.reasons | map(.code) == ["not_loaded"]) and
		(.reasons[0].detail | test("not loaded"))'
	run env SYVA_BPFFS=$MNT/nowhere syva-status -q
	[ "$status" -eq 69 ]
	[ -z "$output" ]
	run env SYVA_BPFFS=$MNT/nowhere syva-status --prometheus
	[ "$status" -eq 69 ]
	[[ $output == *$'\nsyva_up 0\n'* ]]
	[[ $output == *$'\nsyva_health{state="unsafe"} 1\n'* ]]
	[[ $output == *$'\nsyva_health_reason{reason="not_loaded"} 1\n'* ]]
	[[ $output != *syva_hook* ]]
}

@test "usage errors exit 64" {
	run syva-status --json --prometheus
	[ "$status" -eq 64 ]
	[[ ${lines[0]} == "syva-status: -q, --json, --text, --prometheus and --reset stand alone" ]]
	run syva-status --reset -q
	[ "$status" -eq 64 ]
	run syva-status extra
	[ "$status" -eq 64 ]
	run syva-status --bogus
	[ "$status" -eq 64 ]
}

@test "--prometheus passes promtool check metrics" {
	command -v promtool || { echo "promtool missing: contrib/install-deps installs prometheus" >&2; return 1; }
	syva-status --prometheus >"$BATS_TEST_TMPDIR/prom" || [ $? -eq 69 ]
	promtool check metrics <"$BATS_TEST_TMPDIR/prom"
	env SYVA_BPFFS=$MNT/nowhere syva-status --prometheus | promtool check metrics
}

@test "--prometheus format: HELP and TYPE before each family, names, _total counters, labels" {
	syva-status --prometheus >"$BATS_TEST_TMPDIR/prom" || [ $? -eq 69 ]
	awk '
		function fail(m) { print FILENAME ":" NR ": " m ": " $0 > "/dev/stderr"; bad = 1 }
		/^# HELP / { if ($3 in help) fail("HELP twice"); help[$3] = 1; next }
		/^# TYPE / {
			if (!($3 in help)) fail("TYPE before HELP")
			if ($4 != "gauge" && $4 != "counter") fail("type")
			if ($4 == "counter" && $3 !~ /_total$/) fail("counter without _total")
			if ($4 == "gauge" && $3 ~ /_total$/) fail("gauge with _total")
			type[$3] = $4; next
		}
		/^#/ { fail("comment"); next }
		{
			name = $1; sub(/\{.*/, "", name)
			if (name !~ /^syva_[a-z0-9_]+$/) fail("name")
			if (!(name in type)) fail("sample before its TYPE")
			if ($0 !~ /^[a-z0-9_]+(\{[a-z_]+="([^"\\]|\\.)*"(,[a-z_]+="([^"\\]|\\.)*")*\})? -?[0-9]+$/)
				fail("sample syntax")
			series = $1
			if (series in seen) fail("series twice")
			seen[series] = 1; n++
		}
		END { if (n < 50) { print "only " n " samples" > "/dev/stderr"; bad = 1 } exit bad }
	' "$BATS_TEST_TMPDIR/prom"
	grep -qx 'syva_up 1' "$BATS_TEST_TMPDIR/prom"
	grep -qx 'syva_health{state="unsafe"} 1' "$BATS_TEST_TMPDIR/prom"
	grep -qx 'syva_health{state="healthy"} 0' "$BATS_TEST_TMPDIR/prom"
	grep -qx 'syva_mode{mode="enforce"} 1' "$BATS_TEST_TMPDIR/prom"
	grep -qx 'syva_decisions_total{hook="file_open",action="deny"} 0' "$BATS_TEST_TMPDIR/prom"
	grep -qx 'syva_map_capacity{map="pairs"} 4' "$BATS_TEST_TMPDIR/prom"
	grep -qx 'syva_zone_decisions_total{zone="db",action="audit"} 0' "$BATS_TEST_TMPDIR/prom"
}

@test "errors, lost events and escapes count against health until --reset" {
	counters 0 2 3 # file_open: 2 errors, 3 lost on every CPU
	ncpu=$(nproc --all)
	syva-status --json | jq -e --argjson e $((2 * ncpu)) --argjson l $((3 * ncpu)) '
		(.hooks[0] | .error == $e and .lost == $l) and
		(.reasons | map(.code) | index("errors") and index("lost")) and
		(.reasons[] | select(.code == "errors") | .detail | startswith("file_open: \($e) kernel reads failed since the last reset")) and
		(.reasons[] | select(.code == "lost") | .detail | startswith("file_open: \($l) events lost since the last reset"))'
	# state: event_seq, escapes = 2
	poke state "00 00 00 00" "$(le64 0)$(le64 2)$(le64 0)$(le64 0)$(le64 0)$(le64 0)$(le64 0)$(le64 0)"
	syva-status --json | jq -e '.escapes == 2 and .escapes_since_reset == 2 and
		(.reasons | map(.code) | index("escape"))'
	syva-status --reset
	syva-status --json | jq -e '.escapes == 2 and .escapes_since_reset == 0 and
		(.hooks[0].error > 0) and .reset_at != null and
		(.reasons | map(.code) == ["not_attached", "detector_missing", "selftest"])'
	# New errors after the reset count again.
	counters 0 5 3
	syva-status --json | jq -e --argjson e $((3 * ncpu)) '
		.reasons[] | select(.code == "errors") | .detail | startswith("file_open: \($e) kernel")'
	syva-status --reset
}

@test "--reset writes under the writers' lock, and needs syva loaded" {
	flock -x "$SYVA_BPFFS" sleep 8 &
	sleep 0.5
	run syva-status --reset
	[ "$status" -eq 75 ]
	[[ $output == *"is locked by another syva tool"* ]]
	wait
	run env SYVA_BPFFS=$MNT/nowhere syva-status --reset
	[ "$status" -eq 69 ]
}

@test "a map above 90% full is a degraded reason" {
	syva-zone add z1 z2 z3 z4
	syva-comm allow z1 z2 z3 z4
	syva-comm allow z2 z3
	syva-status --json | jq -e '.reasons[] | select(.code == "map_full") |
		.health == "degraded" and (.detail | startswith("map pairs is 100% full (4 of 4)"))'
	syva-comm deny z2 z3
	syva-status --json | jq -e '.reasons | map(.code) | index("map_full") | not'
	syva-zone del --force z1 z2 z3 z4
}

@test "syva-load -m on a loaded system that cannot attach changes nothing; with --no-attach it switches" {
	gen=$(syva-status --json | jq -r .generation)
	run syva-load -m audit
	[ "$status" -eq 69 ]
	syva-status --json | jq -e --arg g "$gen" '.mode == "enforce" and .generation == $g'
	syva-load --no-attach -m audit
	syva-status --json | jq -e '.mode == "audit"'
	syva-status --prometheus | grep -qx 'syva_mode{mode="audit"} 1' || [ $? -eq 69 ]
	syva-load --no-attach -m enforce
	syva-status --json | jq -e '.mode == "enforce"'
}

@test "syva-events: drains nothing quietly; one reader at a time (75); bad filters" {
	run syva-events
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	syva-events -f >/dev/null &
	pid=$!
	for _ in $(seq 50); do
		run syva-events
		[ "$status" -eq 75 ] && break
		sleep 0.1
	done
	kill "$pid"
	wait "$pid" || true
	[ "$status" -eq 75 ]
	[[ $output == "syva-events: another syva-events is reading the events: "* ]]
	run syva-events --hook nosuch
	[ "$status" -eq 64 ]
	run syva-events --action allow
	[ "$status" -eq 64 ]
	run syva-events --zone "Bad Name"
	[ "$status" -eq 65 ]
	run syva-events extra
	[ "$status" -eq 64 ]
	run env SYVA_BPFFS=$MNT/nowhere syva-events
	[ "$status" -eq 69 ]
}

@test "syva-events -f ends as soon as its reader goes, not at the next event" {
	run timeout 5 sh -c 'syva-events -f | true; echo "${?}"'
	[ "$status" -eq 0 ]
	SECONDS=0
	timeout 5 sh -c 'syva-events -f | sleep 1'
	[ "$SECONDS" -le 3 ]
}

@test "contrib: alert rules pass promtool check and their unit tests" {
	command -v promtool || { echo "promtool missing: contrib/install-deps installs prometheus" >&2; return 1; }
	promtool check rules "$TOP/contrib/prometheus/syva.rules.yml"
	(cd "$TOP/contrib/prometheus" && promtool test rules syva.rules.test.yml)
}

@test "contrib: syva-textfile replaces syva.prom atomically, also when unsafe" {
	d=$BATS_TEST_TMPDIR/textfile
	mkdir "$d"
	"$TOP/contrib/syva-textfile" "$d"
	grep -qx 'syva_up 1' "$d/syva.prom"
	[ "$(stat -c %a "$d/syva.prom")" = 644 ]
	[ "$(ls -A "$d")" = syva.prom ]
	SYVA_BPFFS=$MNT/nowhere "$TOP/contrib/syva-textfile" "$d"
	grep -qx 'syva_up 0' "$d/syva.prom"
	[ "$(ls -A "$d")" = syva.prom ]
	# A failure that is no report leaves the last file alone.
	printf '#!/bin/sh\nexit 78\n' >"$BATS_TEST_TMPDIR/abi-error"
	chmod +x "$BATS_TEST_TMPDIR/abi-error"
	run env SYVA_STATUS="$BATS_TEST_TMPDIR/abi-error" "$TOP/contrib/syva-textfile" "$d"
	[ "$status" -eq 78 ]
	grep -qx 'syva_up 0' "$d/syva.prom"
	[ "$(ls -A "$d")" = syva.prom ]
}

@test "contrib: the systemd units verify" {
	command -v systemd-analyze || skip "no systemd-analyze"
	d=$BATS_TEST_TMPDIR/units
	mkdir "$d"
	for u in syva-status.service syva-status.timer syva-events.service; do
		sed -e "s|/usr/local/sbin/syva-textfile|$TOP/contrib/syva-textfile|" \
			-e "s|/usr/local/sbin/|$B/|" "$TOP/contrib/systemd/$u" >"$d/$u"
	done
	run systemd-analyze verify --man=no "$d"/syva-status.service "$d"/syva-status.timer \
		"$d"/syva-events.service
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}
