/* auth-auth: accounts, passwords, sessions, CSRF, throttling, API tokens,
 * the security log, and the accord user / token / security-log commands.
 *
 * Each test gets a fresh database (schema applied, two parties and one
 * instrument registered) and cheap Argon2id limits (ACCORD_PWHASH=
 * interactive), so that the many sign-ins below stay fast. Time is
 * simulated by writing timestamps into the tables. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "auth/auth.h"
#include "auth/common_passwords.h"
#include "events/events.h"
#include "helpers.h"
#include "util/clock.h"
#include "util/date.h"
#include "util/error.h"
#include "util/json.h"

#define PW "a long enough passphrase"

static char *dir;
static store *db;

static void submit(const char *type, const char *json)
{
    json_t *data = json_loads(json, 0, NULL);
    cr_assert_not_null(data, "%s", json);
    cr_assert_eq(events_submit(db, &ACTOR_OPERATOR, type, data, NULL), 0, "%s", accord_error_message());
    json_decref(data);
}

static void setup(void)
{
    char path[4096];
    cr_assert_geq(sodium_init(), 0);
    setenv("ACCORD_PWHASH", "interactive", 1);
    dir = th_tempdir();
    snprintf(path, sizeof path, "%s/auth.db", dir);
    cr_assert_eq(store_open(&db, path, true), 0, "%s", accord_error_message());
    cr_assert_eq(store_migrate(db), 0, "%s", accord_error_message());
    submit("party.registered", "{\"code\":\"KAZ\",\"kind\":\"state\",\"name\":\"Kazakhstan\"}");
    submit("party.registered", "{\"code\":\"TUR\",\"kind\":\"state\",\"name\":\"Türkiye\"}");
    submit("instrument.created", "{\"slug\":\"code-of-conduct\",\"title\":\"Code of Conduct\","
                                 "\"opened_on\":\"2018-09-28\",\"source\":{\"title\":\"test\"}}");
}

static void teardown(void)
{
    store_close(db);
    th_rmtree(dir);
    free(dir);
}

TestSuite(auth, .init = setup, .fini = teardown, .timeout = 240);

/* ---- helpers ---- */

static void add_user(const char *email, const char *role, const char *scope, char id[AUTH_ID_LEN])
{
    cr_assert_eq(auth_user_add(db, email, "Someone", role, scope, PW, NULL, id), 0, "%s: %s", email,
                 accord_error_message());
}

/* Account 'id' acting from a test address through a credential without
 * an end, as the HTTP layer fills the caller. */
static const principal *as(const char *id)
{
    static principal p[4];
    static int next;
    principal *o = &p[next++ % 4];
    memset(o, 0, sizeof *o);
    snprintf(o->id, sizeof o->id, "%s", id);
    snprintf(o->client, sizeof o->client, "192.0.2.7");
    return o;
}

/* RFC 3339 for now + 'delta' seconds. */
static const char *ts(int64_t delta)
{
    static char out[4][21];
    static int next;
    char *o = out[next++ % 4];
    date_format_rfc3339(clock_now() + delta, o);
    return o;
}

static int64_t count(const char *sql, const char *arg)
{
    store_stmt *st;
    cr_assert_eq(store_query(db, &st, sql, arg ? "s" : "", arg), 0, "%s", accord_error_message());
    cr_assert_eq(store_step(st), STORE_ROW);
    int64_t n = store_col_int(st, 0);
    store_stmt_close(st);
    return n;
}

static int64_t seclog(const char *kind) { return count("SELECT count(*) FROM security_log WHERE kind = ?", kind); }

/* The first column of the first row of 'sql' (one text argument), copied. */
static char *text_of(const char *sql, const char *arg)
{
    store_stmt *st;
    cr_assert_eq(store_query(db, &st, sql, "s", arg), 0, "%s", accord_error_message());
    char *out = NULL;
    if (store_step(st) == STORE_ROW && store_col_text(st, 0))
        out = strdup(store_col_text(st, 0));
    store_stmt_close(st);
    return out;
}

static int login(const char *email, const char *password, const char *client, char token[AUTH_TOKEN_LEN],
                 char csrf[AUTH_TOKEN_LEN], int *retry)
{
    int dummy;
    return auth_login(db, email, password, client, token, csrf, retry ? retry : &dummy);
}

static void login_ok(const char *email, char token[AUTH_TOKEN_LEN], char csrf[AUTH_TOKEN_LEN])
{
    cr_assert_eq(login(email, PW, "192.0.2.1", token, csrf, NULL), 0, "%s", accord_error_message());
}

static int64_t throttle_failures(const char *key_like)
{
    return count("SELECT coalesce(max(failures), 0) FROM login_throttle WHERE key LIKE ?", key_like);
}

/* ---- passwords ---- */

Test(auth, password_rules)
{
    cr_assert_eq(auth_password_acceptable("short"), ACCORD_EINVAL);
    cr_assert_str_eq(accord_error_field(), "password");
    cr_assert_eq(auth_password_acceptable("elevenchars"), ACCORD_EINVAL, "11 characters are too few");
    cr_assert_eq(auth_password_acceptable(NULL), ACCORD_EINVAL);
    cr_assert_eq(auth_password_acceptable("password1234"), ACCORD_EINVAL);
    cr_assert(strstr(accord_error_message(), "common"), "%s", accord_error_message());
    cr_assert_eq(auth_password_acceptable("PassWord1234"), ACCORD_EINVAL, "the common check ignores case");
    cr_assert_eq(auth_password_acceptable("123456789012"), ACCORD_EINVAL);
    cr_assert_eq(auth_password_acceptable("qwertyuiopas"), ACCORD_EINVAL);
    cr_assert_eq(auth_password_acceptable("iloveyou1234"), ACCORD_EINVAL);
    cr_assert_eq(auth_password_acceptable("passwordpassword"), ACCORD_EINVAL);
    cr_assert_eq(auth_password_acceptable(PW), 0);
    cr_assert_eq(auth_password_acceptable("twelve chars"), 0);
    /* Characters, not bytes: 6 Cyrillic letters are 12 bytes but too short,
     * 12 of them are enough. */
    cr_assert_eq(auth_password_acceptable("пароль"), ACCORD_EINVAL);
    cr_assert_eq(auth_password_acceptable("парольпароль"), 0);
    char big[AUTH_MAX_PASSWORD + 2];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    cr_assert_eq(auth_password_acceptable(big), ACCORD_EINVAL, "over the byte limit");
    big[AUTH_MAX_PASSWORD] = '\0';
    cr_assert_eq(auth_password_acceptable(big), 0, "exactly at the limit");
}

Test(auth, common_password_list_is_sorted_lowercase_and_long)
{
    cr_assert_gt(COMMON_PASSWORDS, 200);
    for (size_t i = 0; i < COMMON_PASSWORDS; i++) {
        const char *p = common_passwords[i];
        cr_assert_geq(strlen(p), AUTH_MIN_PASSWORD, "%s is shorter than the length rule", p);
        for (const char *c = p; *c; c++)
            cr_assert(!(*c >= 'A' && *c <= 'Z'), "%s is not lowercase", p);
        if (i > 0)
            cr_assert_lt(strcmp(common_passwords[i - 1], p), 0, "%s and %s are out of order", common_passwords[i - 1],
                         p);
        cr_assert_eq(auth_password_acceptable(p), ACCORD_EINVAL, "%s", p);
    }
}

Test(auth, pwhash_limits_follow_the_environment)
{
    unsigned long long ops;
    size_t mem;
    auth_pwhash_limits(&ops, &mem);
    cr_assert_eq(ops, crypto_pwhash_OPSLIMIT_INTERACTIVE);
    cr_assert_eq(mem, crypto_pwhash_MEMLIMIT_INTERACTIVE);
    unsetenv("ACCORD_PWHASH");
    auth_pwhash_limits(&ops, &mem);
    cr_assert_eq(ops, crypto_pwhash_OPSLIMIT_MODERATE, "moderate by default");
    cr_assert_eq(mem, crypto_pwhash_MEMLIMIT_MODERATE);
    setenv("ACCORD_PWHASH", "interactiv", 1);
    auth_pwhash_limits(&ops, &mem);
    cr_assert_eq(ops, crypto_pwhash_OPSLIMIT_MODERATE, "a typo never weakens the hashes");
    setenv("ACCORD_PWHASH", "interactive", 1);
}

/* ---- roles and scopes ---- */

