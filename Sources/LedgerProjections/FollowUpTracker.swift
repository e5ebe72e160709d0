import LedgerEvents

/// The follow-up messages of one patient and the events that may answer
/// them, gathered in order; then counted as answered, unanswered or open
/// (metrics.md, "Follow-up response").
///
/// Every answer list is in time order, so each message is settled by a
/// binary search per route: O((m + a) log a) for m messages and a answers.
struct FollowUpTracker {
    private struct FollowUp {
        var message: String
        var sent: EventTime
        var survey: String?
        var content: String?
    }

    private var followUps: [FollowUp] = []
    private var surveysByMessage: [String: [EventTime]] = [:]
    private var surveysByID: [String: [EventTime]] = [:]
    private var readsByMessage: [String: [EventTime]] = [:]
    private var readsByContent: [String: [EventTime]] = [:]
    private var inbound: [EventTime] = []

    /// Takes the next event, in time order (ties by position).
    mutating func record(_ event: PatientEvent) {
        let time = event.time
        switch event.body {
        case .message(let m) where m.direction == .outbound:
            if m.purpose == .followup || m.purpose == .survey {
                followUps.append(FollowUp(message: m.message, sent: time, survey: m.survey, content: m.content))
            }
        case .message:
            inbound.append(time)
        case .survey(let s):
            surveysByID[s.survey, default: []].append(time)
            if let message = s.message { surveysByMessage[message, default: []].append(time) }
        case .read(let r):
            readsByContent[r.content, default: []].append(time)
            if let message = r.message { readsByMessage[message, default: []].append(time) }
        default:
            break
        }
    }

    /// The follow-ups by outcome as of `asOf`. Only events at or before
    /// `asOf` were recorded, so every answer seen counts.
    ///
    /// An answer must fall within 7 days after the message: `sent < t <=
    /// sent + 7*24h`. An answer at the very instant of the message does not
    /// count (metrics.md defines "within N days after s" with `s < t`), even
    /// when stored after it.
    func counts(asOf: EventTime) -> FollowUpCounts {
        var counts = FollowUpCounts()
        let week = milliseconds(days: 7)
        for followUp in followUps {
            let sent = followUp.sent
            let windowEnd = EventTime(millisecondsSince1970: sent.millisecondsSince1970 + week)
            func answers(_ times: [EventTime]?) -> Bool {
                guard let times else { return false }
                // The first answer after `sent`.
                var low = 0, high = times.count
                while low < high {
                    let mid = (low + high) / 2
                    if times[mid] <= sent { low = mid + 1 } else { high = mid }
                }
                return low < times.count && times[low] <= windowEnd
            }
            let answered = answers(surveysByMessage[followUp.message])
                || answers(readsByMessage[followUp.message])
                || (followUp.survey.map { answers(surveysByID[$0]) } ?? false)
                || (followUp.content.map { answers(readsByContent[$0]) } ?? false)
                || answers(inbound)
            if answered {
                counts.answered += 1
            } else if asOf.millisecondsSince1970 - sent.millisecondsSince1970 < week {
                counts.open += 1
            } else {
                counts.unanswered += 1
            }
        }
        return counts
    }
}
