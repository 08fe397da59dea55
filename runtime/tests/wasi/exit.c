/* Ends in the way argv[1] says: "exit N" calls exit(N), "return N" returns N from main,
   "trap" executes an unreachable instruction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc < 2) return 0;
    int code = argc > 2 ? atoi(argv[2]) : 0;
    printf("ending with %s %d\n", argv[1], code);
    fflush(stdout);
    if (strcmp(argv[1], "exit") == 0) exit(code);
    if (strcmp(argv[1], "trap") == 0) __builtin_trap();
    return code;
}
