/// Accumulates records into one block's raw payload, then seals it into the
/// on-disk form: a 64-byte ``BlockHeader`` followed by the LZ4-compressed
/// payload (or the raw payload when compression does not shrink it).
///
/// Owned by the writer and used only under its lock (hence the unchecked
/// `Sendable`: the lock, not the type, provides the exclusion); not
/// thread-safe. Its buffers grow to the largest
/// block seen and are then reused, so steady-state appends allocate nothing.
final class BlockBuilder: @unchecked Sendable {
    private(set) var raw: UnsafeMutableRawBufferPointer
    private var output: UnsafeMutableRawBufferPointer
    private let compressor = LZ4Compressor()
    private(set) var rawCount = 0
    private(set) var recordCount = 0
    private(set) var firstPosition: UInt64 = 0
    private(set) var minTimestamp = Int64.max
    private(set) var maxTimestamp = Int64.min
    private var lastTimestamp: Int64 = 0
    /// Whether the last record added ended a batch.
    var endsAtBatchBoundary = true

    init(capacity: Int) {
        raw = .allocate(byteCount: max(capacity, 64), alignment: 8)
        output = .allocate(byteCount: SegmentFormat.blockHeaderLength + LZ4.compressBound(raw.count), alignment: 8)
    }

    deinit {
        raw.deallocate()
        output.deallocate()
    }

    var isEmpty: Bool { recordCount == 0 }

    /// The raw bytes it holds before it grows.
    var capacity: Int { raw.count }

    /// The raw bytes a record of `payloadCount` bytes takes at most.
    @inline(__always)
    static func maxEncodedSize(payloadCount: Int) -> Int { payloadCount + 2 * Varint.maxLength }

    /// Starts an empty block whose first record will be at `position`.
    func reset(firstPosition position: UInt64) {
        rawCount = 0
        recordCount = 0
        firstPosition = position
        minTimestamp = .max
        maxTimestamp = .min
    }

    /// Appends one record's framing and bytes to the raw payload.
    @inline(__always)
    func add(timestamp: Int64, payload: UnsafeRawBufferPointer) {
        let needed = rawCount + Self.maxEncodedSize(payloadCount: payload.count)
        if needed > raw.count { grow(to: needed) }
        if recordCount == 0 { lastTimestamp = 0 }  // the first delta is from 0
        let base = raw.baseAddress! + rawCount
        var n = Varint.write(UInt64(payload.count), to: base)
        n += Varint.write(Varint.zigzag(timestamp &- lastTimestamp), to: base + n)
        if payload.count > 0 {
            (base + n).copyMemory(from: payload.baseAddress!, byteCount: payload.count)
        }
        rawCount += n + payload.count
        recordCount += 1
        lastTimestamp = timestamp
        if timestamp < minTimestamp { minTimestamp = timestamp }
        if timestamp > maxTimestamp { maxTimestamp = timestamp }
    }

    @inline(never)
    private func grow(to needed: Int) {
        var capacity = raw.count
        while capacity < needed { capacity *= 2 }
        let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 8)
        bigger.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[0..<rawCount]))
        raw.deallocate()
        raw = bigger
        output.deallocate()
        output = .allocate(byteCount: SegmentFormat.blockHeaderLength + LZ4.compressBound(capacity), alignment: 8)
    }

    /// Encodes the block: header plus stored payload, contiguous, valid until
    /// the next call on this builder. Compresses with LZ4 when `compress` is
    /// set and that shrinks the payload; stores it raw otherwise.
    func seal(batchEnd: Bool, durableThrough: UInt64, compress: Bool) -> (header: BlockHeader, bytes: UnsafeRawBufferPointer) {
        precondition(recordCount > 0, "sealing an empty block")
        let payload = UnsafeRawBufferPointer(rebasing: raw[0..<rawCount])
        let storedArea = UnsafeMutableRawBufferPointer(rebasing: output[SegmentFormat.blockHeaderLength...])
        var codec = SegmentFormat.codecNone
        var storedLength = rawCount
        if compress {
            let n = compressor.compress(payload, into: storedArea)
            if n > 0 && n < rawCount {
                codec = SegmentFormat.codecLZ4
                storedLength = n
            }
        }
        if codec == SegmentFormat.codecNone {
            storedArea.baseAddress!.copyMemory(from: payload.baseAddress!, byteCount: rawCount)
        }
        let stored = UnsafeRawBufferPointer(rebasing: storedArea[0..<storedLength])
        let header = BlockHeader(
            firstPosition: firstPosition, recordCount: UInt32(recordCount),
            rawLength: UInt32(rawCount), storedLength: UInt32(storedLength),
            codec: codec, flags: batchEnd ? SegmentFormat.flagBatchEnd : 0,
            minTimestamp: minTimestamp, maxTimestamp: maxTimestamp,
            durableThrough: durableThrough, payloadCRC: CRC32C.checksum(stored))
        header.encode(into: UnsafeMutableRawBufferPointer(rebasing: output[0..<SegmentFormat.blockHeaderLength]))
        return (header, UnsafeRawBufferPointer(rebasing: output[0..<(SegmentFormat.blockHeaderLength + storedLength)]))
    }
}
