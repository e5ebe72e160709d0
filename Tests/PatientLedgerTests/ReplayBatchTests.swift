import Testing
import LedgerTestSupport
import LedgerEvents
import LedgerProjections
@testable import PatientLedger

/// A replay folds its events in batches, grouped by patient
/// (``PatientOrderedBatch``): with batches small enough to be drained many
/// times during the scan, on one thread or several, the states and metrics
/// are those of a fold in log order.
@Suite struct ReplayBatchTests {
    /// Batches of 2,000 bytes (drained many times, the last one a closing
    /// fold that meets patients folded before it) and one batch holding
    /// everything (a closing fold alone).
    @Test(arguments: [1, 2], [2_000, 1 << 24])
    func batchesFoldAsTheLogOrderDoes(parts: Int, batchCapacity: Int) throws {
        let dir = TemporaryDirectory()
        let ledger = try Ledger.open(at: dir.path)
        try ledger.append(CheckpointFileTests.events)
        try ledger.append([Events.erase(CheckpointFileTests.events[0].patient, day: 300), Events.visit("P-late", day: 2)])
        let end = try ledger.readableEnd()
        let latest = try #require(ledger.defaultAsOf)
        let earlier = EventTime(millisecondsSince1970: latest.millisecondsSince1970 - 45 * 86_400_000)
        for asOf in [latest, earlier] {
            let cutoff: EventTime? = asOf < latest ? asOf : nil
            var whole = PatientProjections()
            var cut = cutoff.map { PatientProjections(cutoff: $0) }
            try ledger.fold(from: 0, to: end) { record in
                whole.apply(record)
                cut?.apply(record)
            } erase: { patient in
                whole.erase(patient: patient)
                cut?.erase(patient: patient)
            }
            let folded = try ledger.foldPartitioned(parts: parts, end: end, progress: nil) {
                ReplayFold(all: PatientProjections(), cut: cutoff.map { PatientProjections(cutoff: $0) }, asOf: asOf,
                           directory: dir.path, batchCapacity: batchCapacity, patients: 100)
            }
            var all = PatientProjections()
            var metrics = CohortMetrics(asOf: asOf)
            for part in folded {
                all.merge(disjoint: part.all)
                metrics.merge(try #require(part.metrics))
            }
            #expect(all.states == whole.states)
            #expect(all.checkpoint() == whole.checkpoint())
            #expect(all.patientCount > 100)
            #expect(metrics == (cut ?? whole).cohortMetrics(asOf: asOf))
        }
        try ledger.close()
    }

    /// `LedgerOptions.replayMemory` bounds the batches: with 64 KB a replay
    /// folds in several batches, with the default in one, and both give
    /// the same summary and checkpoint, on one thread or two.
    @Test func replayMemoryChangesTheBatchesNotTheResult() throws {
        let dir = TemporaryDirectory()
        var ledger = try Ledger.open(at: dir.path)
        try ledger.append(CheckpointFileTests.events)
        try ledger.append([Events.erase(CheckpointFileTests.events[0].patient, day: 300), Events.visit("P-late", day: 2)])
        let raw = ledger.log.rawBytes, records = ledger.endPosition
        try ledger.close()
        #expect(raw > 2 << 16, "the log spans several 64 KB batches")
        let small = PatientOrderedBatch.replaySize(rawBytes: raw, records: records, parts: 1, memory: 1 << 16)
        let whole = PatientOrderedBatch.replaySize(rawBytes: raw, records: records, parts: 1, memory: 1 << 30)
        #expect(small.capacity == 1 << 16)
        #expect(whole.capacity == Int(raw) + PatientOrderedBatch.headerSize * Int(records))
        #expect(whole.entries >= Int(records))
        var results: [[UInt8]] = []
        var summaries: [ReplaySummary] = []
        for memory in [1 << 16, LedgerOptions().replayMemory] {
            for threads in [1, 2] {
                var options = LedgerOptions()
                options.replayMemory = memory
                ledger = try Ledger.open(at: dir.path, options: options)
                var summary = try ledger.replay(threads: threads)
                summary.seconds = 0
                summary.eventsPerSecond = 0
                summaries.append(summary)
                try ledger.close()
                results.append(readFile(dir.appending("projections/patients.ckpt")).dropFirst(64).map { $0 })
            }
        }
        #expect(summaries.allSatisfy { $0 == summaries[0] })
        #expect(results.allSatisfy { $0 == results[0] })
        #expect(summaries[0].patients > 100)
    }

    /// A batch's size: the whole log (a part's share of it, with a margin,
    /// on several threads) when it fits the memory given, else that
    /// memory's share; never below 64 KB nor past the offsets' range.
    @Test func replaySizeArithmetic() {
        let raw: Int64 = 100 << 20, records: UInt64 = 1_000_000
        let whole = Int(raw) + PatientOrderedBatch.headerSize * Int(records)
        let one = PatientOrderedBatch.replaySize(rawBytes: raw, records: records, parts: 1, memory: 1 << 30)
        #expect(one.capacity == whole && one.fitsOneBatch)
        #expect(one.entries == Int(records) + 1024)
        let two = PatientOrderedBatch.replaySize(rawBytes: raw, records: records, parts: 2, memory: 1 << 30)
        #expect(two.capacity == Int(Double(whole) / 2 * 1.125) + (1 << 20) && two.fitsOneBatch)
        #expect(two.entries > Int(records) / 2 && two.entries < Int(records) * 6 / 10)
        let limited = PatientOrderedBatch.replaySize(rawBytes: raw, records: records, parts: 2, memory: 32 << 20)
        #expect(limited.capacity == 16 << 20 && !limited.fitsOneBatch)
        #expect(PatientOrderedBatch.replaySize(rawBytes: raw, records: records, parts: 4, memory: 1000).capacity == 1 << 16)
        #expect(PatientOrderedBatch.replaySize(rawBytes: 1000, records: 10, parts: 1, memory: 1 << 30).capacity == 1 << 16)
        let huge = PatientOrderedBatch.replaySize(rawBytes: 10 << 30, records: records, parts: 1, memory: 1 << 40)
        #expect(huge.capacity == PatientOrderedBatch.maximumCapacity && !huge.fitsOneBatch)
        #expect(PatientOrderedBatch.maximumCapacity < 1 << 31)
    }

    /// The drain hands back each group of patients sharing the top bits of
    /// their hash together, each patient's entries in log order, and says
    /// where each group ends (what the closing fold closes on).
    @Test func theDrainEndsEachGroupOnce() throws {
        let batch = PatientOrderedBatch(capacity: 1 << 16)
        let shared: UInt64 = 1 << 42, other: UInt64 = 2 << 42
        let order: [(String, UInt64)] = [("A", shared), ("B", shared), ("C", other), ("A", shared), ("B", shared),
                                         ("C", other), ("A", shared)]
        for (position, (patient, hash)) in order.enumerated() {
            let event = Events.visit(patient, day: position)
            try EventCodec.encode(event).withUnsafeBytes { raw in
                batch.add(try PatientEventView(payload: raw, time: event.time), position: UInt64(position), patientHash: hash)
            }
        }
        var seen: [String] = []
        batch.drain(event: { payload, time, position, _ in
            let view = try? PatientEventView(payload: payload, time: time)
            seen.append("\(view?.patient ?? "?")\(position)")
        }, erase: { seen.append("erase \($0)") }, groupEnd: { seen.append("|") })
        #expect(seen == ["A0", "B1", "A3", "B4", "A6", "|", "C2", "C5", "|"])
        #expect(batch.isEmpty)
    }

    /// A replay holds events back without their id and actor: a record
    /// whose body does not decode is still reported with the error and
    /// byte offset decoding the stored record gives, in small batches or
    /// one, on one thread or two. (A bad id or actor makes a record no
    /// event at all, which the index refuses before any replay.)
    @Test func errorsKeepTheirOffsetsInTheStoredRecord() throws {
        func payload(_ patient: String, actor: String = "nurse-practitioner-7") -> [UInt8] {
            var event = Events.checkin(patient, day: 3, id: "an-idempotency-key-\(patient)")
            event.actor = actor
            return EventCodec.encode(event)
        }
        var badBody = payload("P-body")
        badBody.append(0)                                           // a stray byte after the body
        for (bad, patient) in [(badBody, "P-body")] {
            let expected: EventCodecError
            do {
                _ = try EventCodec.decode(bad, time: Events.time(3))
                Issue.record("\(patient): the damaged payload decodes")
                continue
            } catch { expected = error }
            let dir = TemporaryDirectory()
            var ledger = try Ledger.open(at: dir.path)
            try ledger.append((0..<300).map { Events.visit("P\($0 % 40)", day: $0 % 30, id: "e\($0)") })
            _ = try ledger.log.append(timestamp: Events.time(3).millisecondsSince1970, payload: bad)
            try ledger.log.commit()
            try ledger.append((300..<600).map { Events.visit("P\($0 % 40)", day: $0 % 30, id: "e\($0)") })
            try ledger.close()
            for memory in [1 << 16, 1 << 30] {
                var options = LedgerOptions()
                options.replayMemory = memory
                ledger = try Ledger.open(at: dir.path, options: options)
                for threads in [1, 2] {
                    do {
                        _ = try ledger.replay(threads: threads)
                        Issue.record("\(patient): a replay accepted a record that does not decode")
                    } catch {
                        #expect(error.message == "record 300 does not decode: \(expected.reason) at byte \(expected.offset)",
                                "\(patient), \(threads) threads, \(memory) bytes")
                    }
                }
                try ledger.close()
            }
        }
    }

