#if canImport(Glibc)
import Glibc
#endif
import Testing
import LedgerTestSupport
@testable import LedgerStorage

/// Failures injected through the one system-call layer: the error surfaces,
/// the log stays consistent, and the next open recovers.
@Suite struct FaultInjectionTests {
    func options(_ system: any SystemCalls, durability: Durability = .everyAppend) -> LogOptions {
        smallOptions(durability: durability, segmentBytes: 6 << 10, blockBytes: 1024, systemCalls: system)
    }

    func expectIntactPrefix(_ directory: String, atLeast durable: UInt64) throws -> UInt64 {
        let log = try SegmentLog.open(at: directory, options: smallOptions(segmentBytes: 6 << 10, blockBytes: 1024))
        #expect(log.endPosition >= durable)
        for p in 0..<log.endPosition { #expect(TestRecords.isIntact(try log.read(at: p))) }
        let end = log.endPosition
        try log.append(TestRecords.batch(from: end, count: 4))
        try log.close()
        #expect(try SegmentLog.verify(at: directory).isClean)
        return end
    }

    @Test func interruptedCallsAreRetried() throws {
        let dir = TemporaryDirectory()
        // Every other call of each kind is interrupted once.
        let system = FaultInjectingSystemCalls { call, _, n in
            [.pread, .pwrite, .fdatasync, .fsync, .open].contains(call) && n % 2 == 1 ? .fail(EINTR) : nil
        }
        let log = try SegmentLog.open(at: dir.path, options: options(system))
        var position: UInt64 = 0
        for size in [3, 50, 1, 20, 70] {
            try log.append(TestRecords.batch(from: position, count: size))
            position += UInt64(size)
        }
        for p in 0..<position { #expect(TestRecords.isIntact(try log.read(at: p))) }
        try log.close()
        #expect(system.count(.pwrite) > 10)
        _ = try expectIntactPrefix(dir.path, atLeast: position)
    }

    @Test func shortWritesAreCompleted() throws {
        let dir = TemporaryDirectory()
        let system = FaultInjectingSystemCalls { call, _, _ in call == .pwrite ? .short(7) : nil }
        let log = try SegmentLog.open(at: dir.path, options: options(system))
        var position: UInt64 = 0
        for size in [3, 50, 1, 20, 70] {
            try log.append(TestRecords.batch(from: position, count: size))
            position += UInt64(size)
        }
        try log.close()
        #expect(try expectIntactPrefix(dir.path, atLeast: position) == position)
    }

    /// ENOSPC or EIO at the n-th write or sync, for many n: the append that
    /// hits it throws, later appends throw `.writerFailed`, and reopening
    /// keeps every acknowledged batch.
    @Test(arguments: [(SystemCall.pwrite, ENOSPC), (SystemCall.pwrite, EIO), (SystemCall.fdatasync, EIO), (SystemCall.fsync, EIO), (SystemCall.open, ENOSPC)])
    func failuresSurfaceAndTheNextOpenRecovers(call: SystemCall, code: Int32) throws {
        for failAt in stride(from: 2, through: 40, by: 3) {
            let dir = TemporaryDirectory()
            let system = FaultInjectingSystemCalls { c, _, n in c == call && n == failAt ? .fail(code) : nil }
            var acknowledged: UInt64 = 0
            var failed: StorageError?
            do {
                let log = try SegmentLog.open(at: dir.path, options: options(system))
                var position: UInt64 = 0
                for i in 0..<60 {
                    let size = 1 + i % 9
                    do {
                        try log.append(TestRecords.batch(from: position, count: size))
                    } catch {
                        failed = error
                        break
                    }
                    position += UInt64(size)
                    acknowledged = position
                }
                if let failed {
                    #expect(failed.kind == .io)
                    #expect(failed.errno == code)
                    #expect(failed.path != nil)
                    let again = #expect(throws: StorageError.self) { try log.append(TestRecords.batch(from: position, count: 1)) }
                    #expect(again?.kind == .writerFailed)
                    #expect(throws: StorageError.self) { try log.flush() }
                }
                try? log.close()
            } catch {
                // The failure hit while opening: nothing was acknowledged.
                #expect(error.kind == .io)
                failed = error
            }
            system.disarm()
            #expect(failed != nil || system.count(call) < failAt, "the fault at \(call) #\(failAt) was not reported")
            if call == .pwrite || call == .fdatasync { #expect(failed != nil, "60 synced appends make more than 40 such calls") }
            let recovered = try expectIntactPrefix(dir.path, atLeast: acknowledged)
            #expect(recovered <= acknowledged + 9, "at most the failed batch may have reached the disk")
        }
    }

    /// A write that fails on the block pipeline's thread, in the modes that
    /// do not wait for it (blocks written in the background, several per
    /// append): the failure surfaces at the latest at the next flush, every
    /// later call throws `.writerFailed`, and reopening keeps every batch
    /// flushed before it.
    @Test(arguments: [Durability.noSync(), Durability.groupCommit()])
    func backgroundWriteFailuresSurfaceAndTheNextOpenRecovers(durability: Durability) throws {
        // The first writes (#1-#3) create the log's files at open.
        for failAt in stride(from: 5, through: 35, by: 3) {
            let dir = TemporaryDirectory()
            let system = FaultInjectingSystemCalls { c, _, n in c == .pwrite && n == failAt ? .fail(EIO) : nil }
            let log = try SegmentLog.open(at: dir.path, options: options(system, durability: durability))
            var flushed: UInt64 = 0
            var position: UInt64 = 0
            var failed: StorageError?
            for i in 0..<80 where failed == nil {
                do {
                    try log.append(TestRecords.batch(from: position, count: 1 + i % 13))
                    position += UInt64(1 + i % 13)
                    if i % 10 == 9 {
                        try log.flush()
                        flushed = position
                    }
                } catch {
                    failed = error
                }
            }
            if failed == nil {
                do { try log.flush() } catch { failed = error }
            }
            // `.io` when this thread meets the failure first, `.writerFailed`
            // (with the same errno) when the commit timer met it before.
            #expect(failed?.kind == .io || failed?.kind == .writerFailed, "the write failing at #\(failAt) was not reported")
            #expect(failed?.errno == EIO)
            let again = #expect(throws: StorageError.self) { try log.append(TestRecords.batch(from: position, count: 1)) }
            #expect(again?.kind == .writerFailed)
            try? log.close()
            system.disarm()
            _ = try expectIntactPrefix(dir.path, atLeast: flushed)
        }
    }
}
