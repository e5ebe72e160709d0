import Testing
import LedgerEvents
import LedgerProjections

/// The profile fields of metrics.md, one rule per test.
@Suite struct PatientProfileTests {
    @Test func sexAndBirthYearComeFromTheLatestRegisterThatHasEach() {
        var s = PatientStream()
        s.register("2026-01-01T09:00:00Z", sex: .female, birthYear: 1958)
        s.register("2026-02-01T09:00:00Z", birthYear: 1960)
        s.register("2025-12-01T09:00:00Z", sex: .male, birthYear: 1950)  // stored last, earlier in time
        let profile = s.projection(asOf: "2026-03-01T00:00:00Z").profile
        #expect(profile.sex == .female)
        #expect(profile.birthYear == 1960)
    }

    @Test func withoutARegisterSexAndBirthYearAreNil() {
        var s = PatientStream()
        s.visit("2026-01-01T09:00:00Z")
        let profile = s.projection(asOf: "2026-03-01T00:00:00Z").profile
        #expect(profile.sex == nil)
        #expect(profile.birthYear == nil)
    }

    @Test func conditionsAreUpperCasedDeduplicatedAsStringsAndSorted() {
        var s = PatientStream()
        s.register("2026-01-01T09:00:00Z", conditions: ["I10", "e11.9"])
        s.visit("2026-01-02T09:00:00Z", diagnoses: ["E11.9", "E119", "O9A.1"])
        s.register("2026-01-03T09:00:00Z", conditions: ["J45"])
        let profile = s.projection(asOf: "2026-03-01T00:00:00Z").profile
        #expect(profile.conditions == ["E11.9", "E119", "I10", "J45", "O9A.1"])
        #expect(profile.conditionGroups == [.asthma, .diabetes, .hypertension, .pregnancy])
        #expect(profile.conditionGroups.map(\.name) == ["asthma", "diabetes", "hypertension", "pregnancy"])
    }

    @Test func conditionsAfterTheAsOfTimeDoNotCount() {
        var s = PatientStream()
        s.register("2026-01-01T09:00:00Z", conditions: ["I10"])
        s.visit("2026-04-01T09:00:00Z", diagnoses: ["E11.9"])
        #expect(s.projection(asOf: "2026-03-01T00:00:00Z").profile.conditions == ["I10"])
    }

    @Test func visitsCountFirstLastAndKinds() {
        var s = PatientStream()
        s.visit("2026-02-01T09:00:00Z", kind: .inpatient)
        s.visit("2026-01-05T09:00:00Z", kind: .outpatient)  // stored later, earlier in time
        s.visit("2026-03-01T09:00:00Z", kind: .outpatient)
        s.visit("2026-05-01T09:00:00Z", kind: .emergency)   // after T
        let visits = s.projection(asOf: "2026-03-01T09:00:00Z").profile.visits
        #expect(visits.count == 3)
        #expect(visits.first == t("2026-01-05T09:00:00Z"))
        #expect(visits.last == t("2026-03-01T09:00:00Z"))
        #expect(visits.byKind == [.inpatient: 1, .outpatient: 2])
    }

    @Test func withoutVisitsFirstAndLastAreNil() {
        var s = PatientStream()
        s.register("2026-01-01T09:00:00Z")
        let visits = s.projection(asOf: "2026-03-01T00:00:00Z").profile.visits
        #expect(visits == VisitSummary(count: 0, first: nil, last: nil, byKind: [:]))
    }

    @Test func appointmentsGoByTheirLatestStatusAndAttendedByVisits() {
        var s = PatientStream()
        s.appointment("2026-01-01T09:00:00Z", "a-3", .scheduled, for: "2026-01-10T09:00:00Z")
        s.appointment("2026-01-02T09:00:00Z", "a-3", .cancelled)
        s.appointment("2026-01-01T09:00:00Z", "a-1", .scheduled, for: "2026-01-12T09:00:00Z")
        s.appointment("2026-01-13T09:00:00Z", "a-1", .noshow)
        s.appointment("2026-01-14T09:00:00Z", "a-1", .scheduled, for: "2026-01-20T09:00:00Z")  // rebooked
        s.appointment("2026-01-05T09:00:00Z", "a-2", .scheduled, for: "2026-01-15T09:00:00Z")
        s.appointment("2026-01-03T09:00:00Z", "a-2", .noshow)  // stored later, earlier in time
        s.visit("2026-01-20T09:00:00Z", appointment: "a-1")
        s.visit("2026-01-21T09:00:00Z", appointment: "walk-in")  // no appointment event
        s.appointment("2026-01-04T09:00:00Z", "a-4", .scheduled, for: "2026-01-06T09:00:00Z")
        s.appointment("2026-01-05T09:00:00Z", "a-4", .noshow)
        let appointments = s.projection(asOf: "2026-02-01T00:00:00Z").profile.appointments
        #expect(appointments.scheduled == ["a-1", "a-2"])
        #expect(appointments.attended == ["a-1", "walk-in"])
        #expect(appointments.noshow == ["a-4"])
        #expect(appointments.cancelled == ["a-3"])
    }

