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
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/error.h"

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

const char *th_conformance_dir(void)
{
    static char path[4096];
    const char *root = getenv("ACCORD_SOURCE_ROOT");
    snprintf(path, sizeof path, "%s/tests/conformance", root ? root : ".");
    return path;
}

const char *th_extra_conformance_dir(void)
{
    const char *env = getenv("ACCORD_CONFORMANCE_DIR");
    return env && *env ? env : NULL;
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

uint64_t th_log_size_at(const char *path)
{
    store *db = th_open(path);
    uint64_t n = th_log_size(db);
    store_close(db);
    return n;
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

/* Feeds every row 'sql' returns into 'h', NULL distinct from any text. */
static void digest_rows(crypto_hash_sha256_state *h, store *db, const char *sql)
{
    store_stmt *st;
    cr_assert_eq(store_query(db, &st, sql, ""), 0, "%s: %s", sql, accord_error_message());
    while (store_step(st) == STORE_ROW) {
        for (int c = 0; c < store_col_count(st); c++) {
            size_t len = 0;
            enum store_col_type ty = store_col_type(st, c);
            const void *p = ty == STORE_NULL ? "\x00null" : store_col_blob(st, c, &len);
            if (ty == STORE_NULL)
                len = 5;
            crypto_hash_sha256_update(h, p, len);
            crypto_hash_sha256_update(h, (const unsigned char *)"|", 1);
        }
    }
    store_stmt_close(st);
}

void th_state_digest_with(store *db, const char *const *queries, char out[65])
{
    static const char *const tables[] = {"event", "merkle_node", "merkle_quarter", "merkle_cap", "party", "party_name", "grp", "membership",
                                         "instrument", "provision", "action", "reported_total", "known_gap", "cycle",
                                         "submission", "report", "review", "rating", "report_attachment",
                                         "latest_cell", "entity", "office", "framework_link", "need", "offer",
                                         "activity", "meeting"};
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT * FROM %s ORDER BY 1, 2", tables[t]);
        digest_rows(&h, db, sql);
    }
    for (size_t q = 0; queries && queries[q]; q++)
        digest_rows(&h, db, queries[q]);
    unsigned char digest[32];
    crypto_hash_sha256_final(&h, digest);
    sodium_bin2hex(out, 65, digest, 32);
}

void th_state_digest(store *db, char out[65]) { th_state_digest_with(db, NULL, out); }

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

int th_connect_from(unsigned port, const char *src)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET};
    inet_pton(AF_INET, src, &a.sin_addr);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || connect(fd, (struct sockaddr *)&to, sizeof to) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

bool th_send_all(int fd, const char *p, size_t len)
{
    while (len) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        p += n, len -= (size_t)n;
    }
    return true;
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

/* Copies the value of header line 'ptr' ('len' bytes) into 'out' when
 * its name is 'name' (with the colon). */
static void header_value(const char *ptr, size_t len, const char *name, char *out, size_t out_len)
{
    size_t n = strlen(name);
    if (len <= n || strncasecmp(ptr, name, n) != 0)
        return;
    ptr += n, len -= n;
    while (len && *ptr == ' ')
        ptr++, len--;
    snprintf(out, out_len, "%.*s", (int)len, ptr);
    out[strcspn(out, "\r\n")] = '\0';
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
    header_value(ptr, len, "Cache-Control:", r->cache_control, sizeof r->cache_control);
    header_value(ptr, len, "Content-Disposition:", r->content_disposition, sizeof r->content_disposition);
    header_value(ptr, len, "Access-Control-Allow-Origin:", r->allow_origin, sizeof r->allow_origin);
    header_value(ptr, len, "Vary:", r->vary, sizeof r->vary);
    header_value(ptr, len, "Content-Encoding:", r->content_encoding, sizeof r->content_encoding);
    header_value(ptr, len, "Location:", r->location, sizeof r->location);
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

long th_status(th_response r)
{
    long s = r.status;
    th_response_free(&r);
    return s;
}

const char *th_error_code(const th_response *r)
{
    const char *code = json_string_value(json_object_get(json_object_get(r->json, "error"), "code"));
    return code ? code : "";
}

/* ---- file fixtures ----------------------------------------------------- */

static uint32_t crc32_of(const unsigned char *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    while (n--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return ~c;
}

static unsigned char *put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8);
    return p + 2;
}

