#include "util/sha256.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <sodium.h>

/* The algorithm is looked up once, not on every hash; each thread keeps
 * one context, freed when the thread ends. */
static EVP_MD *algorithm;
static pthread_key_t context_key;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void free_context(void *ctx) { EVP_MD_CTX_free(ctx); }

static void set_up(void)
{
    algorithm = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (pthread_key_create(&context_key, free_context) != 0) {
        EVP_MD_free(algorithm);
        algorithm = NULL;
    }
}

static EVP_MD_CTX *thread_context(void)
{
    pthread_once(&once, set_up);
    if (!algorithm)
        return NULL;
    EVP_MD_CTX *ctx = pthread_getspecific(context_key);
    if (!ctx && (ctx = EVP_MD_CTX_new()) && pthread_setspecific(context_key, ctx) != 0) {
        EVP_MD_CTX_free(ctx);
        ctx = NULL;
    }
    return ctx;
}

static int openssl_parts(uint8_t out[SHA256_SIZE], const sha256_part *parts, size_t n)
{
    EVP_MD_CTX *ctx = thread_context();
    if (!ctx || EVP_DigestInit_ex2(ctx, algorithm, NULL) != 1)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (parts[i].len && EVP_DigestUpdate(ctx, parts[i].data, parts[i].len) != 1)
            return -1;
    unsigned len = 0;
    return EVP_DigestFinal_ex(ctx, out, &len) == 1 && len == SHA256_SIZE ? 0 : -1;
}

void sha256_parts(uint8_t out[SHA256_SIZE], const sha256_part *parts, size_t n)
{
    if (openssl_parts(out, parts, n) == 0)
        return;
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    for (size_t i = 0; i < n; i++)
        if (parts[i].len)
            crypto_hash_sha256_update(&st, parts[i].data, parts[i].len);
    crypto_hash_sha256_final(&st, out);
}

void sha256(uint8_t out[SHA256_SIZE], const void *data, size_t len)
{
    sha256_part part = {data, len};
    sha256_parts(out, &part, 1);
}
