// The typed-event workloads of PatientLedger (issue 6) on package-benchmark:
// typed PatientEvents through the Ledger facade, each beside the baseline
// doing the same work another way (LZ4 alone on the same encoded bytes,
// SQLite storing and reading the same events). See ../../../BENCHMARKS.md.
//
// Units as in StorageBenchmarks: a throughput workload's iteration handles
// 1000 events (.kilo), so `throughput` reads as events/s and
// `mallocCountTotal` as mallocs per event; a whole-ledger pass handles
// 1,000,000 events (.mega); a latency workload's iteration is one operation
// (.one). Building each batch of events (the caller's work) is outside the
// measurement (startMeasurement/stopMeasurement), mallocs included.
import Benchmark
import LedgerWorkloads
import PatientLedger
import StorageWorkloads

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
        warmupIterations: 10,
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 1_000_000
    )
    typedBaselines()
    typedAppendWorkloads()
    sqliteWorkloads()
    replayWorkloads()
    patientReadWorkloads()
}

/// Setup state handed from a benchmark's `setup` to its body and `teardown`.
final class Fixture<State> {
    var state: State?
    var value: State { state! }
}

/// A fresh ledger in a scratch folder fed batches of 1000 typed events built
/// outside the measurement; removed at teardown.
final class LedgerAppendFixture {
    let directory: String
    let ledger: Ledger
    let typed = TypedEvents()
    var batch: [PatientEvent] = []
    var next = 0

    init(_ label: String, durability: Durability) throws {
        directory = try Scratch.makeDirectory(label)
        ledger = try Ledger.open(at: directory, options: LedgerFixtures.options(durability))
        batch.reserveCapacity(1000)
    }

    /// Builds the next 1000 events (not measured), then appends them (measured).
    func appendNext(_ benchmark: Benchmark) throws {
        typed.fill(&batch, from: next, count: 1000)
        next += 1000
        benchmark.startMeasurement()
        try ledger.append(batch)
        benchmark.stopMeasurement()
    }

    func tearDown() {
        try? ledger.close()
        Scratch.remove(directory)
    }
}

/// A SQLite database in a scratch folder fed the same batches.
final class SQLiteAppendFixture {
    let directory: String
    let store: SQLiteEventStore
    let typed = TypedEvents()
    var batch: [PatientEvent] = []
    var next = 0

    init(_ label: String, patientIndex: Bool) throws {
        directory = try Scratch.makeDirectory(label)
        store = try SQLiteEventStore(path: directory + "/events.db", patientIndex: patientIndex)
        batch.reserveCapacity(1000)
    }

    func appendNext(_ benchmark: Benchmark) throws {
        typed.fill(&batch, from: next, count: 1000)
        next += 1000
        benchmark.startMeasurement()
        try store.append(batch)
        benchmark.stopMeasurement()
    }

    func tearDown() {
        store.close()
        Scratch.remove(directory)
    }
}

// MARK: - Baselines

func typedBaselines() {
    // Baseline (compression ceiling): LZ4_compress_default alone over the typed events' encoded bytes, framed as the log frames them, 32 KiB chunks.
    let compress = Fixture<LZ4CompressBaseline>()
    Benchmark("Typed baseline LZ4_compress_default on the encoded events, 32 KiB chunks") { benchmark in
        compress.value.run(events: benchmark.scaledIterations.count)
    } setup: {
        compress.state = LZ4CompressBaseline(framed: FramedChunks(corpus: TypedEvents().encodedCorpus(count: 200_000), chunkBytes: 32 << 10))
    }

    // Baseline (the caller's share): EventCodec.encode of 1000 typed events into a reused buffer, no storage.
    let encode = Fixture<([PatientEvent], Box<[UInt8]>)>()
    Benchmark("Typed baseline EventCodec encode 1000 events, no storage") { _ in
        let (events, buffer) = encode.value
        var total = 0
        for event in events {
            buffer.value.removeAll(keepingCapacity: true)
            EventCodec.encode(event, into: &buffer.value)
            total &+= buffer.value.count
        }
        blackHole(total)
    } setup: {
        let buffer = Box([UInt8]())
        buffer.value.reserveCapacity(1024)
        encode.state = (TypedEvents().batches(count: 1000, batchSize: 1000)[0], buffer)
    }
}

final class Box<T> {
    var value: T
    init(_ value: T) { self.value = value }
}

// MARK: - Ledger append

func typedAppendWorkloads() {
    let modes: [(String, Durability)] = [
        ("durability none (noSync)", .noSync()),
        ("group commit 2 ms", .groupCommit(interval: .milliseconds(2), maxBytes: 1 << 20)),
        ("fsync every batch (everyAppend)", .everyAppend),
    ]
    for (label, durability) in modes {
        // Ledger.append of 1000 typed events (validated, de-duplicated by id, per-patient index maintained) with this durability.
        let fixture = Fixture<LedgerAppendFixture>()
        Benchmark("Ledger append 1000 typed events, \(label)") { benchmark in
            try fixture.value.appendNext(benchmark)
        } setup: {
            fixture.state = try LedgerAppendFixture("ledger-append", durability: durability)
        } teardown: {
            fixture.state?.tearDown()
            fixture.state = nil
        }
    }
}

// MARK: - SQLite

func sqliteWorkloads() {
    for indexed in [true, false] {
        // SQLite insert of the same 1000 events (EventCodec payload) in one transaction: WAL, synchronous=NORMAL, prepared statement.
        let fixture = Fixture<SQLiteAppendFixture>()
        Benchmark("SQLite insert 1000 typed events per transaction, \(indexed ? "index on patient" : "rowid only")") { benchmark in
            try fixture.value.appendNext(benchmark)
        } setup: {
            fixture.state = try SQLiteAppendFixture("sqlite-append", patientIndex: indexed)
        } teardown: {
            fixture.state?.tearDown()
            fixture.state = nil
        }
    }
}

