# Forklore - top-level build.  `make help` says what each target does.

CC      ?= cc
PREFIX  ?= /usr/local
PYTHON  ?= python3
IMPL    ?= ref
BUILD   ?= build

WARN     = -Wall -Wextra -Werror
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=c11 $(WARN) $(CFLAGS) -D_GNU_SOURCE -Iref/include
LDLIBS  += -lm -lpthread -lcrypto

LIB_SRCS := $(wildcard ref/src/*/*.c)
LIB_OBJS := $(patsubst ref/src/%.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
LIB_HDRS := ref/include/mp.h $(wildcard ref/src/*/*.h)
LIBA     := $(BUILD)/libmp.a
LIBSO    := $(BUILD)/libmp.so

# The library the lessons link against: ours, or another implementation of
# mp.h given as IMPL=/path/to/libmp.a (its lessons build in their own folder).
ifeq ($(filter ref python,$(IMPL)),)
LESSON_LIB   := $(IMPL)
LESSON_BUILD := $(BUILD)/other
else
LESSON_LIB   := $(LIBA)
LESSON_BUILD := $(BUILD)
endif

# `make` alone builds everything (all, below), not the first rule an
# included fragment happens to define (build.mk's interop-build was).
.DEFAULT_GOAL := all

# The interop programs (C peers of CPython's Listener and Client).
include conformance/interop/build.mk

LESSON_DIRS := $(sort $(patsubst %/,%,$(dir $(wildcard lessons/[0-9][0-9]-*/lesson.c))))
LESSON_BINS := $(patsubst lessons/%,$(LESSON_BUILD)/lessons/%/lesson,$(LESSON_DIRS))

# The conformance cases (conformance/cases/MODULE/SLUG/case.c): built like
# lessons, into build/cases/MODULE/SLUG/case.
CASE_DIRS := $(sort $(patsubst %/,%,$(dir $(wildcard conformance/cases/*/*/case.c))))
CASE_BINS := $(patsubst conformance/cases/%,$(LESSON_BUILD)/cases/%/case,$(CASE_DIRS))

