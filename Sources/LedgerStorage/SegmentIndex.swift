#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One block of a segment, as its index knows it (48 bytes on disk).
///
/// The index is sparse over records and dense over blocks: one entry per
/// block, so a position is found by binary search plus one block read.
struct IndexEntry: Equatable, Sendable {
    var firstPosition: UInt64
    var fileOffset: Int64
    var minTimestamp: Int64
    var maxTimestamp: Int64
    var recordCount: UInt32
    /// Header plus stored payload.
    var blockLength: UInt32
    var rawLength: UInt32
    /// The largest `maxTimestamp` of this block and every block before it in
    /// the log; derived, kept in memory only, for reads from a timestamp.
    var runningMaxTimestamp: Int64 = .min

    var endPosition: UInt64 { firstPosition + UInt64(recordCount) }
    var endOffset: Int64 { fileOffset + Int64(blockLength) }

    init(header: BlockHeader, offset: Int64) {
        firstPosition = header.firstPosition
        fileOffset = offset
        minTimestamp = header.minTimestamp
        maxTimestamp = header.maxTimestamp
        recordCount = header.recordCount
        blockLength = UInt32(header.totalLength)
        rawLength = header.rawLength
    }

    init(firstPosition: UInt64, fileOffset: Int64, minTimestamp: Int64, maxTimestamp: Int64,
         recordCount: UInt32, blockLength: UInt32, rawLength: UInt32) {
        self.firstPosition = firstPosition
        self.fileOffset = fileOffset
        self.minTimestamp = minTimestamp
        self.maxTimestamp = maxTimestamp
        self.recordCount = recordCount
        self.blockLength = blockLength
        self.rawLength = rawLength
    }

    static func == (a: IndexEntry, b: IndexEntry) -> Bool {
        a.firstPosition == b.firstPosition && a.fileOffset == b.fileOffset && a.minTimestamp == b.minTimestamp
            && a.maxTimestamp == b.maxTimestamp && a.recordCount == b.recordCount
            && a.blockLength == b.blockLength && a.rawLength == b.rawLength
    }

    func encode(into raw: UnsafeMutableRawBufferPointer) {
        raw.storeLE(firstPosition, at: 0)
        raw.storeLE(UInt64(fileOffset), at: 8)
        raw.storeLE(minTimestamp, at: 16)
        raw.storeLE(maxTimestamp, at: 24)
        raw.storeLE(recordCount, at: 32)
        raw.storeLE(blockLength, at: 36)
        raw.storeLE(rawLength, at: 40)
        let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<44]))
        raw.storeLE(CRC32C.mask(crc), at: 44)
    }

    /// Decodes an entry, or nil when its checksum does not match.
    static func decode(_ raw: UnsafeRawBufferPointer) -> IndexEntry? {
        let stored = CRC32C.unmask(raw.loadLE(at: 44, as: UInt32.self))
        guard stored == CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<44])) else { return nil }
        return IndexEntry(
            firstPosition: raw.loadLE(at: 0, as: UInt64.self),
            fileOffset: Int64(bitPattern: raw.loadLE(at: 8, as: UInt64.self)),
            minTimestamp: raw.loadLE(at: 16, as: Int64.self),
            maxTimestamp: raw.loadLE(at: 24, as: Int64.self),
            recordCount: raw.loadLE(at: 32, as: UInt32.self),
            blockLength: raw.loadLE(at: 36, as: UInt32.self),
            rawLength: raw.loadLE(at: 40, as: UInt32.self))
    }
}

/// Reading and writing a segment's `.idx` file.
///
/// The index is derived data: every entry describes a block that was durable
/// when the entry was written, entries carry their own checksum, and a
/// missing, short or damaged index is rebuilt from the segment. Whatever it
/// says is checked against the block it points at before any read trusts it.
enum SegmentIndexFile {
    struct Loaded {
        var entries: [IndexEntry]
        /// Why the loaded prefix stops short of the file's end, if it does.
        var problem: (offset: Int64, reason: String)?
        /// Whether the problem is one an interrupted write of the active
        /// segment's index leaves behind (the file missing, shorter than its
        /// header, or ending inside an entry): a crash artifact in the last
        /// segment, damage in a sealed one.
        var interruptedWrite = false
        /// Set when the index was written by a newer format version: callers
        /// must refuse it rather than rebuild over it.
        var refusal: StorageError? = nil
    }

