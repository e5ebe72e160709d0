import LedgerEvents

/// A small deterministic generator (SplitMix64).
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &self) < percent }
    mutating func pick<T>(_ options: [T]) -> T { options.randomElement(using: &self)! }
}

/// Random valid events of every type, with every optional key sometimes
/// present and tricky strings and numbers.
struct EventGenerator {
    var rng: SeededRandom
    /// Only plain ASCII text, as most real files hold (for throughput).
    var plain = false

    init(seed: UInt64, plain: Bool = false) {
        rng = SeededRandom(seed: seed)
        self.plain = plain
    }

    static let plainAlphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789-").map(String.init)

    static let idAlphabet: [String] = [
        "a", "Z", "0", "-", "_", " ", "\"", "\\", "/", "\n", "\t", "\r", "\u{0}", "\u{1F}", "\u{7F}",
        "é", "中", "😀", "\u{2028}", "\u{FEFF}", "e\u{301}", "K", "\u{212A}", "{", "}", ":", ",",
    ]
    static let patientAlphabet = Array("ABCXYZabcxyz0123456789._:-").map(String.init)

    mutating func text(_ alphabet: [String], _ lengths: ClosedRange<Int>) -> String {
        let alphabet = plain && alphabet == Self.idAlphabet ? Self.plainAlphabet : alphabet
        let n = Int.random(in: lengths, using: &rng)
        var s = ""
        while s.unicodeScalars.count < n {
            let piece = rng.pick(alphabet)
            if s.unicodeScalars.count + piece.unicodeScalars.count > n { continue }
            s += piece
        }
        return s
    }

    mutating func id() -> String {
        rng.chance(plain ? 100 : 70) ? "id-\(rng.next() % 100_000)" : text(Self.idAlphabet, 1...(rng.chance(90) ? 12 : 128))
    }

    mutating func optionalID() -> String? { rng.chance(50) ? id() : nil }

    mutating func time() -> EventTime {
        let ms: Int64
        switch Int.random(in: 0..<10, using: &rng) {
        case 0: ms = EventTime.earliest.millisecondsSince1970 + Int64.random(in: 0..<86_400_000 * 2, using: &rng)
        case 1: ms = EventTime.latest.millisecondsSince1970 - Int64.random(in: 0..<86_400_000 * 2, using: &rng)
        case 2: ms = Int64.random(in: EventTime.earliest.millisecondsSince1970...EventTime.latest.millisecondsSince1970, using: &rng)
        default:
            let base = Int64.random(in: 1_600_000_000_000...1_900_000_000_000, using: &rng)
            ms = rng.chance(50) ? base / 1000 * 1000 : base
        }
        return EventTime(millisecondsSince1970: ms)
    }

    mutating func code() -> String {
        var s = rng.pick(["E", "I", "z", "J", "a"]) + String(Int.random(in: 0...9, using: &rng))
        s += rng.pick(["1", "0", "A", "b", "9"])
        if rng.chance(60) {
            if rng.chance(60) { s += "." }
            s += text(["0", "9", "x", "Y"], 1...4)
        }
        return s
    }

    mutating func codes() -> [String]? {
        rng.chance(30) ? nil : (0..<Int.random(in: 0...3, using: &rng)).map { _ in code() }
    }

