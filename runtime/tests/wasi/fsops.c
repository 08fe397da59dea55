/* fsops: file-system calls inside the preopens /sandbox (read-write) and /ro (read-only).
   Every step prints one line; the test compares the whole output. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include "common.h"

/* Prints the contents of a (small) file. */
static void show(const char *what, const char *path) {
    char buf[64] = {0};
    int fd = open(path, O_RDONLY);
    if (fd < 0) { printf("%s: %s\n", what, errname(errno)); return; }
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    printf("%s: \"%.*s\"\n", what, (int)(n < 0 ? 0 : n), buf);
}

int main(void) {
    char buf[64];
    struct stat st;

    report("mkdir d", mkdir("/sandbox/d", 0755));
    report("mkdir d again", mkdir("/sandbox/d", 0755));

    int fd = open("/sandbox/d/f.txt", O_CREAT | O_WRONLY | O_TRUNC, 0644);
    report("create f.txt", fd);
    report("write", (int)write(fd, "hello world", 11));
    close(fd);

    fd = open("/sandbox/d/f.txt", O_RDWR);
    printf("seek: %lld\n", (long long)lseek(fd, 6, SEEK_SET));
    ssize_t n = read(fd, buf, 5);
    printf("read: \"%.*s\"\n", (int)n, buf);
    report("pwrite", (int)pwrite(fd, "W", 1, 6));
    n = pread(fd, buf, 5, 6);
    printf("pread: \"%.*s\"\n", (int)n, buf);
    printf("tell: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
    report("ftruncate", ftruncate(fd, 5));
    fstat(fd, &st);
    printf("size after truncate: %lld\n", (long long)st.st_size);
    close(fd);

    fd = open("/sandbox/d/f.txt", O_WRONLY | O_APPEND);
    report("append", (int)write(fd, "!", 1));
    close(fd);
    show("contents", "/sandbox/d/f.txt");

    report("rename", rename("/sandbox/d/f.txt", "/sandbox/d/g.txt"));
    report("stat old name", stat("/sandbox/d/f.txt", &st));
    report("stat new name", stat("/sandbox/d/g.txt", &st));
    printf("size: %lld, regular: %d\n", (long long)st.st_size, S_ISREG(st.st_mode));

    report("symlink inside", symlink("g.txt", "/sandbox/d/link"));
    n = readlink("/sandbox/d/link", buf, sizeof buf);
    printf("readlink: \"%.*s\"\n", (int)(n < 0 ? 0 : n), buf);
    show("through link", "/sandbox/d/link");
    report("lstat link", lstat("/sandbox/d/link", &st));
    printf("is link: %d\n", S_ISLNK(st.st_mode));
    report("symlink absolute target", symlink("/etc/passwd", "/sandbox/d/bad"));
    report("symlink escaping target", symlink("../../outside", "/sandbox/d/bad"));

    report("hard link", link("/sandbox/d/g.txt", "/sandbox/d/h.txt"));
    stat("/sandbox/d/g.txt", &st);
    printf("nlink: %d\n", (int)st.st_nlink);

    struct timeval times[2] = {{1000000000, 0}, {1234567890, 0}};
    report("utimes", utimes("/sandbox/d/h.txt", times));
    stat("/sandbox/d/h.txt", &st);
    printf("mtime: %lld\n", (long long)st.st_mtime);

    report("rmdir non-empty", rmdir("/sandbox/d"));
    report("unlink dir", unlink("/sandbox/d"));
    report("opendir file", opendir("/sandbox/d/g.txt") ? 0 : -1);
    report("open missing", open("/sandbox/d/missing", O_RDONLY));
    report("unlink link", unlink("/sandbox/d/link"));
    report("unlink g", unlink("/sandbox/d/g.txt"));
    report("unlink h", unlink("/sandbox/d/h.txt"));
    report("rmdir d", rmdir("/sandbox/d"));
    report("stat d", stat("/sandbox/d", &st));

    /* The read-only preopen: reading works, every change is refused. */
    show("ro read", "/ro/data.txt");
    report("ro create", open("/ro/new.txt", O_CREAT | O_WRONLY, 0644));
    report("ro truncate", open("/ro/data.txt", O_WRONLY | O_TRUNC));
    fd = open("/ro/data.txt", O_WRONLY);
    report("ro open for writing", fd);
    if (fd >= 0) report("ro write", (int)write(fd, "x", 1));
    report("ro mkdir", mkdir("/ro/sub", 0755));
    report("ro unlink", unlink("/ro/data.txt"));
    report("ro rename", rename("/ro/data.txt", "/ro/moved.txt"));
    report("ro symlink", symlink("data.txt", "/ro/link"));
    report("ro utimes", utimes("/ro/data.txt", times));
    report("ro rename out", rename("/ro/data.txt", "/sandbox/stolen.txt"));
    show("ro still there", "/ro/data.txt");

    report("seek stdout", (int)lseek(1, 0, SEEK_CUR));
    return 0;
}
