import Testing
import LedgerEvents
import LedgerSimulation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streaming: what the generator holds is one day's events plus the delay
/// buffer, however many events it produces.
@Suite struct MemoryTests {
    @Test func buffersStayBoundedOverManyEvents() {
        var count = 0
        let long = CohortGenerator(patients: 2500, days: 1095, seed: 5).generate { _ in count += 1 }
        #expect(count >= 200_000, "\(count)")
        #expect(long.events == count)
        let short = CohortGenerator(patients: 2500, days: 120, seed: 5).generate { _ in }
        // One day's events of 2,500 patients (well under 4 each) plus the
        // delay buffer (~3% of three days' events).
        #expect(long.peakBuffered < 2500 * 4)
        #expect(long.peakDelayBuffer < 500)
        #expect(long.peakBuffered < count / 50)
        // Three years hold no more at a time than four months do (give or take).
        #expect(Double(long.peakBuffered) < 1.5 * Double(short.peakBuffered) + 100,
                "\(long.peakBuffered) vs \(short.peakBuffered)")
        print("MemoryTests: \(count) events over 3 years; peak held \(long.peakBuffered) (delay buffer \(long.peakDelayBuffer)); 120 days: \(short.peakBuffered)")
    }
}

/// Prints (does not assert) the generation rate. By default a small cohort;
/// with LEDGER_SIM_BENCH=1 in the environment the 10,000 x 365 cohort
/// (meant for `swift test -c release`).
@Suite struct ThroughputReport {
    @Test func generationRate() {
        let full = getenv("LEDGER_SIM_BENCH") != nil
        let patients = full ? 10_000 : 500
        let clock = ContinuousClock()
        var count = 0
        var result: CohortSummary?
        let elapsed = clock.measure {
            result = CohortGenerator(patients: patients, days: 365, seed: 1).generate { _ in count += 1 }
        }
        let summary = result!
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        print("ThroughputReport: \(patients) patients x 365 days: \(count) events (\(summary.duplicates) re-sent, \(summary.delayed) delayed), " +
              "\(Double(count) / Double(patients)) per patient, \(seconds) s, \(Int(Double(count) / seconds)) events/s")
        var line = "ThroughputReport: by type:"
        for (type, n) in summary.eventsByType.sorted(by: { $0.key.rawValue < $1.key.rawValue }) { line += " \(type)=\(n)" }
        print(line)
        #expect(count == summary.events)
    }
}
