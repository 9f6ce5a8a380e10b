#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# Network policy tools on the host, against maps pinned by
# `syva-load --no-attach` on a private bpffs (the host kernel refuses LSM
# programs, maps work): egress SPEC parsing and printing, port sets (union,
# difference, covering prefixes' effective ports), syva-ipzone, and bad
# input: exit code, the one-line message, and the maps unchanged.

load vm/lib

setup_file() {
	export SYVA_BPFFS=/tmp/bpffs-net/net-$$
	mkdir -p /tmp/bpffs-net
	if ! mountpoint -q /tmp/bpffs-net; then
		mount -t bpf bpf /tmp/bpffs-net || return 1
	fi
	syva-load --no-attach
	syva-zone add web db
}

teardown_file() {
	syva-load --unload
}

setup() {
	[ -d "$SYVA_BPFFS" ] || skip "no private bpffs (needs root)"
}

teardown() {
	# Every test starts from empty lists.
	syva-zone egress list --text web | syva-zone egress del web - 2>/dev/null || true
	syva-zone egress list --text db | syva-zone egress del db - 2>/dev/null || true
	syva-ipzone list --text | awk '{ print $1 }' | syva-ipzone del - 2>/dev/null || true
}

# egress4|egress6 ADDR/LEN of zone web: "declared | effective" port ranges.
# ADDR is the key's bytes in decimal, dotted (IPv6 too: 32.1.13.184.0...).
ports_of() {
	local map=$1 addr=${2%/*} len=${2#*/}
	bpftool -j map dump pinned "$SYVA_BPFFS/$map" | jq -r --arg a "$addr" --argjson l "$len" '
		.[].formatted
		| select(.key.zone == 16777216 and .key.prefixlen == $l + 32)
		| select((.key.addr | map(tostring) | join(".")) == $a)
		| [(.value.declared[:.value.nr_declared][] | "\(.lo)-\(.hi)"), "|",
		   (.value.effective[:.value.nr_effective][] | "\(.lo)-\(.hi)")] | join(" ")'
}

@test "egress add takes many SPECs; list prints each back as a SPEC" {
	syva-zone egress add web 10.0.0.0/8:443 10.0.0.0/8:80 192.0.2.7 \
		"[2001:db8::/32]:443" 2001:db8::1 "[2001:db8:1::/48]:1000-2000"
	run syva-zone egress list --text web
	[ "$status" -eq 0 ]
	[ "$output" = "10.0.0.0/8:80
10.0.0.0/8:443
192.0.2.7/32
[2001:db8::/32]:443
2001:db8::1/128
[2001:db8:1::/48]:1000-2000" ]
	# What list prints, add reads back: another zone gets the same list.
	syva-zone egress list --text web | syva-zone egress add db -
	[ "$(syva-zone egress list --text db)" = "$output" ]
}

@test "egress list --json: one object per SPEC with a fixed key set" {
	syva-zone egress add web 10.0.0.0/8:8000-8080 "[2001:db8::/32]"
	run syva-zone egress list web
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = '{"zone":"web","spec":"10.0.0.0/8:8000-8080","addr":"10.0.0.0","prefixlen":8,"port_min":8000,"port_max":8080}' ]
	[ "${lines[1]}" = '{"zone":"web","spec":"2001:db8::/32","addr":"2001:db8::","prefixlen":32,"port_min":null,"port_max":null}' ]
}

@test "ports of one prefix are a set: one entry, merged ranges" {
	syva-zone egress add web 10.0.0.0/8:80 10.0.0.0/8:443 10.0.0.0/8:8000-8080
	syva-zone egress add web 10.0.0.0/8:81-90 10.0.0.0/8:443 10.0.0.0/8:8080-8100
	[ "$(ports_of egress4 10.0.0.0/8)" = "80-90 443-443 8000-8100 | 80-90 443-443 8000-8100" ]
	[ "$(bpftool -j map dump pinned "$SYVA_BPFFS/egress4" | jq length)" -eq 1 ]
	# Any port swallows the rest.
	syva-zone egress add web 10.0.0.0/8
	[ "$(ports_of egress4 10.0.0.0/8)" = "0-65535 | 0-65535" ]
	[ "$(syva-zone egress list --text web)" = 10.0.0.0/8 ]
}

