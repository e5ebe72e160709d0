// ledger-bench's typed-event commands (issue 6): the Ledger facade with
// typed PatientEvents, beside LZ4 alone on the same encoded bytes and SQLite
// storing and reading the same events, in the same run.
//
//   typed    append with each durability mode vs LZ4 alone and SQLite (indexed, rowid only); bytes on disk
//   replay   replay decode-only and through all projections vs LZ4 decompress and the storage scan
//   import   importJSONLines of a generated file vs reading and decoding it alone
//   patient  one patient's stream from the large ledger vs SQLite's indexed read; `patient` query latency
#if canImport(Glibc)
import Glibc
#endif
import PatientLedger
import Synchronization
import StorageWorkloads
import LedgerWorkloads

/// Rounds of the typed commands: `--rounds N`, default 3 (each round of
/// `typed` or `replay` takes 10-30 s on this machine).
let typedRounds = option("rounds", 3)

/// The median over rounds of (rate of `name`) / (rate of `baseline`) in the
/// same round, where the two may have handled different event counts.
@MainActor
func rateRatio(_ r: Rounds, _ name: String, _ n: Int, to baseline: String, _ nb: Int, cpu: Bool = false) -> Double {
    let a = r.runs[name]!, b = r.runs[baseline]!
    return Sample(zip(a, b).map { x, y in
        cpu ? (Double(n) / x.cpu) / (Double(nb) / y.cpu) : (Double(n) / x.wall) / (Double(nb) / y.wall)
    }).median
}

@MainActor
func verdict(_ met: Bool) -> String { met ? "met" : "**missed**" }

@MainActor
func mb(_ bytes: Double) -> String { fixed(bytes / 1e6, 1) + " MB" }

// MARK: - typed append

