/* Grid mazes: the text-format parser with line-numbered errors, moves, and breadth-first search
 * for the shortest path. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/file.h"
#include "mbrl/core.h"
#include "mbrl/maze.h"

#define MAZE_MAX_SIDE 256

/* parser state: where we are in the text and what has been read */
typedef struct {
  const char *src;
  const char *p;   /* start of the next line */
  int line;        /* number of the line just taken */
  char buf[1024];  /* that line, trailing blanks removed */
  int len;
  int truncated;   /* the line was longer than buf */
} reader;

/* takes the next line into r->buf; returns 0 at the end of the text */
static int next_line(reader *r) {
  if (!*r->p) return 0;
  const char *e = strchr(r->p, '\n');
  size_t n = e ? (size_t)(e - r->p) : strlen(r->p);
  r->truncated = n >= sizeof r->buf;
  if (r->truncated) n = sizeof r->buf - 1;
  memcpy(r->buf, r->p, n);
  while (n > 0 && (r->buf[n - 1] == '\r' || r->buf[n - 1] == ' ' || r->buf[n - 1] == '\t')) n--;
  r->buf[n] = 0;
  r->len = (int)n;
  r->p = e ? e + 1 : r->p + strlen(r->p);
  r->line++;
  return 1;
}

static int fail(const reader *r, int line, char *err, size_t err_sz, const char *what) {
  return mbrl_errf(err, err_sz, MBRL_EFORMAT, "%s:%d: %s", r->src, line, what);
}

/* parses exactly count integers from s; returns 1 on success */
static int parse_ints(const char *s, long *v, int count) {
  for (int i = 0; i < count; i++) {
    char *end;
    errno = 0;
    v[i] = strtol(s, &end, 10);
    if (end == s || errno) return 0;
    s = end;
  }
  while (*s == ' ' || *s == '\t') s++;
  return *s == 0;
}

/* reads rows grid lines into walls; start and goal cells come back through *s and *g */
static int read_grid(reader *r, const mbrl_maze *m, uint8_t *walls, int *s, int *g, char *err,
                     size_t err_sz) {
  char msg[160];
  int s_line = 0, g_line = 0;
  *s = *g = -1;
  for (int row = 0; row < m->rows; row++) {
    if (!next_line(r)) {
      snprintf(msg, sizeof msg, "the text ends after %d of %d grid rows", row, m->rows);
      return fail(r, r->line, err, err_sz, msg);
    }
    if (r->truncated || r->len != m->cols) {
      snprintf(msg, sizeof msg, "grid row %d has %d characters, expected %d", row + 1,
               r->truncated ? (int)sizeof r->buf : r->len, m->cols);
      return fail(r, r->line, err, err_sz, msg);
    }
    for (int col = 0; col < m->cols; col++) {
      char c = r->buf[col];
      int cell = row * m->cols + col;
      walls[cell] = c == '#';
      if (c == 'S' || c == 'G') {
        int *pos = c == 'S' ? s : g, *pos_line = c == 'S' ? &s_line : &g_line;
        if (*pos >= 0) {
          snprintf(msg, sizeof msg, "a second '%c' in column %d (the first is on line %d)", c,
                   col + 1, *pos_line);
          return fail(r, r->line, err, err_sz, msg);
        }
        *pos = cell;
        *pos_line = r->line;
      } else if (c != '.' && c != '#') {
        if ((unsigned char)c >= 32 && (unsigned char)c < 127)
          snprintf(msg, sizeof msg, "unexpected character '%c' in column %d (use . # S G)", c,
                   col + 1);
        else
          snprintf(msg, sizeof msg, "unexpected byte 0x%02x in column %d (use . # S G)",
                   (unsigned char)c, col + 1);
        return fail(r, r->line, err, err_sz, msg);
      }
    }
  }
  if (*s < 0) return fail(r, r->line, err, err_sz, "the grid above has no start 'S'");
  if (*g < 0) return fail(r, r->line, err, err_sz, "the grid above has no goal 'G'");
  return 0;
}

