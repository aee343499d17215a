/* mbrl demo: a short run of the neural-network core. */
#include <stdio.h>

#include "cli.h"

int mbrl_cmd_demo(int argc, char **argv) {
  (void)argc, (void)argv;
  fprintf(stderr, "mbrl demo: not yet available\n");
  return 1;
}
