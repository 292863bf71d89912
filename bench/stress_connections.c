/* make stress: hostile connections against a running server (loopback).
 *
 *   stress-connections hostile PORT N SECONDS
 *     N connections from 127.0.0.1, half sending a request's header one
 *     line every 2 s and never ending it (slowloris), half saying nothing;
 *     a connection the server closes is opened again after 5 s. Meanwhile
 *     a new client on 127.0.0.2 asks GET /healthz every 250 ms: prints how
 *     many answered within 1 s and their latency.
 *
 *   stress-connections shutdown PORT N PID
 *     N idle connections from 127.0.0.2-127.0.0.9 (below the per-address
 *     cap), then SIGTERM to PID: prints how long the server took to exit.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static unsigned port;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int connect_from(const char *src)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET}, to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, src, &a.sin_addr);
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || connect(fd, (struct sockaddr *)&to, sizeof to) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Seconds /healthz took on a new connection from 127.0.0.2, or -1. */
static double probe(void)
{
    double t0 = now_s();
    int fd = connect_from("127.0.0.2");
    if (fd < 0)
        return -1;
    const char req[] = "GET /healthz HTTP/1.1\r\nHost: s\r\nConnection: close\r\n\r\n";
    char out[2048] = "";
    size_t len = 0;
    if (send(fd, req, sizeof req - 1, MSG_NOSIGNAL) < 0) {
        close(fd);
        return -1;
    }
    while (len < 12) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int left = (int)((t0 + 5 - now_s()) * 1000);
        if (left <= 0 || poll(&p, 1, left) <= 0)
            break;
        ssize_t n = recv(fd, out + len, sizeof out - 1 - len, 0);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    return len >= 12 && strncmp(out, "HTTP/1.1 200", 12) == 0 ? now_s() - t0 : -1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int hostile(int n, int seconds)
{
    int *fd = calloc((size_t)n, sizeof *fd);
    double *retry_at = calloc((size_t)n, sizeof *retry_at), *lat = calloc((size_t)seconds * 4 + 8, sizeof *lat);
    struct pollfd *pf = calloc((size_t)n, sizeof *pf);
    long opened = 0, closed_by_server = 0;
    int probes = 0, failed = 0, within = 0;
    for (int i = 0; i < n; i++)
        fd[i] = -1;
    double start = now_s(), next_line = start + 2, next_probe = start + 1;
    while (now_s() - start < seconds) {
        double t = now_s();
        for (int i = 0; i < n; i++)
            if (fd[i] < 0 && t >= retry_at[i]) {
                fd[i] = connect_from("127.0.0.1");
                retry_at[i] = t + 5;
                if (fd[i] >= 0) {
                    opened++;
                    if (i % 2)
                        send(fd[i], "GET /healthz HTTP/1.1\r\n", 23, MSG_NOSIGNAL);
                }
            }
        if (t >= next_line) {
            for (int i = 1; i < n; i += 2)
                if (fd[i] >= 0)
                    send(fd[i], "X-Slow: 1\r\n", 11, MSG_NOSIGNAL);
            next_line = t + 2;
        }
        if (t >= next_probe) {
            double l = probe();
            probes++;
            if (l < 0)
                failed++;
            else {
                lat[probes - failed - 1] = l;
                within += l < 1.0;
            }
            next_probe = now_s() + 0.25;
        }
        for (int i = 0; i < n; i++)
            pf[i] = (struct pollfd){.fd = fd[i], .events = POLLIN};
        poll(pf, (nfds_t)n, 50);
        for (int i = 0; i < n; i++)
            if (fd[i] >= 0 && (pf[i].revents & (POLLIN | POLLHUP | POLLERR))) {
                char b[512];
                if (recv(fd[i], b, sizeof b, MSG_DONTWAIT) <= 0) {
                    close(fd[i]);
                    fd[i] = -1;
                    closed_by_server++;
                }
            }
    }
    int held = 0;
    for (int i = 0; i < n; i++)
        if (fd[i] >= 0) {
            held++;
            close(fd[i]);
        }
    int ok = probes - failed;
    qsort(lat, (size_t)ok, sizeof *lat, cmp_double);
    printf("hostile: %d sockets from 127.0.0.1 for %d s (%ld connections opened, %ld closed by the server, %d open "
           "at the end)\n",
           n, seconds, opened, closed_by_server, held);
    printf("healthz from 127.0.0.2: %d probes, %d answered within 1 s, %d failed; latency median %.1f ms, "
           "p99 %.1f ms, max %.1f ms\n",
           probes, within, failed, ok ? lat[ok / 2] * 1e3 : -1, ok ? lat[(size_t)(ok * 0.99)] * 1e3 : -1,
           ok ? lat[ok - 1] * 1e3 : -1);
    free(fd);
    free(retry_at);
    free(lat);
    free(pf);
    return within == probes ? 0 : 1;
}

static bool alive(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    bool zombie = fgets(line, sizeof line, f) && strstr(line, ") Z ");
    fclose(f);
    return !zombie;
}

static int shutdown_time(int n, pid_t pid)
{
    int held = 0;
    for (int i = 0; i < n; i++) {
        char src[32];
        snprintf(src, sizeof src, "127.0.0.%d", 2 + i % 8);
        held += connect_from(src) >= 0;
    }
    sleep(1);
    double t0 = now_s();
    kill(pid, SIGTERM);
    while (alive(pid) && now_s() - t0 < 60)
        usleep(10 * 1000);
    double took = now_s() - t0;
    printf("shutdown: SIGTERM with %d idle connections open (of %d tried), the server exited after %.2f s\n", held, n,
           took);
    return held == n && took < 2 ? 0 : 1;
}

int main(int argc, char **argv)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    signal(SIGPIPE, SIG_IGN);
    if (argc == 5 && strcmp(argv[1], "hostile") == 0) {
        port = (unsigned)atoi(argv[2]);
        return hostile(atoi(argv[3]), atoi(argv[4]));
    }
    if (argc == 5 && strcmp(argv[1], "shutdown") == 0) {
        port = (unsigned)atoi(argv[2]);
        return shutdown_time(atoi(argv[3]), (pid_t)atoi(argv[4]));
    }
    fprintf(stderr, "usage: stress-connections hostile PORT N SECONDS | shutdown PORT N PID\n");
    return 2;
}
