import Testing
import LedgerEvents
import LedgerProjections

/// The cohort metrics of metrics.md. T is 2026-03-31T12:00Z: day(T)-364 is
/// 2025-04-01, day(T)-90 is 2025-12-31, and the 365-day window ending at T
/// is 2025-04-01 ... 2026-03-31.
@Suite struct CohortMetricsTests {
    static let T = "2026-03-31T12:00:00Z"

    func cohort(_ streams: [PatientStream], asOf: String = T) -> CohortMetrics {
        var metrics = CohortMetrics(asOf: t(asOf))
        for s in streams { metrics.add(s.projection(asOf: asOf)) }
        return metrics
    }

    func patient(_ id: String, _ build: (inout PatientStream) -> Void) -> PatientStream {
        var s = PatientStream(patient: id)
        build(&s)
        return s
    }

    @Test func anEmptyCohortHasEveryMetricNil() {
        let m = CohortMetrics(asOf: t(Self.T))
        #expect(m.patients == 0)
        #expect(m.returnVisitRate == nil)
        #expect(m.followUpResponseRate == nil)
        #expect(m.contentReadRate == nil)
        #expect(m.contentCompletionRate == nil)
        #expect(m.meanPDC == nil)
        #expect(m.pdcAdherentShare == nil)
        #expect(m.meanCheckinAdherence == nil)
        #expect(m.satisfactionMean == nil)
        #expect(m.nps == nil)
        #expect(m.tagCounts == [:])
    }

    @Test func patientsWithoutDataLeaveEveryMetricNil() {
        let m = cohort([patient("A") { $0.register("2026-01-01T09:00:00Z") },
                        patient("B") { $0.visit("2026-03-01T09:00:00Z") }])
        #expect(m.patients == 2)
        #expect(m.returnVisitRate == nil)  // B's first visit is too recent
        #expect(m.followUpResponseRate == nil)
        #expect(m.contentReadRate == nil)
        #expect(m.meanPDC == nil)
        #expect(m.pdcAdherentShare == nil)
        #expect(m.meanCheckinAdherence == nil)
        #expect(m.satisfactionMean == nil)
        #expect(m.nps == nil)
    }

    @Test func patientsCountOnlyThoseExistingAsOfT() {
        let m = cohort([patient("A") { $0.register("2026-01-01T09:00:00Z") },
                        patient("B") { $0.register("2026-04-01T09:00:00Z") },
                        patient("C") { _ in }])
        #expect(m.patients == 1)
        #expect(m.tagCounts == ["activity:none": 1, "risk:low": 1])
    }

    @Test func returnVisitRateTakesFirstVisitsOnDaysTMinus364ToTMinus90() {
        let m = cohort([
            // Eligible, back exactly 90 days later: returned.
            patient("A") { $0.visit("2025-04-01T09:00:00Z"); $0.visit("2025-06-30T09:00:00Z") },
            // Eligible (first on day(T)-90), back 89.5 days later: returned.
            patient("B") { $0.visit("2025-12-31T23:00:00Z"); $0.visit("2026-03-31T10:00:00Z") },
            // Eligible, back 90 days and 1 ms later: not returned.
            patient("E") { $0.visit("2025-05-01T09:00:00Z"); $0.visit("2025-07-30T09:00:00.001Z") },
            // Eligible, the second visit at the same instant is not after the first.
            patient("F") { $0.visit("2025-08-01T09:00:00Z"); $0.visit("2025-08-01T09:00:00Z"); $0.visit("2025-12-01T09:00:00Z") },
            // First visit on day(T)-365: not eligible.
            patient("C") { $0.visit("2025-03-31T23:59:59Z"); $0.visit("2025-04-02T09:00:00Z") },
            // First visit on day(T)-89: not eligible.
            patient("D") { $0.visit("2026-01-01T00:00:00Z"); $0.visit("2026-01-02T09:00:00Z") },
            // A visit stored after the others but earlier in time is the first one.
            patient("G") { $0.visit("2025-10-01T09:00:00Z"); $0.visit("2025-03-01T09:00:00Z") },
        ])
        #expect(m.returnVisitEligible == 4)
        #expect(m.returnVisitReturned == 2)
        #expect(m.returnVisitRate == 0.5)
    }

