import LedgerEvents

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
/// **Searched by bytes.** A key is looked up by its UTF-8 bytes
/// (``StringMapKey``): a replay looks up ids read in place in an event's
/// payload and builds a key's `String` only to insert it (an id longer
/// than 15 bytes is a heap object: built and freed per event, it cost
/// more than the search). Each entry keeps its key's first eight bytes as
/// a number, which decides most comparisons without reaching the key's
/// bytes (for a long key, another object and cache miss).
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

    /// An entry: its key with the key's first eight bytes as a number
    /// that orders as they do (``CodePointOrder/prefix(of:)``), which
    /// decides most comparisons of a search without reading the key's
    /// bytes (a key longer than 15 bytes is a heap object of its own,
    /// a cache miss to reach).
    ///
    /// A struct rather than a tuple: an array of it is destroyed through
    /// its own specialized code rather than the runtime's generic one.
    struct Entry {
        let prefix: UInt64
        let key: String
        var value: Value
    }

    private var entries: [Entry] = []
    /// Whether a key not all ASCII was ever stored (then a miss of the
    /// binary search is confirmed by a linear one).
    ///
    /// It makes the map 16 bytes in a struct where a dictionary took 8:
    /// about 100 bytes more per ``PatientState`` (a one-thread replay
    /// without it measured about 1.5% faster). Storage with a header of
    /// its own (a `ManagedBuffer`) could hold it instead.
    private var hasNonASCII = false

    init() {}

    /// False when every key is all ASCII (true when one that is not was
    /// ever stored): then no two keys are equal (`==`) unless their bytes
    /// are.
    var mayHaveNonASCIIKeys: Bool { hasNonASCII }

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }

    /// The keys, in code-point order.
    var keys: LazyMapSequence<[Entry], String> { entries.lazy.map { $0.key } }
    /// The values, in the code-point order of their keys.
    var values: LazyMapSequence<[Entry], Value> { entries.lazy.map { $0.value } }

    /// The value of `key`; nil when it has none. Setting nil removes it.
    subscript(key: some StringMapKey) -> Value? {
        get {
            let place = search(key)
            return place.found ? entries[place.index].value : nil
        }
        set {
            let place = search(key)
            if let newValue {
                if place.found { entries[place.index].value = newValue } else { insert(key, newValue, at: place) }
            } else if place.found {
                entries.remove(at: place.index)
            }
        }
    }

    /// The value of `key`, set to `defaultValue` first when it has none:
    /// changed in place (`map[key, default: []].append(x)`), with one
    /// search. The key's `String` is built only when it is inserted.
    subscript(key: some StringMapKey, default defaultValue: @autoclosure () -> Value) -> Value {
        get { self[key] ?? defaultValue() }
        _modify {
            let place = search(key)
            let i = place.found ? place.index : insert(key, defaultValue(), at: place)
            yield &entries[i].value
        }
    }

    /// Changes the value of `key` in place with `change`, or inserts
    /// `newValue()` when it has none: one search (where `map[key]`
    /// through `inout` searches to read and again to write).
    mutating func update(_ key: some StringMapKey, orInsert newValue: () -> Value, _ change: (inout Value) -> Void) {
        let place = search(key)
        if place.found { change(&entries[place.index].value) } else { insert(key, newValue(), at: place) }
    }

    func makeIterator() -> LazyMapSequence<[Entry], Element>.Iterator {
        entries.lazy.map { ($0.key, $0.value) }.makeIterator()
    }

    /// Calls `body` with each entry, in code-point order of the keys, read
    /// in place: iterating the map (`for (key, value) in map`) copies each
    /// key and value, retaining what they hold.
    func forEachEntry(_ body: (_ key: String, _ value: Value) -> Void) {
        entries.withUnsafeBufferPointer { entries in
            for i in entries.indices { body(entries[i].key, entries[i].value) }
        }
    }

    /// Removes every entry, keeping the entries' memory for the next ones
    /// (a map reused for patient after patient).
    mutating func removeAll(keepingCapacity: Bool) {
        entries.removeAll(keepingCapacity: keepingCapacity)
        hasNonASCII = false
    }

    /// The entries as a dictionary, for the public summaries that expose
    /// them as one.
    func dictionary<T>(_ transform: (Value) -> T) -> [String: T] {
        var result: [String: T] = [:]
        result.reserveCapacity(entries.count)
        for entry in entries { result[entry.key] = transform(entry.value) }
        return result
    }

    /// Where a key is (`found`), or where it goes to keep the code-point
    /// order, with what ``insert(_:_:at:)`` needs.
    private struct Place {
        var index: Int
        var found: Bool
        var prefix: UInt64
        /// Whether the key is all ASCII (true when found).
        var isASCII: Bool
    }

    private func search(_ key: some StringMapKey) -> Place {
        key.withKeyBytes { search(key, bytes: $0) }
    }

    /// ``search(_:)`` with the key's bytes at hand. Each comparison reads
    /// the stored key's prefix, and its bytes only when the prefixes tie.
    private func search(_ key: some StringMapKey, bytes: UnsafeBufferPointer<UInt8>) -> Place {
        let prefix = CodePointOrder.prefix(of: bytes)
        var low = 0, high = entries.count
        // Every entry is read through the array's buffer, without a
        // retain of it per access.
        return entries.withUnsafeBufferPointer { entries in
            func compare(_ entry: Entry) -> Int {
                entry.prefix != prefix ? (entry.prefix < prefix ? -1 : 1) : CodePointOrder.compare(entry.key, bytes)
            }
            while low < high {
                let mid = (low + high) / 2
                if compare(entries[mid]) < 0 { low = mid + 1 } else { high = mid }
            }
            if low < entries.count && compare(entries[low]) == 0 {
                return Place(index: low, found: true, prefix: prefix, isASCII: true)
            }
            var bits: UInt8 = 0
            for b in bytes { bits |= b }
            let isASCII = bits < 0x80
            if hasNonASCII || !isASCII {
                let string = key.string
                if let i = entries.firstIndex(where: { $0.key == string }) {
                    return Place(index: i, found: true, prefix: prefix, isASCII: true)
                }
            }
            return Place(index: low, found: false, prefix: prefix, isASCII: isASCII)
        }
    }

    /// Inserts an entry for a `key` not in the map at the place
    /// ``search(_:)`` found for it; returns its index. The key is stored
    /// contiguous, so that searches compare its bytes in place.
    @discardableResult
    private mutating func insert(_ key: some StringMapKey, _ value: Value, at place: Place) -> Int {
        var string = key.string
        string.makeContiguousUTF8()
        if !place.isASCII { hasNonASCII = true }
        let entry = Entry(prefix: place.prefix, key: string, value: value)
        // At the end (ids that grow, such as message and appointment ids
        // of one patient, mostly go there) an append: `insert(_:at:)` is
        // a general replacement of a subrange, several times its cost.
        if place.index == entries.count { entries.append(entry) } else { entries.insert(entry, at: place.index) }
        return place.index
    }
}

