import Testing
import LedgerTestSupport
import LedgerEvents
import LedgerSimulation
import LedgerStorage
@testable import PatientLedger

/// `Ledger.scan` yields exactly what the `events(from:)` cursor yields.
@Suite struct ScanTests {
    func options() -> LedgerOptions { LedgerOptions(durability: .everyAppend) }

    func viaCursor(_ ledger: Ledger, from start: UInt64 = 0, includingErased: Bool = false) throws -> [StoredEvent] {
        var result: [StoredEvent] = []
        let cursor = ledger.events(from: start, includingErased: includingErased)
        while let stored = try cursor.next() { result.append(stored) }
        return result
    }

    func viaScan(_ ledger: Ledger, from start: UInt64 = 0, to end: UInt64 = .max, includingErased: Bool = false) throws -> [StoredEvent] {
        var result: [StoredEvent] = []
        try ledger.scan(from: start, to: end, includingErased: includingErased) { position, view in
            let event = try view.event()
            // The in-place fields agree with the materialized event.
            if try view.patient != event.patient || view.time != event.time || view.id() != event.id
                || view.actor() != event.actor || (view.type != nil && view.type != event.type) {
                Issue.record("view \(view) disagrees with \(event)")
            }
            result.append(StoredEvent(position: position, event: event))
            return true
        }
        return result
    }

    /// A generated cohort, then erasures of a few patients (one of them
    /// twice, one coming back with a new history).
    func cohortLedger(_ dir: TemporaryDirectory) throws -> (Ledger, erased: [String]) {
        let ledger = try Ledger.open(at: dir.path, options: LedgerOptions(durability: .noSync()))
        var batch: [PatientEvent] = []
        var patients: [String] = []
        _ = CohortGenerator(patients: 150, days: 120, seed: 21).generate { event in
            batch.append(event)
            if patients.count < 6 && !patients.contains(event.patient) { patients.append(event.patient) }
        }
        for chunk in stride(from: 0, to: batch.count, by: 1_000) {
            try ledger.append(Array(batch[chunk..<min(chunk + 1_000, batch.count)]))
        }
        let late = batch.last!.time
        func erase(_ patient: String, _ minutes: Int64) -> PatientEvent {
            PatientEvent(patient: patient, time: EventTime(millisecondsSince1970: late.millisecondsSince1970 + minutes * 60_000), body: .erase)
        }
        try ledger.append(erase(patients[0], 1))
        try ledger.append(erase(patients[1], 2))
        try ledger.append(PatientEvent(patient: patients[1], time: EventTime(millisecondsSince1970: late.millisecondsSince1970 + 180_000),
                                       body: .tag(Tag(tag: "back", op: .add))))
        try ledger.append(erase(patients[1], 4))
        try ledger.append(PatientEvent(patient: patients[2], time: EventTime(millisecondsSince1970: late.millisecondsSince1970 + 300_000),
                                       body: .consent(Consent(scope: .research, granted: true))))
        try ledger.flush()
        return (ledger, [patients[0], patients[1]])
    }

    @Test func scanYieldsWhatTheCursorYieldsOverAGeneratedCohortWithErasures() throws {
        let dir = TemporaryDirectory()
        let (ledger, erased) = try cohortLedger(dir)
        #expect(ledger.erasedPatientCount == 2)
        let visible = try viaCursor(ledger)
        #expect(try viaScan(ledger) == visible)
        let all = try viaCursor(ledger, includingErased: true)
        #expect(try viaScan(ledger, includingErased: true) == all)
        #expect(all.count == Int(ledger.endPosition))
        #expect(visible.count < all.count)
        #expect(visible.filter { $0.event.body == .erase }.count == 3, "erase records always appear")
        #expect(!visible.contains { $0.event.patient == erased[0] && $0.event.body != .erase })
        var types = Set(visible.map(\.event.type))
        types.remove(.erase)
        #expect(types.count >= 10, "the cohort covers most types: \(types)")

        // From the middle, with an end, and stopping early.
        let middle = ledger.endPosition / 2
        #expect(try viaScan(ledger, from: middle) == visible.filter { $0.position >= middle })
        #expect(try viaScan(ledger, from: 10, to: middle) == visible.filter { $0.position >= 10 && $0.position < middle })
        var seen = 0
        let resume = try ledger.scan { _, _ in seen += 1; return seen < 5 }
        #expect(seen == 5)
        #expect(resume == visible[4].position + 1)
        #expect(try ledger.scan(from: ledger.endPosition) { _, _ in Issue.record("past the end"); return true } == ledger.endPosition)
        try ledger.close()

        // A read-only handle opened from the snapshot agrees too.
        let reader = try Ledger.open(at: dir.path, options: .readOnly)
        #expect(try viaScan(reader) == visible)
        #expect(try viaScan(reader, includingErased: true) == all)
    }

