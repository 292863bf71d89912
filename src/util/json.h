/* JSON helpers on top of jansson: canonical serialization for the ledger,
 * and field readers that turn bad input into precise errors.
 *
 * Canonical form (RFC 8785 for the values accord uses): object keys sorted
 * by UTF-16 code units, no insignificant whitespace, strings escaped with
 * the short escapes and lowercase \u00xx for other control characters,
 * integers in plain decimal. Real numbers are refused: no event carries
 * one, so the ledger never depends on float formatting. */
#ifndef ACCORD_UTIL_JSON_H
#define ACCORD_UTIL_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* Appends the canonical serialization of 'v' to 'out'. Fails ACCORD_EINVAL
 * on a real number, ACCORD_ETOOBIG past the buffer's cap. */
int json_canonical(const json_t *v, buf *out);

/* Appends 's' (NUL-terminated UTF-8) to 'out' as a JSON string, quoted and
 * escaped as in the canonical form. For views written as text rather than
 * built as a tree of values. */
int json_write_string(buf *out, const char *s);

/* Appends 'v' as the server sends its answers: exactly the bytes of
 * json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER), written directly
 * into 'out' (4 to 7 times faster than jansson on the API's answers: no
 * call per token, no growing string per level). Fails ACCORD_ETOOBIG past
 * the buffer's cap, ACCORD_EINVAL on a string that is not UTF-8 (which
 * jansson would not write either). */
int json_write_indented(const json_t *v, buf *out);

/* Parses 'len' bytes of 'text' as one JSON object into '*out' (caller owns
 * it, json_decref). Fails ACCORD_EINVAL with the line and column. */
int json_parse_object(const char *text, size_t len, json_t **out);

/* Fails ACCORD_EINVAL naming the first key of 'obj' that is not in the
 * NULL-terminated list 'allowed'. 'where' prefixes the field name
 * ("action" gives "action.foo"). */
int json_only_keys(const json_t *obj, const char *const *allowed, const char *where);

/* Reads string field 'key' of 'obj' into '*out' (borrowed from 'obj').
 * Absent or null gives NULL when not 'required'. Fails ACCORD_EINVAL when
 * it is of another type, empty, longer than 'maxlen' bytes, or holds
 * control characters other than newline and tab. */
int json_get_string(const json_t *obj, const char *key, bool required, size_t maxlen, const char **out);

/* Reads integer field 'key' into '*out' within [min, max]. Absent gives
 * 'absent' unless 'required'. */
int json_get_int(const json_t *obj, const char *key, bool required, int64_t min, int64_t max, int64_t absent,
                 int64_t *out);

/* Sets 'key' of 'obj' to a string copy of 's', or to null when 's' is NULL. */
void json_set_str(json_t *obj, const char *key, const char *s);

#endif
