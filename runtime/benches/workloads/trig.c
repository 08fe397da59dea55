// f64 math without libm: sin, cos and exp written here with range reduction and polynomial
// (Taylor) approximations, evaluated over a sweep of arguments together with f64.sqrt.
// Exports `run(points_in_thousands) -> checksum`.
typedef unsigned long long u64;

static const double PIO2_HI = 1.57079632673412561417e+00; // pi/2 split in two for an exact
static const double PIO2_LO = 6.07710050650619224932e-11; // Cody-Waite reduction
static const double TWO_OVER_PI = 6.36619772367581382433e-01;
static const double LN2_HI = 6.93147180369123816490e-01;
static const double LN2_LO = 1.90821492927058770002e-10;
static const double INV_LN2 = 1.44269504088896338700e+00;

/// Rounds to the nearest integer (halves away from zero).
static long long round_to_int(double x) { return (long long)(x >= 0 ? x + 0.5 : x - 0.5); }

/// sin(r) for |r| <= pi/4.
static double sin_kernel(double r) {
    double r2 = r * r;
    return r * (1 + r2 * (-1.0 / 6 + r2 * (1.0 / 120 + r2 * (-1.0 / 5040 + r2 * (1.0 / 362880 + r2 * (-1.0 / 39916800 + r2 * (1.0 / 6227020800.0)))))));
}

/// cos(r) for |r| <= pi/4.
static double cos_kernel(double r) {
    double r2 = r * r;
    return 1 + r2 * (-0.5 + r2 * (1.0 / 24 + r2 * (-1.0 / 720 + r2 * (1.0 / 40320 + r2 * (-1.0 / 3628800 + r2 * (1.0 / 479001600 + r2 * (-1.0 / 87178291200.0)))))));
}

/// Reduces x to r in [-pi/4, pi/4] with x = q * pi/2 + r; returns q mod 4.
static int reduce(double x, double *r) {
    long long q = round_to_int(x * TWO_OVER_PI);
    *r = (x - (double)q * PIO2_HI) - (double)q * PIO2_LO;
    return (int)(q & 3);
}

static double my_sin(double x) {
    double r;
    switch (reduce(x, &r)) {
    case 0: return sin_kernel(r);
    case 1: return cos_kernel(r);
    case 2: return -sin_kernel(r);
    default: return -cos_kernel(r);
    }
}

static double my_cos(double x) {
    double r;
    switch (reduce(x, &r)) {
    case 0: return cos_kernel(r);
    case 1: return -sin_kernel(r);
    case 2: return -cos_kernel(r);
    default: return sin_kernel(r);
    }
}

/// 2^k for -1022 <= k <= 1023, built from the exponent bits.
static double pow2i(long long k) {
    union { u64 bits; double d; } u;
    u.bits = (u64)(k + 1023) << 52;
    return u.d;
}

static double my_exp(double x) {
    if (x > 709.0) x = 709.0;
    if (x < -708.0) return 0.0;
    long long k = round_to_int(x * INV_LN2);
    double r = (x - (double)k * LN2_HI) - (double)k * LN2_LO; // |r| <= ln2 / 2
    double p = 1;
    for (int n = 13; n >= 1; n--) p = 1 + p * r / n; // Horner form of the Taylor series
    return p * pow2i(k);
}

long long run(int thousands) {
    double sum = 0.0;
    int points = thousands * 1000;
    for (int i = 0; i < points; i++) {
        double x = (double)i * 0.00731 - 40.0;
        double s = my_sin(x), c = my_cos(0.5 * x);
        sum += s * c + my_exp(-1e-3 * x * x) + __builtin_sqrt(s * s + c * c + 1.0);
    }
    return round_to_int(sum * 1e6);
}
