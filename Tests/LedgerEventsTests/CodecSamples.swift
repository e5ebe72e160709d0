import LedgerEvents

/// Event builders for the codec tests: one event of every type and variant,
/// random events over every field, and a deterministic generator.
enum CodecSamples {
    /// 2026-01-02T08:00:00Z.
    static let time = EventTime(millisecondsSince1970: 1_767_340_800_000)

    static func event(_ body: EventBody, patient: String = "P001", time: EventTime = time,
                      id: String? = nil, actor: String? = nil) -> PatientEvent {
        PatientEvent(patient: patient, time: time, id: id, actor: actor, body: body)
    }

    /// Every type, with optional fields both present and absent.
    static let bodies: [EventBody] = [
        .register(Register()),
        .register(Register(sex: .female, birthYear: 1958, conditions: ["E11.9", "I10"])),
        .register(Register(conditions: [])),
        .visit(Visit(kind: .outpatient)),
        .visit(Visit(kind: .inpatient, department: "cardiology", diagnoses: ["I21.4"], appointment: "a-17",
                     discharge: EventTime(millisecondsSince1970: time.millisecondsSince1970 + 5 * 86_400_000))),
        .appointment(Appointment(appointment: "a-17", status: .scheduled,
                                 scheduledFor: EventTime(millisecondsSince1970: time.millisecondsSince1970 + 7 * 86_400_000))),
        .appointment(Appointment(appointment: "a-17", status: .cancelled)),
        .appointment(Appointment(appointment: "a-18", status: .noshow)),
        .message(Message(message: "m-1", direction: .outbound, channel: .wechat, purpose: .education, content: "diet-101")),
        .message(Message(message: "m-2", direction: .outbound, channel: .sms, purpose: .survey, survey: "satisfaction",
                         journeyStep: JourneyStep(journey: "cardio-discharge", step: 4))),
        .message(Message(message: "m-3", direction: .inbound, channel: .app)),
        .read(Read(content: "diet-101", progress: 0.95, message: "m-1")),
        .read(Read(content: "walk-video", progress: 1)),
        .checkin(Checkin(values: .bp(systolic: 132, diastolic: 84))),
        .checkin(Checkin(values: .glucose(mmol: 7.8), program: "dm-glucose")),
        .checkin(Checkin(values: .weight(kg: 72.5))),
        .checkin(Checkin(values: .steps(count: 8234))),
        .checkin(Checkin(values: .heartrate(bpm: 71))),
        .checkin(Checkin(values: .habit(done: 1))),
        .survey(Survey(survey: "phq9", answers: (1...9).map { SurveyAnswer(item: "q\($0)", value: Double($0 % 4)) },
                       score: 13, message: "m-2")),
        .survey(Survey(survey: "satisfaction", answers: [SurveyAnswer(item: "score", value: 9)])),
        .survey(Survey(survey: "diet-quiz", answers: [SurveyAnswer(item: "fibre", value: 2.5), SurveyAnswer(item: "salt", value: -1)],
                       score: 1.5)),
        .survey(Survey(survey: "empty", answers: [])),
        .dispense(Dispense(medication: "metformin 500mg", therapeuticClass: "diabetes", daysSupply: 30)),
        .consent(Consent(scope: .messaging, granted: true)),
        .consent(Consent(scope: .research, granted: false)),
        .enroll(Enroll(program: "bp-weekly", plan: .checkin(metric: .bp, everyDays: 7))),
        .enroll(Enroll(program: "cardio-discharge", plan: .journey)),
        .unenroll(Unenroll(program: "bp-weekly")),
        .tag(Tag(tag: "vip", op: .add)),
        .tag(Tag(tag: "vip", op: .remove)),
        .erase,
        .unrecognized(UnrecognizedBody(typeCode: 200, typeVersion: 1, bytes: [1, 2, 3])),
        .unrecognized(UnrecognizedBody(typeCode: 2, typeVersion: 2, bytes: [])),
        .unrecognized(UnrecognizedBody(typeCode: 4, typeVersion: 1, bytes: [0xFF, 0xFE])),
        .unrecognized(UnrecognizedBody(typeCode: 0, typeVersion: 0, bytes: [0])),
    ]

