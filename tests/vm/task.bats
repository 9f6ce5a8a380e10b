#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# Process boundaries on a real kernel: ptrace attach and PTRACE_TRACEME, the
# ptrace-guarded /proc reads, kill (a real signal and signal 0), and SIGIO /
# SIGURG through F_SETOWN. Every denial asserts the errno (for SIGIO/SIGURG:
# the signal not arriving, which probe prints as EPERM) and the hook's deny
# counter moving by exactly 1, next to must-not-block siblings: same zone,
# allowed pair, unzoned caller, the host pair, and a zone managing its own
# processes (pipelines, timeout, a restart loop, SIGCHLD and the parent-death
# signal across zones, strace).

load lib

setup_file() {
	syva_fresh
	syva-zone add ta tb
	syva-zone add --ptrace tp
	export A B P U
	A=$(mkcg tA ta)
	B=$(mkcg tB tb)
	P=$(mkcg tP tp)
	U=$(mkcg tU)
}

teardown_file() {
	syva_cleanup
}

@test "the process hooks are attached" {
	# syva-status's exit code is the health: only the hooks matter here.
	run syva-status --json
	for h in ptrace_access_check task_kill file_send_sigiotask; do
		echo "$output" | jq -e --arg h "$h" '.hooks[] | select(.hook == $h) | .attached'
	done
	echo "$output" | jq -e '.hooks_attached == .hooks_expected'
}

# ---- ptrace ---------------------------------------------------------------

@test "cross-zone ptrace attach is EPERM (+1), even with --ptrace and a pair; unzoned may" {
	local tb
	tb=$(hold "$B")
	qexpect ptrace_access_check 1 EPERM "$P" ptrace-attach "$tb"
	qexpect ptrace_access_check 1 EPERM "$A" ptrace-attach "$tb"
	syva-comm allow tp tb
	qexpect ptrace_access_check 1 EPERM "$P" ptrace-attach "$tb"
	syva-comm deny tp tb
	qexpect ptrace_access_check 0 ok "$U" ptrace-attach "$tb"
}

@test "same-zone ptrace attach needs --ptrace, and the flag flips live" {
	local tp ta
	tp=$(hold "$P")
	ta=$(hold "$A")
	qexpect ptrace_access_check 0 ok "$P" ptrace-attach "$tp"
	qexpect ptrace_access_check 1 EPERM "$A" ptrace-attach "$ta"
	syva-zone set --ptrace ta
	qexpect ptrace_access_check 0 ok "$A" ptrace-attach "$ta"
	syva-zone set --no-ptrace ta
	qexpect ptrace_access_check 1 EPERM "$A" ptrace-attach "$ta"
}

@test "ptrace of an unzoned process needs --ptrace and ZONE-host" {
	local th
	th=$(hold "$U")
	qexpect ptrace_access_check 1 EPERM "$P" ptrace-attach "$th"
	syva-comm allow tp host
	syva-comm allow ta host
	qexpect ptrace_access_check 0 ok "$P" ptrace-attach "$th"
	# The pair alone is not enough: ta has no --ptrace.
	qexpect ptrace_access_check 1 EPERM "$A" ptrace-attach "$th"
	syva-comm deny tp host
	syva-comm deny ta host
	qexpect ptrace_access_check 1 EPERM "$P" ptrace-attach "$th"
}

@test "another zone's /proc/PID/environ is EACCES (+1); own zone with --ptrace ok" {
	local tb tp ta th
	tb=$(hold "$B")
	tp=$(hold "$P")
	ta=$(hold "$A")
	th=$(hold "$U")
	qexpect ptrace_access_check 1 EACCES "$P" ptrace-read "$tb"
	qexpect ptrace_access_check 0 ok "$P" ptrace-read "$tp"
	qexpect ptrace_access_check 1 EACCES "$A" ptrace-read "$ta"
	qexpect ptrace_access_check 0 ok "$U" ptrace-read "$tb"
	syva-comm allow tp tb
	qexpect ptrace_access_check 1 EACCES "$P" ptrace-read "$tb"
	syva-comm deny tp tb
	qexpect ptrace_access_check 1 EACCES "$P" ptrace-read "$th"
	syva-comm allow tp host
	qexpect ptrace_access_check 0 ok "$P" ptrace-read "$th"
	syva-comm deny tp host
	qexpect ptrace_access_check 1 EACCES "$P" ptrace-read "$th"
}

