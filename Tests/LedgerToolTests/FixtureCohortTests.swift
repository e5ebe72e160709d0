import Foundation
import LedgerTestSupport
import Testing

/// The hand-checked cohort of `Fixtures/cohort-small` (its README explains
/// every expected figure) through the built `ledger`: import, then replay and
/// patient outputs byte for byte.
@Suite struct FixtureCohortTests {
    static var fixture: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Fixtures/cohort-small").standardized.path
    }

    func expected(_ name: String) -> String {
        String(decoding: readFile(Self.fixture + "/" + name), as: UTF8.self)
    }

    @Test func replayAndPatientOutputsMatchTheHandCheckedFiles() throws {
        let work = TemporaryDirectory("fixture-cohort")
        let ledger = work.appending("ledger")
        #expect(try runLedger("import", ledger, Self.fixture + "/events.jsonl").outputLines == ["imported 21 events (0 duplicates skipped)"])

        let replay = try runLedger("replay", ledger, "--json")
        #expect(replay.status == 0)
        // The run time varies; everything else is exact.
        let normalized = replay.standardOutput.replacingOccurrences(
            of: #""seconds":[^,]*,"eventsPerSecond":[^,]*,"#, with: #""seconds":0,"eventsPerSecond":0,"#,
            options: .regularExpression)
        #expect(normalized == expected("expected-replay.json"))

        for patient in ["P101", "P102", "P103", "P104", "P105"] {
            let run = try runLedger("patient", ledger, patient, "--json")
            #expect(run.status == 0)
            #expect(run.standardOutput == expected("expected-patient-\(patient).json"), "\(patient)")
        }
        // P106 was erased.
        let erased = try runLedger("patient", ledger, "P106", "--json")
        #expect(erased.status == 65)
        #expect(erased.standardError.contains("no such patient: P106"))
    }
}
