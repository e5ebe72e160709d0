import LedgerEvents

/// What the ledger knows about one patient as of a time: the profile of
/// metrics.md, field for field (the `ledger patient --json` object of
/// cli.md, less `patient`, `asOf`, `tags` and `adherence`).
///
/// Lists of codes, groups, ids and programs are sorted by Unicode code
/// point. Built by ``PatientProjection``; a plain value otherwise.
public struct PatientProfile: Sendable, Equatable {
    /// From the latest `register` that has it.
    public var sex: Sex?
    /// From the latest `register` that has it.
    public var birthYear: Int?
    /// Upper-cased ICD-10 codes of every `register.conditions` and
    /// `visit.diagnoses`, deduplicated as strings (`E11.9` and `E119` are
    /// two), sorted.
    public var conditions: [String]
    /// The groups any condition falls in, sorted by name.
    public var conditionGroups: [ConditionGroup]
    /// Count, first and last time, count per kind.
    public var visits: VisitSummary
    /// Appointment ids by latest status, and those attended.
    public var appointments: AppointmentSummary
    /// The earliest `scheduledFor` after the as-of time among appointments
    /// whose latest status is `scheduled` and that no visit names.
    public var nextAppointment: EventTime?
    /// Outbound and inbound counts, last outbound time.
    public var messages: MessageSummary
    /// Read events, contents read, contents completed.
    public var reads: ReadSummary
    /// Check-in count and the latest per metric.
    public var checkins: CheckinSummary
    /// Survey count and the latest per survey id.
    public var surveys: SurveySummary
    /// Consent per scope.
    public var consent: ConsentState
    /// Programs currently enrolled (an `enroll` not followed by `unenroll`), sorted.
    public var programs: [String]
    /// The manual tags after applying every `tag` add and remove in order,
    /// sorted (shown in the tag set as `manual:<tag>`).
    public var manualTags: [String]

    /// A profile from its values (a checkpoint's, or a test's); the defaults
    /// are the profile of a patient without events.
    public init(sex: Sex? = nil, birthYear: Int? = nil, conditions: [String] = [], conditionGroups: [ConditionGroup] = [],
                visits: VisitSummary = VisitSummary(), appointments: AppointmentSummary = AppointmentSummary(),
                nextAppointment: EventTime? = nil, messages: MessageSummary = MessageSummary(),
                reads: ReadSummary = ReadSummary(), checkins: CheckinSummary = CheckinSummary(),
                surveys: SurveySummary = SurveySummary(), consent: ConsentState = ConsentState(),
                programs: [String] = [], manualTags: [String] = []) {
        self.sex = sex; self.birthYear = birthYear; self.conditions = conditions
        self.conditionGroups = conditionGroups; self.visits = visits; self.appointments = appointments
        self.nextAppointment = nextAppointment; self.messages = messages; self.reads = reads
        self.checkins = checkins; self.surveys = surveys; self.consent = consent
        self.programs = programs; self.manualTags = manualTags
    }
}

/// The `visits` of a profile.
public struct VisitSummary: Sendable, Equatable {
    /// Visits at or before T.
    public var count: Int
    /// The earliest visit's time; nil without visits.
    public var first: EventTime?
    /// The latest visit's time; nil without visits.
    public var last: EventTime?
    /// The number of visits of each kind seen.
    public var byKind: [VisitKind: Int]

    /// A summary from its values.
    public init(count: Int = 0, first: EventTime? = nil, last: EventTime? = nil, byKind: [VisitKind: Int] = [:]) {
        self.count = count; self.first = first; self.last = last; self.byKind = byKind
    }
}

/// The `appointments` of a profile: appointment ids, each list sorted.
public struct AppointmentSummary: Sendable, Equatable {
    /// Ids whose latest status is `scheduled` (attended ones included).
    public var scheduled: [String]
    /// Ids named by any visit, with or without an appointment event.
    public var attended: [String]
    /// Ids whose latest status is `noshow`.
    public var noshow: [String]
    /// Ids whose latest status is `cancelled`.
    public var cancelled: [String]

