import LedgerEvents

/// The tag rules of metrics.md ("Tags"), applied to one patient as of T.
enum TagRules {
    /// The patient's tags, sorted by Unicode code point.
    static func tags(of h: PatientHistory, profile: PatientProfile, adherence: PatientAdherence,
                     asOf: EventTime) -> [String] {
        var tags: [String] = []
        forEachTag(of: h, groups: profile.conditionGroups, visits: profile.visits,
                   nextAppointment: profile.nextAppointment, messagingConsent: profile.consent.messaging,
                   hasPDC: adherence.hasPDC, nonAdherent: adherence.isNonAdherent,
                   manualTags: profile.manualTags, asOf: asOf) { tags.append($0) }
        return CodePointOrder.sorted(tags)
    }

    /// Calls `body` with each tag of the patient, in no order: the rules
    /// of ``tags(of:profile:adherence:asOf:)`` from the parts of the
    /// profile and adherence they read, so that the cohort metrics can
    /// count a patient's tags without building either
    /// (``CohortMetrics/add(history:)``).
    static func forEachTag(of h: PatientHistory, groups: [ConditionGroup], visits: VisitSummary,
                           nextAppointment: EventTime?, messagingConsent: Bool, hasPDC: Bool, nonAdherent: Bool,
                           manualTags: some Sequence<String>, asOf: EventTime, _ body: (String) -> Void) {
        for group in groups { body(group.tag) }
        if let visits = visitTier(visits) { body(visits) }
        body(activity(lastEngagement: h.lastEngagement, asOf: asOf))
        let lost = isLostToFollowUp(groups: groups, lastVisit: visits.last, nextAppointment: nextAppointment, asOf: asOf)
        if lost { body("lost-to-follow-up") }
        if hasPDC { body(nonAdherent ? "adherence:non-adherent" : "adherence:adherent") }
        if !messagingConsent { body("consent:no-messaging") }
        body(risk(h, lostToFollowUp: lost, nonAdherent: nonAdherent))
        for tag in manualTags { body("manual:\(tag)") }
    }

    /// `visits:first` (one visit), `visits:long-term` (at least 3 visits
    /// and `last - first >= 180*24h`), otherwise `visits:return`; nil
    /// without visits.
    static func visitTier(_ visits: VisitSummary) -> String? {
        guard visits.count > 0, let first = visits.first, let last = visits.last else { return nil }
        if visits.count == 1 { return "visits:first" }
        if visits.count >= 3, last.millisecondsSince1970 - first.millisecondsSince1970 >= milliseconds(days: 180) {
            return "visits:long-term"
        }
        return "visits:return"
    }

    /// `activity:active` (an engagement event in the 30-day window ending
    /// at T), `activity:lapsing` (none there, one in the 90-day window),
    /// `activity:dormant` (older ones only) or `activity:none`.
    static func activity(lastEngagement: EventTime?, asOf: EventTime) -> String {
        guard let last = lastEngagement else { return "activity:none" }
        if DayWindow(days: 30, endingAt: asOf).contains(last) { return "activity:active" }
        if DayWindow(days: 90, endingAt: asOf).contains(last) { return "activity:lapsing" }
        return "activity:dormant"
    }

    /// A chronic condition group, a visit, no visit in the 90-day window
    /// ending at T, and no `nextAppointment`.
    static func isLostToFollowUp(groups: [ConditionGroup], lastVisit: EventTime?, nextAppointment: EventTime?,
                                 asOf: EventTime) -> Bool {
        guard groups.contains(where: \.isChronic),
              let lastVisit,
              nextAppointment == nil else { return false }
        return !DayWindow(days: 90, endingAt: asOf).contains(lastVisit)
    }

    /// `risk:high`, `risk:medium` or `risk:low`, from the latest values as of
    /// T however old.
    static func risk(_ h: PatientHistory, lostToFollowUp: Bool, nonAdherent: Bool) -> String {
        let phq9 = h.latestPHQ9Score
        let q9 = h.latestPHQ9q9?.value
        var systolic: Double?, diastolic: Double?, glucose: Double?
        if case .bp(let s, let d)? = h.latestCheckins[.bp]?.value.values { (systolic, diastolic) = (s, d) }
        if case .glucose(let mmol)? = h.latestCheckins[.glucose]?.value.values { glucose = mmol }

        func atLeast(_ value: Double?, _ bound: Double) -> Bool { value.map { $0 >= bound } ?? false }

        if atLeast(phq9, 20) || atLeast(q9, 1)
            || atLeast(systolic, 180) || atLeast(diastolic, 120)
            || atLeast(glucose, 16.7) || (glucose.map { $0 < 3.0 } ?? false) {
            return "risk:high"
        }
        if atLeast(phq9, 10) // 10...19: 20 and above were high
            || atLeast(systolic, 140) || atLeast(diastolic, 90)
            || lostToFollowUp || nonAdherent {
            return "risk:medium"
        }
        return "risk:low"
    }
}
