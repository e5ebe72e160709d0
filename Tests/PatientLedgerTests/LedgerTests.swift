import Testing
import LedgerTestSupport
import LedgerEvents
@testable import PatientLedger

@Suite struct LedgerTests {
    func options() -> LedgerOptions { LedgerOptions(durability: .everyAppend) }

    @Test func appendedEventsReadBackByPatientAndInLogOrder() throws {
        let dir = TemporaryDirectory()
        let ledger = try Ledger.open(at: dir.path, options: options())
        let events = [Events.visit("P1", day: 3), Events.checkin("P2", day: 1), Events.checkin("P1", day: 2)]
        let result = try ledger.append(events)
        #expect(result.positions == [0, 1, 2])
        // Stored normalized (ICD-10 upper-cased), in arrival order whatever the time.
        let p1 = try ledger.events(of: "P1")
        #expect(p1.map(\.position) == [0, 2])
        #expect(p1[0].event.body == .visit(Visit(kind: .outpatient, department: "cardiology", diagnoses: ["I10"])))
        #expect(p1[1].event == events[2])
        let cursor = ledger.events(from: 1)
        #expect(try cursor.next()?.event == events[1])
        #expect(try cursor.next()?.position == 2)
        #expect(try cursor.next() == nil)
        #expect(ledger.version(of: "P1") == 2)
        #expect(ledger.version(of: "nobody") == 0)
        try ledger.close()
    }

    @Test func invalidEventsAreRefusedAndNothingIsAppended() throws {
        let dir = TemporaryDirectory()
        let ledger = try Ledger.open(at: dir.path, options: options())
        var bad = Events.visit("P 1", day: 1)  // a space is not allowed in a patient id
        let error = #expect(throws: LedgerError.self) { try ledger.append([Events.visit("P1", day: 1), bad]) }
        #expect(error?.kind == .invalidEvent)
        #expect(error?.message.contains("event 1") == true)
        #expect(ledger.endPosition == 0)
        bad = Events.checkin("P1", day: 1, mmol: 99)
        #expect(throws: LedgerError.self) { try ledger.append(bad) }
        #expect(ledger.endPosition == 0)
        try ledger.close()
    }

    @Test func duplicateIdsAreAcknowledgedNotStoredAcrossRestarts() throws {
        let dir = TemporaryDirectory()
        var ledger = try Ledger.open(at: dir.path, options: options())
        let first = try ledger.append([Events.visit("P1", day: 1, id: "v-1"), Events.checkin("P2", day: 1, id: "c-1"),
                                       Events.checkin("P3", day: 2, id: "c-1")])
        #expect(first.positions == [0, 1, nil], "a repeated id inside a batch is a duplicate")
        #expect(first.duplicates == 1)
        try ledger.close()
        ledger = try Ledger.open(at: dir.path, options: options())
        #expect(ledger.openReport.recordsCaughtUp == 0, "close wrote the index snapshot")
        // Same id, any patient, any content: the first stored wins.
        let again = try ledger.append([Events.checkin("P9", day: 5, id: "v-1"), Events.visit("P1", day: 6, id: "v-2")])
        #expect(again.positions == [nil, 2])
        #expect(try ledger.events(of: "P9").isEmpty)
        try ledger.close()
    }

    /// With group commit an append is buffered until its block is written
    /// (2 ms or a full block): a resend right away, and a read of the
    /// patient's stream, must still find it.
    @Test func aResendAndAReadRightAfterABufferedAppendFindIt() throws {
        let dir = TemporaryDirectory()
        let ledger = try Ledger.open(at: dir.path, options: LedgerOptions(durability: .groupCommit(interval: .seconds(3600), maxBytes: 1 << 30)))
        #expect(try ledger.append(Events.visit("P1", day: 1, id: "v-1")) == 0)
        #expect(ledger.log.endPosition == 0, "still buffered")
        #expect(try ledger.append(Events.visit("P1", day: 1, id: "v-1")) == nil, "a duplicate, not an error")
        #expect(try ledger.append(Events.visit("P1", day: 2, id: "v-2")) == 1)
        #expect(try ledger.events(of: "P1").map(\.position) == [0, 1])
        #expect(try ledger.projection(of: "P1").profile.visits.count == 2)
        try ledger.close()
    }

