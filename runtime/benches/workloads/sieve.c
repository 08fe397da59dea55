// Sieve of Eratosthenes over a byte array in memory: marks the composites below a limit
// that changes every repetition, then counts and sums the primes.
// Exports `run(reps) -> checksum` (prime counts and sums folded together).
#define LIMIT 400000
static unsigned char composite[LIMIT];

long long run(int reps) {
    unsigned long long check = 0;
    for (int r = 0; r < reps; r++) {
        int n = LIMIT - (r & 1023);
        for (int i = 0; i < n; i++) composite[i] = 0;
        for (int i = 2; i * i < n; i++)
            if (!composite[i])
                for (int j = i * i; j < n; j += i) composite[j] = 1;
        unsigned long long count = 0, sum = 0;
        for (int i = 2; i < n; i++)
            if (!composite[i]) count++, sum += (unsigned long long)i;
        check = (check << 5 | check >> 59) ^ (count * 1000003u + sum);
    }
    return (long long)check;
}