    /// ``bodies`` with every combination of id and actor.
    static var all: [PatientEvent] {
        var events: [PatientEvent] = []
        for body in bodies {
            events.append(event(body))
            events.append(event(body, id: "evt-1"))
            events.append(event(body, actor: "nurse-7"))
            events.append(event(body, patient: "P-\u{4E2D}", id: "\u{1F600}id", actor: "staff:\u{E9}"))
        }
        return events
    }
}

/// Random events over every field, including values validation would reject.
struct RandomEvents {
    var random: SeededRandom

    init(seed: UInt64) { random = SeededRandom(seed: seed) }

    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &random) < p }

    mutating func string(maxScalars: Int = 12) -> String {
        let alphabets: [[Unicode.Scalar]] = [
            Array("abcdefghijklmnopqrstuvwxyz0123456789-_.:".unicodeScalars),
            ["\u{E9}", "\u{4E2D}", "\u{1F600}", "\u{0}", "\u{7F}", "\u{80}", "\u{7FF}", "\u{800}", "\u{FFFF}", "\u{10000}", "\u{10FFFF}", "\u{301}"],
        ]
        let n = Int.random(in: 0...maxScalars, using: &random)
        var s = String.UnicodeScalarView()
        for _ in 0..<n {
            let alphabet = chance(0.15) ? alphabets[1] : alphabets[0]
            s.append(alphabet.randomElement(using: &random)!)
        }
        return String(s)
    }

    mutating func optionalString() -> String? { chance(0.5) ? string() : nil }

    mutating func strings() -> [String] { (0..<Int.random(in: 0...4, using: &random)).map { _ in string() } }

    mutating func int() -> Int {
        switch Int.random(in: 0..<4, using: &random) {
        case 0: Int.random(in: -3...400, using: &random)
        case 1: [Int.min, Int.max, 0, -1, 1 << 32].randomElement(using: &random)!
        default: Int.random(in: Int.min...Int.max, using: &random)
        }
    }

    mutating func number() -> Double {
        switch Int.random(in: 0..<6, using: &random) {
        case 0: Double(Int.random(in: -5...300, using: &random))
        case 1: Double(Int.random(in: -99_999...999_999, using: &random)) / 10
        case 2: Double(Int.random(in: 0...1000, using: &random)) / 1000
        case 3: [Double.nan, -Double.nan, .infinity, -.infinity, -0.0, 0, .ulpOfOne, .leastNonzeroMagnitude,
                 .greatestFiniteMagnitude, 9_007_199_254_740_994, 1e-7, 0.1].randomElement(using: &random)!
        case 4: Double(bitPattern: random.next())
        default: Double.random(in: -1e9...1e9, using: &random)
        }
    }

    mutating func time(around base: EventTime) -> EventTime {
        switch Int.random(in: 0..<4, using: &random) {
        case 0: EventTime(millisecondsSince1970: base.millisecondsSince1970 &+ Int64.random(in: -1_000_000_000...100_000_000_000, using: &random))
        case 1: [EventTime.earliest, .latest, EventTime(millisecondsSince1970: .min), EventTime(millisecondsSince1970: .max)].randomElement(using: &random)!
        default: EventTime(millisecondsSince1970: Int64(bitPattern: random.next()))
        }
    }

    mutating func pick<T: CaseIterable>(_ type: T.Type) -> T { Array(T.allCases).randomElement(using: &random)! }

    mutating func body(time: EventTime) -> EventBody {
        switch Int.random(in: 1...14, using: &random) {
        case 1:
            return .register(Register(sex: chance(0.5) ? pick(Sex.self) : nil, birthYear: chance(0.5) ? int() : nil,
                                      conditions: chance(0.5) ? strings() : nil))
        case 2:
            return .visit(Visit(kind: pick(VisitKind.self), department: optionalString(), diagnoses: chance(0.5) ? strings() : nil,
                                appointment: optionalString(), discharge: chance(0.5) ? self.time(around: time) : nil))
        case 3:
            return .appointment(Appointment(appointment: string(), status: pick(AppointmentStatus.self),
                                            scheduledFor: chance(0.5) ? self.time(around: time) : nil))
        case 4:
            return .message(Message(message: string(), direction: pick(Direction.self), channel: pick(Channel.self),
                                    purpose: chance(0.5) ? pick(Purpose.self) : nil, content: optionalString(), survey: optionalString(),
                                    journeyStep: chance(0.5) ? JourneyStep(journey: string(), step: int()) : nil))
        case 5:
            return .read(Read(content: string(), progress: number(), message: optionalString()))
        case 6:
            let values: CheckinValues
            switch pick(Metric.self) {
            case .bp: values = .bp(systolic: number(), diastolic: number())
            case .glucose: values = .glucose(mmol: number())
            case .weight: values = .weight(kg: number())
            case .steps: values = .steps(count: number())
            case .heartrate: values = .heartrate(bpm: number())
            case .habit: values = .habit(done: number())
            }
            return .checkin(Checkin(values: values, program: optionalString()))
        case 7:
            let answers = (0..<Int.random(in: 0...10, using: &random)).map { _ in SurveyAnswer(item: string(), value: number()) }
            return .survey(Survey(survey: string(), answers: answers, score: chance(0.5) ? number() : nil, message: optionalString()))
        case 8:
            return .dispense(Dispense(medication: string(), therapeuticClass: string(), daysSupply: int()))
        case 9:
            return .consent(Consent(scope: pick(ConsentScope.self), granted: chance(0.5)))
        case 10:
            return .enroll(Enroll(program: string(), plan: chance(0.5) ? .checkin(metric: pick(Metric.self), everyDays: int()) : .journey))
        case 11:
            return .unenroll(Unenroll(program: string()))
        case 12:
            return .tag(Tag(tag: string(), op: pick(TagOperation.self)))
        case 13:
            return .erase
        default:
            let code = UInt8.random(in: 0...255, using: &random)
            let version = chance(0.5) ? UInt8.random(in: 0...255, using: &random) : 1
            return .unrecognized(UnrecognizedBody(typeCode: code, typeVersion: version,
                                                  bytes: (0..<Int.random(in: 0...20, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }))
        }
    }

    mutating func event() -> PatientEvent {
        let time = self.time(around: CodecSamples.time)
        return PatientEvent(patient: string(), time: time, id: optionalString(), actor: optionalString(), body: body(time: time))
    }
}

