// Reading one line of events.md's JSON form into a PatientEvent: the JSON
// shape (keys, value kinds, `null`, duplicates) in one pass over the bytes,
// then the type's key rules, then the model's own validate().

/// What the single pass keeps of one key: where its value is, and the
/// value itself when it is a number.
struct EventJSONSlot {
    /// Byte offset of the key's opening quote (for errors in line order).
    var keyStart: Int
    /// A string value; for `values`, `start` is the offset of its `{`.
    var token: JSONStringToken
    var number: JSONNumberToken
}

struct EventJSONDecoder {
    var scanner: JSONScanner
    let slots: UnsafeMutablePointer<EventJSONSlot>
    var seen: UInt64 = 0
    var granted = false
    var conditions: [String]? = nil
    var diagnoses: [String]? = nil
    var answers: [SurveyAnswer]? = nil
    /// The index in `answers` of the first value written with a fraction
    /// or exponent, or -1.
    var firstNonIntAnswer = -1

    /// Decodes one line (without its line end).
    static func decode(_ bytes: UnsafeRawBufferPointer) throws(EventValidationError) -> PatientEvent {
        guard let raw = bytes.baseAddress, bytes.count > 0 else { throw EventValidationError("empty line") }
        let p = raw.assumingMemoryBound(to: UInt8.self)
        let n = bytes.count
        if n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF {
            throw EventValidationError("a UTF-8 byte-order mark is not allowed")
        }
        return try withUnsafeTemporaryAllocation(of: EventJSONSlot.self, capacity: EventJSONKey.count) {
            buffer throws(EventValidationError) -> PatientEvent in
            var decoder = EventJSONDecoder(scanner: JSONScanner(base: p, count: n), slots: buffer.baseAddress!)
            try decoder.readObject()
            return try decoder.build()
        }
    }

    // MARK: - The pass over the bytes

    mutating func readObject() throws(EventValidationError) {
        scanner.skipWhitespace()
        if scanner.atEnd { throw EventValidationError("empty line") }
        guard scanner.peek == UInt8(ascii: "{") else {
            if startsValue(scanner.peek) { throw EventValidationError("a line must be a JSON object") }
            throw scanner.syntaxError("expected '{'")
        }
        scanner.position += 1
        scanner.skipWhitespace()
        if scanner.peek == UInt8(ascii: "}") {
            scanner.position += 1
        } else {
            while true {
                guard scanner.peek == 0x22 else { throw scanner.syntaxError("expected a string key") }
                let keyStart = scanner.position
                let token = try scanner.scanString()
                let found = scanner.withBytes(token) { bytes -> EventJSONKey? in
                    guard let base = bytes.baseAddress else { return nil }
                    return EventJSONKey.lookup(base.assumingMemoryBound(to: UInt8.self), bytes.count)
                }
                guard let key = found else {
                    throw EventValidationError("unknown key \(EventText.quoted(scanner.string(token)))")
                }
                guard seen & key.bit == 0 else { throw EventValidationError("duplicate key \"\(key.name)\"") }
                seen |= key.bit
                slots[Int(key.rawValue)].keyStart = keyStart
                scanner.skipWhitespace()
                try scanner.expect(UInt8(ascii: ":"), "':'")
                scanner.skipWhitespace()
                try readValue(of: key)
                scanner.skipWhitespace()
                if scanner.peek == UInt8(ascii: ",") {
                    scanner.position += 1
                    scanner.skipWhitespace()
                    continue
                }
                try scanner.expect(UInt8(ascii: "}"), "',' or '}'")
                break
            }
        }
        scanner.skipWhitespace()
        guard scanner.atEnd else { throw scanner.syntaxError("unexpected text after the object") }
    }

    private func startsValue(_ b: UInt8) -> Bool {
        switch b {
        case 0x22, UInt8(ascii: "["), UInt8(ascii: "{"), UInt8(ascii: "-"), UInt8(ascii: "t"),
             UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            false
        }
    }

