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

/*
** Each pattern split once, when it is added: a request compares segment
** lengths and bytes, and skips at once every pattern of another depth
** (a linear strchr/strlen walk of every pattern cost 8 % of a get).
*/
typedef struct RouteShape {
    int nsegs;
    int literals;                 /* how many segments are literal (the more, the better the match) */
    unsigned short off[MAX_SEGS]; /* a segment's start in the pattern */
    unsigned short len[MAX_SEGS]; /* its length; a parameter (":id") has param set */
    bool param[MAX_SEGS];
} RouteShape;
static RouteShape aShape[MAX_ROUTES];

/* Split pattern into shape; false unless it is "/" and at most MAX_SEGS segments, 4 of them parameters. */
static bool shape_of(const char *pattern, RouteShape *sh) {
    memset(sh, 0, sizeof *sh);
    if (pattern[0] != '/') return false;
    const char *p = pattern + 1;
    while (*p) {
        if (sh->nsegs == MAX_SEGS) return false;
        size_t len = strcspn(p, "/");
        int i = sh->nsegs++;
        sh->off[i] = (unsigned short)(p - pattern);
        sh->len[i] = (unsigned short)len;
        sh->param[i] = *p == ':';
        sh->literals += !sh->param[i];
        p += len;
        if (*p == '/') p++;
    }
    return sh->nsegs - sh->literals <= 4;
}

/* Add n routes to the table. Called at start, before serving. */
void routes_add(const Route *routes, int n) {
    for (int i = 0; i < n; i++) {
        if (nRoute == MAX_ROUTES) {
            log_error("route table full at %s", routes[i].pattern);
            return;
        }
        if (!shape_of(routes[i].pattern, &aShape[nRoute])) {
            log_error("route pattern not usable: %s", routes[i].pattern);
            continue;
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

/* Split a path copy in place at '/': "/a/b" -> {"a","b"}, with lengths. -1 when too deep or empty segment. */
static int split_segments(char *s, char **segs, size_t *lens) {
    int n = 0;
    if (*s != '/') return -1;
    s++;
    if (*s == '\0') return 0; /* "/" */
    while (n < MAX_SEGS) {
        segs[n] = s;
        char *slash = strchr(s, '/');
        if (!slash) {
            lens[n] = strlen(s);
            return n + 1;
        }
        lens[n++] = (size_t)(slash - s);
        *slash = '\0';
        s = slash + 1;
        if (*s == '\0') return -1; /* trailing slash or "//" */
    }
    return -1;
}

/* Do the path's segments match route i's pattern? */
static bool shape_matches(int i, char **segs, const size_t *lens) {
    const RouteShape *sh = &aShape[i];
    for (int k = 0; k < sh->nsegs; k++)
        if (!sh->param[k] && (lens[k] != sh->len[k] || memcmp(aRoute[i].pattern + sh->off[k], segs[k], lens[k]) != 0))
            return false;
    return true;
}

/*
** Find the best route for method + path. params point into a thread-local
** copy of the path, valid until the next call on this thread; callers copy
** them into their arena at once.
*/
const Route *routes_match(const char *method, const char *path, const char **params, int *nparams, int *status) {
    static _Thread_local char buf[2048];
    char *segs[MAX_SEGS];
    size_t lens[MAX_SEGS];
    int best = -1, pathMatched = 0;
    *nparams = 0;
    *status = 404;
    if (strlen(path) >= sizeof buf) return NULL;
    strcpy(buf, path);
    int nsegs = split_segments(buf, segs, lens);
    if (nsegs < 0) return NULL;
    for (int i = 0; i < nRoute; i++) {
        if (aShape[i].nsegs != nsegs || !shape_matches(i, segs, lens)) continue;
        pathMatched = 1;
        if (strcmp(aRoute[i].method, method) != 0 || (best >= 0 && aShape[i].literals <= aShape[best].literals))
            continue;
        best = i;
    }
    if (best < 0) {
        *status = pathMatched ? 405 : 404;
        return NULL;
    }
    for (int k = 0; k < nsegs; k++) /* at most 4 (shape_of) */
        if (aShape[best].param[k]) params[(*nparams)++] = segs[k];
    return &aRoute[best];
}
