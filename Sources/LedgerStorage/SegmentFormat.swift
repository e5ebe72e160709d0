// The constants and fixed layouts of the on-disk format, version 1.
//
// The format is specified in Docs/SegmentFormat.md (grammar, every field's
// width and byte order, what each checksum covers, recovery rules and a
// worked example). This file only transcribes it; change both together.

/// Format constants and header layouts. See `Docs/SegmentFormat.md`.
package enum SegmentFormat {
    /// The format version this library writes and the newest it reads.
    package static let version: UInt16 = 1

    // MARK: LOG (the log's metadata file, 64 bytes)
    static let logMagic: [UInt8] = Array("PLEDGLOG".utf8)
    static let logFileName = "LOG"
    static let lockFileName = "LOCK"
    static let logHeaderLength = 64

    // MARK: Segment file header (64 bytes)
    static let segmentMagic: [UInt8] = Array("PLEDGSEG".utf8)
    static let segmentHeaderLength = 64
    static let segmentSuffix = ".seg"

    // MARK: Block header (64 bytes) and payload
    /// "PBLK" read as a little-endian UInt32.
    static let blockMagic: UInt32 = 0x4B4C_4250
    static let blockHeaderLength = 64
    static let codecNone: UInt8 = 0
    static let codecLZ4: UInt8 = 1
    /// Block flag: the block's last record ends a batch.
    static let flagBatchEnd: UInt8 = 1
    /// Largest record payload the log accepts (64 MiB).
    static let maxRecordLength = 64 << 20
    /// Largest raw or stored block payload a reader accepts (1 GiB); a header
    /// claiming more is damaged.
    static let maxBlockPayload = 1 << 30

    // MARK: Index file (64-byte header, 48-byte entries)
    static let indexMagic: [UInt8] = Array("PLEDGIDX".utf8)
    static let indexHeaderLength = 64
    static let indexEntryLength = 48
    static let indexSuffix = ".idx"

    /// The 20-digit zero-padded base position, so that `ls` sorts numerically.
    static func fileStem(_ base: UInt64) -> String {
        let digits = String(base)
        return String(repeating: "0", count: 20 - digits.count) + digits
    }

    static func parseStem(_ name: String, suffix: String) -> UInt64? {
        guard name.hasSuffix(suffix) else { return nil }
        let stem = name.dropLast(suffix.count)
        guard stem.count == 20, stem.allSatisfy({ $0 >= "0" && $0 <= "9" }) else { return nil }
        return UInt64(stem)
    }
}

// MARK: - Fixed headers

/// The 64-byte header shared by `LOG`, segment and index files:
/// magic(8) version(2) headerLength(2) flags(4) logID(16) base(8)
/// createdAt(8) kindSpecific(12) crc(4).
package struct FileHeader: Equatable {
    package var magic: [UInt8]
    package var version: UInt16 = SegmentFormat.version
    package var flags: UInt32 = 0
    package var logID: [UInt8]
    package var basePosition: UInt64 = 0
    package var createdAtMillis: Int64 = 0
    /// Index files: entry length in the first two bytes. Zero elsewhere.
    package var extra: UInt16 = 0

    package static let length = 64

    package init(magic: [UInt8], version: UInt16 = SegmentFormat.version, flags: UInt32 = 0, logID: [UInt8],
                 basePosition: UInt64 = 0, createdAtMillis: Int64 = 0, extra: UInt16 = 0) {
        self.magic = magic; self.version = version; self.flags = flags; self.logID = logID
        self.basePosition = basePosition; self.createdAtMillis = createdAtMillis; self.extra = extra
    }

    package func encoded() -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: Self.length)
        bytes.withUnsafeMutableBytes { raw in
            for i in 0..<8 { raw[i] = magic[i] }
            raw.storeLE(version, at: 8)
            raw.storeLE(UInt16(Self.length), at: 10)
            raw.storeLE(flags, at: 12)
            for i in 0..<16 { raw[16 + i] = logID[i] }
            raw.storeLE(basePosition, at: 32)
            raw.storeLE(createdAtMillis, at: 40)
            raw.storeLE(extra, at: 48)
            let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<60]))
            raw.storeLE(CRC32C.mask(crc), at: 60)
        }
        return bytes
    }

    /// Decodes and validates a header held in an array.
    package static func decode(_ bytes: [UInt8], expectedMagic: [UInt8], path: String) throws(StorageError) -> FileHeader {
        var result: Result<FileHeader, StorageError> = .failure(StorageError(.corruption, message: ""))
        bytes.withUnsafeBytes { raw in
            do throws(StorageError) { result = .success(try decode(raw, expectedMagic: expectedMagic, path: path)) } catch { result = .failure(error) }
        }
        return try result.get()
    }

    /// Decodes and validates a header; `path` names the file in errors.
    static func decode(_ raw: UnsafeRawBufferPointer, expectedMagic: [UInt8], path: String) throws(StorageError) -> FileHeader {
        guard raw.count >= length else {
            throw StorageError.corruption(path, 0, "file shorter than its \(length)-byte header")
        }
        guard raw.prefix(8).elementsEqual(expectedMagic) else {
            throw StorageError.corruption(path, 0, "bad magic: not a \(String(decoding: expectedMagic, as: UTF8.self)) file")
        }
        let stored = CRC32C.unmask(raw.loadLE(at: 60, as: UInt32.self))
        let computed = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<60]))
        guard stored == computed else {
            throw StorageError.corruption(path, 0, "file header checksum mismatch")
        }
        let version = raw.loadLE(at: 8, as: UInt16.self)
        guard version <= SegmentFormat.version else {
            throw StorageError(.unsupportedVersion, path: path, offset: 0,
                               message: "written by format version \(version); this PatientLedger reads versions up to \(SegmentFormat.version): upgrade PatientLedger to read it")
        }
        guard version >= 1, raw.loadLE(at: 10, as: UInt16.self) == UInt16(length) else {
            throw StorageError.corruption(path, 8, "bad version or header length")
        }
        let flags = raw.loadLE(at: 12, as: UInt32.self)
        guard flags == 0 else {
            // Version 1 defines no flags: a later version set one without
            // raising the version, so this library cannot know its meaning.
            throw StorageError(.unsupportedVersion, path: path, offset: 12,
                               message: "uses features unknown to this PatientLedger (flags 0x\(String(flags, radix: 16))): upgrade PatientLedger to read it")
        }
        guard raw[50..<60].allSatisfy({ $0 == 0 }) else {
            throw StorageError.corruption(path, 50, "reserved header bytes are not zero")
        }
        return FileHeader(
            magic: expectedMagic, version: version,
            flags: raw.loadLE(at: 12, as: UInt32.self),
            logID: Array(raw[16..<32]),
            basePosition: raw.loadLE(at: 32, as: UInt64.self),
            createdAtMillis: raw.loadLE(at: 40, as: Int64.self),
            extra: raw.loadLE(at: 48, as: UInt16.self))
    }
}

