import LedgerEvents
import LedgerStorage

extension Ledger {
    /// The position after the last stored record.
    public var endPosition: UInt64 { log.endPosition }

    /// The version of `patient`'s stream: how many events it holds (erased
    /// ones and erase records included). 0 for an unknown patient.
    public func version(of patient: String) -> UInt64 {
        state.withLock { $0.index.stream(of: patient)?.version ?? 0 }
    }

    /// Every patient with a stored event, erased ones included, sorted.
    public var patientIDs: [String] {
        state.withLock { $0.index.patients }.sorted()
    }

    /// Patients with at least one `erase` record.
    public var erasedPatientCount: Int { state.withLock { $0.index.erasedPatients } }

    /// The visible events of `patient`, in log order: those stored after
    /// their last `erase` (an erased patient who came back has a new
    /// history). Empty for an unknown or fully erased patient.
    ///
    /// Reads through the per-patient index: one block read per event, no
    /// scan of the log. Thread-safe.
    public func events(of patient: String) throws(LedgerError) -> [StoredEvent] {
        let positions = state.withLock { $0.index.visiblePositions(of: patient) }
        if let last = positions.last { try makeReadable(through: last + 1) }
        // Visible positions lie after the last erase: none is an erase record.
        return try events(at: positions)
    }

    /// The events stored at `positions`, in that order: each block read
    /// once for a run of positions inside it, events decoded straight from
    /// the block.
    func events(at positions: [UInt64]) throws(LedgerError) -> [StoredEvent] {
        var result: [StoredEvent] = []
        result.reserveCapacity(positions.count)
        let directory = log.directory
        do {
            try log.read(positions: positions) { view in
                result.append(StoredEvent(position: view.position, event: try Ledger.event(in: view, directory: directory)))
            }
        } catch {
            throw LedgerError(scanFailure: error, directory: directory)
        }
        return result
    }

    /// The event stored at `position`, erased or not.
    public func event(at position: UInt64) throws(LedgerError) -> StoredEvent {
        let record: LogRecord
        do throws(StorageError) { record = try log.read(at: position) } catch { throw LedgerError(error) }
        return try decode(record)
    }

    /// Whether a later `erase` of its patient hides the event at `position`.
    public func isErased(_ stored: StoredEvent) -> Bool {
        state.withLock { $0.index.isErased(position: stored.position, patient: stored.event.patient) }
    }

    /// A cursor over stored events in log order from `position`, skipping
    /// erased ones unless `includingErased` (erase records always appear:
    /// they are the audit record).
    public func events(from position: UInt64 = 0, includingErased: Bool = false) -> EventCursor {
        EventCursor(ledger: self, cursor: log.records(from: position), includingErased: includingErased)
    }

    func decode(_ record: LogRecord) throws(LedgerError) -> StoredEvent {
        var result: Result<PatientEvent, EventCodecError> = .failure(EventCodecError(offset: 0, reason: ""))
        record.payload.withUnsafeBytes { raw in
            do throws(EventCodecError) {
                result = .success(try EventCodec.decode(raw, time: EventTime(millisecondsSince1970: record.timestamp)))
            } catch {
                result = .failure(error)
            }
        }
        switch result {
        case .success(let event): return StoredEvent(position: record.position, event: event)
        case .failure(let error):
            throw .undecodable(record.position, error, directory: log.directory)
        }
    }

    func envelope(of record: LogRecord) throws(LedgerError) -> EventEnvelope {
        var result: Result<EventEnvelope, EventCodecError> = .failure(EventCodecError(offset: 0, reason: ""))
        record.payload.withUnsafeBytes { raw in
            do throws(EventCodecError) { result = .success(try EventCodec.envelope(raw)) } catch { result = .failure(error) }
        }
        switch result {
        case .success(let envelope): return envelope
        case .failure(let error):
            throw .notAnEvent(record.position, error, directory: log.directory)
        }
    }
}