static unsigned char *put32(unsigned char *p, uint32_t v)
{
    return put16(put16(p, v & 0xffff), v >> 16);
}

/* A zip archive of 'n' stored (uncompressed) entries, names and contents
 * alternating in 'parts', in that order: what office suites write, minus
 * the compression. */
static unsigned char *make_zip(const char *const *parts, size_t n, size_t *len)
{
    size_t cap = 512;
    for (size_t i = 0; i < 2 * n; i++)
        cap += 2 * strlen(parts[i]) + 100;
    unsigned char *zip = calloc(1, cap), *p = zip, *central = calloc(1, cap), *c = central;
    cr_assert(zip && central);
    for (size_t i = 0; i < n; i++) {
        const char *name = parts[2 * i], *data = parts[2 * i + 1];
        uint32_t crc = crc32_of((const unsigned char *)data, strlen(data)), size = (uint32_t)strlen(data);
        uint32_t offset = (uint32_t)(p - zip);
        p = put32(p, 0x04034b50), p = put16(p, 20), p = put16(p, 0), p = put16(p, 0);
        p = put16(p, 0), p = put16(p, 0x5a21); /* time, date */
        p = put32(p, crc), p = put32(p, size), p = put32(p, size);
        p = put16(p, (unsigned)strlen(name)), p = put16(p, 0);
        memcpy(p, name, strlen(name)), p += strlen(name);
        memcpy(p, data, size), p += size;
        c = put32(c, 0x02014b50), c = put16(c, 20), c = put16(c, 20), c = put16(c, 0), c = put16(c, 0);
        c = put16(c, 0), c = put16(c, 0x5a21);
        c = put32(c, crc), c = put32(c, size), c = put32(c, size);
        c = put16(c, (unsigned)strlen(name)), c = put16(c, 0), c = put16(c, 0), c = put16(c, 0), c = put16(c, 0);
        c = put32(c, 0), c = put32(c, offset);
        memcpy(c, name, strlen(name)), c += strlen(name);
    }
    uint32_t cd_offset = (uint32_t)(p - zip), cd_size = (uint32_t)(c - central);
    memcpy(p, central, cd_size), p += cd_size;
    p = put32(p, 0x06054b50), p = put16(p, 0), p = put16(p, 0);
    p = put16(p, (unsigned)n), p = put16(p, (unsigned)n), p = put32(p, cd_size), p = put32(p, cd_offset), p = put16(p, 0);
    free(central);
    *len = (size_t)(p - zip);
    return zip;
}

#define XML "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
#define CONTENT_TYPES XML "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>"
#define RELS XML "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"/>"

static unsigned char *copy_of(const void *bytes, size_t n, size_t *len)
{
    unsigned char *p = malloc(n);
    cr_assert_not_null(p);
    memcpy(p, bytes, n);
    *len = n;
    return p;
}

