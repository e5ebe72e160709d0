import CSystemCalls
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The thin layer under every system call the storage layer makes.
///
/// Each call returns its result, or `-errno` when it fails, and does nothing
/// else: no retries, no loops. ``SystemFile`` adds those (EINTR retry,
/// short-write loops, typed errors). Tests substitute an implementation that
/// injects `ENOSPC`, `EIO`, short writes and `EINTR` through
/// ``LogOptions/systemCalls``.
package protocol SystemCalls: Sendable {
    /// `open(2)`: a descriptor or `-errno`.
    func open(_ path: String, flags: Int32, mode: mode_t) -> Int32
    /// `close(2)`: 0 or `-errno`.
    func close(_ fd: Int32) -> Int32
    /// `pread(2)`: bytes read (0 at end of file) or `-errno`.
    func pread(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) -> Int
    /// `pwrite(2)`: bytes written (possibly fewer than asked) or `-errno`.
    func pwrite(_ fd: Int32, from buffer: UnsafeRawBufferPointer, at offset: Int64) -> Int
    /// `fdatasync(2)` (or `fsync(2)` where that is all there is): 0 or `-errno`.
    func fdatasync(_ fd: Int32) -> Int32
    /// `fsync(2)`: 0 or `-errno`. Used for directories.
    func fsync(_ fd: Int32) -> Int32
    /// `sync_file_range(2)` with `SYNC_FILE_RANGE_WRITE`: starts writeback of
    /// a range without waiting for it (Linux; a no-op elsewhere). 0 or `-errno`.
    func startWriteback(_ fd: Int32, offset: Int64, length: Int64) -> Int32
    /// `ftruncate(2)`: 0 or `-errno`.
    func ftruncate(_ fd: Int32, length: Int64) -> Int32
    /// The size of an open file from `fstat(2)`, or `-errno`.
    func fileSize(_ fd: Int32) -> Int64
    /// `rename(2)`: 0 or `-errno`.
    func rename(_ from: String, to: String) -> Int32
    /// `unlink(2)`: 0 or `-errno`.
    func unlink(_ path: String) -> Int32
    /// `mkdir(2)`: 0 or `-errno`.
    func mkdir(_ path: String, mode: mode_t) -> Int32
    /// `flock(2)`: 0 or `-errno`.
    func flock(_ fd: Int32, operation: Int32) -> Int32
    /// The names in a directory (without `.` and `..`), or `-errno`.
    func listDirectory(_ path: String) -> Result<[String], SystemErrno>
}

/// An `errno` value carried as an error.
package struct SystemErrno: Error, Equatable, Sendable {
    package var code: Int32
    package init(_ code: Int32) { self.code = code }
}

/// The real system calls.
package struct LinuxSystemCalls: SystemCalls {
    package init() {}

    @inline(__always)
    private func result(_ value: Int32) -> Int32 { value < 0 ? -errno : value }

    package func open(_ path: String, flags: Int32, mode: mode_t) -> Int32 {
        result(Glibc.open(path, flags | O_CLOEXEC, mode))
    }
    package func close(_ fd: Int32) -> Int32 { result(Glibc.close(fd)) }
    package func pread(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) -> Int {
        let n = Glibc.pread(fd, buffer.baseAddress, buffer.count, off_t(offset))
        return n < 0 ? -Int(errno) : n
    }
    package func pwrite(_ fd: Int32, from buffer: UnsafeRawBufferPointer, at offset: Int64) -> Int {
        let n = Glibc.pwrite(fd, buffer.baseAddress, buffer.count, off_t(offset))
        return n < 0 ? -Int(errno) : n
    }
    package func fdatasync(_ fd: Int32) -> Int32 { result(Glibc.fdatasync(fd)) }
    package func fsync(_ fd: Int32) -> Int32 { result(Glibc.fsync(fd)) }
    package func ftruncate(_ fd: Int32, length: Int64) -> Int32 { result(Glibc.ftruncate(fd, off_t(length))) }
    package func startWriteback(_ fd: Int32, offset: Int64, length: Int64) -> Int32 {
        plg_start_writeback(fd, offset, length)
    }
    package func fileSize(_ fd: Int32) -> Int64 {
        var info = stat()
        if fstat(fd, &info) != 0 { return -Int64(errno) }
        return Int64(info.st_size)
    }
    package func rename(_ from: String, to: String) -> Int32 { result(Glibc.rename(from, to)) }
    package func unlink(_ path: String) -> Int32 { result(Glibc.unlink(path)) }
    package func mkdir(_ path: String, mode: mode_t) -> Int32 { result(Glibc.mkdir(path, mode)) }
    package func flock(_ fd: Int32, operation: Int32) -> Int32 { result(lockFile(fd, operation)) }
    package func listDirectory(_ path: String) -> Result<[String], SystemErrno> {
        guard let dir = opendir(path) else { return .failure(SystemErrno(errno)) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return .success(names)
    }
}


/// `flock(2)`. Unqualified, `flock` resolves to the C function here
/// (`Glibc.flock` would name the struct of the same name).
private func lockFile(_ fd: Int32, _ operation: Int32) -> Int32 {
    let r: Int32 = flock(fd, operation)
    return r
}