/// A key of a ``StringMap``: its UTF-8 bytes, which a search compares, and
/// its `String`, which only an insertion builds. A `String`, or a string
/// read in place from an event's payload (``PayloadString``), which a
/// replay then looks up without building it.
protocol StringMapKey {
    /// Calls `body` with the key's UTF-8 bytes.
    func withKeyBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R
    /// The key as a `String`, built now.
    var string: String { get }
}

extension String: StringMapKey {
    func withKeyBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        withUTF8Bytes(body)
    }

    var string: String { self }
}

extension StringMapKey {
    /// Whether the key `==` `ascii`, a string of ASCII only: compared by
    /// bytes when the key is ASCII too (two ASCII strings are equal only
    /// when identical), else as strings (canonical equivalence).
    func isEqual(to ascii: StaticString) -> Bool {
        withKeyBytes { bytes in
            if bytes.allSatisfy({ $0 < 0x80 }) {
                return bytes.elementsEqual(UnsafeBufferPointer(start: ascii.utf8Start, count: ascii.utf8CodeUnitCount))
            }
            return string == ascii.description
        }
    }
}

extension PayloadString: StringMapKey {
    func withKeyBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R { body(utf8) }
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
extension StringMap.Entry: Sendable where Value: Sendable {}

/// A set of strings in code-point order: a ``StringMap`` without values,
/// in place of a `Set<String>` (and for the same reasons).
struct StringSet: Sequence, Equatable, Sendable, ExpressibleByArrayLiteral {
    /// A member's value: nothing, so that an entry is its key and prefix
    /// (24 bytes, where a `Bool` value padded it to 32).
    struct Member: Equatable, Sendable {}

    private var map = StringMap<Member>()

    init() {}

    init(arrayLiteral elements: String...) {
        for s in elements { insert(s) }
    }

    var count: Int { map.count }
    var isEmpty: Bool { map.isEmpty }

    func contains(_ s: some StringMapKey) -> Bool { map[s] != nil }

    /// Calls `body` with each member, in code-point order, read in place
    /// (``StringMap/forEachEntry(_:)``).
    func forEachMember(_ body: (String) -> Void) { map.forEachEntry { key, _ in body(key) } }

    /// Removes every member, keeping their memory for the next ones.
    mutating func removeAll(keepingCapacity: Bool) { map.removeAll(keepingCapacity: keepingCapacity) }

    /// Adds `s` unless an equal string (`==`) is a member already (its
    /// `String` is built only then).
    mutating func insert(_ s: some StringMapKey) {
        map.update(s, orInsert: { Member() }) { _ in }
    }

    /// The members, in code-point order.
    func makeIterator() -> LazyMapSequence<[StringMap<Member>.Entry], String>.Iterator {
        map.keys.makeIterator()
    }
}
