/* C2SP tlog-checkpoint: the note text a log signs for its tree head.
 *
 *     <origin>\n         the log's identity, e.g. "example.com/log42"
 *     <tree size>\n      ASCII decimal, no leading zeroes ("0" if empty)
 *     <root hash>\n      standard base64 (padded) of the 32-byte RFC 9162 root
 *     [<extension>\n]*   optional, opaque, each non-empty
 *
 * This module only formats and parses that body; signing and verifying it
 * is note.h (the log) and cosign.h (witnesses).
 *
 * Errors: ACCORD_EINVAL with the offending field ("origin", "size",
 * "root", "extension" or "text") named; buf errors pass through.
 * Ownership: inputs are borrowed; checkpoint_format() appends to the
 * caller's buf (unchanged on error); checkpoint_parse() copies into 'out'. */
#ifndef ACCORD_TLOG_CHECKPOINT_H
#define ACCORD_TLOG_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "tlog/merkle.h"
#include "util/buf.h"

/* Longest origin accepted, in bytes: the ML-DSA cosignature format encodes
 * the origin with a one-byte length, so longer ones could not be cosigned. */
#define CHECKPOINT_MAX_ORIGIN 255

typedef struct checkpoint {
    char origin[CHECKPOINT_MAX_ORIGIN + 1]; /* NUL-terminated */
    uint64_t size;
    uint8_t root[MERKLE_HASH_SIZE];
    size_t extensions; /* number of extension lines, which are ignored */
} checkpoint;

/* Appends "origin\nsize\nbase64(root)\n" to 'out'. 'origin' must be a
 * non-empty note line (valid UTF-8, no control characters) of at most
 * CHECKPOINT_MAX_ORIGIN bytes. */
int checkpoint_format(const char *origin, uint64_t size, const uint8_t root[MERKLE_HASH_SIZE], buf *out);

/* Parses the checkpoint body 'text' ('len' bytes, normally the text
 * note_open() returned, final newline included) into 'out'. Strict: the
 * text must be a valid note text; the size decimal without sign or leading
 * zeroes and at most 2^64 - 1; the root exactly 44 characters of canonical
 * base64 for 32 bytes; extension lines non-empty. On error 'out' is
 * zeroed. */
int checkpoint_parse(const char *text, size_t len, checkpoint *out);

#endif
