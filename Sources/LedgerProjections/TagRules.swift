import LedgerEvents

/// The tag rules of metrics.md ("Tags"), applied to one patient as of T.
enum TagRules {
    /// The patient's tags, sorted by Unicode code point.
    static func tags(of h: PatientHistory, profile: PatientProfile, adherence: PatientAdherence,
                     asOf: EventTime) -> [String] {
        var tags: [String] = []
        forEachTag(of: h, groups: ConditionGroupSet(profile.conditionGroups), visits: profile.visits,
                   nextAppointment: profile.nextAppointment, messagingConsent: profile.consent.messaging,
                   hasPDC: adherence.hasPDC, nonAdherent: adherence.isNonAdherent,
                   manualTags: profile.manualTags, asOf: asOf,
                   rule: { tags.append($0.name) }, manual: { tags.append(manualTag($0)) })
        return CodePointOrder.sorted(tags)
    }

    /// Calls `rule` with each tag of the patient a rule gives and `manual`
    /// with each manual tag on (its name without the `manual:` of
    /// ``manualTag(_:)``), in no order: the rules of
    /// ``tags(of:profile:adherence:asOf:)`` from the parts of the profile
    /// and adherence they read, so that the cohort metrics can count a
    /// patient's tags without building either, or any tag's name
    /// (``CohortMetrics/add(history:)``).
    static func forEachTag(of h: PatientHistory, groups: ConditionGroupSet, visits: VisitSummary,
                           nextAppointment: EventTime?, messagingConsent: Bool, hasPDC: Bool, nonAdherent: Bool,
                           manualTags: some Sequence<String>, asOf: EventTime,
                           rule: (RuleTag) -> Void, manual: (String) -> Void) {
        for group in groups { rule(.condition(group)) }
        if let visits = visitTier(visits) { rule(visits) }
        rule(activity(lastEngagement: h.lastEngagement, asOf: asOf))
        let lost = isLostToFollowUp(groups: groups, lastVisit: visits.last, nextAppointment: nextAppointment, asOf: asOf)
        if lost { rule(.lostToFollowUp) }
        if hasPDC { rule(nonAdherent ? .nonAdherent : .adherent) }
        if !messagingConsent { rule(.noMessagingConsent) }
        rule(risk(h, lostToFollowUp: lost, nonAdherent: nonAdherent))
        for tag in manualTags { manual(tag) }
    }

    /// The tag of a manual tag `tag`: `manual:<tag>`.
    static func manualTag(_ tag: String) -> String { "manual:\(tag)" }

    /// `visits:first` (one visit), `visits:long-term` (at least 3 visits
    /// and `last - first >= 180*24h`), otherwise `visits:return`; nil
    /// without visits.
    static func visitTier(_ visits: VisitSummary) -> RuleTag? {
        guard visits.count > 0, let first = visits.first, let last = visits.last else { return nil }
        if visits.count == 1 { return .firstVisit }
        if visits.count >= 3, last.millisecondsSince1970 - first.millisecondsSince1970 >= milliseconds(days: 180) {
            return .longTermVisits
        }
        return .returnVisits
    }

    /// `activity:active` (an engagement event in the 30-day window ending
    /// at T), `activity:lapsing` (none there, one in the 90-day window),
    /// `activity:dormant` (older ones only) or `activity:none`.
    static func activity(lastEngagement: EventTime?, asOf: EventTime) -> RuleTag {
        guard let last = lastEngagement else { return .noActivity }
        if DayWindow(days: 30, endingAt: asOf).contains(last) { return .active }
        if DayWindow(days: 90, endingAt: asOf).contains(last) { return .lapsing }
        return .dormant
    }

    /// A chronic condition group, a visit, no visit in the 90-day window
    /// ending at T, and no `nextAppointment`.
    static func isLostToFollowUp(groups: ConditionGroupSet, lastVisit: EventTime?, nextAppointment: EventTime?,
                                 asOf: EventTime) -> Bool {
        guard groups.containsChronic,
              let lastVisit,
              nextAppointment == nil else { return false }
        return !DayWindow(days: 90, endingAt: asOf).contains(lastVisit)
    }