int mbrl_maze_parse(mbrl_maze *m, const char *text, const char *source, char *err, size_t err_sz) {
  MBRL_ASSERT(m && text);
  memset(m, 0, sizeof *m);
  m->change_step = -1;
  reader r = {.src = source ? source : "maze", .p = text};
  char msg[160];
  int rc = 0, maze_line = 0, change_line = 0;
  while (!rc && next_line(&r)) {
    const char *b = r.buf;
    while (*b == ' ' || *b == '\t') b++;
    if (!*b || *b == ';') continue;
    /* the directive word and its arguments */
    char word[16];
    int wl = 0;
    while (b[wl] && b[wl] != ' ' && b[wl] != '\t' && wl < (int)sizeof word - 1) {
      word[wl] = b[wl];
      wl++;
    }
    word[wl] = 0;
    const char *args = b + wl;
    while (*args == ' ' || *args == '\t') args++;
    long v[2];
    if (!strcmp(word, "name")) {
      snprintf(m->name, sizeof m->name, "%.63s", args);
    } else if (!strcmp(word, "maze")) {
      if (maze_line) {
        snprintf(msg, sizeof msg, "a second 'maze' line (the first is line %d)", maze_line);
        rc = fail(&r, r.line, err, err_sz, msg);
      } else if (!parse_ints(args, v, 2) || v[0] < 1 || v[1] < 1 || v[0] > MAZE_MAX_SIDE ||
                 v[1] > MAZE_MAX_SIDE) {
        rc = fail(&r, r.line, err, err_sz, "'maze' needs <rows> <cols>, each 1..256");
      } else {
        maze_line = r.line;
        m->rows = (int)v[0];
        m->cols = (int)v[1];
        m->walls = mbrl_alloc((size_t)(m->rows * m->cols));
        rc = read_grid(&r, m, m->walls, &m->start, &m->goal, err, err_sz);
        if (!rc && mbrl_maze_shortest_path(m, m->walls) < 0)
          rc = fail(&r, maze_line, err, err_sz, "the goal cannot be reached from the start");
      }
    } else if (!strcmp(word, "change")) {
      if (!maze_line) {
        rc = fail(&r, r.line, err, err_sz, "'change' must come after the 'maze' grid");
      } else if (change_line) {
        snprintf(msg, sizeof msg, "a second 'change' line (the first is line %d)", change_line);
        rc = fail(&r, r.line, err, err_sz, msg);
      } else if (!parse_ints(args, v, 1) || v[0] < 1 || v[0] > 1000000000L) {
        rc = fail(&r, r.line, err, err_sz, "'change' needs a time step, 1..1000000000");
      } else {
        change_line = r.line;
        m->change_step = (int)v[0];
        m->walls_after = mbrl_alloc((size_t)(m->rows * m->cols));
        int s, g;
        rc = read_grid(&r, m, m->walls_after, &s, &g, err, err_sz);
        if (!rc && (s != m->start || g != m->goal))
          rc = fail(&r, change_line, err, err_sz,
                    "the grid after 'change' moves the start or the goal; they must stay put");
        if (!rc && mbrl_maze_shortest_path(m, m->walls_after) < 0)
          rc = fail(&r, change_line, err, err_sz,
                    "after the change the goal cannot be reached from the start");
      }
    } else if (!strcmp(word, "steps")) {
      if (!parse_ints(args, v, 1) || v[0] < 1 || v[0] > 1000000000L)
        rc = fail(&r, r.line, err, err_sz, "'steps' needs a run length, 1..1000000000");
      else
        m->steps = (int)v[0];
    } else {
      snprintf(msg, sizeof msg, "unknown line '%.40s' (expected name, maze, change or steps)", b);
      rc = fail(&r, r.line, err, err_sz, msg);
    }
  }
  if (!rc && !maze_line)
    rc = fail(&r, r.line > 0 ? r.line : 1, err, err_sz, "no 'maze <rows> <cols>' line");
  if (rc) mbrl_maze_free(m);
  if (!rc && !m->name[0]) snprintf(m->name, sizeof m->name, "%.63s", r.src);
  return rc;
}

