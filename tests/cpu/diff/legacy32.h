/*
 * Differential harness: 32-bit-only instructions checked in the engine's
 * compatibility mode against SDM pseudo-code models (legacy32.c).
 */
#ifndef TESTS_CPU_DIFF_LEGACY32_H
#define TESTS_CPU_DIFF_LEGACY32_H

#include "target/i386/cpu.h"

/* Returns the number of cases run; *fails gets the failures, *xfails
 * the failures of forms listed in known-failures.c. */
unsigned diff_legacy32_run(X86Sandbox *sb, uint64_t seed, unsigned per_form,
                           unsigned *fails, unsigned *xfails);

#endif
