// System calls that Swift's Glibc module does not expose (they need
// _GNU_SOURCE), each returning 0 or -errno, and the CPU's prefetch hint.
#ifndef PATIENTLEDGER_SYSTEM_CALLS_H
#define PATIENTLEDGER_SYSTEM_CALLS_H

#include <stdint.h>

/// sync_file_range(fd, offset, length, SYNC_FILE_RANGE_WRITE): starts
/// writeback of the range without waiting. 0 or -errno; 0 where unsupported.
int plg_start_writeback(int fd, int64_t offset, int64_t length);

/// Hints that `address` will soon be read (`plg_prefetch_read`) or
/// written (`plg_prefetch_write`): the CPU starts loading its cache line
/// (and its address translation) without waiting, unlike a load, which
/// holds a slot in the CPU's instruction window until the line arrives. A
/// line only read is asked for shared, so that other threads reading it (a
/// snapshot encoding a copy-on-write table) keep their copies. Never
/// faults, whatever the address; a no-op where the compiler has no
/// prefetch. Swift has no prefetch of its own.
static inline void plg_prefetch_read(const void *address) {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(address, 0, 3);
#else
    (void)address;
#endif
}

static inline void plg_prefetch_write(const void *address) {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(address, 1, 3);
#else
    (void)address;
#endif
}

#endif
