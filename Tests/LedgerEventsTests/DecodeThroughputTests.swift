import Testing
import LedgerEvents
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Measures (does not assert) decode throughput on generated lines; run in
/// release for a meaningful figure:
/// `swift test -c release -Xswiftc -enable-testing --filter DecodeThroughput`.
@Suite(.serialized) struct DecodeThroughputTests {
    /// CPU time of this thread: the figure per core, even when other
    /// processes share the machine.
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Timed passes over the lines (the best counts); LEDGER_BENCH_REPEATS
    /// raises it for profiling.
    static var repeats: Int {
        if let text = getenv("LEDGER_BENCH_REPEATS"), let n = Int(String(cString: text)) { return n }
        return 3
    }

    @Test(arguments: [true, false])
    func decodeThroughputOnGeneratedLines(plain: Bool) {
        #if DEBUG
        let count = 20_000
        #else
        let count = 200_000
        #endif
        // Every type; current times; plain ASCII strings, or the tricky ones
        // (escapes, non-ASCII, long ids) of the round-trip tests.
        var generator = EventGenerator(seed: 99, plain: plain)
        var file: [UInt8] = []
        var made = 0
        while made < count {
            var event = generator.event().normalized()
            event.patient = "P\(made % 5000)"
            event.time = EventTime(millisecondsSince1970: 1_767_340_800_000 + Int64(made) * 60_000)
            if (try? event.validate()) == nil { continue }
            EventJSON.append(event, to: &file)
            file.append(0x0A)
            made += 1
        }
        var best = Double.infinity
        var valid = 0
        for _ in 0..<Self.repeats {
            valid = 0
            let start = Self.now()
            file.withUnsafeBytes { bytes in
                JSONLines.forEachLine(in: bytes) { _, line in
                    if case .success = EventJSON.decode(line: line) { valid += 1 }
                }
            }
            best = min(best, Self.now() - start)
        }
        #expect(valid == count)
        let rate = Double(count) / best
        print("\(plain ? "plain ASCII" : "tricky strings"): decode: \(count) lines, \(file.count / count) bytes/line average, \(Int(rate)) lines/s per core (thread CPU time), \(Int(Double(file.count) / best / 1e6)) MB/s")

        var out: [UInt8] = []
        out.reserveCapacity(file.count)
        var events: [PatientEvent] = []
        file.withUnsafeBytes { bytes in
            JSONLines.forEachLine(in: bytes) { _, line in events.append(try! EventJSON.decode(line: line).get()) }
        }
        let start = Self.now()
        for event in events {
            EventJSON.append(event, to: &out)
            out.append(0x0A)
        }
        let seconds = Self.now() - start
        #expect(out == file)
        print("\(plain ? "plain ASCII" : "tricky strings"): encode: \(Int(Double(count) / seconds)) lines/s")
    }
}
