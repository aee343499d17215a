/* mbrl: model-based reinforcement learning in C. Umbrella header.
 *
 * Dimension letters mean one thing everywhere in the API:
 *   B        batch rows (transitions, states)
 *   H        planning horizon (steps)
 *   N        candidate action sequences of a planner
 *   E        ensemble members
 *   obs_dim  observation size, act_dim action size
 * Arrays are flat, row-major, float32 unless a comment says otherwise; a shape comment such as
 * (E x B x in) lists dimensions from slowest to fastest.
 */
#ifndef MBRL_H
#define MBRL_H

#include "mbrl/core.h"
#include "mbrl/rng.h"
#include "mbrl/nn.h"
#include "mbrl/config.h"
#include "mbrl/checkpoint.h"
#include "mbrl/buffer.h"
#include "mbrl/policy.h"
#include "mbrl/task.h"
#include "mbrl/model.h"
#include "mbrl/dynamics.h"
#include "mbrl/propagate.h"
#include "mbrl/planner.h"
#include "mbrl/mb.h"
#include "mbrl/mbpo.h"
#include "mbrl/pets.h"
#include "mbrl/rollout.h"
#include "mbrl/env.h"
#include "mbrl/plot.h"
#include "mbrl/maze.h"
#include "mbrl/dyna.h"
#include "mbrl/sac.h"
#include "mbrl/safetensors.h"
#include "mbrl/tfevents.h"
#include "mbrl/metrics.h"
#include "mbrl/runplot.h"
#include "mbrl/npy.h"
#include "mbrl/render.h"
#include "mbrl/video.h"
#include "mbrl/record.h"

#endif