TEST_SRCS := $(wildcard ref/test/test_*.c)
TEST_BINS := $(patsubst ref/test/%.c,$(BUILD)/test/%,$(TEST_SRCS))
SAN_BINS  := $(patsubst ref/test/%.c,$(BUILD)/test-san/%,$(TEST_SRCS))
# The unit tests that use mp.h alone (no header of ref/src/): they run
# against another implementation too (make unit-conformance IMPL=...), so
# they are built without -Iref/src, which keeps them that way.
UNITC_SRCS := $(shell grep -L -E '^\#include "(core|util|reduction|synchronize|sharedctypes|connection|queues|process|start)/' $(TEST_SRCS))
UNITC_BINS := $(patsubst ref/test/%.c,$(LESSON_BUILD)/unit-conformance/%,$(UNITC_SRCS))
BENCH_SRCS := $(wildcard bench/*.c)
BENCH_BINS := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRCS))

.PHONY: all build lib lessons-build cases-build unit-build unitc-build unit-conformance san-build tsan-build bench-build help lessons test unit \
        conformance conformance-others goldens valgrind bench install clean check-manifest check-layers \
        check-contracts tsan print-tsan-tests fuzz docs mutants course course-check check-course

all: lib lessons-build cases-build interop-build

# Everything make test compiles with the default compiler.
build: all unit-build unitc-build san-build bench-build

lib: $(LIBA) $(LIBSO)

# -fvisibility=hidden: libmp.so exports what mp.h declares MP_EXTERN and
# nothing else; the unit tests, linked statically, still reach the rest.
$(BUILD)/obj/%.o: ref/src/%.c $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -fvisibility=hidden -Iref/src -c $< -o $@

$(LIBA): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(LIBSO): $(LIB_OBJS)
	$(CC) -shared -o $@ $^ $(LDLIBS)

# Each lesson folder is one program: every .c file in it, linked statically
# against the library so a lesson binary runs from anywhere.
.SECONDEXPANSION:
$(LESSON_BUILD)/lessons/%/lesson: $$(wildcard lessons/%/*.c) $(LESSON_LIB) ref/include/mp.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $(filter %.c,$^) $(LESSON_LIB) $(LDLIBS)

lessons-build: $(LESSON_BINS)

$(LESSON_BUILD)/cases/%/case: $$(wildcard conformance/cases/%/*.c) $(LESSON_LIB) ref/include/mp.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $(filter %.c,$^) $(LESSON_LIB) $(LDLIBS)

cases-build: $(CASE_BINS)

# A unit test that uses mp.h alone (UNITC_SRCS, below) is compiled without
# -Iref/src here too, so this build already checks that it stays that way
# and make test need not build it a second time (unitc-build) to know.
unit_includes = $(if $(filter ref/test/$*.c,$(UNITC_SRCS)),,-Iref/src) -Iref/test
$(BUILD)/test/%: ref/test/%.c $(LIBA) $(wildcard ref/test/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(unit_includes) -o $@ $< $(LIBA) $(LDLIBS)

$(LESSON_BUILD)/unit-conformance/%: ref/test/%.c $(LESSON_LIB) ref/include/mp.h $(wildcard ref/test/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Iref/test -o $@ $< $(LESSON_LIB) $(LDLIBS)
unitc-build: $(UNITC_BINS)

# The unit tests again, library included, under AddressSanitizer and UBSan:
# the library is compiled once into libmp-san.a, which every test links.
SAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SAN_OBJS := $(patsubst ref/src/%.c,$(BUILD)/obj-san/%.o,$(LIB_SRCS))
LIBSAN   := $(BUILD)/libmp-san.a
$(BUILD)/obj-san/%.o: ref/src/%.c $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -Iref/src -c $< -o $@
$(LIBSAN): $(SAN_OBJS)
	@rm -f $@
	ar rcs $@ $^
$(BUILD)/test-san/%: ref/test/%.c $(LIBSAN) $(wildcard ref/test/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) $(unit_includes) -o $@ $< $(LIBSAN) $(LDLIBS)

# The unit tests of the parts with threads and shared memory again, under
# ThreadSanitizer (clang; the library compiled once into libmp-tsan.a; the
# options they run with are in ref/test/tsan_options.c).
TSAN_CC    ?= clang
TSAN_FLAGS  = -fsanitize=thread -fno-omit-frame-pointer -O1 -g
# Not test_interrupt: TSan delays a signal to its own safe points, so what
# that test measures (a wait cut short by SIGINT) is not what TSan runs.
TSAN_TESTS := test_queue test_simple_queue test_pipe_lanes test_queue_deaths \
              test_simple_queue_deaths test_process test_connection test_listener test_nested \
              test_lock test_condition test_barrier test_sharedctypes test_pool \
              test_pool_deaths test_thread_pool test_pool_stream test_manager
TSAN_OBJS  := $(patsubst ref/src/%.c,$(BUILD)/obj-tsan/%.o,$(LIB_SRCS))
LIBTSAN    := $(BUILD)/libmp-tsan.a
TSAN_BINS  := $(patsubst %,$(BUILD)/test-tsan/%,$(TSAN_TESTS))
$(BUILD)/obj-tsan/%.o: ref/src/%.c $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(TSAN_CC) -std=c11 $(WARN) $(TSAN_FLAGS) -D_GNU_SOURCE -Iref/include -Iref/src -c $< -o $@
$(LIBTSAN): $(TSAN_OBJS)
	@rm -f $@
	ar rcs $@ $^
$(BUILD)/test-tsan/%: ref/test/%.c ref/test/tsan_options.c $(LIBTSAN) $(wildcard ref/test/*.h)
	@mkdir -p $(dir $@)
	$(TSAN_CC) -std=c11 $(WARN) $(TSAN_FLAGS) -D_GNU_SOURCE -Iref/include -Iref/src -Iref/test -o $@ $< ref/test/tsan_options.c $(LIBTSAN) $(LDLIBS)
tsan-build: $(TSAN_BINS)

$(BUILD)/bench/%: bench/%.c bench/bench_common.h $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O2 -o $@ $< $(LIBA) $(LDLIBS)

unit-build: $(TEST_BINS)
san-build: $(SAN_BINS)
bench-build: $(BENCH_BINS) $(BUILD)/bench/sync-notrace

# The Lock benchmark again with lock.c's MP_TRACE checks compiled out (its
# own copy of lock.o, linked before the library, which then adds none):
# scripts/bench-sync prints what the check costs when MP_TRACE is unset.
$(BUILD)/bench/lock-notrace.o: ref/src/synchronize/lock.c $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O2 -DMP__TRACE_COMPILED_OUT -Iref/src -c $< -o $@
$(BUILD)/bench/sync-notrace: bench/sync.c bench/bench_common.h $(BUILD)/bench/lock-notrace.o $(LIBA)
	$(CC) $(ALL_CFLAGS) -O2 -o $@ $< $(BUILD)/bench/lock-notrace.o $(LIBA) $(LDLIBS)

help:
	@echo "Forklore: Python's multiprocessing rebuilt in C, lesson by lesson."
	@echo
	@echo "The two commands:"
	@echo "  make lesson-N        build and run lesson N in C (make lesson-01-basic-workers works too)"
	@echo "  make lesson-N PY=1   run the lesson's Python twin instead"
	@echo "  make trace-N         run lesson N under MP_TRACE and draw it: build/trace/NN-slug.svg (PY=1: the twin)"
	@echo "  make test            install what is missing, build, and run every check below;"
	@echo "                       ends with 'N passed, N failed'"
	@echo
	@echo "The parts of make test, each on its own:"
	@echo "  make unit            unit tests (plain, under ASan/UBSan), the checkers, a fuzz smoke run"
	@echo "  make check-manifest  every lesson has its twin, golden, test and README entry"
	@echo "  make check-layers    no file of the library uses a floor above its own (ref/src/LAYERS)"
	@echo "  make check-contracts every failure mp.h documents is provoked by test_contracts, and no other"
	@echo "  make check-course    build the course and check that every page, link and image resolves"
	@echo "  make tsan            the threaded unit tests under ThreadSanitizer (clang)"
	@echo "  make conformance     the Bats suite; IMPL=ref|python|/path/to/libmp.a, PYTHON=..."
	@echo "                       (without IMPL: ref and python)"
	@echo "  make valgrind        every C lesson, and test_nested, under memcheck, children followed"
	@echo
	@echo "Building:"
	@echo "  make                 the library (build/libmp.a, build/libmp.so), the lessons, the interop peers"
	@echo "  make build           that, and the unit tests (plain and sanitized) and the benchmarks"
	@echo "  make lib             the library only"
	@echo "  make fuzz            the libFuzzer target for the pickle reader, and its corpus (clang)"
	@echo "  make install PREFIX=/usr/local   header, libraries and mp.pc"
	@echo "  make clean           remove build/"
	@echo
	@echo "Not part of make test:"
	@echo "  make lessons         list the lessons"
	@echo "  make goldens         re-record the goldens by running the Python twins under python3 3.11"
	@echo "  make unit-conformance  the unit tests that use mp.h alone, against IMPL=/path/to/libmp.a"
	@echo "                       (default ref); make test builds them for ref and runs them in unit"
	@echo "  make bench           benchmarks beside CPython's multiprocessing (process start, messaging, a shared counter, the Pool)"
	@echo "  make docs            draw docs/layers.svg from the code, the diagrams in docs/ into build/docs/,"
	@echo "                       and a traced run of every lesson into docs/lessons/NN-slug.svg"
	@echo "  make course          the browsable course, static HTML made with pandoc: open build/course/index.html"
	@echo "  make course-check    that, three of its pages in headless Chromium, saved in build/course/shots/*.png"
	@echo "  make conformance-others  the twins under PyPy3, billiard and multiprocess, every start method;"
	@echo "                       reports what changed against conformance/others/*.known (docs/implementations.md)"
	@echo "  make mutants         the conformance suite's mutation score: each seeded fault of"
	@echo "                       conformance/mutants/ built into its own libmp.a and run against the"
	@echo "                       suite alone; report in build/mutants/report.md (about 45 minutes;"
	@echo "                       MUTANTS='001 queue' runs only those, MP_JOBS=N bats runs at once)"
	@echo
	@echo "Lessons:"
	@scripts/lessons list

lessons:
	@scripts/lessons list

lesson-%:
	@scripts/lessons run $*

# A lesson's run under MP_TRACE, drawn: build/trace/NN-slug.svg (PY=1: the twin's).
trace-%:
	@scripts/trace-lesson $*

test:
	@scripts/test-all

unit: unit-build san-build
	@scripts/test-all unit

conformance:
	@scripts/test-all conformance

valgrind:
	@scripts/test-all valgrind

check-manifest:
	@scripts/test-all manifest

check-layers:
	@scripts/test-all layers

check-contracts:
	@scripts/test-all contracts

tsan:
	@scripts/test-all tsan

unit-conformance:
	@scripts/test-all unit-conformance

# Not part of make test: it takes most of an hour (conformance/mutants/README.md).
mutants:
	@scripts/mutants $(MUTANTS)

# The TSan tests' names, for scripts/test-all.
print-tsan-tests:
	@echo $(TSAN_TESTS)

goldens:
	@scripts/record-goldens

conformance-others:
	@scripts/conformance-others

bench: $(BENCH_BINS) $(BUILD)/bench/sync-notrace
	@scripts/bench
	@scripts/bench-messaging
	@scripts/bench-sync
	@scripts/bench-shared
	@scripts/bench-pool
	@scripts/bench-manager

docs:
	@scripts/docs

# The course: every lesson's README, its two programs side by side, its
# golden output and its picture (docs/lessons/), as static HTML.
course:
	@scripts/setup-deps pandoc
	@scripts/course

course-check: course
	@scripts/setup-deps chromium
	@scripts/course --shots

check-course:
	@scripts/test-all course

# The libFuzzer target for the pickle decoder (scripts/fuzz-smoke runs it briefly).
FUZZ_CC    ?= clang
FUZZ_FLAGS  = -fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
$(BUILD)/fuzz/fuzz_unpickle: fuzz/fuzz_unpickle.c $(LIB_SRCS) $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=c11 $(WARN) -O1 -g -D_GNU_SOURCE -Iref/include -Iref/src $(FUZZ_FLAGS) -o $@ $< $(LIB_SRCS) $(LDLIBS)
$(BUILD)/fuzz/corpus/.stamp: fuzz/make_corpus.py
	$(PYTHON) fuzz/make_corpus.py $(dir $@)
	@touch $@
fuzz: $(BUILD)/fuzz/fuzz_unpickle $(BUILD)/fuzz/corpus/.stamp

install: lib
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 ref/include/mp.h $(DESTDIR)$(PREFIX)/include/mp.h
	install -m 644 $(LIBA) $(DESTDIR)$(PREFIX)/lib/libmp.a
	install -m 755 $(LIBSO) $(DESTDIR)$(PREFIX)/lib/libmp.so
	sed -e 's|@PREFIX@|$(PREFIX)|' ref/mp.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/mp.pc

clean:
	rm -rf $(BUILD)
