// A strict JSON tokenizer over the UTF-8 bytes of one line (RFC 8259 plus
// the edge rules of events.md): all escapes, no unpaired surrogate escapes,
// no raw control characters, valid UTF-8 only, numbers by the JSON grammar
// and finite as doubles, `null` refused wherever it appears. It never
// allocates on success except for the strings a caller materializes.

/// A JSON string in the line: the bytes between its quotes, and whether they
/// hold escapes (then ``JSONScanner/string(_:)`` decodes them).
struct JSONStringToken {
    var start: Int = 0
    var end: Int = 0
    var escaped: Bool = false
}

/// A JSON number as read.
struct JSONNumberToken {
    /// The value, correctly rounded to the nearest double.
    var value: Double
    /// Written without fraction and exponent (an events.md `int`).
    var isInt: Bool
    /// The integer value when `isInt`, clamped to the Int64 range.
    var int: Int64
    /// `isInt` and the value does not fit an Int64 (`int` is clamped).
    var intOverflow: Bool
}

struct JSONScanner {
    let base: UnsafePointer<UInt8>
    let end: Int
    var position: Int

    init(base: UnsafePointer<UInt8>, count: Int, position: Int = 0) {
        self.base = base
        self.end = count
        self.position = position
    }

    // MARK: - Bytes

    @inline(__always) var atEnd: Bool { position >= end }

    /// The byte at the position, or 0 at the end (a raw NUL is invalid
    /// everywhere outside strings, so 0 never hides a valid token).
    @inline(__always) var peek: UInt8 { position < end ? base[position] : 0 }

    @inline(__always)
    mutating func skipWhitespace() {
        while position < end {
            let b = base[position]
            guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
            position += 1
        }
    }

    @inline(__always)
    mutating func expect(_ byte: UInt8, _ what: StaticString) throws(EventValidationError) {
        guard position < end && base[position] == byte else { throw syntaxError("expected \(what)") }
        position += 1
    }

    /// Whether the bytes at the position spell `literal` (`null`, `true`, `false`).
    @inline(__always)
    func looksAt(_ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard end - position >= n else { return false }
        for i in 0..<n where base[position + i] != literal.utf8Start[i] { return false }
        return true
    }

    // MARK: - Errors

    /// `invalid JSON at column N: what` for the position (or `at`).
    func syntaxError(_ what: String, at offset: Int? = nil) -> EventValidationError {
        let at = offset ?? position
        if at >= end && offset == nil {
            return EventValidationError("invalid JSON at column \(column(of: at)): unexpected end of line, \(what)")
        }
        return EventValidationError("invalid JSON at column \(column(of: at)): \(what)")
    }

