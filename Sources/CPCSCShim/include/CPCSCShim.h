/*
 * CPCSCShim: the few pieces of pcsc-lite that Swift cannot import directly.
 * Every symbol is prefixed CPCSCShim_. Macros become functions or constants.
 */
#ifndef CPCSCSHIM_H
#define CPCSCSHIM_H

#include <stddef.h>
#include <stdint.h>

/* Error codes pcsc-lite defines as casted macros; as 32-bit values (LONG is 64-bit on LP64). */
extern const uint32_t CPCSCShim_SCARD_S_SUCCESS;
extern const uint32_t CPCSCShim_SCARD_E_NO_SERVICE;
extern const uint32_t CPCSCShim_SCARD_E_SERVICE_STOPPED;
extern const uint32_t CPCSCShim_SCARD_E_TIMEOUT;
extern const uint32_t CPCSCShim_SCARD_E_CANCELLED;
extern const uint32_t CPCSCShim_SCARD_E_NO_READERS_AVAILABLE;
extern const uint32_t CPCSCShim_SCARD_E_UNKNOWN_READER;
extern const uint32_t CPCSCShim_SCARD_E_NO_SMARTCARD;
extern const uint32_t CPCSCShim_SCARD_E_INSUFFICIENT_BUFFER;
extern const uint32_t CPCSCShim_SCARD_W_RESET_CARD;
extern const uint32_t CPCSCShim_SCARD_W_REMOVED_CARD;

/* The protocol control information blocks (macros that take an address in pcsc-lite). */
const void *CPCSCShim_pciForProtocol(unsigned long protocol);

/* SCARD_CTL_CODE(code): a control code for SCardControl. */
unsigned long CPCSCShim_ctlCode(unsigned long code);

/* CM_IOCTL_GET_FEATURE_REQUEST, the PC/SC part 10 feature query. */
unsigned long CPCSCShim_getFeatureRequestCode(void);

/*
 * Finds `tag` in a PC/SC part 10 feature list (TLV: tag 1 byte, length 1 byte = 4,
 * value = control code big-endian). Returns the control code, or 0 if absent or malformed.
 */
uint32_t CPCSCShim_findFeature(const uint8_t *tlv, size_t length, uint8_t tag);

/* Part 10 feature tags used by the driver. */
extern const uint8_t CPCSCShim_FEATURE_VERIFY_PIN_DIRECT;
extern const uint8_t CPCSCShim_FEATURE_MODIFY_PIN_DIRECT;

/* Buffer sizes. */
extern const size_t CPCSCShim_MAX_BUFFER_SIZE_EXTENDED;
extern const size_t CPCSCShim_MAX_ATR_SIZE;

#endif
