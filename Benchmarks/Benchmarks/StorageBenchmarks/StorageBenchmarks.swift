// The storage workloads of PatientLedger on package-benchmark, each beside the
// baseline that does the same work another way. See ../../../BENCHMARKS.md.
//
// Units: a throughput workload's iteration handles 1000 events (scalingFactor
// .kilo), so `throughput` reads as events/s, `wallClock` as time per event and
// `mallocCountTotal` as mallocs per event; a whole-log pass handles 1,000,000
// events (.mega); a latency workload's iteration is one operation (.one), so
// its wallClock percentiles are the latency percentiles.
//
// Later workloads (typed events, projections, SQLite) add a file beside this
// one and a call in `benchmarks` below.
import Benchmark
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
    storageBaselines()
    appendWorkloads()
    readWorkloads()
    openWorkloads()
}

/// Setup state handed from a benchmark's `setup` to its body and `teardown`
/// (one benchmark runs per process, so nothing is shared).
final class Fixture<State> {
    var state: State?
    var value: State { state! }
}

/// A log in a scratch folder with an appender, removed at teardown.
final class AppendFixture {
    let directory: String
    let log: SegmentLog
    let appender: Appender

    init(_ label: String, durability: Durability, batchSize: Int) throws {
        directory = try Scratch.makeDirectory(label)
        log = try SegmentLog.open(at: directory, options: LogFixtures.options(durability))
        appender = Appender(log: log, batchSize: batchSize)
    }

    func tearDown() {
        try? log.close()
        Scratch.remove(directory)
    }
}

// MARK: - Baselines

func storageBaselines() {
    let chunk = 32 << 10

    // Baseline (the harness itself): an empty iteration, for the framework's own mallocs and time per iteration.
    Benchmark("Baseline noop iteration (framework overhead)",
              configuration: .init(scalingFactor: .one, maxDuration: .seconds(1), maxIterations: 10_000)) { _ in
        blackHole(0)
    }

    // Baseline (compression ceiling): LZ4_compress_default alone over the log's raw block bytes, 32 KiB chunks.
    let compress = Fixture<LZ4CompressBaseline>()
    Benchmark("Baseline LZ4_compress_default 32 KiB chunks (compression ceiling)") { benchmark in
        compress.value.run(events: benchmark.scaledIterations.count)
    } setup: {
        compress.state = LZ4CompressBaseline(framed: FramedChunks(corpus: .standard, chunkBytes: chunk))
    }

    // Baseline (I/O ceiling): pwrite of the same uncompressed bytes, no checksum, no sync, 32 KiB writes.
    let raw = Fixture<(RawWriteBaseline, String)>()
    Benchmark("Baseline pwrite raw bytes no checksum no sync (I/O ceiling)") { benchmark in
        raw.value.0.run(events: benchmark.scaledIterations.count)
    } setup: {
        let directory = try Scratch.makeDirectory("raw-write")
        raw.state = (try RawWriteBaseline(framed: FramedChunks(corpus: .standard, chunkBytes: chunk), directory: directory), directory)
    } teardown: {
        let directory = raw.state?.1
        raw.state = nil
        if let directory { Scratch.remove(directory) }
    }

    // Baseline (decompression ceiling): LZ4_decompress_safe alone over the same chunks, 1M events per iteration.
    let decompress = Fixture<LZ4DecompressBaseline>()
    Benchmark("Baseline LZ4_decompress_safe 32 KiB chunks (decompression ceiling)",
              configuration: .init(scalingFactor: .mega)) { benchmark in
        decompress.value.run(events: benchmark.scaledIterations.count)
    } setup: {
        decompress.state = LZ4DecompressBaseline(framed: FramedChunks(corpus: .standard, chunkBytes: chunk))
    }

    // Baseline (caller's share of append): refilling a reused RecordBatch with 1000 events, no append.
    let fill = Fixture<AppendFixture>()
    Benchmark("Baseline RecordBatch refill 1000 events, no append") { _ in
        fill.value.appender.fill()
    } setup: {
        fill.state = try AppendFixture("fill", durability: .noSync(), batchSize: 1000)
    } teardown: {
        fill.state?.tearDown()
        fill.state = nil
    }
}

// MARK: - Append

func appendWorkloads() {
    // Append with durability noSync: batches of 1000 events refilled into one reused RecordBatch.
    let noSync = Fixture<AppendFixture>()
    Benchmark("Append noSync batches of 1000 (reused RecordBatch)") { _ in
        try noSync.value.appender.appendBatch()
    } setup: {
        noSync.state = try AppendFixture("append-nosync", durability: .noSync(), batchSize: 1000)
    } teardown: {
        noSync.state?.tearDown()
        noSync.state = nil
    }

    // Append with group commit every 2 ms (or 1 MiB): batches of 1000, fdatasync by time and size.
    let group = Fixture<AppendFixture>()
    Benchmark("Append groupCommit 2 ms batches of 1000") { _ in
        try group.value.appender.appendBatch()
    } setup: {
        group.state = try AppendFixture("append-group", durability: .groupCommit(interval: .milliseconds(2), maxBytes: 1 << 20), batchSize: 1000)
    } teardown: {
        group.state?.tearDown()
        group.state = nil
    }

    // Append with fdatasync on every append, one event per batch: the latency of a durable append.
    let every = Fixture<AppendFixture>()
    Benchmark("Append everyAppend 1 event per batch (fsync latency)",
              configuration: .init(scalingFactor: .one, maxDuration: .seconds(3), maxIterations: 20_000)) { _ in
        try every.value.appender.appendBatch()
    } setup: {
        every.state = try AppendFixture("append-every", durability: .everyAppend, batchSize: 1)
    } teardown: {
        every.state?.tearDown()
        every.state = nil
    }
}

