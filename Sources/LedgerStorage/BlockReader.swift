/// Reads one block from a segment file, checks it and decompresses it.
///
/// Every load verifies the header checksum, that the header is the block the
/// caller expected (position and length, when an index entry led here), the
/// payload checksum, and that the payload decompresses to exactly its raw
/// length. Walking records then checks their framing. Nothing unverified is
/// ever returned.
///
/// A load `through:` a position (reads of chosen records) still checks both
/// checksums over every stored byte, but decompresses only a prefix of the
/// payload that holds the records up to that position, and checks the
/// framing of those records only: on average half the decompression work
/// of a full load when one record of a block is wanted.
///
/// Not thread-safe: one thread uses it at a time, checked out of the log's
/// pool (hence the unchecked `Sendable`). Buffers grow to the largest block
/// seen and are reused; a load allocates nothing once warmed.
final class BlockReader: @unchecked Sendable {
    private var stored: UnsafeMutableRawBufferPointer
    private var raw: UnsafeMutableRawBufferPointer
    private(set) var header: BlockHeader?
    private(set) var path = ""
    private(set) var offset: Int64 = 0
    private var rawCount = 0
    /// The position after the last record wholly inside ``payload``: the
    /// block's end position unless the load decoded only a prefix.
    private var decodedEnd: UInt64 = 0
    /// Where a walk of the loaded block's records may start instead of at
    /// its first record: after a prefix decode, the record it was asked
    /// for (the framing of the records before it is already checked).
    private var resume = RecordMark(position: 0, cursor: 0, timestamp: 0)

    /// A point in the walk of a block's records: the payload offset of the
    /// framing of the record at `position`, and the timestamp of the record
    /// before it (0 before the first: timestamps are delta-coded from 0).
    private struct RecordMark {
        var position: UInt64
        var cursor: Int
        var timestamp: Int64
    }

    /// The reason given when a block is not the one its index entry names.
    static let indexMismatch = "index entry does not match block"

    init(capacity: Int = 64 << 10) {
        stored = .allocate(byteCount: capacity, alignment: 8)
        raw = .allocate(byteCount: capacity, alignment: 8)
    }

    deinit {
        stored.deallocate()
        raw.deallocate()
    }

