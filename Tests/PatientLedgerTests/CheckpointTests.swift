#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Testing
import LedgerTestSupport
import LedgerEvents
@testable import LedgerProjections
import LedgerSimulation
import LedgerStorage
@testable import PatientLedger

/// A generated cohort as records in log order (positions as an import
/// would give them, duplicates dropped), with an `erase` of a few patients
/// inserted midway (their later events start a new history).
func generatedRecords(patients: Int, days: Int, seed: UInt64) -> [PatientEventRecord] {
    var events: [PatientEvent] = []
    var ids: Set<String> = []
    CohortGenerator(patients: patients, days: days, seed: seed).generate { event in
        if let id = event.id, !ids.insert(id).inserted { return }
        events.append(event.normalized())
    }
    for (k, share) in [3, 5, 7].enumerated() {
        let at = events.count * share / 10
        let erase = PatientEvent(patient: events[at / 2 + k].patient, time: events[at].time, body: .erase)
        events.insert(erase, at: at)
    }
    return events.enumerated().map { PatientEventRecord(position: UInt64($0.offset), event: $0.element) }
}

/// Folds records as the ledger does: erase records make the projection
/// forget their patient, and events an erase hides are skipped.
func fold<P: Projection>(_ p: inout P, _ records: ArraySlice<PatientEventRecord>, lastErase: [String: UInt64]) {
    for record in records {
        if case .erase = record.event.body {
            p.erase(patient: record.event.patient)
        } else if lastErase[record.event.patient].map({ record.position < $0 }) ?? false {
            continue
        } else {
            p.apply(record)
        }
    }
}

func lastErasePositions(_ records: [PatientEventRecord]) -> [String: UInt64] {
    var last: [String: UInt64] = [:]
    for record in records { if case .erase = record.event.body { last[record.event.patient] = record.position } }
    return last
}

/// Laws of the per-patient state: order does not matter, bytes round-trip,
/// and a checkpoint taken anywhere then caught up equals a full rebuild.
@Suite struct PatientStateLawTests {
    static let records = generatedRecords(patients: 250, days: 365, seed: 21)

    @Test func theGeneratedCohortHasLateArrivalsAndErasures() {
        var latest: [String: EventTime] = [:], late = 0
        for r in Self.records {
            if let l = latest[r.event.patient], r.event.time < l { late += 1 }
            latest[r.event.patient] = max(latest[r.event.patient] ?? r.event.time, r.event.time)
        }
        #expect(late > 50, "events that arrive after a later event of the same patient")
        #expect(!lastErasePositions(Self.records).isEmpty)
    }

    @Test func foldingInAnyOrderGivesTheSameState() {
        var byPatient: [String: [PatientEventRecord]] = [:]
        for r in Self.records where r.event.body != .erase { byPatient[r.event.patient, default: []].append(r) }
        var generator = SplitMix64(seed: 3)
        for (patient, records) in byPatient.prefix(120) {
            var inLogOrder = PatientState(), inTimeOrder = PatientState(), shuffled = PatientState()
            for r in records { inLogOrder.apply(r) }
            for r in records.sorted(by: { $0.precedes($1) }) { inTimeOrder.apply(r) }
            for r in records.shuffled(using: &generator) { shuffled.apply(r) }
            #expect(inLogOrder == inTimeOrder, "\(patient)")
            #expect(shuffled == inTimeOrder, "\(patient)")
        }
    }

    @Test func aStateAnswersEveryTimeAtOrAfterItsLatestEventAsAFreshFoldDoes() throws {
        var byPatient: [String: [PatientEventRecord]] = [:]
        for r in Self.records where r.event.body != .erase { byPatient[r.event.patient, default: []].append(r) }
        for (patient, records) in byPatient.prefix(150) {
            var state = PatientState()
            for r in records { state.apply(r) }
            let latest = try #require(state.latestTime)
            for days in [0, 1, 29, 30, 31, 90, 91, 400] as [Int64] {
                let t = EventTime(millisecondsSince1970: latest.millisecondsSince1970 + days * 86_400_000)
                #expect(state.projection(patient: patient, asOf: t) == PatientProjection(patient: patient, events: records, asOf: t))
            }
            let earlier = EventTime(millisecondsSince1970: latest.millisecondsSince1970 - 1)
            #expect(state.projection(patient: patient, asOf: earlier) == nil, "an earlier T is folded again, not guessed")
        }
    }

