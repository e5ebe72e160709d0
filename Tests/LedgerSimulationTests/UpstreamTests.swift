import Testing
import LedgerEvents
import LedgerSimulation

/// The feed behaves like an upstream: mostly in time order, some events
/// late, some re-sent, nothing of an erased patient arriving after the erase.
@Suite struct UpstreamTests {
    @Test func resentEventsAreExactDuplicates() {
        var first: [String: (index: Int, event: PatientEvent)] = [:]
        var copies = 0
        for (i, e) in Cohort.events.enumerated() {
            guard let id = e.id else { continue }
            if let f = first[id] {
                copies += 1
                #expect(f.event == e, "\(id)")
                #expect(i > f.index)
            } else {
                first[id] = (i, e)
            }
        }
        #expect(copies == Cohort.summary.duplicates)
        let withId = Cohort.events.count - Cohort.summary.withoutId
        let share = Double(copies) / Double(withId)
        #expect((0.006...0.015).contains(share), "\(share)")
        #expect(Cohort.summary.distinctEvents == Cohort.events.count - copies)
    }

    @Test func someEventsArriveOutOfTimeOrderByAtMostThreeDays() {
        var maxSeen = Int64.min
        var outOfOrder = 0
        var firstOfId = Set<String>()
        for e in Cohort.events {
            let t = e.time.millisecondsSince1970
            let isCopy = e.id.map { !firstOfId.insert($0).inserted } ?? false
            if t < maxSeen {
                outOfOrder += 1
                // Late by at most 72 hours (a copy: 72 h plus 6 h of retry).
                #expect(maxSeen - t <= (isCopy ? 78 : 72) * 3_600_000 + 60_000, "\(render(e))")
            }
            maxSeen = max(maxSeen, t)
        }
        #expect(outOfOrder == Cohort.summary.outOfOrder)
        let share = Double(Cohort.summary.delayed) / Double(Cohort.events.count)
        #expect((0.01...0.03).contains(share), "\(share)")
        #expect(outOfOrder > 0 && outOfOrder < Cohort.events.count / 20)
    }

    @Test func nothingOfAnErasedPatientArrivesAfterTheErase() {
        var erasedAt: [String: Int] = [:]
        for (i, e) in Cohort.events.enumerated() {
            if e.type == .erase { erasedAt[e.patient] = i }
        }
        #expect(!erasedAt.isEmpty)
        for (patient, index) in erasedAt {
            let erase = Cohort.events[index]
            for e in Cohort.events[(index + 1)...] where e.patient == patient {
                // Only a new history, starting at least 30 days later.
                #expect(e.time.day - erase.time.day >= 30, "\(render(e))")
            }
        }
    }
}
