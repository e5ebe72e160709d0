#if canImport(Glibc)
import Glibc
#endif
import Testing
import LedgerTestSupport
@testable import LedgerStorage

/// `Fixtures/golden-v1/log` was written by format version 1 of this library.
/// It must read back, record for record, forever after: a change that breaks
/// this test breaks every clinic's existing ledger.
///
/// To regenerate it (only when deliberately introducing a format version,
/// never to make this test pass):
/// `PATIENTLEDGER_WRITE_FIXTURES=1 swift test --filter GoldenFixtureTests`.
@Suite struct GoldenFixtureTests {
    static var fixture: String {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/Fixtures/golden-v1/log"
    }

    /// The fixture's content: position-named JSON-like records, a run of
    /// incompressible bytes (stored raw), an empty record, extreme timestamps.
    static func expected() -> [(timestamp: Int64, payload: [UInt8])] {
        var records: [(Int64, [UInt8])] = []
        for p in 0..<300 { records.append((TestRecords.timestamp(UInt64(p)), TestRecords.payload(UInt64(p)))) }
        var generator = SplitMix64(seed: 42)
        for i in 0..<5 {
            records.append((1_767_225_600_000 - Int64(i), (0..<700).map { _ in UInt8.random(in: 0...255, using: &generator) }))
        }
        records.append((0, []))
        records.append((Int64.min, Array("min".utf8)))
        records.append((Int64.max, Array("max".utf8)))
        return records
    }

    /// The batches the fixture was appended in (sizes), in order.
    static let batchSizes = [1, 120, 60, 119, 5, 3]

    static func options() -> LogOptions {
        var options = LogOptions(durability: .everyAppend)
        options.segmentBytes = 3 << 10
        options.blockBytes = 2 << 10
        return options
    }

    @Test func writeFixtureWhenAsked() throws {
        guard getenv("PATIENTLEDGER_WRITE_FIXTURES") != nil else { return }
        removeTree(Self.fixture)
        mkdir(String(Self.fixture.dropLast(4)), 0o755)
        let log = try SegmentLog.open(at: Self.fixture, options: Self.options())
        let records = Self.expected()
        var start = 0
        for size in Self.batchSizes {
            var batch = RecordBatch()
            for record in records[start..<(start + size)] { batch.append(timestamp: record.timestamp, payload: record.payload) }
            try log.append(batch)
            start += size
        }
        try log.close()
        removeTree(Self.fixture + "/LOCK")
    }

    @Test func goldenLedgerReadsBackExactly() throws {
        let expected = Self.expected()
        let log = try SegmentLog.open(at: Self.fixture, options: .readOnly)
        #expect(log.recoveryReport.isClean)
        #expect(log.endPosition == UInt64(expected.count))
        for (p, record) in expected.enumerated() {
            let read = try log.read(at: UInt64(p))
            #expect(read.timestamp == record.timestamp && read.payload == record.payload, "position \(p)")
        }
        let stats = try log.statistics()
        #expect(stats.segments >= 3)
        #expect(stats.firstTimestamp == Int64.min && stats.lastTimestamp == Int64.max)
        let report = try SegmentLog.verify(at: Self.fixture)
        #expect(report.isClean && report.notes.isEmpty, "\(report.problems) \(report.notes)")
        #expect(report.records == UInt64(expected.count))
    }

    @Test func goldenLedgerAcceptsAppendsFromThisVersion() throws {
        let work = TemporaryDirectory()
        copyDirectory(Self.fixture, to: work.appending("log"))
        let log = try SegmentLog.open(at: work.appending("log"), options: Self.options())
        #expect(log.recoveryReport.isClean)
        let end = log.endPosition
        try log.append(timestamp: 5, payload: Array("after".utf8))
        try log.close()
        let reopened = try SegmentLog.open(at: work.appending("log"), options: .readOnly)
        #expect(try reopened.read(at: end).payload == Array("after".utf8))
        #expect(try reopened.read(at: 0).payload == Self.expected()[0].payload)
    }
}
