/*
** receivables_demo.c — the demo company's receivables (demo_load, after the quotes).
*/
#include "../http/http.h"
#include "modules.h"

int receivables_demo(Db *db, int64_t now, char *err, size_t errlen) {
    (void)db;
    (void)now;
    (void)err;
    (void)errlen;
    return 0;
}
