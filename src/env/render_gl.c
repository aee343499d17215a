/* MuJoCo's own renderer with no display: EGL is loaded with dlopen at the first use (so nothing
 * links against EGL or GL), Mesa's surfaceless platform gives a display without a window system,
 * each renderer has its own OpenGL context, and MuJoCo draws into its offscreen framebuffer,
 * read back with mjr_readPixels. */
#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <EGL/egl.h>
#include <EGL/eglext.h>

#include "env/render_gl.h"
#include "mbrl/core.h"

/* the two OpenGL enums used here (GL headers are not needed for them) */
enum { GL_RENDERER_NAME = 0x1F01, GL_OK = 0 };

enum { MAX_GEOM = 2000, STRIPES = 15 };

#define INSTALL_HINT "on Debian: apt-get install libegl1 libegl-mesa0 libgl1-mesa-dri"

typedef const unsigned char *(*gl_get_string_fn)(unsigned int name);
typedef unsigned int (*gl_get_error_fn)(void);

/* the EGL and GL entry points, loaded once per process, and the display, opened by the first
 * renderer; under egl_lock */
static struct {
  void *lib;
  PFNEGLGETPROCADDRESSPROC GetProcAddress;
  PFNEGLGETPLATFORMDISPLAYPROC GetPlatformDisplay;
  PFNEGLQUERYSTRINGPROC QueryString;
  PFNEGLGETERRORPROC GetError;
  PFNEGLINITIALIZEPROC Initialize;
  PFNEGLCHOOSECONFIGPROC ChooseConfig;
  PFNEGLBINDAPIPROC BindAPI;
  PFNEGLCREATECONTEXTPROC CreateContext;
  PFNEGLDESTROYCONTEXTPROC DestroyContext;
  PFNEGLMAKECURRENTPROC MakeCurrent;
  PFNEGLRELEASETHREADPROC ReleaseThread;
  gl_get_string_fn glGetString;
  gl_get_error_fn glGetError;
  EGLDisplay dpy;
} egl;
static pthread_mutex_t egl_lock = PTHREAD_MUTEX_INITIALIZER;

struct mbrl_gl {
  EGLContext ctx;
  mjvScene scn;
  mjvCamera cam;
  mjvOption opt;
  mjrContext con;
  int track;             /* body the camera follows, or -1 */
  int width, height;
  unsigned char *rows;   /* (height x width x 3) as GL reads them, bottom row first */
  char info[128];
};

/* ---- loading EGL ---------------------------------------------------------------------------- */

/* a symbol of the library as a function pointer (POSIX guarantees the sizes match) */
static int load_symbol(void *lib, const char *name, void *fn) {
  void *p = dlsym(lib, name);
  if (p) memcpy(fn, &p, sizeof p);
  return p != NULL;
}

static int load_egl(char *err, size_t err_sz) {
  if (egl.lib) return 0;
  /* global, so that MuJoCo's own GL loader finds eglGetProcAddress too */
  void *lib = dlopen("libEGL.so.1", RTLD_NOW | RTLD_GLOBAL);
  if (!lib)
    return mbrl_errf(err, err_sz, MBRL_EUNSUPPORTED,
                     "video: libEGL.so.1 could not be loaded (%s); " INSTALL_HINT,
                     dlerror());
  int ok = load_symbol(lib, "eglGetProcAddress", &egl.GetProcAddress) &&
           load_symbol(lib, "eglQueryString", &egl.QueryString) &&
           load_symbol(lib, "eglGetError", &egl.GetError) &&
           load_symbol(lib, "eglInitialize", &egl.Initialize) &&
           load_symbol(lib, "eglChooseConfig", &egl.ChooseConfig) &&
           load_symbol(lib, "eglBindAPI", &egl.BindAPI) &&
           load_symbol(lib, "eglCreateContext", &egl.CreateContext) &&
           load_symbol(lib, "eglDestroyContext", &egl.DestroyContext) &&
           load_symbol(lib, "eglMakeCurrent", &egl.MakeCurrent) &&
           load_symbol(lib, "eglReleaseThread", &egl.ReleaseThread);
  if (!ok) {
    dlclose(lib);
    return mbrl_errf(err, err_sz, MBRL_EUNSUPPORTED,
                     "video: libEGL.so.1 lacks EGL 1.4 functions; " INSTALL_HINT);
  }
  /* EGL 1.5 has eglGetPlatformDisplay; 1.4 with client extensions the EXT form */
  if (!load_symbol(lib, "eglGetPlatformDisplay", &egl.GetPlatformDisplay))
    egl.GetPlatformDisplay = (PFNEGLGETPLATFORMDISPLAYPROC)egl.GetProcAddress("eglGetPlatformDisplayEXT");
  egl.glGetString = (gl_get_string_fn)egl.GetProcAddress("glGetString");
  egl.glGetError = (gl_get_error_fn)egl.GetProcAddress("glGetError");
  egl.lib = lib; /* kept loaded: drivers do not like to be unloaded */
  return 0;
}

