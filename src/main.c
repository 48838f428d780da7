/*
** main.c — the salesloop command line: serve, init, migrate, user, token,
** backup, restore (database and attachment files), demo, test-request. Settings come from flags, then the
** environment (SALESLOOP_DB, _PORT, _BIND, _WEB, _DATA, _TRUSTED_PROXIES), then a config file
** (--config, "key = value" lines), then defaults.
*/
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "flow/flow.h"
#include "http/internal.h"
#include "model/attach.h"
#include "model/jobs.h"
#include "model/model.h"
#include "model/search.h"
#include "modules/modules.h"

#ifdef SALESLOOP_TEST_MODULE
void test_module_register(void); /* tests/module/testdoc.c, in the test build only */
#endif

#define DEFAULT_DB "./data/salesloop.db"

/* ---------------------------------------------------------------- options */

typedef struct Opts {
    const char *db, *bind, *web, *data, *config, *password, *name, *roles, *unit, *demo_password;
    char *trusted_proxies; /* comma-separated; --trusted-proxy may be given several times */
    int port, threads, workers, demo, help, expires_days;
    long max_body;
    long max_import_body; /* body limit of file imports (R_BIG_BODY routes) */
    int argc;             /* positional arguments after the options */
    char **argv;
} Opts;

/* "key = value" lines; '#' starts a comment. Values fill only what flags and env left unset. */
static void read_config(Opts *o) {
    if (!o->config) return;
    FILE *f = fopen(o->config, "r");
    if (!f) {
        fprintf(stderr, "salesloop: cannot read config %s: %s\n", o->config, strerror(errno));
        exit(2);
    }
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        char *hash = strchr(line, '#');
        if (hash) *hash = 0;
        char *eq = strchr(line, '=');
        if (!eq) continue;
        *eq = 0;
        char *k = line, *v = eq + 1;
        while (*k == ' ' || *k == '\t')
            k++;
        for (char *e = k + strlen(k); e > k && (e[-1] == ' ' || e[-1] == '\t'); e--)
            e[-1] = 0;
        while (*v == ' ' || *v == '\t')
            v++;
        for (char *e = v + strlen(v); e > v && (e[-1] == ' ' || e[-1] == '\n' || e[-1] == '\r' || e[-1] == '\t'); e--)
            e[-1] = 0;
        char *val = xstrdup(v);
        if (!strcmp(k, "db") && !o->db)
            o->db = val;
        else if (!strcmp(k, "bind") && !o->bind)
            o->bind = val;
        else if (!strcmp(k, "web") && !o->web)
            o->web = val;
        else if (!strcmp(k, "data") && !o->data)
            o->data = val;
        else if (!strcmp(k, "port") && !o->port)
            o->port = atoi(val);
        else if (!strcmp(k, "threads") && !o->threads)
            o->threads = atoi(val);
        else if (!strcmp(k, "workers") && !o->workers)
            o->workers = atoi(val);
        else if (!strcmp(k, "max_body") && !o->max_body)
            o->max_body = atol(val);
        else if (!strcmp(k, "max_import_body") && !o->max_import_body)
            o->max_import_body = atol(val);
        else if (!strcmp(k, "trusted_proxies") && !o->trusted_proxies)
            o->trusted_proxies = val;
    }
    fclose(f);
}

static void from_env(Opts *o) {
    const char *v;
    if (!o->db && (v = getenv("SALESLOOP_DB"))) o->db = v;
    if (!o->bind && (v = getenv("SALESLOOP_BIND"))) o->bind = v;
    if (!o->web && (v = getenv("SALESLOOP_WEB"))) o->web = v;
    if (!o->data && (v = getenv("SALESLOOP_DATA"))) o->data = v;
    if (!o->port && (v = getenv("SALESLOOP_PORT"))) o->port = atoi(v);
    if (!o->trusted_proxies && (v = getenv("SALESLOOP_TRUSTED_PROXIES"))) o->trusted_proxies = xstrdup(v);
    if (!o->workers && (v = getenv("SALESLOOP_WORKERS"))) o->workers = atoi(v);
}

/* Add one --trusted-proxy value (itself possibly a comma list) to o->trusted_proxies. */
static void add_trusted_proxy(Opts *o, const char *v) {
    if (!o->trusted_proxies) {
        o->trusted_proxies = xstrdup(v);
        return;
    }
    size_t n = strlen(o->trusted_proxies) + strlen(v) + 2;
    char *joined = xmalloc(n);
    snprintf(joined, n, "%s,%s", o->trusted_proxies, v);
    free(o->trusted_proxies);
    o->trusted_proxies = joined;
}

