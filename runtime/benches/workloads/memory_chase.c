// Memory-latency-bound access patterns over a 4 MiB table: a dependent pointer chase along
// one random cycle (Sattolo's shuffle), then a column-major walk of the same table seen as a
// 1024 x 1024 matrix of u32 (a 4 KiB stride). Exports `run(steps_in_thousands) -> checksum`.
#define WORDS (1 << 20)
#define SIDE 1024
static unsigned int next[WORDS];

/// Links every slot into one cycle visiting all slots in a pseudo-random order.
static void build_cycle(void) {
    for (unsigned int i = 0; i < WORDS; i++) next[i] = i;
    unsigned int x = 0x9e3779b9u;
    for (unsigned int i = WORDS - 1; i > 0; i--) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        unsigned int j = x % i; // j < i: Sattolo's algorithm yields a single cycle
        unsigned int t = next[i];
        next[i] = next[j];
        next[j] = t;
    }
}

long long run(int thousands) {
    build_cycle();
    unsigned long long check = 0;
    unsigned int p = 0;
    for (int k = 0; k < thousands; k++)
        for (int s = 0; s < 1000; s++) {
            p = next[p];
            check += p;
        }
    for (int col = 0; col < SIDE; col++)
        for (int row = 0; row < SIDE; row++) check ^= (unsigned long long)next[row * SIDE + col] << (col & 15);
    return (long long)check;
}