    /// A summary from its values (each list sorted by code point).
    public init(scheduled: [String] = [], attended: [String] = [], noshow: [String] = [], cancelled: [String] = []) {
        self.scheduled = scheduled; self.attended = attended; self.noshow = noshow; self.cancelled = cancelled
    }
}

/// The `messages` of a profile.
public struct MessageSummary: Sendable, Equatable {
    /// Messages to the patient.
    public var outbound: Int
    /// Messages from the patient.
    public var inbound: Int
    /// The latest outbound message's time.
    public var lastOutbound: EventTime?

    /// A summary from its values.
    public init(outbound: Int = 0, inbound: Int = 0, lastOutbound: EventTime? = nil) {
        self.outbound = outbound; self.inbound = inbound; self.lastOutbound = lastOutbound
    }
}

/// The `reads` of a profile.
public struct ReadSummary: Sendable, Equatable {
    /// `read` events.
    public var count: Int
    /// Distinct contents read, delivered or not.
    public var contents: Int
    /// Distinct contents whose maximum progress is at least 0.9.
    public var completed: Int

    /// A summary from its values.
    public init(count: Int = 0, contents: Int = 0, completed: Int = 0) {
        self.count = count; self.contents = contents; self.completed = completed
    }
}

/// The `checkins` of a profile.
public struct CheckinSummary: Sendable, Equatable {
    /// `checkin` events.
    public var count: Int
    /// The latest check-in of each metric reported.
    public var latest: [Metric: LatestCheckin]

    /// A summary from its values.
    public init(count: Int = 0, latest: [Metric: LatestCheckin] = [:]) {
        self.count = count; self.latest = latest
    }
}

/// The latest check-in of one metric.
public struct LatestCheckin: Sendable, Equatable {
    /// When it was reported.
    public var time: EventTime
    /// Its values (``LedgerEvents/CheckinValues/named`` gives them by name).
    public var values: CheckinValues

    /// A check-in from its values.
    public init(time: EventTime, values: CheckinValues) {
        self.time = time; self.values = values
    }
}

/// The `surveys` of a profile.
public struct SurveySummary: Sendable, Equatable {
    /// `survey` events.
    public var count: Int
    /// The latest answer of each survey id.
    public var latest: [String: LatestSurvey]

    /// A summary from its values.
    public init(count: Int = 0, latest: [String: LatestSurvey] = [:]) {
        self.count = count; self.latest = latest
    }
}

/// The latest answer of one survey.
public struct LatestSurvey: Sendable, Equatable {
    /// When it was answered.
    public var time: EventTime
    /// phq9: the sum of q1...q9; satisfaction and nps: `answers.score`;
    /// others: the event's `score`, nil when not given.
    public var score: Double?

    /// An answer from its values.
    public init(time: EventTime, score: Double?) {
        self.time = time; self.score = score
    }

    /// The score metrics.md gives a `survey` event.
    static func score(of survey: some SurveyFields) -> Double? {
        switch survey.survey {
        case "phq9":
            survey.answerList.reduce(0) { sum, answer in
                phq9Items.contains(answer.item) ? sum + answer.value : sum
            }
        case "satisfaction", "nps":
            survey.answer("score")
        default:
            survey.score
        }
    }

    private static let phq9Items: Set<String> = ["q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9"]
}

/// The `consent` of a profile: the latest `consent` of each scope, or its default.
public struct ConsentState: Sendable, Equatable {
    /// Default true.
    public var messaging: Bool
    /// Default false.
    public var research: Bool
    /// Default false.
    public var sharing: Bool

    /// Consent from its values; the defaults are those of metrics.md.
    public init(messaging: Bool = true, research: Bool = false, sharing: Bool = false) {
        self.messaging = messaging; self.research = research; self.sharing = sharing
    }

    /// Whether `scope` is granted.
    public subscript(scope: ConsentScope) -> Bool {
        get {
            switch scope {
            case .messaging: messaging
            case .research: research
            case .sharing: sharing
            }
        }
        set {
            switch scope {
            case .messaging: messaging = newValue
            case .research: research = newValue
            case .sharing: sharing = newValue
            }
        }
    }
}