@test "stat, status and cmdline of another zone stay readable; stat's guarded fields are hidden quietly (+0)" {
	local tb before
	tb=$(hold "$B")
	before=$(counter ptrace_access_check deny)
	inside "$A" cat "/proc/$tb/status" "/proc/$tb/cmdline" >/dev/null
	run inside "$A" ps -o pid= -p "$tb"
	[ "$status" -eq 0 ] && [ "$output" -eq "$tb" ]
	# startcode (field 26) reads 1 when the ptrace check says no, 0 for
	# kernel threads; the real address when it says yes.
	run inside "$A" cut -d' ' -f26 "/proc/$tb/stat"
	[ "$output" = 1 ]
	run inside "$B" cut -d' ' -f26 "/proc/$tb/stat"
	[ "$output" != 1 ] && [ "$output" -gt 1 ]
	[ "$(counter ptrace_access_check deny)" -eq "$before" ]
}

@test "PTRACE_TRACEME follows the parent's zone: cross-zone EPERM (+1)" {
	qexpect ptrace_access_check 1 EPERM "$P" traceme "$B"
	qexpect ptrace_access_check 0 ok "$P" traceme -
	qexpect ptrace_access_check 1 EPERM "$A" traceme -
	qexpect ptrace_access_check 0 ok "$U" traceme "$B"
	qexpect ptrace_access_check 1 EPERM "$P" traceme "$U"
	syva-comm allow tp host
	qexpect ptrace_access_check 0 ok "$P" traceme "$U"
	syva-comm deny tp host
}

@test "strace works in a --ptrace zone and is refused in a zone without it" {
	local before
	run inside "$P" strace -f -o /dev/null sh -c 'sleep 0 | cat'
	[ "$status" -eq 0 ]
	before=$(counter ptrace_access_check deny)
	run inside "$A" strace -f -o /dev/null true
	[ "$status" -ne 0 ]
	[ "$(counter ptrace_access_check deny)" -gt "$before" ]
}

# ---- kill -------------------------------------------------------------------

@test "cross-zone kill is EPERM (+1) for a real signal and for signal 0" {
	local tb before
	tb=$(hold "$B")
	# probe's own count (qexpect) agrees with syva-status's.
	before=$(denies task_kill)
	qexpect task_kill 1 EPERM "$A" kill "$tb" USR1
	[ "$(denies task_kill)" -eq $((before + 1)) ]
	qexpect task_kill 1 EPERM "$A" kill "$tb" 0
	qexpect task_kill 0 ok "$B" kill "$tb" USR1
	qexpect task_kill 0 ok "$B" kill "$tb" 0
	qexpect task_kill 0 ok "$U" kill "$tb" USR1
}

@test "syva-comm allow opens signals both ways live; deny closes them" {
	local ta tb
	ta=$(hold "$A")
	tb=$(hold "$B")
	syva-comm allow ta tb
	qexpect task_kill 0 ok "$A" kill "$tb" USR1
	qexpect task_kill 0 ok "$B" kill "$ta" 0
	syva-comm deny ta tb
	qexpect task_kill 1 EPERM "$A" kill "$tb" USR1
	qexpect task_kill 1 EPERM "$B" kill "$ta" 0
}

@test "signalling an unzoned process needs ZONE-host" {
	local th
	th=$(hold "$U")
	qexpect task_kill 1 EPERM "$A" kill "$th" USR1
	qexpect task_kill 1 EPERM "$A" kill "$th" 0
	syva-comm allow ta host
	qexpect task_kill 0 ok "$A" kill "$th" USR1
	qexpect task_kill 0 ok "$A" kill "$th" 0
	syva-comm deny ta host
	qexpect task_kill 1 EPERM "$A" kill "$th" 0
}

@test "a zone manages its own processes: pipeline, timeout, restart loop (+0)" {
	local before start
	before=$(counter task_kill deny)
	run inside "$A" sh -c 'yes | head -n 1000 | wc -l'
	[ "$status" -eq 0 ] && [ "$output" -eq 1000 ]
	start=$SECONDS
	run inside "$A" timeout 1 sleep 30
	[ "$status" -eq 124 ] && [ $((SECONDS - start)) -lt 10 ]
	run inside "$A" sh -c 'exec 2>/dev/null
		for i in 1 2 3; do
			sleep 30 & pid=$!
			kill -0 $pid && kill -TERM $pid
			wait $pid; echo "exit $?"
		done'
	[ "$status" -eq 0 ] && [ "$output" = "$(printf 'exit 143\nexit 143\nexit 143')" ]
	[ "$(counter task_kill deny)" -eq "$before" ]
}

