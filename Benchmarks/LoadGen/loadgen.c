// loadgen: an open-loop HTTP/1.1 load generator for `scripts/bench serve` (issue 10).
//
// Debian's wrk has no fixed-rate mode (wrk2's --rate); pacing wrk with its Lua delay() hook
// fires requests on a 1 ms timer wheel, so a 10,000 requests/s "rate" arrives as bursts of ten
// every millisecond and the server's latency is measured through that burst. This sends
// requests at scheduled instants (Poisson arrivals by default, or evenly spaced with -e) with
// nanosecond timers, over C keep-alive connections, and measures each latency from the request's
// *scheduled* time, not from when a connection was free to send it: a stalled server is charged
// for the requests that queued behind the stall (no coordinated omission).
//
//   loadgen -p PORT -u PATH -b BODY_FILE -r RATE -d SECONDS [-c CONNECTIONS] [-w WARMUP_SECONDS]
//           [-H HOST] [-e] [-s SEED]
//
// Prints a summary and a last line "RESULT rate p50_ms p99_ms errors unfinished" (rate = answers
// per second over the measured window; errors = non-2xx answers and broken connections;
// unfinished = requests without an answer 2 s after the end). Single-threaded: one epoll loop.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    int fd;
    int busy;
    uint64_t scheduled;  // when the request in flight was due (ns)
    char buffer[16384];
    size_t filled;
} Connection;

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static void die(const char *what) {
    perror(what);
    exit(2);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static double uniform01(void) {  // xorshift64*, (0, 1]
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return ((rng_state * 2685821657736338717ull) >> 11) * (1.0 / 9007199254740992.0) + (1.0 / 9007199254740992.0);
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int connect_to(const char *host, int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &address.sin_addr) != 1) { fprintf(stderr, "loadgen: bad IPv4 host %s\n", host); exit(2); }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&address, sizeof address) < 0) die("connect");
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

// A complete answer in c->buffer: its length, or 0 if more bytes are needed; *status is set.
static size_t complete_answer(Connection *c, int *status) {
    c->buffer[c->filled < sizeof c->buffer ? c->filled : sizeof c->buffer - 1] = 0;
    char *end = memmem(c->buffer, c->filled, "\r\n\r\n", 4);
    if (!end) return 0;
    size_t header = (size_t)(end - c->buffer) + 4;
    *status = (c->filled > 12 && strncmp(c->buffer, "HTTP/1.", 7) == 0) ? atoi(c->buffer + 9) : 0;
    size_t body = 0;
    for (char *line = c->buffer; line && line < end; line = strstr(line, "\r\n")) {
        if (line[0] == '\r') line += 2;
        if (strncasecmp(line, "content-length:", 15) == 0) { body = strtoul(line + 15, NULL, 10); break; }
    }
    return c->filled >= header + body ? header + body : 0;
}

