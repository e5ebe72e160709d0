import PatientLedger
import LedgerTestSupport
import Testing

@Suite struct VerifyCommandTests {
    @Test func cleanLedgerExitsZeroAndSaysWhatItChecked() throws {
        let ledger = try makeLedger(count: 4_000)
        let run = try runLedger("verify", ledger.path)
        #expect(run.status == 0)
        #expect(run.standardError == "")
        #expect(run.outputLines.first == "verified \(ledger.appending("log"))")
        for label in ["segments", "blocks", "records", "bytes", "index entries"] {
            #expect(run.outputLines.contains { $0.hasPrefix("  \(label) ") }, "\(label) in \(run.standardOutput)")
        }
        #expect(run.outputLines.contains { $0.hasPrefix("  records ") && $0.hasSuffix(" 4000") })
        #expect(run.outputLines.last == "no problems found")
    }

    @Test func flippedPayloadByteExitsOneWithFileAndOffset() throws {
        let ledger = try makeLedger(count: 4_000)  // several 32 KiB blocks
        let segment = firstSegment(of: ledger)
        // Segment header (64 bytes), first block's header (64 bytes), then its payload.
        flipBit(segment, at: 64 + 64 + 10)

        let run = try runLedger("verify", ledger.path)
        #expect(run.status == 1)
        #expect(run.errorLines.contains("\(segment):64: block payload checksum mismatch"), "\(run.standardError)")
        #expect(run.errorLines.allSatisfy { $0.contains(#/^\S+:\d+: /#) })
        #expect(run.outputLines.last?.hasSuffix("found, on standard error") == true)
    }

    @Test func tornTailIsANoteNotAProblem() throws {
        let ledger = try makeLedger(count: 100)
        let segment = firstSegment(of: ledger)
        let size = fileSize(segment)
        writeFile(segment, readFile(segment) + [UInt8](repeating: 0, count: 10))

        let run = try runLedger("verify", ledger.path)
        #expect(run.status == 0)
        #expect(run.errorLines.count == 1)
        #expect(run.errorLines.first?.hasPrefix("note: \(segment):\(size): torn tail") == true, "\(run.standardError)")
        #expect(run.standardOutput.contains("1 note (not damage)"))
        #expect(run.outputLines.last == "no problems found")
    }
}

extension VerifyCommandTests {
    /// Checksums can be sound while a record is not an event (a foreign
    /// writer, a bug): verify decodes every record too.
    @Test func aRecordThatIsNotAnEventIsReportedByPosition() throws {
        let ledger = try makeLedger(count: 10)
        let log = try SegmentLog.open(at: ledger.appending("log"))
        try log.append(timestamp: january1, payload: Array("not an event".utf8))
        try log.close()
        let run = try runLedger("verify", ledger.path)
        #expect(run.status == 1)
        #expect(run.standardError.contains("\(ledger.appending("log")): record 10: "), "\(run.standardError)")
        #expect(run.standardOutput.contains("events decoded"))
    }
}
