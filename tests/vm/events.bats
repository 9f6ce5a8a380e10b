#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# The deny event stream on a real kernel: one denial gives exactly one
# record with the documented keys, zone names, comm, path or destination,
# hook and reason; text and JSON forms; filters; one reader at a time; a
# closed pipe ends a follower; and a storm larger than the ring buffer still
# has every decision enforced, with delivered + lost = denials. Loaded with
# a 4 KiB ring buffer: 15 records of 264 bytes (+ 8 of header) fit.

load lib

setup_file() {
	syva_fresh_with --ringbuf-size 4096
	syva-zone add payments database iso
	export P I U F=/tmp/syva-events
	P=$(mkcg payments payments)
	I=$(mkcg iso iso)
	U=$(mkcg unzoned)
	mkdir -p "$F"
	echo secret >"$F/secret"
	cp /bin/true "$F/db-true"
	ln -sf "$F/db-true" "$F/link-true"
	syva-path add database "$F/secret" "$F/db-true"
	# A local, non-loopback address: connecting to it is judged, and
	# refused by nothing else (no listener: ECONNREFUSED when allowed).
	ip link add syvaev0 type dummy
	ip addr add 10.98.0.1/24 dev syvaev0
	ip link set syvaev0 up
}

teardown_file() {
	ip link del syvaev0 2>/dev/null || true
	syva_cleanup
	rm -rf "$F"
}

setup() {
	drain_events
}

@test "a cross-zone read gives exactly one deny event with the documented keys" {
	expect file_open 1 EPERM "$P" open "$F/secret"
	run syva-events --json
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	echo "${lines[0]}" | jq -e --arg k "$EVENT_KEYS" '[keys_unsorted[]] == ($k | split(" "))'
	echo "${lines[0]}" | jq -e '.reason | keys == ["possible_causes", "what_failed", "why_it_matters"]'
	echo "${lines[0]}" | jq -e --arg f "$F/secret" --arg node "$(hostname)" \
		--arg cg "$(stat -c %i "$P")" --arg ino "$(stat -c %i "$F/secret")" '
		.v == 1 and .action == "deny" and .hook == "file_open" and
		.zone == "payments" and .peer_zone == "database" and .comm == "probe" and
		.path == $f and .ino == $ino and (.dev | type) == "number" and
		.cgroup_id == $cg and .node == $node and .severity == "critical" and
		(.pid | type) == "number" and .uid == 0 and (.event_id | type) == "number" and
		(.ts | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z$")) and
		.family == null and .addr == null and .port == null and
		.target_pid == null and .target_comm == null and .target_cgroup_id == null and
		.reason.what_failed == "cross-zone file open" and
		(.reason.why_it_matters | test("payments.*database")) and
		(.reason.possible_causes | length) > 0'
	gen=$(syva-status --json | jq -r .generation)
	echo "${lines[0]}" | jq -e --argjson g "$gen" '.policy_generation == $g'
}

@test "the text form is one line and an indented why: line" {
	expect file_open 1 EPERM "$P" open "$F/secret"
	run syva-events --text
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[0]} =~ ^[0-9]{2}:[0-9]{2}:[0-9]{2}Z\ DENY\ file_open\ payments\ →\ database\ pid=[0-9]+\ comm=probe\ path=$F/secret$ ]]
	[[ ${lines[1]} == "    why: cross-zone file open: a process in zone payments opened"* ]]
}

@test "piped output is JSON without --json; --node names the node" {
	expect file_open 1 EPERM "$P" open "$F/secret"
	syva-events --node n1.example | jq -se 'length == 1 and .[0].node == "n1.example"'
}

@test "an exec event carries the path the process used, not the registered one" {
	expect bprm_check_security 1 EPERM "$P" exec "$F/link-true"
	run syva-events --json
	echo "$output"
	echo "$output" | jq -se --arg p "$F/link-true" '
		length == 1 and .[0].hook == "bprm_check_security" and .[0].path == $p and
		.[0].reason.what_failed == "cross-zone exec"'
}

@test "filters: --hook, --zone (zone or peer) and --action select; the rest is consumed" {
	expect file_open 1 EPERM "$P" open "$F/secret"
	expect bprm_check_security 1 EPERM "$P" exec "$F/db-true"
	run syva-events --hook bprm_check_security
	echo "$output"
	echo "$output" | jq -se 'length == 1 and .[0].hook == "bprm_check_security"'
	[ -z "$(syva-events)" ]
	expect file_open 1 EPERM "$P" open "$F/secret"
	expect file_open 1 EPERM "$P" open "$F/secret"
	syva-events --zone database | jq -se 'length == 2 and all(.peer_zone == "database")'
	expect file_open 1 EPERM "$P" open "$F/secret"
	[ -z "$(syva-events --zone iso)" ]
	expect file_open 1 EPERM "$P" open "$F/secret"
	[ -z "$(syva-events --action audit --action escape)" ]
	[ -z "$(syva-events)" ]
}

