// The primitives of Docs/EventCodec.md ("Primitives"), written.
//
// Named for the event payload rather than `ByteWriter`: the module also
// hosts the JSON Lines reader, whose byte-level helpers are another thing.

/// Appends event-codec primitives to a byte array.
///
/// Allocation-free while the array has capacity; every method appends
/// exactly the bytes Docs/EventCodec.md prescribes (shortest varints,
/// canonical numbers), so that decoding and re-encoding is the identity.
struct PayloadWriter {
    var bytes: [UInt8]

    @inline(__always)
    mutating func byte(_ value: UInt8) {
        bytes.append(value)
    }

    /// Unsigned LEB128, shortest form (1...10 bytes).
    @inline(__always)
    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(truncatingIfNeeded: v))
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
        // A native string's bytes in place, without copying the String
        // (a copy retains and releases its storage).
        let done: Void? = value.utf8.withContiguousStorageIfAvailable { utf8 in
            varint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
        if done != nil { return }
        // Small strings (up to 15 bytes, most ids) have no storage to
        // borrow; withUTF8 gives their bytes as one buffer (appending the
        // view itself went byte by byte).
        var value = value
        value.withUTF8 { utf8 in
            varint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
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
            bytes.append(WireNumber.rawTag)
            var bits = value.bitPattern
            for _ in 0..<8 {
                bytes.append(UInt8(truncatingIfNeeded: bits))
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