    @Test func scanOfALedgerWithoutErasuresYieldsEverything() throws {
        let dir = TemporaryDirectory()
        let ledger = try Ledger.open(at: dir.path, options: options())
        try ledger.append([Events.visit("P1", day: 1), Events.checkin("P2", day: 2, id: "c-2"), Events.checkin("P1", day: 3)])
        #expect(try viaScan(ledger) == viaCursor(ledger))
        #expect(try viaScan(ledger).count == 3)
        var patients: [String] = []
        var ids: [Int?] = []
        try ledger.scan { _, view in
            patients.append(view.patient)
            ids.append(view.idBytes?.count)
            return true
        }
        #expect(patients == ["P1", "P2", "P1"])
        #expect(ids == [nil, 3, nil])
        try ledger.close()
    }

    /// The example of `Ledger.scan`'s doc comment, as written there.
    @Test func theDocCommentExampleRuns() throws {
        let dir = TemporaryDirectory()
        let ledger = try Ledger.open(at: dir.path, options: options())
        try ledger.append([Events.checkin("P001", day: 1), Events.visit("P002", day: 1), Events.checkin("P001", day: 2)])
        var checkins = 0
        var perPatient: [String: Int] = [:]
        try ledger.scan(from: 0) { position, view in
            if view.type == .checkin { checkins += 1 }
            if view.hasPatient("P001") {
                let event = try view.event()          // materialize only what you keep
                perPatient[event.patient, default: 0] += 1
            }
            return true
        }
        #expect(checkins == 2)
        #expect(perPatient == ["P001": 2])
        try ledger.close()
    }

    @Test func anEraseAppendedDuringTheScanHidesTheRestOfThePatientsEvents() throws {
        let dir = TemporaryDirectory()
        let ledger = try Ledger.open(at: dir.path, options: options())
        try ledger.append([Events.visit("P1", day: 1), Events.visit("P2", day: 1), Events.checkin("P1", day: 2), Events.checkin("P2", day: 2)])
        var seen: [UInt64] = []
        try ledger.scan { position, _ in
            seen.append(position)
            if position == 0 { try ledger.append(Events.erase("P1", day: 3)) }
            return true
        }
        // P1's event at 2 is hidden once the erase is in; the erase record (4) shows.
        #expect(seen == [0, 1, 3, 4])
        #expect(try viaScan(ledger) == viaCursor(ledger))
        try ledger.close()
    }

    @Test func aRecordThatIsNotAnEventEndsTheScanNamingIt() throws {
        let dir = TemporaryDirectory()
        let ledger = try Ledger.open(at: dir.path, options: options())
        try ledger.append([Events.visit("P1", day: 1), Events.visit("P2", day: 1)])
        // Bytes that are no event, appended behind the ledger's back.
        _ = try ledger.log.append(timestamp: 0, payload: [1, 13, 1, 0, 9, 0x50] as [UInt8])
        try ledger.log.commit()
        var seen = 0
        do {
            try ledger.scan { _, _ in seen += 1; return true }
            Issue.record("scan accepted a record that is no event")
        } catch {
            #expect(error.kind == .corruption)
            #expect(error.message.contains("record 2 does not decode"), "\(error)")
            #expect(error.message.contains("at byte 4"), "\(error)")
            #expect(error.path == ledger.log.directory)
        }
        #expect(seen == 2)
    }

    @Test func errorsThrownByTheBodyEndTheScan() throws {
        let dir = TemporaryDirectory()
        let ledger = try Ledger.open(at: dir.path, options: options())
        try ledger.append([Events.visit("P1", day: 1), Events.visit("P2", day: 1)])
        do {
            try ledger.scan { position, _ in
                if position == 1 { throw EventCodecError(offset: 7, reason: "bad body") }
                return true
            }
            Issue.record("no error")
        } catch {
            #expect(error.kind == .corruption)
            #expect(error.message == "record 1 does not decode: bad body at byte 7")
        }
        let mine = LedgerError(.invalidArgument, "mine")
        do {
            try ledger.scan { _, _ in throw mine }
            Issue.record("no error")
        } catch {
            #expect(error == mine)
        }
        try ledger.close()
    }
}