@test "a covering prefix's ports are in every longer prefix's effective set" {
	syva-zone egress add web 10.1.0.0/16:22 10.0.0.0/8:80 10.1.2.0/24:443 10.2.0.0/16:53
	[ "$(ports_of egress4 10.1.0.0/16)" = "22-22 | 22-22 80-80" ]
	[ "$(ports_of egress4 10.1.2.0/24)" = "443-443 | 22-22 80-80 443-443" ]
	[ "$(ports_of egress4 10.2.0.0/16)" = "53-53 | 53-53 80-80" ]
	# Deleting the covering prefix recomputes what it covered.
	syva-zone egress del web 10.0.0.0/8
	[ "$(ports_of egress4 10.1.2.0/24)" = "443-443 | 22-22 443-443" ]
	# Another zone's prefixes never count.
	syva-zone egress add db 10.0.0.0/8:8080
	[ "$(ports_of egress4 10.1.2.0/24)" = "443-443 | 22-22 443-443" ]
	syva-zone egress add web "[2001:db8::/32]:443" "[2001:db8:5::/48]:80"
	[ "$(ports_of egress6 32.1.13.184.0.5.0.0.0.0.0.0.0.0.0.0/48)" = "80-80 | 80-80 443-443" ]
}

@test "IPv4-mapped SPECs are IPv4 prefixes; ::/0 stays IPv6" {
	syva-zone egress add web "[::ffff:192.0.2.0/120]:80" "[::ffff:198.51.100.9]" ::/0
	run syva-zone egress list --text web
	[ "$output" = "192.0.2.0/24:80
198.51.100.9/32
::/0" ]
	[ "$(ports_of egress4 192.0.2.0/24)" = "80-80 | 80-80" ]
}

@test "del removes exactly the given port or range; a range may split" {
	syva-zone egress add web 10.0.0.0/8:80 10.0.0.0/8:443 10.0.0.0/8:8000-8080
	syva-zone egress del web 10.0.0.0/8:443 10.0.0.0/8:8040
	[ "$(syva-zone egress list --text web)" = "10.0.0.0/8:80
10.0.0.0/8:8000-8039
10.0.0.0/8:8041-8080" ]
	# A port that is not there, or a prefix that is not there: done already.
	syva-zone egress del web 10.0.0.0/8:9999 172.16.0.0/12:80
	[ "$(syva-zone egress list --text web | wc -l)" -eq 3 ]
	# No port: the whole prefix goes.
	syva-zone egress del web 10.0.0.0/8
	[ -z "$(syva-zone egress list --text web)" ]
	[ "$(bpftool -j map dump pinned "$SYVA_BPFFS/egress4" | jq length)" -eq 0 ]
}

@test "deleting one port of an any-port prefix is refused, nothing changed" {
	syva-zone egress add web 192.0.2.0/24
	before=$(snapshot)
	run syva-zone egress del web 192.0.2.0/24:80
	[ "$status" -eq 65 ]
	[ "$output" = 'syva-zone: zone "web": cannot delete port 80 of 192.0.2.0/24: it allows any port (delete 192.0.2.0/24 itself, then add the ports to keep)' ]
	[ "$(snapshot)" = "$before" ]
}

@test "more than 16 port ranges, counting covering prefixes, is refused" {
	local a=() p
	for p in $(seq 1 2 31); do a+=("10.0.0.0/8:$p"); done
	syva-zone egress add web "${a[@]}"
	before=$(snapshot)
	run syva-zone egress add web 10.0.0.0/8:99
	[ "$status" -eq 65 ]
	[ "$output" = 'syva-zone: zone "web": 10.0.0.0/8 would have 17 port ranges: at most 16' ]
	run syva-zone egress add web 10.1.0.0/16:99
	[ "$status" -eq 65 ]
	[ "$output" = 'syva-zone: zone "web": 10.1.0.0/16 would have 17 port ranges with its covering prefixes: at most 16' ]
	[ "$(snapshot)" = "$before" ]
	# Splitting a range in two can overflow too.
	syva-zone egress del web 10.0.0.0/8:31
	syva-zone egress add web 10.0.0.0/8:100-200
	before=$(snapshot)
	run syva-zone egress del web 10.0.0.0/8:150
	[ "$status" -eq 65 ]
	[ "$output" = 'syva-zone: zone "web": 10.0.0.0/8 would have 17 port ranges: at most 16' ]
	[ "$(snapshot)" = "$before" ]
	# Merging brings the count down: 2 joins 1 and 3 into one range.
	syva-zone egress add web 10.0.0.0/8:2 10.0.0.0/8:150
	[ "$(ports_of egress4 10.0.0.0/8 | cut -d' ' -f1)" = 1-3 ]
}

@test "bad SPECs: exit 65, one line naming the SPEC and what is expected, maps unchanged" {
	local spec want
	syva-zone egress add web 10.0.0.0/8:80
	before=$(snapshot)
	while IFS='|' read -r spec want; do
		run syva-zone egress add web 192.0.2.0/24:443 "$spec"
		echo "$spec -> $status: $output"
		[ "$status" -eq 65 ]
		[ "$output" = "syva-zone: invalid egress spec \"$spec\": $want" ]
		run syva-zone egress del web 10.0.0.0/8:80 "$spec"
		[ "$status" -eq 65 ]
	done <<'EOF'
10.0.0.0/33|an IPv4 prefix length is 0-32
[2001:db8::/129]:443|an IPv6 prefix length is 0-128
2001:db8::/200|an IPv6 prefix length is 0-128
10.0.0.0/8:0|ports are 1-65535
10.0.0.0/8:65536|ports are 1-65535
10.0.0.0/8:90-80|a port range is LOW-HIGH with LOW <= HIGH
10.0.0.0/8:80-|ports are 1-65535
10.0.0.0/8:|a port or a range LOW-HIGH follows ':' (1-65535)
2001:db8::/32:443|an IPv6 prefix with a port is written [2001:db8::/32]:443
[2001:db8::/32:443|a '[' needs its ']': [2001:db8::/32]:443
[192.0.2.0/24]:80|brackets are for IPv6 only (write 192.0.2.0/24:80)
10.1.0.0/8|host bits are set past the prefix (did you mean 10.0.0.0/8?)
garbage|expected CIDR[:PORT[-PORT]], IPv6 in brackets before a port ([2001:db8::/32]:443)
1.2.3|expected CIDR[:PORT[-PORT]], IPv6 in brackets before a port ([2001:db8::/32]:443)
10.0.0.0/8:http|ports are 1-65535
EOF
	[ "$(snapshot)" = "$before" ]
}

@test "a bad SPEC on stdin is refused like one in the arguments" {
	before=$(snapshot)
	run syva-zone egress add web - <<<$'10.0.0.0/8:80\n10.0.0.0/8:0'
	[ "$status" -eq 65 ]
	[ "$output" = 'syva-zone: invalid egress spec "10.0.0.0/8:0": ports are 1-65535' ]
	[ "$(snapshot)" = "$before" ]
}

@test "unknown zone, host and wrong usage: 65 and 64" {
	before=$(snapshot)
	run syva-zone egress add nosuch 10.0.0.0/8
	[ "$status" -eq 65 ]
	[ "$output" = 'syva-zone: unknown zone "nosuch": create it with syva-zone add' ]
	run syva-zone egress add host 10.0.0.0/8
	[ "$status" -eq 65 ]
	[ "$output" = 'syva-zone: invalid zone "host": unzoned processes have no egress allowlist' ]
	run syva-zone egress add "Bad Zone" 10.0.0.0/8
	[ "$status" -eq 65 ]
	for args in "egress" "egress frob web" "egress add web" "egress list" \
		"egress list web db" "egress add --ptrace web 10.0.0.0/8"; do
		run syva-zone $args
		[ "$status" -eq 64 ]
	done
	[ "$(snapshot)" = "$before" ]
}

@test "syva-ipzone: add, list (JSON piped, text asked), del; IPv4-mapped is IPv4" {
	syva-ipzone add 10.0.0.5 2001:db8::5 web
	syva-ipzone add ::ffff:10.0.0.6 db
	echo 10.0.0.7 | syva-ipzone add - db
	run syva-ipzone list
	[ "$output" = '{"addr":"10.0.0.5","zone":"web"}
{"addr":"10.0.0.6","zone":"db"}
{"addr":"10.0.0.7","zone":"db"}
{"addr":"2001:db8::5","zone":"web"}' ]
	run syva-ipzone list --text db
	[ "${lines[0]}" = "10.0.0.6                                db" ]
	[ "${#lines[@]}" -eq 2 ]
	# Both spellings are one key.
	[ "$(bpftool -j map dump pinned "$SYVA_BPFFS/ipzones" | jq length)" -eq 4 ]
	syva-ipzone add 10.0.0.6 db # the same mapping again is fine
	syva-ipzone del ::ffff:10.0.0.5 2001:db8::5 192.0.2.99
	[ "$(syva-ipzone list --text web)" = "" ]
	# host: a node address that zones reach only through ZONE-host pairs.
	syva-ipzone add 192.0.2.9 host
	[ "$(syva-ipzone list host)" = '{"addr":"192.0.2.9","zone":"host"}' ]
}

@test "syva-ipzone: bad addresses and a second zone are refused, maps unchanged" {
	local ip want
	syva-ipzone add 10.0.0.5 web
	before=$(snapshot)
	while IFS='|' read -r ip want; do
		run syva-ipzone add 10.0.0.9 "$ip" db
		echo "$ip -> $status: $output"
		[ "$status" -eq 65 ]
		[ "$output" = "syva-ipzone: invalid pod IP \"$ip\": $want" ]
	done <<'EOF'
10.0.0.0/8|expected one IPv4 or IPv6 address (192.0.2.10, 2001:db8::10)
[2001:db8::1]|expected one IPv4 or IPv6 address (192.0.2.10, 2001:db8::10)
10.0.0.1:80|expected one IPv4 or IPv6 address (192.0.2.10, 2001:db8::10)
pod|expected one IPv4 or IPv6 address (192.0.2.10, 2001:db8::10)
127.0.0.1|loopback is every zone's own, never a pod's
::ffff:127.3.0.1|loopback is every zone's own, never a pod's
::1|loopback is every zone's own, never a pod's
0.0.0.0|the unspecified address is no pod's
::|the unspecified address is no pod's
EOF
	run syva-ipzone add 10.0.0.9 ::ffff:10.0.0.5 db
	[ "$status" -eq 65 ]
	[ "$output" = 'syva-ipzone: 10.0.0.5 is in zone "web": syva-ipzone del it first' ]
	run syva-ipzone add 10.0.0.9 nosuch
	[ "$status" -eq 65 ]
	run syva-ipzone add 10.0.0.9
	[ "$status" -eq 64 ]
	run syva-ipzone del
	[ "$status" -eq 64 ]
	[ "$(snapshot)" = "$before" ]
}

@test "syva-zone del takes the zone's egress entries and pod IPs with it" {
	syva-zone add tmp
	syva-zone egress add tmp 10.0.0.0/8:80 "[2001:db8::/32]:443"
	syva-zone egress add web 10.0.0.0/8:80
	syva-ipzone add 10.0.0.8 tmp
	syva-zone del tmp
	[ "$(bpftool -j map dump pinned "$SYVA_BPFFS/egress4" | jq length)" -eq 1 ]
	[ "$(bpftool -j map dump pinned "$SYVA_BPFFS/egress6" | jq length)" -eq 0 ]
	[ "$(syva-ipzone list)" = "" ]
}
