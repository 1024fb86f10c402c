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