unsigned char *th_fixture(const char *kind, size_t *len)
{
    static const unsigned char png[] = {
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
        0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00,
        0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x64, 0xf8, 0xcf, 0x50, 0x0f, 0x00, 0x03, 0x86, 0x01, 0x80,
        0x5a, 0x34, 0x7d, 0x6b, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
    static const unsigned char jpeg[] = {0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00, 0x01,
                                         0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xd9};
    static const struct {
        const char *kind, *text;
    } texts[] = {
        {"pdf", "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
                "2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"},
        {"text", "Measures taken under provision 5.\nКазахстан: the law was adopted in March.\n"},
        {"csv", "party,provision,status\nKAZ,1,implemented\nKAZ,2,planned\nKAZ,3,in_progress\n"},
        {"html", "<!DOCTYPE html>\n<html><head><title>x</title></head><body><script>alert(1)</script></body></html>\n"},
        {"svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>\n"},
        {"json", "{\"party\": \"KAZ\", \"provision\": 5}\n"},
    };
    static const char *const docx[] = {"[Content_Types].xml", CONTENT_TYPES, "_rels/.rels", RELS,
                                       "word/_rels/document.xml.rels", RELS, "word/document.xml",
                                       XML "<w:document xmlns:w=\"http://schemas.openxmlformats.org/"
                                           "wordprocessingml/2006/main\"><w:body/></w:document>"};
    static const char *const docx_lo[] = {"_rels/.rels", RELS, "docProps/app.xml", XML "<Properties/>",
                                          "docProps/core.xml", XML "<cp:coreProperties/>", "word/document.xml",
                                          XML "<w:document/>", "[Content_Types].xml", CONTENT_TYPES};
    static const char *const xlsx[] = {"[Content_Types].xml", CONTENT_TYPES, "_rels/.rels", RELS,
                                       "xl/workbook.xml", XML "<workbook/>", "xl/worksheets/sheet1.xml",
                                       XML "<worksheet/>"};
    static const char *const odt[] = {"mimetype", "application/vnd.oasis.opendocument.text", "content.xml",
                                      XML "<office:document-content/>", "META-INF/manifest.xml", XML "<manifest/>"};
    static const char *const ods[] = {"mimetype", "application/vnd.oasis.opendocument.spreadsheet", "content.xml",
                                      XML "<office:document-content/>", "META-INF/manifest.xml", XML "<manifest/>"};
    static const char *const zip[] = {"notes.txt", "hello", "law.pdf", "%PDF-1.4\n"};
#define ZIP(parts) make_zip(parts, sizeof parts / sizeof parts[0] / 2, len)
    if (strcmp(kind, "png") == 0)
        return copy_of(png, sizeof png, len);
    if (strcmp(kind, "jpeg") == 0)
        return copy_of(jpeg, sizeof jpeg, len);
    if (strcmp(kind, "docx") == 0)
        return ZIP(docx);
    if (strcmp(kind, "docx-libreoffice") == 0)
        return ZIP(docx_lo);
    if (strcmp(kind, "xlsx") == 0)
        return ZIP(xlsx);
    if (strcmp(kind, "odt") == 0)
        return ZIP(odt);
    if (strcmp(kind, "ods") == 0)
        return ZIP(ods);
    if (strcmp(kind, "zip") == 0)
        return ZIP(zip);
#undef ZIP
    if (strcmp(kind, "elf") == 0) {
        const char *bin = getenv("ACCORD_BIN");
        cr_assert_not_null(bin, "ACCORD_BIN is not set (run the tests through meson test)");
        unsigned char *p = malloc(64 * 1024);
        FILE *f = fopen(bin, "rb");
        cr_assert(p && f, "cannot read %s", bin);
        *len = fread(p, 1, 64 * 1024, f);
        fclose(f);
        cr_assert_gt(*len, 4);
        return p;
    }
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (strcmp(kind, texts[i].kind) == 0)
            return copy_of(texts[i].text, strlen(texts[i].text), len);
    cr_assert_fail("no fixture of kind '%s'", kind);
    return NULL;
}

th_response th_call(const th_server *s, const char *method, const char *path, const char *token, const char *type,
                    const void *body, size_t len)
{
    char url[512], auth[128], ct[128];
    snprintf(url, sizeof url, "%s%s", s->base, path);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token ? token : "");
    snprintf(ct, sizeof ct, "Content-Type: %s", type ? type : "application/json");
    const char *headers[] = {ct, token ? auth : NULL, NULL};
    th_response r;
    th_http(&r, method, url, headers, body, len);
    return r;
}

store *th_replay_matches(const th_server *s, const char *db_path, const char *replayed, const char *what)
{
    store *a = th_open(db_path);
    th_wait_checkpoint(s, th_log_size(a));
    char *out;
    const char *args[] = {"replay", "--from", s->base, "--db", replayed, NULL};
    cr_assert_eq(th_run_accord(&out, args), 0, "%s", out);
    free(out);
    store *b = th_open(replayed);
    char da[65], dbb[65];
    th_state_digest(a, da);
    th_state_digest(b, dbb);
    store_close(a);
    cr_assert_str_eq(da, dbb, "%s", what);
    return b;
}