    /// The error for a value of the wrong kind (or `null`, or no value).
    private func wrongKind(_ key: StaticString, _ rule: String) -> EventValidationError {
        if scanner.looksAt("null") { return EventValidationError("null is not allowed (\"\(key)\")") }
        if startsValue(scanner.peek) { return EventValidationError("\"\(key)\" must be \(rule)") }
        return scanner.syntaxError("expected a value")
    }

    private mutating func readValue(of key: EventJSONKey) throws(EventValidationError) {
        let i = Int(key.rawValue)
        switch key.shape {
        case .string:
            guard scanner.peek == 0x22 else { throw wrongKind(key.name, "a string") }
            slots[i].token = try scanner.scanString()
        case .int:
            guard scanner.atNumber else { throw wrongKind(key.name, "an int") }
            let number = try scanner.scanNumber()
            guard number.isInt else {
                throw EventValidationError("\"\(key.name)\" must be an int, written without fraction or exponent")
            }
            slots[i].number = number
        case .number:
            guard scanner.atNumber else { throw wrongKind(key.name, "a number") }
            slots[i].number = try scanner.scanNumber()
        case .bool:
            if scanner.looksAt("true") {
                granted = true
                scanner.position += 4
            } else if scanner.looksAt("false") {
                granted = false
                scanner.position += 5
            } else {
                throw wrongKind(key.name, "true or false")
            }
        case .strings:
            // ICD-10 codes are stored upper-cased.
            let list = try readStrings(key.name).map(EventText.asciiUppercased)
            if key == .conditions { conditions = list } else { diagnoses = list }
        case .object:
            guard scanner.peek == UInt8(ascii: "{") else { throw wrongKind(key.name, "an object") }
            if key == .values {
                // Its names depend on "metric", which may come later.
                slots[i].token.start = scanner.position
                try scanner.skipValue(key: "values")
            } else {
                try readAnswers()
            }
        case .any:
            try scanner.skipValue(key: key.name)
        }
    }

    private mutating func readStrings(_ key: StaticString) throws(EventValidationError) -> [String] {
        guard scanner.peek == UInt8(ascii: "[") else { throw wrongKind(key, "an array of strings") }
        scanner.position += 1
        scanner.skipWhitespace()
        var list: [String] = []
        if scanner.peek == UInt8(ascii: "]") {
            scanner.position += 1
            return list
        }
        while true {
            guard scanner.peek == 0x22 else { throw wrongKind(key, "an array of strings") }
            list.append(scanner.string(try scanner.scanString()))
            scanner.skipWhitespace()
            if scanner.peek == UInt8(ascii: ",") {
                scanner.position += 1
                scanner.skipWhitespace()
                continue
            }
            try scanner.expect(UInt8(ascii: "]"), "',' or ']'")
            return list
        }
    }

    private mutating func readAnswers() throws(EventValidationError) {
        scanner.position += 1
        scanner.skipWhitespace()
        var list: [SurveyAnswer] = []
        if scanner.peek == UInt8(ascii: "}") {
            scanner.position += 1
            answers = list
            return
        }
        while true {
            guard scanner.peek == 0x22 else { throw scanner.syntaxError("expected a string key") }
            let item = scanner.string(try scanner.scanString())
            scanner.skipWhitespace()
            try scanner.expect(UInt8(ascii: ":"), "':'")
            scanner.skipWhitespace()
            guard scanner.atNumber else {
                if scanner.looksAt("null") { throw EventValidationError("null is not allowed (\"answers\")") }
                if startsValue(scanner.peek) {
                    throw EventValidationError("answer \(EventText.quoted(item)) must be a number")
                }
                throw scanner.syntaxError("expected a value")
            }
            let number = try scanner.scanNumber()
            if !number.isInt && firstNonIntAnswer < 0 { firstNonIntAnswer = list.count }
            list.append(SurveyAnswer(item: item, value: number.value))
            scanner.skipWhitespace()
            if scanner.peek == UInt8(ascii: ",") {
                scanner.position += 1
                scanner.skipWhitespace()
                continue
            }
            try scanner.expect(UInt8(ascii: "}"), "',' or '}'")
            answers = list
            return
        }
    }

