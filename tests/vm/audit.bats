#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# Audit mode on a real kernel, global (syva-load -m, switched live) and per
# zone (syva-zone set --audit): the would-deny is decided, counted as audit
# (deny +0), recorded as an `audit` event, and the operation succeeds with
# its content; switching back to enforce denies again, with the same links
# (nothing reloaded). A zone in enforce mode beside an auditing one is the
# control that still denies.

load lib

setup_file() {
	syva_fresh
	syva-zone add front back third
	export A T F=/tmp/syva-audit
	A=$(mkcg front front)
	T=$(mkcg third third)
	mkdir -p "$F"
	echo secret-of-back >"$F/secret"
	syva-path add back "$F/secret"
}

teardown_file() {
	syva_cleanup
	rm -rf "$F"
}

setup() {
	drain_events
}

# The program behind file_open's pinned link: the same id = not reloaded.
link_prog() {
	bpftool -j link show pinned "${SYVA_BPFFS:-/sys/fs/bpf/syva}/links/syva_file_open" |
		jq -e .prog_id
}

# audited CG: reading back's file from CG succeeds with its content and
# counts one would-deny (audit +1, deny +0), recorded as one audit event.
audited() {
	local deny0 audit0
	deny0=$(counter file_open deny)
	audit0=$(counter file_open audit)
	run inside "$1" cat "$F/secret"
	[ "$status" -eq 0 ]
	[ "$output" = secret-of-back ]
	[ "$(counter file_open audit)" -eq $((audit0 + 1)) ]
	[ "$(counter file_open deny)" -eq "$deny0" ]
	syva-events | jq -se --arg z "${1##*/}" '
		length == 1 and .[0].action == "audit" and .[0].severity == "warning" and
		.[0].hook == "file_open" and .[0].zone == $z and .[0].peer_zone == "back" and
		.[0].comm == "cat" and .[0].reason.what_failed == "cross-zone file open"'
}

# denied CG: the same read is EPERM, deny +1, audit +0, one deny event.
denied() {
	local audit0
	audit0=$(counter file_open audit)
	expect file_open 1 EPERM "$1" open "$F/secret"
	[ "$(counter file_open audit)" -eq "$audit0" ]
	syva-events | jq -se 'length == 1 and .[0].action == "deny" and .[0].severity == "critical"'
}

@test "enforce is the default: the cross-zone read is denied" {
	syva-status --json | jq -e '.mode == "enforce"'
	denied "$A"
}

@test "global audit, switched live: the read succeeds, counted and recorded as audit" {
	local prog gen
	prog=$(link_prog)
	gen=$(syva-status --json | jq -r .generation)
	syva-load -m audit
	[ "$(link_prog)" = "$prog" ]
	syva-status --json | jq -e --arg g "$gen" '.mode == "audit" and .generation != $g'
	audited "$A"
	audited "$T"
	# Audit is a chosen mode, not a fault.
	[ "$(health_state)" = healthy ]
	syva-status --json | jq -e '.zone_decisions[] | select(.zone == "front") | .audit >= 1'
}

@test "switching back to enforce denies again, without reloading" {
	local prog
	prog=$(link_prog)
	syva-load -m enforce
	[ "$(link_prog)" = "$prog" ]
	syva-status --json | jq -e '.mode == "enforce"'
	denied "$A"
	denied "$T"
}

@test "one zone in audit: its read succeeds while another zone is still denied" {
	syva-zone set front --audit
	audited "$A"
	denied "$T"
	syva-status --json | jq -e '.mode == "enforce"'
	syva-zone set front --enforce
	denied "$A"
}
