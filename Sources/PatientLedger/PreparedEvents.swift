import LedgerEvents
import LedgerStorage

/// Events made ready for an append before the ledger's lock is taken:
/// encoded into a ``RecordBatch``, their patients and ids hashed
/// (``IdentifierHash``). Under the lock an append then only de-duplicates,
/// writes and indexes; an import prepares its lines on several threads.
///
/// Reused: ``removeAll()`` keeps the storage, so once grown, preparing
/// allocates nothing but the events' own strings.
struct PreparedEvents: Sendable {
    /// The encoded events (``EventCodec``), with their times as timestamps.
    private(set) var batch = RecordBatch()
    private(set) var patients: [String] = []
    private(set) var ids: [String?] = []
    private(set) var patientHashes: [UInt64] = []
    /// 0 for an event without an id (``IdentifierHash`` never returns 0).
    private(set) var idHashes: [UInt64] = []
    private(set) var erases: [Bool] = []

    var count: Int { patients.count }
    var isEmpty: Bool { patients.isEmpty }

    /// Adds `event`, which must be validated and normalized.
    mutating func append(_ event: PatientEvent) {
        batch.append(timestamp: event.time.millisecondsSince1970) { EventCodec.encode(event, into: &$0) }
        patients.append(event.patient)
        patientHashes.append(IdentifierHash.hash(event.patient))
        ids.append(event.id)
        idHashes.append(event.id.map(IdentifierHash.hash) ?? 0)
        erases.append(event.type == .erase)
    }

    /// Adds every event of `other`, in order.
    mutating func append(contentsOf other: PreparedEvents) {
        batch.append(contentsOf: other.batch)
        patients.append(contentsOf: other.patients)
        patientHashes.append(contentsOf: other.patientHashes)
        ids.append(contentsOf: other.ids)
        idHashes.append(contentsOf: other.idHashes)
        erases.append(contentsOf: other.erases)
    }

    mutating func reserveCapacity(_ events: Int) {
        batch.reserveCapacity(records: events, bytes: events * 160)
        patients.reserveCapacity(events)
        patientHashes.reserveCapacity(events)
        ids.reserveCapacity(events)
        idHashes.reserveCapacity(events)
        erases.reserveCapacity(events)
    }

    /// Empties it, keeping its storage.
    mutating func removeAll() {
        batch.removeAll()
        patients.removeAll(keepingCapacity: true)
        patientHashes.removeAll(keepingCapacity: true)
        ids.removeAll(keepingCapacity: true)
        idHashes.removeAll(keepingCapacity: true)
        erases.removeAll(keepingCapacity: true)
    }
}
