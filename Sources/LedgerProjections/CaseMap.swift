/// A map from the cases of a small enumeration (a visit kind, a check-in
/// metric, a consent scope) to values: what ``PatientHistory`` keeps per
/// case, in place of a `Dictionary`.
///
/// A patient's history is updated once per event, and most events update
/// one of these maps (every check-in two). A `Dictionary` hashes its key
/// with SipHash on every access, which cost more than the update itself;
/// here the entries are a short array searched linearly by the case, an
/// integer comparison, and the array is one heap object where a
/// dictionary is one too but several times larger.
///
/// The entries are kept sorted by the code-point order of the keys' raw
/// values: the order the state's encoding writes them in (so it needs no
/// sort), and one order whatever order the keys came in (so two maps with
/// the same entries are equal, as two dictionaries would be).
struct CaseMap<Key: RawRepresentable & Equatable, Value>: Sequence where Key.RawValue == String {
    typealias Element = (key: Key, value: Value)

    private var entries: [Element] = []

    init() {}

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }

    /// The value of `key`; nil when it has none. Setting nil removes it.
    subscript(key: Key) -> Value? {
        get {
            for entry in entries where entry.key == key { return entry.value }
            return nil
        }
        set {
            let i = index(of: key)
            if let newValue {
                if let i { entries[i].value = newValue } else { insert(key, newValue) }
            } else if let i {
                entries.remove(at: i)
            }
        }
    }

    /// The value of `key`, set to `defaultValue` first when it has none:
    /// changed in place (`map[key, default: 0] += 1`).
    subscript(key: Key, default defaultValue: @autoclosure () -> Value) -> Value {
        get { self[key] ?? defaultValue() }
        _modify {
            let i = index(of: key) ?? insert(key, defaultValue())
            yield &entries[i].value
        }
    }

    func makeIterator() -> IndexingIterator<[Element]> { entries.makeIterator() }

    /// Removes every entry, keeping their memory for the next ones.
    mutating func removeAll(keepingCapacity: Bool) { entries.removeAll(keepingCapacity: keepingCapacity) }

    /// The entries as a dictionary, for the public summaries
    /// (``PatientProfile``) that expose them as one.
    func dictionary<T>(_ transform: (Value) -> T) -> [Key: T] where Key: Hashable {
        var result: [Key: T] = [:]
        result.reserveCapacity(entries.count)
        for entry in entries { result[entry.key] = transform(entry.value) }
        return result
    }

    private func index(of key: Key) -> Int? {
        entries.firstIndex { $0.key == key }
    }

    /// Inserts a new key in code-point order of the raw values; returns
    /// its index.
    @discardableResult
    private mutating func insert(_ key: Key, _ value: Value) -> Int {
        let raw = key.rawValue
        guard let i = entries.firstIndex(where: { CodePointOrder.precedes(raw, $0.key.rawValue) }) else {
            entries.append((key, value))    // an append costs several times less than `insert(_:at:)`
            return entries.count - 1
        }
        entries.insert((key, value), at: i)
        return i
    }
}

extension CaseMap: Equatable where Value: Equatable {
    static func == (a: CaseMap, b: CaseMap) -> Bool {
        a.entries.elementsEqual(b.entries) { $0.key == $1.key && $0.value == $1.value }
    }
}

extension CaseMap: Sendable where Key: Sendable, Value: Sendable {}
