/* httpd-httpd: the HTTP skeleton on its own, in this process, with an
 * application that echoes bodies: the order of the callbacks, the body's
 * cap, the budget of bodies in flight, the bind address, and requests set
 * aside (httpd_suspend) while the thread serves others. */
#include <criterion/criterion.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "httpd/httpd.h"
#include "util/error.h"

/* What the application saw. */
static _Atomic int answered, refused, ended, begun;

static void *begin(void *cls, const char *uri)
{
    (void)cls;
    (void)uri;
    begun++;
    return strdup("state");
}

static enum MHD_Result send_text(struct MHD_Connection *conn, int status, const char *text, size_t len)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)text, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

/* "/small" takes bodies up to 16 bytes; "/missing" is refused. */
static int headers(void *cls, struct MHD_Connection *conn, const char *method, const char *url, void *state,
                   size_t *max_body)
{
    (void)cls;
    (void)conn;
    (void)method;
    if (!state || strcmp(state, "state") != 0) /* no assertion here: a worker thread */
        return accord_fail(ACCORD_EINVAL, NULL, "the state made by 'begin' is missing");
    if (strcmp(url, "/missing") == 0)
        return accord_fail(ACCORD_ENOTFOUND, NULL, "no such thing");
    if (strcmp(url, "/small") == 0)
        *max_body = 16;
    return ACCORD_OK;
}

static enum MHD_Result refuse(void *cls, struct MHD_Connection *conn, int code, void *state)
{
    (void)cls;
    (void)state;
    refused++;
    const char *msg = accord_error_message();
    return send_text(conn, accord_error_http_status(code), msg, strlen(msg));
}

/* Requests to "/wait" set aside, until "/go" (or the test) resumes them. */
#define MAX_WAITING 8
static struct MHD_Connection *waiting[MAX_WAITING];
static _Atomic int nwaiting;
static pthread_mutex_t waiting_lock = PTHREAD_MUTEX_INITIALIZER;

static void resume_all(void)
{
    pthread_mutex_lock(&waiting_lock);
    for (int i = 0; i < nwaiting; i++)
        httpd_resume(waiting[i]);
    nwaiting = 0;
    pthread_mutex_unlock(&waiting_lock);
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *method, const char *url,
                              const buf *body, void *state)
{
    (void)cls;
    (void)method;
    char *st = state;
    if (strcmp(url, "/wait") == 0 && strcmp(st, "state") == 0) {
        strcpy(st, "later"); /* the next call, once resumed, answers */
        pthread_mutex_lock(&waiting_lock);
        bool aside = httpd_suspend(conn);
        if (aside)
            waiting[nwaiting++] = conn;
        pthread_mutex_unlock(&waiting_lock);
        if (aside)
            return MHD_YES;
    }
    answered++;
    if (strcmp(url, "/wait") == 0)
        return send_text(conn, 200, "waited", 6);
    if (strcmp(url, "/go") == 0) {
        resume_all();
        return send_text(conn, 200, "went", 4);
    }
    return send_text(conn, 200, body->data ? body->data : "", body->len);
}

static void end(void *cls, void *state)
{
    (void)cls;
    ended++;
    free(state);
}

static httpd *d;
static char base[64];

static void start_with(size_t budget, unsigned threads)
{
    httpd_config cfg = {.address = "127.0.0.1", .threads = threads, .body_budget = budget, .log_prefix = "test: http",
                        .app = {.begin = begin, .headers = headers, .refuse = refuse, .answer = answer, .end = end}};
    answered = refused = ended = begun = 0;
    cr_assert_eq(httpd_start(&d, &cfg), 0, "%s", accord_error_message());
    snprintf(base, sizeof base, "http://127.0.0.1:%u", httpd_port(d));
}

static void start(size_t budget) { start_with(budget, 2); }

static void post(th_response *r, const char *path, const char *body, size_t len)
{
    char url[128];
    snprintf(url, sizeof url, "%s%s", base, path);
    th_http(r, "POST", url, NULL, body, len);
}

/* POSTs 'body' to 'path' and expects 'status' with the text 'want'. */
static void expect_post(const char *path, const char *body, long status, const char *want)
{
    th_response r;
    post(&r, path, body, strlen(body));
    cr_expect_eq(r.status, status, "POST %s", path);
    cr_expect_str_eq(r.body, want, "POST %s", path);
    th_response_free(&r);
}

Test(httpd, the_whole_body_is_answered_and_each_request_ends_once)
{
    start(0);
    expect_post("/echo", "hello", 200, "hello");
    expect_post("/missing", "x", 404, "no such thing");
    httpd_stop(d);
    cr_expect_eq(begun, 2);
    cr_expect_eq(answered, 1);
    cr_expect_eq(refused, 1);
    cr_expect_eq(ended, 2);
}

