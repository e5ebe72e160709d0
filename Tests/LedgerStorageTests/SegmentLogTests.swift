import Testing
import LedgerTestSupport
@testable import LedgerStorage

@Suite struct SegmentLogTests {
    /// Appends `batches` batches of varying sizes; returns the end position.
    @discardableResult
    func fill(_ log: SegmentLog, batches: Int, sizes: [Int] = [1, 3, 17, 40, 2]) throws -> UInt64 {
        var position = log.endPosition
        for i in 0..<batches {
            let size = sizes[i % sizes.count]
            let range = try log.append(TestRecords.batch(from: position, count: size))
            #expect(range == position..<(position + UInt64(size)))
            position = range.upperBound
        }
        return position
    }

    @Test func roundTripsAcrossSegmentRollsAtEveryPosition() throws {
        let dir = TemporaryDirectory()
        let log = try SegmentLog.open(at: dir.path, options: smallOptions(segmentBytes: 6 << 10))
        let end = try fill(log, batches: 120)
        #expect(log.endPosition == end)
        #expect(log.durablePosition == end)
        let stats = try log.statistics()
        #expect(stats.segments > 3, "small segments must have rolled")
        for p in 0..<end {
            let record = try log.read(at: p)
            #expect(record.position == p)
            #expect(TestRecords.isIntact(record))
        }
        try log.close()

        let reopened = try SegmentLog.open(at: dir.path, options: smallOptions(segmentBytes: 6 << 10))
        #expect(reopened.recoveryReport.isClean)
        #expect(reopened.recoveryReport.bytesScanned == 0, "a clean close leaves nothing to scan")
        #expect(reopened.endPosition == end)
        let cursor = reopened.records(from: 0)
        var expected: UInt64 = 0
        while let record = try cursor.next() {
            #expect(record.position == expected)
            #expect(TestRecords.isIntact(record))
            expected += 1
        }
        #expect(expected == end)
        try reopened.close()
    }

