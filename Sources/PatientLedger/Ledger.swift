#if canImport(Glibc)
import Glibc
#endif
import LedgerEvents
import LedgerProjections
import LedgerStorage
import Synchronization

/// How a ``Ledger`` is opened.
public struct LedgerOptions: Sendable {
    /// The segment log's options: durability (default group commit every
    /// 2 ms), segment and block sizes, read-only.
    public var log = LogOptions()
    /// After this many appended events the per-patient index snapshot is
    /// rewritten, bounding the catch-up scan of the next open: on a
    /// background thread, after the records it describes are made durable,
    /// while appends go on. It is always written on ``Ledger/close()`` (not
    /// on ``Ledger/flush()``, which syncs the log only).
    ///
    /// In a large ledger the interval grows to a quarter of the records
    /// the last snapshot reflects: the snapshot is rewritten whole (about
    /// 14 bytes per event), so a fixed interval would rewrite more and more
    /// of it per appended event (at 100 million events, 1.4 GB every
    /// million appends). With the quarter, rewriting costs at most about
    /// 56 bytes per appended event, and the next open catches up at most a
    /// fifth of the log from the snapshot.
    public var snapshotInterval: UInt64 = 1_000_000
    /// Whether projection checkpoints (`LEDGER/projections/`) are written:
    /// after a rebuild, and when a catch-up read at least
    /// ``checkpointInterval`` records past the checkpoint. Default: true for
    /// a writer, false for a read-only handle. A read-only handle may turn
    /// it on (the `ledger` tool does): checkpoints are derived files written
    /// by atomic rename, never the log, and one reflecting records a crash
    /// later cut is detected by its anchor and rebuilt.
    public var writesCheckpoints: Bool
    /// Records a projection's catch-up may read past its checkpoint before
    /// the checkpoint is rewritten. A catch-up of ``PatientProjections``
    /// this long or longer is folded in patient-ordered batches, as a
    /// replay folds (see ``replayMemory``).
    public var checkpointInterval: UInt64 = 100_000
    /// Where the ledger says what it rebuilt and why (a projection
    /// checkpoint that was missing, damaged or of another version), one
    /// line each. Default: nowhere.
    public var diagnostics: (@Sendable (String) -> Void)?
    /// Projections loaded from their checkpoints and caught up while the
    /// ledger opens (a service that will query them at once). Others load
    /// on first use (``Ledger/projection(_:)``), so a process that only
    /// appends never pays for them. Default: none.
    public var projectionsOnOpen: [any Projection.Type] = []
    /// Bytes of events a replay (``Ledger/replay(asOf:threads:progress:)``,
    /// and ``Ledger/projection(_:)`` when it builds ``PatientProjections``
    /// without a checkpoint or catches it up a long way, at open too with
    /// ``projectionsOnOpen``) may hold in memory at once, split between
    /// its threads: each
    /// thread's batch holds up to `replayMemory / threads` bytes (at least
    /// 64 KB, at most about 1.9 GB). Default: 1 GiB.
    ///
    /// A replay copies the events it scans into a batch and folds them
    /// patient by patient. When the whole log fits one batch, each
    /// patient's events are folded start to end in one reused state and
    /// encoded at once: no state per patient is built, and the replay is
    /// about a quarter faster than in several batches. On one thread that
    /// takes at most the log's uncompressed size (`ledger stats`' raw
    /// bytes) plus 22 bytes per event; on several, each thread its share
    /// of that plus an eighth and 1 MB (patients split by hash are not
    /// split evenly). A larger log is folded in batches of that size, each
    /// patient's state kept between them (a few kilobytes per patient). On
    /// top of the batches, a replay holds 16 bytes per batched event for
    /// sorting them, and its states.
    public var replayMemory: Int = 1 << 30

    public init(durability: Durability = .groupCommit(), readOnly: Bool = false) {
        log = LogOptions(durability: durability, readOnly: readOnly)
        writesCheckpoints = !readOnly
    }

