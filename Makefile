# xdpgame build. Everything goes to build/; V=1 shows the commands.
#
#   make            build build/xdpgame (the BPF object and skeleton first)
#   make test       unit tests under ASan+UBSan, the ring under TSan, a short
#                   fuzzing pass, then the whole suite (unit, BPF, veth
#                   integration); needs root
#   make fuzz       the fuzzers, FUZZ_SECONDS (120) each; needs root
#   make asan       build/asan/xdpgame, the program under ASan+UBSan
#   make demo       a veth pair in namespaces, a server, a client session
#   make bench      side-by-side benchmark (see docs/BENCHMARKS.md)
#   make install    the binary, xdpgame(8) and xdpgame@.service under
#                   $(DESTDIR)$(PREFIX) (PREFIX=/usr/local); make uninstall
#   make clean
#
# Every target that needs Debian packages runs scripts/deps.sh first (it
# installs only what is missing). DEPS=0 skips it.

.DELETE_ON_ERROR:
# the BPF object and skeleton are intermediates, but worth keeping
.SECONDARY:
.SUFFIXES:

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-8s %s\n' $(1) $(2);
endif

BUILD := build
CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

WARN := -Wall -Wextra -Werror
CFLAGS ?= -O2 -g
# -fno-strict-aliasing on both sides, as the kernel builds: packet code reads
# headers through differently typed pointers (see xg_frame_reply)
XG_CFLAGS = $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -fno-strict-aliasing \
	-Iinclude -Iuser -I$(BUILD) $(PKG_CFLAGS) -MMD -MP
# library flags from pkg-config where the library ships a .pc file (libbpf,
# libxdp, json-c, libmicrohttpd, Criterion); libelf and zlib come in through libbpf's
PKGS := libxdp libbpf json-c libmicrohttpd
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CRIT_LIBS = $(shell pkg-config --libs criterion 2>/dev/null || echo -lcriterion)
LDLIBS = $(PKG_LIBS) -lelf -lz -lpthread -lm
BPF_CFLAGS := -O2 -g -target bpf -D__TARGET_ARCH_$(ARCH) $(WARN) -fno-strict-aliasing \
	-Iinclude -Ibpf -Ivmlinux -MMD -MP

SAN_ASAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SAN_TSAN := -fsanitize=thread

