/*
** catalogue.c — the product catalogue (R-PRE-2): model/spec, unit, list
** price and standard cost in fen, product line, technical state (a change of
** it is announced to the customers who have the product on order, R-ORD-4).
** Read by everyone (quotes and orders need it); maintained by managers.
*/
#include <string.h>

#include "../core/errcodes.h"
#include "../model/model.h"
#include "modules.h"
#include "orders.h"

static const Field product_fields[] = {
    {"code", FT_TEXT, F_REQUIRED | F_LIST | F_SEARCH | F_SORT | F_UNIQUE | F_FILTER, 1, 32, NULL, NULL, NULL,
     "产品编码", "產品編碼", "Product code"},
    {"name", FT_TEXT, F_REQUIRED | F_LIST | F_SEARCH | F_SORT, 1, 200, NULL, NULL, NULL, "产品名称", "產品名稱",
     "Product name"},
    {"model", FT_TEXT, F_LIST | F_SEARCH, 0, 100, NULL, NULL, NULL, "型号", "型號", "Model"},
    {"spec", FT_TEXT, F_SEARCH, 0, 200, NULL, NULL, NULL, "规格", "規格", "Specification"},
    {"unit", FT_TEXT, F_REQUIRED | F_LIST, 1, 16, NULL, NULL, NULL, "单位", "單位", "Unit"},
    {"list_price", FT_MONEY, F_LIST | F_FILTER | F_SORT, 0, 100000000000, NULL, NULL, "0", "目录价", "目錄價",
     "List price"},
    {"standard_cost", FT_MONEY, F_FILTER | F_SORT, 0, 100000000000, NULL, NULL, "0", "标准成本", "標準成本",
     "Standard cost"},
    {"product_line", FT_TEXT, F_LIST | F_FILTER | F_SEARCH | F_SORT, 0, 64, NULL, NULL, NULL, "产品线", "產品線",
     "Product line"},
    {"active", FT_BOOL, F_LIST | F_FILTER, 0, 0, NULL, NULL, "1", "在售", "在售", "Active"},
    {"description", FT_LONGTEXT, 0, 0, 10000, NULL, NULL, NULL, "说明", "說明", "Description"},
    /* R-ORD-4: a change of it is announced to the customers with open orders or recent deliveries */
    {"tech_state", FT_TEXT, F_SEARCH, 0, 200, NULL, NULL, NULL, "技术状态（版本）", "技術狀態（版本）",
     "Technical state (revision)"},
    {NULL},
};

/* after_save: a product's technical state that changes (from one stated to another) is announced
   to the customers who have it on order or received it lately (R-ORD-4, orders.c). */
static int product_saved(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    (void)en;
    const char *from = old ? json_string_value(json_object_get(old, "tech_state")) : NULL;
    const char *to = json_string_value(json_object_get(rec, "tech_state"));
    if (!from || !*from || (to && !strcmp(from, to))) return 0;
    return orders_tech_changed(r, json_integer_value(json_object_get(rec, "id")),
                               json_string_value(json_object_get(rec, "name")), from, to && *to ? to : "-",
                               json_integer_value(json_object_get(old, "version")) + 1, e);
}

static const Entity products_entity = {
    .name = "products",
    .table = "products",
    .few_rows = true,
    .zh = "产品目录",
    .tw = "產品目錄",
    .en = "Products",
    .fields = product_fields,
    .vis = VIS_ALL,
    .read_roles = 0,
    .write_roles = RB(SALES_MANAGER) | RB(SALES_DIRECTOR),
    .default_sort = "code",
    .title_field = "name",
    .tag = "presale",
    .importable = true,
    .after_save = product_saved,
};

/* Lines of a document priced from the catalogue (quotes, contracts): the product's standard cost for
   each line that does not say its own unit cost. 0, or -1 with e set on a database error. */
int catalogue_line_costs(Req *r, json_t *lines, Err *e) {
    size_t i;
    json_t *line;
    json_array_foreach(lines, i, line) {
        if (json_is_integer(json_object_get(line, "unit_cost"))) continue;
        json_t *product = json_object_get(line, "product_id");
        Stmt *st = db_prepare(r->db, "SELECT standard_cost FROM products WHERE id = ?1");
        if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
        db_bind_int64(st, 1, json_is_integer(product) ? json_integer_value(product) : 0);
        int rc = db_step(st);
        int64_t cost = rc == DB_ROW ? db_col_int64(st, 0) : 0;
        db_done(st);
        if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
        json_object_set_new(line, "unit_cost", json_integer(cost));
    }
    return 0;
}

void catalogue_register(void) { entity_register(&products_entity); }
