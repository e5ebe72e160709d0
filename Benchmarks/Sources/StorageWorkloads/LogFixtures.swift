#if canImport(Glibc)
import Glibc
#endif
import PatientLedger

/// Logs the workloads read, open and recover: built from the corpus stream,
/// the large ones cached under ``Scratch/cache`` across processes.
public enum LogFixtures {
    /// Records in the large log (reads, open after close or crash):
    /// `$LEDGER_BENCH_LARGE_RECORDS`, default 10,000,000.
    public static var largeRecords: Int { environmentInt("LEDGER_BENCH_LARGE_RECORDS") ?? 10_000_000 }

    /// Events appended after the large log by a writer that then "crashes":
    /// `$LEDGER_BENCH_CRASH_TAIL`, default 500,000 (about 20 MB on disk).
    public static var crashTailEvents: Int { environmentInt("LEDGER_BENCH_CRASH_TAIL") ?? 500_000 }

    public static func environmentInt(_ name: String) -> Int? {
        getenv(name).flatMap { Int(String(cString: $0).replacingUnderscores()) }
    }

    /// Options with `durability` and `blockBytes`, everything else default.
    public static func options(_ durability: Durability, blockBytes: Int = 32 << 10) -> LogOptions {
        var options = LogOptions(durability: durability)
        options.blockBytes = blockBytes
        return options
    }

    /// Creates a log of `events` corpus events at `path` (appended with
    /// `noSync` in batches of 1000, then closed). Returns the append time in
    /// seconds, excluding the final close.
    @discardableResult
    public static func build(at path: String, events: Int, blockBytes: Int = 32 << 10, corpus: Corpus = .standard) throws -> Double {
        let log = try SegmentLog.open(at: path, options: options(.noSync(), blockBytes: blockBytes))
        let appender = Appender(log: log, corpus: corpus, batchSize: 1000)
        let start = Stopwatch.now()
        try appender.append(events: events)
        let seconds = Stopwatch.seconds(since: start)
        try log.close()
        return seconds
    }

    /// The cached large log of `records` events, built on first use
    /// (about 5 s and 400 MB for 10 million).
    public static func largeLog(records: Int = largeRecords, blockBytes: Int = 32 << 10) throws -> String {
        let path = "\(Scratch.cache)/large-\(records)-b\(blockBytes >> 10)k"
        let marker = path + ".complete"
        if Files.exists(marker) {
            // Trust it only if this library still opens it whole.
            if let log = try? SegmentLog.open(at: path, options: LogOptions.readOnly), log.endPosition == UInt64(records) {
                return path
            }
        }
        Files.removeTree(marker)
        Files.removeTree(path)
        try Files.makeDirectories(Scratch.cache)
        log("building the large log: \(records) records at \(path)")
        try build(at: path, events: records, blockBytes: blockBytes)
        let fd = creat(marker, 0o644)
        if fd >= 0 { close(fd) }
        return path
    }

    /// How the writer of a crash image was running when it died.
    public enum CrashKind: String, CaseIterable, Sendable {
        /// Group commit (2 ms, 1 MiB): the index is checkpointed every
        /// 4 MiB of durable data, so recovery scans at most about 5 MiB.
        case groupCommit
        /// No syncs: the active segment's index is written only at a roll,
        /// `flush()` or `close()`, so recovery scans everything appended
        /// since (up to a whole 128 MiB segment).
        case noSync
    }

