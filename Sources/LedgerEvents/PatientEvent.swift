/// One thing that happened between a clinic and a patient: the unit the
/// ledger stores (events.md).
///
/// A value type: build one, ``validate()`` it (``Ledger`` does so on every
/// append), append it. Fields are stored as given; codes (ICD-10) are
/// upper-cased by the JSON reader and by ``normalized()``.
///
/// ```swift
/// let event = PatientEvent(
///     patient: "P001",
///     time: try EventTime(parsing: "2026-01-02T09:00:00Z"),
///     body: .visit(Visit(kind: .outpatient, department: "endocrinology", diagnoses: ["E11.9"])))
/// ```
public struct PatientEvent: Sendable, Equatable {
    /// The patient: 1-64 characters of `A-Z a-z 0-9 . _ : -`.
    public var patient: String
    /// When it happened (not when it was stored), millisecond precision.
    public var time: EventTime
    /// Idempotency key, ledger-wide: an event whose `id` is already stored is
    /// acknowledged and not stored again.
    public var id: String?
    /// Who recorded it (staff id, system name), for audit.
    public var actor: String?
    /// What happened.
    public var body: EventBody

    public init(patient: String, time: EventTime, id: String? = nil, actor: String? = nil, body: EventBody) {
        self.patient = patient
        self.time = time
        self.id = id
        self.actor = actor
        self.body = body
    }

    /// The event's type.
    public var type: EventType { body.type }
}

/// The event types of events.md, with their stable binary codes.
public enum EventType: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case register = 1, visit, appointment, message, read, checkin, survey, dispense, consent, enroll, unenroll, tag, erase

    /// The `type` string of the JSON form.
    public var name: String { staticName.description }

    /// ``name`` as a StaticString (the one table of type names), for
    /// comparing bytes without building a String.
    var staticName: StaticString {
        switch self {
        case .register: "register"
        case .visit: "visit"
        case .appointment: "appointment"
        case .message: "message"
        case .read: "read"
        case .checkin: "checkin"
        case .survey: "survey"
        case .dispense: "dispense"
        case .consent: "consent"
        case .enroll: "enroll"
        case .unenroll: "unenroll"
        case .tag: "tag"
        case .erase: "erase"
        }
    }

    /// The type whose JSON `type` string is `name`, if any.
    public init?(name: String) {
        guard let found = EventType.allCases.first(where: { $0.name == name }) else { return nil }
        self = found
    }

    /// The JSON `type` string.
    public var description: String { name }
}

/// What an event says, by type.
public enum EventBody: Sendable, Equatable {
    case register(Register)
    case visit(Visit)
    case appointment(Appointment)
    case message(Message)
    case read(Read)
    case checkin(Checkin)
    case survey(Survey)
    case dispense(Dispense)
    case consent(Consent)
    case enroll(Enroll)
    case unenroll(Unenroll)
    case tag(Tag)
    /// The patient asked for their data to be erased: every event of theirs
    /// stored before this one disappears from every projection, query and
    /// dump; this record stays as the audit record.
    case erase
    /// A record written by a newer PatientLedger, of a type or type version
    /// this one does not know. Carried through `dump`, `verify` and stats;
    /// skipped by projections; never fatal.
    case unrecognized(UnrecognizedBody)

    /// The body's type; ``EventType/erase`` is never returned for
    /// ``unrecognized(_:)``, which has no known type.
    public var type: EventType {
        switch self {
        case .register: .register
        case .visit: .visit
        case .appointment: .appointment
        case .message: .message
        case .read: .read
        case .checkin: .checkin
        case .survey: .survey
        case .dispense: .dispense
        case .consent: .consent
        case .enroll: .enroll
        case .unenroll: .unenroll
        case .tag: .tag
        case .erase: .erase
        case .unrecognized(let u): EventType(rawValue: u.typeCode) ?? .erase
        }
    }
}

/// The undecoded body of a record from a newer format.
public struct UnrecognizedBody: Sendable, Equatable {
    /// The binary type code (1-13 are this version's ``EventType``s).
    public var typeCode: UInt8
    /// The type's body version.
    public var typeVersion: UInt8
    /// The encoded body bytes, as stored.
    public var bytes: [UInt8]

    public init(typeCode: UInt8, typeVersion: UInt8, bytes: [UInt8]) {
        self.typeCode = typeCode
        self.typeVersion = typeVersion
        self.bytes = bytes
    }
}

// MARK: - Bodies

