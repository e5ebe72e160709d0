import Testing
import LedgerTestSupport
@testable import LedgerStorage

/// Single bit flips at random offsets of sealed data: `verify` names the file
/// and the offset of the damaged unit, and no read ever returns wrong bytes.
@Suite struct BitFlipTests {
    /// A closed log of several sealed segments.
    func sealedLog() throws -> (TemporaryDirectory, UInt64) {
        let dir = TemporaryDirectory()
        let log = try SegmentLog.open(at: dir.path, options: smallOptions(durability: .noSync(), segmentBytes: 3 << 10, blockBytes: 1024))
        var position: UInt64 = 0
        for size in [7, 30, 1, 64, 12, 90, 3, 40, 40, 40, 25, 80, 9] {
            try log.append(TestRecords.batch(from: position, count: size))
            position += UInt64(size)
        }
        try log.close()
        #expect(try SegmentLog.verify(at: dir.path).isClean)
        return (dir, position)
    }

    /// The unit (file header or block) that holds `offset`: its start.
    func unitStart(segment path: String, base: UInt64, offset: Int) throws -> Int64 {
        guard offset >= SegmentFormat.segmentHeaderLength else { return 0 }
        let loaded = try SegmentIndexFile.load(path: path.replacingSuffix(".seg", with: ".idx"), logID: logID(path), base: base, system: LinuxSystemCalls())
        return loaded.entries.first { $0.fileOffset <= offset && offset < $0.endOffset }!.fileOffset
    }

    func logID(_ segmentPath: String) -> [UInt8] { Array(readFile(segmentPath)[16..<32]) }

    func expectReadsAreIntactOrRefused(_ directory: String, end: UInt64) {
        guard let log = try? SegmentLog.open(at: directory, options: .readOnly) else { return }
        for p in 0..<min(end, log.endPosition) {
            do {
                let record = try log.read(at: p)
                #expect(TestRecords.isIntact(record), "read at \(p) returned damaged bytes")
            } catch {
                #expect(error.kind == .corruption || error.kind == .invalidArgument)
            }
        }
    }

    @Test func everyFlipInASealedSegmentIsReportedWithFileAndOffset() throws {
        let (pristine, end) = try sealedLog()
        let segments = listDirectory(pristine.path).filter { $0.hasSuffix(".seg") }
        #expect(segments.count >= 3)
        var generator = SplitMix64(seed: 2026)
        for trial in 0..<120 {
            let name = segments[trial % (segments.count - 1)]  // sealed: not the last
            let size = fileSize(pristine.appending(name))
            let offset = Int.random(in: 0..<size, using: &generator)
            let work = TemporaryDirectory()
            copyDirectory(pristine.path, to: work.path)
            let path = work.appending(name)
            flipBit(path, at: offset, bit: Int.random(in: 0..<8, using: &generator))
            let report = try SegmentLog.verify(at: work.path)
            let base = SegmentFormat.parseStem(name, suffix: ".seg")!
            let expected = try unitStart(segment: pristine.appending(name), base: base, offset: offset)
            #expect(report.problems.contains { $0.path == path && $0.offset == expected },
                    "flip at \(name):\(offset) reported as \(report.problems)")
            expectReadsAreIntactOrRefused(work.path, end: end)
        }
    }

    @Test func everyFlipInAnIndexIsReportedAndReadsStayCorrect() throws {
        let (pristine, end) = try sealedLog()
        let indexes = listDirectory(pristine.path).filter { $0.hasSuffix(".idx") }
        var generator = SplitMix64(seed: 11)
        for trial in 0..<60 {
            let name = indexes[trial % (indexes.count - 1)]
            let size = fileSize(pristine.appending(name))
            let offset = Int.random(in: 0..<size, using: &generator)
            let work = TemporaryDirectory()
            copyDirectory(pristine.path, to: work.path)
            let path = work.appending(name)
            flipBit(path, at: offset, bit: Int.random(in: 0..<8, using: &generator))
            let report = try SegmentLog.verify(at: work.path)
            #expect(report.problems.contains { $0.path == path }, "flip at \(name):\(offset) not reported: \(report.problems)")
            expectReadsAreIntactOrRefused(work.path, end: end)
            let log = try SegmentLog.open(at: work.path, options: smallOptions(segmentBytes: 3 << 10, blockBytes: 1024))
            #expect(!log.recoveryReport.isClean)
            for p in 0..<end { #expect(TestRecords.isIntact(try log.read(at: p))) }
            try log.close()
            #expect(try SegmentLog.verify(at: work.path).isClean)
        }
    }
}

extension String {
    func replacingSuffix(_ suffix: String, with replacement: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) + replacement : self
    }
}
