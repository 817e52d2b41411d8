# nsdump: one non-recursive Makefile.  `make help` lists the targets.
PREFIX    ?= /usr/local
SBINDIR   ?= $(PREFIX)/sbin
MANDIR    ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DESTDIR   ?=
CC        ?= cc
PKG_CONFIG ?= pkg-config
VERSION   := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

# ASAN=1 builds everything into build-asan/ with ASan+UBSan; FUZZ=1 into build-fuzz/ with
# clang, libFuzzer instrumentation and ASan+UBSan (see `make fuzz`).
ifeq ($(FUZZ),1)
B         := build-fuzz
CC        := clang
SANFLAGS  := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
             -fno-sanitize-recover=all
HARDEN_CPP :=
else ifeq ($(ASAN),1)
B         := build-asan
SANFLAGS  := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
HARDEN_CPP :=
else ifeq ($(CLANG),1)
B         := build-clang
CC        := clang
SANFLAGS  :=
HARDEN_CPP := -D_FORTIFY_SOURCE=2
else
B         := build
SANFLAGS  :=
HARDEN_CPP := -D_FORTIFY_SOURCE=2
endif

# Members of this group (and root) may use a setuid or file-capability install.
NSDUMP_GROUP ?= nsdump
# INSTALL_MODE=root (0755), setuid (4750 root:$(NSDUMP_GROUP)), caps (0750 + file caps).
INSTALL_MODE ?= root
INSTALL_CAPS := cap_sys_ptrace,cap_sys_admin,cap_net_raw,cap_setpcap+p

PKGS      := libpcap libmnl libcap zlib libseccomp json-c
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)

# PCAP_LINK=static (the default where Debian's libpcap.a is installed) links libpcap, and
# the libdbus-1 its D-Bus capture source needs, into the program. Debian's libpcap.so pulls
# in libdbus-1 and through it libsystemd, libgcrypt, libgpg-error, liblzma, libzstd and
# liblz4: seven shared objects that nsdump never calls but the loader maps and relocates at
# every start, 3-4 ms of CPU here (docs/performance.md, "Start-up: where the time goes").
# libdbus-1.a's two calls into libsystemd are answered by src/static/sd_stub.c, as for
# `make static`. PCAP_LINK=shared links libpcap.so, so that a libpcap security update from
# apt applies without a rebuild: the Debian package does that (packaging/debian/rules).
PCAP_LINK ?= $(if $(filter /%,$(shell $(CC) -print-file-name=libpcap.a)),static,shared)
ifeq ($(PCAP_LINK),static)
PKG_LIBS  := -Wl,-Bstatic -lpcap -ldbus-1 -Wl,-Bdynamic $(B)/obj/static/sd_stub.o \
             $(shell $(PKG_CONFIG) --libs $(filter-out libpcap,$(PKGS)) 2>/dev/null)
PCAP_DEPS := $(B)/obj/static/sd_stub.o
else ifeq ($(PCAP_LINK),shared)
PKG_LIBS  := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
PCAP_DEPS :=
else
$(error PCAP_LINK must be static or shared, not "$(PCAP_LINK)")
endif

WARN      := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -Wformat=2 -Wformat-nonliteral -Wpointer-arith -Wcast-qual -Wvla \
             -Wnull-dereference -Wundef -Wwrite-strings
CFLAGS    ?= -O2 -g
ALL_CFLAGS := -std=gnu11 $(WARN) $(CFLAGS) $(SANFLAGS) $(HARDEN_CPP) \
             -fstack-protector-strong -fPIE -D_GNU_SOURCE -DND_VERSION='"$(VERSION)"' \
             -DND_GROUP='"$(NSDUMP_GROUP)"' $(if $(SANDBOX_LOG),-DND_SANDBOX_LOG) \
             -Iinclude $(PKG_CFLAGS)
ALL_LDFLAGS := $(LDFLAGS) $(SANFLAGS) -pie -Wl,-z,relro,-z,now

