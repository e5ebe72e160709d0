import Testing
import LedgerEvents
import LedgerProjections

/// Check-in adherence of metrics.md. T is 2026-03-31T12:00Z unless said
/// otherwise: the 30-day window ending at T is Mar 2 ... Mar 31.
@Suite struct CheckinAdherenceTests {
    static let T = "2026-03-31T12:00:00Z"

    func adherence(_ s: PatientStream, asOf: String = T) -> Double? {
        s.projection(asOf: asOf).adherence.checkinAdherence
    }

    @Test func everyDayCountsDaysWithACheckin() {
        var s = PatientStream()
        s.enroll("2026-01-01T09:00:00Z", "sugar", .checkin(metric: .glucose, everyDays: 1))
        s.glucose("2026-03-01T09:00:00Z")         // before the window
        s.glucose("2026-03-02T00:00:00Z")         // day 1
        s.glucose("2026-03-02T20:00:00Z")         // the same slot again
        s.glucose("2026-03-10T09:00:00Z")
        s.glucose("2026-03-31T11:00:00Z")         // day 30, before T
        s.glucose("2026-03-31T13:00:00Z")         // after T
        #expect(adherence(s) == 3.0 / 30)
    }

    @Test func everySevenDaysSlotsRunFromTheWindowsFirstDayWithAShortLastSlot() {
        // Slots: Mar 2-8, 9-15, 16-22, 23-29, 30-31 (two days).
        var s = PatientStream()
        s.enroll("2026-01-01T09:00:00Z", "bp-plan", .checkin(metric: .bp, everyDays: 7))
        s.bp("2026-03-08T09:00:00Z", 130, 80)     // slot 1
        s.bp("2026-03-09T09:00:00Z", 130, 80)     // slot 2 (slots counted from the end would share one)
        s.bp("2026-03-30T09:00:00Z", 130, 80)     // the short last slot
        #expect(adherence(s) == 3.0 / 5)
    }

    @Test func aMidWindowEnrolmentCutsTheWindowAndAnEarlierCheckinThatDayCounts() {
        // Enrolled Mar 22 10:00: window Mar 22 ... Mar 31, slots Mar 22-28 and 29-31.
        var s = PatientStream()
        s.glucose("2026-03-21T09:00:00Z")         // before the enrolment day
        s.glucose("2026-03-22T08:00:00Z")         // the enrolment day, before the enrolment: counts
        s.enroll("2026-03-22T10:00:00Z", "sugar", .checkin(metric: .glucose, everyDays: 7))
        #expect(adherence(s) == 1.0 / 2)
    }

    @Test func anEnrolmentOnTheAsOfDayHasOneSlot() {
        var s = PatientStream()
        s.glucose("2026-03-31T08:00:00Z")
        s.enroll("2026-03-31T10:00:00Z", "sugar", .checkin(metric: .glucose, everyDays: 7))
        #expect(adherence(s) == 1.0)
        var none = PatientStream()
        none.enroll("2026-03-31T10:00:00Z", "sugar", .checkin(metric: .glucose, everyDays: 1))
        #expect(adherence(none) == 0.0)
    }

    @Test func onlyCheckinsOfThePlansMetricCount() {
        var s = PatientStream()
        s.enroll("2026-03-29T09:00:00Z", "bp-plan", .checkin(metric: .bp, everyDays: 1))
        s.glucose("2026-03-29T10:00:00Z")
        s.bp("2026-03-30T10:00:00Z", 120, 80)
        #expect(adherence(s) == 1.0 / 3)
    }

    @Test func aSecondEnrolReplacesTheFirstsDayMetricAndPeriod() {
        var s = PatientStream()
        s.enroll("2026-01-01T09:00:00Z", "plan", .checkin(metric: .glucose, everyDays: 1))
        for d in 2...31 { s.glucose("2026-03-\(d < 10 ? "0" : "")\(d)T08:00:00Z") }
        s.enroll("2026-03-25T10:00:00Z", "plan", .checkin(metric: .bp, everyDays: 7))
        // Now: bp every 7 days from Mar 25: one slot, Mar 25 ... 31, empty.
        #expect(adherence(s) == 0.0)
        s.bp("2026-03-26T10:00:00Z", 120, 80)
        #expect(adherence(s) == 1.0)
    }

    @Test func theMeanIsOverCurrentCheckinEnrolments() {
        var s = PatientStream()
        s.enroll("2026-01-01T09:00:00Z", "sugar", .checkin(metric: .glucose, everyDays: 1))
        s.enroll("2026-01-01T09:00:00Z", "bp-plan", .checkin(metric: .bp, everyDays: 7))
        s.enroll("2026-01-01T09:00:00Z", "rehab", .journey)        // not a check-in plan
        s.enroll("2026-01-01T09:00:00Z", "steps", .checkin(metric: .steps, everyDays: 1))
        s.unenroll("2026-02-01T09:00:00Z", "steps")                 // left: not counted
        for d in 2...31 { s.glucose("2026-03-\(d < 10 ? "0" : "")\(d)T08:00:00Z") }  // 30 of 30
        s.bp("2026-03-02T08:00:00Z", 120, 80)
        s.bp("2026-03-15T08:00:00Z", 120, 80)                       // 2 of 5
        #expect(close(adherence(s), 0.7))
        #expect(adherence(s) == (1.0 + 0.4) / 2)
    }

    @Test func withoutACurrentCheckinEnrolmentThereIsNone() {
        var journey = PatientStream()
        journey.enroll("2026-01-01T09:00:00Z", "rehab", .journey)
        #expect(adherence(journey) == nil)

        var left = PatientStream()
        left.enroll("2026-01-01T09:00:00Z", "sugar", .checkin(metric: .glucose, everyDays: 1))
        left.glucose("2026-03-20T09:00:00Z")
        left.unenroll("2026-03-01T09:00:00Z", "sugar")
        #expect(adherence(left) == nil)

        var future = PatientStream()
        future.enroll("2026-04-01T09:00:00Z", "sugar", .checkin(metric: .glucose, everyDays: 1))
        #expect(adherence(future) == nil)
    }

    @Test func anUnenrolStoredFirstButLaterInTimeStillEndsTheEnrolment() {
        var s = PatientStream()
        s.unenroll("2026-03-10T09:00:00Z", "sugar")
        s.enroll("2026-03-01T09:00:00Z", "sugar", .checkin(metric: .glucose, everyDays: 1))
        #expect(adherence(s) == nil)
        #expect(s.projection(asOf: Self.T).profile.programs == [])
    }

    @Test func atMidnightTheAsOfDayIsTheWindowsLastDay() {
        // T = Mar 31 00:00: the window is still Mar 2 ... Mar 31 (30 slots);
        // only the instant T of Mar 31 is in the past.
        var s = PatientStream()
        s.enroll("2026-01-01T09:00:00Z", "sugar", .checkin(metric: .glucose, everyDays: 1))
        s.glucose("2026-03-31T00:00:00Z")
        s.glucose("2026-03-01T23:00:00Z")   // day 31: outside
        #expect(adherence(s, asOf: "2026-03-31T00:00:00Z") == 1.0 / 30)
    }
}
