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
