// Iterative integer loops: factorials modulo a prime by repeated 64-bit multiplication and
// remainder, and Collatz step counts (a data-dependent branch in a tight loop).
// Exports `run(reps) -> checksum`.
#define PRIME 1000000007ull

static unsigned long long factorial_mod(int n) {
    unsigned long long f = 1;
    for (int i = 2; i <= n; i++) f = f * (unsigned long long)i % PRIME;
    return f;
}

static int collatz_steps(unsigned long long x) {
    int steps = 0;
    while (x != 1) {
        x = (x & 1) ? 3 * x + 1 : x >> 1;
        steps++;
    }
    return steps;
}

long long run(int reps) {
    unsigned long long acc = 0;
    for (int r = 0; r < reps; r++) {
        acc += factorial_mod(2000 + (r & 255)) ^ (unsigned long long)r;
        for (int k = 1; k <= 64; k++) acc += (unsigned long long)collatz_steps((unsigned long long)(r * 64 + k));
    }
    return (long long)acc;
}
