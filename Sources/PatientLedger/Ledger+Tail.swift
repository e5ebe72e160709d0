import LedgerEvents
import LedgerStorage

extension Ledger {
    /// Follows the ledger: yields the stored events from `position` on, then
    /// each new one as it is committed, until the ledger is closed or the
    /// task cancelled.
    ///
    /// ```swift
    /// for try await stored in ledger.tail(from: ledger.endPosition) {
    ///     if case .erase = stored.event.body { forget(stored.event.patient) }
    /// }
    /// ```
    ///
    /// Events already hidden by an erasure when they are read are skipped;
    /// erase records are always yielded, so a follower applies them itself.
    public func tail(from position: UInt64 = 0) -> EventTail {
        EventTail(ledger: self, records: log.tail(from: position))
    }
}

/// An `AsyncSequence` of a ledger's events that waits for new ones at the
/// end. See ``Ledger/tail(from:)``.
public struct EventTail: AsyncSequence, Sendable {
    public typealias Element = StoredEvent
    public typealias Failure = LedgerError

    let ledger: Ledger
    let records: LogTail

    /// An iterator starting at the tail's first position.
    public func makeAsyncIterator() -> Iterator {
        Iterator(ledger: ledger, records: records.makeAsyncIterator())
    }

    /// The tail's iterator: decodes records as they are committed.
    public struct Iterator: AsyncIteratorProtocol {
        let ledger: Ledger
        var records: LogTail.Iterator

        /// The next event, waiting for one at the end; nil once the ledger is closed or the task cancelled.
        public mutating func next() async throws(LedgerError) -> StoredEvent? {
            while true {
                let record: LogRecord?
                do throws(StorageError) { record = try await records.next() } catch { throw LedgerError(error) }
                guard let record else { return nil }
                let stored = try ledger.decode(record)
                if stored.event.body == .erase || !ledger.isErased(stored) { return stored }
            }
        }
    }
}
