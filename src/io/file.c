/* Internal file helpers: whole-file reads, mkdir -p and write-then-rename for crash-safe files. */
#include "io/file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mbrl/core.h"

static char *dup_str(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = mbrl_alloc(n);
  memcpy(p, s, n);
  return p;
}

int mbrl_io_open_read(FILE **f, const char *path, char *err, size_t err_sz) {
  *f = NULL;
  /* non-blocking, so that a FIFO does not wait for a writer; blocking again once it is known to
   * be a regular file */
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return mbrl_errf(err, err_sz, errno == ENOENT ? MBRL_ENOTFOUND : MBRL_EIO, "%s: cannot open: %s", path,
                     strerror(errno));
  struct stat sb;
  if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
    close(fd);
    return mbrl_errf(err, err_sz, MBRL_EIO, "%s: not a regular file", path);
  }
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0 || !(*f = fdopen(fd, "rb"))) {
    int e = errno;
    close(fd);
    return mbrl_errf(err, err_sz, MBRL_EIO, "%s: cannot open: %s", path, strerror(e));
  }
  return MBRL_OK;
}

int mbrl_io_read_all(const char *path, uint8_t **buf, size_t *size, char *err, size_t err_sz) {
  MBRL_ASSERT(path && buf && size);
  *buf = NULL;
  *size = 0;
  FILE *f;
  int rc = mbrl_io_open_read(&f, path, err, err_sz);
  if (rc) return rc;
  struct stat sb;
  if (fstat(fileno(f), &sb) != 0) {
    fclose(f);
    return mbrl_errf(err, err_sz, MBRL_EIO, "%s: cannot read its size", path);
  }
  /* one byte more than the file so text parsers can rely on a terminating zero */
  size_t n = (size_t)sb.st_size;
  uint8_t *p = mbrl_alloc(n + 1);
  size_t got = fread(p, 1, n, f);
  int bad = ferror(f) || got != n;
  fclose(f);
  if (bad) {
    mbrl_free(p);
    return mbrl_errf(err, err_sz, MBRL_EIO, "%s: read %zu of %zu bytes", path, got, n);
  }
  *buf = p;
  *size = n;
  return MBRL_OK;
}

int mbrl_io_mkdirs(const char *dir, char *err, size_t err_sz) {
  MBRL_ASSERT(dir);
  if (dir[0] == '\0') return mbrl_errf(err, err_sz, MBRL_EINVAL, "empty directory name");
  char *p = dup_str(dir);
  int rc = MBRL_OK;
  /* create each prefix ending before a '/', then the whole path */
  for (char *s = p + 1;; s++) {
    if (*s != '/' && *s != '\0') continue;
    char c = *s;
    *s = '\0';
    struct stat sb;
    if (mkdir(p, 0777) != 0 && errno != EEXIST) {
      rc = mbrl_errf(err, err_sz, MBRL_EIO, "%s: cannot create directory: %s", p, strerror(errno));
    } else if (stat(p, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
      rc = mbrl_errf(err, err_sz, MBRL_EIO, "%s: exists and is not a directory", p);
    }
    *s = c;
    if (rc != MBRL_OK || c == '\0') break;
  }
  mbrl_free(p);
  return rc;
}

int mbrl_io_atomic_open(mbrl_io_atomic *a, const char *path, char *err, size_t err_sz) {
  MBRL_ASSERT(a && path);
  memset(a, 0, sizeof *a);
  size_t n = strlen(path);
  a->path = dup_str(path);
  a->tmp = mbrl_alloc(n + 5);
  memcpy(a->tmp, path, n);
  memcpy(a->tmp + n, ".tmp", 5);
  a->f = fopen(a->tmp, "wb");
  if (!a->f) {
    int rc = mbrl_errf(err, err_sz, MBRL_EIO, "%s: cannot create: %s", a->tmp, strerror(errno));
    mbrl_free(a->path);
    mbrl_free(a->tmp);
    memset(a, 0, sizeof *a);
    return rc;
  }
  return MBRL_OK;
}

int mbrl_io_atomic_write(mbrl_io_atomic *a, const void *p, size_t n, char *err, size_t err_sz) {
  MBRL_ASSERT(a && a->f && (p || n == 0));
  if (n > 0 && fwrite(p, 1, n, a->f) != n)
    return mbrl_errf(err, err_sz, MBRL_EIO, "%s: write failed: %s", a->tmp, strerror(errno));
  return MBRL_OK;
}

/* syncs the directory holding path so the rename itself survives a crash; best effort */
static void sync_parent(const char *path) {
  const char *slash = strrchr(path, '/');
  char *dir;
  if (!slash) {
    dir = dup_str(".");
  } else {
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    dir = mbrl_alloc(n + 1);
    memcpy(dir, path, n);
  }
  int fd = open(dir, O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    (void)fsync(fd);
    close(fd);
  }
  mbrl_free(dir);
}

int mbrl_io_atomic_commit(mbrl_io_atomic *a, char *err, size_t err_sz) {
  MBRL_ASSERT(a && a->f);
  int rc = MBRL_OK;
  if (fflush(a->f) != 0 || fsync(fileno(a->f)) != 0)
    rc = mbrl_errf(err, err_sz, MBRL_EIO, "%s: flush failed: %s", a->tmp, strerror(errno));
  if (fclose(a->f) != 0 && rc == MBRL_OK)
    rc = mbrl_errf(err, err_sz, MBRL_EIO, "%s: close failed: %s", a->tmp, strerror(errno));
  a->f = NULL;
  if (rc == MBRL_OK && rename(a->tmp, a->path) != 0)
    rc = mbrl_errf(err, err_sz, MBRL_EIO, "%s: cannot rename to %s: %s", a->tmp, a->path,
                   strerror(errno));
  if (rc == MBRL_OK) sync_parent(a->path);
  else remove(a->tmp);
  mbrl_free(a->path);
  mbrl_free(a->tmp);
  memset(a, 0, sizeof *a);
  return rc;
}

void mbrl_io_atomic_abort(mbrl_io_atomic *a) {
  if (!a) return;
  if (a->f) {
    fclose(a->f);
    remove(a->tmp);
  }
  mbrl_free(a->path);
  mbrl_free(a->tmp);
  memset(a, 0, sizeof *a);
}
