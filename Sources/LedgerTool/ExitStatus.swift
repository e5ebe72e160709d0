#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import PatientLedger

/// The exit statuses of `ledger` (../shared/spec/cli.md), after sysexits.h.
/// Bad usage (64) is what ArgumentParser itself exits with on a parse error.
enum ExitStatus {
    static let corruptionFound = ExitCode(1)
    static let usage = ExitCode(64)
    static let invalidData = ExitCode(65)
    static let cannotWrite = ExitCode(73)
    static let ioError = ExitCode(74)
    static let locked = ExitCode(75)

    /// The status for a ``StorageError`` that stops a command. The one place
    /// that maps error kinds to statuses:
    ///
    /// | kind | status | why |
    /// | --- | --- | --- |
    /// | `locked` | 75 | another writer holds the ledger |
    /// | `notFound` | 74 | no ledger at that path (or not a ledger) |
    /// | `io` | 74 | a system call failed |
    /// | `corruption` | 74 | damage met while opening or reading; `ledger verify` reports damage itself and exits 1 |
    /// | `unsupportedVersion` | 74 | written by a newer PatientLedger |
    /// | `closed` | 74 | the log went away under the command |
    /// | `invalidArgument` | 64 | the command asked for something the log cannot give (a position past the end) |
    /// | `readOnly`, `writerFailed` | 73 | a write was refused or failed |
    static func forStorageError(_ kind: StorageError.Kind) -> ExitCode {
        switch kind {
        case .locked: locked
        case .notFound, .io, .corruption, .unsupportedVersion, .closed: ioError
        case .invalidArgument: usage
        case .readOnly, .writerFailed: cannotWrite
        }
    }
}

/// Prints why a command failed on standard error, naming the file (and byte
/// offset where one applies), and returns the exit status to throw.
///
/// - Parameters:
///   - error: what the library threw.
///   - paths: the ledger the command worked on, named when it does not exist.
func failure(_ error: StorageError, in paths: LedgerPaths) -> ExitCode {
    switch error.kind {
    case .notFound:
        // Without errno: "(path: no such directory)" says it already.
        let detail = error.path.map { "\($0): \(error.message)" } ?? error.message
        StandardError.report("\(paths.root): no such ledger (\(detail))")
    case .corruption:
        StandardError.report(error.description)
        StandardError.report("run `ledger verify \(paths.root)` for a full report")
    default:
        StandardError.report(error.description)
    }
    return ExitStatus.forStorageError(error.kind)
}

/// Unbuffered writes to standard error (file descriptor 2).
enum StandardError {
    /// Writes `line` and a newline as they are.
    static func writeLine(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                write(STDERR_FILENO, raw.baseAddress! + done, raw.count - done)
            }
            if n > 0 { done += n } else if n < 0 && errno == EINTR { continue } else { return }
        }
    }

    /// Writes `ledger: message`, the form of every error message.
    static func report(_ message: String) {
        writeLine("ledger: " + message)
    }
}

extension ExitStatus {
    /// The status for a ``LedgerError``, consistent with
    /// ``forStorageError(_:)``: invalid events and input 65, version
    /// conflicts 65 (the data contradicts the ledger), unknown patients 65
    /// (cli.md), the rest as the storage kinds they wrap.
    static func forLedgerError(_ kind: LedgerError.Kind) -> ExitCode {
        switch kind {
        case .invalidEvent, .invalidInput, .versionConflict: invalidData
        case .locked: locked
        case .notFound, .io, .corruption, .unsupportedVersion: ioError
        case .invalidArgument: usage
        case .unavailable: cannotWrite
        }
    }
}

/// Prints why a command failed (one line naming the file, and the line or
/// byte offset where one applies) and returns the exit status to throw.
func failure(_ error: LedgerError, in paths: LedgerPaths) -> ExitCode {
    if error.kind == .notFound && error.path == paths.root {
        StandardError.report("\(paths.root): no such ledger")
    } else {
        StandardError.report(error.description)
        if error.kind == .corruption { StandardError.report("run `ledger verify \(paths.root)` for a full report") }
    }
    return ExitStatus.forLedgerError(error.kind)
}

/// Buffered writes to standard output (file descriptor 1), for commands that
/// print many lines (`dump`).
struct StandardOutput {
    private var buffer: [UInt8] = []

    init() { buffer.reserveCapacity(1 << 16) }

    mutating func append(_ bytes: [UInt8]) {
        buffer += bytes
        if buffer.count >= 1 << 16 { flush() }
    }

    /// The buffer itself, for writers that append in place.
    mutating func withBuffer(_ body: (inout [UInt8]) -> Void) {
        body(&buffer)
        if buffer.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        var done = 0
        while done < buffer.count {
            let n = buffer.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress! + done, $0.count - done) }
            if n > 0 { done += n } else if n < 0 && errno == EINTR { continue } else { break }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
