import Testing
import LedgerEvents
import LedgerProjections

/// What every projection honours: only events at or before T, order by time
/// with ties by log position, erase records, foreign and unrecognized records.
@Suite struct PatientProjectionTests {
    static let T = "2026-03-31T12:00:00Z"

    /// A stream touching every field, stored out of time order.
    func richStream() -> PatientStream {
        var s = PatientStream()
        s.visit("2026-03-01T09:00:00Z", diagnoses: ["E11.9"], appointment: "a-1")
        s.register("2026-01-01T09:00:00Z", sex: .female, birthYear: 1958, conditions: ["I10"])
        s.appointment("2026-02-01T09:00:00Z", "a-1", .scheduled, for: "2026-03-01T09:00:00Z")
        s.appointment("2026-03-02T09:00:00Z", "a-2", .scheduled, for: "2026-04-15T09:00:00Z")
        s.outbound("2026-03-03T09:00:00Z", "m-1", content: "diet")
        s.read("2026-03-04T09:00:00Z", "diet", progress: 0.95, message: "m-1")
        s.dispense("2026-01-05T09:00:00Z", "metformin", days: 30)
        s.dispense("2026-02-05T09:00:00Z", "metformin", days: 30)
        s.glucose("2026-03-20T09:00:00Z", 8)
        s.enroll("2026-03-01T09:00:00Z", "sugar", .checkin(metric: .glucose, everyDays: 7))
        s.phq9("2026-03-10T09:00:00Z", total: 12)
        s.survey("2026-03-11T09:00:00Z", "nps", [("score", 9)])
        s.tag("2026-03-12T09:00:00Z", "vip")
        s.consent("2026-03-13T09:00:00Z", .research, true)
        return s
    }

    @Test func theProjectionDoesNotDependOnTheOrderRecordsArePassedIn() {
        let s = richStream()
        let forward = s.projection(asOf: Self.T)
        var reversed = s
        reversed.records.reverse()
        #expect(reversed.projection(asOf: Self.T) == forward)
        var rotated = s
        rotated.records = Array(s.records[5...] + s.records[..<5])
        #expect(rotated.projection(asOf: Self.T) == forward)
    }

