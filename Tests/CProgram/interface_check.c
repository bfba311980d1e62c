/*
 * A caller of libSSCardDriver.so written the way existing integrators write them: compiled
 * against include/SSCardDriver.h only. It runs the commands given on its standard input, one
 * per line, and prints "<function> <return code> <pOutInfo as hex>" for each, so the test can
 * decode GB18030 itself. Commands:
 *   readbas ITYPE | hsm1 ITYPE | hsm2 PKEY | readbas_n ITYPE SIZE | null_out | null_key | configure PATH
 * and, with every string argument hex-encoded (so GB18030 bytes pass untouched):
 *   readcard ITYPE AUTH CARDINFO FILEADDR | writecard ITYPE CARDINFO FILEADDR DATA
 *   rhsm1 ITYPE CARDINFO FILEADDR | rhsm2 PKEY | whsm1 ITYPE CARDINFO FILEADDR | whsm2 PKEY DATA
 *   load N | ca1 | ca2 CAINFO | print N ITEM1 … ITEM8   (an item "-" is passed as NULL)
 *   threads T N: T threads each call iReadCardBas(1) N times; prints how many calls failed
 *                and how many outputs differed from the first thread's first output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include "SSCardDriver.h"
#include "pin_provider.h"

static void report(const char *name, long rc, const char *out) {
    printf("%s %ld ", name, rc);
    for (const unsigned char *p = (const unsigned char *)out; *p; p++) printf("%02X", *p);
    printf("\n");
    fflush(stdout);
}

/* Decodes hex text into a new NUL-terminated string (the caller frees it). */
static char *unhex(const char *hex) {
    size_t n = hex ? strlen(hex) / 2 : 0;
    char *out = calloc(n + 1, 1);
    for (size_t i = 0; i < n; i++) {
        unsigned int byte = 0;
        sscanf(hex + 2 * i, "%2x", &byte);
        out[i] = (char)byte;
    }
    return out;
}

struct worker { int calls; long failures; char first[SSCARD_OUT_SIZE]; long differing; };

static void *hammer(void *arg) {
    struct worker *w = arg;
    char out[SSCARD_OUT_SIZE];
    for (int i = 0; i < w->calls; i++) {
        if (iReadCardBas(1, out) != 0) { w->failures++; continue; }
        if (!w->first[0]) strcpy(w->first, out);
        else if (strcmp(w->first, out)) w->differing++;
    }
    return NULL;
}

