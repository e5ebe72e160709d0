import Testing
import LedgerEvents

/// validate() on events built in Swift: the same rules and messages as the
/// JSON reader, for values the JSON reader never produces (NaN, infinities,
/// lower-case codes, duplicate answers, out-of-range times).
@Suite struct ValidationTests {
    static let t0 = EventTime(millisecondsSince1970: 1_767_340_800_000)

    func message(_ body: EventBody, patient: String = "P1", time: EventTime = t0, id: String? = nil,
                 actor: String? = nil) -> String? {
        do {
            try PatientEvent(patient: patient, time: time, id: id, actor: actor, body: body).validate()
            return nil
        } catch {
            return error.message
        }
    }

    @Test func commonKeys() {
        #expect(message(.erase) == nil)
        #expect(message(.erase, patient: "") == #""patient" must be 1-64 characters of A-Z a-z 0-9 . _ : -"#)
        #expect(message(.erase, patient: String(repeating: "x", count: 65)) != nil)
        #expect(message(.erase, patient: String(repeating: "x", count: 64)) == nil)
        #expect(message(.erase, time: EventTime(millisecondsSince1970: EventTime.earliest.millisecondsSince1970 - 1))
            == #""time" must be within years 0001-9999 (UTC)"#)
        #expect(message(.erase, time: EventTime(millisecondsSince1970: EventTime.latest.millisecondsSince1970 + 1)) != nil)
        #expect(message(.erase, time: .earliest) == nil)
        #expect(message(.erase, time: .latest) == nil)
        #expect(message(.erase, id: "") == #""id" must be 1-128 characters"#)
        #expect(message(.erase, id: String(repeating: "é", count: 128)) == nil)
        #expect(message(.erase, id: String(repeating: "e\u{301}", count: 64)) == nil)
        #expect(message(.erase, id: String(repeating: "e\u{301}", count: 65)) == #""id" must be 1-128 characters"#)
        #expect(message(.erase, actor: String(repeating: "😀", count: 129)) == #""actor" must be 1-128 characters"#)
    }

    @Test func numbersMustBeFinite() {
        #expect(message(.read(Read(content: "c", progress: .nan))) == #""progress" must be a number 0...1"#)
        #expect(message(.read(Read(content: "c", progress: .infinity))) != nil)
        #expect(message(.checkin(Checkin(values: .glucose(mmol: .nan)))) == #""mmol" must be 0.5...60"#)
        #expect(message(.checkin(Checkin(values: .habit(done: .nan)))) == #""done" must be 0 or 1"#)
        #expect(message(.survey(Survey(survey: "s", answers: [SurveyAnswer(item: "a", value: .infinity)])))
            == #"answer "a" must be a finite number"#)
        #expect(message(.survey(Survey(survey: "s", answers: [], score: .nan))) == #""score" must be a finite number"#)
        #expect(message(.survey(Survey(survey: "nps", answers: [SurveyAnswer(item: "score", value: .nan)]))) != nil)
        #expect(message(.survey(Survey(survey: "phq9", answers: (1...9).map { SurveyAnswer(item: "q\($0)", value: 0) }, score: .nan)))
            == #""score" must equal the sum of the phq9 answers (0)"#)
    }

    @Test func codesAreCheckedAsGivenAndNormalizedUpperCase() {
        #expect(message(.register(Register(conditions: ["e11.9"]))) == nil)
        #expect(message(.register(Register(conditions: ["E11.9", "E11.9x1yz"])))?.contains(#""E11.9x1yz""#) == true)
        let event = PatientEvent(patient: "P1", time: Self.t0, body: .visit(Visit(kind: .checkup, diagnoses: ["j45.x", "I10"])))
        #expect(event.normalized().body == .visit(Visit(kind: .checkup, diagnoses: ["J45.X", "I10"])))
        let other = PatientEvent(patient: "p1", time: Self.t0, id: "lower", body: .tag(Tag(tag: "lower", op: .add)))
        #expect(other.normalized() == other)
    }

