import Testing
import LedgerTestSupport
import LedgerSimulation
@testable import PatientLedger

/// The laws of the event layer over a realistic generated cohort.
@Suite struct GeneratedCohortTests {
    func cohortLines(patients: Int, days: Int, seed: UInt64) -> [UInt8] {
        var bytes: [UInt8] = []
        CohortGenerator(patients: patients, days: days, seed: seed).generate { event in
            EventJSON.append(event, to: &bytes)
            bytes.append(UInt8(ascii: "\n"))
        }
        return bytes
    }

    @Test func everyGeneratedEventIsValidAndSurvivesJSONAndBinaryRoundTrips() throws {
        var count = 0
        try CohortGenerator(patients: 400, days: 365, seed: 11).generate { event in
            try event.validate()
            let line = EventJSON.encode(event)
            #expect(try EventJSON.decode(line).get() == event.normalized())
            let bytes = EventCodec.encode(event)
            #expect(try EventCodec.decode(bytes, time: event.time) == event)
            count += 1
        }
        #expect(count > 10_000)
    }

    /// `dump(import(dump(import(x)))) == dump(import(x))`, byte for byte, and
    /// re-importing the same cohort stores nothing (every event has an id).
    @Test func dumpOfAnImportedDumpIsIdenticalAndReimportsAreDuplicates() throws {
        let lines = cohortLines(patients: 300, days: 365, seed: 5)
        let first = TemporaryDirectory()
        var ledger = try Ledger.open(at: first.path)
        let report = try ledger.importJSONLines([.bytes(name: "cohort", lines)])
        #expect(report.invalidLines == 0)
        #expect(report.duplicates > 0, "the generator resends some events, as an upstream would")
        var withoutID = 0
        CohortGenerator(patients: 300, days: 365, seed: 5).generate { if $0.id == nil { withoutID += 1 } }
        let again = try ledger.importJSONLines([.bytes(name: "cohort", lines)])
        #expect(again.imported == withoutID, "only the events without an id are stored again")
        #expect(again.duplicates == report.imported + report.duplicates - withoutID)
        try ledger.close()

        ledger = try Ledger.open(at: first.path, options: .readOnly)
        let dump1 = dump(ledger)
        let second = TemporaryDirectory()
        let copy = try Ledger.open(at: second.path)
        #expect(try copy.importJSONLines([.bytes(name: "dump", dump1)]).invalidLines == 0)
        try copy.close()
        let dump2 = dump(try Ledger.open(at: second.path, options: .readOnly))
        #expect(dump1 == dump2)
        #expect(dump1.count > 100_000)
    }

    /// Decoding on several threads changes nothing: the same report (line
    /// numbers and messages of the invalid lines, in order), the same
    /// stored bytes, with invalid lines on both sides of the decode blocks'
    /// and the threads' boundaries; and all-or-nothing still holds.
    @Test func importsDecodedOnSeveralThreadsEqualOneThread() throws {
        let valid = cohortLines(patients: 420, days: 365, seed: 8)
        var lines = valid.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
        if lines.last?.isEmpty == true { lines.removeLast() }
        let batchSize = 4096
        #expect(lines.count > 3 * batchSize, "several decode blocks")
        var broken = lines
        for k in [0, 1, 2047, 2048, 2049, 4095, 4096, 4097, 12_000, broken.count - 1] {
            broken[k] = Array(#"{"type":"visit","patient":"P 1","time":"2026-01-01T00:00:00Z"}"#.utf8)
        }
        func join(_ lines: [[UInt8]]) -> [UInt8] { Array(lines.joined(separator: [UInt8(ascii: "\n")])) + [UInt8(ascii: "\n")] }
        var reports: [ImportReport] = []
        var dumps: [[UInt8]] = []
        for threads in [1, 2, 3] {
            var options = ImportOptions()
            options.decodeThreads = threads
            options.batchSize = batchSize
            let dir = TemporaryDirectory()
            let ledger = try Ledger.open(at: dir.path)
            let refused = try ledger.importJSONLines([.bytes(name: "in", join(broken))], options: options)
            #expect(refused.imported == 0 && ledger.endPosition == 0, "all-or-nothing")
            options.skipInvalid = true
            reports.append(try ledger.importJSONLines([.bytes(name: "in", join(broken))], options: options))
            #expect(reports.last!.invalidLines == 10)
            #expect(reports.last!.problems.map(\.line) == [1, 2, 2048, 2049, 2050, 4096, 4097, 4098, 12_001, broken.count])
            dumps.append(dump(ledger))
        }
        #expect(reports[1] == reports[0] && reports[2] == reports[0])
        #expect(dumps[1] == dumps[0] && dumps[2] == dumps[0])
    }

    func dump(_ ledger: Ledger) -> [UInt8] {
        var bytes: [UInt8] = []
        let cursor = ledger.events(from: 0)
        while let stored = try? cursor.next() {
            EventJSON.append(stored.event, to: &bytes)
            bytes.append(UInt8(ascii: "\n"))
        }
        return bytes
    }
}
