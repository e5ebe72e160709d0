/// Every key of events.md's JSON form (and of the `unrecognized` dump
/// form), with its bit in a 64-bit key set and the JSON shape of its value.
enum EventJSONKey: UInt8, CaseIterable {
    // Common keys.
    case type, patient, time, id, actor
    // register
    case sex, birthYear, conditions
    // visit
    case kind, department, diagnoses, appointment, discharge
    // appointment
    case status, scheduledFor
    // message
    case message, direction, channel, purpose, content, survey, journey, step
    // read
    case progress
    // checkin
    case metric, values, program
    // survey
    case answers, score
    // dispense
    case medication, therapeuticClass, daysSupply
    // consent
    case scope, granted
    // enroll
    case everyDays
    // tag
    case tag, op
    // The dump form of a record of an unrecognized type.
    case typeCode, typeVersion, body

    /// The JSON shape a key's value must have.
    enum Shape { case string, strings, int, number, bool, object, any }

    @inline(__always) var bit: UInt64 { 1 << UInt64(rawValue) }

    /// The number of keys (all fit in a 64-bit set).
    static let count = Int(EventJSONKey.body.rawValue) + 1

    /// The keys an `enroll` of kind `checkin` requires and of kind `journey` refuses.
    static let checkinPlanKeys: [EventJSONKey] = [.metric, .everyDays]

    var name: StaticString {
        switch self {
        case .type: "type"
        case .patient: "patient"
        case .time: "time"
        case .id: "id"
        case .actor: "actor"
        case .sex: "sex"
        case .birthYear: "birthYear"
        case .conditions: "conditions"
        case .kind: "kind"
        case .department: "department"
        case .diagnoses: "diagnoses"
        case .appointment: "appointment"
        case .discharge: "discharge"
        case .status: "status"
        case .scheduledFor: "scheduledFor"
        case .message: "message"
        case .direction: "direction"
        case .channel: "channel"
        case .purpose: "purpose"
        case .content: "content"
        case .survey: "survey"
        case .journey: "journey"
        case .step: "step"
        case .progress: "progress"
        case .metric: "metric"
        case .values: "values"
        case .program: "program"
        case .answers: "answers"
        case .score: "score"
        case .medication: "medication"
        case .therapeuticClass: "class"
        case .daysSupply: "daysSupply"
        case .scope: "scope"
        case .granted: "granted"
        case .everyDays: "everyDays"
        case .tag: "tag"
        case .op: "op"
        case .typeCode: "typeCode"
        case .typeVersion: "typeVersion"
        case .body: "body"
        }
    }

    var shape: Shape {
        switch self {
        case .conditions, .diagnoses: .strings
        case .birthYear, .step, .daysSupply, .everyDays: .int
        case .progress, .score: .number
        case .granted: .bool
        case .values, .answers: .object
        case .typeCode, .typeVersion, .body: .any
        default: .string
        }
    }

    /// The key spelled by `n` bytes at `p`, or nil.
    @inline(__always)
    static func lookup(_ p: UnsafePointer<UInt8>, _ n: Int) -> EventJSONKey? {
        @inline(__always) func isName(_ key: EventJSONKey) -> EventJSONKey? {
            let name = key.name
            guard name.utf8CodeUnitCount == n else { return nil }
            let q = name.utf8Start
            for i in 1..<n where p[i] != q[i] { return nil }
            return key
        }
        guard n >= 2 else { return nil }
        // Length and first byte leave at most three candidates.
        switch (n, p[0]) {
        case (2, UInt8(ascii: "i")): return isName(.id)
        case (2, UInt8(ascii: "o")): return isName(.op)
        case (3, UInt8(ascii: "s")): return isName(.sex)
        case (3, UInt8(ascii: "t")): return isName(.tag)
        case (4, UInt8(ascii: "t")): return isName(.type) ?? isName(.time)
        case (4, UInt8(ascii: "k")): return isName(.kind)
        case (4, UInt8(ascii: "s")): return isName(.step)
        case (4, UInt8(ascii: "b")): return isName(.body)
        case (5, UInt8(ascii: "a")): return isName(.actor)
        case (5, UInt8(ascii: "c")): return isName(.therapeuticClass)
        case (5, UInt8(ascii: "s")): return isName(.scope) ?? isName(.score)
        case (6, UInt8(ascii: "s")): return isName(.status) ?? isName(.survey)
        case (6, UInt8(ascii: "m")): return isName(.metric)
        case (6, UInt8(ascii: "v")): return isName(.values)
        case (7, UInt8(ascii: "p")): return isName(.patient) ?? isName(.purpose) ?? isName(.program)
        case (7, UInt8(ascii: "m")): return isName(.message)
        case (7, UInt8(ascii: "c")): return isName(.channel) ?? isName(.content)
        case (7, UInt8(ascii: "a")): return isName(.answers)
        case (7, UInt8(ascii: "g")): return isName(.granted)
        case (7, UInt8(ascii: "j")): return isName(.journey)
        case (8, UInt8(ascii: "p")): return isName(.progress)
        case (8, UInt8(ascii: "t")): return isName(.typeCode)
        case (9, UInt8(ascii: "b")): return isName(.birthYear)
        case (9, UInt8(ascii: "d")): return isName(.diagnoses) ?? isName(.discharge) ?? isName(.direction)
        case (9, UInt8(ascii: "e")): return isName(.everyDays)
        case (10, UInt8(ascii: "c")): return isName(.conditions)
        case (10, UInt8(ascii: "d")): return isName(.department) ?? isName(.daysSupply)
        case (10, UInt8(ascii: "m")): return isName(.medication)
        case (11, UInt8(ascii: "a")): return isName(.appointment)
        case (11, UInt8(ascii: "t")): return isName(.typeVersion)
        case (12, UInt8(ascii: "s")): return isName(.scheduledFor)
        default: return nil
        }
    }
}