    /// The end of a replay adds each patient to the cohort metrics from
    /// their history (`CohortMetrics.add(history:)`), without building the
    /// projection: patient by patient, the same metrics and tag counts as
    /// adding the projection.
    @Test func metricsFromAHistoryEqualMetricsFromItsProjection() throws {
        var byPatient: [String: [PatientEventRecord]] = [:]
        for r in Self.records where r.event.body != .erase { byPatient[r.event.patient, default: []].append(r) }
        for (patient, records) in byPatient {
            var state = PatientState()
            for r in records { state.apply(r) }
            let latest = try #require(state.latestTime)
            for days in [0, 1, 30, 91, 200, 400] as [Int64] {
                let t = EventTime(millisecondsSince1970: latest.millisecondsSince1970 + days * 86_400_000)
                var fromHistory = CohortMetrics(asOf: t), fromProjection = CohortMetrics(asOf: t)
                fromHistory.add(history: state.history)
                fromProjection.add(try #require(state.projection(patient: patient, asOf: t)))
                #expect(fromHistory == fromProjection, "\(patient) as of \(t)")
            }
        }
    }

    @Test func stateBytesRoundTripAndDamageNeverTraps() throws {
        var all = PatientProjections()
        fold(&all, Self.records[...], lastErase: lastErasePositions(Self.records))
        var generator = SplitMix64(seed: 9)
        var damagedRejected = 0
        for (patient, state) in all.states.prefix(200) {
            var bytes: [UInt8] = []
            state.encode(into: &bytes)
            let decoded = try bytes.withUnsafeBytes { raw throws(StateDecodingError) in try PatientState(decoding: raw) }
            #expect(decoded == state, "\(patient)")
            var again: [UInt8] = []
            decoded.encode(into: &again)
            #expect(again == bytes, "deterministic bytes")
            // Truncations and bit flips: an error or some state, never a trap.
            for _ in 0..<20 {
                var damaged = bytes
                if generator.next() % 2 == 0 {
                    damaged.removeLast(Int(generator.next() % UInt64(bytes.count)) + 1)
                } else {
                    let i = Int(generator.next() % UInt64(bytes.count))
                    damaged[i] ^= UInt8(1 << (generator.next() % 8))
                }
                if (try? damaged.withUnsafeBytes { raw throws(StateDecodingError) in try PatientState(decoding: raw) }) == nil {
                    damagedRejected += 1
                }
            }
        }
        #expect(damagedRejected > 0)
        let bytes = all.checkpoint()
        let decoded = try bytes.withUnsafeBytes { raw throws(StateDecodingError) in try PatientProjections(checkpoint: raw, verifyingStates: true) }
        #expect(decoded.states == all.states)
    }

    /// The law of issue 4: for many k, the projection of records 0..<k,
    /// through its checkpoint bytes, then caught up with k..<n, equals the
    /// projection of 0..<n.
    @Test func checkpointAtAnyPositionThenCatchUpEqualsAFullRebuild() throws {
        let records = Self.records
        let lastErase = lastErasePositions(records)
        var full = PatientProjections()
        fold(&full, records[...], lastErase: lastErase)
        var generator = SplitMix64(seed: 17)
        var ks: [Int] = [0, 1, records.count - 1, records.count]
        for _ in 0..<40 { ks.append(Int(generator.next() % UInt64(records.count))) }
        for (p, r) in records.enumerated() where r.event.body == .erase { ks += [p, p + 1] }
        for k in ks {
            var head = PatientProjections()
            fold(&head, records[..<k], lastErase: lastErase)
            let bytes = head.checkpoint()
            var resumed = try bytes.withUnsafeBytes { raw throws(StateDecodingError) in try PatientProjections(checkpoint: raw) }
            fold(&resumed, records[k...], lastErase: lastErase)
            #expect(resumed.states == full.states, "k = \(k)")
        }
        let asOf = try #require(full.latestTime)
        #expect(full.cohortMetrics(asOf: asOf) != nil)
    }

    /// Compacting with the metrics (the end of a replay, in one pass) gives
    /// the metrics and the states of `cohortMetrics(asOf:)` then
    /// `compact()`, with patients at rest and being folded alike; nil
    /// metrics as of a time before some patient's latest event.
    @Test func compactingWithTheMetricsEqualsTheMetricsThenCompacting() throws {
        let records = Self.records
        let lastErase = lastErasePositions(records)
        var projections = PatientProjections()
        fold(&projections, records[..<(records.count / 2)], lastErase: lastErase)
        projections.compact()
        fold(&projections, records[(records.count / 2)...], lastErase: lastErase)
        let latest = try #require(projections.latestTime)
        for asOf in [latest, EventTime(millisecondsSince1970: latest.millisecondsSince1970 + 1),
                     EventTime(millisecondsSince1970: latest.millisecondsSince1970 - 1)] {
            var separately = projections
            let expected = separately.cohortMetrics(asOf: asOf)
            separately.compact()
            var together = projections
            #expect(together.compact(cohortMetricsAsOf: asOf) == expected)
            #expect(together.states == separately.states)
            #expect(together.checkpoint() == separately.checkpoint())
        }
        #expect(projections.cohortMetrics(asOf: latest) != nil)
        var early = projections
        #expect(early.compact(cohortMetricsAsOf: EventTime(millisecondsSince1970: latest.millisecondsSince1970 - 1)) == nil)
    }
}

/// Checkpoint files in a real ledger: written, loaded, caught up, and
/// rebuilt (with a diagnostic) whenever they cannot be trusted.
@Suite struct CheckpointFileTests {
    final class Messages: Sendable {
        let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
    }

