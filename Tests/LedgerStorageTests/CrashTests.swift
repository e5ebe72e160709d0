#if canImport(Glibc)
import Glibc
#endif
import Testing
import LedgerTestSupport
@testable import LedgerStorage

/// A real writer process killed with SIGKILL at random moments.
@Suite struct CrashTests {
    func readAcknowledged(_ path: String) -> UInt64 {
        let bytes = readFile(path)
        guard bytes.count == 8 else { return 0 }
        return bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
    }

    @Test func killedWriterLosesNoAcknowledgedBatchAndShowsNoPartialOne() throws {
        let writer = buildProductsDirectory() + "/CrashWriter"
        #expect(fileExists(writer), "CrashWriter is built with the tests")
        let dir = TemporaryDirectory()
        let logPath = dir.appending("log")
        let ackPath = dir.appending("ack")
        var generator = SplitMix64(seed: UInt64(time(nil)))
        var previousEnd: UInt64 = 0
        for trial in 0..<24 {
            let mode = trial % 2 == 0 ? "sync" : "group"
            writeFile(ackPath, [])
            let child = ChildProcess(writer, [logPath, ackPath, mode])
            // Let it recover and start, then kill it at a random moment.
            var waited = 0
            while readAcknowledged(ackPath) <= previousEnd && fileSize(ackPath) != 8 && waited < 10_000 {
                usleep(1000)
                waited += 1
            }
            usleep(UInt32.random(in: 1_000...60_000, using: &generator))
            child.kill()
            let acknowledged = readAcknowledged(ackPath)

            // What any reader sees now, before anyone recovers the tail.
            let reader = try SegmentLog.open(at: logPath, options: .readOnly)
            #expect(reader.endPosition >= acknowledged, "trial \(trial): acknowledged \(acknowledged), found \(reader.endPosition)")
            #expect(CrashWorkload.isBatchBoundary(reader.endPosition), "trial \(trial): \(reader.endPosition) is inside a batch")
            var count: UInt64 = 0
            try reader.scan(from: 0) { view in
                #expect(view.position == count)
                #expect(Array(view.payload) == TestRecords.payload(view.position) && view.timestamp == TestRecords.timestamp(view.position))
                count += 1
                return true
            }
            #expect(count == reader.endPosition)
            let verification = try SegmentLog.verify(at: logPath)
            #expect(verification.problems.isEmpty, "trial \(trial) (\(mode)): \(verification.problems)")
            previousEnd = reader.endPosition
        }
        // The last crash is recovered by a writer in this process.
        let log = try SegmentLog.open(at: logPath, options: CrashWorkload.options("sync"))
        #expect(log.endPosition >= previousEnd)
        #expect(CrashWorkload.isBatchBoundary(log.endPosition))
        try log.close()
        #expect(try SegmentLog.verify(at: logPath).isClean)
        #expect(previousEnd > 1000, "the children made progress")
    }
}
