/* Proof latency at scale: builds (or reuses) a log of N entries in a
 * database file and measures inclusion and consistency proofs computed
 * from the stored nodes, as the server computes them.
 *
 * usage: bench-proofs DB N [SAMPLES [KEYFILE [ENTRY_BYTES]]]
 * ENTRY_BYTES pads new entries to about that size (default: ~40 bytes). 
 * With KEYFILE (a log key made by accord init), the log's checkpoint is
 * signed with it, so that 'accord log export' and 'accord verify' work on
 * the benchmark log. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ledger/ledger.h"
#include "ledger/publish.h"
#include "store/db.h"
#include "util/error.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *what, double *us, int n)
{
    qsort(us, (size_t)n, sizeof *us, cmp);
    printf("%-26s p50 %7.1f us   p99 %7.1f us   (%d samples)\n", what, us[n / 2], us[n * 99 / 100], n);
}

/* Appends entries until the log has 'target', in large transactions. */
static int grow(store *db, uint64_t target, int pad)
{
    static const char filler[] = "The Code's signatories committed to the practical implementation of its provisions. ";
    uint64_t size;
    int rc = ledger_size(db, &size);
    double t0 = now();
    uint64_t start = size;
    while (!rc && size < target) {
        rc = store_begin(db);
        for (int i = 0; !rc && i < 50000 && size < target; i++) {
            char entry[4096], text[4000] = "";
            for (size_t t = 0; pad > 0 && t + sizeof filler < (size_t)pad && t + sizeof filler < sizeof text; t += sizeof filler - 1)
                memcpy(text + t, filler, sizeof filler);
            int len = snprintf(entry, sizeof entry, "{\"bench\":%llu,\"text\":\"%s\",\"type\":\"bench.entry\"}",
                               (unsigned long long)size, text);
            rc = ledger_append(db, "bench.entry", "2026-01-01T00:00:00Z", entry, (size_t)len, &size);
            size++;
        }
        if (!rc)
            rc = store_commit(db);
    }
    if (!rc && size > start)
        printf("built %llu entries in %.1f s (%.0f appends/s in bulk transactions)\n",
               (unsigned long long)(size - start), now() - t0, (double)(size - start) / (now() - t0));
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 3 || sodium_init() < 0) {
        fprintf(stderr, "usage: bench-proofs DB N [SAMPLES]\n");
        return 1;
    }
    uint64_t n = strtoull(argv[2], NULL, 10);
    int samples = argc > 3 ? atoi(argv[3]) : 20000;
    store *db;
    int rc = store_open(&db, argv[1], true);
    if (!rc) rc = store_migrate(db);
    if (!rc) rc = store_exec(db, "PRAGMA synchronous=OFF"); /* building only; measured reads are unaffected */
    if (!rc) rc = grow(db, n, argc > 5 ? atoi(argv[5]) : 0);
    if (rc) {
        fprintf(stderr, "bench-proofs: %s\n", accord_error_message());
        return 2;
    }
    double *us = malloc((size_t)samples * sizeof *us);
    uint8_t proof[MERKLE_MAX_PROOF][MERKLE_HASH_SIZE];
    size_t len;
    srand(42);
    for (int i = 0; i < samples; i++) {
        uint64_t index = ((uint64_t)rand() << 31 ^ (uint64_t)rand()) % n;
        /* As the server does: one read transaction per proof. */
        double t = now();
        rc = store_begin_read(db);
        if (!rc)
            rc = merkle_inclusion_proof(ledger_node, db, index, n, proof, &len);
        store_rollback(db);
        us[i] = (now() - t) * 1e6;
        if (rc)
            break;
    }
    char label[64];
    snprintf(label, sizeof label, "inclusion @ %llu", (unsigned long long)n);
    if (!rc)
        report(label, us, samples);
    for (int i = 0; !rc && i < samples; i++) {
        uint64_t old = 1 + ((uint64_t)rand() << 31 ^ (uint64_t)rand()) % (n - 1);
        double t = now();
        rc = store_begin_read(db);
        if (!rc)
            rc = merkle_consistency_proof(ledger_node, db, old, n, proof, &len);
        store_rollback(db);
        us[i] = (now() - t) * 1e6;
    }
    snprintf(label, sizeof label, "consistency @ %llu", (unsigned long long)n);
    if (!rc)
        report(label, us, samples);
    if (!rc && argc > 4) {
        note_signer key;
        char vkey[LOGKEY_MAX_VKEY];
        uint64_t size;
        bool made;
        rc = note_signer_load(&key, argv[4]);
        if (!rc) {
            note_signer_vkey(&key, vkey);
            rc = store_run(db, "DELETE FROM meta WHERE key IN ('origin', 'vkey')", "");
        }
        if (!rc) rc = store_run(db, "INSERT INTO meta (key, value) VALUES ('origin', ?), ('vkey', ?)", "ss", key.name, vkey);
        /* A new key: checkpoints signed by an earlier one no longer apply. */
        if (!rc) rc = store_exec(db, "DELETE FROM cosignature; DELETE FROM checkpoint");
        if (!rc) rc = publish_checkpoint(db, &key, &size, &made);
        note_signer_clear(&key);
    }
    if (rc)
        fprintf(stderr, "bench-proofs: %s\n", accord_error_message());
    free(us);
    store_close(db);
    return rc ? 2 : 0;
}
