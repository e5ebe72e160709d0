#if canImport(Glibc)
import Glibc
#endif
import LedgerStorage

/// The on-disk snapshot of the ``LedgerIndex`` (`LEDGER/index/streams`).
///
/// ```
/// file   := DerivedFile's envelope: header(64) body crc(4)
/// header := the log's 64-byte file header, magic "PLEDGPIX", the log's id,
///           base position = coveredPosition (records 0..<base are reflected),
///           kind-specific field = the body layout (4)
/// body   := varint(patients) patient* ids
/// patient:= string(patientId) varint(count) varint(delta)*count varint(lastErase + 1, 0 = none)
///           latest
/// latest := varint(0)                          ; no record (never written: a stream has one)
///         | varint(1) varint(zigzag(ms))       ; largest time among the visible records
/// ids    := varint(tableSize) varint(count) entry*count
/// entry  := varint(gap) u64le(idHash) varint(position)
///           ; one per occupied slot of the IdempotencyIndex, in slot
///           ; order; gap = empty slots since the previous entry (or
///           ; since slot 0)
/// string := varint(byteLength) utf8
/// ```
/// Patients come in the order of their first record (earlier layouts sorted
/// them by id; a reader accepts any order). Position deltas are from the
/// previous position of the same patient (the first from 0). The id table is
/// stored slot by slot as it lies in memory, empty slots skipped, so opening
/// writes each entry back where it was, in slot order, instead of inserting
/// every id again (10 million ids: a sequential pass instead of 10 million
/// random probes); about 14 bytes per stored id.
/// Written whole to a temporary file, synced and renamed.
/// Derived data: a missing, damaged, foreign or newer snapshot is ignored
/// and the index rebuilt from the log (the ledger reports it).
enum IndexSnapshot {
    static let magic: [UInt8] = Array("PLEDGPIX".utf8)
    static let fileName = "streams"
    /// The body layout, in the header's kind-specific field: 2 added each
    /// patient's latest visible time, 3 stores the id table verbatim, 4
    /// hashes ids with the word-at-a-time ``IdentifierHash`` (3 used
    /// FNV-1a), 5 keeps each id's whole hash (4 kept a 28-bit tag) and
    /// skips the empty slots. Another layout is rebuilt from the log.
    static let layout: UInt16 = 5

    static func encode(_ index: LedgerIndex, logID: [UInt8]) -> [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(index.streams.count * 32 + Int(index.coveredPosition) * 2 + index.ids.count * 14 + 32)
        body.appendVarint(UInt64(index.streams.count))
        let patients = index.patients
        // In the order of each patient's first record (the index's own
        // order): as deterministic as sorting by id, without comparing ids.
        for ordinal in patients.indices {
            let patient = patients[ordinal]
            let stream = index.streams[ordinal]
            body.appendVarint(UInt64(patient.utf8.count))
            body.append(contentsOf: patient.utf8)
            body.appendVarint(UInt64(stream.count))
            var previous: UInt64 = 0
            index.arena.forEach(in: stream) { p in body.appendVarint(p - previous); previous = p; return true }
            body.appendVarint(stream.lastErase.map { $0 + 1 } ?? 0)
            // A stream always has a record, hence a latest visible time.
            body.appendVarint(1)
            body.appendVarint(Varint.zigzag(stream.latestVisibleTime))
        }
        body.appendVarint(UInt64(index.ids.size))
        body.appendVarint(UInt64(index.ids.count))
        var next = 0
        index.ids.forEachEntry { slot, hash, position in
            body.appendVarint(UInt64(slot - next))
            withUnsafeBytes(of: hash.littleEndian) { body.append(contentsOf: $0) }
            body.appendVarint(position)
            next = slot + 1
        }
        return DerivedFile.encode(magic: magic, logID: logID, basePosition: index.coveredPosition, layout: layout, body: body)
    }

