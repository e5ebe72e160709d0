import Testing
import LedgerTestSupport
@testable import LedgerStorage

/// Crash states built on disk: files copied while the writer is open (what a
/// power cut leaves when everything written reached the disk), then cut or
/// damaged byte by byte, as LevelDB's log tests do.
@Suite struct RecoveryTests {
    static let segment = SegmentFormat.fileStem(0) + SegmentFormat.segmentSuffix

    func crashOptions(blockBytes: Int = 1024) -> LogOptions {
        var options = smallOptions(durability: .everyAppend, segmentBytes: 1 << 30, blockBytes: blockBytes)
        options.indexCheckpointBytes = .max  // nothing but the header in the index: recovery scans
        return options
    }

    /// Writes batch A (30 records) then batch B (`bSize` records) and copies
    /// the directory while the writer is still open.
    func crashState(bSize: Int) throws -> (pristine: TemporaryDirectory, sizeA: Int, sizeB: Int) {
        let dir = TemporaryDirectory()
        let log = try SegmentLog.open(at: dir.path, options: crashOptions())
        try log.append(TestRecords.batch(from: 0, count: 30))
        let sizeA = fileSize(dir.appending(Self.segment))
        try log.append(TestRecords.batch(from: 30, count: bSize))
        let sizeB = fileSize(dir.appending(Self.segment))
        let pristine = TemporaryDirectory()
        copyDirectory(dir.path, to: pristine.path + "/log")
        try log.close()
        return (pristine, sizeA, sizeB)
    }

    func expectIntactPrefix(_ log: SegmentLog, _ end: UInt64) throws {
        #expect(log.endPosition == end)
        var count: UInt64 = 0
        try log.scan(from: 0) { view in
            #expect(view.copy() == LogRecord(position: count, timestamp: TestRecords.timestamp(count), payload: TestRecords.payload(count)))
            count += 1
            return true
        }
        #expect(count == end)
    }

    @Test(arguments: [5, 60])
    func lastBatchTruncatedAtEveryByteRecoversToThePreviousBatch(bSize: Int) throws {
        let (pristine, sizeA, sizeB) = try crashState(bSize: bSize)
        #expect(sizeB > sizeA)
        for cut in sizeA...sizeB {
            let work = TemporaryDirectory()
            copyDirectory(pristine.path + "/log", to: work.path)
            truncateFile(work.appending(Self.segment), to: cut)
            let log = try SegmentLog.open(at: work.path, options: crashOptions())
            if cut == sizeB {
                try expectIntactPrefix(log, 30 + UInt64(bSize))
                #expect(log.recoveryReport.bytesDropped == 0)
            } else {
                try expectIntactPrefix(log, 30)
                #expect(log.recoveryReport.bytesDropped == Int64(cut - sizeA), "cut at \(cut)")
                #expect(fileSize(work.appending(Self.segment)) == sizeA)
            }
            // The recovered log takes appends where it stopped.
            try log.append(TestRecords.batch(from: log.endPosition, count: 2))
            try log.close()
            #expect(try SegmentLog.verify(at: work.path).isClean)
        }
    }

    @Test func checksumMismatchInTheLastBatchIsATornTail() throws {
        let (pristine, sizeA, sizeB) = try crashState(bSize: 5)
        for offset in stride(from: sizeA, to: sizeB, by: 3) {
            let work = TemporaryDirectory()
            copyDirectory(pristine.path + "/log", to: work.path)
            flipBit(work.appending(Self.segment), at: offset, bit: offset % 8)
            let log = try SegmentLog.open(at: work.path, options: crashOptions())
            try expectIntactPrefix(log, 30)
            #expect(log.recoveryReport.events.count == 1)
            #expect(log.recoveryReport.events.first?.offset == Int64(sizeA))
            try log.close()
        }
    }

