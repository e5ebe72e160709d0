import LedgerEvents

/// The follow-up messages of one patient and the events that may answer
/// them; then counted as answered, unanswered or open (metrics.md,
/// "Follow-up response").
///
/// Order-independent, as ``PatientHistory``: every list is kept sorted
/// (follow-ups by stamp, answers by time), whatever order the events come
/// in. Each message is settled by a binary search per route: O((m + a) log
/// a) for m messages and a answers.
struct FollowUpTracker: Equatable, Sendable {
    struct FollowUp: Equatable, Sendable {
        var stamp: Stamp
        var message: String
        var survey: String?
        var content: String?
        var sent: EventTime { EventTime(millisecondsSince1970: stamp.time) }
    }

    /// Answer times per message, survey or content id, each list ascending.
    typealias Route = StringMap<[EventTime]>

    private(set) var followUps: [FollowUp] = []
    private(set) var surveysByMessage = Route()
    private(set) var surveysByID = Route()
    private(set) var readsByMessage = Route()
    private(set) var readsByContent = Route()
    private(set) var inbound: [EventTime] = []

    init() {}

    /// A tracker from its parts, as a checkpoint stored them.
    init(followUps: [FollowUp], surveysByMessage: Route, surveysByID: Route,
         readsByMessage: Route, readsByContent: Route, inbound: [EventTime]) {
        self.followUps = followUps
        self.surveysByMessage = surveysByMessage
        self.surveysByID = surveysByID
        self.readsByMessage = readsByMessage
        self.readsByContent = readsByContent
        self.inbound = inbound
    }

    /// Forgets everything (`== FollowUpTracker()`), keeping the lists'
    /// memory for the next patient's.
    mutating func removeAll() {
        followUps.removeAllKeepingMemory()
        surveysByMessage.removeAllKeepingMemory()
        surveysByID.removeAllKeepingMemory()
        readsByMessage.removeAllKeepingMemory()
        readsByContent.removeAllKeepingMemory()
        inbound.removeAllKeepingMemory()
    }

    /// Takes a message, in any order: an outbound follow-up or survey
    /// invitation to settle, or an inbound message that may answer one.
    mutating func record(_ m: some MessageFields, at time: EventTime, stamp: Stamp) {
        switch m.direction {
        case .outbound:
            if m.purpose == .followup || m.purpose == .survey {
                followUps.insertSorted(FollowUp(stamp: stamp, message: m.message, survey: m.survey, content: m.content)) { $0.stamp }
            }
        case .inbound:
            inbound.insertSorted(time) { $0 }
        }
    }

    /// Takes a survey answer, in any order.
    mutating func record(_ s: some SurveyFields, at time: EventTime) {
        surveysByID[s.surveyKey, default: []].insertSorted(time) { $0 }
        if let message = s.messageKey { surveysByMessage[message, default: []].insertSorted(time) { $0 } }
    }

    /// Takes a read, in any order.
    mutating func record(_ r: some ReadFields, at time: EventTime) {
        readsByContent[r.contentKey, default: []].insertSorted(time) { $0 }
        if let message = r.messageKey { readsByMessage[message, default: []].insertSorted(time) { $0 } }
    }

    /// The follow-ups by outcome as of `asOf`, which must be at or after
    /// every event recorded (so every answer seen counts).
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
            // Any route may answer: the inbound messages first, as they
            // need no lookup of a route by id, and an empty route is not
            // searched (a lookup sets up the key's bytes first).
            func times(in route: Route, of key: String?) -> [EventTime]? {
                guard let key, !route.isEmpty else { return nil }
                return route[key]
            }
            let answered = answers(inbound)
                || answers(times(in: surveysByMessage, of: followUp.message))
                || answers(times(in: readsByMessage, of: followUp.message))
                || answers(times(in: surveysByID, of: followUp.survey))
                || answers(times(in: readsByContent, of: followUp.content))
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
