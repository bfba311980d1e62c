/*
 * A deliberately wrong SSCardDriver library, for the tests of `issue-station conformance`: it
 * forwards every function to the real libSSCardDriver.so (REAL_LIBRARY, loaded with dlopen)
 * and gets exactly one thing wrong, chosen when it is compiled:
 *   -DWRONG_FIELD_ORDER  iReadCardBas swaps 社会保障号码 and 卡号 (fields 2 and 3)
 *   -DUTF8_OUTPUT        iReadCardBas returns UTF-8 instead of GB18030
 *   -DNO_NUL             iReadCardBas copies its output without the terminating NUL
 *   -DCRASH_ON_NULL      iReadCardBas_HSM_Step2 reads pKey before checking it for NULL
 *   -DMISSING_FUNCTION   iUnblockPIN is not exported
 *   -DHANG_ON_BAD_ITYPE  iReadCardBas_HSM_Step1 never returns for an iType outside 1–4
 *   -DNO_PIN_PROVIDER    SSCardDriver_SetPINCallback is not exported (a vendor's driver that only
 *                        knows PIN pads): the PIN cases are not testable on vpcd, never passed
 * and one that is right but chatty, which the tester must not fail for it:
 *   -DCHATTY             prints to stdout when loaded and on every iReadCardBas_HSM_Step1
 * Everything else is the real library's behaviour, so each fault is caught by the case meant
 * for it and not by accident.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <iconv.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "SSCardDriver.h"

#ifndef REAL_LIBRARY
#error "compile with -DREAL_LIBRARY=\"/path/to/libSSCardDriver.so\""
#endif

static void *real(void) {
    static void *handle;
    if (!handle) handle = dlopen(REAL_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    return handle;
}

/* Defines NAME PARAMS as a call of the real library's NAME with ARGS. */
#define FORWARD(name, params, args) \
    long name params { \
        static long (*f) params; \
        if (!f && real()) *(void **)&f = dlsym(real(), #name); \
        return f ? f args : -5; \
    }

#define REAL_READ_BASIC_NAME iReadCardBas
#if defined(WRONG_FIELD_ORDER) || defined(UTF8_OUTPUT) || defined(NO_NUL)
#undef REAL_READ_BASIC_NAME
#define REAL_READ_BASIC_NAME realReadCardBas
static long (*realReadCardBasFunction)(int, char *);
static long realReadCardBas(int iType, char *pOutInfo) {
    if (!realReadCardBasFunction && real()) *(void **)&realReadCardBasFunction = dlsym(real(), "iReadCardBas");
    return realReadCardBasFunction ? realReadCardBasFunction(iType, pOutInfo) : -5;
}

long iReadCardBas(int iType, char *pOutInfo) {
    char out[SSCARD_OUT_SIZE];
    long code = realReadCardBas(iType, out);
    if (!pOutInfo) return code;
#if defined(WRONG_FIELD_ORDER)
    /* region|SSN|number|rest → region|number|SSN|rest */
    char *p1 = strchr(out, '|'), *p2 = p1 ? strchr(p1 + 1, '|') : NULL, *p3 = p2 ? strchr(p2 + 1, '|') : NULL;
    if (code == 0 && p3) {
        char swapped[SSCARD_OUT_SIZE];
        size_t head = (size_t)(p1 + 1 - out);
        memcpy(swapped, out, head);
        size_t at = head;
        memcpy(swapped + at, p2 + 1, (size_t)(p3 - p2)); at += (size_t)(p3 - p2);
        memcpy(swapped + at, p1 + 1, (size_t)(p2 - p1)); at += (size_t)(p2 - p1);
        strcpy(swapped + at, p3 + 1);
        strcpy(out, swapped);
    }
    strcpy(pOutInfo, out);
#elif defined(UTF8_OUTPUT)
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    char *in = out, *to = pOutInfo;
    size_t inLeft = strlen(out), outLeft = SSCARD_OUT_SIZE - 1;
    iconv(cd, &in, &inLeft, &to, &outLeft);
    *to = 0;
    iconv_close(cd);
#elif defined(NO_NUL)
    memcpy(pOutInfo, out, strlen(out));
#endif
    return code;
}
#else
FORWARD(iReadCardBas, (int iType, char *pOutInfo), (iType, pOutInfo))
#endif

#if defined(CRASH_ON_NULL)
long iReadCardBas_HSM_Step2(char *pKey, char *pOutInfo) {
    static long (*f)(char *, char *);
    if (strlen(pKey) == 0) return -14; /* the fault: pKey is read before it is checked */
    if (!f && real()) *(void **)&f = dlsym(real(), "iReadCardBas_HSM_Step2");
    return f ? f(pKey, pOutInfo) : -5;
}
#else
FORWARD(iReadCardBas_HSM_Step2, (char *pKey, char *pOutInfo), (pKey, pOutInfo))
#endif

#if defined(HANG_ON_BAD_ITYPE) || defined(CHATTY)
long iReadCardBas_HSM_Step1(int iType, char *pOutInfo) {
    static long (*f)(int, char *);
#if defined(HANG_ON_BAD_ITYPE)
    while (iType < 1 || iType > 4) pause(); /* the fault: waits for ever */
#else
    printf("iReadCardBas_HSM_Step1(%d)\n", iType);
    fflush(stdout);
#endif
    if (!f && real()) *(void **)&f = dlsym(real(), "iReadCardBas_HSM_Step1");
    return f ? f(iType, pOutInfo) : -5;
}
#else
FORWARD(iReadCardBas_HSM_Step1, (int iType, char *pOutInfo), (iType, pOutInfo))
#endif

#if defined(CHATTY)
__attribute__((constructor)) static void announce(void) {
    printf("vendor driver 1.0 loaded\n");
    fflush(stdout);
}
#endif

#if !defined(MISSING_FUNCTION)
FORWARD(iUnblockPIN, (int iType, char *pCardInfo, char *pOutInfo), (iType, pCardInfo, pOutInfo))
#endif

FORWARD(iReadCard, (int iType, int iAuthType, char *pCardInfo, char *pFileAddr, char *pOutInfo), (iType, iAuthType, pCardInfo, pFileAddr, pOutInfo))
FORWARD(iWriteCard, (int iType, char *pCardInfo, char *pFileAddr, char *pWriteData, char *pOutInfo), (iType, pCardInfo, pFileAddr, pWriteData, pOutInfo))
FORWARD(iVerifyPIN, (int iType, char *pOutInfo), (iType, pOutInfo))
FORWARD(iChangePIN, (int iType, char *pOutInfo), (iType, pOutInfo))
FORWARD(iReloadPIN, (int iType, char *pCardInfo, char *pOutInfo), (iType, pCardInfo, pOutInfo))
FORWARD(iReadCard_HSM_Step1, (int iType, char *pCardInfo, char *pFileAddr, char *pOutInfo), (iType, pCardInfo, pFileAddr, pOutInfo))
FORWARD(iReadCard_HSM_Step2, (char *pKey, char *pOutInfo), (pKey, pOutInfo))
FORWARD(iWriteCard_HSM_Step1, (int iType, char *pCardInfo, char *pFileAddr, char *pOutInfo), (iType, pCardInfo, pFileAddr, pOutInfo))
FORWARD(iWriteCard_HSM_Step2, (char *pKey, char *pWriteData, char *pOutInfo), (pKey, pWriteData, pOutInfo))
FORWARD(iLoadCard, (int n, char *pOutInfo), (n, pOutInfo))
FORWARD(iWriteCaStep1, (char *pOutInfo), (pOutInfo))
FORWARD(iWriteCaStep2, (char *pCaInfo, char *pOutInfo), (pCaInfo, pOutInfo))
FORWARD(iPrint, (int n, char *sData1, char *sData2, char *sData3, char *sData4, char *sData5, char *sData6, char *sPhoto1, char *sPhoto2, char *pOutInfo),
        (n, sData1, sData2, sData3, sData4, sData5, sData6, sPhoto1, sPhoto2, pOutInfo))
#if !defined(NO_PIN_PROVIDER)
FORWARD(SSCardDriver_SetPINCallback, (SSCardPINCallback callback, void *context), (callback, context))
#endif
FORWARD(iReadCardBas_n, (int iType, char *pOutInfo, size_t outSize), (iType, pOutInfo, outSize))
