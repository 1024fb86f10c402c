/*
 * Differential harness: forms known to fail in the engine, listed (with
 * the reason) in known-failures.c and tests/cpu/diff/FAILURES.md.  Their
 * failures are reported loudly and never counted as passes.
 */
#ifndef TESTS_CPU_DIFF_KNOWN_FAILURES_H
#define TESTS_CPU_DIFF_KNOWN_FAILURES_H

#include <stdbool.h>

bool diff_known_failure(const char *form_name);
void diff_known_failures_print(void);

#endif
