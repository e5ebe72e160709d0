import LedgerEvents

/// Where an event stands in the projections' order: by time, ties by log
/// position (metrics.md: "latest" and "in order" mean exactly this).
struct Stamp: Comparable, Hashable, Sendable {
    var time: Int64
    var position: UInt64

    init(time: Int64, position: UInt64) { self.time = time; self.position = position }

    static func < (a: Stamp, b: Stamp) -> Bool {
        a.time != b.time ? a.time < b.time : a.position < b.position
    }
}

/// A value with the stamp of the event that set it: the latest wins.
struct Stamped<Value: Equatable & Sendable>: Equatable, Sendable {
    var stamp: Stamp
    var value: Value

    /// Keeps the value of the later event.
    static func latest(_ current: Stamped?, _ candidate: Stamped) -> Stamped {
        guard let current, candidate.stamp < current.stamp else { return candidate }
        return current
    }

    /// Keeps the value of the later event in `slot`: ``latest(_:_:)`` in
    /// place, so a dictionary entry is looked up once (`&table[key]`).
    static func keepLatest(_ slot: inout Stamped?, _ candidate: Stamped) {
        if let current = slot, candidate.stamp < current.stamp { return }
        slot = candidate
    }
}

extension Array {
    /// Inserts `element` after every element not greater than it (by `key`),
    /// keeping the array sorted and equal elements in insertion order. O(1)
    /// for an element at or past the end, the common case.
    mutating func insertSorted<Key: Comparable>(_ element: Element, by key: (Element) -> Key) {
        let k = key(element)
        if let last, key(last) > k {
            var low = 0, high = count
            while low < high {
                let mid = (low + high) / 2
                if key(self[mid]) <= k { low = mid + 1 } else { high = mid }
            }
            insert(element, at: low)
        } else {
            append(element)
        }
    }
}

/// A container that empties keeping its memory: what
/// ``PatientHistory/removeAll()`` reuses.
protocol ReusableStorage {
    var isEmpty: Bool { get }
    mutating func removeAll(keepingCapacity: Bool)
}

extension ReusableStorage {
    /// Empties the container, keeping its memory. Most of a history's
    /// are empty already (a patient's events fill few of them), and
    /// emptying one is a generic replacement of a subrange: it is skipped
    /// then.
    mutating func removeAllKeepingMemory() {
        if !isEmpty { removeAll(keepingCapacity: true) }
    }
}

extension Array: ReusableStorage {}
extension StringMap: ReusableStorage {}
extension StringSet: ReusableStorage {}
extension CaseMap: ReusableStorage {}

extension StringMap {
    /// Keeps the value of the later event for `key`: ``Stamped/keepLatest(_:_:)``
    /// with one search.
    mutating func keepLatest<T>(_ key: some StringMapKey, _ candidate: Value) where Value == Stamped<T> {
        update(key, orInsert: { candidate }) { current in
            if !(candidate.stamp < current.stamp) { current = candidate }
        }
    }
}

/// The facts of one patient's events that the profile, tags and metrics
/// need.
///
/// **Order-independent.** Folding the same events in any order gives the
/// same history: what metrics.md calls "the latest" is kept with the stamp
/// (time, position) of the event that set it and replaced only by a later
/// one; lists are kept sorted; the rest are counts, sets and maxima. So a
/// history can take events in log order, late arrivals included, and equals
/// the history of the events sorted by time: a checkpoint of it stays exact
/// whatever arrives later.
///
/// **As of T.** A history of every event of a patient answers any as-of
/// time at or after ``latest`` (the windows of metrics.md all end at T and
/// only look back). For an earlier T, fold the events with `time <= T`.
///
/// Internal: ``PatientProjection`` derives everything public from it, and
/// ``PatientState`` stores it.
struct PatientHistory: Equatable, Sendable {
    /// A current enrolment: the day of its latest `enroll` and its plan.
    struct Enrolment: Equatable, Sendable {
        var day: Int64
        var plan: EnrollmentPlan
    }