Test(auth, roles_and_scopes)
{
    cr_assert(auth_role_valid("admin") && auth_role_valid("coordinator") && auth_role_valid("focal_point"));
    cr_assert_not(auth_role_valid("emperor"));
    cr_assert_not(auth_role_valid(NULL));
    cr_assert_eq(auth_scope_check(db, "admin", NULL), 0);
    cr_assert_eq(auth_scope_check(db, "depositary", ""), 0, "empty is no scope");
    cr_assert_eq(auth_scope_check(db, "admin", "KAZ"), ACCORD_EINVAL);
    cr_assert_eq(auth_scope_check(db, "emperor", NULL), ACCORD_EINVAL);
    cr_assert_str_eq(accord_error_field(), "role");
    cr_assert_eq(auth_scope_check(db, "focal_point", "KAZ"), 0);
    cr_assert_eq(auth_scope_check(db, "focal_point", NULL), ACCORD_EINVAL);
    cr_assert_eq(auth_scope_check(db, "focal_point", "XYZ"), ACCORD_ENOTFOUND);
    cr_assert_str_eq(accord_error_field(), "scope");
    cr_assert_eq(auth_scope_check(db, "reviewer", NULL), 0);
    cr_assert_eq(auth_scope_check(db, "reviewer", "code-of-conduct"), 0);
    cr_assert_eq(auth_scope_check(db, "reviewer", "no-such-thing"), ACCORD_ENOTFOUND);
    const char *good[] = {"unodc", "unodc/almaty", "un-women", "g20", "a/b-2"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        cr_assert_eq(auth_scope_check(db, "coordinator", good[i]), 0, "%s", good[i]);
    const char *bad[] = {"UNODC", "unodc/almaty/x", "unodc/", "/almaty", "-unodc", "un odc", "unodc\n", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(auth_scope_check(db, "coordinator", bad[i]), ACCORD_EINVAL, "'%s' must be refused", bad[i]);

    cr_assert(auth_scope_within("focal_point", "KAZ", "KAZ"));
    cr_assert_not(auth_scope_within("focal_point", "KAZ", "TUR"));
    cr_assert_not(auth_scope_within("focal_point", "KAZ", NULL));
    cr_assert(auth_scope_within("reviewer", NULL, "code-of-conduct"), "one instrument of all");
    cr_assert_not(auth_scope_within("reviewer", "code-of-conduct", NULL), "all is wider than one");
    cr_assert(auth_scope_within("coordinator", "unodc", "unodc/almaty"));
    cr_assert_not(auth_scope_within("coordinator", "unodc/almaty", "unodc"));
    cr_assert_not(auth_scope_within("coordinator", "unodc", "unodcx/almaty"));
    cr_assert_not(auth_scope_within("coordinator", "unodc", "unicef"));
    cr_assert(auth_scope_within("admin", NULL, ""));
    cr_assert_not(auth_scope_within("admin", NULL, "KAZ"));
}

/* ---- accounts ---- */

Test(auth, user_add_find_get_list)
{
    char id[AUTH_ID_LEN], found[AUTH_ID_LEN], other[AUTH_ID_LEN];
    cr_assert_eq(auth_user_add(db, "Aigerim@Example.ORG", "Aigerim", "focal_point", "KAZ", PW, NULL, id), 0, "%s",
                 accord_error_message());
    cr_assert_eq(strlen(id), 32);
    cr_assert_eq(auth_user_find(db, "aigerim@example.org", found), 0);
    cr_assert_str_eq(found, id);
    cr_assert_eq(auth_user_find(db, "AIGERIM@EXAMPLE.ORG", found), 0, "emails match whatever their case");
    cr_assert_eq(auth_user_find(db, id, found), 0, "an id finds it too");
    cr_assert_eq(auth_user_find(db, "nobody@example.org", found), ACCORD_ENOTFOUND);
    cr_assert_eq(auth_user_add(db, "AIGERIM@example.org", "Again", "reviewer", NULL, PW, NULL, other),
                 ACCORD_ECONFLICT);
    cr_assert_str_eq(accord_error_field(), "email");

    json_t *u;
    cr_assert_eq(auth_user_get(db, id, &u), 0);
    cr_assert_str_eq(json_string_value(json_object_get(u, "email")), "aigerim@example.org", "stored lowercased");
    cr_assert_str_eq(json_string_value(json_object_get(u, "role")), "focal_point");
    cr_assert_str_eq(json_string_value(json_object_get(u, "scope")), "KAZ");
    cr_assert(json_is_false(json_object_get(u, "disabled")));
    cr_assert(json_is_true(json_object_get(u, "has_password")));
    char *text = json_dumps(u, 0);
    cr_assert_null(strstr(text, "argon2"), "no password hash in %s", text);
    free(text);
    json_decref(u);
    cr_assert_eq(auth_user_get(db, "0123456789abcdef0123456789abcdef", &u), ACCORD_ENOTFOUND);

    add_user("r@example.org", "reviewer", NULL, other);
    json_t *list;
    cr_assert_eq(auth_user_list(db, &list), 0);
    cr_assert_eq(json_array_size(list), 2);
    json_decref(list);
    cr_assert_eq(seclog("user.created"), 2);
}

Test(auth, user_add_refuses_bad_input)
{
    char id[AUTH_ID_LEN];
    const char *emails[] = {"plain", "@example.org", "a@", "a@b", "a@@example.org", "a b@example.org",
                            "a..b@example.org", ".a@example.org", "a@-example.org", "a@example-.org",
                            "a@example.123", "a@exa_mple.org", ""};
    for (size_t i = 0; i < sizeof emails / sizeof emails[0]; i++) {
        cr_assert_eq(auth_user_add(db, emails[i], "X", "reviewer", NULL, PW, NULL, id), ACCORD_EINVAL, "%s", emails[i]);
        cr_assert_str_eq(accord_error_field(), "email");
    }
    char longmail[300];
    memset(longmail, 'a', sizeof longmail);
    memcpy(longmail + 300 - 13, "@example.org", 13);
    cr_assert_eq(auth_user_add(db, longmail, "X", "reviewer", NULL, PW, NULL, id), ACCORD_EINVAL, "over 254 bytes");
    cr_assert_eq(auth_user_add(db, "a@example.org", "", "reviewer", NULL, PW, NULL, id), ACCORD_EINVAL);
    cr_assert_str_eq(accord_error_field(), "display_name");
    cr_assert_eq(auth_user_add(db, "a@example.org", "Bad\x01name", "reviewer", NULL, PW, NULL, id), ACCORD_EINVAL);
    cr_assert_eq(auth_user_add(db, "a@example.org", "Bad \xff", "reviewer", NULL, PW, NULL, id), ACCORD_EINVAL,
                 "not UTF-8");
    cr_assert_eq(auth_user_add(db, "a@example.org", "X", "emperor", NULL, PW, NULL, id), ACCORD_EINVAL);
    cr_assert_eq(auth_user_add(db, "a@example.org", "X", "focal_point", "XYZ", PW, NULL, id), ACCORD_ENOTFOUND);
    cr_assert_eq(auth_user_add(db, "a@example.org", "X", "reviewer", NULL, "short", NULL, id), ACCORD_EINVAL);
    cr_assert_eq(auth_user_add(db, "a@example.org", "X", "reviewer", NULL, "password1234", NULL, id), ACCORD_EINVAL);
    cr_assert_eq(count("SELECT count(*) FROM account", NULL), 0, "nothing was created");
    cr_assert_eq(seclog("user.created"), 0);
}

Test(auth, disable_enable_role_passwd_are_logged)
{
    char admin[AUTH_ID_LEN], id[AUTH_ID_LEN];
    add_user("admin@example.org", "admin", NULL, admin);
    add_user("fp@example.org", "focal_point", "KAZ", id);
    cr_assert_eq(auth_user_set_disabled(db, id, true, as(admin)), 0);
    cr_assert_eq(count("SELECT disabled FROM account WHERE id = ?", id), 1);
    cr_assert_eq(auth_user_set_disabled(db, id, true, as(admin)), 0, "disabling twice is no error");
    cr_assert_eq(seclog("user.disabled"), 1, "and logs once");
    cr_assert_eq(auth_user_set_disabled(db, id, false, as(admin)), 0);
    cr_assert_eq(seclog("user.enabled"), 1);
    char *by = text_of("SELECT by_account FROM security_log WHERE kind = 'user.enabled' AND account = ?", id);
    cr_assert_str_eq(by, admin, "the acting admin is recorded");
    free(by);

    cr_assert_eq(auth_user_set_role(db, id, "focal_point", "TUR", as(admin)), 0);
    char *scope = text_of("SELECT scope FROM account WHERE id = ?", id);
    cr_assert_str_eq(scope, "TUR");
    free(scope);
    cr_assert_eq(auth_user_set_role(db, id, "reviewer", NULL, as(admin)), 0);
    cr_assert_eq(count("SELECT count(*) FROM account WHERE id = ? AND scope IS NULL AND role = 'reviewer'", id), 1);
    cr_assert_eq(auth_user_set_role(db, id, "focal_point", "XYZ", as(admin)), ACCORD_ENOTFOUND);
    cr_assert_eq(auth_user_set_role(db, id, "admin", "KAZ", as(admin)), ACCORD_EINVAL);
    cr_assert_eq(auth_user_set_role(db, "0123456789abcdef0123456789abcdef", "admin", NULL, as(admin)), ACCORD_ENOTFOUND);
    cr_assert_eq(seclog("user.role_changed"), 2);
    char *detail = text_of("SELECT detail FROM security_log WHERE kind = 'user.role_changed' AND detail LIKE ?",
                           "focal_point KAZ -> focal_point TUR");
    cr_assert_not_null(detail);
    free(detail);

    char *before = text_of("SELECT password_hash FROM account WHERE id = ?", id);
    cr_assert_eq(auth_user_set_password(db, id, "short", as(admin)), ACCORD_EINVAL);
    cr_assert_eq(auth_user_set_password(db, id, "another long passphrase", as(admin)), 0);
    char *after = text_of("SELECT password_hash FROM account WHERE id = ?", id);
    cr_assert_str_neq(before, after);
    cr_assert(strncmp(after, "$argon2id$", 10) == 0, "%s", after);
    free(before);
    free(after);
    cr_assert_eq(seclog("user.password_changed"), 1);
    char token[AUTH_TOKEN_LEN], csrf[AUTH_TOKEN_LEN];
    cr_assert_eq(login("fp@example.org", PW, NULL, token, csrf, NULL), ACCORD_EAUTH, "the old password is gone");
    cr_assert_eq(login("fp@example.org", "another long passphrase", NULL, token, csrf, NULL), 0);
}

Test(auth, the_last_enabled_admin_stays)
{
    char a1[AUTH_ID_LEN], a2[AUTH_ID_LEN];
    add_user("a1@example.org", "admin", NULL, a1);
    cr_assert_eq(auth_user_set_disabled(db, a1, true, NULL), ACCORD_ERULE);
    cr_assert_eq(auth_user_set_role(db, a1, "reviewer", NULL, NULL), ACCORD_ERULE);
    add_user("a2@example.org", "admin", NULL, a2);
    cr_assert_eq(auth_user_set_disabled(db, a1, true, NULL), 0, "another admin remains");
    cr_assert_eq(auth_user_set_role(db, a2, "reviewer", NULL, NULL), ACCORD_ERULE);
}

Test(auth, password_change_ends_sessions)
{
    char id[AUTH_ID_LEN], token[AUTH_TOKEN_LEN], csrf[AUTH_TOKEN_LEN];
    principal p;
    add_user("s@example.org", "depositary", NULL, id);
    login_ok("s@example.org", token, csrf);
    cr_assert_eq(auth_check_session(db, token, &p), 0);
    cr_assert_eq(auth_user_set_password(db, id, "a brand new passphrase", NULL), 0);
    cr_assert_eq(auth_check_session(db, token, &p), ACCORD_EAUTH);
}

/* ---- sessions ---- */

Test(auth, login_creates_a_session)
{
    char id[AUTH_ID_LEN], token[AUTH_TOKEN_LEN], csrf[AUTH_TOKEN_LEN];
    principal p;
    add_user("fp@example.org", "focal_point", "KAZ", id);
    cr_assert_eq(login("FP@example.org", PW, "192.0.2.1", token, csrf, NULL), 0, "%s", accord_error_message());
    cr_assert(strncmp(token, "acs_", 4) == 0 && strlen(token) == 47, "%s", token);
    cr_assert(strncmp(csrf, "acf_", 4) == 0 && strlen(csrf) == 47, "%s", csrf);
    cr_assert_eq(auth_check_session(db, token, &p), 0, "%s", accord_error_message());
    cr_assert_str_eq(p.id, id);
    cr_assert_str_eq(p.role, "focal_point");
    cr_assert_str_eq(p.scope, "KAZ");
    cr_assert(p.via_session);
    cr_assert_gt(p.session, 0);
    cr_assert_str_eq(p.who.id, id);
    cr_assert_str_eq(p.who.role, "focal_point");
    /* Only hashes are stored. */
    cr_assert_eq(count("SELECT count(*) FROM session WHERE length(token_hash) = 32 AND length(csrf_hash) = 32", NULL),
                 1);
    cr_assert_eq(seclog("login.succeeded"), 1);
    char *client = text_of("SELECT client FROM security_log WHERE kind = ?", "login.succeeded");
    cr_assert_str_eq(client, "192.0.2.1");
    free(client);
    cr_assert_eq(auth_check_session(db, "acs_nonsense", &p), ACCORD_EAUTH);
    cr_assert_eq(auth_check_session(db, NULL, &p), ACCORD_EAUTH);
    char api[AUTH_TOKEN_LEN];
    cr_assert_eq(auth_token_create(db, id, "t", NULL, NULL, NULL, api, NULL), 0);
    cr_assert_eq(auth_check_session(db, api, &p), ACCORD_EAUTH, "an API token is no session");
    cr_assert_eq(auth_check_token(db, token, &p), ACCORD_EAUTH, "a session is no API token");
}

Test(auth, csrf_right_and_wrong)
{
    char id[AUTH_ID_LEN], t1[AUTH_TOKEN_LEN], c1[AUTH_TOKEN_LEN], t2[AUTH_TOKEN_LEN], c2[AUTH_TOKEN_LEN];
    principal p1, p2, tp;
    add_user("c@example.org", "depositary", NULL, id);
    login_ok("c@example.org", t1, c1);
    login_ok("c@example.org", t2, c2);
    cr_assert_eq(auth_check_session(db, t1, &p1), 0);
    cr_assert_eq(auth_check_session(db, t2, &p2), 0);
    cr_assert(auth_check_csrf(db, &p1, c1));
    cr_assert(auth_check_csrf(db, &p2, c2));
    cr_assert_not(auth_check_csrf(db, &p1, c2), "each session has its own CSRF token");
    cr_assert_not(auth_check_csrf(db, &p1, "wrong"));
    cr_assert_not(auth_check_csrf(db, &p1, NULL));
    cr_assert_not(auth_check_csrf(db, &p1, t1), "the session token is not the CSRF token");
    char api[AUTH_TOKEN_LEN];
    cr_assert_eq(auth_token_create(db, id, "t", NULL, NULL, NULL, api, NULL), 0);
    cr_assert_eq(auth_check_token(db, api, &tp), 0);
    cr_assert_not(tp.via_session);
    cr_assert_not(auth_check_csrf(db, &tp, c1), "token callers have no CSRF token");
}

Test(auth, logout_revokes)
{
    char id[AUTH_ID_LEN], token[AUTH_TOKEN_LEN], csrf[AUTH_TOKEN_LEN], other[AUTH_TOKEN_LEN], oc[AUTH_TOKEN_LEN];
    principal p, q;
    add_user("l@example.org", "reviewer", NULL, id);
    login_ok("l@example.org", token, csrf);
    login_ok("l@example.org", other, oc);
    cr_assert_eq(auth_check_session(db, token, &p), 0);
    cr_assert_eq(auth_logout(db, &p), 0);
    cr_assert_eq(auth_check_session(db, token, &q), ACCORD_EAUTH);
    cr_assert_not(auth_check_csrf(db, &p, csrf), "a revoked session's CSRF token is dead too");
    cr_assert_eq(auth_check_session(db, other, &q), 0, "other sessions go on");
    cr_assert_eq(seclog("logout"), 1);
    principal none = {0};
    cr_assert_eq(auth_logout(db, &none), ACCORD_EINVAL);
}

Test(auth, session_idle_and_absolute_expiry)
{
    char id[AUTH_ID_LEN], token[AUTH_TOKEN_LEN], csrf[AUTH_TOKEN_LEN];
    principal p;
    add_user("e@example.org", "reviewer", NULL, id);
    login_ok("e@example.org", token, csrf);

    /* Use refreshes the idle time. */
    cr_assert_eq(store_run(db, "UPDATE session SET last_seen_at = ?", "s", ts(-AUTH_SESSION_IDLE_SECONDS + 60)), 0);
    cr_assert_eq(auth_check_session(db, token, &p), 0);
    char *seen = text_of("SELECT last_seen_at FROM session WHERE account = ?", id);
    cr_assert_geq(strcmp(seen, ts(-5)), 0, "last_seen_at refreshed to now, got %s", seen);
    free(seen);

    /* Idle too long. */
    cr_assert_eq(store_run(db, "UPDATE session SET last_seen_at = ?", "s", ts(-AUTH_SESSION_IDLE_SECONDS - 1)), 0);
    cr_assert_eq(auth_check_session(db, token, &p), ACCORD_EAUTH);

    /* Always active, but past the absolute limit. */
    cr_assert_eq(store_run(db, "UPDATE session SET last_seen_at = ?, created_at = ?", "ss", ts(0),
                           ts(-AUTH_SESSION_MAX_SECONDS + 60)),
                 0);
    cr_assert_eq(auth_check_session(db, token, &p), 0, "just inside the limit");
    cr_assert_eq(store_run(db, "UPDATE session SET created_at = ?", "s", ts(-AUTH_SESSION_MAX_SECONDS - 1)), 0);
    cr_assert_eq(auth_check_session(db, token, &p), ACCORD_EAUTH);
    char msg[200];
    snprintf(msg, sizeof msg, "%s", accord_error_message());

    /* Every refusal reads the same. */
    cr_assert_eq(auth_check_session(db, "acs_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &p), ACCORD_EAUTH);
    cr_assert_str_eq(accord_error_message(), msg);
}

Test(auth, disabled_user_cannot_sign_in_and_loses_access)
{
    char id[AUTH_ID_LEN], token[AUTH_TOKEN_LEN], csrf[AUTH_TOKEN_LEN], api[AUTH_TOKEN_LEN];
    principal p;
    add_user("d@example.org", "depositary", NULL, id);
    login_ok("d@example.org", token, csrf);
    cr_assert_eq(auth_token_create(db, id, "script", NULL, NULL, NULL, api, NULL), 0);
    cr_assert_eq(auth_check_token(db, api, &p), 0);

    cr_assert_eq(auth_user_set_disabled(db, id, true, NULL), 0);
    cr_assert_eq(auth_check_session(db, token, &p), ACCORD_EAUTH);
    cr_assert_eq(auth_check_token(db, api, &p), ACCORD_EAUTH);
    cr_assert_eq(login("d@example.org", PW, NULL, token, csrf, NULL), ACCORD_EAUTH, "right password, disabled");
    char disabled_msg[200];
    snprintf(disabled_msg, sizeof disabled_msg, "%s", accord_error_message());
    cr_assert_eq(login("d@example.org", "not the password!", NULL, token, csrf, NULL), ACCORD_EAUTH);
    cr_assert_str_eq(accord_error_message(), disabled_msg, "a disabled account looks like a wrong password");
    cr_assert_eq(count("SELECT count(*) FROM security_log WHERE detail = 'account disabled'", NULL), 1);

    cr_assert_eq(auth_user_set_disabled(db, id, false, NULL), 0);
    cr_assert_eq(auth_check_token(db, api, &p), 0, "tokens work again once enabled");
    cr_assert_eq(auth_check_session(db, token, &p), ACCORD_EAUTH, "sessions ended for good");
}

Test(auth, unknown_email_and_wrong_password_look_the_same)
{
    char id[AUTH_ID_LEN], token[AUTH_TOKEN_LEN], csrf[AUTH_TOKEN_LEN];
    add_user("k@example.org", "reviewer", NULL, id);
    const char *cases[][2] = {{"k@example.org", "not the password!"},
                              {"nobody@example.org", "not the password!"},
                              {"not an email", "not the password!"},
                              {"k@example.org", ""},
                              {NULL, NULL}};
    char first[200] = "";
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = login(cases[i][0], cases[i][1], "198.51.100.1", token, csrf, NULL);
        cr_assert_eq(rc, ACCORD_EAUTH, "case %zu", i);
        cr_assert_null(accord_error_field());
        if (i == 0)
            snprintf(first, sizeof first, "%s", accord_error_message());
        else
            cr_assert_str_eq(accord_error_message(), first, "case %zu", i);
        cr_assert_eq(token[0], '\0');
    }
    /* The bootstrap-style account without a password cannot sign in either. */
    char bt[AUTH_TOKEN_LEN];
    cr_assert_eq(auth_bootstrap_admin(db, bt), 0);
    cr_assert_eq(store_run(db, "UPDATE account SET email = 'boot@example.org' WHERE password_hash IS NULL", ""), 0);
    cr_assert_eq(login("boot@example.org", "", NULL, token, csrf, NULL), ACCORD_EAUTH);
    cr_assert_str_eq(accord_error_message(), first);
}

/* Times one failed sign-in, in seconds. */
static double time_login(const char *email, const char *password, const char *client)
{
    char token[AUTH_TOKEN_LEN], csrf[AUTH_TOKEN_LEN];
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    cr_assert_eq(login(email, password, client, token, csrf, NULL), ACCORD_EAUTH, "%s", accord_error_message());
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

/* Timing similarity. Absolute times depend on the machine, the build
 * (sanitizers slow Argon2id down several times) and the load, so the test
 * compares the two paths with each other: both run one Argon2id
 * verification with the same limits, which dominates, so the ratio stays
 * near 1 wherever it runs. Without the dummy hash an unknown email would
 * answer in microseconds and the ratio would be in the thousands; a factor
 * of 3 leaves room for noise and still catches that. */
Test(auth, unknown_email_and_wrong_password_take_similar_time)
{
    char id[AUTH_ID_LEN];
    add_user("t@example.org", "reviewer", NULL, id);
    time_login("warmup@example.org", "whatever it is", "203.0.113.9"); /* makes the dummy hash */
    double unknown = 0, wrong = 0;
    for (int i = 0; i < 4; i++) {
        char email[64], client[32];
        snprintf(email, sizeof email, "nobody%d@example.org", i);
        snprintf(client, sizeof client, "203.0.113.%d", i);
        unknown += time_login(email, "not the password!", client);
        wrong += time_login("t@example.org", "not the password!", client);
        cr_assert_eq(store_run(db, "DELETE FROM login_throttle", ""), 0); /* keep the back-off out of it */
    }
    double ratio = unknown / wrong;
    cr_log_info("sign-in failure times: unknown %.3f s, wrong password %.3f s (ratio %.2f)", unknown, wrong, ratio);
    cr_assert(ratio > 1.0 / 3 && ratio < 3, "unknown %.3f s vs wrong password %.3f s", unknown, wrong);
}

/* ---- throttling ---- */

Test(auth, throttling_per_account_backs_off_and_resets_on_success)
{
    char id[AUTH_ID_LEN], token[AUTH_TOKEN_LEN], csrf[AUTH_TOKEN_LEN];
    int retry = 0;
    add_user("th@example.org", "reviewer", NULL, id);
    for (int i = 1; i <= AUTH_THROTTLE_ACCOUNT_FREE; i++) {
        cr_assert_eq(login("th@example.org", "not the password!", NULL, token, csrf, &retry), ACCORD_EAUTH);
        cr_assert_eq(retry, 0);
        cr_assert_eq(throttle_failures("account:%"), i);
    }
    /* The fifth failure starts the back-off at 1 s. */
    cr_assert_eq(count("SELECT count(*) FROM login_throttle WHERE key LIKE 'account:%' AND locked_until IS NOT NULL",
                       NULL),
                 1);
    char *keys = text_of("SELECT group_concat(key) FROM login_throttle WHERE key LIKE ?", "%");
    cr_assert_null(strstr(keys, "th@example.org"), "the email itself is not stored: %s", keys);
    free(keys);

    /* Each further failure doubles the wait, up to the cap. Simulate the
     * earlier failures and the waits having passed by writing the row. */
    for (int n = AUTH_THROTTLE_ACCOUNT_FREE + 1; n <= AUTH_THROTTLE_ACCOUNT_FREE + 12; n++) {
        cr_assert_eq(store_run(db,
                               "UPDATE login_throttle SET failures = ?, locked_until = NULL"
                               " WHERE key LIKE 'account:%'",
                               "i", (int64_t)(n - 1)),
                     0);
        cr_assert_eq(login("th@example.org", "not the password!", NULL, token, csrf, &retry), ACCORD_EAUTH);
        int64_t want = (int64_t)1 << (n - AUTH_THROTTLE_ACCOUNT_FREE);
        if (want > AUTH_THROTTLE_MAX_SECONDS)
            want = AUTH_THROTTLE_MAX_SECONDS;
        char *last = text_of("SELECT last_failure_at FROM login_throttle WHERE key LIKE ?", "account:%");
        char *until = text_of("SELECT locked_until FROM login_throttle WHERE key LIKE ?", "account:%");
        int64_t tl, tu;
        cr_assert_eq(date_parse_rfc3339(last, "t", &tl), 0);
        cr_assert_eq(date_parse_rfc3339(until, "t", &tu), 0);
        cr_assert_eq(tu - tl, want, "after %d failures: waits %lld s, want %lld", n, (long long)(tu - tl),
                     (long long)want);
        free(last);
        free(until);
    }

    /* Now throttled: even the right password waits, and nothing is checked. */
    cr_assert_eq(login("th@example.org", PW, NULL, token, csrf, &retry), ACCORD_ETHROTTLED);
    cr_assert(retry > AUTH_THROTTLE_MAX_SECONDS - 5 && retry <= AUTH_THROTTLE_MAX_SECONDS, "retry after %d", retry);
    cr_assert(strstr(accord_error_message(), "try again"), "%s", accord_error_message());
    cr_assert_eq(seclog("login.throttled"), 1);
    cr_assert_eq(count("SELECT count(*) FROM session", NULL), 0);
    cr_assert_eq(login("TH@EXAMPLE.ORG", PW, NULL, token, csrf, &retry), ACCORD_ETHROTTLED, "whatever the case");

    /* Once the wait is over, a success clears the count. */
    cr_assert_eq(store_run(db, "UPDATE login_throttle SET locked_until = ?", "s", ts(-1)), 0);
    cr_assert_eq(login("th@example.org", PW, NULL, token, csrf, &retry), 0, "%s", accord_error_message());
    cr_assert_eq(count("SELECT count(*) FROM login_throttle WHERE key LIKE 'account:%'", NULL), 0);

    /* Old failures are forgotten after the window. */
    for (int i = 0; i < 3; i++)
        login("th@example.org", "not the password!", NULL, token, csrf, &retry);
    cr_assert_eq(store_run(db, "UPDATE login_throttle SET last_failure_at = ?", "s",
                           ts(-AUTH_THROTTLE_WINDOW_SECONDS - 1)),
                 0);
    login("th@example.org", "not the password!", NULL, token, csrf, &retry);
    cr_assert_eq(throttle_failures("account:%"), 1);
}

Test(auth, throttling_unknown_emails_too)
{
    char token[AUTH_TOKEN_LEN], csrf[AUTH_TOKEN_LEN];
    int retry;
    for (int i = 0; i < AUTH_THROTTLE_ACCOUNT_FREE; i++)
        cr_assert_eq(login("ghost@example.org", "not the password!", NULL, token, csrf, &retry), ACCORD_EAUTH);
    cr_assert_eq(throttle_failures("account:%"), AUTH_THROTTLE_ACCOUNT_FREE,
                 "unknown emails are throttled like known ones, or throttling would tell them apart");
}

Test(auth, throttling_per_address)
{
    char id[AUTH_ID_LEN], token[AUTH_TOKEN_LEN], csrf[AUTH_TOKEN_LEN];
    int retry = 0;
    add_user("victim@example.org", "reviewer", NULL, id);
    /* Guessing at many accounts from one address: one try each. */
    for (int i = 1; i <= AUTH_THROTTLE_ADDRESS_FREE; i++) {
        char email[64];
        snprintf(email, sizeof email, "guess%d@example.org", i);
        cr_assert_eq(login(email, "not the password!", "192.0.2.66", token, csrf, &retry), ACCORD_EAUTH, "try %d", i);
    }
    cr_assert_eq(throttle_failures("address:192.0.2.66"), AUTH_THROTTLE_ADDRESS_FREE);
    cr_assert_eq(count("SELECT count(*) FROM login_throttle WHERE key = ? AND locked_until IS NOT NULL",
                       "address:192.0.2.66"),
                 1, "the back-off has started");
    /* A few more failures (simulated) make the wait long enough to test
     * without racing the clock. */
    cr_assert_eq(store_run(db, "UPDATE login_throttle SET failures = 24, locked_until = NULL WHERE key = ?", "s",
                           "address:192.0.2.66"),
                 0);
    cr_assert_eq(login("guess99@example.org", "not the password!", "192.0.2.66", token, csrf, &retry), ACCORD_EAUTH);
    cr_assert_eq(login("victim@example.org", PW, "192.0.2.66", token, csrf, &retry), ACCORD_ETHROTTLED,
                 "the address waits, whatever the account");
    cr_assert(retry > 25 && retry <= 32, "retry after %d", retry);
    cr_assert_eq(login("victim@example.org", PW, "192.0.2.67", token, csrf, &retry), 0, "other addresses do not");

    /* A success from the address takes back only its own attempt: signing
     * in to one's own account does not clear a spraying address. */
    cr_assert_eq(store_run(db, "UPDATE login_throttle SET failures = 7, locked_until = NULL WHERE key = ?", "s",
                           "address:192.0.2.66"),
                 0);
    cr_assert_eq(login("victim@example.org", PW, "192.0.2.66", token, csrf, &retry), 0, "%s", accord_error_message());
    cr_assert_eq(throttle_failures("address:192.0.2.66"), 7);
}

Test(auth, strangers_cannot_lock_the_owner_out)
{
    char id[AUTH_ID_LEN], token[AUTH_TOKEN_LEN], csrf[AUTH_TOKEN_LEN];
    int retry = 0;
    add_user("owner@example.org", "reviewer", NULL, id);
    /* A stranger at one address fails until the account must wait. */
    for (int i = 0; i < AUTH_THROTTLE_ACCOUNT_FREE; i++)
        cr_assert_eq(login("owner@example.org", "not the password!", "198.51.100.1", token, csrf, &retry),
                     ACCORD_EAUTH);
    /* Make the waits long enough not to race the clock on a slow machine. */
    cr_assert_eq(store_run(db, "UPDATE login_throttle SET locked_until = ? WHERE locked_until IS NOT NULL", "s",
                           ts(600)),
                 0);
    cr_assert_eq(count("SELECT count(*) FROM login_throttle WHERE locked_until IS NOT NULL", NULL), 2,
                 "the account and the pair wait; the address has failures to spare");
    cr_assert_eq(login("owner@example.org", PW, "198.51.100.1", token, csrf, &retry), ACCORD_ETHROTTLED,
                 "the stranger's address waits, even with the right password");
    /* The owner, from an address with no failures, gets in at once. */
    cr_assert_eq(login("owner@example.org", PW, "203.0.113.5", token, csrf, &retry), 0, "%s",
                 accord_error_message());
    /* The stranger keeps failing (as the wait allows): the owner still
     * gets in, again and again. */
    for (int round = 0; round < 3; round++) {
        cr_assert_eq(store_run(db, "UPDATE login_throttle SET locked_until = NULL", ""), 0); /* waits over */
        cr_assert_eq(login("owner@example.org", "not the password!", "198.51.100.1", token, csrf, &retry),
                     ACCORD_EAUTH);
        cr_assert_eq(login("owner@example.org", PW, "203.0.113.5", token, csrf, &retry), 0, "round %d: %s", round,
                     accord_error_message());
    }
    /* Guessing from many addresses: each new address gets one try, then
     * the account's back-off holds for it. */
    cr_assert_eq(store_run(db, "DELETE FROM login_throttle", ""), 0);
    for (int i = 0; i < AUTH_THROTTLE_ACCOUNT_FREE; i++) {
        char address[32];
        snprintf(address, sizeof address, "198.51.100.%d", 10 + i);
        cr_assert_eq(login("owner@example.org", "not the password!", address, token, csrf, &retry), ACCORD_EAUTH);
    }
    cr_assert_eq(store_run(db, "UPDATE login_throttle SET locked_until = ? WHERE key LIKE 'account:%'", "s", ts(600)),
                 0);
    cr_assert_eq(login("owner@example.org", "not the password!", "198.51.100.10", token, csrf, &retry),
                 ACCORD_ETHROTTLED, "an address that failed waits out the account's back-off");
    cr_assert_eq(login("owner@example.org", PW, "203.0.113.5", token, csrf, &retry), 0, "the owner does not");
}

/* ---- API tokens ---- */

Test(auth, api_token_create_check_list_revoke)
{
    char id[AUTH_ID_LEN], other[AUTH_ID_LEN], token[AUTH_TOKEN_LEN];
    int64_t tid;
    principal p;
    add_user("fp@example.org", "focal_point", "KAZ", id);
    add_user("o@example.org", "reviewer", NULL, other);
    cr_assert_eq(auth_token_create(db, id, "uploader", NULL, NULL, as(id), token, &tid), 0, "%s", accord_error_message());
    cr_assert(strncmp(token, "acc_", 4) == 0 && strlen(token) == 47, "%s", token);
    cr_assert_gt(tid, 0);
    cr_assert_eq(auth_check_token(db, token, &p), 0, "%s", accord_error_message());
    cr_assert_str_eq(p.id, id);
    cr_assert_str_eq(p.role, "focal_point");
    cr_assert_str_eq(p.scope, "KAZ", "no scope asked: the account's");
    cr_assert_not(p.via_session);
    cr_assert_eq(count("SELECT count(*) FROM api_token WHERE last_used_at IS NOT NULL", NULL), 1);

    json_t *list;
    cr_assert_eq(auth_token_list(db, id, &list), 0);
    cr_assert_eq(json_array_size(list), 1);
    json_t *t = json_array_get(list, 0);
    cr_assert_str_eq(json_string_value(json_object_get(t, "name")), "uploader");
    cr_assert_str_eq(json_string_value(json_object_get(t, "state")), "active");
    cr_assert_str_eq(json_string_value(json_object_get(t, "scope")), "KAZ");
    cr_assert_not_null(json_string_value(json_object_get(t, "last_used_at")));
    char *text = json_dumps(list, 0);
    cr_assert_null(strstr(text, token + 4), "the token value is never listed");
    cr_assert_null(strstr(text, "hash"));
    free(text);
    json_decref(list);
    cr_assert_eq(auth_token_list(db, other, &list), 0);
    cr_assert_eq(json_array_size(list), 0);
    json_decref(list);

    cr_assert_eq(auth_token_revoke(db, tid, other, as(other)), ACCORD_ENOTFOUND, "not another account's token");
    cr_assert_eq(auth_check_token(db, token, &p), 0);
    cr_assert_eq(auth_token_revoke(db, tid, id, as(id)), 0);
    cr_assert_eq(auth_check_token(db, token, &p), ACCORD_EAUTH);
    cr_assert_eq(auth_token_revoke(db, tid, NULL, NULL), 0, "revoking twice changes nothing");
    cr_assert_eq(auth_token_revoke(db, 99999, NULL, NULL), ACCORD_ENOTFOUND);
    cr_assert_eq(auth_token_list(db, NULL, &list), 0);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 0), "state")), "revoked");
    json_decref(list);
    cr_assert_eq(seclog("token.created"), 1);
    cr_assert_eq(seclog("token.revoked"), 1);

    cr_assert_eq(auth_token_create(db, id, "", NULL, NULL, NULL, token, NULL), ACCORD_EINVAL);
    cr_assert_str_eq(accord_error_field(), "name");
    cr_assert_eq(auth_token_create(db, "0123456789abcdef0123456789abcdef", "x", NULL, NULL, NULL, token, NULL),
                 ACCORD_ENOTFOUND);
    cr_assert_eq(auth_check_token(db, "acc_short", &p), ACCORD_EAUTH);
    cr_assert_eq(auth_check_token(db, NULL, &p), ACCORD_EAUTH);
}

