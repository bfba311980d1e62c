/*
 * abi_fuzz — hostile input for every function of include/SSCardDriver.h, in forked children
 * that are allowed to die: a child killed by a signal is recorded (input, function, signal)
 * and a new child goes on from the next input. Compiled like any caller, against the header
 * and libSSCardDriver.so only (docs/c-abi.md, "Fuzzing the C functions").
 *
 *   abi_fuzz [-n INPUTS] [-s SEED] [-j LANES] [-b BATCH] [-t HANG_SECONDS] [--allow-services]
 *   abi_fuzz --replay INDEX [-s SEED]        runs one input in this process, with its output
 *
 * Input i is a pure function of (SEED, i), so a crash reported for input i reproduces with
 * --replay i. LANES children run side by side (one per core), each over its own slice of the
 * inputs, BATCH inputs per child before a fresh child takes over. Each input is:
 *  - one of the 44 functions, each argument drawn from NULL, empty, seeds of its format
 *    mutated, random bytes, cut or invalid GB18030/UTF-8, over-long text (1 MiB and more),
 *    numbers at the limits (INT_MIN/INT_MAX, 1e300, NaN, 2^63…), output buffers NULL and of
 *    0, 1, small and huge (SIZE_MAX) declared sizes, inside a canary;
 *  - or a configuration (SSCardDriver_Configure with a file, or the SSCARD_DRIVER_CONFIG
 *    search with NULL): random, mutated and structured JSON with values at the limits,
 *    followed by iLoadCard, iReadCardBas and iPrint under it.
 * Before each function input the driver is put back on one of four valid base configurations
 * (defaults; an Escape printer that nobody answers; UTF-8 and millimetres; a province HSM that
 * nobody answers).
 *
 * Checks: no child dies by a signal or exits by itself ("crashes"), no call hangs
 * ("hangs"), every return is ≤ 0, pOutInfo is NUL-terminated inside its declared size and no
 * byte after it is written ("violations"). Prints per-function counts, then
 * "crashes N", "hangs N", "violations N"; exits 0 only when all three are 0.
 *
 * It must not reach real devices or another desk's services: it refuses to run while a pcscd
 * answers or something listens on 127.0.0.1:35970 (vprinter) or :8735 (province-sim), unless
 * --allow-services is given. The base configurations point the printer and the province at
 * port 1 of 127.0.0.1, where nothing answers.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include "SSCardDriver.h"

/* ---------------------------------------------------------------------------------------- */
/* The functions of the header.                                                             */

enum {
    F_iReadCardBas, F_iReadCard, F_iWriteCard, F_iVerifyPIN, F_iChangePIN, F_iReloadPIN, F_iUnblockPIN,
    F_iReadCardBas_HSM_Step1, F_iReadCardBas_HSM_Step2, F_iReadCard_HSM_Step1, F_iReadCard_HSM_Step2,
    F_iWriteCard_HSM_Step1, F_iWriteCard_HSM_Step2, F_iLoadCard, F_iWriteCaStep1, F_iWriteCaStep2, F_iPrint,
    F_iReloadPIN_HSM_Step1, F_iReloadPIN_HSM_Step2, F_iReloadPIN_HSM_Step3,
    F_iUnblockPIN_HSM_Step1, F_iUnblockPIN_HSM_Step2, F_iUnblockPIN_HSM_Step3,
    F_iChangePIN_n, F_iReloadPIN_n, F_iUnblockPIN_n,
    F_iReloadPIN_HSM_Step1_n, F_iReloadPIN_HSM_Step2_n, F_iReloadPIN_HSM_Step3_n,
    F_iUnblockPIN_HSM_Step1_n, F_iUnblockPIN_HSM_Step2_n, F_iUnblockPIN_HSM_Step3_n,
    F_SSCardDriver_SetPINCallback,
    F_iReadCardBas_n, F_iReadCard_n, F_iWriteCard_n, F_iVerifyPIN_n,
    F_iReadCardBas_HSM_Step1_n, F_iReadCardBas_HSM_Step2_n, F_iReadCard_HSM_Step1_n, F_iReadCard_HSM_Step2_n,
    F_iLoadCard_n, F_iWriteCaStep1_n, F_SSCardDriver_Configure,
    NF
};

static const char *const names[NF] = {
    "iReadCardBas", "iReadCard", "iWriteCard", "iVerifyPIN", "iChangePIN", "iReloadPIN", "iUnblockPIN",
    "iReadCardBas_HSM_Step1", "iReadCardBas_HSM_Step2", "iReadCard_HSM_Step1", "iReadCard_HSM_Step2",
    "iWriteCard_HSM_Step1", "iWriteCard_HSM_Step2", "iLoadCard", "iWriteCaStep1", "iWriteCaStep2", "iPrint",
    "iReloadPIN_HSM_Step1", "iReloadPIN_HSM_Step2", "iReloadPIN_HSM_Step3",
    "iUnblockPIN_HSM_Step1", "iUnblockPIN_HSM_Step2", "iUnblockPIN_HSM_Step3",
    "iChangePIN_n", "iReloadPIN_n", "iUnblockPIN_n",
    "iReloadPIN_HSM_Step1_n", "iReloadPIN_HSM_Step2_n", "iReloadPIN_HSM_Step3_n",
    "iUnblockPIN_HSM_Step1_n", "iUnblockPIN_HSM_Step2_n", "iUnblockPIN_HSM_Step3_n",
    "SSCardDriver_SetPINCallback",
    "iReadCardBas_n", "iReadCard_n", "iWriteCard_n", "iVerifyPIN_n",
    "iReadCardBas_HSM_Step1_n", "iReadCardBas_HSM_Step2_n", "iReadCard_HSM_Step1_n", "iReadCard_HSM_Step2_n",
    "iLoadCard_n", "iWriteCaStep1_n", "SSCardDriver_Configure",
};

/* What each string argument is, so its seeds are of the right format. */
enum kind { K_CARDINFO, K_FILEADDR, K_WRITEDATA, K_KEY2, K_KEY3, K_CAINFO, K_TEXT, K_PHOTO, K_ANY };

/* ---------------------------------------------------------------------------------------- */
/* Deterministic randomness: SplitMix64, one stream per input.                              */

typedef struct { uint64_t s; } rng_t;

static uint64_t next64(rng_t *r) {
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
static size_t below(rng_t *r, size_t n) { return n ? (size_t)(next64(r) % n) : 0; }
static int chance(rng_t *r, unsigned percent) { return below(r, 100) < percent; }
#define PICK(r, array) (array[below(r, sizeof(array) / sizeof(array[0]))])

/* ---------------------------------------------------------------------------------------- */
/* Byte strings.                                                                            */

typedef struct { char *p; size_t n, cap; } buf_t;

static void put(buf_t *b, const char *s, size_t n) {
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p) { perror("realloc"); _exit(70); }
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}
static void puts0(buf_t *b, const char *s) { put(b, s, strlen(s)); }
static char *finish(buf_t *b) { if (!b->p) puts0(b, ""); return b->p; }

/* Tokens that trip parsers: separators, hex, numbers at the limits, GB18030 and UTF-8 whole,
 * cut and invalid. Strings with embedded NULs would end early, so there are none. */
static const char *const tokens[] = {
    "|", "|", "$", "$", "||", "|$", "0", "9", "A", "F", "a", "f", "G", "x", " ", "\t", "\n", "\x7F", "\x01",
    "SSSEEF05", "SSSEEF06", "SSSEEF07", "SSSE", "EF", "01", "07", "FF", "00112233445566778899AABBCCDDEEFF",
    "-1", "-0", "1e300", "-1e300", "1e-300", "nan", "inf", "9223372036854775807", "9223372036854775808",
    "-9223372036854775808", "18446744073709551616", "2147483648", "4.9e-324", "1.7976931348623157e308",
    "\xD5\xC5\xC8\xFD",                 /* 张三 in GB18030 */
    "\xE5\xBC\xA0\xE4\xB8\x89",         /* 张三 in UTF-8 */
    "\x95\x32\x82\x36",                 /* U+20000 in GB18030 */
    "\x81\x30\x81\x30",                 /* U+0080 in GB18030 */
    "\xFE\x39\xFE\x39",                 /* beyond U+10FFFF in GB18030 */
    "\x84\x31\xA4\x39",                 /* U+FFFF in GB18030 */
    "\xAA\xA1",                         /* user-defined (private use) area */
    "\x81", "\x81\x30", "\x81\x30\x81", /* cut sequences */
    "\xFF", "\x80", "\xC0\x80", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE4\xB8", /* bad UTF-8 */
    "\xEF\xBB\xBF", "\xE2\x80\x8B", "\xCC\x81", "\xF0\xAE\xAF\xB0", "\xEE\x80\x80", /* BOM, ZWSP, combining, Ext F, PUA */
    "[CHUI]", "%s%n", "\\", "\"", "{", "}", "=",
};

