# leakgate: see README.md.  `make` builds build/leakgate, `make test` runs
# every test twice (plain, then under AddressSanitizer + UBSan).

CC ?= cc
PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build
CFLAGS ?= -O2 -g
LDFLAGS ?=
PKGS = libpcre2-8 libgit2 libxxhash yaml-0.1 jansson zlib libhs libdeflate sqlite3 libcrypto
# Compiled against, opened at run time (dlopen) when first needed: see
# scanner/lazylib.h.
DLOPEN_PKGS = libcurl libarchive

WARNINGS = -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wwrite-strings -Wvla -Wformat=2
ifdef WERROR
WARNINGS += -Werror
endif

# Expanded when a recipe runs, after $(BUILD)/.deps has installed packages.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) $(DLOPEN_PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS)) -ldl -lpthread -lm
# The leakgate binary links these libraries statically from the archives
# Debian's -dev packages ship: mapping and relocating some 28 shared objects
# was half of the start-up of a scan of one small file.  Only the system
# libraries and libgit2's GSSAPI (no archive in Debian) stay shared.
# `make LINK=shared` links everything shared, as a distribution package would.
SYSTEM_LIBS = -lrt -ldl -lpthread -lm -lstdc++
ifeq ($(LINK),shared)
BIN_LIBS = $(PKG_LIBS)
else
BIN_LIBS = -Wl,-Bstatic \
	$(filter-out $(SYSTEM_LIBS),$(shell pkg-config --static --libs-only-l $(PKGS))) \
	-Wl,-Bdynamic -l:libgssapi_krb5.so.2 $(shell $(CC) -print-file-name=libstdc++.a) \
	-ldl -lpthread -lm
endif
BIN_LDFLAGS = -Wl,-z,pack-relative-relocs
ALL_CFLAGS = $(WARNINGS) -D_GNU_SOURCE -Iscanner -I$(BUILD) $(PKG_CFLAGS) $(CFLAGS)

