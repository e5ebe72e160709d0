#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import LedgerEvents
import LedgerProjections
import LedgerStorage
import Synchronization

/// What ``Ledger/replay(asOf:progress:)`` found: the cohort summary of
/// `ledger replay`.
public struct ReplaySummary: Sendable, Equatable {
    /// The as-of time T the projections were built for.
    public var asOf: EventTime
    /// Records stored in the log (erased events and `erase` records included).
    public var events: UInt64
    /// Patients existing as of T (a visible event with `time <= T`).
    public var patients: Int
    /// Distinct patients with an `erase` record, whatever T.
    public var erasedPatients: Int
    /// Wall-clock seconds the replay took.
    public var seconds: Double
    /// Records read per second (`events / seconds`; 0 when no time passed).
    public var eventsPerSecond: Double
    /// The cohort metrics as of T.
    public var metrics: CohortMetrics
}

/// A projection a ledger has loaded, with the records it reflects.
struct LoadedProjection: Sendable {
    var value: any Projection
    /// Records `0..<position` are folded in.
    var position: UInt64
    /// The position of the checkpoint on disk that this handle wrote or
    /// loaded; nil when there is none it can vouch for.
    var checkpointPosition: UInt64?
    /// Where this handle last tried to write one (it may have failed).
    var attemptedPosition: UInt64? = nil
}

extension Ledger {
    /// The default as-of time of metrics.md: the largest `time` among the
    /// ledger's visible events (erased ones excluded, `erase` records
    /// included). nil on an empty ledger. From the per-patient index: no
    /// event is read.
    public var defaultAsOf: EventTime? {
        state.withLock { $0.index.latestVisibleTime() }.map { EventTime(millisecondsSince1970: $0) }
    }

    // MARK: Any projection

    /// Projection `P`, reflecting every event this handle sees: loaded from
    /// its checkpoint the first time (`LEDGER/projections/NAME.ckpt`), then
    /// caught up by folding the events stored since.
    ///
    /// A checkpoint that is missing, damaged, of another version, or no
    /// longer matching the log is rebuilt from position 0 instead, and
    /// ``LedgerOptions/diagnostics`` says why. When ``LedgerOptions/writesCheckpoints``
    /// is on, the checkpoint is rewritten after a rebuild and whenever the
    /// catch-up read ``LedgerOptions/checkpointInterval`` records or more.
    ///
    /// ```swift
    /// let all = try ledger.projection(PatientProjections.self)
    /// all.patientCount
    /// ```
    ///
    /// ``PatientProjections`` is folded as ``replay(asOf:threads:progress:)``
    /// folds (in patient-ordered batches, holding up to
    /// ``LedgerOptions/replayMemory`` of events while it does) when it has
    /// no checkpoint to start from, on up to ``defaultReplayThreads``
    /// threads, and when it catches up ``LedgerOptions/checkpointInterval``
    /// records or more, on one: a service's first use of a large ledger,
    /// a read-only handle that finds no checkpoint, a checkpoint far
    /// behind the log. Other projections are folded in log order.
    ///
    /// Thread-safe; projections are loaded and caught up one at a time.
    /// - Complexity: the checkpoint's size, plus the events stored since it.
    public func projection<P: Projection>(_ type: P.Type) throws(LedgerError) -> P {
        try projections.withLock { (loaded: inout [String: LoadedProjection]) throws(LedgerError) -> P in
            var value: P
            var position: UInt64
            var checkpointPosition: UInt64?
            var attemptedPosition: UInt64?
            // Taken out of the cache while it is caught up, so that the fold
            // mutates the only copy (no copy of every patient's state). A
            // failure leaves nothing cached: the next call loads again.
            if let cached = loaded.removeValue(forKey: P.name), let cachedValue = cached.value as? P {
                (value, position, checkpointPosition) = (cachedValue, cached.position, cached.checkpointPosition)
                attemptedPosition = cached.attemptedPosition
            } else {
                switch loadCheckpoint(P.self) {
                case .success(let checkpoint):
                    (value, position, checkpointPosition) = (checkpoint.value, checkpoint.position, checkpoint.position)
                case .failure(let problem):
                    if let reason = problem.reason {
                        diagnose("projection \(P.name): \(reason); rebuilt from the log")
                    }
                    (value, position, checkpointPosition) = (P(), 0, nil)
                }
            }
            let end = try readableEnd()
            if let patients = value as? PatientProjections, end > position,
               position == 0 || end - position >= options.checkpointInterval {
                value = P()    // the fold below holds the only copy
                // Nothing to start from, or a long way to catch up: folded
                // as a replay folds, patient by patient (on every core
                // when starting from nothing), several times faster than
                // in log order; the same states.
                let known = state.withLock { $0.index.patients.count }
                let (all, _) = try foldPatientProjections(consume patients, from: position, end: end, patients: known,
                                                          threads: Ledger.defaultReplayThreads, metricsAsOf: nil,
                                                          cutoff: nil, progress: nil)
                value = all as! P
            } else {
                try fold(into: &value, from: position, to: end)
            }
            position = max(position, end)
            value.compact()
            // Written when none stands for this handle, or it is an interval
            // behind; after a failed write, not again before an interval.
            var attempt = attemptedPosition
            if options.writesCheckpoints, position > 0,
               [checkpointPosition, attempt].compactMap({ $0 }).max().map({ position - $0 >= options.checkpointInterval }) ?? true {
                attempt = position
                if writeCheckpoint(value, position: position) { checkpointPosition = position }
            }
            loaded[P.name] = LoadedProjection(value: value, position: position, checkpointPosition: checkpointPosition,
                                              attemptedPosition: attempt)
            return value
        }
    }

