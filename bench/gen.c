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
**   customers  100,000: owners Zipf-skewed over the 48 reps, 5 % in the public
**              pool of their team, tiers important/key/normal 5/15/80 %, regions
**              and industries skewed, 1 % shared with a second rep
**   contacts   300,000: 1-8 per customer, more for important and key accounts
**   leads      200,000 in every state (new, contacted, qualified, converted,
**              disqualified), 5 % of the open ones in the pool
**   follow_ups 1,000,000: 80 % on customers (weighted to key accounts), 20 % on
**              leads, dates skewed to recent weeks; last_followup_at set
**   contracts  100,000 of the customers' owners, 95 % signed, executing or completed;
**              two instalments each (30 % ten days after signing, the rest 90-180
**              days after), payments: 60 % of instalments paid, 15 % partly, the
**              rest open (the receivables aging report reads them); a finance user
**              bench.fin
**   match_keys the collision check's normalised keys of customers (and their
**              contacts) and leads — see "Match keys" below
**   scheduler_runs  every periodic job stamped as run now (see gen_jobs)
** --scale F multiplies every row count (the soak test uses 0.1).
** Each entity is one entry of the `gens` table at the end.
*/
#include <math.h>
#include <stdbool.h>
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
/* the same regions as administrative-division codes (GB/T 2260, customers' and leads' FT_CODE region) */
static const char *region_codes[] = {"31", "32", "33", "11", "12", "13", "37", "44", "35", "45",
                                     "42", "43", "41", "51", "50", "61", "21", "22", "34", "36"};
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

/* ---------------------------------------------------------------- customers & co.
**
** Match keys. The collision check (src/modules/collision.c) looks up normalised keys in
** match_keys; the generator writes the same rows the server's after_save hooks would,
** computing each key with the same rules, and keeps its raw values in the narrow form
** where those rules are plain string operations:
**   name    simplified Chinese only (no traditional characters, so OpenCC's t2s is the
**           identity), no brackets, spaces, punctuation or ASCII, no 市/省 among the
**           first four characters; ends with exactly one legal form. norm_company() then
**           only cuts the form: 股份有限公司 / 有限责任公司 / 有限公司 (集团 is kept).
**   phone   mobiles "13812345678" / "138-1234-5678" and landlines "021-62345678":
**           the key is the digits (never starting 86/0086, so no prefix is dropped).
**   tax id  18 upper-case letters and digits: the key is the value.
**   email   lower case, no spaces: the key is the value.
** Customers: name, tax_id, phone, email + their contacts' phone, mobile, email (a contact's
** office phone is often the customer's switchboard: one key). Leads: company, tax_id, phone,
** email; converted leads have none (conversion deletes them). Every value is unique (the
** generator draws them from bijective sequences), so a benchmark create with fresh values
** finds no match. `bench/sqlref --mode keys` recomputes the keys of a sample with the
** server's own normalisers and compares (scripts/bench.sh runs it after generating).
*/

static const char *brand_chars[] = {"宏", "达", "恒", "信", "华", "泰", "盛", "源", "鑫", "隆", "丰", "瑞", "兴", "德", "安",
                                    "康", "通", "远", "明", "光", "新", "创", "科", "金", "利", "海", "天", "正", "东", "方",
                                    "永", "昌", "汇", "合", "中", "联", "宇", "嘉", "博", "成", "和", "润", "佳", "卓", "越",
                                    "精", "诚", "鼎", "辉", "腾", "飞", "凯", "旭", "晨", "阳", "峰", "骏", "锦", "豪", "星"};
enum { NBRAND = 60, NIND = 30, NCOMBO = NBRAND * (NBRAND - 1) * NIND }; /* 106,200 names per region */
static const char *ind_words[NIND] = {"机械", "泵业", "阀门", "电气", "化工", "环保", "水务", "能源", "科技", "制药",
                                      "食品", "钢铁", "材料", "设备", "自动化", "仪表", "工程", "热电", "纸业", "石化",
                                      "电力", "建材", "冶金", "管道", "流体", "动力", "工业", "实业", "水处理", "新能源"};
/* the same industries as GB/T 4754-2017 codes (the industry FT_CODE list): manufacturing, chemicals,
   water supply, power, food, pharmaceuticals, iron and steel, civil engineering, petroleum, paper */
static const char *industry_codes[] = {"C", "26", "46", "44", "14", "27", "31", "48", "25", "22"};
static const double industry_w[] = {24, 14, 12, 10, 8, 7, 7, 7, 6, 5};
static const char *area_codes[] = {"021", "025", "0571", "010", "022", "0311", "0531", "020", "0591", "0771",
                                   "027", "0731", "0371", "028", "023", "029", "024", "0431", "0551", "0791"};
static const char *forms[] = {"有限公司", "股份有限公司", "集团有限公司", "有限责任公司"};
static const double form_w[] = {70, 15, 10, 5};
static const char *cust_sources[] = {"online", "trade_show", "referral", "telemarketing", "walk_in", "other"};
static const double source_w[] = {25, 20, 20, 15, 10, 10};
static const char *tier_names[] = {"important", "key", "normal"};
static const double tier_w[] = {5, 15, 80};
static const char *tier_visit[] = {"monthly", "quarterly", "half_yearly"};
static const char *mob_prefix[] = {"13", "15", "18", "17", "19"}; /* "16": left free for benchmark creates */
static int name_next[20]; /* next name combination per region (customers, then leads) */