    func options(_ messages: Messages, readOnly: Bool = false, durability: Durability = .groupCommit()) -> LedgerOptions {
        var options = LedgerOptions(durability: durability, readOnly: readOnly)
        options.writesCheckpoints = true
        options.checkpointInterval = 1
        options.diagnostics = { line in messages.lines.withLock { $0.append(line) } }
        return options
    }

    static let events: [PatientEvent] = generatedRecords(patients: 120, days: 200, seed: 4).map(\.event)

    func rebuilt(_ ledger: Ledger) throws -> [String: PatientState] {
        var fresh = PatientProjections()
        try ledger.fold(from: 0, to: ledger.endPosition) { fresh.apply($0) } erase: { fresh.erase(patient: $0) }
        return fresh.states
    }

    @Test func aCheckpointIsWrittenLoadedAndCaughtUpAcrossOpens() throws {
        let dir = TemporaryDirectory()
        let messages = Messages()
        let half = Self.events.count / 2
        var ledger = try Ledger.open(at: dir.path, options: options(messages))
        try ledger.append(Array(Self.events[..<half]))
        let first = try ledger.projection(PatientProjections.self)
        #expect(messages.all == ["projection patients: no checkpoint; rebuilt from the log"])
        #expect(fileSize(dir.appending("projections/patients.ckpt")) > 64)
        #expect(first.states == (try rebuilt(ledger)))
        try ledger.close()

        ledger = try Ledger.open(at: dir.path, options: options(messages))
        try ledger.append(Array(Self.events[half...]))
        let caughtUp = try ledger.projection(PatientProjections.self)
        #expect(messages.all.count == 1, "the checkpoint was used: \(messages.all)")
        #expect(caughtUp.states == (try rebuilt(ledger)))
        // Served from the cache, caught up again after another append.
        try ledger.append(Events.visit("P-new", day: 400))
        #expect(try ledger.projection(PatientProjections.self).states["P-new"] != nil)
        try ledger.close()

        // A read-only handle without checkpoint writing loads it too.
        let reader = try Ledger.open(at: dir.path, options: options(messages, readOnly: true))
        #expect(try reader.projection(PatientProjections.self).states == (try rebuilt(reader)))
        #expect(messages.all.count == 1)
    }