Test(auth, api_token_expiry)
{
    char id[AUTH_ID_LEN], token[AUTH_TOKEN_LEN];
    int64_t tid;
    principal p;
    add_user("x@example.org", "depositary", NULL, id);
    cr_assert_eq(auth_token_create(db, id, "old", NULL, "2001-01-01T00:00:00Z", NULL, token, NULL), ACCORD_EINVAL);
    cr_assert_str_eq(accord_error_field(), "expires_at");
    cr_assert_eq(auth_token_create(db, id, "bad", NULL, "next tuesday", NULL, token, NULL), ACCORD_EINVAL);
    cr_assert_eq(auth_token_create(db, id, "bad", NULL, "2099-02-30T00:00:00Z", NULL, token, NULL), ACCORD_EINVAL);
    cr_assert_eq(auth_token_create(db, id, "soon", NULL, "2099-01-01T02:00:00+02:00", NULL, token, &tid), 0, "%s",
                 accord_error_message());
    char *stored = text_of("SELECT expires_at FROM api_token WHERE name = ?", "soon");
    cr_assert_str_eq(stored, "2099-01-01T00:00:00Z", "stored in UTC");
    free(stored);
    cr_assert_eq(auth_check_token(db, token, &p), 0);
    cr_assert_eq(store_run(db, "UPDATE api_token SET expires_at = ? WHERE id = ?", "si", ts(-1), tid), 0);
    cr_assert_eq(auth_check_token(db, token, &p), ACCORD_EAUTH);
    json_t *list;
    cr_assert_eq(auth_token_list(db, id, &list), 0);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 0), "state")), "expired");
    json_decref(list);
}

