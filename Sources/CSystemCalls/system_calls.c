#define _GNU_SOURCE
#include "system_calls.h"

#include <errno.h>
#include <fcntl.h>

int plg_start_writeback(int fd, int64_t offset, int64_t length) {
#if defined(__linux__)
    return sync_file_range(fd, offset, length, SYNC_FILE_RANGE_WRITE) == 0 ? 0 : -errno;
#else
    (void)fd; (void)offset; (void)length;
    return 0;
#endif
}
