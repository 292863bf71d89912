/* Tests for src/tlog/note.c, checkpoint.c, cosign.c and tile.c.
 *
 * Evidence, strongest first:
 *   - the C2SP signed-note known answers in tests/conformance, written
 *     by others (every valid note opens to its text, every must_fail is
 *     refused);
 *   - the examples printed in the specs (checkpoint body, cosigned message,
 *     tile index 1234067);
 *   - round trips, then tampering and malformed-input checks. */
#define _POSIX_C_SOURCE 200809L

#include "helpers.h"
#include "tlog/checkpoint.h"
#include "tlog/cosign.h"
#include "tlog/logkey.h"
#include "tlog/note.h"
#include "tlog/tile.h"
#include "util/buf.h"
#include "util/error.h"

#include <criterion/criterion.h>
#include <inttypes.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EM "\xE2\x80\x94"

static void setup(void)
{
    cr_assert(sodium_init() >= 0, "sodium_init failed");
}

TestSuite(note, .init = setup);
TestSuite(checkpoint, .init = setup);
TestSuite(cosign, .init = setup);
TestSuite(tile, .init = setup);

/* ---------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------- */

static void seed_of(uint8_t seed[32], uint8_t fill)
{
    memset(seed, fill, 32);
}

static void make_signer(note_signer *s, const char *name, uint8_t type, uint8_t fill)
{
    uint8_t seed[32];
    seed_of(seed, fill);
    cr_assert_eq(note_signer_from_seed(s, name, type, seed), 0, "%s", accord_error_message());
}

static void verifier_of(note_verifier *v, const note_signer *s)
{
    char vkey[LOGKEY_MAX_VKEY];
    note_signer_vkey(s, vkey);
    cr_assert_eq(note_verifier_parse(v, vkey), 0, "%s: %s", vkey, accord_error_message());
}

/* Opens a NUL-terminated note. */
static int open_str(const char *note, const note_verifier *vs, size_t n, note_opened *out)
{
    return note_open(note, strlen(note), vs, n, out);
}

/* Signs 'text' with 's' into a fresh buf (caller frees). */
static buf sign_str(const note_signer *s, const char *text)
{
    buf b;
    buf_init(&b, NOTE_MAX_SIZE);
    cr_assert_eq(note_sign(s, text, strlen(text), &b), 0, "%s", accord_error_message());
    return b;
}

static char *tempdir(void)
{
    char tmpl[] = "/tmp/accord-note-XXXXXX";
    char *d = mkdtemp(tmpl);
    cr_assert_not_null(d);
    return strdup(d);
}

/* The signed-note vectors under 'base' (tests/conformance, or the extra
 * folder named by ACCORD_CONFORMANCE_DIR). */
static json_t *load_vectors_from(const char *base)
{
    char path[4096];
    json_error_t err;
    struct stat st;

    snprintf(path, sizeof path, "%s/signed-note/vectors.json", base);
    cr_assert_eq(stat(path, &st), 0, "signed-note vectors not found at %s", path);
    json_t *root = json_load_file(path, 0, &err);
    cr_assert_not_null(root, "%s: %s", path, err.text);
    return root;
}

/* ---------------------------------------------------------------------------
 * Signed notes: conformance vectors
 * ------------------------------------------------------------------------- */

static void check_valid_vectors(const char *base)
{
    json_t *root = load_vectors_from(base);
    json_t *valid = json_object_get(root, "valid");
    size_t i;
    json_t *vec;

    cr_assert(json_is_array(valid) && json_array_size(valid) >= 1, "no valid vectors");
    json_array_foreach(valid, i, vec) {
        const char *vkey = json_string_value(json_object_get(vec, "vkey"));
        json_t *jnote = json_object_get(vec, "note"), *jtext = json_object_get(vec, "text");
        note_verifier v;
        note_opened o;

        cr_assert(vkey && json_is_string(jnote) && json_is_string(jtext), "valid[%zu] incomplete", i);
        cr_assert_eq(note_verifier_parse(&v, vkey), 0, "valid[%zu] vkey: %s", i, accord_error_message());
        cr_assert_eq(v.type, NOTE_TYPE_ED25519);
        int rc = note_open(json_string_value(jnote), json_string_length(jnote), &v, 1, &o);
        cr_assert_eq(rc, 0, "valid[%zu] does not open: %s", i, accord_error_message());
        cr_assert_eq(o.text_len, json_string_length(jtext), "valid[%zu] text length", i);
        cr_assert_eq(memcmp(json_string_value(jnote), json_string_value(jtext), o.text_len), 0, "valid[%zu] text", i);
        cr_assert(o.verified[0]);
        cr_assert_eq(o.nverified, 1);
        cr_assert_eq(o.nunknown, 0);
    }
    json_decref(root);
}

Test(note, vectors_valid)
{
    check_valid_vectors(th_conformance_dir());
    if (th_extra_conformance_dir())
        check_valid_vectors(th_extra_conformance_dir());
}

static void check_must_fail_vectors(const char *base)
{
    json_t *root = load_vectors_from(base);
    json_t *bad = json_object_get(root, "must_fail");
    size_t i;
    json_t *vec;

    cr_assert(json_is_array(bad) && json_array_size(bad) >= 3, "too few must_fail vectors");
    json_array_foreach(bad, i, vec) {
        const char *vkey = json_string_value(json_object_get(vec, "vkey"));
        const char *why = json_string_value(json_object_get(vec, "why"));
        json_t *jnote = json_object_get(vec, "note");
        note_verifier v;
        note_opened o;

        cr_assert(vkey && json_is_string(jnote), "must_fail[%zu] incomplete", i);
        cr_assert_eq(note_verifier_parse(&v, vkey), 0, "must_fail[%zu] vkey: %s", i, accord_error_message());
        int rc = note_open(json_string_value(jnote), json_string_length(jnote), &v, 1, &o);
        cr_assert_eq(rc, ACCORD_EVERIFY, "must_fail[%zu] (%s) gave %d", i, why ? why : "?", rc);
        cr_assert_eq(o.text_len, 0);
        cr_assert_eq(o.nverified, 0);
    }
    json_decref(root);
}

Test(note, vectors_must_fail)
{
    check_must_fail_vectors(th_conformance_dir());
    if (th_extra_conformance_dir())
        check_must_fail_vectors(th_extra_conformance_dir());
}

/* ---------------------------------------------------------------------------
 * Signed notes: signing, keys
 * ------------------------------------------------------------------------- */

Test(note, key_id_matches_logkey)
{
    note_signer s;
    uint8_t pub[32];

    make_signer(&s, "example.com/log", NOTE_TYPE_ED25519, 7);
    crypto_sign_ed25519_sk_to_pk(pub, s.sk);
    cr_assert_eq(s.id, logkey_id("example.com/log", pub));
    cr_assert_eq(note_key_id("example.com/log", NOTE_TYPE_ED25519, pub), logkey_id("example.com/log", pub));
    cr_assert_neq(note_key_id("example.com/log", NOTE_TYPE_COSIGNATURE, pub), s.id);
}