/// A single-pass cursor over a ledger's events in log order.
/// Not thread-safe: one per thread.
///
/// Cost per event: the event's decode, straight from the decompressed
/// block (no copy of the record), plus its strings longer than 15 bytes
/// and its arrays. Which events are erased is re-read (under the ledger's
/// lock) only when an `erase` was appended since the last look, as the
/// sorted positions they hide; checking an event is then a comparison with
/// the next hidden position (memory: 8 bytes per erased event).
public final class EventCursor {
    let ledger: Ledger
    let cursor: LogCursor
    let includingErased: Bool
    // Single-threaded by contract, never re-entered: no dynamic exclusivity
    // checks (about 75 instructions per access, two per event).
    /// Positions of events hidden by a later `erase` of their patient
    /// (positions only increase along the cursor).
    @exclusivity(unchecked) private var hidden = HiddenPositions()

    init(ledger: Ledger, cursor: LogCursor, includingErased: Bool) {
        self.ledger = ledger
        self.cursor = cursor
        self.includingErased = includingErased
    }

    /// The next event, or nil at the end of what is stored now.
    public func next() throws(LedgerError) -> StoredEvent? {
        while true {
            var position: UInt64 = 0
            var event: PatientEvent?
            var failure: EventCodecError?
            do throws(StorageError) {
                let more = try cursor.next { view in
                    position = view.position
                    do throws(EventCodecError) {
                        event = try EventCodec.decode(view.payload, time: EventTime(millisecondsSince1970: view.timestamp))
                    } catch {
                        failure = error
                    }
                }
                guard more else { return nil }
            } catch {
                throw LedgerError(error)
            }
            // Moved out, not copied (and the optional destroyed).
            guard let event = event.take() else {
                let error = failure ?? EventCodecError(offset: 0, reason: "")
                throw .undecodable(position, error, directory: ledger.log.directory)
            }
            if includingErased || !isHidden(position, event) { return StoredEvent(position: position, event: event) }
        }
    }

    /// Whether a later `erase` of its patient hides the event at `position`
    /// (erase records never are: they are the audit record).
    @inline(__always)
    private func isHidden(_ position: UInt64, _ event: PatientEvent) -> Bool {
        guard hidden.contains(position, ledger: ledger) else { return false }
        if case .erase = event.body { return false }
        return true
    }
}

extension Ledger {
    /// What `dump --patient` shows: the patient's stored events from
    /// `position` on, in log order, skipping erased ones but keeping erase
    /// records (the audit trail), exactly the lines a full dump holds for
    /// the patient.
    public func exportedEvents(of patient: String, from position: UInt64 = 0) throws(LedgerError) -> [StoredEvent] {
        let (positions, lastErase) = state.withLock { state -> ([UInt64], UInt64?) in
            (state.index.positions(of: patient), state.index.stream(of: patient)?.lastErase)
        }
        if let last = positions.last { try makeReadable(through: last + 1) }
        // Which records before the last erase are erase records (kept) is
        // known only once read.
        return try events(at: positions.filter { $0 >= position }).filter { stored in
            stored.event.body == .erase || lastErase.map({ stored.position > $0 }) ?? true
        }
    }
}

/// Figures for `ledger stats`.
public struct LedgerStatistics: Sendable, Equatable {
    /// The segment log's figures (records are events, erased ones included).
    public var log: LogStatistics
    /// Patients with at least one visible event (erased histories excluded).
    public var patients: Int
    /// Patients with at least one `erase` record.
    public var erasedPatients: Int
    /// Bytes of the log's files plus the index snapshot.
    public var bytesOnDisk: Int64
    /// Bytes the per-patient and idempotency indexes hold in memory (their
    /// tables, streams and position pages; not the patients' id strings).
    public var indexBytes: Int = 0
}

extension Ledger {
    /// Patients with at least one visible event.
    public var patientCount: Int {
        state.withLock { $0.index.patientsWithVisibleEvents }
    }

    /// Counts and sizes, from the indexes (no event is read). Thread-safe.
    public func statistics() throws(LedgerError) -> LedgerStatistics {
        let log: LogStatistics
        do throws(StorageError) { log = try self.log.statistics() } catch { throw LedgerError(error) }
        var bytes = log.bytesOnDisk
        if let file = try? SystemFile.open(snapshotPath, flags: 0, system: options.log.systemCalls) {
            bytes += (try? file.size()) ?? 0
        }
        let indexBytes = state.withLock { $0.index.residentBytes }
        return LedgerStatistics(log: log, patients: patientCount, erasedPatients: erasedPatientCount, bytesOnDisk: bytes,
                                indexBytes: indexBytes)
    }
}