static const char *const numbers[] = {
    "0", "1", "9", "8.5", "10", "72", "72.5", "73", "0.5", "-0", "-1", "-1e-300", "1e300", "1e-300",
    "4.9e-324", "1.7976931348623157e308", "1e309", "inf", "-inf", "nan", "NaN", "+5", "0x10", "1_0",
    " 10 ", "", "9223372036854775807", "-9223372036854775808", "18446744073709551616", "100", "320",
    "180", "330", "1011", "1011.1", "637", "637.6", "638", "1016", "648", "2000", "46", "127", "234",
    "300", "999999999", "2147483647", "-2147483648", "3.4e38", "1e-7", "85.6", "53.98",
};

static const int limits[] = {
    0, 1, 2, 3, 4, 5, 6, 9, 10, -1, -2, -31, 100, 255, 256, 65535, 65536, INT_MAX, INT_MIN, INT_MAX - 1, INT_MIN + 1,
};

static const char jpeg_base64[] =
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/"
    "2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAAQAAwDASIAAhEBAxEB/8QA"
    "HwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkK"
    "FhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXG"
    "x8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAEC"
    "AxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOE"
    "hYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDAtbLpxWpH"
    "ZfIOKv2tl04rVjsvkHFVWxWprl2N93c//9k=";

/* A self-signed P-256 certificate (any certificate will do: the CA items are parsed first). */
static const char cert_base64[] =
    "MIIBdDCCARmgAwIBAgIUckNf70ZvUJt5t3YKQ6ZYZ0qq0RwwCgYIKoZIzj0EAwIwDzENMAsGA1UEAwwEZnV6ejAeFw0yNjEyMDYwNjQ3NDBaFw0yNjEyMDcw"
    "NjQ3NDBaMA8xDTALBgNVBAMMBGZ1enowWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQBLZN0WO6MfAFNVA3X8NTOHh7S2jqaAQdjeir9jmO7JQx1GrxgP4k0"
    "rwCwV80hqQTE1CTHZicfHvSYwsv27B3jo1MwUTAdBgNVHQ4EFgQUnHjwxNdXDoNHLj5nD5s2onMAG30wHwYDVR0jBBgwFoAUnHjwxNdXDoNHLj5nD5s2onMA"
    "G30wDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBGAiEAtnyuHQbpWCE3XrQegp44jiIjb0w4eQ+wVYJvHSk4NP4CIQDJXEmVeo0h5/SBUDaTFYc6"
    "k4Gzeire3hwrA77vR24MaA==";

/* The same certificate with its version INTEGER widened to 2^63 − 1. */
static const char cert_huge_version_base64[] =
    "MIIBezCCASCgCgIIf/////////8CFHJDX+9Gb1Cbebd2CkOmWGdKqtEcMAoGCCqGSM49BAMCMA8xDTALBgNVBAMMBGZ1enowHhcNMjYxMjA2MDY0NzQwWhcN"
    "MjYxMjA3MDY0NzQwWjAPMQ0wCwYDVQQDDARmdXp6MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEAS2TdFjujHwBTVQN1/DUzh4e0to6mgEHY3oq/Y5juyUM"
    "dRq8YD+JNK8AsFfNIakExNQkx2YnHx70mMLL9uwd46NTMFEwHQYDVR0OBBYEFJx48MTXVw6DRy4+Zw+bNqJzABt9MB8GA1UdIwQYMBaAFJx48MTXVw6DRy4+"
    "Zw+bNqJzABt9MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSQAwRgIhALZ8rh0G6VghN160HoKeOI4iI29MOHkPsFWCbx0pODT+AiEAyVxJlXqNIef0"
    "gVA2kxWHOpOBs3oq3t4cKwO+70duDGg=";

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t unbase64(const char *text, unsigned char *out, size_t cap) {
    size_t n = 0;
    unsigned value = 0;
    int bits = 0;
    for (const char *p = text; *p && *p != '='; p++) {
        const char *at = strchr(b64chars, *p);
        if (!at) continue;
        value = (value << 6) | (unsigned)(at - b64chars);
        bits += 6;
        if (bits >= 8 && n < cap) { bits -= 8; out[n++] = (unsigned char)(value >> bits); }
    }
    return n;
}

static void put_base64(buf_t *b, const unsigned char *data, size_t n) {
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)data[i] << 16 | (i + 1 < n ? (unsigned)data[i + 1] << 8 : 0) | (i + 2 < n ? data[i + 2] : 0);
        char quad[4] = { b64chars[v >> 18 & 63], b64chars[v >> 12 & 63], i + 1 < n ? b64chars[v >> 6 & 63] : '=', i + 2 < n ? b64chars[v & 63] : '=' };
        put(b, quad, 4);
    }
}

/* A certificate for a CA item: as it is, with a 2^63 − 1 version, or its DER mutated (bytes set
 * to the values ASN.1 lengths and integers trip on, deleted, inserted, cut) and re-encoded. */
static void put_certificate(rng_t *r, buf_t *b) {
    size_t roll = below(r, 100);
    if (roll < 30) { puts0(b, cert_base64); return; }
    if (roll < 40) { puts0(b, cert_huge_version_base64); return; }
    unsigned char der[600];
    size_t n = unbase64(roll < 70 ? cert_base64 : cert_huge_version_base64, der, sizeof der - 16);
    for (size_t k = 0, rounds = 1 + below(r, 4); k < rounds && n > 0; k++) {
        size_t at = below(r, n);
        static const unsigned char values[] = { 0x00, 0x01, 0x7F, 0x80, 0x81, 0x82, 0x84, 0xFF, 0x02, 0x30, 0xA0 };
        switch (below(r, 5)) {
        case 0: case 1: der[at] = chance(r, 70) ? PICK(r, values) : (unsigned char)next64(r); break;
        case 2: memmove(der + at, der + at + 1, n - at - 1); n--; break;
        case 3: memmove(der + at + 1, der + at, n - at); der[at] = PICK(r, values); n++; break;
        default: n = at + 1; break;
        }
    }
    put_base64(b, der, n);
}

static const char *const cardinfo_seeds[] = {
    "411600D156000005C38275EEFC9B9648|SIM000001|", "639900D15600000500BF7C7A48FB4966|X00000019|",
    "520300d156000005050842704e187f49|BA0010547|", "|", "411600D156000005C38275EEFC9B9648|", "ZZ|Z|",
};
static const char *const fileaddr_seeds[] = {
    "SSSEEF05|01|07|$SSSEEF06|08|09|$", "SSSEEF05|06|07|$", "SSSEEF06|08|09|4E|0A|0B|0C|0D|$", "SSSEEF07|FF|$",
    "SSSEEF05|$", "$", "SSSEEF0Z|01|$",
};
static const char *const writedata_seeds[] = {
    "SSSEEF06|110101199003077777|\xD5\xC5\xC8\xFD||1|02|520102|19850602|$", "SSSEEF05|01|02|$",
    "SSSEEF06|110101199003077777|\xE5\xBC\xA0\xE4\xB8\x89||9|02|520102|19991231|$", "SSSEEF06|||||||$",
};
static const char *const key2_seeds[] = {
    "00112233445566778899AABBCCDDEEFF|00112233445566778899AABBCCDDEEFF|", "00112233445566778899AABBCCDDEEFF|",
    "0011|2233|", "||", "GG112233445566778899AABBCCDDEEFF|00112233445566778899AABBCCDDEEFF|",
};
static const char *const key3_seeds[] = { "12345678|", "00112233445566778899AABBCCDDEEFF|", "1234567|", "|", "ZZZZZZZZ|" };
static const char *const text_seeds[] = {
    "ABC|SimSun|9|100|10", "\xD0\xD5\xC3\xFB  \xD5\xC5\xC8\xFD|\xCB\xCE\xCC\xE5|8.5|320|180", "ABC|SimSun|9|1e300|10",
    "ABC|SimSun|9|10|1e300", "ABC|SimSun|9|9223372036854775807|10", "ABC|x|72|0|0", "|SimSun|9|0|0",
    "\xE5\xBC\xA0\xE4\xB8\x89|SimSun|8.5|320|180", "A|B|C|D|E", "ABC|SimSun|9|1011|637",
};
static const char *const fonts[] = { "SimSun", "\xCB\xCE\xCC\xE5", "", "x", "\xCB\xCE\xCC\xE5-18030" };
static const char *const print_texts[] = {
    "ABC", "\xD5\xC5\xC8\xFD", "\xE5\xBC\xA0\xE4\xB8\x89", "\xD0\xD5\xC3\xFB  \xD5\xC5\xC8\xFD", "[CHUI]",
    "\x81\x30\x81\x30", "\x95\x32\x82\x36", "\xFE\x39\xFE\x39", "\xAA\xA1", "\t", "$", "", "1", " ",
    "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW",
};