Test(note, sign_open_round_trip)
{
    note_signer s;
    note_verifier v;
    note_opened o;
    const char *text = "hello\nworld\n";

    make_signer(&s, "example.com/log", NOTE_TYPE_ED25519, 1);
    verifier_of(&v, &s);
    buf b = sign_str(&s, text);
    cr_assert_eq(strncmp(b.data, "hello\nworld\n\n" EM " example.com/log ", 13 + 4 + 16), 0, "%s", b.data);
    cr_assert_eq(b.data[b.len - 1], '\n');
    cr_assert_eq(open_str(b.data, &v, 1, &o), 0, "%s", accord_error_message());
    cr_assert_eq(o.text_len, strlen(text));
    cr_assert(o.verified[0]);
    cr_assert_eq(o.timestamp[0], 0);

    /* The signature line is base64(key id || 64-byte signature). */
    const char *b64 = strrchr(b.data, ' ') + 1;
    uint8_t raw[80];
    size_t got = 0;
    cr_assert_eq(sodium_base642bin(raw, sizeof raw, b64, strlen(b64) - 1, NULL, &got, NULL,
                                   sodium_base64_VARIANT_ORIGINAL), 0);
    cr_assert_eq(got, 68);
    cr_assert_eq((uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 | (uint32_t)raw[2] << 8 | raw[3], s.id);

    /* Ed25519 is deterministic: signing twice gives the same note. */
    buf again = sign_str(&s, text);
    cr_assert_str_eq(again.data, b.data);
    buf_free(&again);
    buf_free(&b);
    note_signer_clear(&s);
}

Test(note, text_with_blank_lines)
{
    note_signer s;
    note_verifier v;
    note_opened o;
    /* The text ends at the last blank line, so inner ones are text. */
    const char *texts[] = {"a\n\nb\n", "\n", "a\n\n", "x\n\n\ny\n"};

    make_signer(&s, "example.com/log", NOTE_TYPE_ED25519, 2);
    verifier_of(&v, &s);
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        buf b = sign_str(&s, texts[i]);
        cr_assert_eq(open_str(b.data, &v, 1, &o), 0, "text %zu: %s", i, accord_error_message());
        cr_assert_eq(o.text_len, strlen(texts[i]), "text %zu", i);
        buf_free(&b);
    }
}

Test(note, sign_refuses_bad_text)
{
    note_signer s, w;
    buf b;
#define T(s) {s, sizeof s - 1}
    const struct {
        const char *s;
        size_t len;
    } bad[] = {T(""), T("no newline"), T("tab\there\n"), T("nul\n\0x\n"), T("bad \xff utf8\n"),
               T("overlong \xc0\xaf\n"), T("surrogate \xed\xa0\x80\n"), T("above \xf4\x90\x80\x80\n"),
               T("cut \xe2\x80"), T("cr\r\n")};
#undef T

    make_signer(&s, "example.com/log", NOTE_TYPE_ED25519, 3);
    buf_init(&b, NOTE_MAX_SIZE);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(note_sign(&s, bad[i].s, bad[i].len, &b), ACCORD_EINVAL, "text %zu", i);
        cr_assert_eq(b.len, 0, "text %zu left output", i);
    }
    /* UTF-8 text is fine. */
    cr_assert_eq(note_sign(&s, "caf\xc3\xa9 \xe2\x82\xac\n", 10, &b), 0, "%s", accord_error_message());
    /* A cosignature key cannot make plain note signatures. */
    make_signer(&w, "witness.example/w1", NOTE_TYPE_COSIGNATURE, 4);
    buf_reset(&b);
    cr_assert_eq(note_sign(&w, "x\n", 2, &b), ACCORD_EINVAL);
    cr_assert_eq(b.len, 0);
    buf_free(&b);
}

Test(note, multiple_signatures)
{
    note_signer a, b2;
    note_verifier va, vb, both[2];
    note_opened o;
    const char *text = "multi\n";
    buf line;

    make_signer(&a, "example.com/a", NOTE_TYPE_ED25519, 10);
    make_signer(&b2, "example.com/b", NOTE_TYPE_ED25519, 11);
    verifier_of(&va, &a);
    verifier_of(&vb, &b2);
    buf n = sign_str(&a, text);
    buf_init(&line, 4096);
    cr_assert_eq(note_sign_line(&b2, text, strlen(text), &line), 0);
    cr_assert_eq(note_add_signature_line(&n, line.data, line.len), 0, "%s", accord_error_message());

    both[0] = va, both[1] = vb;
    cr_assert_eq(open_str(n.data, both, 2, &o), 0, "%s", accord_error_message());
    cr_assert(o.verified[0] && o.verified[1]);
    cr_assert_eq(o.nverified, 2);
    cr_assert_eq(o.nunknown, 0);
    cr_assert_eq(o.text_len, strlen(text));

    /* Either key alone also opens it; the other line is then unknown. */
    cr_assert_eq(open_str(n.data, &vb, 1, &o), 0);
    cr_assert_eq(o.nunknown, 1);
    cr_assert_eq(open_str(n.data, &va, 1, &o), 0);
    cr_assert_eq(o.nunknown, 1);

    /* The same signer twice counts once. */
    cr_assert_eq(note_add_signature_line(&n, line.data, line.len), 0);
    cr_assert_eq(open_str(n.data, both, 2, &o), 0);
    cr_assert_eq(o.nverified, 2);

    /* Duplicate verifiers are a configuration error. */
    both[1] = va;
    cr_assert_eq(open_str(n.data, both, 2, &o), ACCORD_EINVAL);
    cr_assert_eq(open_str(n.data, both, 0, &o), ACCORD_EINVAL);
    buf_free(&line);
    buf_free(&n);
}

Test(note, unknown_keys_ignored)
{
    note_signer log, other, same_name;
    note_verifier vlog, vother;
    note_opened o;
    const char *text = "ignored\n";
    buf line;

    make_signer(&log, "example.com/log", NOTE_TYPE_ED25519, 20);
    make_signer(&other, "example.com/other", NOTE_TYPE_ED25519, 21);
    /* Shares the name but not the id: the spec says ignore it. */
    make_signer(&same_name, "example.com/log", NOTE_TYPE_ED25519, 22);
    cr_assert_neq(same_name.id, log.id);
    verifier_of(&vlog, &log);
    verifier_of(&vother, &other);

    buf n = sign_str(&other, text);
    buf_init(&line, 4096);
    cr_assert_eq(note_sign_line(&same_name, text, strlen(text), &line), 0);
    cr_assert_eq(note_sign_line(&log, text, strlen(text), &line), 0);
    cr_assert_eq(note_add_signature_line(&n, line.data, line.len), 0);
    cr_assert_eq(open_str(n.data, &vlog, 1, &o), 0, "%s", accord_error_message());
    cr_assert_eq(o.nunknown, 2);
    cr_assert_eq(o.nverified, 1);

    /* Signed only by keys we do not know: refused. */
    buf only = sign_str(&other, text);
    cr_assert_eq(open_str(only.data, &vlog, 1, &o), ACCORD_EVERIFY);
    /* An unknown key with a made-up (but well-formed) signature is ignored. */
    buf_free(&line);
    buf_init(&line, 4096);
    cr_assert_eq(buf_puts(&line, EM " someone.else/key AAAAAAE=\n"), 0);
    cr_assert_eq(note_add_signature_line(&n, line.data, line.len), 0);
    cr_assert_eq(open_str(n.data, &vlog, 1, &o), 0, "%s", accord_error_message());
    cr_assert_eq(o.nunknown, 3);
    buf_free(&only);
    buf_free(&line);
    buf_free(&n);
}

