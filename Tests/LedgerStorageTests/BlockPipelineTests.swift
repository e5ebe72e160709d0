#if canImport(Glibc)
import Glibc
#endif
import Testing
import LedgerTestSupport
@testable import LedgerStorage

/// The block pipeline (full blocks sealed and written on a worker thread)
/// as a user of `SegmentLog` sees it.
@Suite struct BlockPipelineTests {
    /// A log dropped without `close()` closes itself from `deinit`: every
    /// appended batch, blocks still in the pipeline included, is kept.
    @Test func aLogDroppedWithoutCloseKeepsEveryAppend() throws {
        let dir = TemporaryDirectory()
        let options = smallOptions(durability: .noSync(interval: .seconds(30)), segmentBytes: 1 << 30, blockBytes: 1024)
        var end: UInt64 = 0
        do {
            let log = try SegmentLog.open(at: dir.path, options: options)
            for _ in 0..<50 { end = try log.append(TestRecords.batch(from: end, count: 7)).upperBound }
        }
        let reopened = try SegmentLog.open(at: dir.path, options: options)
        #expect(reopened.endPosition == end)
        for p in 0..<end { #expect(TestRecords.isIntact(try reopened.read(at: p))) }
        try reopened.close()
    }

    /// Dropping a log right after an append that handed a block to the
    /// worker: the worker holds no reference to the log, so the log's
    /// `deinit` runs on the dropping thread and drains the worker (a worker
    /// running `deinit` itself would wait for its own job forever, keeping
    /// the directory locked).
    @Test func dropsRightAfterAHandOffNeitherHangNorLoseRecords() throws {
        let options = smallOptions(durability: .noSync(interval: .seconds(30)), segmentBytes: 1 << 30, blockBytes: 32 << 10)
        var batch = RecordBatch()
        for i in 0..<40 { batch.append(timestamp: Int64(i), payload: (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ i) }) }
        for _ in 0..<40 {
            let dir = TemporaryDirectory()
            var end: UInt64 = 0
            do {
                let log = try SegmentLog.open(at: dir.path, options: options)
                end = try log.append(batch).upperBound
            }
            let reopened = try SegmentLog.open(at: dir.path, options: options)  // throws .locked if the drop hung
            #expect(reopened.endPosition == end)
            try reopened.close()
        }
    }

    /// A writer that outruns its pipeline (every write slowed down) waits
    /// for builders rather than making more than the pipeline's depth of
    /// them, and loses nothing: a batch of many blocks, then another, read
    /// back intact.
    @Test func aWriterAheadOfItsPipelineWaitsWithinTheDepth() throws {
        let dir = TemporaryDirectory()
        let system = FaultInjectingSystemCalls { call, _, _ in
            if call == .pwrite { usleep(300) }
            return nil
        }
        let options = smallOptions(durability: .noSync(interval: .seconds(30)), segmentBytes: 1 << 30, blockBytes: 1024,
                                   systemCalls: system)
        let log = try SegmentLog.open(at: dir.path, options: options)
        var end: UInt64 = 0
        for _ in 0..<2 { end = try log.append(TestRecords.batch(from: end, count: 1500)).upperBound }
        let (made, depth) = try #require(log.writer.withLock { $0.map { ($0.pipeline.buildersMade, $0.pipeline.depth) } })
        #expect(depth == 32 && BlockPipeline.depth(blockBytes: 4 << 20) == 4 && BlockPipeline.depth(blockBytes: 64 << 10) == 16)
        #expect(made > 4 && made <= depth, "\(made) builders")
        try log.close()
        let reopened = try SegmentLog.open(at: dir.path, options: smallOptions(blockBytes: 1024))
        #expect(reopened.endPosition == end)
        for p in 0..<end { #expect(TestRecords.isIntact(try reopened.read(at: p))) }
        try reopened.close()
    }

    /// A write failing on the worker fails the writer at its next call,
    /// whatever that call is: an append that fits in the current block is
    /// not acknowledged.
    @Test func theCallAfterABackgroundFailureThrows() throws {
        let dir = TemporaryDirectory()
        // Writes #1-#3 create the log's files; every later one fails.
        let system = FaultInjectingSystemCalls { call, _, n in call == .pwrite && n >= 4 ? .fail(EIO) : nil }
        let options = smallOptions(durability: .noSync(interval: .seconds(30)), segmentBytes: 1 << 30, blockBytes: 1024, systemCalls: system)
        let log = try SegmentLog.open(at: dir.path, options: options)
        // Hands several blocks over; they fail in the background. When the
        // worker fails the first before the writer has handed the last
        // over, this append meets the failure itself (either is right).
        var position: UInt64 = 0
        var first: StorageError?
        do throws(StorageError) {
            position = try log.append(TestRecords.batch(from: 0, count: 40)).upperBound
        } catch {
            first = error
        }
        if first == nil {
            // Wait for the worker to have met the failure (it writes in the background).
            var waited = 0
            while log.writer.withLock({ $0?.pipeline.error }) == nil && waited < 5_000 {
                usleep(1_000)
                waited += 1
            }
            first = #expect(throws: StorageError.self) { position = try log.append(TestRecords.batch(from: position, count: 1)).upperBound }
        }
        #expect(first?.kind == .io && first?.errno == EIO)
        let second = #expect(throws: StorageError.self) { try log.append(TestRecords.batch(from: position, count: 1)) }
        #expect(second?.kind == .writerFailed && second?.errno == EIO)
        #expect(throws: StorageError.self) { try log.flush() }
        try? log.close()
        system.disarm()
        let reopened = try SegmentLog.open(at: dir.path, options: smallOptions(blockBytes: 1024))
        for p in 0..<reopened.endPosition { #expect(TestRecords.isIntact(try reopened.read(at: p))) }
        try reopened.close()
    }
}
