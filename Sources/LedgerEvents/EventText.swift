/// The character rules of events.md, on UTF-8 bytes (no Foundation, no
/// regex engine). "Characters" are Unicode scalars throughout.
enum EventText {
    /// Whether `text` is 1-64 characters of `A-Z a-z 0-9 . _ : -`.
    static func isPatientID(_ text: String) -> Bool {
        // Over the contiguous bytes: iterating `utf8` cost about 40
        // instructions a byte, on every event imported.
        text.withUTF8Bytes { bytes in
            guard bytes.count >= 1 && bytes.count <= 64 else { return false }
            for byte in bytes where !isPatientIDByte(byte) { return false }
            return true
        }
    }

    @inline(__always)
    static func isPatientIDByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: ":"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }

    /// Whether `text` has `range.lowerBound...range.upperBound` Unicode
    /// scalars. Stops counting early; allocation-free.
    static func hasScalarCount(_ text: String, in range: ClosedRange<Int>) -> Bool {
        let utf8 = text.utf8
        let bytes = utf8.count
        // Every scalar is 1-4 bytes: decide without counting when possible.
        if bytes < range.lowerBound { return false }
        if bytes <= range.upperBound && bytes >= range.lowerBound {
            // At most `bytes` scalars; at least one per 4 bytes.
            if (bytes + 3) / 4 >= range.lowerBound { return true }
        }
        var scalars = 0
        for byte in utf8 where byte & 0xC0 != 0x80 {
            scalars += 1
            if scalars > range.upperBound { return false }
        }
        return scalars >= range.lowerBound
    }

    /// Whether `text` matches `[A-Za-z][0-9][0-9A-Za-z](\.?[0-9A-Za-z]{1,4})?`.
    static func isICD10(_ text: String) -> Bool {
        text.withUTF8Bytes { isICD10(UnsafeRawBufferPointer($0)) }
    }

    /// Whether `bytes` match `[A-Za-z][0-9][0-9A-Za-z](\.?[0-9A-Za-z]{1,4})?`.
    static func isICD10(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let n = bytes.count
        guard n >= 3 && n <= 8 else { return false }
        guard isLetter(bytes[0]), isDigit(bytes[1]), isAlphanumeric(bytes[2]) else { return false }
        var i = 3
        if i < n && bytes[i] == UInt8(ascii: ".") { i += 1 }
        let tail = n - i
        if i == 3 && tail == 0 { return true }
        guard tail >= 1 && tail <= 4 else { return false }
        while i < n {
            guard isAlphanumeric(bytes[i]) else { return false }
            i += 1
        }
        return true
    }

    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- 48 < 10 }
    @inline(__always) static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) &- 97 < 26 }
    @inline(__always) static func isAlphanumeric(_ b: UInt8) -> Bool { isDigit(b) || isLetter(b) }

    /// Whether `text` holds a scalar with the Unicode `White_Space` property
    /// (space, tab, line ends, NEL, NBSP, U+2000-U+200A, U+2028, U+3000, ...).
    static func containsWhitespace(_ text: String) -> Bool {
        for byte in text.utf8 {
            if byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) { return true }
            if byte >= 0x80 { return containsNonASCIIWhitespace(text) }
        }
        return false
    }

    private static func containsNonASCIIWhitespace(_ text: String) -> Bool {
        for scalar in text.unicodeScalars where scalar.properties.isWhitespace { return true }
        return false
    }

    /// `text` with ASCII letters upper-cased (ICD-10 codes are ASCII).
    static func asciiUppercased(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 &- 97 < 26 }) else { return text }
        return String(decoding: text.utf8.map { $0 &- 97 < 26 ? $0 - 32 : $0 }, as: UTF8.self)
    }

    /// Whether `text` is exactly the ASCII `name` (byte for byte: no
    /// canonical equivalence, so "\u{212A}" is not "K").
    @inline(__always)
    static func isExactly(_ text: String, _ name: StaticString) -> Bool {
        let utf8 = text.utf8
        guard utf8.count == name.utf8CodeUnitCount else { return false }
        var i = 0
        for byte in utf8 {
            if byte != name.utf8Start[i] { return false }
            i += 1
        }
        return true
    }

    /// Whether two strings are the same scalars (no canonical equivalence).
    static func sameScalars(_ a: String, _ b: String) -> Bool {
        a.utf8.elementsEqual(b.utf8)
    }

    /// `text` as a JSON string literal for an error message: quoted, escaped
    /// so that it stays on one line, cut after `limit` characters with `…`.
    static func quoted(_ text: String, limit: Int = 40) -> String {
        var out = "\""
        var count = 0
        for scalar in text.unicodeScalars {
            if count == limit {
                out += "…"
                break
            }
            count += 1
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{00}"..."\u{1F}", "\u{7F}"..."\u{9F}", "\u{2028}", "\u{2029}":
                out += "\\u" + hex4(scalar.value)
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func hex4(_ value: UInt32) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: [
            digits[Int(value >> 12 & 15)], digits[Int(value >> 8 & 15)],
            digits[Int(value >> 4 & 15)], digits[Int(value & 15)],
        ], as: UTF8.self)
    }
}

extension String {
    /// Calls `body` with the string's UTF-8 bytes, contiguous: a native
    /// string's own storage, borrowed (no copy of the `String`, hence no
    /// retain and release), else (a small or bridged string) a copy's.
    /// What `withUTF8` does without needing a mutable string.
    @inlinable
    package func withUTF8Bytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = self
        return copy.withUTF8(body)
    }
}
