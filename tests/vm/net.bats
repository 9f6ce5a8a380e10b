#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# Network boundaries on a real kernel: isolated and open zones, egress
# allowlists (several ports and ranges per prefix, IPv4 and IPv6, covering
# prefixes), IPv4-mapped IPv6 destinations, pod IPs behind a veth pair in a
# network namespace, AF_UNSPEC and truncated socket addresses. Every denial
# asserts EPERM and the hook's deny counter moving by exactly 1, next to
# siblings that must pass (loopback, allowlisted, same zone, allowed pair,
# open zone, unzoned) and controls that still deny, in the same test.
#
# How to read a result: syva fails connect/sendto/bind with EPERM before any
# packet leaves. "ok" means the TCP handshake completed (a listener runs on
# ports 80 443 8000 8080 8081 9000 of every local address, and 8080 in the
# pod); ECONNREFUSED means the SYN reached a port nobody listens on. Both
# mean "not blocked by syva", and each test says which one it expects.

load lib

# Destinations: local addresses on a dummy link (answered at once: a listener
# or a reset) and a pod: netns syvapod behind a veth pair.
V4A=192.0.2.1
V4B=198.51.100.1
V6A=2001:db8:1::1
V6B=2001:db8:2::1
POD4=203.0.113.2   # mapped to zone b
POD6=fd00:b::2     # mapped to zone b
FREE4=203.0.113.3  # in the pod, mapped to no zone
FREE6=fd00:b::3

setup_file() {
	syva_fresh
	ip link add syvad0 type dummy
	ip addr add $V4A/24 dev syvad0
	ip addr add $V4B/24 dev syvad0
	ip addr add $V6A/64 dev syvad0 nodad
	ip addr add $V6B/64 dev syvad0 nodad
	ip link set syvad0 up
	ip netns add syvapod
	ip link add syvav0 type veth peer name syvav1
	ip link set syvav1 netns syvapod
	ip addr add 203.0.113.1/24 dev syvav0
	ip addr add fd00:b::1/64 dev syvav0 nodad
	ip link set syvav0 up
	ip -n syvapod addr add $POD4/24 dev syvav1
	ip -n syvapod addr add $FREE4/24 dev syvav1
	ip -n syvapod addr add $POD6/64 dev syvav1 nodad
	ip -n syvapod addr add $FREE6/64 dev syvav1 nodad
	ip -n syvapod link set syvav1 up
	ip -n syvapod link set lo up

	syva-zone add iso iso2
	syva-zone add --network open opn b
	export ISO ISO2 OPN PODB FREE
	ISO=$(mkcg iso iso)
	ISO2=$(mkcg iso2 iso2)
	OPN=$(mkcg opn opn)
	PODB=$(mkcg podb b)
	FREE=$(mkcg free)
	# Servers: unzoned on the host, zone b (open: it may bind) in the pod.
	[ "$(inside "$FREE" probe listen :: 80 443 8000 8080 8081 9000)" = ok ]
	[ "$(inside "$PODB" ip netns exec syvapod probe listen :: 8080)" = ok ]
	syva-ipzone add $POD4 $POD6 b
}

teardown_file() {
	syva_cleanup
	ip netns del syvapod 2>/dev/null || true
	ip link del syvad0 2>/dev/null || true
	ip link del syvav0 2>/dev/null || true
}

# expect_error HOOK RESULT CG OP ARGS...: as expect, but the hook's error
# counter must move by exactly 1 and its deny counter not at all.
expect_error() {
	local hook=$1 want=$2 cg=$3 before after
	shift 3
	before=$(counter "$hook" error)
	expect "$hook" 0 "$want" "$cg" "$@"
	after=$(counter "$hook" error)
	if [ $((after - before)) -ne 1 ]; then
		echo "$hook error delta $((after - before)), want 1 (probe $*)" >&2
		return 1
	fi
}

@test "the network hooks are attached" {
	run syva-status --json
	[ "$status" -eq 0 ]
	for h in socket_connect socket_sendmsg socket_bind socket_listen; do
		echo "$output" | jq -e --arg h $h '.hooks[] | select(.hook == $h) | .attached'
	done
}

