// FNV-1a hashing, byte at a time: the 64-bit hash of a 32 KiB buffer, then the 32-bit hash of
// each of its 16-byte records (as a hash table would hash short keys). One buffer byte changes
// every repetition. Exports `run(reps) -> checksum`.
typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long long u64;

#define LEN 32768
#define RECORD 16
static u8 buf[LEN];

static u64 fnv1a64(const u8 *p, u32 len) {
    u64 h = 0xcbf29ce484222325ull;
    for (u32 i = 0; i < len; i++) h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static u32 fnv1a32(const u8 *p, u32 len) {
    u32 h = 0x811c9dc5u;
    for (u32 i = 0; i < len; i++) h = (h ^ p[i]) * 0x01000193u;
    return h;
}

long long run(int reps) {
    u32 x = 0x2545f491u;
    for (u32 i = 0; i < LEN; i++) {
        x = x * 1664525u + 1013904223u; // LCG
        buf[i] = (u8)(x >> 24);
    }
    u64 check = 0;
    for (int r = 0; r < reps; r++) {
        buf[(u32)r * 7919u % LEN] ^= (u8)(r | 1);
        check = (check << 7 | check >> 57) ^ fnv1a64(buf, LEN);
        u32 records = 0;
        for (u32 i = 0; i < LEN; i += RECORD) records += fnv1a32(buf + i, RECORD) >> 20;
        check += records;
    }
    return (long long)check;
}
