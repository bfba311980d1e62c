// Loaded into the private pcscd of VirtualReaderStack with LD_PRELOAD, never linked into a
// program of the package.
//
// vpcd (vsmartcard 3.3, Debian 12) binds its card ports 35963 and 35964 to INADDR_ANY, so any
// host on the network could connect and be the card the desk personalises. vpcd has no option
// for the address, and its "reversed mode" (DEVICENAME host:port, vpcd connecting out) makes
// this vpcd abort pcscd as soon as a card's connection closes (select() on fd -1 in
// vicc_connect: "bit out of range 0 - FD_SETSIZE on fd_set"), so removing a card would kill the
// readers. This bind() binds every IPv4 or IPv6 wildcard address to loopback instead: in the
// private pcscd, only this machine can reach a vpcd port. Other addresses (pcscd's Unix socket)
// pass through unchanged.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "VPCDLoopback.h"

typedef int (*bind_function)(int, const struct sockaddr *, socklen_t);

static bind_function next_bind(void) {
    static bind_function next;
    bind_function found = __atomic_load_n(&next, __ATOMIC_ACQUIRE);
    if (!found) {
        found = (bind_function)dlsym(RTLD_NEXT, "bind");
        __atomic_store_n(&next, found, __ATOMIC_RELEASE);
    }
    return found;
}

int bind(int fd, const struct sockaddr *address, socklen_t length) {
    bind_function real = next_bind();
    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    if (address && address->sa_family == AF_INET && length >= sizeof(struct sockaddr_in)) {
        struct sockaddr_in in;
        memcpy(&in, address, sizeof in);
        if (in.sin_addr.s_addr == htonl(INADDR_ANY)) {
            in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            return real(fd, (const struct sockaddr *)&in, sizeof in);
        }
    } else if (address && address->sa_family == AF_INET6 && length >= sizeof(struct sockaddr_in6)) {
        struct sockaddr_in6 in6;
        memcpy(&in6, address, sizeof in6);
        if (memcmp(&in6.sin6_addr, &in6addr_any, sizeof in6.sin6_addr) == 0) {
            in6.sin6_addr = in6addr_loopback;
            return real(fd, (const struct sockaddr *)&in6, sizeof in6);
        }
    }
    return real(fd, address, length);
}