static int parse_opts(int argc, char **argv, Opts *o) {
    static const struct option longopts[] = {
        {"db", required_argument, 0, 'd'},
        {"port", required_argument, 0, 'p'},
        {"bind", required_argument, 0, 'b'},
        {"web", required_argument, 0, 'w'},
        {"data", required_argument, 0, 'D'},
        {"config", required_argument, 0, 'c'},
        {"threads", required_argument, 0, 't'},
        {"workers", required_argument, 0, 'W'},
        {"max-body", required_argument, 0, 'm'},
        {"password", required_argument, 0, 'P'},
        {"max-import-body", required_argument, 0, 'M'},
        {"admin-password", required_argument, 0, 'P'},
        {"name", required_argument, 0, 'n'},
        {"roles", required_argument, 0, 'r'},
        {"unit", required_argument, 0, 'u'},
        {"demo", no_argument, 0, 'x'},
        {"demo-password", required_argument, 0, 'X'},
        {"expires-days", required_argument, 0, 'e'},
        {"help", no_argument, 0, 'h'},
        {"trusted-proxy", required_argument, 0, 'T'},
        {0, 0, 0, 0},
    };
    memset(o, 0, sizeof *o);
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            o->db = optarg;
            break;
        case 'p':
            o->port = atoi(optarg);
            break;
        case 'b':
            o->bind = optarg;
            break;
        case 'w':
            o->web = optarg;
            break;
        case 'D':
            o->data = optarg;
            break;
        case 'c':
            o->config = optarg;
            break;
        case 't':
            o->threads = atoi(optarg);
            break;
        case 'W':
            o->workers = atoi(optarg);
            break;
        case 'm':
            o->max_body = atol(optarg);
            break;
        case 'M':
            o->max_import_body = atol(optarg);
            break;
        case 'P':
            o->password = optarg;
            break;
        case 'n':
            o->name = optarg;
            break;
        case 'r':
            o->roles = optarg;
            break;
        case 'u':
            o->unit = optarg;
            break;
        case 'x':
            o->demo = 1;
            break;
        case 'X':
            o->demo_password = optarg;
            break;
        case 'e':
            o->expires_days = atoi(optarg);
            break;
        case 'T':
            add_trusted_proxy(o, optarg);
            break;
        case 'h':
            o->help = 1;
            break;
        default:
            return -1;
        }
    }
    o->argc = argc - optind;
    o->argv = argv + optind;
    from_env(o);
    read_config(o);
    if (!o->db) o->db = DEFAULT_DB;
    return 0;
}

/* Open the database and bring its schema up to date; exits on failure. */
static Db *open_db(const Opts *o) {
    char err[512];
    if (strncmp(o->db, "postgres", 8) != 0) {
        /* create the folder of a SQLite file */
        char dir[1024];
        snprintf(dir, sizeof dir, "%s", o->db);
        char *slash = strrchr(dir, '/');
        if (slash && slash != dir) {
            *slash = 0;
            mkdir(dir, 0750);
        }
    }
    Db *db = db_open(o->db, err, sizeof err);
    if (!db) {
        fprintf(stderr, "salesloop: cannot open %s: %s\n", o->db, err);
        exit(1);
    }
    if (db_migrate(db, err, sizeof err) < 0) {
        fprintf(stderr, "salesloop: migration failed: %s\n", err);
        exit(1);
    }
    if (refdata_load(db) < 0) exit(1); /* the reference lists of FT_CODE fields (model/refdata.h) */
    return db;
}

/* ---------------------------------------------------------------- user helpers */

/* The password policy (password_policy_check) on the command line: 0 ok, else -1 with the reason in err. */
static int password_refused(Db *db, const char *username, const char *password, char *err, size_t errlen) {
    Err e = {0};
    if (password_policy_check(db, username, password, "password", &e) == 0) return 0;
    Arena *a = arena_new();
    snprintf(err, errlen, "password refused (%s): %s", e.code, i18n_error(a, "en", e.code, NULL, e.detail));
    arena_free(a);
    return -1;
}

