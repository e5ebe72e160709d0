// Body layouts of format 1 (Docs/EventCodec.md, "Bodies"), written.
// In each body the fields that stay in the clear come first; those a sealed
// version would encrypt (marked "sealed later") come last.

extension PayloadWriter {
    /// Writes the body of one event; `time` is the event's time, the base of
    /// its relative times.
    mutating func body(_ body: EventBody, time: EventTime) {
        switch body {
        case .register(let r): register(r)
        case .visit(let v): visit(v, time: time)
        case .appointment(let a): appointment(a, time: time)
        case .message(let m): message(m)
        case .read(let r): read(r)
        case .checkin(let c): checkin(c)
        case .survey(let s): survey(s)
        case .dispense(let d): dispense(d)
        case .consent(let c): consent(c)
        case .enroll(let e): enroll(e)
        case .unenroll(let u): string(u.program)
        case .tag(let t): tag(t)
        case .erase: break
        case .unrecognized(let u): u.bytes.withUnsafeBufferPointer { raw($0) }
        }
    }

    private mutating func register(_ r: Register) {
        var flags: UInt8 = 0
        if r.sex != nil { flags |= 1 << 0 }
        if r.birthYear != nil { flags |= 1 << 1 }
        if r.conditions != nil { flags |= 1 << 2 }
        byte(flags)
        if let sex = r.sex { byte(sex.wireCode) }
        if let year = r.birthYear { int(year) }
        if let conditions = r.conditions { strings(conditions) }
    }

    private mutating func visit(_ v: Visit, time: EventTime) {
        var flags: UInt8 = 0
        if v.appointment != nil { flags |= 1 << 0 }
        if v.discharge != nil { flags |= 1 << 1 }
        if v.department != nil { flags |= 1 << 2 }
        if v.diagnoses != nil { flags |= 1 << 3 }
        byte(flags)
        byte(v.kind.wireCode)
        if let appointment = v.appointment { string(appointment) }
        if let discharge = v.discharge { self.time(discharge, relativeTo: time) }
        if let department = v.department { string(department) }
        if let diagnoses = v.diagnoses { strings(diagnoses) }
    }

    private mutating func appointment(_ a: Appointment, time: EventTime) {
        byte(a.scheduledFor != nil ? 1 : 0)
        string(a.appointment)
        byte(a.status.wireCode)
        if let scheduledFor = a.scheduledFor { self.time(scheduledFor, relativeTo: time) }
    }

    private mutating func message(_ m: Message) {
        var flags: UInt8 = 0
        if m.purpose != nil { flags |= 1 << 0 }
        if m.content != nil { flags |= 1 << 1 }
        if m.survey != nil { flags |= 1 << 2 }
        if m.journeyStep != nil { flags |= 1 << 3 }
        byte(flags)
        string(m.message)
        byte(m.direction.wireCode)
        byte(m.channel.wireCode)
        if let purpose = m.purpose { byte(purpose.wireCode) }
        if let content = m.content { string(content) }
        if let survey = m.survey { string(survey) }
        if let step = m.journeyStep {
            string(step.journey)
            int(step.step)
        }
    }

    private mutating func read(_ r: Read) {
        byte(r.message != nil ? 1 : 0)
        string(r.content)
        if let message = r.message { string(message) }
        number(r.progress)
    }

    private mutating func checkin(_ c: Checkin) {
        byte(c.program != nil ? 1 : 0)
        byte(c.values.metric.wireCode)
        if let program = c.program { string(program) }
        switch c.values {
        case .bp(let systolic, let diastolic):
            number(systolic)
            number(diastolic)
        case .glucose(let v), .weight(let v), .steps(let v), .heartrate(let v), .habit(let v):
            number(v)
        }
    }

    private mutating func survey(_ s: Survey) {
        var flags: UInt8 = 0
        if s.message != nil { flags |= 1 << 0 }
        if s.score != nil { flags |= 1 << 1 }
        byte(flags)
        string(s.survey)
        if let message = s.message { string(message) }
        varint(UInt64(s.answers.count))
        for answer in s.answers {
            string(answer.item)
            number(answer.value)
        }
        if let score = s.score { number(score) }
    }

    private mutating func dispense(_ d: Dispense) {
        int(d.daysSupply)
        string(d.therapeuticClass)
        string(d.medication)
    }

    private mutating func consent(_ c: Consent) {
        byte(c.scope.wireCode)
        byte(c.granted ? 1 : 0)
    }

    private mutating func enroll(_ e: Enroll) {
        string(e.program)
        switch e.plan {
        case .checkin(let metric, let everyDays):
            byte(EnrollmentKind.checkin.wireCode)
            byte(metric.wireCode)
            int(everyDays)
        case .journey:
            byte(EnrollmentKind.journey.wireCode)
        }
    }

    private mutating func tag(_ t: Tag) {
        byte(t.op.wireCode)
        string(t.tag)
    }
}
