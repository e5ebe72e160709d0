import Testing
import LedgerTestSupport
@testable import LedgerStorage

/// Reads of chosen positions decompress a block only as far as the last
/// record they need (`BlockReader.load(...through:)`): they must return
/// exactly what a full decode returns, and still check every stored byte.
@Suite struct PrefixDecodeTests {
    /// A payload of `position`'s own length: mostly 0-400 bytes, sometimes
    /// a few KiB, now and then larger than a 32 KiB block; compressible text
    /// that names its position, so LZ4 is kept and any wrong byte shows.
    static func payload(_ position: UInt64) -> [UInt8] {
        var z = position &* 0x9E37_79B9_7F4A_7C15
        z ^= z >> 29
        let length: Int
        switch z % 100 {
        case 0: length = 40_000 + Int(z % 9000)
        case 1..<6: length = 1000 + Int(z % 5000)
        case 6..<9: length = 0
        default: length = Int(z % 400)
        }
        let text = Array("record \(position) of the prefix decode test; ".utf8)
        return (0..<length).map { text[$0 % text.count] &+ UInt8(truncatingIfNeeded: $0 / 997) }
    }

    static func timestamp(_ position: UInt64) -> Int64 {
        1_767_225_600_000 + Int64(position) * 7 - (position % 5 == 2 ? 50_000 : 0)
    }

    /// A closed log of `count` records in blocks of `blockBytes`.
    static func makeLog(blockBytes: Int, count: Int) throws -> TemporaryDirectory {
        let dir = TemporaryDirectory()
        let log = try SegmentLog.open(at: dir.path, options: smallOptions(durability: .noSync(), segmentBytes: 256 << 10, blockBytes: blockBytes))
        var position: UInt64 = 0
        while position < UInt64(count) {
            var batch = RecordBatch()
            for p in position..<min(position + 37, UInt64(count)) { batch.append(timestamp: timestamp(p), payload: payload(p)) }
            position += UInt64(batch.count)
            try log.append(batch)
        }
        try log.close()
        return dir
    }

    /// Every record, by a scan (which decodes every block in full).
    static func fullRead(_ log: SegmentLog) throws -> [LogRecord] {
        var all: [LogRecord] = []
        try log.scan { all.append($0.copy()); return true }
        return all
    }

    @Test(arguments: [512, 4096, 32 << 10])
    func everyPositionReadsTheSameAsAFullDecode(blockBytes: Int) throws {
        let dir = try Self.makeLog(blockBytes: blockBytes, count: 1500)
        let log = try SegmentLog.open(at: dir.path, options: .readOnly)
        let all = try Self.fullRead(log)
        #expect(all.count == 1500)
        for record in all {
            #expect(record.payload == Self.payload(record.position) && record.timestamp == Self.timestamp(record.position))
        }

        let reader = BlockReader()
        var partial = 0, lz4Blocks = Set<Int64>()
        for p in 0..<log.endPosition {
            let location = try #require(log.locate(p))
            try reader.load(location.segment.file, at: location.entry.fileOffset, expected: location.entry, through: p)
            if reader.header?.codec == SegmentFormat.codecLZ4 { lz4Blocks.insert(location.entry.fileOffset) }
            if !reader.isComplete { partial += 1 }
            var got: [LogRecord] = []
            try reader.forEachRecord(from: location.entry.firstPosition) { got.append($0.copy()); return true }
            // The prefix holds every record through `p`, and only whole records.
            #expect(got.count >= Int(p - location.entry.firstPosition) + 1)
            #expect(got == Array(all[Int(location.entry.firstPosition)..<(Int(location.entry.firstPosition) + got.count)]))
            #expect(try log.read(at: p) == all[Int(p)])
        }
        // The path under test was taken: with blocks of many records, most
        // reads decoded only a prefix (a 512-byte block holds one to three).
        #expect(lz4Blocks.count > 10)
        #expect(partial > (blockBytes >= 4096 ? Int(log.endPosition) / 3 : 0),
                "only \(partial) of \(log.endPosition) reads decoded a prefix")

        var generator = SplitMix64(seed: UInt64(blockBytes))
        let runs: [[UInt64]] = [
            Array(0..<log.endPosition),
            Array((0..<log.endPosition).reversed()),
            (0..<300).map { _ in generator.next() % log.endPosition },
            (0..<300).map { _ in generator.next() % log.endPosition }.sorted(),
            stride(from: 0, to: log.endPosition, by: 13).map { $0 },
        ]
        for positions in runs {
            var got: [LogRecord] = []
            try log.read(positions: positions) { got.append($0.copy()) }
            #expect(got == positions.map { all[Int($0)] })
        }
    }

    @Test func aFlippedByteAfterTheDecodedPrefixIsStillReportedWithFileAndOffset() throws {
        let pristine = try Self.makeLog(blockBytes: 4096, count: 800)
        let probe = try SegmentLog.open(at: pristine.path, options: .readOnly)
        // Blocks whose first record a prefix decode reads without their end.
        let reader = BlockReader()
        var targets: [(path: String, offset: Int64, end: Int64, first: UInt64)] = []
        var p: UInt64 = 0
        while p < probe.endPosition {
            let location = try #require(probe.locate(p))
            try reader.load(location.segment.file, at: location.entry.fileOffset, expected: location.entry, through: p)
            if !reader.isComplete {
                targets.append((location.segment.path, location.entry.fileOffset, location.entry.endOffset, p))
            }
            p = location.entry.endPosition
        }
        #expect(targets.count >= 10)
        for (trial, target) in targets.prefix(12).enumerated() {
            let work = TemporaryDirectory()
            copyDirectory(pristine.path, to: work.path)
            let path = work.path + "/" + target.path.split(separator: "/").last!
            // The last stored byte, or one in the middle of the payload.
            let at = trial % 2 == 0 ? target.end - 1 : (target.offset + Int64(SegmentFormat.blockHeaderLength) + target.end) / 2
            flipBit(path, at: Int(at), bit: trial % 8)
            let log = try SegmentLog.open(at: work.path, options: .readOnly)
            for read in [
                { () throws -> Void in _ = try log.read(at: target.first) },
                { () throws -> Void in try log.read(positions: [target.first]) { _ in } },
            ] {
                do {
                    try read()
                    Issue.record("flip at \(path):\(at) not detected reading position \(target.first)")
                } catch let error as StorageError {
                    #expect(error.kind == .corruption)
                    #expect(error.path == path && error.offset == target.offset, "\(error)")
                }
            }
        }
    }
}
