import Testing
import LedgerEvents
@testable import LedgerProjections

/// The tag rules of metrics.md. Unless said otherwise T is
/// 2026-03-31T00:00:00Z, exactly midnight: day(T) is 2026-03-31, the 30-day
/// window ending at T is Mar 2 ... Mar 31 and the 90-day window Jan 1 ... Mar 31.
@Suite struct TagRulesTests {
    static let T = "2026-03-31T00:00:00Z"

    // MARK: condition:*

    @Test func everyConditionGroupBecomesAConditionTag() {
        var s = PatientStream()
        s.register("2026-01-01T09:00:00Z", conditions: ["E11.9", "I50.9", "Z34.0", "R51"])
        #expect(s.projection(asOf: Self.T).tags("condition:")
                == ["condition:diabetes", "condition:heart-failure", "condition:pregnancy"])
    }

    // MARK: visits:*

    @Test func oneVisitIsFirst() {
        var s = PatientStream()
        s.visit("2026-03-01T09:00:00Z")
        #expect(s.projection(asOf: Self.T).tags("visits:") == ["visits:first"])
    }

    @Test func noVisitMeansNoVisitsTag() {
        var s = PatientStream()
        s.register("2026-03-01T09:00:00Z")
        s.visit("2026-04-01T09:00:00Z")  // after T
        #expect(s.projection(asOf: Self.T).tags("visits:") == [])
    }

    @Test func twoVisitsHoweverFarApartAreReturn() {
        var s = PatientStream()
        s.visit("2025-01-01T09:00:00Z")
        s.visit("2026-03-01T09:00:00Z")
        #expect(s.projection(asOf: Self.T).tags("visits:") == ["visits:return"])
    }

    @Test func threeVisitsExactly180DaysApartAreLongTerm() {
        var s = PatientStream()
        s.visit("2025-09-01T09:00:00Z")
        s.visit("2025-12-01T09:00:00Z")
        s.visit("2026-02-28T09:00:00Z")  // 2025-09-01 + 180 days, to the millisecond
        #expect(s.projection(asOf: Self.T).tags("visits:") == ["visits:long-term"])
    }

    @Test func threeVisitsOneMillisecondShortOf180DaysAreReturn() {
        var s = PatientStream()
        s.visit("2025-09-01T09:00:00Z")
        s.visit("2025-12-01T09:00:00Z")
        s.visit("2026-02-28T08:59:59.999Z")
        #expect(s.projection(asOf: Self.T).tags("visits:") == ["visits:return"])
    }

    @Test func long180DaysIsADurationNotACountOfCalendarDays() {
        // Day numbers differ by 180 (Sep 1 -> Feb 28), but the duration is
        // 179 days 23 hours: return, not long-term.
        var s = PatientStream()
        s.visit("2025-09-01T23:00:00Z")
        s.visit("2025-12-01T09:00:00Z")
        s.visit("2026-02-28T22:00:00Z")
        #expect(s.projection(asOf: Self.T).tags("visits:") == ["visits:return"])
    }

    // MARK: activity:*

    @Test func noEngagementEverIsActivityNone() {
        var s = PatientStream()
        s.visit("2026-03-30T09:00:00Z")                        // visits are not engagement
        s.outbound("2026-03-30T09:00:00Z", "m-1")              // nor outbound messages
        s.dispense("2026-03-30T09:00:00Z", "a", days: 30)
        s.glucose("2026-04-01T09:00:00Z")                      // after T
        #expect(s.projection(asOf: Self.T).tags("activity:") == ["activity:none"])
    }

    @Test func engagementOnDay30OfTheWindowIsActive() {
        var s = PatientStream()
        s.glucose("2026-03-02T00:00:00Z")
        #expect(s.projection(asOf: Self.T).tags("activity:") == ["activity:active"])
    }

    @Test func engagementOnDay31IsLapsingEvenWithinThirtyTimesTwentyFourHours() {
        // Mar 1 23:59:59.999 is less than 30*24h before T = Mar 31 00:00, but
        // its day is outside the 30-day window Mar 2 ... Mar 31.
        var s = PatientStream()
        s.glucose("2026-03-01T23:59:59.999Z")
        #expect(s.projection(asOf: Self.T).tags("activity:") == ["activity:lapsing"])
    }

    @Test func engagementOnDay90IsLapsing() {
        var s = PatientStream()
        s.read("2026-01-01T00:00:00Z", "diet")
        #expect(s.projection(asOf: Self.T).tags("activity:") == ["activity:lapsing"])
    }

    @Test func engagementOnDay91IsDormant() {
        var s = PatientStream()
        s.read("2025-12-31T23:59:59.999Z", "diet")
        #expect(s.projection(asOf: Self.T).tags("activity:") == ["activity:dormant"])
    }

    @Test func engagementAtTheAsOfInstantIsActive() {
        var s = PatientStream()
        s.survey(Self.T, "intake")
        #expect(s.projection(asOf: Self.T).tags("activity:") == ["activity:active"])
    }

    @Test func eachEngagementTypeCounts() {
        let bodies: [EventBody] = [
            .read(Read(content: "c", progress: 0.1)),
            .checkin(Checkin(values: .weight(kg: 70))),
            .survey(Survey(survey: "intake", answers: [])),
            .message(Message(message: "r", direction: .inbound, channel: .app)),
        ]
        for body in bodies {
            var s = PatientStream()
            s.add("2026-03-20T09:00:00Z", body)
            #expect(s.projection(asOf: Self.T).tags("activity:") == ["activity:active"], "\(body)")
        }
    }

    @Test func theLatestEngagementDecides() {
        var s = PatientStream()
        s.glucose("2026-03-20T09:00:00Z")
        s.glucose("2025-06-01T09:00:00Z")   // stored later, older
        #expect(s.projection(asOf: Self.T).tags("activity:") == ["activity:active"])
    }

    @Test func activityWindowsUseUTCDays() {
        // 2026-03-02T07:00+08:00 is Mar 1 23:00 UTC: day 31, lapsing.
        var s = PatientStream()
        s.glucose("2026-03-02T07:00:00+08:00")
        #expect(s.projection(asOf: Self.T).tags("activity:") == ["activity:lapsing"])
    }

    // MARK: lost-to-follow-up

    /// A diabetic patient last seen on `lastVisit`.
    func chronic(lastVisit: String) -> PatientStream {
        var s = PatientStream()
        s.register("2025-01-01T09:00:00Z", conditions: ["E11.9"])
        s.visit(lastVisit)
        return s
    }

    @Test func chronicWithNoVisitIn90DaysAndNoAppointmentIsLost() {
        let s = chronic(lastVisit: "2025-12-31T23:00:00Z")  // day 91
        let p = s.projection(asOf: Self.T)
        #expect(p.tags.contains("lost-to-follow-up"))
        #expect(p.tags("risk:") == ["risk:medium"])
    }

    @Test func aVisitOnDay90IsNotLost() {
        let s = chronic(lastVisit: "2026-01-01T00:00:00Z")
        #expect(!s.projection(asOf: Self.T).tags.contains("lost-to-follow-up"))
    }

    @Test func aFutureAppointmentPreventsLost() {
        var s = chronic(lastVisit: "2025-10-01T09:00:00Z")
        s.appointment("2026-03-01T09:00:00Z", "a-1", .scheduled, for: "2026-04-15T09:00:00Z")
        let p = s.projection(asOf: Self.T)
        #expect(p.profile.nextAppointment == t("2026-04-15T09:00:00Z"))
        #expect(!p.tags.contains("lost-to-follow-up"))
        #expect(p.tags("risk:") == ["risk:low"])
    }

    @Test func aPastOrCancelledAppointmentDoesNotPreventLost() {
        var s = chronic(lastVisit: "2025-10-01T09:00:00Z")
        s.appointment("2026-01-01T09:00:00Z", "missed", .scheduled, for: "2026-03-01T09:00:00Z")
        s.appointment("2026-01-01T09:00:00Z", "dropped", .scheduled, for: "2026-05-01T09:00:00Z")
        s.appointment("2026-01-02T09:00:00Z", "dropped", .cancelled)
        #expect(s.projection(asOf: Self.T).tags.contains("lost-to-follow-up"))
    }

    @Test func aNonChronicGroupAloneIsNeverLost() {
        var s = PatientStream()
        s.register("2025-01-01T09:00:00Z", conditions: ["O9A.1", "R51"])
        s.visit("2025-06-01T09:00:00Z")
        #expect(!s.projection(asOf: Self.T).tags.contains("lost-to-follow-up"))
    }

    @Test func withoutAnyVisitNobodyIsLost() {
        var s = PatientStream()
        s.register("2025-01-01T09:00:00Z", conditions: ["I10"])
        #expect(!s.projection(asOf: Self.T).tags.contains("lost-to-follow-up"))
    }

    // MARK: adherence:* and consent

    @Test func noPDCValueMeansNoAdherenceTag() {
        var s = PatientStream()
        s.dispense("2026-03-01T09:00:00Z", "a", days: 30)
        #expect(s.projection(asOf: Self.T).tags("adherence:") == [])
    }

    @Test func withdrawnMessagingConsentIsTagged() {
        var s = PatientStream()
        s.consent("2026-03-01T09:00:00Z", .messaging, false)
        s.consent("2026-03-02T09:00:00Z", .research, false)
        #expect(s.projection(asOf: Self.T).tags.contains("consent:no-messaging"))
        s.consent("2026-03-03T09:00:00Z", .messaging, true)
        #expect(!s.projection(asOf: Self.T).tags.contains("consent:no-messaging"))
    }

    // MARK: risk:*

    func risk(_ build: (inout PatientStream) -> Void) -> [String] {
        var s = PatientStream()
        build(&s)
        return s.projection(asOf: Self.T).tags("risk:")
    }

    @Test func phq9Of20IsHighAnd19IsMedium() {
        #expect(risk { $0.phq9("2026-03-01T09:00:00Z", total: 20) } == ["risk:high"])
        #expect(risk { $0.phq9("2026-03-01T09:00:00Z", total: 19) } == ["risk:medium"])
    }

    @Test func phq9Q9OfOneIsHighWhateverTheTotal() {
        #expect(risk { $0.phq9("2026-03-01T09:00:00Z", [0, 0, 0, 0, 0, 0, 0, 0, 1]) } == ["risk:high"])
    }

    @Test func phq9Of10IsMediumAnd9IsLow() {
        #expect(risk { $0.phq9("2026-03-01T09:00:00Z", total: 10) } == ["risk:medium"])
        #expect(risk { $0.phq9("2026-03-01T09:00:00Z", total: 9) } == ["risk:low"])
    }

    @Test func bloodPressureAtHighBounds() {
        #expect(risk { $0.bp("2026-03-01T09:00:00Z", 180, 80) } == ["risk:high"])
        #expect(risk { $0.bp("2026-03-01T09:00:00Z", 120, 120) } == ["risk:high"])
        #expect(risk { $0.bp("2026-03-01T09:00:00Z", 179, 119) } == ["risk:medium"])
    }

    @Test func bloodPressureAtMediumBounds() {
        #expect(risk { $0.bp("2026-03-01T09:00:00Z", 140, 80) } == ["risk:medium"])
        #expect(risk { $0.bp("2026-03-01T09:00:00Z", 120, 90) } == ["risk:medium"])
        #expect(risk { $0.bp("2026-03-01T09:00:00Z", 139, 89) } == ["risk:low"])
    }

    @Test func glucoseAtHighBounds() {
        #expect(risk { $0.glucose("2026-03-01T09:00:00Z", 16.7) } == ["risk:high"])
        #expect(risk { $0.glucose("2026-03-01T09:00:00Z", 16.6) } == ["risk:low"])
        #expect(risk { $0.glucose("2026-03-01T09:00:00Z", 2.9) } == ["risk:high"])
        #expect(risk { $0.glucose("2026-03-01T09:00:00Z", 3.0) } == ["risk:low"])
    }

    @Test func lostToFollowUpIsMedium() {
        #expect(chronic(lastVisit: "2025-06-01T09:00:00Z").projection(asOf: Self.T).tags("risk:") == ["risk:medium"])
    }

    @Test func nonAdherenceIsMedium() {
        let tags = risk {
            $0.dispense("2026-01-01T09:00:00Z", "a", days: 10)
            $0.dispense("2026-02-01T09:00:00Z", "a", days: 10)
        }
        #expect(tags == ["risk:medium"])
    }

    @Test func nothingKnownIsLow() {
        #expect(risk { $0.register("2026-03-01T09:00:00Z") } == ["risk:low"])
    }

    @Test func riskUsesTheLatestValuesHoweverOld() {
        // An old crisis followed by normal readings is low.
        #expect(risk {
            $0.bp("2026-01-01T09:00:00Z", 200, 130)
            $0.bp("2026-03-01T09:00:00Z", 120, 80)
            $0.phq9("2026-01-01T09:00:00Z", total: 24)
            $0.phq9("2026-03-01T09:00:00Z", total: 3)
        } == ["risk:low"])
        // A years-old reading still counts when it is the latest.
        #expect(risk { $0.glucose("2019-01-01T09:00:00Z", 20) } == ["risk:high"])
        // Latest by time, not by log position.
        #expect(risk {
            $0.glucose("2026-03-01T09:00:00Z", 6)
            $0.glucose("2026-02-01T09:00:00Z", 2.5)
        } == ["risk:low"])
        // Readings after T do not count.
        #expect(risk {
            $0.glucose("2026-03-01T09:00:00Z", 6)
            $0.glucose("2026-04-01T09:00:00Z", 2.5)
        } == ["risk:low"])
    }

    @Test func highOutranksMedium() {
        #expect(risk {
            $0.bp("2026-03-01T09:00:00Z", 150, 95)
            $0.glucose("2026-03-01T09:00:00Z", 17)
        } == ["risk:high"])
    }

    // MARK: The whole set

    @Test func everyPatientHasOneActivityAndOneRiskTagAndTagsAreSorted() {
        var s = PatientStream()
        s.register("2025-01-01T09:00:00Z", conditions: ["I10", "E11.9"])
        s.visit("2025-06-01T09:00:00Z")
        s.visit("2025-07-01T09:00:00Z")
        s.bp("2026-03-30T09:00:00Z", 150, 85)
        s.consent("2026-03-01T09:00:00Z", .messaging, false)
        s.tag("2026-03-01T09:00:00Z", "frail")
        #expect(s.projection(asOf: Self.T).tags == [
            "activity:active", "condition:diabetes", "condition:hypertension", "consent:no-messaging",
            "lost-to-follow-up", "manual:frail", "risk:medium", "visits:return",
        ])
    }

    /// The cohort counts rule tags by number: each number names one tag,
    /// each tag once, and a name finds its number (any other tag, such as
    /// a manual one, none).
    @Test func ruleTagsAreNumberedOneToOneWithTheirNames() {
        #expect(Set(RuleTag.names).count == RuleTag.count)
        for (index, name) in RuleTag.names.enumerated() { #expect(RuleTag(named: name)?.index == index) }
        for group in ConditionGroup.allCases { #expect(RuleTag.condition(group).name == "condition:\(group.name)") }
        #expect(RuleTag.lowRisk.name == "risk:low")
        #expect(RuleTag(named: "manual:risk:low") == nil)
        #expect(TagRules.manualTag("vip") == "manual:vip")
    }
}