Test(note, known_key_bad_signature_rejects_note)
{
    note_signer s;
    note_verifier v;
    note_opened o;
    uint8_t raw[68];
    char b64[sodium_base64_ENCODED_LEN(68, sodium_base64_VARIANT_ORIGINAL)];
    char line[256];

    make_signer(&s, "example.com/log", NOTE_TYPE_ED25519, 30);
    verifier_of(&v, &s);
    buf n = sign_str(&s, "text\n");
    /* A second line with the right name and id but a wrong signature. */
    memset(raw, 0x5a, sizeof raw);
    raw[0] = (uint8_t)(s.id >> 24), raw[1] = (uint8_t)(s.id >> 16), raw[2] = (uint8_t)(s.id >> 8);
    raw[3] = (uint8_t)s.id;
    sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
    snprintf(line, sizeof line, EM " example.com/log %s\n", b64);
    cr_assert_eq(note_add_signature_line(&n, line, strlen(line)), 0);
    cr_assert_eq(open_str(n.data, &v, 1, &o), ACCORD_EVERIFY);
    cr_assert_eq(o.nverified, 0);

    /* Same with a known key whose signature has the wrong length. */
    buf m = sign_str(&s, "text\n");
    char b64short[16];
    sodium_bin2base64(b64short, sizeof b64short, raw, 5, sodium_base64_VARIANT_ORIGINAL);
    snprintf(line, sizeof line, EM " example.com/log %s\n", b64short);
    cr_assert_eq(note_add_signature_line(&m, line, strlen(line)), 0);
    cr_assert_eq(open_str(m.data, &v, 1, &o), ACCORD_EVERIFY);
    buf_free(&m);
    buf_free(&n);
}

Test(note, malformed_notes)
{
    note_signer s;
    note_verifier v;
    note_opened o;

    make_signer(&s, "example.com/log", NOTE_TYPE_ED25519, 40);
    verifier_of(&v, &s);
    buf n = sign_str(&s, "body\n");
    const char *sig = strstr(n.data, EM) + 4 + strlen("example.com/log ");
    char good_b64[128];
    snprintf(good_b64, sizeof good_b64, "%.*s", (int)(strchr(sig, '\n') - sig), sig);
    cr_assert_eq(open_str(n.data, &v, 1, &o), 0);

    char cases[20][512];
    size_t k = 0;
    snprintf(cases[k++], 512, "body\n\n- example.com/log %s\n", good_b64);            /* hyphen */
    snprintf(cases[k++], 512, "body\n\n" EM "example.com/log %s\n", good_b64);        /* no space after dash */
    snprintf(cases[k++], 512, "body\n" EM " example.com/log %s\n", good_b64);         /* no blank line */
    snprintf(cases[k++], 512, "body\n\n" EM " example.com/log %s", good_b64);         /* no final newline */
    snprintf(cases[k++], 512, "Body\n\n" EM " example.com/log %s\n", good_b64);       /* altered text */
    snprintf(cases[k++], 512, "body\n\n" EM " example.com/log %s\n\n", good_b64);     /* trailing blank line */
    snprintf(cases[k++], 512, "body\n\n" EM " example.com/log  %s\n", good_b64);      /* two spaces */
    snprintf(cases[k++], 512, "body\n\n" EM " example.com/log %s=\n", good_b64);      /* bad base64 */
    snprintf(cases[k++], 512, "body\n\n" EM " example.com/log %s\nrubbish\n", good_b64); /* non-signature line */
    snprintf(cases[k++], 512, "body\n\n" EM " example.com/log %s\n" EM " bad+name AAAAAAE=\n", good_b64);
    snprintf(cases[k++], 512, "body\n\n" EM " example.com/log %s\n" EM " short AAAAAA==\n", good_b64);
    snprintf(cases[k++], 512, "bo\tdy\n\n" EM " example.com/log %s\n", good_b64);     /* control character */
    snprintf(cases[k++], 512, "bo\xff" "dy\n\n" EM " example.com/log %s\n", good_b64); /* bad UTF-8 */
    snprintf(cases[k++], 512, "body\n\n");                                            /* no signatures */
    snprintf(cases[k++], 512, "body\n\n" EM " example.com/log\n");                    /* no signature */
    snprintf(cases[k++], 512, "body\n\n" EM "  %s\n", good_b64);                      /* empty name */
    /* Found by fuzz/fuzz_checkpoint: libsodium read "é" as base64, so
     * this line by an unknown key passed as well formed. */
    snprintf(cases[k++], 512, "body\n\n" EM " example.com/log %s\n" EM " other.example AAAAAAAAAA\xc3\xa9\n",
             good_b64);
    for (size_t i = 0; i < k; i++)
        cr_assert_eq(open_str(cases[i], &v, 1, &o), ACCORD_EVERIFY, "case %zu: %s", i, cases[i]);
    buf_free(&n);
}

Test(note, size_limits)
{
    note_signer s;
    note_verifier v;
    note_opened o;
    const char *unknown = EM " someone.else/key AAAAAAE=\n";
    buf n;

    make_signer(&s, "example.com/log", NOTE_TYPE_ED25519, 50);
    verifier_of(&v, &s);

    /* 100 signatures are fine, 101 are refused, when adding and opening. */
    n = sign_str(&s, "many\n");
    for (int i = 1; i < NOTE_MAX_SIGS; i++)
        cr_assert_eq(note_add_signature_line(&n, unknown, strlen(unknown)), 0, "line %d", i);
    cr_assert_eq(open_str(n.data, &v, 1, &o), 0, "%s", accord_error_message());
    cr_assert_eq(o.nunknown, NOTE_MAX_SIGS - 1);
    cr_assert_eq(note_add_signature_line(&n, unknown, strlen(unknown)), ACCORD_ETOOBIG);
    n.cap = NOTE_MAX_SIZE * 2;
    cr_assert_eq(buf_puts(&n, unknown), 0);
    cr_assert_eq(open_str(n.data, &v, 1, &o), ACCORD_ETOOBIG);
    buf_free(&n);

    /* A text near the size cap signs; over it does not, and notes above
     * 1 MiB are not even parsed. */
    size_t big = NOTE_MAX_SIZE - 200;
    char *text = malloc(NOTE_MAX_SIZE + 2);
    memset(text, 'a', NOTE_MAX_SIZE + 1);
    text[big - 1] = '\n';
    buf_init(&n, NOTE_MAX_SIZE);
    cr_assert_eq(note_sign(&s, text, big, &n), 0, "%s", accord_error_message());
    cr_assert_eq(note_open(n.data, n.len, &v, 1, &o), 0);
    buf_free(&n);
    text[NOTE_MAX_SIZE - 1] = '\n';
    buf_init(&n, NOTE_MAX_SIZE * 2);
    cr_assert_eq(note_sign(&s, text, NOTE_MAX_SIZE, &n), ACCORD_ETOOBIG);
    cr_assert_eq(n.len, 0);
    text[NOTE_MAX_SIZE] = '\n';
    cr_assert_eq(note_open(text, NOTE_MAX_SIZE + 1, &v, 1, &o), ACCORD_ETOOBIG);
    buf_free(&n);
    free(text);
}