@test "isolated zone: loopback v4/v6 connect passes, other addresses are denied" {
	expect socket_connect 0 ok "$ISO" connect tcp 127.0.0.1 80
	expect socket_connect 0 ok "$ISO" connect tcp 127.1.2.3 80
	expect socket_connect 0 ok "$ISO" connect tcp ::1 80
	expect socket_connect 0 ok "$ISO" connect tcp ::ffff:127.0.0.1 80
	# Not blocked by syva either: loopback passes, and nobody listens on 1.
	expect socket_connect 0 ECONNREFUSED "$ISO" connect tcp 127.0.0.1 1
	expect socket_connect 1 EPERM "$ISO" connect tcp $V4A 80
	expect socket_connect 1 EPERM "$ISO" connect tcp $V6A 80
	expect socket_connect 1 EPERM "$ISO" connect udp $V4A 53
	# 0.0.0.0 and :: reach local sockets, but they are not loopback.
	expect socket_connect 1 EPERM "$ISO" connect tcp 0.0.0.0 80
	expect socket_connect 1 EPERM "$ISO" connect tcp :: 80
	# Siblings: open zone and unzoned caller.
	expect socket_connect 0 ok "$OPN" connect tcp $V4A 80
	expect socket_connect 0 ok "$OPN" connect tcp $V6A 80
	expect socket_connect 0 ok "$FREE" connect tcp $V4A 80
}

@test "isolated zone: unconnected UDP sendto is denied unless loopback" {
	expect socket_sendmsg 0 ok "$ISO" sendto 127.0.0.1 9
	expect socket_sendmsg 0 ok "$ISO" sendto ::1 9
	expect socket_sendmsg 1 EPERM "$ISO" sendto $V4A 9
	expect socket_sendmsg 1 EPERM "$ISO" sendto $V6A 9
	expect socket_sendmsg 0 ok "$OPN" sendto $V4A 9
	expect socket_sendmsg 0 ok "$FREE" sendto $V6A 9
}

@test "isolated zone: bind takes loopback only, never the wildcard" {
	expect socket_bind 0 ok "$ISO" bind tcp 127.0.0.1 0
	expect socket_bind 0 ok "$ISO" bind udp ::1 0
	expect socket_bind 0 ok "$ISO" bind tcp ::ffff:127.0.0.1 0
	expect socket_bind 1 EPERM "$ISO" bind tcp 0.0.0.0 0
	expect socket_bind 1 EPERM "$ISO" bind tcp :: 0
	expect socket_bind 1 EPERM "$ISO" bind udp ::ffff:0.0.0.0 0
	expect socket_bind 1 EPERM "$ISO" bind udp $V4A 0
	expect socket_bind 1 EPERM "$ISO" bind tcp $V6A 0
	# The allowlist is for destinations: it never opens a bind.
	syva-zone egress add iso $V4A
	expect socket_bind 1 EPERM "$ISO" bind tcp $V4A 0
	expect socket_connect 0 ok "$ISO" connect tcp $V4A 80
	syva-zone egress del iso $V4A
	expect socket_bind 0 ok "$OPN" bind tcp 0.0.0.0 0
	expect socket_bind 0 ok "$OPN" bind tcp $V6A 0
	expect socket_bind 0 ok "$FREE" bind tcp :: 0
}

@test "isolated zone: listen on a never-bound socket (autobind to the wildcard) is denied" {
	expect socket_listen 1 EPERM "$ISO" listen-unbound 4
	expect socket_listen 1 EPERM "$ISO" listen-unbound 6
	expect socket_listen 0 ok "$OPN" listen-unbound 4
	expect socket_listen 0 ok "$FREE" listen-unbound 6
	# Bound to loopback first (socket_bind judged it): listen passes.
	expect socket_listen 0 ok "$ISO" listen 127.0.0.1 0
}

@test "AF_UNSPEC: wildcard bind and UDP send through it are judged as IPv4" {
	# The kernel really binds the wildcard and really sends to the address:
	expect socket_bind 0 ok "$FREE" bind tcp 0.0.0.0 0 unspec
	expect socket_sendmsg 0 ok "$FREE" sendto $V4A 9 unspec
	# so an isolated zone gets the same verdict as with AF_INET.
	expect socket_bind 1 EPERM "$ISO" bind tcp 0.0.0.0 0 unspec
	expect socket_sendmsg 1 EPERM "$ISO" sendto $V4A 9 unspec
	expect socket_sendmsg 0 ok "$ISO" sendto 127.0.0.1 9 unspec
	# AF_UNSPEC connect is a disconnect: passes, counts nothing.
	expect socket_connect 0 ok "$ISO" connect udp 0.0.0.0 0 unspec
	# Loopback passes syva; inet_bind refuses AF_UNSPEC unless 0.0.0.0.
	expect socket_bind 0 EAFNOSUPPORT "$ISO" bind tcp 127.0.0.1 0 unspec
}

