# ipsfc -- one entry point: build, test, demo, bench, fuzz, install.
#
#   make            build build/ipsfc (the tool), build/libipsf.a (runtime)
#   make deps       install the Debian packages the build needs, if missing
#   make demo       evaluate the bundled example pack against its devices
#   make test       unit tests (Criterion), golden end-to-end tests, the docs'
#                   examples, fmt, and docs/bytecode.md against runtime/opcodes.h
#   make test SANITIZE=1   the same under AddressSanitizer + UBSan
#   make install    PREFIX=/usr/local
#
# SANITIZE=1 builds into build/san so both builds can coexist.

CC      ?= cc
PREFIX  ?= /usr/local
SANITIZE ?= 0
FUZZ    ?= 0
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60

ifeq ($(FUZZ),1)
# The libFuzzer build (make fuzz): clang, ASan + UBSan, coverage for libFuzzer.
CC      := $(FUZZ_CC)
BUILD   := build/fuzz
SANFLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
            -fno-omit-frame-pointer
OPT     := -O1
CFLAGS  += -Wno-error
else ifeq ($(ALLOC),1)
# The allocation-failure build (make alloc-test): ASan + UBSan, and every
# allocation of our code through tests/alloc/failalloc.c.
BUILD   := build/alloc
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT     := -O1
ALLOC_LDFLAGS := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,--wrap=strndup
else ifeq ($(SANITIZE),1)
BUILD   := build/san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT     := -O1
else
BUILD   := build
SANFLAGS :=
OPT     := -O2
endif

PKGS     := jansson yaml-0.1 libsodium libffi
DEB_PKGS := flex bison libffi-dev libcriterion-dev libjansson-dev libyaml-dev \
            libsodium-dev pkg-config python3-jsonschema python3-yaml \
            python3-cffi python3-pytest python3-dask python3-distributed python3-dev \
            chromium chromium-driver python3-selenium neovim

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wvla -Wformat=2
CFLAGS  ?=
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g $(OPT) $(SANFLAGS) \
             -Iinclude -Iruntime -Icompiler -I$(BUILD)/gen $(PKG_CFLAGS) $(CFLAGS)
# Generated scanner and parser: our warnings minus those flex/bison trip.
GEN_CFLAGS = $(ALL_CFLAGS) -Wall -Wno-unused-function -Wno-unused-parameter \
             -Wno-sign-compare -Wno-unused-but-set-variable
LDFLAGS ?=
LIBS     = $(PKG_LIBS) -ldl -lm -pthread