    @Test func appointmentStatusesAfterTheAsOfTimeDoNotCount() {
        var s = PatientStream()
        s.appointment("2026-01-01T09:00:00Z", "a-1", .scheduled, for: "2026-03-01T09:00:00Z")
        s.appointment("2026-02-15T09:00:00Z", "a-1", .cancelled)
        let profile = s.projection(asOf: "2026-02-01T00:00:00Z").profile
        #expect(profile.appointments.scheduled == ["a-1"])
        #expect(profile.appointments.cancelled == [])
        #expect(profile.nextAppointment == t("2026-03-01T09:00:00Z"))
    }

    @Test func nextAppointmentIsTheEarliestFutureScheduledOneNoVisitNamed() {
        var s = PatientStream()
        s.appointment("2026-01-01T09:00:00Z", "past", .scheduled, for: "2026-01-31T09:00:00Z")
        s.appointment("2026-01-01T09:00:00Z", "at-T", .scheduled, for: "2026-02-01T00:00:00Z")
        s.appointment("2026-01-01T09:00:00Z", "later", .scheduled, for: "2026-03-01T09:00:00Z")
        s.appointment("2026-01-01T09:00:00Z", "sooner", .scheduled, for: "2026-02-10T09:00:00Z")
        s.appointment("2026-01-01T09:00:00Z", "cancelled", .scheduled, for: "2026-02-02T09:00:00Z")
        s.appointment("2026-01-02T09:00:00Z", "cancelled", .cancelled)
        s.appointment("2026-01-01T09:00:00Z", "seen-early", .scheduled, for: "2026-02-03T09:00:00Z")
        s.visit("2026-01-20T09:00:00Z", appointment: "seen-early")
        #expect(s.projection(asOf: "2026-02-01T00:00:00Z").profile.nextAppointment == t("2026-02-10T09:00:00Z"))
    }

    @Test func nextAppointmentUsesTheLatestBookingOfAnId() {
        var s = PatientStream()
        s.appointment("2026-01-01T09:00:00Z", "a-1", .scheduled, for: "2026-02-05T09:00:00Z")
        s.appointment("2026-01-03T09:00:00Z", "a-1", .scheduled, for: "2026-03-05T09:00:00Z")
        #expect(s.projection(asOf: "2026-02-01T00:00:00Z").profile.nextAppointment == t("2026-03-05T09:00:00Z"))
    }

    @Test func withoutAFutureScheduledAppointmentNextAppointmentIsNil() {
        var s = PatientStream()
        s.appointment("2026-01-01T09:00:00Z", "a-1", .scheduled, for: "2026-01-05T09:00:00Z")
        #expect(s.projection(asOf: "2026-02-01T00:00:00Z").profile.nextAppointment == nil)
    }

    @Test func messagesCountByDirectionWithTheLastOutboundTime() {
        var s = PatientStream()
        s.outbound("2026-01-03T09:00:00Z", "m-2", purpose: .care)
        s.outbound("2026-01-01T09:00:00Z", "m-1", purpose: .education)
        s.inbound("2026-01-04T09:00:00Z")
        s.outbound("2026-03-01T09:00:00Z", "m-3", purpose: .care)  // after T
        let messages = s.projection(asOf: "2026-02-01T00:00:00Z").profile.messages
        #expect(messages == MessageSummary(outbound: 2, inbound: 1, lastOutbound: t("2026-01-03T09:00:00Z")))
    }

    @Test func readsCountEventsDistinctContentsAndCompletedByMaximumProgress() {
        var s = PatientStream()
        s.read("2026-01-01T09:00:00Z", "diet", progress: 0.5)
        s.read("2026-01-02T09:00:00Z", "diet", progress: 0.95)
        s.read("2026-01-03T09:00:00Z", "diet", progress: 0.1)   // max stays 0.95
        s.read("2026-01-01T09:00:00Z", "walk", progress: 0.89)
        s.read("2026-01-01T09:00:00Z", "sleep", progress: 0.9)   // exactly 0.9 completes
        let reads = s.projection(asOf: "2026-02-01T00:00:00Z").profile.reads
        #expect(reads == ReadSummary(count: 5, contents: 3, completed: 2))
    }