/* With the cache of verified tokens on (as in the server), a token the
 * database accepted is kept: a revocation, a disabled account and a role
 * change made through the module reach it at once; a change made behind
 * its back (by another process) within AUTH_TOKEN_CACHE_SECONDS; and a
 * kept token still ends at its expiry. */
Test(auth, kept_tokens_follow_every_change_at_once)
{
    char id[AUTH_ID_LEN], token[AUTH_TOKEN_LEN], second[AUTH_TOKEN_LEN];
    int64_t tid, tid2;
    principal p;
    auth_token_cache(true);
    add_user("kept@example.org", "depositary", NULL, id);
    add_user("admin@example.org", "admin", NULL, (char[AUTH_ID_LEN]){0});
    cr_assert_eq(auth_token_create(db, id, "script", NULL, NULL, NULL, token, &tid), 0, "%s", accord_error_message());
    cr_assert_eq(auth_token_create(db, id, "other", NULL, NULL, NULL, second, &tid2), 0, "%s", accord_error_message());

    /* A role change: the kept token answers with the new role. */
    cr_assert_eq(auth_check_token(db, token, &p), 0, "%s", accord_error_message());
    cr_assert_str_eq(p.role, "depositary");
    cr_assert_eq(auth_user_set_role(db, id, "reviewer", NULL, NULL), 0, "%s", accord_error_message());
    cr_assert_eq(auth_check_token(db, token, &p), 0, "%s", accord_error_message());
    cr_assert_str_eq(p.role, "reviewer");
    cr_assert_str_eq(p.who.role, "reviewer");

    /* A disabled account: refused at once, and accepted again once enabled. */
    cr_assert_eq(auth_user_set_disabled(db, id, true, NULL), 0, "%s", accord_error_message());
    cr_assert_eq(auth_check_token(db, token, &p), ACCORD_EAUTH);
    cr_assert_eq(auth_user_set_disabled(db, id, false, NULL), 0, "%s", accord_error_message());
    cr_assert_eq(auth_check_token(db, token, &p), 0, "%s", accord_error_message());

    /* A revocation: refused at once; the account's other token still works. */
    cr_assert_eq(auth_check_token(db, second, &p), 0, "%s", accord_error_message());
    cr_assert_eq(auth_token_revoke(db, tid, NULL, NULL), 0, "%s", accord_error_message());
    cr_assert_eq(auth_check_token(db, token, &p), ACCORD_EAUTH);
    cr_assert_eq(auth_check_token(db, second, &p), 0, "%s", accord_error_message());

    /* Behind the module's back the kept answer stands, for at most
     * AUTH_TOKEN_CACHE_SECONDS. */
    int64_t kept_at = clock_now();
    cr_assert_eq(auth_check_token(db, second, &p), 0, "%s", accord_error_message());
    cr_assert_eq(store_run(db, "UPDATE api_token SET revoked_at = ? WHERE id = ?", "si", ts(0), tid2), 0);
    int rc = auth_check_token(db, second, &p);
    if (clock_now() - kept_at < AUTH_TOKEN_CACHE_SECONDS)
        cr_assert_eq(rc, ACCORD_OK, "the answer was not kept");
    clock_set(kept_at + AUTH_TOKEN_CACHE_SECONDS);
    cr_assert_eq(auth_check_token(db, second, &p), ACCORD_EAUTH);

    /* A kept token ends at its expiry. */
    char soon[32];
    int64_t ends = clock_now() + 3600;
    date_format_rfc3339(ends, soon);
    cr_assert_eq(auth_token_create(db, id, "short", NULL, soon, NULL, token, NULL), 0, "%s", accord_error_message());
    cr_assert_eq(auth_check_token(db, token, &p), 0, "%s", accord_error_message());
    cr_assert_eq(p.ends, ends);
    clock_set(ends);
    cr_assert_eq(auth_check_token(db, token, &p), ACCORD_EAUTH);
    auth_token_cache(false);
}

