/*
** customers_demo.c — the demo company's customers: about three hundred
** manufacturers and traders in 华东 and 华南, owned by the demo reps, each
** with one to three contacts (Chinese names, mobiles, birthdays), needs for
** some, a year of won deals (so the tier recompute gives important, key and
** normal customers), a few customers in the public pool, and competitor
** records. Deterministic (own fixed seed); runs inside demo_load's transaction.
*/
#include <stdio.h>
#include <string.h>

#include "../http/internal.h"
#include "../model/calendar.h"
#include "collision.h"
#include "../flow/flow.h"
#include "customers.h"
#include "demo.h"
#include "modules.h"

/* Deterministic generator (LCG), separate from demo.c's so each part is stable on its own. */
static uint32_t cd_seed = 20261123u;
static uint32_t cd_rnd(uint32_t n) {
    cd_seed = cd_seed * 1664525u + 1013904223u;
    return (cd_seed >> 8) % n;
}

/* What the generator needs while it runs. */
typedef struct CdCtx {
    Req r;  /* request-like context (audit, match keys) */
    Demo d; /* statements, numbers, the first failure */
} CdCtx;

/* A user's id and unit by user name (0 when the demo lacks them). */
static int64_t cd_user(CdCtx *c, const char *username, int64_t *unit) {
    *unit = demo_sql(&c->d, "SELECT org_unit_id FROM users WHERE username = ?1", "s", username);
    return demo_sql(&c->d, "SELECT id FROM users WHERE username = ?1", "s", username);
}

/* A date n days before now as YYYY-MM-DD. */
static const char *cd_date(CdCtx *c, int64_t days_ago) {
    char d[11];
    company_date(&c->r, c->r.now - days_ago * 86400, d);
    return arena_strdup(c->r.a, d);
}

