/// Reads one block from a segment file, checks it and decompresses it.
///
/// Every load verifies the header checksum, that the header is the block the
/// caller expected (position and length, when an index entry led here), the
/// payload checksum, and that the payload decompresses to exactly its raw
/// length. Walking records then checks their framing. Nothing unverified is
/// ever returned.
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

    /// The decompressed payload of the loaded block.
    var payload: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: raw[0..<rawCount]) }

    /// Loads the block at `offset` of `file`.
    ///
    /// - Parameters:
    ///   - expected: the index entry that pointed here, if any; a header that
    ///     disagrees with it is reported as an index mismatch.
    /// - Throws: ``StorageError/Kind/corruption`` naming the file and offset.
    /// - Parameter decompress: false to check the checksums only (recovery
    ///   scans); ``payload`` is then not available.
    func load(_ file: SystemFile, at offset: Int64, expected: IndexEntry?, decompress: Bool = true) throws(StorageError) {
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
            header = decoded
            return
        }
        let rawLength = Int(decoded.rawLength)
        ensure(&raw, rawLength)
        let target = UnsafeMutableRawBufferPointer(rebasing: raw[0..<rawLength])
        if decoded.codec == SegmentFormat.codecLZ4 {
            guard LZ4.decompress(storedPayload, into: target) else {
                throw StorageError.corruption(file.path, offset, "block payload does not decompress to its raw length")
            }
        } else {
            target.copyMemory(from: storedPayload)
        }
        rawCount = rawLength
        header = decoded
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
        var cursor = 0
        var timestamp: Int64 = 0
        var current = header.firstPosition
        let end = header.endPosition
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
        guard cursor == bytes.count else {
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
