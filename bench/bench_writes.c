/* Durable appends per second through the real HTTP write path: CONNS
 * keep-alive connections each POST an action, wait for its answer and post
 * the next, for SECONDS, against a running server; every 201 is a write
 * committed with fsync.
 *
 * The load generator shares the machine's cores with the server, so it is
 * one thread driving all connections with epoll and plain HTTP/1.1: its
 * CPU cost per request is a small fraction of the server's, and what is
 * measured is the server. (A client library per connection thread cost
 * about a third as much CPU as the server itself.)
 *
 * usage: bench-writes http://HOST:PORT TOKEN CONNS SECONDS */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#define REQUEST_MAX 2048
#define RESPONSE_MAX 65536

typedef struct conn {
    int fd;
    long id, sent;            /* connection number, requests sent on it */
    char out[REQUEST_MAX];    /* the request being written */
    size_t out_len, out_done;
    char in[RESPONSE_MAX];    /* the response being read */
    size_t in_len;
} conn;

static const char *token;
static char host[256], port[16];
static long ok, failed;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int parse_base(const char *base)
{
    const char *p = strncmp(base, "http://", 7) == 0 ? base + 7 : NULL;
    const char *colon = p ? strchr(p, ':') : NULL;
    if (!colon || (size_t)(colon - p) >= sizeof host)
        return -1;
    memcpy(host, p, (size_t)(colon - p));
    host[colon - p] = '\0';
    snprintf(port, sizeof port, "%.*s", (int)strcspn(colon + 1, "/"), colon + 1);
    return 0;
}

static int connect_to_server(void)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai;
    if (getaddrinfo(host, port, &hints, &ai) != 0)
        return -1;
    int fd = socket(ai->ai_family, ai->ai_socktype, 0);
    if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    int one = 1;
    if (fd >= 0)
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* Makes the next request of 'c': a distinct action each time. */
static void next_request(conn *c)
{
    char body[512];
    int blen = snprintf(body, sizeof body,
                        "{\"party\":\"KAZ\",\"type\":\"declaration\",\"date\":\"2020-01-01\",\"note\":\"bench %ld/%ld\","
                        "\"source\":{\"title\":\"benchmark\"}}",
                        c->id, c->sent++);
    c->out_len = (size_t)snprintf(c->out, sizeof c->out,
                                  "POST /api/v1/instruments/code-of-conduct/actions HTTP/1.1\r\n"
                                  "Host: %s:%s\r\nAuthorization: Bearer %s\r\n"
                                  "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
                                  host, port, token, blen, body);
    c->out_done = 0;
    c->in_len = 0;
}

static int write_some(conn *c)
{
    while (c->out_done < c->out_len) {
        ssize_t n = write(c->fd, c->out + c->out_done, c->out_len - c->out_done);
        if (n < 0)
            return errno == EAGAIN ? 0 : -1;
        c->out_done += (size_t)n;
    }
    return 0;
}

/* Reads what has arrived; returns 1 when a whole response is in (its
 * status in *status), 0 when more is to come, -1 on a broken connection. */
static int read_some(conn *c, int *status)
{
    ssize_t n = read(c->fd, c->in + c->in_len, sizeof c->in - 1 - c->in_len);
    if (n <= 0)
        return -1;
    c->in_len += (size_t)n;
    c->in[c->in_len] = '\0';
    char *end = strstr(c->in, "\r\n\r\n");
    if (!end)
        return c->in_len < sizeof c->in - 1 ? 0 : -1;
    const char *cl = strcasestr(c->in, "\r\nContent-Length:");
    size_t body = cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0;
    if (c->in_len < (size_t)(end + 4 - c->in) + body)
        return 0;
    *status = atoi(c->in + 9); /* "HTTP/1.1 201 ..." */
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 5 || parse_base(argv[1]) != 0) {
        fprintf(stderr, "usage: bench-writes http://HOST:PORT TOKEN CONNS SECONDS\n");
        return 1;
    }
    token = argv[2];
    int nconns = atoi(argv[3]);
    double seconds = atof(argv[4]);
    conn *conns = calloc((size_t)nconns, sizeof *conns);
    int ep = epoll_create1(0);
    if (!conns || ep < 0)
        return 1;
    double t0 = now(), end = t0 + seconds;
    for (int i = 0; i < nconns; i++) {
        conn *c = &conns[i];
        c->id = i;
        if ((c->fd = connect_to_server()) < 0) {
            fprintf(stderr, "bench-writes: cannot connect to %s:%s\n", host, port);
            return 1;
        }
        next_request(c);
        write_some(c);
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
    }
    int open = nconns;
    struct epoll_event evs[256];
    while (open > 0) {
        int n = epoll_wait(ep, evs, 256, 1000);
        for (int i = 0; i < n; i++) {
            conn *c = evs[i].data.ptr;
            int status = 0, r = read_some(c, &status);
            if (r == 0)
                continue;
            if (r > 0 && status == 201)
                ok++;
            else
                failed++;
            if (r < 0 || now() >= end) {
                epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
                close(c->fd);
                open--;
                continue;
            }
            next_request(c);
            if (write_some(c) < 0) {
                failed++;
                epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
                close(c->fd);
                open--;
            }
        }
    }
    double dt = now() - t0;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    printf("%d connections: %ld durable appends in %.1f s = %.0f appends/s (%ld failed); client CPU %.0f us per request\n",
           nconns, ok, dt, (double)ok / dt, failed, ok ? cpu * 1e6 / (double)ok : 0.0);
    free(conns);
    close(ep);
    return failed ? 1 : 0;
}