    /// The 1-based column of a byte offset, counting Unicode scalars.
    func column(of offset: Int) -> Int {
        var column = 1
        var i = 0
        while i < offset && i < end {
            if base[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return column + max(0, offset - end)
    }

    // MARK: - Strings

    /// Reads a string; the position is at its opening quote.
    @inline(__always)
    mutating func scanString() throws(EventValidationError) -> JSONStringToken {
        position += 1
        let start = position
        var escaped = false
        var i = position
        while true {
            // The common case: a run of plain ASCII, eight bytes at a time
            // (SWAR: a word holds a quote, a backslash, a control byte or a
            // non-ASCII byte exactly when its mask has a high bit set; the
            // byte loop below then finds which).
            while i + 8 <= end {
                let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                let ones: UInt64 = 0x0101_0101_0101_0101
                let quote = w ^ (ones &* 0x22)
                let backslash = w ^ (ones &* 0x5C)
                let special = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)
                    | ((w &- ones &* 0x20) & ~w) | w
                if special & 0x8080_8080_8080_8080 != 0 { break }
                i += 8
            }
            while i < end {
                let b = base[i]
                if b == 0x22 || b == 0x5C || b < 0x20 || b >= 0x80 { break }
                i += 1
            }
            guard i < end else {
                position = i
                throw syntaxError("unterminated string")
            }
            let b = base[i]
            if b == 0x22 {
                position = i + 1
                return JSONStringToken(start: start, end: i, escaped: escaped)
            } else if b == 0x5C {
                escaped = true
                position = i
                try scanEscape()
                i = position
            } else if b < 0x20 {
                position = i
                throw syntaxError("control character U+00\(EventText.hex4(UInt32(b)).suffix(2)) in a string must be escaped")
            } else {
                position = i
                try scanUTF8Sequence()
                i = position
            }
        }
    }

    /// Checks one escape; the position is at its backslash.
    private mutating func scanEscape() throws(EventValidationError) {
        let at = position
        guard position + 1 < end else {
            position = end
            throw syntaxError("unterminated string")
        }
        switch base[position + 1] {
        case 0x22, 0x5C, 0x2F, UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
             UInt8(ascii: "r"), UInt8(ascii: "t"):
            position += 2
        case UInt8(ascii: "u"):
            guard let unit = hex4(at: position + 2) else { throw syntaxError("invalid \\u escape", at: at) }
            position += 6
            if unit >= 0xD800 && unit <= 0xDBFF {
                guard position + 1 < end, base[position] == 0x5C, base[position + 1] == UInt8(ascii: "u"),
                      let low = hex4(at: position + 2), low >= 0xDC00 && low <= 0xDFFF
                else {
                    throw syntaxError("unpaired surrogate escape \\u\(EventText.hex4(UInt32(unit)))", at: at)
                }
                position += 6
            } else if unit >= 0xDC00 && unit <= 0xDFFF {
                throw syntaxError("unpaired surrogate escape \\u\(EventText.hex4(UInt32(unit)))", at: at)
            }
        default:
            throw syntaxError("invalid escape", at: at)
        }
    }

    private func hex4(at i: Int) -> UInt32? {
        guard i + 4 <= end else { return nil }
        var value: UInt32 = 0
        for k in i..<(i + 4) {
            let b = base[k]
            let d: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = b - 48
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = b - 87
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = b - 55
            default: return nil
            }
            value = value << 4 | UInt32(d)
        }
        return value
    }

    /// Checks one multi-byte UTF-8 sequence (Unicode table 3-7: no overlong
    /// forms, no surrogates, nothing above U+10FFFF).
    private mutating func scanUTF8Sequence() throws(EventValidationError) {
        let b0 = base[position]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch b0 {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: throw syntaxError("invalid UTF-8")
        }
        guard position + length <= end else { throw syntaxError("invalid UTF-8") }
        let b1 = base[position + 1]
        guard b1 >= low && b1 <= high else { throw syntaxError("invalid UTF-8") }
        for k in 2..<length where base[position + k] & 0xC0 != 0x80 {
            throw syntaxError("invalid UTF-8")
        }
        position += length
    }

    /// The decoded text of a string read by ``scanString()``.
    func string(_ token: JSONStringToken) -> String {
        let count = token.end - token.start
        if !token.escaped {
            if let small = SmallASCIIString.make(base + token.start, count: count, readable: end - token.start) {
                return small
            }
            return String(decoding: UnsafeBufferPointer(start: base + token.start, count: count), as: UTF8.self)
        }
        // Decoding escapes never lengthens the text.
        return String(unsafeUninitializedCapacity: count) { buffer in
            decodeEscapes(token, into: buffer.baseAddress!)
        }
    }

