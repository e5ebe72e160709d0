#if canImport(Glibc)
import Glibc
#endif
import Synchronization
@testable import LedgerStorage

/// The system calls a fault can be injected into.
public enum SystemCall: String, Sendable {
    case open, pread, pwrite, fdatasync, fsync, ftruncate, rename
}

/// What an injected fault does.
public enum Fault: Sendable, Equatable {
    /// Fail with this errno (ENOSPC, EIO, EINTR...), doing nothing.
    case fail(Int32)
    /// For `pwrite`: write only the first `n` bytes (a short write).
    case short(Int)
}

/// Real system calls, except where `rule` injects a fault.
///
/// `rule` sees the call, the path of the file concerned and how many times
/// that call has been made so far (1 for the first), and returns a fault or
/// nil. Thread-safe.
public final class FaultInjectingSystemCalls: SystemCalls, @unchecked Sendable {
    private let real = LinuxSystemCalls()
    private let state = Mutex<(counts: [SystemCall: Int], paths: [Int32: String], armed: Bool)>(([:], [:], true))
    private let rule: @Sendable (SystemCall, String, Int) -> Fault?

    public init(_ rule: @escaping @Sendable (SystemCall, String, Int) -> Fault?) {
        self.rule = rule
    }

    /// Stops injecting faults (the calls pass through from now on).
    public func disarm() { state.withLock { $0.armed = false } }

    /// How many times `call` was made.
    public func count(_ call: SystemCall) -> Int { state.withLock { $0.counts[call, default: 0] } }

    private func fault(_ call: SystemCall, fd: Int32? = nil, path: String? = nil) -> Fault? {
        let (n, p, armed) = state.withLock { s -> (Int, String, Bool) in
            s.counts[call, default: 0] += 1
            return (s.counts[call]!, path ?? fd.flatMap { s.paths[$0] } ?? "", s.armed)
        }
        return armed ? rule(call, p, n) : nil
    }

    public func open(_ path: String, flags: Int32, mode: mode_t) -> Int32 {
        if case .fail(let e) = fault(.open, path: path) { return -e }
        let fd = real.open(path, flags: flags, mode: mode)
        if fd >= 0 { state.withLock { $0.paths[fd] = path } }
        return fd
    }
    public func close(_ fd: Int32) -> Int32 {
        state.withLock { _ = $0.paths.removeValue(forKey: fd) }
        return real.close(fd)
    }
    public func pread(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) -> Int {
        if case .fail(let e) = fault(.pread, fd: fd) { return -Int(e) }
        return real.pread(fd, into: buffer, at: offset)
    }
    public func pwrite(_ fd: Int32, from buffer: UnsafeRawBufferPointer, at offset: Int64) -> Int {
        switch fault(.pwrite, fd: fd) {
        case .fail(let e)?: return -Int(e)
        case .short(let n)?:
            let cut = min(max(n, 1), buffer.count)
            return real.pwrite(fd, from: UnsafeRawBufferPointer(rebasing: buffer[0..<cut]), at: offset)
        case nil: return real.pwrite(fd, from: buffer, at: offset)
        }
    }
    public func fdatasync(_ fd: Int32) -> Int32 {
        if case .fail(let e) = fault(.fdatasync, fd: fd) { return -e }
        return real.fdatasync(fd)
    }
    public func fsync(_ fd: Int32) -> Int32 {
        if case .fail(let e) = fault(.fsync, fd: fd) { return -e }
        return real.fsync(fd)
    }
    public func ftruncate(_ fd: Int32, length: Int64) -> Int32 {
        if case .fail(let e) = fault(.ftruncate, fd: fd) { return -e }
        return real.ftruncate(fd, length: length)
    }
    public func fileSize(_ fd: Int32) -> Int64 { real.fileSize(fd) }
    public func startWriteback(_ fd: Int32, offset: Int64, length: Int64) -> Int32 { real.startWriteback(fd, offset: offset, length: length) }
    public func rename(_ from: String, to: String) -> Int32 {
        if case .fail(let e) = fault(.rename, path: from) { return -e }
        return real.rename(from, to: to)
    }
    public func unlink(_ path: String) -> Int32 { real.unlink(path) }
    public func mkdir(_ path: String, mode: mode_t) -> Int32 { real.mkdir(path, mode: mode) }
    public func flock(_ fd: Int32, operation: Int32) -> Int32 { real.flock(fd, operation: operation) }
    public func listDirectory(_ path: String) -> Result<[String], SystemErrno> { real.listDirectory(path) }
}