    // MARK: - Values of the keys read

    @inline(__always) func has(_ key: EventJSONKey) -> Bool { seen & key.bit != 0 }

    @inline(__always) func string(_ key: EventJSONKey) -> String {
        scanner.string(slots[Int(key.rawValue)].token)
    }

    @inline(__always) func optionalString(_ key: EventJSONKey) -> String? {
        has(key) ? string(key) : nil
    }

    @inline(__always) func int(_ key: EventJSONKey) -> Int {
        Int(truncatingIfNeeded: slots[Int(key.rawValue)].number.int)
    }

    @inline(__always) func number(_ key: EventJSONKey) -> Double {
        slots[Int(key.rawValue)].number.value
    }

    func time(_ key: EventJSONKey) throws(EventValidationError) -> EventTime {
        let result = scanner.withBytes(slots[Int(key.rawValue)].token) { RFC3339.parse($0) }
        switch result {
        case .success(let ms): return EventTime(millisecondsSince1970: ms)
        case .failure(let failure): throw failure.error(subject: "\"\(key.name)\"")
        }
    }

    func optionalTime(_ key: EventJSONKey) throws(EventValidationError) -> EventTime? {
        has(key) ? try time(key) : nil
    }

    func choice<T: RawRepresentable & CaseIterable>(_ key: EventJSONKey, _: T.Type) throws(EventValidationError) -> T
    where T.RawValue == String {
        let token = slots[Int(key.rawValue)].token
        let found = scanner.withBytes(token) { bytes -> T? in
            for value in T.allCases {
                var name = value.rawValue
                if name.withUTF8({ Self.equals(bytes, UnsafeRawBufferPointer($0)) }) { return value }
            }
            return nil
        }
        if let found { return found }
        let names = T.allCases.map(\.rawValue).joined(separator: ", ")
        throw EventValidationError(
            "\"\(key.name)\" must be one of \(names) (got \(EventText.quoted(scanner.string(token))))")
    }

    func optionalChoice<T: RawRepresentable & CaseIterable>(_ key: EventJSONKey, _ type: T.Type) throws(EventValidationError) -> T?
    where T.RawValue == String {
        has(key) ? try choice(key, type) : nil
    }

    // MARK: - Building the event

    func eventType() throws(EventValidationError) -> EventType {
        let token = slots[Int(EventJSONKey.type.rawValue)].token
        let found = scanner.withBytes(token) { bytes -> EventType?? in
            for type in EventType.allCases where Self.equals(bytes, type.staticName) { return type }
            return Self.equals(bytes, "unrecognized") ? .some(nil) : nil
        }
        switch found {
        case .some(.some(let type)):
            return type
        case .some(.none):
            throw EventValidationError("records of an unrecognized type cannot be imported")
        case .none:
            let names = EventType.allCases.map(\.name).joined(separator: ", ")
            throw EventValidationError("\"type\" must be one of \(names) (got \(EventText.quoted(scanner.string(token))))")
        }
    }

