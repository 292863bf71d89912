/* Signed notes (ledger/note.c): note_open() over any bytes with a known
 * Ed25519 key (the C2SP signed-note vector's) and a cosignature key, the
 * key parsers, and adding signature lines. Then a round trip: a text the
 * signer accepts must open with the signer's key. */
#include <sodium.h>
#include <stdio.h>

#include "fuzz.h"
#include "tlog/note.h"
#include "util/buf.h"

#define VECTOR_VKEY "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"

static note_verifier verifiers[2];
static note_signer signer;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    uint8_t seed[NOTE_SEED_SIZE];
    note_signer cosigner;

    (void)argc;
    (void)argv;
    if (sodium_init() < 0 || note_verifier_parse(&verifiers[0], VECTOR_VKEY) != 0)
        abort();
    memset(seed, 7, sizeof seed);
    if (note_signer_from_seed(&signer, "example.com/log", NOTE_TYPE_ED25519, seed) != 0)
        abort();
    memset(seed, 9, sizeof seed);
    char vkey[LOGKEY_MAX_VKEY];
    if (note_signer_from_seed(&cosigner, "witness.example/w1", NOTE_TYPE_COSIGNATURE, seed) != 0)
        abort();
    note_signer_vkey(&cosigner, vkey);
    if (note_verifier_parse(&verifiers[1], vkey) != 0)
        abort();
    return 0;
}

/* A text that note_sign() accepts must open with the signer's key, and
 * its text must come back whole. */
static void sign_and_open(const uint8_t *data, size_t size)
{
    note_verifier v;
    note_opened opened;
    char vkey[LOGKEY_MAX_VKEY];
    buf note;

    buf_init(&note, NOTE_MAX_SIZE);
    if (note_sign(&signer, (const char *)data, size, &note) == 0) {
        note_signer_vkey(&signer, vkey);
        if (note_verifier_parse(&v, vkey) != 0 || note_open(note.data, note.len, &v, 1, &opened) != 0 ||
            opened.text_len != size || !opened.verified[0]) {
            fprintf(stderr, "a note we signed does not open\n");
            abort();
        }
    }
    buf_free(&note);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    note_opened opened;
    note_verifier v;
    note_signer s;

    note_open((const char *)data, size, verifiers, 2, &opened);
    note_text_check((const char *)data, size);
    note_line_valid((const char *)data, size);
    note_name_valid((const char *)data, size);
    note_signer_parse(&s, (const char *)data, size);
    note_signer_clear(&s);

    char *text = fuzz_cstring(data, size);
    note_verifier_parse(&v, text);
    free(text);

    /* The input as signature lines added to a valid note. */
    buf note;
    buf_init(&note, NOTE_MAX_SIZE);
    if (note_sign(&signer, "example.com/log\n1\n", 18, &note) == 0)
        note_add_signature_line(&note, (const char *)data, size);
    buf_free(&note);

    sign_and_open(data, size);
    return 0;
}