    /// Without a checkpoint, and when catching up at least
    /// `checkpointInterval` records, the patients' projection is folded
    /// as a replay folds (patient-ordered batches): the same states as a
    /// fold in log order, erasures included, in one batch or in many; a
    /// short catch-up folds in log order. The checkpoint a read-only handle
    /// writes then serves the next one.
    @Test(arguments: [64 << 10, 1 << 30])
    func theProjectionIsFoldedAsAReplayFoldsFromNothingOrFarBehind(replayMemory: Int) throws {
        let dir = TemporaryDirectory()
        let messages = Messages()
        var writerOptions = options(messages)
        writerOptions.writesCheckpoints = false
        let ledger = try Ledger.open(at: dir.path, options: writerOptions)
        try ledger.append(Array(Self.events.dropLast(200)))
        try ledger.flush()
        var readerOptions = options(messages, readOnly: true)
        readerOptions.replayMemory = replayMemory
        readerOptions.checkpointInterval = 150
        let reader = try Ledger.open(at: dir.path, options: readerOptions)
        #expect(try reader.projection(PatientProjections.self).states == (try rebuilt(reader)))
        #expect(messages.all == ["projection patients: no checkpoint; rebuilt from the log"])
        // Far behind (200 records), then a little (20).
        try ledger.append(Array(Self.events.suffix(200).prefix(180)))
        try ledger.flush()
        try reader.refresh()
        #expect(try reader.projection(PatientProjections.self).states == (try rebuilt(reader)))
        try ledger.append(Array(Self.events.suffix(20)))
        try ledger.flush()
        try reader.refresh()
        #expect(try reader.projection(PatientProjections.self).states == (try rebuilt(reader)))
        // The reader's checkpoint (written after the rebuild and the long
        // catch-up) loads in the next handle without a rebuild.
        let next = try Ledger.open(at: dir.path, options: readerOptions)
        #expect(try next.projection(PatientProjections.self).states == (try rebuilt(next)))
        #expect(messages.all.count == 1, "\(messages.all)")
        try ledger.close()
    }

    /// The batched fold itself, on 1 to 3 threads from nothing, and (on
    /// one thread: a projection holding states is not split) from a
    /// projection of a prefix of the log (any position, erase records
    /// included), equals the fold in log order, in one batch or in many.
    @Test(arguments: [64 << 10, 1 << 30])
    func theBatchedFoldEqualsTheFoldInLogOrder(replayMemory: Int) throws {
        let dir = TemporaryDirectory()
        var ledgerOptions = options(Messages())
        ledgerOptions.replayMemory = replayMemory
        let ledger = try Ledger.open(at: dir.path, options: ledgerOptions)
        try ledger.append(Self.events)
        let end = try ledger.readableEnd()
        let whole = try rebuilt(ledger)
        let patients = ledger.patientIDs.count
        for threads in [1, 2, 3] {
            let (all, metrics) = try ledger.foldPatientProjections(end: end, patients: patients, threads: threads,
                                                                   metricsAsOf: nil, cutoff: nil, progress: nil)
            #expect(all.states == whole, "\(threads) threads")
            #expect(metrics == nil)
        }
        var generator = SplitMix64(seed: 5)
        let erasePositions = Self.events.indices.filter { Self.events[$0].body == .erase }
        for start in [1, Int(end) / 2, Int(end) - 1] + erasePositions + (0..<5).map({ _ in Int(generator.next() % end) }) {
            var head = PatientProjections()
            try ledger.fold(from: 0, to: UInt64(start)) { head.apply($0) } erase: { head.erase(patient: $0) }
            head.compact()
            let (all, _) = try ledger.foldPatientProjections(head, from: UInt64(start), end: end, patients: patients, threads: 1,
                                                             metricsAsOf: nil, cutoff: nil, progress: nil)
            #expect(all.states == whole, "from \(start)")
        }
        try ledger.close()
    }

    @Test(arguments: ["flip", "truncate", "empty", "version", "foreign"])
    func anUntrustworthyCheckpointIsRebuiltWithADiagnostic(damage: String) throws {
        let dir = TemporaryDirectory()
        let messages = Messages()
        var ledger = try Ledger.open(at: dir.path, options: options(messages))
        try ledger.append(Self.events)
        let good = try ledger.projection(PatientProjections.self).states
        try ledger.close()
        let path = dir.appending("projections/patients.ckpt")
        var bytes = readFile(path)
        switch damage {
        case "flip": bytes[bytes.count / 2] ^= 0x10
        case "truncate": bytes.removeLast(bytes.count / 3)
        case "empty": bytes = []
        case "version":
            // A checkpoint of the same name written by another version of the projection.
            bytes = ProjectionCheckpoint.encode(name: "patients", version: 99, state: [], coveredPosition: 0, anchor: nil,
                                                logID: try SegmentLog.open(at: dir.appending("log"), options: .readOnly).logID)
        default:
            bytes = ProjectionCheckpoint.encode(name: "patients", version: PatientProjections.version, state: [0],
                                                coveredPosition: 0, anchor: nil, logID: [UInt8](repeating: 7, count: 16))
        }
        writeFile(path, bytes)
        messages.lines.withLock { $0.removeAll() }
        ledger = try Ledger.open(at: dir.path, options: options(messages))
        #expect(try ledger.projection(PatientProjections.self).states == good)
        #expect(messages.all.count == 1 && messages.all[0].hasSuffix("; rebuilt from the log"), "\(messages.all)")
        #expect(messages.all.first?.contains(damage == "version" ? "version 99" : damage == "foreign" ? "another log" : "checkpoint") ?? false, "\(messages.all)")
        // And the rebuilt checkpoint is good again.
        try ledger.close()
        messages.lines.withLock { $0.removeAll() }
        ledger = try Ledger.open(at: dir.path, options: options(messages))
        #expect(try ledger.projection(PatientProjections.self).states == good)
        #expect(messages.all.isEmpty)
        try ledger.close()
    }

