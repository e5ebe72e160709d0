import Testing
import LedgerEvents
@testable import LedgerProjections

/// Folding events read in place from their encoded form
/// (`PatientProjections.apply(_:position:)`, through `bodyView()`) gives
/// the states folding the decoded events gives (`apply(_:)` of a record).
@Suite struct InPlaceFoldTests {
    /// Two patients' events of every type, with what the fold treats
    /// specially: codes to upper-case, non-ASCII and long ids, repeated
    /// keys, late arrivals, phq9 items and survey scores.
    static func records() -> [PatientEventRecord] {
        let long = String(repeating: "x", count: 140)
        var position: UInt64 = 0
        var records: [PatientEventRecord] = []
        func add(_ patient: String, _ time: String, _ body: EventBody) {
            records.append(PatientEventRecord(position: position, event: PatientEvent(patient: patient, time: t(time), id: "e\(position)", body: body)))
            position += 1
        }
        for patient in ["P1", "P-\(long)"] {
            add(patient, "2026-01-02T08:00:00Z", .register(Register(sex: .female, birthYear: 1970, conditions: ["i10", "E11.9", "\u{E9}x"])))
            add(patient, "2026-01-01T08:00:00Z", .register(Register(sex: .male, birthYear: nil, conditions: nil)))
            add(patient, "2026-01-03T08:00:00Z", .appointment(Appointment(appointment: "a-1", status: .scheduled, scheduledFor: t("2026-01-10T09:00:00Z"))))
            add(patient, "2026-01-10T09:30:00Z", .visit(Visit(kind: .outpatient, department: "internal medicine and more", diagnoses: ["e78.5", "I10", long],
                                                              appointment: "a-1", discharge: t("2026-01-10T10:00:00Z"))))
            add(patient, "2026-01-11T09:30:00Z", .visit(Visit(kind: .emergency, department: nil, diagnoses: nil, appointment: nil, discharge: nil)))
            add(patient, "2026-01-12T08:00:00Z", .message(Message(message: "m-1", direction: .outbound, channel: .sms, purpose: .followup,
                                                                  content: "c-\(long)", survey: "phq9", journeyStep: JourneyStep(journey: "j", step: 2))))
            add(patient, "2026-01-12T10:00:00Z", .read(Read(content: "c-\(long)", progress: 0.5, message: "m-1")))
            add(patient, "2026-01-12T11:00:00Z", .read(Read(content: "c-\(long)", progress: 0.25, message: nil)))
            add(patient, "2026-01-13T08:00:00Z", .survey(Survey(survey: "phq9", answers: (1...9).map { SurveyAnswer(item: "q\($0)", value: Double($0 % 4)) }
                                                                  + [SurveyAnswer(item: "q9", value: 3), SurveyAnswer(item: "other", value: 7)],
                                                                  score: nil, message: "m-1")))
            add(patient, "2026-01-14T08:00:00Z", .survey(Survey(survey: "satisfaction", answers: [SurveyAnswer(item: "score", value: 4), SurveyAnswer(item: "score", value: 1)])))
            add(patient, "2026-01-15T08:00:00Z", .survey(Survey(survey: "intake", answers: [], score: 12)))
            add(patient, "2026-01-15T08:30:00Z", .checkin(Checkin(values: .bp(systolic: 130, diastolic: 85), program: "hypertension")))
            add(patient, "2026-01-16T08:00:00Z", .dispense(Dispense(medication: "atorvastatin 20mg tablets", therapeuticClass: "statin", daysSupply: 30)))
            add(patient, "2026-01-05T08:00:00Z", .dispense(Dispense(medication: "atorvastatin", therapeuticClass: "statin", daysSupply: 10)))
            add(patient, "2026-01-17T08:00:00Z", .consent(Consent(scope: .research, granted: true)))
            add(patient, "2026-01-18T08:00:00Z", .enroll(Enroll(program: "bp", plan: .checkin(metric: .bp, everyDays: 7))))
            add(patient, "2026-01-19T08:00:00Z", .enroll(Enroll(program: "diet", plan: .journey)))
            add(patient, "2026-01-20T08:00:00Z", .unenroll(Unenroll(program: "diet")))
            add(patient, "2026-01-21T08:00:00Z", .tag(Tag(tag: "vip", op: .add)))
            add(patient, "2026-01-22T08:00:00Z", .tag(Tag(tag: "vip", op: .remove)))
            add(patient, "2026-01-23T08:00:00Z", .message(Message(message: "m-2", direction: .inbound, channel: .app)))
            add(patient, "2026-01-24T08:00:00Z", .unrecognized(UnrecognizedBody(typeCode: 99, typeVersion: 1, bytes: [1, 2])))
            // Keys looked up by their payload bytes: canonically equivalent
            // spellings (precomposed and decomposed, the Kelvin sign and
            // "K") are one key, spelled as first folded.
            add(patient, "2026-01-25T08:00:00Z", .message(Message(message: "m-3", direction: .outbound, channel: .sms, purpose: .education,
                                                                  content: "caf\u{E9}")))
            add(patient, "2026-01-25T09:00:00Z", .message(Message(message: "m-4", direction: .outbound, channel: .sms, purpose: .education,
                                                                  content: "cafe\u{301}")))
            add(patient, "2026-01-25T10:00:00Z", .read(Read(content: "cafe\u{301}", progress: 0.95, message: "m-3")))
            add(patient, "2026-01-25T11:00:00Z", .read(Read(content: "caf\u{E9}", progress: 0.5, message: nil)))
            add(patient, "2026-01-26T08:00:00Z", .dispense(Dispense(medication: "m", therapeuticClass: "\u{212A}-class", daysSupply: 5)))
            add(patient, "2026-01-26T09:00:00Z", .dispense(Dispense(medication: "m", therapeuticClass: "K-class", daysSupply: 5)))
            add(patient, "2026-01-27T08:00:00Z", .survey(Survey(survey: "ph\u{212A}9", answers: [], score: 1)))
            add(patient, "2026-01-27T09:00:00Z", .survey(Survey(survey: "phK9", answers: [], score: 2, message: "m-3")))
        }
        return records
    }

