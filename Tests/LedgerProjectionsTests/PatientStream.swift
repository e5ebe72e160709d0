import LedgerEvents
import LedgerProjections

/// An instant from RFC 3339 text, e.g. `t("2026-03-01T08:30:00Z")`.
func t(_ text: String) -> EventTime {
    do { return try EventTime(parsing: text) } catch { fatalError("bad test time \(text): \(error)") }
}

/// The UTC day number of a `YYYY-MM-DD` date.
func day(_ date: String) -> Int64 {
    let parts = date.split(separator: "-").map { Int64($0)! }
    return EventTimeFormat.days(year: parts[0], month: parts[1], day: parts[2])
}

/// One patient's events as the ledger would store them: each `add` takes the
/// next log position, whatever the event's time.
struct PatientStream {
    var patient = "P1"
    var records: [PatientEventRecord] = []
    var nextPosition: UInt64 = 100

    init(patient: String = "P1") { self.patient = patient }

    @discardableResult
    mutating func add(_ time: String, _ body: EventBody) -> PatientEventRecord {
        add(t(time), body)
    }

    @discardableResult
    mutating func add(_ time: EventTime, _ body: EventBody) -> PatientEventRecord {
        let record = PatientEventRecord(position: nextPosition, event: PatientEvent(patient: patient, time: time, body: body))
        nextPosition += 1
        records.append(record)
        return record
    }

    func projection(asOf: String) -> PatientProjection { projection(asOf: t(asOf)) }

    func projection(asOf: EventTime) -> PatientProjection {
        PatientProjection(patient: patient, events: records, asOf: asOf)
    }

    // Body builders.

    mutating func register(_ time: String, sex: Sex? = nil, birthYear: Int? = nil, conditions: [String]? = nil) {
        add(time, .register(Register(sex: sex, birthYear: birthYear, conditions: conditions)))
    }

    mutating func visit(_ time: String, kind: VisitKind = .outpatient, diagnoses: [String]? = nil, appointment: String? = nil) {
        add(time, .visit(Visit(kind: kind, diagnoses: diagnoses, appointment: appointment)))
    }

    mutating func appointment(_ time: String, _ id: String, _ status: AppointmentStatus, for scheduledFor: String? = nil) {
        add(time, .appointment(Appointment(appointment: id, status: status, scheduledFor: scheduledFor.map(t))))
    }

    mutating func outbound(_ time: String, _ id: String, purpose: Purpose = .followup, content: String? = nil, survey: String? = nil) {
        add(time, .message(Message(message: id, direction: .outbound, channel: .sms, purpose: purpose, content: content, survey: survey)))
    }

    mutating func inbound(_ time: String, _ id: String = "reply") {
        add(time, .message(Message(message: id, direction: .inbound, channel: .sms)))
    }

    mutating func read(_ time: String, _ content: String, progress: Double = 1, message: String? = nil) {
        add(time, .read(Read(content: content, progress: progress, message: message)))
    }

    mutating func checkin(_ time: String, _ values: CheckinValues) {
        add(time, .checkin(Checkin(values: values)))
    }

    mutating func glucose(_ time: String, _ mmol: Double = 7) { checkin(time, .glucose(mmol: mmol)) }

    mutating func bp(_ time: String, _ systolic: Double, _ diastolic: Double) {
        checkin(time, .bp(systolic: systolic, diastolic: diastolic))
    }

    mutating func survey(_ time: String, _ id: String, _ answers: [(String, Double)] = [], score: Double? = nil, message: String? = nil) {
        add(time, .survey(Survey(survey: id, answers: answers.map { SurveyAnswer(item: $0.0, value: $0.1) }, score: score, message: message)))
    }

    /// A phq9 answer with items q1...q9 as given.
    mutating func phq9(_ time: String, _ items: [Double], message: String? = nil) {
        precondition(items.count == 9)
        survey(time, "phq9", items.enumerated().map { ("q\($0.offset + 1)", $0.element) }, message: message)
    }

    /// A phq9 answer with the given total, q9 = 0.
    mutating func phq9(_ time: String, total: Int) {
        var items = [Double](repeating: 0, count: 9)
        var rest = total
        for i in 0..<8 where rest > 0 {
            items[i] = Double(min(3, rest))
            rest -= min(3, rest)
        }
        precondition(rest == 0, "phq9 total above 24 needs q9")
        phq9(time, items)
    }

    mutating func dispense(_ time: String, _ medication: String, class therapeuticClass: String = "diabetes", days: Int) {
        add(time, .dispense(Dispense(medication: medication, therapeuticClass: therapeuticClass, daysSupply: days)))
    }

    mutating func consent(_ time: String, _ scope: ConsentScope, _ granted: Bool) {
        add(time, .consent(Consent(scope: scope, granted: granted)))
    }

    mutating func enroll(_ time: String, _ program: String, _ plan: EnrollmentPlan) {
        add(time, .enroll(Enroll(program: program, plan: plan)))
    }

    mutating func unenroll(_ time: String, _ program: String) {
        add(time, .unenroll(Unenroll(program: program)))
    }

    mutating func tag(_ time: String, _ tag: String, _ op: TagOperation = .add) {
        add(time, .tag(Tag(tag: tag, op: op)))
    }
}

/// Whether `a` and `b` agree to 5 decimals (the precision metrics.md prints).
func close(_ a: Double?, _ b: Double) -> Bool {
    guard let a else { return false }
    return abs(a - b) < 0.000005
}

extension PatientProjection {
    /// The tags of one family, e.g. `tags("activity:")`.
    func tags(_ prefix: String) -> [String] { tags.filter { $0.hasPrefix(prefix) } }
}