// MARK: - Read back

/// A 1,000,000-event log (one .mega iteration) in a scratch folder.
final class ScanFixture {
    static let events = 1_000_000
    let directory: String
    let log: SegmentLog

    init() throws {
        directory = try Scratch.makeDirectory("scan")
        try LogFixtures.build(at: directory, events: Self.events)
        log = try SegmentLog.open(at: directory, options: .readOnly)
        precondition(log.endPosition == UInt64(Self.events))
    }

    func tearDown() { Scratch.remove(directory) }
}

func readWorkloads() {
    // Scan of a whole 1M-event log, decode-only: zero-copy views, every block read, checked, decompressed once.
    let scan = Fixture<ScanFixture>()
    Benchmark("Scan 1M-event log decode-only (zero-copy scan)", configuration: .init(scalingFactor: .mega)) { _ in
        var bytes = 0
        try scan.value.log.scan(from: 0) { record in
            bytes &+= record.payload.count
            return true
        }
        blackHole(bytes)
    } setup: {
        scan.state = try ScanFixture()
    } teardown: {
        scan.state?.tearDown()
        scan.state = nil
    }

    // Cursor over the same 1M-event log: one owned LogRecord (payload copied) per event.
    let cursor = Fixture<ScanFixture>()
    Benchmark("Cursor 1M-event log (LogRecord per event)", configuration: .init(scalingFactor: .mega)) { _ in
        let records = cursor.value.log.records(from: 0)
        var bytes = 0
        while let record = try records.next() { bytes &+= record.payload.count }
        blackHole(bytes)
    } setup: {
        cursor.state = try ScanFixture()
    } teardown: {
        cursor.state?.tearDown()
        cursor.state = nil
    }

    // Single random read(at:) on the large log (10M records by default), warm page cache: one block per read.
    let random = Fixture<(SegmentLog, SplitMix64Box)>()
    Benchmark("Read at random position, large log (latency)",
              configuration: .init(scalingFactor: .one, maxDuration: .seconds(3), maxIterations: 50_000)) { _ in
        let (log, rng) = random.value
        let record = try log.read(at: UInt64(rng.generator.next(below: Int(log.endPosition))))
        blackHole(record.payload.count)
    } setup: {
        let path = try LogFixtures.largeLog()
        LogFixtures.warmPageCache(path)
        let log = try SegmentLog.open(at: path, options: .readOnly)
        random.state = (log, SplitMix64Box(seed: 7))
    }
}

final class SplitMix64Box {
    var generator: SplitMix64
    init(seed: UInt64) { generator = SplitMix64(seed: seed) }
}

// MARK: - Open

func openWorkloads() {
    let config = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
        warmupIterations: 1, scalingFactor: .one, maxDuration: .seconds(10), maxIterations: 30)

    // Open (as the writer) of the large log after a clean close: headers and indexes only, nothing scanned.
    let clean = Fixture<String>()
    Benchmark("Open large log after clean close", configuration: config) { benchmark in
        benchmark.startMeasurement()
        let log = try SegmentLog.open(at: clean.value, options: LogFixtures.options(.noSync()))
        benchmark.stopMeasurement()
        precondition(log.recoveryReport.isClean)
        try log.close()
    } setup: {
        clean.state = try LogFixtures.largeLog()
        LogFixtures.warmPageCache(clean.value)
    }

    // Open (as the writer) of the large log after a crash, one per writer mode; recovery scans the unindexed tail.
    for kind in LogFixtures.CrashKind.allCases {
        let image = Fixture<(image: String, work: String)>()
        let description = kind == .groupCommit ? "group-commit writer, tail <= 5 MiB" : "noSync writer, whole tail unindexed"
        Benchmark("Open large log after crash (\(description))", configuration: config) { benchmark in
            let (source, work) = image.value
            Scratch.remove(work)
            try LogFixtures.materialize(from: source, to: work, sync: true)
            benchmark.startMeasurement()
            let log = try SegmentLog.open(at: work, options: LogFixtures.options(.noSync()))
            benchmark.stopMeasurement()
            precondition(log.recoveryReport.bytesScanned > 0 && log.recoveryReport.bytesDropped > 0)
            try log.close()
        } setup: {
            image.state = (try LogFixtures.crashImage(kind), try Scratch.makeDirectory("crash-open"))
        } teardown: {
            if let work = image.state?.work { Scratch.remove(work) }
            image.state = nil
        }
    }
}
