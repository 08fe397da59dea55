/* copy SRC DST: copies a file with stdio; prints the number of bytes copied. */
#include <stdio.h>
#include "common.h"

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: copy SRC DST\n"); return 2; }
    FILE *in = fopen(argv[1], "rb");
    if (!in) { printf("open %s: %s\n", argv[1], errname(errno)); return 1; }
    FILE *out = fopen(argv[2], "wb");
    if (!out) { printf("create %s: %s\n", argv[2], errname(errno)); return 1; }
    char buf[1000]; /* not a power of two: exercises partial blocks */
    size_t n, total = 0;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
        if (fwrite(buf, 1, n, out) != n) { printf("write: %s\n", errname(errno)); return 1; }
        total += n;
    }
    if (fclose(out) != 0 || fclose(in) != 0) { printf("close: %s\n", errname(errno)); return 1; }
    printf("copied %zu bytes\n", total);
    return 0;
}
