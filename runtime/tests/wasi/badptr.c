/* badptr: hands the host pointers and lengths outside linear memory; every call must fail
   with EFAULT (or EINVAL) and the program must go on running. */
#include <stdint.h>
#include <stdio.h>
#include <wasi/api.h>
#include "common.h"

#define FAR ((void *)0xfffffff0u) /* far beyond the program's memory */

/* path_open itself (libc's wrapper computes the path's length with strlen, which would trap
   in the guest on a bad pointer before reaching the host). */
__attribute__((import_module("wasi_snapshot_preview1"), import_name("path_open")))
int32_t raw_path_open(int32_t fd, int32_t dirflags, int32_t path, int32_t path_len, int32_t oflags,
                      int64_t base, int64_t inheriting, int32_t fdflags, int32_t out);

int main(void) {
    __wasi_ciovec_t iov = {(const uint8_t *)"x\n", 2};
    __wasi_ciovec_t far_iov = {FAR, 100};
    __wasi_size_t n = 0;
    printf("fd_write iovec array out of memory: %s\n", errname(__wasi_fd_write(1, FAR, 1, &n)));
    printf("fd_write buffer out of memory: %s\n", errname(__wasi_fd_write(1, &far_iov, 1, &n)));
    printf("fd_write result out of memory: %s\n", errname(__wasi_fd_write(1, &iov, 1, FAR)));
    printf("fd_read into nowhere: %s\n", errname(__wasi_fd_read(0, (__wasi_iovec_t *)&far_iov, 1, &n)));
    printf("args_sizes_get: %s\n", errname(__wasi_args_sizes_get(FAR, FAR)));
    printf("args_get: %s\n", errname(__wasi_args_get(FAR, FAR)));
    printf("environ_get: %s\n", errname(__wasi_environ_get(FAR, FAR)));
    printf("clock_time_get: %s\n", errname(__wasi_clock_time_get(0, 1, FAR)));
    printf("random_get: %s\n", errname(__wasi_random_get(FAR, 64)));
    printf("fd_prestat_get: %s\n", errname(__wasi_fd_prestat_get(3, FAR)));
    __wasi_fd_t fd;
    printf("path_open path out of memory: %s\n",
           errname(raw_path_open(3, 0, (int32_t)FAR, 100, 0, 0, 0, 0, (int32_t)&fd)));
    printf("path_open path length too long: %s\n",
           errname(raw_path_open(3, 0, (int32_t)".", 0x7fffffff, 0, 0, 0, 0, (int32_t)&fd)));
    printf("path_open path not UTF-8: %s\n",
           errname(raw_path_open(3, 0, (int32_t)"\xff\xfe", 2, 0, 0, 0, 0, (int32_t)&fd)));
    printf("path_open result out of memory: %s\n",
           errname(raw_path_open(3, 0, (int32_t)".", 1, 0, 0, 0, 0, (int32_t)FAR)));
    printf("poll_oneoff: %s\n", errname(__wasi_poll_oneoff(FAR, FAR, 1, &n)));
    printf("fd_readdir: %s\n", errname(__wasi_fd_readdir(3, FAR, 4096, 0, &n)));
    printf("still running\n");
    return 0;
}