/* Create a user with roles (comma list) in a unit; prints nothing. 0 ok; the password must pass the policy. */
static int create_user(Db *db, const char *username, const char *display, const char *password, const char *roles,
                       int64_t unit, int64_t *out_id, char *err, size_t errlen) {
    if (password_refused(db, username, password, err, errlen) < 0) return -1;
    Arena *a = arena_new();
    int rc = -1;
    char *hash = password_hash(a, password);
    json_t *ra = json_array();
    for (const char *p = roles ? roles : ""; *p;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        char *role = arena_strndup(a, p, n);
        if (n && role_by_name(role) < 0) {
            snprintf(err, errlen, "unknown role %s", role);
            goto out;
        }
        if (n) json_array_append_new(ra, json_string(role));
        p += n + (comma ? 1 : 0);
    }
    if (!hash || db_begin(db) != DB_OK) {
        snprintf(err, errlen, "cannot start: %s", db_errmsg(db));
        goto out;
    }
    int64_t now = now_epoch();
    Stmt *st =
        db_prepare(db, "INSERT INTO users(username, display_name, password_hash, org_unit_id, created_at, updated_at)\n"
                       " VALUES (?1, ?2, ?3, ?4, ?5, ?5) RETURNING id");
    db_bind_text(st, 1, username, -1);
    db_bind_text(st, 2, display, -1);
    db_bind_text(st, 3, hash, -1);
    if (unit)
        db_bind_int64(st, 4, unit);
    else
        db_bind_null(st, 4);
    db_bind_int64(st, 5, now);
    int64_t id = db_step(st) == DB_ROW ? db_col_int64(st, 0) : 0;
    db_done(st);
    if (!id || user_roles_store(db, id, ra) < 0) {
        snprintf(err, errlen, "cannot create user %s: %s", username, db_errmsg(db));
        db_rollback(db);
        goto out;
    }
    st = db_prepare(db, "UPDATE users SET owner_id = id WHERE id = ?1");
    db_bind_int64(st, 1, id);
    db_step(st);
    db_done(st);
    if (search_index_row(db, a, entity_find("users"), id) < 0) {
        snprintf(err, errlen, "cannot index user %s: %s", username, db_errmsg(db));
        db_rollback(db);
        goto out;
    }
    st = db_prepare(db, "INSERT INTO audit(at, entity, row_id, action, changes, client_addr) VALUES (?1, 'users', ?2, "
                        "'create', ?3, 'cli')");
    db_bind_int64(st, 1, now);
    db_bind_int64(st, 2, id);
    char *ch = arena_printf(a, "{\"username\":[null,\"%s\"],\"via\":[null,\"command line\"]}", username);
    db_bind_text(st, 3, ch, -1);
    db_step(st);
    db_done(st);
    if (db_commit(db) != DB_OK) {
        snprintf(err, errlen, "commit failed: %s", db_errmsg(db));
        goto out;
    }
    if (out_id) *out_id = id;
    rc = 0;
out:
    json_decref(ra);
    arena_free(a);
    return rc;
}

/* A readable random password: 16 URL-safe characters. Caller frees. */
static char *new_password(void) {
    Arena *a = arena_new();
    char *p = xstrdup(random_token(a, 12));
    arena_free(a);
    return p;
}

static int64_t user_id_by_name(Db *db, const char *username) {
    Stmt *st = db_prepare(db, "SELECT id FROM users WHERE username = ?1 AND deleted_at IS NULL");
    db_bind_text(st, 1, username, -1);
    int64_t id = db_step(st) == DB_ROW ? db_col_int64(st, 0) : 0;
    db_done(st);
    return id;
}

/* ---------------------------------------------------------------- commands */

static int usage(void) {
    fputs("salesloop — sales quality closed-loop management\n\n"
          "usage: salesloop <command> [options]   (salesloop <command> --help for its options)\n\n"
          "  serve       serve the web UI and the API\n"
          "  init        create the database, the company root unit and the admin account\n"
          "  migrate     apply pending schema migrations\n"
          "  user        add | passwd | roles | disable users\n"
          "  token       create | revoke API tokens\n"
          "  backup      online backup of a SQLite database and the attachment files\n"
          "  restore     restore a SQLite database and the attachment files from a backup\n"
          "  demo        load the demo company into a database\n"
          "  search-rebuild  rebuild the search index of every entity from its rows\n"
          "  test-request  run one HTTP request read from stdin, without a socket\n\n"
          "Common options: --db PATH|postgres://…  --config FILE\n",
          stderr);
    return 2;
}

