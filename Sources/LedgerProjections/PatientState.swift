import LedgerEvents

/// What the projections keep of one patient: every fact of their visible
/// events that the profile, tags and metrics of metrics.md need, folded
/// from the events in any order.
///
/// A state of all of a patient's events answers any as-of time at or after
/// its ``latestTime`` exactly as a full replay at that time would (metrics.md's
/// windows all end at T and look back). For an earlier T it returns nil:
/// fold the events with `time <= T` instead (``PatientProjection/init(patient:events:asOf:)``).
///
/// ```swift
/// var state = PatientState()
/// for record in records { state.apply(record) }     // log order, late arrivals included
/// let now = state.projection(patient: "P001", asOf: asOf)   // nil when asOf < state.latestTime
/// var bytes: [UInt8] = []
/// state.encode(into: &bytes)                         // for a checkpoint
/// let again = try PatientState(decoding: bytes)      // == state
/// ```
///
/// The events must be one patient's visible events (those stored after
/// their last `erase`; the facade's cursor and ``PatientProjections`` see to
/// it); `erase` records themselves are ignored.
public struct PatientState: Sendable, Equatable {
    var history = PatientHistory()

    /// An empty state: no event yet.
    public init() {}

    /// Whether some event was folded (the patient exists at or after ``latestTime``).
    public var exists: Bool { history.exists }

    /// The time of the latest event folded; nil when none was.
    public var latestTime: EventTime? { history.latest.map { EventTime(millisecondsSince1970: $0.time) } }

    /// The largest log position folded; nil when none was.
    public private(set) var lastPosition: UInt64?

    /// Folds one of the patient's visible events, in any order.
    public mutating func apply(_ record: PatientEventRecord) {
        apply(record.event.body, time: record.event.time, position: record.position)
    }

    /// Folds the event with this body, time and log position, in any
    /// order: ``apply(_:)`` without a ``PatientEvent`` (the patient, id and
    /// actor play no part), for a fold reading events in place.
    mutating func apply(_ body: EventBody, time: EventTime, position: UInt64) {
        if case .erase = body { return }
        see(position)
        history.add(body, time: time, position: position)
    }

    /// ``apply(_:time:position:)`` of a body read in place.
    mutating func apply(_ body: BodyView, time: EventTime, position: UInt64) {
        if case .erase = body { return }
        see(position)
        history.add(body, time: time, position: position)
    }

    /// Forgets every event (`== PatientState()`), keeping the memory of
    /// its lists and maps for the next patient's
    /// (``PatientHistory/removeAll()``).
    mutating func removeAll() {
        history.removeAll()
        lastPosition = nil
    }

    /// Takes in the position of an event being folded (``lastPosition``).
    private mutating func see(_ position: UInt64) {
        lastPosition = max(lastPosition ?? position, position)
    }

    /// The projection as of `asOf`, or nil when the state cannot give it
    /// (``answers(asOf:)``).
    public func projection(patient: String, asOf: EventTime) -> PatientProjection? {
        guard answers(asOf: asOf) else { return nil }
        return PatientProjection(patient: patient, history: history, asOf: asOf)
    }

    /// Whether the state gives the projection as of `asOf`: some event was
    /// folded and none after `asOf` (the state cannot leave later events
    /// out).
    func answers(asOf: EventTime) -> Bool {
        guard let latest = latestTime else { return false }
        return latest <= asOf
    }
}

// MARK: - Encoding

extension PatientState {
    /// Appends the state's bytes to `bytes`: deterministic (sets and maps
    /// in code-point order), so equal states encode equally.
    /// Checkpoints store it; ``PatientProjections/version`` names its format.
    public func encode(into bytes: inout [UInt8]) {
        var w = StateWriter()
        encode(to: &w)
        w.withBytes { bytes.append(contentsOf: $0) }
    }

    /// ``encode(into:)`` with `w`, which may hold bytes already: what a
    /// replay calls for every state (``PatientProjections``' closing fold
    /// and compaction), with a writer reused or sized for a state.
    func encode(to w: inout StateWriter) {
        history.encode(to: &w, lastPosition: lastPosition)
    }

