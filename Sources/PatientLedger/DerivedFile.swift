import LedgerStorage

/// The envelope of the ledger's derived files, the per-patient index
/// snapshot (``IndexSnapshot``) and the projection checkpoints
/// (``ProjectionCheckpoint``):
///
/// ```
/// file   := header(64) body crc(4)
/// header := the log's 64-byte file header: the file's magic, the log's id,
///           base position = records 0..<base are reflected,
///           kind-specific field = the body's layout
/// crc    := masked CRC-32C of body, little-endian
/// ```
///
/// Derived data: a file whose header, log, layout or checksum does not hold
/// is refused with the reason, and what it held is rebuilt from the log.
enum DerivedFile {
    /// Why a derived file cannot be used.
    struct Problem: Error {
        var reason: String
        init(reason: String) { self.reason = reason }
        init(_ reason: String) { self.reason = reason }
    }

    /// A file whose envelope holds.
    struct Opened {
        /// Records `0..<basePosition` are reflected.
        var basePosition: UInt64
        /// Where the body lies in the file's bytes.
        var body: Range<Int>
    }

    /// Reads a body's varints from its start on.
    ///
    /// A struct, not a nested function capturing an offset: a captured
    /// variable is checked for exclusive access at run time on every use,
    /// which was a third of decoding a 10 M-event ledger's index snapshot.
    struct BodyReader {
        let body: UnsafeRawBufferPointer
        var offset = 0

        mutating func varint() -> UInt64? { Varint.read(body, at: &offset) }
    }

    static func encode(magic: [UInt8], logID: [UInt8], basePosition: UInt64, layout: UInt16, body: [UInt8]) -> [UInt8] {
        let framed = body.withUnsafeBytes { raw in
            frame(magic: magic, logID: logID, basePosition: basePosition, layout: layout, bodyHead: [], bodyTail: raw)
        }
        var bytes = framed.front
        bytes.reserveCapacity(bytes.count + body.count + 4)
        bytes += body
        bytes += framed.back
        return bytes
    }

    /// The file of a body in two parts, `bodyHead` then `bodyTail`, as
    /// pieces to write one after another: `front` (the header and
    /// `bodyHead`), then `bodyTail` as it lies, then `back` (the
    /// checksum). ``encode(magic:logID:basePosition:layout:body:)``
    /// joins them; a large body (a checkpoint's state) is written from
    /// where it lies instead of being copied into the file's bytes.
    static func frame(magic: [UInt8], logID: [UInt8], basePosition: UInt64, layout: UInt16,
                      bodyHead: [UInt8], bodyTail: UnsafeRawBufferPointer) -> (front: [UInt8], back: [UInt8]) {
        var front = FileHeader(magic: magic, logID: logID, basePosition: basePosition,
                               createdAtMillis: currentTimeMillis(), extra: layout).encoded()
        front += bodyHead
        let crc = CRC32C.mask(CRC32C.checksum(bodyTail, continuing: CRC32C.checksum(bodyHead)))
        return (front, withUnsafeBytes(of: crc.littleEndian) { Array($0) })
    }

    /// Checks the envelope of `bytes`. `kind` names the file in reasons
    /// ("snapshot", "checkpoint").
    static func open(_ bytes: [UInt8], kind: String, magic: [UInt8], logID: [UInt8], layout: UInt16,
                     path: String) -> Result<Opened, Problem> {
        let header: FileHeader
        do throws(StorageError) {
            header = try FileHeader.decode(bytes, expectedMagic: magic, path: path)
        } catch {
            return .failure(Problem(error.message))
        }
        guard header.logID == logID else { return .failure(Problem("\(kind) belongs to another log")) }
        guard header.extra == layout else {
            return .failure(Problem("\(kind) body layout \(header.extra), this PatientLedger writes \(layout)"))
        }
        guard bytes.count >= FileHeader.length + 4 else { return .failure(Problem("\(kind) truncated")) }
        let body = FileHeader.length..<(bytes.count - 4)
        let intact = bytes.withUnsafeBytes { raw in
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[body])) == CRC32C.unmask(raw.loadLE(at: raw.count - 4, as: UInt32.self))
        }
        guard intact else { return .failure(Problem("\(kind) checksum mismatch")) }
        return .success(Opened(basePosition: header.basePosition, body: body))
    }
}

extension Array where Element == UInt8 {
    /// Appends `value` as a LEB128 varint (``LedgerStorage/Varint``).
    mutating func appendVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        append(UInt8(v))
    }
}
