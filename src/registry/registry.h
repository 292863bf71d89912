/* The registry: parties (states and organizations), their dated names,
 * groups with dated membership, and instruments with their provisions.
 *
 * Writes go through events (events/events.h); this header offers the
 * checks other modules need and the public read views as JSON. */
#ifndef ACCORD_REGISTRY_REGISTRY_H
#define ACCORD_REGISTRY_REGISTRY_H

#include <jansson.h>
#include <stdbool.h>

#include "store/db.h"

#define REGISTRY_MAX_TEXT 4000  /* longest free text field, in bytes */
#define REGISTRY_MAX_NAME 300   /* longest name or title */
#define REGISTRY_MAX_URL 2048

/* True when 'code' is a party code: ISO 3166-1 alpha-3 ("KAZ") or
 * "org:" followed by lowercase letters, digits and dashes. */
bool registry_party_code_valid(const char *code);

/* Fails ACCORD_ENOTFOUND (naming 'field') unless party 'code' exists. */
int registry_party_require(store *db, const char *code, const char *field);

/* Reads the instrument's opening date into 'opened' (11 bytes); fails
 * ACCORD_ENOTFOUND naming 'field' when there is no such instrument. */
int registry_instrument_opened(store *db, const char *slug, const char *field, char opened[11]);

/* As registry_instrument_opened(), also copying the instrument's title
 * into 'title' ('size' bytes, truncated to fit). */
int registry_instrument_titled(store *db, const char *slug, const char *field, char opened[11], char *title,
                               size_t size);

/* Copies the name of party 'code' as at 'as_of' (NULL: its current name)
 * into 'name' ('size' bytes; ACCORD_ETOOBIG, never a cut name, if it does
 * not fit); fails ACCORD_ENOTFOUND naming 'field' unless the party
 * exists. One query: the check and the name an applier needs together. */
int registry_party_name(store *db, const char *code, const char *as_of, const char *field, char *name, size_t size);

/* Reads source object 'key' of 'data' ({"title": ..., "url": ...}) into
 * borrowed strings. 'url' may be absent; a present one must be http(s). */
int registry_read_source(const json_t *data, const char *key, bool required, const char **title, const char **url);

/* {"title", "url"} or null: the JSON view of a stored source. */
json_t *registry_source_json(const char *title, const char *url);

/* store_row_json() of the current row of 'st' (store/row_json.h), where
 * the columns keyed "source_title" and "source_url" become one "source"
 * (registry_source_json()), last: how every read view shows a source.
 * New object; the caller decrefs it. */
json_t *registry_row_json(store_stmt *st, const char *const *keys);

/* store_rows_json() with each row shown as registry_row_json(): runs 'st'
 * to completion and closes it; a new array in '*out'. */
int registry_rows_json(store_stmt *st, const char *const *keys, json_t **out);

/* SQL: the name of party row 'alias' as at the date bound to its one '?':
 * its latest rename on or before the date, else the name it was
 * registered with. */
#define REGISTRY_NAME_AS_AT(alias) REGISTRY_NAME_AT(alias, "?")

/* The same with the date given as an SQL expression ('date_sql'), such as
 * a joined row's column, so that a list names each party as at its own
 * row's date in one query. */
#define REGISTRY_NAME_AT(alias, date_sql)                                                                  \
    "coalesce((SELECT n.name FROM party_name n WHERE n.party = " alias ".code AND n.valid_from <= "       \
    date_sql " ORDER BY n.valid_from DESC LIMIT 1), " alias ".name)"

/* {"code", "kind", "name"} of party 'code' with its name as at 'as_of'
 * (NULL: current name). Returns NULL if there is no such party. */
json_t *registry_party_brief(store *db, const char *code, const char *as_of);

/* Public read views; each returns a new JSON value in '*out' (caller
 * decrefs) or fails ACCORD_ENOTFOUND / ACCORD_EINVAL. */
int registry_list_instruments(store *db, json_t **out);
int registry_get_instrument(store *db, const char *slug, json_t **out);
int registry_list_parties(store *db, const char *kind, json_t **out);
int registry_get_party(store *db, const char *code, json_t **out);
int registry_list_groups(store *db, json_t **out);

/* The members and observers of group 'code' as at 'as_of', each with its
 * role, dates and source: an array in '*out'. Fails ACCORD_ENOTFOUND. */
int registry_group_members(store *db, const char *code, const char *as_of, json_t **out);

/* {"code", "kind", "name" (as at 'as_of'), "note", "source"} of a group. */
int registry_group_brief(store *db, const char *code, const char *as_of, json_t **out);

/* Reads Debian iso-codes' ISO 3166-1 JSON at 'path' into an array of
 * party.registered event data, one per entry (caller decrefs), each of
 * kind "state" or "territory" as registry_iso_kind() says, with the
 * source of that kind. Fails ACCORD_EENV when either file is unusable. */