/* The expiry stored for token 'tid', as Unix time; 0 for none. */
static int64_t token_expiry_of(int64_t tid)
{
    char arg[24];
    snprintf(arg, sizeof arg, "%lld", (long long)tid);
    char *at = text_of("SELECT expires_at FROM api_token WHERE id = CAST(? AS INTEGER)", arg);
    int64_t t = 0;
    if (at)
        cr_assert_eq(date_parse_rfc3339(at, "t", &t), 0, "%s", at);
    free(at);
    return t;
}

Test(auth, tokens_made_by_a_caller_expire_within_the_maximum)
{
    char id[AUTH_ID_LEN], token[AUTH_TOKEN_LEN];
    int64_t tid;
    add_user("life@example.org", "depositary", NULL, id);
    /* No expiry asked for: the default, not never. */
    int64_t before = clock_now();
    cr_assert_eq(auth_token_create(db, id, "default", NULL, NULL, as(id), token, &tid), 0, "%s",
                 accord_error_message());
    int64_t t = token_expiry_of(tid);
    cr_assert(t >= before + AUTH_TOKEN_DEFAULT_SECONDS && t <= clock_now() + AUTH_TOKEN_DEFAULT_SECONDS,
              "a token without expires_at lives the default %d s, got %lld", AUTH_TOKEN_DEFAULT_SECONDS,
              (long long)(t - before));
    /* Past the maximum: refused, naming the latest date allowed. */
    cr_assert_eq(auth_token_create(db, id, "forever", NULL, "9999-12-31T00:00:00Z", as(id), token, NULL),
                 ACCORD_EINVAL);
    cr_assert_str_eq(accord_error_field(), "expires_at");
    cr_assert(strstr(accord_error_message(), "maximum token lifetime"), "%s", accord_error_message());
    cr_assert_eq(auth_token_create(db, id, "a year", NULL, ts(AUTH_TOKEN_MAX_SECONDS - 60), as(id), token, NULL), 0,
                 "%s", accord_error_message());
    /* The operator sets another maximum. */
    cr_assert_eq(auth_token_set_max_seconds(2 * 86400), 0);
    cr_assert_eq(auth_token_create(db, id, "3 days", NULL, ts(3 * 86400), as(id), token, NULL), ACCORD_EINVAL);
    cr_assert_eq(auth_token_create(db, id, "short default", NULL, NULL, as(id), token, &tid), 0);
    cr_assert_leq(token_expiry_of(tid), clock_now() + 2 * 86400, "the default stays within the maximum");
    cr_assert_eq(auth_token_set_max_seconds(3600), ACCORD_EINVAL, "at least a day");
    cr_assert_eq(auth_token_set_max_seconds((int64_t)(AUTH_TOKEN_MAX_DAYS_LIMIT + 1) * 86400), ACCORD_EINVAL);
    cr_assert_eq(auth_token_set_max_seconds(AUTH_TOKEN_MAX_SECONDS), 0);
    /* The console is the operator's own: no bound, and never by default. */
    cr_assert_eq(auth_token_create(db, id, "console", NULL, NULL, NULL, token, &tid), 0);
    cr_assert_eq(token_expiry_of(tid), 0);
}