    /// Held back and folded patient by patient, the events still fail as a
    /// fold in log order does: the first record that does not decode is
    /// the one reported, whichever patient's events are folded first, and
    /// whichever thread of a replay on several meets it.
    @Test func theFirstUndecodableRecordInLogOrderIsReported() throws {
        let dir = TemporaryDirectory()
        var ledger = try Ledger.open(at: dir.path)
        try ledger.append([Events.visit("P1", day: 1), Events.visit("P2", day: 1)])
        // Bodies followed by a stray byte, behind the ledger's back: their
        // envelopes read, their bodies do not decode.
        for patient in ["P9", "P3", "P7", "P5", "P4", "P8"] {
            var payload = EventCodec.encode(Events.checkin(patient, day: 2))
            payload.append(0)
            _ = try ledger.log.append(timestamp: Events.time(2).millisecondsSince1970, payload: payload)
        }
        try ledger.log.commit()
        try ledger.close()
        ledger = try Ledger.open(at: dir.path)
        // On several threads too, whichever thread's patients they are.
        #expect(Set(["P9", "P3", "P7", "P5"].map { Ledger.partition(of: $0, parts: 2) }).count == 2,
                "the bad records fall to both of two threads")
        for threads in [1, 2, 3] {
            do {
                _ = try ledger.replay(threads: threads)
                Issue.record("replay on \(threads) threads accepted records that do not decode")
            } catch {
                #expect(error.kind == .corruption)
                #expect(error.message.hasPrefix("record 2 does not decode"), "\(threads) threads: \(error)")
            }
        }
        try ledger.close()
    }
}