Test(httpd, a_body_past_its_cap_is_refused_and_never_answered)
{
    start(0);
    th_response r;
    post(&r, "/small", "sixteen bytes ok", 16);
    cr_expect_eq(r.status, 200);
    th_response_free(&r);
    post(&r, "/small", "seventeen bytes!!", 17);
    cr_expect_eq(r.status, 413);
    cr_expect(strstr(r.body, "over the limit of 16 bytes") != NULL, "%s", r.body);
    th_response_free(&r);
    httpd_stop(d);
    cr_expect_eq(answered, 1);
    cr_expect_eq(refused, 1);
}

Test(httpd, bodies_in_flight_share_one_budget)
{
    /* 100 KiB for all bodies: a client that announces 60 KiB and sends
     * nothing holds 64 KiB (the budget is taken in 64 KiB steps), so
     * another 60 KiB no longer fits until it goes. */
    start(100 * 1024);
    int fd = th_connect_from(httpd_port(d), "127.0.0.1");
    cr_assert_geq(fd, 0);
    const char head[] = "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 61440\r\n\r\n";
    th_send_all(fd, head, sizeof head - 1);
    usleep(200 * 1000);
    static char big[61440];
    memset(big, 'a', sizeof big);
    th_response r;
    post(&r, "/echo", big, sizeof big);
    cr_expect_eq(r.status, 503);
    th_response_free(&r);
    close(fd);
    usleep(200 * 1000);
    post(&r, "/echo", big, sizeof big);
    cr_expect_eq(r.status, 200);
    cr_expect_eq(r.len, sizeof big);
    th_response_free(&r);
    httpd_stop(d);
}

Test(httpd, an_address_that_is_not_a_literal_is_refused)
{
    httpd_config cfg = {.address = "localhost", .app = {.refuse = refuse, .answer = answer}};
    cr_assert_eq(httpd_start(&d, &cfg), ACCORD_EINVAL);
    cr_expect_str_eq(accord_error_field(), "address");
}

/* Opens a connection and sends "POST /wait"; returns the socket. */
static int send_wait(void)
{
    int fd = th_connect_from(httpd_port(d), "127.0.0.1");
    cr_assert_geq(fd, 0);
    const char req[] = "POST /wait HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n";
    cr_assert(th_send_all(fd, req, sizeof req - 1));
    return fd;
}

/* Reads what arrives on 'fd' within 'ms' milliseconds into 'out'. */
static void read_for(int fd, int ms, char *out, size_t len)
{
    size_t used = 0;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    while (used + 1 < len && poll(&p, 1, ms) == 1) {
        ssize_t n = read(fd, out + used, len - used - 1);
        if (n <= 0)
            break;
        used += (size_t)n;
        if (strstr(out, "waited"))
            break;
    }
    out[used] = '\0';
}

static void wait_for_waiting(int n)
{
    for (int i = 0; i < 400 && nwaiting < n; i++)
        usleep(5 * 1000);
    cr_assert_eq(nwaiting, n, "%d requests set aside, not %d", (int)nwaiting, n);
}

Test(httpd, requests_set_aside_leave_the_thread_free)
{
    /* One thread: three requests wait, set aside, and a fourth is still
     * answered; it resumes them, and each is answered then. */
    start_with(0, 1);
    int fds[3];
    for (int i = 0; i < 3; i++)
        fds[i] = send_wait();
    wait_for_waiting(3);
    expect_post("/go", "", 200, "went");
    for (int i = 0; i < 3; i++) {
        char got[512];
        read_for(fds[i], 2000, got, sizeof got);
        cr_expect(strncmp(got, "HTTP/1.1 200", 12) == 0 && strstr(got, "waited"), "request %d got: %s", i, got);
        close(fds[i]);
    }
    httpd_stop(d);
    cr_expect_eq(answered, 4);
    cr_expect_eq(ended, 4);
}

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *resume_later(void *arg)
{
    (void)arg;
    usleep(300 * 1000);
    resume_all();
    return NULL;
}

Test(httpd, stop_waits_for_requests_set_aside)
{
    /* libmicrohttpd may not stop with a connection suspended, and whoever
     * resumes it still holds it: the stop waits until both are resumed. */
    start_with(0, 2);
    int fds[2] = {send_wait(), send_wait()};
    wait_for_waiting(2);
    pthread_t t;
    pthread_create(&t, NULL, resume_later, NULL);
    double t0 = seconds();
    httpd_stop(d);
    cr_expect_geq(seconds() - t0, 0.25, "stopped before the requests were resumed");
    pthread_join(t, NULL);
    cr_expect_eq(ended, 2, "each request ends once");
    for (int i = 0; i < 2; i++)
        close(fds[i]);
}
