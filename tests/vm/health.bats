#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# syva-status's health on a real kernel, where it can be healthy: a fresh
# load is healthy (exit 0); a link pin removed by hand is unsafe (exit 69)
# and really stops enforcing, and re-running syva-load repairs it; a missing
# escape detector and a map above 90% full are degraded (exit 1); not loaded
# is unsafe with the same key set; the Prometheus exposition of a live
# system passes promtool and agrees with the JSON. Loaded with a pairs map
# of 10, to fill it.

load lib

ROOT=${SYVA_BPFFS:-/sys/fs/bpf/syva}
STATUS_KEYS="v health reasons loaded mode abi_version generation loaded_at reset_at zones hooks_attached hooks_expected selftest selftests escape_detector escapes escapes_since_reset programs hooks zone_decisions maps"

setup_file() {
	syva_fresh_with --max-pairs 10
	syva-zone add a b z1 z2 z3 z4 z5 z6 z7 z8 z9 z10
	export A F=/tmp/syva-health
	A=$(mkcg a a)
	mkdir -p "$F"
	echo secret >"$F/secret"
	syva-path add b "$F/secret"
}

teardown_file() {
	syva_cleanup
	rm -rf "$F"
}

@test "a fresh load is healthy: exit 0, every program attached, self-test passed" {
	run syva-status -q
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run syva-status --json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e --arg k "$STATUS_KEYS" '[keys_unsorted[]] == ($k | split(" "))'
	echo "$output" | jq -e '.health == "healthy" and .reasons == [] and .loaded and
		.hooks_attached == .hooks_expected and .selftest == "passed" and
		(.selftests | all(.[]; .)) and .escape_detector == "attached" and
		(.programs | all(.attached)) and (.hooks | all(.attached)) and
		(.hooks | map(keys) | unique == [["allow", "attached", "audit", "deny", "error", "hook", "lost"]])'
	run syva-status --text
	[ "${lines[0]}" = "health:      healthy" ]
}

@test "a removed link pin is unsafe and really unenforced; syva-load repairs it" {
	expect file_open 1 EPERM "$A" open "$F/secret"
	rm "$ROOT/links/syva_file_open"
	run syva-status -q
	[ "$status" -eq 69 ]
	syva-status --json | jq -e '.health == "unsafe" and
		(.reasons | map(.code) == ["not_attached"]) and
		(.reasons[0].detail | test("^syva_file_open is not attached")) and
		(.hooks[] | select(.hook == "file_open") | .attached | not)'
	# Unsafe is not a formality: the boundary is gone.
	expect file_open 0 ok "$A" open "$F/secret"
	syva-load
	run syva-status -q
	[ "$status" -eq 0 ]
	expect file_open 1 EPERM "$A" open "$F/secret"
}

@test "a missing escape detector is degraded, not unsafe; syva-load repairs it" {
	rm "$ROOT/links/syva_escape_enter"
	run syva-status -q
	[ "$status" -eq 1 ]
	syva-status --json | jq -e '.health == "degraded" and .escape_detector == "missing" and
		(.reasons | map(.code) == ["detector_missing"])'
	syva-load
	run syva-status -q
	[ "$status" -eq 0 ]
}

@test "a map above 90% full is degraded: 9 of 10 pairs is not, 10 of 10 is" {
	syva-comm allow z1 z2 z3 z4 z5 z6 z7 z8 z9 z10
	syva-status --json | jq -e '.maps[] | select(.map == "pairs") | .entries == 9 and .capacity == 10'
	[ "$(health_state)" = healthy ]
	syva-comm allow z2 z3
	run syva-status -q
	[ "$status" -eq 1 ]
	syva-status --json | jq -e '(.reasons | map(.code) == ["map_full"]) and
		(.reasons[0].detail | test("^map pairs is 100% full \\(10 of 10\\)"))'
	syva-comm deny z2 z3
	[ "$(health_state)" = healthy ]
}

@test "not loaded is unsafe, exit 69, with the same key set" {
	run env SYVA_BPFFS=/sys/fs/bpf/syva-nowhere syva-status --json
	[ "$status" -eq 69 ]
	echo "$output" | jq -e --arg k "$STATUS_KEYS" '[keys_unsorted[]] == ($k | split(" "))'
	echo "$output" | jq -e '.health == "unsafe" and (.loaded | not) and .hooks == [] and
		(.reasons | map(.code) == ["not_loaded"])'
}

@test "the Prometheus exposition of a live system passes promtool and mirrors the JSON" {
	command -v promtool || { echo "promtool missing: contrib/install-deps installs it" >&2; return 1; }
	expect file_open 1 EPERM "$A" open "$F/secret"
	syva-status --prometheus >"$BATS_TEST_TMPDIR/prom"
	promtool check metrics <"$BATS_TEST_TMPDIR/prom"
	deny=$(counter file_open deny)
	attached=$(syva-status --json | jq .hooks_attached)
	grep -qx 'syva_up 1' "$BATS_TEST_TMPDIR/prom"
	grep -qx 'syva_health{state="healthy"} 1' "$BATS_TEST_TMPDIR/prom"
	grep -qx 'syva_escape_detector_attached 1' "$BATS_TEST_TMPDIR/prom"
	grep -qx "syva_hooks_attached $attached" "$BATS_TEST_TMPDIR/prom"
	grep -qx "syva_decisions_total{hook=\"file_open\",action=\"deny\"} $deny" "$BATS_TEST_TMPDIR/prom"
	grep -qx 'syva_selftest_passed{test="inode"} 1' "$BATS_TEST_TMPDIR/prom"
	grep -q '^syva_zone_decisions_total{zone="a",action="deny"} [1-9]' "$BATS_TEST_TMPDIR/prom"
}