/* Seeds of `kind`, mutated: deletes, inserted tokens, replaced bytes, duplicated or cut
 * stretches, digit runs replaced by limit numbers. */
static void mutate(rng_t *r, buf_t *b) {
    size_t rounds = 1 + below(r, 6);
    for (size_t k = 0; k < rounds; k++) {
        size_t at = below(r, b->n + 1);
        switch (below(r, 7)) {
        case 0: if (b->n) { memmove(b->p + at, b->p + at + (at < b->n), b->n - at - (at < b->n)); b->n -= (at < b->n); b->p[b->n] = 0; } break;
        case 1: case 2: {
            const char *t = PICK(r, tokens);
            buf_t tail = {0};
            put(&tail, b->p + at, b->n - at);
            b->n = at;
            puts0(b, t);
            put(b, tail.p, tail.n);
            free(tail.p);
            break;
        }
        case 3: if (at < b->n) { char c = (char)(1 + below(r, 255)); b->p[at] = c; } break;
        case 4: if (b->n && b->n < 4096) { size_t from = below(r, b->n), len = 1 + below(r, b->n - from); buf_t piece = {0};
                    put(&piece, b->p + from, len); put(b, piece.p, piece.n); free(piece.p); } break;
        case 5: if (at < b->n) { b->n = at; b->p[at] = 0; } break;
        default: {
            /* the next run of digits (or the end) becomes a limit number */
            size_t s = at; while (s < b->n && !(b->p[s] >= '0' && b->p[s] <= '9')) s++;
            size_t e = s; while (e < b->n && ((b->p[e] >= '0' && b->p[e] <= '9') || b->p[e] == '.')) e++;
            buf_t tail = {0};
            put(&tail, b->p + e, b->n - e);
            b->n = s;
            puts0(b, PICK(r, numbers));
            put(b, tail.p, tail.n);
            free(tail.p);
        }
        }
    }
}

static char huge_text[(1 << 20) + 64];   /* 1 MiB + 63 'A's: over the limit */
static char max_text[(1 << 20) + 1];     /* exactly 1 MiB: the longest accepted */

static const char *seed_of(rng_t *r, enum kind kind, buf_t *b) {
    char ca[2048];
    switch (kind) {
    case K_CARDINFO: return PICK(r, cardinfo_seeds);
    case K_FILEADDR: return PICK(r, fileaddr_seeds);
    case K_WRITEDATA: return PICK(r, writedata_seeds);
    case K_KEY2: return PICK(r, key2_seeds);
    case K_KEY3: return PICK(r, key3_seeds);
    case K_CAINFO:
        put_certificate(r, b);
        puts0(b, "|");
        if (chance(r, 70)) put_certificate(r, b);
        snprintf(ca, sizeof ca, "|%s|00112233445566778899AABBCCDDEEFF|12345678%s", chance(r, 50) ? "0A0B0C" : "", chance(r, 50) ? "|" : "");
        puts0(b, ca);
        return NULL;
    case K_TEXT: return PICK(r, text_seeds);
    case K_PHOTO: {
        const char *boxes[] = { "|46|127|234|300", "|0|0|1|1", "|760|280|150|150", "|900|500|234|300", "|46|127|0|300",
                                "|46|127|1e300|300", "|1e300|0|1|1", "|46|127|234|nan" };
        puts0(b, jpeg_base64);
        puts0(b, PICK(r, boxes));
        return NULL;
    }
    default: return PICK(r, tokens);
    }
}

/* Kind of a string argument: NULL, empty, seed (mutated or not), random bytes, tokens,
 * long, over-long. Returns NULL for a NULL argument. */
static char *gen_string(rng_t *r, enum kind kind, int *owned) {
    buf_t b = {0};
    *owned = 1;
    size_t roll = below(r, 10000);
    if (roll < 400) { *owned = 0; return NULL; }
    if (roll < 1000) return finish(&b);
    if (roll < 1003) { *owned = 0; return huge_text; }
    if (roll < 1006) { *owned = 0; return max_text; }
    if (roll < 6000) {
        const char *s = seed_of(r, kind, &b);
        if (s) puts0(&b, s);
        if (chance(r, 80)) mutate(r, &b);
        return finish(&b);
    }
    if (roll < 7500) {
        size_t n = below(r, 200);
        for (size_t i = 0; i < n; i++) { char c = (char)(1 + below(r, 255)); put(&b, &c, 1); }
        return finish(&b);
    }
    if (roll < 9900) {
        size_t n = 1 + below(r, 12);
        for (size_t i = 0; i < n; i++) puts0(&b, PICK(r, tokens));
        return finish(&b);
    }
    /* long: a token repeated to 1–64 KiB */
    const char *t = PICK(r, tokens);
    size_t want = 1024 + below(r, 64 * 1024);
    while (b.n < want) puts0(&b, t[0] ? t : "A");
    return finish(&b);
}

/* An iPrint item: structured `data|font|size|left|top` (text) or `base64|left|top|width|height`
 * (photo) with numbers at the limits, a seed mutated, or any string. */
static char *gen_item(rng_t *r, int photo, int *owned) {
    size_t roll = below(r, 100);
    *owned = 1;
    if (roll < 25) { *owned = 0; return NULL; }
    if (roll < 35) { buf_t b = {0}; return finish(&b); }
    if (roll < 80) {
        buf_t b = {0};
        size_t fields = chance(r, 90) ? 5 : below(r, 8);
        for (size_t f = 0; f < fields; f++) {
            if (f) puts0(&b, "|");
            if (f == 0) {
                if (photo) {
                    size_t p = below(r, 6);
                    if (p < 3) puts0(&b, jpeg_base64);
                    else if (p == 3) put(&b, jpeg_base64, below(r, sizeof jpeg_base64));
                    else if (p == 4) puts0(&b, "iVBORw0KGgo=");
                    else puts0(&b, "QUJD");
                } else {
                    puts0(&b, PICK(r, print_texts));
                }
            } else if (f == 1 && !photo) {
                puts0(&b, PICK(r, fonts));
            } else {
                puts0(&b, PICK(r, numbers));
            }
        }
        if (chance(r, 15)) mutate(r, &b);
        return finish(&b);
    }
    if (roll < 95) {
        buf_t b = {0};
        const char *s = seed_of(r, photo ? K_PHOTO : K_TEXT, &b);
        if (s) puts0(&b, s);
        mutate(r, &b);
        return finish(&b);
    }
    return gen_string(r, K_ANY, owned);
}

/* ---------------------------------------------------------------------------------------- */
/* Configuration files.                                                                     */

