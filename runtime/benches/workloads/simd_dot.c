// SIMD kernel: dot products of f32 vectors with wasm_simd128 intrinsics, plus an i16
// image-style kernel (saturating blend). Exports `run(reps) -> checksum`.
#include <wasm_simd128.h>

#define N 4096
static float a[N], b[N];
static short img1[N], img2[N], out[N];

static void init(void) {
    for (int i = 0; i < N; i++) {
        a[i] = (float)(i % 17) * 0.25f;
        b[i] = (float)(i % 13) * 0.5f;
        img1[i] = (short)((i * 37) & 0x7fff);
        img2[i] = (short)((i * 91) & 0x7fff);
    }
}

static float dot(void) {
    v128_t acc = wasm_f32x4_splat(0.0f);
    for (int i = 0; i < N; i += 4) {
        v128_t x = wasm_v128_load(&a[i]);
        v128_t y = wasm_v128_load(&b[i]);
        acc = wasm_f32x4_add(acc, wasm_f32x4_mul(x, y));
    }
    return wasm_f32x4_extract_lane(acc, 0) + wasm_f32x4_extract_lane(acc, 1) +
           wasm_f32x4_extract_lane(acc, 2) + wasm_f32x4_extract_lane(acc, 3);
}

static int blend(void) {
    v128_t sum = wasm_i32x4_splat(0);
    for (int i = 0; i < N; i += 8) {
        v128_t p = wasm_v128_load(&img1[i]);
        v128_t q = wasm_v128_load(&img2[i]);
        v128_t r = wasm_i16x8_add_sat(wasm_i16x8_shr(p, 1), wasm_i16x8_shr(q, 2));
        wasm_v128_store(&out[i], r);
        sum = wasm_i32x4_add(sum, wasm_i32x4_extadd_pairwise_i16x8(r));
    }
    return wasm_i32x4_extract_lane(sum, 0) ^ wasm_i32x4_extract_lane(sum, 3);
}

long long run(int reps) {
    init();
    long long check = 0;
    for (int r = 0; r < reps; r++) {
        check += (long long)dot();
        check ^= blend();
    }
    return check;
}
