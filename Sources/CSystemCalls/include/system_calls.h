// System calls that Swift's Glibc module does not expose (they need
// _GNU_SOURCE). Each returns 0 or -errno.
#ifndef PATIENTLEDGER_SYSTEM_CALLS_H
#define PATIENTLEDGER_SYSTEM_CALLS_H

#include <stdint.h>

/// sync_file_range(fd, offset, length, SYNC_FILE_RANGE_WRITE): starts
/// writeback of the range without waiting. 0 or -errno; 0 where unsupported.
int plg_start_writeback(int fd, int64_t offset, int64_t length);

#endif
