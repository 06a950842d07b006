#ifndef ALM_FUZZ_H
#define ALM_FUZZ_H
/*
 * The entry point every harness defines. libFuzzer calls it with each input it
 * makes; replay.c (the standalone driver of the ordinary build) calls it with
 * each file of a corpus, so the corpora run as tests without clang.
 *
 * A harness must not leak, must not keep state that changes what the next input
 * does, and treats every error return as a normal outcome: only a crash, a
 * sanitizer report or a hang is a finding.
 */
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
