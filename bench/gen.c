/*
** gen.c — the benchmark data generator. Fills a database made by
** `salesloop init` with a sales organisation and its data, deterministically
** (same --seed, same rows), bulk-inserted in one transaction straight through
** SQLite (the "bulk path"; the server's own write path is measured by the
** benchmark itself).
**
**   bench/gen --db FILE [--seed N] [--scale F]
**
** What it makes (scale 1):
**   org tree   总公司 -> 销售部 -> 3 regions -> 6 teams
**   users      1 sales director, 3 sales managers, 6 supervisors, 48 reps
**              (bench.director, bench.mgr1..3, bench.sup1..6, bench.rep01..48),
**              all with the admin's password (its hash is copied)
**   products   5,000 catalogue rows over 8 product lines
**   market_research 100,000 rows, owners Zipf-skewed over the reps (the top
**              rep holds ~9 %, the last ~1 %), dates skewed to recent months,
**              kinds and regions skewed, Chinese text in topic and findings
**   shares     2,000 rows shared with a second rep
**
** Customers (100,000), contacts (300,000), follow-ups (1,000,000) and leads
** are the target data set; their tables do not exist yet. Each entity
** is one entry of the `gens` table at the end: when the customers module
** lands, add gen_customers / gen_contacts / gen_followups / gen_leads there
** (the skew helpers below are meant for them: owner_of(), pick_w(), days_ago()).
*/
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

/* ---------------------------------------------------------------- randomness */

static uint64_t rs; /* splitmix64 state */
static uint64_t rnd64(void) {
    uint64_t z = (rs += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static uint32_t rnd(uint32_t n) { return (uint32_t)(rnd64() % n); }
static double rndf(void) { return (double)(rnd64() >> 11) / 9007199254740992.0; }

/* Index drawn with the given (unnormalised) weights. */
static int pick_w(const double *w, int n) {
    double sum = 0;
    for (int i = 0; i < n; i++) sum += w[i];
    double x = rndf() * sum;
    for (int i = 0; i < n; i++) {
        if (x < w[i]) return i;
        x -= w[i];
    }
    return n - 1;
}

/* ---------------------------------------------------------------- database */

static sqlite3 *db;
static int64_t now;

static void die(const char *what) {
    fprintf(stderr, "gen: %s: %s\n", what, sqlite3_errmsg(db));
    exit(1);
}

static sqlite3_stmt *prep(const char *sql) {
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) die(sql);
    return st;
}

static int64_t step_id(sqlite3_stmt *st) {
    int rc = sqlite3_step(st);
    int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) die("step");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return id;
}

static void exec(const char *sql) {
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "gen: %s: %s\n", sql, msg);
        exit(1);
    }
}

/* ---------------------------------------------------------------- organisation */

enum { NREGIONS = 3, NTEAMS = 6, NREPS = 48 };
static int64_t team_unit[NTEAMS];
static int64_t rep_id[NREPS], rep_unit[NREPS];
static double rep_weight[NREPS]; /* Zipf-like share of the rows each rep owns */
static const char *pw_hash;

static int64_t add_unit(const char *name, const char *code, int64_t parent, const char *ppath) {
    static sqlite3_stmt *st;
    if (!st) st = prep("INSERT INTO org_units(name, code, parent_id, path, created_at, updated_at) VALUES (?1, ?2, ?3, '/', ?4, ?4) RETURNING id");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, parent);
    sqlite3_bind_int64(st, 4, now);
    int64_t id = step_id(st);
    char path[256], sql[512];
    snprintf(path, sizeof path, "%s%lld/", ppath, (long long)id);
    snprintf(sql, sizeof sql, "UPDATE org_units SET path = '%s', org_unit_id = id WHERE id = %lld", path, (long long)id);
    exec(sql);
    return id;
}

