import CLZ4

/// A reusable LZ4 compression state.
///
/// `LZ4_compress_default` clears a 16 KiB hash table on every call, which
/// dominated small appends (profiled in BENCHMARKS.md). This keeps one
/// stream state and starts each block with `LZ4_resetStream_fast`, which
/// compresses every block independently (no history is carried over), so
/// the output is the same LZ4 block format `LZ4_decompress_safe` reads.
/// Not thread-safe: one per writer.
final class LZ4Compressor: @unchecked Sendable {
    private let stream: UnsafeMutablePointer<LZ4_stream_t>

    init() {
        guard let stream = LZ4_createStream() else { fatalError("LZ4_createStream failed: out of memory") }
        self.stream = stream
    }

    deinit { LZ4_freeStream(stream) }

    /// Compresses `source` into `destination` (at least
    /// `LZ4.compressBound(source.count)` bytes) as an independent block.
    /// Returns the compressed length, 0 on failure. Allocation-free.
    func compress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) -> Int {
        guard source.count > 0 else { return 0 }
        LZ4_resetStream_fast(stream)
        let written = LZ4_compress_fast_continue(
            stream,
            source.baseAddress!.assumingMemoryBound(to: CChar.self),
            destination.baseAddress!.assumingMemoryBound(to: CChar.self),
            Int32(source.count), Int32(destination.count), 1)
        return Int(written)
    }
}

/// LZ4 block compression (liblz4, acceleration 1), the codec of block payloads.
enum LZ4 {
    /// The largest output `compress` can produce for `count` input bytes.
    static func compressBound(_ count: Int) -> Int {
        Int(LZ4_compressBound(Int32(count)))
    }

    /// Compresses `source` into `destination`, which must hold at least
    /// `compressBound(source.count)` bytes. Returns the compressed length.
    /// Allocation-free.
    static func compress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) -> Int {
        guard source.count > 0 else { return 0 }
        let written = LZ4_compress_default(
            source.baseAddress!.assumingMemoryBound(to: CChar.self),
            destination.baseAddress!.assumingMemoryBound(to: CChar.self),
            Int32(source.count), Int32(destination.count))
        return Int(written)
    }

    /// Decompresses `source` into exactly `destination.count` bytes.
    /// Returns false when the input is malformed or does not decode to
    /// exactly that many bytes; never reads or writes out of bounds.
    static func decompress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) -> Bool {
        if destination.count == 0 { return source.count == 0 }
        guard let src = source.baseAddress, source.count > 0 else { return false }
        let produced = LZ4_decompress_safe(
            src.assumingMemoryBound(to: CChar.self),
            destination.baseAddress!.assumingMemoryBound(to: CChar.self),
            Int32(source.count), Int32(destination.count))
        return Int(produced) == destination.count
    }

    /// Decompresses only the first `count` bytes of the block `source`
    /// (the whole compressed block) into `destination`, stopping there
    /// (liblz4's `LZ4_decompress_safe_partial`; the data before a point of
    /// an LZ4 block never depends on what follows it).
    ///
    /// `count` must be at most `destination.count`, and `destination.count`
    /// at most the block's decompressed length. Returns false when the input
    /// is malformed or holds fewer than `count` bytes; never reads or writes
    /// out of bounds.
    static func decompress(prefix count: Int, of source: UnsafeRawBufferPointer,
                           into destination: UnsafeMutableRawBufferPointer) -> Bool {
        precondition(count >= 0 && count <= destination.count)
        if count == 0 { return true }
        guard let src = source.baseAddress, source.count > 0 else { return false }
        let produced = LZ4_decompress_safe_partial(
            src.assumingMemoryBound(to: CChar.self),
            destination.baseAddress!.assumingMemoryBound(to: CChar.self),
            Int32(source.count), Int32(count), Int32(destination.count))
        return Int(produced) == count
    }
}