/// The 64-byte header in front of every block's payload.
struct BlockHeader: Equatable {
    var firstPosition: UInt64
    var recordCount: UInt32
    var rawLength: UInt32
    var storedLength: UInt32
    var codec: UInt8
    var flags: UInt8
    var minTimestamp: Int64
    var maxTimestamp: Int64
    /// The segment offset up to which the segment was durable when this block
    /// was written. Recovery uses it to tell a torn tail from damage.
    var durableThrough: UInt64
    /// Unmasked CRC-32C of the stored payload.
    var payloadCRC: UInt32

    var endPosition: UInt64 { firstPosition &+ UInt64(recordCount) }
    var totalLength: Int { SegmentFormat.blockHeaderLength + Int(storedLength) }
    var endsBatch: Bool { flags & SegmentFormat.flagBatchEnd != 0 }

    func encode(into raw: UnsafeMutableRawBufferPointer) {
        raw.storeLE(SegmentFormat.blockMagic, at: 4)
        raw.storeLE(firstPosition, at: 8)
        raw.storeLE(recordCount, at: 16)
        raw.storeLE(rawLength, at: 20)
        raw.storeLE(storedLength, at: 24)
        raw[28] = codec
        raw[29] = flags
        raw.storeLE(UInt16(0), at: 30)
        raw.storeLE(minTimestamp, at: 32)
        raw.storeLE(maxTimestamp, at: 40)
        raw.storeLE(durableThrough, at: 48)
        raw.storeLE(CRC32C.mask(payloadCRC), at: 56)
        raw.storeLE(UInt32(0), at: 60)
        let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[4..<64]))
        raw.storeLE(CRC32C.mask(crc), at: 0)
    }

    enum DecodeFailure: String {
        case checksum = "block header checksum mismatch"
        case magic = "bad block magic"
        case fields = "block header fields out of range"
    }

    /// Decodes a header; `nil`-free: returns the failure reason instead.
    static func decode(_ raw: UnsafeRawBufferPointer) -> Result<BlockHeader, DecodeFailureError> {
        let stored = CRC32C.unmask(raw.loadLE(at: 0, as: UInt32.self))
        let computed = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[4..<64]))
        guard stored == computed else { return .failure(.init(.checksum)) }
        guard raw.loadLE(at: 4, as: UInt32.self) == SegmentFormat.blockMagic else { return .failure(.init(.magic)) }
        let header = BlockHeader(
            firstPosition: raw.loadLE(at: 8, as: UInt64.self),
            recordCount: raw.loadLE(at: 16, as: UInt32.self),
            rawLength: raw.loadLE(at: 20, as: UInt32.self),
            storedLength: raw.loadLE(at: 24, as: UInt32.self),
            codec: raw[28], flags: raw[29],
            minTimestamp: raw.loadLE(at: 32, as: Int64.self),
            maxTimestamp: raw.loadLE(at: 40, as: Int64.self),
            durableThrough: raw.loadLE(at: 48, as: UInt64.self),
            payloadCRC: CRC32C.unmask(raw.loadLE(at: 56, as: UInt32.self)))
        let reservedZero = raw.loadLE(at: 30, as: UInt16.self) == 0 && raw.loadLE(at: 60, as: UInt32.self) == 0
        guard reservedZero, header.recordCount >= 1,
              header.flags & ~SegmentFormat.flagBatchEnd == 0,
              header.codec == SegmentFormat.codecNone || header.codec == SegmentFormat.codecLZ4,
              Int(header.rawLength) <= SegmentFormat.maxBlockPayload,
              Int(header.storedLength) <= SegmentFormat.maxBlockPayload,
              header.codec != SegmentFormat.codecNone || header.rawLength == header.storedLength,
              header.minTimestamp <= header.maxTimestamp,
              header.firstPosition <= UInt64.max - UInt64(header.recordCount)
        else { return .failure(.init(.fields)) }
        return .success(header)
    }

    struct DecodeFailureError: Error {
        var reason: DecodeFailure
        init(_ reason: DecodeFailure) { self.reason = reason }
    }
}