int mbrl_maze_load(mbrl_maze *m, const char *path, char *err, size_t err_sz) {
  MBRL_ASSERT(m && path);
  memset(m, 0, sizeof *m);
  FILE *f;
  char why[512];
  if (mbrl_io_open_read(&f, path, why, sizeof why))
    return mbrl_errf(err, err_sz, MBRL_EIO, "cannot open maze '%s': %s", path, why);
  /* maze files are small: 1 MiB is far beyond the largest 256 x 256 grid pair */
  size_t cap = 1 << 20;
  char *text = mbrl_alloc(cap + 1);
  size_t n = fread(text, 1, cap + 1, f);
  int bad = ferror(f);
  fclose(f);
  int rc;
  if (bad)
    rc = mbrl_errf(err, err_sz, MBRL_EIO, "cannot read maze '%s'", path);
  else if (n > cap)
    rc = mbrl_errf(err, err_sz, MBRL_EFORMAT, "%s: file is larger than 1 MiB", path);
  else if (memchr(text, 0, n))
    rc = mbrl_errf(err, err_sz, MBRL_EFORMAT, "%s: file holds a NUL byte", path);
  else {
    text[n] = 0;
    rc = mbrl_maze_parse(m, text, path, err, err_sz);
  }
  mbrl_free(text);
  return rc;
}

void mbrl_maze_free(mbrl_maze *m) {
  if (!m) return;
  mbrl_free(m->walls);
  mbrl_free(m->walls_after);
  m->walls = m->walls_after = NULL;
}

const uint8_t *mbrl_maze_walls_at(const mbrl_maze *m, long t) {
  return m->walls_after && m->change_step >= 0 && t >= m->change_step ? m->walls_after : m->walls;
}

int mbrl_maze_next(const mbrl_maze *m, const uint8_t *walls, int s, int a) {
  MBRL_ASSERT(s >= 0 && s < m->rows * m->cols && a >= 0 && a < MBRL_MAZE_ACTIONS);
  int row = s / m->cols, col = s % m->cols;
  static const int dr[4] = {-1, 1, 0, 0}, dc[4] = {0, 0, -1, 1};
  int r2 = row + dr[a], c2 = col + dc[a];
  if (r2 < 0 || r2 >= m->rows || c2 < 0 || c2 >= m->cols) return s;
  int s2 = r2 * m->cols + c2;
  return walls[s2] ? s : s2;
}

int mbrl_maze_open_cells(const mbrl_maze *m, const uint8_t *walls) {
  int n = 0;
  for (int i = 0; i < m->rows * m->cols; i++) n += !walls[i];
  return n;
}

int mbrl_maze_shortest_path(const mbrl_maze *m, const uint8_t *walls) {
  int cells = m->rows * m->cols;
  int *dist = mbrl_alloc(sizeof(int) * (size_t)cells), *queue = mbrl_alloc(sizeof(int) * (size_t)cells);
  for (int i = 0; i < cells; i++) dist[i] = -1;
  int head = 0, tail = 0;
  dist[m->start] = 0;
  queue[tail++] = m->start;
  while (head < tail && dist[m->goal] < 0) {
    int s = queue[head++];
    for (int a = 0; a < MBRL_MAZE_ACTIONS; a++) {
      int s2 = mbrl_maze_next(m, walls, s, a);
      if (dist[s2] < 0) {
        dist[s2] = dist[s] + 1;
        queue[tail++] = s2;
      }
    }
  }
  int d = dist[m->goal];
  mbrl_free(dist);
  mbrl_free(queue);
  return d;
}