    /// The state `encode(into:)` wrote.
    /// - Throws: ``StateDecodingError`` on bytes it did not write (damage).
    public init(decoding bytes: UnsafeRawBufferPointer) throws(StateDecodingError) {
        var r = StateReader(bytes)
        var h = PatientHistory()
        lastPosition = try r.optional { (r) throws(StateDecodingError) in try r.varint() }
        h.latest = try r.optional { (r) throws(StateDecodingError) in try r.stamp() }
        h.sex = try r.optional { (r) throws(StateDecodingError) in Stamped(stamp: try r.stamp(), value: try r.enumCase(Sex.self)) }
        h.birthYear = try r.optional { (r) throws(StateDecodingError) in Stamped(stamp: try r.stamp(), value: Int(try r.int())) }
        h.conditions = try r.stringSet()
        h.visitTimes = try r.times()
        for _ in 0..<(try r.count()) { h.visitsByKind[try r.enumCase(VisitKind.self)] = try r.count(minimumBytes: 0) }
        h.attended = try r.stringSet()
        for _ in 0..<(try r.count()) {
            let id = try r.string()
            let stamp = try r.stamp()
            let status = try r.enumCase(AppointmentStatus.self)
            let scheduledFor = try r.optional { (r) throws(StateDecodingError) in EventTime(millisecondsSince1970: try r.millis()) }
            h.appointments[id] = Stamped(stamp: stamp, value: Appointment(appointment: id, status: status, scheduledFor: scheduledFor))
        }
        h.outbound = try r.count(minimumBytes: 0); h.inbound = try r.count(minimumBytes: 0)
        h.lastOutbound = try r.optional { (r) throws(StateDecodingError) in EventTime(millisecondsSince1970: try r.millis()) }
        h.delivered = try r.stringSet()
        var followUps: [FollowUpTracker.FollowUp] = []
        for _ in 0..<(try r.count()) {
            let stamp = try r.stamp(), message = try r.string()
            let survey = try r.optional { (r) throws(StateDecodingError) in try r.string() }
            let content = try r.optional { (r) throws(StateDecodingError) in try r.string() }
            followUps.append(.init(stamp: stamp, message: message, survey: survey, content: content))
        }
        var routes: [FollowUpTracker.Route] = []
        for _ in 0..<4 {
            var route = FollowUpTracker.Route()
            for _ in 0..<(try r.count()) { route[try r.string()] = try r.times() }
            routes.append(route)
        }
        h.followUps = FollowUpTracker(followUps: followUps, surveysByMessage: routes[0], surveysByID: routes[1],
                                      readsByMessage: routes[2], readsByContent: routes[3], inbound: try r.times())
        h.readCount = try r.count(minimumBytes: 0)
        for _ in 0..<(try r.count()) { h.maxProgress[try r.string()] = try r.double() }
        h.checkinCount = try r.count(minimumBytes: 0)
        for _ in 0..<(try r.count()) {
            let metric = try r.enumCase(Metric.self)
            let stamp = try r.stamp()
            let values: CheckinValues = switch metric {
            case .bp: .bp(systolic: try r.double(), diastolic: try r.double())
            case .glucose: .glucose(mmol: try r.double())
            case .weight: .weight(kg: try r.double())
            case .steps: .steps(count: try r.double())
            case .heartrate: .heartrate(bpm: try r.double())
            case .habit: .habit(done: try r.double())
            }
            h.latestCheckins[metric] = Stamped(stamp: stamp, value: LatestCheckin(time: EventTime(millisecondsSince1970: stamp.time), values: values))
        }
        for _ in 0..<(try r.count()) {
            let metric = try r.enumCase(Metric.self)
            var days: [Int64] = []
            var previous: Int64 = 0
            for _ in 0..<(try r.count()) {
                previous &+= try r.int()
                guard previous >= -StateReader.maxDay && previous <= StateReader.maxDay else { throw r.fail("day out of range") }
                days.append(previous)
            }
            h.checkinDays[metric] = days
        }
        h.surveyCount = try r.count(minimumBytes: 0)
        for _ in 0..<(try r.count()) {
            let survey = try r.string(), stamp = try r.stamp()
            let score = try r.optional { (r) throws(StateDecodingError) in try r.double() }
            h.latestSurveys[survey] = Stamped(stamp: stamp, value: LatestSurvey(time: EventTime(millisecondsSince1970: stamp.time), score: score))
        }
        h.latestPHQ9q9 = try r.optional { (r) throws(StateDecodingError) in
            Stamped(stamp: try r.stamp(), value: try r.optional { (r) throws(StateDecodingError) in try r.double() })
        }
        for _ in 0..<(try r.count()) {
            let therapeuticClass = try r.string()
            var fills: [Stamped<ProportionOfDaysCovered.Fill>] = []
            for _ in 0..<(try r.count()) {
                let stamp = try r.stamp(), medication = try r.string(), supply = try r.count(minimumBytes: 0)
                fills.append(Stamped(stamp: stamp, value: .init(medication: medication, day: EventTime(millisecondsSince1970: stamp.time).day, daysSupply: supply)))
            }
            h.fills[therapeuticClass] = fills
        }
        for _ in 0..<(try r.count()) {
            let scope = try r.enumCase(ConsentScope.self)
            h.consentGiven[scope] = Stamped(stamp: try r.stamp(), value: try r.bool())
        }
        for _ in 0..<(try r.count()) {
            let program = try r.string(), stamp = try r.stamp()
            let enrolment = try r.optional { (r) throws(StateDecodingError) -> PatientHistory.Enrolment in
                let plan: EnrollmentPlan
                switch try r.varint() {
                case 0: plan = .journey
                case 1: plan = .checkin(metric: try r.enumCase(Metric.self), everyDays: try r.count(minimumBytes: 0))
                default: throw r.fail("no enrolment plan of that kind")
                }
                return PatientHistory.Enrolment(day: EventTime(millisecondsSince1970: stamp.time).day, plan: plan)
            }
            h.enrolmentChanges[program] = Stamped(stamp: stamp, value: enrolment)
        }
        for _ in 0..<(try r.count()) {
            let tag = try r.string()
            h.tagChanges[tag] = Stamped(stamp: try r.stamp(), value: try r.bool())
        }
        h.lastEngagement = try r.optional { (r) throws(StateDecodingError) in EventTime(millisecondsSince1970: try r.millis()) }
        guard r.isAtEnd else { throw r.fail("bytes after the state") }
        history = h
    }
}