    @Test func rulesTyingKeysTogether() {
        #expect(message(.visit(Visit(kind: .inpatient, discharge: Self.t0))) == nil)
        #expect(message(.visit(Visit(kind: .inpatient, discharge: EventTime(millisecondsSince1970: Self.t0.millisecondsSince1970 - 1))))
            == #""discharge" must not be before "time""#)
        #expect(message(.visit(Visit(kind: .outpatient, discharge: EventTime(millisecondsSince1970: Int64.max)))) ==
            #""discharge" must be within years 0001-9999 (UTC)"#)
        #expect(message(.appointment(Appointment(appointment: "a", status: .scheduled)))
            == #"missing key "scheduledFor" (required when "status" is scheduled)"#)
        #expect(message(.appointment(Appointment(appointment: "a", status: .cancelled, scheduledFor: Self.t0)))
            == #""scheduledFor" is only allowed when "status" is scheduled"#)
        #expect(message(.message(Message(message: "m", direction: .outbound, channel: .app)))
            == #"missing key "purpose" (required for outbound messages)"#)
        #expect(message(.message(Message(message: "m", direction: .inbound, channel: .app, journeyStep: JourneyStep(journey: "j", step: 0))))
            == #""step" must be an int >= 1"#)
        #expect(message(.message(Message(message: "m", direction: .inbound, channel: .app, journeyStep: JourneyStep(journey: "", step: 1))))
            == #""journey" must be 1-128 characters"#)
        #expect(message(.enroll(Enroll(program: "p", plan: .checkin(metric: .bp, everyDays: 0)))) == #""everyDays" must be 1...365"#)
        #expect(message(.dispense(Dispense(medication: "m", therapeuticClass: "", daysSupply: 30))) == #""class" must be 1-128 characters"#)
        #expect(message(.register(Register(birthYear: Int.min))) == #""birthYear" must be 1900...2100"#)
    }

    @Test func surveys() {
        let nine = (1...9).map { SurveyAnswer(item: "q\($0)", value: 2) }
        #expect(message(.survey(Survey(survey: "phq9", answers: nine, score: 18))) == nil)
        #expect(message(.survey(Survey(survey: "phq9", answers: nine + [nine[0]])))
            == #"duplicate key "q1" in "answers""#)
        #expect(message(.survey(Survey(survey: "phq9", answers: Array(nine.dropFirst()))))
            == #"phq9 "answers" must be exactly q1...q9 (missing "q1")"#)
        #expect(message(.survey(Survey(survey: "phq9", answers: nine.map { SurveyAnswer(item: $0.item, value: 2.5) })))
            == #"phq9 answer "q1" must be an int 0...3"#)
        #expect(message(.survey(Survey(survey: "satisfaction", answers: [SurveyAnswer(item: "score", value: 7)], score: 7)))
            == #""score" is not allowed on satisfaction surveys (the answer "score" is the score)"#)
        // Canonically equivalent item ids are still different ids.
        #expect(message(.survey(Survey(survey: "s", answers: [SurveyAnswer(item: "é", value: 1), SurveyAnswer(item: "e\u{301}", value: 1)]))) == nil)
        // Many items: the sorted path finds duplicates too.
        let many = (0..<100).map { SurveyAnswer(item: "i\($0)", value: 1) }
        #expect(message(.survey(Survey(survey: "s", answers: many))) == nil)
        #expect(message(.survey(Survey(survey: "s", answers: many + [SurveyAnswer(item: "i42", value: 0)])))
            == #"duplicate key "i42" in "answers""#)
    }

    @Test func tagsHaveNoWhitespaceOfAnyKind() {
        for ws in ["\u{9}", "\u{A}", "\u{B}", "\u{C}", "\u{D}", " ", "\u{85}", "\u{A0}", "\u{1680}", "\u{2000}", "\u{200A}",
                   "\u{2028}", "\u{2029}", "\u{202F}", "\u{205F}", "\u{3000}"] {
            #expect(message(.tag(Tag(tag: "a\(ws)b", op: .add))) == #""tag" must be 1-64 characters without whitespace"#,
                    "\(ws.unicodeScalars.first!.value)")
        }
        #expect(message(.tag(Tag(tag: "a\u{200B}b", op: .add))) == nil)
        #expect(message(.tag(Tag(tag: String(repeating: "标", count: 64), op: .add))) == nil)
    }

    @Test func unrecognizedBodiesAreNotValid() {
        #expect(message(.unrecognized(UnrecognizedBody(typeCode: 99, typeVersion: 1, bytes: [])))?
            .contains("unrecognized type") == true)
    }
}
