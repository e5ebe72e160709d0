/// Sorting of strings by Unicode code point, the order cli.md prescribes
/// for every printed list (Swift's `<` on `String` is not that order:
/// it compares canonically equivalent strings as equal).
///
/// UTF-8 byte order is code-point order, so the comparison runs on bytes.
public enum CodePointOrder {
    /// Whether `a` sorts before `b` by code point.
    ///
    /// Native strings (all but some bridged ones) hold their UTF-8
    /// contiguously: their bytes are compared in place, which is several
    /// times faster than walking the two `utf8` views (this comparison is
    /// what sorts every checkpoint's keys and every projection's lists).
    public static func precedes(_ a: String, _ b: String) -> Bool {
        let inPlace = a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y in bytesPrecede(x, y) }
        }
        if let inPlace, let result = inPlace { return result }
        return a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// The strings of `values`, sorted by code point.
    public static func sorted(_ values: some Sequence<String>) -> [String] {
        values.sorted(by: precedes)
    }

    /// Whether the bytes `a` sort before `b`: the first differing byte
    /// decides, else the shorter sorts first.
    private static func bytesPrecede(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        for i in 0..<min(a.count, b.count) where a[i] != b[i] { return a[i] < b[i] }
        return a.count < b.count
    }
}
