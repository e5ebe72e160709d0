#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one error type of the storage layer.
///
/// Catch it by ``kind``; ``path`` and ``offset`` say where, when they apply,
/// and ``description`` is a one-line message a person can act on, in the
/// `FILE:OFFSET: reason` form for damage.
///
/// ```swift
/// do {
///     let log = try SegmentLog.open(at: "/var/lib/ledger/log")
/// } catch let error as StorageError where error.kind == .locked {
///     print("another process is writing: \(error)")
/// }
/// ```
public struct StorageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for `catch` and `switch`.
    public enum Kind: String, Sendable, Equatable {
        /// Stored bytes fail a checksum or a structural rule. Never repaired
        /// silently; ``path`` and ``offset`` locate the damage.
        case corruption
        /// A system call failed (``errno`` says why).
        case io
        /// Another writer holds the directory's lock.
        case locked
        /// A file was written by a newer format version than this library reads.
        case unsupportedVersion
        /// The directory is not a log (no `LOG` file) or does not exist.
        case notFound
        /// The caller passed a value the log cannot take (an empty batch, an
        /// oversized record, a position past the end).
        case invalidArgument
        /// The log was closed.
        case closed
        /// An earlier write or sync failed; the writer refuses further writes
        /// until the log is reopened (which recovers the tail).
        case writerFailed
        /// A write was attempted on a log opened read-only.
        case readOnly
    }

    /// What went wrong.
    public var kind: Kind
    /// The file concerned, when there is one.
    public var path: String?
    /// The byte offset in ``path`` concerned, when there is one.
    public var offset: Int64?
    /// The system error number, for ``Kind/io`` and errors caused by one.
    public var errno: Int32?
    /// A short fixed reason or explanation, without the path and offset.
    public var message: String

    public init(_ kind: Kind, path: String? = nil, offset: Int64? = nil, errno: Int32? = nil, message: String) {
        self.kind = kind
        self.path = path
        self.offset = offset
        self.errno = errno
        self.message = message
    }

    /// `PATH:OFFSET: message (strerror)`, omitting what does not apply.
    public var description: String {
        var text = ""
        if let path {
            text += path
            if let offset { text += ":\(offset)" }
            text += ": "
        }
        text += message
        if let errno {
            text += " (\(String(cString: strerror(errno))))"
        }
        return text
    }

    static func corruption(_ path: String, _ offset: Int64, _ reason: String) -> StorageError {
        StorageError(.corruption, path: path, offset: offset, message: reason)
    }
}
