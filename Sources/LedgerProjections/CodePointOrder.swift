import LedgerEvents

/// Sorting of strings by Unicode code point, the order cli.md prescribes
/// for every printed list (Swift's `<` on `String` is not that order:
/// it compares canonically equivalent strings as equal).
///
/// UTF-8 byte order is code-point order, so the comparison runs on bytes.
public enum CodePointOrder {
    /// Whether `a` sorts before `b` by code point.
    public static func precedes(_ a: String, _ b: String) -> Bool {
        compare(a, b) < 0
    }

    /// The order of `a` and `b` by code point: negative when `a` sorts
    /// first, zero when their bytes are the same, positive otherwise.
    ///
    /// Native strings (all but some bridged ones) hold their UTF-8
    /// contiguously: their bytes are compared in place, which is several
    /// times faster than walking the two `utf8` views (this comparison is
    /// what sorts every projection's lists and finds the keys of a
    /// ``StringMap``).
    static func compare(_ a: String, _ b: String) -> Int {
        a.withUTF8Bytes { x in b.withUTF8Bytes { y in compareBytes(x, y) } }
    }

    /// ``compare(_:_:)`` of `a` and a string whose bytes are `b`.
    static func compare(_ a: String, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        a.withUTF8Bytes { compareBytes($0, b) }
    }

    /// The strings of `values`, sorted by code point.
    ///
    /// Each string's first eight bytes are read once, as a number that
    /// orders as they do; two strings are compared in full only when those
    /// are the same. A checkpoint sorts every patient id this way (ids
    /// such as `P000123` differ within eight bytes), where comparing the
    /// strings' bytes in place for every comparison cost several times more.
    public static func sorted(_ values: some Sequence<String>) -> [String] {
        let strings = Array(values)
        guard strings.count > 1 else { return strings }
        var keys = strings.indices.map { (prefix: prefix(of: strings[$0]), index: $0) }
        keys.sort { a, b in
            a.prefix != b.prefix ? a.prefix < b.prefix : compare(strings[a.index], strings[b.index]) < 0
        }
        return keys.map { strings[$0.index] }
    }

    /// The first eight UTF-8 bytes of `s` big-endian, zeros after a shorter
    /// string's end: a smaller number means a string that sorts first
    /// (a zero byte that is not the end ties with the end, so equal
    /// numbers still need a full comparison).
    private static func prefix(of s: String) -> UInt64 {
        s.withUTF8Bytes { prefix(of: $0) }
    }

    /// ``prefix(of:)-(String)`` of the string whose UTF-8 bytes are `bytes`.
    static func prefix(of bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        if bytes.count >= 8, let base = bytes.baseAddress {
            return UInt64(bigEndian: UnsafeRawPointer(base).loadUnaligned(as: UInt64.self))
        }
        var key: UInt64 = 0, shift: UInt64 = 56
        for byte in bytes {
            key |= UInt64(byte) << shift
            shift &-= 8
        }
        return key
    }

    /// The order of the bytes `a` and `b`: the first differing byte
    /// decides, else the shorter sorts first.
    private static func compareBytes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        for i in 0..<min(a.count, b.count) where a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
        return a.count - b.count
    }
}
