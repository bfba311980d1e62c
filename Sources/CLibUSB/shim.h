#ifndef CLibUSB_SHIM_H
#define CLibUSB_SHIM_H
#include <libusb.h>
#endif