Test(auth, a_token_made_with_a_token_does_not_outlive_it)
{
    char id[AUTH_ID_LEN], parent[AUTH_TOKEN_LEN], child[AUTH_TOKEN_LEN];
    int64_t pid, cid;
    principal p;
    add_user("chain@example.org", "depositary", NULL, id);
    cr_assert_eq(auth_token_create(db, id, "parent", NULL, ts(3600), NULL, parent, &pid), 0);
    cr_assert_eq(auth_check_token(db, parent, &p), 0);
    cr_assert_eq(p.ends, token_expiry_of(pid), "the caller carries its token's end");
    cr_assert_eq(auth_token_create(db, id, "longer", NULL, ts(7200), &p, child, NULL), ACCORD_EINVAL);
    cr_assert(strstr(accord_error_message(), "expiry of the token that creates it"), "%s", accord_error_message());
    cr_assert_eq(auth_token_create(db, id, "child", NULL, NULL, &p, child, &cid), 0, "%s", accord_error_message());
    cr_assert_eq(token_expiry_of(cid), token_expiry_of(pid), "without expires_at, the child ends with its parent");
    /* And the grandchild with both. */
    principal c;
    cr_assert_eq(auth_check_token(db, child, &c), 0);
    cr_assert_eq(auth_token_create(db, id, "grandchild", NULL, NULL, &c, parent, &cid), 0);
    cr_assert_eq(token_expiry_of(cid), token_expiry_of(pid));
}

Test(auth, a_token_made_in_a_session_ends_with_the_session)
{
    char id[AUTH_ID_LEN], session[AUTH_TOKEN_LEN], csrf[AUTH_TOKEN_LEN], token[AUTH_TOKEN_LEN];
    int64_t tid;
    principal p;
    add_user("browser@example.org", "depositary", NULL, id);
    login_ok("browser@example.org", session, csrf);
    cr_assert_eq(auth_check_session(db, session, &p), 0);
    char *created = text_of("SELECT created_at FROM session WHERE account = ?", id);
    int64_t start;
    cr_assert_eq(date_parse_rfc3339(created, "t", &start), 0);
    free(created);
    cr_assert_eq(p.ends, start + AUTH_SESSION_MAX_SECONDS);
    cr_assert_eq(auth_token_create(db, id, "week", NULL, ts(7 * 86400), &p, token, NULL), ACCORD_EINVAL);
    cr_assert(strstr(accord_error_message(), "end of the session"), "%s", accord_error_message());
    cr_assert_eq(auth_token_create(db, id, "today", NULL, NULL, &p, token, &tid), 0);
    cr_assert_eq(token_expiry_of(tid), start + AUTH_SESSION_MAX_SECONDS);
}

