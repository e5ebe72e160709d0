import Testing
import LedgerEvents
@testable import LedgerProjections

/// Damaged or crafted state bytes give an error, never a trap.
@Suite struct StateDecodingTests {
    /// The bytes of an empty state up to `visitTimes`, then a crafted list.
    func stateWithVisitDeltas(_ deltas: [Int64]) -> [UInt8] {
        var w = StateWriter()
        for _ in 0..<4 { w.bool(false) }      // lastPosition, latest, sex, birthYear: absent
        w.count(0)                            // conditions
        w.count(deltas.count)                 // visit times, as deltas
        for d in deltas { w.int(d) }
        return w.bytes
    }

    @Test(arguments: [[Int64.max, Int64.max], [Int64.min, -1], [Int64.max], [1 << 53]])
    func timesOutsideAnyEventsRangeAreRefused(deltas: [Int64]) {
        let bytes = stateWithVisitDeltas(deltas)
        #expect(throws: StateDecodingError.self) {
            _ = try bytes.withUnsafeBytes { raw throws(StateDecodingError) in try PatientState(decoding: raw) }
        }
    }

    @Test func randomBytesNeverTrap() {
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return seed >> 11
        }
        var accepted = 0
        for _ in 0..<20_000 {
            let bytes = (0..<Int(next() % 96)).map { _ in UInt8(truncatingIfNeeded: next()) }
            if (try? bytes.withUnsafeBytes { raw throws(StateDecodingError) in try PatientState(decoding: raw) }) != nil { accepted += 1 }
        }
        #expect(accepted < 20_000)
    }
}
