/*
 * The PIN provider of interface_check.c: a C callback (SSCardDriver_SetPINCallback) answering
 * the driver's PIN requests from the answers set by the "setpins" command, one per purpose
 * (current, new, new again). An answer "-" cancels (SSCARD_PIN_CANCELLED), "T" times out
 * (SSCARD_PIN_TIMEOUT). The callback counts its calls through the context pointer, so the test
 * also sees that the context comes back unchanged.
 */
#ifndef PIN_PROVIDER_H
#define PIN_PROVIDER_H

#include <string.h>
#include "SSCardDriver.h"

static char pin_answers[5][64];
static long pin_calls;

static long pin_provider(int purpose, char *pinOut, size_t pinSize, void *context) {
    if (context != &pin_calls) return SSCARD_PIN_CANCELLED;
    (*(long *)context)++;
    if (purpose < SSCARD_PIN_CURRENT || purpose > SSCARD_PIN_ADMIN || !pinOut) return SSCARD_PIN_CANCELLED;
    const char *answer = pin_answers[purpose];
    if (!strcmp(answer, "-")) return SSCARD_PIN_CANCELLED;
    if (!strcmp(answer, "T")) return SSCARD_PIN_TIMEOUT;
    size_t n = strlen(answer);
    if (n + 1 > pinSize) return SSCARD_PIN_CANCELLED;
    memcpy(pinOut, answer, n + 1);
    return SSCARD_PIN_OK;
}

/* A callback that calls back into the driver before answering, as a careless caller might:
 * the inner calls' codes are kept for the "reentered" command. */
static long reentered_readbas = 1, reentered_configure = 1;

static long reentrant_provider(int purpose, char *pinOut, size_t pinSize, void *context) {
    (void)purpose; (void)context;
    char inner[1024];
    reentered_readbas = iReadCardBas(1, inner);
    reentered_configure = SSCardDriver_Configure(NULL, inner, sizeof inner);
    if (!pinOut || pinSize < 7) return SSCARD_PIN_CANCELLED;
    memcpy(pinOut, "123456", 7);
    return SSCARD_PIN_OK;
}

/* Sets the answers (NULL = "-") and installs the callback; returns its result. */
static long set_pins(const char *current, const char *newPin, const char *again) {
    const char *given[3] = { current, newPin, again };
    for (int i = 0; i < 3; i++) {
        const char *a = given[i] ? given[i] : "-";
        strncpy(pin_answers[i + 1], a, sizeof pin_answers[0] - 1);
        pin_answers[i + 1][sizeof pin_answers[0] - 1] = 0;
    }
    strcpy(pin_answers[SSCARD_PIN_ADMIN], "-");
    return SSCardDriver_SetPINCallback(pin_provider, &pin_calls);
}

#endif
