# leakgate: see README.md.  `make` builds build/leakgate, `make test` runs
# every test twice (plain, then under AddressSanitizer + UBSan).

CC ?= cc
PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build
CFLAGS ?= -O2 -g
LDFLAGS ?=
PKGS = libpcre2-8 libgit2 libxxhash yaml-0.1 jansson zlib libhs

WARNINGS = -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wwrite-strings -Wvla -Wformat=2
ifdef WERROR
WARNINGS += -Werror
endif

# Expanded when a recipe runs, after $(BUILD)/.deps has installed packages.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS)) -lpthread -lm
ALL_CFLAGS = $(WARNINGS) -D_GNU_SOURCE -Iscanner -I$(BUILD) $(PKG_CFLAGS) $(CFLAGS)

SRCS = $(wildcard scanner/*.c)
OBJS = $(SRCS:scanner/%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/rules_builtin.o
LIB_OBJS = $(filter-out $(BUILD)/obj/main.o,$(OBJS))
RULE_FILES = $(sort $(wildcard rules/*.yaml))
TEST_SRCS = $(wildcard tests/*.c)
TEST_OBJS = $(TEST_SRCS:tests/%.c=$(BUILD)/tobj/%.o)

SANITIZE = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined

.PHONY: all test check unit asan tsan bench install clean lint format fuzz deps test-deps scan

all: $(BUILD)/leakgate

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

$(BUILD)/rules_builtin.c: $(RULE_FILES) $(BUILD)/embed
	$(BUILD)/embed $@ $(RULE_FILES)

$(BUILD)/obj/rules_builtin.o: $(BUILD)/rules_builtin.c scanner/rules.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Wno-overlength-strings -c -o $@ $<

$(BUILD)/obj/%.o: scanner/%.c $(wildcard scanner/*.h) | $(BUILD)/.deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/leakgate: $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(PKG_LIBS)

$(BUILD)/tobj/%.o: tests/%.c $(wildcard tests/*.h) $(wildcard scanner/*.h) | $(BUILD)/.test-deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(shell pkg-config --cflags criterion) -c -o $@ $<

$(BUILD)/unit-tests: $(TEST_OBJS) $(LIB_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(TEST_OBJS) $(LIB_OBJS) $(PKG_LIBS) \
		$(shell pkg-config --libs criterion)

# One pass of the whole suite against the binary in $(BUILD).
check: $(BUILD)/leakgate $(BUILD)/unit-tests
	$(BUILD)/leakgate rules check
	LEAKGATE_BIN=$(abspath $(BUILD)/leakgate) LEAKGATE_ROOT=$(CURDIR) \
		$(BUILD)/unit-tests --jobs 2

test: $(BUILD)/.test-deps
	$(MAKE) WERROR=1 check
	$(MAKE) WERROR=1 BUILD=build/asan CFLAGS="$(SANITIZE)" \
		LDFLAGS="-fsanitize=address,undefined" check

asan:
	$(MAKE) WERROR=1 BUILD=build/asan CFLAGS="$(SANITIZE)" \
		LDFLAGS="-fsanitize=address,undefined" check

scan: $(BUILD)/leakgate
	$(BUILD)/leakgate scan .

install: $(BUILD)/leakgate
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(BUILD)/leakgate $(DESTDIR)$(PREFIX)/bin/leakgate

lint:
	clang-tidy $(SRCS) -- $(ALL_CFLAGS)

format:
	clang-format -i scanner/*.c scanner/*.h tests/*.c

clean:
	rm -rf build
