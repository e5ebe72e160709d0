import CCRC32C

/// CRC-32C (Castagnoli), the checksum of every byte the log stores.
///
/// Uses the SSE4.2 `crc32` instruction when the CPU has it and a portable
/// slicing-by-8 table otherwise. Stored checksums are *masked* (see
/// ``mask(_:)``), as LevelDB does, so that the checksum of data which itself
/// holds checksums stays well distributed.
///
/// All functions are thread-safe and allocation-free.
public enum CRC32C {
    /// Whether the hardware instruction is in use on this CPU.
    public static var usesHardware: Bool { plg_crc32c_hardware_available() != 0 }

    /// The CRC-32C of `bytes`, continuing from `crc` (0 starts a new checksum).
    @inlinable
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return crc }
        return plg_crc32c_extend(crc, base, bytes.count)
    }

    /// The CRC-32C of a byte sequence that can expose contiguous storage.
    @inlinable
    public static func checksum<Bytes: Sequence<UInt8>>(_ bytes: Bytes, continuing crc: UInt32 = 0) -> UInt32 {
        if let result = bytes.withContiguousStorageIfAvailable({ checksum(UnsafeRawBufferPointer($0), continuing: crc) }) {
            return result
        }
        return Array(bytes).withUnsafeBytes { checksum($0, continuing: crc) }
    }

    /// The table implementation, whatever the CPU; for tests.
    public static func portableChecksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return crc }
        return plg_crc32c_extend_portable(crc, base, bytes.count)
    }

    /// The SSE4.2 implementation (the table one on CPUs without SSE4.2); for tests.
    public static func hardwareChecksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return crc }
        return plg_crc32c_extend_hardware(crc, base, bytes.count)
    }

    static let maskDelta: UInt32 = 0xA282_EAD8

    /// The form in which a checksum is stored: rotated right by 15 bits plus a
    /// constant (LevelDB's `crc32c::Mask`).
    @inlinable
    public static func mask(_ crc: UInt32) -> UInt32 {
        ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }

    /// Inverts ``mask(_:)``.
    @inlinable
    public static func unmask(_ masked: UInt32) -> UInt32 {
        let rotated = masked &- 0xA282_EAD8
        return (rotated >> 17) | (rotated << 15)
    }
}
