import Testing
import LedgerEvents
import LedgerProjections

/// PDC per metrics.md, steps 1-6, checked to the day. Unless said otherwise
/// the as-of time is 2018-12-31T12:00Z, so the default period is the
/// calendar year 2018 (365 days).
@Suite struct ProportionOfDaysCoveredTests {
    static let endOf2018 = "2018-12-31T12:00:00Z"

    func pdc(_ stream: PatientStream, _ therapeuticClass: String = "diabetes", asOf: String = endOf2018) -> Double?? {
        stream.projection(asOf: asOf).adherence.pdc[therapeuticClass]
    }

    // MARK: The worked examples of metrics.md

    @Test func workedExampleOneTwoMedicationsOfOneClass() {
        var s = PatientStream()
        s.dispense("2018-01-01T09:00:00Z", "metformin", days: 90)
        s.dispense("2018-04-01T09:00:00Z", "glipizide", days: 90)
        let value = pdc(s)
        #expect(value == .some(180.0 / 365))
        #expect(close(value ?? nil, 0.49315))
    }

    @Test func workedExampleTwoDifferentMedicationsAreNotShiftedAgainstEachOther() {
        var s = PatientStream()
        s.dispense("2018-01-01T09:00:00Z", "metformin", days: 90)
        s.dispense("2018-01-01T10:00:00Z", "glipizide", days: 90)
        s.dispense("2018-04-01T09:00:00Z", "metformin", days: 90)
        // Not 270/365: glipizide overlaps metformin's first fill.
        #expect(pdc(s) == .some(180.0 / 365))
        #expect(close(pdc(s) ?? nil, 0.49315))
    }

    @Test func workedExampleThreeEarlyRefillShiftsAndCutAtPeriodEnd() {
        var s = PatientStream()
        s.dispense("2018-01-01T09:00:00Z", "atorvastatin", class: "statin", days: 90)  // Jan 1 - Mar 31
        s.dispense("2018-03-25T09:00:00Z", "atorvastatin", class: "statin", days: 90)  // shifted: Apr 1 - Jun 29
        s.dispense("2018-07-05T09:00:00Z", "atorvastatin", class: "statin", days: 90)  // Jul 5 - Oct 2
        s.dispense("2018-10-15T09:00:00Z", "atorvastatin", class: "statin", days: 90)  // Oct 15 - Dec 31 (78, cut)
        #expect(pdc(s, "statin") == .some(348.0 / 365))
        #expect(close(pdc(s, "statin") ?? nil, 0.95342))
    }

    @Test func workedExamplesThroughTheFillLevelAPI() throws {
        let jan1 = day("2018-01-01")
        let example3 = ProportionOfDaysCovered(fills: [
            .init(medication: "a", day: jan1, daysSupply: 90),
            .init(medication: "a", day: day("2018-03-25"), daysSupply: 90),
            .init(medication: "a", day: day("2018-07-05"), daysSupply: 90),
            .init(medication: "a", day: day("2018-10-15"), daysSupply: 90),
        ], firstDay: jan1, lastDay: day("2018-12-31"))
        let result = try #require(example3)
        #expect(result.coveredDays == 348)
        #expect(result.treatmentDays == 365)
        #expect(result.indexDay == jan1)
    }

    // MARK: Step 1: fills in the period

    @Test func fillsBeforeThePeriodNeitherCountNorShiftLaterFills() {
        var s = PatientStream()
        s.dispense("2017-12-01T09:00:00Z", "metformin", days: 90)  // before 2018: ignored entirely
        s.dispense("2018-02-01T09:00:00Z", "metformin", days: 30)  // Feb 1 - Mar 2 (index day)
        s.dispense("2018-03-01T09:00:00Z", "metformin", days: 30)  // shifted: Mar 3 - Apr 1
        // Treatment days Feb 1 ... Dec 31 = 334; covered 60.
        #expect(pdc(s) == .some(60.0 / 334))
    }

    @Test func aClassWhoseOnlyFillsPrecedeThePeriodHasAKeyAndNoPDC() {
        var s = PatientStream()
        s.dispense("2016-05-01T09:00:00Z", "simvastatin", class: "statin", days: 30)
        s.dispense("2016-06-01T09:00:00Z", "simvastatin", class: "statin", days: 30)
        let projection = s.projection(asOf: Self.endOf2018)
        #expect(projection.adherence.pdc == ["statin": Double?.none])
        #expect(projection.tags("adherence:").isEmpty)
    }

    @Test func aFillAfterTheAsOfTimeOnTheSameDayDoesNotCount() {
        var s = PatientStream()
        s.dispense("2018-12-01T09:00:00Z", "metformin", days: 30)
        s.dispense("2018-12-31T13:00:00Z", "metformin", days: 30)  // after T = 12:00
        #expect(pdc(s) == .some(nil))
        s.dispense("2018-12-31T11:00:00Z", "glipizide", days: 1)
        // Dec 1 - Dec 30 and Dec 31: 31 of 31.
        #expect(pdc(s) == .some(1.0))
    }

