// ledger-bench: the figures package-benchmark is awkward for, printed as
// Markdown tables for BENCHMARKS.md. Run in release mode:
//
//   swift run -c release ledger-bench all      # ratios, sweep, open
//   swift run -c release ledger-bench ratios   # workloads vs baselines, interleaved rounds, same run
//   swift run -c release ledger-bench sweep    # block sizes 8..128 KiB
//   swift run -c release ledger-bench open     # open after clean close and after a crash
//   swift run -c release ledger-bench typed    # typed events through Ledger: append per durability vs LZ4 alone and SQLite
//   swift run -c release ledger-bench replay   # replay decode-only and through all projections
//   swift run -c release ledger-bench import   # importJSONLines of a generated file
//   swift run -c release ledger-bench patient  # one patient's stream from a 10M-event ledger vs SQLite; patient query
//   swift run -c release ledger-bench ledger-open  # Ledger.open of the 10M-event ledger after a clean close and after SIGKILL of its writer
//   swift run -c release ledger-bench clean    # remove cached logs
//   swift run -c release ledger-bench summarize FILE.jmh.json   # package-benchmark results as one table
//
// Options: --rounds N, --events N (multiple of 1000), --reads N; typed: --sqlite-events N, --fsync-events N;
// typed: --fsync-latency N (durable single-event appends, 1000); patient: --patient-reads N, --queries N; ledger-open: --kill-after N (events the killed writer appends, 500,000).
// Environment: LEDGER_BENCH_DIR, LEDGER_BENCH_LARGE_RECORDS, LEDGER_BENCH_CRASH_TAIL, LEDGER_BENCH_PATIENTS,
// LEDGER_BENCH_LEDGER_EVENTS, LEDGER_BENCH_IMPORT_LINES.
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PatientLedger
import StorageWorkloads
import LedgerWorkloads

// MARK: - Arguments

let arguments = Array(CommandLine.arguments.dropFirst())
let command = arguments.first ?? "all"

func option(_ name: String, _ fallback: Int) -> Int {
    guard let i = arguments.firstIndex(of: "--" + name), i + 1 < arguments.count,
          let value = Int(arguments[i + 1].filter { $0 != "_" }) else { return fallback }
    return value
}

let rounds = option("rounds", 5)
let events = option("events", 1_000_000) / 1000 * 1000
let reads = option("reads", 20_000)

// MARK: - Output helpers

