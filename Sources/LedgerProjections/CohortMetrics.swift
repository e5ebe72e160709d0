import LedgerEvents

/// The cohort metrics of metrics.md as of T, aggregated from the patients'
/// projections; the `metrics` and `tagCounts` of `ledger replay --json`.
///
/// Feed it the projection of every patient not erased, all built with the
/// same as-of time; those that do not exist as of T are skipped. Each metric
/// with an empty denominator is nil.
///
/// The result does not depend on the order patients are added in, nor on
/// how they are split between aggregators later ``merge(_:)``d (means are
/// summed exactly in fixed point), so a replay may use every core.
///
/// ```swift
/// var cohort = CohortMetrics(asOf: asOf)
/// for patient in ledger.patientIDs {
///     let records = try ledger.events(of: patient).map { PatientEventRecord(position: $0.position, event: $0.event) }
///     cohort.add(PatientProjection(patient: patient, events: records, asOf: asOf))
/// }
/// cohort.patients          // patients existing as of T
/// cohort.meanPDC           // nil when nobody has a PDC
/// ```
///
/// Value type; O(1) per patient besides its tags. Thread-safe as a value.
public struct CohortMetrics: Sendable, Equatable {
    /// T.
    public let asOf: EventTime
    /// Patients existing as of T.
    public private(set) var patients = 0
    /// The number of patients carrying each tag, for every tag carried by
    /// at least one. Built on each access from the counts kept.
    public var tagCounts: [String: Int] {
        var counts = otherTagCounts
        for (index, count) in ruleTagCounts.enumerated() where count > 0 { counts[RuleTag.names[index]] = count }
        return counts
    }
    /// Patients per rule tag, by ``RuleTag/index``: most tags, counted
    /// without hashing their names.
    private var ruleTagCounts = [Int](repeating: 0, count: RuleTag.count)
    /// Patients per other tag (`manual:` ones), by name.
    private var otherTagCounts: [String: Int] = [:]

    /// Patients whose first visit falls on days `day(T)-364 ... day(T)-90`.
    public private(set) var returnVisitEligible = 0
    /// Of those, patients with another visit within 90 days after the first.
    public private(set) var returnVisitReturned = 0
    /// Follow-ups summed over patients.
    public private(set) var followUps = FollowUpCounts()
    /// Content counts summed over patients.
    public private(set) var contents = ContentCounts()
    /// (patient, class) PDC values at least 0.8.
    public private(set) var pdcAdherent = 0
    /// NPS answers (the latest per patient in the window) at least 9.
    public private(set) var npsPromoters = 0
    /// NPS answers at most 6.
    public private(set) var npsDetractors = 0
    /// NPS answers counted.
    public private(set) var npsResponses = 0

    private var pdcSum = FixedPointSum()
    private var checkinSum = FixedPointSum()
    private var satisfactionSum = FixedPointSum()

    /// An empty aggregate as of `asOf`.
    public init(asOf: EventTime) {
        self.asOf = asOf
    }

    /// Adds one patient.
    ///
    /// - Parameter patient: a projection built as of ``asOf`` (a
    ///   precondition); skipped when the patient does not exist as of T.
    ///   Add each patient once.
    public mutating func add(_ patient: PatientProjection) {
        precondition(patient.asOf == asOf, "CohortMetrics.add: projection as of \(patient.asOf), cohort as of \(asOf)")
        guard patient.exists else { return }
        for tag in patient.tags {
            if let rule = RuleTag(named: tag) { ruleTagCounts[rule.index] += 1 } else { otherTagCounts[tag, default: 0] += 1 }
        }
        let a = patient.adherence
        for case let value? in a.pdc.values { add(pdc: value) }
        add(firstVisit: patient.profile.visits.first, returned: patient.returnedWithin90Days,
            followUps: a.followUps, contents: a.contents, checkinAdherence: a.checkinAdherence,
            satisfaction: patient.profile.surveys.latest["satisfaction"], nps: patient.profile.surveys.latest["nps"])
    }

    /// ``add(_:)`` of the projection as of ``asOf`` of the patient with
    /// this history (which must hold no event after ``asOf``), without
    /// building it: the same rules, from the same functions, but no
    /// profile's sorted lists and dictionaries, no sorted tag list, no
    /// PDC dictionary, no list of a patient's PDC values, programs or
    /// manual tags, and rule tags counted by number. The end of a replay
    /// adds every patient this way.
    mutating func add(history h: PatientHistory) {
        guard h.exists else { return }
        let year = DayWindow(days: 365, endingAt: asOf)
        // ``PatientAdherence/hasPDC`` and ``PatientAdherence/isNonAdherent``
        // of the values, as they are added.
        var hasPDC = false, nonAdherent = false
        for fills in h.fills.values {
            guard let value = PatientProjection.pdc(of: fills, over: year) else { continue }
            hasPDC = true
            if value < 0.8 { nonAdherent = true }
            add(pdc: value)
        }
        let visits = VisitSummary(count: h.visitTimes.count, first: h.visitTimes.first, last: h.visitTimes.last)
        TagRules.forEachTag(of: h, groups: ConditionGroupSet(icd10: h.conditions), visits: visits,
                            nextAppointment: PatientProjection.nextAppointment(of: h, asOf: asOf),
                            messagingConsent: h.consent.messaging, hasPDC: hasPDC, nonAdherent: nonAdherent,
                            manualTags: h.tagChanges.lazy.filter(\.value.value).map(\.key), asOf: asOf,
                            rule: { ruleTagCounts[$0.index] += 1 },
                            manual: { otherTagCounts[TagRules.manualTag($0), default: 0] += 1 })
        add(firstVisit: visits.first, returned: PatientProjection.returnedWithin90Days(h),
            followUps: h.followUps.counts(asOf: asOf), contents: PatientProjection.contents(of: h),
            checkinAdherence: PatientProjection.checkinAdherence(of: h, asOf: asOf),
            satisfaction: h.latestSurveys["satisfaction"]?.value, nps: h.latestSurveys["nps"]?.value)
    }