th_response th_call_with(const th_server *s, const char *method, const char *path, const char *h1, const char *h2,
                         const char *body)
{
    char url[1024];
    snprintf(url, sizeof url, "%s%s", s->base, path);
    const char *headers[] = {h1 ? h1 : h2, h1 ? h2 : NULL, NULL};
    th_response r;
    th_http(&r, method, url, headers, body, body ? strlen(body) : 0);
    return r;
}

void th_fixture_end(th_server *s, char *dir, char *db)
{
    if (s)
        th_server_stop(s);
    if (dir)
        th_rmtree(dir);
    free(dir);
    free(db);
}

void th_ws_sign_in(const th_server *s, const char *email, const char *password, char *cookie, size_t len)
{
    char body[512];
    snprintf(body, sizeof body, "email=%s&password=%s", email, password);
    th_response r = th_call_with(s, "POST", "/en/workspace/sign-in", TH_FORM, NULL, body);
    cr_assert_eq(r.status, 303, "%s: %s", email, r.body);
    snprintf(cookie, len, "Cookie: %.*s", (int)strcspn(r.set_cookie, ";"), r.set_cookie);
    th_response_free(&r);
}

void th_ws_csrf(const th_server *s, const char *path, const char *cookie, char *csrf, size_t len)
{
    static const char field[] = "name=\"csrf_token\" value=\"";
    th_response r = th_call_with(s, "GET", path, cookie, NULL, NULL);
    cr_assert_eq(r.status, 200, "%s: %s", path, r.body);
    const char *at = strstr(r.body, field);
    cr_assert_not_null(at, "%s has no CSRF field", path);
    at += strlen(field);
    snprintf(csrf, len, "%.*s", (int)strcspn(at, "\""), at);
    th_response_free(&r);
}

th_response th_ws_post(const th_server *s, const char *path, const char *from, const char *cookie, const char *fields)
{
    char csrf[128];
    th_ws_csrf(s, from, cookie, csrf, sizeof csrf);
    size_t len = strlen(fields) + strlen(csrf) + 32;
    char *body = malloc(len);
    cr_assert_not_null(body);
    snprintf(body, len, "csrf_token=%s&%s", csrf, fields);
    th_response r = th_call_with(s, "POST", path, TH_FORM, cookie, body);
    free(body);
    return r;
}

void th_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "cannot write %s", path);
    fputs(text, f);
    cr_assert_eq(fclose(f), 0, "cannot write %s", path);
}

void th_copy_data(const char *dir, const char *name)
{
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "cp '%s/%s' '%s/%s'", th_source_path("data"), name, dir, name);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

char *th_serve_refused(const char *db, const char *data_dir)
{
    const char *serve[] = {"serve", "--db", db, "--port", "0", NULL};
    char *err = NULL;
    setenv("ACCORD_DATA_DIR", data_dir, 1);
    int status = th_run_accord_full(NULL, &err, serve);
    unsetenv("ACCORD_DATA_DIR");
    cr_assert_eq(status, 2, "%s", err);
    return err;
}

void th_team_start_admin(th_team *t)
{
    t->dir = th_tempdir();
    t->db = th_make_db(t->dir, true, t->admin);
    th_server_start(&t->server, t->db);
}

void th_team_start(th_team *t, const char *reviewer_scope)
{
    cr_assert_geq(sodium_init(), 0);
    setenv("ACCORD_PWHASH", "interactive", 1);
    t->dir = th_tempdir();
    t->db = th_make_db(t->dir, true, t->admin);
    th_make_user(t->dir, t->db, "registry@example.org", "depositary", NULL, t->depositary);
    th_make_user(t->dir, t->db, "kaz@example.org", "focal_point", "KAZ", t->kaz);
    th_make_user(t->dir, t->db, "tur@example.org", "focal_point", "TUR", t->tur);
    th_make_user(t->dir, t->db, "review@example.org", "reviewer", reviewer_scope, t->reviewer);
    th_server_start(&t->server, t->db);
}

void th_team_end(th_team *t)
{
    th_fixture_end(&t->server, t->dir, t->db);
    t->dir = t->db = NULL;
}