int customers_demo(Db *db, Arena *a, int64_t now, char *err, size_t errlen) {
    CdCtx c = {.d = {.db = db, .a = a, .now = now, .err = err, .errlen = errlen}};
    job_req_init(&c.r, db, now);
    static const struct {
        const char *user;
        const char *cities[3];
        const char *regions[3]; /* the cities' GB/T 2260 codes (ref_codes "regions") */
    } reps[] = {
        {"liu.yang", {"上海", "苏州", "昆山"}, {"31", "3205", "320583"}},
        {"zhang.wei", {"上海", "南京", "无锡"}, {"31", "3201", "3202"}},
        {"huang.lei", {"杭州", "宁波", "绍兴"}, {"3301", "3302", "3306"}},
        {"xu.jing", {"广州", "佛山", "中山"}, {"4401", "4406", "4420"}},
        {"guo.peng", {"深圳", "东莞", "惠州"}, {"4403", "4419", "4413"}},
    };
    static const char *const brands[] = {"恒远", "华信", "金达", "瑞丰", "宏图", "永盛", "天成", "鑫源", "联创",
                                         "博远", "中科", "新锐", "汇通", "东升", "嘉禾", "明阳", "正泰", "德润",
                                         "海川", "同力", "安泰", "精诚", "万通", "立信", "华晨", "开元", "兴业",
                                         "凯达", "卓越", "荣昌", "宝丰", "远航", "星河", "泰和", "富华", "长青"};
    static const struct {
        const char *word, *industry;
    } trades[] = {
        /* GB/T 4754-2017 大类 (ref_codes "industries") */
        {"精密机械", "34"},   {"注塑科技", "29"}, {"食品包装", "14"}, {"环保水务", "46"},
        {"汽车零部件", "36"}, {"纺织机械", "35"}, {"电梯工程", "34"}, {"暖通设备", "34"},
        {"新能源科技", "38"}, {"制药设备", "35"}, {"电子科技", "39"}, {"物流装备", "34"},
    };
    static const char *const forms[] = {"有限公司", "有限公司", "股份有限公司", "科技有限公司", "机电有限公司"};
    static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
                                           "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗", "高"};
    static const char *const given[] = {"伟",   "芳",   "娜",   "敏",   "静",   "强",   "磊",   "军",
                                        "洋",   "勇",   "艳",   "杰",   "娟",   "涛",   "明",   "超",
                                        "秀英", "桂兰", "建华", "志强", "海燕", "国庆", "晓东", "丽华"};
    static const char *const titles[] = {"采购经理", "设备部主管", "技术总监", "生产厂长",
                                         "财务经理", "总经理",     "采购专员", "工程师"};
    static const char *const roles[] = {"purchasing", "user_dept",  "technical",  "user_dept",
                                        "finance",    "management", "purchasing", "technical"};
    static const char *const sources[] = {"online", "trade_show", "referral", "telemarketing", "walk_in", "trade_show"};
    static const char *const need_kinds[] = {"explicit", "implicit", "legal", "company"};
    static const char *const needs[] = {
        "产线变频节能改造，要求节电率不低于 20%",
        "希望设备噪音控制在 70 分贝以下",
        "出口设备需符合 CE 认证要求",
        "要求交货期不超过 30 天",
        "售后需 4 小时内响应、24 小时到场",
        "希望提供操作人员培训",
        "需满足 GB/T 12668 变频器标准",
        "年度框架采购，希望阶梯价格",
    };
    int n = 0;
    for (size_t ri = 0; ri < sizeof reps / sizeof reps[0]; ri++) {
        int64_t unit;
        int64_t owner = cd_user(&c, reps[ri].user, &unit);
        if (!owner) continue; /* not the standard demo org */
        for (int k = 0; k < 60 && !c.d.fail; k++, n++) {
            unsigned ci = cd_rnd(3);
            const char *city = reps[ri].cities[ci];
            const char *brand = brands[(ri * 60 + (size_t)k) % 36];
            size_t ti = (ri * 7 + (size_t)k * 5) % 12;
            const char *name = arena_printf(c.r.a, "%s%s%s%s", city, brand, trades[ti].word, forms[cd_rnd(5)]);
            int64_t created = now - (int64_t)(30 + cd_rnd(700)) * 86400;
            bool pooled = k % 23 == 7;
            const char *phone =
                arena_printf(c.r.a, "0%d-%04u %04u", 20 + (int)cd_rnd(700), 5000 + cd_rnd(4999), cd_rnd(9999));
            int64_t id =
                demo_sql(&c.d,
                         "INSERT INTO customers(version, owner_id, org_unit_id, number, name, tax_id, industry, "
                         "region, address, phone,"
                         " email, source, tier, visit_frequency, potential_value, credit_limit, payment_terms, tags, "
                         "in_pool, pool_reason,"
                         " pool_since, previous_owner_id, owned_since, last_followup_at, created_at, updated_at, "
                         "created_by, updated_by)"
                         " VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'normal', 'half_yearly', ?12, ?13, "
                         "?14, ?15, ?16, ?17,"
                         " ?18, ?19, ?20, ?21, ?22, ?22, ?23, ?23) RETURNING id",
                         "zzsssssssssiissiszziiii", pooled ? (int64_t)0 : owner, unit, demo_number(&c.d, "CU"), name,
                         arena_printf(c.r.a, "91%02u%04u%s%05u%c", 31 + (unsigned)ri, 1000 + cd_rnd(8999), "MA",
                                      cd_rnd(99999), "0123456789ABCDEFGHJKLMNPQRTUWXY"[cd_rnd(31)]),
                         trades[ti].industry, reps[ri].regions[ci],
                         arena_printf(c.r.a, "%s市%s路 %u 号", city, brands[cd_rnd(36)], 1 + cd_rnd(999)), phone,
                         arena_printf(c.r.a, "purchase%d@customer%d.cn", k, n), sources[cd_rnd(6)],
                         (int64_t)(cd_rnd(40) * 5000000), (int64_t)(cd_rnd(20) * 10000000),
                         cd_rnd(3) ? "月结 60 天" : "款到发货", trades[ti].word, pooled ? (int64_t)1 : (int64_t)0,
                         pooled ? "超过 30 天未跟进，自动退回公海（演示数据）" : NULL,
                         pooled ? now - (int64_t)cd_rnd(20) * 86400 : (int64_t)0, pooled ? owner : (int64_t)0, created,
                         now - (int64_t)cd_rnd(25) * 86400, created, owner);
            if (!id) break;
            int ncontacts = 1 + (int)cd_rnd(3);
            for (int p = 0; p < ncontacts; p++) {
                int t = (int)cd_rnd(8);
                int64_t bday = days_from_civil(1965 + (int)cd_rnd(35), 1, 1) + cd_rnd(365);
                int by, bm, bd;
                civil_from_days(bday, &by, &bm, &bd);
                demo_sql(&c.d,
                         "INSERT INTO contacts(version, owner_id, org_unit_id, customer_id, name, role, title, mobile, "
                         "email, wechat, birthday,"
                         " is_primary, created_at, updated_at, created_by, updated_by) VALUES (1, ?1, ?2, ?3, ?4, ?5, "
                         "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13, ?13)",
                         "zzisssssssiii", pooled ? (int64_t)0 : owner, unit, id,
                         arena_printf(c.r.a, "%s%s", surnames[cd_rnd(20)], given[cd_rnd(24)]), roles[t], titles[t],
                         arena_printf(c.r.a, "1%u%u%04u%04u", 3 + cd_rnd(6), cd_rnd(10), cd_rnd(10000), cd_rnd(10000)),
                         arena_printf(c.r.a, "contact%d.%d@customer%d.cn", p, k, n),
                         arena_printf(c.r.a, "wx_%d_%d", n, p), arena_printf(c.r.a, "%04d-%02d-%02d", by, bm, bd),
                         (int64_t)(p == 0), created, owner);
            }
            if (k % 3 == 0) {
                int nk = (int)cd_rnd(4);
                demo_sql(&c.d,
                         "INSERT INTO customer_needs(version, owner_id, org_unit_id, customer_id, need_date, kind, "
                         "description, pain_points, budget,"
                         " purchasing_power, review_date, status, created_at, updated_at, created_by, updated_by)"
                         " VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'open', ?11, ?11, ?12, ?12)",
                         "zzissssissiz", pooled ? (int64_t)0 : owner, unit, id, cd_date(&c, cd_rnd(200)),
                         need_kinds[nk], needs[cd_rnd(8)], "现有设备故障率高，维护成本大",
                         (int64_t)(cd_rnd(50) * 2000000), cd_rnd(2) ? "high" : "medium",
                         cd_date(&c, -(int64_t)(10 + cd_rnd(80))), created, pooled ? (int64_t)0 : owner);
            }
            /* a year of deals: roughly 1 in 12 buys big, 1 in 4 often or mid-sized, the rest a little */
            int profile = (int)cd_rnd(12);
            int deals = profile == 0 ? 3 + (int)cd_rnd(4) : profile < 4 ? 1 + (int)cd_rnd(7) : (int)cd_rnd(3);
            for (int d = 0; d < deals && !pooled; d++) {
                int64_t amount = profile == 0  ? 30000000 + (int64_t)cd_rnd(60) * 1000000
                                 : profile < 4 ? 3000000 + (int64_t)cd_rnd(25) * 1000000
                                               : 200000 + (int64_t)cd_rnd(40) * 100000;
                int64_t closed = now - (int64_t)(3 + cd_rnd(360)) * 86400;
                demo_sql(&c.d,
                         "INSERT INTO opportunities(version, owner_id, org_unit_id, state, state_since, number, name, "
                         "customer_id, amount,"
                         " probability_bp, expected_close, contract_ref, closed_at, created_at, updated_at, "
                         "created_by, updated_by)"
                         " VALUES (1, ?1, ?2, 'won', ?3, ?4, ?5, ?6, ?7, 10000, ?8, ?9, ?3, ?10, ?3, ?1, ?1)",
                         "iiissiissi", owner, unit, closed, demo_number(&c.d, "OP"),
                         arena_printf(c.r.a, "%s%s采购项目", brand, d % 2 ? "备件" : "设备"), id, amount,
                         cd_date(&c, (now - closed) / 86400),
                         arena_printf(c.r.a, "HT-%s-%03d", cd_date(&c, (now - closed) / 86400), d),
                         closed - 45 * 86400);
            }
            Err e = {0};
            json_t *rec = json_pack("{s:s, s:s}", "name", name, "phone", phone);
            if (!c.d.fail && collision_keys_store(&c.r, "customers", id, rec, &e) < 0) {
                snprintf(err, errlen, "match keys: %s", db_errmsg(db));
                c.d.fail = 1;
            }
            json_decref(rec);
        }
    }
    static const struct {
        const char *name, *products, *strengths, *weaknesses, *price;
        const char *region; /* the province's GB/T 2260 code: 32 江苏, 44 广东 */
        const char *source;
        int64_t share;
    } comps[] = {
        {"汇川技术", "MD500/MD800 变频器、伺服", "价格有竞争力，交期短，本地服务网点多", "高端大功率型号少", "lower",
         "32", "trade_show", 1850},
        {"西门子", "G120/S120 驱动、S7 PLC", "品牌认可度高，产品线全", "价格高，交期长", "higher", "32", "customer",
         2200},
        {"ABB", "ACS580/ACS880 变频器", "大功率与行业方案成熟", "中小功率价格偏高", "higher", "44", "visit", 1600},
        {"英威腾", "GD200/GD350 变频器", "性价比高，渠道覆盖广", "品牌溢价弱", "lower", "44", "research", 900},
        {"台达", "VFD-E/C2000 变频器、DVP PLC", "小型自动化产品齐全", "定制服务响应慢", "similar", "44", "trade_show",
         1100},
        {"安川", "GA700 变频器、Σ-7 伺服", "伺服精度高，可靠性好", "价格高，渠道少", "higher", "32", "customer", 800},
        {"信捷", "XD/XL PLC、DS5 伺服", "价格低，编程软件易用", "大项目经验不足", "lower", "32", "visit", 500},
        {"正泰电气", "低压配电柜、变频控制柜", "配电产品价格低、渠道深", "自动化集成能力一般", "lower", "32",
         "research", 700},
    };
    int64_t dunit;
    int64_t dir = cd_user(&c, "wang.fang", &dunit);
    for (size_t i = 0; i < sizeof comps / sizeof comps[0] && dir; i++)
        demo_sql(&c.d,
                 "INSERT INTO competitors(version, owner_id, org_unit_id, name, products, strengths, weaknesses, "
                 "price_level, market_share_bp,"
                 " region, source, observed_on, note, created_at, updated_at, created_by, updated_by)"
                 " VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, ?1, ?1)",
                 "iisssssissssi", dir, dunit, comps[i].name, comps[i].products, comps[i].strengths, comps[i].weaknesses,
                 comps[i].price, comps[i].share, comps[i].region, comps[i].source, cd_date(&c, cd_rnd(120)),
                 "销售例会汇总", now);
    int rc = c.d.fail ? -1 : tier_recompute_job(db, now);
    if (rc < 0 && !c.d.fail) snprintf(err, errlen, "tier recompute: %s", db_errmsg(db));
    job_req_done(&c.r);
    (void)a;
    return rc < 0 ? -1 : 0;
}
