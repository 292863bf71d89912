/* Cosignatures (ledger/cosign.c): the input is a checkpoint body, up to
 * and including its first "\n\n" less one newline, then a cosignature
 * line. cosign_verify() must refuse or accept without harm; and whatever
 * body cosign_sign() takes must verify with the key that signed it. */
#include <sodium.h>
#include <stdio.h>

#include "fuzz.h"
#include "tlog/cosign.h"
#include "tlog/note.h"
#include "util/buf.h"

static note_signer key;
static note_verifier vkey;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    uint8_t seed[NOTE_SEED_SIZE];
    char text[LOGKEY_MAX_VKEY];

    (void)argc;
    (void)argv;
    memset(seed, 9, sizeof seed);
    if (sodium_init() < 0 || note_signer_from_seed(&key, "witness.example/w1", NOTE_TYPE_COSIGNATURE, seed) != 0)
        abort();
    note_signer_vkey(&key, text);
    if (note_verifier_parse(&vkey, text) != 0)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    const char *blank = size ? memmem(p, size, "\n\n", 2) : NULL;
    size_t body_len = blank ? (size_t)(blank - p) + 1 : size;
    const char *line = blank ? blank + 2 : p + size;
    size_t line_len = size - (size_t)(line - p);
    uint64_t ts = 0;
    buf out;

    cosign_verify(&vkey, p, body_len, line, line_len, &ts);

    buf_init(&out, NOTE_MAX_SIZE);
    note_cosignature_message(p, body_len, 1, &out);
    buf_reset(&out);
    /* The timestamp is the last 8 input bytes, so the fuzzer picks it. */
    uint64_t when = 0;
    for (size_t i = size >= 8 ? size - 8 : 0; i < size; i++)
        when = when << 8 | data[i];
    if (cosign_sign(&key, p, body_len, when, &out) == 0 &&
        (cosign_verify(&vkey, p, body_len, out.data, out.len, &ts) != 0 || ts != when)) {
        fprintf(stderr, "a cosignature we made does not verify\n");
        abort();
    }
    buf_free(&out);
    return 0;
}
