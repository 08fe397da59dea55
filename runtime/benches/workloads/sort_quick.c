// Quicksort (Hoare partition, median-of-three pivot, insertion sort for short ranges) of
// 20,000 pseudo-random 32-bit keys, `reps` times with a different seed each time.
// Exports `run(reps) -> checksum` (a position-weighted sum of the sorted keys).
#define N 20000
static unsigned int keys[N];

static void fill(unsigned int seed) {
    unsigned int x = seed * 2654435761u + 1;
    for (int i = 0; i < N; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5; // xorshift32
        keys[i] = x;
    }
}

static void swap(unsigned int *p, unsigned int *q) {
    unsigned int t = *p;
    *p = *q;
    *q = t;
}

static void insertion_sort(int lo, int hi) {
    for (int i = lo + 1; i <= hi; i++) {
        unsigned int v = keys[i];
        int j = i - 1;
        while (j >= lo && keys[j] > v) {
            keys[j + 1] = keys[j];
            j--;
        }
        keys[j + 1] = v;
    }
}

static void quicksort(int lo, int hi) {
    while (hi - lo > 16) {
        int mid = lo + (hi - lo) / 2;
        if (keys[mid] < keys[lo]) swap(&keys[mid], &keys[lo]);
        if (keys[hi] < keys[lo]) swap(&keys[hi], &keys[lo]);
        if (keys[hi] < keys[mid]) swap(&keys[hi], &keys[mid]);
        unsigned int pivot = keys[mid];
        int i = lo - 1, j = hi + 1;
        for (;;) {
            do i++; while (keys[i] < pivot);
            do j--; while (keys[j] > pivot);
            if (i >= j) break;
            swap(&keys[i], &keys[j]);
        }
        // Recurse into the smaller half, loop on the larger: depth stays logarithmic.
        if (j - lo < hi - j) {
            quicksort(lo, j);
            lo = j + 1;
        } else {
            quicksort(j + 1, hi);
            hi = j;
        }
    }
    insertion_sort(lo, hi);
}

long long run(int reps) {
    unsigned long long check = 0;
    for (int r = 0; r < reps; r++) {
        fill((unsigned int)r);
        quicksort(0, N - 1);
        for (int i = 1; i < N; i++)
            if (keys[i - 1] > keys[i]) return -1; // not sorted: a wrong result, not a checksum
        for (int i = 0; i < N; i += 97) check += (unsigned long long)keys[i] * (unsigned long long)(i + 1);
    }
    return (long long)check;
}
