// Little-endian fixed-width integers and LEB128 varints over raw buffers.
// Every multi-byte field of the on-disk format is little-endian
// (Docs/SegmentFormat.md).

extension UnsafeMutableRawBufferPointer {
    @inline(__always)
    package func storeLE<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self)
    }
}

extension UnsafeRawBufferPointer {
    @inlinable @inline(__always)
    package func loadLE<T: FixedWidthInteger>(at offset: Int, as: T.Type) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}

package enum Varint {
    /// Most bytes a 64-bit varint takes.
    package static let maxLength = 10

    /// Writes `value` at `pointer`, returns the bytes written (1...10).
    @inlinable @inline(__always)
    package static func write(_ value: UInt64, to pointer: UnsafeMutableRawPointer) -> Int {
        var v = value
        var i = 0
        while v >= 0x80 {
            pointer.storeBytes(of: UInt8(truncatingIfNeeded: v) | 0x80, toByteOffset: i, as: UInt8.self)
            v >>= 7
            i += 1
        }
        pointer.storeBytes(of: UInt8(v), toByteOffset: i, as: UInt8.self)
        return i + 1
    }

    /// Reads a varint from `buffer` at `offset`, advancing it. Returns nil on
    /// truncation or on an encoding longer than 10 bytes or overflowing 64 bits.
    @inlinable @inline(__always)
    package static func read(_ buffer: UnsafeRawBufferPointer, at offset: inout Int) -> UInt64? {
        // Fast paths: most lengths and time deltas take one or two bytes.
        if offset >= 0 && offset + 2 <= buffer.count {
            let first = buffer[offset]
            if first < 0x80 {
                offset += 1
                return UInt64(first)
            }
            let second = buffer[offset + 1]
            if second < 0x80 {
                offset += 2
                return UInt64(first & 0x7F) | UInt64(second) << 7
            }
        }
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var i = offset
        while i < buffer.count {
            let byte = buffer[i]
            i += 1
            if shift == 63 && byte > 1 { return nil }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 {
                offset = i
                return result
            }
            shift += 7
            if shift > 63 { return nil }
        }
        return nil
    }

    @inlinable @inline(__always)
    package static func zigzag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }

    @inlinable @inline(__always)
    package static func unzigzag(_ value: UInt64) -> Int64 {
        Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1)
    }
}
