/// Splitting JSON Lines text into lines as events.md says: lines end with
/// LF or CRLF; a final line end does not start another line; a last line
/// without a line end counts. Empty, whitespace-only and byte-order-mark
/// lines are passed on like any other: ``EventJSON/decode(line:)`` reports
/// them (`empty line`, ...), so an importer reports every invalid line of a
/// file with its number.
///
/// ```swift
/// var errors: [String] = []
/// bytes.withUnsafeBytes { file in
///     JSONLines.forEachLine(in: file) { number, line in
///         switch EventJSON.decode(line: line) {
///         case .success(let event): events.append(event)
///         case .failure(let error): errors.append("\(path):\(number): \(error.message)")
///         }
///     }
/// }
/// ```
public enum JSONLines {
    /// Calls `body` for each line of `bytes`, in order.
    ///
    /// - Parameters:
    ///   - bytes: the whole text (for text that arrives in chunks, use
    ///     ``JSONLinesReader``).
    ///   - body: gets the 1-based line number and the line's bytes without
    ///     its line end (LF, or CR LF); valid only during the call. It may
    ///     throw to stop.
    ///
    /// Allocation-free; a lone CR is not a line end (it stays in the line,
    /// where JSON treats it as whitespace).
    public static func forEachLine<E: Error>(
        in bytes: UnsafeRawBufferPointer,
        _ body: (_ lineNumber: Int, _ line: UnsafeRawBufferPointer) throws(E) -> Void
    ) throws(E) {
        var number = 0
        let rest = try completeLines(in: bytes, numberedAfter: &number, body)
        if rest.count > 0 { try body(number + 1, rest) }
    }

    /// Delivers the lines of `bytes` that end with LF; returns the bytes
    /// after the last LF.
    static func completeLines<E: Error>(
        in bytes: UnsafeRawBufferPointer,
        numberedAfter number: inout Int,
        _ body: (Int, UnsafeRawBufferPointer) throws(E) -> Void
    ) throws(E) -> UnsafeRawBufferPointer {
        guard let base = bytes.baseAddress else { return bytes }
        let n = bytes.count
        var start = 0
        while let lf = indexOfLineFeed(base, from: start, to: n) {
            number += 1
            try body(number, UnsafeRawBufferPointer(start: base + start, count: lineLength(base, start, lf)))
            start = lf + 1
        }
        return UnsafeRawBufferPointer(start: base + start, count: n - start)
    }

    /// The length of the line from `start` to the LF at `lf`, less a CR
    /// before the LF.
    @inline(__always)
    static func lineLength(_ base: UnsafeRawPointer, _ start: Int, _ lf: Int) -> Int {
        lf > start && base.load(fromByteOffset: lf - 1, as: UInt8.self) == 0x0D ? lf - 1 - start : lf - start
    }

    /// The offset of the first LF in `from..<to`, eight bytes at a time.
    @inline(__always)
    static func indexOfLineFeed(_ base: UnsafeRawPointer, from: Int, to end: Int) -> Int? {
        var i = from
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while i + 8 <= end {
            let word = base.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ (ones &* 0x0A)
            if (word &- ones) & ~word & highs != 0 { break }
            i += 8
        }
        while i < end {
            if base.load(fromByteOffset: i, as: UInt8.self) == 0x0A { return i }
            i += 1
        }
        return nil
    }
}

/// Splits JSON Lines text that arrives in chunks (a file read block by
/// block, standard input) into lines, carrying a partial last line from one
/// chunk to the next; numbers lines from 1 across chunks. Lines as
/// ``JSONLines/forEachLine(in:_:)`` delivers them.
///
/// Memory: the partial line only (lines wholly inside a chunk are passed
/// on in place). Not thread-safe; one reader per stream.
///
/// ```swift
/// var reader = JSONLinesReader()
/// while let chunk = try file.read(upTo: 1 << 20) {
///     chunk.withUnsafeBytes { reader.feed($0) { n, line in check(n, line) } }
/// }
/// reader.finish { n, line in check(n, line) }
/// ```
public struct JSONLinesReader: Sendable {
    /// The number of lines delivered so far.
    public private(set) var lineCount = 0
    private var partial: [UInt8] = []

    /// A reader at the start of a text (the next line is line 1).
    public init() {}

    /// Delivers every line that `chunk` completes; keeps the rest for the
    /// next chunk.
    ///
    /// - Parameters:
    ///   - chunk: the next bytes of the text, of any size.
    ///   - body: as in ``JSONLines/forEachLine(in:_:)``. If it throws,
    ///     the reader should not be used further.
    public mutating func feed<E: Error>(
        _ chunk: UnsafeRawBufferPointer,
        _ body: (_ lineNumber: Int, _ line: UnsafeRawBufferPointer) throws(E) -> Void
    ) throws(E) {
        guard let base = chunk.baseAddress, chunk.count > 0 else { return }
        var rest = chunk
        if !partial.isEmpty {
            guard let lf = JSONLines.indexOfLineFeed(base, from: 0, to: chunk.count) else {
                partial.append(contentsOf: chunk)
                return
            }
            partial.append(contentsOf: UnsafeRawBufferPointer(start: base, count: lf))
            if partial.last == 0x0D { partial.removeLast() }
            lineCount += 1
            let number = lineCount
            let result: Result<Void, E> = partial.withUnsafeBytes { line in
                do throws(E) { try body(number, line); return .success(()) } catch { return .failure(error) }
            }
            partial.removeAll(keepingCapacity: true)
            try result.get()
            rest = UnsafeRawBufferPointer(start: base + lf + 1, count: chunk.count - lf - 1)
        }
        let tail = try JSONLines.completeLines(in: rest, numberedAfter: &lineCount, body)
        partial.append(contentsOf: tail)
    }

    /// Delivers the last line if the text did not end with a line end
    /// (a final line end does not start a line).
    public mutating func finish<E: Error>(
        _ body: (_ lineNumber: Int, _ line: UnsafeRawBufferPointer) throws(E) -> Void
    ) throws(E) {
        guard !partial.isEmpty else { return }
        lineCount += 1
        let number = lineCount
        let result: Result<Void, E> = partial.withUnsafeBytes { line in
            do throws(E) { try body(number, line); return .success(()) } catch { return .failure(error) }
        }
        partial.removeAll()
        try result.get()
    }
}