    /// The latest event folded; nil when none was.
    var latest: Stamp?
    /// Whether any event counted (recognized or not).
    var exists: Bool { latest != nil }

    var sex: Stamped<Sex>?
    var birthYear: Stamped<Int>?
    var conditions = StringSet()

    /// Visit times, ascending.
    var visitTimes: [EventTime] = []
    var visitsByKind = CaseMap<VisitKind, Int>()
    /// Appointment ids named by a visit.
    var attended = StringSet()
    /// The latest `appointment` event of each id.
    var appointments = StringMap<Stamped<Appointment>>()

    var outbound = 0
    var inbound = 0
    var lastOutbound: EventTime?
    /// `content` ids of outbound messages.
    var delivered = StringSet()
    var followUps = FollowUpTracker()

    var readCount = 0
    /// The highest `progress` read of each content.
    var maxProgress = StringMap<Double>()

    var checkinCount = 0
    var latestCheckins = CaseMap<Metric, Stamped<LatestCheckin>>()
    /// Check-in days per metric, ascending.
    var checkinDays = CaseMap<Metric, [Int64]>()

    var surveyCount = 0
    var latestSurveys = StringMap<Stamped<LatestSurvey>>()
    /// The `q9` answer of the latest `phq9` survey (nil inside when it has
    /// none), for the risk rules.
    var latestPHQ9q9: Stamped<Double?>?

    /// Fills per therapeutic class, by stamp.
    var fills = StringMap<[Stamped<ProportionOfDaysCovered.Fill>]>()

    /// The latest `consent` event of each scope (the defaults of
    /// metrics.md apply to scopes without one).
    var consentGiven = CaseMap<ConsentScope, Stamped<Bool>>()
    /// The latest `enroll` (the enrolment) or `unenroll` (nil) of each program.
    var enrolmentChanges = StringMap<Stamped<Enrolment?>>()
    /// The latest `tag` operation of each tag: whether it added it.
    var tagChanges = StringMap<Stamped<Bool>>()

    /// The latest engagement event (`read`, `checkin`, `survey`, inbound
    /// `message`).
    var lastEngagement: EventTime?

    init() {}

    /// Folds `events`, in any order.
    init(_ events: some Sequence<PatientEventRecord>) {
        for record in events { add(record) }
    }

    /// Forgets every event (`== PatientHistory()`), keeping the memory of
    /// its lists and maps for the next patient's: what a replay folding
    /// patient after patient into one history reuses
    /// (``PatientProjections``' closing fold).
    ///
    /// Every property starts afresh from ``init()``; the containers below
    /// are then handed over emptied, their memory kept (a property left
    /// out here is still reset, only without its memory reused).
    mutating func removeAll() {
        var empty = PatientHistory()
        func reuse<C: ReusableStorage>(_ target: inout C, _ source: inout C) {
            swap(&target, &source)
            target.removeAllKeepingMemory()
        }
        reuse(&empty.conditions, &conditions)
        reuse(&empty.visitTimes, &visitTimes)
        reuse(&empty.visitsByKind, &visitsByKind)
        reuse(&empty.attended, &attended)
        reuse(&empty.appointments, &appointments)
        reuse(&empty.delivered, &delivered)
        reuse(&empty.maxProgress, &maxProgress)
        reuse(&empty.latestCheckins, &latestCheckins)
        reuse(&empty.checkinDays, &checkinDays)
        reuse(&empty.latestSurveys, &latestSurveys)
        reuse(&empty.fills, &fills)
        reuse(&empty.consentGiven, &consentGiven)
        reuse(&empty.enrolmentChanges, &enrolmentChanges)
        reuse(&empty.tagChanges, &tagChanges)
        swap(&empty.followUps, &followUps)
        empty.followUps.removeAll()
        self = empty
    }