/* A company name of region reg that no other row has; key = the name less its legal form. */
static void company_name(int reg, char *name, size_t nn, char *key, size_t kn) {
    uint64_t c = ((uint64_t)name_next[reg]++ * 7919u + 13u) % NCOMBO; /* 7919 is prime: a bijection */
    int ind = (int)(c % NIND), pair = (int)(c / NIND);
    int b1 = pair / (NBRAND - 1), b2 = pair % (NBRAND - 1);
    if (b2 >= b1) b2++;
    int f = pick_w(form_w, 4);
    snprintf(key, kn, "%s%s%s%s%s", regions[reg], brand_chars[b1], brand_chars[b2], ind_words[ind], f == 2 ? "集团" : "");
    snprintf(name, nn, "%s%s%s%s%s", regions[reg], brand_chars[b1], brand_chars[b2], ind_words[ind], f == 2 ? "集团有限公司" : forms[f]);
}

/* Phone number seq (globally unique): a mobile or the landline of region reg; key = digits. */
static uint64_t phone_seq;
static void mobile(char *raw, size_t rn, char *key, size_t kn) {
    uint64_t s = phone_seq++, v = (s * 48271u + 12345u) % 1000000000u; /* 48271 prime, coprime to 10^9 */
    const char *p = mob_prefix[s % 5];
    snprintf(key, kn, "%s%09llu", p, (unsigned long long)v);
    if (s % 4 == 0) snprintf(raw, rn, "%.3s-%.4s-%.4s", key, key + 3, key + 7);
    else snprintf(raw, rn, "%s", key);
}
static void landline(int reg, char *raw, size_t rn, char *key, size_t kn) {
    uint64_t s = phone_seq++, v = 20000000u + (s * 7919u) % 80000000u;
    snprintf(raw, rn, "%s-%08llu", area_codes[reg], (unsigned long long)v);
    snprintf(key, kn, "%s%08llu", area_codes[reg], (unsigned long long)v);
}
static uint64_t tax_seq;
static void tax_id(char *out, size_t n) {
    static const char chk[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    uint64_t s = tax_seq++, v = (s * 104729u + 777u) % 1000000000u;
    snprintf(out, n, "91%06u%09llu%c", 110000u + (unsigned)(s % 90) * 1000u, (unsigned long long)v, chk[s % 31]);
}

static sqlite3_stmt *mk_st;
static int64_t n_keys;
static void add_key(const char *entity, int64_t row, const char *kind, const char *value) {
    if (!mk_st) mk_st = prep("INSERT OR IGNORE INTO match_keys(entity, row_id, kind, value) VALUES (?1, ?2, ?3, ?4)");
    sqlite3_bind_text(mk_st, 1, entity, -1, SQLITE_STATIC);
    sqlite3_bind_int64(mk_st, 2, row);
    sqlite3_bind_text(mk_st, 3, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(mk_st, 4, value, -1, SQLITE_TRANSIENT);
    step_id(mk_st);
    n_keys += sqlite3_changes(db);
}

/* Document numbers PREFIX-YYYY-NNNNNN, counted per year and stored in doc_numbers at the end. */
typedef struct NumSeq { const char *prefix; int year[8]; int64_t last[8]; } NumSeq;
static void doc_number(NumSeq *s, int64_t at, char *out, size_t n) {
    time_t t = (time_t)(at + 8 * 3600);
    struct tm tm;
    gmtime_r(&t, &tm);
    int y = tm.tm_year + 1900, i = 0;
    while (i < 7 && s->year[i] && s->year[i] != y) i++;
    s->year[i] = y;
    snprintf(out, n, "%s-%d-%06lld", s->prefix, y, (long long)++s->last[i]);
}
static void doc_numbers_store(NumSeq *s) {
    sqlite3_stmt *st = prep("INSERT INTO doc_numbers(prefix, year, last) VALUES (?1, ?2, ?3)"
                            " ON CONFLICT (prefix, year) DO UPDATE SET last = max(last, excluded.last)");
    for (int i = 0; i < 8 && s->year[i]; i++) {
        sqlite3_bind_text(st, 1, s->prefix, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, s->year[i]);
        sqlite3_bind_int64(st, 3, s->last[i]);
        step_id(st);
    }
    sqlite3_finalize(st);
}

/* What later generators need to know of each customer and lead (index = id - 1). */
static int ncust, nlead;
static int64_t *cust_owner, *cust_unit, *cust_first_contact, *cust_last_fu, *lead_owner, *lead_unit, *lead_last_fu;
static unsigned char *cust_tier, *cust_ncontacts, *cust_region;
static int64_t ncontacts_made;

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s) {
    if (s && *s) sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(st, i);
}
static void bind_id_or_null(sqlite3_stmt *st, int i, int64_t v) {
    if (v) sqlite3_bind_int64(st, i, v);
    else sqlite3_bind_null(st, i);
}

/* Customers: owners Zipf-skewed over the reps, 5 % in the public pool of their team,
   tiers 5/15/80 %, regions and industries skewed, creation dates skewed to recent. */
static int gen_customers(double scale) {
    int n = ncust = (int)(100000 * scale);
    cust_owner = calloc((size_t)n, sizeof(int64_t));
    cust_unit = calloc((size_t)n, sizeof(int64_t));
    cust_first_contact = calloc((size_t)n, sizeof(int64_t));
    cust_last_fu = calloc((size_t)n, sizeof(int64_t));
    cust_tier = calloc((size_t)n, 1);
    cust_ncontacts = calloc((size_t)n, 1);
    cust_region = calloc((size_t)n, 1);
    sqlite3_stmt *st = prep(
        "INSERT INTO customers(id, version, owner_id, org_unit_id, number, name, tax_id, industry, region, address, phone, email,"
        " website, source, tier, tier_reason, visit_frequency, potential_value, purchase_12m, orders_12m, credit_limit,"
        " payment_terms, tags, in_pool, pool_reason, pool_since, previous_owner_id, owned_since, created_at, updated_at,"
        " created_by, updated_by)"
        " VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22,"
        " ?23, ?24, ?25, ?26, ?27, ?28, ?28, ?29, ?29)");
    static const char *terms[] = {"月结30天", "月结60天", "款到发货", "预付30%，验收后付清", "季度结算"};
    static const char *tagset[] = {"老客户", "招标", "节能改造", "出口", "国企", "外资", "民营", "价格敏感", "重点跟进", NULL};
    static const char *roads[] = {"人民路", "建设路", "解放路", "中山路", "工业大道", "高新路", "开发区大道", "滨江路"};
    NumSeq num = {"CU", {0}, {0}};
    char name[160], key[160], tax[32], phone[40], pkey[40], email[80], web[80], addr[200], tags[120], numb[32], reason[160];
    for (int i = 0; i < n; i++) {
        int64_t id = i + 1;
        int reg = pick_w(region_w, 20), o = owner_of(), days, tier = pick_w(tier_w, 3);
        bool pooled = rnd(100) < 5;
        char date[16];
        days_ago(date, &days);
        int64_t created = now - (int64_t)days * 86400 - rnd(86400);
        company_name(reg, name, sizeof name, key, sizeof key);
        bool has_tax = rnd(100) < 80, has_mail = rnd(100) < 60;
        if (has_tax) tax_id(tax, sizeof tax);
        landline(reg, phone, sizeof phone, pkey, sizeof pkey);
        snprintf(email, sizeof email, "info%d@cu%06d.com.cn", i + 1, i + 1);
        snprintf(web, sizeof web, "www.cu%06d.com.cn", i + 1);
        snprintf(addr, sizeof addr, "%s%s%d号", regions[reg], roads[rnd(8)], 1 + rnd(999));
        tags[0] = 0;
        for (int k = 0, tl = 0, nt = (int)rnd(3); k < nt; k++)
            tl += snprintf(tags + tl, sizeof tags - (size_t)tl, "%s%s", k ? "," : "", tagset[rnd(9)]);
        doc_number(&num, created, numb, sizeof numb);
        int64_t purchase = tier == 0 ? 100000000 + (int64_t)rnd(400000000) : tier == 1 ? 20000000 + (int64_t)rnd(80000000)
                                                                                     : (int64_t)rnd(20000000);
        snprintf(reason, sizeof reason, "%s", tier == 0 ? "近12个月采购额达到重要客户标准" : tier == 1 ? "近12个月采购额达到关键客户标准" : "未达到关键客户标准");
        cust_owner[i] = pooled ? 0 : rep_id[o];
        cust_unit[i] = rep_unit[o];
        cust_tier[i] = (unsigned char)tier;
        cust_region[i] = (unsigned char)reg;
        sqlite3_bind_int64(st, 1, id);
        bind_id_or_null(st, 2, cust_owner[i]);
        sqlite3_bind_int64(st, 3, rep_unit[o]);
        sqlite3_bind_text(st, 4, numb, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 5, name, -1, SQLITE_TRANSIENT);
        bind_text_or_null(st, 6, has_tax ? tax : NULL);
        sqlite3_bind_text(st, 7, industry_codes[pick_w(industry_w, 10)], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 8, region_codes[reg], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 9, addr, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 10, phone, -1, SQLITE_TRANSIENT);
        bind_text_or_null(st, 11, has_mail ? email : NULL);
        bind_text_or_null(st, 12, rnd(2) ? web : NULL);
        sqlite3_bind_text(st, 13, cust_sources[pick_w(source_w, 6)], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 14, tier_names[tier], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 15, reason, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 16, tier_visit[tier], -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 17, (int64_t)rnd(1000) * 100000);
        sqlite3_bind_int64(st, 18, purchase);
        sqlite3_bind_int(st, 19, tier == 2 ? (int)rnd(6) : 2 + (int)rnd(20));
        sqlite3_bind_int64(st, 20, (int64_t)rnd(50) * 1000000);
        sqlite3_bind_text(st, 21, terms[rnd(5)], -1, SQLITE_STATIC);
        bind_text_or_null(st, 22, tags);
        sqlite3_bind_int(st, 23, pooled);
        if (pooled) {
            sqlite3_bind_text(st, 24, "超过 30 天未跟进，自动退回公海", -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 25, now - rnd(86400 * 60));
            sqlite3_bind_int64(st, 26, rep_id[o]);
            sqlite3_bind_null(st, 27);
        } else {
            sqlite3_bind_null(st, 24);
            sqlite3_bind_null(st, 25);
            sqlite3_bind_null(st, 26);
            sqlite3_bind_int64(st, 27, created + rnd(86400 * 30));
        }
        sqlite3_bind_int64(st, 28, created);
        sqlite3_bind_int64(st, 29, rep_id[o]);
        step_id(st);
        add_key("customers", id, "name", key);
        if (has_tax) add_key("customers", id, "tax_id", tax);
        add_key("customers", id, "phone", pkey);
        if (has_mail) add_key("customers", id, "email", email);
    }
    sqlite3_finalize(st);
    doc_numbers_store(&num);
    /* 1 % shared with a second rep (visibility through shares) */
    sqlite3_stmt *sh = prep("INSERT OR IGNORE INTO shares(entity, row_id, user_id, created_at, created_by)"
                            " VALUES ('customers', ?1, ?2, ?3, 1)");
    for (int i = 0, ns = n / 100; i < ns; i++) {
        sqlite3_bind_int64(sh, 1, 1 + rnd((uint32_t)n));
        sqlite3_bind_int64(sh, 2, rep_id[rnd(NREPS)]);
        sqlite3_bind_int64(sh, 3, now);
        step_id(sh);
    }
    sqlite3_finalize(sh);
    return n;
}

/* Contacts: one per customer, the rest (to 3 per customer on average) drawn with the
   weight of the customer's tier (important 8, key 4, normal 1), at most 8 each. */
static int gen_contacts(double scale) {
    int target = (int)(300000 * scale), n = ncust;
    if (!n) return 0;
    static const double tw[] = {8, 4, 1};
    double *cum = malloc(sizeof(double) * (size_t)n), sum = 0;
    for (int i = 0; i < n; i++) cum[i] = sum += tw[cust_tier[i]], cust_ncontacts[i] = 1;
    for (int left = target - n, guard = 0; left > 0 && guard < target * 4; guard++) {
        double x = rndf() * sum;
        int lo = 0, hi = n - 1;
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (cum[mid] < x) lo = mid + 1;
            else hi = mid;
        }
        if (cust_ncontacts[lo] < 8) cust_ncontacts[lo]++, left--;
    }
    free(cum);
    static const char *roles[] = {"purchasing", "technical", "user_dept", "management", "finance", "other"};
    static const double role_w[] = {30, 25, 15, 15, 10, 5};
    static const char *titles[] = {"采购经理", "技术总监", "设备科长", "总经理", "财务主管", "工程师", "厂长", "采购专员"};
    sqlite3_stmt *st = prep(
        "INSERT INTO contacts(id, version, owner_id, org_unit_id, customer_id, name, role, title, phone, mobile, email, wechat,"
        " birthday, is_primary, note, created_at, updated_at, created_by, updated_by)"
        " VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15, ?16, ?16)");
    sqlite3_stmt *cp = prep("SELECT phone, created_at FROM customers WHERE id = ?1");
    int64_t id = 0;
    char name[64], mob[40], mkey[40], email[80], wechat[40], bday[16], cphone[40], ckey[40];
    for (int c = 0; c < n; c++) {
        sqlite3_bind_int64(cp, 1, c + 1);
        if (sqlite3_step(cp) != SQLITE_ROW) die("customer");
        snprintf(cphone, sizeof cphone, "%s", (const char *)sqlite3_column_text(cp, 0));
        int64_t created = sqlite3_column_int64(cp, 1);
        sqlite3_reset(cp);
        int k = 0;
        for (const char *p = cphone; *p; p++)
            if (*p >= '0' && *p <= '9') ckey[k++] = *p;
        ckey[k] = 0;
        cust_first_contact[c] = id + 1;
        int64_t owner = cust_owner[c], by = owner ? owner : rep_id[0];
        for (int j = 0; j < cust_ncontacts[c]; j++) {
            id++;
            snprintf(name, sizeof name, "%s%s%s", surnames[rnd(16)], given[rnd(16)], rnd(3) ? "" : given[rnd(16)]);
            bool has_mob = rnd(100) < 90, has_office = rnd(100) < 30, has_mail = rnd(100) < 50;
            if (has_mob) mobile(mob, sizeof mob, mkey, sizeof mkey);
            snprintf(email, sizeof email, "c%lld@cu%06d.com.cn", (long long)id, c + 1);
            snprintf(wechat, sizeof wechat, "wx_%lld", (long long)(id * 7919 % 10000019));
            snprintf(bday, sizeof bday, "%d-%02d-%02d", 1960 + (int)rnd(40), 1 + (int)rnd(12), 1 + (int)rnd(28));
            sqlite3_bind_int64(st, 1, id);
            bind_id_or_null(st, 2, owner);
            sqlite3_bind_int64(st, 3, cust_unit[c]);
            sqlite3_bind_int64(st, 4, c + 1);
            sqlite3_bind_text(st, 5, name, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 6, roles[pick_w(role_w, 6)], -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 7, titles[rnd(8)], -1, SQLITE_STATIC);
            bind_text_or_null(st, 8, has_office ? cphone : NULL);
            bind_text_or_null(st, 9, has_mob ? mob : NULL);
            bind_text_or_null(st, 10, has_mail ? email : NULL);
            bind_text_or_null(st, 11, rnd(2) ? wechat : NULL);
            bind_text_or_null(st, 12, rnd(10) < 7 ? bday : NULL);
            sqlite3_bind_int(st, 13, j == 0);
            bind_text_or_null(st, 14, rnd(5) ? NULL : "关注交货期和售后响应速度");
            sqlite3_bind_int64(st, 15, created + (int64_t)j * 86400);
            sqlite3_bind_int64(st, 16, by);
            step_id(st);
            /* the keys of the contact count for its customer (collision_keys_store) */
            if (has_office) add_key("customers", c + 1, "phone", ckey);
            if (has_mob) add_key("customers", c + 1, "phone", mkey);
            if (has_mail) add_key("customers", c + 1, "email", email);
        }
    }
    sqlite3_finalize(cp);
    sqlite3_finalize(st);
    ncontacts_made = id;
    return (int)id;
}

