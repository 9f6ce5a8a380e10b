#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# Cgroup-escape detection on a real kernel. A zoned process moved to an
# unzoned cgroup, or to another zone's, gives one `escape` event naming the
# mover, the moved process and the destination, the escape counter +1 and
# health degraded (until syva-status --reset). Moving within the zone (a
# child cgroup that inherited it, another cgroup of the same zone) and
# moving an unzoned process in give nothing. clone3(CLONE_INTO_CGROUP) out
# of the zone is an escape too.

load lib

setup_file() {
	syva_fresh
	syva-zone add esc other
	export Z Z2 O U
	Z=$(mkcg esc esc)
	mkdir "$Z/child" # made after the attach: inherits the zone
	Z2=$(mkcg esc2 esc)
	O=$(mkcg other other)
	U=$(mkcg free)
}

teardown_file() {
	syva_cleanup
}

setup() {
	drain_events
	syva-status --reset
}

# start_in CG: a sleeping process in CG; prints its pid once it is there.
# (Not through `inside &`: $! would be the subshell running the function.)
start_in() {
	local pid
	sh -c 'echo $$ >"$0/cgroup.procs" && exec sleep 1000' "$1" >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 100); do
		[ "$(cat /proc/$pid/comm 2>/dev/null)" = sleep ] && break
		sleep 0.05
	done
	[ "$(cat /proc/$pid/cgroup)" = "0::${1#/sys/fs/cgroup}" ] || return 1
	echo "$pid"
}

escapes() {
	syva-status --json | jq -e .escapes
}

@test "the escape detector is attached" {
	syva-status --json | jq -e '.escape_detector == "attached" and
		(.hooks[] | select(.hook == "cgroup_attach_task") | .attached) and
		.health == "healthy"'
}

@test "moves within the zone give nothing: inherited child, another cgroup of the zone" {
	local pid allow0 esc0
	pid=$(start_in "$Z")
	allow0=$(counter cgroup_attach_task allow)
	esc0=$(escapes)
	echo "$pid" >"$Z/child/cgroup.procs"
	echo "$pid" >"$Z2/cgroup.procs"
	echo "$pid" >"$Z/cgroup.procs"
	kill "$pid"
	# Seen and judged in-zone, three times: not merely unseen.
	[ "$(counter cgroup_attach_task allow)" -eq $((allow0 + 3)) ]
	[ "$(escapes)" -eq "$esc0" ]
	[ -z "$(syva-events)" ]
	[ "$(health_state)" = healthy ]
}

@test "an unzoned process moved into the zone gives nothing" {
	local pid esc0
	pid=$(start_in "$U")
	esc0=$(escapes)
	echo "$pid" >"$Z/cgroup.procs"
	kill "$pid"
	[ "$(escapes)" -eq "$esc0" ]
	[ -z "$(syva-events)" ]
}

@test "a zoned process moved to an unzoned cgroup: one escape event, counter +1, degraded" {
	local pid esc0 me=$BASHPID # here, not in a pipeline's subshell
	pid=$(start_in "$Z")
	esc0=$(escapes)
	echo "$pid" >"$U/cgroup.procs"
	kill "$pid"
	run syva-events --json
	[ "${#lines[@]}" -eq 1 ]
	echo "${lines[0]}" | jq -e --arg k "$EVENT_KEYS" '[keys_unsorted[]] == ($k | split(" "))'
	# The mover is this shell: the echo above wrote cgroup.procs.
	echo "${lines[0]}"
	echo "${lines[0]}" | jq -e --argjson me "$me" --argjson pid "$pid" \
		--arg dst "$(stat -c %i "$U")" --arg u "$U" '
		.action == "escape" and .hook == "cgroup_attach_task" and
		.severity == "critical" and .zone == "esc" and .peer_zone == "host" and
		.pid == $me and .comm == "bash" and
		.target_pid == $pid and .target_comm == "sleep" and
		.target_cgroup_id == $dst and .target_cgroup == $u and
		.reason.what_failed == "cgroup escape" and
		(.reason.why_it_matters | test("zone esc was moved to a cgroup outside the zone"))'
	[ "$(escapes)" -eq $((esc0 + 1)) ]
	run syva-status -q
	[ "$status" -eq 1 ]
	syva-status --json | jq -e '.health == "degraded" and .escapes_since_reset == 1 and
		(.reasons | map(.code) == ["escape"])'
	syva-status --reset
	run syva-status -q
	[ "$status" -eq 0 ]
	[ "$(escapes)" -eq $((esc0 + 1)) ]
}

@test "a zoned process moved into another zone's cgroup is an escape naming that zone" {
	local pid
	pid=$(start_in "$Z")
	echo "$pid" >"$O/cgroup.procs"
	kill "$pid"
	syva-events | jq -se --arg o "$O" 'length == 1 and .[0].action == "escape" and
		.[0].zone == "esc" and .[0].peer_zone == "other" and .[0].target_cgroup == $o'
	[ "$(health_state)" = degraded ]
}

@test "clone3(CLONE_INTO_CGROUP) out of the zone is an escape; a plain fork is not" {
	local out child
	# The parent runs in the zone and starts its child directly in $U.
	out=$(inside "$Z" perl -e '
		sysopen(my $d, $ARGV[0], 0) or die "open $ARGV[0]: $!";
		# struct clone_args: flags (CLONE_INTO_CGROUP), pidfd, child_tid,
		# parent_tid, exit_signal (SIGCHLD), stack, stack_size, tls,
		# set_tid, set_tid_size, cgroup.
		my $a = pack("Q11", 0x200000000, 0, 0, 0, 17, 0, 0, 0, 0, 0, fileno($d));
		my $pid = syscall(435, $a, length($a));
		die "clone3: $!" if $pid < 0;
		if ($pid == 0) {
			# Not holding our stdout: the caller reads it to EOF.
			open(STDOUT, ">", "/dev/null");
			exec("sleep", "1000");
			exit(127);
		}
		my $plain = fork();
		if ($plain == 0) { exit(0); }
		waitpid($plain, 0);
		print "$$ $pid\n";' "$U")
	child=${out#* }
	[ "$(cat "/proc/$child/cgroup")" = "0::${U#/sys/fs/cgroup}" ]
	kill "$child"
	syva-events | jq -se --argjson parent "${out% *}" --argjson child "$child" --arg u "$U" '
		length == 1 and .[0].action == "escape" and .[0].zone == "esc" and
		.[0].peer_zone == "host" and .[0].pid == $parent and .[0].comm == "perl" and
		.[0].target_pid == $child and .[0].target_cgroup == $u and
		.[0].reason.what_failed == "cgroup escape at clone"'
}
