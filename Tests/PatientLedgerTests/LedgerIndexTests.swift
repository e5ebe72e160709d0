import LedgerTestSupport
@testable import PatientLedger
import Testing

/// The per-patient index against a plain model (a dictionary of arrays):
/// the chunked arena must give back every patient's positions in order,
/// across chunk and page boundaries, whatever the interleaving.
@Suite struct LedgerIndexTests {
    @Test(arguments: [1, 7, 8, 50, 3000])
    func positionsComeBackInOrderAcrossChunksAndPages(patients: Int) {
        // 130,000 records: more than two pages of 8192 chunks when each
        // chunk holds 7 positions of one patient.
        let records = 130_000
        var rng = SplitMix64(seed: UInt64(patients))
        var index = LedgerIndex()
        var model: [String: [UInt64]] = [:]
        var erased: [String: UInt64] = [:]
        for position in 0..<UInt64(records) {
            let patient = "P\(Int.random(in: 0..<patients, using: &rng))"
            let isErase = Int.random(in: 0..<1000, using: &rng) == 0
            index.add(position: position, patient: patient, patientHash: IdentifierHash.hash(patient), idHash: position % 3 == 0 ? nil : (position &+ 1) &* 0x9E37_79B9_7F4A_7C15,
                      isErase: isErase, time: Int64(position))
            model[patient, default: []].append(position)
            if isErase { erased[patient] = position }
        }
        #expect(index.coveredPosition == UInt64(records))
        #expect(index.patients.sorted() == model.keys.sorted())
        #expect(index.arena.chunks >= records / PositionArena.chunkPositions)
        var hidden: [UInt64] = []
        for (patient, positions) in model {
            #expect(index.positions(of: patient) == positions)
            #expect(index.stream(of: patient)?.version == UInt64(positions.count))
            #expect(index.stream(of: patient)?.last == positions.last)
            #expect(index.stream(of: patient)?.lastErase == erased[patient])
            let erase = erased[patient]
            #expect(index.visiblePositions(of: patient) == positions.filter { erase == nil || $0 > erase! })
            if let erase { hidden += positions.filter { $0 < erase } }
        }
        #expect(index.hiddenPositions().sorted() == hidden.sorted())
        #expect(index.erasures(before: .max) == erased)
        #expect(index.erasedPatients == erased.count)
        #expect(index.positions(of: "nobody").isEmpty && index.stream(of: "nobody") == nil)
    }