    @Test func duplicatesAreRecognizedAfterACrashWithoutSnapshot() throws {
        let dir = TemporaryDirectory()
        let ledger = try Ledger.open(at: dir.path, options: options())
        try ledger.append([Events.visit("P1", day: 1, id: "v-1"), Events.visit("P2", day: 1, id: "v-2")])
        // The state a crash leaves: the log durable, no index snapshot.
        let crashed = TemporaryDirectory()
        copyDirectory(dir.path + "/log", to: crashed.path + "/log")
        try ledger.close()
        let recovered = try Ledger.open(at: crashed.path, options: options())
        #expect(recovered.openReport.indexRebuiltBecause != nil)
        #expect(recovered.openReport.recordsCaughtUp == 2)
        #expect(try recovered.append(Events.visit("P3", day: 2, id: "v-2")) == nil)
        #expect(try recovered.append(Events.visit("P3", day: 2, id: "v-3")) == 2)
        try recovered.close()
    }

    @Test func aDamagedSnapshotIsRebuiltFromTheLog() throws {
        let dir = TemporaryDirectory()
        var ledger = try Ledger.open(at: dir.path, options: options())
        for day in 0..<20 { try ledger.append(Events.checkin("P\(day % 3)", day: day, id: "c-\(day)")) }
        try ledger.close()
        flipBit(dir.path + "/index/streams", at: 70)
        ledger = try Ledger.open(at: dir.path, options: options())
        #expect(ledger.openReport.indexRebuiltBecause == "snapshot checksum mismatch")
        #expect(ledger.version(of: "P1") == 7)
        #expect(try ledger.append(Events.checkin("P1", day: 30, id: "c-4")) == nil)
        try ledger.close()
    }

    @Test func eraseHidesEarlierEventsAndANewHistoryStartsAfterIt() throws {
        let dir = TemporaryDirectory()
        let ledger = try Ledger.open(at: dir.path, options: options())
        try ledger.append([Events.visit("P1", day: 1), Events.visit("P2", day: 1), Events.checkin("P1", day: 2)])
        try ledger.append(Events.erase("P1", day: 3))
        try ledger.append(Events.checkin("P1", day: 1))  // stored after the erase, even with an earlier time
        #expect(try ledger.events(of: "P1").map(\.position) == [4])
        #expect(ledger.version(of: "P1") == 4)
        #expect(ledger.erasedPatientCount == 1)
        var seen: [UInt64] = []
        let cursor = ledger.events(from: 0)
        while let stored = try cursor.next() { seen.append(stored.position) }
        #expect(seen == [1, 3, 4], "erased events are skipped; the erase record stays")
        let all = ledger.events(from: 0, includingErased: true)
        var count = 0
        while try all.next() != nil { count += 1 }
        #expect(count == 5)
        try ledger.close()
    }