    /// Reads the longest valid, contiguous prefix of entries.
    ///
    /// - Returns: nil entries and a problem when the header itself is bad;
    ///   an empty list when the file does not exist.
    static func load(path: String, logID: [UInt8], base: UInt64, system: any SystemCalls) throws(StorageError) -> Loaded {
        let file: SystemFile
        do throws(StorageError) {
            file = try SystemFile.open(path, flags: O_RDONLY, system: system)
        } catch where error.kind == .notFound {
            return Loaded(entries: [], problem: (0, "index file missing"), interruptedWrite: true)
        }
        let size = try file.size()
        let bytes = try file.read(fromAbsoluteOffset: 0, count: Int(size))
        let got = bytes.count
        let loaded = bytes.withUnsafeBytes { raw -> Loaded in
            let raw = UnsafeRawBufferPointer(rebasing: raw[0..<got])
            let header: FileHeader
            do throws(StorageError) {
                header = try FileHeader.decode(raw, expectedMagic: SegmentFormat.indexMagic, path: path)
            } catch {
                if error.kind == .unsupportedVersion { return Loaded(entries: [], problem: nil, refusal: error) }
                return Loaded(entries: [], problem: (0, error.message), interruptedWrite: got < FileHeader.length)
            }
            guard header.logID == logID, header.basePosition == base,
                  Int(header.extra) == SegmentFormat.indexEntryLength
            else { return Loaded(entries: [], problem: (0, "index header names another segment")) }
            var entries: [IndexEntry] = []
            entries.reserveCapacity((got - FileHeader.length) / SegmentFormat.indexEntryLength)
            var offset = FileHeader.length
            var nextPosition = base
            var nextOffset = Int64(SegmentFormat.segmentHeaderLength)
            while offset + SegmentFormat.indexEntryLength <= got {
                guard let entry = IndexEntry.decode(UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + SegmentFormat.indexEntryLength)])) else {
                    return Loaded(entries: entries, problem: (Int64(offset), "index entry checksum mismatch"))
                }
                guard entry.firstPosition == nextPosition, entry.fileOffset == nextOffset,
                      entry.recordCount > 0, entry.blockLength > UInt32(SegmentFormat.blockHeaderLength)
                else { return Loaded(entries: entries, problem: (Int64(offset), "index entry out of sequence")) }
                entries.append(entry)
                nextPosition = entry.endPosition
                nextOffset = entry.endOffset
                offset += SegmentFormat.indexEntryLength
            }
            if offset != got {
                return Loaded(entries: entries, problem: (Int64(offset), "index ends inside an entry"), interruptedWrite: true)
            }
            return Loaded(entries: entries, problem: nil)
        }
        if let refusal = loaded.refusal { throw refusal }
        return loaded
    }

    static func header(logID: [UInt8], base: UInt64) -> [UInt8] {
        FileHeader(magic: SegmentFormat.indexMagic, logID: logID, basePosition: base,
                   createdAtMillis: currentTimeMillis(), extra: UInt16(SegmentFormat.indexEntryLength)).encoded()
    }

    static func encode(_ entries: ArraySlice<IndexEntry>) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: entries.count * SegmentFormat.indexEntryLength)
        bytes.withUnsafeMutableBytes { raw in
            for (i, entry) in entries.enumerated() {
                let at = i * SegmentFormat.indexEntryLength
                entry.encode(into: UnsafeMutableRawBufferPointer(rebasing: raw[at..<(at + SegmentFormat.indexEntryLength)]))
            }
        }
        return bytes
    }
}