    /// `risk:high`, `risk:medium` or `risk:low`, from the latest values as of
    /// T however old.
    static func risk(_ h: PatientHistory, lostToFollowUp: Bool, nonAdherent: Bool) -> RuleTag {
        let phq9 = h.latestPHQ9Score
        let q9 = h.latestPHQ9q9?.value
        var systolic: Double?, diastolic: Double?, glucose: Double?
        if case .bp(let s, let d)? = h.latestCheckins[.bp]?.value.values { (systolic, diastolic) = (s, d) }
        if case .glucose(let mmol)? = h.latestCheckins[.glucose]?.value.values { glucose = mmol }

        func atLeast(_ value: Double?, _ bound: Double) -> Bool { value.map { $0 >= bound } ?? false }

        if atLeast(phq9, 20) || atLeast(q9, 1)
            || atLeast(systolic, 180) || atLeast(diastolic, 120)
            || atLeast(glucose, 16.7) || (glucose.map { $0 < 3.0 } ?? false) {
            return .highRisk
        }
        if atLeast(phq9, 10) // 10...19: 20 and above were high
            || atLeast(systolic, 140) || atLeast(diastolic, 90)
            || lostToFollowUp || nonAdherent {
            return .mediumRisk
        }
        return .lowRisk
    }
}

/// A tag that a rule of metrics.md gives (every tag but the manual ones):
/// a small number, so that the cohort metrics count each patient's tags
/// in an array (``CohortMetrics/add(history:)``) rather than hashing each
/// tag's name into a dictionary, which was a tenth of the end of a replay.
struct RuleTag: Equatable, Sendable {
    /// The tag's place in ``names``.
    let index: Int

    private init(_ index: Int) { self.index = index }

    /// The tag, as ``PatientProjection/tags`` shows it.
    var name: String { Self.names[index] }

    static var firstVisit: RuleTag { RuleTag(0) }
    static var longTermVisits: RuleTag { RuleTag(1) }
    static var returnVisits: RuleTag { RuleTag(2) }
    static var active: RuleTag { RuleTag(3) }
    static var lapsing: RuleTag { RuleTag(4) }
    static var dormant: RuleTag { RuleTag(5) }
    static var noActivity: RuleTag { RuleTag(6) }
    static var lostToFollowUp: RuleTag { RuleTag(7) }
    static var nonAdherent: RuleTag { RuleTag(8) }
    static var adherent: RuleTag { RuleTag(9) }
    static var noMessagingConsent: RuleTag { RuleTag(10) }
    static var highRisk: RuleTag { RuleTag(11) }
    static var mediumRisk: RuleTag { RuleTag(12) }
    static var lowRisk: RuleTag { RuleTag(13) }
    /// `condition:<group>`.
    static func condition(_ group: ConditionGroup) -> RuleTag { RuleTag(14 + group.ordinal) }

    /// Every rule tag's name, by ``index``.
    static let names: [String] = [
        "visits:first", "visits:long-term", "visits:return",
        "activity:active", "activity:lapsing", "activity:dormant", "activity:none",
        "lost-to-follow-up", "adherence:non-adherent", "adherence:adherent", "consent:no-messaging",
        "risk:high", "risk:medium", "risk:low",
    ] + ConditionGroup.allCases.map { "condition:\($0.name)" }

    /// The number of rule tags.
    static var count: Int { names.count }

    /// The rule tag named `name` (`==`, as a dictionary key); nil for
    /// any other tag.
    init?(named name: String) {
        guard let index = Self.indexByName[name] else { return nil }
        self.init(index)
    }

    private static let indexByName: [String: Int] =
        Dictionary(uniqueKeysWithValues: names.enumerated().map { ($0.element, $0.offset) })
}
