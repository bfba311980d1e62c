#ifndef CCairo_SHIM_H
#define CCairo_SHIM_H
/* cairo with its PDF surface and FreeType font faces: the printed documents of the counter
 * (receipts, reports) are PDFs drawn with the same FreeType font chain as the card face. */
#include <cairo.h>
#include <cairo-pdf.h>
#include <cairo-ft.h>
#endif
