import LedgerEvents

/// One patient as of a time: profile, tag set and adherence metrics, exactly
/// as metrics.md defines them, computed from the patient's events alone.
///
/// A pure function of its input: the same events and as-of time give the
/// same projection, whatever order the records come in (they are put in
/// order by time, ties by log position). So a checkpoint may store a
/// projection with the log position it reflects, and an earlier as-of time
/// is answered by building one again from the patient's stream.
///
/// ```swift
/// let records = try ledger.events(of: "P001").map {
///     PatientEventRecord(position: $0.position, event: $0.event)
/// }
/// let p = PatientProjection(patient: "P001", events: records, asOf: asOf)
/// p.profile.conditions          // ["E11.9", "I10"]
/// p.tags                        // ["activity:active", "condition:diabetes", ...]
/// p.adherence.pdc["diabetes"]   // Optional(nil): a class without a PDC
/// ```
///
/// Where metrics.md is silent, the choices (each also documented where it
/// is implemented):
/// - Ids, codes and tags are told apart as Swift strings compare: two
///   canonically equivalent spellings (`é` and `e` + U+0301) are one id,
///   as a person reading them would take them; lists are nonetheless sorted
///   by code point, as cli.md asks.
/// - A record of a type this version does not know makes its patient exist
///   (it is a visible event) and changes nothing else.
/// - "Another visit within 90 days after the first" and the follow-up window
///   both use `s < t`: an event at the very instant of the first visit or of
///   the message is not after it, whatever its log position.
///
/// Cost: O(n log n) time and O(n) memory for the patient's n events (PDC
/// by merging coverage intervals, not per day). Value type; thread-safe.
public struct PatientProjection: Sendable, Equatable {
    /// The patient id.
    public var patient: String
    /// The as-of time T: only events with `time <= T` count.
    public var asOf: EventTime
    /// Whether the patient exists as of T: some visible event of theirs
    /// (of any type, also one this version does not recognize) has
    /// `time <= T`. A cohort counts only patients that exist.
    public var exists: Bool
    /// The profile of metrics.md.
    public var profile: PatientProfile
    /// The tag set as of T, sorted by Unicode code point.
    public var tags: [String]
    /// PDC, check-in adherence, follow-up response and content rates.
    public var adherence: PatientAdherence
    /// Whether another visit came within 90 days after the first (`first <
    /// t <= first + 90*24h`): the numerator of the cohort's
    /// `returnVisitRate`.
    public var returnedWithin90Days: Bool

    /// The projection of `patient` as of `asOf`.
    ///
    /// - Parameters:
    ///   - patient: the patient id; records of other patients are ignored.
    ///   - events: the patient's visible events with their log positions
    ///     (the facade's `events(of:)`), in any order. Should they include
    ///     `erase` records, only records stored after the last one count.
    ///   - asOf: T; events after it are ignored.
    ///
    /// Unrecognized bodies (records of a newer version) are skipped, except
    /// that they make the patient exist.
    public init(patient: String, events: [PatientEventRecord], asOf: EventTime) {
        let history = PatientHistory(PatientHistory.visible(events, patient: patient, asOf: asOf))
        self.init(patient: patient, history: history, asOf: asOf)
    }

    /// A projection from its parts, as a checkpoint stored it.
    public init(patient: String, asOf: EventTime, exists: Bool, profile: PatientProfile, tags: [String],
                adherence: PatientAdherence, returnedWithin90Days: Bool) {
        self.patient = patient; self.asOf = asOf; self.exists = exists; self.profile = profile
        self.tags = tags; self.adherence = adherence; self.returnedWithin90Days = returnedWithin90Days
    }

    init(patient: String, history h: PatientHistory, asOf: EventTime) {
        let profile = Self.profile(of: h, asOf: asOf)
        let year = DayWindow(days: 365, endingAt: asOf)
        let adherence = PatientAdherence(
            pdc: h.fills.dictionary { Self.pdc(of: $0, over: year) },
            checkinAdherence: Self.checkinAdherence(of: h, programs: profile.programs, asOf: asOf),
            followUps: h.followUps.counts(asOf: asOf),
            contents: Self.contents(of: h))
        self.init(patient: patient, asOf: asOf, exists: h.exists, profile: profile,
                  tags: TagRules.tags(of: h, profile: profile, adherence: adherence, asOf: asOf),
                  adherence: adherence, returnedWithin90Days: Self.returnedWithin90Days(h))
    }

