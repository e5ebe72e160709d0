#if canImport(Glibc)
import Glibc
#endif

/// Where the harness keeps its data: `$LEDGER_BENCH_DIR`, or
/// `/tmp/patientledger-bench`. Per-process scratch goes in `run-<pid>-*`
/// folders removed when done; the large logs and crash images are cached in
/// `cache/` across processes (package-benchmark runs each workload in its own
/// process) and removed by `ledger-bench clean`.
public enum Scratch {
    public static var root: String {
        getenv("LEDGER_BENCH_DIR").map { String(cString: $0) } ?? "/tmp/patientledger-bench"
    }

    public static var cache: String { root + "/cache" }

    nonisolated(unsafe) private static var counter = 0

    /// A new, empty folder for this process; remove it with ``remove(_:)``.
    public static func makeDirectory(_ label: String) throws -> String {
        counter += 1
        let path = "\(root)/run-\(getpid())-\(counter)-\(label)"
        try Files.makeDirectories(path)
        return path
    }

    public static func remove(_ path: String) { Files.removeTree(path) }
}

/// The few file operations the harness needs, over libc.
public enum Files {
    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    public static func makeDirectories(_ path: String) throws {
        var prefix = ""
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += "/" + part
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw BenchError("cannot create \(prefix): errno \(errno)")
            }
        }
    }

    public static func list(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    public static func size(_ path: String) -> Int64 {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : 0
    }

    /// Bytes of all regular files under `path` (not following links twice:
    /// hard links count once per name, as `du` would not; callers use it on
    /// plain log folders).
    public static func treeSize(_ path: String) -> Int64 {
        list(path).reduce(0) { $0 + size(path + "/" + $1) }
    }

    public static func removeTree(_ path: String) {
        if isDirectory(path) {
            for name in list(path) { removeTree(path + "/" + name) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }

    /// Copies a regular file's bytes (what a crash image needs: a
    /// point-in-time copy of what the writer had written).
    public static func copy(_ from: String, _ to: String, sync: Bool = false) throws {
        let input = open(from, O_RDONLY)
        guard input >= 0 else { throw BenchError("cannot open \(from): errno \(errno)") }
        defer { close(input) }
        let output = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard output >= 0 else { throw BenchError("cannot create \(to): errno \(errno)") }
        defer { close(output) }
        let chunk = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = read(input, buffer, chunk)
            if n < 0 { throw BenchError("read \(from): errno \(errno)") }
            if n == 0 { break }
            var done = 0
            while done < n {
                let w = write(output, buffer + done, n - done)
                if w <= 0 { throw BenchError("write \(to): errno \(errno)") }
                done += w
            }
        }
        if sync && fdatasync(output) != 0 { throw BenchError("fdatasync \(to): errno \(errno)") }
    }

    public static func link(_ from: String, _ to: String) throws {
        guard Glibc.link(from, to) == 0 else { throw BenchError("cannot link \(from) to \(to): errno \(errno)") }
    }

    /// Appends `bytes` to the end of a file.
    public static func appendBytes(_ path: String, _ bytes: [UInt8]) throws {
        let fd = open(path, O_WRONLY | O_APPEND)
        guard fd >= 0 else { throw BenchError("cannot open \(path): errno \(errno)") }
        defer { close(fd) }
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
        guard n == bytes.count else { throw BenchError("short append to \(path)") }
    }

    /// Reads a whole file sequentially in `chunk`-byte `pread`s and returns
    /// the bytes read (the page-cache read ceiling for recovery's tail scan).
    public static func readAll(_ path: String, from offset: Int64 = 0, chunk: Int = 32 << 10) -> Int64 {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        var at = offset
        while true {
            let n = pread(fd, buffer, chunk, off_t(at))
            if n <= 0 { break }
            at += Int64(n)
        }
        return at - offset
    }
}