RUNTIME_SRC  := $(sort $(wildcard runtime/*.c))
COMPILER_SRC := $(sort $(wildcard compiler/*.c))
CLI_SRC      := $(sort $(wildcard cli/*.c))
STDLIB_SRC   := $(sort $(wildcard stdlib/*.ipsf))
UNIT_SRC     := $(sort $(wildcard tests/unit/*.c))

RUNTIME_OBJ  := $(RUNTIME_SRC:%.c=$(BUILD)/%.o)
COMPILER_OBJ := $(COMPILER_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/parser.o \
                $(BUILD)/gen/lexer.o $(BUILD)/gen/stdlib.o
CLI_OBJ      := $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_OBJ     := $(UNIT_SRC:%.c=$(BUILD)/%.o)

IPSFC := $(BUILD)/ipsfc

.PHONY: all shared python python-test deps demo test unit golden natives bench-native clean install bench bench-analyze fuzz fuzz-deps fuzz-build fuzz-seeds alloc-test valgrind
.PHONY: guidelines browser-test-doc
all: $(IPSFC)

# ---- dependencies ----------------------------------------------------------
deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

# ---- generated sources -----------------------------------------------------
$(BUILD)/gen/parser.c $(BUILD)/gen/parser.h &: grammar/parser.y | $(BUILD)/gen
	bison -Wall -Werror --defines=$(BUILD)/gen/parser.h -o $(BUILD)/gen/parser.c $<

$(BUILD)/gen/lexer.c $(BUILD)/gen/lexer.h &: grammar/lexer.l | $(BUILD)/gen
	flex --header-file=$(BUILD)/gen/lexer.h -o $(BUILD)/gen/lexer.c $<

$(BUILD)/gen/embed: tools/embed.c | $(BUILD)/gen
	$(CC) -std=c11 -O1 -Wall -Wextra -Werror -o $@ $<

$(BUILD)/gen/stdlib.c: $(BUILD)/gen/embed $(STDLIB_SRC)
	$(BUILD)/gen/embed $(STDLIB_SRC) > $@

# The generated objects track the headers they include (compiler/ast.h...)
# like ours do: -MMD -MP, and their .d files are included below.
GEN_OBJ := $(BUILD)/gen/parser.o $(BUILD)/gen/lexer.o $(BUILD)/gen/stdlib.o
$(BUILD)/gen/parser.o: $(BUILD)/gen/parser.c $(BUILD)/gen/lexer.h
	$(CC) $(GEN_CFLAGS) -MMD -MP -c -o $@ $<
$(BUILD)/gen/lexer.o: $(BUILD)/gen/lexer.c $(BUILD)/gen/parser.h
	$(CC) $(GEN_CFLAGS) -MMD -MP -c -o $@ $<
$(BUILD)/gen/stdlib.o: $(BUILD)/gen/stdlib.c
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/gen:
	mkdir -p $@

# ---- our objects -----------------------------------------------------------
$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(WARN) -MMD -MP -c -o $@ $<

# The compiler's objects include the generated parser header.
$(COMPILER_SRC:%.c=$(BUILD)/%.o) $(UNIT_OBJ): $(BUILD)/gen/parser.h $(BUILD)/gen/lexer.h

$(BUILD)/libipsf.a: $(RUNTIME_OBJ)
	rm -f $@; ar rcs $@ $^
$(BUILD)/libipsfc.a: $(COMPILER_OBJ)
	rm -f $@; ar rcs $@ $^

ALLOC_OBJ := $(if $(filter 1,$(ALLOC)),$(BUILD)/tests/alloc/failalloc.o)
$(IPSFC): $(CLI_OBJ) $(BUILD)/libipsfc.a $(BUILD)/libipsf.a $(ALLOC_OBJ)
	$(CC) $(SANFLAGS) $(LDFLAGS) $(ALLOC_LDFLAGS) -o $@ $(CLI_OBJ) $(ALLOC_OBJ) \
	  $(BUILD)/libipsfc.a $(BUILD)/libipsf.a $(LIBS)

# ---- native libraries (docs/natives.md) --------------------------------------
# The example's CVSS library and the tests' misbehaving one: plain -fPIC
# -shared objects, never sanitized (they stand for third-party code).
NATIVE_LIBS := $(BUILD)/examples/natives/libcvss.so $(BUILD)/tests/native/libipsftest.so
NATIVE_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -g -O2 -fPIC -shared $(WARN)

$(BUILD)/examples/natives/libcvss.so: examples/natives/cvss.c
	@mkdir -p $(dir $@)
	$(CC) $(NATIVE_CFLAGS) -o $@ $< -lm
$(BUILD)/tests/native/libipsftest.so: tests/native/testlib.c
	@mkdir -p $(dir $@)
	$(CC) $(NATIVE_CFLAGS) -o $@ $< -lm

natives: $(NATIVE_LIBS)

# tests/unit/test_native.c finds them here.
$(BUILD)/tests/unit/test_native.o: ALL_CFLAGS += -DIPSF_TEST_NATIVE_DIR='"$(abspath $(BUILD))"'

# ---- tests -----------------------------------------------------------------
$(BUILD)/unit_tests: $(UNIT_OBJ) $(BUILD)/libipsfc.a $(BUILD)/libipsf.a
	$(CC) $(SANFLAGS) $(LDFLAGS) -o $@ $(UNIT_OBJ) $(BUILD)/libipsfc.a $(BUILD)/libipsf.a \
	  $(LIBS) -lcriterion

# The reproducers of the security review (tests/security/run.sh): packs
# the compiler never emits, built with the unit tests' pack_builder.
MKREPRO := $(BUILD)/tests/security/mkrepro
$(BUILD)/tests/security/mkrepro.o: ALL_CFLAGS += -Itests/unit
$(MKREPRO): $(BUILD)/tests/security/mkrepro.o $(BUILD)/tests/unit/pack_builder.o $(BUILD)/libipsf.a
	$(CC) $(SANFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

unit: deps
	$(MAKE) $(BUILD)/unit_tests $(NATIVE_LIBS)
	$(BUILD)/unit_tests --jobs 2 --short-filename

golden: deps
	$(MAKE) $(IPSFC) $(NATIVE_LIBS)
	IPSFC=$(abspath $(IPSFC)) sh tests/golden/run.sh

test: deps
	$(MAKE) $(IPSFC) $(BUILD)/unit_tests $(NATIVE_LIBS) $(MKREPRO) $(BUILD)/libipsf.so
	$(BUILD)/unit_tests --jobs 2 --short-filename
	IPSFC=$(abspath $(IPSFC)) sh tests/golden/run.sh
	IPSFC=$(abspath $(IPSFC)) MKREPRO=$(abspath $(MKREPRO)) sh tests/security/run.sh
	IPSFC=$(abspath $(IPSFC)) /usr/bin/python3 tests/schema/run.py
	sh tests/embed/run.sh
	$(if $(filter 1,$(SANITIZE)),,$(MAKE) python-test)
	IPSFC=$(abspath $(IPSFC)) sh tests/docs/check_examples.sh
	IPSFC=$(abspath $(IPSFC)) sh tests/docs/tutorial.sh
	IPSFC=$(abspath $(IPSFC)) sh tests/framework/run.sh
	IPSFC=$(abspath $(IPSFC)) sh tests/examples/run.sh
	IPSFC=$(abspath $(IPSFC)) sh tests/fmt/check_all.sh
	IPSFC=$(abspath $(IPSFC)) sh tests/fuzz/check_seeds.sh
	IPSFC=$(abspath $(IPSFC)) sh tests/cli/run.sh
	IPSFC=$(abspath $(IPSFC)) /usr/bin/python3 tests/diff/property.py
	$(MAKE) guidelines browser-test
	IPSFC=$(abspath $(IPSFC)) /usr/bin/python3 tests/lsp/run.py
	IPSFC=$(abspath $(IPSFC)) sh tests/lsp/nvim.sh
	/usr/bin/python3 editors/test_textmate.py
	$(IPSFC) fmt --check $$(find examples stdlib -name '*.ipsf' | sort)
	sh tools/gen_bytecode_doc.sh --check

# The pages people read, in a real browser (headless Chromium through
# chromedriver, Debian's python3-selenium): the guideline of `ipsfc doc`
# and the fleet page of `ipsfc report`, DOM checks, no console error, a
# screenshot each (docs/img/doc.png, docs/img/report.png).
.PHONY: browser-test browser-test-report
browser-test: browser-test-doc browser-test-report

# The page of `ipsfc report` (tests/browser/test_report.py): the cells,
# their counts and the tables against --format json, sorting and filtering
# by clicks.
browser-test-report: deps
	$(MAKE) $(IPSFC)
	IPSFC=$(abspath $(IPSFC)) /usr/bin/python3 tests/browser/test_report.py

# ---- guidelines (ipsfc doc, docs/cli.md) -------------------------------------
# Every example's guideline, generated from its pack and never committed:
# $(BUILD)/guidelines/<example>.html and .md, with the example's device
# sheets placed (not the bad-* ones, which exist to be refused), each
# checked to draw the nine cells of the matrix and a point per device; then
# what each cell requires is checked against `eval` of every example sheet
# (tests/golden/doc/check_cells.py: no record may contradict it).
guidelines: $(IPSFC) $(NATIVE_LIBS)
	@mkdir -p $(BUILD)/guidelines
	@set -e; for p in examples/*/pack.ipsf; do \
	  e=$$(basename $$(dirname $$p)); out=$(BUILD)/guidelines/$$e; \
	  sheets=$$(ls examples/$$e/devices/* 2>/dev/null | grep -v '/bad-' || true); \
	  native=""; [ $$e != natives ] || native="--allow-native $(abspath $(BUILD))/examples/natives/libcvss.so"; \
	  $(IPSFC) doc $$p $$native -o $$out.html $${sheets:+--devices $$sheets}; \
	  $(IPSFC) doc $$p $$native --format markdown -o $$out.md $${sheets:+--devices $$sheets}; \
	  cells=$$(grep -c '^<g class="cell"' $$out.html); \
	  points=$$(grep -c '^<g class="device"' $$out.html || true); \
	  rows=$$(sed -n '/id="devices-table"/,/<\/table>/p' $$out.html | grep -c '^<tr><td>' || true); \
	  [ "$$cells" = 9 ] || { echo "guidelines: $$e: $$cells cells, not 9"; exit 1; }; \
	  [ "$$points" = "$$rows" ] && [ "$$points" -gt 0 ] || \
	    { echo "guidelines: $$e: $$points device points, $$rows devices"; exit 1; }; \
	  echo "guidelines: $$out.html, .md: 9 cells, $$points devices"; \
	done
	IPSFC=$(abspath $(IPSFC)) /usr/bin/python3 tests/golden/doc/check_cells.py \
	  $(patsubst examples/%/pack.ipsf,%,$(wildcard examples/*/pack.ipsf))

# The guideline in a real browser (headless Chromium through chromedriver,
# Debian's python3-selenium): DOM checks and a screenshot in build/browser/.
browser-test-doc: $(IPSFC)
	IPSFC=$(abspath $(IPSFC)) /usr/bin/python3 tests/browser/test_doc.py
	IPSFC=$(abspath $(IPSFC)) /usr/bin/python3 tests/browser/test_doc.py --example healthcare --profiles-only

# ---- demo ------------------------------------------------------------------
demo: deps
	$(MAKE) $(IPSFC)
	$(IPSFC) eval examples/smart-home/pack.ipsf examples/smart-home/devices/*

# The example and the golden suite under valgrind: no leak, no invalid
# access (CI runs this).
valgrind: $(IPSFC) $(NATIVE_LIBS)
	valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect \
	  $(IPSFC) eval --explain --format json examples/smart-home/pack.ipsf \
	  examples/smart-home/devices/* >/dev/null
	IPSFC=$(abspath tools/valgrind-ipsfc.sh) IPSFC_REAL=$(abspath $(IPSFC)) sh tests/golden/run.sh

# ---- the runtime as a shared library (docs/embedding.md) --------------------
# Its own position-independent objects (the static library and the CLI keep
# theirs), and a version script made from include/ipsf.h: the .so exports
# exactly the functions the public header declares, nothing internal.
SO_VERSION := 0.1.0
SONAME     := libipsf.so.0
PIC_OBJ    := $(RUNTIME_SRC:%.c=$(BUILD)/pic/%.o)
$(BUILD)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(WARN) -fPIC -MMD -MP -c -o $@ $<
$(BUILD)/ipsf.map: include/ipsf.h
	@mkdir -p $(dir $@)
	{ echo '{ global:'; grep -o '\bipsf_[a-z0-9_]*(' $< | tr -d '(' | sort -u | sed 's/$$/;/'; \
	  echo 'local: *; };'; } > $@
$(BUILD)/libipsf.so: $(PIC_OBJ) $(BUILD)/ipsf.map
	$(CC) -shared $(SANFLAGS) $(LDFLAGS) -Wl,-soname,$(SONAME) \
	  -Wl,--version-script=$(BUILD)/ipsf.map -o $@ $(PIC_OBJ) $(LIBS)
shared: $(BUILD)/libipsf.so

# The Python package (python/, docs/python.md) on the plain shared library
# (a sanitized one cannot be loaded into an uninstrumented interpreter), its
# pytest suite with the two Dask cluster tests.  Debian's interpreter: the
# python3 on PATH may be another one that cannot see Debian's packages.
PYTHON ?= /usr/bin/python3
# The record decoder (python/ipsf/_records.c): CPython's headers only, no
# libipsf header; evaluated lazily, so make without python3-dev still runs.
PY_INCLUDE = $(shell $(PYTHON) -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
PY_EXT_SUFFIX = $(shell $(PYTHON) -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')
PY_RECORDS = python/ipsf/_records$(PY_EXT_SUFFIX)
python: build/libipsf.so
	cp build/libipsf.so python/ipsf/libipsf.so.0
	$(MAKE) --no-print-directory $(PY_RECORDS)
python/ipsf/_records%.so: python/ipsf/_records.c
	$(CC) -std=c11 -O2 -g -shared -fPIC $(WARN) -Wno-missing-prototypes -I$(PY_INCLUDE) -o $@ $<
python-test: deps
	$(MAKE) SANITIZE=0 build/ipsfc python $(NATIVE_LIBS:$(BUILD)/%=build/%)
	IPSF_LIBRARY=$(abspath build/libipsf.so) IPSFC=$(abspath build/ipsfc) PYTHONPATH=python \
	  $(PYTHON) -m pytest -q -p no:cacheprovider python/tests

install: $(IPSFC) $(BUILD)/libipsf.so
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 755 $(IPSFC) $(DESTDIR)$(PREFIX)/bin/ipsfc
	install -m 644 docs/ipsfc.1 $(DESTDIR)$(PREFIX)/share/man/man1/ipsfc.1
	install -m 644 include/ipsf.h $(DESTDIR)$(PREFIX)/include/ipsf.h
	install -d $(DESTDIR)$(PREFIX)/share/doc/ipsf
	install -m 644 docs/embedding.md docs/sheets.md docs/security.md docs/natives.md \
	  docs/limits.md $(DESTDIR)$(PREFIX)/share/doc/ipsf/
	install -m 644 $(BUILD)/libipsf.a $(DESTDIR)$(PREFIX)/lib/libipsf.a
	install -m 755 $(BUILD)/libipsf.so $(DESTDIR)$(PREFIX)/lib/libipsf.so.$(SO_VERSION)
	ln -sf libipsf.so.$(SO_VERSION) $(DESTDIR)$(PREFIX)/lib/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(PREFIX)/lib/libipsf.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(SO_VERSION)|' \
	  -e 's|@REQUIRES@|$(PKGS)|' ipsf.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/ipsf.pc

# The benchmark against peer engines (bench/run.sh, docs/performance.md):
# never part of `make test`.  BENCH_N sheets (default 1000000).
BENCH_N ?= 1000000
bench: $(IPSFC) bench-analyze
	sh bench/run.sh $(BENCH_N)

# The cost of a native call against a built-in (bench/native_call.c,
# docs/performance.md "Natives").
$(BUILD)/bench/native_call: bench/native_call.c $(BUILD)/libipsfc.a $(BUILD)/libipsf.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(WARN) $(SANFLAGS) -o $@ $< $(BUILD)/libipsfc.a $(BUILD)/libipsf.a $(LIBS)
bench-native: $(BUILD)/bench/native_call $(NATIVE_LIBS)
	$(BUILD)/bench/native_call $(abspath $(BUILD))

# Static analysis time on generated packs of 10 to 10,000 rules
# (bench/analyze/, docs/performance.md "Analysis").
bench-analyze: $(IPSFC)
	IPSFC=$(abspath $(IPSFC)) sh bench/analyze/run.sh

# ---- allocation failure ------------------------------------------------------
#   make alloc-test [ALLOC_STEP=1]
# every allocation of compile, check, test, load and eval of the example
# fails in turn
# (tests/alloc/run.sh); each run must end cleanly, without a sanitizer report.
ALLOC_STEP ?= 1
alloc-test: deps
	$(MAKE) ALLOC=1 build/alloc/ipsfc
	IPSFC=$(abspath build/alloc/ipsfc) sh tests/alloc/run.sh $(ALLOC_STEP)

# ---- fuzzing (tests/fuzz/README.md) ------------------------------------------
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="source ipsb vm sheet sheet_diff key lsp runner"]
# builds build/fuzz/fuzz_<target> with clang + libFuzzer + ASan/UBSan and runs
# each for FUZZ_SECONDS, seeded from tests/fuzz/corpus/<target> and replaying
# tests/fuzz/regressions/<target>; the corpus grows in
# build/fuzz/corpus/<target>, a crash lands in build/fuzz/ and fails.
FUZZ_TARGETS ?= source ipsb vm sheet sheet_diff key lsp runner
FUZZ_DEB_PKGS := clang libclang-rt-14-dev
FUZZ_BINS = $(FUZZ_TARGETS:%=build/fuzz/fuzz_%)

fuzz-deps: deps
	@{ command -v $(FUZZ_CC) >/dev/null 2>&1 && \
	   echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' | \
	   $(FUZZ_CC) -fsanitize=fuzzer -x c -o /dev/null - 2>/dev/null; } || { \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(FUZZ_DEB_PKGS); }

fuzz-build: fuzz-deps
	$(MAKE) FUZZ=1 $(FUZZ_BINS)

fuzz: fuzz-build
	@set -e; for t in $(FUZZ_TARGETS); do \
	  mkdir -p build/fuzz/corpus/$$t; \
	  echo "fuzz_$$t: $(FUZZ_SECONDS) s"; \
	  build/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	    -max_len=65536 -print_final_stats=1 -artifact_prefix=build/fuzz/crash-$$t- \
	    build/fuzz/corpus/$$t tests/fuzz/corpus/$$t $$(ls -d tests/fuzz/regressions/$$t 2>/dev/null) 2>build/fuzz/fuzz_$$t.log || \
	    { tail -60 build/fuzz/fuzz_$$t.log; echo "fuzz_$$t: FOUND A CRASH (see build/fuzz/)"; exit 1; }; \
	  grep -E '^stat::number_of_executed_units|^Done' build/fuzz/fuzz_$$t.log | tr '\n' ' '; echo; \
	done

build/fuzz/tests/fuzz/%.o: tests/fuzz/%.c $(BUILD)/gen/parser.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -Itests/unit -DIPSF_FUZZ_PACK='"$(abspath examples/smart-home/pack.ipsf)"' \
	  -DIPSF_FUZZ_PROFILES_PACK='"$(abspath examples/healthcare/pack.ipsf)"' -c -o $@ $<

# fuzz_vm builds its packs with the unit tests' pack builder.
build/fuzz/fuzz_vm: build/fuzz/tests/fuzz/fuzz_vm.o build/fuzz/tests/unit/pack_builder.o \
                    $(BUILD)/libipsfc.a $(BUILD)/libipsf.a
	$(CC) -fsanitize=fuzzer,address,undefined $(LDFLAGS) -o $@ $(filter %.o,$^) \
	  $(BUILD)/libipsfc.a $(BUILD)/libipsf.a $(LIBS)

build/fuzz/fuzz_%: build/fuzz/tests/fuzz/fuzz_%.o $(BUILD)/libipsfc.a $(BUILD)/libipsf.a
	$(CC) -fsanitize=fuzzer,address,undefined $(LDFLAGS) -o $@ $< $(BUILD)/libipsfc.a \
	  $(BUILD)/libipsf.a $(LIBS)

# The hand-crafted edge-case seeds of fuzz_ipsb (tests/fuzz/seeds.c; the
# files are committed, this rebuilds them).
$(BUILD)/tests/fuzz/seeds: tests/fuzz/seeds.c $(BUILD)/tests/unit/pack_builder.o $(BUILD)/libipsf.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(WARN) -Itests/unit -o $@ $< $(BUILD)/tests/unit/pack_builder.o \
	  $(BUILD)/libipsf.a $(LIBS)
fuzz-seeds: $(BUILD)/tests/fuzz/seeds $(IPSFC)
	d=$$(mktemp -d) && $(IPSFC) compile tests/golden/lang/policy-unique/pack.ipsf -o $$d/u.ipsb && \
	  $(BUILD)/tests/fuzz/seeds tests/fuzz/corpus/ipsb $$d/u.ipsb; s=$$?; rm -rf $$d; exit $$s

# ---- the playground: compiler + VM in WebAssembly (docs/playground.md) -------
#   make wasm        build/web/: a static site (index.html, the wasm, JS glue)
#   make wasm-test   the records under Node against the native CLI's, byte for
#                    byte, and the page in headless Chromium (tests/wasm/)
#   make playground  serve build/web on http://127.0.0.1:8018/
# Emscripten (Debian's, 3.1.6) compiles the same sources as the CLI: runtime/,
# compiler/, cli/ (but main.c) and web/ipsfc_web.c.  jansson, libyaml and
# libsodium are built for wasm from Debian's own source packages (apt-get
# source through a private sources list, never another download); libffi is
# replaced by web/shim/ffi.h (built-ins only: no library loads in a browser).
WASM_DEB_PKGS := emscripten node-acorn dpkg-dev chromium chromium-driver python3-selenium
WASM_DIR := build/wasm
WEB_DIR  := build/web
EMENV    := NODE_PATH=/usr/share/nodejs
WASM_SRC_PKGS := jansson libyaml libsodium
WASM_LIBS := $(WASM_DIR)/lib/libjansson.a $(WASM_DIR)/lib/libyaml.a $(WASM_DIR)/lib/libsodium.a
WASM_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -Iweb/shim -Iinclude \
              -Iruntime -Icompiler -Icli -I$(BUILD)/gen -I$(WASM_DIR)/include
WASM_OWN_SRC := $(filter-out cli/main.c,$(RUNTIME_SRC) $(COMPILER_SRC) $(CLI_SRC)) web/ipsfc_web.c
WASM_OBJ := $(WASM_OWN_SRC:%.c=$(WASM_DIR)/obj/%.o) \
            $(addprefix $(WASM_DIR)/obj/gen/,parser.o lexer.o stdlib.o)
WASM_LDFLAGS := -O2 -sALLOW_MEMORY_GROWTH=1 -sINITIAL_MEMORY=67108864 -sTOTAL_STACK=8388608 \
  -sMODULARIZE=1 -sEXPORT_NAME=createIpsfc -sFORCE_FILESYSTEM=1 \
  -sEXPORTED_FUNCTIONS=_main,_ipsfw_run,_ipsfw_run_discard,_ipsfw_free,_malloc,_free \
  -sEXPORTED_RUNTIME_METHODS=FS,stringToUTF8,lengthBytesUTF8,UTF8ToString
WEB_FILES := index.html app.js worker.js style.css ipsfc_api.js

.PHONY: wasm wasm-deps wasm-test playground
wasm-deps:
	@missing=""; for p in $(WASM_DEB_PKGS); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

# Debian's source packages of the libraries, for the suite this machine runs
# (apt checks the files against the signed Sources index: hence --no-check).
$(WASM_DIR)/src/.unpacked:
	@mkdir -p $(WASM_DIR)/apt/lists/partial $(WASM_DIR)/dl $(WASM_DIR)/src
	. /etc/os-release; k=/usr/share/keyrings/debian-archive-keyring.gpg; \
	  { echo "deb-src [signed-by=$$k] http://deb.debian.org/debian $$VERSION_CODENAME main"; \
	    echo "deb-src [signed-by=$$k] http://deb.debian.org/debian $$VERSION_CODENAME-updates main"; \
	    echo "deb-src [signed-by=$$k] http://deb.debian.org/debian-security $$VERSION_CODENAME-security main"; \
	  } > $(WASM_DIR)/apt/sources.list
	APT="-o Dir::Etc::SourceList=$(abspath $(WASM_DIR))/apt/sources.list -o Dir::Etc::SourceParts=/dev/null \
	  -o Dir::State::Lists=$(abspath $(WASM_DIR))/apt/lists -o Dir::Cache=$(abspath $(WASM_DIR))/apt"; \
	  apt-get $$APT update -qq && cd $(WASM_DIR)/dl && apt-get $$APT source --download-only -qq $(WASM_SRC_PKGS)
	for p in $(WASM_SRC_PKGS); do rm -rf $(WASM_DIR)/src/$$p; \
	  dpkg-source --no-check -x $$(ls $(WASM_DIR)/dl/$${p}_*.dsc | tail -1) $(WASM_DIR)/src/$$p >/dev/null || exit 1; done
	touch $@

$(WASM_DIR)/lib/libjansson.a: $(WASM_DIR)/src/.unpacked
	@mkdir -p $(WASM_DIR)/include $(WASM_DIR)/obj/jansson $(dir $@)
	s=$(WASM_DIR)/src/jansson/src; \
	sed -e 's/@json_inline@/inline/' -e 's/@json_have_long_long@/1/' -e 's/@json_have_localeconv@/1/' \
	  -e 's/@json_have_atomic_builtins@/1/' -e 's/@json_have_sync_builtins@/1/' \
	  $$s/jansson_config.h.in > $(WASM_DIR)/include/jansson_config.h && cp $$s/jansson.h $(WASM_DIR)/include/ && \
	for h in STDINT_H UNISTD_H SYS_TYPES_H SYS_STAT_H SYS_TIME_H FCNTL_H GETTIMEOFDAY; do \
	  echo "#define HAVE_$$h 1"; done > $(WASM_DIR)/include/jansson_private_config.h && \
	for f in $$s/*.c; do $(EMENV) emcc -O2 -DHAVE_CONFIG_H=1 -I$(WASM_DIR)/include -c $$f -o $(WASM_DIR)/obj/jansson/$$(basename $$f .c).o || exit 1; done
	rm -f $@; $(EMENV) emar rcs $@ $(WASM_DIR)/obj/jansson/*.o

$(WASM_DIR)/lib/libyaml.a: $(WASM_DIR)/src/.unpacked
	@mkdir -p $(WASM_DIR)/include $(WASM_DIR)/obj/yaml $(dir $@)
	s=$(WASM_DIR)/src/libyaml; cp $$s/include/yaml.h $(WASM_DIR)/include/ && \
	for f in $$s/src/*.c; do $(EMENV) emcc -O2 -I$$s/include -DYAML_VERSION_MAJOR=0 \
	  -DYAML_VERSION_MINOR=2 -DYAML_VERSION_PATCH=5 '-DYAML_VERSION_STRING="0.2.5"' \
	  -c $$f -o $(WASM_DIR)/obj/yaml/$$(basename $$f .c).o || exit 1; done
	rm -f $@; $(EMENV) emar rcs $@ $(WASM_DIR)/obj/yaml/*.o

# libsodium: every source file; those for other CPUs compile to nothing.
$(WASM_DIR)/lib/libsodium.a: $(WASM_DIR)/src/.unpacked
	@mkdir -p $(WASM_DIR)/include $(WASM_DIR)/obj/sodium $(dir $@)
	s=$(WASM_DIR)/src/libsodium/src/libsodium; cp -r $$s/include/sodium.h $$s/include/sodium $(WASM_DIR)/include/ && \
	v=$$(sed -n 's/^AC_INIT(\[libsodium\],\[\([0-9.]*\)\].*/\1/p' $(WASM_DIR)/src/libsodium/configure.ac); \
	maj=$$(sed -n 's/^SODIUM_LIBRARY_VERSION_MAJOR=//p' $(WASM_DIR)/src/libsodium/configure.ac); \
	min=$$(sed -n 's/^SODIUM_LIBRARY_VERSION_MINOR=//p' $(WASM_DIR)/src/libsodium/configure.ac); \
	sed -e "s/@VERSION@/$$v/" -e "s/@SODIUM_LIBRARY_VERSION_MAJOR@/$$maj/" \
	  -e "s/@SODIUM_LIBRARY_VERSION_MINOR@/$$min/" -e 's/@SODIUM_LIBRARY_MINIMAL_DEF@//' \
	  $$s/include/sodium/version.h.in > $(WASM_DIR)/include/sodium/version.h && \
	for f in $$(find $$s -name '*.c' | sort); do $(EMENV) emcc -O2 -DCONFIGURED=1 -DNATIVE_LITTLE_ENDIAN=1 \
	  -I$(WASM_DIR)/include/sodium -I$(WASM_DIR)/include -c $$f \
	  -o $(WASM_DIR)/obj/sodium/$$(echo $${f#$$s/} | tr / _ | sed 's/\.c$$/.o/') || exit 1; done
	rm -f $@; $(EMENV) emar rcs $@ $(WASM_DIR)/obj/sodium/*.o

$(WASM_DIR)/obj/%.o: %.c $(WASM_LIBS) $(BUILD)/gen/parser.h $(BUILD)/gen/lexer.h
	@mkdir -p $(dir $@)
	$(EMENV) emcc $(WASM_CFLAGS) $(WARN) -MMD -MP -c -o $@ $<
$(WASM_DIR)/obj/gen/%.o: $(BUILD)/gen/%.c $(WASM_LIBS) $(BUILD)/gen/parser.h $(BUILD)/gen/lexer.h
	@mkdir -p $(dir $@)
	$(EMENV) emcc $(WASM_CFLAGS) -Wall -Wno-unused-function -Wno-unused-parameter -Wno-sign-compare \
	  -Wno-unused-but-set-variable -c -o $@ $<

# The site's module (ipsfc.js + ipsfc.wasm) and the one-file module Node
# runs (the 3.1.6 runtime cannot read a separate .wasm under Node 20).
$(WEB_DIR)/ipsfc.js: $(WASM_OBJ) $(WASM_LIBS)
	@mkdir -p $(dir $@)
	$(EMENV) emcc $(WASM_LDFLAGS) -sENVIRONMENT=web,worker -o $@ $(WASM_OBJ) $(WASM_LIBS)
$(WASM_DIR)/ipsfc-node.js: $(WASM_OBJ) $(WASM_LIBS)
	$(EMENV) emcc $(WASM_LDFLAGS) -sENVIRONMENT=node -sSINGLE_FILE=1 -o $@ $(WASM_OBJ) $(WASM_LIBS)

# The examples, bundled into the site (web/bundle_examples.py).
$(WEB_DIR)/examples.js: web/bundle_examples.py $(wildcard examples/*/pack.ipsf examples/*/devices/*)
	@mkdir -p $(dir $@)
	/usr/bin/python3 web/bundle_examples.py examples > $@.tmp && mv $@.tmp $@
$(WEB_FILES:%=$(WEB_DIR)/%): $(WEB_DIR)/%: web/%
	@mkdir -p $(dir $@)
	cp $< $@

wasm: deps wasm-deps
	$(MAKE) $(BUILD)/gen/parser.h $(BUILD)/gen/lexer.h $(BUILD)/gen/stdlib.c
	$(MAKE) $(WEB_DIR)/ipsfc.js $(WASM_DIR)/ipsfc-node.js $(WEB_DIR)/examples.js $(WEB_FILES:%=$(WEB_DIR)/%)

wasm-test: wasm
	$(MAKE) $(IPSFC)
	IPSFC=$(abspath $(IPSFC)) node tests/wasm/equivalence.mjs $(abspath $(WASM_DIR))/ipsfc-node.js
	/usr/bin/python3 tests/wasm/test_page.py $(abspath $(WEB_DIR))

playground: wasm
	@echo "playground: http://127.0.0.1:8018/ (Ctrl-C stops)"
	cd $(WEB_DIR) && /usr/bin/python3 -m http.server --bind 127.0.0.1 8018

-include $(WASM_OBJ:.o=.d)

clean:
	rm -rf build

-include $(PIC_OBJ:.o=.d) $(RUNTIME_OBJ:.o=.d) $(COMPILER_SRC:%.c=$(BUILD)/%.d) $(CLI_OBJ:.o=.d) \
  $(UNIT_OBJ:.o=.d) $(GEN_OBJ:.o=.d) $(BUILD)/tests/security/mkrepro.d
# the fuzz harnesses' headers (a stale fuzz_vm.o after a pack.h change)
-include $(wildcard build/fuzz/tests/fuzz/*.d)