    /// The PDC over `year` of a class with these fills (nil when there is
    /// none then): each value of ``PatientAdherence/pdc``.
    static func pdc(of fills: [Stamped<ProportionOfDaysCovered.Fill>], over year: DayWindow) -> Double? {
        ProportionOfDaysCovered.of(fills.lazy.map(\.value), firstDay: year.first, lastDay: year.last)?.value
    }

    /// ``returnedWithin90Days`` of the patient with this history.
    static func returnedWithin90Days(_ h: PatientHistory) -> Bool {
        guard let first = h.visitTimes.first,
              let next = h.visitTimes.first(where: { $0 > first }) else { return false }
        return next.millisecondsSince1970 - first.millisecondsSince1970 <= milliseconds(days: 90)
    }

    /// The PDC of every class of `patient` over an explicit period, the
    /// days `firstDay ... lastDay` (UTC day numbers, ``LedgerEvents/EventTime/day``).
    ///
    /// - Parameters:
    ///   - patient, events, asOf: as for ``init(patient:events:asOf:)``;
    ///     only dispenses at or before `asOf` count.
    ///   - firstDay: the period's first day.
    ///   - lastDay: the period's last day, inclusive.
    /// - Returns: a key for every class with a `dispense` at or before
    ///   `asOf` (in the period or not); nil where the class has no PDC over
    ///   the period.
    ///
    /// The period is taken as given: with `lastDay` after `day(asOf)`, the
    /// days after T are treatment days too (and only covered by fills made
    /// by T), so pass a period that has ended for a retrospective measure.
    /// Fills before `firstDay` do not carry coverage into the period
    /// (metrics.md step 1 takes only the fills in the period).
    ///
    /// ```swift
    /// let y2018 = EventTimeFormat.days(year: 2018, month: 1, day: 1)
    /// let pdc = PatientProjection.pdc(patient: "P001", events: records, asOf: asOf,
    ///                                 firstDay: y2018, lastDay: y2018 + 364)
    /// pdc["statin"]??.value   // e.g. 0.95342...
    /// ```
    public static func pdc(patient: String, events: [PatientEventRecord], asOf: EventTime,
                           firstDay: Int64, lastDay: Int64) -> [String: ProportionOfDaysCovered?] {
        PatientHistory(PatientHistory.visible(events, patient: patient, asOf: asOf)).fills.dictionary {
            ProportionOfDaysCovered.of($0.lazy.map(\.value), firstDay: firstDay, lastDay: lastDay)
        }
    }

    private static func profile(of h: PatientHistory, asOf: EventTime) -> PatientProfile {
        var scheduled: [String] = [], noshow: [String] = [], cancelled: [String] = []
        for (id, stamped) in h.appointments {
            switch stamped.value.status {
            case .scheduled: scheduled.append(id)
            case .noshow: noshow.append(id)
            case .cancelled: cancelled.append(id)
            }
        }
        return PatientProfile(
            sex: h.sex?.value,
            birthYear: h.birthYear?.value,
            conditions: Array(h.conditions),
            conditionGroups: conditionGroups(of: h),
            visits: VisitSummary(count: h.visitTimes.count, first: h.visitTimes.first, last: h.visitTimes.last,
                                 byKind: h.visitsByKind.dictionary { $0 }),
            appointments: AppointmentSummary(
                scheduled: CodePointOrder.sorted(scheduled), attended: Array(h.attended),
                noshow: CodePointOrder.sorted(noshow), cancelled: CodePointOrder.sorted(cancelled)),
            nextAppointment: nextAppointment(of: h, asOf: asOf),
            messages: MessageSummary(outbound: h.outbound, inbound: h.inbound, lastOutbound: h.lastOutbound),
            reads: ReadSummary(count: h.readCount, contents: h.maxProgress.count,
                               completed: h.maxProgress.values.count(where: { $0 >= 0.9 })),
            checkins: CheckinSummary(count: h.checkinCount, latest: h.latestCheckins.dictionary(\.value)),
            surveys: SurveySummary(count: h.surveyCount, latest: h.latestSurveys.dictionary(\.value)),
            consent: h.consent,
            programs: h.enrolledPrograms,
            manualTags: h.manualTags)
    }

