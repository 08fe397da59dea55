/* Shared helpers of the WASI test programs: errno names, result lines. */
#ifndef EPSILON_WASI_COMMON_H
#define EPSILON_WASI_COMMON_H

#include <errno.h>
#include <stdio.h>

/* The name of an errno value, for output that tests compare exactly. */
static inline const char *errname(int e) {
    switch (e) {
    case 0: return "OK";
    case EACCES: return "EACCES";
    case EBADF: return "EBADF";
    case EEXIST: return "EEXIST";
    case EFAULT: return "EFAULT";
    case EILSEQ: return "EILSEQ";
    case EINVAL: return "EINVAL";
    case EISDIR: return "EISDIR";
    case ELOOP: return "ELOOP";
    case ENOENT: return "ENOENT";
    case ENOSYS: return "ENOSYS";
    case ENOTCAPABLE: return "ENOTCAPABLE";
    case ENOTDIR: return "ENOTDIR";
    case ENOTEMPTY: return "ENOTEMPTY";
    case EPERM: return "EPERM";
    case EROFS: return "EROFS";
    case ESPIPE: return "ESPIPE";
    default: return "E?";
    }
}

/* Prints "<what>: OK" if rc >= 0, else "<what>: <ERRNO>". */
static inline void report(const char *what, int rc) {
    printf("%s: %s\n", what, rc >= 0 ? "OK" : errname(errno));
}

#endif
