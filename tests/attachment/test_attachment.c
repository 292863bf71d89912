/* attachment-attachment: files are typed by their content, against the
 * allow-list, hashed, capped, and given names that are safe in a header. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "attachment/attachment.h"
#include "helpers.h"
#include "util/error.h"

static void setup(void) { cr_assert_geq(sodium_init(), 0); }

TestSuite(attachment, .init = setup);

/* Inspects fixture 'kind'; returns the code, and the type in 'type'. */
static int inspect(const char *kind, const char **type)
{
    size_t len;
    unsigned char *bytes = th_fixture(kind, &len);
    attachment_file f;
    int rc = attachment_inspect(bytes, len, &f);
    *type = rc ? NULL : f.media_type;
    if (!rc) {
        cr_assert_eq(f.size, len);
        cr_assert_eq(f.bytes, bytes, "the file borrows the caller's bytes");
    }
    free(bytes);
    return rc;
}

Test(attachment, each_allowed_kind_is_recognized_by_its_content)
{
    static const struct {
        const char *kind, *type;
    } cases[] = {
        {"pdf", "application/pdf"},
        {"png", "image/png"},
        {"jpeg", "image/jpeg"},
        {"text", "text/plain"},
        {"csv", "text/csv"},
        {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
        {"docx-libreoffice", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
        {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
        {"odt", "application/vnd.oasis.opendocument.text"},
        {"ods", "application/vnd.oasis.opendocument.spreadsheet"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *type;
        int rc = inspect(cases[i].kind, &type);
        cr_assert_eq(rc, 0, "%s: %s", cases[i].kind, accord_error_message());
        cr_assert_str_eq(type, cases[i].type, "%s", cases[i].kind);
        cr_assert_eq(type, attachment_allowed_type(cases[i].type), "the type is the allow-list's own string");
    }
}

Test(attachment, other_kinds_are_unsupported_media)
{
    static const struct {
        const char *kind, *found;
    } cases[] = {
        {"html", "text/html"},
        {"svg", "image/svg+xml"},
        {"json", "application/json"},
        {"zip", "application/zip"},
        {"elf", "application/x-"}, /* x-pie-executable or x-sharedlib, by build */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *type;
        cr_assert_eq(inspect(cases[i].kind, &type), ACCORD_EMEDIA, "%s", cases[i].kind);
        cr_assert(strstr(accord_error_message(), cases[i].found), "%s: the message names what was found: %s",
                  cases[i].kind, accord_error_message());
    }
}

Test(attachment, the_hash_is_sha256_of_the_bytes)
{
    attachment_file f;
    /* FIPS 180-2, appendix B.1 */
    cr_assert_eq(attachment_inspect("abc", 3, &f), 0, "%s", accord_error_message());
    cr_assert_str_eq(f.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    cr_assert(attachment_sha256_valid(f.sha256));
    cr_assert_not(attachment_sha256_valid("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"),
                  "hashes are lowercase");
    cr_assert_not(attachment_sha256_valid("ba7816bf"));
    cr_assert_not(attachment_sha256_valid("../../etc/passwd"));
    cr_assert_not(attachment_sha256_valid(NULL));
}

Test(attachment, size_is_capped_and_empty_is_refused)
{
    attachment_file f;
    cr_assert_eq(attachment_inspect("", 0, &f), ACCORD_EINVAL);
    char *big = malloc(ATTACHMENT_MAX_SIZE + 1);
    cr_assert_not_null(big);
    memset(big, 'a', ATTACHMENT_MAX_SIZE + 1);
    memcpy(big, "%PDF-1.4\n", 9);
    cr_assert_eq(attachment_inspect(big, ATTACHMENT_MAX_SIZE + 1, &f), ACCORD_ETOOBIG);
    cr_assert_eq(attachment_inspect(big, ATTACHMENT_MAX_SIZE, &f), 0, "exactly the cap is allowed: %s",
                 accord_error_message());
    cr_assert_str_eq(f.media_type, "application/pdf");
    free(big);
}

Test(attachment, names_are_safe_in_a_header)
{
    static const char *const good[] = {"law.pdf", "Закон № 5 (2026).docx", "a", "report final v2.xlsx", ".hidden"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        cr_assert_eq(attachment_check_name(good[i], "name"), 0, "%s: %s", good[i], accord_error_message());
    char longest[ATTACHMENT_MAX_NAME + 2];
    memset(longest, 'x', sizeof longest);
    longest[ATTACHMENT_MAX_NAME] = '\0';
    cr_assert_eq(attachment_check_name(longest, "name"), 0);
    longest[ATTACHMENT_MAX_NAME] = 'x';
    longest[ATTACHMENT_MAX_NAME + 1] = '\0';
    static const char *const bad[] = {"", "..", ".", "../etc/passwd", "a\\b", "say \"hi\".pdf", "line\nbreak.txt",
                                      "tab\there", "\xff\xfe.txt", "del\x7f",
                                      /* bidirectional controls: each can make a name display as another */
                                      "\u202Egnp.exe", "a\u202Ab", "a\u202Bb", "a\u202Cb", "a\u202Db", "a\u2066b",
                                      "a\u2067b", "a\u2068b", "a\u2069b", "a\u200Eb", "a\u200Fb", "a\u061Cb",
                                      /* C1 controls and line separators */
                                      "a\xc2\x85" "b", "a\xc2\x9b" "b", "a\u2028b", "a\u2029b"};
    cr_assert_eq(attachment_check_name(longest, "name"), ACCORD_EINVAL, "one byte over");
    cr_assert_eq(attachment_check_name(NULL, "name"), ACCORD_EINVAL);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(attachment_check_name(bad[i], "name"), ACCORD_EINVAL, "bad name #%zu accepted", i);
        cr_assert_str_eq(accord_error_field(), "name");
    }
    cr_assert_eq(attachment_check_name("\u202Egnp.exe", "name"), ACCORD_EINVAL);
    cr_assert(strstr(accord_error_message(), "U+202E") && strstr(accord_error_message(), "bidirectional"), "%s",
              accord_error_message());
    cr_assert_eq(attachment_check_name("\u05D7\u05D5\u05E7.pdf", "name"), 0, "right-to-left letters are fine: %s",
                 accord_error_message());
}

/* Uploads are inspected on the server's worker threads at once. */
static void *inspect_many(void *arg)
{
    const char *kind = arg, *type;
    for (int i = 0; i < 200; i++)
        if (inspect(kind, &type) != 0)
            return (void *)"failed";
    return (void *)type;
}

Test(attachment, inspection_is_safe_from_several_threads)
{
    static const char *const kinds[] = {"pdf", "png", "docx", "csv"};
    static const char *const want[] = {"application/pdf", "image/png",
                                       "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                                       "text/csv"};
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        cr_assert_eq(pthread_create(&t[i], NULL, inspect_many, (void *)kinds[i]), 0);
    for (int i = 0; i < 4; i++) {
        void *type;
        pthread_join(t[i], &type);
        cr_assert_str_eq(type, want[i], "%s", kinds[i]);
    }
}
