# build.mk - make fragment for the interop programs, included by the top-level Makefile.
#
# conformance/interop/NAME.c becomes $(LESSON_BUILD)/interop/NAME, linked
# like a lesson: against $(LESSON_LIB), which is $(LIBA) (in $(BUILD)) for
# IMPL=ref and the given libmp.a (in $(BUILD)/other) for IMPL=/path/libmp.a,
# so interop.bats can test another implementation of mp.h too.

INTEROP_SRCS := $(wildcard conformance/interop/*.c)
INTEROP_BINS := $(patsubst conformance/interop/%.c,$(LESSON_BUILD)/interop/%,$(INTEROP_SRCS))

$(LESSON_BUILD)/interop/%: conformance/interop/%.c conformance/interop/peer_common.h $(LESSON_LIB) ref/include/mp.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LESSON_LIB) $(LDLIBS)

.PHONY: interop-build
interop-build: $(INTEROP_BINS)
