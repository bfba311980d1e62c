// The LD_PRELOAD library VirtualReaderStack loads into its private pcscd
// (libsscard-vpcd-loopback.so): it replaces bind(2) so that a wildcard address becomes loopback.
// Nothing in the package calls it; it has no API of its own.
#ifndef VPCD_LOOPBACK_H
#define VPCD_LOOPBACK_H
#endif
