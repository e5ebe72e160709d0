import CLZ4

/// LZ4 block compression (liblz4, level 1 "default"), the codec of block payloads.
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
}