@test "kernel-sent signals cross zones: SIGCHLD and the parent-death signal (+0)" {
	qexpect task_kill 0 ok "$A" sigchld "$B"
	qexpect task_kill 0 ok "$A" pdeath "$B"
	qexpect task_kill 0 ok "$A" pdeath "$U"
	# Control: the same parent may not signal that child by kill(2).
	local tb
	tb=$(hold "$B")
	qexpect task_kill 1 EPERM "$A" kill "$tb" USR1
}

# ---- SIGIO / SIGURG ---------------------------------------------------------

@test "F_SETOWN SIGIO to another zone is not delivered (+1), nor F_SETSIG's signal; same zone is" {
	qexpect file_send_sigiotask 1 EPERM "$A" sigio "$(hold "$B")"
	qexpect file_send_sigiotask 0 ok "$B" sigio "$(hold "$B")"
	qexpect file_send_sigiotask 0 ok "$U" sigio "$(hold "$B")"
	# Nor can F_SETSIG turn it into another signal.
	qexpect file_send_sigiotask 1 EPERM "$A" sigio "$(hold "$B")" - USR1
	qexpect file_send_sigiotask 0 ok "$B" sigio "$(hold "$B")" - USR1
}

@test "F_SETOWN SIGURG to another zone is not delivered (+1); same zone is" {
	qexpect file_send_sigiotask 1 EPERM "$A" sigurg "$(hold "$B")"
	qexpect file_send_sigiotask 0 ok "$B" sigurg "$(hold "$B")"
	qexpect file_send_sigiotask 0 ok "$U" sigurg "$(hold "$B")"
}

@test "the SIGIO sender is whoever set the owner, not who did the I/O" {
	# Owner set in ta, the write done from tb (the target's own zone).
	qexpect file_send_sigiotask 1 EPERM "$A" sigio "$(hold "$B")" "$B"
	qexpect file_send_sigiotask 1 EPERM "$A" sigurg "$(hold "$B")" "$B"
	# Owner set by an unzoned process, the write done from ta.
	qexpect file_send_sigiotask 0 ok "$U" sigio "$(hold "$B")" "$A"
	qexpect file_send_sigiotask 0 ok "$U" sigurg "$(hold "$B")" "$A"
}

@test "SIGIO/SIGURG follow syva-comm allow/deny live, and the host pair" {
	syva-comm allow ta tb
	qexpect file_send_sigiotask 0 ok "$A" sigio "$(hold "$B")"
	qexpect file_send_sigiotask 0 ok "$A" sigurg "$(hold "$B")"
	syva-comm deny ta tb
	qexpect file_send_sigiotask 1 EPERM "$A" sigio "$(hold "$B")"
	qexpect file_send_sigiotask 1 EPERM "$A" sigio "$(hold "$U")"
	qexpect file_send_sigiotask 1 EPERM "$A" sigurg "$(hold "$U")"
	syva-comm allow ta host
	qexpect file_send_sigiotask 0 ok "$A" sigio "$(hold "$U")"
	qexpect file_send_sigiotask 0 ok "$A" sigurg "$(hold "$U")"
	syva-comm deny ta host
	qexpect file_send_sigiotask 1 EPERM "$A" sigurg "$(hold "$U")"
}

# ---- events -----------------------------------------------------------------

@test "a denial's event names both processes" {
	local tb rec
	tb=$(hold "$B")
	drain_events
	inside "$A" probe kill "$tb" 0 || true
	inside "$A" probe ptrace-attach "$tb" || true
	rec=$(syva-events --json)
	echo "$rec"
	echo "$rec" | jq -se --argjson t "$tb" '
		map(select(.target_pid == $t)) | length == 2 and
		all(.action == "deny" and .zone == "ta" and .peer_zone == "tb" and
		    .comm == "probe" and .target_comm == "probe") and
		(map(.hook) | sort == ["ptrace_access_check", "task_kill"])'
}