    /// A cached image of a log whose writer died: the large log, then
    /// `tailEvents` more appended by a `kind` writer, the folder copied while
    /// that writer was still open (as a SIGKILL leaves it: whatever it had
    /// written, nothing it had buffered), plus 40 bytes of a block header
    /// that never finished (a torn write), which recovery must cut.
    ///
    /// Open it through ``materialize(from:to:)`` on a copy: recovery
    /// rewrites what it opens.
    public static func crashImage(_ kind: CrashKind, records: Int = largeRecords, tailEvents: Int = crashTailEvents) throws -> String {
        let image = "\(Scratch.cache)/crash-\(kind.rawValue)-\(records)-\(tailEvents)"
        let marker = image + ".complete"
        if Files.exists(marker) { return image }
        let base = try largeLog(records: records)
        Files.removeTree(image)
        let work = try Scratch.makeDirectory("crash-writer")
        defer { Scratch.remove(work) }
        try materialize(from: base, to: work)
        let durability: Durability = kind == .groupCommit ? .groupCommit(interval: .milliseconds(2), maxBytes: 1 << 20) : .noSync(interval: .milliseconds(2))
        let writer = try SegmentLog.open(at: work, options: options(durability))
        log("building the \(kind.rawValue) crash image: \(tailEvents) events after \(records)")
        try Appender(log: writer, batchSize: 1000, startEvent: records).append(events: tailEvents)
        // The writer is still open: copy what it has written, as a kill would leave it.
        try Files.makeDirectories(image)
        try materialize(from: work, to: image)
        var rng = SplitMix64(seed: 40)
        let torn = (0..<40).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        try Files.appendBytes(image + "/" + lastSegment(in: image)!, torn)
        try writer.close()
        let fd = creat(marker, 0o644)
        if fd >= 0 { close(fd) }
        return image
    }

    /// Reads every file of a log folder once, so that later reads hit the
    /// page cache (the workloads state "warm page cache").
    public static func warmPageCache(_ path: String) {
        for name in Files.list(path) { _ = Files.readAll(path + "/" + name, chunk: 1 << 20) }
    }

    /// The name of the last `.seg` file in a log folder.
    public static func lastSegment(in path: String) -> String? {
        Files.list(path).filter { $0.hasSuffix(".seg") }.last
    }

    /// Makes `to` a log folder equal to `from` without copying sealed data:
    /// sealed segments and their indexes are hard-linked (nothing writes
    /// them), the `LOG` file and the last segment with its index are copied
    /// (index first, so the copy never names data the segment copy lacks).
    /// With `sync`, the copies are synced before returning, so that opening
    /// the copy does not pay for writing out the harness's own copy (a real
    /// crash leaves at most the unsynced tail dirty, not the whole segment).
    public static func materialize(from: String, to: String, sync: Bool = false) throws {
        try Files.makeDirectories(to)
        let names = Files.list(from)
        guard let last = names.filter({ $0.hasSuffix(".seg") }).last else { throw BenchError("no segment in \(from)") }
        let lastStem = String(last.dropLast(4))
        for name in names where name.hasSuffix(".seg") || name.hasSuffix(".idx") {
            if !name.hasPrefix(lastStem) { try Files.link(from + "/" + name, to + "/" + name) }
        }
        try Files.copy(from + "/LOG", to + "/LOG", sync: sync)
        if Files.exists(from + "/" + lastStem + ".idx") {
            try Files.copy(from + "/" + lastStem + ".idx", to + "/" + lastStem + ".idx", sync: sync)
        }
        try Files.copy(from + "/" + last, to + "/" + last, sync: sync)
        if sync { Glibc.sync() }  // and the folder's metadata: no journal commit left for the open to wait on
    }

    static func log(_ message: String) {
        var line = "[ledger-bench] " + message + "\n"
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }
}

extension String {
    /// "10_000_000" -> "10000000".
    func replacingUnderscores() -> String { String(filter { $0 != "_" }) }
}

/// Monotonic time.
public enum Stopwatch {
    @inline(__always)
    public static func now() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
    }

    @inline(__always)
    public static func seconds(since start: UInt64) -> Double { Double(now() - start) / 1e9 }
}

/// Order statistics of a sample.
public struct Sample: Sendable {
    public private(set) var values: [Double]
    public init(_ values: [Double]) { self.values = values.sorted() }

    /// The `p`-th percentile (0...100), nearest rank.
    public func percentile(_ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let rank = Int((p / 100 * Double(values.count)).rounded(.up)) - 1
        return values[Swift.min(Swift.max(rank, 0), values.count - 1)]
    }

    public var median: Double { percentile(50) }
    public var min: Double { values.first ?? .nan }
    public var max: Double { values.last ?? .nan }
}