// MARK: - Replay

/// A ledger of 1,000,000 typed events (one .mega iteration) in a scratch folder.
final class ReplayFixture {
    static let events = 1_000_000
    let directory: String
    let ledger: Ledger

    init() throws {
        directory = try Scratch.makeDirectory("replay")
        try LedgerFixtures.buildLedger(at: directory, events: Self.events)
        ledger = try Ledger.open(at: directory, options: .readOnly)
        precondition(ledger.endPosition == UInt64(Self.events))
    }

    func tearDown() { Scratch.remove(directory) }
}

func replayWorkloads() {
    // A pass takes seconds: one warm-up, then up to 5 measured passes.
    let pass = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
        warmupIterations: 1, scalingFactor: .mega, maxDuration: .seconds(20), maxIterations: 5)
    // Replay decode-only: every PatientEvent of a 1M-event ledger read and decoded through the facade's cursor events(from:).
    let cursor = Fixture<ReplayFixture>()
    Benchmark("Replay decode-only, 1M typed events (events(from:) cursor)", configuration: pass) { _ in
        let c = cursor.value.ledger.events(from: 0)
        var n = 0
        while let stored = try c.next() { n &+= Int(stored.position & 1) + 1 }
        blackHole(n)
    } setup: {
        cursor.state = try ReplayFixture()
    } teardown: {
        cursor.state?.tearDown()
        cursor.state = nil
    }

    // Replay decode-only through borrowing views (Ledger.scan): every visible event's envelope read and checked in
    // place (the body is not decoded); type, time, patient bytes and id length touched. Target: no malloc per event.
    let views = Fixture<ReplayFixture>()
    Benchmark("Replay decode-only, 1M typed events (Ledger.scan views)", configuration: pass) { _ in
        var touched = 0
        try views.value.ledger.scan(from: 0) { position, view in
            touched &+= Int(view.typeCode) &+ Int(truncatingIfNeeded: view.time.millisecondsSince1970)
                &+ Int(view.patientBytes.last ?? 0) &+ (view.idBytes?.count ?? 0) &+ Int(position & 1)
            return true
        }
        blackHole(touched)
    } setup: {
        views.state = try ReplayFixture()
    } teardown: {
        views.state?.tearDown()
        views.state = nil
    }

    // Replay through all built-in projections (Ledger.replay(asOf:)) of the same 1M-event ledger: cohort metrics at the default as-of.
    let project = Fixture<ReplayFixture>()
    Benchmark("Replay through all projections, 1M typed events (replay(asOf:))", configuration: pass) { _ in
        blackHole(try project.value.ledger.replay().patients)
    } setup: {
        project.state = try ReplayFixture()
    } teardown: {
        project.state?.tearDown()
        project.state = nil
    }
}

// MARK: - One patient's stream, patient query

final class LargeFixture {
    let ledger: Ledger
    let store: SQLiteEventStore
    let typed = TypedEvents()
    var rng = SplitMix64(seed: 17)

    init(sqlite: Bool) throws {
        let path = try LedgerFixtures.largeLedger()
        LogFixtures.warmPageCache(path + "/log")
        ledger = try Ledger.open(at: path, options: .readOnly)
        let dbPath = try LedgerFixtures.largeSQLite()
        if sqlite { _ = Files.readAll(dbPath, chunk: 1 << 20) }
        store = try SQLiteEventStore(path: dbPath, patientIndex: true)
    }

    func randomPatient() -> String { typed.patientName(rng.next(below: typed.patients)) }
}

func patientReadWorkloads() {
    let latency = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
        warmupIterations: 20, scalingFactor: .one, maxDuration: .seconds(3), maxIterations: 5_000)

    // One patient's stream (about 100 events) from the large ledger (10M typed events by default), decoded: Ledger.events(of:).
    let ledgerRead = Fixture<LargeFixture>()
    Benchmark("Patient stream read from the large ledger, events(of:) (latency)", configuration: latency) { benchmark in
        let patient = ledgerRead.value.randomPatient()
        benchmark.startMeasurement()
        blackHole(try ledgerRead.value.ledger.events(of: patient).count)
        benchmark.stopMeasurement()
    } setup: {
        ledgerRead.state = try LargeFixture(sqlite: false)
    }

    // Baseline: the same patient's rows from SQLite holding the same events, through its index on patient, decoded.
    let sqliteRead = Fixture<LargeFixture>()
    Benchmark("Patient stream read from SQLite, index on patient (latency)", configuration: latency) { benchmark in
        let patient = sqliteRead.value.randomPatient()
        benchmark.startMeasurement()
        blackHole(try sqliteRead.value.store.events(of: patient).count)
        benchmark.stopMeasurement()
    } setup: {
        sqliteRead.state = try LargeFixture(sqlite: true)
    }

    // The `patient` query (Ledger.projection(of:asOf:)) at the default as-of and at the middle of the ledger's time span.
    for earlier in [false, true] {
        let query = Fixture<LargeFixture>()
        Benchmark("Patient query projection(of:asOf:), \(earlier ? "earlier as-of (mid-ledger)" : "default as-of") (latency)", configuration: latency) { benchmark in
            let fixture = query.value
            let patient = fixture.randomPatient()
            let asOf = earlier ? EventTime(millisecondsSince1970: fixture.typed.time(ofEvent: LedgerFixtures.largeEvents / 2)) : nil
            benchmark.startMeasurement()
            blackHole(try fixture.ledger.projection(of: patient, asOf: asOf).exists)
            benchmark.stopMeasurement()
        } setup: {
            query.state = try LargeFixture(sqlite: false)
        }
    }
}
