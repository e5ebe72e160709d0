#if canImport(Glibc)
import Glibc
#endif

/// The directory of the running test binary, where SwiftPM also puts the
/// package's executables (`CrashWriter`, `ledger`).
public func buildProductsDirectory() -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    precondition(n > 0)
    let path = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    var parts = path.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast()
    // Inside an .xctest bundle directory on some layouts.
    if parts.last?.hasSuffix(".xctest") == true { parts.removeLast() }
    return parts.joined(separator: "/")
}

/// A child process started with `posix_spawn`.
public struct ChildProcess {
    public let pid: pid_t

    /// Starts `executable` with `arguments`; standard output and error go to
    /// `/dev/null` unless `inheritOutput`.
    public init(_ executable: String, _ arguments: [String], inheritOutput: Bool = false) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if !inheritOutput {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var child: pid_t = 0
        let r = posix_spawn(&child, executable, &actions, nil, argv, environ)
        precondition(r == 0, "posix_spawn \(executable) failed: \(r)")
        pid = child
    }

    /// Sends `signal` and reaps the child; returns its wait status.
    @discardableResult
    public func kill(_ signal: Int32 = SIGKILL) -> Int32 {
        Glibc.kill(pid, signal)
        return wait()
    }

    /// Waits for the child to end; returns its wait status.
    @discardableResult
    public func wait() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status
    }
}