    @Test func aReturnVisitAfterTDoesNotCount() {
        let m = cohort([patient("A") { $0.visit("2025-12-31T09:00:00Z"); $0.visit("2026-03-31T12:00:00.001Z") }])
        #expect(m.returnVisitRate == 0.0)
    }

    @Test func followUpsAndContentsAreSummedNotAveraged() {
        let m = cohort([
            patient("A") {
                $0.outbound("2026-03-01T09:00:00Z", "m-1", content: "diet")   // answered by the read
                $0.outbound("2026-03-10T09:00:00Z", "m-2", content: "walk")   // unanswered
                $0.outbound("2026-03-30T09:00:00Z", "m-3")                    // open
                $0.read("2026-03-02T09:00:00Z", "diet", progress: 0.5)
            },
            patient("B") {
                $0.outbound("2026-03-01T09:00:00Z", "m-1", purpose: .education, content: "sleep")
                $0.outbound("2026-03-01T09:00:00Z", "m-2", purpose: .survey)
                $0.inbound("2026-03-02T09:00:00Z")
                $0.read("2026-03-02T09:00:00Z", "sleep", progress: 1)
            },
        ])
        #expect(m.followUps == FollowUpCounts(answered: 2, unanswered: 1, open: 1))
        #expect(m.followUpResponseRate == 2.0 / 3)
        #expect(m.contents == ContentCounts(delivered: 3, read: 2, completed: 1))
        #expect(m.contentReadRate == 2.0 / 3)
        #expect(m.contentCompletionRate == 1.0 / 3)
    }

    @Test func pdcMeanAndAdherentShareAreOverEveryPatientClassValue() {
        let m = cohort([
            patient("A") {
                $0.dispense("2025-04-01T09:00:00Z", "a", days: 200)
                $0.dispense("2025-10-18T09:00:00Z", "a", days: 200)       // diabetes 1.0
                $0.dispense("2025-04-01T09:00:00Z", "s", class: "statin", days: 73)
                $0.dispense("2025-06-13T09:00:00Z", "s", class: "statin", days: 1)  // statin 74/365
                $0.dispense("2025-04-01T09:00:00Z", "r", class: "ras", days: 30)    // ras: no PDC
            },
            patient("B") {
                $0.dispense("2025-04-01T09:00:00Z", "a", days: 146)        // Apr 1 - Aug 24
                $0.dispense("2025-09-01T09:00:00Z", "a", days: 146)        // Sep 1 - Jan 24: 292/365 = 0.8
            },
            patient("C") { $0.register("2026-01-01T09:00:00Z") },
        ])
        #expect(m.pdcCount == 3)
        #expect(m.pdcAdherent == 2)
        #expect(m.pdcAdherentShare == 2.0 / 3)
        #expect(close(m.meanPDC, (1.0 + 74.0 / 365 + 0.8) / 3))
    }

    @Test func meanCheckinAdherenceIsOverPatientsWithAValue() {
        let m = cohort([
            patient("A") {
                $0.enroll("2026-03-31T08:00:00Z", "sugar", .checkin(metric: .glucose, everyDays: 1))
                $0.glucose("2026-03-31T09:00:00Z")                        // 1.0
            },
            patient("B") {
                $0.enroll("2026-03-30T08:00:00Z", "sugar", .checkin(metric: .glucose, everyDays: 1))
                $0.glucose("2026-03-31T09:00:00Z")                        // 0.5
            },
            patient("C") { $0.enroll("2026-03-01T08:00:00Z", "rehab", .journey) },  // none
        ])
        #expect(m.meanCheckinAdherence == 0.75)
    }

    @Test func satisfactionMeanTakesEachPatientsLatestScoreInTheYearWindow() {
        let m = cohort([
            patient("A") {
                $0.survey("2025-05-01T09:00:00Z", "satisfaction", [("score", 2)])
                $0.survey("2026-03-01T09:00:00Z", "satisfaction", [("score", 8)])   // latest: 8
            },
            patient("B") { $0.survey("2025-04-01T00:00:00Z", "satisfaction", [("score", 6.5)]) },  // first day
            patient("C") { $0.survey("2025-03-31T23:59:59.999Z", "satisfaction", [("score", 10)]) },  // day before
            patient("D") {
                $0.survey("2025-03-01T09:00:00Z", "satisfaction", [("score", 9)])   // latest as of T, too old
                $0.survey("2026-04-05T09:00:00Z", "satisfaction", [("score", 1)])   // after T
            },
        ])
        #expect(m.satisfactionMean == 7.25)
    }

