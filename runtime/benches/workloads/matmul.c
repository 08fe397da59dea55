// Dense f64 matrix multiply (64 x 64, i-k-j loop order) repeated; each round feeds a little of
// the result back into the input so that no round can be skipped. Exports `run(reps) -> checksum`.
#define N 64
static double a[N * N], b[N * N], c[N * N];

static void init(void) {
    for (int i = 0; i < N * N; i++) {
        a[i] = (double)(i % 7) * 0.5 - 1.0;
        b[i] = (double)(i % 11) * 0.25 - 1.25;
    }
}

static void multiply(void) {
    for (int i = 0; i < N * N; i++) c[i] = 0.0;
    for (int i = 0; i < N; i++)
        for (int k = 0; k < N; k++) {
            double aik = a[i * N + k];
            for (int j = 0; j < N; j++) c[i * N + j] += aik * b[k * N + j];
        }
}

long long run(int reps) {
    init();
    double check = 0.0;
    for (int r = 0; r < reps; r++) {
        multiply();
        double trace = 0.0;
        for (int i = 0; i < N; i++) trace += c[i * N + i];
        check += trace;
        a[r % (N * N)] += trace * 1e-6; // feedback: the next round depends on this one
    }
    return (long long)(check * 1000.0);
}