    var consent: ConsentState {
        var state = ConsentState()
        for (scope, given) in consentGiven { state[scope] = given.value }
        return state
    }

    /// The programs currently enrolled (their latest change an `enroll`),
    /// in code-point order.
    var enrolledPrograms: [String] {
        enrolmentChanges.compactMap { $0.value.value == nil ? nil : $0.key }
    }

    /// The manual tags currently on (their latest operation an add), in
    /// code-point order; each once, as keys of ``tagChanges``.
    var manualTags: [String] {
        tagChanges.compactMap { $0.value.value ? $0.key : nil }
    }

    var latestPHQ9Score: Double? { latestSurveys["phq9"]?.value.score }

    /// `value = max(value, candidate)`, with one access (one lookup
    /// through `&map[key, default: ...]`).
    private static func raise<T: Comparable>(_ value: inout T, to candidate: T) {
        if candidate > value { value = candidate }
    }

    /// Adds one event, whatever the order.
    mutating func add(_ record: PatientEventRecord) {
        add(record.event.body, time: record.event.time, position: record.position)
    }

    /// Adds the event with this body, time and log position, whatever the
    /// order: what ``add(_:)`` does. The body is all the fold reads of an
    /// event besides its time and position.
    mutating func add(_ body: EventBody, time: EventTime, position: UInt64) {
        let stamp = see(time: time, position: position)
        switch body {
        case .register(let r): fold(register: r, stamp: stamp)
        case .visit(let v): fold(visit: v, time: time)
        case .appointment(let a): fold(appointment: a, stamp: stamp)
        case .message(let m): fold(message: m, time: time, stamp: stamp)
        case .read(let r): fold(read: r, time: time)
        case .checkin(let c): fold(checkin: c.values, time: time, stamp: stamp)
        case .survey(let s): fold(survey: s, time: time, stamp: stamp)
        case .dispense(let d): fold(dispense: d, time: time, stamp: stamp)
        case .consent(let c): fold(consent: c, stamp: stamp)
        case .enroll(let e): fold(enroll: e, time: time, stamp: stamp)
        case .unenroll(let u): fold(unenroll: u, stamp: stamp)
        case .tag(let t): fold(tag: t, stamp: stamp)
        case .erase, .unrecognized: break
        }
    }

    /// ``add(_:time:position:)`` of a body read in place (a replay folding
    /// from the log's bytes, no ``EventBody`` built): the same fold, type
    /// for type, through the same functions.
    mutating func add(_ body: BodyView, time: EventTime, position: UInt64) {
        let stamp = see(time: time, position: position)
        switch body {
        case .register(let r): fold(register: r, stamp: stamp)
        case .visit(let v): fold(visit: v, time: time)
        case .appointment(let a): fold(appointment: a.appointment, stamp: stamp)
        case .message(let m): fold(message: m, time: time, stamp: stamp)
        case .read(let r): fold(read: r, time: time)
        case .checkin(let values): fold(checkin: values, time: time, stamp: stamp)
        case .survey(let s): fold(survey: s, time: time, stamp: stamp)
        case .dispense(let d): fold(dispense: d, time: time, stamp: stamp)
        case .consent(let c): fold(consent: c, stamp: stamp)
        case .enroll(let e): fold(enroll: e.enroll, time: time, stamp: stamp)
        case .unenroll(let u): fold(unenroll: u.unenroll, stamp: stamp)
        case .tag(let t): fold(tag: t.tag, stamp: stamp)
        case .erase, .unrecognized: break
        }
    }

    /// The stamp of an event being added, which ``latest`` takes in.
    private mutating func see(time: EventTime, position: UInt64) -> Stamp {
        let stamp = Stamp(time: time.millisecondsSince1970, position: position)
        latest = latest.map { max($0, stamp) } ?? stamp
        return stamp
    }

    // The fold of each type, for both bodies (``EventBody`` and
    // ``BodyView``): the `...Fields` protocols below give a body decoded
    // and one read in place the same shape.