extension PatientEvent {
    /// `==`, except that numbers compare by bit pattern: the codec promises
    /// bit-exact numbers, which `==` cannot see for NaN (or -0.0 vs 0).
    func isBitExact(_ other: PatientEvent) -> Bool {
        var bitsA: [UInt64] = [], bitsB: [UInt64] = []
        let a = mappingNumbers { bitsA.append($0.bitPattern); return 0 }
        let b = other.mappingNumbers { bitsB.append($0.bitPattern); return 0 }
        return a == b && bitsA == bitsB
    }

    /// The event with every number replaced by `transform(number)`, in field order.
    func mappingNumbers(_ transform: (Double) -> Double) -> PatientEvent {
        var copy = self
        switch body {
        case .read(var r):
            r.progress = transform(r.progress)
            copy.body = .read(r)
        case .checkin(var c):
            switch c.values {
            case .bp(let s, let d):
                let s2 = transform(s)
                c.values = .bp(systolic: s2, diastolic: transform(d))
            case .glucose(let v): c.values = .glucose(mmol: transform(v))
            case .weight(let v): c.values = .weight(kg: transform(v))
            case .steps(let v): c.values = .steps(count: transform(v))
            case .heartrate(let v): c.values = .heartrate(bpm: transform(v))
            case .habit(let v): c.values = .habit(done: transform(v))
            }
            copy.body = .checkin(c)
        case .survey(var s):
            for i in s.answers.indices { s.answers[i].value = transform(s.answers[i].value) }
            if let score = s.score { s.score = transform(score) }
            copy.body = .survey(s)
        default:
            break
        }
        return copy
    }
}