    @Test func npsIsPromotersMinusDetractorsOverTheLatestScoresInTheWindow() {
        let scores: [Double] = [10, 9, 8, 6.5, 6]
        var streams = scores.enumerated().map { i, score in
            patient("N\(i)") { $0.survey("2026-02-01T09:00:00Z", "nps", [("score", score)]) }
        }
        // Latest counts: an old detractor who now promotes.
        streams.append(patient("X") {
            $0.survey("2026-01-01T09:00:00Z", "nps", [("score", 0)])
            $0.survey("2026-03-01T09:00:00Z", "nps", [("score", 9)])
        })
        // Outside the window: not counted.
        streams.append(patient("Y") { $0.survey("2025-03-31T09:00:00Z", "nps", [("score", 0)]) })
        let m = cohort(streams)
        // 6 answers: promoters 10, 9, 9; detractors 6; passives 8 and 6.5.
        #expect(m.npsResponses == 6)
        #expect(m.npsPromoters == 3)
        #expect(m.npsDetractors == 1)
        #expect(close(m.nps, 100.0 * 2 / 6))
        #expect(m.nps == 200.0 / 6)
    }

    @Test func npsCanBeNegative() {
        let m = cohort([patient("A") { $0.survey("2026-02-01T09:00:00Z", "nps", [("score", 3)]) }])
        #expect(m.nps == -100.0)
    }

    @Test func tagCountsCountPatientsPerTag() {
        let m = cohort([
            patient("A") { $0.register("2026-01-01T09:00:00Z", conditions: ["E11.9"]); $0.glucose("2026-03-30T09:00:00Z") },
            patient("B") { $0.register("2026-01-01T09:00:00Z", conditions: ["E11.9", "I10"]) },
            patient("C") { $0.tag("2026-01-01T09:00:00Z", "vip") },
        ])
        #expect(m.tagCounts == [
            "activity:active": 1, "activity:none": 2, "condition:diabetes": 2, "condition:hypertension": 1,
            "manual:vip": 1, "risk:low": 3,
        ])
    }

    @Test func theResultDoesNotDependOnOrderOrPartition() {
        var streams: [PatientStream] = []
        for i in 0..<40 {
            streams.append(patient("P\(i)") {
                $0.dispense("2025-06-01T09:00:00Z", "a", days: 10 + i)
                $0.dispense("2025-07-\(10 + i % 19)T09:00:00Z", "a", days: 7 * (i % 5 + 1))
                $0.enroll("2026-03-0\(1 + i % 9)T08:00:00Z", "p", .checkin(metric: .glucose, everyDays: 1 + i % 4))
                for d in stride(from: 10, to: 31, by: 1 + i % 6) { $0.glucose("2026-03-\(d)T09:00:00Z") }
                $0.survey("2026-02-01T09:00:00Z", "satisfaction", [("score", Double(i % 11) / 3)])
                $0.survey("2026-02-01T09:00:00Z", "nps", [("score", Double(i % 11))])
            })
        }
        let projections = streams.map { $0.projection(asOf: Self.T) }
        var forward = CohortMetrics(asOf: t(Self.T))
        projections.forEach { forward.add($0) }
        var backward = CohortMetrics(asOf: t(Self.T))
        projections.reversed().forEach { backward.add($0) }
        var even = CohortMetrics(asOf: t(Self.T)), odd = CohortMetrics(asOf: t(Self.T))
        for (i, p) in projections.enumerated() { if i % 2 == 0 { even.add(p) } else { odd.add(p) } }
        odd.merge(even)
        #expect(backward == forward)
        #expect(odd == forward)
        #expect(odd.meanPDC == forward.meanPDC)
        #expect(odd.meanCheckinAdherence == forward.meanCheckinAdherence)
        #expect(odd.satisfactionMean == forward.satisfactionMean)
        #expect(forward.patients == 40)
        #expect(forward.pdcCount == 40)
    }
}