func note(_ message: String) {
    var line = message + "\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

func fixed(_ value: Double, _ digits: Int) -> String {
    guard value.isFinite else { return "n/a" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    var text = String(rounded)
    if digits == 0 { text = String(Int(rounded)) } else {
        let parts = text.split(separator: ".", maxSplits: 1)
        let decimals = parts.count > 1 ? String(parts[1]) : ""
        text = String(parts[0]) + "." + decimals + String(repeating: "0", count: max(0, digits - decimals.count))
    }
    return text
}

/// 1234567 -> "1.23 M"; 12345 -> "12.3 k".
func count(_ value: Double) -> String {
    if value >= 1e6 { return fixed(value / 1e6, 2) + " M" }
    if value >= 1e3 { return fixed(value / 1e3, 1) + " k" }
    return fixed(value, 0)
}

func percent(_ ratio: Double) -> String { fixed(ratio * 100, 0) + "%" }

func micros(_ seconds: Double) -> String { fixed(seconds * 1e6, 1) }
func millis(_ seconds: Double) -> String { fixed(seconds * 1e3, 1) }

func table(_ header: [String], _ rows: [[String]]) {
    print("| " + header.joined(separator: " | ") + " |")
    print("|" + header.map { _ in " --- |" }.joined())
    for row in rows { print("| " + row.joined(separator: " | ") + " |") }
    print("")
}

func time(_ body: () throws -> Void) rethrows -> Double {
    let start = Stopwatch.now()
    try body()
    return Stopwatch.seconds(since: start)
}

func pending(_ message: String) { note("[ledger-bench] " + message) }

func mbPerEvent() -> Double { Corpus.standard.meanPayloadLength / 1e6 }

// MARK: - ratios

/// Wall and process-CPU seconds of one measured run.
struct Measurement {
    var wall: Double
    var cpu: Double
}

func processCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

/// Runs `body` once, measuring wall-clock and process CPU time (all threads,
/// kernel time included; time lost to other processes excluded).
func measured(_ body: () throws -> Void) rethrows -> Measurement {
    let cpu = processCPUSeconds()
    let start = Stopwatch.now()
    try body()
    return Measurement(wall: Stopwatch.seconds(since: start), cpu: processCPUSeconds() - cpu)
}

/// Each round's measurements, by workload name.
struct Rounds {
    var runs: [String: [Measurement]] = [:]
    var order: [String] = []
    mutating func add(_ name: String, _ value: Measurement) {
        if runs[name] == nil { order.append(name) }
        runs[name, default: []].append(value)
    }
    func rate(_ name: String, events: Int, cpu: Bool = false) -> Sample {
        Sample(runs[name]!.map { Double(events) / (cpu ? $0.cpu : $0.wall) })
    }
    /// The first cells of a throughput row: the name, the median rate, the
    /// median in MB/s (at `bytesPerItem`), min .. max, and the median rate
    /// per CPU-second; `items` items per round.
    func rateCells(_ name: String, items: Int, bytesPerItem: Double) -> [String] {
        let s = rate(name, events: items)
        let c = rate(name, events: items, cpu: true)
        return [name, count(s.median) + "/s", fixed(s.median * bytesPerItem / 1e6, 0),
                count(s.min) + " .. " + count(s.max), count(c.median) + "/s"]
    }
    /// The median over rounds of (baseline time / workload time) in the same round.
    func ratio(_ name: String, to baseline: String, cpu: Bool = false) -> Double {
        let a = runs[name]!, b = runs[baseline]!
        return Sample(zip(a, b).map { cpu ? $1.cpu / $0.cpu : $1.wall / $0.wall }).median
    }
}

func runRatios() throws {
    pending("ratios: \(rounds) interleaved rounds of \(events) events each")
    let framed = FramedChunks(corpus: Corpus.standard, chunkBytes: 32 << 10)
    let compress = LZ4CompressBaseline(framed: framed)
    let decompress = LZ4DecompressBaseline(framed: framed)
    let work = try Scratch.makeDirectory("ratios")
    defer { Scratch.remove(work) }
    let raw = try RawWriteBaseline(framed: framed, directory: work)
    try LogFixtures.build(at: work + "/scan", events: events)
    let scanLog = try SegmentLog.open(at: work + "/scan", options: .readOnly)
    var r = Rounds()
    var noSyncStats: LogStatistics?
    var groupStats: LogStatistics?
    for round in 1...rounds {
        pending("round \(round)/\(rounds)")
        r.add("LZ4 compress alone", measured { compress.run(events: events) })
        r.add("pwrite raw bytes", measured { raw.run(events: events) })

        let fillLog = try SegmentLog.open(at: work + "/fill", options: LogFixtures.options(.noSync()))
        let filler = Appender(log: fillLog, batchSize: 1000)
        r.add("RecordBatch refill", measured { for _ in 0..<(events / 1000) { filler.fill() } })
        try fillLog.close()
        Scratch.remove(work + "/fill")

        do {
            let log = try SegmentLog.open(at: work + "/nosync", options: LogFixtures.options(.noSync()))
            let appender = Appender(log: log, batchSize: 1000)
            r.add("append noSync", try measured { try appender.append(events: events) })
            try log.close()
            noSyncStats = try SegmentLog.open(at: work + "/nosync", options: .readOnly).statistics()
            Scratch.remove(work + "/nosync")
        }
        do {
            let log = try SegmentLog.open(at: work + "/prebuilt", options: LogFixtures.options(.noSync()))
            let appender = PrebuiltAppender(log: log, batchSize: 1000)
            r.add("append noSync prebuilt", try measured { try appender.append(events: events) })
            try log.close()
            Scratch.remove(work + "/prebuilt")
        }
        do {
            let log = try SegmentLog.open(at: work + "/group", options: LogFixtures.options(.groupCommit(interval: .milliseconds(2), maxBytes: 1 << 20)))
            let appender = Appender(log: log, batchSize: 1000)
            r.add("append groupCommit", try measured {
                try appender.append(events: events)
                try log.flush()
            })
            try log.close()
            groupStats = try SegmentLog.open(at: work + "/group", options: .readOnly).statistics()
            Scratch.remove(work + "/group")
        }
        r.add("LZ4 decompress alone", measured { decompress.run(events: events) })
        r.add("scan decode-only", try measured {
            var bytes = 0
            try scanLog.scan(from: 0) { record in bytes &+= record.payload.count; return true }
            precondition(bytes > 0)
        })
        r.add("cursor", try measured {
            let cursor = scanLog.records(from: 0)
            var bytes = 0
            while let record = try cursor.next() { bytes &+= record.payload.count }
            precondition(bytes > 0)
        })
    }

    let lz4c = r.rate("LZ4 compress alone", events: events).median
    let pwriteRate = r.rate("pwrite raw bytes", events: events).median
    let baselineOf: [String: String] = [
        "append noSync": "LZ4 compress alone",
        "append noSync prebuilt": "LZ4 compress alone",
        "append groupCommit": "LZ4 compress alone",
        "pwrite raw bytes": "LZ4 compress alone",
        "scan decode-only": "LZ4 decompress alone",
        "cursor": "LZ4 decompress alone",
    ]
    print("### Same-run ratios (ledger-bench ratios, \(rounds) interleaved rounds of \(count(Double(events))) events; medians over rounds; ratios are medians of per-round ratios)\n")
    var rows: [[String]] = []
    for name in r.order {
        let s = r.rate(name, events: events)
        let c = r.rate(name, events: events, cpu: true)
        let wallRatio = baselineOf[name].map { percent(r.ratio(name, to: $0)) + " of " + $0 } ?? "baseline"
        let cpuRatio = baselineOf[name].map { percent(r.ratio(name, to: $0, cpu: true)) } ?? ""
        rows.append([name, count(s.median) + "/s", fixed(s.median * mbPerEvent(), 0), count(s.min) + " .. " + count(s.max), wallRatio,
                     count(c.median) + "/s", cpuRatio])
    }
    table(["workload", "events/s (wall)", "MB/s (payload)", "min .. max events/s", "ratio (wall)", "events per CPU-second", "ratio (CPU)"], rows)
    // The log's own time per event = append time minus the caller's refill.
    let refillShare = Sample(zip(r.runs["RecordBatch refill"]!, r.runs["append noSync"]!).map { $0.wall / $1.wall }).median
    print("The caller's RecordBatch refill is \(percent(refillShare)) of the noSync append time (median per round); prebuilt batches take it out. pwrite of the uncompressed bytes runs at \(fixed(pwriteRate / lz4c, 1))x LZ4 compression (wall), so compression, not I/O, is the ceiling.\n")
    if let s = noSyncStats {
        print("noSync log of \(count(Double(s.records))) events: compression ratio \(fixed(s.compressionRatio ?? .nan, 2)) (rawBytes/storedBytes), \(fixed(Double(s.bytesOnDisk) / Double(s.records), 1)) bytes/event on disk (payload \(fixed(Corpus.standard.meanPayloadLength, 1)) B/event), \(s.blocks) blocks. LZ4 alone on the same chunks: ratio \(fixed(Double(compress.rawBytes) / Double(compress.compressedBytes), 2)).")
    }
    if let s = groupStats {
        print("groupCommit log: ratio \(fixed(s.compressionRatio ?? .nan, 2)), \(fixed(Double(s.bytesOnDisk) / Double(s.records), 1)) bytes/event on disk, \(s.blocks) blocks (\(fixed(Double(s.records) / Double(s.blocks), 0)) events/block: partial blocks written at each 2 ms commit).")
    }
    print("")
}

// MARK: - sweep

func runSweep() throws {
    let sizes = [8, 16, 32, 64, 128]
    pending("sweep: block sizes \(sizes) KiB, \(events) events, \(rounds) append rounds, \(reads) reads each")
    let work = try Scratch.makeDirectory("sweep")
    defer { Scratch.remove(work) }
    var rows: [[String]] = []
    for kib in sizes {
        let blockBytes = kib << 10
        let framed = FramedChunks(corpus: Corpus.standard, chunkBytes: blockBytes)
        let lz4 = LZ4CompressBaseline(framed: framed)
        var appendSeconds: [Double] = []
        var lz4Seconds: [Double] = []
        let path = work + "/b\(kib)"
        for _ in 0..<rounds {
            lz4Seconds.append(time { lz4.run(events: events) })
            Scratch.remove(path)
            appendSeconds.append(try LogFixtures.build(at: path, events: events, blockBytes: blockBytes))
        }
        let log = try SegmentLog.open(at: path, options: .readOnly)
        let stats = try log.statistics()
        var rng = SplitMix64(seed: 11)
        var latencies: [Double] = []
        latencies.reserveCapacity(reads)
        for _ in 0..<(reads / 10) { _ = try log.read(at: UInt64(rng.next(below: events))) }  // warm-up
        for _ in 0..<reads {
            let position = UInt64(rng.next(below: events))
            latencies.append(try time { _ = try log.read(at: position) })
        }
        var scanSeconds: [Double] = []
        for _ in 0..<3 {
            scanSeconds.append(try time { try log.scan(from: 0) { _ in true } })
        }
        let appendRate = Double(events) / Sample(appendSeconds).median
        let lz4Rate = Double(events) / Sample(lz4Seconds).median
        let readSample = Sample(latencies)
        rows.append([
            "\(kib) KiB",
            fixed(stats.compressionRatio ?? .nan, 2),
            fixed(Double(compressRatio(lz4)), 2),
            fixed(Double(stats.bytesOnDisk) / Double(stats.records), 1),
            fixed(Double(stats.records) / Double(stats.blocks), 0),
            count(appendRate) + "/s",
            percent(appendRate / lz4Rate),
            micros(readSample.median), micros(readSample.percentile(99)),
            count(Double(events) / Sample(scanSeconds).median) + "/s",
        ])
        Scratch.remove(path)
    }
    print("### Block-size sweep (ledger-bench sweep, \(count(Double(events))) events per log, noSync appends in batches of 1000, medians of \(rounds); \(count(Double(reads))) random reads, warm page cache)\n")
    table(["blockBytes", "compression ratio", "LZ4 alone ratio", "bytes/event on disk", "events/block", "append noSync", "vs LZ4 alone (same chunk)", "read p50 us", "read p99 us", "scan"], rows)
}

func compressRatio(_ baseline: LZ4CompressBaseline) -> Double {
    Double(baseline.rawBytes) / Double(baseline.compressedBytes)
}

// MARK: - open

func runOpen() throws {
    let records = LogFixtures.largeRecords
    let runs = max(rounds * 2, 5)
    pending("open: large log of \(records) records, \(runs) opens each")
    var buildSeconds: Double?
    let large: String
    if Files.exists("\(Scratch.cache)/large-\(records)-b32k.complete") {
        large = try LogFixtures.largeLog(records: records)
    } else {
        let start = Stopwatch.now()
        large = try LogFixtures.largeLog(records: records)
        buildSeconds = Stopwatch.seconds(since: start)
    }
    let stats = try SegmentLog.open(at: large, options: .readOnly).statistics()
    let indexBytes = Files.list(large).filter { $0.hasSuffix(".idx") }.reduce(Int64(0)) { $0 + Files.size(large + "/" + $1) }

    var cleanWriter: [Double] = []
    var cleanReadOnly: [Double] = []
    for _ in 0..<runs {
        var log: SegmentLog?
        cleanWriter.append(try time { log = try SegmentLog.open(at: large, options: LogFixtures.options(.noSync())) })
        precondition(log!.recoveryReport.isClean)
        try log!.close()
        log = nil
        cleanReadOnly.append(try time { log = try SegmentLog.open(at: large, options: .readOnly) })
    }

    // Cold: after dropping the page cache (as after a reboot), when allowed.
    var cold: [Double] = []
    for _ in 0..<3 where dropPageCache() {
        var log: SegmentLog?
        cold.append(try time { log = try SegmentLog.open(at: large, options: LogFixtures.options(.noSync())) })
        try log!.close()
    }

    print("### Open (ledger-bench open, \(count(Double(records))) records, warm page cache, \(runs) opens each)\n")
    print("Large log: \(stats.records) records, \(stats.segments) segments, \(stats.blocks) blocks, \(fixed(Double(stats.bytesOnDisk) / 1e6, 1)) MB on disk (\(fixed(Double(stats.bytesOnDisk) / Double(stats.records), 1)) B/event, ratio \(fixed(stats.compressionRatio ?? .nan, 2))), index files \(fixed(Double(indexBytes) / 1e6, 2)) MB\(buildSeconds.map { "; built in \(fixed($0, 1)) s" } ?? "").\n")
    var rows: [[String]] = []
    let writer = Sample(cleanWriter), reader = Sample(cleanReadOnly)
    rows.append(["after clean close, writer", millis(writer.median), millis(writer.percentile(90)), millis(writer.max), "0", "0", "< 100 ms: " + (writer.median < 0.1 ? "met" : "MISSED")])
    rows.append(["after clean close, read-only", millis(reader.median), millis(reader.percentile(90)), millis(reader.max), "0", "0", ""])
    if !cold.isEmpty {
        let c = Sample(cold)
        rows.append(["after clean close, writer, cold page cache (\(cold.count) runs)", millis(c.median), millis(c.percentile(90)), millis(c.max), "0", "0",
                     "< 100 ms: " + (c.median < 0.1 ? "met" : "MISSED")])
    }

    for kind in LogFixtures.CrashKind.allCases {
        let image = try LogFixtures.crashImage(kind, records: records)
        let work = try Scratch.makeDirectory("crash-open")
        defer { Scratch.remove(work) }
        var seconds: [Double] = []
        var scanned: Int64 = 0
        var dropped: Int64 = 0
        var tailStart: Int64 = 0
        for _ in 0..<runs {
            Scratch.remove(work)
            try LogFixtures.materialize(from: image, to: work, sync: true)
            var log: SegmentLog?
            seconds.append(try time { log = try SegmentLog.open(at: work, options: LogFixtures.options(.noSync())) })
            scanned = log!.recoveryReport.bytesScanned
            dropped = log!.recoveryReport.bytesDropped
            try log!.close()
        }
        // The reference for the tail: reading the same bytes sequentially
        // from the page cache in 32 KiB preads (no checksum).
        let last = image + "/" + LogFixtures.lastSegment(in: image)!
        tailStart = Files.size(last) - scanned
        var readSeconds: [Double] = []
        for _ in 0..<5 { readSeconds.append(time { _ = Files.readAll(last, from: tailStart) }) }
        let readRate = Double(scanned) / Sample(readSeconds).median
        let tailAllowance = Double(scanned) / readRate
        let s = Sample(seconds)
        let target = 0.1 + tailAllowance
        let implied = Double(scanned) / max(s.median - writer.median, 1e-9)
        rows.append([
            "after crash, \(kind.rawValue) writer",
            millis(s.median), millis(s.percentile(90)), millis(s.max),
            fixed(Double(scanned) / 1e6, 2) + " MB", "\(dropped)",
            "< 100 ms + tail read (\(millis(tailAllowance)) ms at \(fixed(readRate / 1e9, 2)) GB/s) = \(millis(target)) ms: " + (s.median < target ? "met" : "MISSED")
                + "; tail cost \(millis(s.median - writer.median)) ms = \(fixed(implied / 1e9, 2)) GB/s",
        ])
    }
    table(["open", "median ms", "p90 ms", "max ms", "tail scanned", "bytes dropped", "target"], rows)
}

// MARK: - summarize

/// One table from package-benchmark's JMH export: mean-based rates (the
/// sustained figure; the text output's percentiles of per-iteration
/// throughput hide rare long stalls such as a segment roll's sync).
func runSummarize(_ path: String) throws {
    guard let data = FileManager.default.contents(atPath: path),
          let list = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
        throw BenchError("cannot read \(path)")
    }
    let storagePayload = Corpus.standard.meanPayloadLength
    let typedPayload = TypedEvents().encodedCorpus(count: 20_000).meanPayloadLength
    var rows: [[String]] = []
    for entry in list {
        let name = (entry["benchmark"] as? String ?? "?").split(separator: ".").last.map { $0.replacingOccurrences(of: "_", with: " ") } ?? "?"
        let secondary = entry["secondaryMetrics"] as? [String: [String: Any]] ?? [:]
        func metric(_ key: String) -> (mean: Double, p: [String: Double])? {
            guard let m = secondary[key], let score = m["score"] as? Double else { return nil }
            var p: [String: Double] = [:]
            for (k, v) in m["scorePercentiles"] as? [String: Any] ?? [:] { p[k] = (v as? Double) ?? (v as? Int).map(Double.init) }
            return (score, p)
        }
        guard let wall = metric("Time (wall clock)") else { continue }
        let unit = (secondary["Time (wall clock)"]?["scoreUnit"] as? String) ?? "μs"
        let toSeconds: Double = unit == "ns" ? 1e-9 : unit == "ms" ? 1e-3 : unit == "s" ? 1 : 1e-6
        // The export gives per-iteration figures: divide by the events an
        // iteration handles (the benchmark's scalingFactor, from its name).
        let perOperation = ["noop", "Read at random", "Open ", "(latency)"].contains { name.contains($0) }
            || (name.contains("everyAppend") && !name.contains("1000"))
        let perIteration: Double = perOperation ? 1 : (name.contains("1M-event") || name.contains("1M typed") || name.contains("decompress")) ? 1e6 : 1e3
        let payload = name.lowercased().contains("typed") ? typedPayload : storagePayload
        let meanSeconds = wall.mean * toSeconds / perIteration
        let rate = 1 / meanSeconds
        let mallocs = metric("Malloc (total)").map { $0.mean / perIteration }
        let peak = metric("Memory (resident peak)")?.p["100.0"]
        func t(_ seconds: Double?) -> String {
            guard let seconds else { return "" }
            return seconds >= 1e-3 ? millis(seconds) + " ms" : seconds >= 1e-6 ? micros(seconds) + " us" : fixed(seconds * 1e9, 0) + " ns"
        }
        rows.append([
            name,
            perOperation ? count(rate) + " ops/s" : count(rate) + " events/s",
            perOperation && !name.contains("everyAppend") ? "" : fixed(rate * payload / 1e6, 0),
            t(wall.p["50.0"].map { $0 * toSeconds }), t(wall.p["99.0"].map { $0 * toSeconds }), t(wall.p["100.0"].map { $0 * toSeconds }),
            perOperation ? "1 op" : count(perIteration) + " events",
            mallocs.map { fixed($0, perOperation ? 0 : 3) } ?? "",
            peak.map { fixed($0 / 1e6, 0) } ?? "",
            "\(entry["measurementIterations"] as? Int ?? 0)",
        ])
    }
    table(["workload", "rate (1/mean)", "MB/s (payload)", "p50 / iteration", "p99 / iteration", "max / iteration", "iteration", "mallocs per event or op", "peak RSS MB", "iterations"], rows)
}

/// Syncs and drops the page cache (root only); false when not allowed.
func dropPageCache() -> Bool {
    sync()
    let fd = open("/proc/sys/vm/drop_caches", O_WRONLY)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    return write(fd, "3\n", 2) == 2
}

// MARK: - main

do {
    switch command {
    case "ratios": try runRatios()
    case "sweep": try runSweep()
    case "open": try runOpen()
    case "typed": try runTyped()
    case "replay": try runReplay()
    case "import": try runImport()
    case "patient": try runPatient()
    case "ledger-open": try runLedgerOpen()
    case "projections": try runProjections()
    case "all":
        try runRatios()
        try runSweep()
        try runOpen()
        try runTyped()
        try runReplay()
        try runImport()
        try runPatient()
        try runLedgerOpen()
    case "killed-writer-child":
        // ledger-open's child writer: appends to the ledger at PATH until killed.
        guard arguments.count > 3, let start = Int(arguments[3]) else {
            note("usage: ledger-bench killed-writer-child groupCommit|noSync PATH START"); exit(64)
        }
        try runKilledWriterChild(mode: arguments[1], path: arguments[2], start: start)
    case "open-once":
        // For profiling: open (as the writer) the log at the given path once.
        guard arguments.count > 1 else { note("usage: ledger-bench open-once PATH"); exit(64) }
        var log: SegmentLog?
        let seconds = try time { log = try SegmentLog.open(at: arguments[1], options: LogFixtures.options(.noSync())) }
        print("open \(millis(seconds)) ms; scanned \(log!.recoveryReport.bytesScanned) B; \(log!.recoveryReport.events)")
        try log!.close()
    case "profile-every":
        // For callgrind: `--reads` appends of one event with durability everyAppend.
        let work = try Scratch.makeDirectory("profile")
        defer { Scratch.remove(work) }
        let log = try SegmentLog.open(at: work + "/log", options: LogFixtures.options(.everyAppend))
        let appender = Appender(log: log, batchSize: 1)
        let seconds = try time { try appender.append(events: reads) }
        print("append everyAppend: \(micros(seconds / Double(reads))) us mean")
        try log.close()
    case "profile-append", "profile-scan", "profile-read":
        // For perf/callgrind: one workload alone, `--events` events (reads: `--reads`).
        let work = try Scratch.makeDirectory("profile")
        defer { Scratch.remove(work) }
        if command == "profile-append" {
            let log = try SegmentLog.open(at: work + "/log", options: LogFixtures.options(.noSync()))
            let appender = PrebuiltAppender(log: log, batchSize: 1000)
            let seconds = try time { try appender.append(events: events) }
            print("append noSync prebuilt: \(count(Double(events) / seconds))/s")
            try log.close()
        } else {
            try LogFixtures.build(at: work + "/log", events: events)
            let log = try SegmentLog.open(at: work + "/log", options: .readOnly)
            if command == "profile-scan" {
                let seconds = try time { try log.scan(from: 0) { _ in true } }
                print("scan: \(count(Double(events) / seconds))/s")
            } else {
                var rng = SplitMix64(seed: 3)
                let seconds = try time { for _ in 0..<reads { _ = try log.read(at: UInt64(rng.next(below: events))) } }
                print("read: \(micros(seconds / Double(reads))) us mean")
            }
        }
    case "profile-typed-append", "profile-replay", "profile-patient", "profile-views", "profile-cursor", "profile-encode":
        // For perf/callgrind: typed appends (noSync, prebuilt batches of 1000, `--events`),
        // a replay through all projections of `--events` events, `--reads` patient streams from the large ledger,
        // or (profile-views, profile-cursor) 10 passes of Ledger.scan with views, 3 of the events(from:) cursor,
        // over a ledger of `--events` events, or (profile-encode) 10 passes of EventCodec.encode over them.
        try runTypedProfile(command)
    case "crash-copy":
        // For profiling: materialize a fresh copy of a crash image (noSync or groupCommit) at PATH.
        guard arguments.count > 2, let kind = LogFixtures.CrashKind(rawValue: arguments[1]) else {
            note("usage: ledger-bench crash-copy noSync|groupCommit PATH"); exit(64)
        }
        Scratch.remove(arguments[2])
        try LogFixtures.materialize(from: try LogFixtures.crashImage(kind), to: arguments[2], sync: true)
    case "summarize":
        guard arguments.count > 1 else { note("usage: ledger-bench summarize FILE.jmh.json"); exit(64) }
        try runSummarize(arguments[1])
    case "clean":
        Scratch.remove(Scratch.root)
        pending("removed \(Scratch.root)")
    default:
        note("usage: ledger-bench [all|ratios|sweep|open|typed|replay|import|patient|ledger-open|projections|clean] [--rounds N] [--events N] [--reads N]")
        exit(64)
    }
} catch {
    note("ledger-bench: \(error)")
    exit(1)
}
