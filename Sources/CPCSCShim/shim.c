#include "CPCSCShim.h"
#include <winscard.h>
#include <reader.h>

_Static_assert(sizeof(DWORD) == sizeof(unsigned long), "DWORD is unsigned long on Linux");

const uint32_t CPCSCShim_SCARD_S_SUCCESS = (uint32_t)SCARD_S_SUCCESS;
const uint32_t CPCSCShim_SCARD_E_NO_SERVICE = (uint32_t)SCARD_E_NO_SERVICE;
const uint32_t CPCSCShim_SCARD_E_SERVICE_STOPPED = (uint32_t)SCARD_E_SERVICE_STOPPED;
const uint32_t CPCSCShim_SCARD_E_TIMEOUT = (uint32_t)SCARD_E_TIMEOUT;
const uint32_t CPCSCShim_SCARD_E_CANCELLED = (uint32_t)SCARD_E_CANCELLED;
const uint32_t CPCSCShim_SCARD_E_NO_READERS_AVAILABLE = (uint32_t)SCARD_E_NO_READERS_AVAILABLE;
const uint32_t CPCSCShim_SCARD_E_UNKNOWN_READER = (uint32_t)SCARD_E_UNKNOWN_READER;
const uint32_t CPCSCShim_SCARD_E_NO_SMARTCARD = (uint32_t)SCARD_E_NO_SMARTCARD;
const uint32_t CPCSCShim_SCARD_E_INSUFFICIENT_BUFFER = (uint32_t)SCARD_E_INSUFFICIENT_BUFFER;
const uint32_t CPCSCShim_SCARD_W_RESET_CARD = (uint32_t)SCARD_W_RESET_CARD;
const uint32_t CPCSCShim_SCARD_W_REMOVED_CARD = (uint32_t)SCARD_W_REMOVED_CARD;

const uint8_t CPCSCShim_FEATURE_VERIFY_PIN_DIRECT = FEATURE_VERIFY_PIN_DIRECT;
const uint8_t CPCSCShim_FEATURE_MODIFY_PIN_DIRECT = FEATURE_MODIFY_PIN_DIRECT;

const size_t CPCSCShim_MAX_BUFFER_SIZE_EXTENDED = MAX_BUFFER_SIZE_EXTENDED;
const size_t CPCSCShim_MAX_ATR_SIZE = MAX_ATR_SIZE;

const void *CPCSCShim_pciForProtocol(unsigned long protocol) {
    switch (protocol) {
    case SCARD_PROTOCOL_T0: return SCARD_PCI_T0;
    case SCARD_PROTOCOL_T1: return SCARD_PCI_T1;
    default: return SCARD_PCI_RAW;
    }
}

unsigned long CPCSCShim_ctlCode(unsigned long code) { return SCARD_CTL_CODE(code); }

unsigned long CPCSCShim_getFeatureRequestCode(void) { return CM_IOCTL_GET_FEATURE_REQUEST; }

uint32_t CPCSCShim_findFeature(const uint8_t *tlv, size_t length, uint8_t tag) {
    if (tlv == NULL) return 0;
    size_t i = 0;
    while (i + 2 <= length) {
        uint8_t t = tlv[i];
        uint8_t l = tlv[i + 1];
        if (i + 2 + l > length) return 0; /* truncated list */
        if (t == tag && l == 4) {
            const uint8_t *v = tlv + i + 2;
            return ((uint32_t)v[0] << 24) | ((uint32_t)v[1] << 16) | ((uint32_t)v[2] << 8) | v[3];
        }
        i += 2 + (size_t)l;
    }
    return 0;
}
