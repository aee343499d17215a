/* Grid mazes for tabular agents (Sutton & Barto, Examples 8.1 to 8.3): walls, a start and a goal
 * read from a small text format, with an optional change of walls after a number of time steps.
 *
 * The text format, one item per line:
 *   ; a comment             whole-line comments start with ';', blank lines are skipped
 *   name <text>             optional: a name for plots and messages
 *   maze <rows> <cols>      required, once: the grid size (1..256 each); then exactly <rows> lines of
 *                           <cols> characters: '.' open, '#' wall, 'S' start, 'G' goal (one each)
 *   change <step>           optional, after the maze: from time step <step> on the walls are those
 *                           of the <rows> grid lines that follow (S and G must stay where they were)
 *   steps <n>               optional: the run length the maze's experiment uses, in time steps
 * Cells are numbered row * cols + col, row 0 at the top. Moving into a wall or off the grid leaves
 * the agent where it is; reaching the goal gives reward 1 and ends the episode, anything else 0.
 * A malformed file is rejected with "<source>:<line>: <what is wrong>".
 */
#ifndef MBRL_MAZE_H
#define MBRL_MAZE_H

#include <stddef.h>
#include <stdint.h>

#pragma GCC visibility push(default)

/* actions */
enum { MBRL_MAZE_UP = 0, MBRL_MAZE_DOWN = 1, MBRL_MAZE_LEFT = 2, MBRL_MAZE_RIGHT = 3 };
#define MBRL_MAZE_ACTIONS 4

typedef struct mbrl_maze {
  char name[64];
  int rows, cols;        /* grid size */
  int start, goal;       /* cells */
  int change_step;       /* time step from which walls_after holds; -1 when the maze never changes */
  int steps;             /* run length the file asks for, 0 when it gives none */
  uint8_t *walls;        /* (rows x cols) 1 for a wall, before the change */
  uint8_t *walls_after;  /* (rows x cols) after the change; NULL when the maze never changes */
} mbrl_maze;

/* Parses maze text into m; source names the text in messages (may be NULL); returns 0 or
 * MBRL_EFORMAT with "<source>:<line>: ..." in err (may be NULL, err_sz bytes). */
int mbrl_maze_parse(mbrl_maze *m, const char *text, const char *source, char *err, size_t err_sz);

/* Reads and parses a maze file; returns 0, MBRL_EIO or MBRL_EFORMAT with a message in err. */
int mbrl_maze_load(mbrl_maze *m, const char *path, char *err, size_t err_sz);

/* Releases the arrays of a parsed maze; m may be NULL and a zeroed maze is fine. */
void mbrl_maze_free(mbrl_maze *m);

/* Wall layout at time step t: walls_after from change_step on, walls before. */
const uint8_t *mbrl_maze_walls_at(const mbrl_maze *m, long t);

/* Cell reached from cell s by action a (MBRL_MAZE_*) with the given wall layout (rows x cols). */
int mbrl_maze_next(const mbrl_maze *m, const uint8_t *walls, int s, int a);

/* Number of open (non-wall) cells in a wall layout (rows x cols). */
int mbrl_maze_open_cells(const mbrl_maze *m, const uint8_t *walls);

/* Fewest steps from start to goal by breadth-first search over a wall layout; -1 if unreachable. */
int mbrl_maze_shortest_path(const mbrl_maze *m, const uint8_t *walls);

#pragma GCC visibility pop

#endif
