import LedgerEvents
import LedgerStorage

extension Ledger {
    /// Calls `body` with each visible event from `start` up to (not
    /// including) `end`, in log order, as a borrowed ``PatientEventView``
    /// straight over the decompressed block: the replay path that
    /// allocates nothing per event.
    ///
    /// Yields exactly the positions and events ``events(from:includingErased:)``
    /// yields (`view.event()` equals the cursor's `StoredEvent.event`):
    /// events hidden by a later `erase` of their patient are skipped unless
    /// `includingErased`; `erase` records always appear (they are the audit
    /// record). Records committed while the scan runs are included when
    /// `end` allows, as for the cursor.
    ///
    /// The view is valid only inside `body`: do not store it or its byte
    /// buffers; call `view.event()` (or `view.patient`, ...) for values that
    /// must outlive the call. Return false from `body` to stop.
    ///
    /// ```swift
    /// var checkins = 0
    /// var perPatient: [String: Int] = [:]
    /// try ledger.scan(from: 0) { position, view in
    ///     if view.type == .checkin { checkins += 1 }
    ///     if view.hasPatient("P001") {
    ///         let event = try view.event()          // materialize only what you keep
    ///         perPatient[event.patient, default: 0] += 1
    ///     }
    ///     return true
    /// }
    /// ```
    ///
    /// **Validation.** Every record's envelope header, string lengths and
    /// patient are read and checked (``PatientEventView`` says what when): a
    /// record that fails ends the scan with `.corruption` naming the record
    /// and byte, as the cursor would. The id's and actor's UTF-8 and the
    /// body are checked only when `body` reads them (`view.id()`,
    /// `view.event()`, ...), with the same errors; so a scan that never
    /// materializes passes over a record the cursor would reject for a
    /// malformed body. (The log's block checksums cover every byte anyway:
    /// such a record can only have been written malformed.)
    ///
    /// **Erasure.** The positions hidden by erasures are collected once, at
    /// the start, under the ledger's lock (one pass over the per-patient
    /// index: O(patients), about a millisecond per 100,000 patients), and
    /// again only when an `erase` is appended while the scan runs. Per event
    /// the check is then an atomic load and, when the ledger holds erase
    /// records, a comparison with the next hidden position: no lock and no
    /// hashing. With `includingErased` nothing is collected.
    ///
    /// - Parameters:
    ///   - start: The first position to visit.
    ///   - end: The position to stop before (default: everything stored).
    ///   - includingErased: Also yield events hidden by a later `erase`.
    ///   - body: Called with each event's position and view; returns
    ///     whether to go on. What it throws ends the scan: a
    ///     ``LedgerError`` as it is, an ``EventCodecError`` (from
    ///     `view.event()` or `view.body()`) as `.corruption` naming the
    ///     record, like the cursor's, a storage error as ``LedgerError``,
    ///     anything else as `.io` with its description (to end a scan with
    ///     your own error, keep it in a variable and return false).
    /// - Returns: The position after the last record visited (visible or
    ///   not): where to resume.
    /// - Throws: ``LedgerError``: `.corruption` with the segment file and
    ///   block offset for a damaged block, or with the record and byte for a
    ///   record that is not an event; `.io`; what `body` throws, as above.
    ///
    /// Cost per event: the storage scan's (a share of a block's read,
    /// checksum and decompression, the record framing) plus the view (four
    /// header bytes, three lengths, the patient's bytes checked as ASCII a
    /// word at a time) and the erasure check; no allocation, no copy of the
    /// payload. About 11 M events/s on one core for 147-byte events
    /// (BENCHMARKS.md), against 1.6 M/s for ``events(from:includingErased:)``.
    @discardableResult
    public func scan(from start: UInt64 = 0, to end: UInt64 = .max, includingErased: Bool = false,
                     _ body: (_ position: UInt64, _ event: PatientEventView) throws -> Bool) throws(LedgerError) -> UInt64 {
        let directory = log.directory
        var hidden = HiddenPositions()
        do {
            return try log.scan(from: start, to: end) { record in
                let view: PatientEventView
                do throws(EventCodecError) {
                    view = try PatientEventView(payload: record.payload, time: EventTime(millisecondsSince1970: record.timestamp))
                } catch {
                    throw LedgerError.undecodable(record.position, error, directory: directory)
                }
                if !includingErased && hidden.contains(record.position, ledger: self) && !view.isErase {
                    return true
                }
                do {
                    return try body(record.position, view)
                } catch let error as EventCodecError {
                    throw LedgerError.undecodable(record.position, error, directory: directory)
                }
            }
        } catch {
            throw LedgerError(scanFailure: error, directory: directory)
        }
    }

    /// The positions of events hidden by a later `erase` of their patient,
    /// ascending (erase records among them are filtered by the caller).
    func hiddenPositions() -> [UInt64] {
        var positions = state.withLock { $0.index.hiddenPositions() }
        positions.sort()
        return positions
    }
}

/// A scan's view of which positions erasures hide, re-read only when the
/// ledger's erase generation changes. Positions are asked in ascending order.
struct HiddenPositions {
    private var positions: [UInt64] = []
    /// The index of the first position not below the last one asked.
    private var next = 0
    private var generation = -1

    /// Whether the event at `position` lies before its patient's last erase.
    @inline(__always)
    mutating func contains(_ position: UInt64, ledger: Ledger) -> Bool {
        let current = ledger.eraseGeneration.load(ordering: .acquiring)
        if current != generation { reload(current, from: position, ledger: ledger) }
        guard next < positions.count else { return false }
        while next < positions.count && positions[next] < position { next += 1 }
        return next < positions.count && positions[next] == position
    }

    private mutating func reload(_ current: Int, from position: UInt64, ledger: Ledger) {
        positions = ledger.hiddenPositions()
        var low = 0
        var high = positions.count
        while low < high {
            let mid = (low + high) / 2
            if positions[mid] < position { low = mid + 1 } else { high = mid }
        }
        next = low
        generation = current
    }
}
