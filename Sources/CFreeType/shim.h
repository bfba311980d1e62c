#ifndef CFreeType_SHIM_H
#define CFreeType_SHIM_H
#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_OUTLINE_H
#include FT_BITMAP_H
#include FT_GLYPH_H

/* The text of a FreeType error code. Debian builds FreeType without
 * FT_CONFIG_OPTION_ERROR_STRINGS, so FT_Error_String returns NULL; this table is built from
 * FreeType's own fterrors.h list (the documented switch form). */
static inline const char *CFreeType_errorString(FT_Error error) {
#undef FTERRORS_H_
#define FT_ERROR_START_LIST switch (error) {
#define FT_ERRORDEF(e, v, s) case v: return s;
#define FT_ERROR_END_LIST }
#include FT_ERRORS_H
    return "unknown FreeType error";
}

#endif
