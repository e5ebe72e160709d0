import LedgerEvents

/// The facts of one patient's events that the profile, tags and metrics
/// need, gathered in one pass over the events in order (by time, ties by
/// position), all at or before the as-of time.
///
/// Internal: ``PatientProjection`` derives everything public from it.
struct PatientHistory {
    /// A current enrolment: the day of its latest `enroll` and its plan.
    struct Enrolment {
        var day: Int64
        var plan: EnrollmentPlan
    }

    /// Whether any event counted (recognized or not).
    var exists = false

    var sex: Sex?
    var birthYear: Int?
    var conditions: Set<String> = []

    /// Visit times, ascending.
    var visitTimes: [EventTime] = []
    var visitsByKind: [VisitKind: Int] = [:]
    /// Appointment ids named by a visit.
    var attended: Set<String> = []
    /// The latest `appointment` event of each id.
    var appointments: [String: Appointment] = [:]

    var outbound = 0
    var inbound = 0
    var lastOutbound: EventTime?
    /// `content` ids of outbound messages.
    var delivered: Set<String> = []
    var followUps = FollowUpTracker()

    var readCount = 0
    /// The highest `progress` read of each content.
    var maxProgress: [String: Double] = [:]

    var checkinCount = 0
    var latestCheckins: [Metric: LatestCheckin] = [:]
    /// Check-in days per metric, ascending.
    var checkinDays: [Metric: [Int64]] = [:]

    var surveyCount = 0
    var latestSurveys: [String: LatestSurvey] = [:]
    /// The latest `phq9` survey, for the risk rules on `q9`.
    var latestPHQ9: Survey?

    /// Fills per therapeutic class, in order.
    var fills: [String: [ProportionOfDaysCovered.Fill]] = [:]

    var consent = ConsentState()
    var enrolments: [String: Enrolment] = [:]
    var manualTags: Set<String> = []

    /// The latest engagement event (`read`, `checkin`, `survey`, inbound
    /// `message`).
    var lastEngagement: EventTime?

    /// Folds `events`, which must be in order and at or before the as-of time.
    init(ordered events: some Sequence<PatientEventRecord>) {
        for record in events { add(record.event) }
    }

    private mutating func add(_ event: PatientEvent) {
        exists = true
        let time = event.time
        followUps.record(event)
        switch event.body {
        case .register(let r):
            if let s = r.sex { sex = s }
            if let y = r.birthYear { birthYear = y }
            for code in r.conditions ?? [] { conditions.insert(code.uppercased()) }
        case .visit(let v):
            visitTimes.append(time)
            visitsByKind[v.kind, default: 0] += 1
            for code in v.diagnoses ?? [] { conditions.insert(code.uppercased()) }
            if let id = v.appointment { attended.insert(id) }
        case .appointment(let a):
            appointments[a.appointment] = a
        case .message(let m):
            switch m.direction {
            case .outbound:
                outbound += 1
                lastOutbound = time
                if let content = m.content { delivered.insert(content) }
            case .inbound:
                inbound += 1
                lastEngagement = time
            }
        case .read(let r):
            readCount += 1
            maxProgress[r.content] = max(maxProgress[r.content] ?? r.progress, r.progress)
            lastEngagement = time
        case .checkin(let c):
            checkinCount += 1
            latestCheckins[c.metric] = LatestCheckin(time: time, values: c.values)
            checkinDays[c.metric, default: []].append(time.day)
            lastEngagement = time
        case .survey(let s):
            surveyCount += 1
            latestSurveys[s.survey] = LatestSurvey(time: time, score: LatestSurvey.score(of: s))
            if s.survey == "phq9" { latestPHQ9 = s }
            lastEngagement = time
        case .dispense(let d):
            fills[d.therapeuticClass, default: []].append(
                ProportionOfDaysCovered.Fill(medication: d.medication, day: time.day, daysSupply: d.daysSupply))
        case .consent(let c):
            consent[c.scope] = c.granted
        case .enroll(let e):
            enrolments[e.program] = Enrolment(day: time.day, plan: e.plan)
        case .unenroll(let u):
            enrolments[u.program] = nil
        case .tag(let t):
            switch t.op {
            case .add: manualTags.insert(t.tag)
            case .remove: manualTags.remove(t.tag)
            }
        case .erase, .unrecognized:
            break
        }
    }
}

extension PatientHistory {
    /// The events of `patient` in `records` that count as of `asOf`, in
    /// order: by time, ties by log position.
    ///
    /// Records of other patients are ignored. If `records` holds `erase`
    /// records (the facade's `events(of:)` already leaves them and what they
    /// hide out), only records stored after the last one count, whatever
    /// their times or the as-of time (events.md). Then only events with
    /// `time <= asOf` count.
    static func visible(_ records: [PatientEventRecord], patient: String, asOf: EventTime) -> [PatientEventRecord] {
        var lastErase: UInt64?
        for record in records where record.event.patient == patient && record.isErase {
            lastErase = max(lastErase ?? record.position, record.position)
        }
        return records.filter { record in
            record.event.patient == patient
                && record.event.time <= asOf
                && !record.isErase
                && (lastErase.map { record.position > $0 } ?? true)
        }.sorted { $0.precedes($1) }
    }
}

extension PatientEventRecord {
    var isErase: Bool {
        if case .erase = event.body { true } else { false }
    }
}
