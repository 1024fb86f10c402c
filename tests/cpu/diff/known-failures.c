/*
 * Differential harness: the list of forms that are expected to fail until
 * the engine is fixed.  Keep it short and keep FAILURES.md in step.
 */
#include <stdio.h>
#include <string.h>

#include "known-failures.h"

static const struct {
    const char *form;
    const char *why;
} known[] = {
    { "aas", "core: AL-6 without borrow into AH; SDM: AX <- AX-6, "
             "AH <- AH-1 (see FAILURES.md)" },
    { NULL, NULL },
};

bool diff_known_failure(const char *form_name)
{
    for (unsigned i = 0; known[i].form; i++) {
        if (!strcmp(known[i].form, form_name)) {
            return true;
        }
    }
    return false;
}

void diff_known_failures_print(void)
{
    for (unsigned i = 0; known[i].form; i++) {
        printf("  known failure: %-24s %s\n", known[i].form, known[i].why);
    }
}
