// Indirect calls through the function table: C function pointers become call_indirect.
// A table of small operations is dispatched by a data-dependent index, and a tiny "virtual
// method" interface (a struct of function pointers per shape) is called in a loop.
// Exports `run(iterations) -> checksum`.
typedef unsigned int u32;
typedef u32 (*binop)(u32, u32);

static u32 op_add(u32 a, u32 b) { return a + b; }
static u32 op_sub(u32 a, u32 b) { return a - b; }
static u32 op_xor(u32 a, u32 b) { return a ^ b; }
static u32 op_mul(u32 a, u32 b) { return a * (b | 1); }
static u32 op_rotl(u32 a, u32 b) { return (a << (b & 31)) | (a >> ((32 - (b & 31)) & 31)); }
static u32 op_min(u32 a, u32 b) { return a < b ? a : b; }
static u32 op_max(u32 a, u32 b) { return a > b ? a : b; }
static u32 op_avg(u32 a, u32 b) { return (a >> 1) + (b >> 1) + (a & b & 1); }

static binop ops[8] = {op_add, op_sub, op_xor, op_mul, op_rotl, op_min, op_max, op_avg};

/// A "class" with two virtual methods.
struct shape_vtable {
    int (*area)(int w, int h);
    int (*perimeter)(int w, int h);
};
static int rect_area(int w, int h) { return w * h; }
static int rect_perimeter(int w, int h) { return 2 * (w + h); }
static int tri_area(int w, int h) { return w * h / 2; }
static int tri_perimeter(int w, int h) { return w + h + (w > h ? w : h); }
static const struct shape_vtable shapes[2] = {{rect_area, rect_perimeter}, {tri_area, tri_perimeter}};

long long run(int iterations) {
    u32 acc = 12345;
    long long geometry = 0;
    for (int i = 0; i < iterations; i++) {
        acc = ops[(acc ^ (u32)i) & 7](acc, (u32)i * 2654435761u);
        const struct shape_vtable *s = &shapes[acc >> 31];
        geometry += s->area(i & 255, (int)(acc & 127)) - s->perimeter((int)(acc & 63), i & 31);
    }
    return (long long)acc ^ geometry;
}