    /// Decodes a snapshot, or returns why it cannot be used.
    static func decode(_ bytes: [UInt8], logID: [UInt8], path: String) -> Result<LedgerIndex, SnapshotProblem> {
        let opened: DerivedFile.Opened
        switch DerivedFile.open(bytes, kind: "snapshot", magic: magic, logID: logID, layout: layout, path: path) {
        case .success(let file): opened = file
        case .failure(let problem): return .failure(problem)
        }
        let base = opened.basePosition
        return bytes.withUnsafeBytes { raw -> Result<LedgerIndex, SnapshotProblem> in
            let body = UnsafeRawBufferPointer(rebasing: raw[opened.body])
            var reader = DerivedFile.BodyReader(body: body)
            var index = LedgerIndex()
            index.coveredPosition = base
            guard let patients = reader.varint(), patients <= UInt64(body.count) else { return .failure(.init(reason: "bad patient count")) }
            index.reserveCapacity(patients: Int(patients))
            var positions: [UInt64] = []
            for _ in 0..<patients {
                guard let length = reader.varint(), length <= UInt64(body.count - reader.offset) else { return .failure(.init(reason: "bad patient id")) }
                let patient = String(decoding: UnsafeRawBufferPointer(rebasing: body[reader.offset..<(reader.offset + Int(length))]), as: UTF8.self)
                reader.offset += Int(length)
                guard let count = reader.varint(), count > 0, count <= UInt64(body.count - reader.offset) else { return .failure(.init(reason: "bad position count")) }
                positions.removeAll(keepingCapacity: true)
                var previous: UInt64 = 0
                for _ in 0..<count {
                    guard let delta = reader.varint() else { return .failure(.init(reason: "bad position")) }
                    let (p, overflow) = previous.addingReportingOverflow(delta)
                    guard !overflow, p < base, positions.isEmpty || p > previous
                    else { return .failure(.init(reason: "positions out of order")) }
                    positions.append(p)
                    previous = p
                }
                guard let erase = reader.varint() else { return .failure(.init(reason: "bad erase position")) }
                var lastErase: UInt64?
                if erase > 0 {
                    guard positions.contains(erase - 1) else { return .failure(.init(reason: "erase position not in stream")) }
                    lastErase = erase - 1
                }
                guard let hasLatest = reader.varint(), hasLatest == 1, let zigzag = reader.varint()
                else { return .failure(.init(reason: "bad latest time")) }
                guard index.addStream(patient: patient, positions: positions, lastErase: lastErase,
                                      latestVisibleTime: Varint.unzigzag(zigzag))
                else { return .failure(.init(reason: "patient listed twice")) }
            }
            guard let size = reader.varint(), size >= 16, size & (size - 1) == 0, size <= UInt64(1) << 40,
                  let count = reader.varint(), Double(count) <= Double(size) * 0.8, count <= UInt64(body.count - reader.offset) / 10
            else { return .failure(.init(reason: "bad id table size")) }
            var words = [UInt64](repeating: 0, count: 2 * Int(size))
            let entriesOK = words.withUnsafeMutableBufferPointer { words -> Bool in
                var slot: UInt64 = 0
                for _ in 0..<count {
                    guard let gap = reader.varint(), gap < size - slot, reader.offset + 8 <= body.count else { return false }
                    slot += gap
                    let hash = body.loadLE(at: reader.offset, as: UInt64.self)
                    reader.offset += 8
                    guard hash != 0, let position = reader.varint(), position < base else { return false }
                    words[2 * Int(slot)] = hash
                    words[2 * Int(slot) + 1] = position + 1
                    slot += 1
                }
                return true
            }
            guard entriesOK else { return .failure(.init(reason: "bad id entry")) }
            index.ids = IdempotencyIndex(words: words, count: Int(count))
            guard reader.offset == body.count else { return .failure(.init(reason: "trailing bytes in snapshot")) }
            return .success(index)
        }
    }

    typealias SnapshotProblem = DerivedFile.Problem
}