    /// A double in `range`: integral, few decimals, or any bits.
    mutating func number(_ range: ClosedRange<Double>) -> Double {
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: return Double(Int.random(in: Int(range.lowerBound.rounded(.up))...Int(range.upperBound), using: &rng))
        case 1: return (Double.random(in: range, using: &rng) * 10).rounded(.down) / 10
        case 2: return rng.pick([range.lowerBound, range.upperBound])
        default: return Double.random(in: range, using: &rng)
        }
    }

    mutating func anyNumber() -> Double {
        switch Int.random(in: 0..<5, using: &rng) {
        case 0: return rng.pick([0, -0.0, 1e300, -1e-300, .leastNonzeroMagnitude, 1e-5, 123456789012345680, 9007199254740994, 0.1, -2.5])
        case 1: return Double(Int.random(in: -1000...1000, using: &rng))
        case 2:
            var x: Double
            repeat { x = Double(bitPattern: rng.next()) } while !x.isFinite
            return x
        default: return Double.random(in: -100...100, using: &rng)
        }
    }

    mutating func event() -> PatientEvent {
        let time = time()
        let body: EventBody
        switch Int.random(in: 0..<14, using: &rng) {
        case 0:
            body = .register(Register(
                sex: rng.chance(50) ? rng.pick(Sex.allCases) : nil,
                birthYear: rng.chance(50) ? Int.random(in: 1900...2100, using: &rng) : nil,
                conditions: codes()))
        case 1:
            var discharge: EventTime? = nil
            if rng.chance(40) && time.millisecondsSince1970 < EventTime.latest.millisecondsSince1970 - 10_000_000_000 {
                discharge = EventTime(millisecondsSince1970: time.millisecondsSince1970 + Int64.random(in: 0...9_000_000_000, using: &rng))
            }
            body = .visit(Visit(
                kind: rng.pick(VisitKind.allCases),
                department: rng.chance(50) ? text(Self.idAlphabet, 1...(rng.chance(90) ? 10 : 64)) : nil,
                diagnoses: codes(), appointment: optionalID(), discharge: discharge))
        case 2:
            let status = rng.pick(AppointmentStatus.allCases)
            body = .appointment(Appointment(appointment: id(), status: status,
                                            scheduledFor: status == .scheduled ? self.time() : nil))
        case 3:
            let direction = rng.pick(Direction.allCases)
            body = .message(Message(
                message: id(), direction: direction, channel: rng.pick(Channel.allCases),
                purpose: direction == .outbound || rng.chance(30) ? rng.pick(Purpose.allCases) : nil,
                content: optionalID(), survey: optionalID(),
                journeyStep: rng.chance(40) ? JourneyStep(journey: id(), step: rng.chance(90) ? Int.random(in: 1...20, using: &rng) : Int.max) : nil))
        case 4:
            body = .read(Read(content: id(), progress: number(0...1), message: optionalID()))
        case 5:
            let values: CheckinValues = switch Int.random(in: 0..<6, using: &rng) {
            case 0: .bp(systolic: number(40...300), diastolic: number(20...200))
            case 1: .glucose(mmol: number(0.5...60))
            case 2: .weight(kg: number(0.5...500))
            case 3: .steps(count: number(0...200_000))
            case 4: .heartrate(bpm: number(20...300))
            default: .habit(done: rng.chance(50) ? 1 : 0)
            }
            body = .checkin(Checkin(values: values, program: optionalID()))
        case 6:
            body = .survey(survey())
        case 7:
            body = .dispense(Dispense(medication: id(), therapeuticClass: id(), daysSupply: Int.random(in: 1...365, using: &rng)))
        case 8:
            body = .consent(Consent(scope: rng.pick(ConsentScope.allCases), granted: rng.chance(50)))
        case 9:
            body = .enroll(Enroll(program: id(), plan: rng.chance(50)
                ? .checkin(metric: rng.pick(Metric.allCases), everyDays: Int.random(in: 1...365, using: &rng))
                : .journey))
        case 10:
            body = .unenroll(Unenroll(program: id()))
        case 11:
            let tagAlphabet = plain ? Self.plainAlphabet : Self.idAlphabet.filter { !$0.unicodeScalars.contains { $0.properties.isWhitespace } }
            body = .tag(Tag(tag: text(tagAlphabet, 1...(rng.chance(90) ? 10 : 64)), op: rng.pick(TagOperation.allCases)))
        default:
            body = .erase
        }
        return PatientEvent(
            patient: text(Self.patientAlphabet, 1...(rng.chance(90) ? 8 : 64)),
            time: time, id: optionalID(), actor: optionalID(), body: body)
    }

    mutating func survey() -> Survey {
        switch Int.random(in: 0..<4, using: &rng) {
        case 0:
            let answers = (1...9).map { SurveyAnswer(item: "q\($0)", value: Double(Int.random(in: 0...3, using: &rng))) }.shuffled(using: &rng)
            let sum = answers.reduce(0) { $0 + $1.value }
            return Survey(survey: "phq9", answers: answers, score: rng.chance(50) ? sum : nil, message: optionalID())
        case 1:
            return Survey(survey: rng.pick(["satisfaction", "nps"]), answers: [SurveyAnswer(item: "score", value: number(0...10))],
                          message: optionalID())
        default:
            var items: [String] = []
            for _ in 0..<Int.random(in: 0...4, using: &rng) {
                let item = rng.chance(50) ? "item\(items.count)" : text(Self.idAlphabet, 1...(rng.chance(90) ? 6 : 64)) + "\(items.count)"
                if item.unicodeScalars.count <= 64 && !items.contains(where: { $0.utf8.elementsEqual(item.utf8) }) { items.append(item) }
            }
            return Survey(survey: rng.chance(50) ? "gad7" : id(), answers: items.map { SurveyAnswer(item: $0, value: anyNumber()) },
                          score: rng.chance(50) ? anyNumber() : nil, message: optionalID())
        }
    }
}
