// The semantic rules of events.md that a Swift caller can break as easily
// as a JSON line: lengths, character sets, ranges, codes, and the rules that
// tie keys together. The JSON reader (EventJSON) checks the JSON shape and
// then runs these same checks, so both paths report the same messages.

extension PatientEvent {
    /// Checks every rule of events.md that this value can break.
    ///
    /// Codes are checked as given: `e11.9` passes (it matches the ICD-10
    /// pattern) and ``normalized()`` upper-cases it for storage.
    ///
    /// - Throws: ``EventValidationError`` naming the first key at fault, e.g.
    ///   `"birthYear" must be 1900...2100`.
    ///
    /// Cost: reads every string once; allocates only for the error.
    /// Thread-safe (a pure function of the value).
    ///
    /// ```swift
    /// let event = PatientEvent(patient: "P001", time: .init(millisecondsSince1970: 0),
    ///                          body: .register(Register(birthYear: 1850)))
    /// try event.validate()   // throws: "birthYear" must be 1900...2100
    /// ```
    public func validate() throws(EventValidationError) {
        guard EventText.isPatientID(patient) else {
            throw EventValidationError(#""patient" must be 1-64 characters of A-Z a-z 0-9 . _ : -"#)
        }
        try Self.checkTime(time, "time")
        if let id { try Self.checkID(id, "id") }
        if let actor { try Self.checkID(actor, "actor") }
        switch body {
        case .register(let r):
            if let year = r.birthYear, !(1900...2100).contains(year) {
                throw EventValidationError(#""birthYear" must be 1900...2100"#)
            }
            if let codes = r.conditions { try Self.checkCodes(codes, "conditions") }
        case .visit(let v):
            if let department = v.department, !EventText.hasScalarCount(department, in: 1...64) {
                throw EventValidationError(#""department" must be 1-64 characters"#)
            }
            if let codes = v.diagnoses { try Self.checkCodes(codes, "diagnoses") }
            if let appointment = v.appointment { try Self.checkID(appointment, "appointment") }
            if let discharge = v.discharge {
                try Self.checkTime(discharge, "discharge")
                guard discharge >= time else {
                    throw EventValidationError(#""discharge" must not be before "time""#)
                }
            }
        case .appointment(let a):
            try Self.checkID(a.appointment, "appointment")
            if a.status == .scheduled {
                guard let when = a.scheduledFor else {
                    throw EventValidationError(#"missing key "scheduledFor" (required when "status" is scheduled)"#)
                }
                try Self.checkTime(when, "scheduledFor")
            } else if a.scheduledFor != nil {
                throw EventValidationError(#""scheduledFor" is only allowed when "status" is scheduled"#)
            }
        case .message(let m):
            try Self.checkID(m.message, "message")
            if m.direction == .outbound && m.purpose == nil {
                throw EventValidationError(#"missing key "purpose" (required for outbound messages)"#)
            }
            if let content = m.content { try Self.checkID(content, "content") }
            if let survey = m.survey { try Self.checkID(survey, "survey") }
            if let js = m.journeyStep {
                try Self.checkID(js.journey, "journey")
                guard js.step >= 1 else { throw EventValidationError(#""step" must be an int >= 1"#) }
            }
        case .read(let r):
            try Self.checkID(r.content, "content")
            guard r.progress >= 0 && r.progress <= 1 else {
                throw EventValidationError(#""progress" must be a number 0...1"#)
            }
            if let message = r.message { try Self.checkID(message, "message") }
        case .checkin(let c):
            try Self.checkValues(c.values)
            if let program = c.program { try Self.checkID(program, "program") }
        case .survey(let s):
            try Self.checkSurvey(s)
        case .dispense(let d):
            try Self.checkID(d.medication, "medication")
            try Self.checkID(d.therapeuticClass, "class")
            guard (1...365).contains(d.daysSupply) else {
                throw EventValidationError(#""daysSupply" must be 1...365"#)
            }
        case .consent:
            break
        case .enroll(let e):
            try Self.checkID(e.program, "program")
            if case .checkin(_, let everyDays) = e.plan, !(1...365).contains(everyDays) {
                throw EventValidationError(#""everyDays" must be 1...365"#)
            }
        case .unenroll(let u):
            try Self.checkID(u.program, "program")
        case .tag(let t):
            guard EventText.hasScalarCount(t.tag, in: 1...64), !EventText.containsWhitespace(t.tag) else {
                throw EventValidationError(#""tag" must be 1-64 characters without whitespace"#)
            }
        case .erase:
            break
        case .unrecognized(let u):
            throw EventValidationError(
                "records of an unrecognized type (type code \(u.typeCode), version \(u.typeVersion)) cannot be validated or imported")
        }
    }

    /// Validates the event (``validate()``) and returns ``isNormalized``, in
    /// one call: a writer reading events through an array or a pointer pays
    /// one copy of the event per call, not two.
    package func validateReturningIsNormalized() throws(EventValidationError) -> Bool {
        try validate()
        return isNormalized
    }

    /// Whether ``normalized()`` returns the event unchanged (no code to
    /// upper-case): a writer then stores the caller's value without a copy.
    public var isNormalized: Bool {
        switch body {
        case .register(let r): return !(r.conditions?.contains(where: Self.hasLowercase) ?? false)
        case .visit(let v): return !(v.diagnoses?.contains(where: Self.hasLowercase) ?? false)
        default: return true
        }
    }

    /// The event as the ledger stores it: ICD-10 codes (`conditions`,
    /// `diagnoses`) upper-cased. Everything else is kept as given.
    ///
    /// Cost: allocates only when a code has a lower-case letter.
    public func normalized() -> PatientEvent {
        switch body {
        case .register(var r):
            guard let codes = r.conditions, codes.contains(where: Self.hasLowercase) else { return self }
            r.conditions = codes.map(EventText.asciiUppercased)
            var event = self
            event.body = .register(r)
            return event
        case .visit(var v):
            guard let codes = v.diagnoses, codes.contains(where: Self.hasLowercase) else { return self }
            v.diagnoses = codes.map(EventText.asciiUppercased)
            var event = self
            event.body = .visit(v)
            return event
        default:
            return self
        }
    }

    private static func hasLowercase(_ code: String) -> Bool {
        code.utf8.contains { $0 &- 97 < 26 }
    }

    // MARK: - Rules shared by several keys

    /// An id string (`id`, `actor`, `message`, `content`, ...): 1-128 characters.
    static func checkID(_ value: String, _ key: StaticString) throws(EventValidationError) {
        guard EventText.hasScalarCount(value, in: 1...128) else {
            throw EventValidationError("\"\(key)\" must be 1-128 characters")
        }
    }

    static func checkTime(_ time: EventTime, _ key: StaticString) throws(EventValidationError) {
        guard time >= EventTime.earliest && time <= EventTime.latest else {
            throw EventValidationError("\"\(key)\" must be within years 0001-9999 (UTC)")
        }
    }

    static func checkCodes(_ codes: [String], _ key: StaticString) throws(EventValidationError) {
        for code in codes where !EventText.isICD10(code) {
            throw EventValidationError(
                "\"\(key)\" has \(EventText.quoted(code)), which is not an ICD-10 code (like E11.9 or I10)")
        }
    }

    static func checkValues(_ values: CheckinValues) throws(EventValidationError) {
        func check(_ value: Double, _ range: ClosedRange<Double>, _ rule: StaticString) throws(EventValidationError) {
            guard range.contains(value) else { throw EventValidationError(rule.description) }
        }
        switch values {
        case .bp(let systolic, let diastolic):
            try check(systolic, 40...300, #""systolic" must be 40...300 (mmHg)"#)
            try check(diastolic, 20...200, #""diastolic" must be 20...200 (mmHg)"#)
        case .glucose(let mmol):
            try check(mmol, 0.5...60, #""mmol" must be 0.5...60"#)
        case .weight(let kg):
            try check(kg, 0.5...500, #""kg" must be 0.5...500"#)
        case .steps(let count):
            try check(count, 0...200_000, #""count" must be 0...200000"#)
        case .heartrate(let bpm):
            try check(bpm, 20...300, #""bpm" must be 20...300"#)
        case .habit(let done):
            guard done == 0 || done == 1 else { throw EventValidationError(#""done" must be 0 or 1"#) }
        }
    }

    static func checkSurvey(_ s: Survey) throws(EventValidationError) {
        try checkID(s.survey, "survey")
        for answer in s.answers where !EventText.hasScalarCount(answer.item, in: 1...64) {
            throw EventValidationError(#"survey item ids (the keys of "answers") must be 1-64 characters"#)
        }
        if let duplicate = firstDuplicateItem(s.answers) {
            throw EventValidationError("duplicate key \(EventText.quoted(duplicate)) in \"answers\"")
        }
        if EventText.isExactly(s.survey, "phq9") {
            var seen: UInt16 = 0
            var sum = 0.0
            for answer in s.answers {
                guard let n = phq9Item(answer.item) else {
                    throw EventValidationError(
                        "phq9 \"answers\" must be exactly q1...q9 (unexpected \(EventText.quoted(answer.item)))")
                }
                seen |= 1 << n
                guard answer.value == 0 || answer.value == 1 || answer.value == 2 || answer.value == 3 else {
                    throw EventValidationError("phq9 answer \"q\(n)\" must be an int 0...3")
                }
                sum += answer.value
            }
            if let missing = (1...9).first(where: { seen & (1 << $0) == 0 }) {
                throw EventValidationError("phq9 \"answers\" must be exactly q1...q9 (missing \"q\(missing)\")")
            }
            if let score = s.score, score != sum {
                throw EventValidationError("\"score\" must equal the sum of the phq9 answers (\(Int(sum)))")
            }
        } else if EventText.isExactly(s.survey, "satisfaction") || EventText.isExactly(s.survey, "nps") {
            let name = s.survey
            guard s.answers.count == 1, EventText.isExactly(s.answers[0].item, "score") else {
                throw EventValidationError("\(name) \"answers\" must be exactly {\"score\": 0...10}")
            }
            guard s.answers[0].value >= 0 && s.answers[0].value <= 10 else {
                throw EventValidationError("\(name) answer \"score\" must be a number 0...10")
            }
            guard s.score == nil else {
                throw EventValidationError(
                    "\"score\" is not allowed on \(name) surveys (the answer \"score\" is the score)")
            }
        } else {
            for answer in s.answers where !answer.value.isFinite {
                throw EventValidationError("answer \(EventText.quoted(answer.item)) must be a finite number")
            }
            if let score = s.score, !score.isFinite {
                throw EventValidationError(#""score" must be a finite number"#)
            }
        }
        if let message = s.message { try checkID(message, "message") }
    }

    /// 1...9 for `q1`...`q9`, nil for anything else.
    static func phq9Item(_ item: String) -> Int? {
        let utf8 = item.utf8
        guard utf8.count == 2, utf8.first == UInt8(ascii: "q"), let digit = utf8.last,
              digit >= UInt8(ascii: "1") && digit <= UInt8(ascii: "9") else { return nil }
        return Int(digit - UInt8(ascii: "0"))
    }

    /// The first item id given twice (compared scalar by scalar).
    static func firstDuplicateItem(_ answers: [SurveyAnswer]) -> String? {
        let n = answers.count
        if n < 2 { return nil }
        if n <= 32 {
            for i in 1..<n {
                for j in 0..<i where EventText.sameScalars(answers[i].item, answers[j].item) {
                    return answers[i].item
                }
            }
            return nil
        }
        let sorted = answers.map { Array($0.item.utf8) }.sorted { $0.lexicographicallyPrecedes($1) }
        for i in 1..<n where sorted[i] == sorted[i - 1] {
            return String(decoding: sorted[i], as: UTF8.self)
        }
        return nil
    }
}
