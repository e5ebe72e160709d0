import Testing
import LedgerEvents
import LedgerProjections

/// Content read and completion of metrics.md.
@Suite struct ContentRatesTests {
    static let T = "2026-03-31T12:00:00Z"

    @Test func ratesAreOverDistinctDeliveredContents() {
        var s = PatientStream()
        s.read("2026-02-01T09:00:00Z", "diet", progress: 0.95)            // before its message: counts
        s.outbound("2026-03-01T09:00:00Z", "m-1", purpose: .education, content: "diet")
        s.outbound("2026-03-02T09:00:00Z", "m-2", purpose: .education, content: "diet")   // same content
        s.outbound("2026-03-03T09:00:00Z", "m-3", purpose: .care, content: "walk")
        s.outbound("2026-03-04T09:00:00Z", "m-4", purpose: .education, content: "sleep")
        s.outbound("2026-03-04T09:00:00Z", "m-5", purpose: .reminder)       // no content
        s.read("2026-03-05T09:00:00Z", "walk", progress: 0.5)
        s.read("2026-03-06T09:00:00Z", "walk", progress: 0.89)
        s.read("2026-03-05T09:00:00Z", "yoga", progress: 1)                // never delivered
        s.read("2026-04-05T09:00:00Z", "sleep", progress: 1)               // after T
        let a = s.projection(asOf: Self.T).adherence
        #expect(a.contents == ContentCounts(delivered: 3, read: 2, completed: 1))
        #expect(a.contentReadRate == 2.0 / 3)
        #expect(a.contentCompletionRate == 1.0 / 3)
    }

    /// A content read is matched to a delivered one as ids compare
    /// (`==`): also when the two are spelled with other bytes (the Kelvin
    /// sign is canonically a K), either way round, among others that
    /// match byte for byte.
    @Test func aContentReadSpelledOtherwiseCounts() {
        var s = PatientStream()
        for (i, content) in ["a", "\u{212A}1", "K2", "z"].enumerated() {
            s.outbound("2026-03-01T09:0\(i):00Z", "m-\(i)", purpose: .education, content: content)
        }
        s.read("2026-03-05T09:00:00Z", "K1", progress: 1)
        s.read("2026-03-05T09:00:00Z", "\u{212A}2", progress: 0.5)
        s.read("2026-03-05T09:00:00Z", "z", progress: 0.95)
        s.read("2026-03-05T09:00:00Z", "b", progress: 1)                   // never delivered
        #expect(s.projection(asOf: Self.T).adherence.contents == ContentCounts(delivered: 4, read: 3, completed: 2))
    }

    @Test func contentOfAnInboundMessageIsNotDelivered() {
        var s = PatientStream()
        s.add("2026-03-01T09:00:00Z", .message(Message(message: "in", direction: .inbound, channel: .app, content: "diet")))
        s.read("2026-03-02T09:00:00Z", "diet")
        #expect(s.projection(asOf: Self.T).adherence.contents.delivered == 0)
    }

    @Test func withNothingDeliveredBothRatesAreNil() {
        var s = PatientStream()
        s.read("2026-03-02T09:00:00Z", "diet")
        s.outbound("2026-04-01T09:00:00Z", "m-1", purpose: .education, content: "diet")  // after T
        let a = s.projection(asOf: Self.T).adherence
        #expect(a.contentReadRate == nil)
        #expect(a.contentCompletionRate == nil)
    }
}
