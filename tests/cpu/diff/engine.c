/*
 * Differential harness: the engine side (placeholder until the engine
 * library links into tests).
 */
#include "diff.h"

bool diff_engine_available(void)
{
    return false;
}

bool diff_engine_init(void)
{
    return false;
}

void diff_engine_run(const DiffCase *c, DiffState *out)
{
    *out = c->in;
}

void diff_engine_fini(void)
{
}
