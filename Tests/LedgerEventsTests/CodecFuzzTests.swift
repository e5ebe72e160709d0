import Testing
import LedgerEvents

/// Random and mutated payloads: decode and envelope return or throw, never
/// trap; whatever decodes re-encodes to exactly the input.
@Suite struct CodecFuzzTests {
    /// Valid payloads to mutate: every sample and random events.
    static func seeds() -> [[UInt8]] {
        var events = RandomEvents(seed: 99)
        return (CodecSamples.all + (0..<2_000).map { _ in events.event() }).map { EventCodec.encode($0) }
    }

    enum Outcome { case decoded, unrecognized, failed }

    /// Runs decode and envelope on `payload` and checks the laws that hold
    /// between them.
    static func check(_ payload: [UInt8]) -> (Outcome, EventCodecError?) {
        let time = CodecSamples.time
        let envelope: EventEnvelope?
        do {
            envelope = try payload.withUnsafeBytes { buffer throws(EventCodecError) in try EventCodec.envelope(buffer) }
        } catch {
            envelope = nil
        }
        let event: PatientEvent
        do {
            event = try EventCodec.decode(payload, time: time)
        } catch {
            if error.offset < 0 || error.offset > payload.count || error.reason.isEmpty {
                Issue.record("error outside the payload: \(error) for \(payload)")
            }
            return (.failed, error)
        }
        // (Plain checks rather than #expect: this runs 200,000 times.)
        // Decodes imply an envelope that agrees.
        if envelope?.patient != event.patient || envelope?.id != event.id || envelope?.actor != event.actor {
            Issue.record("envelope \(String(describing: envelope)) disagrees with \(event) for \(payload)")
        }
        // Whatever decodes re-encodes to itself, except an opaque flag on a
        // type version this codec does not read (only hand-made values of a
        // newer codec carry it; re-encoding drops it, see EventCodec.md).
        var expected = payload
        let outcome: Outcome
        if case .unrecognized(let u) = event.body {
            if envelope?.typeCode != u.typeCode || envelope?.typeVersion != u.typeVersion {
                Issue.record("envelope type disagrees for \(payload)")
            }
            if payload[3] & 0b100 != 0 && !(1...13 ~= u.typeCode && u.typeVersion == 1) {
                expected[3] &= ~0b100
            }
            outcome = .unrecognized
        } else {
            outcome = .decoded
        }
        let reEncoded = EventCodec.encode(event)
        if reEncoded != expected {
            Issue.record("\(payload) re-encoded as \(reEncoded)")
        }
        return (outcome, nil)
    }

    @Test func mutatedAndRandomPayloadsNeverTrap() {
        let seeds = Self.seeds()
        var random = SeededRandom(seed: 0x5EED)
        var outcomes: [Outcome: Int] = [:]
        var reasons: [String: Int] = [:]
        var total = 0
        func run(_ payload: [UInt8]) {
            let (outcome, error) = Self.check(payload)
            outcomes[outcome, default: 0] += 1
            if let error {
                // Group reasons by their first words.
                reasons[error.reason.split(separator: " ").prefix(3).joined(separator: " "), default: 0] += 1
            }
            total += 1
        }

        // 1. Mutations of valid encodings.
        for _ in 0..<120_000 {
            var bytes = seeds.randomElement(using: &random)!
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                mutate(&bytes, seeds: seeds, using: &random)
            }
            run(bytes)
        }
        // 2. Every truncation and every single-bit flip of each sample.
        for event in CodecSamples.all {
            let payload = EventCodec.encode(event)
            for cut in 0..<payload.count { run(Array(payload[0..<cut])) }
            for bit in 0..<(payload.count * 8) {
                var flipped = payload
                flipped[bit / 8] ^= 1 << UInt8(bit % 8)
                run(flipped)
            }
        }
        // 3. Random bytes, raw and behind a plausible envelope start.
        for i in 0..<40_000 {
            var bytes = (0..<Int.random(in: 0...48, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            if i % 2 == 0 {
                bytes = [1, UInt8.random(in: 1...13, using: &random), 1, UInt8.random(in: 0...3, using: &random)] + bytes
            }
            run(bytes)
        }

        #expect(total >= 100_000)
        print("codec fuzz: \(total) payloads: \(outcomes[.decoded] ?? 0) decoded, \(outcomes[.unrecognized] ?? 0) unrecognized, \(outcomes[.failed] ?? 0) errors")
        for (reason, count) in reasons.sorted(by: { $0.value > $1.value }).prefix(12) {
            print("  \(count)\t\(reason)")
        }
        // The mutations reach the body decoders, not only the envelope.
        #expect((outcomes[.decoded] ?? 0) > 1_000 && (outcomes[.failed] ?? 0) > 10_000)
    }

    /// One random edit: flip a bit, overwrite, insert or delete a byte,
    /// truncate, duplicate a range, or splice in part of another seed.
    func mutate(_ bytes: inout [UInt8], seeds: [[UInt8]], using random: inout SeededRandom) {
        let n = bytes.count
        switch Int.random(in: 0..<8, using: &random) {
        case 0 where n > 0:
            bytes[Int.random(in: 0..<n, using: &random)] ^= 1 << UInt8.random(in: 0...7, using: &random)
        case 1 where n > 0:
            bytes[Int.random(in: 0..<n, using: &random)] = [0, 1, 0x7F, 0x80, 0xFF, UInt8.random(in: 0...255, using: &random)]
                .randomElement(using: &random)!
        case 2:
            bytes.insert(UInt8.random(in: 0...255, using: &random), at: Int.random(in: 0...n, using: &random))
        case 3 where n > 0:
            bytes.remove(at: Int.random(in: 0..<n, using: &random))
        case 4 where n > 0:
            bytes.removeLast(Int.random(in: 1...n, using: &random))
        case 5 where n > 0:
            let a = Int.random(in: 0..<n, using: &random)
            let b = Int.random(in: a...min(n, a + 8), using: &random)
            bytes.insert(contentsOf: bytes[a..<b], at: Int.random(in: 0...n, using: &random))
        case 6:
            let other = seeds.randomElement(using: &random)!
            let cut = Int.random(in: 0...n, using: &random)
            let from = Int.random(in: 0...other.count, using: &random)
            bytes = Array(bytes[0..<cut]) + other[from...]
        default:
            // Bump a byte at a field boundary-ish place: lengths and counts.
            if n > 4 {
                let i = Int.random(in: 4..<n, using: &random)
                bytes[i] = bytes[i] &+ UInt8.random(in: 1...3, using: &random)
            }
        }
    }
}