    /// The decompressed payload of the loaded block; after a load `through:`
    /// a position, possibly only a prefix of it (see ``isComplete``).
    var payload: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: raw[0..<rawCount]) }

    /// Whether ``payload`` is the whole raw payload of the loaded block.
    var isComplete: Bool { header.map { rawCount == Int($0.rawLength) } ?? false }

    /// Loads the block at `offset` of `file`.
    ///
    /// - Parameters:
    ///   - expected: the index entry that pointed here, if any; a header that
    ///     disagrees with it is reported as an index mismatch.
    /// - Throws: ``StorageError/Kind/corruption`` naming the file and offset.
    /// - Parameter decompress: false to check the checksums only (recovery
    ///   scans); ``payload`` is then not available.
    /// - Parameter last: when set, the last position the caller will read
    ///   from this block: an LZ4 payload is then decompressed only far
    ///   enough to hold that record whole (see `decodePrefix`),
    ///   and ``forEachRecord(from:_:)`` stops after it.
    func load(_ file: SystemFile, at offset: Int64, expected: IndexEntry?, decompress: Bool = true,
              through last: UInt64? = nil) throws(StorageError) {
        header = nil
        path = file.path
        self.offset = offset
        let headerLength = SegmentFormat.blockHeaderLength
        let knownLength = expected.map { Int($0.blockLength) } ?? headerLength
        ensure(&stored, knownLength)
        let got = try file.read(fromAbsoluteOffset: offset, into: UnsafeMutableRawBufferPointer(rebasing: stored[0..<knownLength]))
        guard got >= headerLength else {
            throw StorageError.corruption(file.path, offset, "block header cut short by end of file")
        }
        let decoded: BlockHeader
        switch BlockHeader.decode(UnsafeRawBufferPointer(rebasing: stored[0..<headerLength])) {
        case .success(let h): decoded = h
        case .failure(let f): throw StorageError.corruption(file.path, offset, f.reason.rawValue)
        }
        if let expected, IndexEntry(header: decoded, offset: offset) != expected {
            throw StorageError.corruption(file.path, offset, Self.indexMismatch)
        }
        let total = decoded.totalLength
        if total > knownLength {
            ensure(&stored, total)
            let more = try file.read(fromAbsoluteOffset: offset + Int64(knownLength),
                                     into: UnsafeMutableRawBufferPointer(rebasing: stored[knownLength..<total]))
            guard more == total - knownLength else {
                throw StorageError.corruption(file.path, offset, "block payload cut short by end of file")
            }
        } else if got < total {
            throw StorageError.corruption(file.path, offset, "block payload cut short by end of file")
        }
        let storedPayload = UnsafeRawBufferPointer(rebasing: stored[headerLength..<total])
        guard CRC32C.checksum(storedPayload) == decoded.payloadCRC else {
            throw StorageError.corruption(file.path, offset, "block payload checksum mismatch")
        }
        guard decompress else {
            rawCount = 0
            decodedEnd = decoded.endPosition
            resume = RecordMark(position: decoded.firstPosition, cursor: 0, timestamp: 0)
            header = decoded
            return
        }
        let rawLength = Int(decoded.rawLength)
        ensure(&raw, rawLength)
        let target = UnsafeMutableRawBufferPointer(rebasing: raw[0..<rawLength])
        if let last, decoded.codec == SegmentFormat.codecLZ4,
           try decodePrefix(of: storedPayload, decoded, through: last) {
            header = decoded
            return
        }
        if decoded.codec == SegmentFormat.codecLZ4 {
            guard LZ4.decompress(storedPayload, into: target) else {
                throw StorageError.corruption(file.path, offset, "block payload does not decompress to its raw length")
            }
        } else {
            target.copyMemory(from: storedPayload)
        }
        rawCount = rawLength
        decodedEnd = decoded.endPosition
        resume = RecordMark(position: decoded.firstPosition, cursor: 0, timestamp: 0)
        header = decoded
    }

    /// Decompresses the shortest prefix of the loaded block's LZ4 payload
    /// found to hold the record at `last` whole (and so every record before
    /// it), checking those records' framing. Returns false when that would
    /// take (about) the whole payload: the caller then decodes it in full,
    /// with the full checks.
    ///
    /// LZ4 cannot resume a decode, so the prefix length is guessed: the
    /// record's share of the payload (records in order, of average length)
    /// plus a margin of 1/16 of the payload and two average records. When
    /// the guess falls short, the prefix already shows where the record
    /// ends (its length is framed before it) or, if it does not reach the
    /// record's framing, at least that more is needed: the decode is
    /// redone to that end, or to twice the guess.
    ///
    /// `stored` is the block's stored payload, `header` its header (both
    /// checksums verified).
    private func decodePrefix(of stored: UnsafeRawBufferPointer, _ header: BlockHeader,
                              through last: UInt64) throws(StorageError) -> Bool {
        guard last >= header.firstPosition, last < header.endPosition else { return false }
        let rawLength = Int(header.rawLength)
        let count = Int(header.recordCount)
        let index = Int(last - header.firstPosition)
        let average = rawLength / count
        var length = average * (index + 1) + rawLength / 16 + 2 * average
        while length < rawLength {
            guard LZ4.decompress(prefix: length, of: stored, into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<rawLength])) else {
                throw StorageError.corruption(path, offset, "block payload does not decompress to its raw length")
            }
            rawCount = length
            switch try prefixEnd(header, through: last) {
            case .some(let (mark, end)) where end <= length:
                decodedEnd = last + 1
                resume = mark
                return true
            case .some(let (_, end)):
                length = end
            case .none:
                length *= 2
            }
        }
        return false
    }

    /// Where the record at `last` starts and ends in the payload, when the
    /// decoded prefix shows it (its framing is inside the prefix), or nil.
    /// Checks the framing of the records through it like
    /// ``forEachRecord(from:_:)``.
    private func prefixEnd(_ header: BlockHeader, through last: UInt64) throws(StorageError) -> (RecordMark, end: Int)? {
        let bytes = payload
        var cursor = 0
        var timestamp: Int64 = 0
        var current = header.firstPosition
        while true {
            let mark = RecordMark(position: current, cursor: cursor, timestamp: timestamp)
            guard let length = Varint.read(bytes, at: &cursor), let delta = Varint.read(bytes, at: &cursor) else { return nil }
            guard length <= UInt64(Int(header.rawLength) - cursor) else {
                throw StorageError.corruption(path, offset, "record framing runs past the block payload")
            }
            timestamp = timestamp &+ Varint.unzigzag(delta)
            guard timestamp >= header.minTimestamp && timestamp <= header.maxTimestamp else {
                throw StorageError.corruption(path, offset, "record timestamp outside the block's range")
            }
            let end = cursor + Int(length)
            if current == last { return (mark, end) }
            if end > bytes.count { return nil }
            cursor = end
            current += 1
        }
    }

    private func ensure(_ buffer: inout UnsafeMutableRawBufferPointer, _ count: Int) {
        guard buffer.count < count else { return }
        var capacity = buffer.count
        while capacity < count { capacity *= 2 }
        buffer.deallocate()
        buffer = .allocate(byteCount: capacity, alignment: 8)
    }

    /// Calls `body` for each record of the loaded block from `position` on,
    /// until it returns false. Returns false when `body` stopped early.
    ///
    /// - Throws: corruption when the records do not exactly fill the payload
    ///   (wrong count, truncated framing, timestamps outside the header's
    ///   range), or what `body` throws.
    @discardableResult
    func forEachRecord(from position: UInt64, _ body: (RecordView) throws -> Bool) throws -> Bool {
        guard let header else { return true }
        let bytes = payload
        let start = position >= resume.position ? resume : RecordMark(position: header.firstPosition, cursor: 0, timestamp: 0)
        var cursor = start.cursor
        var timestamp = start.timestamp
        var current = start.position
        let end = decodedEnd
        while current < end {
            guard let length = Varint.read(bytes, at: &cursor),
                  let delta = Varint.read(bytes, at: &cursor),
                  length <= UInt64(bytes.count - cursor)
            else { throw StorageError.corruption(path, offset, "record framing runs past the block payload") }
            timestamp = timestamp &+ Varint.unzigzag(delta)
            guard timestamp >= header.minTimestamp && timestamp <= header.maxTimestamp else {
                throw StorageError.corruption(path, offset, "record timestamp outside the block's range")
            }
            let start = cursor
            cursor += Int(length)
            if current >= position {
                let view = RecordView(position: current, timestamp: timestamp,
                                      payload: UnsafeRawBufferPointer(rebasing: bytes[start..<cursor]))
                if try !body(view) { return false }
            }
            current += 1
        }
        guard cursor == bytes.count || !isComplete else {
            throw StorageError.corruption(path, offset, "block payload holds more bytes than its records")
        }
        return true
    }

    /// Walks every record to check the framing, without calling anything.
    func validateRecords() throws(StorageError) {
        do {
            try forEachRecord(from: 0) { _ in true }
        } catch let error as StorageError {
            throw error
        } catch {
            fatalError("unreachable: the body does not throw")
        }
    }
}
