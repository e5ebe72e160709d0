#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Testing
import LedgerTestSupport
@testable import LedgerStorage

@Suite struct ConcurrencyTests {
    @Test func aSecondWriterIsRefusedAndReadersAreNot() throws {
        let dir = TemporaryDirectory()
        let writer = try SegmentLog.open(at: dir.path, options: smallOptions())
        try writer.append(TestRecords.batch(from: 0, count: 5))
        let error = #expect(throws: StorageError.self) { try SegmentLog.open(at: dir.path, options: smallOptions()) }
        #expect(error?.kind == .locked)
        #expect(error?.description.contains("locked by another writer") == true)
        let reader = try SegmentLog.open(at: dir.path, options: .readOnly)
        #expect(reader.endPosition == 5)
        #expect(throws: StorageError.self) { try reader.append(TestRecords.batch(from: 5, count: 1)) }
        try writer.close()
        // The lock goes with the writer.
        let next = try SegmentLog.open(at: dir.path, options: smallOptions())
        #expect(next.endPosition == 5)
        try next.close()
    }

    @Test func aReaderConcurrentWithTheWriterSeesOnlyWholeBatches() async throws {
        let dir = TemporaryDirectory()
        let log = try SegmentLog.open(at: dir.path, options: smallOptions(durability: .noSync(interval: .milliseconds(1)), segmentBytes: 32 << 10, blockBytes: 1024))
        let batchSize = 13
        let batches = 600
        let writer = Task.detached {
            for i in 0..<batches {
                try log.append(TestRecords.batch(from: UInt64(i * batchSize), count: batchSize))
                if i % 50 == 0 { try log.flush() }
            }
            try log.flush()
        }
        var observations = 0
        while log.endPosition < UInt64(batches * batchSize) {
            let end = log.endPosition
            #expect(end % UInt64(batchSize) == 0, "end \(end) is inside a batch")
            // The newest records: the ones a torn batch would show in.
            let from = end > 300 ? end - 300 : 0
            var count = from
            let stop = try log.scan(from: from, to: end) { view in
                #expect(view.position == count)
                count += 1
                return Array(view.payload) == TestRecords.payload(view.position)
            }
            #expect(stop == end)
            observations += 1
            await Task.yield()
        }
        try await writer.value
        #expect(observations >= 1)
        var count: UInt64 = 0
        try log.scan(from: 0) { view in
            #expect(TestRecords.isIntact(view.copy()))
            count += 1
            return true
        }
        #expect(count == UInt64(batches * batchSize))
        try log.close()
    }

    @Test func aTailYieldsExistingThenNewRecordsAndEndsOnClose() async throws {
        let dir = TemporaryDirectory()
        let log = try SegmentLog.open(at: dir.path, options: smallOptions(durability: .groupCommit(interval: .milliseconds(1), maxBytes: 1 << 20)))
        try log.append(TestRecords.batch(from: 0, count: 10))
        let follower = Task.detached { () throws -> [LogRecord] in
            var seen: [LogRecord] = []
            for try await record in log.tail(from: 3) { seen.append(record) }
            return seen
        }
        for i in 0..<20 {
            try log.append(TestRecords.batch(from: UInt64(10 + i * 5), count: 5))
            try await Task.sleep(for: .milliseconds(1))
        }
        #expect(await log.waitUntilDurable(110))
        try await Task.sleep(for: .milliseconds(20))
        try log.close()
        let seen = try await follower.value
        #expect(seen.map(\.position) == Array(3..<110))
        #expect(seen.allSatisfy(TestRecords.isIntact))
    }

    @Test func aCancelledTailStops() async throws {
        let dir = TemporaryDirectory()
        let log = try SegmentLog.open(at: dir.path, options: smallOptions())
        let follower = Task.detached { () throws -> Int in
            var count = 0
            for try await _ in log.tail(from: 0) { count += 1 }
            return count
        }
        try log.append(TestRecords.batch(from: 0, count: 4))
        try await Task.sleep(for: .milliseconds(30))
        follower.cancel()
        #expect(try await follower.value == 4)
        try log.close()
    }

    @Test func aReadOnlyHandleInAnotherProcessRoleFollowsTheWriter() async throws {
        let dir = TemporaryDirectory()
        let writer = try SegmentLog.open(at: dir.path, options: smallOptions(segmentBytes: 4 << 10))
        try writer.append(TestRecords.batch(from: 0, count: 20))
        var options = LogOptions.readOnly
        options.pollInterval = .milliseconds(2)
        let reader = try SegmentLog.open(at: dir.path, options: options)
        #expect(reader.endPosition == 20)
        let follower = Task.detached { () throws -> UInt64 in
            var last: UInt64 = 0
            for try await record in reader.tail(from: 0) {
                #expect(TestRecords.isIntact(record))
                last = record.position
                if last == 419 { break }
            }
            return last
        }
        for i in 0..<40 {  // rolls several segments while the reader follows
            try writer.append(TestRecords.batch(from: UInt64(20 + i * 10), count: 10))
        }
        #expect(try await follower.value == 419)
        try reader.refresh()
        #expect(reader.endPosition == 420)
        #expect(try reader.statistics().segments == (try writer.statistics().segments))
        try writer.close()
    }
}
