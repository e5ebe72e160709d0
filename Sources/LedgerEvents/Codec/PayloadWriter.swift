// The primitives of Docs/EventCodec.md ("Primitives"), written.
//
// Named for the event payload rather than `ByteWriter`: the module also
// hosts the JSON Lines reader, whose byte-level helpers are another thing.

/// Appends event-codec primitives to a byte array.
///
/// Every method appends exactly the bytes Docs/EventCodec.md prescribes
/// (shortest varints, canonical numbers), so that decoding and re-encoding
/// is the identity.
///
/// The primitives are stored through a pointer into a small scratch buffer
/// (the caller's, typically on the stack), which is appended to the array
/// when it fills and by ``finish()``: one array append per payload instead
/// of one per field (each with its uniqueness and capacity checks, a fifth
/// of encoding). A string longer than half the scratch goes to the array
/// directly. Allocation-free while the array has capacity.
///
/// ```swift
/// withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256) { scratch in
///     var writer = PayloadWriter(taking: &bytes, scratch: scratch)
///     writer.event(event)
///     bytes = writer.finish()
/// }
/// ```
struct PayloadWriter {
    /// The array written to; the scratch's pending bytes follow it.
    private var bytes: [UInt8] = []
    private let scratch: UnsafeMutablePointer<UInt8>
    private let scratchCapacity: Int
    /// Bytes in `scratch` not yet appended to `bytes`.
    private var pending = 0

    /// A writer appending to `bytes`, which it takes (leaving an empty
    /// array: moved, so its storage stays uniquely referenced and grows in
    /// place), through `scratch`, which must hold at least 16 bytes and
    /// outlive the writer.
    init(taking bytes: inout [UInt8], scratch: UnsafeMutableBufferPointer<UInt8>) {
        precondition(scratch.count >= 16, "a payload writer's scratch holds at least a varint")
        swap(&self.bytes, &bytes)
        self.scratch = scratch.baseAddress!
        self.scratchCapacity = scratch.count
    }

    /// The array with everything written appended; the writer's end.
    consuming func finish() -> [UInt8] {
        flush()
        return bytes
    }

    /// Appends what is pending in the scratch to ``bytes``.
    private mutating func flush() {
        guard pending > 0 else { return }
        bytes.append(contentsOf: UnsafeBufferPointer(start: scratch, count: pending))
        pending = 0
    }

    /// Makes room for `count` more bytes in the scratch (`count` at most
    /// its capacity).
    @inline(__always)
    private mutating func room(_ count: Int) {
        if scratchCapacity &- pending < count { flush() }
    }

    @inline(__always)
    mutating func byte(_ value: UInt8) {
        room(1)
        scratch[pending] = value
        pending &+= 1
    }

    /// Unsigned LEB128, shortest form (1...10 bytes).
    @inline(__always)
    mutating func varint(_ value: UInt64) {
        room(10)
        var v = value
        while v >= 0x80 {
            scratch[pending] = UInt8(truncatingIfNeeded: v) | 0x80
            pending &+= 1
            v >>= 7
        }
        scratch[pending] = UInt8(truncatingIfNeeded: v)
        pending &+= 1
    }

    /// `bytes`, as they are.
    @inline(__always)
    mutating func raw(_ bytes: UnsafeBufferPointer<UInt8>) {
        if bytes.count > scratchCapacity / 2 {
            flush()
            self.bytes.append(contentsOf: bytes)
            return
        }
        room(bytes.count)
        if let source = bytes.baseAddress {
            (scratch + pending).initialize(from: source, count: bytes.count)
        }
        pending &+= bytes.count
    }

    /// A signed integer as the varint of its zigzag form.
    @inline(__always)
    mutating func int(_ value: Int) {
        varint(WireNumber.zigzag(Int64(value)))
    }

    /// A time as the zigzag varint of its distance in milliseconds from the
    /// event's time (wrapping: any pair of times works).
    @inline(__always)
    mutating func time(_ value: EventTime, relativeTo base: EventTime) {
        varint(WireNumber.zigzag(value.millisecondsSince1970 &- base.millisecondsSince1970))
    }

    /// `varint(byteLength) utf8`.
    @inline(__always)
    mutating func string(_ value: String) {
        // A native string's bytes in place, without copying the String (a
        // copy retains and releases its storage); a small string's (up to
        // 15 bytes, most ids) as one buffer (appending the view itself went
        // byte by byte).
        value.withUTF8Bytes { utf8 in
            varint(UInt64(utf8.count))
            raw(utf8)
        }
    }

    /// `varint(count) string{count}`.
    mutating func strings(_ values: [String]) {
        varint(UInt64(values.count))
        for value in values { string(value) }
    }

    /// A number: the compact decimal form when it is exact, else the
    /// 8-byte IEEE form (`varint(7)` then the bits, little-endian).
    @inline(__always)
    mutating func number(_ value: Double) {
        if let head = WireNumber.compactHead(value) {
            varint(head)
        } else {
            byte(WireNumber.rawTag)
            var bits = value.bitPattern
            for _ in 0..<8 {
                byte(UInt8(truncatingIfNeeded: bits))
                bits >>= 8
            }
        }
    }
}

/// Integer and number forms shared by writer and reader.
enum WireNumber {
    /// The scale value of a number's head that announces 8 raw IEEE bytes.
    static let rawScale: UInt64 = 7
    /// The complete head of a raw number (mantissa field 0, scale 7).
    static let rawTag: UInt8 = 7
    /// Largest mantissa magnitude of the compact form: every integer up to
    /// it is exactly a Double.
    static let maxMantissa: Double = 9_007_199_254_740_992  // 2^53
    /// 10^scale for the compact scales 0...6, all exact Doubles.
    static let powersOfTen: (Double, Double, Double, Double, Double, Double, Double) =
        (1, 10, 100, 1_000, 10_000, 100_000, 1_000_000)

    @inline(__always)
    static func powerOfTen(_ scale: Int) -> Double {
        switch scale {
        case 0: powersOfTen.0
        case 1: powersOfTen.1
        case 2: powersOfTen.2
        case 3: powersOfTen.3
        case 4: powersOfTen.4
        case 5: powersOfTen.5
        default: powersOfTen.6
        }
    }

    @inline(__always)
    static func zigzag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }

    @inline(__always)
    static func unzigzag(_ value: UInt64) -> Int64 {
        Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1)
    }

    /// The head `zigzag(m) << 3 | s` of the compact form of `value`: the
    /// smallest scale s in 0...6 with an integer m, |m| <= 2^53, such that
    /// `Double(m) / 10^s` has exactly `value`'s bits. Nil when there is none
    /// (NaN, infinities, -0.0, values needing more digits or magnitude):
    /// those take the raw form.
    @inline(__always)
    static func compactHead(_ value: Double) -> UInt64? {
        guard value.isFinite else { return nil }
        // Fast path: small integers (answers, counts, mmHg, bpm).
        if value == value.rounded(.towardZero) && Swift.abs(value) <= maxMantissa {
            let m = Int64(value)
            if m != 0 || value.sign == .plus {
                return zigzag(m) << 3
            }
            return nil  // -0.0
        }
        for scale in 1...6 {
            let p = powerOfTen(scale)
            let scaled = (value * p).rounded()
            guard Swift.abs(scaled) <= maxMantissa else { return nil }
            let m = Int64(scaled)
            if (Double(m) / p).bitPattern == value.bitPattern {
                return zigzag(m) << 3 | UInt64(scale)
            }
        }
        return nil
    }
}