    /// Rebuilds projection `P` from position 0, ignoring its checkpoint,
    /// and (when ``LedgerOptions/writesCheckpoints``) replaces the
    /// checkpoint with the result.
    ///
    /// - Parameter progress: called now and then with records read and the
    ///   total, for a progress bar.
    /// - Returns: the projection and the records it reflects (`0..<position`).
    public func rebuild<P: Projection>(_ type: P.Type,
                                       progress: ((_ done: UInt64, _ total: UInt64) -> Void)? = nil) throws(LedgerError) -> (projection: P, position: UInt64) {
        try projections.withLock { (loaded: inout [String: LoadedProjection]) throws(LedgerError) -> (projection: P, position: UInt64) in
            var value = P()
            let end = try readableEnd()
            try fold(into: &value, from: 0, to: end, progress: progress)
            keepRebuilt(value, position: end, in: &loaded)
            return (value, end)
        }
    }

    /// Caches a projection rebuilt from position 0 and (when
    /// ``LedgerOptions/writesCheckpoints``) replaces its checkpoint.
    /// Compacted first, so the checkpoint reuses the encoded states.
    private func keepRebuilt<P: Projection>(_ value: P, position: UInt64, in loaded: inout [String: LoadedProjection]) {
        var resting = value
        resting.compact()
        var checkpointPosition: UInt64?
        if options.writesCheckpoints && writeCheckpoint(resting, position: position) { checkpointPosition = position }
        loaded[P.name] = LoadedProjection(value: resting, position: position, checkpointPosition: checkpointPosition)
    }

    /// Folds the records at positions `start..<end` in log order: `erase`
    /// for each `erase` record, `apply` for each other event.
    ///
    /// The result is the projection of exactly that prefix of the log,
    /// whatever is appended meanwhile: an `erase` stored at or after `end`
    /// hides nothing here (the next catch-up folds it). Events that an
    /// erase inside the prefix drops anyway are skipped without decoding
    /// on a pass from position 0 (`hidden`); elsewhere the erase record
    /// itself makes the projection forget them.
    ///
    /// `apply` takes each event materialized; ``fold(into:from:to:progress:)``
    /// lets a projection read them in place instead.
    func fold(from start: UInt64, to end: UInt64, progress: ((_ done: UInt64, _ total: UInt64) -> Void)? = nil,
              apply: (PatientEventRecord) -> Void, erase: (String) -> Void) throws(LedgerError) {
        try foldViews(from: start, to: end, progress: progress, apply: { (event, position) throws(EventCodecError) in
            apply(PatientEventRecord(position: position, event: try event.event()))
        }, erase: erase)
    }

    /// ``fold(from:to:progress:apply:erase:)`` into `projection`, which
    /// reads each event in place (``Projection/apply(_:position:)``).
    func fold<P: Projection>(into projection: inout P, from start: UInt64, to end: UInt64,
                             progress: ((_ done: UInt64, _ total: UInt64) -> Void)? = nil) throws(LedgerError) {
        try foldViews(from: start, to: end, progress: progress, apply: { (event, position) throws(EventCodecError) in
            try projection.apply(event, position: position)
        }, erase: { projection.erase(patient: $0) })
    }

    /// The fold of ``fold(from:to:progress:apply:erase:)``, handing `apply`
    /// each event as a view of the scanned block (valid during the call).
    private func foldViews(from start: UInt64, to end: UInt64, progress: ((_ done: UInt64, _ total: UInt64) -> Void)?,
                           apply: (PatientEventView, UInt64) throws(EventCodecError) -> Void, erase: (String) -> Void) throws(LedgerError) {
        guard start < end else { return }
        let hidden = start == 0 ? erasures(before: end) : [:]
        let directory = log.directory
        try scanFold(from: start, to: end, hidden: hidden, part: 0, parts: 1, progress: progress,
                     apply: { (event, position, _) throws(LedgerError) in
                         do throws(EventCodecError) { try apply(event, position) } catch {
                             throw .undecodable(position, error, directory: directory)
                         }
                     }, erase: erase)
    }

