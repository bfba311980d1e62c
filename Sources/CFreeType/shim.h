#ifndef CFreeType_SHIM_H
#define CFreeType_SHIM_H
#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_OUTLINE_H
#include FT_BITMAP_H
#endif
