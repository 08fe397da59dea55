// Bulk memory: memset and memcpy with run-time sizes, compiled with -mbulk-memory so that
// they become memory.fill and memory.copy (overlapping copies included, as memmove).
// Exports `run(reps) -> checksum`.
#define BUF (1 << 20)
static unsigned char buf[BUF];

/// Sums a few sampled bytes so that every fill and copy is observable.
static unsigned long long sample(unsigned int seed) {
    unsigned long long s = 0;
    for (unsigned int i = seed % 97; i < BUF; i += 4093) s = s * 31 + buf[i];
    return s;
}

long long run(int reps) {
    unsigned long long check = 0;
    unsigned int x = 2463534242u;
    for (int r = 0; r < reps; r++) {
        __builtin_memset(buf, r & 0xff, BUF);
        for (int k = 0; k < 64; k++) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            unsigned int len = 256 + (x & 0x3fff);        // 256 B .. 16.25 KiB
            unsigned int src = (x >> 7) % (BUF - len);
            unsigned int dst = (x >> 3) % (BUF - len);
            __builtin_memset(buf + src + len / 4, (int)(x >> 24), len / 2);
            __builtin_memmove(buf + dst, buf + src, len);  // may overlap: memory.copy is memmove
            __builtin_memcpy(buf + (BUF - len) - dst % 4096, buf + dst % 65536, len / 4);
        }
        check += sample((unsigned int)r);
    }
    return (long long)check;
}