static int cmd_serve(Opts *o) {
    if (o->help) {
        fputs("salesloop serve [--db URL] [--port 8080] [--bind 127.0.0.1] [--web web/dist] [--data ./data]\n"
              "                [--threads N] [--workers N] [--max-body BYTES] [--max-import-body BYTES]\n"
              "                [--trusted-proxy ADDR[,ADDR...]]... [--config FILE]\n"
              "--trusted-proxy: requests from these peer addresses may say X-Forwarded-For (the client's\n"
              "  address) and X-Forwarded-Proto: https (the session cookie is then Secure); others are not believed\n"
              "env: SALESLOOP_DB SALESLOOP_PORT SALESLOOP_BIND SALESLOOP_WEB SALESLOOP_DATA\n"
              "     SALESLOOP_TRUSTED_PROXIES; SALESLOOP_ACCESS_LOG=0 turns the access log off\n",
              stderr);
        return 0;
    }
    if (server_trusted_proxies(o->trusted_proxies) < 0) return 2;
    /* Large blocks (an aging board's lines, a login's 19 MiB Argon2 memory) are mapped and given back
       when freed. Left to glibc, the first such block freed raises the threshold to its size, and every
       later one of that size stays in the heap for good: the heap under *mixed* at bench scale 10 went
       71 -> 162 MB after the boards ran (bench/FINDINGS.md 54). Set, the threshold no longer moves. */
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    Db *db = open_db(o);
    bool ready = entity_check_schema(db) == 0 && entity_sortkeys_fill(db) == 0 &&
                 refdata_fix_values(db) == 0 && /* free text left in FT_CODE fields becomes codes */
                 /* the search index of entities it does not hold whole yet (a new database, a new entity) */
                 search_rebuild_needed(db, false) == 0;
    if (ready) db_refresh_statistics(db); /* good plans from the first request on */
    db_close(db);                         /* a refused start too: nothing of the database is left open */
    if (!ready) return 1;
    ServerConfig cfg = {
        .db_url = o->db,
        .bind = o->bind ? o->bind : "127.0.0.1",
        .port = o->port ? o->port : 8080,
        .web_dir = o->web,
        .data_dir = o->data ? o->data : "./data",
        .threads = o->threads,
        .workers = o->workers,
        .max_body = o->max_body > 0 ? (size_t)o->max_body : 1024 * 1024,
        .max_big_body = o->max_import_body > 0 ? (size_t)o->max_import_body : 50u << 20,
        .request_timeout = 30,
        .trusted_proxies = o->trusted_proxies,
    };
    attach_init(cfg.data_dir);
    jobs_init(cfg.data_dir);
    struct stat sb;
    if (cfg.web_dir && (stat(cfg.web_dir, &sb) != 0 || !S_ISDIR(sb.st_mode))) {
        log_warn("web folder %s not found: the API is served, the UI is not", cfg.web_dir);
        cfg.web_dir = NULL;
    }
    char holder[128];
    char host[64] = "";
    gethostname(host, sizeof host - 1);
    snprintf(holder, sizeof holder, "%s:%d:%d", host, (int)getpid(), cfg.port);
    scheduler_start(o->db, holder);
    int rc = server_run(&cfg);
    scheduler_stop();
    return rc;
}