    @Test func expectedVersionConflictsBetweenTwoConcurrentAppenders() async throws {
        let dir = TemporaryDirectory()
        let ledger = try Ledger.open(at: dir.path, options: LedgerOptions(durability: .noSync()))
        let rounds = 200
        let outcomes = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
            for writer in 0..<2 {
                group.addTask {
                    var wins = 0
                    for round in 0..<rounds {
                        let version = ledger.version(of: "P1")
                        do {
                            try ledger.append(Events.checkin("P1", day: round, id: "w\(writer)-\(round)"), expectedVersion: .exactly(version))
                            wins += 1
                        } catch let error as LedgerError where error.kind == .versionConflict {
                            continue
                        }
                    }
                    return (writer, wins > 0)
                }
            }
            var all: [(Int, Bool)] = []
            for try await outcome in group { all.append(outcome) }
            return all
        }
        #expect(outcomes.count == 2)
        // Every success moved the version by exactly one: no lost update.
        #expect(ledger.version(of: "P1") == ledger.endPosition)
        #expect(throws: LedgerError.self) { try ledger.append(Events.checkin("P1", day: 1), expectedVersion: .noStream) }
        #expect(try ledger.append(Events.checkin("P2", day: 1), expectedVersion: .noStream) != nil)
        #expect(throws: LedgerError.self) {
            try ledger.append([Events.checkin("P3", day: 1), Events.checkin("P4", day: 1)], expectedVersion: .noStream)
        }
        try ledger.close()
    }

    @Test func aRetriedAppendOfDuplicatesSucceedsWhateverItsExpectedVersion() throws {
        let dir = TemporaryDirectory()
        let ledger = try Ledger.open(at: dir.path, options: options())
        try ledger.append(Events.visit("P1", day: 1, id: "v-1"), expectedVersion: .noStream)
        #expect(try ledger.append(Events.visit("P1", day: 1, id: "v-1"), expectedVersion: .noStream) == nil)
        try ledger.close()
    }

    @Test func aSecondWriterIsRefusedAndAReadOnlyHandleSeesTheEvents() throws {
        let dir = TemporaryDirectory()
        let ledger = try Ledger.open(at: dir.path, options: options())
        try ledger.append(Events.visit("P1", day: 1))
        let error = #expect(throws: LedgerError.self) { try Ledger.open(at: dir.path, options: options()) }
        #expect(error?.kind == .locked)
        let reader = try Ledger.open(at: dir.path, options: .readOnly)
        #expect(try reader.events(of: "P1").count == 1)
        try ledger.close()
        let missing = #expect(throws: LedgerError.self) { try Ledger.open(at: dir.path + "/nope", options: .readOnly) }
        #expect(missing?.kind == .notFound)
    }
}

extension LedgerTests {
    @Test func aTailFollowsNewEventsAndEndsOnClose() async throws {
        let dir = TemporaryDirectory()
        let ledger = try Ledger.open(at: dir.path, options: LedgerOptions(durability: .groupCommit(interval: .milliseconds(1))))
        try ledger.append([Events.visit("P1", day: 1), Events.visit("P2", day: 1)])
        let follower = Task.detached { () throws -> [StoredEvent] in
            var seen: [StoredEvent] = []
            for try await stored in ledger.tail(from: 0) { seen.append(stored) }
            return seen
        }
        for day in 2..<12 { try ledger.append(Events.checkin("P\(day % 2 + 1)", day: day)) }
        try ledger.append(Events.erase("P2", day: 12))
        try ledger.flush()
        try await Task.sleep(for: .milliseconds(30))
        try ledger.close()
        let seen = try await follower.value
        #expect(seen.last?.event.body == .erase)
        #expect(seen.count >= 7, "at least P1's events and the erase record: \(seen.map(\.position))")
        #expect(seen.map(\.position) == seen.map(\.position).sorted())
    }

    /// A record written by a newer PatientLedger (an unknown type) is carried
    /// through reads, dump-style export and stats, and never fatal.
    @Test func recordsOfAnUnknownTypeAreCarriedNotFatal() throws {
        let dir = TemporaryDirectory()
        var ledger = try Ledger.open(at: dir.path, options: options())
        try ledger.append(Events.visit("P1", day: 1, id: "v-1"))
        let newer = PatientEvent(patient: "P1", time: Events.time(2), id: "future-1",
                                 body: .unrecognized(UnrecognizedBody(typeCode: 200, typeVersion: 1, bytes: [1, 2, 3])))
        try ledger.log.append(timestamp: newer.time.millisecondsSince1970, payload: EventCodec.encode(newer))
        try ledger.log.flush()
        try ledger.close()
        ledger = try Ledger.open(at: dir.path, options: options())
        let history = try ledger.events(of: "P1")
        #expect(history.map(\.event) == [Events.visit("P1", day: 1, id: "v-1").normalized(), newer])
        #expect(EventJSON.encode(newer).contains(#""type":"unrecognized""#))
        #expect(try ledger.append(Events.visit("P2", day: 3, id: "future-1")) == nil, "its id is known")
        #expect(try ledger.statistics().log.records == 2)
        try ledger.close()
    }

