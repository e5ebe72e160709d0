#if canImport(Glibc)
import Glibc
#endif
import CLZ4Baseline

/// The corpus framed exactly as the log frames records in a block's raw
/// payload (varint length, varint zigzag timestamp delta from the previous
/// record of the block, first delta from 0, then the bytes), cut into
/// chunks with the log's block rule: a chunk is closed before a record that
/// could take it past `chunkBytes`.
///
/// These are the bytes the log compresses, so the baselines below do the
/// same work as the log minus everything the log adds. Immutable once built.
public final class FramedChunks: @unchecked Sendable {
    public struct Chunk: Sendable {
        public var offset: Int
        public var length: Int
        public var events: Int
    }

    public let chunks: [Chunk]
    public let bytes: UnsafeMutableRawBufferPointer
    /// Framed bytes in all chunks.
    public let totalBytes: Int
    /// Events in all chunks (one corpus cycle).
    public let events: Int

    public init(corpus: Corpus, chunkBytes: Int) {
        let capacity = corpus.payloadBytes + corpus.count * 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
        var chunks: [Chunk] = []
        var at = 0
        var chunkStart = 0
        var inChunk = 0
        var last: Int64 = 0
        for i in 0..<corpus.count {
            let payload = corpus.payload(i)
            if inChunk > 0 && (at - chunkStart) + payload.count + 20 > chunkBytes {
                chunks.append(Chunk(offset: chunkStart, length: at - chunkStart, events: inChunk))
                chunkStart = at
                inChunk = 0
            }
            if inChunk == 0 { last = 0 }
            let timestamp = corpus.timestamp(ofEvent: i)
            at += Self.writeVarint(UInt64(payload.count), buffer.baseAddress! + at)
            let delta = timestamp &- last
            at += Self.writeVarint(UInt64(bitPattern: (delta << 1) ^ (delta >> 63)), buffer.baseAddress! + at)
            (buffer.baseAddress! + at).copyMemory(from: payload.baseAddress!, byteCount: payload.count)
            at += payload.count
            last = timestamp
            inChunk += 1
        }
        if inChunk > 0 { chunks.append(Chunk(offset: chunkStart, length: at - chunkStart, events: inChunk)) }
        self.bytes = buffer
        self.chunks = chunks
        self.totalBytes = at
        self.events = corpus.count
    }

    deinit { bytes.deallocate() }

    @inline(__always)
    public func chunkBytes(_ i: Int) -> UnsafeRawBufferPointer {
        let c = chunks[i]
        return UnsafeRawBufferPointer(start: bytes.baseAddress! + c.offset, count: c.length)
    }

    private static func writeVarint(_ value: UInt64, _ to: UnsafeMutableRawPointer) -> Int {
        var v = value
        var n = 0
        while v >= 0x80 {
            to.storeBytes(of: UInt8(truncatingIfNeeded: v) | 0x80, toByteOffset: n, as: UInt8.self)
            v >>= 7
            n += 1
        }
        to.storeBytes(of: UInt8(v), toByteOffset: n, as: UInt8.self)
        return n + 1
    }
}

/// Walks chunks cyclically so that, on average, exactly the requested number
/// of events is processed (whole chunks only, as the log processes whole
/// blocks).
struct ChunkCursor {
    var next = 0
    var owed = 0

    mutating func forEvents(_ events: Int, in framed: FramedChunks, _ body: (Int) -> Void) {
        owed += events
        while owed > 0 {
            body(next)
            owed -= framed.chunks[next].events
            next += 1
            if next == framed.chunks.count { next = 0 }
        }
    }
}

/// Baseline (the compression ceiling): `LZ4_compress_default` alone over the
/// log's raw block bytes in `chunkBytes` chunks; no checksum, no I/O, no
/// batching. Allocation-free per call.
public final class LZ4CompressBaseline: @unchecked Sendable {
    let framed: FramedChunks
    private var cursor = ChunkCursor()
    private let output: UnsafeMutableRawBufferPointer
    /// Compressed bytes produced so far.
    public private(set) var compressedBytes = 0
    /// Raw bytes consumed so far.
    public private(set) var rawBytes = 0

    public init(framed: FramedChunks) {
        self.framed = framed
        let largest = framed.chunks.map(\.length).max() ?? 0
        output = .allocate(byteCount: Int(LZ4_compressBound(Int32(largest))), alignment: 16)
    }

    deinit { output.deallocate() }

