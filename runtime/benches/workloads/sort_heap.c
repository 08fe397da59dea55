// Heapsort (bottom-up heap construction, iterative sift-down) of 20,000 pseudo-random signed
// 32-bit keys, `reps` times with a different seed each time.
// Exports `run(reps) -> checksum` (a position-weighted sum of the sorted keys).
#define N 20000
static int keys[N];

/// Moves keys[root] down the max-heap keys[0..end) to its place.
static void sift_down(int root, int end) {
    int v = keys[root];
    for (;;) {
        int child = 2 * root + 1;
        if (child >= end) break;
        if (child + 1 < end && keys[child + 1] > keys[child]) child++;
        if (keys[child] <= v) break;
        keys[root] = keys[child];
        root = child;
    }
    keys[root] = v;
}

long long run(int reps) {
    unsigned long long check = 0;
    for (int r = 0; r < reps; r++) {
        unsigned int x = (unsigned int)r * 3266489917u + 7;
        for (int i = 0; i < N; i++) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5; // xorshift32
            keys[i] = (int)x;
        }
        for (int i = N / 2 - 1; i >= 0; i--) sift_down(i, N);
        for (int end = N - 1; end > 0; end--) {
            int top = keys[0];
            keys[0] = keys[end];
            keys[end] = top;
            sift_down(0, end);
        }
        for (int i = 1; i < N; i++)
            if (keys[i - 1] > keys[i]) return -1; // not sorted: a wrong result, not a checksum
        for (int i = 0; i < N; i += 97) check += (unsigned long long)(long long)keys[i] * (unsigned long long)(i + 1);
    }
    return (long long)check;
}