    @Test func noDispenseAtOrBeforeTheAsOfTimeMeansNoKey() {
        var s = PatientStream()
        s.dispense("2019-01-05T09:00:00Z", "metformin", days: 30)
        #expect(s.projection(asOf: Self.endOf2018).adherence.pdc.isEmpty)
    }

    // MARK: Step 2: at least two fills on different days

    @Test func aSingleFillHasNoPDC() {
        var s = PatientStream()
        s.dispense("2018-03-01T09:00:00Z", "metformin", days: 90)
        #expect(pdc(s) == .some(nil))
    }

    @Test func twoFillsOnTheSameDayHaveNoPDC() {
        var s = PatientStream()
        s.dispense("2018-03-01T09:00:00Z", "metformin", days: 90)
        s.dispense("2018-03-01T17:00:00Z", "glipizide", days: 90)
        s.dispense("2018-03-01T18:00:00Z", "metformin", days: 90)
        #expect(pdc(s) == .some(nil))
    }

    // MARK: Steps 3-6

    @Test func treatmentDaysRunFromTheIndexDayToThePeriodEnd() {
        var s = PatientStream()
        s.dispense("2018-05-01T09:00:00Z", "metformin", days: 30)  // May 1 - May 30
        s.dispense("2018-06-15T09:00:00Z", "metformin", days: 30)  // Jun 15 - Jul 14
        // Default period as of 2018-06-30T12:00Z is 2017-07-01 ... 2018-06-30:
        // treatment days May 1 ... Jun 30 = 61, covered 30 + 16 = 46.
        #expect(pdc(s, asOf: "2018-06-30T12:00:00Z") == .some(46.0 / 61))
    }

    @Test func coveragePastThePeriodEndIsCut() {
        var s = PatientStream()
        s.dispense("2018-12-01T09:00:00Z", "metformin", days: 30)  // Dec 1 - Dec 30
        s.dispense("2018-12-15T09:00:00Z", "metformin", days: 30)  // shifted: Dec 31 - Jan 29, cut to Dec 31
        #expect(pdc(s) == .some(1.0))
    }

    @Test func gapsAreNotCovered() {
        var s = PatientStream()
        s.dispense("2018-01-01T09:00:00Z", "metformin", days: 30)  // Jan 1 - Jan 30
        s.dispense("2018-03-01T09:00:00Z", "metformin", days: 30)  // Mar 1 - Mar 30
        #expect(pdc(s) == .some(60.0 / 365))
    }

    @Test func eachMedicationShiftsOnlyBehindItself() {
        var s = PatientStream()
        s.dispense("2018-01-01T09:00:00Z", "a", days: 30)  // Jan 1 - Jan 30
        s.dispense("2018-01-10T09:00:00Z", "b", days: 30)  // Jan 10 - Feb 8, not shifted behind a
        s.dispense("2018-01-20T09:00:00Z", "a", days: 30)  // shifted behind a: Jan 31 - Mar 1
        // Union Jan 1 ... Mar 1 = 60 days.
        #expect(pdc(s) == .some(60.0 / 365))
    }

    @Test func shiftsChainAcrossSeveralEarlyRefills() {
        var s = PatientStream()
        s.dispense("2018-01-01T09:00:00Z", "a", days: 10)  // Jan 1 - 10
        s.dispense("2018-01-02T09:00:00Z", "a", days: 10)  // Jan 11 - 20
        s.dispense("2018-01-03T09:00:00Z", "a", days: 10)  // Jan 21 - 30
        #expect(pdc(s) == .some(30.0 / 365))
    }

    @Test func fillsAreWalkedInTimeOrderNotLogOrder() {
        // Stored first, but later in time: it is not the index fill, and it
        // is not what the earlier fill shifts behind.
        var s = PatientStream()
        s.dispense("2018-06-10T08:00:00Z", "a", days: 10)
        s.dispense("2018-06-01T08:00:00Z", "a", days: 5)
        // Jun 1 - 5 and Jun 10 - 19 of Jun 1 ... Dec 31 (214). In log order it
        // would be Jun 10 - 19 and Jun 20 - 24 of Jun 10 ... Dec 31 (205).
        #expect(pdc(s) == .some(15.0 / 214))
    }

    @Test func exactlyPointEightIsAdherent() {
        var s = PatientStream()
        s.dispense("2018-01-01T09:00:00Z", "metformin", days: 146)  // Jan 1 - May 26
        s.dispense("2018-06-01T09:00:00Z", "metformin", days: 146)  // Jun 1 - Oct 24
        let projection = s.projection(asOf: Self.endOf2018)
        #expect(projection.adherence.pdc["diabetes"] == .some(0.8))
        #expect(projection.tags("adherence:") == ["adherence:adherent"])
        #expect(projection.tags("risk:") == ["risk:low"])
    }