    func build() throws(EventValidationError) -> PatientEvent {
        guard has(.type) else { throw EventValidationError(#"missing key "type""#) }
        let type = try eventType()
        let extra = seen & ~type.allowedJSONKeys
        if extra != 0 {
            // Report the first in line order.
            var first: EventJSONKey? = nil
            for key in EventJSONKey.allCases where extra & key.bit != 0 {
                if first == nil || slots[Int(key.rawValue)].keyStart < slots[Int(first!.rawValue)].keyStart {
                    first = key
                }
            }
            throw EventValidationError("unknown key \"\(first!.name)\" for type \(type.name)")
        }
        let required = EventJSONKey.patient.bit | EventJSONKey.time.bit | type.requiredJSONKeys
        if seen & required != required {
            for key in [EventJSONKey.patient, .time] + type.jsonKeys where required & key.bit != 0 && !has(key) {
                throw EventValidationError("missing key \"\(key.name)\"")
            }
        }

        let time = try time(.time)
        // Decided before `body` moves into the event (matching on it
        // afterwards copied the whole body); reported after validate(), as
        // before.
        var phq9NonIntItem: String? = nil
        if type == .survey, firstNonIntAnswer >= 0, let answers,
           scanner.withBytes(slots[Int(EventJSONKey.survey.rawValue)].token, { Self.equals($0, "phq9") }) {
            phq9NonIntItem = answers[firstNonIntAnswer].item
        }
        // Already normalized: codes were upper-cased as read.
        let event = PatientEvent(
            patient: string(.patient), time: time,
            id: optionalString(.id), actor: optionalString(.actor), body: try buildBody(type))
        try event.validate()

        if let item = phq9NonIntItem {
            throw EventValidationError("phq9 answer \"\(item)\" must be an int 0...3")
        }
        return event
    }

    private func buildBody(_ type: EventType) throws(EventValidationError) -> EventBody {
        switch type {
        case .register:
            return .register(Register(
                sex: try optionalChoice(.sex, Sex.self),
                birthYear: has(.birthYear) ? int(.birthYear) : nil,
                conditions: conditions))
        case .visit:
            return .visit(Visit(
                kind: try choice(.kind, VisitKind.self),
                department: optionalString(.department),
                diagnoses: diagnoses,
                appointment: optionalString(.appointment),
                discharge: try optionalTime(.discharge)))
        case .appointment:
            return .appointment(Appointment(
                appointment: string(.appointment),
                status: try choice(.status, AppointmentStatus.self),
                scheduledFor: try optionalTime(.scheduledFor)))
        case .message:
            guard has(.journey) == has(.step) else {
                throw EventValidationError(#""journey" and "step" must be given together"#)
            }
            var journeyStep: JourneyStep? = nil
            if has(.journey) {
                let step = slots[Int(EventJSONKey.step.rawValue)].number
                if step.intOverflow && step.int > 0 { throw EventValidationError(#""step" is too large"#) }
                journeyStep = JourneyStep(journey: string(.journey), step: int(.step))
            }
            return .message(Message(
                message: string(.message),
                direction: try choice(.direction, Direction.self),
                channel: try choice(.channel, Channel.self),
                purpose: try optionalChoice(.purpose, Purpose.self),
                content: optionalString(.content),
                survey: optionalString(.survey),
                journeyStep: journeyStep))
        case .read:
            return .read(Read(content: string(.content), progress: number(.progress), message: optionalString(.message)))
        case .checkin:
            let metric = try choice(.metric, Metric.self)
            return .checkin(Checkin(values: try checkinValues(metric), program: optionalString(.program)))
        case .survey:
            return .survey(Survey(
                survey: string(.survey), answers: answers ?? [],
                score: has(.score) ? number(.score) : nil,
                message: optionalString(.message)))
        case .dispense:
            return .dispense(Dispense(
                medication: string(.medication), therapeuticClass: string(.therapeuticClass),
                daysSupply: int(.daysSupply)))
        case .consent:
            return .consent(Consent(scope: try choice(.scope, ConsentScope.self), granted: granted))
        case .enroll:
            let kind = slots[Int(EventJSONKey.kind.rawValue)].token
            let plan: EnrollmentPlan
            if scanner.withBytes(kind, { Self.equals($0, "checkin") }) {
                for key in EventJSONKey.checkinPlanKeys where !has(key) {
                    throw EventValidationError("missing key \"\(key.name)\" (required when \"kind\" is checkin)")
                }
                plan = .checkin(metric: try choice(.metric, Metric.self), everyDays: int(.everyDays))
            } else if scanner.withBytes(kind, { Self.equals($0, "journey") }) {
                for key in EventJSONKey.checkinPlanKeys where has(key) {
                    throw EventValidationError("\"\(key.name)\" is not allowed when \"kind\" is journey")
                }
                plan = .journey
            } else {
                throw EventValidationError(
                    "\"kind\" must be one of checkin, journey (got \(EventText.quoted(scanner.string(kind))))")
            }
            return .enroll(Enroll(program: string(.program), plan: plan))
        case .unenroll:
            return .unenroll(Unenroll(program: string(.program)))
        case .tag:
            return .tag(Tag(tag: string(.tag), op: try choice(.op, TagOperation.self)))
        case .erase:
            return .erase
        }
    }

    /// Reads `values` again now that the metric is known.
    private func checkinValues(_ metric: Metric) throws(EventValidationError) -> CheckinValues {
        let names: (StaticString, StaticString?) = switch metric {
        case .bp: ("systolic", "diastolic")
        case .glucose: ("mmol", nil)
        case .weight: ("kg", nil)
        case .steps: ("count", nil)
        case .heartrate: ("bpm", nil)
        case .habit: ("done", nil)
        }
        var s = JSONScanner(base: scanner.base, count: scanner.end,
                            position: slots[Int(EventJSONKey.values.rawValue)].token.start + 1)
        var values: (Double, Double) = (0, 0)
        var got: (Bool, Bool) = (false, false)
        s.skipWhitespace()
        if s.peek == UInt8(ascii: "}") {
            s.position += 1
        } else {
            while true {
                let token = try s.scanString()
                let which = s.withBytes(token) { bytes -> Int? in
                    if Self.equals(bytes, names.0) { return 0 }
                    if let second = names.1, Self.equals(bytes, second) { return 1 }
                    return nil
                }
                guard let which else {
                    let expected = names.1.map { "\"\(names.0)\" and \"\($0)\"" } ?? "\"\(names.0)\" only"
                    throw EventValidationError(
                        "unknown key \(EventText.quoted(s.string(token))) in \"values\" (\(metric.rawValue) takes \(expected))")
                }
                let name = which == 0 ? names.0 : names.1!
                guard !(which == 0 ? got.0 : got.1) else {
                    throw EventValidationError("duplicate key \"\(name)\" in \"values\"")
                }
                s.skipWhitespace()
                try s.expect(UInt8(ascii: ":"), "':'")
                s.skipWhitespace()
                guard s.atNumber else { throw EventValidationError("\"\(name)\" must be a number") }
                let value = try s.scanNumber().value
                if which == 0 { values.0 = value; got.0 = true } else { values.1 = value; got.1 = true }
                s.skipWhitespace()
                if s.peek == UInt8(ascii: ",") {
                    s.position += 1
                    s.skipWhitespace()
                    continue
                }
                try s.expect(UInt8(ascii: "}"), "',' or '}'")
                break
            }
        }
        if !got.0 { throw EventValidationError("missing key \"\(names.0)\" in \"values\"") }
        if let second = names.1, !got.1 { throw EventValidationError("missing key \"\(second)\" in \"values\"") }
        return switch metric {
        case .bp: .bp(systolic: values.0, diastolic: values.1)
        case .glucose: .glucose(mmol: values.0)
        case .weight: .weight(kg: values.0)
        case .steps: .steps(count: values.0)
        case .heartrate: .heartrate(bpm: values.0)
        case .habit: .habit(done: values.0)
        }
    }

    @inline(__always)
    static func equals(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        for i in 0..<a.count where a[i] != b[i] { return false }
        return true
    }

    @inline(__always)
    static func equals(_ bytes: UnsafeRawBufferPointer, _ name: StaticString) -> Bool {
        guard bytes.count == name.utf8CodeUnitCount else { return false }
        for i in 0..<bytes.count where bytes[i] != name.utf8Start[i] { return false }
        return true
    }
}
