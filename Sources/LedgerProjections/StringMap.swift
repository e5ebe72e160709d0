/// A map from strings (content, message, survey, appointment, class,
/// program and tag ids) to values: what ``PatientHistory`` keeps per id, in
/// place of a `Dictionary`. ``StringSet`` is its set.
///
/// A replay updates one of these per event, and the end of a replay
/// encodes every patient's (``PatientState/encode(into:)``). A `Dictionary`
/// hashed the key with SipHash on every access, and the encoding sorted
/// each dictionary's keys by code point, patient after patient; its storage
/// is also a larger heap object, which the replay touches for the first
/// time (page faults) and frees at the end. Here the entries are one array
/// kept sorted by the code-point order of the keys: the order the state's
/// encoding writes them in (so it sorts nothing) and one order whatever
/// order the keys came in (so two maps with the same entries are equal, as
/// two dictionaries would be). A patient has a few dozen events, so the
/// arrays are short; a key is found by a binary search, O(log n), and
/// inserted in O(n).
///
/// **Keys are a dictionary's.** `String`'s `==` is canonical equivalence,
/// which a dictionary keys on: "é" written precomposed or as "e" and a
/// combining accent is one key, spelled as first inserted. The binary
/// search by code point finds a key stored with the same bytes; a key
/// stored with other bytes can equal it only when one of the two is not
/// ASCII (two ASCII strings are equivalent only when identical, and a
/// non-ASCII string such as the Kelvin sign "K" can equal an ASCII one), so
/// when the key or a stored key is not ASCII a miss is confirmed by a
/// linear search with `==`. The map thus holds exactly the keys, spelled
/// exactly as, a dictionary fed the same operations would.
struct StringMap<Value>: Sequence {
    typealias Element = (key: String, value: Value)

    private var entries: [Element] = []
    /// Whether a key not all ASCII was ever stored (then a miss of the
    /// binary search is confirmed by a linear one).
    ///
    /// It makes the map 16 bytes in a struct where a dictionary took 8:
    /// about 100 bytes more per ``PatientState`` (a one-thread replay
    /// without it measured about 1.5% faster). Storage with a header of
    /// its own (a `ManagedBuffer`) could hold it instead.
    private var hasNonASCII = false

    init() {}

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }

    /// The keys, in code-point order.
    var keys: LazyMapSequence<[Element], String> { entries.lazy.map(\.key) }
    /// The values, in the code-point order of their keys.
    var values: LazyMapSequence<[Element], Value> { entries.lazy.map(\.value) }

    /// The value of `key`; nil when it has none. Setting nil removes it.
    subscript(key: String) -> Value? {
        get {
            let (i, found, _) = search(key)
            return found ? entries[i].value : nil
        }
        set {
            let (i, found, isASCII) = search(key)
            if let newValue {
                if found { entries[i].value = newValue } else { insert(key, newValue, at: i, isASCII: isASCII) }
            } else if found {
                entries.remove(at: i)
            }
        }
    }

    /// The value of `key`, set to `defaultValue` first when it has none:
    /// changed in place (`map[key, default: []].append(x)`), with one
    /// search.
    subscript(key: String, default defaultValue: @autoclosure () -> Value) -> Value {
        get { self[key] ?? defaultValue() }
        _modify {
            let place = search(key)
            let i = place.found ? place.index : insert(key, defaultValue(), at: place.index, isASCII: place.isASCII)
            yield &entries[i].value
        }
    }

    func makeIterator() -> IndexingIterator<[Element]> { entries.makeIterator() }

    /// The entries as a dictionary, for the public summaries that expose
    /// them as one.
    func dictionary<T>(_ transform: (Value) -> T) -> [String: T] {
        var result: [String: T] = [:]
        result.reserveCapacity(entries.count)
        for entry in entries { result[entry.key] = transform(entry.value) }
        return result
    }

    /// Where `key` is (`found`), or where it goes to keep the code-point
    /// order, with whether `key` is all ASCII (for ``insert(_:_:at:isASCII:)``;
    /// true when found).
    private func search(_ key: String) -> (index: Int, found: Bool, isASCII: Bool) {
        var key = key
        key.makeContiguousUTF8()    // a no-op on a native string
        return key.utf8.withContiguousStorageIfAvailable { bytes in search(key, bytes: bytes) }
            ?? (0, false, false)    // unreachable: a contiguous string's bytes are available
    }

    /// ``search(_:)`` with the key's bytes at hand: each comparison reads
    /// only the stored key's.
    private func search(_ key: String, bytes: UnsafeBufferPointer<UInt8>) -> (index: Int, found: Bool, isASCII: Bool) {
        var low = 0, high = entries.count
        while low < high {
            let mid = (low + high) / 2
            if CodePointOrder.compare(entries[mid].key, bytes) < 0 { low = mid + 1 } else { high = mid }
        }
        let found = low < entries.count && CodePointOrder.compare(entries[low].key, bytes) == 0
        if found { return (low, true, true) }
        var bits: UInt8 = 0
        for b in bytes { bits |= b }
        let isASCII = bits < 0x80
        if hasNonASCII || !isASCII, let i = entries.firstIndex(where: { $0.key == key }) { return (i, true, true) }
        return (low, false, isASCII)
    }

    /// Inserts an entry for a `key` not in the map at `index`, the place
    /// ``search(_:)`` found for it; returns the index. The key is stored
    /// contiguous, so that searches compare its bytes in place.
    @discardableResult
    private mutating func insert(_ key: String, _ value: Value, at index: Int, isASCII: Bool) -> Int {
        var key = key
        key.makeContiguousUTF8()
        if !isASCII { hasNonASCII = true }
        entries.insert((key, value), at: index)
        return index
    }
}

extension StringMap: Equatable where Value: Equatable {
    /// Equal as two dictionaries: the same keys (`==`) with equal values.
    static func == (a: StringMap, b: StringMap) -> Bool {
        guard a.count == b.count else { return false }
        if a.entries.elementsEqual(b.entries, by: { $0.key == $1.key && $0.value == $1.value }) { return true }
        // Canonically equivalent keys spelled differently in the two maps
        // (as first folded) need not sort alike: look each key up.
        return a.entries.allSatisfy { entry in b[entry.key].map { $0 == entry.value } ?? false }
    }
}

extension StringMap: Sendable where Value: Sendable {}

/// A set of strings in code-point order: a ``StringMap`` without values,
/// in place of a `Set<String>` (and for the same reasons).
struct StringSet: Sequence, Equatable, Sendable, ExpressibleByArrayLiteral {
    private var map = StringMap<Bool>()

    init() {}

    init(arrayLiteral elements: String...) {
        for s in elements { insert(s) }
    }

    var count: Int { map.count }
    var isEmpty: Bool { map.isEmpty }

    func contains(_ s: String) -> Bool { map[s] != nil }

    /// Adds `s` unless an equal string (`==`) is a member already.
    mutating func insert(_ s: String) {
        map[s, default: true] = true
    }

    /// The members, in code-point order.
    func makeIterator() -> LazyMapSequence<[StringMap<Bool>.Element], String>.Iterator {
        map.keys.makeIterator()
    }
}