/* Leads in every state (new 25, contacted 20, qualified 15, converted 15, disqualified 25 %),
   owners skewed as the customers', 5 % of the open ones in the pool. A converted lead names
   the customer it became (same name, same owner) and has no match keys. */
static int gen_leads(double scale) {
    int n = nlead = (int)(200000 * scale);
    lead_owner = calloc((size_t)n, sizeof(int64_t));
    lead_unit = calloc((size_t)n, sizeof(int64_t));
    lead_last_fu = calloc((size_t)n, sizeof(int64_t));
    static const char *states[] = {"new", "contacted", "qualified", "converted", "disqualified"};
    static const double state_w[] = {25, 20, 15, 15, 25};
    static const char *interests[] = {"工业泵", "阀门", "压缩机", "传感器", "控制系统", "管件", "电机", "备品备件"};
    static const char *dq[] = {"无采购预算", "联系方式无效", "已选择竞品", "非目标行业", "重复线索"};
    sqlite3_stmt *st = prep(
        "INSERT INTO leads(id, version, owner_id, org_unit_id, state, state_since, number, company, contact_name, phone, email,"
        " wechat, tax_id, industry, region, source, estimated_value, score, product_interest, note, disqualify_reason,"
        " converted_customer_id, converted_at, in_pool, pool_reason, pool_since, previous_owner_id, owned_since,"
        " created_at, updated_at, created_by, updated_by)"
        " VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22,"
        " ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?30)");
    sqlite3_stmt *cn = prep("SELECT name FROM customers WHERE id = ?1");
    NumSeq num = {"LD", {0}, {0}};
    char name[160], key[160], tax[32], phone[40], pkey[40], email[80], numb[32], cname[64];
    for (int i = 0; i < n; i++) {
        int64_t id = i + 1;
        int s = pick_w(state_w, 5), reg = pick_w(region_w, 20), o = owner_of(), days;
        char date[16];
        days_ago(date, &days);
        int64_t created = now - (int64_t)days * 86400 - rnd(86400);
        int64_t owner = rep_id[o], unit = rep_unit[o], conv = 0;
        if (s == 3 && ncust) { /* converted: the customer it became */
            int c = (int)rnd((uint32_t)ncust);
            for (int t = 0; t < 20 && !cust_owner[c]; t++) c = (int)rnd((uint32_t)ncust);
            if (cust_owner[c]) {
                conv = c + 1, owner = cust_owner[c], unit = cust_unit[c], reg = cust_region[c];
                sqlite3_bind_int64(cn, 1, conv);
                if (sqlite3_step(cn) != SQLITE_ROW) die("customer name");
                snprintf(name, sizeof name, "%s", (const char *)sqlite3_column_text(cn, 0));
                sqlite3_reset(cn);
            } else s = 4;
        }
        if (!conv) company_name(reg, name, sizeof name, key, sizeof key);
        bool pooled = s < 2 && rnd(100) < 5;
        bool has_phone = rnd(100) < 85, has_mail = rnd(100) < 40, has_tax = rnd(100) < 30;
        if (has_phone) {
            if (rnd(4)) mobile(phone, sizeof phone, pkey, sizeof pkey);
            else landline(reg, phone, sizeof phone, pkey, sizeof pkey);
        }
        if (has_tax) tax_id(tax, sizeof tax);
        snprintf(email, sizeof email, "ld%d@lead%06d.cn", i + 1, i + 1);
        snprintf(cname, sizeof cname, "%s%s", surnames[rnd(16)], given[rnd(16)]);
        doc_number(&num, created, numb, sizeof numb);
        int64_t since = created + (s ? (int64_t)rnd(86400 * 20) : 0);
        if (since > now) since = now;
        lead_owner[i] = pooled ? 0 : owner;
        lead_unit[i] = unit;
        sqlite3_bind_int64(st, 1, id);
        bind_id_or_null(st, 2, lead_owner[i]);
        sqlite3_bind_int64(st, 3, unit);
        sqlite3_bind_text(st, 4, states[s], -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, since);
        sqlite3_bind_text(st, 6, numb, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 7, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 8, cname, -1, SQLITE_TRANSIENT);
        bind_text_or_null(st, 9, has_phone ? phone : NULL);
        bind_text_or_null(st, 10, has_mail ? email : NULL);
        bind_text_or_null(st, 11, rnd(3) ? NULL : "wx_lead");
        bind_text_or_null(st, 12, has_tax ? tax : NULL);
        sqlite3_bind_text(st, 13, industry_codes[pick_w(industry_w, 10)], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 14, region_codes[reg], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 15, cust_sources[pick_w(source_w, 6)], -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 16, (int64_t)rnd(500) * 1000000);
        sqlite3_bind_int(st, 17, (int)rnd(101));
        sqlite3_bind_text(st, 18, interests[rnd(8)], -1, SQLITE_STATIC);
        bind_text_or_null(st, 19, rnd(3) ? NULL : "展会上留下名片，对节能型号感兴趣");
        bind_text_or_null(st, 20, s == 4 ? dq[rnd(5)] : NULL);
        bind_id_or_null(st, 21, conv);
        if (conv) sqlite3_bind_int64(st, 22, since);
        else sqlite3_bind_null(st, 22);
        sqlite3_bind_int(st, 23, pooled);
        if (pooled) {
            sqlite3_bind_text(st, 24, "超过 30 天未跟进，自动退回公海", -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 25, now - rnd(86400 * 60));
            sqlite3_bind_int64(st, 26, owner);
            sqlite3_bind_null(st, 27);
        } else {
            sqlite3_bind_null(st, 24);
            sqlite3_bind_null(st, 25);
            sqlite3_bind_null(st, 26);
            sqlite3_bind_int64(st, 27, created);
        }
        sqlite3_bind_int64(st, 28, created);
        sqlite3_bind_int64(st, 29, since);
        sqlite3_bind_int64(st, 30, owner);
        step_id(st);
        if (!conv) { /* lead_keys: company, tax_id, phone, email (conversion deletes a lead's keys) */
            add_key("leads", id, "name", key);
            if (has_tax) add_key("leads", id, "tax_id", tax);
            if (has_phone) add_key("leads", id, "phone", pkey);
            if (has_mail) add_key("leads", id, "email", email);
        }
    }
    sqlite3_finalize(cn);
    sqlite3_finalize(st);
    doc_numbers_store(&num);
    return n;
}