    @Test func damageBeforeDurableDataIsAnErrorNamingFileAndOffset() throws {
        let dir = TemporaryDirectory()
        let log = try SegmentLog.open(at: dir.path, options: crashOptions())
        try log.append(TestRecords.batch(from: 0, count: 30))
        let sizeA = fileSize(dir.appending(Self.segment))
        try log.append(TestRecords.batch(from: 30, count: 5))
        try log.append(TestRecords.batch(from: 35, count: 5))
        let work = TemporaryDirectory()
        copyDirectory(dir.path, to: work.path)
        try log.close()
        // Batch B (durable: batch C's block says so) is damaged.
        flipBit(work.appending(Self.segment), at: sizeA + 70)
        let error = #expect(throws: StorageError.self) { try SegmentLog.open(at: work.path, options: crashOptions()) }
        #expect(error?.kind == .corruption)
        #expect(error?.path == work.appending(Self.segment))
        #expect(error?.offset == Int64(sizeA))
        // Nothing was cut.
        #expect(fileSize(work.appending(Self.segment)) > sizeA + 70)
        let report = try SegmentLog.verify(at: work.path)
        #expect(report.problems.map(\.offset) == [Int64(sizeA)])
    }

    @Test func interruptedSegmentCreationIsRemoved() throws {
        let dir = TemporaryDirectory()
        var log = try SegmentLog.open(at: dir.path, options: smallOptions())
        try log.append(TestRecords.batch(from: 0, count: 10))
        try log.close()
        for garbage in [[UInt8](), [UInt8](repeating: 0, count: 64), Array("PLEDGSEG".utf8)] {
            let name = SegmentFormat.fileStem(10) + SegmentFormat.segmentSuffix
            writeFile(dir.appending(name), garbage)
            log = try SegmentLog.open(at: dir.path, options: smallOptions())
            #expect(!fileExists(dir.appending(name)))
            #expect(log.recoveryReport.events.count == 1)
            try expectIntactPrefix(log, 10)
            try log.close()
        }
    }

    @Test func missingOrDamagedIndexIsRebuiltAndNeverMisleadsAReader() throws {
        let dir = TemporaryDirectory()
        var log = try SegmentLog.open(at: dir.path, options: smallOptions(segmentBytes: 4 << 10))
        for i in 0..<40 { try log.append(TestRecords.batch(from: UInt64(i * 10), count: 10)) }
        try log.close()
        let indexes = listDirectory(dir.path).filter { $0.hasSuffix(".idx") }
        #expect(indexes.count > 2)
        // Remove one index, damage another's entry, and point a third at the wrong block.
        removeTree(dir.appending(indexes[0]))
        flipBit(dir.appending(indexes[1]), at: 64 + 48 + 3)
        var third = readFile(dir.appending(indexes[2]))
        third.withUnsafeMutableBytes { raw in
            var entry = IndexEntry.decode(UnsafeRawBufferPointer(rebasing: raw[64..<112]))!
            entry.blockLength += 1
            entry.encode(into: UnsafeMutableRawBufferPointer(rebasing: raw[64..<112]))
        }
        writeFile(dir.appending(indexes[2]), third)
        let before = try SegmentLog.verify(at: dir.path)
        #expect(Set(before.problems.map { $0.path }) .isSuperset(of: [dir.appending(indexes[0]), dir.appending(indexes[1]), dir.appending(indexes[2])]))

        log = try SegmentLog.open(at: dir.path, options: smallOptions(segmentBytes: 4 << 10))
        #expect(log.recoveryReport.events.count >= 3)
        try expectIntactPrefix(log, 400)
        try log.close()
        #expect(try SegmentLog.verify(at: dir.path).isClean, "indexes were rewritten")
    }

    /// The active segment's index is created, then appended to, while the
    /// writer runs: a kill can leave it empty, headerless or ending inside an
    /// entry. That is a crash state, not damage: `verify` notes it, open
    /// rebuilds it. The same cut in a sealed segment's index is damage.
    @Test(arguments: [0, 20, 64 + 48 + 17])
    func interruptedIndexWriteOfTheActiveSegmentIsACrashStateNotDamage(cut: Int) throws {
        let dir = TemporaryDirectory()
        var log = try SegmentLog.open(at: dir.path, options: smallOptions(segmentBytes: 4 << 10))
        for i in 0..<40 { try log.append(TestRecords.batch(from: UInt64(i * 10), count: 10)) }
        try log.close()
        let indexes = listDirectory(dir.path).filter { $0.hasSuffix(".idx") }
        #expect(indexes.count > 2)
        for name in [indexes[0], indexes[indexes.count - 1]] {
            #expect(fileSize(dir.appending(name)) > cut)
            truncateFile(dir.appending(name), to: cut)
        }
        let before = try SegmentLog.verify(at: dir.path)
        #expect(before.problems.map(\.path) == [dir.appending(indexes[0])], "\(before.problems)")
        #expect(before.notes.map(\.path) == [dir.appending(indexes[indexes.count - 1])], "\(before.notes)")

        log = try SegmentLog.open(at: dir.path, options: smallOptions(segmentBytes: 4 << 10))
        try expectIntactPrefix(log, 400)
        try log.close()
        #expect(try SegmentLog.verify(at: dir.path).isClean, "both indexes were rewritten")
    }

