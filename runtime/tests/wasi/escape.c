/* escape: tries to leave the preopen /sandbox in every way we know; each attempt must fail.
   The host test puts a file secret.txt next to the sandbox directory and symbolic links in
   it: etc -> /etc, up -> .., inside -> sub. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>
#include "common.h"

/* path_open straight on descriptor 3 (the preopen), bypassing libc's path handling. */
static void raw_open(const char *what, const char *path, __wasi_lookupflags_t lookup) {
    __wasi_fd_t fd;
    __wasi_errno_t e = __wasi_path_open(3, lookup, path, 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd);
    printf("%s: %s\n", what, errname(e));
    if (e == 0) close((int)fd);
}

int main(void) {
    char name[64] = {0};
    __wasi_prestat_t pre;
    if (__wasi_fd_prestat_get(3, &pre) != 0 || pre.u.dir.pr_name_len >= sizeof name ||
        __wasi_fd_prestat_dir_name(3, (uint8_t *)name, pre.u.dir.pr_name_len) != 0) {
        return 1;
    }
    printf("fd 3 is %s\n", name);

    /* Through libc, as a program would. */
    report("open ../secret.txt", open("/sandbox/../secret.txt", O_RDONLY));
    report("open /etc/passwd", open("/etc/passwd", O_RDONLY));
    report("open etc/passwd (link to /etc)", open("/sandbox/etc/passwd", O_RDONLY));
    report("open up/secret.txt (link to ..)", open("/sandbox/up/secret.txt", O_RDONLY));
    struct stat st;
    report("stat etc (the link itself)", lstat("/sandbox/etc", &st));
    report("stat etc (followed)", stat("/sandbox/etc", &st));
    report("mkdir ../evil", mkdir("/sandbox/../evil", 0755));
    report("open inside/ok.txt (link inside)", open("/sandbox/inside/ok.txt", O_RDONLY));
    report("open sub/../sub/ok.txt", open("/sandbox/sub/../sub/ok.txt", O_RDONLY));

    /* Straight at the host functions. */
    raw_open("raw ../secret.txt", "../secret.txt", __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW);
    raw_open("raw sub/../../secret.txt", "sub/../../secret.txt", __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW);
    raw_open("raw /etc/passwd", "/etc/passwd", __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW);
    raw_open("raw etc/passwd", "etc/passwd", 0);
    raw_open("raw etc (follow)", "etc", __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW);
    raw_open("raw etc (nofollow)", "etc", 0);
    raw_open("raw sub/ok.txt", "sub/ok.txt", 0);
    __wasi_errno_t e = __wasi_path_symlink("/etc", 3, "evil");
    printf("raw symlink /etc: %s\n", errname(e));
    e = __wasi_path_rename(3, "sub/ok.txt", 3, "../stolen.txt");
    printf("raw rename out: %s\n", errname(e));
    e = __wasi_path_open(99, 0, "x", 0, 0, 0, 0, &(__wasi_fd_t){0});
    printf("raw open on a bad fd: %s\n", errname(e));
    return 0;
}