    /// Compresses the chunks holding the next `events` events.
    public func run(events: Int) {
        cursor.forEvents(events, in: framed) { i in
            let source = framed.chunkBytes(i)
            let n = LZ4_compress_default(source.baseAddress!.assumingMemoryBound(to: CChar.self),
                                         output.baseAddress!.assumingMemoryBound(to: CChar.self),
                                         Int32(source.count), Int32(output.count))
            precondition(n > 0, "LZ4_compress_default failed")
            compressedBytes += Int(n)
            rawBytes += source.count
        }
    }
}

/// Baseline (the decompression ceiling): `LZ4_decompress_safe` alone over
/// the same chunks, compressed beforehand, into one reused buffer; no read
/// syscall, no checksum, no record walk.
public final class LZ4DecompressBaseline: @unchecked Sendable {
    let framed: FramedChunks
    private var cursor = ChunkCursor()
    private let compressed: UnsafeMutableRawBufferPointer
    private let compressedChunks: [(offset: Int, length: Int)]
    private let output: UnsafeMutableRawBufferPointer
    /// The sum of decompressed lengths, so the work is observable.
    public private(set) var produced = 0
    public let compressedBytes: Int

    public init(framed: FramedChunks) {
        self.framed = framed
        let largest = framed.chunks.map(\.length).max() ?? 0
        let bound = Int(LZ4_compressBound(Int32(largest)))
        let area = UnsafeMutableRawBufferPointer.allocate(byteCount: bound * framed.chunks.count, alignment: 16)
        var offsets: [(Int, Int)] = []
        var at = 0
        for i in framed.chunks.indices {
            let source = framed.chunkBytes(i)
            let n = Int(LZ4_compress_default(source.baseAddress!.assumingMemoryBound(to: CChar.self),
                                             (area.baseAddress! + at).assumingMemoryBound(to: CChar.self),
                                             Int32(source.count), Int32(bound)))
            precondition(n > 0)
            offsets.append((at, n))
            at += n
        }
        compressed = area
        compressedChunks = offsets
        compressedBytes = at
        output = .allocate(byteCount: largest, alignment: 16)
    }

    deinit {
        compressed.deallocate()
        output.deallocate()
    }

    /// Decompresses the chunks holding the next `events` events.
    public func run(events: Int) {
        cursor.forEvents(events, in: framed) { i in
            let (offset, length) = compressedChunks[i]
            let n = LZ4_decompress_safe((compressed.baseAddress! + offset).assumingMemoryBound(to: CChar.self),
                                        output.baseAddress!.assumingMemoryBound(to: CChar.self),
                                        Int32(length), Int32(framed.chunks[i].length))
            precondition(Int(n) == framed.chunks[i].length, "LZ4_decompress_safe failed")
            produced &+= Int(n)
        }
    }
}

/// Baseline (the I/O ceiling): `pwrite` of the same uncompressed raw block
/// bytes, chunk by chunk at the end of a growing file, with no checksum, no
/// compression and no sync; a new file is started every `fileBytes` (a
/// segment's size). Like the log's `noSync` mode it writes into new
/// page-cache pages; files are removed only when the baseline is released,
/// so no unlink cost falls inside the measurement.
public final class RawWriteBaseline: @unchecked Sendable {
    let framed: FramedChunks
    private var cursor = ChunkCursor()
    private var descriptor: Int32 = -1
    private var offset: Int64 = 0
    private let fileBytes: Int64
    private var paths: [String] = []
    public let directory: String

    public init(framed: FramedChunks, directory: String, fileBytes: Int64 = 128 << 20) throws {
        self.framed = framed
        self.directory = directory
        self.fileBytes = fileBytes
        try roll()
    }

    deinit {
        Glibc.close(descriptor)
        for path in paths { unlink(path) }
    }

    private func roll() throws {
        if descriptor >= 0 { Glibc.close(descriptor) }
        let path = "\(directory)/raw-\(paths.count)"
        descriptor = Glibc.open(path, O_RDWR | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw BenchError("cannot create \(path): errno \(errno)") }
        paths.append(path)
        offset = 0
    }

    /// Writes the chunks holding the next `events` events.
    public func run(events: Int) {
        cursor.forEvents(events, in: framed) { i in
            let source = framed.chunkBytes(i)
            if offset + Int64(source.count) > fileBytes { try! roll() }
            var done = 0
            while done < source.count {
                let n = pwrite(descriptor, source.baseAddress! + done, source.count - done, off_t(offset) + off_t(done))
                precondition(n > 0, "pwrite failed: errno \(errno)")
                done += n
            }
            offset += Int64(source.count)
        }
    }
}

/// An error of the harness itself (setup failed), with a message.
public struct BenchError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
