#if canImport(Glibc)
import Glibc
#endif

/// A fresh directory under the system temporary directory, removed (with
/// everything in it) when the value is deinitialized.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init(_ label: String = "ledger") {
        var template = Array("/tmp/patientledger-\(label)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = String(cString: made!)
    }

    /// `path/name`.
    public func appending(_ name: String) -> String { path + "/" + name }

    deinit { removeTree(path) }
}

/// Removes a file or a directory tree; ignores what does not exist.
public func removeTree(_ path: String) {
    var info = stat()
    guard lstat(path, &info) == 0 else { return }
    if (info.st_mode & S_IFMT) == S_IFDIR {
        for name in listDirectory(path) { removeTree(path + "/" + name) }
        rmdir(path)
    } else {
        unlink(path)
    }
}

/// The names in a directory, sorted, without `.` and `..`.
public func listDirectory(_ path: String) -> [String] {
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

/// Copies every regular file of `source` into `destination` (created).
public func copyDirectory(_ source: String, to destination: String) {
    mkdir(destination, 0o755)
    for name in listDirectory(source) {
        let bytes = readFile(source + "/" + name)
        writeFile(destination + "/" + name, bytes)
    }
}
