/* Frames of environments drawn offscreen: RGB, 8 bits per channel, row-major with the top row
 * first, (height x width x 3) bytes; sizes even, 16 to 4096 pixels (mbrl_video_size_ok).
 *
 * MuJoCo environments are drawn by MuJoCo's own renderer (mjr_render into an offscreen buffer) in
 * an OpenGL context of EGL on Mesa's surfaceless platform, so no display is needed. libEGL.so.1
 * is loaded with dlopen when the first MuJoCo renderer is made: a program that never draws
 * neither links nor loads EGL or GL, and where they are missing only mbrl_renderer_make fails,
 * with a message saying what to install (Debian: libegl1, libegl-mesa0, libgl1-mesa-dri). The
 * cheetahs are filmed side on by a camera that follows the torso over a floor striped every
 * metre; other MuJoCo models by a fixed camera on the whole model. The pure-C environments
 * (obstacles, pendulum, cartpole) are drawn flat in 2-D without GL. Environments registered by
 * users cannot be drawn.
 */
#ifndef MBRL_RENDER_H
#define MBRL_RENDER_H

#include <stddef.h>

#include "mbrl/env.h"
#include "mbrl/video.h"

#pragma GCC visibility push(default)

/* ---- frames of an environment ---------------------------------------------------------------- */

/* Draws one environment, on the thread that made it (a MuJoCo renderer's GL context is current
 * there; elsewhere drawing fails with a message). */
typedef struct mbrl_renderer mbrl_renderer;

/* Makes a renderer of env's current state (env must outlive it) into *r with frames of width x
 * height (<= 0 both: the environment's own size, 640 x 360 for the cheetahs). Returns 0, or a
 * negative code with a message in err (may be NULL) and *r NULL: MBRL_EINVAL for a bad size,
 * MBRL_EUNSUPPORTED when the environment cannot be drawn or no EGL display or OpenGL context can
 * be made. */
int mbrl_renderer_make(mbrl_renderer **r, mbrl_env *env, int width, int height, char *err, size_t err_sz);

/* Frees a renderer and its GL context; NULL is a no-op. */
void mbrl_renderer_free(mbrl_renderer *r);

/* The frame size in pixels. */
void mbrl_renderer_size(const mbrl_renderer *r, int *width, int *height);

/* The frames per second of real time for env: 1 / dt, or 10 where dt is 0. */
double mbrl_renderer_fps(const mbrl_env *env);

/* What draws the frames: the OpenGL renderer's name (Mesa's "llvmpipe (...)") or "2-D". */
const char *mbrl_renderer_info(const mbrl_renderer *r);

/* Draws the environment's current state into rgb (height x width x 3); returns 0 or MBRL_EIO
 * with a message when OpenGL reports an error. */
int mbrl_renderer_draw(mbrl_renderer *r, unsigned char *rgb, char *err, size_t err_sz);

#pragma GCC visibility pop

#endif
