/* Hello world: one line on standard output, one on standard error. */
#include <stdio.h>

int main(void) {
    printf("Hello, WASI!\n");
    fprintf(stderr, "this goes to stderr\n");
    return 0;
}