@test "truncated socket addresses: counted as errors, refused by the kernel" {
	expect_error socket_connect EINVAL "$ISO" connect tcp $V4A 80 len=8
	expect_error socket_connect EINVAL "$ISO" connect tcp $V6A 80 len=20
	expect_error socket_connect EINVAL "$ISO" connect tcp $V4A 80 len=1
	expect_error socket_sendmsg EINVAL "$ISO" sendto $V4A 9 len=15
	expect_error socket_bind EINVAL "$ISO" bind tcp :: 0 len=23
	# The full-length address still denies; an unzoned caller costs nothing.
	expect socket_connect 1 EPERM "$ISO" connect tcp $V4A 80
	before=$(counter socket_connect error)
	expect socket_connect 0 EINVAL "$FREE" connect tcp $V4A 80 len=8
	[ "$(counter socket_connect error)" -eq "$before" ]
}

@test "allowlist: a CIDR with two ports and a range, other ports and zones denied, live" {
	syva-zone egress add iso 192.0.2.0/24:80
	expect socket_connect 0 ok "$ISO" connect tcp $V4A 80
	expect socket_connect 1 EPERM "$ISO" connect tcp $V4A 443
	expect socket_connect 1 EPERM "$ISO" connect tcp $V4B 80
	expect socket_connect 1 EPERM "$ISO2" connect tcp $V4A 80
	syva-zone egress add iso 192.0.2.0/24:443 192.0.2.0/24:8000-8080
	expect socket_connect 0 ok "$ISO" connect tcp $V4A 80
	expect socket_connect 0 ok "$ISO" connect tcp $V4A 443
	expect socket_connect 0 ok "$ISO" connect tcp $V4A 8000
	expect socket_connect 0 ok "$ISO" connect tcp $V4A 8080
	expect socket_connect 0 ECONNREFUSED "$ISO" connect tcp $V4A 8040
	expect socket_connect 1 EPERM "$ISO" connect tcp $V4A 8081
	expect socket_connect 1 EPERM "$ISO" connect tcp $V4A 9000
	expect socket_sendmsg 0 ok "$ISO" sendto $V4A 8053
	expect socket_sendmsg 1 EPERM "$ISO" sendto $V4A 53
	syva-zone egress del iso 192.0.2.0/24:443
	expect socket_connect 1 EPERM "$ISO" connect tcp $V4A 443
	expect socket_connect 0 ok "$ISO" connect tcp $V4A 80
	syva-zone egress del iso 192.0.2.0/24
	expect socket_connect 1 EPERM "$ISO" connect tcp $V4A 80
	expect socket_connect 0 ok "$OPN" connect tcp $V4A 443
}

@test "allowlist: IPv6 likewise" {
	syva-zone egress add iso "[2001:db8:1::/64]:80" "[2001:db8:1::/64]:443" \
		"[2001:db8:1::/64]:8000-8080"
	expect socket_connect 0 ok "$ISO" connect tcp $V6A 80
	expect socket_connect 0 ok "$ISO" connect tcp $V6A 443
	expect socket_connect 0 ok "$ISO" connect tcp $V6A 8000
	expect socket_connect 0 ok "$ISO" connect tcp $V6A 8080
	expect socket_connect 1 EPERM "$ISO" connect tcp $V6A 8081
	expect socket_connect 1 EPERM "$ISO" connect tcp $V6B 80
	expect socket_connect 1 EPERM "$ISO2" connect tcp $V6A 80
	expect socket_sendmsg 0 ok "$ISO" sendto $V6A 8053
	expect socket_sendmsg 1 EPERM "$ISO" sendto $V6A 53
	syva-zone egress del iso "[2001:db8:1::/64]:80"
	expect socket_connect 1 EPERM "$ISO" connect tcp $V6A 80
	expect socket_connect 0 ok "$ISO" connect tcp $V6A 443
	syva-zone egress del iso 2001:db8:1::/64
	expect socket_connect 1 EPERM "$ISO" connect tcp $V6A 443
}

