#if canImport(Glibc)
import Glibc
#endif
import LedgerEvents
import LedgerStorage

/// The one error type of the `PatientLedger` module.
///
/// Catch it by ``kind``; ``path`` with ``line`` (input files) or ``offset``
/// (ledger files) say where, and ``description`` is one line a person can
/// act on: `FILE:LINE: message`, `FILE:OFFSET: message` or `message`.
///
/// ```swift
/// do {
///     try ledger.append(event, expectedVersion: .exactly(3))
/// } catch let error as LedgerError where error.kind == .versionConflict {
///     // someone else appended to this patient's stream: reload and retry
/// }
/// ```
public struct LedgerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for `catch` and `switch`.
    public enum Kind: String, Sendable, Equatable {
        /// An event breaks a rule of events.md (``message`` says which).
        case invalidEvent
        /// Input data (a JSON Lines file) is invalid; ``path`` and ``line`` locate it.
        case invalidInput
        /// The patient's stream is not at the expected version.
        case versionConflict
        /// No such patient, ledger, file or position.
        case notFound
        /// Another process holds the ledger's writer lock.
        case locked
        /// Stored data is damaged (``path`` and ``offset`` locate it).
        case corruption
        /// A system call failed.
        case io
        /// Written by a newer PatientLedger.
        case unsupportedVersion
        /// A caller passed something the ledger cannot take.
        case invalidArgument
        /// The ledger was closed, opened read-only, or its writer failed.
        case unavailable
    }

    /// What went wrong.
    public var kind: Kind
    /// One line a person can act on, without the location.
    public var message: String
    /// The file or directory concerned, when there is one.
    public var path: String?
    /// 1-based line of an input file.
    public var line: Int?
    /// Byte offset in a ledger file.
    public var offset: Int64?
    /// The log position of the stored record concerned, when the error is
    /// about one record (one that does not decode as an event).
    public var position: UInt64?

    public init(_ kind: Kind, _ message: String, path: String? = nil, line: Int? = nil, offset: Int64? = nil) {
        self.kind = kind
        self.message = message
        self.path = path
        self.line = line
        self.offset = offset
    }

    /// Wraps a storage-layer error, keeping its location.
    public init(_ error: StorageError) {
        let kind: Kind = switch error.kind {
        case .corruption: .corruption
        case .io: .io
        case .locked: .locked
        case .unsupportedVersion: .unsupportedVersion
        case .notFound: .notFound
        case .invalidArgument: .invalidArgument
        case .closed, .writerFailed, .readOnly: .unavailable
        }
        var message = error.message
        if let errno = error.errno { message += " (\(String(cString: strerror(errno))))" }
        self.init(kind, message, path: error.path, offset: error.offset)
    }

    /// `PATH:LINE: message`, `PATH:OFFSET: message` or `message`.
    public var description: String {
        guard let path else { return message }
        if let line { return "\(path):\(line): \(message)" }
        if let offset { return "\(path):\(offset): \(message)" }
        return "\(path): \(message)"
    }
}

extension LedgerError {
    /// A stored record whose payload does not decode as an event.
    static func undecodable(_ position: UInt64, _ error: EventCodecError, directory: String) -> LedgerError {
        var result = LedgerError(.corruption, "record \(position) does not decode: \(error.reason) at byte \(error.offset)", path: directory)
        result.position = position
        return result
    }

    /// A stored record without an event's envelope.
    static func notAnEvent(_ position: UInt64, _ error: EventCodecError, directory: String) -> LedgerError {
        var result = LedgerError(.corruption, "record \(position) is not an event: \(error.reason) at byte \(error.offset)", path: directory)
        result.position = position
        return result
    }

    /// What an error thrown out of a log scan's (untyped) body becomes:
    /// the ledger's and the log's own errors as they are, anything else I/O.
    init(scanFailure error: any Error, directory: String) {
        switch error {
        case let error as LedgerError: self = error
        case let error as StorageError: self.init(error)
        default: self.init(.io, "\(error)", path: directory)
        }
    }
}

extension Ledger {
    /// The event in a scanned record.
    static func event(in view: RecordView, directory: String) throws(LedgerError) -> PatientEvent {
        do throws(EventCodecError) {
            return try EventCodec.decode(view.payload, time: EventTime(millisecondsSince1970: view.timestamp))
        } catch {
            throw .undecodable(view.position, error, directory: directory)
        }
    }

    /// The envelope of a scanned record.
    static func envelope(in view: RecordView, directory: String) throws(LedgerError) -> EventEnvelope {
        do throws(EventCodecError) {
            return try EventCodec.envelope(view.payload)
        } catch {
            throw .notAnEvent(view.position, error, directory: directory)
        }
    }
}