/* opens Mesa's surfaceless display once; it stays open for later renderers (eglTerminate would
 * unload Mesa's driver, which leaves a little memory behind on every open and close) */
static int open_display(char *err, size_t err_sz) {
  if (egl.dpy != EGL_NO_DISPLAY) return 0;
  const char *ext = egl.QueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
  if (!egl.GetPlatformDisplay || !ext || !strstr(ext, "EGL_MESA_platform_surfaceless"))
    return mbrl_errf(err, err_sz, MBRL_EUNSUPPORTED,
                     "video: no EGL display, as no EGL driver offers "
                     "Mesa's surfaceless platform; " INSTALL_HINT);
  EGLDisplay dpy = egl.GetPlatformDisplay(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, NULL);
  EGLint major, minor;
  if (dpy == EGL_NO_DISPLAY || !egl.Initialize(dpy, &major, &minor))
    return mbrl_errf(err, err_sz, MBRL_EUNSUPPORTED,
                     "video: EGL could not open Mesa's surfaceless display (EGL error 0x%x); "
                     INSTALL_HINT, (unsigned)egl.GetError());
  egl.dpy = dpy;
  return 0;
}

/* a desktop OpenGL context with a depth buffer, current on this thread with no surface */
static int make_context(EGLContext *out, char *err, size_t err_sz) {
  const EGLint attr[] = {EGL_SURFACE_TYPE, EGL_PBUFFER_BIT, EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT,
                         EGL_RED_SIZE,     8,               EGL_GREEN_SIZE,      8,
                         EGL_BLUE_SIZE,    8,               EGL_DEPTH_SIZE,      24,
                         EGL_NONE};
  EGLConfig cfg;
  EGLint n = 0;
  if (!egl.ChooseConfig(egl.dpy, attr, &cfg, 1, &n) || n < 1 || !egl.BindAPI(EGL_OPENGL_API))
    return mbrl_errf(err, err_sz, MBRL_EUNSUPPORTED,
                     "video: EGL has no configuration for desktop OpenGL (EGL error 0x%x); "
                     INSTALL_HINT, (unsigned)egl.GetError());
  EGLContext ctx = egl.CreateContext(egl.dpy, cfg, EGL_NO_CONTEXT, NULL);
  if (ctx == EGL_NO_CONTEXT)
    return mbrl_errf(err, err_sz, MBRL_EUNSUPPORTED,
                     "video: EGL could not make an OpenGL context (EGL error 0x%x)",
                     (unsigned)egl.GetError());
  if (!egl.MakeCurrent(egl.dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, ctx) || !egl.glGetString ||
      !egl.glGetError || !egl.glGetString(GL_RENDERER_NAME)) {
    egl.DestroyContext(egl.dpy, ctx);
    return mbrl_errf(err, err_sz, MBRL_EUNSUPPORTED,
                     "video: the OpenGL context of EGL does not work (EGL error 0x%x); "
                     INSTALL_HINT, (unsigned)egl.GetError());
  }
  *out = ctx;
  return 0;
}

/* ---- MuJoCo's context, with its errors caught ------------------------------------------------ */

/* MuJoCo's default error handler waits for Enter and exits; while mjr_makeContext runs, errors
 * jump back to it instead */
static _Thread_local jmp_buf *guard;
static _Thread_local char guard_msg[256];
static void (*saved_error)(const char *);

static void guarded_error(const char *msg) {
  if (guard) {
    snprintf(guard_msg, sizeof guard_msg, "%s", msg);
    longjmp(*guard, 1);
  }
  if (saved_error) {
    saved_error(msg);
    return;
  }
  fprintf(stderr, "MuJoCo error: %s\n", msg);
  abort();
}

static int make_mujoco_context(const mjModel *m, mjrContext *con, char *err, size_t err_sz) {
  jmp_buf jb;
  volatile int failed = 0;
  mjr_defaultContext(con);
  saved_error = mju_user_error;
  mju_user_error = guarded_error;
  guard = &jb;
  if (setjmp(jb) == 0)
    mjr_makeContext(m, con, mjFONTSCALE_100);
  else
    failed = 1;
  guard = NULL;
  mju_user_error = saved_error;
  if (!failed) return 0;
  mjr_freeContext(con);
  return mbrl_errf(err, err_sz, MBRL_EUNSUPPORTED, "video: MuJoCo could not set up OpenGL: %s",
                   guard_msg);
}

/* ---- renderers ------------------------------------------------------------------------------ */

