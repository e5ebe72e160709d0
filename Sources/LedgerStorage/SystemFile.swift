#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open file: a descriptor with its path, over ``SystemCalls``.
///
/// Retries `EINTR`, loops over short reads and writes, and turns failures into
/// ``StorageError`` values naming the path. The descriptor is closed when the
/// last reference goes away, so readers holding a file keep it usable after
/// the log that opened it was closed. Thread-safe: `pread`/`pwrite` take
/// explicit offsets and share no file position.
package final class SystemFile: Sendable {
    package let descriptor: Int32
    package let path: String
    package let system: any SystemCalls

    package init(descriptor: Int32, path: String, system: any SystemCalls) {
        self.descriptor = descriptor
        self.path = path
        self.system = system
    }

    deinit { _ = system.close(descriptor) }

    /// Opens `path`. The corresponding C function is `open`.
    package static func open(_ path: String, flags: Int32, mode: mode_t = 0o644, system: any SystemCalls) throws(StorageError) -> SystemFile {
        while true {
            let fd = system.open(path, flags: flags, mode: mode)
            if fd >= 0 { return SystemFile(descriptor: fd, path: path, system: system) }
            if fd == -EINTR { continue }
            if fd == -ENOENT {
                throw StorageError(.notFound, path: path, errno: -fd, message: "cannot open")
            }
            throw StorageError(.io, path: path, errno: -fd, message: "cannot open")
        }
    }

    /// Reads up to `buffer.count` bytes at `offset`; fewer only at end of file.
    /// Returns the bytes read. The corresponding C function is `pread`.
    package func read(fromAbsoluteOffset offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws(StorageError) -> Int {
        var done = 0
        while done < buffer.count {
            let n = system.pread(descriptor, into: UnsafeMutableRawBufferPointer(rebasing: buffer[done...]), at: offset + Int64(done))
            if n > 0 {
                done += n
            } else if n == 0 {
                break
            } else if n == -Int(EINTR) {
                continue
            } else {
                throw StorageError(.io, path: path, offset: offset + Int64(done), errno: Int32(-n), message: "read failed")
            }
        }
        return done
    }

    /// Reads exactly `buffer.count` bytes at `offset`, or throws a corruption
    /// error (`reason`) when the file ends first.
    package func readExactly(fromAbsoluteOffset offset: Int64, into buffer: UnsafeMutableRawBufferPointer, reason: @autoclosure () -> String) throws(StorageError) {
        let n = try read(fromAbsoluteOffset: offset, into: buffer)
        if n != buffer.count { throw StorageError.corruption(path, offset, reason()) }
    }

    /// Writes all of `bytes` at `offset`, looping over short writes.
    /// The corresponding C function is `pwrite`.
    package func write(toAbsoluteOffset offset: Int64, _ bytes: UnsafeRawBufferPointer) throws(StorageError) {
        var done = 0
        while done < bytes.count {
            let n = system.pwrite(descriptor, from: UnsafeRawBufferPointer(rebasing: bytes[done...]), at: offset + Int64(done))
            if n > 0 {
                done += n
            } else if n == -Int(EINTR) {
                continue
            } else if n == 0 {
                throw StorageError(.io, path: path, offset: offset + Int64(done), errno: EIO, message: "write made no progress")
            } else {
                throw StorageError(.io, path: path, offset: offset + Int64(done), errno: Int32(-n), message: "write failed")
            }
        }
    }

    /// Makes the file's data durable. The corresponding C function is `fdatasync`.
    package func synchronizeData() throws(StorageError) {
        while true {
            let r = system.fdatasync(descriptor)
            if r == 0 { return }
            if r == -EINTR { continue }
            throw StorageError(.io, path: path, errno: -r, message: "fdatasync failed")
        }
    }

    /// Makes the file (or directory) and its metadata durable. The
    /// corresponding C function is `fsync`.
    package func synchronize() throws(StorageError) {
        while true {
            let r = system.fsync(descriptor)
            if r == 0 { return }
            if r == -EINTR { continue }
            throw StorageError(.io, path: path, errno: -r, message: "fsync failed")
        }
    }

    /// Starts writing a range back to the disk without waiting (so a later
    /// sync has little left to do). Advisory: failures are ignored here and
    /// surface at the next sync. The corresponding C function is `sync_file_range`.
    package func startWriteback(offset: Int64, length: Int64) {
        _ = system.startWriteback(descriptor, offset: offset, length: length)
    }

    /// Cuts or extends the file to `length` bytes. The corresponding C function is `ftruncate`.
    package func truncate(to length: Int64) throws(StorageError) {
        while true {
            let r = system.ftruncate(descriptor, length: length)
            if r == 0 { return }
            if r == -EINTR { continue }
            throw StorageError(.io, path: path, offset: length, errno: -r, message: "ftruncate failed")
        }
    }

    /// The file's current size. The corresponding C function is `fstat`.
    package func size() throws(StorageError) -> Int64 {
        let r = system.fileSize(descriptor)
        if r < 0 { throw StorageError(.io, path: path, errno: Int32(-r), message: "fstat failed") }
        return r
    }
}

/// Directory-level operations over ``SystemCalls``.
package struct FileSystem: Sendable {
    package let system: any SystemCalls

    package init(_ system: any SystemCalls) { self.system = system }

    /// Makes the directory's entries (creations, renames, removals) durable.
    package func synchronizeDirectory(_ path: String) throws(StorageError) {
        let dir = try SystemFile.open(path, flags: O_RDONLY | O_DIRECTORY, system: system)
        try dir.synchronize()
    }

    package func rename(_ from: String, to: String) throws(StorageError) {
        let r = system.rename(from, to: to)
        if r != 0 { throw StorageError(.io, path: from, errno: -r, message: "cannot rename to \(to)") }
    }

    package func remove(_ path: String) throws(StorageError) {
        let r = system.unlink(path)
        if r != 0 && r != -ENOENT { throw StorageError(.io, path: path, errno: -r, message: "cannot remove") }
    }

    /// Creates the directory and any missing parents (`mkdir -p`); succeeds
    /// when it already exists.
    package func makeDirectory(_ path: String) throws(StorageError) {
        var r = system.mkdir(path, mode: 0o755)
        if r == -ENOENT, let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            try makeDirectory(String(path[..<slash]))
            r = system.mkdir(path, mode: 0o755)
        }
        if r != 0 && r != -EEXIST { throw StorageError(.io, path: path, errno: -r, message: "cannot create directory") }
    }

    package func list(_ path: String) throws(StorageError) -> [String] {
        switch system.listDirectory(path) {
        case .success(let names): return names
        case .failure(let e):
            if e.code == ENOENT { throw StorageError(.notFound, path: path, errno: e.code, message: "no such directory") }
            throw StorageError(.io, path: path, errno: e.code, message: "cannot list directory")
        }
    }

    /// Writes `bytes` to `path` atomically: a temporary file, fsync, rename,
    /// then an fsync of the directory.
    package func writeAtomically(_ path: String, directory: String, bytes: [UInt8]) throws(StorageError) {
        let temporary = path + ".tmp"
        let file = try SystemFile.open(temporary, flags: O_WRONLY | O_CREAT | O_TRUNC, system: system)
        try file.write(toAbsoluteOffset: 0, bytes: bytes)
        try file.synchronize()
        try rename(temporary, to: path)
        try synchronizeDirectory(directory)
    }
}

extension SystemFile {
    /// Writes all of `bytes` at `offset`. Convenience over ``write(toAbsoluteOffset:_:)``.
    package func write(toAbsoluteOffset offset: Int64, bytes: [UInt8]) throws(StorageError) {
        var failure: StorageError?
        bytes.withUnsafeBytes { raw in
            do throws(StorageError) { try write(toAbsoluteOffset: offset, raw) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Reads up to `count` bytes at `offset` (fewer at end of file). Allocates.
    package func read(fromAbsoluteOffset offset: Int64, count: Int) throws(StorageError) -> [UInt8] {
        var failure: StorageError?
        var got = 0
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { raw in
            do throws(StorageError) { got = try read(fromAbsoluteOffset: offset, into: raw) } catch { failure = error }
        }
        if let failure { throw failure }
        bytes.removeLast(count - got)
        return bytes
    }
}