static const char *const cfg_seeds[] = {
    "{}",
    "{\"contactReader\":\"Virtual PCD 00 00\",\"stringEncoding\":\"gb18030\",\"cardTimeoutSeconds\":10,\"printUnits\":\"dot300\","
    "\"hoppers\":{\"ICBC\":1,\"CCB\":2},\"printer\":{\"kind\":\"escape-tcp\",\"escapePort\":1,\"hopperCount\":2,\"virtualEncoderSlot\":0},"
    "\"fontChain\":[{\"path\":\"/usr/share/fonts/truetype/babelstone/BabelStoneHan.ttf\",\"faceIndex\":0}]}",
    "{\"printer\":{\"kind\":\"evolis-usb\",\"usbVendorID\":\"0f49\",\"usbProductID\":\"1001\",\"hopperCount\":1},\"stringEncoding\":\"utf8\"}",
    "{\"securityModule\":\"none\",\"province\":{\"url\":\"http://127.0.0.1:1\",\"terminal\":\"SSDESK000001\",\"timeoutSeconds\":1},\"printUnits\":\"mm\"}",
    "{\"fontChain\":[],\"printer\":{\"kind\":\"escape-tcp\",\"escapePort\":1}}",
    "{\"printer\":{\"kind\":\"virtual\",\"virtualEncoderSlot\":7}}",
    "{\"printer\":{\"kind\":\"escape-tcp\",\"escapePort\":1,\"hopperCount\":0}}",
};

static const char *const json_ints[] = {
    "0", "1", "2", "9", "10", "-1", "7", "2147483647", "2147483648", "-2147483649", "9223372036854775807",
    "9223372036854775808", "-9223372036854775808", "1.5", "1e300", "-0", "null", "\"1\"", "true", "[]", "{}", "1e400",
};
static const char *const json_doubles[] = {
    "10", "0", "-1", "600", "600.0001", "1e308", "-1e308", "1e-300", "5e-324", "9223372036854775807",
    "18446744073709551616", "1e400", "\"10\"", "null", "true", "0.001", "1",
};
static const char *const json_strings[] = {
    "\"\"", "\"Virtual PCD 00 00\"", "\"x\"", "null", "1", "[]", "\"\\u0000\"", "\"\\ud800\"", "\"\xE5\xBC\xA0\"", "\"\xFF\"",
};
static const char *const json_urls[] = {
    "\"http://127.0.0.1:1\"", "\"http://[::1]:1\"", "\"https://127.0.0.1:1\"", "\"http://\"", "\"ftp://127.0.0.1\"",
    "\"http://127.0.0.1:0\"", "\"http://127.0.0.1:99999\"", "\"\"", "\"not a url\"", "\"http://127.0.0.1:1/p?q\"", "1", "null",
};
static const char *const json_hosts[] = { "\"127.0.0.1\"", "\"::1\"", "\"\"", "\"127.0.0.1:5\"", "null", "1" };
static const char *const json_ports[] = { "0", "1", "9", "-1", "65536", "70000", "1e10", "\"1\"", "1.5" };
static const char *const json_hex[] = {
    "\"0f49\"", "\"1001\"", "\"\"", "\"zz\"", "\"10000\"", "\"-1\"", "\"0x0f49\"", "\"FFFF\"", "\"ffff0\"", "\"0\"", "1", "null",
};
static const char *const json_paths[] = {
    "\"/usr/share/fonts/truetype/babelstone/BabelStoneHan.ttf\"", "\"/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc\"",
    "\"/nonexistent.ttf\"", "\"\"", "\"/dev/null\"", "\"/etc/passwd\"", "\"/tmp\"", "1", "null",
};

static void json_key(buf_t *b, int *first, const char *key) {
    if (!*first) puts0(b, ",");
    *first = 0;
    puts0(b, "\"");
    puts0(b, key);
    puts0(b, "\":");
}

/* A configuration with a random subset of the keys, each valid or not. */
static void structured_config(rng_t *r, buf_t *b) {
    int first = 1;
    puts0(b, "{");
    if (chance(r, 30)) { json_key(b, &first, "contactReader"); puts0(b, PICK(r, json_strings)); }
    if (chance(r, 20)) { json_key(b, &first, "contactlessReader"); puts0(b, PICK(r, json_strings)); }
    if (chance(r, 30)) {
        const char *enc[] = { "\"gb18030\"", "\"utf8\"", "\"UTF-8\"", "\"\"", "0", "null" };
        json_key(b, &first, "stringEncoding"); puts0(b, PICK(r, enc));
    }
    if (chance(r, 40)) { json_key(b, &first, "cardTimeoutSeconds"); puts0(b, PICK(r, json_doubles)); }
    if (chance(r, 30)) {
        const char *sm[] = { "\"none\"", "\"province\"", "\"simulated\"", "\"psam\"", "1" };
        json_key(b, &first, "securityModule"); puts0(b, PICK(r, sm));
    }
    if (chance(r, 30)) {
        json_key(b, &first, "province");
        if (chance(r, 10)) puts0(b, PICK(r, json_strings));
        else {
            const char *terminals[] = { "\"SSDESK000001\"", "\"\"", "\"SSDESK00000\"", "\"SSDESK0000011\"", "\"\xE5\xBC\xA0\"", "1" };
            int f = 1;
            puts0(b, "{");
            if (chance(r, 90)) { json_key(b, &f, "url"); puts0(b, PICK(r, json_urls)); }
            if (chance(r, 50)) { json_key(b, &f, "timeoutSeconds"); puts0(b, PICK(r, json_doubles)); }
            if (chance(r, 50)) { json_key(b, &f, "terminal"); puts0(b, PICK(r, terminals)); }
            puts0(b, "}");
        }
    }
    if (chance(r, 70)) {
        json_key(b, &first, "printer");
        if (chance(r, 5)) puts0(b, PICK(r, json_strings));
        else {
            const char *kinds[] = { "\"escape-tcp\"", "\"escape-tcp\"", "\"evolis-usb\"", "\"none\"", "\"virtual\"", "\"laser\"", "1" };
            int f = 1;
            puts0(b, "{");
            if (chance(r, 90)) { json_key(b, &f, "kind"); puts0(b, PICK(r, kinds)); }
            if (chance(r, 50)) { json_key(b, &f, "hopperCount"); puts0(b, PICK(r, json_ints)); }
            if (chance(r, 30)) { json_key(b, &f, "escapeHost"); puts0(b, PICK(r, json_hosts)); }
            json_key(b, &f, "escapePort"); puts0(b, PICK(r, json_ports));   /* never the default 35970 */
            if (chance(r, 30)) { json_key(b, &f, "usbVendorID"); puts0(b, PICK(r, json_hex)); }
            if (chance(r, 30)) { json_key(b, &f, "usbProductID"); puts0(b, PICK(r, json_hex)); }
            if (chance(r, 20)) { json_key(b, &f, "encoderReader"); puts0(b, PICK(r, json_strings)); }
            if (chance(r, 40)) { json_key(b, &f, "virtualEncoderSlot"); puts0(b, PICK(r, json_ints)); }
            puts0(b, "}");
        }
    }
    if (chance(r, 30)) {
        json_key(b, &first, "hoppers");
        if (chance(r, 20)) puts0(b, PICK(r, json_strings));
        else {
            int f = 1;
            puts0(b, "{");
            for (size_t i = 0, n = below(r, 4); i < n; i++) {
                const char *banks[] = { "ICBC", "", "\xE5\xBC\xA0", "CCB" };
                json_key(b, &f, PICK(r, banks)); puts0(b, PICK(r, json_ints));
            }
            puts0(b, "}");
        }
    }
    if (chance(r, 40)) {
        json_key(b, &first, "fontChain");
        if (chance(r, 15)) puts0(b, PICK(r, json_strings));
        else {
            puts0(b, "[");
            for (size_t i = 0, n = below(r, 4); i < n; i++) {
                int f = 1;
                if (i) puts0(b, ",");
                puts0(b, "{");
                if (chance(r, 90)) { json_key(b, &f, "path"); puts0(b, PICK(r, json_paths)); }
                if (chance(r, 50)) { json_key(b, &f, "faceIndex"); puts0(b, PICK(r, json_ints)); }
                puts0(b, "}");
            }
            puts0(b, "]");
        }
    }
    if (chance(r, 30)) {
        const char *units[] = { "\"dot300\"", "\"0.1mm\"", "\"mm\"", "\"inch\"", "1", "null" };
        json_key(b, &first, "printUnits"); puts0(b, PICK(r, units));
    }
    if (chance(r, 10)) { json_key(b, &first, "unknownKey"); puts0(b, PICK(r, json_ints)); }
    puts0(b, "}");
}

/* ---------------------------------------------------------------------------------------- */
/* Inputs.                                                                                  */

enum { CB_NONE, CB_OK, CB_FILL, CB_CANCEL, CB_TIMEOUT, CB_ODD, CB_GARBAGE, CB_COUNT };
enum { PATH_FILE, PATH_ENV, PATH_NULL_DEFAULT, PATH_MISSING, PATH_DIRECTORY, PATH_EMPTY, PATH_LONG, PATH_BADUTF8, PATH_DEVNULL };

#define NBASE 4
typedef struct {
    uint64_t index;
    int fn;
    int base;                 /* base configuration in force for a function input */
    int ints[2];
    char *s[8];
    int owned[8];
    int ns;
    int out_null;
    size_t out_size;          /* the size declared to an _n function (1024 for the others) */
    size_t alloc;             /* bytes really there before the canary */
    int callback;             /* SSCardDriver_SetPINCallback */
    int with_context;
    int path_kind;            /* SSCardDriver_Configure */
    buf_t config;
    int probe_print;
} input_t;

static int is_n(int fn) {
    return (fn >= F_iChangePIN_n && fn <= F_iUnblockPIN_HSM_Step3_n) || (fn >= F_iReadCardBas_n && fn <= F_SSCardDriver_Configure);
}

static void gen_input(uint64_t seed, uint64_t index, input_t *in) {
    rng_t r = { seed * 0x2545F4914F6CDD1DULL ^ (index + 1) * 0x9E3779B97F4A7C15ULL };
    next64(&r);
    memset(in, 0, sizeof *in);
    in->index = index;
    in->fn = (int)below(&r, NF);
    /* the printer's configurations twice as often: iLoadCard and iPrint need one */
    static const int bases[] = { 0, 1, 1, 2, 2, 3 };
    in->base = PICK(&r, bases);
    for (int i = 0; i < 2; i++) in->ints[i] = chance(&r, 80) ? PICK(&r, limits) : (int)next64(&r);
    static const size_t sizes[] = { 0, 1, 2, 3, 5, 8, 16, 64, 1024, 1024, 1024, SIZE_MAX, (size_t)1 << 63, 1025, 4096 };
    in->alloc = 1024;
    in->out_size = 1024;
    if (is_n(in->fn)) {
        in->out_size = chance(&r, 25) ? below(&r, 40) : PICK(&r, sizes);
        if (in->out_size > 1024 && in->out_size <= 4096) in->alloc = in->out_size;   /* a true larger buffer */
    }
    in->out_null = chance(&r, 3);
    static const enum kind kinds[NF][3] = {
        [F_iReadCard] = { K_CARDINFO, K_FILEADDR }, [F_iWriteCard] = { K_CARDINFO, K_FILEADDR, K_WRITEDATA },
        [F_iReloadPIN] = { K_CARDINFO }, [F_iUnblockPIN] = { K_CARDINFO },
        [F_iReadCardBas_HSM_Step2] = { K_KEY2 }, [F_iReadCard_HSM_Step1] = { K_CARDINFO, K_FILEADDR },
        [F_iReadCard_HSM_Step2] = { K_KEY2 }, [F_iWriteCard_HSM_Step1] = { K_CARDINFO, K_FILEADDR },
        [F_iWriteCard_HSM_Step2] = { K_KEY2, K_WRITEDATA }, [F_iWriteCaStep2] = { K_CAINFO },
        [F_iReloadPIN_HSM_Step1] = { K_CARDINFO }, [F_iReloadPIN_HSM_Step2] = { K_KEY2 }, [F_iReloadPIN_HSM_Step3] = { K_KEY3 },
        [F_iUnblockPIN_HSM_Step1] = { K_CARDINFO }, [F_iUnblockPIN_HSM_Step2] = { K_KEY2 }, [F_iUnblockPIN_HSM_Step3] = { K_KEY3 },
        [F_iReloadPIN_n] = { K_CARDINFO }, [F_iUnblockPIN_n] = { K_CARDINFO },
        [F_iReloadPIN_HSM_Step1_n] = { K_CARDINFO }, [F_iReloadPIN_HSM_Step2_n] = { K_KEY2 }, [F_iReloadPIN_HSM_Step3_n] = { K_KEY3 },
        [F_iUnblockPIN_HSM_Step1_n] = { K_CARDINFO }, [F_iUnblockPIN_HSM_Step2_n] = { K_KEY2 }, [F_iUnblockPIN_HSM_Step3_n] = { K_KEY3 },
        [F_iReadCardBas_HSM_Step2_n] = { K_KEY2 }, [F_iReadCard_n] = { K_CARDINFO, K_FILEADDR },
        [F_iWriteCard_n] = { K_CARDINFO, K_FILEADDR, K_WRITEDATA }, [F_iReadCard_HSM_Step1_n] = { K_CARDINFO, K_FILEADDR },
        [F_iReadCard_HSM_Step2_n] = { K_KEY2 },
    };
    static const int counts[NF] = {
        [F_iReadCard] = 2, [F_iWriteCard] = 3, [F_iReloadPIN] = 1, [F_iUnblockPIN] = 1, [F_iReadCardBas_HSM_Step2] = 1,
        [F_iReadCard_HSM_Step1] = 2, [F_iReadCard_HSM_Step2] = 1, [F_iWriteCard_HSM_Step1] = 2, [F_iWriteCard_HSM_Step2] = 2,
        [F_iWriteCaStep2] = 1, [F_iReloadPIN_HSM_Step1] = 1, [F_iReloadPIN_HSM_Step2] = 1, [F_iReloadPIN_HSM_Step3] = 1,
        [F_iUnblockPIN_HSM_Step1] = 1, [F_iUnblockPIN_HSM_Step2] = 1, [F_iUnblockPIN_HSM_Step3] = 1, [F_iReloadPIN_n] = 1,
        [F_iUnblockPIN_n] = 1, [F_iReloadPIN_HSM_Step1_n] = 1, [F_iReloadPIN_HSM_Step2_n] = 1, [F_iReloadPIN_HSM_Step3_n] = 1,
        [F_iUnblockPIN_HSM_Step1_n] = 1, [F_iUnblockPIN_HSM_Step2_n] = 1, [F_iUnblockPIN_HSM_Step3_n] = 1,
        [F_iReadCardBas_HSM_Step2_n] = 1, [F_iReadCard_n] = 2, [F_iWriteCard_n] = 3, [F_iReadCard_HSM_Step1_n] = 2,
        [F_iReadCard_HSM_Step2_n] = 1,
    };
    if (in->fn == F_iPrint) {
        /* Mostly one or two items among NULL and empty ones, so a hostile item is not hidden
         * behind another item's refusal. */
        in->ns = 8;
        size_t focus = below(&r, 100), chosen = below(&r, 8), second = below(&r, 8);
        for (int i = 0; i < 8; i++) {
            int generated = focus >= 85 || (size_t)i == chosen || (focus >= 60 && (size_t)i == second);
            if (generated) in->s[i] = gen_item(&r, i >= 6, &in->owned[i]);
            else if (chance(&r, 50)) { buf_t b = {0}; in->s[i] = finish(&b); in->owned[i] = 1; }
        }
    } else if (in->fn == F_SSCardDriver_SetPINCallback) {
        in->callback = (int)below(&r, CB_COUNT);
        in->with_context = chance(&r, 50);
    } else if (in->fn == F_SSCardDriver_Configure) {
        size_t p = below(&r, 100);
        in->path_kind = p < 55 ? PATH_FILE : p < 80 ? PATH_ENV : (int)(PATH_NULL_DEFAULT + below(&r, 7));
        size_t how = below(&r, 100);
        if (how < 45) structured_config(&r, &in->config);
        else if (how < 85) {
            if (chance(&r, 50)) structured_config(&r, &in->config); else puts0(&in->config, PICK(&r, cfg_seeds));
            mutate(&r, &in->config);
        } else if (how < 95) {
            puts0(&in->config, PICK(&r, cfg_seeds));
        } else {
            for (size_t i = 0, n = below(&r, 300); i < n; i++) { char c = (char)(1 + below(&r, 255)); put(&in->config, &c, 1); }
            finish(&in->config);
        }
        in->probe_print = chance(&r, 12);
    } else {
        in->ns = counts[in->fn];
        for (int i = 0; i < in->ns; i++) in->s[i] = gen_string(&r, kinds[in->fn][i], &in->owned[i]);
    }
}

static void free_input(input_t *in) {
    for (int i = 0; i < 8; i++) if (in->owned[i]) free(in->s[i]);
    free(in->config.p);
}

static void describe_bytes(FILE *f, const char *s, size_t limit) {
    if (!s) { fputs("NULL", f); return; }
    size_t n = strlen(s);
    fprintf(f, "[%zu]\"", n);
    for (size_t i = 0; i < n && i < limit; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') fputc(c, f); else fprintf(f, "\\x%02X", c);
    }
    fputs(n > limit ? "\"…" : "\"", f);
}

static void describe(FILE *f, const input_t *in) {
    fprintf(f, "%s", names[in->fn]);
    if (in->fn == F_SSCardDriver_Configure) {
        fprintf(f, " path-kind %d config ", in->path_kind);
        describe_bytes(f, in->config.p, 400);
    } else if (in->fn == F_SSCardDriver_SetPINCallback) {
        fprintf(f, " callback %d context %d", in->callback, in->with_context);
    } else {
        fprintf(f, " base %d ints %d %d", in->base, in->ints[0], in->ints[1]);
        for (int i = 0; i < in->ns; i++) { fputc(' ', f); describe_bytes(f, in->s[i], 160); }
    }
    if (in->out_null) fputs(" out NULL", f); else fprintf(f, " outSize %zu", in->out_size);
}

/* ---------------------------------------------------------------------------------------- */
/* Running one input.                                                                       */

struct lane {
    volatile uint64_t current;       /* the input being run */
    volatile uint64_t started;       /* inputs begun in this lane */
    volatile uint64_t heartbeat;     /* changes with every call */
    uint64_t counts[NF];
    uint64_t configurations;
    uint64_t violations;
    uint64_t violation_index[8];
    char violation_text[8][160];
};

static char workdir[64];
static char base_path[NBASE][128];
static char fuzz_path[160];
static struct lane *me;
static int current_base = -1;

static long cb_ok(int p, char *pin, size_t n, void *c) { (void)p; (void)c; snprintf(pin, n, "123456"); return 0; }
static long cb_fill(int p, char *pin, size_t n, void *c) { (void)p; (void)c; memset(pin, '9', n); return 0; }
static long cb_cancel(int p, char *pin, size_t n, void *c) { (void)p; (void)pin; (void)n; (void)c; return -31; }
static long cb_timeout(int p, char *pin, size_t n, void *c) { (void)p; (void)pin; (void)n; (void)c; return -32; }
static long cb_odd(int p, char *pin, size_t n, void *c) { (void)p; (void)pin; (void)n; (void)c; return 12345; }
static long cb_garbage(int p, char *pin, size_t n, void *c) {
    (void)c;
    for (size_t i = 0; i < n; i++) pin[i] = (char)(i * 37 + (size_t)p);
    return 0;
}

static void violation(const char *what) {
    uint64_t k = me->violations++;
    if (k < 8) {
        me->violation_index[k] = me->current;
        snprintf(me->violation_text[k], sizeof me->violation_text[k], "%s", what);
    }
}

static void count(int fn) { me->counts[fn]++; me->heartbeat++; }

/* Runs a function's call on a guarded buffer and checks the result. */
#define CANARY 64
static void check_output(long rc, const char *out, size_t declared, size_t alloc, int out_null, const char *name) {
    char text[160];
    if (rc > 0) { snprintf(text, sizeof text, "%s returned %ld > 0", name, rc); violation(text); }
    if (out_null) return;
    size_t limit = declared < alloc ? declared : alloc;
    for (size_t i = limit; i < alloc + CANARY; i++) {
        if ((unsigned char)out[i] != 0x55) {
            snprintf(text, sizeof text, "%s wrote byte %zu of a buffer declared %zu bytes", name, i, declared);
            violation(text);
            return;
        }
    }
    if (declared > 0 && declared <= alloc && !memchr(out, 0, declared)) {
        snprintf(text, sizeof text, "%s left no NUL inside %zu bytes (code %ld)", name, declared, rc);
        violation(text);
    }
}

static void use_base(int base) {
    if (current_base == base) return;
    char out[SSCARD_OUT_SIZE];
    setenv("SSCARD_DRIVER_CONFIG", base_path[base], 1);
    long rc = SSCardDriver_Configure(base_path[base], out, sizeof out);
    if (rc != 0) {
        fprintf(stderr, "abi_fuzz: the base configuration %s is refused (%ld): %s\n", base_path[base], rc, out);
        _exit(3);
    }
    current_base = base;
}

static void configure(const input_t *in) {
    char out[SSCARD_OUT_SIZE + CANARY];
    char longpath[6000];
    const char *path = fuzz_path;
    FILE *f;
    switch (in->path_kind) {
    case PATH_FILE: case PATH_ENV:
        f = fopen(fuzz_path, "wb");
        if (!f) { perror(fuzz_path); _exit(3); }
        fwrite(in->config.p, 1, in->config.n, f);
        fclose(f);
        if (in->path_kind == PATH_ENV) { setenv("SSCARD_DRIVER_CONFIG", fuzz_path, 1); path = NULL; }
        break;
    case PATH_NULL_DEFAULT: path = NULL; break;
    case PATH_MISSING: path = "/nonexistent/driver.json"; break;
    case PATH_DIRECTORY: path = workdir; break;
    case PATH_EMPTY: path = ""; break;
    case PATH_LONG: memset(longpath, 'a', sizeof longpath - 1); longpath[0] = '/'; longpath[sizeof longpath - 1] = 0; path = longpath; break;
    case PATH_BADUTF8: path = "/tmp/\xFF\xFE\x81\x30.json"; break;
    default: path = "/dev/null"; break;
    }
    char *given = malloc(in->alloc + CANARY);
    if (!given) _exit(70);
    memset(given, 0x55, in->alloc + CANARY);
    count(F_SSCardDriver_Configure);
    me->configurations++;
    long rc = SSCardDriver_Configure(path, in->out_null ? NULL : given, in->out_size);
    check_output(rc, given, in->out_size, in->alloc, in->out_null, "SSCardDriver_Configure");
    free(given);
    current_base = -1;
    /* the configuration in use: the printer, the reader and the face */
    memset(out, 0x55, sizeof out);
    count(F_iLoadCard_n);
    rc = iLoadCard_n(in->index % 3 == 0 ? 0 : 1, out, SSCARD_OUT_SIZE);
    check_output(rc, out, SSCARD_OUT_SIZE, SSCARD_OUT_SIZE, 0, "iLoadCard_n after configuration");
    memset(out, 0x55, sizeof out);
    count(F_iReadCardBas);
    rc = iReadCardBas(1, out);
    check_output(rc, out, SSCARD_OUT_SIZE, SSCARD_OUT_SIZE, 0, "iReadCardBas after configuration");
    if (in->probe_print) {
        memset(out, 0x55, sizeof out);
        count(F_iPrint);
        rc = iPrint(1, (char *)"ABC|SimSun|9|320|180", NULL, NULL, NULL, NULL, NULL, NULL, NULL, out);
        check_output(rc, out, SSCARD_OUT_SIZE, SSCARD_OUT_SIZE, 0, "iPrint after configuration");
    }
}

static long run_function(const input_t *in, char *out) {
    char *const *s = in->s;
    int a = in->ints[0], b = in->ints[1];
    size_t n = in->out_size;
    switch (in->fn) {
    case F_iReadCardBas: return iReadCardBas(a, out);
    case F_iReadCard: return iReadCard(a, b, s[0], s[1], out);
    case F_iWriteCard: return iWriteCard(a, s[0], s[1], s[2], out);
    case F_iVerifyPIN: return iVerifyPIN(a, out);
    case F_iChangePIN: return iChangePIN(a, out);
    case F_iReloadPIN: return iReloadPIN(a, s[0], out);
    case F_iUnblockPIN: return iUnblockPIN(a, s[0], out);
    case F_iReadCardBas_HSM_Step1: return iReadCardBas_HSM_Step1(a, out);
    case F_iReadCardBas_HSM_Step2: return iReadCardBas_HSM_Step2(s[0], out);
    case F_iReadCard_HSM_Step1: return iReadCard_HSM_Step1(a, s[0], s[1], out);
    case F_iReadCard_HSM_Step2: return iReadCard_HSM_Step2(s[0], out);
    case F_iWriteCard_HSM_Step1: return iWriteCard_HSM_Step1(a, s[0], s[1], out);
    case F_iWriteCard_HSM_Step2: return iWriteCard_HSM_Step2(s[0], s[1], out);
    case F_iLoadCard: return iLoadCard(a, out);
    case F_iWriteCaStep1: return iWriteCaStep1(out);
    case F_iWriteCaStep2: return iWriteCaStep2(s[0], out);
    case F_iPrint: return iPrint(a, s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], out);
    case F_iReloadPIN_HSM_Step1: return iReloadPIN_HSM_Step1(a, s[0], out);
    case F_iReloadPIN_HSM_Step2: return iReloadPIN_HSM_Step2(s[0], out);
    case F_iReloadPIN_HSM_Step3: return iReloadPIN_HSM_Step3(s[0], out);
    case F_iUnblockPIN_HSM_Step1: return iUnblockPIN_HSM_Step1(a, s[0], out);
    case F_iUnblockPIN_HSM_Step2: return iUnblockPIN_HSM_Step2(s[0], out);
    case F_iUnblockPIN_HSM_Step3: return iUnblockPIN_HSM_Step3(s[0], out);
    case F_iChangePIN_n: return iChangePIN_n(a, out, n);
    case F_iReloadPIN_n: return iReloadPIN_n(a, s[0], out, n);
    case F_iUnblockPIN_n: return iUnblockPIN_n(a, s[0], out, n);
    case F_iReloadPIN_HSM_Step1_n: return iReloadPIN_HSM_Step1_n(a, s[0], out, n);
    case F_iReloadPIN_HSM_Step2_n: return iReloadPIN_HSM_Step2_n(s[0], out, n);
    case F_iReloadPIN_HSM_Step3_n: return iReloadPIN_HSM_Step3_n(s[0], out, n);
    case F_iUnblockPIN_HSM_Step1_n: return iUnblockPIN_HSM_Step1_n(a, s[0], out, n);
    case F_iUnblockPIN_HSM_Step2_n: return iUnblockPIN_HSM_Step2_n(s[0], out, n);
    case F_iUnblockPIN_HSM_Step3_n: return iUnblockPIN_HSM_Step3_n(s[0], out, n);
    case F_iReadCardBas_n: return iReadCardBas_n(a, out, n);
    case F_iReadCard_n: return iReadCard_n(a, b, s[0], s[1], out, n);
    case F_iWriteCard_n: return iWriteCard_n(a, s[0], s[1], s[2], out, n);
    case F_iVerifyPIN_n: return iVerifyPIN_n(a, out, n);
    case F_iReadCardBas_HSM_Step1_n: return iReadCardBas_HSM_Step1_n(a, out, n);
    case F_iReadCardBas_HSM_Step2_n: return iReadCardBas_HSM_Step2_n(s[0], out, n);
    case F_iReadCard_HSM_Step1_n: return iReadCard_HSM_Step1_n(a, s[0], s[1], out, n);
    case F_iReadCard_HSM_Step2_n: return iReadCard_HSM_Step2_n(s[0], out, n);
    case F_iLoadCard_n: return iLoadCard_n(a, out, n);
    case F_iWriteCaStep1_n: return iWriteCaStep1_n(out, n);
    default: return 0;
    }
}

static void run_input(const input_t *in, FILE *echo) {
    if (in->fn == F_SSCardDriver_Configure) { configure(in); return; }
    if (in->fn == F_SSCardDriver_SetPINCallback) {
        static SSCardPINCallback const callbacks[CB_COUNT] = { NULL, cb_ok, cb_fill, cb_cancel, cb_timeout, cb_odd, cb_garbage };
        static int context;
        count(F_SSCardDriver_SetPINCallback);
        long rc = SSCardDriver_SetPINCallback(callbacks[in->callback], in->with_context ? &context : NULL);
        if (rc > 0) violation("SSCardDriver_SetPINCallback returned > 0");
        return;
    }
    use_base(in->base);
    char *out = malloc(in->alloc + CANARY);
    if (!out) _exit(70);
    memset(out, 0x55, in->alloc + CANARY);
    count(in->fn);
    long rc = run_function(in, in->out_null ? NULL : out);
    check_output(rc, out, in->out_size, in->alloc, in->out_null, names[in->fn]);
    if (echo) {
        fprintf(echo, "code %ld\n", rc);
        if (!in->out_null && in->out_size > 0 && in->out_size <= in->alloc && memchr(out, 0, in->out_size)) {
            fputs("out ", echo); describe_bytes(echo, out, 1024); fputc('\n', echo);
        }
    }
    free(out);
}

/* ---------------------------------------------------------------------------------------- */
/* The parent: lanes of children.                                                           */

static const char *const base_configs[NBASE] = {
    "{}",
    "{\"printer\":{\"kind\":\"escape-tcp\",\"escapeHost\":\"127.0.0.1\",\"escapePort\":1,\"hopperCount\":2},\"hoppers\":{\"ICBC\":1}}",
    "{\"stringEncoding\":\"utf8\",\"printUnits\":\"mm\",\"printer\":{\"kind\":\"escape-tcp\",\"escapeHost\":\"127.0.0.1\",\"escapePort\":1}}",
    "{\"securityModule\":\"province\",\"province\":{\"url\":\"http://127.0.0.1:1\",\"timeoutSeconds\":1},\"printUnits\":\"0.1mm\","
    "\"printer\":{\"kind\":\"escape-tcp\",\"escapeHost\":\"127.0.0.1\",\"escapePort\":1,\"hopperCount\":3}}",
};

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    if (!f) { perror(path); exit(3); }
    fputs(text, f);
    fclose(f);
}

static void remove_workdir(void) {
    DIR *d = opendir(workdir);
    if (d) {
        struct dirent *e;
        char path[512];
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.') continue;
            snprintf(path, sizeof path, "%s/%s", workdir, e->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(workdir);
}

static int listening_tcp(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return 0;
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

static int pcscd_answers(void) {
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) return 0;
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    const char *path = getenv("PCSCLITE_CSOCK_NAME");
    snprintf(a.sun_path, sizeof a.sun_path, "%s", path ? path : "/run/pcscd/pcscd.comm");
    int ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void child(uint64_t seed, uint64_t from, uint64_t to, const char *errfile) {
    setsid();   /* no controlling terminal: the terminal PIN entry cannot wait for a person */
    int fd = open("/dev/null", O_RDONLY);
    if (fd >= 0) { dup2(fd, 0); close(fd); }
    fd = open("/dev/null", O_WRONLY);
    if (fd >= 0) { dup2(fd, 1); close(fd); }
    fd = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) { dup2(fd, 2); close(fd); }
    snprintf(fuzz_path, sizeof fuzz_path, "%s/fuzz-%d.json", workdir, (int)getpid());
    /* The first call builds the driver from $SSCARD_DRIVER_CONFIG. */
    for (uint64_t i = from; i < to; i++) {
        me->current = i;
        me->started++;
        input_t in;
        gen_input(seed, i, &in);
        if (i == from) { setenv("SSCARD_DRIVER_CONFIG", base_path[in.base], 1); current_base = in.fn == F_SSCardDriver_Configure ? -1 : in.base; }
        run_input(&in, NULL);
        free_input(&in);
    }
    unlink(fuzz_path);
    me->current = to;
    _exit(0);
}

static void print_crash(FILE *f, const char *what, uint64_t seed, uint64_t index, const char *errfile) {
    input_t in;
    gen_input(seed, index, &in);
    fprintf(f, "%s input %llu: ", what, (unsigned long long)index);
    describe(f, &in);
    fputc('\n', f);
    free_input(&in);
    /* the library's last words (Swift's "Fatal error: …") */
    FILE *e = fopen(errfile, "rb");
    if (e) {
        char line[512];
        while (fgets(line, sizeof line, e)) {
            if (strstr(line, "Fatal error") || strstr(line, "Precondition") || strstr(line, "Assertion") || strstr(line, "error:")) {
                fprintf(f, "  %s", line);
            }
        }
        fclose(e);
    }
}

int main(int argc, char **argv) {
    uint64_t inputs = 100000, seed = 1, batch = 20000;
    int lanes = 2, hang_seconds = 30, allow_services = 0;
    long long replay = -1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-n") && i + 1 < argc) inputs = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "-s") && i + 1 < argc) seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "-j") && i + 1 < argc) lanes = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-b") && i + 1 < argc) batch = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "-t") && i + 1 < argc) hang_seconds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--replay") && i + 1 < argc) replay = atoll(argv[++i]);
        else if (!strcmp(argv[i], "--allow-services")) allow_services = 1;
        else { fprintf(stderr, "usage: %s [-n INPUTS] [-s SEED] [-j LANES] [-b BATCH] [-t HANG_SECONDS] [--replay INDEX] [--allow-services]\n", argv[0]); return 2; }
    }
    if (lanes < 1) lanes = 1;
    if (lanes > 16) lanes = 16;
    if (batch < 1) batch = 1;
    /* A dying Swift child should die at once, not spend 0.3 s writing a backtrace; the runtime
     * reads this when the library loads, so set it and start again. */
    if (!getenv("SWIFT_BACKTRACE")) {
        setenv("SWIFT_BACKTRACE", "enable=no", 1);
        execv("/proc/self/exe", argv);
    }
    if (!allow_services && (pcscd_answers() || listening_tcp(35970) || listening_tcp(8735))) {
        fprintf(stderr, "abi_fuzz: a pcscd, vprinter (35970) or province-sim (8735) answers here; the fuzz would talk to it. "
                        "Run it where none does (e.g. in a private network namespace), or pass --allow-services.\n");
        return 2;
    }
    memset(huge_text, 'A', sizeof huge_text - 1);
    memset(max_text, 'A', sizeof max_text - 1);
    snprintf(workdir, sizeof workdir, "/tmp/abi-fuzz-XXXXXX");
    if (!mkdtemp(workdir)) { perror("mkdtemp"); return 3; }
    for (int b = 0; b < NBASE; b++) {
        snprintf(base_path[b], sizeof base_path[b], "%s/base-%d.json", workdir, b);
        write_file(base_path[b], base_configs[b]);
    }

    if (replay >= 0) {
        static struct lane local;
        me = &local;
        snprintf(fuzz_path, sizeof fuzz_path, "%s/fuzz-replay.json", workdir);
        input_t in;
        gen_input(seed, (uint64_t)replay, &in);
        describe(stdout, &in);
        fputc('\n', stdout);
        fflush(stdout);
        setenv("SSCARD_DRIVER_CONFIG", base_path[in.base], 1);
        run_input(&in, stdout);
        free_input(&in);
        printf("violations %llu\n", (unsigned long long)local.violations);
        for (uint64_t k = 0; k < local.violations && k < 8; k++) printf("violation %s\n", local.violation_text[k]);
        remove_workdir();
        return local.violations ? 1 : 0;
    }

    struct lane *shm = mmap(NULL, sizeof(struct lane) * (size_t)lanes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shm == MAP_FAILED) { perror("mmap"); return 3; }
    memset(shm, 0, sizeof(struct lane) * (size_t)lanes);

    uint64_t lane_end[16], lane_next[16], lane_beat[16];
    pid_t pid[16];
    double lane_since[16];
    char errfile[16][128];
    uint64_t crashes = 0, hangs = 0, children = 0;
    double start = now();
    for (int l = 0; l < lanes; l++) {
        lane_next[l] = inputs * (uint64_t)l / (uint64_t)lanes;
        lane_end[l] = inputs * (uint64_t)(l + 1) / (uint64_t)lanes;
        pid[l] = 0;
        snprintf(errfile[l], sizeof errfile[l], "%s/stderr-%d", workdir, l);
    }
    int running = 0;
    for (;;) {
        /* start a child wherever a lane has inputs left and none runs */
        for (int l = 0; l < lanes; l++) {
            if (pid[l] || lane_next[l] >= lane_end[l]) continue;
            uint64_t from = lane_next[l], to = from + batch < lane_end[l] ? from + batch : lane_end[l];
            shm[l].current = from;
            fflush(stdout);
            fflush(stderr);
            pid_t p = fork();
            if (p < 0) { perror("fork"); return 3; }
            if (p == 0) { me = &shm[l]; child(seed, from, to, errfile[l]); }
            pid[l] = p;
            lane_beat[l] = shm[l].heartbeat;
            lane_since[l] = now();
            children++;
            running++;
            lane_next[l] = to;   /* provisional: a crash moves it back */
        }
        if (!running) break;
        int status;
        pid_t done = waitpid(-1, &status, WNOHANG);
        if (done == 0) {
            struct timespec pause = { 0, 2 * 1000 * 1000 };
            nanosleep(&pause, NULL);
            for (int l = 0; l < lanes; l++) {
                if (!pid[l]) continue;
                if (shm[l].heartbeat != lane_beat[l]) { lane_beat[l] = shm[l].heartbeat; lane_since[l] = now(); continue; }
                if (now() - lane_since[l] > hang_seconds) {
                    kill(pid[l], SIGKILL);
                    waitpid(pid[l], &status, 0);
                    uint64_t at = shm[l].current;
                    hangs++;
                    print_crash(stdout, "hang", seed, at, errfile[l]);
                    pid[l] = 0;
                    running--;
                    lane_next[l] = at + 1;   /* the rest of the batch in a new child */
                }
            }
            continue;
        }
        if (done < 0) { if (errno == EINTR) continue; perror("waitpid"); return 3; }
        for (int l = 0; l < lanes; l++) {
            if (pid[l] != done) continue;
            pid[l] = 0;
            running--;
            if (WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != 0)) {
                uint64_t at = shm[l].current;
                char what[64];
                if (WIFSIGNALED(status)) snprintf(what, sizeof what, "crash signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
                else snprintf(what, sizeof what, "crash exit %d", WEXITSTATUS(status));
                crashes++;
                print_crash(stdout, what, seed, at, errfile[l]);
                lane_next[l] = at + 1;   /* the rest of the batch in a new child */
            }
        }
    }
    double seconds = now() - start;

    uint64_t total[NF] = {0}, configurations = 0, violations = 0, started = 0;
    for (int l = 0; l < lanes; l++) {
        for (int f = 0; f < NF; f++) total[f] += shm[l].counts[f];
        configurations += shm[l].configurations;
        violations += shm[l].violations;
        started += shm[l].started;
        for (uint64_t k = 0; k < shm[l].violations && k < 8; k++) {
            printf("violation input %llu: %s\n", (unsigned long long)shm[l].violation_index[k], shm[l].violation_text[k]);
            input_t in;
            gen_input(seed, shm[l].violation_index[k], &in);
            fputs("  ", stdout);
            describe(stdout, &in);
            fputc('\n', stdout);
            free_input(&in);
        }
    }
    uint64_t calls = 0;
    for (int f = 0; f < NF; f++) {
        printf("function %s %llu\n", names[f], (unsigned long long)total[f]);
        calls += total[f];
    }
    printf("inputs %llu\n", (unsigned long long)started);
    printf("calls %llu\n", (unsigned long long)calls);
    printf("configurations %llu\n", (unsigned long long)configurations);
    printf("children %llu\n", (unsigned long long)children);
    printf("seed %llu lanes %d batch %llu seconds %.1f\n", (unsigned long long)seed, lanes, (unsigned long long)batch, seconds);
    printf("violations %llu\n", (unsigned long long)violations);
    printf("hangs %llu\n", (unsigned long long)hangs);
    printf("crashes %llu\n", (unsigned long long)crashes);
    remove_workdir();
    return crashes || hangs || violations ? 1 : 0;
}
