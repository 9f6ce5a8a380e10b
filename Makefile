# SPDX-License-Identifier: GPL-2.0-only
# syva: one non-recursive Makefile, out of tree under $(BUILD). Tools are
# discovered from cmd/*.c; everything they share is lib/*.c in one archive,
# so a tool links only what it uses (only syva-load pulls in lib/load.c and
# with it the BPF skeleton). `make V=1` shows the commands.

BUILD ?= build
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
DESTDIR ?=

CC ?= cc
CLANG ?= clang
BPFTOOL ?= bpftool
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux

CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Werror -Wshadow -Wno-missing-field-initializers
override CFLAGS += -std=gnu11 -D_GNU_SOURCE $(WARN) -Ibpf -Ilib -I$(BUILD) -MMD -MP
LDLIBS := -lbpf -lelf -lz -ljansson
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_x86 $(WARN) \
	-Wno-unused-parameter -Wno-unused-function -Ibpf -I$(BUILD) -MMD -MP

ifeq ($(V),1)
Q :=
msg := @true
else
Q := @
msg = @printf '  %-8s %s\n'
endif

TOOLS := $(patsubst cmd/%.c,%,$(wildcard cmd/*.c))
LIB_OBJ := $(patsubst lib/%.c,$(BUILD)/lib/%.o,$(wildcard lib/*.c))
PROBE_SRC := $(wildcard tests/probe/*.c)
MAN7 := $(wildcard man/*.7)
MAN8 := $(wildcard man/*.8)
UNITS := $(wildcard contrib/systemd/*.service contrib/systemd/*.timer)

all: $(addprefix $(BUILD)/,$(TOOLS))

# vmlinux.h is rewritten only when the kernel's BTF says something new, so a
# rebuild does not recompile the BPF object for nothing.
$(BUILD)/vmlinux.h: | $(BUILD)
	$(msg) GEN $@
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp
	$(Q)if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

$(BUILD)/syva.bpf.o: bpf/syva.bpf.c $(BUILD)/vmlinux.h
	$(msg) BPF $@
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/syva.skel.h: $(BUILD)/syva.bpf.o
	$(msg) SKEL $@
	$(Q)$(BPFTOOL) gen skeleton $< name syva_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/lib/load.o: $(BUILD)/syva.skel.h

$(BUILD)/lib/%.o: lib/%.c | $(BUILD)/lib
	$(msg) CC $@
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libsyva.a: $(LIB_OBJ)
	$(msg) AR $@
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/cmd/%.o: cmd/%.c | $(BUILD)/cmd
	$(msg) CC $@
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/syva-%: $(BUILD)/cmd/syva-%.o $(BUILD)/libsyva.a
	$(msg) LD $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The test suites' syscall runner (tests/probe/probe.h).
$(BUILD)/tests/probe: $(PROBE_SRC) tests/probe/probe.h $(BUILD)/libsyva.a | $(BUILD)/tests
	$(msg) LD $@
	$(Q)$(CC) $(CFLAGS) -Itests/probe -o $@ $(PROBE_SRC) $(BUILD)/libsyva.a $(LDLIBS)

tests: all $(BUILD)/tests/probe

$(BUILD) $(BUILD)/lib $(BUILD)/cmd $(BUILD)/tests:
	$(Q)mkdir -p $@

# The main job: on a kernel that enforces, run the demo here; otherwise
# boot a real kernel and run it there.
demo:
	$(Q)contrib/install-deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)contrib/demo-run

check:
	$(Q)contrib/install-deps
	$(Q)$(MAKE) --no-print-directory tests
	$(Q)tests/check

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(addprefix $(BUILD)/,$(TOOLS)) contrib/syva-textfile $(DESTDIR)$(SBINDIR)/
	install -d $(DESTDIR)$(UNITDIR)
	install -m 0644 $(UNITS) $(DESTDIR)$(UNITDIR)/
	$(if $(MAN7),install -m 0644 $(MAN7) $(DESTDIR)$(MANDIR)/man7/)
	$(if $(MAN8),install -m 0644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/)

uninstall:
	rm -f $(addprefix $(DESTDIR)$(SBINDIR)/,$(TOOLS) syva-textfile)
	rm -f $(addprefix $(DESTDIR)$(UNITDIR)/,$(notdir $(UNITS)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man7/,$(notdir $(MAN7)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(MAN8)))

clean:
	rm -rf $(BUILD)/lib $(BUILD)/cmd $(BUILD)/syva-* $(BUILD)/*.o \
		$(BUILD)/*.d $(BUILD)/*.h $(BUILD)/*.a

.PHONY: all tests demo check install uninstall clean
.SECONDARY:

-include $(wildcard $(BUILD)/*.d $(BUILD)/lib/*.d $(BUILD)/cmd/*.d)