    /// Calls `body` with the decoded UTF-8 bytes of a string (in place when
    /// it has no escapes, else in a temporary stack buffer).
    @inline(__always)
    func withBytes<R>(_ token: JSONStringToken, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let count = token.end - token.start
        if !token.escaped {
            return body(UnsafeRawBufferPointer(start: base + token.start, count: count))
        }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count) { buffer in
            let n = decodeEscapes(token, into: buffer.baseAddress!)
            return body(UnsafeRawBufferPointer(start: buffer.baseAddress!, count: n))
        }
    }

    /// Writes the decoded bytes of a checked string; returns their count.
    private func decodeEscapes(_ token: JSONStringToken, into out: UnsafeMutablePointer<UInt8>) -> Int {
        var i = token.start
        var n = 0
        while i < token.end {
            let b = base[i]
            if b != 0x5C {
                out[n] = b
                n += 1
                i += 1
                continue
            }
            let e = base[i + 1]
            i += 2
            var scalar: UInt32
            switch e {
            case UInt8(ascii: "b"): scalar = 0x08
            case UInt8(ascii: "f"): scalar = 0x0C
            case UInt8(ascii: "n"): scalar = 0x0A
            case UInt8(ascii: "r"): scalar = 0x0D
            case UInt8(ascii: "t"): scalar = 0x09
            case UInt8(ascii: "u"):
                scalar = hex4(at: i)!
                i += 4
                if scalar >= 0xD800 && scalar <= 0xDBFF {
                    let low = hex4(at: i + 2)!
                    i += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
            default: scalar = UInt32(e)  // " \ /
            }
            switch scalar {
            case 0..<0x80:
                out[n] = UInt8(scalar); n += 1
            case 0x80..<0x800:
                out[n] = UInt8(0xC0 | scalar >> 6)
                out[n + 1] = UInt8(0x80 | scalar & 0x3F); n += 2
            case 0x800..<0x10000:
                out[n] = UInt8(0xE0 | scalar >> 12)
                out[n + 1] = UInt8(0x80 | scalar >> 6 & 0x3F)
                out[n + 2] = UInt8(0x80 | scalar & 0x3F); n += 3
            default:
                out[n] = UInt8(0xF0 | scalar >> 18)
                out[n + 1] = UInt8(0x80 | scalar >> 12 & 0x3F)
                out[n + 2] = UInt8(0x80 | scalar >> 6 & 0x3F)
                out[n + 3] = UInt8(0x80 | scalar & 0x3F); n += 4
            }
        }
        return n
    }

    // MARK: - Numbers

    /// Whether the byte at the position can start a number.
    @inline(__always) var atNumber: Bool {
        let b = peek
        return b == UInt8(ascii: "-") || (b &- 48) < 10
    }

    /// Reads a number by the JSON grammar; the position is at its first byte.
    mutating func scanNumber() throws(EventValidationError) -> JSONNumberToken {
        let start = position
        var i = position
        let negative = base[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        guard i < end, base[i] &- 48 < 10 else { throw syntaxError("invalid number", at: start) }
        var mantissa: UInt64 = 0
        var significant = 0       // digits held in mantissa, from the first non-zero one
        var exponent = 0          // decimal exponent applied to mantissa
        var inexact = false       // a non-zero digit did not fit in mantissa
        var isInt = true

        if base[i] == UInt8(ascii: "0") {
            i += 1
            if i < end && base[i] &- 48 < 10 { throw syntaxError("invalid number (leading zero)", at: start) }
        } else {
            while i < end {
                let d = base[i] &- 48
                guard d < 10 else { break }
                if significant < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(d)
                    significant += 1
                } else {
                    exponent += 1
                    if d != 0 { inexact = true }
                }
                i += 1
            }
        }
        let integerEnd = i
        if i < end && base[i] == UInt8(ascii: ".") {
            isInt = false
            i += 1
            guard i < end, base[i] &- 48 < 10 else { throw syntaxError("invalid number (no digit after '.')", at: start) }
            while i < end {
                let d = base[i] &- 48
                guard d < 10 else { break }
                if significant < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(d)
                    if mantissa != 0 { significant += 1 }
                    exponent -= 1
                } else if d != 0 {
                    inexact = true
                }
                i += 1
            }
        }
        if i < end && base[i] | 0x20 == UInt8(ascii: "e") {
            isInt = false
            i += 1
            var negativeExponent = false
            if i < end && (base[i] == UInt8(ascii: "+") || base[i] == UInt8(ascii: "-")) {
                negativeExponent = base[i] == UInt8(ascii: "-")
                i += 1
            }
            guard i < end, base[i] &- 48 < 10 else { throw syntaxError("invalid number (no digit in the exponent)", at: start) }
            var e = 0
            while i < end {
                let d = base[i] &- 48
                guard d < 10 else { break }
                if e < 1_000_000 { e = e * 10 + Int(d) }
                i += 1
            }
            exponent += negativeExponent ? -e : e
        }
        position = i

        var value: Double
        if mantissa == 0 {
            value = 0
        } else if !inexact && mantissa <= 1 << 53 && exponent >= -22 && exponent <= 22 {
            // Both operands exact: one correctly rounded operation.
            value = Double(mantissa)
            if exponent > 0 {
                value *= Self.powersOfTen[exponent]
            } else if exponent < 0 {
                value /= Self.powersOfTen[-exponent]
            }
        } else {
            value = slowValue(start: negative ? start + 1 : start, end: i)
        }
        if negative { value = -value }
        guard value.isFinite else { throw EventValidationError("number at column \(column(of: start)) overflows a double") }

        var int: Int64 = 0
        var overflow = false
        if isInt {
            let digits = integerEnd - (negative ? start + 1 : start)
            if digits <= 18 {
                int = negative ? -Int64(mantissa) : Int64(mantissa)
            } else if digits == 19 && mantissa <= UInt64(Int64.max) {
                int = negative ? -Int64(mantissa) : Int64(mantissa)
            } else if digits == 19 && negative && mantissa == UInt64(Int64.max) + 1 {
                int = Int64.min
            } else {
                overflow = true
                int = negative ? Int64.min : Int64.max
            }
        }
        return JSONNumberToken(value: value, isInt: isInt, int: int, intOverflow: overflow)
    }

    /// The correctly rounded value of the digits in `start..<end` (no sign)
    /// when the fast path cannot be exact: the standard library's parser.
    @inline(never)
    private func slowValue(start: Int, end: Int) -> Double {
        let text = String(decoding: UnsafeBufferPointer(start: base + start, count: end - start), as: UTF8.self)
        return Double(text) ?? .nan
    }

    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    // MARK: - Skipping

    /// Reads and checks any value without keeping it (`null` refused, named
    /// by `key`). Nesting deeper than 32 is refused.
    mutating func skipValue(key: StaticString, depth: Int = 0) throws(EventValidationError) {
        guard depth < 32 else { throw syntaxError("nested too deeply") }
        switch peek {
        case 0x22:
            _ = try scanString()
        case UInt8(ascii: "{"):
            position += 1
            skipWhitespace()
            if peek == UInt8(ascii: "}") { position += 1; return }
            while true {
                guard peek == 0x22 else { throw syntaxError("expected a string key") }
                _ = try scanString()
                skipWhitespace()
                try expect(UInt8(ascii: ":"), "':'")
                skipWhitespace()
                try skipValue(key: key, depth: depth + 1)
                skipWhitespace()
                if peek == UInt8(ascii: ",") { position += 1; skipWhitespace(); continue }
                try expect(UInt8(ascii: "}"), "',' or '}'")
                return
            }
        case UInt8(ascii: "["):
            position += 1
            skipWhitespace()
            if peek == UInt8(ascii: "]") { position += 1; return }
            while true {
                try skipValue(key: key, depth: depth + 1)
                skipWhitespace()
                if peek == UInt8(ascii: ",") { position += 1; skipWhitespace(); continue }
                try expect(UInt8(ascii: "]"), "',' or ']'")
                return
            }
        case UInt8(ascii: "t"):
            guard looksAt("true") else { throw syntaxError("expected a value") }
            position += 4
        case UInt8(ascii: "f"):
            guard looksAt("false") else { throw syntaxError("expected a value") }
            position += 5
        case UInt8(ascii: "n") where looksAt("null"):
            throw EventValidationError("null is not allowed (\"\(key)\")")
        default:
            guard atNumber else { throw syntaxError("expected a value") }
            _ = try scanNumber()
        }
    }
}
