/* clock: clocks, sleeping (poll_oneoff), randomness and sched_yield. */
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>
#include "common.h"

static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

int main(void) {
    struct timespec rt, m0, m1, res;
    clock_gettime(CLOCK_REALTIME, &rt);
    printf("realtime after 2020: %d\n", rt.tv_sec > 1577836800);
    clock_getres(CLOCK_MONOTONIC, &res);
    printf("monotonic resolution positive: %d\n", ns(res) > 0);

    clock_gettime(CLOCK_MONOTONIC, &m0);
    struct timespec nap = {0, 20 * 1000 * 1000};
    report("nanosleep 20ms", nanosleep(&nap, NULL));
    clock_gettime(CLOCK_MONOTONIC, &m1);
    printf("slept at least 20ms: %d\n", ns(m1) - ns(m0) >= 20000000LL);

    /* A relative clock subscription and a write subscription on stdout: stdout is ready. */
    __wasi_subscription_t subs[2];
    memset(subs, 0, sizeof subs);
    subs[0].userdata = 1;
    subs[0].u.tag = __WASI_EVENTTYPE_CLOCK;
    subs[0].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    subs[0].u.u.clock.timeout = 5000000000ULL;
    subs[1].userdata = 2;
    subs[1].u.tag = __WASI_EVENTTYPE_FD_WRITE;
    subs[1].u.u.fd_write.file_descriptor = 1;
    __wasi_event_t events[2];
    __wasi_size_t nevents = 0;
    __wasi_errno_t e = __wasi_poll_oneoff(subs, events, 2, &nevents);
    printf("poll stdout: %s, %d event(s), userdata %d, type %d\n", errname(e), (int)nevents,
           (int)events[0].userdata, (int)events[0].type);

    /* An absolute deadline 10ms from now. */
    __wasi_timestamp_t now;
    if (__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &now) != 0) return 1;
    subs[0].u.u.clock.timeout = now + 10000000ULL;
    subs[0].u.u.clock.flags = __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME;
    e = __wasi_poll_oneoff(subs, events, 1, &nevents);
    __wasi_timestamp_t after;
    if (__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &after) != 0) return 1;
    printf("poll absolute: %s, %d event(s), waited: %d\n", errname(e), (int)nevents, after >= now + 10000000ULL);
    e = __wasi_poll_oneoff(subs, events, 0, &nevents);
    printf("poll nothing: %s\n", errname(e));

    unsigned char a[32] = {0}, b[32] = {0};
    report("getentropy", getentropy(a, sizeof a));
    getentropy(b, sizeof b);
    int zero = 1;
    for (int i = 0; i < 32; i++) zero &= a[i] == 0;
    printf("random nonzero: %d, differs: %d\n", !zero, memcmp(a, b, sizeof a) != 0);

    report("sched_yield", sched_yield());
    __wasi_timestamp_t t;
    printf("clock 99: %s\n", errname(__wasi_clock_time_get(99, 1, &t)));
    return 0;
}