    /// A checkpoint written by a reader while the writer's last batch was
    /// not yet durable; a crash then cuts that batch. The checkpoint now
    /// reaches past the log, and once new appends refill the positions, its
    /// anchor no longer matches: both times it is rebuilt, never served.
    @Test func aCheckpointOfRecordsACrashCutIsNeverServed() throws {
        let dir = TemporaryDirectory()
        let messages = Messages()
        var writerOptions = options(messages, durability: .groupCommit(interval: .seconds(3600), maxBytes: 1 << 30))
        writerOptions.writesCheckpoints = false
        writerOptions.snapshotInterval = .max
        var writer = try Ledger.open(at: dir.path, options: writerOptions)
        try writer.append(Array(Self.events[0..<100]))
        // Durable, with the index snapshot at 100 (close writes it; flush does not).
        try writer.close()
        writer = try Ledger.open(at: dir.path, options: writerOptions)
        let segment = dir.appending("log/00000000000000000000.seg")
        let durableSize = fileSize(segment)
        try writer.append(Array(Self.events[100..<150]))
        try writer.log.commit()
        #expect(fileSize(segment) > durableSize, "the batch is written, not synced")
        #expect(writer.log.durablePosition == 100)
        let reader = try Ledger.open(at: dir.path, options: options(messages, readOnly: true))
        #expect(try reader.projection(PatientProjections.self).patientCount > 0)
        #expect(messages.all.count == 1)

        // What a power cut leaves: the directory as it is, less the unsynced batch.
        let crashed = TemporaryDirectory()
        for sub in ["log", "index", "projections"] { copyDirectory(dir.appending(sub), to: crashed.appending(sub)) }
        truncateFile(crashed.appending("log/00000000000000000000.seg"), to: durableSize)
        messages.lines.withLock { $0.removeAll() }
        var recovered = try Ledger.open(at: crashed.path, options: options(messages))
        #expect(recovered.endPosition == 100)
        #expect(recovered.openReport.indexRebuiltBecause == nil && recovered.openReport.recordsCaughtUp == 0,
                "the index came from the snapshot")
        #expect(try recovered.projection(PatientProjections.self).states == (try rebuilt(recovered)))
        #expect(messages.all.first?.contains("reflects 150 records, the log holds 100") ?? false, "\(messages.all)")
        try recovered.close()

        // Again, but other events refill positions 100..<150 before the next query.
        copyDirectory(dir.appending("projections"), to: crashed.appending("projections"))
        messages.lines.withLock { $0.removeAll() }
        recovered = try Ledger.open(at: crashed.path, options: options(messages))
        try recovered.append((0..<50).map { Events.visit("P-after-\($0)", day: 300) })
        let states = try recovered.projection(PatientProjections.self).states
        #expect(recovered.endPosition == 150)
        #expect(states == (try rebuilt(recovered)))
        #expect(states["P-after-0"] != nil)
        #expect(messages.all.first?.contains("does not match record 149") ?? false, "\(messages.all)")
        try recovered.close()
        try writer.close()
    }

    @Test func projectionsNamedInTheOptionsLoadWhileTheLedgerOpens() throws {
        let dir = TemporaryDirectory()
        let messages = Messages()
        var ledger = try Ledger.open(at: dir.path, options: options(messages))
        try ledger.append(Array(Self.events.prefix(300)))
        try ledger.close()
        #expect(!fileExists(dir.appending("projections/patients.ckpt")), "nothing loads projections unasked")
        var eager = options(messages)
        eager.projectionsOnOpen = [PatientProjections.self]
        ledger = try Ledger.open(at: dir.path, options: eager)
        #expect(fileExists(dir.appending("projections/patients.ckpt")), "built (and saved) while opening")
        #expect(messages.all == ["projection patients: no checkpoint; rebuilt from the log"])
        #expect(ledger.projections.withLock { $0[PatientProjections.name]?.position } == 300)
        try ledger.close()
    }