/* Follow-ups: 80 % on customers (weighted by tier: important 20, key 6, normal 1), 20 % on
   leads; dates skewed to recent weeks; the record's last_followup_at is the latest. */
static int gen_followups(double scale) {
    int n = (int)(1000000 * scale);
    if (!ncust || !nlead) return 0;
    static const double tw[] = {20, 6, 1};
    double *cum = malloc(sizeof(double) * (size_t)ncust), sum = 0;
    for (int i = 0; i < ncust; i++) cum[i] = sum += tw[cust_tier[i]];
    static const char *channels[] = {"phone", "visit", "wechat", "email", "meeting", "fax"};
    static const double channel_w[] = {40, 20, 20, 12, 7, 1};
    static const char *contents[] = {"电话沟通本季度采购计划，客户预计下月招标。", "上门拜访设备科，了解现有泵组运行情况。",
                                     "微信发送新款节能泵资料，客户表示有兴趣。", "邮件发送报价单及技术参数。",
                                     "参加客户技术交流会，介绍整体解决方案。", "跟进上次报价，客户认为价格偏高，需要再议。",
                                     "确认交货期与安装调试安排。", "节日问候，顺便了解备件需求。"};
    static const char *feedbacks[] = {"客户对交货期满意", "需要比较竞品价格", "预算尚未批准", "要求提供案例", "技术参数需确认"};
    static const char *steps[] = {"发送正式报价", "安排技术交流", "邀请参观工厂", "跟进招标信息", "确认合同条款"};
    sqlite3_stmt *st = prep(
        "INSERT INTO follow_ups(version, owner_id, org_unit_id, customer_id, lead_id, contact_id, followed_at, channel, kind,"
        " content, feedback, next_step, next_date, created_at, updated_at, created_by, updated_by)"
        " VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?6, ?6, ?13, ?13)");
    char nd[16];
    for (int i = 0; i < n; i++) {
        int days;
        char date[16];
        /* recent weeks: the days_ago skew squared once more */
        days_ago(date, &days);
        days = days * days / 1095;
        int64_t at = now - (int64_t)days * 86400 - rnd(86400);
        int64_t owner, unit, cust = 0, lead = 0, contact = 0;
        if (rnd(100) < 80) {
            double x = rndf() * sum;
            int lo = 0, hi = ncust - 1;
            while (lo < hi) {
                int mid = (lo + hi) / 2;
                if (cum[mid] < x) lo = mid + 1;
                else hi = mid;
            }
            cust = lo + 1, owner = cust_owner[lo], unit = cust_unit[lo];
            if (rnd(100) < 70) contact = cust_first_contact[lo] + rnd(cust_ncontacts[lo]);
            if (at > cust_last_fu[lo]) cust_last_fu[lo] = at;
        } else {
            int l = (int)rnd((uint32_t)nlead);
            lead = l + 1, owner = lead_owner[l], unit = lead_unit[l];
            if (at > lead_last_fu[l]) lead_last_fu[l] = at;
        }
        if (!owner) owner = rep_id[owner_of()]; /* pooled now: written by a previous owner */
        bool next = rnd(100) < 40;
        if (next) {
            time_t t = (time_t)(at + (int64_t)(3 + rnd(28)) * 86400 + 8 * 3600);
            struct tm tm;
            gmtime_r(&t, &tm);
            strftime(nd, sizeof nd, "%Y-%m-%d", &tm);
        }
        bool care = rnd(100) < 5;
        sqlite3_bind_int64(st, 1, owner);
        sqlite3_bind_int64(st, 2, unit);
        bind_id_or_null(st, 3, cust);
        bind_id_or_null(st, 4, lead);
        bind_id_or_null(st, 5, contact);
        sqlite3_bind_int64(st, 6, at);
        sqlite3_bind_text(st, 7, channels[pick_w(channel_w, 6)], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 8, care ? "care" : "normal", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 9, care ? "生日问候，送上公司贺卡。" : contents[rnd(8)], -1, SQLITE_STATIC);
        bind_text_or_null(st, 10, rnd(2) ? feedbacks[rnd(5)] : NULL);
        bind_text_or_null(st, 11, next ? steps[rnd(5)] : NULL);
        bind_text_or_null(st, 12, next ? nd : NULL);
        sqlite3_bind_int64(st, 13, owner);
        step_id(st);
    }
    sqlite3_finalize(st);
    free(cum);
    sqlite3_stmt *uc = prep("UPDATE customers SET last_followup_at = ?2 WHERE id = ?1");
    for (int i = 0; i < ncust; i++)
        if (cust_last_fu[i]) {
            sqlite3_bind_int64(uc, 1, i + 1);
            sqlite3_bind_int64(uc, 2, cust_last_fu[i]);
            step_id(uc);
        }
    sqlite3_finalize(uc);
    sqlite3_stmt *ul = prep("UPDATE leads SET last_followup_at = ?2 WHERE id = ?1");
    for (int i = 0; i < nlead; i++)
        if (lead_last_fu[i]) {
            sqlite3_bind_int64(ul, 1, i + 1);
            sqlite3_bind_int64(ul, 2, lead_last_fu[i]);
            step_id(ul);
        }
    sqlite3_finalize(ul);
    return n;
}