static int cmd_init(Opts *o) {
    if (o->help) {
        fputs("salesloop init [--db URL] [--admin-password PW] [--demo [--demo-password PW]]\n"
              "Creates the schema, the company root unit and the admin account (password printed once).\n",
              stderr);
        return 0;
    }
    Db *db = open_db(o);
    int64_t users = 0;
    Stmt *st = db_prepare(db, "SELECT count(*) FROM users");
    if (db_step(st) == DB_ROW) users = db_col_int64(st, 0);
    db_done(st);
    if (users > 0) {
        fprintf(stderr, "salesloop: %s already has users; nothing to do\n", o->db);
        db_close(db);
        return 0;
    }
    char err[256];
    if ((o->password && password_refused(db, "admin", o->password, err, sizeof err) < 0) ||
        (o->demo && o->demo_password && password_refused(db, NULL, o->demo_password, err, sizeof err) < 0)) {
        fprintf(stderr, "salesloop: %s\n", err); /* refused before anything is written */
        db_close(db);
        return 1;
    }
    int64_t now = now_epoch();
    db_begin(db);
    st = db_prepare(db, "INSERT INTO org_units(name, code, path, created_at, updated_at) VALUES ('总公司', 'HQ', '/', "
                        "?1, ?1) RETURNING id");
    db_bind_int64(st, 1, now);
    int64_t root = db_step(st) == DB_ROW ? db_col_int64(st, 0) : 0;
    db_done(st);
    st = db_prepare(db, "UPDATE org_units SET path = ?1, org_unit_id = ?2 WHERE id = ?2");
    char path[32];
    snprintf(path, sizeof path, "/%lld/", (long long)root);
    db_bind_text(st, 1, path, -1);
    db_bind_int64(st, 2, root);
    db_step(st);
    db_done(st);
    if (db_commit(db) != DB_OK) {
        fprintf(stderr, "salesloop: init failed: %s\n", db_errmsg(db));
        return 1;
    }
    char *pw = o->password ? xstrdup(o->password) : new_password();
    if (create_user(db, "admin", "系统管理员", pw, "admin", root, NULL, err, sizeof err) < 0) {
        fprintf(stderr, "salesloop: %s\n", err);
        return 1;
    }
    if (!o->password) printf("admin password (shown once): %s\n", pw);
    printf("initialised %s\n", o->db);
    if (o->demo) {
        char *dpw = o->demo_password ? xstrdup(o->demo_password) : new_password();
        if (password_refused(db, NULL, dpw, err, sizeof err) < 0 || demo_load(db, dpw, err, sizeof err) < 0 ||
            search_rebuild_needed(db, true) < 0) {
            fprintf(stderr, "salesloop: demo data: %s\n", err);
            return 1;
        }
        db_refresh_statistics(db); /* a bulk load: PostgreSQL would plan from an empty table's statistics */
        printf(
            "demo company loaded; demo users (wang.fang, li.qiang, zhao.min, chen.jie, liu.yang, ...) password: %s\n",
            dpw);
        free(dpw);
    }
    free(pw);
    db_close(db);
    return 0;
}

static int cmd_migrate(Opts *o) {
    if (o->help) {
        fputs("salesloop migrate [--db URL]   apply pending migrations and print the schema version\n", stderr);
        return 0;
    }
    Db *db = open_db(o);
    printf("schema version %d\n", db_schema_version(db));
    db_close(db);
    return 0;
}

static int cmd_search_rebuild(Opts *o) {
    if (o->help) {
        fputs("salesloop search-rebuild [--db URL] [ENTITY...]   rebuild the search index from the rows\n"
              "of every entity (or of those named); the server also builds it on start for entities it\n"
              "does not hold yet\n",
              stderr);
        return 0;
    }
    Db *db = open_db(o);
    int rc = o->argc > 0 ? search_rebuild_entities(db, o->argv, o->argc) : search_rebuild_needed(db, true);
    if (rc == 0) db_refresh_statistics(db);
    db_close(db);
    if (rc < 0) fprintf(stderr, "salesloop: search-rebuild failed (see the log)\n");
    return rc < 0 ? 1 : 0;
}

static int cmd_demo(Opts *o) {
    if (o->help) {
        fputs("salesloop demo [--db URL] [--demo-password PW]   load the demo company\n", stderr);
        return 0;
    }
    Db *db = open_db(o);
    char err[256];
    char *pw = o->demo_password ? xstrdup(o->demo_password) : new_password();
    if (password_refused(db, NULL, pw, err, sizeof err) < 0 || demo_load(db, pw, err, sizeof err) < 0) {
        fprintf(stderr, "salesloop: %s\n", err);
        return 1;
    }
    if (search_rebuild_needed(db, true) < 0) {
        fprintf(stderr, "salesloop: demo data: the search index could not be rebuilt\n");
        return 1;
    }
    db_refresh_statistics(db); /* a bulk load: PostgreSQL would plan from an empty table's statistics */
    printf("demo company loaded; demo users password: %s\n", pw);
    free(pw);
    db_close(db);
    return 0;
}

