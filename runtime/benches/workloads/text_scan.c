// Byte-scanning string processing on a generated 32 KiB text: counts words, lines, letters,
// digits and the longest word with a small state machine, then run-length encodes the text
// with its letters folded into runs, decodes it back and checks the round trip. One text byte
// changes every repetition. Exports `run(reps) -> checksum`.
typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long long u64;

#define LEN 32768
static u8 text[LEN];
static u8 folded[LEN];
static u8 encoded[2 * LEN];
static u8 decoded[LEN];

static int is_space(u8 c) { return c == ' ' || c == '\n' || c == '\t'; }

/// Words of 1 to 9 letters (a few with digits), separated by spaces, sometimes by punctuation
/// and a space, lines of about 60 characters.
static void generate(void) {
    u32 x = 0x9e3779b9u, column = 0, i = 0;
    while (i < LEN) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5; // xorshift32
        u32 word = 1 + x % 9;
        for (u32 k = 0; k < word && i < LEN; k++) {
            u32 v = (x >> (k * 3)) & 31;
            text[i++] = v < 26 ? (u8)('a' + v) : (u8)('0' + (v - 26));
        }
        if (i < LEN && (x >> 28) == 0) text[i++] = (x >> 27 & 1) ? ',' : '.';
        column += word + 1;
        if (i < LEN) text[i++] = column > 60 ? '\n' : ' ';
        if (column > 60) column = 0;
    }
}

/// Run-length encodes src[0..len) as (count, byte) pairs, counts up to 255; returns the size.
static u32 rle_encode(const u8 *src, u32 len, u8 *out) {
    u32 o = 0, i = 0;
    while (i < len) {
        u8 b = src[i];
        u32 run = 1;
        while (i + run < len && src[i + run] == b && run < 255) run++;
        out[o++] = (u8)run;
        out[o++] = b;
        i += run;
    }
    return o;
}

static u32 rle_decode(const u8 *src, u32 len, u8 *out) {
    u32 o = 0;
    for (u32 i = 0; i < len; i += 2)
        for (u32 k = 0; k < src[i]; k++) out[o++] = src[i + 1];
    return o;
}

long long run(int reps) {
    generate();
    u64 check = 0;
    for (int r = 0; r < reps; r++) {
        text[(u32)r * 4099u % LEN] = (u8)('a' + r % 26);
        // Counting pass: a state machine over the bytes.
        u32 words = 0, lines = 0, letters = 0, digits = 0, longest = 0, current = 0, in_word = 0;
        for (u32 i = 0; i < LEN; i++) {
            u8 c = text[i];
            if (is_space(c)) {
                if (c == '\n') lines++;
                if (current > longest) longest = current;
                in_word = 0, current = 0;
            } else {
                if (!in_word) words++, in_word = 1;
                if (c >= 'a' && c <= 'z') letters++, current++;
                else if (c >= '0' && c <= '9') digits++, current++;
            }
        }
        // Fold letters into a few classes so that runs form, then encode and decode.
        for (u32 i = 0; i < LEN; i++) {
            u8 c = text[i];
            folded[i] = (c >= 'a' && c <= 'z') ? (u8)('a' + (c - 'a') / 9) : c;
        }
        u32 size = rle_encode(folded, LEN, encoded);
        if (rle_decode(encoded, size, decoded) != LEN) return -1;
        for (u32 i = 0; i < LEN; i++)
            if (decoded[i] != folded[i]) return -1; // a broken round trip, not a checksum
        check = (check << 11 | check >> 53) ^ ((u64)words << 40 | (u64)lines << 28 | (u64)letters << 12);
        check += (u64)digits * 31 + longest + size;
    }
    return (long long)check;
}