    /// The last `erase` position of each patient erased before `end`.
    func erasures(before end: UInt64) -> [String: UInt64] {
        state.withLock { $0.index.erasures(before: end) }
    }

    /// The records `0..<end` the index reflects, made readable: on the
    /// writer's handle the appends that group commit or noSync still buffer
    /// are written out first (a writer reads its own appends). `end` is
    /// read before the write, so an append racing with it cannot put `end`
    /// past what was written.
    func readableEnd() throws(LedgerError) -> UInt64 {
        let end = state.withLock { $0.index.coveredPosition }
        try makeReadable(through: end)
        return end
    }

    /// Makes records `0..<end`, which the index names, readable: commits
    /// the writer's buffered appends when the log has not written them yet.
    func makeReadable(through end: UInt64) throws(LedgerError) {
        guard log.endPosition < end else { return }
        guard !options.log.readOnly else {
            throw LedgerError(.corruption, "the per-patient index names records up to \(end), the log holds \(log.endPosition)", path: log.directory)
        }
        do throws(StorageError) { try log.commit() } catch { throw LedgerError(error) }
    }

    /// One thread's share of a fold: reads every record's envelope in
    /// `start..<end` and hands `apply` the events of the patients in
    /// partition `part` of `parts`, as views of the scanned block with
    /// their positions (the folder decodes what it reads, and reports a
    /// record that does not decode).
    func scanFold(from start: UInt64, to end: UInt64, hidden: [String: UInt64], part: Int, parts: Int,
                  progress: ((_ done: UInt64, _ total: UInt64) -> Void)?,
                  apply: (_ event: PatientEventView, _ position: UInt64, _ patientHash: UInt64) throws(LedgerError) -> Void,
                  erase: (String) -> Void) throws(LedgerError) {
        guard start < end else { return }
        guard end <= log.endPosition else {
            throw LedgerError(.corruption, "the per-patient index names records up to \(end), the log holds \(log.endPosition)", path: log.directory)
        }
        let directory = log.directory
        let hiddenPatients = PatientFilter(hidden.keys)
        do {
            try log.scan(from: start, to: end) { view in
                // A borrowing view first: another thread's patients are
                // skipped on a hash of the id's bytes, without a String.
                let event: PatientEventView
                do throws(EventCodecError) {
                    event = try PatientEventView(payload: view.payload, time: EventTime(millisecondsSince1970: view.timestamp))
                } catch {
                    throw LedgerError.undecodable(view.position, error, directory: directory)
                }
                if part == 0 && view.position % 65_536 == 0 { progress?(view.position, end) }
                // Hashed once: the partition, the erasure filter and the
                // folder (a replay's batch groups by it) all use it.
                let hash = IdentifierHash.hash(event.patientBytes)
                guard parts == 1 || Self.partition(ofHash: hash, parts: parts) == part else { return true }
                if event.typeCode == EventType.erase.rawValue {
                    erase(event.patient)
                    return true
                }
                if hiddenPatients.mayContain(hash: hash), let last = hidden[event.patient], view.position < last {
                    return true
                }
                try apply(event, view.position, hash)
                return true
            }
        } catch {
            throw LedgerError(scanFailure: error, directory: directory)
        }
        if part == 0 { progress?(end, end) }
    }

    // MARK: Checkpoint files

    var projectionDirectory: String { directory + "/" + ProjectionCheckpoint.directoryName }

    func checkpointPath(_ name: String) -> String {
        projectionDirectory + "/" + name + ProjectionCheckpoint.suffix
    }

    struct CheckpointProblem: Error {
        /// Why the checkpoint was not used; nil when there is simply none
        /// on an empty ledger (nothing to say).
        var reason: String?
    }

