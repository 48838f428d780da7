/*
** testjob.c — a job kind for the queue's tests (tests/api/jobs.test.mjs): "test_wait" counts
** `steps` steps of `ms` milliseconds each, reporting progress and stopping when cancelled, so a
** test can hold a job in "running" (cancel, restart) for as long as it needs.
*/
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "../../src/core/errcodes.h"
#include "../../src/model/jobs.h"

void testjob_register(void);

/* Kind "test_wait": params {"steps": n, "ms": m}; result {"steps": n}. */
static int wait_run(JobRun *jr) {
    int64_t steps = json_integer_value(json_object_get(jr->params, "steps"));
    int64_t ms = json_integer_value(json_object_get(jr->params, "ms"));
    for (int64_t i = 0; i < steps; i++) {
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
        nanosleep(&ts, NULL);
        if (job_progress(jr, i + 1, steps) < 0) return -1;
    }
    jr->result = json_pack("{s:I}", "steps", (json_int_t)steps);
    return 0;
}

/*
** POST /api/v1/test_jobs/wait?steps=N&ms=M        roles: any signed-in user
** 202 the queued job
*/
static int wait_post(Req *r, Err *e) {
    const char *steps = req_query(r, "steps"), *ms = req_query(r, "ms");
    json_t *params = json_pack("{s:I, s:I}", "steps", (json_int_t)(steps ? atoll(steps) : 10), "ms",
                               (json_int_t)(ms ? atoll(ms) : 100));
    return job_reply_queued(r, job_enqueue(r, "test_wait", NULL, 0, "wait", params, e), e);
}

/*
** GET /api/v1/test_jobs/sleep?ms=M      roles: any signed-in user (a slow request, on a worker)
** 200 {"runs": how many sleeps have begun since the start, this one included}
*/
static atomic_int sleeps;
static int sleep_get(Req *r, Err *e) {
    const char *ms = req_query(r, "ms");
    int64_t n = ms ? atoll(ms) : 100;
    int runs = atomic_fetch_add(&sleeps, 1) + 1;
    struct timespec ts = {n / 1000, (n % 1000) * 1000000};
    nanosleep(&ts, NULL);
    return reply_json(r, 200, json_pack("{s:i}", "runs", runs));
}

void testjob_register(void) {
    static const JobKind kind = {"test_wait", wait_run, "测试等待", "測試等待", "Test wait"};
    static const Route routes[] = {
        {"POST", "/api/v1/test_jobs/wait", wait_post, R_SLOW | R_OWN_TX, 0, "Queue a test job", "jobs"},
        {"GET", "/api/v1/test_jobs/sleep", sleep_get, R_SLOW, 0, "A slow request (tests)", "jobs"},
    };
    job_kind_declare(&kind);
    routes_add(routes, 2);
}
