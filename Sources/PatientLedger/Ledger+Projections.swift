#if canImport(Glibc)
import Glibc
#endif
import LedgerEvents
import LedgerProjections
import LedgerStorage

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

extension Ledger {
    /// The default as-of time of metrics.md: the largest `time` among the
    /// ledger's visible events (erased ones excluded, `erase` records
    /// included). nil on an empty ledger. From the per-patient index: no
    /// event is read.
    public var defaultAsOf: EventTime? {
        state.withLock { $0.index.latestVisibleTime }.map { EventTime(millisecondsSince1970: $0) }
    }

    /// One patient's projection (profile, tags, adherence) as of `asOf`
    /// (default ``defaultAsOf``).
    ///
    /// Reads the patient's visible events through the per-patient index
    /// (one block read per event); no scan of the log.
    ///
    /// - Throws: ``LedgerError`` `.notFound` ("no such patient: ID", no
    ///   path) when the patient has no visible event with `time <= T`: an
    ///   unknown or erased patient, or one whose history starts after T.
    public func projection(of patient: String, asOf: EventTime? = nil) throws(LedgerError) -> PatientProjection {
        guard let asOf = asOf ?? defaultAsOf else { throw LedgerError(.notFound, "no such patient: \(patient)") }
        let records = try events(of: patient).map { PatientEventRecord(position: $0.position, event: $0.event) }
        let projection = PatientProjection(patient: patient, events: records, asOf: asOf)
        guard projection.exists else { throw LedgerError(.notFound, "no such patient: \(patient)") }
        return projection
    }

    /// Rebuilds every patient's projection as of `asOf` (default
    /// ``defaultAsOf``; the Unix epoch on an empty ledger) and aggregates the
    /// cohort metrics.
    ///
    /// One sequential pass over the log from position 0 (erased events
    /// skipped), grouping the events per patient, then one projection per
    /// patient added to ``CohortMetrics``.
    ///
    /// This first version keeps every visible event in memory until the pass
    /// ends (memory grows with the ledger) and writes no checkpoints; writing
    /// projection checkpoints is the next step (issue 4).
    ///
    /// - Parameter progress: called now and then with records read and the
    ///   total, for a progress bar.
    public func replay(asOf: EventTime? = nil,
                       progress: ((_ done: UInt64, _ total: UInt64) -> Void)? = nil) throws(LedgerError) -> ReplaySummary {
        let start = Self.monotonicSeconds()
        let asOf = asOf ?? defaultAsOf ?? EventTime(millisecondsSince1970: 0)
        // The records the index reflects: erasures are judged by it, so a
        // record a concurrent writer appended after this handle's index is
        // left out of the pass.
        let total = state.withLock { $0.index.coveredPosition }
        var byPatient: [String: [PatientEventRecord]] = [:]
        let cursor = events(from: 0)
        var read: UInt64 = 0
        while let stored = try cursor.next(), stored.position < total {
            read = stored.position + 1
            if read % 65_536 == 0 { progress?(read, total) }
            // Erase records are the audit trail, not history: the cursor
            // already hides the events they erased.
            guard stored.event.body != .erase else { continue }
            byPatient[stored.event.patient, default: []]
                .append(PatientEventRecord(position: stored.position, event: stored.event))
        }
        progress?(total, total)
        var metrics = CohortMetrics(asOf: asOf)
        for patient in byPatient.keys.sorted() {
            let records = byPatient.removeValue(forKey: patient)!
            metrics.add(PatientProjection(patient: patient, events: records, asOf: asOf))
        }
        // The records the pass covered, erased ones and erase records
        // included: no second look at the log (which a writer may have grown).
        let records = total
        let seconds = Self.monotonicSeconds() - start
        return ReplaySummary(asOf: asOf, events: records, patients: metrics.patients,
                             erasedPatients: erasedPatientCount, seconds: seconds,
                             eventsPerSecond: seconds > 0 ? Double(records) / seconds : 0,
                             metrics: metrics)
    }

    private static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