    private mutating func fold(register r: some RegisterFields, stamp: Stamp) {
        if let s = r.sex { sex = .latest(sex, Stamped(stamp: stamp, value: s)) }
        if let y = r.birthYear { birthYear = .latest(birthYear, Stamped(stamp: stamp, value: y)) }
        for code in r.conditionCodes { conditions.insert(code.uppercased()) }
    }

    private mutating func fold(visit v: some VisitFields, time: EventTime) {
        visitTimes.insertSorted(time) { $0 }
        visitsByKind[v.kind, default: 0] += 1
        for code in v.diagnosisCodes { conditions.insert(code.uppercased()) }
        if let id = v.appointment { attended.insert(id) }
    }

    private mutating func fold(appointment a: Appointment, stamp: Stamp) {
        appointments.keepLatest(a.appointment, Stamped(stamp: stamp, value: a))
    }

    private mutating func fold(message m: some MessageFields, time: EventTime, stamp: Stamp) {
        followUps.record(m, at: time, stamp: stamp)
        switch m.direction {
        case .outbound:
            outbound += 1
            lastOutbound = max(lastOutbound ?? time, time)
            if let content = m.contentKey { delivered.insert(content) }
        case .inbound:
            inbound += 1
            engaged(at: time)
        }
    }

    private mutating func fold(read r: some ReadFields, time: EventTime) {
        followUps.record(r, at: time)
        readCount += 1
        Self.raise(&maxProgress[r.contentKey, default: r.progress], to: r.progress)
        engaged(at: time)
    }

    private mutating func fold(checkin values: CheckinValues, time: EventTime, stamp: Stamp) {
        checkinCount += 1
        Stamped.keepLatest(&latestCheckins[values.metric],
                           Stamped(stamp: stamp, value: LatestCheckin(time: time, values: values)))
        checkinDays[values.metric, default: []].insertSorted(time.day) { $0 }
        engaged(at: time)
    }

    private mutating func fold(survey s: some SurveyFields, time: EventTime, stamp: Stamp) {
        followUps.record(s, at: time)
        surveyCount += 1
        latestSurveys.keepLatest(s.surveyKey, Stamped(stamp: stamp, value: LatestSurvey(time: time, score: LatestSurvey.score(of: s))))
        if s.surveyKey.isEqual(to: "phq9") { latestPHQ9q9 = .latest(latestPHQ9q9, Stamped(stamp: stamp, value: s.answer("q9"))) }
        engaged(at: time)
    }

    private mutating func fold(dispense d: some DispenseFields, time: EventTime, stamp: Stamp) {
        fills[d.classKey, default: []].insertSorted(
            Stamped(stamp: stamp, value: ProportionOfDaysCovered.Fill(medication: d.medicationName, day: time.day, daysSupply: d.daysSupply))
        ) { $0.stamp }
    }

    private mutating func fold(consent c: Consent, stamp: Stamp) {
        Stamped.keepLatest(&consentGiven[c.scope], Stamped(stamp: stamp, value: c.granted))
    }

    private mutating func fold(enroll e: Enroll, time: EventTime, stamp: Stamp) {
        enrolmentChanges.keepLatest(e.program, Stamped(stamp: stamp, value: Enrolment(day: time.day, plan: e.plan)))
    }

    private mutating func fold(unenroll u: Unenroll, stamp: Stamp) {
        enrolmentChanges.keepLatest(u.program, Stamped(stamp: stamp, value: nil))
    }

    private mutating func fold(tag t: Tag, stamp: Stamp) {
        tagChanges.keepLatest(t.tag, Stamped(stamp: stamp, value: t.op == .add))
    }

    private mutating func engaged(at time: EventTime) {
        lastEngagement = max(lastEngagement ?? time, time)
    }
}

extension PatientHistory {
    /// The events of `patient` in `records` that count as of `asOf`.
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
        }
    }
}

