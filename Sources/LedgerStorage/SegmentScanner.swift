/// Walks a segment's blocks from an offset, checking each one, and decides
/// what a bad or unfinished tail is.
///
/// The rules (Docs/SegmentFormat.md, "Recovery"):
/// - A block counts only when its header and payload checksums match and it
///   continues the position sequence.
/// - Committed data ends after the last block whose `batchEnd` flag is set;
///   blocks after it belong to a batch that was never completed.
/// - A problem at offset P is a *torn tail* when no intact block anywhere in
///   the segment claims (through `durableThrough`) that data past P was
///   durable; the tail from the last committed block on is then cut. It is
///   *damage* otherwise, and open fails naming the file and offset: durable
///   data is never dropped or "repaired".
struct SegmentScanner {
    struct Result {
        /// The committed blocks found, in order.
        var entries: [IndexEntry] = []
        var endOffset: Int64
        var endPosition: UInt64
        /// The first problem past the committed end, if any.
        var tail: Tail?
    }

    struct Tail {
        var offset: Int64
        var bytes: Int64
        var reason: String
        /// True when intact later blocks show the bad bytes had been durable.
        var isDamage: Bool
        /// Where the damage is (the first bad block), for error messages.
        var damageOffset: Int64
    }

    let file: SystemFile
    let reader: BlockReader

    /// Scans `[offset, fileSize)`, expecting the first block at `position`.
    /// - Parameter decompress: also decompress each payload and walk its
    ///   records (what `verify` does); recovery checks checksums only.
    func scan(from offset: Int64, position: UInt64, fileSize: Int64, decompress: Bool = false) throws(StorageError) -> Result {
        var result = Result(endOffset: offset, endPosition: position)
        var pending: [IndexEntry] = []
        var at = offset
        var next = position
        var maxClaim: UInt64 = 0
        var problem: (offset: Int64, reason: String)?
        while at < fileSize {
            if fileSize - at < Int64(SegmentFormat.blockHeaderLength) {
                problem = (at, "partial block header at end of file")
                break
            }
            do throws(StorageError) {
                try reader.load(file, at: at, expected: nil, decompress: decompress)
                if decompress { try reader.validateRecords() }
            } catch where error.kind == .corruption {
                problem = (at, error.message)
                break
            }
            let header = reader.header!
            guard header.firstPosition == next else {
                problem = (at, "block position \(header.firstPosition) does not follow \(next)")
                break
            }
            maxClaim = max(maxClaim, header.durableThrough)
            pending.append(IndexEntry(header: header, offset: at))
            at += Int64(header.totalLength)
            next = header.endPosition
            if header.endsBatch {
                result.entries.append(contentsOf: pending)
                pending.removeAll()
                result.endOffset = at
                result.endPosition = next
            }
        }
        guard result.endOffset < fileSize else { return result }
        let badAt = problem?.offset ?? at
        let reason = problem?.reason ?? "batch not completed before end of file"
        if problem != nil {
            maxClaim = max(maxClaim, try laterDurabilityClaims(after: badAt, fileSize: fileSize))
        }
        result.tail = Tail(offset: result.endOffset, bytes: fileSize - result.endOffset, reason: reason,
                           isDamage: maxClaim > UInt64(badAt), damageOffset: badAt)
        return result
    }

    /// The largest `durableThrough` of any intact block header found at any
    /// byte offset after `offset` (the bytes between may be garbage).
    func laterDurabilityClaims(after offset: Int64, fileSize: Int64) throws(StorageError) -> UInt64 {
        var claim: UInt64 = 0
        try forEachIntactHeader(after: offset, fileSize: fileSize) { _, header in
            claim = max(claim, header.durableThrough)
            return true
        }
        return claim
    }

    /// Calls `body` with every block header whose magic and checksum are
    /// intact, at any byte offset after `offset`, in file order, until it
    /// returns false. Reads the file in 1 MiB chunks.
    func forEachIntactHeader(after offset: Int64, fileSize: Int64,
                             _ body: (_ offset: Int64, _ header: BlockHeader) -> Bool) throws(StorageError) {
        let chunk = 1 << 20
        let headerLength = SegmentFormat.blockHeaderLength
        var start = offset + 1
        while start + Int64(headerLength) <= fileSize {
            let want = Int(min(Int64(chunk + headerLength), fileSize - start))
            let buffer = try file.read(fromAbsoluteOffset: start, count: want)
            var stopped = false
            buffer.withUnsafeBytes { raw in
                var i = 0
                while i + headerLength <= raw.count {
                    // The magic sits at bytes 4..<8 of a header: "PBLK".
                    if raw[i + 4] == 0x50, raw[i + 5] == 0x42, raw[i + 6] == 0x4C, raw[i + 7] == 0x4B,
                       case .success(let header) = BlockHeader.decode(UnsafeRawBufferPointer(rebasing: raw[i..<(i + headerLength)])),
                       !body(start + Int64(i), header) {
                        stopped = true
                        return
                    }
                    i += 1
                }
            }
            if stopped || buffer.count < want { return }
            start += Int64(chunk)
        }
    }
}