extension EventType {
    /// The keys an event of this type may have beyond the common ones, in
    /// the order of events.md's table (the order `dump` writes them).
    var jsonKeys: [EventJSONKey] {
        switch self {
        case .register: [.sex, .birthYear, .conditions]
        case .visit: [.kind, .department, .diagnoses, .appointment, .discharge]
        case .appointment: [.appointment, .status, .scheduledFor]
        case .message: [.message, .direction, .channel, .purpose, .content, .survey, .journey, .step]
        case .read: [.content, .progress, .message]
        case .checkin: [.metric, .values, .program]
        case .survey: [.survey, .answers, .score, .message]
        case .dispense: [.medication, .therapeuticClass, .daysSupply]
        case .consent: [.scope, .granted]
        case .enroll: [.program, .kind, .metric, .everyDays]
        case .unenroll: [.program]
        case .tag: [.tag, .op]
        case .erase: []
        }
    }

    /// The set of keys an event of this type may have (common keys included).
    var allowedJSONKeys: UInt64 {
        let common = EventJSONKey.type.bit | EventJSONKey.patient.bit | EventJSONKey.time.bit
            | EventJSONKey.id.bit | EventJSONKey.actor.bit
        return switch self {
        case .register: common | EventJSONKey.sex.bit | EventJSONKey.birthYear.bit | EventJSONKey.conditions.bit
        case .visit: common | EventJSONKey.kind.bit | EventJSONKey.department.bit | EventJSONKey.diagnoses.bit
            | EventJSONKey.appointment.bit | EventJSONKey.discharge.bit
        case .appointment: common | EventJSONKey.appointment.bit | EventJSONKey.status.bit | EventJSONKey.scheduledFor.bit
        case .message: common | EventJSONKey.message.bit | EventJSONKey.direction.bit | EventJSONKey.channel.bit
            | EventJSONKey.purpose.bit | EventJSONKey.content.bit | EventJSONKey.survey.bit
            | EventJSONKey.journey.bit | EventJSONKey.step.bit
        case .read: common | EventJSONKey.content.bit | EventJSONKey.progress.bit | EventJSONKey.message.bit
        case .checkin: common | EventJSONKey.metric.bit | EventJSONKey.values.bit | EventJSONKey.program.bit
        case .survey: common | EventJSONKey.survey.bit | EventJSONKey.answers.bit | EventJSONKey.score.bit
            | EventJSONKey.message.bit
        case .dispense: common | EventJSONKey.medication.bit | EventJSONKey.therapeuticClass.bit
            | EventJSONKey.daysSupply.bit
        case .consent: common | EventJSONKey.scope.bit | EventJSONKey.granted.bit
        case .enroll: common | EventJSONKey.program.bit | EventJSONKey.kind.bit | EventJSONKey.metric.bit
            | EventJSONKey.everyDays.bit
        case .unenroll: common | EventJSONKey.program.bit
        case .tag: common | EventJSONKey.tag.bit | EventJSONKey.op.bit
        case .erase: common
        }
    }

    /// The type's required keys beyond `type`, `patient` and `time` (the
    /// conditional ones are checked where their rule lives).
    var requiredJSONKeys: UInt64 {
        switch self {
        case .register, .erase: 0
        case .visit: EventJSONKey.kind.bit
        case .appointment: EventJSONKey.appointment.bit | EventJSONKey.status.bit
        case .message: EventJSONKey.message.bit | EventJSONKey.direction.bit | EventJSONKey.channel.bit
        case .read: EventJSONKey.content.bit | EventJSONKey.progress.bit
        case .checkin: EventJSONKey.metric.bit | EventJSONKey.values.bit
        case .survey: EventJSONKey.survey.bit | EventJSONKey.answers.bit
        case .dispense: EventJSONKey.medication.bit | EventJSONKey.therapeuticClass.bit | EventJSONKey.daysSupply.bit
        case .consent: EventJSONKey.scope.bit | EventJSONKey.granted.bit
        case .enroll: EventJSONKey.program.bit | EventJSONKey.kind.bit
        case .unenroll: EventJSONKey.program.bit
        case .tag: EventJSONKey.tag.bit | EventJSONKey.op.bit
        }
    }
}