static const char *unit_path(int64_t id) {
    static char buf[256];
    sqlite3_stmt *st = prep("SELECT path FROM org_units WHERE id = ?1");
    sqlite3_bind_int64(st, 1, id);
    buf[0] = 0;
    if (sqlite3_step(st) == SQLITE_ROW) snprintf(buf, sizeof buf, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return buf;
}

static int64_t add_user(const char *username, const char *display, int64_t unit, const char *role) {
    static sqlite3_stmt *st, *sr;
    if (!st) {
        st = prep("INSERT INTO users(username, display_name, email, password_hash, org_unit_id, created_at, updated_at)"
                  " VALUES (?1, ?2, ?1 || '@bench.salesloop.cn', ?3, ?4, ?5, ?5) RETURNING id");
        sr = prep("INSERT INTO user_roles(user_id, role) VALUES (?1, ?2)");
    }
    sqlite3_bind_text(st, 1, username, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, display, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, pw_hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, unit);
    sqlite3_bind_int64(st, 5, now);
    int64_t id = step_id(st);
    sqlite3_bind_int64(sr, 1, id);
    sqlite3_bind_text(sr, 2, role, -1, SQLITE_STATIC);
    step_id(sr);
    return id;
}

static const char *surnames[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林"};
static const char *given[] = {"芳", "强", "敏", "杰", "洋", "静", "磊", "丽", "军", "伟", "娜", "涛", "艳", "勇", "霞", "鹏"};

static void gen_org(void) {
    sqlite3_stmt *st = prep("SELECT password_hash FROM users WHERE username = 'admin'");
    if (sqlite3_step(st) != SQLITE_ROW) die("no admin user: run `salesloop init` first");
    pw_hash = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    static const char *rname[NREGIONS] = {"华东大区", "华北大区", "华南大区"};
    int64_t dept = add_unit("销售部", "SALES", 1, "/1/");
    add_user("bench.director", "销售总监", dept, "sales_director");
    char code[32], name[64], uname[32];
    int t = 0;
    for (int r = 0; r < NREGIONS; r++) {
        snprintf(code, sizeof code, "R%d", r + 1);
        int64_t reg = add_unit(rname[r], code, dept, unit_path(dept));
        snprintf(uname, sizeof uname, "bench.mgr%d", r + 1);
        snprintf(name, sizeof name, "%s经理", rname[r]);
        add_user(uname, name, reg, "sales_manager");
        for (int k = 0; k < 2; k++, t++) {
            snprintf(code, sizeof code, "R%dT%d", r + 1, k + 1);
            snprintf(name, sizeof name, "%s%d组", rname[r], k + 1);
            team_unit[t] = add_unit(name, code, reg, unit_path(reg));
            snprintf(uname, sizeof uname, "bench.sup%d", t + 1);
            snprintf(name, sizeof name, "%s%s(主管)", surnames[t % 16], given[(t * 5) % 16]);
            add_user(uname, name, team_unit[t], "supervisor");
        }
    }
    for (int i = 0; i < NREPS; i++) {
        snprintf(uname, sizeof uname, "bench.rep%02d", i + 1);
        snprintf(name, sizeof name, "%s%s%s", surnames[rnd(16)], given[rnd(16)], i % 3 ? "" : given[rnd(16)]);
        rep_unit[i] = team_unit[i % NTEAMS];
        rep_id[i] = add_user(uname, name, rep_unit[i], "sales_rep");
        rep_weight[i] = 1.0 / pow(i + 1, 0.7); /* rep01 is the busiest */
    }
    exec("UPDATE users SET owner_id = id WHERE owner_id IS NULL");
}

/* A rep by the skewed weights. */
static int owner_of(void) { return pick_w(rep_weight, NREPS); }

/* "YYYY-MM-DD" some days before now, skewed to recent dates (up to ~3 years). */
static void days_ago(char *out, int *days) {
    int d = (int)(1095.0 * pow(rndf(), 1.6));
    time_t t = (time_t)(now - (int64_t)d * 86400);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
    if (days) *days = d;
}

/* ---------------------------------------------------------------- products */

static const char *lines[] = {"工业泵", "阀门", "压缩机", "传感器", "控制系统", "管件", "电机", "备品备件"};
static const double line_w[] = {20, 18, 10, 15, 8, 14, 10, 5};
static const char *units_of_sale[] = {"台", "件", "套", "个", "米", "kg"};

static int gen_products(double scale) {
    int n = (int)(5000 * scale);
    sqlite3_stmt *st = prep(
        "INSERT INTO products(version, owner_id, org_unit_id, code, name, model, spec, unit, list_price, standard_cost,"
        " product_line, active, description, created_at, updated_at, created_by, updated_by)"
        " VALUES (1, 1, 1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, 1, 1)");
    char code[32], name[128], model[64], spec[128], desc[256];
    for (int i = 0; i < n; i++) {
        int l = pick_w(line_w, 8);
        int64_t price = (int64_t)(100000 * pow(10, rndf() * 3)); /* ¥1,000 .. ¥1,000,000, log-uniform */
        snprintf(code, sizeof code, "P-%06d", i + 1);
        snprintf(name, sizeof name, "%s %c%d型", lines[l], 'A' + rnd(26), 100 + rnd(900));
        snprintf(model, sizeof model, "%c%c-%d", 'A' + rnd(26), 'A' + rnd(26), rnd(10000));
        snprintf(spec, sizeof spec, "DN%d PN%d %s", 15 + rnd(500), 10 + 6 * rnd(10), rnd(2) ? "不锈钢304" : "铸铁");
        snprintf(desc, sizeof desc, "%s系列产品，适用于化工、水处理与电力行业。", lines[l]);
        sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, model, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, spec, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 5, units_of_sale[rnd(6)], -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 6, price);
        sqlite3_bind_int64(st, 7, price * (55 + rnd(30)) / 100);
        sqlite3_bind_text(st, 8, lines[l], -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 9, rnd(20) != 0);
        sqlite3_bind_text(st, 10, desc, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 11, now - rnd(86400 * 900));
        step_id(st);
    }
    sqlite3_finalize(st);
    return n;
}

/* ---------------------------------------------------------------- market research */

static const char *kinds[] = {"interview", "questionnaire", "desk", "trade_show", "seminar"};
static const double kind_w[] = {35, 25, 20, 12, 8};
static const char *regions[] = {"上海", "江苏", "浙江", "北京", "天津", "河北", "山东", "广东", "福建", "广西",
                                "湖北", "湖南", "河南", "四川", "重庆", "陕西", "辽宁", "吉林", "安徽", "江西"};
static const double region_w[] = {14, 12, 11, 9, 5, 4, 8, 13, 5, 2, 4, 3, 3, 4, 2, 2, 2, 1, 3, 2};
static const char *subjects[] = {"水处理行业", "化工园区", "电力行业", "食品饮料", "制药企业", "钢铁冶金",
                                 "市政供水", "石油炼化", "造纸行业", "新能源电池"};
static const char *aspects[] = {"采购需求", "价格敏感度", "竞品份额", "售后满意度", "技术趋势", "渠道结构",
                                "预算周期", "替换需求"};
static const char *phrases[] = {"客户普遍关注交货周期与备件供应。", "价格仍是中小客户的首要考虑。",
                                "大型项目倾向于招标采购，决策链较长。", "对节能改造的兴趣明显上升。",
                                "本地服务网点是赢单的重要因素。", "竞品在低端市场降价明显。",
                                "客户希望提供整体解决方案而非单台设备。", "年底预算集中释放，需提前跟进。",
                                "进口品牌在高端市场仍占优势。", "数字化监控功能成为新的卖点。"};
static const char *competitors[] = {"格兰富", "威乐", "凯泉", "南方泵业", "新界泵业", "利欧股份",
                                    "KSB", "赛莱默", "东方泵业", "连成集团", "上海凯士比", "中联泵业"};

static int gen_research(double scale) {
    int n = (int)(100000 * scale);
    sqlite3_stmt *st = prep(
        "INSERT INTO market_research(version, owner_id, org_unit_id, research_date, topic, kind, region, findings,"
        " competitors, respondents, cost, created_at, updated_at, created_by, updated_by)"
        " VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?1, ?1)");
    char date[16], topic[256], findings[1024], comp[256];
    for (int i = 0; i < n; i++) {
        int o = owner_of(), days;
        days_ago(date, &days);
        int reg = pick_w(region_w, 20);
        snprintf(topic, sizeof topic, "%s%s%s调研 #%d", regions[reg], subjects[rnd(10)], aspects[rnd(8)], i + 1);
        int np = 2 + rnd(6), len = 0;
        for (int k = 0; k < np && len < 900; k++)
            len += snprintf(findings + len, sizeof findings - (size_t)len, "%s", phrases[rnd(10)]);
        int nc = rnd(4);
        comp[0] = 0;
        for (int k = 0, cl = 0; k < nc; k++)
            cl += snprintf(comp + cl, sizeof comp - (size_t)cl, "%s%s", k ? "、" : "", competitors[rnd(12)]);
        sqlite3_bind_int64(st, 1, rep_id[o]);
        sqlite3_bind_int64(st, 2, rep_unit[o]);
        sqlite3_bind_text(st, 3, date, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, topic, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 5, kinds[pick_w(kind_w, 5)], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, regions[reg], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, findings, -1, SQLITE_TRANSIENT);
        if (nc) sqlite3_bind_text(st, 8, comp, -1, SQLITE_TRANSIENT);
        else sqlite3_bind_null(st, 8);
        sqlite3_bind_int(st, 9, (int)(rnd(50) * rnd(10)));
        sqlite3_bind_int64(st, 10, (int64_t)rnd(500) * 10000);
        sqlite3_bind_int64(st, 11, now - (int64_t)days * 86400 + rnd(86400));
        step_id(st);
    }
    sqlite3_finalize(st);
    /* a few rows shared with a second rep, so visibility checks meet shares */
    sqlite3_stmt *sh = prep("INSERT OR IGNORE INTO shares(entity, row_id, user_id, created_at, created_by)"
                            " VALUES ('market_research', ?1, ?2, ?3, 1)");
    int ns = (int)(2000 * scale);
    for (int i = 0; i < ns; i++) {
        sqlite3_bind_int64(sh, 1, 1 + rnd((uint32_t)n));
        sqlite3_bind_int64(sh, 2, rep_id[rnd(NREPS)]);
        sqlite3_bind_int64(sh, 3, now);
        step_id(sh);
    }
    sqlite3_finalize(sh);
    return n;
}

/* ---------------------------------------------------------------- main */

typedef struct Gen {
    const char *name;
    int (*fn)(double scale);
} Gen;

/* One entry per entity. Pending, with the customers module: customers (100,000),
   contacts (300,000, 1-8 per customer, skewed), follow-ups (1,000,000, skewed to
   key accounts and recent weeks), leads. */
static const Gen gens[] = {
    {"products", gen_products},
    {"market_research", gen_research},
};

int main(int argc, char **argv) {
    const char *path = NULL;
    uint64_t seed = 20261122;
    double scale = 1.0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--db") && i + 1 < argc) path = argv[++i];
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc) seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--scale") && i + 1 < argc) scale = atof(argv[++i]);
        else {
            fprintf(stderr, "usage: gen --db FILE [--seed N] [--scale F]\n");
            return 2;
        }
    }
    if (!path) {
        fprintf(stderr, "usage: gen --db FILE [--seed N] [--scale F]\n");
        return 2;
    }
    rs = seed;
    if (sqlite3_open(path, &db) != SQLITE_OK) die(path);
    const char *env_now = getenv("SALESLOOP_NOW");
    now = env_now ? strtoll(env_now, NULL, 10) : (int64_t)time(NULL);
    exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA foreign_keys=ON; BEGIN");
    gen_org();
    for (size_t g = 0; g < sizeof gens / sizeof gens[0]; g++) {
        int n = gens[g].fn(scale);
        printf("gen: %-16s %8d rows\n", gens[g].name, n);
    }
    exec("COMMIT; PRAGMA wal_checkpoint(TRUNCATE)");
    printf("gen: %d reps, %d teams, seed %llu\n", NREPS, NTEAMS, (unsigned long long)seed);
    sqlite3_close(db);
    return 0;
}
