/*
** fuzz_query.c — libFuzzer target: the query string of every list and export
** (req_parse_query/url_decode in src/http/query.c, list_query_parse and
** list_query_sql in src/model/list.c: filters, ranges, any-of lists, q=,
** sort, page, per_page). The first byte picks the entity and the user
** (admin, manager, rep); the rest is the raw query string. The parse either
** succeeds and yields SQL with only bound parameters, or fails with a 400.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/internal.h"
#include "model/model.h"
#include "modules/modules.h"

static const char *const entities[] = {"market_research", "products", "budgets", "users"};

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    log_set_level(LOG_ERROR);
    modules_register();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    const Entity *en = entity_find(entities[data[0] & 3]);
    if (!en) __builtin_trap();
    static User users[3] = {
        {.id = 1, .username = "admin", .locale = "zh-CN", .roles = RB(ADMIN), .org_unit_id = 1, .org_path = "/1/"},
        {.id = 3, .username = "mgr", .locale = "en", .roles = RB(SALES_MANAGER), .org_unit_id = 3, .org_path = "/1/2/3/"},
        {.id = 12, .username = "rep", .locale = "zh-TW", .roles = RB(SALES_REP), .org_unit_id = 4, .org_path = "/1/2/3/4/"},
    };
    Req r;
    memset(&r, 0, sizeof r);
    r.a = arena_new();
    r.user = &users[(data[0] >> 2) % 3];
    r.locale = r.user->locale;
    r.query = arena_strndup(r.a, (const char *)data + 1, size - 1); /* stops at a NUL, as a C string would */
    /* the decoder on its own, both ways */
    char *d1 = url_decode(r.a, (const char *)data + 1, size - 1, true);
    char *d2 = url_decode(r.a, (const char *)data + 1, size - 1, false);
    if ((d1 == NULL) != (d2 == NULL)) __builtin_trap();
    if (req_parse_query(&r) == 0) {
        ListQuery lq;
        Err e = {0};
        if (list_query_parse(&r, en, &lq, &e) == 0) {
            if (lq.page < 1 || lq.per_page < 1 || lq.per_page > 200 || lq.nbind > 64) __builtin_trap();
            char *sql = list_query_sql(&r, en, &lq, "t.id", "LIMIT 20", true);
            /* no text from the request may reach the SQL: quotes only come from the fixed ESCAPE '\' */
            char *copy = arena_strdup(r.a, sql), *at;
            while ((at = strstr(copy, "ESCAPE '\\'"))) memset(at, ' ', 11);
            if (strchr(copy, '\'')) __builtin_trap();
            if (strchr(sql, ';')) __builtin_trap();
        } else if (e.status != 400) {
            __builtin_trap();
        }
    }
    arena_free(r.a);
    return 0;
}