    @Test func erasedPatientsLeaveTheProjectionAndItsCheckpoint() throws {
        let dir = TemporaryDirectory()
        let messages = Messages()
        var ledger = try Ledger.open(at: dir.path, options: options(messages))
        try ledger.append([Events.visit("P1", day: 1), Events.visit("P2", day: 2)])
        #expect(try ledger.projection(PatientProjections.self).patientCount == 2)
        try ledger.append(Events.erase("P1", day: 3))
        #expect(try ledger.projection(PatientProjections.self).states.keys.sorted() == ["P2"])
        try ledger.close()
        ledger = try Ledger.open(at: dir.path, options: options(messages))
        #expect(try ledger.projection(PatientProjections.self).states.keys.sorted() == ["P2"])
        #expect(try ledger.replay().erasedPatients == 1)
        #expect(throws: LedgerError.self) { try ledger.projection(of: "P1") }
        try ledger.close()
    }

    /// A service's own read model, checkpointed and caught up by the ledger.
    struct OutboundPerChannel: Projection {
        static let name = "outbound-per-channel"
        nonisolated(unsafe) static var version: UInt32 = 1
        var counts: [String: [String: Int]] = [:]
        init() {}
        mutating func apply(_ record: PatientEventRecord) {
            if case .message(let m) = record.event.body, m.direction == .outbound {
                counts[record.event.patient, default: [:]][m.channel.rawValue, default: 0] += 1
            }
        }
        mutating func erase(patient: String) { counts[patient] = nil }
        func checkpoint() -> [UInt8] {
            var text = ""
            for (patient, channels) in counts.sorted(by: { $0.key < $1.key }) {
                for (channel, n) in channels.sorted(by: { $0.key < $1.key }) { text += "\(patient) \(channel) \(n)\n" }
            }
            return Array(text.utf8)
        }
        init(checkpoint bytes: UnsafeRawBufferPointer) throws(StateDecodingError) {
            for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
                let parts = line.split(separator: " ")
                guard parts.count == 3, let n = Int(parts[2]) else { throw StateDecodingError(offset: 0, reason: "bad line") }
                counts[String(parts[0]), default: [:]][String(parts[1])] = n
            }
        }
    }

    @Test func aServicesOwnProjectionIsCheckpointedAndRebuiltOnANewVersion() throws {
        let dir = TemporaryDirectory()
        let messages = Messages()
        var ledger = try Ledger.open(at: dir.path, options: options(messages))
        try ledger.append(Array(Self.events.prefix(500)))
        let first = try ledger.projection(OutboundPerChannel.self)
        #expect(!first.counts.isEmpty)
        try ledger.close()
        messages.lines.withLock { $0.removeAll() }
        ledger = try Ledger.open(at: dir.path, options: options(messages))
        try ledger.append(Array(Self.events.dropFirst(500)))
        let loaded = try ledger.projection(OutboundPerChannel.self)
        #expect(messages.all.isEmpty)
        #expect(loaded.counts == (try ledger.rebuild(OutboundPerChannel.self).projection.counts))
        try ledger.close()
        OutboundPerChannel.version = 2
        defer { OutboundPerChannel.version = 1 }
        ledger = try Ledger.open(at: dir.path, options: options(messages))
        _ = try ledger.projection(OutboundPerChannel.self)
        #expect(messages.all.first?.contains("version 1, this projection is version 2") ?? false, "\(messages.all)")
        try ledger.close()
    }
}

/// Folds see an exact prefix of the log, whatever is appended meanwhile.
@Suite struct FoldPrefixTests {
    /// An erase stored at or after the fold's end hides nothing in it: the
    /// prefix's projection still holds the patient (the next catch-up folds
    /// the erase).
    @Test func anEraseAfterTheEndOfAFoldHidesNothingInIt() throws {
        let dir = TemporaryDirectory()
        let ledger = try Ledger.open(at: dir.path, options: LedgerOptions(durability: .everyAppend))
        try ledger.append([Events.visit("P7", day: 1), Events.visit("P8", day: 2), Events.visit("P7", day: 3)])
        try ledger.append(Events.erase("P7", day: 4))
        var prefix = PatientProjections()
        try ledger.fold(from: 0, to: 3) { prefix.apply($0) } erase: { prefix.erase(patient: $0) }
        #expect(prefix.state(of: "P7")?.projection(patient: "P7", asOf: Events.time(5))?.profile.visits.count == 2)
        var whole = prefix
        try ledger.fold(from: 3, to: 4) { whole.apply($0) } erase: { whole.erase(patient: $0) }
        #expect(whole.state(of: "P7") == nil)
        var fromZero = PatientProjections()
        try ledger.fold(from: 0, to: 4) { fromZero.apply($0) } erase: { fromZero.erase(patient: $0) }
        #expect(fromZero.states == whole.states)
        try ledger.close()
    }