    /// Options for a read-only handle (no lock; nothing written).
    public static var readOnly: LedgerOptions { LedgerOptions(readOnly: true) }
}

/// The stream version a caller expects a patient's stream to be at when it
/// appends (optimistic concurrency, as EventStoreDB's expected version).
public enum ExpectedVersion: Sendable, Equatable {
    /// No expectation.
    case any
    /// The patient has no event yet.
    case noStream
    /// The patient's stream holds exactly this many events.
    case exactly(UInt64)
}

/// An event with the log position it is stored at.
public struct StoredEvent: Sendable, Equatable {
    /// The event's log position.
    public var position: UInt64
    /// The event, as stored (normalized).
    public var event: PatientEvent
    public init(position: UInt64, event: PatientEvent) { self.position = position; self.event = event }
}

/// What an append did.
public struct AppendResult: Sendable, Equatable {
    /// For each event passed, its position, or nil when it was a duplicate
    /// (its `id` was already stored, or appeared earlier in the batch).
    public var positions: [UInt64?]
    /// Events stored.
    public var stored: Int { positions.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }
    /// Events acknowledged as duplicates and not stored again.
    public var duplicates: Int { positions.count - stored }
}

/// What opening a ledger found: the log's recovery, and whether the
/// per-patient index was loaded from its snapshot or rebuilt.
public struct LedgerOpenReport: Sendable {
    /// What the segment log's recovery cut or rebuilt.
    public var log: RecoveryReport
    /// Why the index snapshot was not used, when it was not (it was rebuilt from the log).
    public var indexRebuiltBecause: String?
    /// Records read from the log to catch the index up.
    public var recordsCaughtUp: UInt64
}

/// A patient ledger: the event log of a clinic's patients, with a
/// per-patient index and ledger-wide idempotency.
///
/// A ledger is a directory: the segment log in `log/`, the per-patient index
/// snapshot in `index/`, projection checkpoints in `projections/` (see
/// ``projection(_:)`` and `Docs/Projections.md`). Appends are validated against events.md, de-duplicated
/// by event `id` and atomic per call.
///
/// ```swift
/// let ledger = try Ledger.open(at: "/var/lib/clinic/ledger")
/// let visit = PatientEvent(patient: "P001", time: try EventTime(parsing: "2026-01-02T09:00:00Z"),
///                          id: "visit-1", body: .visit(Visit(kind: .outpatient)))
/// let result = try ledger.append([visit])           // result.positions == [0]
/// let history = try ledger.events(of: "P001")        // [StoredEvent(position: 0, event: visit)]
/// try ledger.close()
/// ```
///
/// **Threads.** `Ledger` is `Sendable`: appends are serialized, reads run
/// beside them. **Processes.** One writer per directory (the log's lock);
/// read-only handles may run beside it.
public final class Ledger: Sendable {
    /// The ledger directory.
    public let directory: String
    /// The segment log underneath: read it directly for raw records. Append
    /// through the ledger; records appended to the log directly are read
    /// into the per-patient index at the next append or open.
    public let log: SegmentLog
    /// The options the ledger was opened with.
    public let options: LedgerOptions
    /// What opening found.
    public let openReport: LedgerOpenReport

    struct State {
        var index: LedgerIndex
        /// The position of the latest index snapshot written or being
        /// written (``SnapshotWriter``): the next is due
        /// ``LedgerOptions/snapshotInterval`` records later, or a quarter
        /// of this position later when that is more.
        var snapshotPosition: UInt64

        /// Whether the next index snapshot is due (see
        /// ``LedgerOptions/snapshotInterval``).
        func snapshotDue(interval: UInt64) -> Bool {
            index.coveredPosition - snapshotPosition >= max(interval, snapshotPosition / 4)
        }
        /// Scratch of `append`, kept so a warmed-up append allocates only
        /// its result: the records to write, the batch's events to store
        /// (indices), and the ids seen earlier in the batch (by hash).
        var batch = RecordBatch()
        var fresh: [Int] = []
        var batchIDs = BatchIDTable()
    }