Test(auth, an_account_has_a_limited_number_of_live_tokens)
{
    char id[AUTH_ID_LEN], token[AUTH_TOKEN_LEN];
    int64_t tid = 0;
    add_user("many@example.org", "reviewer", NULL, id);
    for (int i = 0; i < AUTH_TOKENS_PER_ACCOUNT; i++)
        cr_assert_eq(auth_token_create(db, id, "t", NULL, NULL, as(id), token, &tid), 0, "token %d: %s", i,
                     accord_error_message());
    int64_t before = count("SELECT count(*) FROM security_log", NULL);
    cr_assert_eq(auth_token_create(db, id, "one too many", NULL, NULL, as(id), token, NULL), ACCORD_ERULE);
    cr_assert(strstr(accord_error_message(), "revoke one"), "%s", accord_error_message());
    cr_assert_eq(auth_token_create(db, id, "console too", NULL, NULL, NULL, token, NULL), ACCORD_ERULE);
    cr_assert_eq(count("SELECT count(*) FROM security_log", NULL), before, "a refused token leaves no trace");
    /* Revoked and expired tokens are not live. */
    cr_assert_eq(auth_token_revoke(db, tid, id, as(id)), 0);
    cr_assert_eq(auth_token_create(db, id, "after a revocation", NULL, NULL, as(id), token, NULL), 0);
    cr_assert_eq(store_run(db, "UPDATE api_token SET expires_at = ? WHERE id = 1", "s", ts(-1)), 0);
    cr_assert_eq(auth_token_create(db, id, "after an expiry", NULL, NULL, as(id), token, NULL), 0);
}

Test(auth, api_token_scope_no_wider_than_the_account)
{
    char kaz[AUTH_ID_LEN], rev[AUTH_ID_LEN], coord[AUTH_ID_LEN], office[AUTH_ID_LEN], admin[AUTH_ID_LEN];
    char token[AUTH_TOKEN_LEN];
    principal p;
    add_user("kaz@example.org", "focal_point", "KAZ", kaz);
    add_user("rev@example.org", "reviewer", NULL, rev);
    add_user("co@example.org", "coordinator", "unodc", coord);
    add_user("of@example.org", "coordinator", "unodc/almaty", office);
    add_user("ad@example.org", "admin", NULL, admin);

    cr_assert_eq(auth_token_create(db, kaz, "t", "TUR", NULL, NULL, token, NULL), ACCORD_EFORBIDDEN,
                 "a focal point of KAZ cannot make a token for TUR");
    cr_assert_str_eq(accord_error_field(), "scope");
    cr_assert_eq(auth_token_create(db, kaz, "t", "KAZ", NULL, NULL, token, NULL), 0, "equal is fine");
    cr_assert_eq(auth_check_token(db, token, &p), 0);
    cr_assert_str_eq(p.scope, "KAZ");

    cr_assert_eq(auth_token_create(db, rev, "t", "code-of-conduct", NULL, NULL, token, NULL), 0, "%s",
                 accord_error_message());
    cr_assert_eq(auth_check_token(db, token, &p), 0);
    cr_assert_str_eq(p.scope, "code-of-conduct", "narrower: one instrument");
    cr_assert_eq(auth_token_create(db, rev, "t", "no-such-instrument", NULL, NULL, token, NULL), ACCORD_ENOTFOUND);

    cr_assert_eq(auth_token_create(db, coord, "t", "unodc/almaty", NULL, NULL, token, NULL), 0,
                 "an office of the entity");
    cr_assert_eq(auth_check_token(db, token, &p), 0);
    cr_assert_str_eq(p.scope, "unodc/almaty");
    cr_assert_eq(auth_token_create(db, coord, "t", "unicef", NULL, NULL, token, NULL), ACCORD_EFORBIDDEN);
    cr_assert_eq(auth_token_create(db, office, "t", "unodc", NULL, NULL, token, NULL), ACCORD_EFORBIDDEN,
                 "an office cannot act for the whole entity");
    cr_assert_eq(auth_token_create(db, admin, "t", "KAZ", NULL, NULL, token, NULL), ACCORD_EFORBIDDEN);
    cr_assert_eq(auth_token_create(db, admin, "t", NULL, NULL, NULL, token, NULL), 0);
    cr_assert_eq(auth_check_token(db, token, &p), 0);
    cr_assert_str_eq(p.scope, "");

    /* The account moves to TUR: its KAZ token does not follow. */
    char kaztoken[AUTH_TOKEN_LEN];
    cr_assert_eq(auth_token_create(db, kaz, "t2", NULL, NULL, NULL, kaztoken, NULL), 0);
    cr_assert_eq(auth_user_set_role(db, kaz, "focal_point", "TUR", NULL), 0);
    cr_assert_eq(auth_check_token(db, kaztoken, &p), ACCORD_EAUTH);
}

Test(auth, disabled_accounts_get_no_new_tokens)
{
    char id[AUTH_ID_LEN], token[AUTH_TOKEN_LEN];
    add_user("z@example.org", "reviewer", NULL, id);
    cr_assert_eq(auth_user_set_disabled(db, id, true, NULL), 0);
    cr_assert_eq(auth_token_create(db, id, "t", NULL, NULL, NULL, token, NULL), ACCORD_ERULE);
}

Test(auth, bootstrap_admin_token_is_an_ordinary_token)
{
    char token[AUTH_TOKEN_LEN], again[AUTH_TOKEN_LEN];
    principal p;
    cr_assert_eq(auth_bootstrap_admin(db, token), 0, "%s", accord_error_message());
    cr_assert(strncmp(token, "acc_", 4) == 0);
    cr_assert_eq(auth_check_token(db, token, &p), 0);
    cr_assert_str_eq(p.role, "admin");
    cr_assert_eq(auth_bootstrap_admin(db, again), ACCORD_ECONFLICT);
    json_t *list;
    cr_assert_eq(auth_token_list(db, p.id, &list), 0);
    cr_assert_eq(json_array_size(list), 1);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 0), "name")), "bootstrap");
    json_decref(list);
    cr_assert_eq(auth_token_revoke(db, 1, NULL, NULL), 0);
    cr_assert_eq(auth_check_token(db, token, &p), ACCORD_EAUTH, "revocable like any other");
    cr_assert_eq(seclog("user.created"), 1);
    cr_assert_eq(seclog("token.created"), 1);
}

/* ---- rehash ---- */

Test(auth, login_rehashes_a_hash_made_with_other_limits)
{
    char id[AUTH_ID_LEN], token[AUTH_TOKEN_LEN], csrf[AUTH_TOKEN_LEN], old[crypto_pwhash_STRBYTES];
    add_user("rh@example.org", "reviewer", NULL, id);
    cr_assert_eq(crypto_pwhash_str(old, PW, strlen(PW), crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN), 0);
    cr_assert_eq(store_run(db, "UPDATE account SET password_hash = ? WHERE id = ?", "ss", old, id), 0);
    login_ok("rh@example.org", token, csrf);
    char *now = text_of("SELECT password_hash FROM account WHERE id = ?", id);
    cr_assert_str_neq(now, old, "the hash was replaced");
    cr_assert_eq(crypto_pwhash_str_needs_rehash(now, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                                crypto_pwhash_MEMLIMIT_INTERACTIVE),
                 0, "with the current limits");
    cr_assert_eq(crypto_pwhash_str_verify(now, PW, strlen(PW)), 0);
    cr_assert_eq(count("SELECT count(*) FROM security_log WHERE kind = 'login.succeeded' AND detail LIKE '%rehash%'",
                       NULL),
                 1);
    login_ok("rh@example.org", token, csrf);
    char *later = text_of("SELECT password_hash FROM account WHERE id = ?", id);
    cr_assert_str_eq(later, now, "a current hash is kept");
    free(now);
    free(later);
}

/* ---- the security log ---- */

Test(auth, security_log_holds_no_secrets)
{
    char id[AUTH_ID_LEN], token[AUTH_TOKEN_LEN], csrf[AUTH_TOKEN_LEN], api[AUTH_TOKEN_LEN];
    add_user("sec@example.org", "depositary", NULL, id);
    login_ok("sec@example.org", token, csrf);
    login("sec@example.org", "the wrong secret 1", "192.0.2.5", token, csrf, NULL);
    login("my typed secret in the email", "the wrong secret 2", "192.0.2.5", token, csrf, NULL);
    login("nobody@example.org", "the wrong secret 3", "192.0.2.5", token, csrf, NULL);
    cr_assert_eq(auth_token_create(db, id, "ci", NULL, NULL, NULL, api, NULL), 0);
    cr_assert_eq(auth_user_set_password(db, id, "the next secret passphrase", NULL), 0);

    json_t *list;
    cr_assert_eq(auth_security_log_list(db, 1000, &list), 0);
    char *text = json_dumps(list, 0);
    const char *secrets[] = {PW, "the wrong secret", "my typed secret", "the next secret", "acc_", "acs_", "acf_",
                             api + 4, "$argon2"};
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
        cr_assert_null(strstr(text, secrets[i]), "'%s' leaked into the security log: %s", secrets[i], text);
    cr_assert(strstr(text, "nobody@example.org"), "an unknown but well-formed email is worth logging");
    cr_assert(strstr(text, "malformed email"));
    free(text);
    /* Newest first. */
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 0), "kind")), "user.password_changed");
    json_t *last = json_array_get(list, json_array_size(list) - 1);
    cr_assert_str_eq(json_string_value(json_object_get(last, "kind")), "user.created");
    cr_assert_str_eq(json_string_value(json_object_get(last, "email")), "sec@example.org");
    json_decref(list);
    cr_assert_eq(auth_security_log_list(db, 2, &list), 0);
    cr_assert_eq(json_array_size(list), 2);
    json_decref(list);
    cr_assert_eq(auth_security_log_list(db, 0, &list), ACCORD_EINVAL);
    cr_assert_eq(auth_security_log(db, "custom.event", id, "192.0.2.9", "by hand"), 0);
    cr_assert_eq(seclog("custom.event"), 1);
    cr_assert_eq(count("SELECT count(*) FROM event WHERE type LIKE 'login%' OR type LIKE 'user%' OR type LIKE 'token%'",
                       NULL),
                 0, "nothing of this reaches the public log");
}