@test "an isolated-zone connect gives one event with the destination" {
	# socket_connect is another issue's hook: without it this must fail.
	syva-status --json | jq -e '.hooks | map(.hook) | index("socket_connect")' ||
		{ echo "socket_connect is not in this build" >&2; return 1; }
	before=$(counter socket_connect deny)
	run inside "$I" bash -c 'exec 3<>/dev/tcp/10.98.0.1/9'
	[ "$status" -ne 0 ]
	[[ $output == *"Operation not permitted"* ]]
	[ "$(counter socket_connect deny)" -eq $((before + 1)) ]
	# The control, unzoned: judged by TCP only.
	run inside "$U" bash -c 'exec 3<>/dev/tcp/10.98.0.1/9'
	[[ $output == *"Connection refused"* ]]
	run syva-events --json
	[ "${#lines[@]}" -eq 1 ]
	echo "${lines[0]}" | jq -e --arg k "$EVENT_KEYS" '[keys_unsorted[]] == ($k | split(" "))'
	echo "${lines[0]}" | jq -e '
		.action == "deny" and .hook == "socket_connect" and .zone == "iso" and
		.peer_zone == "host" and .comm == "bash" and .family == "inet" and
		.addr == "10.98.0.1" and .port == 9 and .path == null and .ino == null and
		.reason.what_failed == "egress outside the allowlist" and
		(.reason.why_it_matters | test("zone iso is network-isolated"))'
}

@test "one reader at a time: a second syva-events exits 75; the follower gets the event" {
	syva-events -f --json >"$BATS_TEST_TMPDIR/follow" 2>&1 &
	pid=$!
	# The follower holds the reader lock once it runs.
	for _ in $(seq 100); do
		run syva-events
		[ "$status" -eq 75 ] && break
		sleep 0.1
	done
	[ "$status" -eq 75 ]
	[[ $output == *"another syva-events is reading the events"* ]]
	expect file_open 1 EPERM "$P" open "$F/secret"
	for _ in $(seq 50); do
		[ -s "$BATS_TEST_TMPDIR/follow" ] && break
		sleep 0.1
	done
	kill "$pid"
	wait "$pid" || true
	jq -se 'length == 1 and .[0].hook == "file_open"' "$BATS_TEST_TMPDIR/follow"
}

@test "syva-events -f | head -1 ends at the first event, quietly" {
	(syva-events -f | head -1 >"$BATS_TEST_TMPDIR/head"; echo "${PIPESTATUS[0]}" >"$BATS_TEST_TMPDIR/rc") &
	pid=$!
	for _ in $(seq 100); do
		[ "$(syva-events >/dev/null 2>&1; echo $?)" -eq 75 ] && break
		sleep 0.1
	done
	expect file_open 1 EPERM "$P" open "$F/secret"
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	! kill -0 "$pid" 2>/dev/null
	[ "$(cat "$BATS_TEST_TMPDIR/rc")" -eq 0 ]
	jq -e '.hook == "file_open"' "$BATS_TEST_TMPDIR/head"
}

@test "a storm larger than the ring buffer: all denied, delivered + lost = denials" {
	local n=300 deny0 lost0 delivered deny lost
	deny0=$(counter file_open deny)
	lost0=$(counter file_open lost)
	# One process, n opens: each redirection is an open(2).
	run inside "$P" bash -c 'n=0; for i in $(seq "$2"); do
		{ : <"$1"; } 2>/dev/null || n=$((n + 1)); done; echo "$n"' _ "$F/secret" "$n"
	[ "$output" = "$n" ]
	deny=$(($(counter file_open deny) - deny0))
	lost=$(($(counter file_open lost) - lost0))
	delivered=$(syva-events --json | jq -s 'map(select(.hook == "file_open" and .comm == "bash")) | length')
	echo "deny $deny lost $lost delivered $delivered" >&2
	[ "$deny" -eq "$n" ]
	[ "$delivered" -ge 1 ] && [ "$delivered" -le 15 ]
	[ "$lost" -ge 1 ]
	[ $((delivered + lost)) -eq "$n" ]
}

@test "lost events degrade health until syva-status --reset; -q says it in the exit code" {
	syva-status --reset
	[ "$(health_state)" = healthy ]
	# 30 denials into a buffer that holds 15.
	inside "$P" bash -c 'for i in $(seq 30); do { : <"$1"; } 2>/dev/null; done; true' _ "$F/secret"
	run syva-status -q
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	syva-status --json | jq -e '.health == "degraded" and
		(.reasons | map(.code) | index("lost")) and
		(.reasons[] | select(.code == "lost") | .detail | test("^file_open: [0-9]+ events lost"))'
	syva-status --reset
	run syva-status -q
	[ "$status" -eq 0 ]
	syva-status --json | jq -e '.health == "healthy" and .reasons == [] and .reset_at != null'
}