static int cmd_user(Opts *o) {
    const char *sub = o->argc > 0 ? o->argv[0] : NULL;
    if (o->help || !sub || o->argc < 2) {
        fputs("salesloop user add USERNAME [--name NAME] [--roles r1,r2] [--unit UNIT_ID] [--password PW]\n"
              "salesloop user passwd USERNAME [--password PW]\n"
              "salesloop user roles USERNAME r1,r2\n"
              "salesloop user disable USERNAME\n"
              "Roles: admin gm sales_director deputy_director sales_manager supervisor sales_rep cs_specialist\n"
              "       finance legal tech production qc purchasing warehouse\n",
              stderr);
        return o->help ? 0 : 2;
    }
    const char *username = str_ascii_lower(o->argv[1]); /* user names are stored in lower case */
    Db *db = open_db(o);
    char err[256];
    int rc = 0;
    if (!strcmp(sub, "add")) {
        char *pw = o->password ? xstrdup(o->password) : new_password();
        int64_t unit = o->unit ? atoll(o->unit) : 0;
        if (create_user(db, username, o->name ? o->name : username, pw, o->roles, unit, NULL, err, sizeof err) < 0) {
            fprintf(stderr, "salesloop: %s\n", err);
            rc = 1;
        } else if (!o->password) {
            printf("password for %s (shown once): %s\n", username, pw);
        }
        free(pw);
    } else {
        int64_t id = user_id_by_name(db, username);
        if (!id) {
            fprintf(stderr, "salesloop: no user %s\n", username);
            db_close(db);
            return 1;
        }
        Arena *a = arena_new();
        if (!strcmp(sub, "passwd")) {
            char *pw = o->password ? xstrdup(o->password) : new_password();
            char *hash = NULL;
            snprintf(err, sizeof err, "cannot hash the password");
            if (password_refused(db, username, pw, err, sizeof err) < 0 || !(hash = password_hash(a, pw))) {
                fprintf(stderr, "salesloop: %s\n", err);
                free(pw);
                arena_free(a);
                db_close(db);
                return 1;
            }
            /* a new password also ends the lockout and every session of the user */
            static const char *const zSql[] = {
                "UPDATE users SET password_hash = ?1, password_changed_at = ?2 WHERE id = ?3",
                "DELETE FROM login_guards WHERE name = ?1",
                "DELETE FROM sessions WHERE user_id = ?1",
            };
            bool begun = db_begin(db) == DB_OK;
            rc = !begun;
            for (int i = 0; i < 3 && !rc; i++) {
                Stmt *st = db_prepare(db, zSql[i]);
                if (!st) {
                    rc = 1;
                    break;
                }
                if (i == 0) {
                    db_bind_text(st, 1, hash, -1);
                    db_bind_int64(st, 2, now_epoch());
                    db_bind_int64(st, 3, id);
                } else if (i == 1) {
                    db_bind_text(st, 1, arena_printf(a, "u:%s", username), -1);
                } else {
                    db_bind_int64(st, 1, id);
                }
                rc = db_step(st) < 0;
                db_done(st);
            }
            if (!rc) rc = db_commit(db) != DB_OK;
            if (rc) {
                if (begun) db_rollback(db);
                fprintf(stderr, "salesloop: cannot set the password: %s\n", db_errmsg(db));
            } else if (!o->password) {
                printf("new password for %s (shown once): %s\n", username, pw);
            }
            free(pw);
        } else if (!strcmp(sub, "roles") && o->argc >= 3) {
            json_t *ra = json_array();
            for (char *p = o->argv[2], *tok; (tok = strsep(&p, ","));) {
                if (!*tok) continue;
                if (role_by_name(tok) < 0) {
                    fprintf(stderr, "salesloop: unknown role %s\n", tok);
                    rc = 1;
                }
                json_array_append_new(ra, json_string(tok));
            }
            if (!rc) {
                db_begin(db);
                rc = user_roles_store(db, id, ra) < 0 || db_commit(db) != DB_OK;
            }
            json_decref(ra);
        } else if (!strcmp(sub, "disable")) {
            Stmt *st = db_prepare(db, "UPDATE users SET disabled = 1, version = version + 1 WHERE id = ?1");
            db_bind_int64(st, 1, id);
            rc = db_step(st) < 0;
            db_done(st);
            st = db_prepare(db, "DELETE FROM sessions WHERE user_id = ?1");
            db_bind_int64(st, 1, id);
            db_step(st);
            db_done(st);
        } else {
            fprintf(stderr, "salesloop: unknown user command %s\n", sub);
            rc = 2;
        }
        arena_free(a);
    }
    db_close(db);
    return rc;
}

