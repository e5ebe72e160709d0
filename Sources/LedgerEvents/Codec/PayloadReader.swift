// The primitives of Docs/EventCodec.md ("Primitives"), read.

/// Reads event-codec primitives from a payload, front to back.
///
/// Every read checks its bounds first and throws an ``EventCodecError``
/// naming the offset where the field starts; nothing traps on any input and
/// nothing is allocated for a length before that many bytes are known to be
/// there. Accepts only the forms ``PayloadWriter`` writes (shortest varints,
/// canonical numbers), so a payload that decodes re-encodes to itself.
struct PayloadReader {
    let buffer: UnsafeRawBufferPointer
    private(set) var offset: Int

    init(_ buffer: UnsafeRawBufferPointer, offset: Int = 0) {
        self.buffer = buffer
        self.offset = offset
    }

    /// Bytes not yet read.
    var remaining: Int { buffer.count - offset }

    var isAtEnd: Bool { offset >= buffer.count }

    @inline(never)
    func failure(_ reason: String, at offset: Int) -> EventCodecError {
        EventCodecError(offset: offset, reason: reason)
    }

    @inline(__always)
    mutating func byte(_ what: @autoclosure () -> String) throws(EventCodecError) -> UInt8 {
        guard offset < buffer.count else { throw failure("truncated: \(what()) missing", at: offset) }
        let value = buffer[offset]
        offset += 1
        return value
    }

    /// Unsigned LEB128: at most 10 bytes, no bits beyond 64, shortest form.
    @inline(__always)
    mutating func varint(_ what: @autoclosure () -> String) throws(EventCodecError) -> UInt64 {
        let start = offset
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var i = offset
        while i < buffer.count {
            let byte = buffer[i]
            i += 1
            if shift == 63 && byte > 1 {
                throw failure("\(what()): varint overflows 64 bits", at: start)
            }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 {
                if byte == 0 && i - start > 1 {
                    throw failure("\(what()): varint not in shortest form", at: start)
                }
                offset = i
                return result
            }
            shift += 7
        }
        throw failure("truncated: \(what()) runs past the end of the payload", at: start)
    }

    /// A zigzag varint as an `Int`.
    mutating func int(_ what: @autoclosure () -> String) throws(EventCodecError) -> Int {
        let start = offset
        let value = WireNumber.unzigzag(try varint(what()))
        guard let result = Int(exactly: value) else {
            throw failure("\(what()) \(value) does not fit this platform's Int", at: start)
        }
        return result
    }

    /// A time stored as a zigzag millisecond delta from `base`.
    mutating func time(_ what: @autoclosure () -> String, relativeTo base: EventTime) throws(EventCodecError) -> EventTime {
        let delta = WireNumber.unzigzag(try varint(what()))
        return EventTime(millisecondsSince1970: base.millisecondsSince1970 &+ delta)
    }