    /// The checkpoint of `P` if it can be trusted: see ``ProjectionCheckpoint``.
    func loadCheckpoint<P: Projection>(_ type: P.Type) -> Result<(value: P, position: UInt64), CheckpointProblem> {
        let path = checkpointPath(P.name)
        let system = options.log.systemCalls
        let bytes: [UInt8]
        do throws(StorageError) {
            let file = try SystemFile.open(path, flags: O_RDONLY, system: system)
            bytes = try file.read(fromAbsoluteOffset: 0, count: Int(try file.size()))
        } catch {
            if error.kind == .notFound {
                let empty = state.withLock { $0.index.coveredPosition } == 0
                return .failure(CheckpointProblem(reason: empty ? nil : "no checkpoint"))
            }
            return .failure(CheckpointProblem(reason: "checkpoint \(path) unreadable: \(LedgerError(error).message)"))
        }
        let loaded: ProjectionCheckpoint.Loaded
        switch ProjectionCheckpoint.decode(bytes, name: P.name, version: P.version, logID: log.logID, path: path) {
        case .success(let checkpoint): loaded = checkpoint
        case .failure(let problem): return .failure(CheckpointProblem(reason: "checkpoint \(path): \(problem.reason)"))
        }
        let covered = state.withLock { $0.index.coveredPosition }
        guard loaded.coveredPosition <= covered else {
            return .failure(CheckpointProblem(reason: "checkpoint \(path) reflects \(loaded.coveredPosition) records, the log holds \(covered)"))
        }
        if loaded.coveredPosition > 0 {
            let record = try? log.read(at: loaded.coveredPosition - 1)
            guard let record, ProjectionCheckpoint.Anchor(record) == loaded.anchor else {
                return .failure(CheckpointProblem(reason: "checkpoint \(path) does not match record \(loaded.coveredPosition - 1) of the log"))
            }
        }
        var decoded: Result<P, StateDecodingError> = .failure(StateDecodingError(offset: 0, reason: ""))
        bytes.withUnsafeBytes { raw in
            do throws(StateDecodingError) {
                decoded = .success(try P(checkpoint: UnsafeRawBufferPointer(rebasing: raw[loaded.state])))
            } catch {
                decoded = .failure(error)
            }
        }
        switch decoded {
        case .success(let value): return .success((value, loaded.coveredPosition))
        case .failure(let error):
            return .failure(CheckpointProblem(reason: "checkpoint \(path): state does not decode: \(error.reason) at state byte \(error.offset)"))
        }
    }

    /// Writes `value` as the checkpoint of records `0..<position`; reports
    /// a failure through ``LedgerOptions/diagnostics`` and returns false
    /// (a query never fails because its checkpoint could not be saved).
    func writeCheckpoint<P: Projection>(_ value: P, position: UInt64) -> Bool {
        let path = checkpointPath(P.name)
        do throws(LedgerError) {
            // A writer's checkpoint reflects durable records only.
            if !options.log.readOnly {
                do throws(StorageError) { try log.flush() } catch { throw LedgerError(error) }
            }
            var anchor: ProjectionCheckpoint.Anchor?
            if position > 0 {
                do throws(StorageError) { anchor = .init(try log.read(at: position - 1)) } catch { throw LedgerError(error) }
            }
            let state = value.checkpoint()
            let (front, back) = ProjectionCheckpoint.frame(name: P.name, version: P.version, state: state,
                                                           coveredPosition: position, anchor: anchor, logID: log.logID)
            do throws(StorageError) {
                let fs = FileSystem(options.log.systemCalls)
                try fs.makeDirectory(projectionDirectory)
                removeAbandonedTemporaryFiles(fs)
                // Unique to this write: two handles of one process, or two
                // processes, never share a temporary file.
                let temporary = path + ".tmp-\(getpid())-\(Self.temporaryCounter.add(1, ordering: .relaxed).newValue)"
                let file = try SystemFile.open(temporary, flags: O_WRONLY | O_CREAT | O_EXCL, system: options.log.systemCalls)
                // The file's three pieces, the state from where it lies.
                try file.write(toAbsoluteOffset: 0, bytes: front)
                try file.write(toAbsoluteOffset: Int64(front.count), bytes: state)
                try file.write(toAbsoluteOffset: Int64(front.count + state.count), bytes: back)
                try file.synchronize()
                try fs.rename(temporary, to: path)
                try fs.synchronizeDirectory(projectionDirectory)
            } catch {
                throw LedgerError(error)
            }
            return true
        } catch {
            diagnose("projection \(P.name): checkpoint not written: \(error)")
            return false
        }
    }

    /// Numbers this process's temporary checkpoint files.
    private static let temporaryCounter = Atomic<Int>(0)