# user/ is one folder per role (see docs/DESIGN.md); every .c under it is
# part of the program, and all but main.c of the test binaries too
USER_SRC := $(sort $(shell find user -name '*.c'))
USER_LIB_SRC := $(filter-out user/cli/main.c,$(USER_SRC))
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
BPFT_SRC := $(sort $(wildcard tests/bpf/*.c))
INTEG_SRC := $(sort $(wildcard tests/integration/*.c))
BPF_SRC := $(sort $(wildcard bpf/*.bpf.c))

obj = $(patsubst %.c,$(BUILD)/$(1)/%.o,$(2))
USER_OBJ := $(call obj,obj,$(USER_SRC))
USER_LIB_OBJ := $(call obj,obj,$(USER_LIB_SRC))
TEST_OBJ := $(call obj,obj,$(UNIT_SRC) $(BPFT_SRC) $(INTEG_SRC))
ASAN_OBJ := $(call obj,asan,$(USER_LIB_SRC) $(UNIT_SRC))
TSAN_OBJ := $(call obj,tsan,user/core/ring.c user/game/world.c user/game/msg.c \
	user/game/session.c user/core/siphash.c \
	tests/unit/test_ring.c tests/unit/test_world.c \
	tests/unit/test_session_threads.c tests/tsan/runner.c)
BPF_OBJ := $(patsubst bpf/%.bpf.c,$(BUILD)/%.bpf.o,$(BPF_SRC))
SKELS := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRC))

BIN := $(BUILD)/xdpgame
# the same program under ASan+UBSan, for the lifecycle tests
BIN_ASAN := $(BUILD)/asan/xdpgame
TESTS := $(BUILD)/tests/xdpgame-tests
TESTS_ASAN := $(BUILD)/tests/unit-asan
TESTS_TSAN := $(BUILD)/tests/threads-tsan

# Fuzzing (tests/fuzz/): libFuzzer targets (clang), the differential XDP
# test; `make fuzz` runs each FUZZ_SECONDS, `make test` a short pass.
FUZZ_FLAGS = -g -O1 $(WARN) -std=gnu11 -D_GNU_SOURCE -fno-strict-aliasing \
	-Iinclude -Iuser -I$(BUILD) -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_LIB_SRC := user/engine/frames.c user/game/handlers.c user/game/world.c user/game/session.c \
	user/game/msg.c user/core/stats.c user/core/ring.c user/core/siphash.c
FUZZ_HDRS := $(wildcard include/xdpgame/*.h user/game/*.h user/core/*.h tests/common/*.h)
FUZZ_TARGETS := $(BUILD)/fuzz/fuzz_frame $(BUILD)/fuzz/fuzz_handshake
FUZZ_DIFF := $(BUILD)/fuzz/diff_xdp
FUZZ_SECONDS ?= 120
# $(1): seconds per target
fuzz_run = for t in frame handshake; do \
		mkdir -p $(BUILD)/fuzz/corpus-$$t && \
		$(BUILD)/fuzz/fuzz_$$t -max_total_time=$(1) -print_final_stats=1 \
			-artifact_prefix=$(BUILD)/fuzz/ $(BUILD)/fuzz/corpus-$$t \
			tests/fuzz/seeds/$$t 2>$(BUILD)/fuzz/$$t.log || \
			{ tail -40 $(BUILD)/fuzz/$$t.log; exit 1; }; \
		echo "fuzz_$$t: $$(sed -n 's/^stat::number_of_executed_units: *//p' \
			$(BUILD)/fuzz/$$t.log) runs in $(1) s, no crash"; \
	done && $(FUZZ_DIFF) --frames 1000000 --seconds $(1)

DEPS ?= 1
ifeq ($(DEPS),1)
deps_stamp := $(BUILD)/.deps-ok
else
deps_stamp :=
endif

.PHONY: all asan test unit demo bench clean deps vmlinux format FORCE install uninstall fuzz
all: $(BIN)
asan: $(BIN_ASAN)

deps:
	$(Q)scripts/deps.sh

$(BUILD)/.deps-ok: scripts/deps.sh
	$(Q)mkdir -p $(@D)
	$(Q)scripts/deps.sh
	$(Q)touch $@

# BPF object, then its skeleton. bpftool writes the skeleton to stdout.
$(BUILD)/%.bpf.o: bpf/%.bpf.c Makefile | $(deps_stamp)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MF $(@:.o=.d) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@

# The version the binary reports (the metrics' build_info): git's, where
# there is one. The header is rewritten only when it changes, so only what
# includes it is rebuilt.
XG_VERSION = $(shell git describe --always --dirty 2>/dev/null || echo unknown)
$(BUILD)/xg_version.h: FORCE
	$(Q)mkdir -p $(@D)
	$(Q)printf '#define XG_VERSION "%s"\n' '$(XG_VERSION)' > $@.tmp
	$(Q)cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
FORCE:

# User objects depend on the skeletons (they include them), and on the
# version header first (order only: metrics.c includes it, and -MMD makes
# that a real dependency of metrics.o alone).
$(BUILD)/obj/%.o: %.c Makefile $(SKELS) | $(deps_stamp) $(BUILD)/xg_version.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(XG_CFLAGS) -c $< -o $@

$(BUILD)/asan/%.o: %.c Makefile $(SKELS) | $(deps_stamp) $(BUILD)/xg_version.h
	$(call msg,CC-ASAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(XG_CFLAGS) -O1 $(SAN_ASAN) -c $< -o $@

$(BUILD)/tsan/%.o: %.c Makefile | $(deps_stamp)
	$(call msg,CC-TSAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(XG_CFLAGS) -O1 $(SAN_TSAN) -c $< -o $@

$(BIN): $(USER_OBJ)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(XG_CFLAGS) $^ -o $@ $(LDLIBS)

$(BIN_ASAN): $(call obj,asan,$(USER_SRC))
	$(call msg,LINK,$@)
	$(Q)$(CC) $(XG_CFLAGS) $(SAN_ASAN) $^ -o $@ $(LDLIBS)

$(TESTS): $(USER_LIB_OBJ) $(TEST_OBJ)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(XG_CFLAGS) $^ -o $@ $(LDLIBS) $(CRIT_LIBS)

$(TESTS_ASAN): $(ASAN_OBJ)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(XG_CFLAGS) $(SAN_ASAN) $^ -o $@ $(LDLIBS) $(CRIT_LIBS)

$(TESTS_TSAN): $(TSAN_OBJ)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(XG_CFLAGS) $(SAN_TSAN) $^ -o $@ -lpthread $(CRIT_LIBS)

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB_SRC) $(FUZZ_HDRS) Makefile | $(deps_stamp)
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_FLAGS) -fsanitize=fuzzer $< $(FUZZ_LIB_SRC) -o $@ -lpthread -lm

$(FUZZ_DIFF): tests/fuzz/diff_xdp.c user/game/msg.c $(FUZZ_HDRS) $(SKELS) Makefile | $(deps_stamp)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(FUZZ_FLAGS) $(PKG_CFLAGS) tests/fuzz/diff_xdp.c user/game/msg.c -o $@ $(LDLIBS)

fuzz: $(FUZZ_TARGETS) $(FUZZ_DIFF)
	$(Q)$(call fuzz_run,$(FUZZ_SECONDS))

# The sanitizer runs first; the whole suite runs last so that its Criterion
# summary is the closing line. Integration tests need root (namespaces, XDP).
test: $(BIN) $(BIN_ASAN) $(TESTS) $(TESTS_ASAN) $(TESTS_TSAN) $(FUZZ_TARGETS) $(FUZZ_DIFF)
	@echo "== unit tests under ASan+UBSan"
	$(Q)ASAN_OPTIONS=detect_leaks=1 $(TESTS_ASAN) --jobs 2
	@echo "== ring, world and sessions under TSan"
	$(Q)setarch $(shell uname -m) -R $(TESTS_TSAN)
	@echo "== fuzzing, a short pass (make fuzz: $(FUZZ_SECONDS) s each)"
	$(Q)$(call fuzz_run,20)
	@echo "== whole suite: unit, BPF, integration over veth"
	$(Q)XDPGAME=$(abspath $(BIN)) XG_SRCDIR=$(CURDIR) $(TESTS) --jobs 1

unit: $(TESTS)
	$(Q)XDPGAME=$(abspath $(BIN)) XG_SRCDIR=$(CURDIR) $(TESTS) --jobs 1 --filter '!(integ*)/*'

demo: $(BIN)
	$(Q)scripts/demo.sh $(abspath $(BIN))

bench: $(BIN)
	$(Q)scripts/bench.sh $(abspath $(BIN))

vmlinux:
	$(Q)vmlinux/gen_vmlinux_h.sh

# Install. The unit goes where systemd looks for local units
# ($(PREFIX)/lib/systemd/system is on its search path for /usr/local and
# /usr); its ExecStart gets the installed binary's path. Without DESTDIR
# the man database and systemd are told (where they exist), so that
# `man xdpgame` and `systemctl start xdpgame@IFACE` work at once.
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
UNIT := scripts/systemd/xdpgame@.service
INSTALLED := $(DESTDIR)$(SBINDIR)/xdpgame $(DESTDIR)$(MANDIR)/man8/xdpgame.8 \
	$(DESTDIR)$(UNITDIR)/xdpgame@.service

install: $(BIN)
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)install -D -m 0755 $(BIN) $(DESTDIR)$(SBINDIR)/xdpgame
	$(Q)install -D -m 0644 docs/xdpgame.8 $(DESTDIR)$(MANDIR)/man8/xdpgame.8
	$(Q)mkdir -p $(DESTDIR)$(UNITDIR)
	$(Q)sed 's|@SBINDIR@|$(SBINDIR)|g' $(UNIT) > $(DESTDIR)$(UNITDIR)/xdpgame@.service
	$(Q)chmod 0644 $(DESTDIR)$(UNITDIR)/xdpgame@.service
	$(Q)$(install_hooks)

uninstall:
	$(call msg,REMOVE,$(INSTALLED))
	$(Q)rm -f $(INSTALLED)
	$(Q)$(install_hooks)

# mandb and systemd, on the live system only (not into a DESTDIR)
install_hooks = if [ -z "$(DESTDIR)" ]; then \
	  if command -v mandb >/dev/null; then mandb -q 2>/dev/null || true; fi; \
	  if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi; \
	fi

format:
	$(Q)clang-format -i $(USER_SRC) $(shell find user -name '*.h') $(wildcard include/xdpgame/*.h bpf/*.h bpf/*.c tests/*/*.c tests/*/*.h)

clean:
	$(Q)rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
