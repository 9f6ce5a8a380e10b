#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# Static checks on the host, no privileges needed: the man pages are clean
# under mandoc's linter, every tool has a page and every page a tool, each
# tool's --help is its page's SYNOPSIS, the C sources are clean under the
# checked-in .clang-format and within 100 columns, and lib/hooks.c's table
# of programs is exactly the programs in the built BPF object.

bats_require_minimum_version 1.5.0

setup() {
	TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	cd "$TOP" || return 1
	export PATH="$TOP/build:$PATH"
}

# The tools, from cmd/.
tools() {
	local f
	for f in cmd/syva-*.c; do
		f=${f##*/}
		echo "${f%.c}"
	done
}

# C sources under the house style.
sources() {
	ls lib/*.[ch] cmd/*.c bpf/*.[ch] tests/probe/*.[ch]
}

# forms TOOL: each form of TOOL's synopsis on one line, whitespace squeezed,
# read from text where each form starts with TOOL and may continue on
# indented lines.
forms() {
	awk -v t="$1" '
		{ sub(/^usage:/, ""); gsub(/[ \t]+/, " "); sub(/^ /, ""); sub(/ $/, "") }
		$0 == "" { next }
		$1 == t { if (f != "") print f; f = $0; next }
		{ f = f " " $0 }
		END { if (f != "") print f }'
}

# The SYNOPSIS section of a page, rendered wide enough not to wrap.
man_synopsis() {
	mandoc -Tascii -O width=1000 "$1" | col -bx | awk '
		/^SYNOPSIS/ { s = 1; next }
		s && /^[A-Z]/ { exit }
		s { print }'
}

@test "every man page is clean under mandoc -Tlint -Wwarning" {
	local pages=(man/*.[1-9])
	[ -e "${pages[0]}" ]
	run mandoc -Tlint -Wwarning "${pages[@]}"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "every tool has a man page in section 8, and every page a tool" {
	local t p missing=()
	for t in $(tools); do
		[ -f "man/$t.8" ] || missing+=("man/$t.8 (for cmd/$t.c)")
	done
	for p in man/*.[1-9]; do
		t=${p##*/}
		t=${t%.*}
		[ "$p" = man/syva.7 ] || [ -f "cmd/$t.c" ] || missing+=("cmd/$t.c (for $p)")
	done
	[ -f man/syva.7 ] || missing+=(man/syva.7)
	if [ ${#missing[@]} -gt 0 ]; then
		printf 'missing: %s\n' "${missing[@]}"
		false
	fi
}

@test "syva(7) refers to every tool, and every tool page to syva(7)" {
	local t bad=()
	for t in $(tools); do
		grep -q "^\.Xr $t 8" man/syva.7 || bad+=("syva.7 has no .Xr $t 8")
		grep -q '^\.Xr syva 7' "man/$t.8" || bad+=("$t.8 has no .Xr syva 7")
	done
	if [ ${#bad[@]} -gt 0 ]; then
		printf '%s\n' "${bad[@]}"
		false
	fi
}

@test "every tool page has the house sections" {
	local t s bad=()
	for t in $(tools); do
		for s in NAME SYNOPSIS DESCRIPTION OPTIONS OUTPUT ENVIRONMENT FILES \
			"EXIT STATUS" EXAMPLES "SEE ALSO" CAVEATS; do
			grep -qx "\.Sh $s" "man/$t.8" || bad+=("$t.8: no $s")
		done
	done
	if [ ${#bad[@]} -gt 0 ]; then
		printf '%s\n' "${bad[@]}"
		false
	fi
}

@test "each tool's --help is its man page's SYNOPSIS, form for form" {
	local t help man bad=0
	for t in $(tools); do
		[ -x "build/$t" ] || {
			echo "build/$t is missing: run make"
			bad=1
			continue
		}
		help=$("build/$t" --help | forms "$t")
		man=$(man_synopsis "man/$t.8" | forms "$t")
		if [ -z "$help" ] || [ "$help" != "$man" ]; then
			echo "== $t: --help (<) and SYNOPSIS (>) differ:"
			diff <(echo "$help") <(echo "$man") || true
			bad=1
		fi
	done
	[ "$bad" -eq 0 ]
}

@test "C sources are clean under the checked-in .clang-format" {
	[ -f .clang-format ]
	run clang-format --dry-run --Werror $(sources)
	if [ "$status" -ne 0 ]; then
		echo "not clean (clang-format -i FILE shows the change):"
		grep -o '^[^:]*\.[ch]:' <<<"$output" | sort | uniq -c
		echo "$output" | head -60
		false
	fi
}

@test "C sources stay within 100 columns, but for lines holding a string" {
	local f bad=()
	for f in $(sources); do
		while IFS= read -r line; do
			bad+=("$f:$line")
		done < <(expand -t8 "$f" | awk 'length > 100 && !/"/ { print NR ": " length " columns" }')
	done
	if [ ${#bad[@]} -gt 0 ]; then
		printf '%s\n' "${bad[@]}"
		false
	fi
}

@test "lib/hooks.c lists every program of build/syva.bpf.o but the self-tests, and only those" {
	[ -f build/syva.bpf.o ] || {
		echo "build/syva.bpf.o is missing: run make"
		false
	}
	local obj tbl
	# Programs are the functions outside .text; self-tests are never attached.
	obj=$(llvm-objdump -t build/syva.bpf.o |
		awk '$3 == "F" && $4 != ".text" { print $NF }' | grep -v '^syva_selftest_' | sort)
	tbl=$(sed -n '/syva_progs\[\] = {/,/^};/p' lib/hooks.c |
		grep -o '{ "[A-Za-z0-9_]*"' | tr -d '{ "' | sort)
	[ -n "$obj" ]
	echo "in the object only: $(comm -23 <(echo "$obj") <(echo "$tbl") | tr '\n' ' ')"
	echo "in lib/hooks.c only: $(comm -13 <(echo "$obj") <(echo "$tbl") | tr '\n' ' ')"
	echo "twice in lib/hooks.c: $(uniq -d <<<"$tbl" | tr '\n' ' ')"
	[ "$obj" = "$tbl" ]
}
