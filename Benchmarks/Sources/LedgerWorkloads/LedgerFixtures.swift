#if canImport(Glibc)
import Glibc
#endif
import PatientLedger
import StorageWorkloads

/// Ledgers, SQLite databases and JSON Lines files of ``TypedEvents`` that the
/// typed workloads read, cached under ``Scratch/cache`` across processes
/// (package-benchmark runs each workload in its own process) until
/// `ledger-bench clean`.
public enum LedgerFixtures {
    /// Events in the large ledger and the large SQLite database (one
    /// patient's stream read, `patient` query): `$LEDGER_BENCH_LEDGER_EVENTS`,
    /// default 10,000,000.
    public static var largeEvents: Int { LogFixtures.environmentInt("LEDGER_BENCH_LEDGER_EVENTS") ?? 10_000_000 }

    /// Lines of the generated JSON Lines file the import reads:
    /// `$LEDGER_BENCH_IMPORT_LINES`, default 500,000 (about 150 MB).
    public static var importLines: Int { LogFixtures.environmentInt("LEDGER_BENCH_IMPORT_LINES") ?? 500_000 }

    /// Ledger options with `durability`, everything else default.
    public static func options(_ durability: Durability) -> LedgerOptions {
        LedgerOptions(durability: durability)
    }

    /// Appends stream events `0..<count` to a new ledger at `path` in batches
    /// of 1000 built on the fly, with `noSync`, then closes it. Returns the
    /// seconds taken, building included.
    @discardableResult
    public static func buildLedger(at path: String, events count: Int, typed: TypedEvents = TypedEvents(),
                                   progress: Bool = false) throws -> Double {
        let ledger = try Ledger.open(at: path, options: options(.noSync()))
        var batch: [PatientEvent] = []
        batch.reserveCapacity(1000)
        let start = Stopwatch.now()
        var n = 0
        while n < count {
            typed.fill(&batch, from: n, count: min(1000, count - n))
            try ledger.append(batch)
            n += batch.count
            if progress && n % 1_000_000 == 0 { log("  \(n) events") }
        }
        try ledger.close()
        return Stopwatch.seconds(since: start)
    }

    /// The cached ledger of `events` stream events (about 20 s and 0.6 GB
    /// for 10 million), built on first use. A cached ledger that does not
    /// open with exactly `events` events is an error (see ``cached``).
    public static func largeLedger(events: Int = largeEvents, typed: TypedEvents = TypedEvents()) throws -> String {
        let path = "\(Scratch.cache)/ledger-\(events)-p\(typed.patients)"
        return try cached(path, what: "the large ledger: \(events) typed events", isUsable: {
            (try? Ledger.open(at: path, options: .readOnly))?.endPosition == UInt64(events)
        }) {
            let seconds = try buildLedger(at: path, events: events, typed: typed, progress: true)
            log("  built in \(Int(seconds)) s")
        }
    }

    /// The cached SQLite database (index on patient) of the same `events`
    /// stream events, built on first use: rows inserted in transactions of
    /// 10,000 without the index, then the index created by one sort (the
    /// fastest way to load it; about a minute for 10 million).
    public static func largeSQLite(events: Int = largeEvents, typed: TypedEvents = TypedEvents()) throws -> String {
        let path = "\(Scratch.cache)/sqlite-\(events)-p\(typed.patients).db"
        return try cached(path, what: "the large SQLite database: \(events) typed events", also: ["-wal", "-shm"]) {
            let start = Stopwatch.now()
            let store = try SQLiteEventStore(path: path, patientIndex: false)
            var batch: [PatientEvent] = []
            batch.reserveCapacity(10_000)
            var n = 0
            while n < events {
                typed.fill(&batch, from: n, count: min(10_000, events - n))
                try store.append(batch)
                n += batch.count
                if n % 1_000_000 == 0 { log("  \(n) rows") }
            }
            log("  creating the patient index")
            try store.createPatientIndex()
            try store.checkpoint()
            store.close()
            log("  built in \(Int(Stopwatch.seconds(since: start))) s")
        }
    }

    /// The cached JSON Lines file of stream events `0..<lines` in canonical
    /// form (``EventJSON/append(_:to:)``), built on first use.
    public static func jsonLines(lines: Int = importLines, typed: TypedEvents = TypedEvents()) throws -> String {
        let path = "\(Scratch.cache)/events-\(lines)-p\(typed.patients).jsonl"
        return try cached(path, what: "\(lines) JSON lines") {
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard fd >= 0 else { throw BenchError("cannot create \(path): errno \(errno)") }
            defer { close(fd) }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(8 << 20)
            for n in 0..<lines {
                EventJSON.append(typed.event(n), to: &bytes)
                bytes.append(UInt8(ascii: "\n"))
                if bytes.count >= (8 << 20) - 4096 || n == lines - 1 {
                    let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
                    guard written == bytes.count else { throw BenchError("short write to \(path)") }
                    bytes.removeAll(keepingCapacity: true)
                }
            }
        }
    }

    /// `path` once `build` has made it: a `.complete` marker beside it says
    /// a build finished. Without the marker, `path` and the files
    /// `path + suffix` for each of `also` are removed and built again; with
    /// it, a fixture that `isUsable` rejects is an error (not rebuilt).
    package static func cached(_ path: String, what: String, also: [String] = [], isUsable: () -> Bool = { true },
                       build: () throws -> Void) throws -> String {
        let marker = path + ".complete"
        if Files.exists(marker) {
            // A complete fixture that does not read back means a broken
            // build or a changed generator: say so rather than silently
            // spend minutes rebuilding it (`ledger-bench clean` does that).
            guard isUsable() else {
                throw BenchError("\(what) at \(path) is complete but unusable; run `ledger-bench clean` to rebuild it")
            }
            return path
        }
        for suffix in [""] + also { Files.removeTree(path + suffix) }
        try Files.makeDirectories(Scratch.cache)
        log("building \(what) at \(path)")
        try build()
        touch(marker)
        return path
    }

    static func touch(_ path: String) {
        let fd = creat(path, 0o644)
        if fd >= 0 { close(fd) }
    }

    static func log(_ message: String) {
        var line = "[ledger-bench] " + message + "\n"
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }
}

/// Appends prebuilt batches of typed events to a ledger, as a service does
/// with events it received (building them is the caller's work, outside the
/// measurement). Not thread-safe.
public final class TypedAppender: @unchecked Sendable {
    public let ledger: Ledger
    public let batches: [[PatientEvent]]
    public init(ledger: Ledger, batches: [[PatientEvent]]) {
        self.ledger = ledger
        self.batches = batches
    }

    /// Appends every batch (a batch of one through `append(_:)` of one
    /// event, as a service appending each event as it comes); returns
    /// events stored.
    @discardableResult
    public func appendAll() throws -> Int {
        var stored = 0
        for batch in batches {
            if batch.count == 1 {
                if try ledger.append(batch[0]) != nil { stored += 1 }
            } else {
                stored += try ledger.append(batch).stored
            }
        }
        return stored
    }
}

/// Peak resident memory of this process so far, in bytes (`ru_maxrss`).
public func peakResidentBytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss * 1024
}
