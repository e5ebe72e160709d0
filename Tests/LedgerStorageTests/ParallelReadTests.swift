import Testing
import Dispatch
import Synchronization
import LedgerTestSupport
@testable import LedgerStorage

/// `read(positions:)` over many blocks reads on two threads: the records,
/// their order and the errors (and where they surface) must be those of
/// a read on one thread.
@Suite struct ParallelReadTests {
    /// A closed log of 3000 records in blocks of about 20, laid out the
    /// same in every run: no write-out timer fires during the appends (with
    /// the default 2 ms one, a loaded machine cut blocks short at random).
    static func makeLog() throws -> TemporaryDirectory {
        let dir = TemporaryDirectory()
        let durability = Durability.noSync(interval: .seconds(3600))
        let log = try SegmentLog.open(at: dir.path, options: smallOptions(durability: durability, segmentBytes: 64 << 10, blockBytes: 2048))
        for first in stride(from: 0, to: 3000, by: 50) { try log.append(TestRecords.batch(from: UInt64(first), count: 50)) }
        try log.close()
        return dir
    }

    /// Reads `positions` one block at a time, without the batch path.
    static func oneByOne(_ log: SegmentLog, _ positions: [UInt64]) throws -> [LogRecord] {
        try positions.map { p throws(StorageError) in try log.read(at: p) }
    }

    @Test func manyBlocksReadTheSameRecordsInTheSameOrder() throws {
        let dir = try Self.makeLog()
        let log = try SegmentLog.open(at: dir.path, options: .readOnly)
        var generator = SplitMix64(seed: 3)
        let runs: [[UInt64]] = [
            Array(0..<3000),
            Array((0..<3000).reversed()),
            Array(stride(from: UInt64(7), to: 3000, by: 101)),  // one per block, as a patient's stream
            (0..<500).map { _ in generator.next() % 3000 },
            (0..<500).map { _ in generator.next() % 3000 }.sorted(),
            (0..<40).flatMap { (i: UInt64) -> [UInt64] in [i * 70, i * 70, 2999 - i * 70] },
        ]
        for positions in runs {
            #expect(log.blockRuns(positions).runs.count >= SegmentLog.parallelReadBlocks)
            for _ in 0..<5 {
                var got: [LogRecord] = []
                try log.read(positions: positions) { got.append($0.copy()) }
                #expect(got == (try Self.oneByOne(log, positions)))
            }
        }
    }

    @Test func aDamagedBlockIsReportedAfterEveryRecordBeforeIt() throws {
        let pristine = try Self.makeLog()
        let positions = Array(stride(from: UInt64(3), to: 3000, by: 37))
        let probe = try SegmentLog.open(at: pristine.path, options: .readOnly)
        // A block early (the caller's side) and one late (the helper's
        // side), neither the log's last block: a damaged tail is what an
        // open's recovery checks, and an open refuses durable data that
        // fails it (tested with recovery), before any read.
        let late = try #require(positions.indices.last { probe.locate(positions[$0]).map { $0.entry.endPosition < 3000 } ?? false })
        #expect(late >= positions.count - 5, "a late block")
        for index in [2, late] {
            let location = try #require(probe.locate(positions[index]))
            let work = TemporaryDirectory()
            copyDirectory(pristine.path, to: work.path)
            let path = work.path + "/" + location.segment.path.split(separator: "/").last!
            flipBit(path, at: Int(location.entry.endOffset) - 1)
            let log = try SegmentLog.open(at: work.path, options: .readOnly)
            let firstBad = positions.firstIndex { $0 >= location.entry.firstPosition && $0 < location.entry.endPosition }!
            var got: [UInt64] = []
            do {
                try log.read(positions: positions) { got.append($0.position) }
                Issue.record("damaged block at \(path):\(location.entry.fileOffset) not reported")
            } catch let error as StorageError {
                #expect(error.kind == .corruption && error.path == path && error.offset == location.entry.fileOffset, "\(error)")
            }
            #expect(got == Array(positions[..<firstBad]))
        }
    }

    @Test func aPositionPastTheEndIsReportedAfterEveryRecordBeforeIt() throws {
        let dir = try Self.makeLog()
        let log = try SegmentLog.open(at: dir.path, options: .readOnly)
        let positions = Array(stride(from: UInt64(0), to: 3000, by: 50)) + [3000, 5]
        var got: [UInt64] = []
        #expect(throws: StorageError.self) { try log.read(positions: positions) { got.append($0.position) } }
        #expect(got == Array(stride(from: UInt64(0), to: 3000, by: 50)))
    }

    @Test func anErrorFromBodyStopsTheReadAndIsRethrown() throws {
        struct Stop: Error {}
        let dir = try Self.makeLog()
        let log = try SegmentLog.open(at: dir.path, options: .readOnly)
        let positions = Array(stride(from: UInt64(0), to: 3000, by: 29))
        for stopAt in [0, 3, positions.count / 2, positions.count - 1] {
            var calls = 0
            #expect(throws: Stop.self) {
                try log.read(positions: positions) { _ in
                    calls += 1
                    if calls > stopAt { throw Stop() }
                }
            }
            #expect(calls == stopAt + 1)
        }
        // The pool still works: the helper gave its reader back.
        var got: [LogRecord] = []
        try log.read(positions: positions) { got.append($0.copy()) }
        #expect(got == (try Self.oneByOne(log, positions)))
    }

    @Test func concurrentBatchReadsStayCorrect() throws {
        let dir = try Self.makeLog()
        let log = try SegmentLog.open(at: dir.path, options: .readOnly)
        let failures = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            var generator = SplitMix64(seed: UInt64(thread))
            for _ in 0..<20 {
                let positions = (0..<60).map { _ in generator.next() % 3000 }
                var ok = true
                do {
                    try log.read(positions: positions) { ok = ok && TestRecords.isIntact($0.copy()) }
                } catch {
                    ok = false
                }
                if !ok { failures.withLock { $0 += 1 } }
            }
        }
        #expect(failures.withLock { $0 } == 0)
    }
}