SRCS = $(wildcard scanner/*.c)
# The engine and rule code without the generated keyword database: what
# tools/kwdb.c links to make that database.
CORE_OBJS = $(SRCS:scanner/%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/rules_builtin.o
OBJS = $(CORE_OBJS) $(BUILD)/obj/keywords_db.o
LIB_OBJS = $(filter-out $(BUILD)/obj/main.o,$(OBJS))
RULE_FILES = $(sort $(wildcard rules/*.yaml))
TEST_SRCS = $(wildcard tests/*.c)
TEST_OBJS = $(TEST_SRCS:tests/%.c=$(BUILD)/tobj/%.o)

SANITIZE = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined

.PHONY: all test check unit asan tsan bench install clean lint format fuzz deps test-deps scan

all: $(BUILD)/leakgate $(BUILD)/leakgate.1

$(BUILD)/leakgate.1: doc/leakgate.1.scd | $(BUILD)/.deps
	scdoc < $< > $@

deps: $(BUILD)/.deps
$(BUILD)/.deps: tools/deps.sh
	@mkdir -p $(BUILD)
	@sh tools/deps.sh
	@touch $@

test-deps: $(BUILD)/.test-deps
$(BUILD)/.test-deps: tools/deps.sh
	@mkdir -p $(BUILD)
	@sh tools/deps.sh test
	@touch $@

$(BUILD)/embed: tools/embed.c | $(BUILD)/.deps
	$(CC) -O1 -o $@ $<

# The list of rule files, rewritten only when it changes: a removed file
# must rebuild the embedded rules too.
$(BUILD)/rule-files: FORCE
	@mkdir -p $(BUILD)
	@echo $(RULE_FILES) | cmp -s - $@ || echo $(RULE_FILES) > $@

$(BUILD)/rules_builtin.c: $(RULE_FILES) $(BUILD)/rule-files $(BUILD)/embed
	$(BUILD)/embed $@ $(RULE_FILES)

$(BUILD)/obj/rules_builtin.o: $(BUILD)/rules_builtin.c scanner/rules.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Wno-overlength-strings -c -o $@ $<

$(BUILD)/kwdb: tools/kwdb.c $(filter-out $(BUILD)/obj/main.o,$(CORE_OBJS))
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/keywords_db.c: $(BUILD)/kwdb
	$(BUILD)/kwdb $@

$(BUILD)/obj/keywords_db.o: $(BUILD)/keywords_db.c scanner/engine.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/obj/%.o: scanner/%.c $(wildcard scanner/*.h) | $(BUILD)/.deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/leakgate: $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) $(BIN_LDFLAGS) -o $@ $(OBJS) $(BIN_LIBS)

$(BUILD)/tobj/%.o: tests/%.c $(wildcard tests/*.h) $(wildcard scanner/*.h) | $(BUILD)/.test-deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(shell pkg-config --cflags criterion openssl) -c -o $@ $<

$(BUILD)/unit-tests: $(TEST_OBJS) $(LIB_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(TEST_OBJS) $(LIB_OBJS) $(PKG_LIBS) \
		$(shell pkg-config --libs criterion openssl libarchive)

# One pass of the whole suite against the binary in $(BUILD).
check: $(BUILD)/leakgate $(BUILD)/unit-tests
	$(BUILD)/leakgate rules check
	LEAKGATE_BIN=$(abspath $(BUILD)/leakgate) LEAKGATE_ROOT=$(CURDIR) \
		LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
		$(BUILD)/unit-tests --jobs 2

test: $(BUILD)/.test-deps
	$(MAKE) WERROR=1 check
	$(MAKE) WERROR=1 BUILD=build/asan CFLAGS="$(SANITIZE)" \
		LDFLAGS="-fsanitize=address,undefined" check

asan:
	$(MAKE) WERROR=1 BUILD=build/asan CFLAGS="$(SANITIZE)" \
		LDFLAGS="-fsanitize=address,undefined" check

scan: $(BUILD)/leakgate
	$(BUILD)/leakgate scan --respect-gitignore .

# Times leakgate against the floors (git cat-file, rg) and the peers, all in
# one run, and rewrites bench/RESULTS.md; BENCH="history files" picks
# sections (history files staged profile).  See bench/bench.sh.
bench: $(BUILD)/leakgate
	BUILD=$(BUILD) bash bench/bench.sh $(BENCH)

install: $(BUILD)/leakgate $(BUILD)/leakgate.1
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 755 $(BUILD)/leakgate $(DESTDIR)$(PREFIX)/bin/leakgate
	install -m 644 $(BUILD)/leakgate.1 $(DESTDIR)$(PREFIX)/share/man/man1/leakgate.1
	install -m 644 completions/leakgate.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/leakgate
	install -m 644 completions/_leakgate \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_leakgate
	install -m 644 completions/leakgate.fish \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/leakgate.fish

lint:
	clang-tidy $(SRCS) -- $(ALL_CFLAGS)

format:
	clang-format -i scanner/*.c scanner/*.h tests/*.c

clean:
	rm -rf build

# ---- fuzzing ---------------------------------------------------------------
# `make fuzz` builds every fuzz/fuzz_*.c with clang, libFuzzer, ASan and
# UBSan, then runs each for FUZZ_SECONDS from its seeds in
# fixtures/fuzz/<target>/.  New inputs go to build/fuzz/corpus/<target>/,
# crashes to build/fuzz/crash-<target>-*; a crash, a failed check or a
# unit slower than 20 s fails the target.
FUZZ_SECONDS ?= 30
FUZZ_BUILD = build/fuzz
FUZZ_FLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined
FUZZ_TARGETS = $(patsubst fuzz/%.c,%,$(wildcard fuzz/fuzz_*.c))

fuzz:
	@sh tools/deps.sh fuzz
	$(MAKE) WERROR=1 CC=clang BUILD=$(FUZZ_BUILD) \
		CFLAGS="$(FUZZ_FLAGS) -fsanitize=fuzzer-no-link" \
		LDFLAGS="$(FUZZ_FLAGS) -fsanitize=fuzzer-no-link" \
		$(FUZZ_TARGETS:%=$(FUZZ_BUILD)/%)
	@set -e; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_BUILD)/corpus/$$t; \
		dict=; [ ! -f fuzz/$$t.dict ] || dict=-dict=fuzz/$$t.dict; \
		echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
		$(FUZZ_BUILD)/$$t -max_total_time=$(FUZZ_SECONDS) -timeout=20 \
			-print_final_stats=1 -artifact_prefix=$(FUZZ_BUILD)/crash-$$t- \
			$$dict $(FUZZ_BUILD)/corpus/$$t fixtures/fuzz/$$t; \
	done

# Only the targets get libFuzzer's main(); build tools keep their own.
$(BUILD)/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz.h $(LIB_OBJS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -fsanitize=fuzzer -o $@ $< $(LIB_OBJS) \
		$(PKG_LIBS)

# ---- ThreadSanitizer --------------------------------------------------------
# Threaded scans (-j4) under TSan, three times each, of a generated tree
# (`scan`) and of a repository holding it (`history`); any report fails,
# and the findings must equal a one-thread run's.
TSAN_DIR = build/tsan
TSAN_RUN = TSAN_OPTIONS="halt_on_error=1 exitcode=66" $(TSAN_DIR)/leakgate

tsan:
	$(MAKE) WERROR=1 BUILD=$(TSAN_DIR) CFLAGS="-O1 -g -fsanitize=thread" \
		LDFLAGS="-fsanitize=thread" $(TSAN_DIR)/leakgate
	rm -rf $(TSAN_DIR)/tree $(TSAN_DIR)/repo
	sh fuzz/gen-tree.sh $(TSAN_DIR)/tree 3000
	cp -r $(TSAN_DIR)/tree $(TSAN_DIR)/repo
	cd $(TSAN_DIR)/repo && git init -q . && git add -A && \
		git -c user.name=tsan -c user.email=tsan@example.com \
		-c commit.gpgsign=false commit -q --no-verify -m tree
	@set -e; for cmd in "scan --no-ignore $(TSAN_DIR)/tree" \
			   "history --repo $(TSAN_DIR)/repo"; do \
		st=0; $(TSAN_RUN) $$cmd -q -j1 > $(TSAN_DIR)/j1.txt || st=$$?; \
		[ $$st = 1 ] || { echo "tsan: $$cmd -j1 exited $$st" >&2; exit 1; }; \
		for i in 1 2 3; do \
			st=0; $(TSAN_RUN) $$cmd -q -j4 > $(TSAN_DIR)/j4.txt || st=$$?; \
			[ $$st = 1 ] || { echo "tsan: $$cmd -j4 exited $$st" >&2; exit 1; }; \
			cmp $(TSAN_DIR)/j1.txt $(TSAN_DIR)/j4.txt; \
		done; \
		echo "tsan: $${cmd%% *}: no reports, -j4 matches -j1"; \
	done

FORCE:
