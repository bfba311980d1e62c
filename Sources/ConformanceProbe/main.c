/*
 * sscard-conformance-probe — the process in which `issue-station conformance` calls the driver
 * library under test. It loads any SSCardDriver library with dlopen (RTLD_LOCAL), looks each
 * function up with dlsym and calls it through a pointer of the type include/SSCardDriver.h
 * declares, so the tester itself never runs a line of the library: a crash or a hang kills this
 * process only, and the tester reports it as the case's failure.
 *
 * Usage: sscard-conformance-probe LIBRARY. It prints "ready" (or "noload <dlerror>" and exits
 * 2), then runs one command a line from standard input and prints one line for each:
 *   has NAME                      → "has 1" or "has 0"
 *   pin PIN…                      → "pin 1" when the library has SSCardDriver_SetPINCallback (the PINs are
 *                                   handed out in order, then "cancelled"), else "pin 0"
 *   call NAME SIZE ARG…           → "ret CODE NANOSECONDS NULPOS OVERRUN HEX"
 * ARG is i:<decimal int>, s:<hex bytes> (a NUL-terminated string; "s:" is ""), or n (NULL);
 * the output buffer is added by the probe: SIZE bytes followed by 64 canary bytes, or NULL when
 * SIZE is -1. For a _n function SIZE is also passed as outSize. NULPOS is the index of the
 * first NUL inside SIZE (-1: none), OVERRUN 1 when a canary byte changed, HEX the output up to
 * NULPOS (or SIZE). Errors: "error <reason>".
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "SSCardDriver.h"

#define CANARY 0x7E
#define CANARY_SIZE 64
#define MAX_ARGS 12

/* The signature of every function the tester may call: i int, s string, o pOutInfo,
 * z size_t outSize (the size of pOutInfo). */
struct function { const char *name; const char *signature; };
static const struct function functions[] = {
    {"iReadCardBas", "io"}, {"iReadCard", "iisso"}, {"iWriteCard", "issso"},
    {"iVerifyPIN", "io"}, {"iChangePIN", "io"}, {"iReloadPIN", "iso"}, {"iUnblockPIN", "iso"},
    {"iReadCardBas_HSM_Step1", "io"}, {"iReadCardBas_HSM_Step2", "so"},
    {"iReadCard_HSM_Step1", "isso"}, {"iReadCard_HSM_Step2", "so"},
    {"iWriteCard_HSM_Step1", "isso"}, {"iWriteCard_HSM_Step2", "sso"},
    {"iLoadCard", "io"}, {"iWriteCaStep1", "o"}, {"iWriteCaStep2", "so"}, {"iPrint", "isssssssso"},
    {"iReloadPIN_HSM_Step1", "iso"}, {"iReloadPIN_HSM_Step2", "so"}, {"iReloadPIN_HSM_Step3", "so"},
    {"iUnblockPIN_HSM_Step1", "iso"}, {"iUnblockPIN_HSM_Step2", "so"}, {"iUnblockPIN_HSM_Step3", "so"},
    {"iChangePIN_n", "ioz"}, {"iReloadPIN_n", "isoz"}, {"iUnblockPIN_n", "isoz"},
    {"iReloadPIN_HSM_Step1_n", "isoz"}, {"iReloadPIN_HSM_Step2_n", "soz"}, {"iReloadPIN_HSM_Step3_n", "soz"},
    {"iUnblockPIN_HSM_Step1_n", "isoz"}, {"iUnblockPIN_HSM_Step2_n", "soz"}, {"iUnblockPIN_HSM_Step3_n", "soz"},
    {"iReadCardBas_n", "ioz"}, {"iReadCard_n", "iissoz"}, {"iWriteCard_n", "isssoz"}, {"iVerifyPIN_n", "ioz"},
    {"iReadCardBas_HSM_Step1_n", "ioz"}, {"iReadCardBas_HSM_Step2_n", "soz"},
    {"iReadCard_HSM_Step1_n", "issoz"}, {"iReadCard_HSM_Step2_n", "soz"},
    {"iLoadCard_n", "ioz"}, {"iWriteCaStep1_n", "oz"},
    {NULL, NULL}
};

typedef long (*f_o)(char *);
typedef long (*f_io)(int, char *);
typedef long (*f_so)(char *, char *);
typedef long (*f_iso)(int, char *, char *);
typedef long (*f_sso)(char *, char *, char *);
typedef long (*f_isso)(int, char *, char *, char *);
typedef long (*f_iisso)(int, int, char *, char *, char *);
typedef long (*f_issso)(int, char *, char *, char *, char *);
typedef long (*f_isssssssso)(int, char *, char *, char *, char *, char *, char *, char *, char *, char *);
typedef long (*f_oz)(char *, size_t);
typedef long (*f_ioz)(int, char *, size_t);
typedef long (*f_soz)(char *, char *, size_t);
typedef long (*f_isoz)(int, char *, char *, size_t);
typedef long (*f_issoz)(int, char *, char *, char *, size_t);
typedef long (*f_iissoz)(int, int, char *, char *, char *, size_t);
typedef long (*f_isssoz)(int, char *, char *, char *, char *, size_t);

static void *library;
/* The protocol's streams: private copies of stdin and stdout, so a library that reads stdin
 * or prints to stdout cannot disturb them (fd 0 becomes /dev/null, fd 1 goes to stderr). */
static FILE *commands, *answers;

/* The PINs the callback hands out, in order; wiped once used. */
static char pins[8][17];
static int pinCount, pinNext;

static long pinCallback(int purpose, char *pinOut, size_t pinSize, void *context) {
    (void)purpose; (void)context;
    if (pinNext >= pinCount || pinSize == 0) return SSCARD_PIN_CANCELLED;
    size_t length = strlen(pins[pinNext]);
    if (length + 1 > pinSize) return SSCARD_PIN_CANCELLED;
    memcpy(pinOut, pins[pinNext], length + 1);
    memset(pins[pinNext], 0, sizeof pins[pinNext]);
    pinNext++;
    return SSCARD_PIN_OK;
}

static const struct function *lookup(const char *name) {
    for (const struct function *f = functions; f->name; f++)
        if (!strcmp(f->name, name)) return f;
    return NULL;
}

static int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* Decodes "s:<hex>" into a new NUL-terminated string; NULL on malformed hex. */
static char *decodeString(const char *hex) {
    size_t length = strlen(hex);
    if (length % 2) return NULL;
    char *text = malloc(length / 2 + 1);
    if (!text) return NULL;
    for (size_t i = 0; i < length / 2; i++) {
        int high = hexValue(hex[2 * i]), low = hexValue(hex[2 * i + 1]);
        if (high < 0 || low < 0) { free(text); return NULL; }
        text[i] = (char)(high * 16 + low);
    }
    text[length / 2] = 0;
    return text;
}

static long long nanoseconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* Parses and runs one "call" line; prints its "ret" or "error" line. */
static void call(char *rest) {
    char *name = strtok(rest, " ");
    char *sizeText = strtok(NULL, " ");
    if (!name || !sizeText) { fprintf(answers, "%s\n", "error call needs NAME SIZE"); return; }
    const struct function *f = lookup(name);
    if (!f) { fprintf(answers, "%s\n", "error unknown function"); return; }
    void *symbol = dlsym(library, name);
    if (!symbol) { fprintf(answers, "%s\n", "error missing"); return; }
    char *end;
    long long size = strtoll(sizeText, &end, 10);
    if (*end || size < -1 || size > 1 << 20) { fprintf(answers, "%s\n", "error SIZE is not -1…1048576"); return; }

    int ints[MAX_ARGS] = {0};
    char *strings[MAX_ARGS] = {0};
    int stringCount = 0, intCount = 0;
    const char *s = f->signature;
    int ok = 1;
    for (; *s && ok; s++) {
        if (*s == 'o' || *s == 'z') continue;
        char *arg = strtok(NULL, " ");
        if (!arg) { ok = 0; break; }
        if (*s == 'i') {
            if (strncmp(arg, "i:", 2)) { ok = 0; break; }
            long long v = strtoll(arg + 2, &end, 10);
            if (*end || v < INT_MIN || v > INT_MAX) { ok = 0; break; }
            ints[intCount++] = (int)v;
        } else if (!strcmp(arg, "n")) {
            strings[stringCount++] = NULL;
        } else if (!strncmp(arg, "s:", 2)) {
            char *text = decodeString(arg + 2);
            if (!text) { ok = 0; break; }
            strings[stringCount++] = text;
        } else {
            ok = 0;
        }
    }
    if (ok && strtok(NULL, " ")) ok = 0;
    if (!ok) {
        for (int i = 0; i < stringCount; i++) free(strings[i]);
        fprintf(answers, "error arguments do not match %s\n", f->signature);
        return;
    }

    size_t capacity = size < 0 ? 0 : (size_t)size;
    char *buffer = size < 0 ? NULL : malloc(capacity + CANARY_SIZE);
    if (buffer) memset(buffer, CANARY, capacity + CANARY_SIZE);
    char *out = buffer;
    char **a = strings;
    int *n = ints;
    long code = 0;
    const char *sig = f->signature;
    long long start = nanoseconds();
    if (!strcmp(sig, "o")) code = ((f_o)symbol)(out);
    else if (!strcmp(sig, "io")) code = ((f_io)symbol)(n[0], out);
    else if (!strcmp(sig, "so")) code = ((f_so)symbol)(a[0], out);
    else if (!strcmp(sig, "iso")) code = ((f_iso)symbol)(n[0], a[0], out);
    else if (!strcmp(sig, "sso")) code = ((f_sso)symbol)(a[0], a[1], out);
    else if (!strcmp(sig, "isso")) code = ((f_isso)symbol)(n[0], a[0], a[1], out);
    else if (!strcmp(sig, "iisso")) code = ((f_iisso)symbol)(n[0], n[1], a[0], a[1], out);
    else if (!strcmp(sig, "issso")) code = ((f_issso)symbol)(n[0], a[0], a[1], a[2], out);
    else if (!strcmp(sig, "isssssssso"))
        code = ((f_isssssssso)symbol)(n[0], a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], out);
    else if (!strcmp(sig, "oz")) code = ((f_oz)symbol)(out, capacity);
    else if (!strcmp(sig, "ioz")) code = ((f_ioz)symbol)(n[0], out, capacity);
    else if (!strcmp(sig, "soz")) code = ((f_soz)symbol)(a[0], out, capacity);
    else if (!strcmp(sig, "isoz")) code = ((f_isoz)symbol)(n[0], a[0], out, capacity);
    else if (!strcmp(sig, "issoz")) code = ((f_issoz)symbol)(n[0], a[0], a[1], out, capacity);
    else if (!strcmp(sig, "iissoz")) code = ((f_iissoz)symbol)(n[0], n[1], a[0], a[1], out, capacity);
    else if (!strcmp(sig, "isssoz")) code = ((f_isssoz)symbol)(n[0], a[0], a[1], a[2], out, capacity);
    long long elapsed = nanoseconds() - start;

    long nul = -1;
    int overrun = 0;
    if (buffer) {
        for (size_t i = 0; i < capacity; i++) if (buffer[i] == 0) { nul = (long)i; break; }
        for (size_t i = capacity; i < capacity + CANARY_SIZE; i++) if ((unsigned char)buffer[i] != CANARY) overrun = 1;
    }
    fprintf(answers, "ret %ld %lld %ld %d ", code, elapsed, nul, overrun);
    size_t shown = buffer ? (nul >= 0 ? (size_t)nul : capacity) : 0;
    for (size_t i = 0; i < shown; i++) fprintf(answers, "%02X", (unsigned char)buffer[i]);
    fprintf(answers, "\n");
    for (int i = 0; i < stringCount; i++) free(strings[i]);
    free(buffer);
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: sscard-conformance-probe LIBRARY\n"); return 2; }
    int in = dup(0), out = dup(1), null = open("/dev/null", O_RDWR);
    if (in < 0 || out < 0 || null < 0 || dup2(null, 0) < 0 || dup2(2, 1) < 0) return 2;
    close(null);
    commands = fdopen(in, "r");
    answers = fdopen(out, "w");
    if (!commands || !answers) return 2;
    setvbuf(answers, NULL, _IOLBF, 0);
    /* No controlling terminal: a library that asks /dev/tty for a PIN gets no answer instead
     * of the technician's keyboard. */
    setsid();
    library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!library) { fprintf(answers, "noload %s\n", dlerror()); return 2; }
    fprintf(answers, "%s\n", "ready");
    static char line[1 << 22];
    while (fgets(line, sizeof line, commands)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!strncmp(line, "has ", 4)) {
            fprintf(answers, "has %d\n", lookup(line + 4) || !strcmp(line + 4, "SSCardDriver_SetPINCallback")
                                   ? dlsym(library, line + 4) != NULL : 0);
        } else if (!strncmp(line, "pin", 3) && (line[3] == 0 || line[3] == ' ')) {
            long (*set)(SSCardPINCallback, void *) =
                (long (*)(SSCardPINCallback, void *))dlsym(library, "SSCardDriver_SetPINCallback");
            memset(pins, 0, sizeof pins);
            pinCount = pinNext = 0;
            for (char *pin = strtok(line + 3, " "); pin && pinCount < 8; pin = strtok(NULL, " "))
                snprintf(pins[pinCount++], sizeof pins[0], "%s", pin);
            memset(line, 0, sizeof line);
            if (set) set(pinCallback, NULL);
            fprintf(answers, "pin %d\n", set != NULL);
        } else if (!strncmp(line, "call ", 5)) {
            call(line + 5);
        } else if (line[0]) {
            fprintf(answers, "%s\n", "error unknown command");
        }
    }
    return 0;
}