Test(note, add_signature_line_checks)
{
    note_signer s;
    buf n, plain;

    make_signer(&s, "example.com/log", NOTE_TYPE_ED25519, 60);
    n = sign_str(&s, "t\n");
    size_t len = n.len;
    const char *bad[] = {"", EM " x AAAAAAE=", "- x AAAAAAE=\n", EM " x AAAA\n", EM " x+y AAAAAAE=\n",
                         EM " x AAAAAAE=\n\n", EM " x AAAAAAE=\nmore\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(note_add_signature_line(&n, bad[i], strlen(bad[i])), ACCORD_EINVAL, "case %zu", i);
        cr_assert_eq(n.len, len, "case %zu changed the note", i);
    }
    /* Only signed notes take more signatures. */
    buf_init(&plain, 1024);
    cr_assert_eq(buf_puts(&plain, "just text\n"), 0);
    cr_assert_eq(note_add_signature_line(&plain, EM " x AAAAAAE=\n", 14 + 2), ACCORD_EINVAL);
    buf_free(&plain);
    buf_free(&n);
}

Test(note, name_rules)
{
    cr_assert(note_name_valid("example.com/log", 15));
    cr_assert(note_name_valid("caf\xc3\xa9", 5));
    cr_assert_not(note_name_valid("", 0));
    cr_assert_not(note_name_valid("a+b", 3));
    cr_assert_not(note_name_valid("a b", 3));
    cr_assert_not(note_name_valid("a\xc2\xa0" "b", 4));     /* U+00A0 no-break space */
    cr_assert_not(note_name_valid("a\xe3\x80\x80" "b", 5)); /* U+3000 ideographic space */
    cr_assert_not(note_name_valid("a\xff", 2));
    cr_assert_not(note_name_valid("a\x01", 2));
}

/* ---------------------------------------------------------------------------
 * Keys: files and verifier keys
 * ------------------------------------------------------------------------- */