/* "YYYY-MM-DD" of now − days (UTC dates: the aging report compares them as text). */
static void date_back(int64_t days, char out[11]) {
    time_t t = (time_t)(now - days * 86400);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

/* Contracts of the customers' owners with their payment schedules and payments (receivables). */
static int gen_contracts(double scale) {
    int n = (int)(100000 * scale);
    add_user("bench.fin", "财务", 1, "finance");
    int ncust = 0, cap = 0;
    int64_t *cid = NULL, *cown = NULL, *cunit = NULL;
    sqlite3_stmt *st = prep("SELECT id, owner_id, org_unit_id FROM customers WHERE owner_id IS NOT NULL ORDER BY id");
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (ncust == cap) {
            cap = cap ? cap * 2 : 4096;
            cid = realloc(cid, sizeof *cid * (size_t)cap);
            cown = realloc(cown, sizeof *cown * (size_t)cap);
            cunit = realloc(cunit, sizeof *cunit * (size_t)cap);
        }
        cid[ncust] = sqlite3_column_int64(st, 0);
        cown[ncust] = sqlite3_column_int64(st, 1);
        cunit[ncust++] = sqlite3_column_int64(st, 2);
    }
    sqlite3_finalize(st);
    if (!ncust) return 0;
    static const char *states[] = {"signed", "executing", "completed", "draft"};
    static const double state_w[] = {45, 35, 15, 5};
    sqlite3_stmt *sc = prep(
        "INSERT INTO contracts(id, version, owner_id, org_unit_id, state, number, title, customer_id, signed_on,"
        " tax_rate_bp, subtotal, tax, total, scheduled_total, classification, created_at, updated_at, created_by)"
        " VALUES (?1, 1, ?2, ?3, ?4, ?5, '设备采购合同', ?6, ?7, 1300, ?8, ?9, ?10, ?10, 'general', ?11, ?11, ?2)");
    sqlite3_stmt *si = prep("INSERT INTO contract_instalments(parent_id, idx, term, due_date, amount, received)"
                            " VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id");
    sqlite3_stmt *sp = prep(
        "INSERT INTO payments(version, owner_id, org_unit_id, state, number, contract_id, instalment_id, customer_id,"
        " method, amount, paid_on, counted_on, created_at, updated_at) VALUES (1, ?1, ?2, 'recorded', ?3, ?4, ?5, ?6,"
        " 'transfer', ?7, ?8, ?8, ?9, ?9)");
    int npay = 0;
    for (int i = 0; i < n; i++) {
        int c = (int)rnd((uint32_t)ncust);
        int64_t sub = (int64_t)(1000000 + rnd(200000000)), tax = (sub * 13 + 50) / 100, total = sub + tax;
        int64_t signed_ago = 20 + rnd(700);
        char signed_on[11], number[32];
        date_back(signed_ago, signed_on);
        snprintf(number, sizeof number, "CT-2026-%06d", i + 1);
        const char *state = states[pick_w(state_w, 4)];
        sqlite3_bind_int64(sc, 1, i + 1);
        sqlite3_bind_int64(sc, 2, cown[c]);
        sqlite3_bind_int64(sc, 3, cunit[c]);
        sqlite3_bind_text(sc, 4, state, -1, SQLITE_STATIC);
        sqlite3_bind_text(sc, 5, number, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(sc, 6, cid[c]);
        sqlite3_bind_text(sc, 7, signed_on, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(sc, 8, sub);
        sqlite3_bind_int64(sc, 9, tax);
        sqlite3_bind_int64(sc, 10, total);
        sqlite3_bind_int64(sc, 11, now - signed_ago * 86400);
        step_id(sc);
        int64_t first = (total * 3 + 5) / 10, amount[2] = {first, total - first};
        int64_t due_ago[2] = {signed_ago - 10, signed_ago - 90 - rnd(90)};
        for (int k = 0; k < 2; k++) {
            char due[11];
            date_back(due_ago[k], due);
            sqlite3_bind_int64(si, 1, i + 1);
            sqlite3_bind_int(si, 2, k);
            sqlite3_bind_text(si, 3, k ? "acceptance" : "prepayment", -1, SQLITE_STATIC);
            sqlite3_bind_text(si, 4, due, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(si, 5, amount[k]);
            uint32_t roll = rnd(100);
            bool open = !strcmp(state, "draft") || roll >= 75;
            int64_t paid = open ? 0 : roll < 60 ? amount[k] : amount[k] / 2;
            sqlite3_bind_int64(si, 6, paid); /* what the contracts' rollup keeps (migration 0044) */
            int64_t inst = step_id(si);
            if (open) continue;
            int64_t paid_ago = due_ago[k] - 5 > 0 ? due_ago[k] - 5 : 0;
            char on[11], pn[32];
            date_back(paid_ago, on);
            snprintf(pn, sizeof pn, "RC-2026-%07d", ++npay);
            sqlite3_bind_int64(sp, 1, cown[c]);
            sqlite3_bind_int64(sp, 2, cunit[c]);
            sqlite3_bind_text(sp, 3, pn, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(sp, 4, i + 1);
            sqlite3_bind_int64(sp, 5, inst);
            sqlite3_bind_int64(sp, 6, cid[c]);
            sqlite3_bind_int64(sp, 7, paid);
            sqlite3_bind_text(sp, 8, on, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(sp, 9, now - paid_ago * 86400);
            step_id(sp);
        }
    }
    sqlite3_finalize(sc);
    sqlite3_finalize(si);
    sqlite3_finalize(sp);
    free(cid);
    free(cown);
    free(cunit);
    return n;
}

/* The match keys were written with their rows; this entry reports them. */
static int gen_match_keys(double scale) { (void)scale; return (int)n_keys; }

/* The periodic jobs (pool return, tier recompute, reminders, statistics) are stamped as
   run now: the data stands for a database on which they have run, and a benchmark run
   measures requests, not a first full pass of every job over a million rows. */
static int gen_jobs(double scale) {
    (void)scale;
    /* every periodic job the server declares: one missing runs its first pass at the first tick
       (deadlines over every lead) and held the write lock long enough to fail the logins */
    static const char *jobs[] = {"pool_return", "tier_recompute", "followup_overdue", "customer_care", "stage_overdue",
                                 "approval_overdue", "auth_cleanup", "db_statistics", "deadlines", "job_files",
                                 "quote_expiry", "receivable_overdue"};
    int n = (int)(sizeof jobs / sizeof *jobs);
    sqlite3_stmt *st = prep("INSERT OR REPLACE INTO scheduler_runs(job, last_run_at, last_ok_at, runs) VALUES (?1, ?2, ?2, 1)");
    for (int i = 0; i < n; i++) {
        sqlite3_bind_text(st, 1, jobs[i], -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, now);
        step_id(st);
    }
    sqlite3_finalize(st);
    return n;
}

/* ---------------------------------------------------------------- main */

typedef struct Gen {
    const char *name;
    int (*fn)(double scale);
} Gen;

/* One entry per entity, in dependency order. */
static const Gen gens[] = {
    {"products", gen_products},
    {"market_research", gen_research},
    {"customers", gen_customers},
    {"contacts", gen_contacts},
    {"leads", gen_leads},
    {"follow_ups", gen_followups},
    {"contracts", gen_contracts},
    {"match_keys", gen_match_keys},
    {"scheduler_runs", gen_jobs},
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
    /* One transaction without a journal (generated data: a failed run is made again) and a page cache
       of 512 MB per unit of scale, at most 8 GB: the indexes' random inserts stay in memory. In WAL
       mode the transaction spilled every page it evicted to the log, again at each eviction: at
       scale 10 the log was 2 GB after 18 minutes. The database is left in WAL mode for the server. */
    char pragmas[200];
    long long cache_kb = (long long)(scale * 524288);
    if (cache_kb < 262144) cache_kb = 262144;
    if (cache_kb > 8388608) cache_kb = 8388608;
    snprintf(pragmas, sizeof pragmas,
             "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA foreign_keys=ON; PRAGMA cache_size=-%lld; BEGIN",
             cache_kb);
    exec(pragmas);
    gen_org();
    for (size_t g = 0; g < sizeof gens / sizeof gens[0]; g++) {
        int n = gens[g].fn(scale);
        printf("gen: %-16s %8d rows\n", gens[g].name, n);
    }
    if (mk_st) sqlite3_finalize(mk_st);
    exec("COMMIT; PRAGMA journal_mode=WAL");
    printf("gen: %d reps, %d teams, seed %llu\n", NREPS, NTEAMS, (unsigned long long)seed);
    sqlite3_close(db);
    return 0;
}