    let state: Mutex<State>
    /// Scratch for preparing appends outside the lock, one per concurrent
    /// appender.
    let preparedPool = Mutex<[PreparedEvents]>([])
    /// Projections loaded so far, each with the position it reflects.
    let projections = Mutex<[String: LoadedProjection]>([:])
    /// Changes whenever an `erase` record enters the index (its count of
    /// erase records added since open): an ``EventCursor`` re-reads which
    /// patients are erased only when it changed, instead of taking the
    /// lock for every event.
    let eraseGeneration = Atomic<Int>(0)
    /// Writes the index snapshot in the background for the appends.
    let snapshots: SnapshotWriter

    var indexDirectory: String { directory + "/index" }
    var snapshotPath: String { indexDirectory + "/" + IndexSnapshot.fileName }

    /// Opens the ledger in `directory`, creating it when absent (unless
    /// read-only), recovering the log and catching the per-patient index up.
    ///
    /// - Throws: ``LedgerError`` of kind `.locked`, `.notFound`,
    ///   `.corruption` (with file and offset), `.unsupportedVersion`, `.io`.
    /// - Complexity: the log's recovery, plus a scan of the records appended
    ///   since the last index snapshot (envelopes only).
    public static func open(at directory: String, options: LedgerOptions = LedgerOptions()) throws(LedgerError) -> Ledger {
        let log: SegmentLog
        do throws(StorageError) {
            log = try SegmentLog.open(at: directory + "/log", options: options.log)
        } catch {
            if error.kind == .notFound {
                throw LedgerError(.notFound, "no such ledger", path: directory)
            }
            throw LedgerError(error)
        }
        return try Ledger(directory: directory, log: log, options: options)
    }

    private init(directory: String, log: SegmentLog, options: LedgerOptions) throws(LedgerError) {
        self.directory = directory
        self.log = log
        self.options = options
        let fs = FileSystem(options.log.systemCalls)
        let snapshotPath = directory + "/index/" + IndexSnapshot.fileName
        var index = LedgerIndex()
        var rebuiltBecause: String?
        let bytes = (try? SystemFile.open(snapshotPath, flags: O_RDONLY, system: options.log.systemCalls))
            .flatMap { file in (try? file.size()).flatMap { try? file.read(fromAbsoluteOffset: 0, count: Int($0)) } }
        if let bytes {
            switch IndexSnapshot.decode(bytes, logID: log.logID, path: snapshotPath) {
            case .success(let loaded) where loaded.coveredPosition <= log.endPosition:
                index = loaded
            case .success:
                rebuiltBecause = "index snapshot is ahead of the log"
            case .failure(let problem):
                rebuiltBecause = problem.reason
            }
        } else if log.endPosition > 0 {
            rebuiltBecause = "no index snapshot on disk (the first is written after snapshotInterval events, or by close())"
        }
        let snapshotPosition = index.coveredPosition
        let caughtUpFrom = index.coveredPosition
        try Self.catchUp(&index, log: log)
        openReport = LedgerOpenReport(log: log.recoveryReport, indexRebuiltBecause: rebuiltBecause,
                                      recordsCaughtUp: index.coveredPosition - caughtUpFrom)
        state = Mutex(State(index: index, snapshotPosition: snapshotPosition))
        snapshots = SnapshotWriter(writtenPosition: snapshotPosition)
        if !options.log.readOnly {
            do throws(StorageError) { try fs.makeDirectory(indexDirectory) } catch { throw LedgerError(error) }
        }
        for type in options.projectionsOnOpen { try load(type) }
    }

    private func load<P: Projection>(_ type: P.Type) throws(LedgerError) {
        _ = try projection(type)
    }

