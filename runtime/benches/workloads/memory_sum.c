// Memory-bound kernel: fills a 1 MiB buffer and sums it with two access patterns
// (sequential and strided). Exports `run(reps) -> checksum`.
#define WORDS (1 << 18)
static unsigned int buf[WORDS];

long long run(int reps) {
    unsigned long long sum = 0;
    for (int r = 0; r < reps; r++) {
        for (int i = 0; i < WORDS; i++) buf[i] = (unsigned int)(i * 2654435761u) ^ (unsigned int)r;
        for (int i = 0; i < WORDS; i++) sum += buf[i];
        for (int s = 0; s < 16; s++)
            for (int i = s; i < WORDS; i += 16) sum ^= (unsigned long long)buf[i] << (s & 7);
    }
    return (long long)sum;
}
