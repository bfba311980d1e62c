/* pcsc-lite's public headers; pkg-config libpcsclite adds -I/usr/include/PCSC. */
#ifndef CPCSCLITE_SHIM_H
#define CPCSCLITE_SHIM_H
#include <winscard.h>
#include <reader.h>
#endif