    /// Adds one (patient, class) PDC value.
    private mutating func add(pdc value: Double) {
        pdcSum.add(value)
        if value >= 0.8 { pdcAdherent += 1 }
    }

    /// What both ``add(_:)`` and ``add(history:)`` add of an existing
    /// patient besides the tags and the PDC values.
    private mutating func add(firstVisit: EventTime?, returned: Bool, followUps: FollowUpCounts, contents: ContentCounts,
                              checkinAdherence: Double?, satisfaction: LatestSurvey?, nps: LatestSurvey?) {
        patients += 1
        if let firstVisit, DayWindow(first: asOf.day - 364, last: asOf.day - 90).contains(firstVisit) {
            returnVisitEligible += 1
            if returned { returnVisitReturned += 1 }
        }
        self.followUps.add(followUps)
        self.contents.add(contents)
        if let checkinAdherence { checkinSum.add(checkinAdherence) }

        let year = DayWindow(days: 365, endingAt: asOf)
        if let satisfaction, let score = satisfaction.score, year.contains(satisfaction.time) {
            satisfactionSum.add(score)
        }
        if let nps, let score = nps.score, year.contains(nps.time) {
            npsResponses += 1
            if score >= 9 { npsPromoters += 1 }
            if score <= 6 { npsDetractors += 1 }
        }
    }

    /// Adds the patients of `other`, an aggregate of other patients as of
    /// the same time (a precondition).
    public mutating func merge(_ other: CohortMetrics) {
        precondition(other.asOf == asOf, "CohortMetrics.merge: aggregates as of \(other.asOf) and \(asOf)")
        patients += other.patients
        for index in ruleTagCounts.indices { ruleTagCounts[index] += other.ruleTagCounts[index] }
        otherTagCounts.merge(other.otherTagCounts, uniquingKeysWith: +)
        returnVisitEligible += other.returnVisitEligible
        returnVisitReturned += other.returnVisitReturned
        followUps.add(other.followUps)
        contents.add(other.contents)
        pdcAdherent += other.pdcAdherent
        npsPromoters += other.npsPromoters
        npsDetractors += other.npsDetractors
        npsResponses += other.npsResponses
        pdcSum.merge(other.pdcSum)
        checkinSum.merge(other.checkinSum)
        satisfactionSum.merge(other.satisfactionSum)
    }

    /// Among patients whose first visit falls on days `day(T)-364 ...
    /// day(T)-90`, the share with another visit within 90 days after the
    /// first (`first < t <= first + 90*24h`).
    public var returnVisitRate: Double? { Self.ratio(returnVisitReturned, returnVisitEligible) }
    /// answered / (answered + unanswered), summed over all patients.
    public var followUpResponseRate: Double? { followUps.responseRate }
    /// Delivered contents read / delivered, summed over all patients.
    public var contentReadRate: Double? { contents.readRate }
    /// Delivered contents completed / delivered, summed over all patients.
    public var contentCompletionRate: Double? { contents.completionRate }
    /// The number of (patient, class) PDC values.
    public var pdcCount: Int { pdcSum.count }
    /// The mean of every (patient, class) PDC value.
    public var meanPDC: Double? { pdcSum.mean }
    /// The share of (patient, class) PDC values at least 0.8.
    public var pdcAdherentShare: Double? { Self.ratio(pdcAdherent, pdcSum.count) }
    /// The mean of the patients' check-in adherence, over patients with one.
    public var meanCheckinAdherence: Double? { checkinSum.mean }
    /// The mean of the latest `satisfaction` score per patient, counting only
    /// scores in the 365-day window ending at T.
    public var satisfactionMean: Double? { satisfactionSum.mean }
    /// Over the latest `nps` score per patient in the 365-day window ending
    /// at T: 100 x (share of scores >= 9 minus share <= 6). Scores strictly
    /// between 6 and 9 (such as 6.5) are passive.
    public var nps: Double? {
        npsResponses == 0 ? nil : Double(100 * (npsPromoters - npsDetractors)) / Double(npsResponses)
    }

    private static func ratio(_ numerator: Int, _ denominator: Int) -> Double? {
        denominator == 0 ? nil : Double(numerator) / Double(denominator)
    }
}