Test(note, logkey_file_signs_checkpoint)
{
    char *dir = tempdir();
    char path[512], vkey[LOGKEY_MAX_VKEY], mine[LOGKEY_MAX_VKEY];
    uint8_t root[32];
    note_signer s;
    note_verifier v;
    note_opened o;
    checkpoint cp;
    buf body, n;

    snprintf(path, sizeof path, "%s/log.key", dir);
    cr_assert_eq(logkey_create(path, "accord.example/log", vkey), 0, "%s", accord_error_message());
    cr_assert_eq(note_signer_load(&s, path), 0, "%s", accord_error_message());
    note_signer_vkey(&s, mine);
    cr_assert_str_eq(mine, vkey);
    cr_assert_str_eq(s.name, "accord.example/log");

    memset(root, 0xab, sizeof root);
    buf_init(&body, 4096);
    buf_init(&n, 8192);
    cr_assert_eq(checkpoint_format("accord.example/log", 42, root, &body), 0);
    cr_assert_eq(note_sign(&s, body.data, body.len, &n), 0);
    cr_assert_eq(note_verifier_parse(&v, vkey), 0, "%s", accord_error_message());
    cr_assert_eq(note_open(n.data, n.len, &v, 1, &o), 0, "%s", accord_error_message());
    cr_assert_eq(checkpoint_parse(n.data, o.text_len, &cp), 0);
    cr_assert_eq(cp.size, 42);
    cr_assert_eq(memcmp(cp.root, root, 32), 0);

    /* A witness key file is not a log key, and the reverse. */
    char wpath[512], wvkey[LOGKEY_MAX_VKEY];
    snprintf(wpath, sizeof wpath, "%s/witness.key", dir);
    cr_assert_eq(cosign_key_create(wpath, "witness.example/w1", wvkey), 0);
    cr_assert_eq(note_signer_load(&s, wpath), ACCORD_EINVAL);
    cr_assert_eq(cosign_key_load(&s, path), ACCORD_EINVAL);
    cr_assert_eq(cosign_key_create(wpath, "witness.example/w1", wvkey), ACCORD_EENV, "must not overwrite");

    struct stat st;
    cr_assert_eq(stat(wpath, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600);

    unlink(path);
    unlink(wpath);
    rmdir(dir);
    free(dir);
    buf_free(&body);
    buf_free(&n);
    note_signer_clear(&s);
}

Test(note, bad_key_files)
{
    char *dir = tempdir();
    char path[512], vkey[LOGKEY_MAX_VKEY], content[512];
    note_signer s;
    FILE *f;

    snprintf(path, sizeof path, "%s/missing.key", dir);
    cr_assert_eq(note_signer_load(&s, path), ACCORD_EENV);

    snprintf(path, sizeof path, "%s/log.key", dir);
    cr_assert_eq(logkey_create(path, "accord.example/log", vkey), 0);
    f = fopen(path, "r");
    cr_assert(fgets(content, sizeof content, f));
    fclose(f);
    unlink(path);
    content[strcspn(content, "\n")] = 0;
    cr_assert_eq(note_signer_parse(&s, content, strlen(content)), 0);

    /* Variants of the good line. */
    char line[600];
    const char *plus = strchr(content + 12, '+'); /* after the name */
    char hexid[9];
    memcpy(hexid, plus + 1, 8);
    hexid[8] = 0;
    const char *key64 = plus + 10;

    snprintf(line, sizeof line, "PRIVATE+KEY+other.name+%s+%s", hexid, key64); /* id of another name */
    cr_assert_eq(note_signer_parse(&s, line, strlen(line)), ACCORD_EINVAL);
    snprintf(line, sizeof line, "PRIVATE+KEY+accord.example/log+%.7s+%s", hexid, key64); /* 7 hex digits */
    cr_assert_eq(note_signer_parse(&s, line, strlen(line)), ACCORD_EINVAL);
    snprintf(line, sizeof line, "PRIVATE+KEY+accord.example/log+%s+%.40s", hexid, key64); /* short key */
    cr_assert_eq(note_signer_parse(&s, line, strlen(line)), ACCORD_EINVAL);
    snprintf(line, sizeof line, "PUBLIC+KEY+accord.example/log+%s+%s", hexid, key64);
    cr_assert_eq(note_signer_parse(&s, line, strlen(line)), ACCORD_EINVAL);
    cr_assert_eq(note_signer_parse(&s, vkey, strlen(vkey)), ACCORD_EINVAL, "a verifier key is not a signer");
    snprintf(line, sizeof line, "PRIVATE+KEY+accord.example/log+%s+%s ", hexid, key64);
    cr_assert_eq(note_signer_parse(&s, line, strlen(line)), ACCORD_EINVAL);
    /* A file with two lines is refused too. */
    snprintf(line, sizeof line, "%s\n\n", content);
    th_write_file(path, line);
    cr_assert_eq(note_signer_load(&s, path), ACCORD_EINVAL);
    unlink(path);
    rmdir(dir);
    free(dir);
}

Test(note, verifier_keys)
{
    note_verifier v;
    /* The vector key, then damaged copies of it. */
    const char *good = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
    const char *bad[] = {
        "example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", /* wrong id */
        "example.com/fo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",  /* wrong name */
        "example.com/foo+530d903+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",  /* 7 digits */
        "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2",  /* short base64 */
        "example.com/foo+530d903a+AukyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", /* type 0x02 */
        "example.com/foo+530d903a",
        "example.com/foo",
        "+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
        "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k\n",
        "",
    };

    cr_assert_eq(note_verifier_parse(&v, good), 0, "%s", accord_error_message());
    cr_assert_str_eq(v.name, "example.com/foo");
    cr_assert_eq(v.id, 0x530d903a);
    cr_assert_eq(v.type, NOTE_TYPE_ED25519);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(note_verifier_parse(&v, bad[i]), ACCORD_EINVAL, "case %zu", i);
}

/* ---------------------------------------------------------------------------
 * Checkpoints
 * ------------------------------------------------------------------------- */

/* The example of the tlog-checkpoint spec. */
#define SPEC_ORIGIN "example.com/behind-the-sofa"
#define SPEC_SIZE 20852163
#define SPEC_ROOT "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="
#define SPEC_BODY SPEC_ORIGIN "\n20852163\n" SPEC_ROOT "\n"

static void spec_root(uint8_t root[32])
{
    size_t got = 0;
    cr_assert_eq(sodium_base642bin(root, 32, SPEC_ROOT, strlen(SPEC_ROOT), NULL, &got, NULL,
                                   sodium_base64_VARIANT_ORIGINAL), 0);
    cr_assert_eq(got, 32);
}

Test(checkpoint, format_parse_round_trip)
{
    uint8_t root[32];
    checkpoint cp;
    buf b;

    spec_root(root);
    buf_init(&b, 4096);
    cr_assert_eq(checkpoint_format(SPEC_ORIGIN, SPEC_SIZE, root, &b), 0);
    cr_assert_str_eq(b.data, SPEC_BODY);
    cr_assert_eq(checkpoint_parse(b.data, b.len, &cp), 0, "%s", accord_error_message());
    cr_assert_str_eq(cp.origin, SPEC_ORIGIN);
    cr_assert_eq(cp.size, SPEC_SIZE);
    cr_assert_eq(memcmp(cp.root, root, 32), 0);
    cr_assert_eq(cp.extensions, 0);

    buf_reset(&b);
    cr_assert_eq(checkpoint_format("o", 0, root, &b), 0);
    cr_assert_str_eq(b.data, "o\n0\n" SPEC_ROOT "\n");
    cr_assert_eq(checkpoint_parse(b.data, b.len, &cp), 0);
    cr_assert_eq(cp.size, 0);

    buf_reset(&b);
    cr_assert_eq(checkpoint_format("o", UINT64_MAX, root, &b), 0);
    cr_assert_str_eq(b.data, "o\n18446744073709551615\n" SPEC_ROOT "\n");
    cr_assert_eq(checkpoint_parse(b.data, b.len, &cp), 0);
    cr_assert_eq(cp.size, UINT64_MAX);

    /* Extension lines are accepted and ignored. */
    const char *ext = SPEC_BODY "ext one\next two\n";
    cr_assert_eq(checkpoint_parse(ext, strlen(ext), &cp), 0);
    cr_assert_eq(cp.extensions, 2);
    cr_assert_eq(cp.size, SPEC_SIZE);

    /* Bad origins cannot be formatted. */
    char long_origin[CHECKPOINT_MAX_ORIGIN + 2];
    memset(long_origin, 'o', sizeof long_origin - 1);
    long_origin[sizeof long_origin - 1] = 0;
    buf_reset(&b);
    cr_assert_eq(checkpoint_format("", 1, root, &b), ACCORD_EINVAL);
    cr_assert_eq(checkpoint_format("a\nb", 1, root, &b), ACCORD_EINVAL);
    cr_assert_eq(checkpoint_format(long_origin, 1, root, &b), ACCORD_EINVAL);
    long_origin[CHECKPOINT_MAX_ORIGIN] = 0;
    cr_assert_eq(checkpoint_format(long_origin, 1, root, &b), 0);
    cr_assert_eq(checkpoint_parse(b.data, b.len, &cp), 0);
    cr_assert_eq(strlen(cp.origin), CHECKPOINT_MAX_ORIGIN);
    buf_free(&b);
}

Test(checkpoint, parse_rejects)
{
    checkpoint cp;
    const char *bad[] = {
        SPEC_ORIGIN "\n20852163\n" SPEC_ROOT,                        /* no final newline */
        SPEC_ORIGIN "\n20852163\n",                                  /* no root */
        SPEC_ORIGIN "\n",                                            /* no size */
        "\n20852163\n" SPEC_ROOT "\n",                               /* empty origin */
        SPEC_ORIGIN "\n020852163\n" SPEC_ROOT "\n",                  /* leading zero */
        SPEC_ORIGIN "\n00\n" SPEC_ROOT "\n",
        SPEC_ORIGIN "\n+20852163\n" SPEC_ROOT "\n",
        SPEC_ORIGIN "\n-1\n" SPEC_ROOT "\n",
        SPEC_ORIGIN "\n 20852163\n" SPEC_ROOT "\n",
        SPEC_ORIGIN "\n20852163 \n" SPEC_ROOT "\n",
        SPEC_ORIGIN "\n\n" SPEC_ROOT "\n",
        SPEC_ORIGIN "\n0x10\n" SPEC_ROOT "\n",
        SPEC_ORIGIN "\n18446744073709551616\n" SPEC_ROOT "\n",       /* 2^64 */
        SPEC_ORIGIN "\n99999999999999999999\n" SPEC_ROOT "\n",
        SPEC_ORIGIN "\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n",   /* no padding */
        SPEC_ORIGIN "\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n",  /* trailing bits */
        SPEC_ORIGIN "\n20852163\nCsUYapGGPo4dkMgIAUqom_Xajj7h2fB2MPA3j2jxq2I=\n",  /* URL alphabet */
        SPEC_ORIGIN "\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jx\n",      /* 30 bytes */
        SPEC_ORIGIN "\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2Iq\n",  /* 33 bytes */
        SPEC_ORIGIN "\n20852163\n" SPEC_ROOT " \n",
        /* Found by fuzz/fuzz_checkpoint: two bytes that are no base64 at
         * all in a 44-byte root line. */
        SPEC_ORIGIN "\n20852163\nAAECAwQFBgcICQoLDA0ODxACAwOUFRYX\303\275khGxwdHh8=\n",
        SPEC_BODY "\n",                                              /* empty extension */
        SPEC_BODY "ext\n\n",
        SPEC_ORIGIN "\r\n20852163\n" SPEC_ROOT "\n",                 /* control character */
        "",
    };

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&cp, 0x55, sizeof cp);
        cr_assert_eq(checkpoint_parse(bad[i], strlen(bad[i]), &cp), ACCORD_EINVAL, "case %zu: %s", i, bad[i]);
        cr_assert_eq(cp.size, 0, "case %zu left output", i);
    }
    char long_origin[400];
    memset(long_origin, 'o', 256);
    snprintf(long_origin + 256, sizeof long_origin - 256, "\n1\n%s\n", SPEC_ROOT);
    cr_assert_eq(checkpoint_parse(long_origin, strlen(long_origin), &cp), ACCORD_EINVAL);
}