int registry_iso_states(const char *path, json_t **out);

/* ---- UN membership and the kinds of parties ------------------------------
 * data/un-membership.json (provenance in data/un-membership.md): the 193
 * UN Member States and the 2 non-member observer States. Read once per
 * process, on first use, then read-only: any thread reads it without
 * locks. An ISO 3166-1 entry is a "state" when this list holds it, else a
 * "territory"; organizations are "organization". */

/* Reads the list if this process has not yet. Fails ACCORD_EENV naming
 * the file and what is wrong with it; every later call fails the same. */
int registry_un_load(void);

/* The file as read ({"source", "members": {"as_of", "codes"},
 * "observers": [{"code", "since"?, "source"?}]}), borrowed for the life
 * of the process; NULL when it cannot be read. */
const json_t *registry_un_membership(void);

/* Whether 'code' is a UN Member State or non-member observer State. */
bool registry_un_listed(const char *code);

/* "state" or "territory": the kind of ISO 3166-1 entry 'code'. */
const char *registry_iso_kind(const char *code);

/* The source of kind 'kind' ("state" or "territory"): a new {"title",
 * "url"}, or NULL when the UN list cannot be read. */
json_t *registry_iso_kind_source(const char *kind);

/* ---- UN M49 regions ------------------------------------------------------
 * Reference data, not state: read once per process, on first use, from
 * data/un-m49.json (util/datadir.h says where it is looked for; provenance
 * in data/un-m49.md), and never changed afterwards, so any thread reads it
 * without locks. A state is found by its ISO 3166-1 alpha-3 code;
 * organizations have no region. */

typedef enum registry_area_type {
    REGISTRY_AREA_WORLD,
    REGISTRY_AREA_REGION,       /* Africa, Americas, Asia, Europe, Oceania */
    REGISTRY_AREA_SUBREGION,    /* Central Asia, Sub-Saharan Africa ... */
    REGISTRY_AREA_INTERMEDIATE, /* Caribbean, Eastern Africa ... */
    REGISTRY_AREA_COUNTRY,      /* a country or area */
} registry_area_type;

typedef struct registry_area {
    char code[4];                        /* three digits: "143" */
    char iso3[4];                        /* a country's ISO 3166-1 alpha-3, else "" */
    registry_area_type type;
    const struct registry_area *parent;  /* NULL for the world */
    const char *name;
} registry_area;

/* Where a state lies; each NULL when it has none. */
typedef struct registry_place {
    const registry_area *region, *subregion, *intermediate;
} registry_place;

/* Reads the table if this process has not yet. Fails ACCORD_EENV naming
 * the file and what is wrong with it (or every place it was looked for);
 * every later call fails the same way. */
int registry_m49_load(void);

/* The region, subregion and intermediate region of party 'party' into
 * '*out' (all NULL for an organization or a state M49 does not list). */
int registry_m49_place(const char *party, registry_place *out);

/* The region (the world, a region, subregion or intermediate region)
 * named by 'text': its code ("143"; "2" for "002") or its name in any case
 * ("central asia"). Fails ACCORD_ENOTFOUND naming 'field' when there is
 * none, ACCORD_EINVAL when 'text' names a country or area. */
int registry_m49_region(const char *text, const char *field, const registry_area **out);

/* Whether party 'party' lies within 'region', which includes its
 * subregions and intermediate regions. Always false for organizations. */
bool registry_m49_within(const char *party, const registry_area *region);

/* {"code", "name"} of 'a' (new), or null when 'a' is NULL. */
json_t *registry_area_json(const registry_area *a);

/* ---- UN names in the six official languages ------------------------------
 * Reference data, not state: data/un-names.json (UNSD's M49 names, a 2019
 * copy) with data/un-names.corrections.json applied (provenance, fixes and
 * known issues in data/un-names.md), read once per process on first use
 * and never changed, so any thread reads it without locks. */

#define REGISTRY_UN_LANGUAGES 6 /* ar, zh, en, fr, ru, es */

/* Reads the names if this process has not yet. Fails ACCORD_EENV naming
 * the file and what is wrong (a correction that no longer matches its
 * name included); every later call fails the same way. */
int registry_un_names_load(void);

/* The UN short name of ISO 3166-1 alpha-3 'code' in language 'lang'
 * ("ar", "zh", "en", "fr", "ru" or "es"), borrowed for the life of the
 * process; NULL when the file has none (an unknown code or language, a
 * name withheld as damaged, or the names could not be read), so that the
 * caller falls back to ICU/CLDR's name. */
const char *registry_un_name(const char *code, const char *lang);

/* "world", "region", "subregion", "intermediate" or "country". */
const char *registry_area_type_name(registry_area_type type);

/* {"source": provenance, "regions": [...]}: every area but the countries,
 * each with its type, parent code and the ISO codes of the countries and
 * areas within it. New object in '*out'. */
int registry_m49_list(json_t **out);

#endif