mbrl_gl *mbrl_gl_init(mbrl_mj *mj, const char *track, int width, int height, char *err,
                      size_t err_sz) {
  mjModel *m = mj->m;
  int body = track ? mj_name2id(m, mjOBJ_BODY, track) : -1;
  if (track && body < 0) {
    mbrl_errf(err, err_sz, MBRL_EINVAL, "video: the model has no body '%s' to follow", track);
    return NULL;
  }
  pthread_mutex_lock(&egl_lock);
  EGLContext ctx = EGL_NO_CONTEXT;
  int rc = load_egl(err, err_sz);
  if (!rc) rc = open_display(err, err_sz);
  if (!rc) rc = make_context(&ctx, err, err_sz);
  if (rc) {
    pthread_mutex_unlock(&egl_lock);
    return NULL;
  }
  mbrl_gl *g = mbrl_alloc(sizeof *g);
  g->ctx = ctx;
  g->track = body;
  g->width = width, g->height = height;
  g->rows = mbrl_alloc((size_t)width * (size_t)height * 3);
  snprintf(g->info, sizeof g->info, "%s", (const char *)egl.glGetString(GL_RENDERER_NAME));
  /* the offscreen buffer takes its size from the model */
  if (m->vis.global.offwidth < width) m->vis.global.offwidth = width;
  if (m->vis.global.offheight < height) m->vis.global.offheight = height;
  if ((rc = make_mujoco_context(m, &g->con, err, err_sz))) {
    egl.MakeCurrent(egl.dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
    egl.DestroyContext(egl.dpy, ctx);
    pthread_mutex_unlock(&egl_lock);
    mbrl_free(g->rows);
    mbrl_free(g);
    return NULL;
  }
  mjr_setBuffer(mjFB_OFFSCREEN, &g->con);
  pthread_mutex_unlock(&egl_lock);

  mjv_defaultOption(&g->opt);
  mjv_defaultScene(&g->scn);
  mjv_makeScene(m, &g->scn, MAX_GEOM);
  /* side on to a followed body, else MuJoCo's free camera on the whole model */
  mjv_defaultFreeCamera(m, &g->cam);
  if (body >= 0) g->cam.distance = 3.5, g->cam.azimuth = 90, g->cam.elevation = -15;
  return g;
}

void mbrl_gl_free(mbrl_gl *g) {
  if (!g) return;
  pthread_mutex_lock(&egl_lock);
  egl.BindAPI(EGL_OPENGL_API);
  if (egl.MakeCurrent(egl.dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, g->ctx)) mjr_freeContext(&g->con);
  egl.MakeCurrent(egl.dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
  egl.DestroyContext(egl.dpy, g->ctx);
  egl.ReleaseThread();
  pthread_mutex_unlock(&egl_lock);
  mjv_freeScene(&g->scn);
  mbrl_free(g->rows);
  mbrl_free(g);
}

const char *mbrl_gl_info(const mbrl_gl *g) { return g->info; }

/* dark lines across the floor (z = 0) every metre around the camera, so that motion shows */
static void add_stripes(mbrl_gl *g) {
  const float rgba[4] = {0.25f, 0.25f, 0.25f, 1.0f};
  const mjtNum size[3] = {0.012, 1.5, 0.001};
  double x0 = floor(g->cam.lookat[0]) - STRIPES / 2;
  for (int k = 0; k < STRIPES && g->scn.ngeom < g->scn.maxgeom; k++) {
    const mjtNum pos[3] = {x0 + k, 0.0, 0.0};
    mjvGeom *geom = &g->scn.geoms[g->scn.ngeom++];
    mjv_initGeom(geom, mjGEOM_BOX, size, pos, NULL, rgba);
    geom->category = mjCAT_DECOR;
  }
}

int mbrl_gl_draw(mbrl_gl *g, mbrl_mj *mj, unsigned char *rgb, char *err, size_t err_sz) {
  if (!egl.BindAPI(EGL_OPENGL_API) ||
      !egl.MakeCurrent(egl.dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, g->ctx))
    return mbrl_errf(err, err_sz, MBRL_EIO, "video: EGL could not make the context current (0x%x)",
                     (unsigned)egl.GetError());
  if (g->track >= 0) mju_copy3(g->cam.lookat, mj->d->subtree_com + 3 * g->track);
  mjv_updateScene(mj->m, mj->d, &g->opt, NULL, &g->cam, mjCAT_ALL, &g->scn);
  if (g->track >= 0) add_stripes(g);
  mjrRect viewport = {0, 0, g->width, g->height};
  mjr_setBuffer(mjFB_OFFSCREEN, &g->con);
  mjr_render(viewport, &g->scn, &g->con);
  mjr_readPixels(g->rows, NULL, viewport, &g->con);
  unsigned int gl_err = egl.glGetError();
  if (gl_err != GL_OK)
    return mbrl_errf(err, err_sz, MBRL_EIO, "video: OpenGL error 0x%x while drawing", gl_err);
  /* GL reads the bottom row first */
  size_t row = (size_t)g->width * 3;
  for (int y = 0; y < g->height; y++)
    memcpy(rgb + (size_t)y * row, g->rows + (size_t)(g->height - 1 - y) * row, row);
  return 0;
}
