/* Linking a need to an offer: the activity that answers the one with the
 * other, built from the offer, the need's state and what the caller adds.
 * Writes nothing: the caller records the result as activity.recorded, so
 * the API and the workspace write the same event and replay re-runs the
 * same applier. */
#include <stdio.h>
#include <string.h>

#include "assistance/assistance_int.h"
#include "store/lookup.h"
#include "util/error.h"
#include "util/json.h"

/* The fields a link may give, copied to the activity as given. The
 * framework tags among them replace the offer's. */
static const char *const LINK_KEYS[] = {"offer", "id", "title", "body", "implementing", "programming", "funder",
                                        "subdivision", "status", "planned_start", "planned_end", "actual_start",
                                        "actual_end", "meeting", "instrument", "provisions", "thematic", "sdg",
                                        "gcts", "unsc", NULL};

/* The offer's provider, title and framework tags, as one JSON object
 * read from its row. */
#define OFFER_FOR_LINK                                                                                            \
    "SELECT json_object('provider', provider, 'title', title, 'instrument', instrument, 'provisions',"            \
    " json(provisions), 'thematic', thematic, 'sdg', json(sdg), 'gcts', json(gcts), 'unsc', json(unsc),"          \
    " 'synthetic', synthetic) FROM offer WHERE id = ?"

/* Reads offer 'id' into '*out' (new; caller decrefs). */
static int read_offer(store *db, const char *id, json_t **out)
{
    char text[16384];
    *out = NULL;
    int rc = store_one_text(db, text, sizeof text, OFFER_FOR_LINK, "s", id);
    if (rc == STORE_DONE)
        return accord_fail(ACCORD_ENOTFOUND, "offer", "offer: no offer '%s'", id);
    if (rc < 0)
        return rc;
    *out = json_loads(text, 0, NULL);
    return *out ? ACCORD_OK : accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
}

/* True when 'implementing' is entity 'provider' or one of its offices
 * ("unodc/almaty" of "unodc"). */
static bool of_provider(const char *implementing, const char *provider)
{
    size_t n = strlen(provider);
    return strncmp(implementing, provider, n) == 0 && (implementing[n] == '\0' || implementing[n] == '/');
}

int assistance_link(store *db, const char *need, const json_t *link, json_t **out)
{
    json_t *offer = NULL, *act = NULL;
    const char *offer_id, *implementing = NULL;
    char access[16], party[16];
    *out = NULL;
    int rc = json_is_object(link) ? json_only_keys(link, LINK_KEYS, NULL)
                                  : accord_fail(ACCORD_EINVAL, NULL, "the link must be a JSON object");
    if (!rc) rc = json_get_string(link, "offer", true, 64, &offer_id);
    if (!rc) rc = json_get_string(link, "implementing", false, 72, &implementing);
    if (!rc) rc = assistance_need_access(db, need, access, party);
    if (!rc && !party[0])
        rc = accord_fail(ACCORD_ENOTFOUND, "need", "need '%s': its state is not held here", need);
    if (!rc) rc = read_offer(db, offer_id, &offer);
    if (rc)
        goto out;
    const char *provider = json_string_value(json_object_get(offer, "provider"));
    if (implementing && !of_provider(implementing, provider)) {
        rc = accord_fail(ACCORD_EINVAL, "implementing", "implementing: give %s or one of its offices, whose offer it is",
                         provider);
        goto out;
    }
    /* The offer's title and tags, never the need's: a need that is not
     * public must not reach the public log through its link. */
    act = json_object();
    static const char *const from_offer[] = {"title", "instrument", "provisions", "thematic", "sdg", "gcts", "unsc",
                                             NULL};
    for (const char *const *k = from_offer; *k; k++) {
        json_t *v = json_object_get(offer, *k);
        if (v && !json_is_null(v))
            json_object_set(act, *k, v);
    }
    json_set_str(act, "implementing", provider);
    json_set_str(act, "country", party);
    json_set_str(act, "status", "pipeline");
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)link, key, v) if (strcmp(key, "offer") != 0) json_object_set(act, key, v);
    json_object_set_new(act, "needs", json_pack("[s]", need));
    json_set_str(act, "offer", offer_id);
    /* Built on a synthetic offer or need, the activity is synthetic too. */
    int64_t synthetic = json_integer_value(json_object_get(offer, "synthetic"));
    if (!synthetic)
        rc = store_one_int(db, &synthetic,
                           "SELECT max(synthetic) FROM (SELECT synthetic FROM need WHERE id = ?1"
                           " UNION ALL SELECT synthetic FROM need_private WHERE id = ?1)",
                           "s", need);
    if (rc < 0)
        goto out;
    rc = ACCORD_OK;
    if (synthetic)
        json_object_set_new(act, "synthetic", json_true());
    *out = act;
    act = NULL;
out:
    json_decref(offer);
    json_decref(act);
    return rc;
}
