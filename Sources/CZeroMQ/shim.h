#ifndef TRAINYARD_CZEROMQ_SHIM_H
#define TRAINYARD_CZEROMQ_SHIM_H

#include <zmq.h>
#include <errno.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

/// errno as seen by libzmq on this thread (Swift cannot read the errno macro directly).
static inline int czmq_errno(void) { return zmq_errno(); }

/// EAGAIN/EINTR/ETERM/EHOSTUNREACH as plain ints for Swift.
static inline int czmq_eagain(void) { return EAGAIN; }
static inline int czmq_eintr(void) { return EINTR; }
static inline int czmq_eterm(void) { return ETERM; }
static inline int czmq_ehostunreach(void) { return EHOSTUNREACH; }

/// Serves allocations up to 64 MiB from the heap and keeps freed memory for reuse (glibc only).
static inline void czmq_keep_large_buffers_on_heap(void) {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}

#endif