    @Test func importingAnEmptySourceImportsNothing() throws {
        let dir = TemporaryDirectory()
        let ledger = try Ledger.open(at: dir.path, options: options())
        let report = try ledger.importJSONLines([.bytes(name: "-", [])])
        #expect(report == ImportReport())
        #expect(ledger.endPosition == 0)
        try ledger.close()
    }
}

extension LedgerTests {
    @Test func aReadOnlyHandleRefreshesToSeeTheWritersNewEvents() throws {
        let dir = TemporaryDirectory()
        let writer = try Ledger.open(at: dir.path, options: options())
        try writer.append(Events.visit("P1", day: 1, id: "v-1"))
        let reader = try Ledger.open(at: dir.path, options: .readOnly)
        try writer.append([Events.checkin("P1", day: 2), Events.erase("P2", day: 2), Events.visit("P3", day: 3)])
        #expect(try reader.events(of: "P1").count == 1)
        try reader.refresh()
        #expect(try reader.events(of: "P1").count == 2)
        #expect(reader.version(of: "P3") == 1)
        #expect(reader.erasedPatientCount == 1)
        try writer.close()
    }
}

extension LedgerTests {
    @Test func recordsAppendedToTheLogDirectlyAreCaughtUpNotFatal() throws {
        let dir = TemporaryDirectory()
        let ledger = try Ledger.open(at: dir.path, options: options())
        try ledger.append(Events.visit("P1", day: 1, id: "v-1"))
        let direct = Events.checkin("P2", day: 2, id: "c-1")
        try ledger.log.append(timestamp: direct.time.millisecondsSince1970, payload: EventCodec.encode(direct))
        #expect(try ledger.append(Events.checkin("P3", day: 3, id: "c-1")) == nil, "the direct record's id is known")
        #expect(try ledger.append(Events.checkin("P2", day: 4)) == 2)
        #expect(ledger.version(of: "P2") == 2)
        try ledger.close()
    }
}

@Suite struct LedgerUncommittedTailTests {
    @Test func anIdRepeatedFromTheUncommittedTailOfTheLastAppendIsADuplicate() throws {
        let dir = TemporaryDirectory()
        // A timer that never fires in the test: the first batch's block stays
        // uncommitted (unreadable) when the second append checks its ids.
        let ledger = try Ledger.open(at: dir.path, options: LedgerOptions(durability: .groupCommit(interval: .seconds(60))))
        #expect(try ledger.append([Events.visit("P1", day: 1, id: "v-1"), Events.visit("P2", day: 1, id: "v-2")]).positions == [0, 1])
        let again = try ledger.append([Events.visit("P3", day: 2, id: "v-2"), Events.visit("P1", day: 3, id: "v-3")])
        #expect(again.positions == [nil, 2])
        #expect(try ledger.events(of: "P3").isEmpty)
        try ledger.close()
    }

    @Test func aCursorHidesEventsOfAPatientErasedWhileItRuns() throws {
        let dir = TemporaryDirectory()
        let ledger = try Ledger.open(at: dir.path, options: LedgerOptions(durability: .everyAppend))
        try ledger.append([Events.visit("P1", day: 1), Events.visit("P2", day: 1), Events.visit("P1", day: 2)])
        let cursor = ledger.events(from: 0)
        #expect(try cursor.next()?.position == 0)
        try ledger.append(Events.erase("P1", day: 3))
        // P1's event at 2 is now erased; P2's is not; the erase record shows.
        #expect(try cursor.next()?.position == 1)
        #expect(try cursor.next()?.position == 3)
        #expect(try cursor.next() == nil)
        try ledger.close()
    }
}
