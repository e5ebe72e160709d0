/// Builds the `String` of 15 or fewer ASCII bytes directly in the standard
/// library's small-string form, for the decoders' hot paths.
///
/// Almost every string of an event (patient ids, event ids, enumerations,
/// content and program ids) is short ASCII. `String(decoding:as:)` spends
/// most of a decode on them: a call into the runtime, an ASCII scan, the
/// repair check and the small-string assembly. A small ASCII string is two
/// words: the bytes, little-endian, in the first word and the low seven
/// bytes of the second, and the second word's top byte `0xE0 | count`
/// (the "immortal, small, ASCII" discriminator; swift/stdlib
/// StringObject.swift). ``make(_:count:readable:)`` writes those two words.
///
/// That layout is the standard library's, not a public contract (though
/// ABI-stable on Apple platforms), so ``layoutHolds`` checks it once
/// against strings the standard library builds; when it does not hold,
/// ``make(_:count:readable:)`` returns nil and callers take
/// `String(decoding:as:)`. The strings made are indistinguishable from the
/// standard library's (same bits), so equality, hashing and bridging behave
/// the same.
enum SmallASCIIString {
    /// Whether this runtime's small strings have the layout described above.
    static let layoutHolds: Bool = {
        let samples = ["", "a", "P00532", "e-P0053", "e-P005322", "abcdefghijklmn", "e-P005322-12345"]
        for sample in samples {
            let bytes = Array(sample.utf8)
            let built: String? = bytes.withUnsafeBufferPointer { buffer in
                words(buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!, count: buffer.count, readable: buffer.count)
                    .map { unsafeBitCast($0, to: String.self) }
            }
            let reference = String(decoding: bytes, as: UTF8.self)
            guard let built, built == reference, built.utf8.count == bytes.count,
                  unsafeBitCast(built, to: (UInt64, UInt64).self) == unsafeBitCast(reference, to: (UInt64, UInt64).self)
            else { return false }
        }
        return true
    }()

    /// The string of the `count` bytes at `p` when they are ASCII and
    /// `count <= 15`, else nil. `readable` is how many bytes from `p` may be
    /// read (at least `count`): with 16 or more, whole words are loaded.
    @inline(__always)
    static func make(_ p: UnsafePointer<UInt8>, count: Int, readable: Int) -> String? {
        guard let (low, high) = words(p, count: count, readable: readable), layoutHolds else { return nil }
        return unsafeBitCast((low, high), to: String.self)
    }

    @inline(__always)
    private static func words(_ p: UnsafePointer<UInt8>, count: Int, readable: Int) -> (UInt64, UInt64)? {
        guard count <= 15 else { return nil }
        let raw = UnsafeRawPointer(p)
        let low: UInt64
        var high: UInt64
        if count >= 8 {
            low = raw.loadUnaligned(as: UInt64.self)
            high = load(raw + 8, count: count - 8, readable: readable - 8)
        } else {
            low = load(raw, count: count, readable: readable)
            high = 0
        }
        guard (low | high) & 0x8080_8080_8080_8080 == 0 else { return nil }
        high |= (0xE0 | UInt64(count)) << 56
        return (low, high)
    }

    /// `count` (0...8) bytes at `p` as a little-endian word, zero above.
    @inline(__always)
    private static func load(_ p: UnsafeRawPointer, count: Int, readable: Int) -> UInt64 {
        if count == 0 { return 0 }
        if readable >= 8 {
            let word = p.loadUnaligned(as: UInt64.self)
            return count == 8 ? word : word & ((1 << (UInt64(count) &* 8)) &- 1)
        }
        var word: UInt64 = 0
        for i in 0..<count { word |= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) << (UInt64(i) &* 8) }
        return word
    }
}