    @Test func statesFoldedInPlaceEqualStatesOfDecodedEvents() throws {
        let records = Self.records()
        var decoded = PatientProjections()
        var inPlace = PatientProjections()
        for record in records {
            decoded.apply(record)
            try EventCodec.encode(record.event).withUnsafeBytes { raw in
                try inPlace.apply(PatientEventView(payload: raw, time: record.event.time), position: record.position)
            }
        }
        #expect(inPlace.patientCount == 2)
        #expect(inPlace.states == decoded.states)
        #expect(inPlace.checkpoint() == decoded.checkpoint())
        let state = try #require(inPlace.state(of: "P1"))
        #expect(Array(state.history.conditions) == ["E11.9", "E78.5", "I10", String(repeating: "X", count: 140), "\u{C9}X"])
        #expect(state.history.latestSurveys["satisfaction"]?.value.score == 4)
        #expect(state.history.latestSurveys["phq9"]?.value.score == Double(1 + 2 + 3 + 0 + 1 + 2 + 3 + 0 + 1 + 3))
        #expect(state.history.latestPHQ9q9?.value == 1)
        #expect(Array(state.history.delivered).filter { $0.hasPrefix("caf") }.map { Array($0.utf8) } == [Array("caf\u{E9}".utf8)])
        #expect(state.history.maxProgress["cafe\u{301}"] == 0.95)
        #expect(state.history.fills.keys.filter { $0.hasSuffix("-class") }.map { Array($0.utf8) } == [Array("\u{212A}-class".utf8)])
        #expect(state.history.fills["K-class"]?.count == 2)
        #expect(state.history.latestSurveys["phK9"]?.value.score == 2)
        #expect(state.history.latestSurveys.count == 4)
    }
}
