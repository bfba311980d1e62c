#ifndef CJPEG_SHIM_H
#define CJPEG_SHIM_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <jpeglib.h>

/* libjpeg reports a fatal error by calling error_exit, which must not return: the only way
 * out is longjmp, which Swift cannot take part in. So every libjpeg call sequence lives in one
 * C function here that sets the jump point, and returns a CJPEG_result code instead. */

enum {
    CJPEG_OK = 0,
    /* libjpeg refused the data (not a JPEG, corrupt header, unsupported colour space …). */
    CJPEG_ERROR = 1,
    /* The data decoded only with warnings: truncated ("Premature end of JPEG file") or corrupt
     * entropy data. libjpeg fills the rest with grey; the caller must not use the picture. */
    CJPEG_CORRUPT = 2,
    /* Wider or taller than the caller's limit (checked on the header, before decoding). */
    CJPEG_TOO_LARGE = 3,
    /* Out of memory. */
    CJPEG_NO_MEMORY = 4,
    /* The header was read; the caller makes room for the picture (CJPEG_decodeRGBInto). */
    CJPEG_NEEDS_ROOM = 5,
};

typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
} CJPEG_ErrorManager;

static inline void CJPEG_errorExit(j_common_ptr cinfo) {
    CJPEG_ErrorManager *manager = (CJPEG_ErrorManager *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, manager->message);
    longjmp(manager->jump, 1);
}

/* Warnings (level −1) are counted and the first one kept; trace messages are dropped.
 * Nothing is printed to stderr. */
static inline void CJPEG_emitMessage(j_common_ptr cinfo, int level) {
    CJPEG_ErrorManager *manager = (CJPEG_ErrorManager *)cinfo->err;
    if (level < 0) {
        if (cinfo->err->num_warnings == 0) (*cinfo->err->format_message)(cinfo, manager->message);
        cinfo->err->num_warnings++;
    }
}

static inline void CJPEG_outputMessage(j_common_ptr cinfo) { (void)cinfo; }

static inline void CJPEG_copyMessage(const CJPEG_ErrorManager *manager, char *message, size_t messageSize) {
    if (message && messageSize > 0) {
        strncpy(message, manager->message, messageSize - 1);
        message[messageSize - 1] = 0;
    }
}

/* Decodes the JPEG `data[0..<size]` to 8-bit RGB, row-major, no padding, straight into the
 * caller's `rgb` of `capacity` bytes. Called with `rgb` NULL it reads the header only and
 * returns CJPEG_NEEDS_ROOM with `*width`/`*height` set: the caller then makes room for
 * `*width × *height × 3` bytes and calls again (no second buffer, no copy). A picture wider
 * than `maxWidth` or taller than `maxHeight` is refused from its header (CJPEG_TOO_LARGE,
 * `*width`/`*height` set); one that does not fit `capacity` is CJPEG_ERROR. Other failures
 * leave a message. */
static inline int CJPEG_decodeRGBInto(const unsigned char *data, unsigned long size,
                                      unsigned int maxWidth, unsigned int maxHeight,
                                      unsigned char *rgb, size_t capacity, unsigned int *width, unsigned int *height,
                                      char *message, size_t messageSize) {
    struct jpeg_decompress_struct cinfo;
    CJPEG_ErrorManager manager;
    memset(&manager, 0, sizeof manager);
    *width = 0;
    *height = 0;
    cinfo.err = jpeg_std_error(&manager.base);
    manager.base.error_exit = CJPEG_errorExit;
    manager.base.emit_message = CJPEG_emitMessage;
    manager.base.output_message = CJPEG_outputMessage;
    if (setjmp(manager.jump)) {
        CJPEG_copyMessage(&manager, message, messageSize);
        jpeg_destroy_decompress(&cinfo);
        return CJPEG_ERROR;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, size);
    jpeg_read_header(&cinfo, TRUE);
    *width = cinfo.image_width;
    *height = cinfo.image_height;
    if (cinfo.image_width > maxWidth || cinfo.image_height > maxHeight) {
        jpeg_destroy_decompress(&cinfo);
        return CJPEG_TOO_LARGE;
    }
    if (!rgb) {
        jpeg_destroy_decompress(&cinfo);
        return CJPEG_NEEDS_ROOM;
    }
    cinfo.out_color_space = JCS_RGB;
    jpeg_start_decompress(&cinfo);
    size_t stride = (size_t)cinfo.output_width * 3;
    if (cinfo.output_width != *width || cinfo.output_height != *height || stride * cinfo.output_height > capacity) {
        if (message && messageSize > 0) snprintf(message, messageSize, "the picture does not fit the room made for it");
        jpeg_destroy_decompress(&cinfo);
        return CJPEG_ERROR;
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = rgb + stride * cinfo.output_scanline;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    if (manager.base.num_warnings > 0) {
        CJPEG_copyMessage(&manager, message, messageSize);
        jpeg_destroy_decompress(&cinfo);
        return CJPEG_CORRUPT;
    }
    jpeg_destroy_decompress(&cinfo);
    return CJPEG_OK;
}

/* Encodes 8-bit RGB (row-major, no padding) as a baseline JPEG of `quality` (1–100). On
 * CJPEG_OK `*jpeg` is a buffer of `*jpegSize` bytes for the caller to free with CJPEG_free.
 * (Used to make test photos.) */
static inline int CJPEG_encodeRGB(const unsigned char *rgb, unsigned int width, unsigned int height, int quality,
                                  unsigned char **jpeg, unsigned long *jpegSize,
                                  char *message, size_t messageSize) {
    struct jpeg_compress_struct cinfo;
    CJPEG_ErrorManager manager;
    unsigned char *volatile output = NULL;
    unsigned long outputSize = 0;
    memset(&manager, 0, sizeof manager);
    *jpeg = NULL;
    *jpegSize = 0;
    cinfo.err = jpeg_std_error(&manager.base);
    manager.base.error_exit = CJPEG_errorExit;
    manager.base.emit_message = CJPEG_emitMessage;
    manager.base.output_message = CJPEG_outputMessage;
    if (setjmp(manager.jump)) {
        CJPEG_copyMessage(&manager, message, messageSize);
        jpeg_destroy_compress(&cinfo);
        free(output);
        return CJPEG_ERROR;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, (unsigned char **)&output, &outputSize);
    cinfo.image_width = width;
    cinfo.image_height = height;
    cinfo.input_components = 3;
    cinfo.in_color_space = JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality, TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    size_t stride = (size_t)width * 3;
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(rgb + stride * cinfo.next_scanline);
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    *jpeg = output;
    *jpegSize = outputSize;
    return CJPEG_OK;
}

/* Frees a buffer CJPEG_encodeRGB returned. */
static inline void CJPEG_free(void *buffer) { free(buffer); }

#endif
