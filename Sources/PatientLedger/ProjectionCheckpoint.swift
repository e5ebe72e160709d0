#if canImport(Glibc)
import Glibc
#endif
import LedgerProjections
import LedgerStorage

/// A projection's checkpoint file (`LEDGER/projections/NAME.ckpt`): its
/// state with the log position it reflects.
///
/// ```
/// file    := DerivedFile's envelope: header(64) body crc(4)
/// header  := the log's 64-byte file header, magic "PLEDGPRJ", the log's id,
///            base position = coveredPosition (records 0..<base are reflected),
///            kind-specific field = the body layout (1)
/// body    := string(name) varint(projectionVersion) anchor varint(stateLength) state
/// anchor  := varint(0)                                   ; coveredPosition == 0
///          | varint(1) varint(zigzag(timestamp)) u32le(crc) ; of record coveredPosition - 1
/// string  := varint(byteLength) utf8
/// ```
/// `state` is ``Projection/checkpoint()``'s bytes.
///
/// Derived data, never trusted blindly: a checkpoint is used only when its
/// checksum holds, it names this log, this projection and its version, it
/// does not reach past the log's end, and the anchor (the timestamp and
/// payload checksum of the last record it reflects) matches the record
/// stored there now, so a checkpoint of records that a crash later cut
/// (and new appends replaced) is never served. Anything else is rebuilt
/// from the log. Written whole to a temporary file of a name unique to
/// the process, synced, renamed over the old one, and the directory synced:
/// a crash leaves the old checkpoint or the new one, and two processes
/// writing at once leave one of theirs, each complete.
enum ProjectionCheckpoint {
    static let magic: [UInt8] = Array("PLEDGPRJ".utf8)
    static let layout: UInt16 = 1
    static let directoryName = "projections"
    static let suffix = ".ckpt"

    /// The last record a checkpoint reflects, as stored.
    struct Anchor: Equatable {
        var timestamp: Int64
        var payloadChecksum: UInt32

        init(_ record: LogRecord) {
            timestamp = record.timestamp
            payloadChecksum = CRC32C.checksum(record.payload)
        }

        init(timestamp: Int64, payloadChecksum: UInt32) {
            self.timestamp = timestamp
            self.payloadChecksum = payloadChecksum
        }
    }

    static func encode(name: String, version: UInt32, state: [UInt8], coveredPosition: UInt64,
                       anchor: Anchor?, logID: [UInt8]) -> [UInt8] {
        let framed = frame(name: name, version: version, state: state, coveredPosition: coveredPosition,
                           anchor: anchor, logID: logID)
        return framed.front + state + framed.back
    }

    /// The file of ``encode(name:version:state:coveredPosition:anchor:logID:)``
    /// as the pieces before and after `state`: the file is `front`, `state`,
    /// `back` (``DerivedFile/frame(magic:logID:basePosition:layout:bodyHead:bodyTail:)``),
    /// so that a writer writes the state (tens of megabytes for a large
    /// cohort) from where it lies rather than copying it twice.
    static func frame(name: String, version: UInt32, state: [UInt8], coveredPosition: UInt64,
                      anchor: Anchor?, logID: [UInt8]) -> (front: [UInt8], back: [UInt8]) {
        var body: [UInt8] = []
        body.reserveCapacity(64)
        func varint(_ value: UInt64) { body.appendVarint(value) }
        varint(UInt64(name.utf8.count))
        body += name.utf8
        varint(UInt64(version))
        if let anchor {
            varint(1)
            varint(Varint.zigzag(anchor.timestamp))
            withUnsafeBytes(of: anchor.payloadChecksum.littleEndian) { body.append(contentsOf: $0) }
        } else {
            varint(0)
        }
        varint(UInt64(state.count))
        return state.withUnsafeBytes { raw in
            DerivedFile.frame(magic: magic, logID: logID, basePosition: coveredPosition, layout: layout,
                              bodyHead: body, bodyTail: raw)
        }
    }

    /// What a checkpoint file holds once its checksum, log, name and
    /// version are checked; the state bytes are not yet decoded.
    struct Loaded {
        var coveredPosition: UInt64
        var anchor: Anchor?
        /// The range of the state's bytes in the file's bytes.
        var state: Range<Int>
    }

    /// Checks a checkpoint file's bytes, or says why they cannot be used.
    static func decode(_ bytes: [UInt8], name: String, version: UInt32, logID: [UInt8], path: String) -> Result<Loaded, Problem> {
        let opened: DerivedFile.Opened
        switch DerivedFile.open(bytes, kind: "checkpoint", magic: magic, logID: logID, layout: layout, path: path) {
        case .success(let file): opened = file
        case .failure(let problem): return .failure(problem)
        }
        return bytes.withUnsafeBytes { raw -> Result<Loaded, Problem> in
            let body = UnsafeRawBufferPointer(rebasing: raw[opened.body])
            var reader = DerivedFile.BodyReader(body: body)
            guard let nameLength = reader.varint(), nameLength <= UInt64(body.count - reader.offset) else { return .failure(Problem("bad projection name")) }
            let storedName = String(decoding: UnsafeRawBufferPointer(rebasing: body[reader.offset..<(reader.offset + Int(nameLength))]), as: UTF8.self)
            reader.offset += Int(nameLength)
            guard storedName == name else { return .failure(Problem("checkpoint is of projection \(storedName)")) }
            guard let storedVersion = reader.varint() else { return .failure(Problem("bad projection version")) }
            guard storedVersion == UInt64(version) else {
                return .failure(Problem("checkpoint of version \(storedVersion), this projection is version \(version)"))
            }
            var anchor: Anchor?
            switch reader.varint() {
            case 0?:
                guard opened.basePosition == 0 else { return .failure(Problem("checkpoint lacks its anchor")) }
            case 1?:
                guard let zigzag = reader.varint(), body.count - reader.offset >= 4 else { return .failure(Problem("bad anchor")) }
                anchor = Anchor(timestamp: Varint.unzigzag(zigzag), payloadChecksum: body.loadLE(at: reader.offset, as: UInt32.self))
                reader.offset += 4
            default:
                return .failure(Problem("bad anchor"))
            }
            guard let length = reader.varint(), length == UInt64(body.count - reader.offset) else { return .failure(Problem("bad state length")) }
            let start = opened.body.lowerBound + reader.offset
            return .success(Loaded(coveredPosition: opened.basePosition, anchor: anchor, state: start..<(start + Int(length))))
        }
    }

    typealias Problem = DerivedFile.Problem
}