extension StateWriter {
    mutating func stamp(_ s: Stamp) { int(s.time); varint(s.position) }

    /// The members of `set`, in code-point order: the count, then each.
    mutating func strings(_ set: StringSet) {
        count(set.count)
        set.forEachMember { string($0) }
    }

    /// A check-in's values in the order of ``CheckinValues/named`` (which
    /// builds an array per call: once per metric and patient at the end
    /// of a replay).
    mutating func values(_ values: CheckinValues) {
        switch values {
        case .bp(let systolic, let diastolic): double(systolic); double(diastolic)
        case .glucose(let v), .weight(let v), .steps(let v), .heartrate(let v), .habit(let v): double(v)
        }
    }

    /// Sorted times as deltas.
    mutating func times(_ times: [EventTime]) {
        count(times.count)
        var previous: Int64 = 0
        for t in times { int(t.millisecondsSince1970 - previous); previous = t.millisecondsSince1970 }
    }

    /// The entries of `map`, in the code-point order of their keys'
    /// raw values: the count, then each entry as `write` puts it.
    mutating func entries<K, V>(_ map: CaseMap<K, V>, _ write: (inout StateWriter, K, V) -> Void) {
        count(map.count)
        for (k, v) in map { write(&self, k, v) }
    }

    /// The entries of `map`, in the code-point order of their keys: the
    /// count, then each entry as `write` puts it (the layout of
    /// ``entries(_:_:)-(CaseMap<K,V>,_)``).
    mutating func entries<V>(_ map: StringMap<V>, _ write: (inout StateWriter, String, V) -> Void) {
        count(map.count)
        map.forEachEntry { k, v in write(&self, k, v) }
    }

    /// A follow-up route: times per key, by key.
    mutating func timesByKey(_ route: FollowUpTracker.Route) {
        entries(route) { w, key, times in w.string(key); w.times(times) }
    }
}

extension StateReader {
    mutating func stamp() throws(StateDecodingError) -> Stamp { Stamp(time: try millis(), position: try varint()) }