    @Test func aRichStreamGivesTheHandComputedProjection() {
        let p = richStream().projection(asOf: Self.T)
        #expect(p.exists)
        #expect(p.profile.conditions == ["E11.9", "I10"])
        #expect(p.profile.appointments.attended == ["a-1"])
        #expect(p.profile.appointments.scheduled == ["a-1", "a-2"])
        #expect(p.profile.nextAppointment == t("2026-04-15T09:00:00Z"))
        #expect(p.profile.programs == ["sugar"])
        // PDC: Jan 5 - Feb 3, Feb 5 - Mar 6 of Jan 5 ... Mar 31 (86 days).
        #expect(p.adherence.pdc == ["diabetes": 60.0 / 86])
        // Check-ins: window Mar 1 ... 31, slots of 7: 5 slots, the Mar 20 one in slot 3.
        #expect(p.adherence.checkinAdherence == 1.0 / 5)
        #expect(p.adherence.followUps == FollowUpCounts(answered: 1, unanswered: 0, open: 0))
        #expect(p.adherence.contents == ContentCounts(delivered: 1, read: 1, completed: 1))
        #expect(p.tags == ["activity:active", "adherence:non-adherent", "condition:diabetes",
                           "condition:hypertension", "manual:vip", "risk:medium", "visits:first"])
    }

    @Test func theSameTimeIsBrokenByLogPosition() {
        var s = PatientStream()
        s.register("2026-01-01T09:00:00Z", sex: .male)
        s.register("2026-01-01T09:00:00Z", sex: .female)   // same time, stored later: latest
        s.bp("2026-01-01T09:00:00Z", 190, 100)
        s.bp("2026-01-01T09:00:00Z", 120, 80)              // latest
        s.tag("2026-01-01T09:00:00Z", "vip", .add)
        s.tag("2026-01-01T09:00:00Z", "vip", .remove)
        var shuffled = s
        shuffled.records.reverse()  // the array order must not matter, the positions do
        for stream in [s, shuffled] {
            let p = stream.projection(asOf: Self.T)
            #expect(p.profile.sex == .female)
            #expect(p.profile.checkins.latest[.bp]?.values == .bp(systolic: 120, diastolic: 80))
            #expect(p.tags("risk:") == ["risk:low"])
            #expect(p.profile.manualTags == [])
        }
    }

    @Test func eventsAfterTheAsOfTimeAreIgnoredAndAnEventAtItCounts() {
        var s = PatientStream()
        s.glucose("2026-03-31T12:00:00Z", 2)
        s.glucose("2026-03-31T12:00:00.001Z", 7)
        let p = s.projection(asOf: Self.T)
        #expect(p.profile.checkins.count == 1)
        #expect(p.tags("risk:") == ["risk:high"])
    }

    @Test func aPatientExistsOnlyWithAnEventAtOrBeforeTheAsOfTime() {
        var s = PatientStream()
        s.register("2026-04-01T09:00:00Z")
        #expect(!s.projection(asOf: Self.T).exists)
        #expect(s.projection(asOf: "2026-04-01T09:00:00Z").exists)
        #expect(!PatientStream().projection(asOf: Self.T).exists)
    }

    @Test func unrecognizedBodiesAreSkippedButMakeThePatientExist() {
        var s = PatientStream()
        s.add("2026-03-01T09:00:00Z", .unrecognized(UnrecognizedBody(typeCode: 200, typeVersion: 1, bytes: [1, 2, 3])))
        let p = s.projection(asOf: Self.T)
        #expect(p.exists)
        #expect(p.profile == PatientProfile())
        #expect(p.tags == ["activity:none", "risk:low"])
    }

    @Test func anEraseRecordHidesEverythingStoredBeforeItWhateverTheTimes() {
        var s = PatientStream()
        s.register("2026-01-01T09:00:00Z", sex: .male, conditions: ["I10"])
        s.glucose("2026-03-30T09:00:00Z", 20)
        s.add("2026-02-01T09:00:00Z", .erase)
        s.register("2025-06-01T09:00:00Z", sex: .female)   // stored after the erase, earlier in time: kept
        let p = s.projection(asOf: Self.T)
        #expect(p.exists)
        #expect(p.profile.sex == .female)
        #expect(p.profile.conditions == [])
        #expect(p.profile.checkins.count == 0)
        #expect(p.tags == ["activity:none", "risk:low"])
    }

    @Test func anEraseRecordAfterTheAsOfTimeStillHidesWhatWasStoredBeforeIt() {
        var s = PatientStream()
        s.register("2026-01-01T09:00:00Z")
        s.add("2026-05-01T09:00:00Z", .erase)
        #expect(!s.projection(asOf: Self.T).exists)
    }

    @Test func recordsOfOtherPatientsAreIgnored() {
        var mine = PatientStream(patient: "P1")
        mine.glucose("2026-03-01T09:00:00Z", 7)
        var other = PatientStream(patient: "P2")
        other.nextPosition = 500
        other.glucose("2026-03-02T09:00:00Z", 20)
        other.add("2026-03-03T09:00:00Z", .erase)
        let p = PatientProjection(patient: "P1", events: mine.records + other.records, asOf: t(Self.T))
        #expect(p == mine.projection(asOf: Self.T))
        #expect(p.patient == "P1")
        #expect(p.asOf == t(Self.T))
    }

    @Test func anEarlierAsOfTimeIsAnsweredFromTheSameStream() {
        // What a checkpoint relies on: one stream, any T.
        let s = richStream()
        let early = s.projection(asOf: "2026-01-31T00:00:00Z")
        #expect(early.profile.conditions == ["I10"])
        #expect(early.profile.visits.count == 0)
        #expect(early.adherence.pdc == ["diabetes": Double?.none])
        #expect(early.tags == ["activity:none", "condition:hypertension", "risk:low"])
    }

    @Test func thePartsInitializerRebuildsAProjection() {
        let p = richStream().projection(asOf: Self.T)
        let copy = PatientProjection(patient: p.patient, asOf: p.asOf, exists: p.exists, profile: p.profile,
                                     tags: p.tags, adherence: p.adherence, returnedWithin90Days: p.returnedWithin90Days)
        #expect(copy == p)
    }
}