/* ---------------------------------------------------------------------------
 * Cosignatures
 * ------------------------------------------------------------------------- */

Test(cosign, message_is_spec_example)
{
    buf m;

    buf_init(&m, 4096);
    cr_assert_eq(note_cosignature_message(SPEC_BODY, strlen(SPEC_BODY), 1679315147, &m), 0);
    /* The signed message printed in the tlog-cosignature spec. */
    cr_assert_str_eq(m.data, "cosignature/v1\n"
                             "time 1679315147\n"
                             "example.com/behind-the-sofa\n"
                             "20852163\n"
                             "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n");
    buf_reset(&m);
    cr_assert_eq(note_cosignature_message(SPEC_BODY, strlen(SPEC_BODY), 0, &m), 0);
    cr_assert_eq(strncmp(m.data, "cosignature/v1\ntime 0\n", 22), 0);
    buf_reset(&m);
    cr_assert_eq(note_cosignature_message(SPEC_BODY, strlen(SPEC_BODY), (uint64_t)INT64_MAX + 1, &m), ACCORD_EINVAL);
    cr_assert_eq(m.len, 0);
    buf_free(&m);
}

Test(cosign, key_file_and_vkey)
{
    char *dir = tempdir();
    char path[512], vkey[LOGKEY_MAX_VKEY], again[LOGKEY_MAX_VKEY];
    note_signer w;
    note_verifier v;
    uint8_t pub[32];

    snprintf(path, sizeof path, "%s/w.key", dir);
    cr_assert_eq(cosign_key_create(path, "witness.example/w1", vkey), 0, "%s", accord_error_message());
    cr_assert_eq(cosign_key_load(&w, path), 0, "%s", accord_error_message());
    cr_assert_eq(w.type, NOTE_TYPE_COSIGNATURE);
    note_signer_vkey(&w, again);
    cr_assert_str_eq(again, vkey);
    cr_assert_eq(note_verifier_parse(&v, vkey), 0, "%s", accord_error_message());
    cr_assert_eq(v.type, NOTE_TYPE_COSIGNATURE);

    /* vkey = name+hexid+base64(0x04 || pub); id = SHA-256(name \n 0x04 pub)[:4]. */
    crypto_sign_ed25519_sk_to_pk(pub, w.sk);
    uint8_t msg[64], digest[32];
    size_t nl = strlen("witness.example/w1");
    memcpy(msg, "witness.example/w1", nl);
    msg[nl] = 0x0A;
    msg[nl + 1] = 0x04;
    memcpy(msg + nl + 2, pub, 32);
    crypto_hash_sha256(digest, msg, nl + 34);
    uint32_t want = (uint32_t)digest[0] << 24 | (uint32_t)digest[1] << 16 | (uint32_t)digest[2] << 8 | digest[3];
    cr_assert_eq(cosign_key_id("witness.example/w1", pub), want);
    cr_assert_eq(v.id, want);
    char prefix[64];
    snprintf(prefix, sizeof prefix, "witness.example/w1+%08" PRIx32 "+B", want); /* 0x04 encodes as 'B' */
    cr_assert_eq(strncmp(vkey, prefix, strlen(prefix)), 0, "%s", vkey);

    cr_assert_eq(cosign_key_create(path, "bad name", vkey), ACCORD_EINVAL);
    unlink(path);
    rmdir(dir);
    free(dir);
    note_signer_clear(&w);
}

