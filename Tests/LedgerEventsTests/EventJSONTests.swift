import Testing
import LedgerEvents

/// Decodes a line that must be valid.
func decoded(_ line: String, sourceLocation: SourceLocation = #_sourceLocation) -> PatientEvent? {
    switch EventJSON.decode(line) {
    case .success(let event): return event
    case .failure(let error):
        Issue.record("\(line)\n  → \(error.message)", sourceLocation: sourceLocation)
        return nil
    }
}

/// The message for a line that must be invalid.
func failure(_ line: String, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
    switch EventJSON.decode(line) {
    case .success(let event):
        Issue.record("accepted: \(line)\n  → \(EventJSON.encode(event))", sourceLocation: sourceLocation)
        return nil
    case .failure(let error): return error.message
    }
}

func t(_ text: String) -> EventTime { try! EventTime(parsing: text) }

@Suite struct EventJSONTests {
    static let t0 = t("2026-01-02T08:00:00Z")

    /// Every type with every optional key present, and with every optional key absent.
    static let full: [PatientEvent] = [
        PatientEvent(patient: "P001", time: t0, id: "evt-1", actor: "nurse:7",
                     body: .register(Register(sex: .female, birthYear: 1958, conditions: ["E11.9", "I10"]))),
        PatientEvent(patient: "P001", time: t0, id: "evt-2", actor: "his",
                     body: .visit(Visit(kind: .inpatient, department: "endocrinology", diagnoses: ["E11.9"],
                                        appointment: "a-1", discharge: t("2026-01-05T10:30:00.5Z")))),
        PatientEvent(patient: "P001", time: t0, id: "evt-3", actor: "desk",
                     body: .appointment(Appointment(appointment: "a-1", status: .scheduled, scheduledFor: t("2026-02-01T09:00:00Z")))),
        PatientEvent(patient: "P001", time: t0, id: "evt-4", actor: "crm",
                     body: .message(Message(message: "m-1", direction: .outbound, channel: .wechat, purpose: .followup,
                                            content: "diet-101", survey: "phq9", journeyStep: JourneyStep(journey: "j-dm", step: 3)))),
        PatientEvent(patient: "P001", time: t0, id: "evt-5", actor: "app",
                     body: .read(Read(content: "diet-101", progress: 0.95, message: "m-1"))),
        PatientEvent(patient: "P001", time: t0, id: "evt-6", actor: "app",
                     body: .checkin(Checkin(values: .bp(systolic: 120, diastolic: 80.5), program: "bp-plan"))),
        PatientEvent(patient: "P001", time: t0, id: "evt-7", actor: "app",
                     body: .survey(Survey(survey: "phq9", answers: (1...9).map { SurveyAnswer(item: "q\($0)", value: 1) },
                                          score: 9, message: "m-2"))),
        PatientEvent(patient: "P001", time: t0, id: "evt-8", actor: "pharmacy",
                     body: .dispense(Dispense(medication: "metformin 500mg", therapeuticClass: "diabetes", daysSupply: 30))),
        PatientEvent(patient: "P001", time: t0, id: "evt-9", actor: "app",
                     body: .consent(Consent(scope: .messaging, granted: true))),
        PatientEvent(patient: "P001", time: t0, id: "evt-10", actor: "crm",
                     body: .enroll(Enroll(program: "bp-plan", plan: .checkin(metric: .bp, everyDays: 7)))),
        PatientEvent(patient: "P001", time: t0, id: "evt-11", actor: "crm",
                     body: .unenroll(Unenroll(program: "bp-plan"))),
        PatientEvent(patient: "P001", time: t0, id: "evt-12", actor: "dr:3",
                     body: .tag(Tag(tag: "vip", op: .add))),
        PatientEvent(patient: "P001", time: t0, id: "evt-13", actor: "dpo", body: .erase),
    ]

