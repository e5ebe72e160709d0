import LedgerEvents
import LedgerStorage

/// What ``Ledger/verifyEvents(at:progress:)`` found.
public struct EventVerificationReport: Sendable, Equatable {
    /// One record that is not a well-formed event.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// The record's log position.
        public var position: UInt64
        /// Why it does not decode, with the byte offset in the record.
        public var reason: String
        /// `record N: reason`.
        public var description: String { "record \(position): \(reason)" }
    }

    /// Records decoded.
    public var records: UInt64 = 0
    /// Records of a type or version this PatientLedger does not know
    /// (written by a newer one): carried, not damage.
    public var unrecognized: UInt64 = 0
    /// Records that are not events.
    public var problems: [Problem] = []
}

extension Ledger {
    /// Decodes every record of the ledger's log as an event, without
    /// modifying anything: the event-level half of `ledger verify` (the
    /// storage half is ``SegmentLog/verify(at:progress:)``, which should be
    /// clean first). Records of unknown types are counted, not reported.
    ///
    /// - Parameter progress: records checked so far and the total.
    /// - Throws: `.notFound`, storage errors when the log cannot be read.
    public static func verifyEvents(at directory: String,
                                    progress: ((_ done: UInt64, _ total: UInt64) -> Void)? = nil) throws(LedgerError) -> EventVerificationReport {
        let log: SegmentLog
        do throws(StorageError) {
            log = try SegmentLog.open(at: directory + "/log", options: .readOnly)
        } catch {
            throw error.kind == .notFound ? LedgerError(.notFound, "no such ledger", path: directory) : LedgerError(error)
        }
        var report = EventVerificationReport()
        let total = log.endPosition
        do {
            try log.scan(from: 0) { view in
                do throws(EventCodecError) {
                    let event = try EventCodec.decode(view.payload, time: EventTime(millisecondsSince1970: view.timestamp))
                    if case .unrecognized = event.body { report.unrecognized += 1 }
                } catch {
                    report.problems.append(.init(position: view.position, reason: "\(error.reason) at byte \(error.offset)"))
                }
                report.records += 1
                if report.records % 65_536 == 0 { progress?(report.records, total) }
                return true
            }
        } catch {
            throw LedgerError(scanFailure: error, directory: directory)
        }
        return report
    }
}