    /// Queries in a tight loop beside a thread appending one event at a
    /// time: none fails (the index never runs ahead of what the fold can read).
    @Test func projectionQueriesBesideATightAppendLoopNeverFail() async throws {
        let dir = TemporaryDirectory()
        let ledger = try Ledger.open(at: dir.path)
        try ledger.append(Events.visit("P0", day: 1))
        let appender = Task.detached {
            for i in 0..<3000 { try ledger.append(Events.visit("P\(i % 50)", day: 1 + i / 100)) }
        }
        var failures = 0
        for _ in 0..<1500 {
            do throws(LedgerError) { _ = try ledger.projection(PatientProjections.self) } catch { failures += 1 }
        }
        try await appender.value
        #expect(failures == 0)
        #expect(try ledger.projection(PatientProjections.self).patientCount == 50)
        try ledger.close()
    }
}

/// Replay splits the patients between threads; the result must not depend
/// on how many.
@Suite struct PartitionedReplayTests {
    @Test func replayOnOneTwoOrThreeThreadsGivesTheSameMetricsAndCheckpoint() throws {
        let dir = TemporaryDirectory()
        let ledger = try Ledger.open(at: dir.path)
        try ledger.append(CheckpointFileTests.events)
        try ledger.append([Events.erase(CheckpointFileTests.events[0].patient, day: 300), Events.visit("P-late", day: 2)])
        let latest = try #require(ledger.defaultAsOf)
        let earlier = EventTime(millisecondsSince1970: latest.millisecondsSince1970 - 45 * 86_400_000)
        for asOf in [latest, earlier] {
            var checkpoints: [[UInt8]] = []
            var summaries: [ReplaySummary] = []
            for threads in [1, 2, 3] {
                var summary = try ledger.replay(asOf: asOf, threads: threads)
                summary.seconds = 0
                summary.eventsPerSecond = 0
                summaries.append(summary)
                checkpoints.append(readFile(dir.appending("projections/patients.ckpt")).dropFirst(64).map { $0 })
            }
            #expect(summaries[1] == summaries[0] && summaries[2] == summaries[0])
            #expect(checkpoints[1] == checkpoints[0] && checkpoints[2] == checkpoints[0])
            #expect(summaries[0].erasedPatients == ledger.erasedPatientCount && ledger.erasedPatientCount >= 1)
        }
        try ledger.close()
    }
}

/// Replays and queries while another thread appends events with ever later
/// times (the default T moving under them): each answer is consistent with
/// some prefix of the log, and nothing traps.
@Suite struct ProjectionsUnderConcurrentAppendsTests {
    @Test func replayAndQueriesBesideAnAppendingThread() async throws {
        let dir = TemporaryDirectory()
        let ledger = try Ledger.open(at: dir.path)
        try ledger.append(Array(CheckpointFileTests.events.prefix(2000)))
        let appender = Task.detached {
            for i in 0..<400 {
                try ledger.append(Events.visit("P-live-\(i % 7)", day: 500 + i))
            }
        }
        var lastEvents: UInt64 = 0
        for _ in 0..<6 {
            let summary = try ledger.replay()
            #expect(summary.events >= lastEvents)
            lastEvents = summary.events
            let p = try ledger.projection(of: CheckpointFileTests.events[0].patient)
            #expect(p.exists)
        }
        try await appender.value
        let final = try ledger.replay()
        #expect(final.events == ledger.endPosition)
        var fresh = PatientProjections()
        try ledger.fold(from: 0, to: ledger.endPosition) { fresh.apply($0) } erase: { fresh.erase(patient: $0) }
        #expect(try ledger.projection(PatientProjections.self).states == fresh.states)
        try ledger.close()
    }
}
