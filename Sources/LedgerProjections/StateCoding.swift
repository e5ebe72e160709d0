import LedgerEvents

/// Bytes of projection state: LEB128 varints (zigzag for signed values),
/// strings as a varint length and UTF-8, doubles as their IEEE-754 bits
/// little-endian. The encoding of ``PatientState``'s checkpoints.
///
/// Writes into memory of its own, grown by doubling: each primitive checks
/// the room left once and stores through a pointer. The end of a replay
/// encodes every patient's state (a few hundred values each) into one
/// reused writer; appending byte by byte to an `Array` checked its
/// uniqueness and capacity for every byte. Not copyable: it owns the
/// memory, freed when it goes.
struct StateWriter: ~Copyable {
    private var start: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// The number of bytes written.
    private(set) var length = 0

    /// An empty writer with room for `capacity` bytes before it grows.
    init(capacity: Int = 256) {
        self.capacity = max(capacity, 16)
        start = .allocate(capacity: self.capacity)
    }

    deinit { start.deallocate() }

    /// The bytes written, as an array of their exact size (a copy).
    var bytes: [UInt8] { withBytes { Array($0) } }

    /// Calls `body` with the bytes written, valid during the call.
    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: start, count: length))
    }

    /// Forgets the bytes written, keeping the memory.
    mutating func removeAll() { length = 0 }

    /// Makes room for `n` more bytes.
    @inline(__always)
    private mutating func reserve(_ n: Int) {
        if capacity - length < n { grow(toHold: n) }
    }

    @inline(never)
    private mutating func grow(toHold n: Int) {
        let newCapacity = max(2 * capacity, length + n)
        let newStart = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newStart.update(from: start, count: length)
        start.deallocate()
        start = newStart
        capacity = newCapacity
    }

    mutating func varint(_ value: UInt64) {
        reserve(10)
        var v = value
        var p = start + length
        while v >= 0x80 {
            p.pointee = UInt8(truncatingIfNeeded: v) | 0x80
            p += 1
            v >>= 7
        }
        p.pointee = UInt8(v)
        length = p - start + 1
    }

    mutating func int(_ value: Int64) { varint(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }
    mutating func count(_ value: Int) { varint(UInt64(value)) }

    mutating func bool(_ value: Bool) {
        reserve(1)
        start[length] = value ? 1 : 0
        length += 1
    }

    mutating func double(_ value: Double) {
        reserve(8)
        UnsafeMutableRawPointer(start + length).storeBytes(of: value.bitPattern.littleEndian, as: UInt64.self)
        length += 8
    }

    /// `bytes` as they are (no length).
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        reserve(bytes.count)
        if let source = bytes.baseAddress { (start + length).update(from: source, count: bytes.count) }
        length += bytes.count
    }

    mutating func string(_ value: String) {
        value.withUTF8Bytes { utf8 in
            count(utf8.count)
            append(utf8)
        }
    }

    /// A presence byte, then the value when present.
    mutating func optional<T>(_ value: T?, _ write: (inout StateWriter, T) -> Void) {
        bool(value != nil)
        if let value { write(&self, value) }
    }

    /// The index of `value` in its type's `allCases`.
    mutating func enumCase<E: CaseIterable & Equatable>(_ value: E) {
        count(E.allCases.firstIndex(of: value).map { E.allCases.distance(from: E.allCases.startIndex, to: $0) } ?? 0)
    }
}

/// Why state bytes did not decode: the offset and what was wrong.
public struct StateDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset in the state's bytes.
    public var offset: Int
    /// What was wrong there.
    public var reason: String
    public init(offset: Int, reason: String) { self.offset = offset; self.reason = reason }
    public var description: String { "\(reason) at byte \(offset)" }
}

/// Reads what ``StateWriter`` wrote; every read is bounds-checked and throws
/// on malformed bytes, never traps.
struct StateReader {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    /// Bounds on decoded times and days, far outside any event's (years
    /// 0001-9999) yet safe for day arithmetic: damage cannot make a later
    /// computation overflow.
    static let maxMilliseconds: Int64 = 1 << 52
    static let maxDay: Int64 = 1 << 40

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var isAtEnd: Bool { offset == bytes.count }

    func fail(_ reason: String) -> StateDecodingError { StateDecodingError(offset: offset, reason: reason) }

    mutating func byte() throws(StateDecodingError) -> UInt8 {
        guard offset < bytes.count else { throw fail("state ends early") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func varint() throws(StateDecodingError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            if shift == 63 && b > 1 { throw fail("varint overflows 64 bits") }
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
        }
    }

    mutating func int() throws(StateDecodingError) -> Int64 {
        let v = try varint()
        return Int64(bitPattern: v >> 1) ^ -Int64(bitPattern: v & 1)
    }

    /// A count of items still to come, each at least `minimumBytes` long:
    /// bounded by the bytes left, so damage cannot make a huge allocation.
    /// With `minimumBytes` 0 it is a plain number (bounded by `Int32.max`).
    mutating func count(minimumBytes: Int = 1) throws(StateDecodingError) -> Int {
        let v = try varint()
        let bound = minimumBytes == 0 ? UInt64(Int32.max) : UInt64((bytes.count - offset) / minimumBytes)
        guard v <= bound else { throw fail("count \(v) exceeds the bytes left") }
        return Int(v)
    }

    mutating func bool() throws(StateDecodingError) -> Bool {
        switch try byte() {
        case 0: return false
        case 1: return true
        default: offset -= 1; throw fail("not a boolean")
        }
    }

    mutating func double() throws(StateDecodingError) -> Double {
        guard bytes.count - offset >= 8 else { throw fail("state ends early") }
        var bits: UInt64 = 0
        for i in 0..<8 { bits |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        offset += 8
        return Double(bitPattern: bits)
    }

    mutating func string() throws(StateDecodingError) -> String {
        let n = try count()
        let start = offset
        offset += n
        guard let s = String(validating: UnsafeRawBufferPointer(rebasing: bytes[start..<offset]).bindMemory(to: UInt8.self), as: UTF8.self) else {
            offset = start
            throw fail("string is not UTF-8")
        }
        return s
    }

    mutating func optional<T>(_ read: (inout StateReader) throws(StateDecodingError) -> T) throws(StateDecodingError) -> T? {
        try bool() ? try read(&self) : nil
    }

    mutating func enumCase<E: CaseIterable>(_ type: E.Type) throws(StateDecodingError) -> E {
        let i = try varint()
        guard i < UInt64(E.allCases.count) else { throw fail("no \(E.self) case \(i)") }
        return E.allCases[E.allCases.index(E.allCases.startIndex, offsetBy: Int(i))]
    }
}
