/* A canvas for the 2-D drawings of the pure-C environments: antialiased rectangles, discs and
 * thick segments in world coordinates on an RGB frame, no drawing library needed. */
#ifndef MBRL_ENV_CANVAS_H
#define MBRL_ENV_CANVAS_H

#include <stdint.h>

typedef struct mbrl_canvas mbrl_canvas;

/* Colours are 0xRRGGBB. World y points up; the frame's top row comes first. */
struct mbrl_canvas {
  unsigned char *rgb; /* (h x w x 3) */
  int w, h;
  double scale;       /* pixels per world unit */
  double ox, oy;      /* pixel position of the world origin */
};

/* Fits the world box [x0, x1] x [y0, y1] into the frame, centred, with equal scales on x and y. */
void mbrl_canvas_view(mbrl_canvas *cv, double x0, double x1, double y0, double y1);

/* Fills the whole frame with colour. */
void mbrl_canvas_clear(mbrl_canvas *cv, uint32_t colour);

/* The rectangle [x0, x1] x [y0, y1]. */
void mbrl_canvas_rect(mbrl_canvas *cv, double x0, double y0, double x1, double y1, uint32_t colour);

/* The disc of radius r around (x, y). */
void mbrl_canvas_disc(mbrl_canvas *cv, double x, double y, double r, uint32_t colour);

/* The segment from (x0, y0) to (x1, y1), width wide, with round ends. */
void mbrl_canvas_segment(mbrl_canvas *cv, double x0, double y0, double x1, double y1, double width,
                         uint32_t colour);

#endif
