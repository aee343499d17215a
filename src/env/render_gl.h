/* Inside the renderer: MuJoCo's own renderer in a headless EGL context (render_gl.c). */
#ifndef MBRL_ENV_RENDER_GL_H
#define MBRL_ENV_RENDER_GL_H

#include <stddef.h>

#include "env/env_impl.h"

/* A MuJoCo scene with its own GL context and offscreen buffer. */
typedef struct mbrl_gl mbrl_gl;

/* Loads EGL at the first call in the process, opens Mesa's surfaceless display, makes a context
 * and MuJoCo's offscreen buffer of width x height for mj's model (whose offscreen size it raises
 * when smaller); track names the body a side-on camera follows, or NULL for a fixed camera on
 * the whole model. Returns NULL with a message saying what is missing. */
mbrl_gl *mbrl_gl_init(mbrl_mj *mj, const char *track, int width, int height, char *err,
                      size_t err_sz);

/* Frees the scene, the MuJoCo context and the GL context; NULL is a no-op. */
void mbrl_gl_free(mbrl_gl *g);

/* The GL renderer's name. */
const char *mbrl_gl_info(const mbrl_gl *g);

/* Draws mj's current state into rgb (height x width x 3, top row first); returns 0 or MBRL_EIO. */
int mbrl_gl_draw(mbrl_gl *g, mbrl_mj *mj, unsigned char *rgb, char *err, size_t err_sz);

#endif
