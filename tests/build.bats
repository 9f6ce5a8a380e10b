#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# The build contract: out of tree under build/, install and uninstall
# honouring PREFIX and DESTDIR, every tool with its man page.

setup_file() {
	export TOP=$BATS_TEST_DIRNAME/..
	export DEST=$BATS_FILE_TMPDIR/dest
}

@test "make leaves the source tree clean: objects only under build/" {
	make -C "$TOP" -s all
	run find "$TOP/bpf" "$TOP/cmd" "$TOP/lib" "$TOP/tests" \( -name '*.o' -o \
		-name '*.d' -o -name '*.a' -o -name '*.skel.h' -o -name vmlinux.h \) -print
	[ -z "$output" ]
	[ -f "$TOP/build/syva.skel.h" ]
}

@test "make install puts tools in PREFIX/sbin and pages in PREFIX/share/man under DESTDIR" {
	make -C "$TOP" -s install DESTDIR="$DEST" PREFIX=/usr
	local t
	for t in "$TOP"/cmd/syva-*.c; do
		t=$(basename "$t" .c)
		[ -x "$DEST/usr/sbin/$t" ]
		[ -f "$DEST/usr/share/man/man8/$t.8" ]
	done
	[ -f "$DEST/usr/share/man/man7/syva.7" ]
	"$DEST/usr/sbin/syva-zone" --help | grep -q '^usage: syva-zone'
}

@test "make uninstall removes exactly what install put there" {
	make -C "$TOP" -s install DESTDIR="$DEST" PREFIX=/usr
	make -C "$TOP" -s uninstall DESTDIR="$DEST" PREFIX=/usr
	run find "$DEST" -type f
	[ -z "$output" ]
}

@test "only syva-load carries the BPF object" {
	# The skeleton embeds the object's ELF; its section names show up.
	grep -qa 'lsm/file_open' "$TOP/build/syva-load"
	! grep -qa 'lsm/file_open' "$TOP/build/syva-zone"
}
