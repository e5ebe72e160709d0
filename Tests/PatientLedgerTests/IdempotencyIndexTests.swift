import Testing
import LedgerTestSupport
import LedgerEvents
@testable import PatientLedger

@Suite struct IdempotencyIndexTests {
    @Test func holdsAtMostFortyBytesPerIdAndFindsEveryOne() {
        var index = IdempotencyIndex()
        let ids = (0..<100_000).map { "event-\($0)-\($0 &* 7919)" }
        for (p, id) in ids.enumerated() { index.insert(hash: IdentifierHash.hash(id), position: UInt64(p)) }
        #expect(index.count == ids.count)
        #expect(Double(index.residentBytes) / Double(ids.count) <= 40, "16-byte slots, at least 40% full")
        for (p, id) in ids.enumerated() where p % 97 == 0 {
            #expect(index.candidates(for: IdentifierHash.hash(id)) == [UInt64(p)])
        }
    }

    @Test func unknownIdsHaveNoCandidatesEvenWhenTheTableIsFull() {
        // Layout 4's 28-bit tags gave an unknown id a false candidate in
        // about count / 2^28 of lookups; with whole hashes a false candidate
        // takes a 64-bit collision. 300,000 ids fill 2^19 slots to 57%, and
        // 200,000 lookups of unknown ids must all come back empty.
        var index = IdempotencyIndex()
        for p in 0..<300_000 { index.insert(hash: IdentifierHash.hash("stored-\(p)"), position: UInt64(p)) }
        var falseCandidates = 0
        for i in 0..<200_000 { falseCandidates += index.candidates(for: IdentifierHash.hash("other-\(i)")).count }
        #expect(falseCandidates == 0)
    }

    @Test func equalHashesAreAllCandidatesAcrossGrowth() {
        var index = IdempotencyIndex(capacity: 4)
        for p in 0..<40 { index.insert(hash: 0xABCD_EF01_2345_6789, position: UInt64(p)) }
        #expect(index.candidates(for: 0xABCD_EF01_2345_6789).sorted() == (0..<40).map(UInt64.init))
        #expect(index.candidates(for: 0xABCD_EF01_2345_6788).isEmpty)
    }

    @Test func aHashMatchIsConfirmedAgainstTheStoredIdBeforeCountingAsDuplicate() throws {
        let dir = TemporaryDirectory()
        let ledger = try Ledger.open(at: dir.path, options: LedgerOptions(durability: .everyAppend))
        try ledger.append(Events.visit("P1", day: 1, id: "v-1"))
        // Forge a colliding entry: "v-2"'s hash pointing at the event whose id is "v-1".
        ledger.state.withLock { $0.index.ids.insert(hash: IdentifierHash.hash("v-2"), position: 0) }
        #expect(try ledger.append(Events.visit("P1", day: 2, id: "v-2")) == 1, "not a duplicate: the stored id differs")
        #expect(try ledger.append(Events.visit("P1", day: 3, id: "v-2")) == nil)
        try ledger.close()
    }

    @Test func hashesAreStableAcrossProcesses() {
        // Persisted in snapshots (layouts 4 and 5): these values must never change
        // without a new layout. Computed independently (a Python transcription
        // of the definition), at lengths around the 8-byte words.
        #expect(IdentifierHash.hash("") == 0xEFD0_1F60_BA99_2926)
        #expect(IdentifierHash.hash("visit-1") == 0x9370_6975_3D9B_BE72)
        #expect(IdentifierHash.hash("P0000001") == 0xC21C_0071_645C_794C)
        #expect(IdentifierHash.hash("12345678") == 0x6BBB_913B_DEB1_75B8)
        #expect(IdentifierHash.hash("123456789") == 0x56B4_E689_A81E_FC19)
        #expect(IdentifierHash.hash("3f2504e0-4f89-11d3-9a0c-0305e82c3301") == 0x9321_277E_0E34_8D8A)
    }

    /// The hash's definition written plainly (each word byte by byte, the
    /// last zero-padded): the fast one agrees at every length up to 80.
    @Test func theHashIsItsDefinitionAtEveryLength() {
        func reference(_ bytes: [UInt8]) -> UInt64 {
            let k: UInt64 = 0x9E37_79B9_7F4A_7C15
            var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ (UInt64(bytes.count) &* k)
            for start in stride(from: 0, to: bytes.count, by: 8) {
                var word: UInt64 = 0
                for i in start..<min(start + 8, bytes.count) { word |= UInt64(bytes[i]) << UInt64((i - start) * 8) }
                h = (h ^ word) &* k
                h ^= h >> 29
            }
            h ^= h >> 33
            h &*= 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 33
            h &*= 0xC4CE_B9FE_1A85_EC53
            h ^= h >> 33
            return h == 0 ? 1 : h
        }
        var generator = SplitMix64(seed: 11)
        for length in 0...80 {
            for _ in 0..<20 {
                let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                #expect(bytes.withUnsafeBytes { IdentifierHash.hash($0) } == reference(bytes), "length \(length)")
            }
        }
        // A `String` hashes as its UTF-8 bytes (ids of 4-7 bytes take the
        // two-load path; the hashes are stored in index snapshots).
        for id in ["P012345", "MRN1", "é-01", "MRN-00000000001"] {
            #expect(IdentifierHash.hash(id) == reference(Array(id.utf8)), "\(id)")
        }
    }
}
