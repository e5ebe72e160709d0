import CSQLite
import StorageWorkloads
import PatientLedger

/// Baseline (issue 6 (a)): the same typed events stored in SQLite the way a
/// careful Swift developer would without the ledger: the system libsqlite3,
/// WAL mode, `synchronous=NORMAL`, one prepared `INSERT`, one transaction per
/// batch, into
///
///     CREATE TABLE events (position INTEGER PRIMARY KEY, patient TEXT, time INTEGER, payload BLOB)
///     CREATE INDEX events_patient ON events (patient)      -- unless rowid-only
///
/// `payload` is the event's binary encoding (``EventCodec``), the bytes the
/// ledger stores; encoding is part of each insert, as it is part of the
/// ledger's append. Reading a patient decodes every row back into a
/// ``StoredEvent``, as ``Ledger/events(of:)`` does.
///
/// Not thread-safe; one per workload.
public final class SQLiteEventStore: @unchecked Sendable {
    public let path: String
    private var db: OpaquePointer?
    private var insert: OpaquePointer?
    private var select: OpaquePointer?
    private var encoded: [UInt8] = []
    /// The position the next inserted event gets.
    public private(set) var nextPosition: Int64 = 0

    /// Opens (creating) the database at `path`.
    /// - Parameter patientIndex: create the index on `patient` (the fair
    ///   peer of the ledger's per-patient index); false for rowid only.
    public init(path: String, patientIndex: Bool) throws {
        self.path = path
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK else {
            throw BenchError("sqlite3_open_v2 \(path): \(message)")
        }
        try exec("PRAGMA journal_mode=WAL")
        try exec("PRAGMA synchronous=NORMAL")
        try exec("CREATE TABLE IF NOT EXISTS events (position INTEGER PRIMARY KEY, patient TEXT NOT NULL, time INTEGER NOT NULL, payload BLOB NOT NULL)")
        if patientIndex { try createPatientIndex() }
        insert = try prepare("INSERT INTO events (position, patient, time, payload) VALUES (?1, ?2, ?3, ?4)")
        select = try prepare("SELECT position, time, payload FROM events WHERE patient = ?1 ORDER BY position")
        let last = try prepare("SELECT COALESCE(MAX(position) + 1, 0) FROM events")
        defer { sqlite3_finalize(last) }
        if sqlite3_step(last) == SQLITE_ROW { nextPosition = sqlite3_column_int64(last, 0) }
    }

    deinit { close() }

    /// Creates the index on `patient` (after a bulk load it is built by one sort).
    public func createPatientIndex() throws {
        try exec("CREATE INDEX IF NOT EXISTS events_patient ON events (patient)")
    }

    public func close() {
        sqlite3_finalize(insert); insert = nil
        sqlite3_finalize(select); select = nil
        if db != nil { sqlite3_close_v2(db); db = nil }
    }

    var message: String { db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory" }

    public func exec(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(db, sql, nil, nil, &error) == SQLITE_OK else {
            let text = error.map { String(cString: $0) } ?? message
            sqlite3_free(error)
            throw BenchError("\(sql): \(text)")
        }
    }

    private func prepare(_ sql: String) throws -> OpaquePointer? {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil) == SQLITE_OK else {
            throw BenchError("prepare \(sql): \(message)")
        }
        return statement
    }

    /// Stores `events` in one transaction, each encoded with ``EventCodec``.
    public func append(_ events: [PatientEvent]) throws {
        try exec("BEGIN")
        for event in events {
            encoded.removeAll(keepingCapacity: true)
            EventCodec.encode(event, into: &encoded)
            sqlite3_bind_int64(insert, 1, nextPosition)
            sqlite3_bind_int64(insert, 3, event.time.millisecondsSince1970)
            var patient = event.patient
            let rc = patient.withUTF8 { text in
                encoded.withUnsafeBytes { payload in
                    sqlite3_bind_text(insert, 2, UnsafeRawPointer(text.baseAddress!).assumingMemoryBound(to: CChar.self), Int32(text.count), nil)
                    sqlite3_bind_blob(insert, 4, payload.baseAddress, Int32(payload.count), nil)
                    return sqlite3_step(insert)
                }
            }
            sqlite3_reset(insert)
            guard rc == SQLITE_DONE else { throw BenchError("insert: \(message)") }
            nextPosition += 1
        }
        try exec("COMMIT")
    }

    /// One patient's events in position order, decoded (the peer of
    /// ``Ledger/events(of:)``; no erase handling: the corpus has none).
    public func events(of patient: String) throws -> [StoredEvent] {
        var result: [StoredEvent] = []
        var name = patient
        try name.withUTF8 { text in
            sqlite3_bind_text(select, 1, UnsafeRawPointer(text.baseAddress!).assumingMemoryBound(to: CChar.self), Int32(text.count), nil)
            defer { sqlite3_reset(select) }
            while true {
                let rc = sqlite3_step(select)
                if rc == SQLITE_DONE { break }
                guard rc == SQLITE_ROW else { throw BenchError("select: \(message)") }
                let position = sqlite3_column_int64(select, 0)
                let time = EventTime(millisecondsSince1970: sqlite3_column_int64(select, 1))
                let bytes = sqlite3_column_blob(select, 2)
                let count = Int(sqlite3_column_bytes(select, 2))
                let event: PatientEvent
                do throws(EventCodecError) {
                    event = try EventCodec.decode(UnsafeRawBufferPointer(start: bytes, count: count), time: time)
                } catch {
                    throw BenchError("row \(position) does not decode: \(error.reason)")
                }
                result.append(StoredEvent(position: UInt64(position), event: event))
            }
        }
        return result
    }

    /// Rows stored.
    public var count: Int64 { nextPosition }

    /// Bytes of the database, its WAL and shared-memory files.
    public var bytesOnDisk: Int64 { Files.size(path) + Files.size(path + "-wal") + Files.size(path + "-shm") }

    /// Checkpoints the WAL into the database file (TRUNCATE).
    public func checkpoint() throws { try exec("PRAGMA wal_checkpoint(TRUNCATE)") }
}
