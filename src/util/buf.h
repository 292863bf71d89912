/* A growable byte buffer with a hard cap set at creation.
 *
 * Everything that holds untrusted input (request bodies, uploaded files,
 * serialized events) goes through a buf: going past 'cap' is an error
 * (ACCORD_ETOOBIG), never an unbounded allocation. The buffer is always
 * NUL-terminated so text can be read in place. */
#ifndef ACCORD_UTIL_BUF_H
#define ACCORD_UTIL_BUF_H

#include <stddef.h>

typedef struct buf {
    char *data;  /* owned; NUL-terminated; NULL until the first append */
    size_t len;  /* bytes used, not counting the terminator */
    size_t size; /* bytes allocated */
    size_t cap;  /* largest 'len' allowed */
} buf;

/* Initializes an empty buffer that may hold at most 'cap' bytes. */
void buf_init(buf *b, size_t cap);

/* Appends 'len' bytes of 'data'. Fails with ACCORD_ETOOBIG past the cap
 * (the buffer is left unchanged) or ACCORD_ENOMEM. */
int buf_append(buf *b, const void *data, size_t len);

/* Appends a NUL-terminated string. */
int buf_puts(buf *b, const char *s);

/* Appends printf-style formatted text. */
int buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends the whole file at 'path'. Fails with ACCORD_ENOTFOUND if it
 * does not exist, ACCORD_EENV if it cannot be read, ACCORD_ETOOBIG past
 * the cap; the message names the file. */
int buf_append_file(buf *b, const char *path);

/* Empties the buffer, keeping its memory. */
void buf_reset(buf *b);

/* Hands the contents to the caller (who must free() them) and leaves the
 * buffer empty. Never returns NULL unless out of memory. */
char *buf_steal(buf *b);

/* Frees the contents. */
void buf_free(buf *b);

#endif
