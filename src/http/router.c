/*
** router.c — the route table: method + path pattern -> handler.
**
** Patterns are split on '/'; a segment starting with ':' matches any one
** non-empty segment and is passed to the handler as a path parameter. When
** several patterns match, the one with more literal segments wins (so
** "/api/v1/meta" beats "/api/v1/:entity"), and a path that matches only with
** another method answers 405, not 404 (kore http.c does the same).
*/
#include <string.h>

#include "http.h"

#define MAX_ROUTES 512
#define MAX_SEGS 12

static Route aRoute[MAX_ROUTES]; /* all routes, in registration order */
static int nRoute;

/* Add n routes to the table. Called at start, before serving. */
void routes_add(const Route *routes, int n) {
    for (int i = 0; i < n; i++) {
        if (nRoute == MAX_ROUTES) {
            log_error("route table full at %s", routes[i].pattern);
            return;
        }
        aRoute[nRoute++] = routes[i];
    }
}

const Route *routes_all(int *n) {
    *n = nRoute;
    return aRoute;
}

int route_index(const Route *rt) {
    if (!rt || rt < aRoute || rt >= aRoute + nRoute) return -1;
    return (int)(rt - aRoute);
}

/* Split a path copy in place at '/': "/a/b" -> {"a","b"}. -1 when too deep or empty segment. */
static int split_segments(char *s, char **segs) {
    int n = 0;
    if (*s != '/') return -1;
    s++;
    if (*s == '\0') return 0; /* "/" */
    while (n < MAX_SEGS) {
        segs[n++] = s;
        char *slash = strchr(s, '/');
        if (!slash) return n;
        *slash = '\0';
        s = slash + 1;
        if (*s == '\0') return -1; /* trailing slash or "//" */
    }
    return -1;
}

/*
** Match one pattern against path segments. Returns the number of literal
** segments (>= 0) or -1 when it does not match; fills params.
*/
static int match_pattern(const char *pattern, char **segs, int nsegs, const char **params, int *nparams) {
    int literals = 0, i = 0;
    const char *p = pattern + 1;
    *nparams = 0;
    while (*p) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (i >= nsegs) return -1;
        if (*p == ':') {
            if (*nparams == 4) return -1;
            params[(*nparams)++] = segs[i];
        } else if (strlen(segs[i]) != len || memcmp(p, segs[i], len) != 0) {
            return -1;
        } else {
            literals++;
        }
        i++;
        p += len;
        if (*p == '/') p++;
    }
    return i == nsegs ? literals : -1;
}

/*
** Find the best route for method + path. params point into a thread-local
** copy of the path, valid until the next call on this thread; callers copy
** them into their arena at once.
*/
const Route *routes_match(const char *method, const char *path, const char **params, int *nparams, int *status) {
    static _Thread_local char buf[2048];
    char *segs[MAX_SEGS];
    const Route *best = NULL;
    int bestLit = -1, pathMatched = 0, nsegs;
    const char *tmp[4];
    int ntmp;
    *nparams = 0;
    *status = 404;
    if (strlen(path) >= sizeof buf) return NULL;
    strcpy(buf, path);
    nsegs = split_segments(buf, segs);
    if (nsegs < 0) return NULL;
    for (int i = 0; i < nRoute; i++) {
        int lit = match_pattern(aRoute[i].pattern, segs, nsegs, tmp, &ntmp);
        if (lit < 0) continue;
        pathMatched = 1;
        if (strcmp(aRoute[i].method, method) != 0 || lit <= bestLit) continue;
        bestLit = lit;
        best = &aRoute[i];
        for (int k = 0; k < ntmp; k++)
            params[k] = tmp[k];
        *nparams = ntmp;
    }
    if (!best) *status = pathMatched ? 405 : 404;
    return best;
}
