/* The 2-D canvas: each shape is a signed distance in pixels, and a pixel takes the shape's colour
 * in proportion to how much of it the shape covers (a one-pixel ramp at the edge). */
#include "env/canvas.h"

#include <math.h>

#include "env/env_impl.h"
#include "mbrl/core.h"

enum { RECT, DISC, SEGMENT };

/* a shape in pixel coordinates: a box of half sizes (r, r2) centred on a, a disc of radius r
 * around a, or the points within r of the segment a-b */
typedef struct {
  int kind;
  double ax, ay, bx, by, r, r2;
} shape;

static double distance(const shape *s, double x, double y) {
  switch (s->kind) {
    case RECT: {
      double dx = fabs(x - s->ax) - s->r, dy = fabs(y - s->ay) - s->r2;
      return hypot(fmax(dx, 0.0), fmax(dy, 0.0)) + fmin(fmax(dx, dy), 0.0);
    }
    case DISC: return hypot(x - s->ax, y - s->ay) - s->r;
    default: {
      double ux = s->bx - s->ax, uy = s->by - s->ay, len2 = ux * ux + uy * uy;
      double t = len2 > 0 ? ((x - s->ax) * ux + (y - s->ay) * uy) / len2 : 0.0;
      t = fmin(fmax(t, 0.0), 1.0);
      return hypot(x - s->ax - t * ux, y - s->ay - t * uy) - s->r;
    }
  }
}

/* blends colour into the pixels of the bounding box [x0, x1] x [y0, y1] the shape covers */
static void fill(mbrl_canvas *cv, const shape *s, double x0, double y0, double x1, double y1,
                 uint32_t colour) {
  int i0 = (int)fmax(floor(x0) - 1, 0), i1 = (int)fmin(ceil(x1) + 1, cv->w);
  int j0 = (int)fmax(floor(y0) - 1, 0), j1 = (int)fmin(ceil(y1) + 1, cv->h);
  const double c[3] = {(colour >> 16) & 255, (colour >> 8) & 255, colour & 255};
  for (int j = j0; j < j1; j++)
    for (int i = i0; i < i1; i++) {
      double a = fmin(fmax(0.5 - distance(s, i + 0.5, j + 0.5), 0.0), 1.0);
      if (a <= 0.0) continue;
      unsigned char *p = cv->rgb + ((size_t)j * (size_t)cv->w + (size_t)i) * 3;
      for (int k = 0; k < 3; k++) p[k] = (unsigned char)lround(p[k] + a * (c[k] - p[k]));
    }
}

static double px(const mbrl_canvas *cv, double x) { return cv->ox + x * cv->scale; }
static double py(const mbrl_canvas *cv, double y) { return cv->oy - y * cv->scale; }

void mbrl_canvas_view(mbrl_canvas *cv, double x0, double x1, double y0, double y1) {
  MBRL_ASSERT(x1 > x0 && y1 > y0);
  double sx = cv->w / (x1 - x0), sy = cv->h / (y1 - y0);
  cv->scale = sx < sy ? sx : sy;
  cv->ox = 0.5 * cv->w - 0.5 * (x0 + x1) * cv->scale;
  cv->oy = 0.5 * cv->h + 0.5 * (y0 + y1) * cv->scale;
}

void mbrl_canvas_clear(mbrl_canvas *cv, uint32_t colour) {
  size_t n = (size_t)cv->w * (size_t)cv->h;
  for (size_t i = 0; i < n; i++) {
    cv->rgb[3 * i] = (unsigned char)(colour >> 16);
    cv->rgb[3 * i + 1] = (unsigned char)(colour >> 8);
    cv->rgb[3 * i + 2] = (unsigned char)colour;
  }
}

void mbrl_canvas_rect(mbrl_canvas *cv, double x0, double y0, double x1, double y1, uint32_t colour) {
  double l = px(cv, fmin(x0, x1)), r = px(cv, fmax(x0, x1));
  double t = py(cv, fmax(y0, y1)), b = py(cv, fmin(y0, y1));
  shape s = {RECT, 0.5 * (l + r), 0.5 * (t + b), 0, 0, 0.5 * (r - l), 0.5 * (b - t)};
  fill(cv, &s, l, t, r, b, colour);
}

void mbrl_canvas_disc(mbrl_canvas *cv, double x, double y, double r, uint32_t colour) {
  shape s = {DISC, px(cv, x), py(cv, y), 0, 0, r * cv->scale, 0};
  fill(cv, &s, s.ax - s.r, s.ay - s.r, s.ax + s.r, s.ay + s.r, colour);
}

void mbrl_canvas_segment(mbrl_canvas *cv, double x0, double y0, double x1, double y1, double width,
                         uint32_t colour) {
  shape s = {SEGMENT, px(cv, x0), py(cv, y0), px(cv, x1), py(cv, y1), 0.5 * width * cv->scale, 0};
  fill(cv, &s, fmin(s.ax, s.bx) - s.r, fmin(s.ay, s.by) - s.r, fmax(s.ax, s.bx) + s.r,
       fmax(s.ay, s.by) + s.r, colour);
}
