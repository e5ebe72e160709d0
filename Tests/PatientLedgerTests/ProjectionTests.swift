#if canImport(Glibc)
import Glibc
#endif
import Testing
import LedgerTestSupport
import LedgerEvents
import LedgerProjections
import LedgerSimulation
@testable import PatientLedger

@Suite struct LedgerProjectionTests {
    /// P1: visit day 1, check-in day 5. P2: visits days 2 and 20, then erased
    /// by a record timed day 10 (its day-20 visit is hidden). P3: visit day 8.
    func makeLedger(_ dir: TemporaryDirectory) throws -> Ledger {
        let ledger = try Ledger.open(at: dir.path, options: LedgerOptions(durability: .everyAppend))
        try ledger.append([Events.visit("P1", day: 1), Events.visit("P2", day: 2), Events.checkin("P1", day: 5),
                           Events.visit("P2", day: 20), Events.erase("P2", day: 10), Events.visit("P3", day: 8)])
        return ledger
    }

    @Test func defaultAsOfIsTheLatestVisibleTimeEraseRecordsIncluded() throws {
        let dir = TemporaryDirectory()
        var ledger = try Ledger.open(at: dir.path)
        #expect(ledger.defaultAsOf == nil, "empty ledger")
        try ledger.close()
        ledger = try makeLedger(dir)
        // The erased day-20 visit does not count; P2's erase record (day 10) does.
        #expect(ledger.defaultAsOf == Events.time(10))
        try ledger.close()
        // Through the snapshot, and rebuilt from the log without it.
        ledger = try Ledger.open(at: dir.path)
        #expect(ledger.openReport.recordsCaughtUp == 0)
        #expect(ledger.defaultAsOf == Events.time(10))
        try ledger.close()
        #expect(unlink(dir.appending("index/streams")) == 0)
        ledger = try Ledger.open(at: dir.path)
        #expect(ledger.openReport.recordsCaughtUp == 6)
        #expect(ledger.defaultAsOf == Events.time(10))
        try ledger.close()
    }

    @Test func snapshotRoundTripsTheLatestTimeAndRebuildAgrees() throws {
        let dir = TemporaryDirectory()
        let ledger = try makeLedger(dir)
        let index = ledger.state.withLock { $0.index }
        try ledger.close()
        let bytes = IndexSnapshot.encode(index, logID: ledger.log.logID)
        guard case .success(let decoded) = IndexSnapshot.decode(bytes, logID: ledger.log.logID, path: "x") else {
            Issue.record("snapshot does not decode")
            return
        }
        #expect(decoded.patients.sorted() == index.patients.sorted())
        for patient in index.patients {
            #expect(decoded.positions(of: patient) == index.positions(of: patient))
            #expect(decoded.stream(of: patient)?.lastErase == index.stream(of: patient)?.lastErase)
            #expect(decoded.stream(of: patient)?.latestVisibleTime == index.stream(of: patient)?.latestVisibleTime)
        }
        #expect(decoded.stream(of: "P2")?.latestVisibleTime == Events.time(10).millisecondsSince1970)
    }

    @Test func replayCountsEventsPatientsAndErasedPatients() throws {
        let dir = TemporaryDirectory()
        let ledger = try makeLedger(dir)
        let summary = try ledger.replay()
        #expect(summary.asOf == Events.time(10))
        #expect(summary.events == 6, "erased events and erase records are stored records")
        #expect(summary.patients == 2, "P1 and P3; P2 is erased")
        #expect(summary.erasedPatients == 1)
        #expect(summary.metrics.patients == 2)
        #expect(summary.metrics.asOf == Events.time(10))
        let early = try ledger.replay(asOf: Events.time(3))
        #expect(early.patients == 1, "only P1 exists by day 3")
        #expect(early.erasedPatients == 1, "whatever T")
        #expect(early.events == 6)
        try ledger.close()
    }

    @Test func projectionOfAnErasedOrUnknownPatientIsNotFound() throws {
        let dir = TemporaryDirectory()
        let ledger = try makeLedger(dir)
        for patient in ["P2", "nobody"] {
            let error = #expect(throws: LedgerError.self) { try ledger.projection(of: patient) }
            #expect(error?.kind == .notFound)
            #expect(error?.message == "no such patient: \(patient)")
            #expect(error?.path == nil)
        }
        try ledger.close()
    }

    @Test func projectionAtAnEarlierTime() throws {
        let dir = TemporaryDirectory()
        let ledger = try makeLedger(dir)
        let now = try ledger.projection(of: "P1")
        #expect(now.asOf == Events.time(10))
        #expect(now.profile.visits.count == 1)
        #expect(now.profile.checkins.count == 1)
        let early = try ledger.projection(of: "P1", asOf: Events.time(3))
        #expect(early.asOf == Events.time(3))
        #expect(early.profile.visits.count == 1)
        #expect(early.profile.checkins.count == 0)
        // P3's first event is on day 8: it does not exist yet on day 3.
        #expect(throws: LedgerError.self) { try ledger.projection(of: "P3", asOf: Events.time(3)) }
        #expect(try ledger.projection(of: "P3").exists)
        try ledger.close()
    }
}

/// Replay (one pass over the log) agrees with per-patient projections read
/// through the index, on a generated cohort, at the default T and earlier.
@Suite struct ReplayAgreesWithIndexReadsTests {
    @Test func replayMetricsEqualMetricsOfIndexedProjections() throws {
        var lines: [UInt8] = []
        CohortGenerator(patients: 300, days: 365, seed: 7).generate { event in
            EventJSON.append(event, to: &lines)
            lines.append(UInt8(ascii: "\n"))
        }
        let dir = TemporaryDirectory()
        let ledger = try Ledger.open(at: dir.path)
        _ = try ledger.importJSONLines([.bytes(name: "cohort", lines)])
        let asOf = try #require(ledger.defaultAsOf)
        for t in [asOf, EventTime(millisecondsSince1970: asOf.millisecondsSince1970 - 120 * 86_400_000)] {
            let summary = try ledger.replay(asOf: t)
            var expected = CohortMetrics(asOf: t)
            for patient in ledger.patientIDs {
                if let p = try? ledger.projection(of: patient, asOf: t) { expected.add(p) }
            }
            #expect(summary.metrics == expected)
            #expect(summary.patients == expected.patients)
            #expect(summary.erasedPatients == ledger.erasedPatientCount)
            #expect(summary.events == ledger.endPosition)
        }
        #expect(try ledger.replay().patients == ledger.patientCount, "at the default T every visible patient exists")
        try ledger.close()
    }
}