    deinit {
        if !options.log.readOnly { try? close() }
    }

    /// Adds every record from `index.coveredPosition` to the end of the log
    /// to the index (envelopes only).
    static func catchUp(_ index: inout LedgerIndex, log: SegmentLog) throws(LedgerError) {
        do {
            try log.scan(from: index.coveredPosition) { view in
                let envelope = try Ledger.envelope(in: view, directory: log.directory)
                index.add(position: view.position, patient: envelope.patient, patientHash: IdentifierHash.hash(envelope.patient),
                          idHash: envelope.id.map(IdentifierHash.hash),
                          isErase: envelope.typeCode == EventType.erase.rawValue, time: view.timestamp)
                return true
            }
        } catch {
            throw LedgerError(scanFailure: error, directory: log.directory)
        }
    }

    /// Picks up events another process appended since this read-only handle
    /// opened or last refreshed (its per-patient index included). Does
    /// nothing on the writer's handle, which always sees its own appends.
    public func refresh() throws(LedgerError) {
        guard options.log.readOnly else { return }
        do throws(StorageError) { try log.refresh() } catch { throw LedgerError(error) }
        try state.withLock { (state: inout State) throws(LedgerError) in
            try Self.catchUp(&state.index, log: log)
            eraseGeneration.store(state.index.eraseRecords, ordering: .releasing)
        }
    }

    // MARK: Appending

    /// Appends `events` atomically: after a crash all of them are stored or
    /// none. Events whose `id` is already in the ledger (or earlier in the
    /// batch) are acknowledged and not stored again; the first stored wins.
    ///
    /// Each event is validated against events.md and stored normalized
    /// (ICD-10 codes upper-cased). When every event is a duplicate nothing is
    /// checked or written (a retried request succeeds).
    ///
    /// - Parameter expectedVersion: when not `.any`, every event must be of
    ///   one patient, whose stream must be at that version.
    /// - Returns: each event's position, nil for duplicates.
    /// - Throws: `.invalidEvent` (naming the event's index in the batch),
    ///   `.versionConflict`, `.invalidArgument`, storage errors. Nothing is
    ///   appended when it throws.
    /// - Complexity: O(events); one block read per id whose hash matches a
    ///   stored one (true duplicates).
    @discardableResult
    public func append(_ events: [PatientEvent], expectedVersion: ExpectedVersion = .any) throws(LedgerError) -> AppendResult {
        // One pass: each event is validated, normalized when a code must be
        // upper-cased, and prepared (encoded, hashed) before the lock.
        var prepared = takePrepared()
        defer { givePrepared(&prepared) }
        for i in events.indices {
            let event = events[i]
            do throws(EventValidationError) {
                try Self.prepare(event, into: &prepared)
            } catch {
                throw LedgerError(.invalidEvent, events.count == 1 ? error.message : "event \(i): \(error.message)")
            }
        }
        return try append(prepared: prepared, expectedVersion: expectedVersion)
    }

    /// Appends one event; see ``append(_:expectedVersion:)``.
    ///
    /// The path of a service appending each event as it comes: once the
    /// ledger is warm it allocates nothing (no one-element array, no
    /// ``AppendResult``).
    ///
    /// - Returns: its position, or nil when it was a duplicate.
    @discardableResult
    public func append(_ event: PatientEvent, expectedVersion: ExpectedVersion = .any) throws(LedgerError) -> UInt64? {
        var prepared = takePrepared()
        defer { givePrepared(&prepared) }
        do throws(EventValidationError) {
            try Self.prepare(event, into: &prepared)
        } catch {
            throw LedgerError(.invalidEvent, error.message)
        }
        var stored: UInt64?
        try state.withLock { (state: inout State) throws(LedgerError) in
            try append(prepared, expectedVersion: expectedVersion, locked: &state) { _, position in stored = position }
        }
        return stored
    }

