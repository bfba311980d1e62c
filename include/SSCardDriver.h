/*
 * SSCardDriver.h — the national social security card reader interface (人社信息函〔2016〕38号,
 * 59号) and the instant-issuance functions iLoadCard / iWriteCaStep1 / iWriteCaStep2 / iPrint,
 * for Linux. Library: libSSCardDriver.so (SONAME libSSCardDriver.so.1). Reference: docs/c-abi.md.
 *
 * Conventions
 *  - Every function returns 0 on success and a negative code on failure; the code table is in
 *    docs/c-abi.md. A card's refusal is returned as the negative status word in decimal
 *    (-27010 = -0x6982).
 *  - Strings in and out are GB18030 by default (UTF-8 when configured). Output buffers
 *    (pOutInfo) must hold SSCARD_OUT_SIZE (1024) bytes; output is always NUL-terminated and
 *    cut on a character boundary to fit. The *_n variants take the buffer size explicitly and
 *    never write past it.
 *  - On failure pOutInfo holds a readable message.
 *  - Calls from several threads are serialised; no call blocks another for longer than its own
 *    card or printer operation.
 *  - The four instant-issuance functions take pOutInfo as their last parameter (the Windows
 *    ActiveX original returns it as a property).
 */
#ifndef SSCARDDRIVER_H
#define SSCARDDRIVER_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SSCARD_OUT_SIZE 1024

/* Reading and writing the card. iType: 1 contact, 2 contactless, 3 auto (contact first),
 * 4 auto (contactless first). iAuthType: 1 PIN, 2 key authentication. */
long iReadCardBas(int iType, char *pOutInfo);
long iReadCard(int iType, int iAuthType, char *pCardInfo, char *pFileAddr, char *pOutInfo);
long iWriteCard(int iType, char *pCardInfo, char *pFileAddr, char *pWriteData, char *pOutInfo);

/* PIN functions; the PIN is entered on the reader's PIN pad or through the PIN provider. */
long iVerifyPIN(int iType, char *pOutInfo);
long iChangePIN(int iType, char *pOutInfo);
long iReloadPIN(int iType, char *pCardInfo, char *pOutInfo);
long iUnblockPIN(int iType, char *pCardInfo, char *pOutInfo);

/* Two-step functions for terminals whose keys sit in an HSM (加密机) instead of a PSAM. */
long iReadCardBas_HSM_Step1(int iType, char *pOutInfo);
long iReadCardBas_HSM_Step2(char *pKey, char *pOutInfo);
long iReadCard_HSM_Step1(int iType, char *pCardInfo, char *pFileAddr, char *pOutInfo);
long iReadCard_HSM_Step2(char *pKey, char *pOutInfo);
long iWriteCard_HSM_Step1(int iType, char *pCardInfo, char *pFileAddr, char *pOutInfo);
long iWriteCard_HSM_Step2(char *pKey, char *pWriteData, char *pOutInfo);

/* Instant issuance (即时制卡). */
long iLoadCard(int n, char *pOutInfo);
long iWriteCaStep1(char *pOutInfo);
long iWriteCaStep2(char *pCaInfo, char *pOutInfo);
long iPrint(int n, char *sData1, char *sData2, char *sData3, char *sData4, char *sData5, char *sData6,
            char *sPhoto1, char *sPhoto2, char *pOutInfo);

/* PIN functions' extras (docs/pin-functions.md).
 * Three-step PIN reload (重置) and unblock (解锁) for terminals whose keys sit in an HSM:
 *  Step1 checks pCardInfo against the card and, for a reload, asks for the new PIN twice; it
 *        outputs 地区码|ATR历史字节|算法标识|卡识别码|SJS1|SJS2| (no PIN).
 *  Step2 pKey = <32 hex internal-authentication value>| from the HSM; outputs
 *        卡识别码|命令头|MAC输入| (the MAC input hides the PIN; the HSM never sees it).
 *  Step3 pKey = <8 hex MAC>| computed by the HSM; sends the command. Output empty on success. */
