#if canImport(Glibc)
import Glibc
#endif
import LedgerTestSupport
import PatientLedger
import Testing

@Suite struct ImportDumpCommandTests {
    /// `count` valid event lines with ids, several types, times out of order.
    func eventLines(_ count: Int, idPrefix: String = "e") -> [UInt8] {
        var bytes: [UInt8] = []
        for i in 0..<count {
            let time = EventTime(millisecondsSince1970: january1 + Int64((i * 7919) % count) * 60_000)
            let body: EventBody = switch i % 4 {
            case 0: .visit(Visit(kind: .outpatient, department: "cardiology", diagnoses: ["I10"]))
            case 1: .checkin(Checkin(values: .bp(systolic: 120 + Double(i % 40), diastolic: 80)))
            case 2: .dispense(Dispense(medication: "atorvastatin 20mg", therapeuticClass: "statin", daysSupply: 30))
            default: .message(Message(message: "m-\(i)", direction: .outbound, channel: .sms, purpose: .reminder))
            }
            EventJSON.append(PatientEvent(patient: "P\(i % 500)", time: time, id: "\(idPrefix)-\(i)", body: body), to: &bytes)
            bytes.append(UInt8(ascii: "\n"))
        }
        return bytes
    }

    @Test func dumpOfAnImportedDumpIsByteIdentical() throws {
        let work = TemporaryDirectory("import-dump")
        writeFile(work.appending("in.jsonl"), eventLines(3_000))
        #expect(try runLedger("import", work.appending("a"), work.appending("in.jsonl")).outputLines == ["imported 3000 events (0 duplicates skipped)"])
        let first = try runLedger("dump", work.appending("a"))
        #expect(first.status == 0)
        #expect(first.outputLines.count == 3_000)
        writeFile(work.appending("dump.jsonl"), Array(first.standardOutput.utf8))
        #expect(try runLedger("import", work.appending("b"), work.appending("dump.jsonl")).status == 0)
        let second = try runLedger("dump", work.appending("b"))
        #expect(second.standardOutput == first.standardOutput)
        // --patient, --from and --limit.
        let one = try runLedger("dump", work.appending("a"), "--patient", "P7", "--limit", "2")
        #expect(one.outputLines.count == 2 && one.outputLines.allSatisfy { $0.contains(#""patient":"P7""#) })
        let tail = try runLedger("dump", work.appending("a"), "--from", "2990")
        #expect(tail.outputLines == Array(first.outputLines.suffix(10)))
    }

    @Test func anInvalidLineAnywhereImportsNothingUnlessSkipped() throws {
        let work = TemporaryDirectory("import-invalid")
        writeFile(work.appending("good.jsonl"), eventLines(50))
        var bad = eventLines(5, idPrefix: "b")
        bad += Array(#"{"type":"visit","patient":"P1","time":"2026-01-01T00:00:00Z","kind":"outpatient","extra":1}"#.utf8) + [10]
        bad += Array("\n".utf8)
        writeFile(work.appending("bad.jsonl"), bad)
        let refused = try runLedger("import", work.appending("l"), work.appending("good.jsonl"), work.appending("bad.jsonl"))
        #expect(refused.status == 65)
        #expect(refused.errorLines.contains("\(work.appending("bad.jsonl")):6: unknown key \"extra\""))
        #expect(refused.errorLines.contains("\(work.appending("bad.jsonl")):7: empty line"))
        #expect(try runLedger("dump", work.appending("l")).standardOutput == "", "nothing was appended")
        let skipped = try runLedger("import", work.appending("l"), work.appending("good.jsonl"), work.appending("bad.jsonl"), "--skip-invalid")
        #expect(skipped.status == 0)
        #expect(skipped.outputLines == ["imported 55 events (0 duplicates skipped)"])
        #expect(skipped.errorLines.count == 2)
        let missing = try runLedger("import", work.appending("l"), work.appending("nope.jsonl"))
        #expect(missing.status == 74)
        #expect(missing.standardError.contains("\(work.appending("nope.jsonl")): no such file"))
    }

    @Test func moreThanAHundredInvalidLinesAreCounted() throws {
        let work = TemporaryDirectory("import-many")
        writeFile(work.appending("bad.jsonl"), Array(String(repeating: "{}\n", count: 150).utf8))
        let run = try runLedger("import", work.appending("l"), work.appending("bad.jsonl"))
        #expect(run.status == 65)
        #expect(run.errorLines.filter { $0.hasPrefix(work.appending("bad.jsonl") + ":") }.count == 100)
        #expect(run.errorLines.contains("... and 50 more invalid lines"))
    }

    /// A real `ledger import` killed with SIGKILL mid-way leaves whole
    /// batches; running the same import again completes it without
    /// duplicates.
    @Test func anImportKilledMidwayCompletesWhenRunAgain() throws {
        let work = TemporaryDirectory("import-kill")
        let total = 120_000
        writeFile(work.appending("in.jsonl"), eventLines(total))
        let ledger = work.appending("l")
        let child = ChildProcess(try ledgerExecutable(), ["import", ledger, work.appending("in.jsonl")])
        // Kill it once at least one whole batch (2,000 events, about 60 KB
        // compressed) is in the log and before the last one.
        var waited = 0
        while waited < 60_000 {
            let segment = ledger + "/log/00000000000000000000.seg"
            if fileSize(segment) > 900_000 { break }
            usleep(2_000)
            waited += 2
        }
        child.kill()
        let again = try runLedger("import", ledger, work.appending("in.jsonl"))
        #expect(again.status == 0)
        let numbers = again.outputLines.first?.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .init(charactersIn: "()"))) } ?? []
        #expect(numbers.count == 2 && numbers[0] + numbers[1] == total, "\(again.outputLines)")
        #expect(numbers.count == 2 && numbers[1] > 0 && numbers[1] % ImportOptions().batchSize == 0, "whole batches survived: \(again.outputLines)")
        let dump = try runLedger("dump", ledger)
        #expect(dump.outputLines.count == total)
        let ids = Set(dump.outputLines.map { line in line.split(separator: ",").first { $0.hasPrefix(#""id":"#) } ?? "" })
        #expect(ids.count == total, "every id exactly once")
        #expect(try runLedger("verify", ledger).status == 0)
    }
}

extension ImportDumpCommandTests {
    /// A ledger held by another writer (this test process) is refused with
    /// exit 75; read-only commands still work beside it.
    @Test func aLockedLedgerExits75AndReadersStillWork() throws {
        let work = TemporaryDirectory("import-locked")
        writeFile(work.appending("in.jsonl"), eventLines(5))
        let holder = try Ledger.open(at: work.appending("l"))
        try holder.append(PatientEvent(patient: "P1", time: EventTime(millisecondsSince1970: january1), body: .visit(Visit(kind: .checkup))))
        try holder.flush()
        let run = try runLedger("import", work.appending("l"), work.appending("in.jsonl"))
        #expect(run.status == 75)
        #expect(run.standardError.contains("locked by another writer"), "\(run.standardError)")
        #expect(try runLedger("dump", work.appending("l")).outputLines.count == 1)
        #expect(try runLedger("stats", work.appending("l")).status == 0)
        try holder.close()
        #expect(try runLedger("import", work.appending("l"), work.appending("in.jsonl")).status == 0)
    }
}
