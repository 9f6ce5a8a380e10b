#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# Unix socket boundaries on a real kernel: stream and seqpacket connect,
# datagram send (and datagram connect), to pathname and abstract sockets.
# The peer's zone is the zone of the cgroup that created the peer socket, so
# every server is started inside its cgroup. Every denial asserts EPERM and
# the hook's deny counter moving by exactly 1, next to must-not-block
# siblings (same zone, unzoned caller, allowed pair, the host pair) in the
# same run.

load lib

setup_file() {
	syva_fresh
	syva-zone add ua ub
	export A B U S=/tmp/syva-unix
	A=$(mkcg uA ua)
	B=$(mkcg uB ub)
	U=$(mkcg uU)
	mkdir -p "$S"
	# One server of each kind, by path and by abstract name, per cgroup.
	local cg n t
	for cg in A B U; do
		for t in stream seqpacket dgram; do
			n=$(echo "$cg" | tr 'A-Z' 'a-z')
			SYVA_PROBE_CG=${!cg} probe unix-serve "$t" "$S/$n.$t"
			SYVA_PROBE_CG=${!cg} probe unix-serve "$t" "@syva-$n.$t"
		done
	done
}

teardown_file() {
	syva_cleanup
	rm -rf /tmp/syva-unix
}

# try HOOK DELTA RESULT CG KIND NAME: one client call to server NAME of KIND
# (stream, seqpacket: connect; dgram: sendto), as `expect` checks it.
try() {
	local hook=$1 delta=$2 want=$3 cg=$4 kind=$5 name=$6
	if [ "$kind" = dgram ]; then
		qexpect "$hook" "$delta" "$want" "$cg" unix-send "$name"
	else
		qexpect "$hook" "$delta" "$want" "$cg" unix-connect "$kind" "$name"
	fi
}

# one DELTA RESULT CG KIND NAME: try with KIND's hook.
one() {
	local hook=unix_stream_connect
	[ "$4" = dgram ] && hook=unix_may_send
	try "$hook" "$@"
}

# both DELTA RESULT CG KIND PEER: try KIND's hook at PEER's path and abstract
# servers (PEER: a, b or u).
both() {
	one "$1" "$2" "$3" "$4" "$S/$5.$4"
	one "$1" "$2" "$3" "$4" "@syva-$5.$4"
}

@test "the unix hooks are attached" {
	# syva-status's exit code is the health: only the hooks matter here.
	run syva-status --json
	for h in unix_stream_connect unix_may_send; do
		echo "$output" | jq -e --arg h "$h" '.hooks[] | select(.hook == $h) | .attached'
	done
}

@test "cross-zone stream connect is EPERM (+1), path and abstract; same zone ok" {
	local before
	# probe's own count (qexpect) agrees with syva-status's.
	before=$(denies unix_stream_connect)
	both 1 EPERM "$A" stream b
	[ "$(denies unix_stream_connect)" -eq $((before + 2)) ]
	both 0 ok "$B" stream b
	both 0 ok "$A" stream a
}

@test "cross-zone seqpacket connect is EPERM (+1), path and abstract; same zone ok" {
	both 1 EPERM "$A" seqpacket b
	both 0 ok "$B" seqpacket b
	both 0 ok "$A" seqpacket a
}

@test "cross-zone datagram send and connect are EPERM (+1), path and abstract; same zone ok" {
	both 1 EPERM "$A" dgram b
	both 0 ok "$B" dgram b
	both 0 ok "$A" dgram a
	# connect(2) of a datagram socket is judged by the same hook.
	qexpect unix_may_send 1 EPERM "$A" unix-connect dgram "$S/b.dgram"
	qexpect unix_may_send 0 ok "$B" unix-connect dgram "$S/b.dgram"
}

@test "an unzoned caller reaches every zone's sockets (+0)" {
	both 0 ok "$U" stream a
	try unix_stream_connect 0 ok - seqpacket "@syva-b.seqpacket"
	try unix_may_send 0 ok "$U" dgram "$S/b.dgram"
}

@test "syva-comm allow opens each socket kind both ways live; deny closes" {
	local t
	syva-comm allow ua ub
	for t in stream seqpacket dgram; do
		one 0 ok "$A" "$t" "$S/b.$t"
		one 0 ok "$B" "$t" "@syva-a.$t"
	done
	syva-comm deny ua ub
	for t in stream seqpacket dgram; do
		one 1 EPERM "$A" "$t" "@syva-b.$t"
		one 1 EPERM "$B" "$t" "$S/a.$t"
	done
}

@test "sockets of unzoned processes need ZONE-host" {
	local t
	for t in stream seqpacket dgram; do
		both 1 EPERM "$A" "$t" u
	done
	syva-comm allow ua host
	for t in stream seqpacket dgram; do
		both 0 ok "$A" "$t" u
	done
	# The host pair is ua's, not ub's.
	one 1 EPERM "$B" stream "$S/u.stream"
	syva-comm deny ua host
	for t in stream seqpacket dgram; do
		one 1 EPERM "$A" "$t" "@syva-u.$t"
	done
}

@test "a denial's event names the peer socket" {
	local rec
	drain_events
	inside "$A" probe unix-connect stream "$S/b.stream" || true
	inside "$A" probe unix-send "@syva-b.dgram" || true
	rec=$(syva-events --json)
	echo "$rec"
	echo "$rec" | jq -se --arg s "$S/b.stream" --arg cg "$B" '
		length == 2 and
		all(.action == "deny" and .zone == "ua" and .peer_zone == "ub" and
		    .comm == "probe" and
		    .target_cgroup == $cg) and
		(.[0] | .hook == "unix_stream_connect" and .path == $s and .target_pid > 0) and
		(.[1] | .hook == "unix_may_send" and .path == "@syva-b.dgram")'
}
