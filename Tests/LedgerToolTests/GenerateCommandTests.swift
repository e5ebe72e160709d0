import LedgerTestSupport
import Testing

@Suite struct GenerateCommandTests {
    @Test func outputIsDeterministicValidAndTheSummaryGoesToStandardError() throws {
        let work = TemporaryDirectory("generate")
        let toFile = try runLedger("generate", "--patients", "40", "--days", "120", "--seed", "9", "--out", work.appending("a.jsonl"))
        #expect(toFile.status == 0)
        #expect(toFile.standardOutput == "")
        #expect(toFile.standardError.hasPrefix("generated "), "\(toFile.standardError)")
        let toStdout = try runLedger("generate", "--patients", "40", "--days", "120", "--seed", "9")
        #expect(Array(toStdout.standardOutput.utf8) == readFile(work.appending("a.jsonl")), "same seed, same bytes")
        let other = try runLedger("generate", "--patients", "40", "--days", "120", "--seed", "10")
        #expect(other.standardOutput != toStdout.standardOutput)
        // Valid by construction: imports with zero errors.
        let imported = try runLedger("import", work.appending("l"), work.appending("a.jsonl"))
        #expect(imported.status == 0)
        #expect(imported.standardError == "")
    }

    @Test func badArgumentsAndUnwritableOutputsFailWithTheRightStatus() throws {
        #expect(try runLedger("generate", "--patients", "0").status == 64)
        #expect(try runLedger("generate").status == 64)
        let run = try runLedger("generate", "--patients", "2", "--out", "/nonexistent-dir/x.jsonl")
        #expect(run.status == 73)
        #expect(run.standardError.contains("/nonexistent-dir/x.jsonl"))
    }
}
