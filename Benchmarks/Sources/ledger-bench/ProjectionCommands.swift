#if canImport(Glibc)
import Glibc
#endif
import PatientLedger

/// `ledger-bench projections LEDGER`: issue 4's figures on a ledger made by
/// `ledger generate` + `ledger import` (see BENCHMARKS.md, "Projections"):
/// replay on one and on two threads (interleaved rounds), the resident
/// memory of the loaded patient projections, and the latency of
/// `projection(of:)` at the default as-of time and 90 days earlier.
func runProjections() throws {
    guard arguments.count > 1 else { note("usage: ledger-bench projections LEDGER [ROUNDS]"); exit(64) }
    let path = arguments[1]
    // ROUNDS 0 skips the replays: run it so, in a fresh process, for the
    // resident-memory figure (a replay's freed memory would hide it).
    let rounds = arguments.count > 2 ? Int(arguments[2]) ?? 2 : 2
    var options = LedgerOptions.readOnly
    options.writesCheckpoints = true
    options.diagnostics = { note("[ledger-bench] note: " + $0) }

    // Open (read-only: the log's recovery check plus the index snapshot).
    for _ in 0..<3 {
        let t0 = monotonicSeconds()
        let ledger = try Ledger.open(at: path, options: .readOnly)
        print("open (read-only): \(fixed(monotonicSeconds() - t0, 3)) s for \(ledger.endPosition) events; index \(ledger.openReport.indexRebuiltBecause.map { "rebuilt: " + $0 } ?? "from its snapshot")")
    }

    // Replay, 1 and 2 threads interleaved; the last one leaves the checkpoint.
    var replay: [Int: [Double]] = [:]
    var events: UInt64 = 0
    for round in stride(from: 1, through: rounds, by: 1) {
        for threads in [1, 2] {
            pending("replay round \(round)/\(rounds), \(threads) thread(s)")
            let ledger = try Ledger.open(at: path, options: options)
            let cpu0 = processCPUSeconds()
            let summary = try ledger.replay(threads: threads)
            let cpu = processCPUSeconds() - cpu0
            events = summary.events
            replay[threads, default: []].append(summary.seconds)
            print("replay threads=\(threads) events=\(summary.events) patients=\(summary.patients) wall=\(fixed(summary.seconds, 2)) s cpu=\(fixed(cpu, 2)) s rate=\(Int(summary.eventsPerSecond)) events/s")
        }
    }
    if let best1 = replay[1]?.min(), let best2 = replay[2]?.min() {
        print("replay best: 1 thread \(Int(Double(events) / best1)) events/s, 2 threads \(Int(Double(events) / best2)) events/s, speed-up \(fixed(best1 / best2, 2))x")
    }

    // A fresh handle loads the checkpoint: resident bytes per patient.
    let ledger = try Ledger.open(at: path, options: options)
    let before = residentBytes()
    let t0 = monotonicSeconds()
    let all = try ledger.projection(PatientProjections.self)
    let load = monotonicSeconds() - t0
    let resident = residentBytes() - before
    let n = max(all.patientCount, 1)
    print("checkpoint load: \(all.patientCount) patients in \(fixed(load, 2)) s; state \(all.encodedBytes / n) B/patient encoded, \(resident / n) B/patient resident (RSS growth)")

    // patient queries
    let ids = Array(all.patients.sorted().prefix(5000))
    let asOf = try ledger.defaultAsOf ?? { throw LedgerError(.notFound, "empty ledger") }()
    let earlier = EventTime(millisecondsSince1970: asOf.millisecondsSince1970 - 90 * 86_400_000)
    for (label, t) in [("default T", asOf), ("T - 90 days", earlier)] {
        var latencies: [Double] = []
        for id in ids {
            let a = monotonicSeconds()
            _ = try? ledger.projection(of: id, asOf: t)
            latencies.append(monotonicSeconds() - a)
        }
        latencies.sort()
        func us(_ p: Double) -> String { fixed(latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] * 1e6, 1) }
        print("patient query at \(label): \(ids.count) patients, p50 \(us(0.5)) us, p99 \(us(0.99)) us, max \(us(1.0)) us")
    }
}

private func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// VmRSS of this process.
private func residentBytes() -> Int {
    guard let file = fopen("/proc/self/status", "r") else { return 0 }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, 256, file) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if text.hasPrefix("VmRSS:") {
            return (Int(text.split(separator: " ")[1]) ?? 0) * 1024
        }
    }
    return 0
}