    /// `varint(byteLength) utf8`, validated as UTF-8.
    @inline(__always)
    mutating func string(_ what: @autoclosure () -> String) throws(EventCodecError) -> String {
        // The common case, inline: a one-byte length (under 128 bytes, so
        // shortest form whatever its value) and ASCII text.
        let n = buffer.count
        if offset < n, let base = buffer.baseAddress {
            let length = Int(buffer[offset])
            if length < 0x80 && length < n - offset {
                let bytes = (base + offset + 1).assumingMemoryBound(to: UInt8.self)
                if let small = SmallASCIIString.make(bytes, count: length, readable: n - offset - 1) {
                    offset += 1 + length
                    return small
                }
                if Self.isASCII(UnsafeRawPointer(base), start: offset + 1, count: length, readable: n) {
                    offset += 1 + length
                    return String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self)
                }
            }
        }
        return try generalString(what())
    }

    /// ``string(_:)`` without building the String: checks the same things
    /// (shortest-form length within the bytes left, valid UTF-8), throws the
    /// same errors, and returns where the string's bytes lie.
    @inline(__always)
    mutating func stringRange(_ what: @autoclosure () -> String) throws(EventCodecError) -> Range<Int> {
        let n = buffer.count
        if offset < n, let base = buffer.baseAddress {
            let length = Int(buffer[offset])
            if length < 0x80 && length < n - offset {
                let start = offset + 1
                if Self.isASCII(UnsafeRawPointer(base), start: start, count: length, readable: n) {
                    offset = start + length
                    return start..<offset
                }
            }
        }
        return try generalStringRange(what())
    }

    /// Where a string's bytes lie, its length checked (shortest form, within
    /// the bytes left) but not its UTF-8: for fields validated later, with
    /// ``utf8Failure(_:_:in:)``.
    @inline(__always)
    mutating func unvalidatedStringRange(_ what: @autoclosure () -> String) throws(EventCodecError) -> Range<Int> {
        let n = buffer.count
        if offset < n {
            let length = Int(buffer[offset])
            if length < 0x80 && length < n - offset {
                let start = offset + 1
                offset = start + length
                return start..<offset
            }
        }
        return try generalUnvalidatedStringRange(what())
    }

    /// Where the next string lies, for a string these checks accepted
    /// before (a shortest-form length within the bytes, valid UTF-8): read
    /// again without them, to walk a list left in place.
    mutating func checkedStringRange() -> Range<Int> {
        var length = 0
        var shift = 0
        while true {
            let byte = buffer[offset]
            offset += 1
            length |= Int(byte & 0x7F) << shift
            if byte < 0x80 { break }
            shift += 7
        }
        let start = offset
        offset += length
        return start..<offset
    }

    @inline(never)
    mutating func generalUnvalidatedStringRange(_ what: @autoclosure () -> String) throws(EventCodecError) -> Range<Int> {
        let start = offset
        let length = try varint(what())
        guard length <= UInt64(remaining) else {
            throw failure("truncated: \(what()) of \(length) bytes runs past the end of the payload (\(remaining) left)", at: start)
        }
        let range = offset..<(offset + Int(length))
        offset = range.upperBound
        return range
    }

    /// The error ``string(_:)`` would have thrown for the string whose bytes
    /// are `range` (read by ``unvalidatedStringRange(_:)``), or nil when
    /// they are valid UTF-8.
    static func utf8Failure(_ what: String, _ range: Range<Int>, in buffer: UnsafeRawBufferPointer) -> EventCodecError? {
        guard let base = buffer.baseAddress, !range.isEmpty else { return nil }
        if isASCII(base, start: range.lowerBound, count: range.count, readable: buffer.count) { return nil }
        let bytes = UnsafeBufferPointer(start: (base + range.lowerBound).assumingMemoryBound(to: UInt8.self), count: range.count)
        if isValidUTF8(bytes) { return nil }
        // The field starts at its length, a shortest-form varint.
        var lengthBytes = 1
        var length = range.count >> 7
        while length > 0 { lengthBytes += 1; length >>= 7 }
        return EventCodecError(offset: range.lowerBound - lengthBytes, reason: "\(what) is not valid UTF-8")
    }

    /// ``stringRange(_:)`` for any length and any UTF-8.
    @inline(never)
    mutating func generalStringRange(_ what: @autoclosure () -> String) throws(EventCodecError) -> Range<Int> {
        let start = offset
        let length = try varint(what())
        guard length <= UInt64(remaining) else {
            throw failure("truncated: \(what()) of \(length) bytes runs past the end of the payload (\(remaining) left)", at: start)
        }
        let end = offset + Int(length)
        let slice = UnsafeRawBufferPointer(rebasing: buffer[offset..<end]).assumingMemoryBound(to: UInt8.self)
        guard Self.isValidUTF8(slice) else {
            throw failure("\(what()) is not valid UTF-8", at: start)
        }
        let range = offset..<end
        offset = end
        return range
    }

    /// Whether the `count` bytes at `base + start` are all ASCII, with
    /// whole-word loads only (no byte-by-byte tail): a last word overlapping
    /// the previous one, or for fewer than 8 bytes one word masked, read
    /// from `start` or ending at `start + count`, whichever stays inside
    /// the `readable` bytes from `base`.
    @inline(__always)
    static func isASCII(_ base: UnsafeRawPointer, start: Int, count: Int, readable: Int) -> Bool {
        let high: UInt64 = 0x8080_8080_8080_8080
        #if _endian(little)
        if count >= 8 {
            var bits: UInt64 = 0
            var i = start
            let last = start + count - 8
            while i < last {
                bits |= base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                i += 8
            }
            bits |= base.loadUnaligned(fromByteOffset: last, as: UInt64.self)
            return bits & high == 0
        }
        if count == 0 { return true }
        if start + 8 <= readable {
            // The string is the word's low `count` bytes.
            let word = base.loadUnaligned(fromByteOffset: start, as: UInt64.self)
            return word & (UInt64(1) << UInt64(count &* 8) &- 1) & high == 0
        }
        if start + count >= 8 {
            // The string is the word's high `count` bytes.
            let word = base.loadUnaligned(fromByteOffset: start + count - 8, as: UInt64.self)
            return word & ~(UInt64(1) << UInt64((8 &- count) &* 8) &- 1) & high == 0
        }
        #endif
        return isASCII((base + start).assumingMemoryBound(to: UInt8.self), count)
    }

    /// Whether the `count` bytes at `p` are all ASCII, eight at a time.
    @inline(__always)
    static func isASCII(_ p: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        var i = 0
        var bits: UInt64 = 0
        let raw = UnsafeRawPointer(p)
        while i + 8 <= count {
            bits |= raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < count {
            bits |= UInt64(p[i])
            i += 1
        }
        return bits & 0x8080_8080_8080_8080 == 0
    }

    /// ``string(_:)`` for any length and any UTF-8.
    @inline(never)
    mutating func generalString(_ what: @autoclosure () -> String) throws(EventCodecError) -> String {
        // Validated by generalStringRange (String(validating:) on the raw
        // buffer is 5-10 times slower than validating there and building
        // with decoding:).
        let range = try generalStringRange(what())
        let slice = UnsafeRawBufferPointer(rebasing: buffer[range]).assumingMemoryBound(to: UInt8.self)
        return String(decoding: slice, as: UTF8.self)
    }

    /// Whether `bytes` is well-formed UTF-8 (Unicode 15, table 3-7): no
    /// overlong forms, surrogates, values above U+10FFFF or cut sequences.
    static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = bytes.count
        var i = 0
        // ASCII, eight bytes at a time.
        while i + 8 <= n {
            let word = UnsafeRawPointer(bytes.baseAddress! + i).loadUnaligned(as: UInt64.self)
            if word & 0x8080_8080_8080_8080 != 0 { break }
            i += 8
        }
        while i < n {
            let b0 = bytes[i]
            if b0 < 0x80 {
                i += 1
                continue
            }
            @inline(__always) func continuation(_ k: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xBF) -> Bool {
                i + k < n && bytes[i + k] >= low && bytes[i + k] <= high
            }
            switch b0 {
            case 0xC2...0xDF:
                guard continuation(1) else { return false }
                i += 2
            case 0xE0...0xEF:
                let ok = switch b0 {
                case 0xE0: continuation(1, 0xA0)
                case 0xED: continuation(1, 0x80, 0x9F)
                default: continuation(1)
                }
                guard ok && continuation(2) else { return false }
                i += 3
            case 0xF0...0xF4:
                let ok = switch b0 {
                case 0xF0: continuation(1, 0x90)
                case 0xF4: continuation(1, 0x80, 0x8F)
                default: continuation(1)
                }
                guard ok && continuation(2) && continuation(3) else { return false }
                i += 4
            default:
                return false
            }
        }
        return true
    }

    /// `varint(count) string{count}`.
    mutating func strings(_ what: @autoclosure () -> String) throws(EventCodecError) -> [String] {
        let start = offset
        let count = try varint(what())
        // Each string takes at least its one-byte length.
        guard count <= UInt64(remaining) else {
            throw failure("truncated: \(what()) claims \(count) strings, \(remaining) bytes left", at: start)
        }
        var values: [String] = []
        // A claimed count is bounded by the bytes left, but a String is 16
        // bytes per 1 byte of input: reserve little, let a real array grow.
        values.reserveCapacity(Swift.min(Int(count), 64))
        for _ in 0..<Int(count) {
            values.append(try string(what()))
        }
        return values
    }

    /// A number: compact decimal head, or head 7 and 8 IEEE bytes.
    mutating func number(_ what: @autoclosure () -> String) throws(EventCodecError) -> Double {
        let start = offset
        let head = try varint(what())
        let value: Double
        if head & 7 == WireNumber.rawScale {
            guard head == WireNumber.rawScale else {
                throw failure("\(what()): raw number head has a non-zero mantissa", at: start)
            }
            guard remaining >= 8 else {
                throw failure("truncated: \(what()) needs 8 bytes, \(remaining) left", at: start)
            }
            var bits: UInt64 = 0
            for k in 0..<8 {
                bits |= UInt64(buffer[offset + k]) << (8 * UInt64(k))
            }
            offset += 8
            value = Double(bitPattern: bits)
            guard WireNumber.compactHead(value) == nil else {
                throw failure("\(what()): raw number \(value) has a compact form (not canonical)", at: start)
            }
        } else {
            let mantissa = WireNumber.unzigzag(head >> 3)
            guard mantissa.magnitude <= 1 << 53 else {
                throw failure("\(what()): number mantissa \(mantissa) exceeds 2^53", at: start)
            }
            value = Double(mantissa) / WireNumber.powerOfTen(Int(head & 7))
            guard WireNumber.compactHead(value) == head else {
                throw failure("\(what()): number \(value) is not in canonical form", at: start)
            }
        }
        return value
    }

    /// A presence byte whose bits outside `known` must be zero.
    mutating func presence(_ known: UInt8, _ what: @autoclosure () -> String) throws(EventCodecError) -> UInt8 {
        let start = offset
        let bits = try byte("\(what()) presence byte")
        guard bits & ~known == 0 else {
            throw failure("\(what()): unknown presence bits 0x\(Self.hex(bits & ~known))", at: start)
        }
        return bits
    }

    /// A one-byte enumeration code.
    mutating func code<Value: WireEnum>(_ type: Value.Type) throws(EventCodecError) -> Value {
        let start = offset
        let raw = try byte(Value.wireName)
        guard let value = Value(wireCode: raw) else {
            throw failure("unknown \(Value.wireName) code \(raw)", at: start)
        }
        return value
    }

    /// A boolean byte: 0 or 1.
    mutating func bool(_ what: @autoclosure () -> String) throws(EventCodecError) -> Bool {
        let start = offset
        switch try byte(what()) {
        case 0: return false
        case 1: return true
        case let other: throw failure("\(what()) byte must be 0 or 1, not \(other)", at: start)
        }
    }

    /// The rest of the payload, copied.
    mutating func rest() -> [UInt8] {
        let bytes = Array(UnsafeRawBufferPointer(rebasing: buffer[offset..<buffer.count]))
        offset = buffer.count
        return bytes
    }

    /// Throws when bytes remain after a complete body.
    func expectEnd(_ what: String) throws(EventCodecError) {
        guard offset == buffer.count else {
            throw failure("\(buffer.count - offset) trailing bytes after the \(what) body", at: offset)
        }
    }
}

extension PayloadReader {
    /// Two lower-case hex digits, for reasons.
    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 15)]], as: UTF8.self)
    }
}