    @Test func checkinsCountAndKeepTheLatestPerMetric() {
        var s = PatientStream()
        s.glucose("2026-01-02T09:00:00Z", 8.1)
        s.glucose("2026-01-01T09:00:00Z", 7.2)   // stored later, earlier in time
        s.bp("2026-01-03T09:00:00Z", 130, 85)
        s.glucose("2026-03-01T09:00:00Z", 9.9)   // after T
        let checkins = s.projection(asOf: "2026-02-01T00:00:00Z").profile.checkins
        #expect(checkins.count == 3)
        #expect(checkins.latest == [
            .glucose: LatestCheckin(time: t("2026-01-02T09:00:00Z"), values: .glucose(mmol: 8.1)),
            .bp: LatestCheckin(time: t("2026-01-03T09:00:00Z"), values: .bp(systolic: 130, diastolic: 85)),
        ])
    }

    @Test func surveyScoresArePhq9SumAnswersScoreOrTheGivenScore() {
        var s = PatientStream()
        s.phq9("2026-01-01T09:00:00Z", [3, 3, 3, 3, 3, 3, 3, 3, 3])
        s.phq9("2026-01-02T09:00:00Z", [1, 0, 1, 0, 0, 0, 0, 0, 0])
        s.survey("2026-01-02T09:00:00Z", "satisfaction", [("score", 8.5)])
        s.survey("2026-01-02T09:00:00Z", "nps", [("score", 9)])
        s.survey("2026-01-02T09:00:00Z", "gad7", [("q1", 2)], score: 11)
        s.survey("2026-01-02T09:00:00Z", "intake", [("q1", 2)])
        let surveys = s.projection(asOf: "2026-02-01T00:00:00Z").profile.surveys
        #expect(surveys.count == 6)
        #expect(surveys.latest == [
            "phq9": LatestSurvey(time: t("2026-01-02T09:00:00Z"), score: 2),
            "satisfaction": LatestSurvey(time: t("2026-01-02T09:00:00Z"), score: 8.5),
            "nps": LatestSurvey(time: t("2026-01-02T09:00:00Z"), score: 9),
            "gad7": LatestSurvey(time: t("2026-01-02T09:00:00Z"), score: 11),
            "intake": LatestSurvey(time: t("2026-01-02T09:00:00Z"), score: nil),
        ])
    }

    @Test func consentDefaultsToMessagingOnlyAndTakesTheLatestPerScope() {
        var s = PatientStream()
        s.register("2026-01-01T09:00:00Z")
        #expect(s.projection(asOf: "2026-02-01T00:00:00Z").profile.consent
                == ConsentState(messaging: true, research: false, sharing: false))
        s.consent("2026-01-05T09:00:00Z", .messaging, false)
        s.consent("2026-01-03T09:00:00Z", .messaging, true)   // stored later, earlier in time
        s.consent("2026-01-04T09:00:00Z", .research, true)
        s.consent("2026-03-01T09:00:00Z", .sharing, true)     // after T
        #expect(s.projection(asOf: "2026-02-01T00:00:00Z").profile.consent
                == ConsentState(messaging: false, research: true, sharing: false))
    }

    @Test func programsAreThoseEnrolledAndNotUnenrolledSorted() {
        var s = PatientStream()
        s.enroll("2026-01-01T09:00:00Z", "walk", .checkin(metric: .steps, everyDays: 1))
        s.enroll("2026-01-01T09:00:00Z", "cardio-rehab", .journey)
        s.enroll("2026-01-01T09:00:00Z", "bp-plan", .checkin(metric: .bp, everyDays: 7))
        s.unenroll("2026-01-05T09:00:00Z", "walk")
        s.unenroll("2026-01-05T09:00:00Z", "never-enrolled")
        s.unenroll("2026-01-02T09:00:00Z", "bp-plan")
        s.enroll("2026-01-03T09:00:00Z", "bp-plan", .checkin(metric: .bp, everyDays: 7))  // back in
        s.unenroll("2026-03-01T09:00:00Z", "cardio-rehab")  // after T
        #expect(s.projection(asOf: "2026-02-01T00:00:00Z").profile.programs == ["bp-plan", "cardio-rehab"])
    }

    @Test func manualTagsApplyAddAndRemoveInTimeOrder() {
        var s = PatientStream()
        s.tag("2026-01-02T09:00:00Z", "vip", .remove)
        s.tag("2026-01-01T09:00:00Z", "vip", .add)          // stored later, earlier in time: removed after
        s.tag("2026-01-03T09:00:00Z", "smoker", .add)
        s.tag("2026-01-03T09:00:00Z", "smoker", .add)
        s.tag("2026-01-04T09:00:00Z", "carer", .remove)     // never added: nothing
        s.tag("2026-01-04T09:00:00Z", "frail", .add)
        let p = s.projection(asOf: "2026-02-01T00:00:00Z")
        #expect(p.profile.manualTags == ["frail", "smoker"])
        #expect(p.tags("manual:") == ["manual:frail", "manual:smoker"])
    }

    @Test func listsSortByUnicodeCodePoint() {
        var s = PatientStream()
        // "e\u{301}" (e, combining acute) sorts before "f" by code point;
        // Swift's `<` on strings would put it after, as if it were "é" (U+E9).
        for tag in ["ärzte", "Zeta", "alpha", "_x", "f", "e\u{301}clair"] { s.tag("2026-01-01T09:00:00Z", tag) }
        let p = s.projection(asOf: "2026-02-01T00:00:00Z")
        #expect(p.profile.manualTags.map { Array($0.unicodeScalars) }
                == ["Zeta", "_x", "alpha", "e\u{301}clair", "f", "ärzte"].map { Array($0.unicodeScalars) })
        #expect(p.tags.map { Array($0.unicodeScalars) }
                == ["activity:none", "manual:Zeta", "manual:_x", "manual:alpha", "manual:e\u{301}clair", "manual:f",
                    "manual:ärzte", "risk:low"].map { Array($0.unicodeScalars) })
    }
}