@test "allowlist: covering prefixes add their ports; a bare address is any port" {
	syva-zone egress add iso 192.0.2.0/24:80 192.0.0.0/16:9000 $V4B
	expect socket_connect 0 ok "$ISO" connect tcp $V4A 80
	expect socket_connect 0 ok "$ISO" connect tcp $V4A 9000
	expect socket_connect 1 EPERM "$ISO" connect tcp $V4A 443
	expect socket_connect 0 ok "$ISO" connect tcp $V4B 443
	expect socket_connect 0 ok "$ISO" connect tcp $V4B 8081
	expect socket_connect 1 EPERM "$ISO" connect tcp 198.51.100.2 443
	syva-zone egress del iso 192.0.0.0/16
	expect socket_connect 1 EPERM "$ISO" connect tcp $V4A 9000
	expect socket_connect 0 ok "$ISO" connect tcp $V4A 80
	syva-zone egress del iso 192.0.2.0/24 $V4B
}

@test "IPv4-mapped IPv6 destinations are judged as the IPv4 address" {
	syva-zone egress add iso 192.0.2.0/24:80
	expect socket_connect 0 ok "$ISO" connect tcp ::ffff:$V4A 80
	expect socket_connect 1 EPERM "$ISO" connect tcp ::ffff:$V4A 443
	expect socket_connect 1 EPERM "$ISO" connect tcp ::ffff:$V4B 80
	expect socket_sendmsg 0 ok "$ISO" sendto ::ffff:$V4A 80
	expect socket_sendmsg 1 EPERM "$ISO" sendto ::ffff:$V4B 80
	# A SPEC written in the mapped form is the IPv4 prefix.
	syva-zone egress add iso "[::ffff:198.51.100.0/120]:80"
	expect socket_connect 0 ok "$ISO" connect tcp $V4B 80
	expect socket_connect 1 EPERM "$ISO" connect tcp $V4B 443
	# ::/0 is IPv6 only: it does not open IPv4 behind the mapped form.
	syva-zone egress add iso ::/0
	expect socket_connect 0 ok "$ISO" connect tcp $V6B 443
	expect socket_connect 1 EPERM "$ISO" connect tcp ::ffff:$V4B 443
	syva-zone egress del iso 192.0.2.0/24 198.51.100.0/24 ::/0
	expect socket_connect 1 EPERM "$ISO" connect tcp ::ffff:$V4A 80
}

@test "cross-zone TCP to a pod IP follows the pair rule, live (v4, v6, mapped)" {
	# Siblings first: the pod's own zone and an unzoned caller reach it.
	expect socket_connect 0 ok "$PODB" connect tcp $POD4 8080
	expect socket_connect 0 ok "$FREE" connect tcp $POD6 8080
	expect socket_connect 1 EPERM "$ISO" connect tcp $POD4 8080
	expect socket_connect 1 EPERM "$ISO" connect tcp $POD6 8080
	expect socket_connect 1 EPERM "$ISO" connect tcp ::ffff:$POD4 8080
	syva-comm allow iso b
	expect socket_connect 0 ok "$ISO" connect tcp $POD4 8080
	expect socket_connect 0 ok "$ISO" connect tcp $POD6 8080
	expect socket_connect 0 ok "$ISO" connect tcp ::ffff:$POD4 8080
	expect socket_sendmsg 0 ok "$ISO" sendto $POD4 9
	# The pair opens the pod, not its neighbours, and not for other zones.
	expect socket_connect 1 EPERM "$ISO" connect tcp $FREE4 8080
	expect socket_connect 1 EPERM "$ISO2" connect tcp $POD4 8080
	syva-comm deny iso b
	expect socket_connect 1 EPERM "$ISO" connect tcp $POD4 8080
	expect socket_connect 1 EPERM "$ISO" connect tcp $POD6 8080
}