    /// Milliseconds since 1970, within ``maxMilliseconds``.
    mutating func millis() throws(StateDecodingError) -> Int64 {
        let value = try int()
        guard value >= -Self.maxMilliseconds && value <= Self.maxMilliseconds else { throw fail("time out of range") }
        return value
    }

    mutating func stringSet() throws(StateDecodingError) -> StringSet {
        var set = StringSet()
        for _ in 0..<(try count()) { set.insert(try string()) }
        return set
    }

    mutating func times() throws(StateDecodingError) -> [EventTime] {
        var times: [EventTime] = []
        var previous: Int64 = 0
        for _ in 0..<(try count()) {
            previous &+= try int()
            guard previous >= -Self.maxMilliseconds && previous <= Self.maxMilliseconds else { throw fail("time out of range") }
            times.append(EventTime(millisecondsSince1970: previous))
        }
        return times
    }
}

extension PatientHistory {
    /// ``PatientState/encode(to:)``: the history's fields read in place
    /// (a copy of the history, `let h = history`, retained and released
    /// every list of it, once per patient at the end of a replay).
    fileprivate func encode(to w: inout StateWriter, lastPosition: UInt64?) {
        w.optional(lastPosition) { $0.varint($1) }
        w.optional(latest) { $0.stamp($1) }
        w.optional(sex) { $0.stamp($1.stamp); $0.enumCase($1.value) }
        w.optional(birthYear) { $0.stamp($1.stamp); $0.int(Int64($1.value)) }
        w.strings(conditions)
        w.times(visitTimes)
        w.entries(visitsByKind) { w, kind, n in w.enumCase(kind); w.count(n) }
        w.strings(attended)
        w.entries(appointments) { w, id, a in
            w.string(id); w.stamp(a.stamp); w.enumCase(a.value.status)
            w.optional(a.value.scheduledFor) { $0.int($1.millisecondsSince1970) }
        }
        w.count(outbound); w.count(inbound)
        w.optional(lastOutbound) { $0.int($1.millisecondsSince1970) }
        w.strings(delivered)
        w.count(followUps.followUps.count)
        for followUp in followUps.followUps {
            w.stamp(followUp.stamp); w.string(followUp.message)
            w.optional(followUp.survey) { $0.string($1) }; w.optional(followUp.content) { $0.string($1) }
        }
        w.timesByKey(followUps.surveysByMessage); w.timesByKey(followUps.surveysByID)
        w.timesByKey(followUps.readsByMessage); w.timesByKey(followUps.readsByContent)
        w.times(followUps.inbound)
        w.count(readCount)
        w.entries(maxProgress) { w, content, progress in w.string(content); w.double(progress) }
        w.count(checkinCount)
        w.entries(latestCheckins) { w, metric, c in
            w.enumCase(metric); w.stamp(c.stamp)
            w.values(c.value.values)
        }
        w.entries(checkinDays) { w, metric, days in
            w.enumCase(metric); w.count(days.count)
            var previous: Int64 = 0
            for day in days { w.int(day - previous); previous = day }
        }
        w.count(surveyCount)
        w.entries(latestSurveys) { w, survey, s in
            w.string(survey); w.stamp(s.stamp); w.optional(s.value.score) { $0.double($1) }
        }
        w.optional(latestPHQ9q9) { $0.stamp($1.stamp); $0.optional($1.value) { $0.double($1) } }
        w.entries(fills) { w, therapeuticClass, fills in
            w.string(therapeuticClass); w.count(fills.count)
            for fill in fills {
                w.stamp(fill.stamp); w.string(fill.value.medication); w.count(fill.value.daysSupply)
            }
        }
        w.entries(consentGiven) { w, scope, given in
            w.enumCase(scope); w.stamp(given.stamp); w.bool(given.value)
        }
        w.entries(enrolmentChanges) { w, program, change in
            w.string(program); w.stamp(change.stamp)
            w.optional(change.value) { w, enrolment in
                switch enrolment.plan {
                case .journey: w.count(0)
                case .checkin(let metric, let everyDays): w.count(1); w.enumCase(metric); w.count(everyDays)
                }
            }
        }
        w.entries(tagChanges) { w, tag, change in w.string(tag); w.stamp(change.stamp); w.bool(change.value) }
        w.optional(lastEngagement) { $0.int($1.millisecondsSince1970) }
    }
}