    /// Validates `event` and adds it to `prepared` (encoded and hashed),
    /// normalized when a code must be upper-cased.
    @inline(__always)
    private static func prepare(_ event: PatientEvent, into prepared: inout PreparedEvents) throws(EventValidationError) {
        if try event.validateReturningIsNormalized() {
            prepared.append(event)
        } else {
            prepared.append(event.normalized())
        }
    }

    /// An empty scratch to prepare events in, from the pool.
    private func takePrepared() -> PreparedEvents {
        var prepared = preparedPool.withLock { $0.popLast() } ?? PreparedEvents()
        prepared.removeAll()
        return prepared
    }

    /// Returns a scratch to the pool (at most 4 kept), emptied.
    private func givePrepared(_ prepared: inout PreparedEvents) {
        prepared.removeAll()
        var kept = PreparedEvents()
        swap(&kept, &prepared)
        preparedPool.withLock { [kept] in if $0.count < 4 { $0.append(kept) } }
    }

    /// Appends events prepared (encoded and hashed) outside the lock.
    func append(prepared events: PreparedEvents, expectedVersion: ExpectedVersion = .any) throws(LedgerError) -> AppendResult {
        if expectedVersion != .any, let first = events.patients.first, events.patients.contains(where: { $0 != first }) {
            throw LedgerError(.invalidArgument, "an expected version applies to one patient's events only")
        }
        var positions = [UInt64?](repeating: nil, count: events.count)
        try state.withLock { (state: inout State) throws(LedgerError) in
            try append(events, expectedVersion: expectedVersion, locked: &state) { i, position in positions[i] = position }
        }
        return AppendResult(positions: positions)
    }

    /// The body of an append, under the state's lock: `stored` is told the
    /// position of each event stored (by its index in `events`); duplicates
    /// are not told.
    private func append(_ events: PreparedEvents, expectedVersion: ExpectedVersion, locked state: inout State,
                        stored: (_ event: Int, _ position: UInt64) -> Void) throws(LedgerError) {
        // Records appended to `log` directly since the last call.
        if state.index.coveredPosition < log.endPosition { try Self.catchUp(&state.index, log: log) }
        // Which events to store: not stored before, not earlier in the
        // batch, by the ids' hashes (IdentifierHash, computed once when the
        // events were prepared, for both checks and the index); ids earlier
        // in the batch are found by that hash (an 8-byte key is cheaper to
        // look up than a String).
        //
        // The slots are random in a table larger than the CPU's caches: each
        // is loaded a few events ahead of its lookup (a prefetch), so the
        // misses overlap instead of costing one memory latency after another.
        state.fresh.removeAll(keepingCapacity: true)
        state.batchIDs.reset(count: events.count)
        let idsAhead = Self.prefetchDistance
        for i in 0..<min(idsAhead, events.count) where events.idHashes[i] != 0 {
            state.index.ids.prefetchFirstSlot(for: events.idHashes[i])
        }
        for i in 0..<events.count {
            if i + idsAhead < events.count, events.idHashes[i + idsAhead] != 0 {
                state.index.ids.prefetchFirstSlot(for: events.idHashes[i + idsAhead])
            }
            guard let id = events.ids[i] else {
                state.fresh.append(i)
                continue
            }
            let hash = events.idHashes[i]
            if try isStored(id: id, hash: hash, in: state.index) { continue }
            if let first = state.batchIDs.first(hash, orRecord: i) {
                if events.ids[first] == id { continue }
                // Two ids with one 64-bit hash: compare with all.
                if state.fresh.contains(where: { events.ids[$0] == id }) { continue }
            }
            state.fresh.append(i)
        }
        guard !state.fresh.isEmpty else { return }
        if let patient = events.patients.first {
            let current = state.index.stream(of: patient)?.version ?? 0
            switch expectedVersion {
            case .any:
                break
            case .noStream:
                if current != 0 { throw LedgerError(.versionConflict, "patient \(patient) has \(current) events; expected none") }
            case .exactly(let expected):
                if expected != current {
                    throw LedgerError(.versionConflict, "patient \(patient) is at version \(current), expected \(expected)")
                }
            }
        }
        // The prepared batch as it is, or the events to store copied out.
        let allFresh = state.fresh.count == events.count
        if !allFresh {
            state.batch.removeAll()
            for i in state.fresh { state.batch.append(i, of: events.batch) }
        }
        let range: Range<UInt64>
        do throws(StorageError) {
            range = try log.append(allFresh ? events.batch : state.batch)
        } catch {
            throw LedgerError(error)
        }
        if range.lowerBound == state.index.coveredPosition {
            Self.addToIndex(events, fresh: state.fresh, from: range.lowerBound, into: &state.index)
            eraseGeneration.store(state.index.eraseRecords, ordering: .releasing)
        } else {
            // Records were appended to `log` directly, behind the index:
            // read them (and this batch) back into it in log order.
            try Self.catchUp(&state.index, log: log)
            eraseGeneration.store(state.index.eraseRecords, ordering: .releasing)
        }
        for (k, i) in state.fresh.enumerated() { stored(i, range.lowerBound + UInt64(k)) }
        if state.snapshotDue(interval: options.snapshotInterval) {
            startSnapshot(&state)
        }
    }

