/*
 * Differential harness: x87, MMX and SSE..SSE4.2 instruction forms.
 */
#include "forms.h"

void diff_forms_fp_register(void)
{
}