    @Test func aSnapshotRoundTripsEveryStream() {
        var rng = SplitMix64(seed: 9)
        var index = LedgerIndex()
        for position in 0..<UInt64(20_000) {
            let patient = "P\(Int.random(in: 0..<300, using: &rng))"
            index.add(position: position, patient: patient, patientHash: IdentifierHash.hash(patient), idHash: (position &+ 1) &* 0x9E37_79B9_7F4A_7C15,
                      isErase: Int.random(in: 0..<500, using: &rng) == 0, time: Int64(Int.random(in: 0..<1_000_000, using: &rng)))
        }
        let logID = [UInt8](repeating: 7, count: 16)
        guard case .success(let decoded) = IndexSnapshot.decode(IndexSnapshot.encode(index, logID: logID), logID: logID, path: "x") else {
            Issue.record("snapshot does not decode")
            return
        }
        #expect(decoded.coveredPosition == index.coveredPosition)
        #expect(decoded.patients.sorted() == index.patients.sorted())
        for patient in index.patients {
            #expect(decoded.positions(of: patient) == index.positions(of: patient))
            let (got, want) = (decoded.stream(of: patient), index.stream(of: patient))
            #expect(got != nil && got?.lastErase == want?.lastErase && got?.last == want?.last
                    && got?.latestVisibleTime == want?.latestVisibleTime)
        }
        #expect(decoded.ids.words == index.ids.words)
        var copy = decoded
        #expect(copy.latestVisibleTime() == { var i = index; return i.latestVisibleTime() }())
    }

    /// The snapshot decoder meets damaged bodies that a checksum would not
    /// catch (re-wrapped with a valid one): flipped bytes, cut bodies. It
    /// must refuse them or decode them, never trap, and whatever it
    /// accepts holds only positions below its base.
    @Test func damagedSnapshotBodiesNeverTrap() throws {
        var index = LedgerIndex()
        for position in 0..<UInt64(3_000) {
            let patient = "P\(position % 97)"
            index.add(position: position, patient: patient, patientHash: IdentifierHash.hash(patient),
                      idHash: position % 5 == 0 ? nil : IdentifierHash.hash("id-\(position)"),
                      isErase: position % 701 == 700, time: Int64(position) * 1000)
        }
        let logID = [UInt8](repeating: 3, count: 16)
        let bytes = IndexSnapshot.encode(index, logID: logID)
        let body = Array(bytes[64..<(bytes.count - 4)])
        func wrap(_ body: [UInt8]) -> [UInt8] {
            DerivedFile.encode(magic: IndexSnapshot.magic, logID: logID, basePosition: index.coveredPosition,
                               layout: IndexSnapshot.layout, body: body)
        }
        guard case .success = IndexSnapshot.decode(wrap(body), logID: logID, path: "x") else {
            Issue.record("the re-wrapped body must decode")
            return
        }
        var rng = SplitMix64(seed: 21)
        var refused = 0
        for round in 0..<3_000 {
            var damaged = body
            if round % 3 == 0 {
                damaged.removeLast(Int.random(in: 1...damaged.count, using: &rng))
            } else {
                for _ in 0..<Int.random(in: 1...3, using: &rng) {
                    damaged[Int.random(in: 0..<damaged.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
                }
            }
            switch IndexSnapshot.decode(wrap(damaged), logID: logID, path: "x") {
            case .success(let decoded):
                for ordinal in 0..<min(decoded.patients.count, 5) {
                    #expect(decoded.positions(of: decoded.patients[ordinal]).allSatisfy { $0 < index.coveredPosition })
                }
                decoded.ids.forEachEntry { _, _, position in #expect(position < index.coveredPosition) }
            case .failure:
                refused += 1
            }
        }
        #expect(refused > 1_000, "most damage is refused")
    }

    @Test func copiesAreIndependent() {
        var original = LedgerIndex()
        for position in 0..<UInt64(20) { original.add(position: position, patient: "P", patientHash: IdentifierHash.hash("P"), idHash: nil, isErase: false, time: 0) }
        var copy = original
        copy.add(position: 20, patient: "P", patientHash: IdentifierHash.hash("P"), idHash: nil, isErase: false, time: 0)
        original.add(position: 20, patient: "Q", patientHash: IdentifierHash.hash("Q"), idHash: nil, isErase: false, time: 0)
        #expect(original.positions(of: "P") == Array(0..<20))
        #expect(copy.positions(of: "P") == Array(0...20))
        #expect(original.positions(of: "Q") == [20] && copy.positions(of: "Q").isEmpty)
    }

    /// `statistics().indexBytes` reports the index's memory: more patients
    /// and events, more bytes; a whole position page once any event is in.
    @Test func statisticsReportTheIndexMemory() throws {
        let dir = TemporaryDirectory()
        let ledger = try Ledger.open(at: dir.path)
        let empty = try ledger.statistics().indexBytes
        try ledger.append((0..<2_000).map { Events.visit("P\($0 % 500)", day: 1 + $0 % 300, id: "v-\($0)") })
        let some = try ledger.statistics().indexBytes
        #expect(some >= empty + PositionArena.pageSlots * 8)
        try ledger.append((2_000..<80_000).map { Events.visit("P\($0 % 5_000)", day: 1 + $0 % 300, id: "v-\($0)") })
        #expect(try ledger.statistics().indexBytes > some)
        try ledger.close()
    }
}