long iReloadPIN_HSM_Step1(int iType, char *pCardInfo, char *pOutInfo);
long iReloadPIN_HSM_Step2(char *pKey, char *pOutInfo);
long iReloadPIN_HSM_Step3(char *pKey, char *pOutInfo);
long iUnblockPIN_HSM_Step1(int iType, char *pCardInfo, char *pOutInfo);
long iUnblockPIN_HSM_Step2(char *pKey, char *pOutInfo);
long iUnblockPIN_HSM_Step3(char *pKey, char *pOutInfo);
long iChangePIN_n(int iType, char *pOutInfo, size_t outSize);
long iReloadPIN_n(int iType, char *pCardInfo, char *pOutInfo, size_t outSize);
long iUnblockPIN_n(int iType, char *pCardInfo, char *pOutInfo, size_t outSize);
long iReloadPIN_HSM_Step1_n(int iType, char *pCardInfo, char *pOutInfo, size_t outSize);
long iReloadPIN_HSM_Step2_n(char *pKey, char *pOutInfo, size_t outSize);
long iReloadPIN_HSM_Step3_n(char *pKey, char *pOutInfo, size_t outSize);
long iUnblockPIN_HSM_Step1_n(int iType, char *pCardInfo, char *pOutInfo, size_t outSize);
long iUnblockPIN_HSM_Step2_n(char *pKey, char *pOutInfo, size_t outSize);
long iUnblockPIN_HSM_Step3_n(char *pKey, char *pOutInfo, size_t outSize);

/* The PIN provider. The driver asks for a PIN by calling `callback` with what it wants
 * (purpose), a buffer pinOut of pinSize bytes (at least 17) and the caller's `context`. The
 * callback writes the PIN as NUL-terminated ASCII digits and returns SSCARD_PIN_OK, or
 * SSCARD_PIN_CANCELLED (-31) or SSCARD_PIN_TIMEOUT (-32); any other value counts as
 * cancelled. The driver zeroes pinOut afterwards. The callback runs on the calling thread
 * inside the driver call and must not call the driver itself. Order of PIN sources: the
 * reader's PIN pad (verify and change only), then this callback, then the terminal
 * (/dev/tty). SSCardDriver_SetPINCallback(NULL, NULL) removes the callback; returns 0. */
#define SSCARD_PIN_CURRENT 1       /* the card's current PIN */
#define SSCARD_PIN_NEW 2           /* the new PIN */
#define SSCARD_PIN_NEW_AGAIN 3     /* the new PIN again */
#define SSCARD_PIN_ADMIN 4         /* the PKI admin PIN */
#define SSCARD_PIN_OK 0
#define SSCARD_PIN_CANCELLED (-31)
#define SSCARD_PIN_TIMEOUT (-32)
typedef long (*SSCardPINCallback)(int purpose, char *pinOut, size_t pinSize, void *context);
long SSCardDriver_SetPINCallback(SSCardPINCallback callback, void *context);

/* Size-aware variants: outSize is the capacity of pOutInfo in bytes, NUL included. */
long iReadCardBas_n(int iType, char *pOutInfo, size_t outSize);
long iReadCard_n(int iType, int iAuthType, char *pCardInfo, char *pFileAddr, char *pOutInfo, size_t outSize);
long iWriteCard_n(int iType, char *pCardInfo, char *pFileAddr, char *pWriteData, char *pOutInfo, size_t outSize);
long iVerifyPIN_n(int iType, char *pOutInfo, size_t outSize);
long iReadCardBas_HSM_Step1_n(int iType, char *pOutInfo, size_t outSize);
long iReadCardBas_HSM_Step2_n(char *pKey, char *pOutInfo, size_t outSize);
long iReadCard_HSM_Step1_n(int iType, char *pCardInfo, char *pFileAddr, char *pOutInfo, size_t outSize);
long iReadCard_HSM_Step2_n(char *pKey, char *pOutInfo, size_t outSize);
long iLoadCard_n(int n, char *pOutInfo, size_t outSize);
long iWriteCaStep1_n(char *pOutInfo, size_t outSize);

/* Configuration: reads the driver configuration file (NULL = the default search path) and
 * applies it; returns 0 or a negative code with the reason in pOutInfo. */
long SSCardDriver_Configure(const char *configPath, char *pOutInfo, size_t outSize);

/* The library's release version, e.g. "1.0.0": a NUL-terminated ASCII string owned by the
 * library (do not free or write it), the same on every call and from every thread. Needs no
 * configuration, reader or card; never fails. */
const char *SSCardDriver_Version(void);

#ifdef __cplusplus
}
#endif

#endif