    static let bare: [PatientEvent] = [
        PatientEvent(patient: "P1", time: t0, body: .register(Register())),
        PatientEvent(patient: "P1", time: t0, body: .visit(Visit(kind: .telehealth))),
        PatientEvent(patient: "P1", time: t0, body: .appointment(Appointment(appointment: "a", status: .noshow))),
        PatientEvent(patient: "P1", time: t0, body: .message(Message(message: "m", direction: .inbound, channel: .sms))),
        PatientEvent(patient: "P1", time: t0, body: .read(Read(content: "c", progress: 0))),
        PatientEvent(patient: "P1", time: t0, body: .checkin(Checkin(values: .habit(done: 1)))),
        PatientEvent(patient: "P1", time: t0, body: .survey(Survey(survey: "custom", answers: []))),
        PatientEvent(patient: "P1", time: t0, body: .dispense(Dispense(medication: "x", therapeuticClass: "statin", daysSupply: 1))),
        PatientEvent(patient: "P1", time: t0, body: .consent(Consent(scope: .research, granted: false))),
        PatientEvent(patient: "P1", time: t0, body: .enroll(Enroll(program: "j", plan: .journey))),
        PatientEvent(patient: "P1", time: t0, body: .unenroll(Unenroll(program: "j"))),
        PatientEvent(patient: "P1", time: t0, body: .tag(Tag(tag: "x", op: .remove))),
        PatientEvent(patient: "P1", time: t0, body: .erase),
    ]

    @Test func everyTypeWithEveryOptionalKeyRoundTrips() throws {
        #expect(Set(Self.full.map(\.type)) == Set(EventType.allCases))
        #expect(Set(Self.bare.map(\.type)) == Set(EventType.allCases))
        for event in Self.full + Self.bare {
            try event.validate()
            let line = EventJSON.encode(event)
            #expect(decoded(line) == event, "\(line)")
            #expect(EventJSON.encode(try EventJSON.decode(line).get()) == line)
        }
    }

    @Test func canonicalFormOfEveryTypeIsExactlyAsSpecified() {
        let expected = [
            #"{"type":"register","patient":"P001","time":"2026-01-02T08:00:00Z","id":"evt-1","actor":"nurse:7","sex":"female","birthYear":1958,"conditions":["E11.9","I10"]}"#,
            #"{"type":"visit","patient":"P001","time":"2026-01-02T08:00:00Z","id":"evt-2","actor":"his","kind":"inpatient","department":"endocrinology","diagnoses":["E11.9"],"appointment":"a-1","discharge":"2026-01-05T10:30:00.500Z"}"#,
            #"{"type":"appointment","patient":"P001","time":"2026-01-02T08:00:00Z","id":"evt-3","actor":"desk","appointment":"a-1","status":"scheduled","scheduledFor":"2026-02-01T09:00:00Z"}"#,
            #"{"type":"message","patient":"P001","time":"2026-01-02T08:00:00Z","id":"evt-4","actor":"crm","message":"m-1","direction":"outbound","channel":"wechat","purpose":"followup","content":"diet-101","survey":"phq9","journey":"j-dm","step":3}"#,
            #"{"type":"read","patient":"P001","time":"2026-01-02T08:00:00Z","id":"evt-5","actor":"app","content":"diet-101","progress":0.95,"message":"m-1"}"#,
            #"{"type":"checkin","patient":"P001","time":"2026-01-02T08:00:00Z","id":"evt-6","actor":"app","metric":"bp","values":{"systolic":120,"diastolic":80.5},"program":"bp-plan"}"#,
            #"{"type":"survey","patient":"P001","time":"2026-01-02T08:00:00Z","id":"evt-7","actor":"app","survey":"phq9","answers":{"q1":1,"q2":1,"q3":1,"q4":1,"q5":1,"q6":1,"q7":1,"q8":1,"q9":1},"score":9,"message":"m-2"}"#,
            #"{"type":"dispense","patient":"P001","time":"2026-01-02T08:00:00Z","id":"evt-8","actor":"pharmacy","medication":"metformin 500mg","class":"diabetes","daysSupply":30}"#,
            #"{"type":"consent","patient":"P001","time":"2026-01-02T08:00:00Z","id":"evt-9","actor":"app","scope":"messaging","granted":true}"#,
            #"{"type":"enroll","patient":"P001","time":"2026-01-02T08:00:00Z","id":"evt-10","actor":"crm","program":"bp-plan","kind":"checkin","metric":"bp","everyDays":7}"#,
            #"{"type":"unenroll","patient":"P001","time":"2026-01-02T08:00:00Z","id":"evt-11","actor":"crm","program":"bp-plan"}"#,
            #"{"type":"tag","patient":"P001","time":"2026-01-02T08:00:00Z","id":"evt-12","actor":"dr:3","tag":"vip","op":"add"}"#,
            #"{"type":"erase","patient":"P001","time":"2026-01-02T08:00:00Z","id":"evt-13","actor":"dpo"}"#,
        ]
        #expect(Self.full.map(EventJSON.encode) == expected)
        let bare = [
            #"{"type":"register","patient":"P1","time":"2026-01-02T08:00:00Z"}"#,
            #"{"type":"visit","patient":"P1","time":"2026-01-02T08:00:00Z","kind":"telehealth"}"#,
            #"{"type":"appointment","patient":"P1","time":"2026-01-02T08:00:00Z","appointment":"a","status":"noshow"}"#,
            #"{"type":"message","patient":"P1","time":"2026-01-02T08:00:00Z","message":"m","direction":"inbound","channel":"sms"}"#,
            #"{"type":"read","patient":"P1","time":"2026-01-02T08:00:00Z","content":"c","progress":0}"#,
            #"{"type":"checkin","patient":"P1","time":"2026-01-02T08:00:00Z","metric":"habit","values":{"done":1}}"#,
            #"{"type":"survey","patient":"P1","time":"2026-01-02T08:00:00Z","survey":"custom","answers":{}}"#,
            #"{"type":"dispense","patient":"P1","time":"2026-01-02T08:00:00Z","medication":"x","class":"statin","daysSupply":1}"#,
            #"{"type":"consent","patient":"P1","time":"2026-01-02T08:00:00Z","scope":"research","granted":false}"#,
            #"{"type":"enroll","patient":"P1","time":"2026-01-02T08:00:00Z","program":"j","kind":"journey"}"#,
            #"{"type":"unenroll","patient":"P1","time":"2026-01-02T08:00:00Z","program":"j"}"#,
            #"{"type":"tag","patient":"P1","time":"2026-01-02T08:00:00Z","tag":"x","op":"remove"}"#,
            #"{"type":"erase","patient":"P1","time":"2026-01-02T08:00:00Z"}"#,
        ]
        #expect(Self.bare.map(EventJSON.encode) == bare)
    }