    /// How many events ahead of its use a table line is loaded
    /// (``LedgerIndex/PrefetchStage``): enough for a memory latency, close
    /// enough that the line and its address translation are still cached.
    /// (4 to 32 measured the same on this machine.)
    private static let prefetchDistance = 12

    /// Indexes the `fresh` events of `events`, stored at `first...` in order.
    /// Each event's table lines are loaded in three stages ahead of its
    /// turn (``LedgerIndex/PrefetchStage``), `prefetchDistance`, half of it
    /// and a quarter of it events ahead.
    private static func addToIndex(_ events: PreparedEvents, fresh: [Int], from first: UInt64, into index: inout LedgerIndex) {
        let far = prefetchDistance, near = prefetchDistance / 2, nearest = prefetchDistance / 4
        func prefetch(_ stage: LedgerIndex.PrefetchStage, _ k: Int) {
            guard k < fresh.count else { return }
            let i = fresh[k]
            index.prefetch(stage, patientHash: events.patientHashes[i], idHash: events.idHashes[i])
        }
        for k in 0..<min(far, fresh.count) { prefetch(.tableSlots, k) }
        for k in 0..<min(near, fresh.count) { prefetch(.patientEntries, k) }
        for k in 0..<min(nearest, fresh.count) { prefetch(.lastChunk, k) }
        for (k, i) in fresh.enumerated() {
            prefetch(.tableSlots, k + far)
            prefetch(.patientEntries, k + near)
            prefetch(.lastChunk, k + nearest)
            let hash = events.idHashes[i]
            index.add(position: first + UInt64(k), patient: events.patients[i],
                      patientHash: events.patientHashes[i], idHash: hash == 0 ? nil : hash,
                      isErase: events.erases[i], time: events.batch.timestamp(at: i))
        }
    }

    /// Whether an event with this `id` is stored: every hash match is
    /// confirmed by reading the stored event's id.
    ///
    /// A candidate may lie in the writer's not yet committed tail (appended
    /// by an earlier call, its block still being filled until the group
    /// commit timer or the next full block writes it): that tail is
    /// committed first, so it can be read. Without that, an import whose id
    /// repeats one from the previous batch failed with "position N is past
    /// the end of the log" whenever the timer had not fired in between.
    private func isStored(id: String, hash: UInt64, in index: LedgerIndex) throws(LedgerError) -> Bool {
        try index.ids.firstCandidate(for: hash) { (position) throws(LedgerError) -> Bool in
            let record: LogRecord
            do throws(StorageError) {
                // Written out (not synced: commit, not flush) only when
                // the candidate lies in that tail.
                if position >= log.endPosition && position < index.coveredPosition { try log.commit() }
                record = try log.read(at: position)
            } catch {
                throw LedgerError(error)
            }
            return try envelope(of: record).id == id
        } != nil
    }

