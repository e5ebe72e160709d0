import Testing
import LedgerEvents
@testable import LedgerProjections

/// The closing fold (`beginClosing`, `applyClosing`, `closeFolded`,
/// `endClosing`: a replay's last batch) gives the states, checkpoint and
/// metrics that folding the same events with `apply` and then
/// `compact(cohortMetricsAsOf:)` gives, whichever way the patients reach
/// it: first met in it (the reused state), folded before it began, two
/// patients interleaved in one group, erased in the middle.
@Suite struct ClosingFoldTests {
    /// What a replay hands a projection, in order.
    enum Step {
        case event(PatientEventRecord)
        case erase(String)
        /// The end of a group of the batch (`closeFolded()`).
        case groupEnd
    }

    /// ``InPlaceFoldTests/records()``' first patient's events (every type)
    /// as patient `patient`'s, `days` later, at positions from `position`.
    static func events(of patient: String, days: Int64, position: inout UInt64) -> [PatientEventRecord] {
        InPlaceFoldTests.records().filter { $0.event.patient == "P1" }.map { record in
            var event = record.event
            event.patient = patient
            event.time = EventTime(millisecondsSince1970: event.time.millisecondsSince1970 + days * 86_400_000)
            event.id = "\(patient)-\(position)"
            defer { position += 1 }
            return PatientEventRecord(position: position, event: event)
        }
    }

    /// Steps before the closing fold, then its steps: patients met only in
    /// it, one folded before and in it, one folded only before, two
    /// interleaved in one group, erasures of a patient in the reused state
    /// and of one with a state of their own, then more of their events.
    static func scenario() -> (before: [Step], closing: [Step]) {
        var position: UInt64 = 0
        var before: [Step] = []
        var closing: [Step] = []
        let early = events(of: "early-and-late", days: 0, position: &position)
        before += early.prefix(10).map(Step.event)
        before += events(of: "only-early", days: 3, position: &position).map(Step.event)
        before += events(of: "erased-with-a-state", days: 1, position: &position).prefix(5).map(Step.event)
        let interleaved = events(of: "met-beside-another", days: 7, position: &position)
        before += interleaved.prefix(6).map(Step.event)
        for (n, patient) in ["A", "B", "C-\(String(repeating: "long", count: 10))"].enumerated() {
            closing += events(of: patient, days: Int64(n), position: &position).map(Step.event)
            closing.append(.groupEnd)
        }
        closing += early.dropFirst(10).map(Step.event)
        closing.append(.groupEnd)
        // Patients of one group, interleaved: the others met while the
        // reused state holds X, so each gets a state of its own; Y erased
        // halfway and folded again, W erased for good.
        let x = events(of: "X", days: 5, position: &position), y = events(of: "Y", days: 6, position: &position)
        let w = events(of: "W", days: 8, position: &position)
        for (i, (a, b)) in zip(x, y).enumerated() {
            closing += [.event(a), .event(b)]
            if i == 3 { closing += w.prefix(3).map(Step.event) + [.erase("W")] }
            if i == 8 { closing.append(.erase("Y")) }
        }
        closing.append(.groupEnd)
        // A patient folded before (at rest, or with a state being folded)
        // met while the reused state holds another.
        let z = events(of: "Z", days: 3, position: &position)
        for (a, b) in zip(z, interleaved.dropFirst(6)) { closing += [.event(a), .event(b)] }
        closing.append(.groupEnd)
        // Erased while in the reused state, then events again.
        let erased = events(of: "erased", days: 2, position: &position)
        closing += erased.prefix(7).map(Step.event) + [.erase("erased")] + erased.dropFirst(20).map(Step.event)
        closing.append(.groupEnd)
        closing += [.erase("erased-with-a-state")]
        closing += events(of: "erased-with-a-state", days: 9, position: &position).suffix(4).map(Step.event)
        closing.append(.groupEnd)
        // Erased with nothing after.
        closing += events(of: "gone", days: 4, position: &position).map(Step.event) + [.erase("gone"), .groupEnd]
        return (before, closing)
    }

