/// Sorting of strings by Unicode code point, the order cli.md prescribes
/// for every printed list (Swift's `<` on `String` is not that order:
/// it compares canonically equivalent strings as equal).
///
/// UTF-8 byte order is code-point order, so the comparison runs on bytes.
public enum CodePointOrder {
    /// Whether `a` sorts before `b` by code point.
    public static func precedes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// The strings of `values`, sorted by code point.
    public static func sorted(_ values: some Sequence<String>) -> [String] {
        values.sorted(by: precedes)
    }
}
