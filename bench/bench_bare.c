/* The reference for public reads in make bench: libmicrohttpd with the
 * daemon settings accord uses (epoll, a thread pool of accord serve's
 * default 8 threads, keep-alive), answering every request with one file's
 * bytes from memory. Nothing can serve the same
 * bytes through libmicrohttpd faster, so accord's cached reads are
 * measured against it (and against nginx) in the same run.
 *
 *   bench-bare PORT FILE CONTENT-TYPE [THREADS]   (stops on SIGINT/SIGTERM) */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static struct MHD_Response *answer;

/* Answers on the second call, once the whole request has arrived, as
 * accord's skeleton does (httpd.c). A response queued on the first call,
 * with only the headers read, makes libmicrohttpd close the connection
 * after it ("Connection: close"): the reference then measured a new TCP
 * connection per request, about a third of accord's keep-alive rate. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    static int seen; /* any non-NULL marker */
    (void)cls, (void)url, (void)method, (void)version, (void)upload_data;
    if (!*con_cls) {
        *con_cls = &seen;
        return MHD_YES;
    }
    if (*upload_data_size) {
        *upload_data_size = 0; /* a body is read and dropped */
        return MHD_YES;
    }
    return MHD_queue_response(conn, MHD_HTTP_OK, answer);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc(n > 0 ? (size_t)n : 1);
    if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
        free(data);
        data = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return data;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: bench-bare PORT FILE CONTENT-TYPE [THREADS]\n");
        return 1;
    }
    size_t len;
    char *data = read_file(argv[2], &len);
    if (!data) {
        perror(argv[2]);
        return 2;
    }
    answer = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(answer, MHD_HTTP_HEADER_CONTENT_TYPE, argv[3]);
    unsigned threads = argc > 4 ? (unsigned)atoi(argv[4]) : 8; /* accord serve's default */
    struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG,
                                            (uint16_t)atoi(argv[1]), NULL, NULL, on_request, NULL,
                                            MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_TIMEOUT,
                                            (unsigned)30, MHD_OPTION_END);
    if (!d)
        return 2;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_BLOCK, &set, NULL);
    int sig;
    sigwait(&set, &sig);
    MHD_stop_daemon(d);
    MHD_destroy_response(answer);
    free(data);
    return 0;
}
