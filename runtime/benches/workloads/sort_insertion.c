// Insertion sort of 1,500 pseudo-random signed 32-bit keys, `reps` times with a different
// seed each time: a data-dependent inner loop of compares and one-slot moves in memory.
// Exports `run(reps) -> checksum` (a position-weighted sum of the sorted keys).
#define N 1500
static int keys[N];

long long run(int reps) {
    unsigned long long check = 0;
    for (int r = 0; r < reps; r++) {
        unsigned int x = (unsigned int)r * 2246822519u + 1;
        for (int i = 0; i < N; i++) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5; // xorshift32
            keys[i] = (int)x;
        }
        for (int i = 1; i < N; i++) {
            int v = keys[i];
            int j = i - 1;
            while (j >= 0 && keys[j] > v) {
                keys[j + 1] = keys[j];
                j--;
            }
            keys[j + 1] = v;
        }
        for (int i = 1; i < N; i++)
            if (keys[i - 1] > keys[i]) return -1; // not sorted: a wrong result, not a checksum
        for (int i = 0; i < N; i += 7) check += (unsigned long long)(long long)keys[i] * (unsigned long long)(i + 1);
    }
    return (long long)check;
}
