#if canImport(Glibc)
import Glibc
#endif

/// Reads a whole file; an empty array when it does not exist.
public func readFile(_ path: String) -> [UInt8] {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return [] }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n <= 0 { break }
        bytes.append(contentsOf: chunk[0..<n])
    }
    return bytes
}

/// Replaces a file's contents.
public func writeFile(_ path: String, _ bytes: [UInt8]) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    precondition(fd >= 0, "cannot write \(path)")
    defer { close(fd) }
    var done = 0
    while done < bytes.count {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, bytes.count - done) }
        precondition(n > 0)
        done += n
    }
}

/// The size of a file, or -1.
public func fileSize(_ path: String) -> Int {
    var info = stat()
    return stat(path, &info) == 0 ? Int(info.st_size) : -1
}

/// Cuts a file to `length` bytes (LevelDB's `ShrinkSize`).
public func truncateFile(_ path: String, to length: Int) {
    precondition(truncate(path, off_t(length)) == 0)
}

/// Flips bit `bit` of the byte at `offset` in place.
public func flipBit(_ path: String, at offset: Int, bit: Int = 0) {
    var bytes = readFile(path)
    bytes[offset] ^= UInt8(1 << bit)
    writeFile(path, bytes)
}

/// Whether a file exists.
public func fileExists(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0
}