    /// The profile's `conditionGroups`: the groups of the conditions, sorted.
    static func conditionGroups(of h: PatientHistory) -> [ConditionGroup] {
        Array(ConditionGroupSet(icd10: h.conditions))
    }

    /// The profile's `nextAppointment`: the earliest `scheduledFor` after
    /// `asOf` among the appointments whose latest status is scheduled and
    /// that no visit names.
    static func nextAppointment(of h: PatientHistory, asOf: EventTime) -> EventTime? {
        var next: EventTime?
        for (id, stamped) in h.appointments {
            let latest = stamped.value
            if latest.status == .scheduled, let at = latest.scheduledFor, at > asOf, !h.attended.contains(id) {
                next = min(next ?? at, at)
            }
        }
        return next
    }

    /// The delivered contents and how many were read and completed.
    ///
    /// The delivered contents and the contents read are both in code-point
    /// order: one merge of the two lists finds each content read with the
    /// same bytes, rather than a search per content. A content without
    /// such a match may still equal (`==`) a content read spelled with
    /// other bytes, but only when one of the two is not ASCII: only then
    /// is it looked up.
    static func contents(of h: PatientHistory) -> ContentCounts {
        var counts = ContentCounts(delivered: h.delivered.count)
        guard !h.maxProgress.isEmpty else { return counts }
        func count(_ progress: Double) {
            counts.read += 1
            if progress >= 0.9 { counts.completed += 1 }
        }
        var reads = h.maxProgress.makeIterator()
        var read = reads.next()
        let readsMayHaveNonASCII = h.maxProgress.mayHaveNonASCIIKeys
        for content in h.delivered {
            var order = 1
            while let current = read {
                order = CodePointOrder.compare(content, current.key)
                if order <= 0 { break }
                read = reads.next()
            }
            if order == 0, let current = read {
                count(current.value)
            } else if readsMayHaveNonASCII || !isASCII(content), let progress = h.maxProgress[content] {
                count(progress)
            }
        }
        return counts
    }

    private static func isASCII(_ s: String) -> Bool { s.utf8.allSatisfy { $0 < 0x80 } }

    /// The mean adherence over the current check-in enrolments; nil without one.
    ///
    /// - Parameter programs: the programs currently enrolled, sorted by
    ///   code point (the profile's `programs`): the sum runs in that order,
    ///   so the floating-point result does not depend on dictionary order.
    static func checkinAdherence(of h: PatientHistory, programs: [String], asOf: EventTime) -> Double? {
        var mean = MeanCheckinAdherence()
        for program in programs {
            if let enrolment = h.enrolmentChanges[program]?.value { mean.add(enrolment, of: h, asOf: asOf) }
        }
        return mean.value
    }

    /// ``checkinAdherence(of:programs:asOf:)`` of the programs currently
    /// enrolled, read from the enrolments themselves (kept in the programs'
    /// code-point order, so the sum runs in the same order) rather than
    /// from a list of the programs and a lookup of each.
    static func checkinAdherence(of h: PatientHistory, asOf: EventTime) -> Double? {
        var mean = MeanCheckinAdherence()
        for (_, change) in h.enrolmentChanges {
            if let enrolment = change.value { mean.add(enrolment, of: h, asOf: asOf) }
        }
        return mean.value
    }

    /// The sum of ``checkinAdherence(of:programs:asOf:)``.
    private struct MeanCheckinAdherence {
        var sum = 0.0, count = 0

        /// Adds the adherence of a current enrolment, if it is a check-in plan.
        mutating func add(_ enrolment: PatientHistory.Enrolment, of h: PatientHistory, asOf: EventTime) {
            guard case .checkin(let metric, let everyDays) = enrolment.plan else { return }
            sum += CheckinAdherence.adherence(checkinDays: h.checkinDays[metric] ?? [], enrolmentDay: enrolment.day,
                                              everyDays: everyDays, asOfDay: asOf.day)
            count += 1
        }

        var value: Double? { count == 0 ? nil : sum / Double(count) }
    }
}
