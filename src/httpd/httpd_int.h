/* Inside the httpd module: the connection sweeper (sweeper.c) that
 * httpd.c runs beside each daemon. Only src/httpd/ includes this. */
#ifndef ACCORD_HTTPD_HTTPD_INT_H
#define ACCORD_HTTPD_HTTPD_INT_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

/* One open connection, listed from libmicrohttpd's STARTED notification
 * to its CLOSED one. */
typedef struct conn_track {
    struct conn_track *prev, *next;
    int fd;
    double waiting_since; /* CLOCK_MONOTONIC seconds */
    bool in_request;      /* headers complete, answer not yet sent */
    bool swept;
} conn_track;

/* Every open connection of one daemon, and the thread that closes those
 * past the header deadline. */
typedef struct httpd_sweeper {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    conn_track ring;    /* the list's head; ring.next is the first entry */
    size_t count, peak; /* connections open; most open since the last trim */
    bool stop;
    pthread_t thread;
} httpd_sweeper;

/* Seconds on CLOCK_MONOTONIC. */
double httpd__mono_now(void);

/* Starts the sweeper thread of 's' (zeroed by the caller). ACCORD_EENV
 * if it cannot start. */
int httpd__sweeper_start(httpd_sweeper *s);

/* Stops the thread and releases 's'; call it after the daemon stopped. */
void httpd__sweeper_stop(httpd_sweeper *s);

/* libmicrohttpd's MHD_OPTION_NOTIFY_CONNECTION callback; 'cls' is the
 * sweeper. Lists a connection when it starts, unlists it when it closes. */
void httpd__on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code);

/* Marks the connection of 'conn' as in a request (its headers are
 * complete) or waiting for the next one, from now. */
void httpd__track_request(httpd_sweeper *s, struct MHD_Connection *conn, bool in_request);

#endif