static int cmd_token(Opts *o) {
    const char *sub = o->argc > 0 ? o->argv[0] : NULL;
    if (o->help || !sub || o->argc < 2) {
        fputs("salesloop token create USERNAME [--name NAME] [--expires-days N]   prints the token once\n"
              "salesloop token revoke TOKEN_ID\n",
              stderr);
        return o->help ? 0 : 2;
    }
    Db *db = open_db(o);
    Arena *a = arena_new();
    int rc = 0;
    if (!strcmp(sub, "create")) {
        int64_t uid = user_id_by_name(db, str_ascii_lower(o->argv[1]));
        if (!uid) {
            fprintf(stderr, "salesloop: no user %s\n", o->argv[1]);
            rc = 1;
        } else {
            char *tok = arena_printf(a, "slt_%s", random_token(a, 32));
            Stmt *st =
                db_prepare(db, "INSERT INTO api_tokens(user_id, name, token_hash, prefix, created_at, expires_at)"
                               " VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id");
            db_bind_int64(st, 1, uid);
            db_bind_text(st, 2, o->name ? o->name : "cli", -1);
            db_bind_text(st, 3, sha256_hex(a, tok), -1);
            db_bind_text(st, 4, tok, 10);
            db_bind_int64(st, 5, now_epoch());
            if (o->expires_days > 0)
                db_bind_int64(st, 6, now_epoch() + (int64_t)o->expires_days * 86400);
            else
                db_bind_null(st, 6);
            int64_t id = db_step(st) == DB_ROW ? db_col_int64(st, 0) : 0;
            db_done(st);
            if (id)
                printf("token %lld (shown once): %s\n", (long long)id, tok);
            else
                rc = 1;
        }
    } else if (!strcmp(sub, "revoke")) {
        Stmt *st = db_prepare(db, "UPDATE api_tokens SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL");
        db_bind_int64(st, 1, now_epoch());
        db_bind_int64(st, 2, atoll(o->argv[1]));
        db_step(st);
        db_done(st);
        if (db_changes(db) != 1) {
            fprintf(stderr, "salesloop: no active token %s\n", o->argv[1]);
            rc = 1;
        }
    } else {
        rc = 2;
    }
    arena_free(a);
    db_close(db);
    return rc;
}

/*
** backup DEST: the SQLite database to DEST (online, consistent) and the content of every
** attachment row to DEST.files/ (same ab/cd/<sha256> layout as DATA/files; files already there
** from an earlier backup are kept). restore SRC: the database from SRC, then the attachment
** files named by the restored rows from SRC.files/ into the data folder, each checked against
** its hash. On PostgreSQL the database is pg_dump's job; the files are carried all the same.
*/
static int cmd_backup(Opts *o, bool restore) {
    if (o->help || o->argc < 1) {
        fputs(restore ? "salesloop restore --db PATH [--data DIR] BACKUP_FILE   (stop the server first)\n"
                        "  restores the database from BACKUP_FILE and the attachment files from BACKUP_FILE.files/\n"
                      : "salesloop backup --db PATH [--data DIR] DEST_FILE   (online, consistent)\n"
                        "  writes the database to DEST_FILE and the attachment files to DEST_FILE.files/;\n"
                        "  on PostgreSQL only the files (back the database up with pg_dump)\n",
              stderr);
        return o->help ? 0 : 2;
    }
    attach_init(o->data ? o->data : "./data");
    char err[512];
    Db *db = db_open(o->db, err, sizeof err);
    if (!db) {
        fprintf(stderr, "salesloop: %s\n", err);
        return 1;
    }
    const char *path = o->argv[0];
    char files[1024];
    snprintf(files, sizeof files, "%s.files", path);
    int rc = 0;
    if (db_kind(db) == DB_PG) {
        fprintf(stderr, "salesloop: PostgreSQL: %s the database with %s; carrying the attachment files only\n",
                restore ? "restore" : "back up", restore ? "pg_restore or psql" : "pg_dump");
    } else {
        rc = restore ? db_restore(db, path, err, sizeof err) : db_backup(db, path, err, sizeof err);
        if (rc < 0) {
            fprintf(stderr, "salesloop: %s\n", err);
            db_close(db);
            return 1;
        }
        printf("database %s %s\n", restore ? "restored from" : "backed up to", path);
    }
    int copied = 0, missing = 0, damaged = 0;
    if (db_schema_version(db) < 14) { /* a database from before attachments (migration 0014) */
        db_close(db);
        return 0;
    }
    rc = restore ? attach_restore(db, files, &copied, &missing, &damaged, err, sizeof err)
                 : attach_backup(db, files, &copied, &missing, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "salesloop: attachment files: %s\n", err);
    } else {
        printf("attachment files %s %s: %d copied\n", restore ? "restored from" : "backed up to", files, copied);
        if (missing || damaged) {
            fprintf(stderr, "salesloop: %d attachment file(s) missing, %d damaged (see the log)\n", missing, damaged);
            rc = -1;
        }
    }
    db_close(db);
    return rc < 0;
}

