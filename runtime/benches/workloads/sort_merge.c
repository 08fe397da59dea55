// Top-down merge sort with a scratch buffer of 20,000 pseudo-random 32-bit keys, `reps` times
// with a different seed each time. Exports `run(reps) -> checksum`.
#define N 20000
static unsigned int keys[N], scratch[N];

static void fill(unsigned int seed) {
    unsigned int x = seed * 2246822519u + 3;
    for (int i = 0; i < N; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5; // xorshift32
        keys[i] = x;
    }
}

/// Merges the sorted runs keys[lo..mid) and keys[mid..hi) through the scratch buffer.
static void merge(int lo, int mid, int hi) {
    int i = lo, j = mid, k = lo;
    while (i < mid && j < hi) scratch[k++] = keys[i] <= keys[j] ? keys[i++] : keys[j++];
    while (i < mid) scratch[k++] = keys[i++];
    while (j < hi) scratch[k++] = keys[j++];
    for (k = lo; k < hi; k++) keys[k] = scratch[k];
}

static void merge_sort(int lo, int hi) {
    if (hi - lo < 2) return;
    int mid = lo + (hi - lo) / 2;
    merge_sort(lo, mid);
    merge_sort(mid, hi);
    if (keys[mid - 1] > keys[mid]) merge(lo, mid, hi);
}

long long run(int reps) {
    unsigned long long check = 0;
    for (int r = 0; r < reps; r++) {
        fill((unsigned int)r);
        merge_sort(0, N);
        for (int i = 1; i < N; i++)
            if (keys[i - 1] > keys[i]) return -1; // not sorted: a wrong result, not a checksum
        for (int i = 0; i < N; i += 89) check += (unsigned long long)keys[i] * (unsigned long long)(i + 3);
    }
    return (long long)check;
}
