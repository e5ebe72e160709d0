import Testing
@testable import LedgerProjections

/// `StringMap` and `StringSet` behave as the dictionary and set they
/// replaced (the same keys, spelled as first inserted, canonically
/// equivalent spellings included), and keep their keys in code-point order
/// whatever the insertion order.
@Suite struct StringMapTests {
    /// Keys among which some are canonically equivalent with other bytes:
    /// precomposed and decomposed "é", the Kelvin sign and "K", the
    /// Ångström sign and "Å"; and some that only sort differently by code
    /// point than by `<`.
    static let keys = ["a", "b", "é", "e\u{301}", "K", "\u{212A}", "\u{212B}", "\u{C5}", "A\u{30A}",
                       "content-10", "content-9", "m-P000001-12", "a-very-long-key-past-fifteen-bytes",
                       "a-very-long-key-past-fifteen-bytes-2", "Z", "z", "\u{1F600}", ""]

    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state ^ (state >> 29)
        }
    }

    @Test(arguments: [false, true])
    func sameKeysAndValuesAsADictionary(asciiOnly: Bool) {
        let keys = asciiOnly ? Self.keys.filter { $0.utf8.allSatisfy { $0 < 0x80 } } : Self.keys
        var generator = Generator(state: asciiOnly ? 1 : 2)
        for _ in 0..<300 {
            var map = StringMap<Int>()
            var dictionary: [String: Int] = [:]
            for step in 0..<Int.random(in: 0..<40, using: &generator) {
                let key = keys.randomElement(using: &generator)!
                switch Int.random(in: 0..<4, using: &generator) {
                case 0: map[key] = step; dictionary[key] = step
                case 1: map[key] = nil; dictionary[key] = nil
                default: map[key, default: 100] += step; dictionary[key, default: 100] += step
                }
                #expect(map[key] == dictionary[key])
            }
            #expect(map.count == dictionary.count)
            // The same spellings (byte for byte) as the dictionary's keys.
            #expect(map.keys.map { Array($0.utf8) } == dictionary.keys.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) })
            #expect(map.dictionary { $0 } == dictionary)
            for key in keys { #expect(map[key] == dictionary[key], "\(key.unicodeScalars.map(\.value))") }
        }
    }

    /// A key given by its UTF-8 bytes, as a replay looks keys up in an
    /// event's payload (``PayloadString``).
    struct BytesKey: StringMapKey {
        var bytes: [UInt8]
        init(_ s: String) { bytes = Array(s.utf8) }
        func withKeyBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R { bytes.withUnsafeBufferPointer(body) }
        var string: String { String(decoding: bytes, as: UTF8.self) }
    }

    /// Looking keys up by their bytes finds what looking them up as
    /// strings finds, canonically equivalent spellings and keys that tie
    /// in their first eight bytes included.
    @Test(arguments: [false, true])
    func keysByTheirBytesAreTheSameKeys(asciiOnly: Bool) {
        let all = Self.keys + ["abcdefgh", "abcdefgh\u{0}", "abcdefg\u{0}", "abcdefg", "abcdefgh\u{212A}", "abcdefghK", "\u{0}"]
        let keys = asciiOnly ? all.filter { $0.utf8.allSatisfy { $0 < 0x80 } } : all
        var generator = Generator(state: asciiOnly ? 5 : 6)
        for _ in 0..<300 {
            var map = StringMap<Int>()
            var dictionary: [String: Int] = [:]
            var strings = StringSet()
            var set: Set<String> = []
            for step in 0..<Int.random(in: 0..<40, using: &generator) {
                let key = keys.randomElement(using: &generator)!
                switch Int.random(in: 0..<4, using: &generator) {
                case 0: map[BytesKey(key)] = step; dictionary[key] = step
                case 1: map[key] = nil; dictionary[key] = nil
                case 2: map.update(BytesKey(key), orInsert: { step }) { $0 -= step }
                        dictionary[key] = dictionary[key].map { $0 - step } ?? step
                default: map[BytesKey(key), default: 100] += step; dictionary[key, default: 100] += step
                }
                strings.insert(BytesKey(key)); set.insert(key)
                #expect(map[BytesKey(key)] == dictionary[key])
            }
            #expect(map.keys.map { Array($0.utf8) } == dictionary.keys.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) })
            #expect(strings.map { Array($0.utf8) } == set.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) })
            for key in keys {
                #expect(map[BytesKey(key)] == dictionary[key], "\(key.unicodeScalars.map(\.value))")
                #expect(strings.contains(BytesKey(key)) == set.contains(key))
            }
        }
    }

    @Test func isEqualToASCIIIsStringEquality() {
        for key in Self.keys + ["phq9", "phq", "phq9 ", "ph\u{212A}9", "phK9"] {
            #expect(key.isEqual(to: "phq9") == (key == "phq9"))
            #expect(BytesKey(key).isEqual(to: "phK9") == (key == "phK9"))
        }
    }

    @Test func setHasASetsMembersInCodePointOrder() {
        var generator = Generator(state: 3)
        for _ in 0..<300 {
            var strings = StringSet()
            var set: Set<String> = []
            for _ in 0..<Int.random(in: 0..<30, using: &generator) {
                let key = Self.keys.randomElement(using: &generator)!
                strings.insert(key)
                set.insert(key)
            }
            #expect(strings.count == set.count)
            #expect(Array(strings) == CodePointOrder.sorted(set))
            for key in Self.keys { #expect(strings.contains(key) == set.contains(key)) }
        }
    }

    @Test func equalWhateverTheInsertionOrder() {
        var generator = Generator(state: 4)
        let ascii = Self.keys.filter { $0.utf8.allSatisfy { $0 < 0x80 } }
        for _ in 0..<100 {
            var a = StringMap<[Int]>(), b = StringMap<[Int]>()
            let entries = ascii.shuffled(using: &generator).prefix(Int.random(in: 0...ascii.count, using: &generator))
            for (k, key) in entries.enumerated() { a[key, default: []].append(k) }
            for (k, key) in entries.enumerated().reversed() { b[key] = [k] }
            #expect(a == b)
            if let key = entries.first {
                b[key] = nil
                #expect(a != b)
            }
        }
    }

    @Test func equalAsDictionariesWhenEquivalentKeysAreSpelledDifferently() {
        // The Kelvin sign sorts after "a", "K" before it.
        var a = StringMap<Int>(), b = StringMap<Int>()
        a["\u{212A}"] = 1; a["a"] = 2; a["K"] = 1
        b["K"] = 1; b["a"] = 2; b["\u{212A}"] = 1
        #expect(a.keys.first == "a" && b.keys.first == "K")
        #expect(a == b)
        #expect(a.dictionary { $0 } == b.dictionary { $0 })
        b["K"] = 3
        #expect(a != b)
        var strings = StringSet(), others = StringSet()
        strings.insert("\u{212A}"); strings.insert("a")
        others.insert("a"); others.insert("K")
        #expect(strings == others)
        #expect(Set(strings) == Set(others))
    }

    @Test func compareIsCodePointOrder() {
        for x in Self.keys {
            for y in Self.keys {
                let expected = x.utf8.elementsEqual(y.utf8) ? 0 : (x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : 1)
                #expect(CodePointOrder.compare(x, y).signum() == expected, "\(x) vs \(y)")
                #expect(CodePointOrder.precedes(x, y) == (expected < 0))
            }
        }
    }

    /// Sorting by eight-byte prefixes first orders as the bytes do: ties
    /// within the first eight bytes (long ids, a zero byte against the
    /// end, equivalent spellings), shorter before longer, repeats kept.
    @Test func sortedIsByteOrderWhateverTheFirstEightBytes() {
        let strings = Self.keys + [
            "P000001", "P0000010", "P00000100", "P000001000", "P00000099", "P0000009", "P000000",
            "abcdefgh", "abcdefgh\u{0}", "abcdefg\u{0}", "abcdefg", "abcdefgh\u{212A}", "abcdefghK",
            "\u{0}", "", "\u{0}\u{0}", "é", "e\u{301}", "P000001", "",
        ]
        var generator = Generator(state: 7)
        for _ in 0..<5 {
            let sorted = CodePointOrder.sorted(strings.shuffled(using: &generator))
            #expect(sorted.map { Array($0.utf8) } == strings.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) })
        }
    }
}