Test(cosign, sign_verify_round_trip)
{
    note_signer w;
    note_verifier v;
    uint64_t t = 1;
    buf line;

    make_signer(&w, "witness.example/w1", NOTE_TYPE_COSIGNATURE, 70);
    verifier_of(&v, &w);
    buf_init(&line, 4096);
    cr_assert_eq(cosign_sign(&w, SPEC_BODY, strlen(SPEC_BODY), 1679315147, &line), 0, "%s", accord_error_message());
    cr_assert_eq(strncmp(line.data, EM " witness.example/w1 ", 4 + 19), 0, "%s", line.data);
    cr_assert_eq(line.data[line.len - 1], '\n');

    /* base64(key id 4 || timestamp 8 || signature 64) */
    const char *b64 = line.data + 4 + 19;
    uint8_t raw[100];
    size_t got = 0;
    cr_assert_eq(sodium_base642bin(raw, sizeof raw, b64, strlen(b64) - 1, NULL, &got, NULL,
                                   sodium_base64_VARIANT_ORIGINAL), 0);
    cr_assert_eq(got, 76);
    cr_assert_eq((uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 | (uint32_t)raw[2] << 8 | raw[3], w.id);
    uint64_t ts = 0;
    for (int i = 0; i < 8; i++)
        ts = ts << 8 | raw[4 + i];
    cr_assert_eq(ts, 1679315147);

    /* The Ed25519 signature covers exactly the spec's message. */
    buf m;
    uint8_t pub[32];
    buf_init(&m, 4096);
    cr_assert_eq(note_cosignature_message(SPEC_BODY, strlen(SPEC_BODY), 1679315147, &m), 0);
    crypto_sign_ed25519_sk_to_pk(pub, w.sk);
    cr_assert_eq(crypto_sign_verify_detached(raw + 12, (const uint8_t *)m.data, m.len, pub), 0);
    buf_free(&m);

    cr_assert_eq(cosign_verify(&v, SPEC_BODY, strlen(SPEC_BODY), line.data, line.len, &t), 0, "%s",
                 accord_error_message());
    cr_assert_eq(t, 1679315147);
    /* Without the final newline too. */
    cr_assert_eq(cosign_verify(&v, SPEC_BODY, strlen(SPEC_BODY), line.data, line.len - 1, NULL), 0);
    buf_free(&line);
}

/* Re-encodes a cosignature line with its timestamp replaced. */
static void retime(const char *line, uint64_t ts, char *out, size_t cap)
{
    const char *b64 = strrchr(line, ' ') + 1;
    uint8_t raw[76];
    size_t got = 0;
    char enc[sodium_base64_ENCODED_LEN(76, sodium_base64_VARIANT_ORIGINAL)];

    cr_assert_eq(sodium_base642bin(raw, sizeof raw, b64, strcspn(b64, "\n"), NULL, &got, NULL,
                                   sodium_base64_VARIANT_ORIGINAL), 0);
    for (int i = 0; i < 8; i++)
        raw[4 + i] = (uint8_t)(ts >> (56 - 8 * i));
    sodium_bin2base64(enc, sizeof enc, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
    snprintf(out, cap, "%.*s%s\n", (int)(b64 - line), line, enc);
}

Test(cosign, tampering_rejected)
{
    note_signer w, w2, log;
    note_verifier v, v2, vlog;
    char tampered[256];
    const char *other = "example.com/behind-the-sofa\n20852164\n" SPEC_ROOT "\n";
    uint64_t t = 99;
    buf line;

    make_signer(&w, "witness.example/w1", NOTE_TYPE_COSIGNATURE, 80);
    make_signer(&w2, "witness.example/w2", NOTE_TYPE_COSIGNATURE, 81);
    make_signer(&log, "example.com/behind-the-sofa", NOTE_TYPE_ED25519, 82);
    verifier_of(&v, &w);
    verifier_of(&v2, &w2);
    verifier_of(&vlog, &log);
    buf_init(&line, 4096);
    cr_assert_eq(cosign_sign(&w, SPEC_BODY, strlen(SPEC_BODY), 1000, &line), 0);

    retime(line.data, 1001, tampered, sizeof tampered);
    cr_assert_eq(cosign_verify(&v, SPEC_BODY, strlen(SPEC_BODY), tampered, strlen(tampered), &t), ACCORD_EVERIFY);
    cr_assert_eq(t, 0);
    retime(line.data, (uint64_t)INT64_MAX + 1, tampered, sizeof tampered);
    cr_assert_eq(cosign_verify(&v, SPEC_BODY, strlen(SPEC_BODY), tampered, strlen(tampered), &t), ACCORD_EVERIFY);
    retime(line.data, 1000, tampered, sizeof tampered);
    cr_assert_eq(cosign_verify(&v, SPEC_BODY, strlen(SPEC_BODY), tampered, strlen(tampered), &t), 0);

    cr_assert_eq(cosign_verify(&v, other, strlen(other), line.data, line.len, &t), ACCORD_EVERIFY); /* body */
    cr_assert_eq(cosign_verify(&v2, SPEC_BODY, strlen(SPEC_BODY), line.data, line.len, &t), ACCORD_EVERIFY); /* key */
    cr_assert_eq(cosign_verify(&vlog, SPEC_BODY, strlen(SPEC_BODY), line.data, line.len, &t), ACCORD_EINVAL);

    /* Same name and id but another key: the signature fails. */
    note_verifier impostor = v;
    crypto_sign_ed25519_sk_to_pk(impostor.pub, w2.sk);
    cr_assert_eq(cosign_verify(&impostor, SPEC_BODY, strlen(SPEC_BODY), line.data, line.len, &t), ACCORD_EVERIFY);

    /* A plain note signature is not a cosignature, even by the same key. */
    note_signer w_as_log;
    uint8_t seed[32];
    seed_of(seed, 80);
    cr_assert_eq(note_signer_from_seed(&w_as_log, "witness.example/w1", NOTE_TYPE_ED25519, seed), 0);
    buf plain;
    buf_init(&plain, 4096);
    cr_assert_eq(note_sign_line(&w_as_log, SPEC_BODY, strlen(SPEC_BODY), &plain), 0);
    cr_assert_eq(cosign_verify(&v, SPEC_BODY, strlen(SPEC_BODY), plain.data, plain.len, &t), ACCORD_EVERIFY);

    /* Signing refuses the wrong key type, bad times and non-checkpoints. */
    buf_reset(&line);
    cr_assert_eq(cosign_sign(&log, SPEC_BODY, strlen(SPEC_BODY), 1, &line), ACCORD_EINVAL);
    cr_assert_eq(cosign_sign(&w, SPEC_BODY, strlen(SPEC_BODY), (uint64_t)INT64_MAX + 1, &line), ACCORD_EINVAL);
    cr_assert_eq(cosign_sign(&w, "hello\n", 6, 1, &line), ACCORD_EINVAL);
    cr_assert_eq(line.len, 0);
    cr_assert_eq(cosign_sign(&w, SPEC_BODY, strlen(SPEC_BODY), (uint64_t)INT64_MAX, &line), 0);
    cr_assert_eq(cosign_verify(&v, SPEC_BODY, strlen(SPEC_BODY), line.data, line.len, &t), 0);
    cr_assert_eq(t, (uint64_t)INT64_MAX);
    buf_free(&plain);
    buf_free(&line);
}

Test(cosign, cosigned_checkpoint_opens)
{
    note_signer log, w1, w2;
    note_verifier vs[3];
    note_opened o;
    buf line;

    make_signer(&log, "example.com/behind-the-sofa", NOTE_TYPE_ED25519, 90);
    make_signer(&w1, "witness.example/w1", NOTE_TYPE_COSIGNATURE, 91);
    make_signer(&w2, "witness.example/w2", NOTE_TYPE_COSIGNATURE, 92);
    verifier_of(&vs[0], &log);
    verifier_of(&vs[1], &w1);
    verifier_of(&vs[2], &w2);

    buf n = sign_str(&log, SPEC_BODY);
    buf_init(&line, 4096);
    cr_assert_eq(cosign_sign(&w1, SPEC_BODY, strlen(SPEC_BODY), 1679315147, &line), 0);
    cr_assert_eq(cosign_sign(&w1, SPEC_BODY, strlen(SPEC_BODY), 1679315200, &line), 0);
    cr_assert_eq(note_add_signature_line(&n, line.data, line.len), 0, "%s", accord_error_message());

    /* As tlog-witness suggests: the response lines appended to the
     * checkpoint open with the witness keys. */
    cr_assert_eq(note_open(n.data, n.len, vs, 3, &o), 0, "%s", accord_error_message());
    cr_assert_eq(o.text_len, strlen(SPEC_BODY));
    cr_assert(o.verified[0] && o.verified[1] && !o.verified[2]);
    cr_assert_eq(o.nverified, 2);
    cr_assert_eq(o.timestamp[0], 0);
    cr_assert_eq(o.timestamp[1], 1679315200, "the latest cosignature time");

    /* A tampered cosignature spoils the whole note. */
    char tampered[256];
    buf_reset(&line);
    cr_assert_eq(cosign_sign(&w1, SPEC_BODY, strlen(SPEC_BODY), 1679315147, &line), 0);
    retime(line.data, 5, tampered, sizeof tampered);
    buf m = sign_str(&log, SPEC_BODY);
    cr_assert_eq(note_add_signature_line(&m, tampered, strlen(tampered)), 0);
    cr_assert_eq(note_open(m.data, m.len, vs, 3, &o), ACCORD_EVERIFY);
    /* Unless the witness is unknown to the reader. */
    cr_assert_eq(note_open(m.data, m.len, vs, 1, &o), 0);
    cr_assert_eq(o.nunknown, 1);
    buf_free(&m);
    buf_free(&line);
    buf_free(&n);
}

/* ---------------------------------------------------------------------------
 * Tiles
 * ------------------------------------------------------------------------- */

static void expect_encode(uint64_t n, const char *want)
{
    buf b;
    buf_init(&b, 256);
    cr_assert_eq(tile_path_encode(n, &b), 0);
    cr_assert_str_eq(b.data, want, "N=%" PRIu64, n);
    buf_free(&b);
}

Test(tile, encode_index)
{
    cr_assert_eq(TILE_HEIGHT, 8);
    cr_assert_eq(TILE_WIDTH, 1 << TILE_HEIGHT);
    expect_encode(1234067, "x001/x234/067"); /* the tlog-tiles example */
    expect_encode(0, "000");
    expect_encode(1, "001");
    expect_encode(999, "999");
    expect_encode(1000, "x001/000");
    expect_encode(1000000, "x001/x000/000");
    expect_encode(UINT64_MAX, "x018/x446/x744/x073/x709/x551/615");
}

static void expect_path(const char *path, bool entries, unsigned level, uint64_t index, unsigned width)
{
    tile_ref t;
    buf b;

    cr_assert_eq(tile_path_parse(path, &t), 0, "%s: %s", path, accord_error_message());
    cr_assert_eq(t.entries, entries, "%s", path);
    cr_assert_eq(t.level, level, "%s", path);
    cr_assert_eq(t.index, index, "%s", path);
    cr_assert_eq(t.width, width, "%s", path);
    /* And it formats back to the same path. */
    buf_init(&b, 256);
    cr_assert_eq(tile_path_format(&t, &b), 0);
    cr_assert_str_eq(b.data, path);
    buf_free(&b);
}

Test(tile, parse_paths)
{
    expect_path("/tile/0/x001/x234/067", false, 0, 1234067, 256);
    expect_path("/tile/0/000", false, 0, 0, 256);
    expect_path("/tile/1/000.p/17", false, 1, 0, 17);
    expect_path("/tile/2/000.p/1", false, 2, 0, 1);
    expect_path("/tile/0/272", false, 0, 272, 256);
    expect_path("/tile/0/273.p/112", false, 0, 273, 112);
    expect_path("/tile/63/000.p/255", false, 63, 0, 255);
    expect_path("/tile/10/x001/000", false, 10, 1000, 256);
    expect_path("/tile/entries/x001/x234/067.p/255", true, 0, 1234067, 255);
    expect_path("/tile/entries/000", true, 0, 0, 256);
    expect_path("/tile/0/x018/x446/x744/x073/x709/x551/615", false, 0, UINT64_MAX, 256);
}

Test(tile, parse_rejects)
{
    const char *bad[] = {
        "/tile/64/000", "/tile/00/000", "/tile/01/000", "/tile/-1/000", "/tile/+1/000", "/tile/a/000",
        "/tile/0/1234067", "/tile/0/x001/234/067", "/tile/0/001/x234/067", "/tile/0/x001/x234/x067",
        "/tile/0/x000/067", "/tile/0/x000/x001/067", "/tile/0/67", "/tile/0/0067", "/tile/0/x01/067",
        "/tile/0/x0001/067", "/tile/0/067.p/0", "/tile/0/067.p/256", "/tile/0/067.p/01", "/tile/0/067.p/",
        "/tile/0/067.p", "/tile/0/067/", "/tile/0/067.p/5/", "/tile/0/067.q/5", "/tile/0/067?x=1",
        "tile/0/000", "/tiles/0/000", "/tile/entries", "/tile/entries/", "/tile/0/", "/tile/0", "/tile/",
        "", "/tile/0/x018/x446/x744/x073/x709/x551/616", "/tile/0/x001/x018/x446/x744/x073/x709/x551/615",
        "/tile/entries/0/000", "/tile/8/entries/000", "/tile//000", "/tile/0//000", "/tile/0/x001//000",
        "/tile/0/x001/x234/067.p/256", "/tile/0/000.p/1000",
    };
    tile_ref t;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(tile_path_parse(bad[i], &t), ACCORD_EINVAL, "accepted '%s'", bad[i]);
        cr_assert_eq(t.index, 0);
        cr_assert_eq(t.width, 0);
    }

    tile_ref r = {.entries = false, .level = 64, .index = 0, .width = 256};
    buf b;
    buf_init(&b, 256);
    cr_assert_eq(tile_path_format(&r, &b), ACCORD_EINVAL);
    r.level = 0, r.width = 0;
    cr_assert_eq(tile_path_format(&r, &b), ACCORD_EINVAL);
    r.width = 257;
    cr_assert_eq(tile_path_format(&r, &b), ACCORD_EINVAL);
    cr_assert_eq(b.len, 0);
    buf_free(&b);
}

Test(tile, entry_bundles)
{
    static uint8_t big[TILE_MAX_ENTRY + 16];
    const size_t sizes[] = {0, 1, 2, 255, 256, 1000, TILE_MAX_ENTRY};
    const size_t n = sizeof sizes / sizeof sizes[0];
    tile_bundle_iter it;
    const uint8_t *e;
    size_t len;
    buf b;

    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 7 + 3);
    buf_init(&b, 1 << 20);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(tile_entry_bundle_append(&b, i ? big + i : NULL, sizes[i]), 0);
    size_t before = b.len;
    cr_assert_eq(tile_entry_bundle_append(&b, big, TILE_MAX_ENTRY + 1), ACCORD_ETOOBIG);
    cr_assert_eq(b.len, before);

    /* Layout: big-endian uint16 length, then the bytes. */
    cr_assert_eq((uint8_t)b.data[0], 0);
    cr_assert_eq((uint8_t)b.data[1], 0);
    cr_assert_eq((uint8_t)b.data[2], 0);
    cr_assert_eq((uint8_t)b.data[3], 1);

    tile_bundle_iter_init(&it, b.data, b.len);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(tile_bundle_next(&it, &e, &len), 1, "entry %zu", i);
        cr_assert_eq(len, sizes[i]);
        if (len)
            cr_assert_eq(memcmp(e, big + i, len), 0, "entry %zu bytes", i);
    }
    cr_assert_eq(tile_bundle_next(&it, &e, &len), 0);
    cr_assert_eq(tile_bundle_next(&it, &e, &len), 0, "stays at the end");

    /* Truncated in a prefix or in an entry. */
    tile_bundle_iter_init(&it, b.data, 1);
    cr_assert_eq(tile_bundle_next(&it, &e, &len), ACCORD_EINVAL);
    tile_bundle_iter_init(&it, b.data, b.len - 1);
    for (size_t i = 0; i + 1 < n; i++)
        cr_assert_eq(tile_bundle_next(&it, &e, &len), 1);
    cr_assert_eq(tile_bundle_next(&it, &e, &len), ACCORD_EINVAL);

    /* A full bundle has 256 entries; a 257th is refused. */
    buf_reset(&b);
    for (int i = 0; i < TILE_WIDTH; i++)
        cr_assert_eq(tile_entry_bundle_append(&b, "x", 1), 0);
    tile_bundle_iter_init(&it, b.data, b.len);
    int count = 0;
    while (tile_bundle_next(&it, &e, &len) == 1)
        count++;
    cr_assert_eq(count, TILE_WIDTH);
    cr_assert_eq(tile_entry_bundle_append(&b, "x", 1), 0);
    tile_bundle_iter_init(&it, b.data, b.len);
    int rc;
    while ((rc = tile_bundle_next(&it, &e, &len)) == 1)
        ;
    cr_assert_eq(rc, ACCORD_EINVAL);
    buf_free(&b);
}
