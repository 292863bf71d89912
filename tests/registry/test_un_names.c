/* registry-un-names: the UN short names in six languages, the sourced
 * fixes and withheld names applied over the copied file, and reads from
 * many threads at once. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "registry/registry.h"
#include "util/error.h"

Test(un_names, the_un_short_names_in_six_languages)
{
    cr_assert_eq(registry_un_names_load(), ACCORD_OK, "%s", accord_error_message());
    cr_assert_str_eq(registry_un_name("RUS", "fr"), "Fédération de Russie");
    cr_assert_str_eq(registry_un_name("RUS", "ru"), "Российская Федерация");
    cr_assert_str_eq(registry_un_name("RUS", "zh"), "俄罗斯联邦");
    cr_assert_str_eq(registry_un_name("BOL", "en"), "Bolivia (Plurinational State of)");
    cr_assert_str_eq(registry_un_name("VCT", "es"), "San Vicente y las Granadinas");
    cr_assert_str_eq(registry_un_name("KAZ", "ar"), "كازاخستان");
}

Test(un_names, fixes_from_a_source_and_withheld_names)
{
    cr_assert_str_eq(registry_un_name("TUR", "en"), "Türkiye", "fixed from UN M49");
    cr_assert_str_eq(registry_un_name("NLD", "en"), "Netherlands (Kingdom of the)", "fixed from UN M49");
    cr_assert_str_eq(registry_un_name("TUR", "fr"), "Turquie", "no source yet: kept, a known issue");
    cr_assert_null(registry_un_name("UMI", "ar"), "withheld as damaged: the portal falls back to ICU");
    cr_assert_null(registry_un_name("ALA", "ru"));
    cr_assert_str_eq(registry_un_name("UMI", "en"), "United States Minor Outlying Islands",
                     "only the damaged language is withheld");
}

Test(un_names, none_where_the_file_has_none)
{
    cr_assert_null(registry_un_name("ATA", "en"), "Antarctica is not in the file");
    cr_assert_null(registry_un_name("TWN", "en"), "Taiwan is not in M49");
    cr_assert_null(registry_un_name("KAZ", "de"), "not a UN language");
    cr_assert_null(registry_un_name("org:oic", "en"));
    cr_assert_null(registry_un_name(NULL, "en"));
    cr_assert_null(registry_un_name("KAZ", NULL));
}

static void *read_names(void *arg)
{
    (void)arg;
    for (int i = 0; i < 2000; i++)
        if (!registry_un_name("VCT", "en") || strcmp(registry_un_name("FRA", "fr"), "France") != 0)
            return (void *)1;
    return NULL;
}

/* The first use loads the file once, whichever thread comes first; every
 * thread then reads the same table. */
Test(un_names, many_threads_read_at_once)
{
    pthread_t t[8];
    for (int i = 0; i < 8; i++)
        cr_assert_eq(pthread_create(&t[i], NULL, read_names, NULL), 0);
    for (int i = 0; i < 8; i++) {
        void *bad;
        pthread_join(t[i], &bad);
        cr_assert_null(bad, "thread %d read a wrong name", i);
    }
}

/* A correction is checked against the name it replaces: a new copy of the
 * names that no longer holds it stops the server, which says so. */
Test(un_names, a_stale_correction_stops_the_server)
{
    char *dir = th_tempdir();
    char *db = th_make_db(dir, false, NULL);
    th_copy_data(dir, "un-m49.json");
    th_copy_data(dir, "un-names.json");
    th_copy_data(dir, "world-map.json");
    char path[4096];
    snprintf(path, sizeof path, "%s/un-names.corrections.json", dir);
    th_write_file(path, "{\"fixes\": [{\"alpha3\": \"TUR\", \"lang\": \"en\", \"was\": \"Turkey (old)\","
                        " \"value\": \"Türkiye\", \"source\": {\"title\": \"UN M49\"}}], \"withhold\": []}");
    char *err = th_serve_refused(db, dir);
    cr_assert(strstr(err, path) && strstr(err, "expects 'Turkey (old)'"), "%s", err);
    free(err);
    th_fixture_end(NULL, dir, db);
}
