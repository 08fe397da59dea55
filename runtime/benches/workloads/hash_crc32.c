// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), table-driven: a 256-entry table built
// at the start, then one table lookup per byte over a 32 KiB buffer whose bytes change every
// repetition. Exports `run(reps) -> checksum` (the CRCs folded together).
typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long long u64;

#define LEN 32768
static u8 buf[LEN];
static u32 table[256];

static void make_table(void) {
    for (u32 n = 0; n < 256; n++) {
        u32 c = n;
        for (int k = 0; k < 8; k++) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        table[n] = c;
    }
}

static u32 crc32(const u8 *p, u32 len) {
    u32 c = 0xffffffffu;
    for (u32 i = 0; i < len; i++) c = table[(c ^ p[i]) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

long long run(int reps) {
    make_table();
    for (u32 i = 0; i < LEN; i++) buf[i] = (u8)(i * 131u + (i >> 8));
    u64 check = 0;
    for (int r = 0; r < reps; r++) {
        u32 c = crc32(buf, LEN - (u32)(r & 255));
        check = (check << 9 | check >> 55) ^ c;
        buf[c % LEN] ^= (u8)(c >> 24) | 1;
    }
    return (long long)check;
}