@MainActor
func runTyped() throws {
    let typed = TypedEvents()
    let sqliteEvents = max(1000, option("sqlite-events", 100_000) / 1000 * 1000)
    let fsyncEvents = max(1000, option("fsync-events", 200_000) / 1000 * 1000)
    pending("typed: \(typedRounds) interleaved rounds; \(events) events per ledger append, \(fsyncEvents) with fsync per batch, \(sqliteEvents) into SQLite; batches of 1000")
    pending("building \(events) typed events and their encodings")
    let corpus = typed.encodedCorpus(count: min(events, 200_000))
    let framed = FramedChunks(corpus: corpus, chunkBytes: 32 << 10)
    let compress = LZ4CompressBaseline(framed: framed)
    let batches = typed.batches(count: events, batchSize: 1000)
    let fsyncBatches = Array(batches.prefix(fsyncEvents / 1000))
    let sqliteBatches = Array(batches.prefix(sqliteEvents / 1000))
    let work = try Scratch.makeDirectory("typed")
    defer { Scratch.remove(work) }

    let lz4 = "LZ4 compress alone (same encoded bytes)"
    let rawWrite = "raw pwrite of the same encoded bytes, no compression, checksum or sync (the I/O ceiling)"
    let encode = "EventCodec.encode alone (caller-side encode, no storage)"
    let noSync = "ledger append, durability none (noSync)"
    let group = "ledger append, group commit 2 ms"
    let every = "ledger append, fsync every batch (everyAppend)"
    let sqliteIndexed = "SQLite insert, index on patient"
    let sqliteRowid = "SQLite insert, rowid only"
    let counts: [String: Int] = [lz4: events, rawWrite: events, encode: events, noSync: events, group: events, every: fsyncEvents,
                                 sqliteIndexed: sqliteEvents, sqliteRowid: sqliteEvents]
    var r = Rounds()
    var noSyncStats: LedgerStatistics?
    var groupStats: LedgerStatistics?
    var sqliteBytes: Int64 = 0
    var buffer: [UInt8] = []
    buffer.reserveCapacity(1024)
    for round in 1...typedRounds {
        pending("round \(round)/\(typedRounds)")
        r.add(lz4, measured { compress.run(events: events) })
        let raw = try RawWriteBaseline(framed: framed, directory: work)
        r.add(rawWrite, measured { raw.run(events: events) })
        r.add(encode, measured {
            var total = 0
            for batch in batches {
                for event in batch {
                    buffer.removeAll(keepingCapacity: true)
                    EventCodec.encode(event, into: &buffer)
                    total &+= buffer.count
                }
            }
            precondition(total > 0)
        })
        for (name, durability, list) in [(noSync, Durability.noSync(), batches),
                                         (group, Durability.groupCommit(interval: .milliseconds(2), maxBytes: 1 << 20), batches),
                                         (every, Durability.everyAppend, fsyncBatches)] {
            let path = work + "/ledger"
            let ledger = try Ledger.open(at: path, options: LedgerFixtures.options(durability))
            let appender = TypedAppender(ledger: ledger, batches: list)
            var stored = 0
            r.add(name, try measured {
                stored = try appender.appendAll()
                if name != noSync { try ledger.flush() }
            })
            precondition(stored == list.count * 1000, "\(name): stored \(stored)")
            try ledger.close()
            if name == noSync { noSyncStats = try Ledger.open(at: path, options: .readOnly).statistics() }
            if name == group { groupStats = try Ledger.open(at: path, options: .readOnly).statistics() }
            Scratch.remove(path)
        }
        for (name, indexed) in [(sqliteIndexed, true), (sqliteRowid, false)] {
            let path = work + "/sqlite.db"
            let store = try SQLiteEventStore(path: path, patientIndex: indexed)
            r.add(name, try measured { for batch in sqliteBatches { try store.append(batch) } })
            if indexed { sqliteBytes = store.bytesOnDisk }
            store.close()
            for suffix in ["", "-wal", "-shm"] { Files.removeTree(path + suffix) }
        }
    }

    let bytesPerEvent = corpus.meanPayloadLength
    print("### Typed events through the Ledger facade vs LZ4 alone and SQLite (ledger-bench typed, \(typedRounds) interleaved rounds; \(count(Double(events))) events per ledger append, \(count(Double(fsyncEvents))) with fsync per batch, \(count(Double(sqliteEvents))) into SQLite; batches of 1000; medians over rounds, ratios medians of per-round ratios)\n")
    print("Corpus: \(typed.patients) patients, mean encoded event \(fixed(bytesPerEvent, 1)) B (EventCodec), UUID ids, actor on every event.\n")
    var rows: [[String]] = []
    for name in r.order {
        let n = counts[name]!
        var vsLZ4 = ""
        var vsSQLite = ""
        var vsRowid = ""
        if name != lz4 {
            vsLZ4 = percent(rateRatio(r, name, n, to: lz4, events)) + " (CPU " + percent(rateRatio(r, name, n, to: lz4, events, cpu: true)) + ")"
        }
        if name != sqliteIndexed && name != sqliteRowid && name != lz4 && name != encode && name != rawWrite {
            vsSQLite = fixed(rateRatio(r, name, n, to: sqliteIndexed, sqliteEvents), 1) + "x"
            vsRowid = fixed(rateRatio(r, name, n, to: sqliteRowid, sqliteEvents), 1) + "x"
        }
        rows.append(r.rateCells(name, items: n, bytesPerItem: bytesPerEvent) + [vsLZ4, vsSQLite, vsRowid])
    }
    table(["workload", "events/s (wall)", "MB/s (encoded)", "min .. max", "events per CPU-second", "vs LZ4 alone (wall, CPU)", "vs SQLite indexed", "vs SQLite rowid only"], rows)

    let noSyncRate = r.rate(noSync, events: events).median
    let groupRate = r.rate(group, events: events).median
    let toLZ4 = rateRatio(r, noSync, events, to: lz4, events)
    let toSQLite = rateRatio(r, noSync, events, to: sqliteIndexed, sqliteEvents)
    print("Against the I/O ceiling (raw pwrite of the same bytes): noSync \(percent(rateRatio(r, noSync, events, to: rawWrite, events))), group commit \(percent(rateRatio(r, group, events, to: rawWrite, events))).\n")
    print("Targets: noSync >= 3 M events/s: \(count(noSyncRate))/s, \(verdict(noSyncRate >= 3e6)); noSync >= 80% of LZ4 alone: \(percent(toLZ4)), \(verdict(toLZ4 >= 0.8)); noSync >= 10x SQLite (indexed): \(fixed(toSQLite, 1))x, \(verdict(toSQLite >= 10)); group commit >= 1.5 M events/s: \(count(groupRate))/s, \(verdict(groupRate >= 1.5e6)).\n")
    if let s = noSyncStats {
        let records = Double(s.log.records)
        print("On disk (noSync ledger of \(count(records)) events): \(fixed(Double(s.bytesOnDisk) / records, 1)) B/event (log segments, indexes, LOG and the index snapshot) for \(fixed(bytesPerEvent, 1)) B encoded; compression ratio \(fixed(s.log.compressionRatio ?? .nan, 2)) (log rawBytes/storedBytes); LZ4 alone on the same 32 KiB chunks: \(fixed(Double(compress.rawBytes) / Double(compress.compressedBytes), 2)); \(s.log.blocks) blocks, \(fixed(records / Double(s.log.blocks), 0)) events/block.")
    }
    if let s = groupStats {
        let records = Double(s.log.records)
        print("Group-commit ledger: \(fixed(Double(s.bytesOnDisk) / records, 1)) B/event, ratio \(fixed(s.log.compressionRatio ?? .nan, 2)), \(fixed(records / Double(s.log.blocks), 0)) events/block.")
    }
    print("SQLite (index on patient) of \(count(Double(sqliteEvents))) events: \(fixed(Double(sqliteBytes) / Double(sqliteEvents), 1)) B/event on disk (database + WAL).")
    print("Peak RSS of this process so far: \(mb(Double(peakResidentBytes()))) (holds the prebuilt events).\n")
    try runDurableAppendLatency(batches: batches, work: work)
}