/*
** test-request: read "METHOD PATH\nHeader: value\n...\n\nbody" from stdin,
** run it through the full pipeline on one connection, print status, headers
** and body. No socket (Fossil test-http).
*/
static int cmd_test_request(Opts *o) {
    if (o->help) {
        fputs("salesloop test-request [--db URL] < request.txt\n", stderr);
        return 0;
    }
    Db *db = open_db(o);
    attach_init(o->data ? o->data : "./data");
    Arena *a = arena_new();
    Buf in;
    buf_init(&in, a);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
        buf_add(&in, chunk, n);
    Req r = {0};
    r.a = a;
    r.db = db;
    r.now = now_epoch();
    r.request_id = "test";
    r.client_addr = "127.0.0.1";
    char *p = in.p;
    char *eol = strstr(p, "\n");
    if (!eol) {
        fprintf(stderr, "salesloop: empty request\n");
        return 2;
    }
    *eol = 0;
    char *sp = strchr(p, ' ');
    if (!sp) return 2;
    *sp = 0;
    r.method = p;
    char *target = sp + 1;
    char *cr = strchr(target, '\r');
    if (cr) *cr = 0;
    char *q = strchr(target, '?');
    if (q) {
        *q = 0;
        r.query = q + 1;
    } else {
        r.query = "";
    }
    r.path = target;
    p = eol + 1;
    while (*p && *p != '\n' && *p != '\r') {
        eol = strchr(p, '\n');
        if (eol) *eol = 0;
        char *colon = strchr(p, ':');
        if (colon) {
            *colon = 0;
            char *v = colon + 1;
            while (*v == ' ')
                v++;
            char *e = v + strlen(v);
            if (e > v && e[-1] == '\r') e[-1] = 0;
            if (!strcasecmp(p, "cookie"))
                r.cookie = v;
            else if (!strcasecmp(p, "authorization"))
                r.authorization = v;
            else if (!strcasecmp(p, "x-csrf-token"))
                r.csrf_header = v;
            else if (!strcasecmp(p, "accept-language"))
                r.accept_language = v;
            else if (!strcasecmp(p, "content-type"))
                r.content_type = v;
        }
        if (!eol) {
            p += strlen(p);
            break;
        }
        p = eol + 1;
    }
    if (*p == '\r') p++;
    if (*p == '\n') p++;
    if (*p) {
        r.body = p;
        r.body_len = strlen(p);
    }
    request_run(&r);
    printf("%d\n", r.status);
    if (r.content_type_out) printf("Content-Type: %s\n", r.content_type_out);
    for (int i = 0; i < r.nhdrs; i++)
        printf("%s: %s\n", r.hdrs[i].name, r.hdrs[i].value);
    printf("\n");
    fwrite(r.out ? r.out : "", 1, r.out_len, stdout);
    printf("\n");
    arena_free(a);
    db_close(db);
    return r.status >= 500;
}

int main(int argc, char **argv) {
    if (sodium_init() < 0) {
        fprintf(stderr, "salesloop: libsodium failed to start\n");
        return 1;
    }
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) return usage();
    const char *cmd = argv[1];
    Opts o;
    if (parse_opts(argc - 1, argv + 1, &o) < 0) return 2;
    modules_register();
#ifdef SALESLOOP_TEST_MODULE
    test_module_register(); /* the test build's document module (tests/module) */
#endif
    int rc;
    if (!strcmp(cmd, "serve"))
        rc = cmd_serve(&o);
    else if (!strcmp(cmd, "init"))
        rc = cmd_init(&o);
    else if (!strcmp(cmd, "migrate"))
        rc = cmd_migrate(&o);
    else if (!strcmp(cmd, "user"))
        rc = cmd_user(&o);
    else if (!strcmp(cmd, "token"))
        rc = cmd_token(&o);
    else if (!strcmp(cmd, "backup"))
        rc = cmd_backup(&o, false);
    else if (!strcmp(cmd, "restore"))
        rc = cmd_backup(&o, true);
    else if (!strcmp(cmd, "demo"))
        rc = cmd_demo(&o);
    else if (!strcmp(cmd, "search-rebuild"))
        rc = cmd_search_rebuild(&o);
    else if (!strcmp(cmd, "test-request"))
        rc = cmd_test_request(&o);
    else {
        fprintf(stderr, "salesloop: unknown command %s\n", cmd);
        rc = usage();
    }
    free(o.trusted_proxies); /* the one option the options own (joined from several flags) */
    return rc;
}