int main(int argc, char **argv) {
    const char *host = "127.0.0.1", *path = NULL, *body_file = NULL;
    int port = 0, connections = 32, even = 0;
    double rate = 0, seconds = 0, warmup = 1;
    int option;
    while ((option = getopt(argc, argv, "H:p:u:b:r:d:c:w:es:")) != -1) {
        switch (option) {
        case 'H': host = optarg; break;
        case 'p': port = atoi(optarg); break;
        case 'u': path = optarg; break;
        case 'b': body_file = optarg; break;
        case 'r': rate = atof(optarg); break;
        case 'd': seconds = atof(optarg); break;
        case 'c': connections = atoi(optarg); break;
        case 'w': warmup = atof(optarg); break;
        case 'e': even = 1; break;
        case 's': rng_state = strtoull(optarg, NULL, 10) * 0x9E3779B97F4A7C15ull | 1; break;
        default: fprintf(stderr, "usage: see the comment at the top of loadgen.c\n"); return 2;
        }
    }
    if (!path || !body_file || port <= 0 || rate <= 0 || seconds <= 0 || connections <= 0 || warmup < 0) {
        fprintf(stderr, "loadgen: need -p PORT -u PATH -b BODY_FILE -r RATE -d SECONDS (positive)\n");
        return 2;
    }

    FILE *f = fopen(body_file, "rb");
    if (!f) die(body_file);
    static char body[1 << 20];
    size_t body_length = fread(body, 1, sizeof body, f);
    fclose(f);
    size_t request_capacity = body_length + 1024;
    char *request = malloc(request_capacity);
    int header_length = snprintf(request, request_capacity,
                                 "POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                                 path, host, port, body_length);
    memcpy(request + header_length, body, body_length);
    size_t request_length = (size_t)header_length + body_length;

    int epoll = epoll_create1(0);
    Connection *pool = calloc((size_t)connections, sizeof *pool);
    int *idle = malloc(sizeof(int) * (size_t)connections), idle_count = 0;
    for (int i = 0; i < connections; i++) {
        pool[i].fd = connect_to(host, port);
        struct epoll_event event = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        if (epoll_ctl(epoll, EPOLL_CTL_ADD, pool[i].fd, &event) < 0) die("epoll_ctl");
        idle[idle_count++] = i;
    }

    size_t capacity = (size_t)(rate * (seconds + warmup) * 1.5) + 1024;
    uint64_t *latencies = malloc(capacity * sizeof *latencies);
    uint64_t *queue = malloc(capacity * sizeof *queue);  // due, not yet sent (no connection free)
    size_t measured = 0, queue_head = 0, queue_tail = 0;
    long errors = 0, answered = 0;

    uint64_t start = now_ns();
    uint64_t measure_from = start + (uint64_t)(warmup * 1e9);
    uint64_t stop = measure_from + (uint64_t)(seconds * 1e9);
    uint64_t drain_until = stop + 2000000000ull;
    double mean_gap = 1e9 / rate;
    uint64_t next = start;
    int in_flight = 0;
    struct epoll_event events[64];

    for (;;) {
        uint64_t now = now_ns();
        while (next <= now && next < stop) {
            if (queue_tail < capacity) queue[queue_tail++] = next;
            next += (uint64_t)(even ? mean_gap : -log(uniform01()) * mean_gap);
        }
        while (queue_head < queue_tail && idle_count > 0) {
            Connection *c = &pool[idle[--idle_count]];
            c->scheduled = queue[queue_head++];
            c->busy = 1;
            c->filled = 0;
            size_t sent = 0;
            while (sent < request_length) {
                ssize_t n = write(c->fd, request + sent, request_length - sent);
                if (n > 0) sent += (size_t)n;
                else if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
                else die("write");
            }
            in_flight++;
        }
        if (now >= stop && (in_flight == 0 || now >= drain_until)) break;

        uint64_t wake = next < stop ? next : drain_until;
        struct timespec timeout = {0, 0};
        if (wake > now) {  // nothing due can be sent now: wait for an answer or the next arrival
            uint64_t wait = wake - now;
            timeout.tv_sec = (time_t)(wait / 1000000000ull);
            timeout.tv_nsec = (long)(wait % 1000000000ull);
        }
        int ready = epoll_pwait2(epoll, events, 64, &timeout, NULL);
        if (ready < 0) {
            if (errno == EINTR) continue;
            die("epoll_pwait2");
        }
        for (int e = 0; e < ready; e++) {
            Connection *c = &pool[events[e].data.u32];
            for (;;) {
                if (c->filled >= sizeof c->buffer - 1) { fprintf(stderr, "loadgen: answer over %zu bytes\n", sizeof c->buffer); exit(2); }
                ssize_t n = read(c->fd, c->buffer + c->filled, sizeof c->buffer - 1 - c->filled);
                if (n > 0) { c->filled += (size_t)n; continue; }
                if (n < 0 && errno == EINTR) continue;
                if (n < 0 && errno == EAGAIN) break;
                fprintf(stderr, "loadgen: connection closed by the server\n");
                exit(1);
            }
            int status = 0;
            if (!c->busy || complete_answer(c, &status) == 0) continue;
            uint64_t done = now_ns();
            c->busy = 0;
            in_flight--;
            idle[idle_count++] = (int)(c - pool);
            if (c->scheduled >= measure_from && c->scheduled < stop) {
                answered++;
                if (status < 200 || status > 299) errors++;
                latencies[measured++] = done - c->scheduled;
            }
        }
    }

    long unfinished = in_flight + (long)(queue_tail - queue_head);
    if (measured == 0) { fprintf(stderr, "loadgen: no answers\n"); return 1; }
    qsort(latencies, measured, sizeof *latencies, cmp_u64);
#define PCT(p) (latencies[(size_t)((p) / 100.0 * (double)(measured - 1) + 0.5)] / 1e6)
    double achieved = (double)answered / seconds;
    printf("%s arrivals at %.0f/s over %d connections for %.1f s (after %.1f s warm-up)\n",
           even ? "evenly spaced" : "Poisson", rate, connections, seconds, warmup);
    printf("answered %ld (%.0f/s), errors %ld, unfinished %ld\n", answered, achieved, errors, unfinished);
    printf("latency ms from the scheduled time: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f\n",
           PCT(50), PCT(90), PCT(99), PCT(99.9), latencies[measured - 1] / 1e6);
    printf("RESULT %f %f %f %ld %ld\n", achieved, PCT(50), PCT(99), errors, unfinished);
    return 0;
}
