import Testing
import LedgerEvents
import LedgerProjections

/// Follow-up response of metrics.md. T is 2026-03-31T12:00Z; the follow-up
/// under test is sent at 2026-03-01T09:00Z (more than 7 days before T)
/// unless said otherwise.
@Suite struct FollowUpResponseTests {
    static let T = "2026-03-31T12:00:00Z"
    static let sent = "2026-03-01T09:00:00Z"

    func counts(_ s: PatientStream, asOf: String = T) -> FollowUpCounts {
        s.projection(asOf: asOf).adherence.followUps
    }

    let answered = FollowUpCounts(answered: 1, unanswered: 0, open: 0)
    let unanswered = FollowUpCounts(answered: 0, unanswered: 1, open: 0)
    let open = FollowUpCounts(answered: 0, unanswered: 0, open: 1)

    @Test func aSurveyNamingTheMessageAnswersIt() {
        var s = PatientStream()
        s.outbound(Self.sent, "m-1")
        s.survey("2026-03-02T09:00:00Z", "intake", message: "m-1")
        #expect(counts(s) == answered)
        #expect(s.projection(asOf: Self.T).adherence.followUpResponseRate == 1.0)
    }

    @Test func aSurveyOfTheSurveyTheMessageNamesAnswersIt() {
        var s = PatientStream()
        s.outbound(Self.sent, "m-1", purpose: .survey, survey: "phq9")
        s.phq9("2026-03-03T09:00:00Z", total: 4)
        #expect(counts(s) == answered)
    }

    @Test func aSurveyOfAnotherSurveyDoesNotAnswer() {
        var s = PatientStream()
        s.outbound(Self.sent, "m-1", purpose: .survey, survey: "phq9")
        s.survey("2026-03-03T09:00:00Z", "gad7", message: "m-2")
        #expect(counts(s) == unanswered)
        #expect(s.projection(asOf: Self.T).adherence.followUpResponseRate == 0.0)
    }

    @Test func aReadNamingTheMessageAnswersIt() {
        var s = PatientStream()
        s.outbound(Self.sent, "m-1")
        s.read("2026-03-02T09:00:00Z", "anything", progress: 0.1, message: "m-1")
        #expect(counts(s) == answered)
    }

    @Test func aReadOfTheContentTheMessageNamesAnswersIt() {
        var s = PatientStream()
        s.outbound(Self.sent, "m-1", content: "diet")
        s.read("2026-03-02T09:00:00Z", "diet", progress: 0.1)
        #expect(counts(s) == answered)
    }

    @Test func aReadOfAnotherContentDoesNotAnswer() {
        var s = PatientStream()
        s.outbound(Self.sent, "m-1", content: "diet")
        s.read("2026-03-02T09:00:00Z", "walk", progress: 1, message: "m-9")
        #expect(counts(s) == unanswered)
    }

    @Test func oneInboundMessageAnswersEveryFollowUpWhoseWindowHoldsIt() {
        var s = PatientStream()
        s.outbound("2026-03-01T09:00:00Z", "m-1")
        s.outbound("2026-03-03T09:00:00Z", "m-2", purpose: .survey)
        s.outbound("2026-03-06T09:00:00Z", "m-3")   // after the reply
        s.inbound("2026-03-05T09:00:00Z")
        #expect(counts(s) == FollowUpCounts(answered: 2, unanswered: 1, open: 0))
        #expect(s.projection(asOf: Self.T).adherence.followUpResponseRate == 2.0 / 3)
    }

    @Test func anAnswerExactlySevenDaysLaterCountsAndOneMillisecondMoreDoesNot() {
        var s = PatientStream()
        s.outbound(Self.sent, "m-1")
        s.inbound("2026-03-08T09:00:00Z")
        #expect(counts(s) == answered)

        var late = PatientStream()
        late.outbound(Self.sent, "m-1")
        late.inbound("2026-03-08T09:00:00.001Z")
        #expect(counts(late) == unanswered)
    }

    @Test func eventsBeforeOrAtTheInstantOfTheMessageNeverAnswerIt() {
        var s = PatientStream()
        s.survey("2026-02-28T09:00:00Z", "intake", message: "m-1")
        s.read("2026-02-28T09:00:00Z", "diet", message: "m-1")
        s.outbound(Self.sent, "m-1", content: "diet")
        s.inbound(Self.sent)   // stored after the message, same instant: not after it
        #expect(counts(s) == unanswered)
    }

    @Test func aFollowUpLessThanSevenDaysOldAndUnansweredIsOpenAndLeftOut() {
        var s = PatientStream()
        s.outbound("2026-03-24T12:00:00.001Z", "m-1")   // T - sent < 7 days
        let projection = s.projection(asOf: Self.T)
        #expect(projection.adherence.followUps == open)
        #expect(projection.adherence.followUpResponseRate == nil)
    }

    @Test func aFollowUpExactlySevenDaysOldAndUnansweredIsUnanswered() {
        var s = PatientStream()
        s.outbound("2026-03-24T12:00:00Z", "m-1")
        #expect(counts(s) == unanswered)
    }

    @Test func aYoungFollowUpAlreadyAnsweredCounts() {
        var s = PatientStream()
        s.outbound("2026-03-29T12:00:00Z", "m-1")
        s.inbound("2026-03-30T12:00:00Z")
        #expect(counts(s) == answered)
    }

    @Test func answersAfterTheAsOfTimeAreIgnored() {
        var s = PatientStream()
        s.outbound("2026-03-28T12:00:00Z", "m-1")
        s.inbound("2026-03-31T12:00:00.001Z")
        #expect(counts(s) == open)
        #expect(counts(s, asOf: "2026-04-30T00:00:00Z") == answered)
    }

    @Test func followUpsAfterTheAsOfTimeAreIgnored() {
        var s = PatientStream()
        s.outbound("2026-04-01T12:00:00Z", "m-1")
        #expect(counts(s) == FollowUpCounts())
    }

    @Test func onlyOutboundFollowupAndSurveyMessagesAreFollowUps() {
        var s = PatientStream()
        for purpose in [Purpose.care, .education, .reminder, .marketing] {
            s.outbound(Self.sent, "m-\(purpose)", purpose: purpose)
        }
        s.add(Self.sent, .message(Message(message: "in", direction: .inbound, channel: .sms, purpose: .followup)))
        #expect(counts(s) == FollowUpCounts())
        #expect(s.projection(asOf: Self.T).adherence.followUpResponseRate == nil)
    }
}