    @Test func newerFormatVersionIsRefusedWithAClearMessage() throws {
        let dir = TemporaryDirectory()
        let log = try SegmentLog.open(at: dir.path, options: smallOptions())
        try log.append(TestRecords.batch(from: 0, count: 3))
        try log.close()
        var bytes = readFile(dir.appending(Self.segment))
        bytes.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: UInt16(2).littleEndian, toByteOffset: 8, as: UInt16.self)
            let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<60]))
            raw.storeBytes(of: CRC32C.mask(crc).littleEndian, toByteOffset: 60, as: UInt32.self)
        }
        writeFile(dir.appending(Self.segment), bytes)
        let error = #expect(throws: StorageError.self) { try SegmentLog.open(at: dir.path, options: smallOptions()) }
        #expect(error?.kind == .unsupportedVersion)
        #expect(error?.description.contains("format version 2") == true)
        #expect(error?.path == dir.appending(Self.segment))
    }

    @Test func openingSomethingThatIsNotALogFails() throws {
        let dir = TemporaryDirectory()
        var options = smallOptions()
        options.createIfMissing = false
        let missing = #expect(throws: StorageError.self) { try SegmentLog.open(at: dir.appending("nope"), options: options) }
        #expect(missing?.kind == .notFound)
        let readOnly = #expect(throws: StorageError.self) { try SegmentLog.open(at: dir.path, options: .readOnly) }
        #expect(readOnly?.kind == .notFound)
    }
}

extension RecoveryTests {
    /// Index entries are written only for durable blocks: damage in the last
    /// indexed block is an error, never cut as if it were a torn tail.
    @Test func damageInIndexedDataIsNeverCutAsATornTail() throws {
        let dir = TemporaryDirectory()
        let log = try SegmentLog.open(at: dir.path, options: smallOptions())
        try log.append(TestRecords.batch(from: 0, count: 1))
        let sizeA = fileSize(dir.appending(Self.segment))
        try log.append(TestRecords.batch(from: 1, count: 1))
        try log.close()  // writes the index: both blocks are named there
        let size = fileSize(dir.appending(Self.segment))
        flipBit(dir.appending(Self.segment), at: size - 3)
        let error = #expect(throws: StorageError.self) { try SegmentLog.open(at: dir.path, options: smallOptions()) }
        #expect(error?.kind == .corruption)
        #expect(error?.offset == Int64(sizeA))
        #expect(fileSize(dir.appending(Self.segment)) == size, "nothing was cut")
        let report = try SegmentLog.verify(at: dir.path)
        #expect(report.problems.map(\.offset) == [Int64(sizeA)])
        // And a segment shorter than its index is damage too.
        truncateFile(dir.appending(Self.segment), to: size - 10)
        let short = #expect(throws: StorageError.self) { try SegmentLog.open(at: dir.path, options: smallOptions()) }
        #expect(short?.kind == .corruption)
    }

    @Test func unknownHeaderFlagsAreRefusedAsANewerFormat() throws {
        let dir = TemporaryDirectory()
        let log = try SegmentLog.open(at: dir.path, options: smallOptions())
        try log.append(TestRecords.batch(from: 0, count: 2))
        try log.close()
        for name in [Self.segment, SegmentFormat.fileStem(0) + SegmentFormat.indexSuffix, "LOG"] {
            let work = TemporaryDirectory()
            copyDirectory(dir.path, to: work.path)
            var bytes = readFile(work.appending(name))
            bytes.withUnsafeMutableBytes { raw in
                raw.storeBytes(of: UInt32(4).littleEndian, toByteOffset: 12, as: UInt32.self)
                let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<60]))
                raw.storeBytes(of: CRC32C.mask(crc).littleEndian, toByteOffset: 60, as: UInt32.self)
            }
            writeFile(work.appending(name), bytes)
            let error = #expect(throws: StorageError.self) { try SegmentLog.open(at: work.path, options: smallOptions()) }
            #expect(error?.kind == .unsupportedVersion, "\(name)")
            #expect(readFile(work.appending(name)) == bytes, "\(name) left as it was")
        }
    }
}