public enum Sex: String, Sendable, CaseIterable { case female, male, other, unknown }

/// `register`: a patient joins the panel.
public struct Register: Sendable, Equatable {
    /// `female`, `male`, `other` or `unknown`.
    public var sex: Sex?
    /// 1900...2100.
    public var birthYear: Int?
    /// ICD-10 codes, upper-cased.
    public var conditions: [String]?
    public init(sex: Sex? = nil, birthYear: Int? = nil, conditions: [String]? = nil) {
        self.sex = sex; self.birthYear = birthYear; self.conditions = conditions
    }
}

public enum VisitKind: String, Sendable, CaseIterable { case outpatient, inpatient, emergency, telehealth, checkup }

/// `visit`: an encounter took place.
public struct Visit: Sendable, Equatable {
    /// The kind of encounter.
    public var kind: VisitKind
    /// Free text, 1-64 characters.
    public var department: String?
    /// ICD-10 codes, upper-cased.
    public var diagnoses: [String]?
    /// The appointment this visit fulfils.
    public var appointment: String?
    /// Inpatient discharge time, not before the event's time.
    public var discharge: EventTime?
    public init(kind: VisitKind, department: String? = nil, diagnoses: [String]? = nil, appointment: String? = nil, discharge: EventTime? = nil) {
        self.kind = kind; self.department = department; self.diagnoses = diagnoses
        self.appointment = appointment; self.discharge = discharge
    }
}

public enum AppointmentStatus: String, Sendable, CaseIterable { case scheduled, cancelled, noshow }

/// `appointment`: a visit was booked, cancelled or missed.
public struct Appointment: Sendable, Equatable {
    /// The appointment id (1-128 characters).
    public var appointment: String
    /// Booked, cancelled or missed.
    public var status: AppointmentStatus
    /// Required with `scheduled`, absent otherwise.
    public var scheduledFor: EventTime?
    public init(appointment: String, status: AppointmentStatus, scheduledFor: EventTime? = nil) {
        self.appointment = appointment; self.status = status; self.scheduledFor = scheduledFor
    }
}

public enum Direction: String, Sendable, CaseIterable { case outbound, inbound }
public enum Channel: String, Sendable, CaseIterable { case sms, wechat, app, email, phone }
public enum Purpose: String, Sendable, CaseIterable { case care, followup, education, reminder, survey, marketing }

/// The journey step a message carries out.
public struct JourneyStep: Sendable, Equatable, Hashable {
    /// The journey id (1-128 characters).
    public var journey: String
    /// >= 1.
    public var step: Int
    public init(journey: String, step: Int) { self.journey = journey; self.step = step }
}

/// `message`: a message was sent to or received from the patient.
public struct Message: Sendable, Equatable {
    /// The message id (1-128 characters).
    public var message: String
    /// To the patient (`outbound`) or from them (`inbound`).
    public var direction: Direction
    /// How it was sent.
    public var channel: Channel
    /// Required for outbound messages.
    public var purpose: Purpose?
    /// An education item the message carries.
    public var content: String?
    /// A survey the message asks the patient to fill.
    public var survey: String?
    /// The journey step it carries out (JSON keys `journey` and `step`).
    public var journeyStep: JourneyStep?
    public init(message: String, direction: Direction, channel: Channel, purpose: Purpose? = nil,
                content: String? = nil, survey: String? = nil, journeyStep: JourneyStep? = nil) {
        self.message = message; self.direction = direction; self.channel = channel; self.purpose = purpose
        self.content = content; self.survey = survey; self.journeyStep = journeyStep
    }
}

/// `read`: the patient opened an education item.
public struct Read: Sendable, Equatable {
    /// The content id (1-128 characters).
    public var content: String
    /// 0...1, share read or watched.
    public var progress: Double
    /// The message that carried it.
    public var message: String?
    public init(content: String, progress: Double, message: String? = nil) {
        self.content = content; self.progress = progress; self.message = message
    }
}

public enum Metric: String, Sendable, CaseIterable { case bp, glucose, weight, steps, heartrate, habit }

/// A check-in's measured values; the case names the metric.
public enum CheckinValues: Sendable, Equatable {
    /// mmHg: systolic 40...300, diastolic 20...200.
    case bp(systolic: Double, diastolic: Double)
    /// mmol/L, 0.5...60.
    case glucose(mmol: Double)
    /// kg, 0.5...500.
    case weight(kg: Double)
    /// 0...200000.
    case steps(count: Double)
    /// beats per minute, 20...300.
    case heartrate(bpm: Double)
    /// 0 or 1.
    case habit(done: Double)