LIB_SRCS  := $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJS  := $(LIB_SRCS:src/%.c=$(B)/obj/%.o)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/unit/%)
# The same program with the test-only triggers of include/nsdump/testhooks.h compiled in.
TH_OBJS   := $(patsubst src/%.c,$(B)/obj-th/%.o,$(wildcard src/*.c))
TOOL_SRCS := $(wildcard tests/tools/*.c)
TOOL_BINS := $(TOOL_SRCS:tests/tools/%.c=$(B)/tools/%)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(B)/fuzz/%)
FUZZ_SECONDS ?= 60

.PHONY: all check unit integration demo install uninstall clean deps asan lint help bench fuzz \
	fuzz-build deb
all: $(B)/nsdump $(B)/nsdump-testhooks $(TOOL_BINS)

$(B)/obj/%.o: src/%.c $(wildcard include/nsdump/*.h src/*.h) | $(B)/obj
	$(CC) $(ALL_CFLAGS) -c -o $@ $<
$(B)/obj-th/%.o: src/%.c $(wildcard include/nsdump/*.h src/*.h) | $(B)/obj-th
	$(CC) $(ALL_CFLAGS) -DND_TEST_HOOKS -c -o $@ $<
$(B)/nsdump-testhooks: $(TH_OBJS) | $(PCAP_DEPS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)
$(B)/libnsdump.a: $(LIB_OBJS)
	rm -f $@ && ar rcs $@ $^
$(B)/nsdump: $(B)/obj/main.o $(B)/libnsdump.a | $(PCAP_DEPS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)
$(B)/unit/%: tests/unit/%.c tests/unit/unit.h $(B)/libnsdump.a | $(B)/unit $(PCAP_DEPS)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(ALL_LDFLAGS) -o $@ $< $(B)/libnsdump.a $(PKG_LIBS)
$(B)/tools/%: tests/tools/%.c | $(B)/tools
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $<
# The tools that use nsdump's own library (sandboxprobe enters the capture loop's sandbox)
# or libseccomp (nolandlock).
$(B)/tools/sandboxprobe: tests/tools/sandboxprobe.c $(B)/libnsdump.a | $(B)/tools $(PCAP_DEPS)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(B)/libnsdump.a $(PKG_LIBS)
$(B)/tools/nolandlock: tests/tools/nolandlock.c | $(B)/tools $(PCAP_DEPS)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(PKG_LIBS)
# Fuzz targets: with libFuzzer under FUZZ=1, else with the replay main (make check runs the
# corpus through them).
ifeq ($(FUZZ),1)
$(B)/fuzz/%: tests/fuzz/%.c $(B)/libnsdump.a | $(B)/fuzz $(PCAP_DEPS)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer $(ALL_LDFLAGS) -o $@ $< $(B)/libnsdump.a $(PKG_LIBS)
else
$(B)/fuzz/%: tests/fuzz/%.c tests/fuzz/replay.c $(B)/libnsdump.a | $(B)/fuzz $(PCAP_DEPS)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< tests/fuzz/replay.c $(B)/libnsdump.a $(PKG_LIBS)
endif
$(B)/obj/static/%.o: src/static/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<
$(B)/obj $(B)/obj-th $(B)/unit $(B)/tools $(B)/fuzz:
	mkdir -p $@

# Installs every Debian package the build, the tests and the demo need (Debian 12, as root).
deps:
	@scripts/deps.sh

unit: $(UNIT_BINS)
	@tests/run-unit.sh $(UNIT_BINS)

# `make check`: deps, release + ASan/UBSan builds (and a clang build, warnings as errors), unit and integration tests under both, linters.
check:
	@scripts/deps.sh --if-needed
	@$(MAKE) --no-print-directory all $(UNIT_BINS) $(FUZZ_BINS)
	@$(MAKE) --no-print-directory ASAN=1 all asan-unit
	@$(MAKE) --no-print-directory CLANG=1 all
	@tests/run-all.sh

asan-unit: $(UNIT_BINS) $(FUZZ_BINS)

# `make fuzz`: each libFuzzer target for FUZZ_SECONDS (default 60), starting from its seed
# corpus; new inputs go to build-fuzz/corpus/, crashes to build-fuzz/crash-* (keep them as
# regressions in tests/fuzz/corpus/<target>/).
fuzz:
	@scripts/deps.sh --if-needed
	@$(MAKE) --no-print-directory FUZZ=1 fuzz-build
	@set -e; for t in $(FUZZ_SRCS:tests/fuzz/%.c=%); do \
		mkdir -p build-fuzz/corpus/$$t; \
		echo "## $$t, $(FUZZ_SECONDS) s"; \
		build-fuzz/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
			-artifact_prefix=build-fuzz/crash-$$t- build-fuzz/corpus/$$t \
			tests/fuzz/corpus/$$t 2>&1 | tail -n 3; \
	done

fuzz-build: $(FUZZ_BINS)

asan:
	@$(MAKE) --no-print-directory ASAN=1 all

lint:
	@scripts/lint.sh

demo:
	@scripts/deps.sh --if-needed
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh $(B)/nsdump $(B)/tools/udpsend

bench:
	@scripts/deps.sh --if-needed
	@$(MAKE) --no-print-directory all
	@bench/run.sh

# INSTALL_MODE=root|setuid|caps (docs/security.md). The group is created when missing; chown
# comes before chmod (chown clears the setuid bit) and setcap last.
install: $(B)/nsdump
	@case "$(INSTALL_MODE)" in root|setuid|caps) ;; \
	*) echo "install: INSTALL_MODE must be root, setuid or caps" >&2; exit 1 ;; esac
	install -D -m 0755 $(B)/nsdump $(DESTDIR)$(SBINDIR)/nsdump
	install -D -m 0644 docs/nsdump.8 $(DESTDIR)$(MANDIR)/man8/nsdump.8
	install -D -m 0644 packaging/bash-completion/nsdump $(DESTDIR)$(BASHCOMPDIR)/nsdump
ifneq ($(filter setuid caps,$(INSTALL_MODE)),)
	getent group $(NSDUMP_GROUP) >/dev/null || groupadd --system $(NSDUMP_GROUP)
	chown root:$(NSDUMP_GROUP) $(DESTDIR)$(SBINDIR)/nsdump
endif
ifeq ($(INSTALL_MODE),setuid)
	chmod 4750 $(DESTDIR)$(SBINDIR)/nsdump
endif
ifeq ($(INSTALL_MODE),caps)
	chmod 0750 $(DESTDIR)$(SBINDIR)/nsdump
	setcap $(INSTALL_CAPS) $(DESTDIR)$(SBINDIR)/nsdump
endif

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/nsdump $(DESTDIR)$(MANDIR)/man8/nsdump.8 \
		$(DESTDIR)$(BASHCOMPDIR)/nsdump

# `make deb`: the Debian package (packaging/debian/, dpkg-buildpackage in a copy of the
# tree) into build/deb/.
deb:
	@scripts/mkdeb.sh

# Wireshark's extcap folder: a link to nsdump there makes containers capture interfaces in
# Wireshark and tshark (docs/extcap.md). Debian's Wireshark searches
# /usr/lib/<multiarch>/wireshark/extcap only: with PREFIX=/usr/local, give EXTCAPDIR=that.
MULTIARCH ?= $(shell $(CC) -print-multiarch 2>/dev/null)
EXTCAPDIR ?= $(PREFIX)/lib/$(MULTIARCH)/wireshark/extcap
.PHONY: install-extcap uninstall-extcap
install: install-extcap
uninstall: uninstall-extcap
install-extcap:
	install -d $(DESTDIR)$(EXTCAPDIR)
	ln -sfn $(SBINDIR)/nsdump $(DESTDIR)$(EXTCAPDIR)/nsdump
uninstall-extcap:
	rm -f $(DESTDIR)$(EXTCAPDIR)/nsdump

# `make static`: one static-pie nsdump in build-static/ for a bare host or a FROM-scratch image
# (packaging/container/Containerfile, docs/container.md). Debian ships the static archives of
# every dependency but libmnl: scripts/static-libmnl.sh takes libmnl.a from Debian 13's
# libmnl-dev package (SHA-256 pinned; LIBMNL_SRC=TARBALL|DIR builds a libmnl source
# instead). libdbus-1.a (pulled in by libpcap.a) wants two libsystemd
# functions that no Debian static archive has: src/static/sd_stub.c.
STATIC_LIBS := -lpcap -ldbus-1 -lcap -lseccomp -ljson-c -lz -lpthread
.PHONY: static
static: build-static/nsdump
build-static/libmnl/libmnl.a:
	LIBMNL_SRC='$(LIBMNL_SRC)' scripts/static-libmnl.sh build-static/libmnl $(CC)
build-static/obj/%.o: src/%.c $(wildcard include/nsdump/*.h src/*.h) | build-static/obj
	$(CC) -std=gnu11 $(WARN) $(CFLAGS) -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE \
		-D_GNU_SOURCE -DND_VERSION='"$(VERSION)"' -DND_GROUP='"$(NSDUMP_GROUP)"' -DND_STATIC \
		-Iinclude $(PKG_CFLAGS) -c -o $@ $<
build-static/obj/static/%.o: src/static/%.c | build-static/obj
	mkdir -p $(dir $@) && $(CC) -std=gnu11 $(WARN) $(CFLAGS) -fPIE -c -o $@ $<
build-static/nsdump: $(patsubst src/%.c,build-static/obj/%.o,$(wildcard src/*.c)) \
		build-static/obj/static/sd_stub.o build-static/libmnl/libmnl.a
	$(CC) -static-pie $(LDFLAGS) -Wl,-z,relro,-z,now -o $@ $(filter %.o,$^) \
		-Lbuild-static/libmnl -lmnl $(STATIC_LIBS)
build-static/obj:
	mkdir -p $@

clean:
	rm -rf build build-asan build-clang build-fuzz build-static

help:
	@echo "targets: all check demo install uninstall clean deps asan lint bench unit fuzz static deb"
	@echo "variables: PREFIX=$(PREFIX) DESTDIR= MANDIR=$(MANDIR) BASHCOMPDIR=$(BASHCOMPDIR) EXTCAPDIR=$(EXTCAPDIR) ASAN=1 CC=$(CC) INSTALL_MODE=root|setuid|caps NSDUMP_GROUP=$(NSDUMP_GROUP) SANDBOX_LOG=1 FUZZ_SECONDS=$(FUZZ_SECONDS) LIBMNL_SRC="