int main(void) {
    char line[8192];
    char out[SSCARD_OUT_SIZE];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = 0;
        char *cmd = strtok(line, " ");
        char *arg = strtok(NULL, " ");
        char *arg2 = strtok(NULL, " ");
        char *arg3 = strtok(NULL, " ");
        char *arg4 = strtok(NULL, " ");
        char *rest[5];
        for (int i = 0; i < 5; i++) rest[i] = strtok(NULL, " ");
        if (!cmd) continue;
        memset(out, 0x55, sizeof out);
        if (!strcmp(cmd, "readbas")) report(cmd, iReadCardBas(atoi(arg), out), out);
        else if (!strcmp(cmd, "hsm1")) report(cmd, iReadCardBas_HSM_Step1(atoi(arg), out), out);
        else if (!strcmp(cmd, "hsm2")) report(cmd, iReadCardBas_HSM_Step2(arg, out), out);
        else if (!strcmp(cmd, "readbas_n")) {
            /* A small buffer inside a canary: the driver must not write past size. */
            size_t size = (size_t)atoi(arg2);
            char guarded[64 + SSCARD_OUT_SIZE];
            memset(guarded, 0x7E, sizeof guarded);
            long rc = iReadCardBas_n(atoi(arg), guarded, size);
            int overrun = 0;
            for (size_t i = size; i < sizeof guarded; i++) if (guarded[i] != 0x7E) overrun = 1;
            printf("canary %d\n", overrun);
            report(cmd, rc, guarded);
        }
        else if (!strcmp(cmd, "null_out")) printf("null_out %ld\n", iReadCardBas(1, NULL));
        else if (!strcmp(cmd, "null_key")) report(cmd, iReadCardBas_HSM_Step2(NULL, out), out);
        else if (!strcmp(cmd, "configure")) report(cmd, SSCardDriver_Configure(arg, out, sizeof out), out);
        else if (!strcmp(cmd, "version")) {
            /* The same pointer on every call, pointing at printable ASCII. */
            const char *v = SSCardDriver_Version();
            printf("version %s %d\n", v ? v : "(null)", v == SSCardDriver_Version());
        }
        else if (!strcmp(cmd, "readcard")) {
            char *info = unhex(arg3), *addr = unhex(arg4);
            report(cmd, iReadCard(atoi(arg), atoi(arg2), info, addr, out), out);
            free(info); free(addr);
        }
        else if (!strcmp(cmd, "writecard")) {
            char *info = unhex(arg2), *addr = unhex(arg3), *data = unhex(arg4);
            report(cmd, iWriteCard(atoi(arg), info, addr, data, out), out);
            free(info); free(addr); free(data);
        }
        else if (!strcmp(cmd, "rhsm1") || !strcmp(cmd, "whsm1")) {
            char *info = unhex(arg2), *addr = unhex(arg3);
            long rc = cmd[0] == 'r' ? iReadCard_HSM_Step1(atoi(arg), info, addr, out)
                                    : iWriteCard_HSM_Step1(atoi(arg), info, addr, out);
            report(cmd, rc, out);
            free(info); free(addr);
        }
        else if (!strcmp(cmd, "rhsm2")) {
            char *key = unhex(arg);
            report(cmd, iReadCard_HSM_Step2(key, out), out);
            free(key);
        }
        else if (!strcmp(cmd, "whsm2")) {
            char *key = unhex(arg), *data = unhex(arg2);
            report(cmd, iWriteCard_HSM_Step2(key, data, out), out);
            free(key); free(data);
        }
        else if (!strcmp(cmd, "load")) report(cmd, iLoadCard(atoi(arg), out), out);
        else if (!strcmp(cmd, "ca1")) report(cmd, iWriteCaStep1(out), out);
        else if (!strcmp(cmd, "ca2")) {
            char *info = unhex(arg);
            report(cmd, iWriteCaStep2(info, out), out);
            free(info);
        }
        else if (!strcmp(cmd, "print")) {
            char *given[8] = { arg2, arg3, arg4, rest[0], rest[1], rest[2], rest[3], rest[4] };
            char *items[8];
            for (int i = 0; i < 8; i++) items[i] = (given[i] && strcmp(given[i], "-")) ? unhex(given[i]) : NULL;
            report(cmd, iPrint(atoi(arg), items[0], items[1], items[2], items[3], items[4], items[5], items[6], items[7], out), out);
            for (int i = 0; i < 8; i++) free(items[i]);
        }
        else if (!strcmp(cmd, "threads")) {
            int t = atoi(arg), n = atoi(arg2);
            pthread_t ids[32];
            struct worker workers[32];
            memset(workers, 0, sizeof workers);
            for (int i = 0; i < t && i < 32; i++) { workers[i].calls = n; pthread_create(&ids[i], NULL, hammer, &workers[i]); }
            long failures = 0, differing = 0;
            for (int i = 0; i < t && i < 32; i++) {
                pthread_join(ids[i], NULL);
                failures += workers[i].failures;
                differing += workers[i].differing + (strcmp(workers[i].first, workers[0].first) ? 1 : 0);
            }
            printf("threads %ld %ld\n", failures, differing);
        }
        else if (!strcmp(cmd, "setpins")) printf("setpins %ld\n", set_pins(arg, arg2, arg3));
        else if (!strcmp(cmd, "nopins")) printf("nopins %ld\n", SSCardDriver_SetPINCallback(NULL, NULL));
        else if (!strcmp(cmd, "pincalls")) printf("pincalls %ld\n", pin_calls);
        else if (!strcmp(cmd, "reentrantpins")) printf("reentrantpins %ld\n", SSCardDriver_SetPINCallback(reentrant_provider, NULL));
        else if (!strcmp(cmd, "reentered")) printf("reentered %ld %ld\n", reentered_readbas, reentered_configure);
        else if (!strcmp(cmd, "verifypin")) report(cmd, iVerifyPIN(atoi(arg), out), out);
        else if (!strcmp(cmd, "changepin")) report(cmd, iChangePIN(atoi(arg), out), out);
        else if (!strcmp(cmd, "reloadpin") || !strcmp(cmd, "unblockpin")) {
            char *info = unhex(arg2);
            report(cmd, cmd[0] == 'r' ? iReloadPIN(atoi(arg), info, out) : iUnblockPIN(atoi(arg), info, out), out);
            free(info);
        }
        else if (!strcmp(cmd, "rpin1") || !strcmp(cmd, "upin1")) {
            char *info = unhex(arg2);
            report(cmd, cmd[0] == 'r' ? iReloadPIN_HSM_Step1(atoi(arg), info, out) : iUnblockPIN_HSM_Step1(atoi(arg), info, out), out);
            free(info);
        }
        else if (!strcmp(cmd, "rpin2") || !strcmp(cmd, "upin2") || !strcmp(cmd, "rpin3") || !strcmp(cmd, "upin3")) {
            char *key = unhex(arg);
            long rc = !strcmp(cmd, "rpin2") ? iReloadPIN_HSM_Step2(key, out)
                    : !strcmp(cmd, "upin2") ? iUnblockPIN_HSM_Step2(key, out)
                    : !strcmp(cmd, "rpin3") ? iReloadPIN_HSM_Step3(key, out)
                    : iUnblockPIN_HSM_Step3(key, out);
            report(cmd, rc, out);
            free(key);
        }
        else printf("unknown %s\n", cmd);
        fflush(stdout);
    }
    return 0;
}