    @Test func appendsAfterReopenContinueThePositions() throws {
        let dir = TemporaryDirectory()
        var log = try SegmentLog.open(at: dir.path, options: smallOptions())
        let first = try fill(log, batches: 10)
        try log.close()
        log = try SegmentLog.open(at: dir.path, options: smallOptions())
        let second = try fill(log, batches: 10)
        #expect(second > first)
        for p in 0..<second { #expect(TestRecords.isIntact(try log.read(at: p))) }
        try log.close()
        #expect(try SegmentLog.verify(at: dir.path).isClean)
    }

    @Test func scanVisitsEveryRecordInOrderWithoutCopying() throws {
        let dir = TemporaryDirectory()
        let log = try SegmentLog.open(at: dir.path, options: smallOptions(durability: .noSync()))
        let end = try fill(log, batches: 60)
        try log.flush()
        var next: UInt64 = 5
        let stop = try log.scan(from: 5, to: end - 3) { view in
            #expect(view.position == next)
            #expect(Array(view.payload) == TestRecords.payload(view.position))
            next += 1
            return true
        }
        #expect(stop == end - 3)
        #expect(next == end - 3)
        // Early stop.
        var seen = 0
        _ = try log.scan(from: 0) { _ in seen += 1; return seen < 10 }
        #expect(seen == 10)
        try log.close()
    }

    @Test func readsFromATimestampStartAtTheEarliestRecordAtOrAfterIt() throws {
        let dir = TemporaryDirectory()
        let log = try SegmentLog.open(at: dir.path, options: smallOptions(durability: .noSync()))
        let end = try fill(log, batches: 80)
        try log.flush()
        let all = (0..<end).map { TestRecords.timestamp($0) }
        for probe in stride(from: all.min()! - 5, through: all.max()! + 5, by: 7919) {
            let expected = all.firstIndex { $0 >= probe }.map(UInt64.init) ?? end
            #expect(try log.position(ofFirstTimestampAtLeast: probe) == expected)
        }
        let cursor = try log.records(fromTimestamp: all[100])
        #expect(try cursor.next()?.position == UInt64(all.firstIndex { $0 >= all[100] }!))
        try log.close()
    }

    @Test func largeRecordsAndEmptyPayloadsRoundTrip() throws {
        let dir = TemporaryDirectory()
        let log = try SegmentLog.open(at: dir.path, options: smallOptions())
        var batch = RecordBatch()
        batch.append(timestamp: -62_135_596_800_000, payload: [UInt8]())  // year 1
        batch.append(timestamp: Int64.max, payload: [UInt8](repeating: 7, count: 300_000))
        batch.append(timestamp: Int64.min, payload: Array("x".utf8))
        try log.append(batch)
        try log.close()
        let reopened = try SegmentLog.open(at: dir.path, options: smallOptions())
        #expect(try reopened.read(at: 0) == LogRecord(position: 0, timestamp: -62_135_596_800_000, payload: []))
        #expect(try reopened.read(at: 1).payload.count == 300_000)
        #expect(try reopened.read(at: 2).timestamp == Int64.min)
        try reopened.close()
    }

    @Test func invalidAppendsAreRefusedWithoutHarm() throws {
        let dir = TemporaryDirectory()
        let log = try SegmentLog.open(at: dir.path, options: smallOptions())
        #expect(throws: StorageError.self) { try log.append(RecordBatch()) }
        var huge = RecordBatch()
        huge.append(timestamp: 0, payload: [UInt8](repeating: 0, count: (64 << 20) + 1))
        let error = #expect(throws: StorageError.self) { try log.append(huge) }
        #expect(error?.kind == .invalidArgument)
        try fill(log, batches: 3)
        #expect(throws: StorageError.self) { try log.read(at: log.endPosition) }
        try log.close()
        #expect(throws: StorageError.self) { try log.append(TestRecords.batch(from: 0, count: 1)) }
    }

    @Test func groupCommitMakesAppendsDurableWithinTheInterval() async throws {
        let dir = TemporaryDirectory()
        let log = try SegmentLog.open(at: dir.path, options: smallOptions(durability: .groupCommit(interval: .milliseconds(5), maxBytes: 1 << 20)))
        let end = try fill(log, batches: 5)
        #expect(await log.waitUntilDurable(end))
        #expect(log.durablePosition >= end)
        #expect(log.endPosition == end)
        try log.close()
    }

    /// With an interval far away, `maxBytes` alone drives the syncs: reaching
    /// it starts one at once (the append does not wait for it), and an append
    /// that finds twice `maxBytes` unsynced syncs before it returns.
    @Test func groupCommitSyncsOnceMaxBytesArePending() async throws {
        let dir = TemporaryDirectory()
        let maxBytes = 4096
        let log = try SegmentLog.open(at: dir.path, options: smallOptions(durability: .groupCommit(interval: .seconds(600), maxBytes: maxBytes)))
        var position: UInt64 = 0
        var bytes = 0
        while bytes < maxBytes {
            let batch = TestRecords.batch(from: position, count: 1)
            bytes += batch.payloadBytes
            try log.append(batch)
            position += 1
        }
        // Started at once, not after 600 s.
        #expect(await log.waitUntilDurable(position))
        // One append of more than twice maxBytes: durable on return.
        var big = RecordBatch()
        var p = position
        while big.payloadBytes < 2 * maxBytes + 1 {
            let one = TestRecords.batch(from: p, count: 1)
            big.append(contentsOf: one)
            p += 1
        }
        let range = try log.append(big)
        #expect(log.durablePosition >= range.upperBound)
        try log.close()
    }

    @Test func noSyncCommitsBufferedBatchesAfterTheInterval() async throws {
        let dir = TemporaryDirectory()
        let log = try SegmentLog.open(at: dir.path, options: smallOptions(durability: .noSync(interval: .milliseconds(5)), blockBytes: 1 << 20))
        try log.append(TestRecords.batch(from: 0, count: 3))
        var waited = 0
        while log.endPosition < 3 && waited < 2000 {
            try await Task.sleep(for: .milliseconds(5))
            waited += 5
        }
        #expect(log.endPosition == 3)
        try log.close()
    }

    @Test func statisticsCountRecordsBytesAndTimes() throws {
        let dir = TemporaryDirectory()
        let log = try SegmentLog.open(at: dir.path, options: smallOptions(segmentBytes: 1 << 30, blockBytes: 32 << 10))
        let end = try fill(log, batches: 200)
        try log.flush()
        let stats = try log.statistics()
        #expect(stats.records == end)
        #expect(stats.segments == 1)
        #expect(stats.rawBytes > stats.storedBytes, "JSON-like payloads compress")
        #expect((stats.compressionRatio ?? 0) > 1.5)
        #expect(stats.firstTimestamp == (0..<end).map(TestRecords.timestamp).min())
        #expect(stats.lastTimestamp == (0..<end).map(TestRecords.timestamp).max())
        #expect(stats.bytesOnDisk >= stats.storedBytes + 64)
        try log.close()
    }
}

/// `read(positions:)`: a block read once per run of positions inside it.
@Suite struct BatchReadTests {
    @Test func readingManyPositionsEqualsReadingEachAndStopsAtTheEnd() throws {
        let dir = TemporaryDirectory()
        let log = try SegmentLog.open(at: dir.path, options: smallOptions(segmentBytes: 8 << 10, blockBytes: 512))
        for i in 0..<60 { try log.append(TestRecords.batch(from: UInt64(i * 10), count: 10)) }
        #expect(try log.statistics().segments > 2)
        var generator = SplitMix64(seed: 5)
        let runs: [[UInt64]] = [
            Array(0..<600),
            [599, 0, 300, 301, 302, 17, 17],
            (0..<200).map { _ in generator.next() % 600 },
            [],
        ]
        for positions in runs {
            var got: [LogRecord] = []
            try log.read(positions: positions) { got.append($0.copy()) }
            #expect(got == (try positions.map { p throws(StorageError) in try log.read(at: p) }))
        }
        #expect(throws: StorageError.self) { try log.read(positions: [3, 600]) { _ in } }
        try log.close()
    }
}
