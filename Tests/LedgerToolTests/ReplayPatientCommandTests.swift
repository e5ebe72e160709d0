import Foundation
import LedgerTestSupport
import PatientLedger
import Testing

@Suite struct ReplayPatientCommandTests {
    /// 2026-01-01 plus `day` days and `hour` hours.
    static func time(_ day: Int, _ hour: Int = 9) -> EventTime {
        EventTime(millisecondsSince1970: january1 + Int64(day) * 86_400_000 + Int64(hour) * 3_600_000)
    }

    /// P001: registered (female, 1958, E11.9), an outpatient visit and a
    /// glucose check-in. P002: a visit on day 30, then erased by a record
    /// timed day 3 (so the default T is P001's check-in on day 4).
    static func makeTinyLedger() throws -> TemporaryDirectory {
        let directory = TemporaryDirectory("ledger-replay")
        let ledger = try Ledger.open(at: directory.path)
        try ledger.append([
            PatientEvent(patient: "P001", time: time(0), body: .register(Register(sex: .female, birthYear: 1958, conditions: ["E11.9"]))),
            PatientEvent(patient: "P001", time: time(1), body: .visit(Visit(kind: .outpatient))),
            PatientEvent(patient: "P002", time: time(30), body: .visit(Visit(kind: .outpatient))),
            PatientEvent(patient: "P001", time: time(4, 10), body: .checkin(Checkin(values: .glucose(mmol: 7.8)))),
            PatientEvent(patient: "P002", time: time(3), body: .erase),
        ])
        try ledger.close()
        return directory
    }

    static func keysInOrder(_ keys: [String], in text: String) -> Bool {
        let found = keys.compactMap { text.range(of: "\"\($0)\":")?.lowerBound }
        return found.count == keys.count && found == found.sorted()
    }