    @Test func oneClassBelowPointEightMakesThePatientNonAdherent() {
        var s = PatientStream()
        s.dispense("2018-01-01T09:00:00Z", "metformin", days: 200)
        s.dispense("2018-07-20T09:00:00Z", "metformin", days: 200)  // diabetes: 1.0
        s.dispense("2018-01-01T09:00:00Z", "atorvastatin", class: "statin", days: 30)
        s.dispense("2018-02-01T09:00:00Z", "atorvastatin", class: "statin", days: 30)  // statin: 60/365
        s.dispense("2018-02-01T09:00:00Z", "losartan", class: "ras", days: 30)  // ras: single fill, null
        let projection = s.projection(asOf: Self.endOf2018)
        #expect(projection.adherence.pdc == ["diabetes": 1.0, "statin": 60.0 / 365, "ras": Double?.none])
        #expect(projection.tags("adherence:") == ["adherence:non-adherent"])
        #expect(projection.tags("risk:") == ["risk:medium"])
    }

    // MARK: Days are UTC days

    @Test func aFillAt0100PlusEightFallsOnThePreviousUTCDay() {
        var s = PatientStream()
        s.dispense("2018-01-01T09:00:00Z", "metformin", days: 90)           // Jan 1 - Mar 31
        s.dispense("2018-04-01T01:00:00+08:00", "glipizide", days: 90)      // UTC Mar 31: Mar 31 - Jun 28
        // Union Jan 1 ... Jun 28 = 179 days (180 if the fill were on Apr 1).
        #expect(pdc(s) == .some(179.0 / 365))
    }

    @Test func aFillAtMidnightUTCBelongsToThatDay() {
        var s = PatientStream()
        s.dispense("2018-01-01T00:00:00Z", "a", days: 1)
        s.dispense("2017-12-31T23:59:59.999Z", "a", days: 1)  // before the period
        s.dispense("2018-01-02T00:00:00Z", "a", days: 1)
        #expect(pdc(s) == .some(2.0 / 365))
    }

    // MARK: Explicit period

    @Test func anExplicitPeriodRestartsFromItsOwnFills() throws {
        var s = PatientStream()
        s.dispense("2018-01-01T09:00:00Z", "a", class: "statin", days: 90)
        s.dispense("2018-03-25T09:00:00Z", "a", class: "statin", days: 90)
        s.dispense("2018-07-05T09:00:00Z", "a", class: "statin", days: 90)
        s.dispense("2018-10-15T09:00:00Z", "a", class: "statin", days: 90)
        let all = PatientProjection.pdc(patient: "P1", events: s.records, asOf: t(Self.endOf2018),
                                        firstDay: day("2018-03-01"), lastDay: day("2018-12-31"))
        // In the period: Mar 25 (index, not shifted: the Jan 1 fill is outside)
        // Mar 25 - Jun 22 (90), Jul 5 - Oct 2 (90), Oct 15 - Dec 31 (78) of
        // Mar 25 ... Dec 31 (282 days).
        let statin = try #require(all["statin"] ?? nil)
        #expect(statin.coveredDays == 258)
        #expect(statin.treatmentDays == 282)
        #expect(statin.value == 258.0 / 282)
        #expect(close(statin.value, 0.91489))
    }

    @Test func anExplicitPeriodWithOneFillHasNoPDC() {
        var s = PatientStream()
        s.dispense("2018-01-01T09:00:00Z", "a", days: 90)
        s.dispense("2018-07-05T09:00:00Z", "a", days: 90)
        let summer = PatientProjection.pdc(patient: "P1", events: s.records, asOf: t(Self.endOf2018),
                                           firstDay: day("2018-07-01"), lastDay: day("2018-09-30"))
        #expect(summer.count == 1)
        #expect(summer["diabetes"] == .some(nil))
    }

    @Test func anExplicitPeriodStillTakesOnlyFillsAtOrBeforeTheAsOfTime() throws {
        var s = PatientStream()
        s.dispense("2018-01-01T09:00:00Z", "a", days: 30)
        s.dispense("2018-02-01T09:00:00Z", "a", days: 30)
        s.dispense("2018-03-01T09:00:00Z", "a", days: 30)
        let asOfFebruary = PatientProjection.pdc(patient: "P1", events: s.records, asOf: t("2018-02-15T00:00:00Z"),
                                                 firstDay: day("2018-01-01"), lastDay: day("2018-12-31"))
        let pdc = try #require(asOfFebruary["diabetes"] ?? nil)
        #expect(pdc.coveredDays == 60)
        #expect(pdc.treatmentDays == 365)
    }

    @Test func anEmptyOrReversedPeriodHasNoPDC() {
        let fills: [ProportionOfDaysCovered.Fill] = [.init(medication: "a", day: 10, daysSupply: 5),
                                                     .init(medication: "a", day: 12, daysSupply: 5)]
        #expect(ProportionOfDaysCovered(fills: fills, firstDay: 20, lastDay: 19) == nil)
        #expect(ProportionOfDaysCovered(fills: fills, firstDay: 10, lastDay: 12)
                == ProportionOfDaysCovered(coveredDays: 3, treatmentDays: 3, indexDay: 10))
    }
}
