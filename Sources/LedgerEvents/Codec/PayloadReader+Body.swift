// Body layouts of format 1 (Docs/EventCodec.md, "Bodies"), read.
// Mirrors PayloadWriter+Body.swift field for field. Each reader but
// consent's (shared) has an in-place twin in PatientEventView+Fold.swift,
// with the same checks and errors.

extension PayloadReader {
    /// Reads the body of a known type at version 1 and checks that nothing
    /// follows it. `typeCode` must be 1...13.
    mutating func body(typeCode: UInt8, time: EventTime) throws(EventCodecError) -> EventBody {
        guard let type = EventType(rawValue: typeCode) else {
            throw failure("unknown type code \(typeCode)", at: 1)
        }
        let body: EventBody
        switch type {
        case .register: body = .register(try register())
        case .visit: body = .visit(try visit(time: time))
        case .appointment: body = .appointment(try appointment(time: time))
        case .message: body = .message(try message())
        case .read: body = .read(try read())
        case .checkin: body = .checkin(try checkin())
        case .survey: body = .survey(try survey())
        case .dispense: body = .dispense(try dispense())
        case .consent: body = .consent(try consent())
        case .enroll: body = .enroll(try enroll())
        case .unenroll: body = .unenroll(Unenroll(program: try string("unenroll program")))
        case .tag: body = .tag(try tag())
        case .erase: body = .erase
        }
        // The type's name only for the error: building it costs more than
        // decoding a small body.
        if !isAtEnd { try expectEnd(type.name) }
        return body
    }

    private mutating func register() throws(EventCodecError) -> Register {
        // Fields into locals, the struct built once: mutating a struct
        // between `try`s made the compiler copy it before each call.
        let bits = try presence(0b111, "register")
        let sex = bits & 1 << 0 != 0 ? try code(Sex.self) : nil
        let birthYear = bits & 1 << 1 != 0 ? try int("birth year") : nil
        let conditions = bits & 1 << 2 != 0 ? try strings("conditions") : nil
        return Register(sex: sex, birthYear: birthYear, conditions: conditions)
    }

    private mutating func visit(time: EventTime) throws(EventCodecError) -> Visit {
        let bits = try presence(0b1111, "visit")
        let kind = try code(VisitKind.self)
        let appointment = bits & 1 << 0 != 0 ? try string("visit appointment") : nil
        let discharge = bits & 1 << 1 != 0 ? try self.time("discharge", relativeTo: time) : nil
        let department = bits & 1 << 2 != 0 ? try string("department") : nil
        let diagnoses = bits & 1 << 3 != 0 ? try strings("diagnoses") : nil
        return Visit(kind: kind, department: department, diagnoses: diagnoses, appointment: appointment, discharge: discharge)
    }

    private mutating func appointment(time: EventTime) throws(EventCodecError) -> Appointment {
        let bits = try presence(0b1, "appointment")
        let id = try string("appointment id")
        let status = try code(AppointmentStatus.self)
        let scheduledFor = bits & 1 << 0 != 0 ? try self.time("scheduledFor", relativeTo: time) : nil
        return Appointment(appointment: id, status: status, scheduledFor: scheduledFor)
    }

    private mutating func message() throws(EventCodecError) -> Message {
        let bits = try presence(0b1111, "message")
        let id = try string("message id")
        let direction = try code(Direction.self)
        let channel = try code(Channel.self)
        let purpose = bits & 1 << 0 != 0 ? try code(Purpose.self) : nil
        let content = bits & 1 << 1 != 0 ? try string("message content") : nil
        let survey = bits & 1 << 2 != 0 ? try string("message survey") : nil
        var journeyStep: JourneyStep? = nil
        if bits & 1 << 3 != 0 {
            let journey = try string("journey")
            journeyStep = JourneyStep(journey: journey, step: try int("journey step"))
        }
        return Message(message: id, direction: direction, channel: channel, purpose: purpose,
                       content: content, survey: survey, journeyStep: journeyStep)
    }

    private mutating func read() throws(EventCodecError) -> Read {
        let bits = try presence(0b1, "read")
        let content = try string("read content")
        let message = bits & 1 << 0 != 0 ? try string("read message") : nil
        return Read(content: content, progress: try number("progress"), message: message)
    }

    private mutating func checkin() throws(EventCodecError) -> Checkin {
        let bits = try presence(0b1, "checkin")
        let metric = try code(Metric.self)
        let program = bits & 1 << 0 != 0 ? try string("checkin program") : nil
        let values: CheckinValues
        switch metric {
        case .bp:
            let systolic = try number("systolic")
            values = .bp(systolic: systolic, diastolic: try number("diastolic"))
        case .glucose: values = .glucose(mmol: try number("mmol"))
        case .weight: values = .weight(kg: try number("kg"))
        case .steps: values = .steps(count: try number("count"))
        case .heartrate: values = .heartrate(bpm: try number("bpm"))
        case .habit: values = .habit(done: try number("done"))
        }
        return Checkin(values: values, program: program)
    }

    private mutating func survey() throws(EventCodecError) -> Survey {
        let bits = try presence(0b11, "survey")
        let survey = try string("survey id")
        let message = bits & 1 << 0 != 0 ? try string("survey message") : nil
        let start = offset
        let count = try varint("answer count")
        // Each answer takes at least two bytes (item length, number head).
        guard count <= UInt64(remaining / 2) else {
            throw failure("truncated: \(count) answers claimed, \(remaining) bytes left", at: start)
        }
        var answers: [SurveyAnswer] = []
        answers.reserveCapacity(Swift.min(Int(count), 64))
        for _ in 0..<Int(count) {
            let item = try string("answer item")
            answers.append(SurveyAnswer(item: item, value: try number("answer value")))
        }
        let score = bits & 1 << 1 != 0 ? try number("survey score") : nil
        return Survey(survey: survey, answers: answers, score: score, message: message)
    }

    private mutating func dispense() throws(EventCodecError) -> Dispense {
        let days = try int("daysSupply")
        let therapeuticClass = try string("class")
        return Dispense(medication: try string("medication"), therapeuticClass: therapeuticClass, daysSupply: days)
    }

    mutating func consent() throws(EventCodecError) -> Consent {
        let scope = try code(ConsentScope.self)
        return Consent(scope: scope, granted: try bool("consent granted"))
    }

    private mutating func enroll() throws(EventCodecError) -> Enroll {
        let program = try string("enroll program")
        switch try code(EnrollmentKind.self) {
        case .checkin:
            let metric = try code(Metric.self)
            return Enroll(program: program, plan: .checkin(metric: metric, everyDays: try int("everyDays")))
        case .journey:
            return Enroll(program: program, plan: .journey)
        }
    }

    private mutating func tag() throws(EventCodecError) -> Tag {
        let op = try code(TagOperation.self)
        return Tag(tag: try string("tag"), op: op)
    }
}