extension PatientEventRecord {
    var isErase: Bool {
        if case .erase = event.body { true } else { false }
    }
}

/// What the fold reads of a `message` event: a ``Message``, or a
/// ``MessageView`` read in place, whose strings are built on access (so
/// read them only when they are kept).
protocol MessageFields {
    associatedtype Key: StringMapKey
    var direction: Direction { get }
    var purpose: Purpose? { get }
    var message: String { get }
    var content: String? { get }
    var survey: String? { get }
    /// ``content`` as a key, for a lookup that builds no `String`.
    var contentKey: Key? { get }
}

extension Message: MessageFields {
    var contentKey: String? { content }
}

extension MessageView: MessageFields {
    var contentKey: PayloadString? { contentString }
}

/// What the fold reads of a `read` event: a ``Read``, or a ``ReadView``
/// read in place, its ids looked up without building them.
protocol ReadFields {
    associatedtype Key: StringMapKey
    var contentKey: Key { get }
    var messageKey: Key? { get }
    var progress: Double { get }
}

extension Read: ReadFields {
    var contentKey: String { content }
    var messageKey: String? { message }
}

extension ReadView: ReadFields {
    var contentKey: PayloadString { content }
    var messageKey: PayloadString? { message }
}

/// What the fold reads of a `dispense` event: a ``Dispense``, or a
/// ``DispenseView`` read in place, its class looked up without building it.
protocol DispenseFields {
    associatedtype Key: StringMapKey
    var classKey: Key { get }
    /// The medication, built now.
    var medicationName: String { get }
    var daysSupply: Int { get }
}

extension Dispense: DispenseFields {
    var classKey: String { therapeuticClass }
    var medicationName: String { medication }
}

extension DispenseView: DispenseFields {
    var classKey: PayloadString { therapeuticClass }
    var medicationName: String { medication.string }
}

/// What the fold reads of a `visit` event: a ``Visit``, or a ``VisitView``
/// read in place.
protocol VisitFields {
    associatedtype Codes: Sequence<String>
    var kind: VisitKind { get }
    var appointment: String? { get }
    /// The diagnoses; empty when none are given.
    var diagnosisCodes: Codes { get }
}

extension Visit: VisitFields {
    var diagnosisCodes: [String] { diagnoses ?? [] }
}

extension VisitView: VisitFields {
    var diagnosisCodes: StringList { diagnoses }
}

/// What the fold reads of a `register` event: a ``Register``, or a
/// ``RegisterView`` read in place.
protocol RegisterFields {
    associatedtype Codes: Sequence<String>
    var sex: Sex? { get }
    var birthYear: Int? { get }
    /// The conditions; empty when none are given.
    var conditionCodes: Codes { get }
}

extension Register: RegisterFields {
    var conditionCodes: [String] { conditions ?? [] }
}

extension RegisterView: RegisterFields {
    var conditionCodes: StringList { conditions }
}

/// What the fold reads of a `survey` event: a ``Survey``, or a
/// ``SurveyView`` read in place.
protocol SurveyFields {
    associatedtype Answers: Sequence<SurveyAnswer>
    associatedtype Key: StringMapKey
    var survey: String { get }
    var message: String? { get }
    var score: Double? { get }
    /// The answers, in the order given.
    var answerList: Answers { get }
    /// The first answer to `item`, if given.
    func answer(_ item: String) -> Double?
    /// ``survey`` and ``message`` as keys, for lookups that build no `String`.
    var surveyKey: Key { get }
    var messageKey: Key? { get }
}

extension Survey: SurveyFields {
    var answerList: [SurveyAnswer] { answers }
    var surveyKey: String { survey }
    var messageKey: String? { message }
}

extension SurveyView: SurveyFields {
    var answerList: SurveyAnswerList { answers }
    var surveyKey: PayloadString { surveyString }
    var messageKey: PayloadString? { messageString }
}
