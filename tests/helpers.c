#include "helpers.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

char *th_tempdir(void)
{
    char *dir = strdup("/tmp/accord-test-XXXXXX");
    cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
    return dir;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void th_rmtree(const char *dir)
{
    if (dir)
        nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

const char *th_source_path(const char *rel)
{
    static _Thread_local char path[4096];
    const char *root = getenv("ACCORD_SOURCE_ROOT");
    snprintf(path, sizeof path, "%s/%s", root ? root : ".", rel);
    return path;
}

static const char *accord_bin(void)
{
    const char *bin = getenv("ACCORD_BIN");
    cr_assert_not_null(bin, "ACCORD_BIN is not set (run the tests through meson test)");
    return bin;
}

/* Reads all of 'fd' into a new string. */
static char *slurp(int fd)
{
    size_t cap = 4096, len = 0;
    char *text = malloc(cap);
    ssize_t got;
    while ((got = read(fd, text + len, cap - len - 1)) > 0) {
        len += (size_t)got;
        if (cap - len < 1024)
            text = realloc(text, cap *= 2);
    }
    text[len] = '\0';
    close(fd);
    return text;
}

int th_run_accord_full(char **out, char **err, const char *const *args)
{
    int fds[2], efds[2];
    cr_assert_eq(pipe(fds), 0);
    cr_assert_eq(pipe(efds), 0);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        const char *argv[64] = {accord_bin()};
        int n = 1;
        for (const char *const *a = args; *a && n < 63; a++)
            argv[n++] = *a;
        argv[n] = NULL;
        dup2(fds[1], 1);
        dup2(efds[1], 2);
        close(fds[0]);
        close(efds[0]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    close(efds[1]);
    /* Error output is small: read stdout first, then stderr. */
    char *text = slurp(fds[0]);
    char *etext = slurp(efds[0]);
    int status;
    waitpid(pid, &status, 0);
    if (out)
        *out = text;
    else
        free(text);
    if (err)
        *err = etext;
    else
        free(etext);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

int th_run_accord(char **out, const char *const *args) { return th_run_accord_full(out, NULL, args); }

void th_make_user(const char *dir, const char *db, const char *email, const char *role, const char *scope,
                  char *token)
{
    char pwfile[512], *out;
    snprintf(pwfile, sizeof pwfile, "%s/pw", dir);
    FILE *f = fopen(pwfile, "w");
    cr_assert_not_null(f);
    fputs("correct horse battery staple\n", f);
    fclose(f);
    const char *add[16] = {"user", "add", "--db", db, "--email", email, "--name", email, "--role", role,
                           "--password-file", pwfile, scope ? "--scope" : NULL, scope};
    cr_assert_eq(th_run_accord(&out, add), 0, "user add %s: %s", email, out);
    free(out);
    const char *tok[] = {"token", "create", "--db", db, "--user", email, "--name", "test", NULL};
    cr_assert_eq(th_run_accord(&out, tok), 0, "%s", out);
    char *t = strstr(out, "acc_");
    cr_assert_not_null(t, "%s", out);
    snprintf(token, 64, "%.*s", (int)strcspn(t, " \n"), t);
    free(out);
}

char *th_make_db(const char *dir, bool demo, char *token)
{
    char *db, tokfile[4096];
    cr_assert(asprintf(&db, "%s/accord.db", dir) > 0);
    snprintf(tokfile, sizeof tokfile, "%s/admin.token", dir);
    const char *init[] = {"init", "--db", db, "--token-file", tokfile, NULL};
    cr_assert_eq(th_run_accord(NULL, init), 0, "accord init failed");
    if (demo) {
        const char *load[] = {"load", "--db", db, th_source_path("data/code-of-conduct.json"), NULL};
        cr_assert_eq(th_run_accord(NULL, load), 0, "accord load failed");
    }
    if (token) {
        FILE *f = fopen(tokfile, "r");
        cr_assert_not_null(f);
        cr_assert_not_null(fgets(token, 64, f));
        token[strcspn(token, "\n")] = '\0';
        fclose(f);
    }
    return db;
}

store *th_open(const char *path)
{
    store *db;
    cr_assert_eq(store_open(&db, path, false), 0, "cannot open %s", path);
    return db;
}

uint64_t th_log_size(store *db)
{
    store_stmt *st;
    cr_assert_eq(store_query(db, &st, "SELECT count(*) FROM event", ""), 0);
    cr_assert_eq(store_step(st), STORE_ROW);
    uint64_t n = (uint64_t)store_col_int(st, 0);
    store_stmt_close(st);
    return n;
}

void th_state_digest(store *db, char out[65])
{
    static const char *const tables[] = {"event", "merkle_node", "party", "party_name", "grp", "membership",
                                         "instrument", "provision", "action", "reported_total", "known_gap", "cycle",
                                         "submission", "report", "review", "rating", "latest_cell"};
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT * FROM %s ORDER BY 1, 2", tables[t]);
        store_stmt *st;
        cr_assert_eq(store_query(db, &st, sql, ""), 0);
        while (store_step(st) == STORE_ROW) {
            for (int c = 0; c < store_col_count(st); c++) {
                size_t len = 0;
                enum store_col_type ty = store_col_type(st, c);
                const void *p = ty == STORE_NULL ? "\x00null" : store_col_blob(st, c, &len);
                if (ty == STORE_NULL)
                    len = 5;
                crypto_hash_sha256_update(&h, p, len);
                crypto_hash_sha256_update(&h, (const unsigned char *)"|", 1);
            }
        }
        store_stmt_close(st);
    }
    unsigned char digest[32];
    crypto_hash_sha256_final(&h, digest);
    sodium_bin2hex(out, 65, digest, 32);
}

void th_server_start(th_server *s, const char *db_path)
{
    const char *args[] = {"serve", "--db", db_path, "--port", "0", "--threads", "2", NULL};
    th_server_start_cmd(s, args);
}

void th_server_start_cmd(th_server *s, const char *const *args)
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    s->pid = fork();
    cr_assert_neq(s->pid, -1);
    if (s->pid == 0) {
        const char *argv[64] = {accord_bin()};
        int n = 1;
        for (const char *const *a = args; *a && n < 63; a++)
            argv[n++] = *a;
        /* The server must not outlive a test process that crashes. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        dup2(fds[1], 1);
        close(fds[0]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    FILE *f = fdopen(fds[0], "r");
    char line[256] = "";
    cr_assert_not_null(fgets(line, sizeof line, f), "the server did not start");
    fclose(f);
    const char *colon = strrchr(line, ':');
    cr_assert_not_null(colon, "unexpected server banner: %s", line);
    s->port = (unsigned)atoi(colon + 1);
    cr_assert_gt(s->port, 0, "no port in banner: %s", line);
    snprintf(s->base, sizeof s->base, "http://127.0.0.1:%u", s->port);
}

void th_wait_checkpoint(const th_server *s, uint64_t size)
{
    char url[128];
    snprintf(url, sizeof url, "%s/log/checkpoint", s->base);
    for (int i = 0; i < 200; i++) {
        th_response r;
        th_http(&r, "GET", url, NULL, NULL, 0);
        char *nl = r.status == 200 ? strchr(r.body, '\n') : NULL;
        uint64_t have = nl ? strtoull(nl + 1, NULL, 10) : 0;
        th_response_free(&r);
        if (have >= size)
            return;
        usleep(20000);
    }
    cr_assert_fail("no checkpoint of size %llu", (unsigned long long)size);
}

void th_server_stop(th_server *s)
{
    if (s->pid <= 0)
        return;
    kill(s->pid, SIGTERM);
    int status;
    waitpid(s->pid, &status, 0);
    s->pid = 0;
}

typedef struct {
    char *data;
    size_t len;
} sink;

static size_t collect(char *ptr, size_t size, size_t n, void *arg)
{
    sink *s = arg;
    size_t add = size * n;
    s->data = realloc(s->data, s->len + add + 1);
    memcpy(s->data + s->len, ptr, add);
    s->len += add;
    s->data[s->len] = '\0';
    return add;
}

static size_t collect_header(char *ptr, size_t size, size_t n, void *arg)
{
    th_response *r = arg;
    size_t len = size * n;
    if (len > 11 && strncasecmp(ptr, "Set-Cookie:", 11) == 0) {
        snprintf(r->set_cookie, sizeof r->set_cookie, "%.*s", (int)(len - 12), ptr + 12);
        r->set_cookie[strcspn(r->set_cookie, "\r\n")] = '\0';
    }
    if (len > 12 && strncasecmp(ptr, "Retry-After:", 12) == 0)
        r->retry_after = atoi(ptr + 12);
    if (strncasecmp(ptr, "X-Content-Type-Options: nosniff", 31) == 0)
        r->nosniff = true;
    if (strncasecmp(ptr, "X-Frame-Options: DENY", 21) == 0)
        r->frame_deny = true;
    if (strncasecmp(ptr, "Content-Security-Policy:", 24) == 0)
        r->csp = true;
    if (len > 5 && strncasecmp(ptr, "ETag:", 5) == 0) {
        snprintf(r->etag, sizeof r->etag, "%.*s", (int)(len - 5), ptr + 5);
        char *p = r->etag;
        while (*p == ' ')
            memmove(p, p + 1, strlen(p));
        p[strcspn(p, "\r\n")] = '\0';
    }
    return len;
}

void th_http(th_response *r, const char *method, const char *url, const char *const *headers, const char *body,
             size_t body_len)
{
    memset(r, 0, sizeof *r);
    CURL *c = curl_easy_init();
    cr_assert_not_null(c);
    sink s = {calloc(1, 1), 0};
    struct curl_slist *list = NULL;
    for (const char *const *h = headers; h && *h; h++)
        list = curl_slist_append(list, *h);
    list = curl_slist_append(list, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    CURLcode rc = curl_easy_perform(c);
    cr_assert_eq(rc, CURLE_OK, "%s %s: %s", method, url, curl_easy_strerror(rc));
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    char *ct = NULL;
    curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
    snprintf(r->content_type, sizeof r->content_type, "%s", ct ? ct : "");
    r->body = s.data;
    r->len = s.len;
    if (strncmp(r->content_type, "application/json", 16) == 0)
        r->json = json_loadb(r->body, r->len, 0, NULL);
    curl_slist_free_all(list);
    curl_easy_cleanup(c);
}

static size_t discard(char *ptr, size_t size, size_t n, void *arg)
{
    (void)ptr;
    (void)arg;
    return size * n;
}

long th_http_try(const char *url, const char *auth, const char *body)
{
    CURL *c = curl_easy_init();
    struct curl_slist *list = curl_slist_append(NULL, auth);
    list = curl_slist_append(list, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(list);
    curl_easy_cleanup(c);
    return status;
}

void th_response_free(th_response *r)
{
    free(r->body);
    json_decref(r->json);
    r->body = NULL;
    r->json = NULL;
}

const char *th_error_code(const th_response *r)
{
    const char *code = json_string_value(json_object_get(json_object_get(r->json, "error"), "code"));
    return code ? code : "";
}
