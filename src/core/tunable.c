/*
** tunable.c — tuning constants the test build may take from the environment: the
** chunks of the scheduler's jobs, the sort-key fill's batches, the search's walk threshold.
** The release build always answers the constant.
*/
#include <stdlib.h>

#include "core.h"

/* See core.h. */
int64_t test_tunable(const char *env, int64_t dflt) {
#ifdef SALESLOOP_FAULTS
    int64_t v;
    const char *s = getenv(env);
    if (s && str_to_int64(s, &v) == 0 && v > 0) return v;
#else
    (void)env;
#endif
    return dflt;
}