    /// Temporary checkpoint files of processes that no longer run (a crash
    /// between write and rename). A process in another PID namespace
    /// sharing the directory could lose a temporary file to this; its
    /// rename then fails and it reports that the checkpoint was not
    /// written (nothing is served wrong).
    private func removeAbandonedTemporaryFiles(_ fs: FileSystem) {
        guard let names = try? fs.list(projectionDirectory) else { return }
        for name in names {
            let marker = ProjectionCheckpoint.suffix + ".tmp-"
            let parts = name.split(separator: marker, maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, let pid = parts[1].split(separator: "-").first.flatMap({ Int32($0) }) else { continue }
            if pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH {
                try? fs.remove(projectionDirectory + "/" + name)
            }
        }
    }

    func diagnose(_ message: String) {
        options.diagnostics?(message)
    }

    // MARK: The built-in projections

    /// One patient's projection (profile, tags, adherence) as of `asOf`
    /// (default ``defaultAsOf``).
    ///
    /// Served from ``PatientProjections`` (checkpoint plus catch-up, see
    /// ``projection(_:)``) when `asOf` is at or after the patient's latest
    /// event, which the default always is. For an earlier `asOf` the
    /// patient's events up to it are folded again, read through the
    /// per-patient index (one block read per event, no scan of the log).
    ///
    /// - Throws: ``LedgerError`` `.notFound` ("no such patient: ID", no
    ///   path) when the patient has no visible event with `time <= T`: an
    ///   unknown or erased patient, or one whose history starts after T.
    public func projection(of patient: String, asOf: EventTime? = nil) throws(LedgerError) -> PatientProjection {
        guard let asOf = asOf ?? defaultAsOf else { throw LedgerError(.notFound, "no such patient: \(patient)") }
        let all = try projection(PatientProjections.self)
        guard let state = all.state(of: patient) else { throw LedgerError(.notFound, "no such patient: \(patient)") }
        if let projection = state.projection(patient: patient, asOf: asOf) { return projection }
        let records = try events(of: patient).map { PatientEventRecord(position: $0.position, event: $0.event) }
        let projection = PatientProjection(patient: patient, events: records, asOf: asOf)
        guard projection.exists else { throw LedgerError(.notFound, "no such patient: \(patient)") }
        return projection
    }

    /// Rebuilds every patient's projection from position 0, replacing the
    /// ``PatientProjections`` checkpoint (when ``LedgerOptions/writesCheckpoints``),
    /// and aggregates the cohort metrics as of `asOf` (default
    /// ``defaultAsOf``; the Unix epoch on an empty ledger).
    ///
    /// One pass over the log per thread: the patients are split between
    /// `threads` by a hash of their id, each thread reads every record's
    /// envelope and decodes and folds only its own patients' events,
    /// grouped by patient in batches (``PatientOrderedBatch``) of up to
    /// ``LedgerOptions/replayMemory`` bytes of events split between the
    /// threads. The last batch is a closing fold: each patient's state is
    /// measured and encoded as soon as their last events are folded, and a
    /// log that fits one batch builds no state per patient at all (see
    /// ``LedgerOptions/replayMemory``). With an `asOf` before some
    /// patient's latest event, the pass also folds the events up to `asOf`
    /// alone, for the metrics (the checkpoint always reflects every
    /// event).
    ///
    /// - Parameters:
    ///   - threads: threads folding at once (default: the processors
    ///     online, at most 8); 1 folds on the calling thread.
    ///   - progress: called now and then with records read and the total,
    ///     for a progress bar (from one of the threads, never two at once).
    public func replay(asOf: EventTime? = nil, threads: Int = Ledger.defaultReplayThreads,
                       progress: (@Sendable (_ done: UInt64, _ total: UInt64) -> Void)? = nil) throws(LedgerError) -> ReplaySummary {
        let start = Self.monotonicSeconds()
        let (metrics, records, asOf, erasedPatients) = try projections.withLock { (loaded: inout [String: LoadedProjection]) throws(LedgerError) in
            // The records to fold, their latest time and the erased
            // patients, read together: an append from another thread after
            // this cannot reach the pass.
            let (end, latestMillis, erased, patients) = state.withLock {
                ($0.index.coveredPosition, $0.index.latestVisibleTime(), $0.index.erasedPatients, $0.index.patients.count)
            }
            try makeReadable(through: end)
            let latest = latestMillis.map { EventTime(millisecondsSince1970: $0) }
            let asOf = asOf ?? latest ?? EventTime(millisecondsSince1970: 0)
            let cutoff = latest.flatMap { asOf < $0 ? asOf : nil }
            let (all, metrics) = try foldPatientProjections(end: end, patients: patients, threads: threads,
                                                            metricsAsOf: asOf, cutoff: cutoff, progress: progress)
            keepRebuilt(all, position: end, in: &loaded)
            return (metrics!, end, asOf, erased)
        }
        let seconds = Self.monotonicSeconds() - start
        return ReplaySummary(asOf: asOf, events: records, patients: metrics.patients,
                             erasedPatients: erasedPatients, seconds: seconds,
                             eventsPerSecond: seconds > 0 ? Double(records) / seconds : 0,
                             metrics: metrics)
    }

    /// The processors online, at most 8: ``replay(asOf:threads:progress:)``'s default.
    public static var defaultReplayThreads: Int {
        Int(min(max(sysconf(Int32(_SC_NPROCESSORS_ONLN)), 1), 8))
    }

    /// Folds records `start..<end` into `projection`, which must reflect
    /// exactly records `0..<start` (empty when `start` is 0), as
    /// ``replay(asOf:threads:progress:)`` folds a ledger:
    /// on `threads` threads, the patients split between them by a hash of
    /// their id, each thread's events folded patient by patient in batches
    /// (``PatientOrderedBatch``, ``LedgerOptions/replayMemory``), the last
    /// one as a closing fold. The states equal those of a fold in log
    /// order. A projection that already holds patients is folded on one
    /// thread (its states are not split between threads).
    ///
    /// - Parameters:
    ///   - patients: the patients the index knows, to size the tables.
    ///   - metricsAsOf: the cohort metrics' time; nil for none.
    ///   - cutoff: when the metrics are of an earlier time than some
    ///     patient's latest event: that time (the events after it are
    ///     folded apart for the metrics); only from position 0.
    /// - Returns: the states, not compacted, and the cohort metrics when
    ///   `metricsAsOf` was given.
    func foldPatientProjections(_ projection: consuming PatientProjections = PatientProjections(), from start: UInt64 = 0,
                                end: UInt64, patients: Int, threads: Int, metricsAsOf: EventTime?, cutoff: EventTime?,
                                progress: (@Sendable (_ done: UInt64, _ total: UInt64) -> Void)?)
        throws(LedgerError) -> (PatientProjections, CohortMetrics?) {
        // The metrics of an earlier time fold every event up to it apart:
        // from further on, those before `start` would be missing.
        precondition(start == 0 || cutoff == nil, "foldPatientProjections: a cutoff from a position past 0")
        let directory = log.directory
        let threads = projection.patientCount == 0 ? max(1, threads) : 1
        // Handed to the one thread that folds it (moved, not copied: a
        // copy's first change would copy every patient's state).
        let handOver = Mutex<PatientProjections?>(projection)
        // Each part's share of the patients, with a margin for an
        // uneven split by hash (a table a little too large costs far
        // less than one that grows).
        let sharePerPart = threads == 1 ? patients : patients / threads + patients / (8 * threads) + 64
        // A catch-up meets at most one patient per record: the tables are
        // not sized for the whole cohort (the states at rest are there
        // already).
        let patientsPerPart = start == 0 ? sharePerPart : min(sharePerPart, Int(clamping: end - start))
        // The records' uncompressed bytes, estimated for a part of the log.
        let rawBytes = start == 0 ? log.rawBytes : Int64(Double(log.rawBytes) * Double(end - start) / Double(max(end, 1)))
        let batch = PatientOrderedBatch.replaySize(rawBytes: rawBytes, records: end - start, parts: threads,
                                                   memory: options.replayMemory)
        // States live between batches only when there are several: in
        // one, every patient is folded in the closing fold's reused state.
        let livePatients = batch.fitsOneBatch ? 0 : patientsPerPart
        let parts = try foldPartitioned(parts: threads, from: start, end: end, progress: progress) {
            var all = handOver.withLock { $0.take() } ?? PatientProjections()
            all.reserveCapacity(livePatients)
            let cut = cutoff.map { cutoff in
                var cut = PatientProjections(cutoff: cutoff)
                cut.reserveCapacity(livePatients)
                return cut
            }
            return ReplayFold(all: all, cut: cut, asOf: metricsAsOf, directory: directory,
                              batchCapacity: batch.capacity, expectedEntries: batch.entries,
                              patients: patientsPerPart)
        }
        if parts.count == 1 { return (parts[0].all, parts[0].metrics) }
        var all = PatientProjections()
        var metrics = metricsAsOf.map { CohortMetrics(asOf: $0) }
        for part in parts {
            all.merge(disjoint: part.all)
            // Every patient's latest event is at or before the metrics'
            // time, and `cut` drops those after an earlier one.
            if metrics != nil { metrics!.merge(part.metrics!) }
        }
        return (all, metrics)
    }

    /// Folds records `start..<end` on `parts` threads, each into its own
    /// folder, the patients split between them by a hash of their id.
    /// Erasure as the cursor does it: events hidden by their patient's last
    /// `erase` (as the index knows it) are skipped.
    func foldPartitioned<F: EventFolding>(parts: Int, from start: UInt64 = 0, end: UInt64,
                                          progress: (@Sendable (_ done: UInt64, _ total: UInt64) -> Void)?,
                                          make: @escaping @Sendable () -> F) throws(LedgerError) -> [F] {
        guard end > start else {
            var empty = make()
            try empty.finish()
            return [empty]
        }
        // From position 0, events a later erase hides are skipped unread;
        // from further on, the erase records make the folder forget them.
        let hidden = start == 0 ? erasures(before: end) : [:]
        let results = Mutex<[Int: Result<F, LedgerError>]>([:])
        let work: @Sendable (Int) -> Void = { part in
            var folder = make()
            let outcome: Result<F, LedgerError>
            do throws(LedgerError) {
                do throws(LedgerError) {
                    try self.scanFold(from: start, to: end, hidden: hidden, part: part, parts: parts, progress: progress,
                                      apply: { (event, position, hash) throws(LedgerError) in
                                          try folder.apply(event, position: position, patientHash: hash)
                                      },
                                      erase: { folder.erase(patient: $0) })
                } catch {
                    // Records scanned before the failure but held back
                    // come first in the log: their failure is the one to
                    // report, as a fold in log order would.
                    try folder.foldPending()
                    throw error
                }
                try folder.finish()
                outcome = .success(folder)
            } catch {
                outcome = .failure(error)
            }
            results.withLock { $0[part] = outcome }
        }
        if parts == 1 {
            work(0)
        } else {
            DispatchQueue.concurrentPerform(iterations: parts, execute: work)
        }
        var folders: [F] = []
        var failure: LedgerError?
        for part in 0..<parts {
            switch results.withLock({ $0[part] })! {
            case .success(let folder): folders.append(folder)
            case .failure(let error): failure = Self.earlier(failure, error)
            }
        }
        if let failure { throw failure }
        return folders
    }

    /// Of two threads' failures, the one a fold in log order would have
    /// met: each thread stops at the first failure among its patients'
    /// records, so the record that does not decode at the lowest position
    /// comes first. Every thread reads every block, so a thread's failure
    /// without a record (a damaged block, I/O) lies past any record another
    /// thread failed on: a failure at a record wins over it, and of two
    /// without one the first thread's is kept (they are the same block's).
    private static func earlier(_ a: LedgerError?, _ b: LedgerError) -> LedgerError {
        guard let a else { return b }
        switch (a.position, b.position) {
        case let (x?, y?): return y < x ? b : a
        case (nil, _?): return b
        default: return a
        }
    }

    /// The thread of `parts` that folds `patient`'s events: the id's
    /// ``IdentifierHash``, modulo `parts`.
    static func partition(of patient: String, parts: Int) -> Int {
        Int(IdentifierHash.hash(patient) % UInt64(parts))
    }

    /// ``partition(of:parts:)`` of the patient id whose ``IdentifierHash`` this is.
    @inline(__always)
    static func partition(ofHash hash: UInt64, parts: Int) -> Int {
        Int(hash % UInt64(parts))
    }

    private static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

/// A set of patient ids that answers "surely not in it" for most others
/// from a hash of their UTF-8 bytes: a replay asks for every event whether
/// its patient was erased, and most never were; ruling them out spares
/// building their id as a `String` and hashing it for a dictionary.
struct PatientFilter {
    /// One bit per value of ``bitCount`` bits of an ``IdentifierHash``.
    private var bits: [UInt64]
    /// 2^18 bits (32 KB): few false positives for thousands of patients.
    private static let bitCount = 18

    /// A filter of `patients` (empty: every answer is false).
    init(_ patients: some Sequence<String>) {
        bits = []
        for patient in patients {
            if bits.isEmpty { bits = [UInt64](repeating: 0, count: (1 << Self.bitCount) / 64) }
            let bit = Self.bit(IdentifierHash.hash(patient))
            bits[bit >> 6] |= 1 << UInt64(bit & 63)
        }
    }

    /// False when the patient whose id has the ``IdentifierHash`` `hash`
    /// is surely not in the set; true when it may be.
    @inline(__always)
    func mayContain(hash: UInt64) -> Bool {
        guard !bits.isEmpty else { return false }
        let bit = Self.bit(hash)
        return bits[bit >> 6] & 1 << UInt64(bit & 63) != 0
    }

    /// The hash's high bits: the low ones pick a replay's partition.
    private static func bit(_ hash: UInt64) -> Int {
        Int(truncatingIfNeeded: hash >> UInt64(64 - bitCount))
    }
}

/// What a partitioned fold feeds: a projection's two mutations, which a
/// folder may hold back and fold later in another order (see
/// ``PatientOrderedBatch``).
protocol EventFolding: Sendable {
    /// ``Projection/apply(_:position:)``: an event read in place (valid
    /// during the call only), with the ``IdentifierHash`` of its patient's
    /// id. Throws ``LedgerError/undecodable(_:_:directory:)`` for the
    /// earliest record held back that does not decode.
    mutating func apply(_ event: PatientEventView, position: UInt64, patientHash: UInt64) throws(LedgerError)
    mutating func erase(patient: String)
    /// Folds everything held back; throws as ``apply(_:position:)``.
    mutating func foldPending() throws(LedgerError)
    /// Called once its part is scanned, on the part's thread: folds what
    /// is held back, then per-part work that needs no other part.
    mutating func finish() throws(LedgerError)
}

/// A replay's folders: every event for the checkpoint, and those up to an
/// earlier as-of time for the metrics.
///
/// Events are folded in batches, patient by patient (``PatientOrderedBatch``):
/// ``PatientProjections`` folds each patient apart from the others, so the
/// states are those of a fold in log order.
struct ReplayFold: EventFolding {
    var all: PatientProjections
    var cut: PatientProjections?
    /// The cohort metrics' time; nil for none (`cut` is then nil too).
    let asOf: EventTime?
    /// The log's directory, for errors.
    let directory: String
    /// The part's cohort metrics as of `asOf` (of `cut` when there is
    /// one), once finished; nil without `asOf`.
    var metrics: CohortMetrics?
    /// The part's patients, about.
    let patients: Int
    /// Events and erasures scanned, not folded yet.
    private var pending: PatientOrderedBatch

    /// Folders starting from `all` and `cut`, holding back up to
    /// `batchCapacity` bytes of events at a time (about `expectedEntries`
    /// events), for about `patients` patients.
    init(all: PatientProjections, cut: PatientProjections?, asOf: EventTime?, directory: String, batchCapacity: Int,
         expectedEntries: Int = 0, patients: Int) {
        self.all = all
        self.cut = cut
        self.asOf = asOf
        self.directory = directory
        self.patients = patients
        pending = PatientOrderedBatch(capacity: batchCapacity, expectedEntries: expectedEntries)
    }

    /// Folds the last batch, then the part's metrics and its states
    /// compacted: both on the part's thread (merged metrics equal the
    /// whole's: every sum is exact). `cut` served only the metrics and is
    /// dropped.
    ///
    /// The last batch holds every patient's last events, so it is folded
    /// as a closing fold (``PatientProjections/beginClosing(metricsAsOf:keepingStates:patients:)``):
    /// each patient's state is measured and encoded as soon as their
    /// events in it are folded, and one whose events all lie in it never
    /// has a state of their own.
    mutating func finish() throws(LedgerError) {
        // The metrics come from `cut` when there is one.
        all.beginClosing(metricsAsOf: cut == nil ? asOf : nil, keepingStates: true, patients: patients)
        cut?.beginClosing(metricsAsOf: asOf!, keepingStates: false, patients: 0)
        try foldPending(closing: true)
        // Its memory back now, not when the caller drops the folder (after
        // merging the parts and writing the checkpoint).
        pending = PatientOrderedBatch(capacity: 1)
        let allMetrics = all.endClosing()
        metrics = cut == nil ? allMetrics : cut!.endClosing()
        cut = nil
    }

    mutating func apply(_ event: PatientEventView, position: UInt64, patientHash: UInt64) throws(LedgerError) {
        // The batch keeps the event without its id and actor: they are
        // checked now, as the fold would (an error here comes after those
        // of the events held back, which come first in the log: see
        // `foldPartitioned`).
        do throws(EventCodecError) { try event.checkIDAndActor() } catch {
            throw .undecodable(position, error, directory: directory)
        }
        pending.add(event, position: position, patientHash: patientHash)
        if pending.isFull { try foldPending() }
    }

    mutating func erase(patient: String) {
        pending.addErasure(of: patient)
    }

    mutating func foldPending() throws(LedgerError) {
        try foldPending(closing: false)
    }

    /// Folds the events held back; `closing` for the last batch, in a
    /// closing fold begun by ``finish()``.
    private mutating func foldPending(closing: Bool) throws(LedgerError) {
        guard !pending.isEmpty else { return }
        // Read from a copy (sharing its storage) while `all` and `cut`,
        // also parts of `self`, are mutated.
        let batch = pending
        var failure: (position: UInt64, error: EventCodecError)?
        batch.drain(event: { payload, time, position, leftOut in
            do throws(EventCodecError) {
                let event = try PatientEventView(payload: payload, time: time)
                do throws(EventCodecError) {
                    if closing {
                        try all.applyClosing(event, position: position)
                        try cut?.applyClosing(event, position: position)
                    } else {
                        try all.apply(event, position: position)
                        try cut?.apply(event, position: position)
                    }
                } catch {
                    // At its offset in the payload as stored, which held
                    // the id and actor before the body.
                    let bodyStart = payload.count - event.bodyBytes.count
                    guard leftOut > 0, error.offset >= bodyStart else { throw error }
                    throw EventCodecError(offset: error.offset + leftOut, reason: error.reason)
                }
            } catch {
                if failure.map({ position < $0.position }) ?? true { failure = (position, error) }
            }
        }, erase: { patient in
            all.erase(patient: patient)
            cut?.erase(patient: patient)
        }, groupEnd: {
            guard closing else { return }
            all.closeFolded()
            cut?.closeFolded()
        })
        if let failure { throw .undecodable(failure.position, failure.error, directory: directory) }
    }
}