/// The latency of a durable append of one event (`Ledger.append(_ event:)`
/// with `everyAppend`: it returns once the event is synced), beside the
/// device's floor: `pwrite` of the same encoded bytes to a plain file and
/// `fdatasync`. The two alternate event by event, after a `sync()` and
/// 20 of each unmeasured, so that the writeback left by the workloads
/// before falls on both alike.
@MainActor
private func runDurableAppendLatency(batches: [[PatientEvent]], work: String) throws {
    let appends = max(10, option("fsync-latency", 1000))
    let warmUp = 20
    let events = Array(batches.joined().prefix(appends + warmUp))
    pending("typed: \(events.count - warmUp) durable single-event appends, alternating with as many pwrite + fdatasync")
    let path = work + "/durable"
    let ledger = try Ledger.open(at: path, options: LedgerFixtures.options(.everyAppend))
    let file = open(work + "/floor", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard file >= 0 else { throw BenchError("cannot create \(work)/floor: errno \(errno)") }
    defer { close(file); unlink(work + "/floor") }
    sync()
    var offset = 0
    var ledgerTimes: [Double] = [], floorTimes: [Double] = []
    for (n, event) in events.enumerated() {
        var stored: UInt64?
        let appendSeconds = try time { stored = try ledger.append(event) }
        precondition(stored != nil, "a durable append stored nothing")
        let bytes = EventCodec.encode(event)
        var written = 0
        var synced: Int32 = 0
        let floorSeconds = time {
            written = bytes.withUnsafeBytes { pwrite(file, $0.baseAddress, $0.count, offset) }
            synced = fdatasync(file)
        }
        guard written == bytes.count && synced == 0 else { throw BenchError("pwrite + fdatasync failed: errno \(errno)") }
        offset += bytes.count
        if n >= warmUp {
            ledgerTimes.append(appendSeconds)
            floorTimes.append(floorSeconds)
        }
    }
    try ledger.close()
    Scratch.remove(path)
    let l = Sample(ledgerTimes), f = Sample(floorTimes)
    print("### Durable appends of one event (ledger-bench typed, \(ledgerTimes.count) each, one at a time, alternating)\n")
    func row(_ name: String, _ x: Sample, _ ratio: String) -> [String] {
        [name, micros(x.median), micros(x.percentile(90)), micros(x.percentile(99)), micros(x.max), ratio]
    }
    table(["workload", "p50 us", "p90 us", "p99 us", "max us", "ratio (p50)"], [
        row("pwrite of the encoded event + fdatasync, plain file (the device's floor)", f, "baseline"),
        row("ledger: append(_ event:), everyAppend (validated, indexed, compressed, checksummed, synced)", l,
            fixed(l.median / f.median, 2) + "x the floor"),
    ])
}

// MARK: - replay

@MainActor
func runReplay() throws {
    let typed = TypedEvents()
    pending("replay: a ledger of \(events) typed events, \(typedRounds) interleaved rounds")
    let work = try Scratch.makeDirectory("replay")
    defer { Scratch.remove(work) }
    let corpus = typed.encodedCorpus(count: min(events, 200_000))
    let decompress = LZ4DecompressBaseline(framed: FramedChunks(corpus: corpus, chunkBytes: 32 << 10))
    try LedgerFixtures.buildLedger(at: work + "/ledger", events: events, typed: typed)
    let ledger = try Ledger.open(at: work + "/ledger", options: .readOnly)
    precondition(ledger.endPosition == UInt64(events))

    let lz4 = "LZ4 decompress alone (same encoded bytes)"
    let scan = "storage scan only (SegmentLog.scan, no event decode)"
    let decode = "EventCodec.decode alone (in memory, no storage)"
    let cursor = "replay decode-only (events(from:) cursor)"
    let views = "replay decode-only through views (Ledger.scan)"
    let viewsEvent = "Ledger.scan + view.event() (full decode, owned events)"
    let project = "replay through all projections, one thread (replay(threads: 1))"
    let project2 = "replay through all projections, two threads (replay(threads: 2))"
    var r = Rounds()
    var summary: ReplaySummary?
    for round in 1...typedRounds {
        pending("round \(round)/\(typedRounds)")
        r.add(lz4, measured { decompress.run(events: events) })
        r.add(scan, try measured {
            var bytes = 0
            try ledger.log.scan(from: 0) { record in bytes &+= record.payload.count; return true }
            precondition(bytes > 0)
        })
        r.add(decode, try measured {
            var decoded = 0
            for n in 0..<events {
                let i = n % corpus.count
                let event = try EventCodec.decode(corpus.payload(i), time: EventTime(millisecondsSince1970: corpus.timestamp(ofEvent: i)))
                decoded &+= event.patient.utf8.count
            }
            precondition(decoded > 0)
        })
        r.add(cursor, try measured {
            let c = ledger.events(from: 0)
            var n = 0
            while let stored = try c.next() { n &+= Int(stored.position & 1) + 1 }
            precondition(n >= events)
        })
        r.add(views, try measured {
            // Each visible event's envelope read and checked in place (no
            // body decode, no allocation); type, time, patient bytes and id
            // length touched so nothing is optimized away.
            var touched = 0
            try ledger.scan(from: 0) { position, view in
                touched &+= Int(view.typeCode) &+ Int(truncatingIfNeeded: view.time.millisecondsSince1970)
                    &+ Int(view.patientBytes.last ?? 0) &+ (view.idBytes?.count ?? 0) &+ Int(position & 1)
                return true
            }
            precondition(touched != 0)
        })
        r.add(viewsEvent, try measured {
            var n = 0
            try ledger.scan(from: 0) { position, view in
                let event = try view.event()
                n &+= event.patient.utf8.count &+ Int(position & 1)
                return true
            }
            precondition(n >= events)
        })
        var one: ReplaySummary?
        r.add(project, try measured { one = try ledger.replay(threads: 1) })
        r.add(project2, try measured { summary = try ledger.replay(threads: 2) })
        // Both folded every event, into the same cohort metrics.
        precondition(one?.events == UInt64(events) && summary?.events == one?.events && summary?.patients == one?.patients && summary?.metrics == one?.metrics,
                     "replays disagree: \(String(describing: one)) vs \(String(describing: summary))")
    }
    print("### Replay (ledger-bench replay, a ledger of \(count(Double(events))) typed events, \(typed.patients) patients, warm page cache, \(typedRounds) interleaved rounds; one thread unless stated)\n")
    let baselineOf = [scan: lz4, decode: lz4, cursor: lz4, views: scan, viewsEvent: cursor, project: cursor, project2: project]
    var rows: [[String]] = []
    for name in r.order {
        rows.append(r.rateCells(name, items: events, bytesPerItem: corpus.meanPayloadLength)
                    + [baselineOf[name].map { percent(r.ratio(name, to: $0)) + " of " + $0 } ?? "baseline"])
    }
    table(["workload", "events/s (wall)", "MB/s (encoded)", "min .. max", "events per CPU-second", "ratio (wall)"], rows)
    let cursorRate = r.rate(cursor, events: events).median
    let viewRate = r.rate(views, events: events).median
    let projectRate = r.rate(project, events: events).median
    let project2Rate = r.rate(project2, events: events).median
    print("Targets: replay decode-only >= 10 M events/s: \(count(cursorRate))/s through the cursor (full decode), \(verdict(cursorRate >= 10e6)); \(count(viewRate))/s through views (envelope only), \(verdict(viewRate >= 10e6)); replay through all projections >= 2 M events/s on one core: \(count(projectRate))/s, \(verdict(projectRate >= 2e6)); more on two: \(count(project2Rate))/s, \(verdict(project2Rate > projectRate)).")
    if let summary { print("Replay summary: \(summary.patients) patients as of \(summary.asOf), \(summary.events) records.") }
    print("Peak RSS of this process so far: \(mb(Double(peakResidentBytes()))).\n")
}

// MARK: - import

@MainActor
func runImport() throws {
    let typed = TypedEvents()
    let lines = LedgerFixtures.importLines
    let file = try LedgerFixtures.jsonLines(lines: lines, typed: typed)
    let size = Double(Files.size(file))
    pending("import: \(lines) lines (\(mb(size))), \(typedRounds) interleaved rounds")
    let work = try Scratch.makeDirectory("import")
    defer { Scratch.remove(work) }
    let fd = open(file, O_RDONLY)
    var text = [UInt8](repeating: 0, count: Int(size))
    let got = text.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
    close(fd)
    precondition(got == Int(size))

    let readAlone = "read the file alone (4 MiB reads)"
    let decodeAlone = "EventJSON.decode alone (in memory, decode + validate)"
    let groupImport = "importJSONLines, group commit 2 ms (ledger import's default)"
    let noSyncImport = "importJSONLines, durability none (noSync)"
    var r = Rounds()
    var report: ImportReport?
    for round in 1...typedRounds {
        pending("round \(round)/\(typedRounds)")
        r.add(readAlone, measured { precondition(Files.readAll(file, chunk: 4 << 20) == Int64(size)) })
        r.add(decodeAlone, measured {
            var valid = 0
            text.withUnsafeBytes { raw in
                JSONLines.forEachLine(in: raw) { _, line in
                    if case .success = EventJSON.decode(line: line) { valid += 1 }
                }
            }
            precondition(valid == lines)
        })
        for (name, durability) in [(groupImport, Durability.groupCommit(interval: .milliseconds(2), maxBytes: 1 << 20)), (noSyncImport, Durability.noSync())] {
            let path = work + "/ledger"
            let ledger = try Ledger.open(at: path, options: LedgerFixtures.options(durability))
            r.add(name, try measured {
                report = try ledger.importJSONLines([.file(file)])
                try ledger.flush()
            })
            precondition(report?.imported == lines, "imported \(report?.imported ?? -1) of \(lines)")
            try ledger.close()
            Scratch.remove(path)
        }
    }
    print("### JSON Lines import (ledger-bench import, \(count(Double(lines))) generated lines, \(mb(size)), \(fixed(size / Double(lines), 0)) B/line; \(typedRounds) interleaved rounds; default ImportOptions: all lines validated first, then appended in batches of \(ImportOptions().batchSize))\n")
    var rows: [[String]] = []
    for name in r.order {
        rows.append(r.rateCells(name, items: lines, bytesPerItem: size / Double(lines))
                    + [name == readAlone || name == decodeAlone ? "baseline" : percent(r.ratio(name, to: decodeAlone)) + " of decode alone"])
    }
    table(["workload", "lines/s (wall)", "MB/s (JSON)", "min .. max", "lines per CPU-second", "ratio (wall)"], rows)
    let importRate = r.rate(groupImport, events: lines).median
    print("Target: import >= 500k lines/s: \(count(importRate))/s with group commit, \(verdict(importRate >= 5e5)); \(count(r.rate(noSyncImport, events: lines).median))/s with noSync.")
    print("Peak RSS of this process so far: \(mb(Double(peakResidentBytes()))) (the file is also held in memory for the decode baseline).\n")
}

// MARK: - patient

@MainActor
func runPatient() throws {
    let typed = TypedEvents()
    let large = LedgerFixtures.largeEvents
    let patientReads = max(10, option("patient-reads", 2000))
    let queries = max(10, option("queries", 500))
    pending("patient: \(patientReads) single-patient reads and \(queries) patient queries per as-of on a \(large)-event ledger and SQLite")
    let ledgerPath = try LedgerFixtures.largeLedger(events: large, typed: typed)
    let sqlitePath = try LedgerFixtures.largeSQLite(events: large, typed: typed)
    var openSeconds = 0.0
    var ledger: Ledger!
    // What the ledger rebuilt, and why (a projection without checkpoint).
    let rebuilt = Mutex<[String]>([])
    var readOnly = LedgerOptions.readOnly
    readOnly.diagnostics = { line in rebuilt.withLock { $0.append(line) } }
    openSeconds = try time { ledger = try Ledger.open(at: ledgerPath, options: readOnly) }
    let store = try SQLiteEventStore(path: sqlitePath, patientIndex: true)
    LogFixtures.warmPageCache(ledgerPath + "/log")
    _ = Files.readAll(sqlitePath, chunk: 1 << 20)
    let ledgerStats = try ledger.statistics()
    let sqliteBytes = store.bytesOnDisk

    var rng = SplitMix64(seed: 61)
    for _ in 0..<50 {  // warm-up, and the two stores agree
        let patient = typed.patientName(rng.next(below: typed.patients))
        let a = try ledger.events(of: patient), b = try store.events(of: patient)
        precondition(a == b, "ledger and SQLite disagree on \(patient): \(a.count) vs \(b.count) events")
    }
    var ledgerTimes: [Double] = [], sqliteTimes: [Double] = [], sizes: [Double] = []
    for _ in 0..<patientReads {
        let patient = typed.patientName(rng.next(below: typed.patients))
        var n = 0
        ledgerTimes.append(try time { n = try ledger.events(of: patient).count })
        sqliteTimes.append(try time { n -= try store.events(of: patient).count })
        precondition(n == 0)
        sizes.append(Double(ledger.version(of: patient)))
    }
    let earlier = EventTime(millisecondsSince1970: typed.time(ofEvent: large / 2))
    // The first query loads the patients' projection: from its checkpoint,
    // or (a read-only handle on a ledger without one, as the cached ledger
    // is) built from the whole log. Timed apart from the queries.
    let loadSeconds = try time { _ = try ledger.projection(of: typed.patientName(0)) }
    var defaultTimes: [Double] = [], earlierTimes: [Double] = []
    for _ in 0..<queries {
        let patient = typed.patientName(rng.next(below: typed.patients))
        defaultTimes.append(try time { _ = try ledger.projection(of: patient) })
        earlierTimes.append(try time { _ = try ledger.projection(of: patient, asOf: earlier) })
    }
    let l = Sample(ledgerTimes), s = Sample(sqliteTimes), d = Sample(defaultTimes), e = Sample(earlierTimes)
    let mean = sizes.reduce(0, +) / Double(sizes.count)
    print("### One patient's stream and the `patient` query (ledger-bench patient, a ledger of \(count(Double(large))) typed events, \(typed.patients) patients, \(fixed(mean, 1)) events per patient read on average (\(Int(Sample(sizes).min))-\(Int(Sample(sizes).max))); warm page cache; random patients)\n")
    func row(_ name: String, _ x: Sample, _ n: Int, _ ratio: String) -> [String] {
        [name, "\(n)", micros(x.median), micros(x.percentile(90)), micros(x.percentile(99)), micros(x.max), ratio]
    }
    table(["workload", "operations", "p50 us", "p90 us", "p99 us", "max us", "ratio (p50)"], [
        row("SQLite: one patient's rows by the patient index, decoded", s, patientReads, "baseline"),
        row("ledger: events(of:) (per-patient index, one block read per event)", l, patientReads, fixed(l.median / s.median, 1) + "x SQLite's time"),
        row("ledger: projection(of:) at the default as-of", d, queries, fixed(d.median / l.median, 1) + "x events(of:)"),
        row("ledger: projection(of:asOf:) at an earlier as-of (\(earlier))", e, queries, fixed(e.median / l.median, 1) + "x events(of:)"),
    ])
    print("Target: one patient's ~100 events from a 10M-event ledger under 1 ms at p99: \(micros(l.percentile(99))) us, \(verdict(l.percentile(99) < 1e-3)).")
    let why = rebuilt.withLock { $0 }.first { $0.hasPrefix("projection patients:") }
    print("The first query loaded the patients' projection in \(fixed(loadSeconds, 2)) s, " + (why.map {
        "built from the whole log (\($0.dropFirst("projection patients: ".count)); \(count(Double(large) / loadSeconds)) events/s)"
    } ?? "from its checkpoint") + "; the query figures above exclude it.")
    print("Ledger: \(ledgerStats.log.records) events, \(mb(Double(ledgerStats.bytesOnDisk))) on disk (\(fixed(Double(ledgerStats.bytesOnDisk) / Double(ledgerStats.log.records), 1)) B/event, compression ratio \(fixed(ledgerStats.log.compressionRatio ?? .nan, 2))), read-only open \(millis(openSeconds)) ms. SQLite: \(mb(Double(sqliteBytes))) (\(fixed(Double(sqliteBytes) / Double(large), 1)) B/event).")
    print("Peak RSS of this process so far: \(mb(Double(peakResidentBytes()))).\n")
}

// MARK: - profiling helpers

/// Prints `items` done in `m` as a rate in wall time and per CPU-second;
/// `check` (a value derived from the results) keeps the work from being
/// optimized away.
private func printRate(_ label: String, items: Int, _ m: Measurement, check: Int? = nil) {
    let n = Double(items)
    print("\(label): \(count(n / m.wall))/s, \(count(n / m.cpu)) per CPU-second" + (check.map { " (\($0 & 1))" } ?? ""))
}

/// One typed workload alone, for `perf record` or `valgrind --tool=callgrind`.
@MainActor
func runTypedProfile(_ command: String) throws {
    let typed = TypedEvents()
    if command == "profile-patient" {
        let ledger = try Ledger.open(at: try LedgerFixtures.largeLedger(typed: typed), options: .readOnly)
        var rng = SplitMix64(seed: 5)
        var n = 0
        let seconds = try time { for _ in 0..<reads { n += try ledger.events(of: typed.patientName(rng.next(below: typed.patients))).count } }
        print("events(of:): \(micros(seconds / Double(reads))) us mean, \(fixed(Double(n) / Double(reads), 1)) events per read")
        return
    }
    if command == "profile-replay", let variable = getenv("LEDGER_BENCH_REPLAY_LEDGER"), case let path = String(cString: variable) {
        // An existing ledger (the projections cohort), on one thread.
        let ledger = try Ledger.open(at: path, options: .readOnly)
        var replayed: UInt64 = 0
        let m = try measured { replayed = try ledger.replay(threads: 1).events }
        printRate("replay of \(path), 1 thread", items: Int(replayed), m)
        return
    }
    if command == "profile-encode" {
        // EventCodec.encode alone, 10 passes over `--events` events.
        let batches = typed.batches(count: events, batchSize: 1000)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1024)
        var total = 0
        let m = measured {
            for _ in 0..<10 {
                for batch in batches {
                    for event in batch {
                        buffer.removeAll(keepingCapacity: true)
                        EventCodec.encode(event, into: &buffer)
                        total &+= buffer.count
                    }
                }
            }
        }
        printRate("EventCodec.encode", items: 10 * events, m, check: total)
        return
    }
    let work = try Scratch.makeDirectory("profile")
    defer { Scratch.remove(work) }
    if command == "profile-typed-append" {
        // LEDGER_BENCH_BATCH=N: batches of N events (default 1000; 1 is a
        // service appending each event as it comes).
        let batchSize = getenv("LEDGER_BENCH_BATCH").flatMap { Int(String(cString: $0)) } ?? 1000
        let batches = typed.batches(count: events, batchSize: batchSize)
        // LEDGER_BENCH_DURABILITY=group: group commit (2 ms), as `typed` measures it.
        let group = getenv("LEDGER_BENCH_DURABILITY").map { String(cString: $0) } == "group"
        let durability: Durability = group ? .groupCommit(interval: .milliseconds(2), maxBytes: 1 << 20) : .noSync()
        let ledger = try Ledger.open(at: work + "/ledger", options: LedgerFixtures.options(durability))
        let appender = TypedAppender(ledger: ledger, batches: batches)
        let m = try measured { try appender.appendAll() }
        try ledger.close()
        printRate(group ? "ledger append groupCommit" : "ledger append noSync", items: events, m)
        return
    }
    // The rest read a ledger of `--events` typed events.
    try LedgerFixtures.buildLedger(at: work + "/ledger", events: events, typed: typed)
    let ledger = try Ledger.open(at: work + "/ledger", options: .readOnly)
    if command == "profile-cursor" {
        // The events(from:) cursor, 3 passes.
        var n = 0
        let m = try measured {
            for _ in 0..<3 {
                let c = ledger.events(from: 0)
                while let stored = try c.next() { n &+= Int(stored.position & 1) + 1 }
            }
        }
        printRate("events(from:) cursor", items: 3 * events, m, check: n)
    } else if command == "profile-views" {
        // Ledger.scan with views, 10 passes, touching what the replay row touches.
        var touched = 0
        let m = try measured {
            for _ in 0..<10 {
                try ledger.scan(from: 0) { position, view in
                    touched &+= Int(view.typeCode) &+ Int(truncatingIfNeeded: view.time.millisecondsSince1970)
                        &+ Int(view.patientBytes.last ?? 0) &+ (view.idBytes?.count ?? 0) &+ Int(position & 1)
                    return true
                }
            }
        }
        printRate("Ledger.scan with views", items: 10 * events, m, check: touched)
    } else {
        let m = try measured { _ = try ledger.replay(threads: 1) }
        printRate("replay, 1 thread", items: events, m)
    }
}