    static let specExample = """
        {"type":"register","patient":"P001","time":"2026-01-02T08:00:00Z","sex":"female","birthYear":1958,"conditions":["E11.9","I10"]}
        {"type":"visit","patient":"P001","time":"2026-01-02T09:00:00Z","kind":"outpatient","department":"endocrinology","diagnoses":["E11.9"]}
        {"type":"dispense","patient":"P001","time":"2026-01-02T10:00:00Z","medication":"metformin 500mg","class":"diabetes","daysSupply":30}
        {"type":"message","patient":"P001","time":"2026-01-05T09:00:00Z","message":"m-1","direction":"outbound","channel":"wechat","purpose":"education","content":"diet-101"}
        {"type":"read","patient":"P001","time":"2026-01-05T20:14:00Z","content":"diet-101","progress":0.95,"message":"m-1"}
        {"type":"checkin","patient":"P001","time":"2026-01-06T07:30:00Z","metric":"glucose","values":{"mmol":7.8}}
        {"type":"survey","patient":"P001","time":"2026-01-09T12:00:00Z","survey":"phq9","answers":{"q1":1,"q2":0,"q3":1,"q4":0,"q5":0,"q6":0,"q7":0,"q8":0,"q9":0}}

        """

    @Test func theExampleOfEventsMdDecodesAndReencodesCanonically() {
        var lines: [String] = []
        Array(Self.specExample.utf8).withUnsafeBytes { bytes in
            JSONLines.forEachLine(in: bytes) { number, line in
                let text = String(decoding: line, as: UTF8.self)
                #expect(number == lines.count + 1)
                switch EventJSON.decode(line: line) {
                case .success(let event): lines.append(EventJSON.encode(event))
                case .failure(let error): Issue.record("line \(number): \(error.message)")
                }
                #expect(lines.last == text)
            }
        }
        #expect(lines.count == 7)
        if case .register(let r)? = decoded(lines[0])?.body {
            #expect(r == Register(sex: .female, birthYear: 1958, conditions: ["E11.9", "I10"]))
        }
        if case .checkin(let c)? = decoded(lines[5])?.body { #expect(c.values == .glucose(mmol: 7.8)) }
        if case .survey(let s)? = decoded(lines[6])?.body {
            #expect(s.answers.map(\.item) == (1...9).map { "q\($0)" })
            #expect(s.answer("q3") == 1)
        }
    }

    @Test func icd10CodesAreStoredUpperCased() {
        let line = #"{"type":"register","patient":"P1","time":"2026-01-02T08:00:00Z","conditions":["e11.9","i10","z00a"]}"#
        #expect(EventJSON.encode(decoded(line)!) ==
            #"{"type":"register","patient":"P1","time":"2026-01-02T08:00:00Z","conditions":["E11.9","I10","Z00A"]}"#)
        let visit = #"{"type":"visit","patient":"P1","time":"2026-01-02T08:00:00Z","kind":"checkup","diagnoses":["j45x"]}"#
        if case .visit(let v)? = decoded(visit)?.body { #expect(v.diagnoses == ["J45X"]) }
        let lower = PatientEvent(patient: "P1", time: Self.t0, body: .register(Register(conditions: ["e11.9"])))
        #expect(lower.normalized().body == .register(Register(conditions: ["E11.9"])))
    }

    @Test func stringsAreEscapedMinimally() {
        let tricky = "a\"b\\c/d\n\r\t\u{8}\u{C}\u{0}\u{1F}\u{7F}é中😀\u{2028}"
        let event = PatientEvent(patient: "P1", time: Self.t0, id: tricky, body: .erase)
        let line = EventJSON.encode(event)
        #expect(line == #"{"type":"erase","patient":"P1","time":"2026-01-02T08:00:00Z","id":"a\"b\\c/d\n\r\t\b\f\u0000\u001f"# +
            "\u{7F}é中😀\u{2028}\"}")
        #expect(decoded(line) == event)
    }

    @Test func escapedSurrogatePairsAndEscapesAnywhereAreFine() {
        let line = #"{"type":"tag","patient":"P\u0031","time":"2026-01-02T08:00:00\u005a","id":"\ud83d\ude00\uD83D\uDE00","tag":"\u00e9\/x","op":"\u0061dd"}"#
        let event = decoded(line)
        #expect(event == PatientEvent(patient: "P1", time: Self.t0, id: "😀😀", body: .tag(Tag(tag: "é/x", op: .add))))
        #expect(event.map(EventJSON.encode) == #"{"type":"tag","patient":"P1","time":"2026-01-02T08:00:00Z","id":"😀😀","tag":"é/x","op":"add"}"#)
    }

    @Test func numberFieldsCompareNumericallyIntFieldsDemandTheIntSpelling() {
        let nine = #"{"type":"survey","patient":"P1","time":"2026-01-02T08:00:00Z","survey":"nps","answers":{"score":9.0}}"#
        if case .survey(let s)? = decoded(nine)?.body { #expect(s.answers[0].value == 9) }
        #expect(decoded(nine).map(EventJSON.encode)?.contains(#"{"score":9}"#) == true)
        #expect(failure(#"{"type":"dispense","patient":"P1","time":"2026-01-02T08:00:00Z","medication":"m","class":"c","daysSupply":9.0}"#)?
            .contains(#""daysSupply" must be an int"#) == true)
    }

    @Test func numbersAreCanonicalAndRoundTrip() {
        func progressLine(_ text: String) -> String {
            #"{"type":"read","patient":"P1","time":"2026-01-02T08:00:00Z","content":"c","progress":"# + text + "}"
        }
        func surveyLine(_ value: Double) -> String {
            EventJSON.encode(PatientEvent(patient: "P1", time: Self.t0,
                                          body: .survey(Survey(survey: "s", answers: [SurveyAnswer(item: "x", value: value)]))))
        }
        for (spelling, canonical) in [("1", "1"), ("1.0", "1"), ("1e0", "1"), ("10E-1", "1"), ("0.5", "0.5"), ("5e-1", "0.5"),
                                      ("0.950", "0.95"), ("-0", "0"), ("-0.0", "0"), ("0.1", "0.1"), ("1e-5", "1e-05"),
                                      ("0.00000000000000000000000000001", "1e-29")] {
            guard let event = decoded(progressLine(spelling)) else { continue }
            #expect(EventJSON.encode(event) == progressLine(canonical), "\(spelling)")
        }
        for (value, text) in [(120.0, "120"), (7.8, "7.8"), (1e300, "1e+300"), (-2.5, "-2.5"), (9007199254740992, "9007199254740992"),
                              (-9007199254740992, "-9007199254740992"), (18014398509481984, "1.8014398509481984e+16"),
                              (.leastNonzeroMagnitude, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308")] {
            let line = surveyLine(value)
            #expect(line.contains(#"{"x":\#(text)}"#), "\(line)")
            if case .survey(let s)? = decoded(line)?.body { #expect(s.answers[0].value == value) }
        }
        // Never inf or nan, even for an invalid event.
        #expect(surveyLine(.nan).contains(#"{"x":null}"#))
        #expect(surveyLine(.infinity).contains(#"{"x":null}"#))
    }

    @Test func numbersAreCorrectlyRounded() {
        func value(_ text: String) -> Double? {
            let line = #"{"type":"survey","patient":"P1","time":"2026-01-02T08:00:00Z","survey":"s","answers":{"x":"# + text + "}}"
            if case .survey(let s)? = decoded(line)?.body { return s.answers[0].value }
            return nil
        }
        #expect(value("9007199254740993") == 9007199254740992)
        #expect(value("9007199254740995") == 9007199254740996)
        #expect(value("2.2250738585072011e-308")?.bitPattern == 0x000F_FFFF_FFFF_FFFF)
        #expect(value("2.2250738585072014e-308") == .leastNormalMagnitude)
        #expect(value("4.9e-324") == .leastNonzeroMagnitude)
        #expect(value("1e-400") == 0)
        #expect(value("1.7976931348623157e308") == .greatestFiniteMagnitude)
        #expect(value("0.1") == 0.1)
        #expect(value("123456789012345678901234567890") == 123456789012345678901234567890.0)
        #expect(value("3.14159265358979323846264338327950288") == 3.141592653589793)
        #expect(value("1e22") == 1e22)
        #expect(value("1e23") == 1e23)
        #expect(value("0.000001e6") == 1)
        #expect(value("100000000000000000000000e-23") == 1)
    }

    @Test func unrecognizedBodiesAreDumpedAndRefusedOnImport() {
        let event = PatientEvent(patient: "P9", time: Self.t0, id: "x", actor: "y",
                                 body: .unrecognized(UnrecognizedBody(typeCode: 42, typeVersion: 3, bytes: [0x00, 0xAB, 0x7F, 0xFF])))
        let line = EventJSON.encode(event)
        #expect(line == #"{"type":"unrecognized","patient":"P9","time":"2026-01-02T08:00:00Z","id":"x","actor":"y","typeCode":42,"typeVersion":3,"body":"00ab7fff"}"#)
        #expect(failure(line) == "records of an unrecognized type cannot be imported")
        #expect(failure(#"{"typeCode":42,"body":"","type":"unrecognized","patient":"P9","time":"2026-01-02T08:00:00Z"}"#)
            == "records of an unrecognized type cannot be imported")
        #expect(throws: EventValidationError.self) { try event.validate() }
    }

    @Test func appendWritesTheSameBytesAsEncode() {
        var bytes: [UInt8] = Array("prefix\n".utf8)
        EventJSON.append(Self.full[3], to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "prefix\n" + EventJSON.encode(Self.full[3]))
    }

    // MARK: - The canonical-form law on random events

    @Test func canonicalFormLawHoldsForRandomEvents() {
        var generator = EventGenerator(seed: 0x5EED)
        var messy = MessyJSON(rng: SeededRandom(seed: 42))
        var types = Set<EventType>()
        for _ in 0..<600 {
            let event = generator.event().normalized()
            types.insert(event.type)
            do {
                try event.validate()
            } catch {
                Issue.record("generator made an invalid event: \(error.message)\n\(EventJSON.encode(event))")
                continue
            }
            // encode(decode(encode(e))) == encode(e), and decode(encode(e)) == e.
            let line = EventJSON.encode(event)
            guard let back = decoded(line) else { continue }
            #expect(back == event, "\(line)")
            #expect(EventJSON.encode(back) == line)
            // decode(encode(decode(x))) == decode(x) for a non-canonical x.
            let x = messy.line(event)
            guard let fromX = decoded(x) else { continue }
            #expect(fromX == event, "\(x)\n\(line)")
            #expect(decoded(EventJSON.encode(fromX)) == fromX)
            #expect(EventJSON.encode(fromX) == line, "\(x)")
        }
        #expect(types == Set(EventType.allCases))
    }

    @Test func decodingBytesAndStringsAgree() {
        var generator = EventGenerator(seed: 7)
        for _ in 0..<50 {
            let line = EventJSON.encode(generator.event().normalized())
            let fromBytes = Array(line.utf8).withUnsafeBytes { EventJSON.decode(line: $0) }
            #expect(fromBytes == EventJSON.decode(line))
        }
    }
}