    /// The metric these values measure.
    public var metric: Metric {
        switch self {
        case .bp: .bp
        case .glucose: .glucose
        case .weight: .weight
        case .steps: .steps
        case .heartrate: .heartrate
        case .habit: .habit
        }
    }

    /// The values by name, in the order events.md lists them.
    public var named: [(name: String, value: Double)] {
        switch self {
        case .bp(let s, let d): [("systolic", s), ("diastolic", d)]
        case .glucose(let v): [("mmol", v)]
        case .weight(let v): [("kg", v)]
        case .steps(let v): [("count", v)]
        case .heartrate(let v): [("bpm", v)]
        case .habit(let v): [("done", v)]
        }
    }
}

/// `checkin`: the patient reported a measurement or a habit.
public struct Checkin: Sendable, Equatable {
    /// The measured values; their case names the metric.
    public var values: CheckinValues
    /// Informational: a check-in counts for every current plan of its metric.
    public var program: String?
    /// The check-in's metric.
    public var metric: Metric { values.metric }
    public init(values: CheckinValues, program: String? = nil) {
        self.values = values; self.program = program
    }
}

/// One answer of a survey: an item id (1-64 characters) and a number.
public struct SurveyAnswer: Sendable, Equatable {
    /// The item id.
    public var item: String
    /// The answer.
    public var value: Double
    public init(item: String, value: Double) { self.item = item; self.value = value }
}

/// `survey`: the patient answered a survey.
public struct Survey: Sendable, Equatable {
    /// `phq9`, `satisfaction`, `nps`, or any other id.
    public var survey: String
    /// In the order given (dump keeps it).
    public var answers: [SurveyAnswer]
    /// phq9: the sum of the nine items; other surveys: their score; not
    /// allowed on satisfaction and nps.
    public var score: Double?
    /// The message that asked for it.
    public var message: String?
    public init(survey: String, answers: [SurveyAnswer], score: Double? = nil, message: String? = nil) {
        self.survey = survey; self.answers = answers; self.score = score; self.message = message
    }

    /// The answer to `item`, if given.
    public func answer(_ item: String) -> Double? { answers.first { $0.item == item }?.value }
}

/// `dispense`: a medication was dispensed.
public struct Dispense: Sendable, Equatable {
    /// Name or code.
    public var medication: String
    /// The therapeutic class used for adherence (`statin`, `ras`, ...);
    /// JSON key `class`.
    public var therapeuticClass: String
    /// 1...365.
    public var daysSupply: Int
    public init(medication: String, therapeuticClass: String, daysSupply: Int) {
        self.medication = medication; self.therapeuticClass = therapeuticClass; self.daysSupply = daysSupply
    }
}

public enum ConsentScope: String, Sendable, CaseIterable { case messaging, research, sharing }

/// `consent`: the patient granted or withdrew consent.
public struct Consent: Sendable, Equatable {
    /// What the consent is for.
    public var scope: ConsentScope
    /// Granted (true) or withdrawn (false).
    public var granted: Bool
    public init(scope: ConsentScope, granted: Bool) { self.scope = scope; self.granted = granted }
}

/// What an enrolment is in.
public enum EnrollmentPlan: Sendable, Equatable {
    /// A check-in plan: one check-in of `metric` expected every `everyDays` (1...365) days.
    case checkin(metric: Metric, everyDays: Int)
    /// A follow-up journey.
    case journey
}

/// `enroll`: the patient joined a program (a second enrol replaces the first).
public struct Enroll: Sendable, Equatable {
    /// The program id (1-128 characters).
    public var program: String
    /// A check-in plan or a journey.
    public var plan: EnrollmentPlan
    public init(program: String, plan: EnrollmentPlan) { self.program = program; self.plan = plan }
}

/// `unenroll`: the patient left a program.
public struct Unenroll: Sendable, Equatable {
    /// The program id (1-128 characters).
    public var program: String
    public init(program: String) { self.program = program }
}

public enum TagOperation: String, Sendable, CaseIterable { case add, remove }

/// `tag`: staff added or removed a manual tag.
public struct Tag: Sendable, Equatable {
    /// 1-64 characters, no whitespace; shown as `manual:<tag>`.
    public var tag: String
    /// Add or remove.
    public var op: TagOperation
    public init(tag: String, op: TagOperation) { self.tag = tag; self.op = op }
}