Test(auth, every_security_log_entry_names_its_client)
{
    char id[AUTH_ID_LEN], admin[AUTH_ID_LEN], session[AUTH_TOKEN_LEN], csrf[AUTH_TOKEN_LEN], token[AUTH_TOKEN_LEN];
    int64_t tid;
    principal p;
    add_user("admin@example.org", "admin", NULL, admin);
    const principal *by = as(admin); /* from 192.0.2.7 */
    cr_assert_eq(auth_user_add(db, "who@example.org", "Who", "reviewer", NULL, PW, by, id), 0);
    cr_assert_eq(auth_user_set_role(db, id, "depositary", NULL, as(admin)), 0);
    cr_assert_eq(auth_user_set_disabled(db, id, true, as(admin)), 0);
    cr_assert_eq(auth_user_set_disabled(db, id, false, as(admin)), 0);
    cr_assert_eq(auth_user_set_password(db, id, "another long passphrase", as(admin)), 0);
    cr_assert_eq(auth_token_create(db, id, "t", NULL, NULL, as(id), token, &tid), 0);
    cr_assert_eq(auth_token_revoke(db, tid, NULL, as(admin)), 0);
    cr_assert_eq(login("who@example.org", "another long passphrase", "192.0.2.8", session, csrf, NULL), 0);
    cr_assert_eq(auth_check_session(db, session, &p), 0);
    snprintf(p.client, sizeof p.client, "192.0.2.8");
    cr_assert_eq(auth_logout(db, &p), 0);
    cr_assert_eq(count("SELECT count(*) FROM security_log WHERE client IS NULL", NULL), 0,
                 "every entry names where it came from");
    const char *kinds[] = {"user.role_changed", "user.disabled", "user.enabled", "user.password_changed",
                           "token.created", "token.revoked"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        char *client = text_of("SELECT client FROM security_log WHERE kind = ?", kinds[i]);
        cr_assert_str_eq(client, "192.0.2.7", "%s", kinds[i]);
        free(client);
    }
    char *client = text_of("SELECT client FROM security_log WHERE kind = ?", "logout");
    cr_assert_str_eq(client, "192.0.2.8");
    free(client);
    /* Changes at the console say so. */
    char *who = text_of("SELECT client FROM security_log WHERE kind = 'user.created' AND detail LIKE ?", "admin@%");
    cr_assert_str_eq(who, AUTH_CONSOLE);
    free(who);
}

/* ---- the command line ---- */

/* Runs accord with 'input' on standard input; returns the exit status and
 * the output in '*out' (caller frees). */
static int run_with_stdin(const char *input, char **out, const char *const *args)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/stdin.txt", dir);
    FILE *f = fopen(path, "w");
    fputs(input, f);
    fclose(f);
    int saved = dup(0), fd = open(path, O_RDONLY);
    dup2(fd, 0);
    close(fd);
    int status = th_run_accord(out, args);
    dup2(saved, 0);
    close(saved);
    return status;
}

Test(auth, cli_users_tokens_and_security_log)
{
    char tok[64];
    char *out, *cdir = th_tempdir();
    char *path = th_make_db(cdir, false, tok);
    char pwfile[4200];
    snprintf(pwfile, sizeof pwfile, "%s/pw", cdir);
    FILE *f = fopen(pwfile, "w");
    fputs(PW "\n", f);
    fclose(f);

    const char *add[] = {"user", "add", "--db", path, "--email", "Cli@Example.org", "--name", "Cli User", "--role",
                         "focal_point", "--scope", "KAZ", "--password-file", pwfile, NULL};
    cr_assert_eq(th_run_accord(&out, add), 0, "%s", out);
    cr_assert(strstr(out, "Created account"), "%s", out);
    free(out);
    cr_assert_eq(th_run_accord(NULL, add), 1, "the email is taken");
    const char *add2[] = {"user", "add", "--db", path, "--email", "stdin@example.org", "--name", "S", "--role",
                          "reviewer", NULL};
    cr_assert_eq(run_with_stdin("another long passphrase\n", &out, add2), 0, "password from stdin: %s", out);
    free(out);
    cr_assert_eq(run_with_stdin("password1234\n", NULL, (const char *const[]){"user", "add", "--db", path, "--email",
                                                                               "weak@example.org", "--name", "W",
                                                                               "--role", "reviewer", NULL}),
                 1, "a common password is refused");
    const char *bad_role[] = {"user", "add", "--db", path, "--email", "r@example.org", "--name", "R", "--role",
                              "emperor", "--password-file", pwfile, NULL};
    cr_assert_eq(th_run_accord(NULL, bad_role), 1);

    const char *list[] = {"user", "list", "--db", path, NULL};
    cr_assert_eq(th_run_accord(&out, list), 0);
    cr_assert(strstr(out, "cli@example.org") && strstr(out, "stdin@example.org") && strstr(out, "focal_point"), "%s",
              out);
    cr_assert_null(strstr(out, "argon2"));
    free(out);

    const char *disable[] = {"user", "disable", "--db", path, "cli@example.org", NULL};
    const char *enable[] = {"user", "enable", "--db", path, "CLI@example.org", NULL};
    cr_assert_eq(th_run_accord(NULL, disable), 0);
    cr_assert_eq(th_run_accord(NULL, enable), 0);
    const char *role[] = {"user", "role", "--db", path, "cli@example.org", "--role", "focal_point", "--scope", "TUR",
                          NULL};
    cr_assert_eq(th_run_accord(NULL, role), 0);
    const char *passwd[] = {"user", "passwd", "--db", path, "cli@example.org", "--password-file", pwfile, NULL};
    cr_assert_eq(th_run_accord(NULL, passwd), 0);
    const char *nobody[] = {"user", "disable", "--db", path, "nobody@example.org", NULL};
    cr_assert_eq(th_run_accord(NULL, nobody), 1);

    const char *create[] = {"token", "create", "--db", path, "--user", "cli@example.org", "--name", "ci", "--days",
                            "30", NULL};
    cr_assert_eq(th_run_accord(&out, create), 0, "%s", out);
    char *t = strstr(out, "acc_");
    cr_assert_not_null(t, "%s", out);
    char token[AUTH_TOKEN_LEN];
    snprintf(token, sizeof token, "%.*s", (int)strcspn(t, " \n"), t);
    free(out);
    store *s = th_open(path);
    principal p;
    cr_assert_eq(auth_check_token(s, token, &p), 0, "%s", accord_error_message());
    cr_assert_str_eq(p.scope, "TUR");
    store_close(s);
    const char *wide[] = {"token", "create", "--db", path, "--user", "cli@example.org", "--name", "x", "--scope",
                          "KAZ", NULL};
    cr_assert_eq(th_run_accord(NULL, wide), 1, "no wider than the account");
    const char *both[] = {"token", "create", "--db", path, "--user", "cli@example.org", "--name", "x", "--days", "3",
                          "--expires", "2099-01-01T00:00:00Z", NULL};
    cr_assert_eq(th_run_accord(NULL, both), 1);

    const char *tlist[] = {"token", "list", "--db", path, "--user", "cli@example.org", NULL};
    cr_assert_eq(th_run_accord(&out, tlist), 0);
    cr_assert(strstr(out, "ci") && strstr(out, "active"), "%s", out);
    cr_assert_null(strstr(out, token));
    free(out);
    const char *revoke[] = {"token", "revoke", "--db", path, "2", NULL};
    cr_assert_eq(th_run_accord(NULL, revoke), 0);
    const char *revoke_bad[] = {"token", "revoke", "--db", path, "x", NULL};
    cr_assert_eq(th_run_accord(NULL, revoke_bad), 1);

    const char *slog[] = {"security-log", "--db", path, "--limit", "100", NULL};
    cr_assert_eq(th_run_accord(&out, slog), 0);
    const char *kinds[] = {"user.created", "user.disabled", "user.enabled", "user.role_changed",
                           "user.password_changed", "token.created", "token.revoked"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        cr_assert(strstr(out, kinds[i]), "%s missing from\n%s", kinds[i], out);
    cr_assert_null(strstr(out, PW));
    free(out);

    const char *help[] = {"user", "add", "--help", NULL};
    cr_assert_eq(th_run_accord(&out, help), 0);
    cr_assert(strstr(out, "--password-file"), "%s", out);
    free(out);
    const char *unknown[] = {"user", "frobnicate", NULL};
    cr_assert_eq(th_run_accord(NULL, unknown), 1);
    const char *missing_db[] = {"user", "list", "--db", "/nonexistent/accord.db", NULL};
    cr_assert_eq(th_run_accord(NULL, missing_db), 2);
    const char *missing_opt[] = {"token", "create", "--db", path, "--name", "x", NULL};
    cr_assert_eq(th_run_accord(NULL, missing_opt), 1);

    free(path);
    th_rmtree(cdir);
    free(cdir);
}
