/* The header deadline. libmicrohttpd's own timeout counts inactivity
 * only, so a client sending one header line every few seconds would hold
 * its connection forever. Every open connection is listed here, and a
 * thread shuts down (shutdown(2)) the socket of one that has waited more
 * than HTTPD_HEADER_DEADLINE seconds for a request's headers: since it
 * connected, or since its last answer (an idle keep-alive connection).
 * The worker that owns it then reads the end of the stream and closes it.
 * An entry leaves the list in the CLOSED notification, which
 * libmicrohttpd makes before it closes the socket, under the lock the
 * sweep holds: a descriptor swept is never one already reused. */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include "httpd/httpd.h"
#include "httpd/httpd_int.h"
#include "util/error.h"

double httpd__mono_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

void httpd__on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    httpd_sweeper *s = cls;
    conn_track *t = *socket_context;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (!ci || !(t = calloc(1, sizeof *t)))
            return; /* untracked: only the idle timeout applies to it */
        t->fd = ci->connect_fd;
        t->waiting_since = httpd__mono_now();
        pthread_mutex_lock(&s->lock);
        t->prev = s->ring.prev;
        t->next = &s->ring;
        s->ring.prev->next = t;
        s->ring.prev = t;
        if (++s->count > s->peak)
            s->peak = s->count;
        pthread_mutex_unlock(&s->lock);
        *socket_context = t;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED && t) {
        pthread_mutex_lock(&s->lock);
        t->prev->next = t->next;
        t->next->prev = t->prev;
        s->count--;
        pthread_mutex_unlock(&s->lock);
        free(t);
        *socket_context = NULL;
    }
}

void httpd__track_request(httpd_sweeper *s, struct MHD_Connection *conn, bool in_request)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    conn_track *t = ci ? ci->socket_context : NULL;
    if (!t)
        return;
    pthread_mutex_lock(&s->lock);
    t->in_request = in_request;
    t->waiting_since = httpd__mono_now();
    pthread_mutex_unlock(&s->lock);
}

/* Shuts down every connection of 's' past the deadline (under its lock). */
static void sweep_once(httpd_sweeper *s)
{
    double now = httpd__mono_now();
    for (conn_track *t = s->ring.next; t != &s->ring; t = t->next)
        if (!t->in_request && !t->swept && now - t->waiting_since > HTTPD_HEADER_DEADLINE) {
            shutdown(t->fd, SHUT_RDWR);
            t->swept = true;
        }
}

static void *sweep_connections(void *arg)
{
    httpd_sweeper *s = arg;
    pthread_mutex_lock(&s->lock);
    while (!s->stop) {
        sweep_once(s);
        /* After a burst of connections, glibc keeps the memory their
         * buffers used (libmicrohttpd's 32 KiB pools fall below the mmap
         * threshold) inside its heaps: give it back once most of them
         * have gone (docs/stress.md has the figures). */
        if (s->peak >= 64 && s->count <= s->peak / 4) {
            s->peak = s->count;
            pthread_mutex_unlock(&s->lock); /* a trim takes milliseconds */
            malloc_trim(0);
            pthread_mutex_lock(&s->lock);
            if (s->stop)
                break;
        }
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += 250 * 1000 * 1000;
        if (until.tv_nsec >= 1000 * 1000 * 1000) {
            until.tv_sec++;
            until.tv_nsec -= 1000 * 1000 * 1000;
        }
        pthread_cond_timedwait(&s->wake, &s->lock, &until);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

int httpd__sweeper_start(httpd_sweeper *s)
{
    pthread_condattr_t attr;
    pthread_mutex_init(&s->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&s->wake, &attr);
    pthread_condattr_destroy(&attr);
    s->ring.next = s->ring.prev = &s->ring;
    s->stop = false;
    int e = pthread_create(&s->thread, NULL, sweep_connections, s);
    if (e) {
        pthread_cond_destroy(&s->wake);
        pthread_mutex_destroy(&s->lock);
        return accord_fail(ACCORD_EENV, NULL, "cannot start the connection sweeper: %s", strerror(e));
    }
    return ACCORD_OK;
}

void httpd__sweeper_stop(httpd_sweeper *s)
{
    pthread_mutex_lock(&s->lock);
    s->stop = true;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->lock);
}