    @Test func replayJSONHasCliMdKeysInOrderAndHandCheckedValues() throws {
        let ledger = try Self.makeTinyLedger()
        let run = try runLedger("replay", ledger.path, "--json")
        #expect(run.status == 0)
        #expect(run.standardError == "")
        #expect(run.outputLines.count == 1)
        let text = run.standardOutput
        #expect(Self.keysInOrder(["asOf", "events", "patients", "erasedPatients", "seconds", "eventsPerSecond", "metrics",
                                  "returnVisitRate", "followUpResponseRate", "contentReadRate", "contentCompletionRate",
                                  "meanPDC", "pdcAdherentShare", "meanCheckinAdherence", "satisfactionMean", "nps",
                                  "tagCounts"], in: text), "\(text)")
        #expect(text.hasPrefix(#"{"asOf":"2026-01-05T10:00:00Z","events":5,"patients":1,"erasedPatients":1,"seconds":"#))
        #expect(text.contains(#","metrics":{"returnVisitRate":null,"followUpResponseRate":null,"contentReadRate":null,"contentCompletionRate":null,"meanPDC":null,"pdcAdherentShare":null,"meanCheckinAdherence":null,"satisfactionMean":null,"nps":null},"tagCounts":{"#))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["seconds"] is NSNumber)
        #expect(object["eventsPerSecond"] is NSNumber)
        let tagCounts = try #require(object["tagCounts"] as? [String: Int])
        #expect(tagCounts["condition:diabetes"] == 1)
        #expect(tagCounts.values.allSatisfy { $0 == 1 })
        // Keys sorted by code point.
        let tagsText = String(text[text.range(of: #""tagCounts":{"#)!.upperBound...])
        let sortedKeys = tagCounts.keys.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
        #expect(Self.keysInOrder(sortedKeys, in: tagsText))

        // An earlier T: P001 does not exist before day 0, 09:00.
        let early = try runLedger("replay", ledger.path, "--json", "--as-of", "2025-12-31T00:00:00Z")
        #expect(early.status == 0)
        #expect(early.standardOutput.hasPrefix(#"{"asOf":"2025-12-31T00:00:00Z","events":5,"patients":0,"erasedPatients":1,"#))
        #expect(early.standardOutput.hasSuffix(#""tagCounts":{}}"# + "\n"))

        let table = try runLedger("replay", ledger.path)
        #expect(table.status == 0)
        #expect(table.standardOutput.contains("erased patients"))
    }

    /// `replay` writes the checkpoint `patient` serves from; new events are
    /// caught up; a damaged checkpoint is noted on standard error, rebuilt,
    /// and the answer does not change.
    @Test func replayWritesTheCheckpointThatPatientServesFromAndDamageIsRebuilt() throws {
        let ledger = try Self.makeTinyLedger()
        let checkpoint = ledger.appending("projections/patients.ckpt")
        #expect(!fileExists(checkpoint))
        let replay = try runLedger("replay", ledger.path, "--json")
        #expect(replay.status == 0 && replay.standardError == "")
        #expect(fileExists(checkpoint))
        let served = try runLedger("patient", ledger.path, "P001", "--json")
        #expect(served.status == 0)
        #expect(served.standardError == "", "served from the checkpoint replay wrote")

        // An event appended after the replay is caught up, not missed.
        let writer = try Ledger.open(at: ledger.path)
        try writer.append(PatientEvent(patient: "P001", time: Self.time(5), body: .visit(Visit(kind: .telehealth))))
        try writer.close()
        let caughtUp = try runLedger("patient", ledger.path, "P001", "--json")
        #expect(caughtUp.standardError == "")
        #expect(caughtUp.standardOutput.contains(#""visits":{"count":2,"#), "\(caughtUp.standardOutput)")

        // A flipped byte in the checkpoint: noted, rebuilt, same answer.
        var bytes = readFile(checkpoint)
        bytes[bytes.count - 10] ^= 0x01
        writeFile(checkpoint, bytes)
        let rebuilt = try runLedger("patient", ledger.path, "P001", "--json")
        #expect(rebuilt.status == 0)
        #expect(rebuilt.standardError.hasPrefix("ledger: note: projection patients: checkpoint "), "\(rebuilt.standardError)")
        #expect(rebuilt.standardError.hasSuffix("checksum mismatch; rebuilt from the log\n"), "\(rebuilt.standardError)")
        #expect(rebuilt.standardOutput == caughtUp.standardOutput)
        let after = try runLedger("patient", ledger.path, "P001", "--json")
        #expect(after.standardError == "", "the rebuilt checkpoint was saved")
    }

    @Test func patientJSONHasCliMdShape() throws {
        let ledger = try Self.makeTinyLedger()
        let run = try runLedger("patient", ledger.path, "P001", "--json")
        #expect(run.status == 0)
        // No replay ran yet: the first query builds the checkpoint, and says so.
        #expect(run.standardError == "ledger: note: projection patients: no checkpoint; rebuilt from the log\n")
        let again = try runLedger("patient", ledger.path, "P001", "--json")
        #expect(again.standardError == "", "the second query is served from the checkpoint")
        #expect(again.standardOutput == run.standardOutput)
        let text = run.standardOutput
        #expect(text.hasPrefix(#"{"patient":"P001","asOf":"2026-01-05T10:00:00Z","sex":"female","birthYear":1958,"conditions":["E11.9"],"conditionGroups":["diabetes"],"visits":{"count":1,"first":"2026-01-02T09:00:00Z","last":"2026-01-02T09:00:00Z","byKind":{"outpatient":1}},"appointments":{"scheduled":[],"attended":[],"noshow":[],"cancelled":[]},"nextAppointment":null,"messages":{"outbound":0,"inbound":0,"lastOutbound":null},"reads":{"count":0,"contents":0,"completed":0},"checkins":{"count":1,"latest":{"glucose":{"time":"2026-01-05T10:00:00Z","values":{"mmol":7.8}}}},"surveys":{"count":0,"latest":{}},"consent":{"messaging":true,"research":false,"sharing":false},"programs":[],"tags":["#), "\(text)")
        #expect(text.hasSuffix(#"],"adherence":{"pdc":{},"checkinAdherence":null,"followUpResponseRate":null,"contentReadRate":null,"contentCompletionRate":null}}"# + "\n"), "\(text)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let tags = try #require(object["tags"] as? [String])
        #expect(tags.contains("condition:diabetes"))
        #expect(tags == tags.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) })

        let early = try runLedger("patient", ledger.path, "P001", "--json", "--as-of", "2026-01-01T12:00:00Z")
        #expect(early.status == 0)
        #expect(early.standardOutput.contains(#""visits":{"count":0,"first":null,"last":null,"byKind":{}}"#))
        #expect(early.standardOutput.contains(#""checkins":{"count":0,"latest":{}}"#))

        let table = try runLedger("patient", ledger.path, "P001")
        #expect(table.status == 0)
        #expect(table.standardOutput.contains("birth year"))
    }

    @Test func unknownOrErasedPatientExits65() throws {
        let ledger = try Self.makeTinyLedger()
        for id in ["P999", "P002"] {
            let run = try runLedger("patient", ledger.path, id, "--json")
            #expect(run.status == 65)
            #expect(run.standardOutput == "")
            #expect(run.standardError.contains("no such patient: \(id)"))
        }
    }

    @Test func badAsOfExits64NamingTheValue() throws {
        let ledger = try Self.makeTinyLedger()
        for run in [try runLedger("replay", ledger.path, "--as-of", "yesterday"),
                    try runLedger("patient", ledger.path, "P001", "--as-of", "yesterday")] {
            #expect(run.status == 64)
            #expect(run.standardError.contains("yesterday"))
        }
    }
}