@test "open zone: anywhere but another zone's pod IP" {
	expect socket_connect 0 ok "$OPN" connect tcp $FREE4 8080
	expect socket_connect 0 ok "$OPN" connect tcp $FREE6 8080
	expect socket_connect 1 EPERM "$OPN" connect tcp $POD4 8080
	expect socket_connect 1 EPERM "$OPN" connect tcp $POD6 8080
	expect socket_connect 1 EPERM "$OPN" connect tcp ::ffff:$POD4 8080
	expect socket_sendmsg 1 EPERM "$OPN" sendto $POD6 9
	syva-comm allow opn b
	expect socket_connect 0 ok "$OPN" connect tcp $POD4 8080
	syva-comm deny opn b
	expect socket_connect 1 EPERM "$OPN" connect tcp $POD4 8080
}

@test "a pod IP takes precedence over the allowlist" {
	syva-zone egress add iso 203.0.113.0/24:8080 "[fd00:b::/64]:8080"
	expect socket_connect 0 ok "$ISO" connect tcp $FREE4 8080
	expect socket_connect 0 ok "$ISO" connect tcp $FREE6 8080
	expect socket_connect 1 EPERM "$ISO" connect tcp $POD4 8080
	expect socket_connect 1 EPERM "$ISO" connect tcp $POD6 8080
	syva-zone egress del iso 203.0.113.0/24 fd00:b::/64
	expect socket_connect 1 EPERM "$ISO" connect tcp $FREE4 8080
}

@test "bad egress specs and pod IPs are refused with one line, maps unchanged" {
	local spec before
	syva-zone egress add iso 192.0.2.0/24:80
	before=$(snapshot)
	for spec in 10.0.0.0/33 "[2001:db8::/129]:443" 10.0.0.0/8:0 10.0.0.0/8:65536 \
		10.0.0.0/8:90-80 2001:db8::/32:443 garbage 10.1.0.0/8; do
		run syva-zone egress add iso 192.0.2.0/24:443 "$spec"
		[ "$status" -eq 65 ]
		[ "${#lines[@]}" -eq 1 ]
		[[ ${lines[0]} == "syva-zone: invalid egress spec \"$spec\": "* ]]
	done
	run syva-zone egress add nosuch 10.0.0.0/8
	[ "$status" -eq 65 ]
	run syva-ipzone add 10.0.0.0/8 b
	[ "$status" -eq 65 ]
	[ "$output" = 'syva-ipzone: invalid pod IP "10.0.0.0/8": expected one IPv4 or IPv6 address (192.0.2.10, 2001:db8::10)' ]
	run syva-ipzone add $POD4 iso
	[ "$status" -eq 65 ]
	[ "$(snapshot)" = "$before" ]
	# Nothing half-applied: 443 (in each refused call) stays denied.
	expect socket_connect 1 EPERM "$ISO" connect tcp $V4A 443
	expect socket_connect 0 ok "$ISO" connect tcp $V4A 80
	syva-zone egress del iso 192.0.2.0/24
}

@test "every denial records its destination address and port for events" {
	drain_events
	expect socket_connect 1 EPERM "$ISO" connect tcp $V6A 443
	expect socket_sendmsg 1 EPERM "$ISO" sendto ::ffff:$V4B 53
	expect socket_connect 1 EPERM "$OPN" connect tcp $POD6 8080
	expect socket_bind 1 EPERM "$ISO" bind udp 0.0.0.0 5353
	expect socket_connect 0 ok "$ISO" connect tcp ::1 80
	run syva-events --json
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	echo "${lines[0]}" | jq -e '.hook == "socket_connect" and .zone == "iso" and
		.peer_zone == "host" and .family == "inet6" and .addr == "2001:db8:1::1" and
		.port == 443 and .reason.what_failed == "egress outside the allowlist"'
	# A mapped destination is recorded as the IPv4 address it was judged as.
	echo "${lines[1]}" | jq -e '.hook == "socket_sendmsg" and .family == "inet" and
		.addr == "198.51.100.1" and .port == 53'
	echo "${lines[2]}" | jq -e '.hook == "socket_connect" and .zone == "opn" and
		.peer_zone == "b" and .family == "inet6" and .addr == "fd00:b::2" and
		.port == 8080 and .reason.what_failed == "cross-zone network connection"'
	echo "${lines[3]}" | jq -e '.hook == "socket_bind" and .family == "inet" and
		.addr == "0.0.0.0" and .port == 5353'
}
