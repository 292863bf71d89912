/* registry-m49: the UN M49 regions read from data/un-m49.json, and how a
 * missing or broken file fails. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "registry/registry.h"
#include "util/error.h"

Test(m49, regions_by_code_or_name)
{
    const registry_area *a;
    cr_assert_eq(registry_m49_region("143", "region", &a), ACCORD_OK, "%s", accord_error_message());
    cr_assert_str_eq(a->name, "Central Asia");
    cr_assert_eq(a->type, REGISTRY_AREA_SUBREGION);
    cr_assert_str_eq(a->parent->name, "Asia");
    cr_assert_eq(registry_m49_region("2", "region", &a), ACCORD_OK, "a code without its leading zeros");
    cr_assert_str_eq(a->code, "002");
    cr_assert_eq(registry_m49_region("sub-saharan AFRICA", "region", &a), ACCORD_OK);
    cr_assert_str_eq(a->code, "202");
    cr_assert_eq(registry_m49_region("World", "region", &a), ACCORD_OK);
    cr_assert_eq(a->type, REGISTRY_AREA_WORLD);
    cr_assert_eq(registry_m49_region("Kazakhstan", "region", &a), ACCORD_EINVAL, "a country is not a region");
    cr_assert_str_eq(accord_error_field(), "region");
    cr_assert_eq(registry_m49_region("0143", "region", &a), ACCORD_ENOTFOUND);
    cr_assert_eq(registry_m49_region("", "region", &a), ACCORD_ENOTFOUND);
    cr_assert(strstr(accord_error_message(), "no UN M49 region"), "%s", accord_error_message());
}

Test(m49, where_states_lie)
{
    registry_place p;
    cr_assert_eq(registry_m49_place("AGO", &p), ACCORD_OK);
    cr_assert_str_eq(p.region->name, "Africa");
    cr_assert_str_eq(p.subregion->name, "Sub-Saharan Africa");
    cr_assert_str_eq(p.intermediate->name, "Middle Africa");
    cr_assert_eq(registry_m49_place("FRA", &p), ACCORD_OK);
    cr_assert_str_eq(p.subregion->name, "Western Europe");
    cr_assert_null(p.intermediate);
    cr_assert_eq(registry_m49_place("org:turkic-council", &p), ACCORD_OK);
    cr_assert(!p.region && !p.subregion && !p.intermediate, "organizations have no region");
    cr_assert_eq(registry_m49_place("TWN", &p), ACCORD_OK);
    cr_assert_null(p.region, "M49 does not list Taiwan");
    cr_assert_eq(registry_m49_place("ATA", &p), ACCORD_OK);
    cr_assert_null(p.region, "Antarctica lies in the world only");

    const registry_area *asia, *world, *caribbean;
    cr_assert_eq(registry_m49_region("Asia", "region", &asia), ACCORD_OK);
    cr_assert_eq(registry_m49_region("001", "region", &world), ACCORD_OK);
    cr_assert_eq(registry_m49_region("Caribbean", "region", &caribbean), ACCORD_OK);
    cr_assert(registry_m49_within("KAZ", asia));
    cr_assert(!registry_m49_within("FRA", asia));
    cr_assert(registry_m49_within("VCT", caribbean));
    cr_assert(registry_m49_within("ATA", world));
    cr_assert(!registry_m49_within("org:oic", world));
}

/* Every ISO 3166-1 state accord registers has its place in M49, but for
 * the two the standard leaves out of every region. */
Test(m49, every_state_of_iso_codes_is_placed)
{
    json_t *states;
    cr_assert_eq(registry_iso_states("/usr/share/iso-codes/json/iso_3166-1.json", &states), ACCORD_OK);
    size_t i, unplaced = 0;
    json_t *s;
    json_array_foreach(states, i, s)
    {
        const char *code = json_string_value(json_object_get(s, "code"));
        registry_place p;
        cr_assert_eq(registry_m49_place(code, &p), ACCORD_OK);
        if (!p.region) {
            cr_assert(strcmp(code, "TWN") == 0 || strcmp(code, "ATA") == 0, "%s has no region", code);
            unplaced++;
        } else {
            cr_assert_not_null(p.subregion, "%s has a region but no subregion", code);
            cr_assert_eq(p.subregion->parent, p.region);
        }
    }
    cr_assert_eq(unplaced, 2);
    cr_assert_gt(json_array_size(states), 240);
    json_decref(states);
}

/* The server reads the file before it listens: without it, or with a
 * broken one, it does not start, and says which file and why. */
Test(m49, the_server_needs_the_regions)
{
    char *dir = th_tempdir();
    char *db = th_make_db(dir, false, NULL);
    char *err = th_serve_refused(db, dir);
    cr_assert(strstr(err, "cannot find data file un-m49.json") && strstr(err, dir), "%s", err);
    cr_assert(strstr(err, "ACCORD_DATA_DIR"), "it says how to point at the file: %s", err);
    free(err);

    char path[4096];
    snprintf(path, sizeof path, "%s/un-m49.json", dir);
    th_write_file(path, "{\"source\": {}, \"regions\": [{\"code\": \"001\", \"name\": \"World\", \"type\": \"world\"},\n"
                        " {\"code\": \"002\", \"name\": \"Africa\", \"type\": \"region\", \"parent\": \"999\"}]}");
    err = th_serve_refused(db, dir);
    cr_assert(strstr(err, path) && strstr(err, "entry 002 (1) has no valid parent"), "%s", err);
    free(err);
    th_fixture_end(NULL, dir, db);
}