    /// Makes everything appended before the call durable: one sync of the
    /// log, whatever the durability mode.
    ///
    /// It costs what is unsynced, not the size of the ledger: the index
    /// snapshot is not written here. The background writer rewrites it every
    /// ``LedgerOptions/snapshotInterval`` events (a quarter of the ledger in
    /// a large one) and ``close()`` writes it. So an open that follows a
    /// crash, or a read-only open beside a running writer, reads from the log
    /// the records the last snapshot lacks: up to about
    /// `max(snapshotInterval, ledger / 4)` of them. A ledger that never
    /// reached `snapshotInterval` events nor was closed has no snapshot yet,
    /// and its index is rebuilt from the whole log (the open's
    /// ``LedgerOpenReport`` says so).
    public func flush() throws(LedgerError) {
        do throws(StorageError) { try log.flush() } catch { throw LedgerError(error) }
    }

    /// Flushes, writes the index snapshot and closes the log. Reads of what
    /// is stored keep working; appends throw.
    public func close() throws(LedgerError) {
        guard !options.log.readOnly else { return }
        try state.withLock { (state: inout State) throws(LedgerError) in
            guard !log.isClosed else { return }
            do throws(StorageError) { try log.flush() } catch { throw LedgerError(error) }
            try writeSnapshotIfBehind(&state)
            do throws(StorageError) { try log.close() } catch { throw LedgerError(error) }
        }
    }

    /// Hands a copy of the index to the background ``SnapshotWriter``
    /// (unless it is still writing the previous one: the next append asks
    /// again).
    private func startSnapshot(_ state: inout State) {
        let log = log, path = snapshotPath, directory = indexDirectory, system = options.log.systemCalls
        let started = snapshots.start(state.index, write: { (index) throws(LedgerError) in
            // Appends go on during the sync.
            do throws(StorageError) { try log.flushWithoutBlockingAppends() } catch { throw LedgerError(error) }
            try Self.writeSnapshot(of: index, log: log, path: path, directory: directory, system: system)
        }, diagnostics: options.diagnostics)
        if started { state.snapshotPosition = state.index.coveredPosition }
    }

    /// Writes the index snapshot now unless the one on disk already
    /// reflects the whole index: waits for a background snapshot in
    /// flight, flushes the log (the snapshot must not describe records
    /// that could still be lost), then replaces the snapshot atomically.
    private func writeSnapshotIfBehind(_ state: inout State) throws(LedgerError) {
        snapshots.wait()
        guard state.index.coveredPosition > snapshots.written || !fileExists(snapshotPath) else { return }
        do throws(StorageError) { try log.flush() } catch { throw LedgerError(error) }
        try Self.writeSnapshot(of: state.index, log: log, path: snapshotPath, directory: indexDirectory,
                               system: options.log.systemCalls)
        snapshots.noteWritten(state.index.coveredPosition)
        state.snapshotPosition = state.index.coveredPosition
    }

    /// Encodes `index` and replaces the snapshot file with it atomically.
    /// The records it describes must be durable already.
    private static func writeSnapshot(of index: LedgerIndex, log: SegmentLog, path: String, directory: String,
                                      system: any SystemCalls) throws(LedgerError) {
        do throws(StorageError) {
            let bytes = IndexSnapshot.encode(index, logID: log.logID)
            try FileSystem(system).writeAtomically(path, directory: directory, bytes: bytes)
        } catch {
            throw LedgerError(error)
        }
    }

    private func fileExists(_ path: String) -> Bool {
        (try? SystemFile.open(path, flags: O_RDONLY, system: options.log.systemCalls)) != nil
    }
}