    static func apply(_ step: Step, to projection: inout PatientProjections, closing: Bool) throws {
        switch step {
        case .event(let record):
            try EventCodec.encode(record.event).withUnsafeBytes { raw in
                let view = try PatientEventView(payload: raw, time: record.event.time)
                if closing {
                    try projection.applyClosing(view, position: record.position)
                } else {
                    try projection.apply(view, position: record.position)
                }
            }
        case .erase(let patient): projection.erase(patient: patient)
        case .groupEnd: if closing { projection.closeFolded() }
        }
    }

    /// With the states folded before it being folded still, or at rest
    /// (compacted: met again, a patient's state is decoded; not met, it
    /// still counts in the metrics).
    @Test(arguments: [false, true])
    func closingFoldEqualsFoldThenCompact(restingBefore: Bool) throws {
        let (before, closing) = Self.scenario()
        let asOf = t("2026-03-01T00:00:00Z")
        var reference = PatientProjections()
        for step in before + closing { try Self.apply(step, to: &reference, closing: false) }
        let expectedMetrics = reference.compact(cohortMetricsAsOf: asOf)

        var projection = PatientProjections()
        for step in before { try Self.apply(step, to: &projection, closing: false) }
        if restingBefore { projection.compact() }
        projection.beginClosing(metricsAsOf: asOf, keepingStates: true, patients: 10)
        for step in closing { try Self.apply(step, to: &projection, closing: true) }
        let metrics = projection.endClosing()

        #expect(expectedMetrics != nil)
        #expect(metrics == expectedMetrics)
        #expect(projection.patientCount == reference.patientCount)
        #expect(Set(projection.patients) == ["early-and-late", "only-early", "A", "B", "C-\(String(repeating: "long", count: 10))",
                                             "X", "Y", "Z", "met-beside-another", "erased", "erased-with-a-state"])
        #expect(projection.states == reference.states)
        #expect(projection.checkpoint() == reference.checkpoint())
        #expect(projection.state(of: "erased")?.history.checkinCount == 0, "the events before the erasure are forgotten")
        #expect(projection.state(of: "erased")?.exists == true)
    }

    /// A projection serving only the metrics (a replay's cutoff projection)
    /// measures every patient and keeps none it closed.
    @Test func withoutKeepingStatesTheMetricsAreTheCutoffProjections() throws {
        let (before, closing) = Self.scenario()
        let cutoff = t("2026-01-20T00:00:00Z")
        var reference = PatientProjections(cutoff: cutoff)
        for step in before + closing { try Self.apply(step, to: &reference, closing: false) }
        let expected = try #require(reference.cohortMetrics(asOf: cutoff))

        var projection = PatientProjections(cutoff: cutoff)
        for step in before { try Self.apply(step, to: &projection, closing: false) }
        projection.beginClosing(metricsAsOf: cutoff, keepingStates: false, patients: 0)
        for step in closing { try Self.apply(step, to: &projection, closing: true) }
        #expect(projection.endClosing() == expected)
        #expect(projection.patientCount == 1, "only the patient never met in the closing fold is still held")
    }

    /// Metrics as of a time before some patient's latest event are nil, as
    /// `compact(cohortMetricsAsOf:)` says, and the states are kept all the same.
    @Test func metricsBeforeALatestEventAreNil() throws {
        let (before, closing) = Self.scenario()
        var projection = PatientProjections()
        for step in before { try Self.apply(step, to: &projection, closing: false) }
        projection.beginClosing(metricsAsOf: t("2026-01-20T00:00:00Z"), keepingStates: true, patients: 10)
        for step in closing { try Self.apply(step, to: &projection, closing: true) }
        #expect(projection.endClosing() == nil)
        #expect(projection.patientCount == 11)
    }

    /// A history emptied by `removeAll()` equals a new one, and a state
    /// reused for another patient equals that patient's state folded afresh.
    @Test func removeAllForgetsEverything() throws {
        var position: UInt64 = 0
        let first = Self.events(of: "P1", days: 0, position: &position)
        let second = Self.events(of: "P2", days: 30, position: &position).prefix(12)
        var state = PatientState()
        for record in first { state.apply(record) }
        #expect(state != PatientState())
        state.removeAll()
        #expect(state == PatientState())
        #expect(state.history == PatientHistory())
        var fresh = PatientState()
        for record in second {
            state.apply(record)
            fresh.apply(record)
        }
        #expect(state == fresh)
        var a: [UInt8] = [], b: [UInt8] = []
        state.encode(into: &a)
        fresh.encode(into: &b)
        #expect(a == b)
    }
}
