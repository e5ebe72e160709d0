import Dispatch
import LedgerStorage
import Synchronization

/// Writes the per-patient index snapshot on a thread of its own while
/// appends go on.
///
/// Every ``LedgerOptions/snapshotInterval`` appended events (a quarter of
/// the ledger in a large one) the ledger hands a copy of its index
/// (copy-on-write: the copy costs nothing until the next append writes to
/// a table the copy shares, which then copies that table once) to the
/// writer, which makes the records it describes
/// durable (``SegmentLog/flushWithoutBlockingAppends()``), encodes the copy
/// and replaces the snapshot file atomically. Before, the appending thread
/// did all three under the ledger's lock: a stall of a sync, an encoding
/// of the whole index and a file write every million events, growing with
/// the ledger.
///
/// One snapshot at a time: a request while one is being written is
/// declined, and the next append asks again. ``Ledger/close()`` waits for
/// the one in flight, then writes its own synchronously (the same file
/// must not have two writers). A failure is reported through
/// ``LedgerOptions/diagnostics`` and the next snapshot is due an interval
/// later (not at the next append, which would encode the whole index again
/// and again against a failing disk): the snapshot is derived data, the
/// next open catches up from the log what the last good one lacks, and a
/// failed sync also fails the log's writer, so the next append reports it.
///
/// Memory: while a snapshot is written, the tables the appends changed
/// exist twice (the copy and the live index).
final class SnapshotWriter: Sendable {
    private let queue = DispatchQueue(label: "PatientLedger.index-snapshot", qos: .utility)
    private let busy = Atomic<Bool>(false)
    /// Records the snapshot file on disk reflects, as far as this handle
    /// knows (the snapshot loaded at open, or the last one written).
    private let writtenPosition: Atomic<UInt64>

    init(writtenPosition: UInt64) {
        self.writtenPosition = Atomic(writtenPosition)
    }

    /// The records the snapshot on disk reflects; stable once ``wait()``
    /// returned and no new write was started.
    var written: UInt64 { writtenPosition.load(ordering: .acquiring) }

    /// Starts writing `index` through `write` unless a write is in flight.
    /// Returns whether it started.
    func start(_ index: LedgerIndex, write: @escaping @Sendable (LedgerIndex) throws(LedgerError) -> Void,
               diagnostics: (@Sendable (String) -> Void)?) -> Bool {
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return false }
        queue.async { [self] in
            do throws(LedgerError) {
                try write(index)
                noteWritten(index.coveredPosition)
            } catch {
                diagnostics?("index snapshot of \(index.coveredPosition) records not written: \(error.message)")
            }
            busy.store(false, ordering: .releasing)
        }
        return true
    }

    /// Waits until no snapshot is being written.
    func wait() {
        queue.sync {}
    }

    /// Records that the snapshot on disk reflects `position` records.
    func noteWritten(_ position: UInt64) {
        writtenPosition.store(position, ordering: .releasing)
    }
}
