import Testing
import LedgerEvents
@testable import LedgerProjections

/// The bytes of ``PatientState/encode(into:)`` are a persisted format
/// (checkpoints, `PatientProjections.version` 1): a state of a fixed
/// stream must encode to the bytes the version-1 encoder wrote (these were
/// produced by the Dictionary- and Set-based history of commit `fa6a7ac`),
/// however the history keeps its maps.
@Suite struct StateEncodingGoldenTests {
    /// Every keyed part of the history gets several ids, inserted out of
    /// code-point order, some not ASCII, two pairs canonically equivalent
    /// (one key each, spelled as first folded), one past 15 bytes; events
    /// out of time order.
    static func stream() -> PatientStream {
        var s = PatientStream()
        s.register("2026-01-05T08:00:00Z", sex: .female, birthYear: 1960, conditions: ["i10", "E11.9"])
        s.visit("2026-01-06T09:00:00Z", kind: .checkup, diagnoses: ["J45"], appointment: "a-2")
        s.visit("2026-01-03T09:00:00Z", appointment: "a-1")
        s.appointment("2026-01-02T08:00:00Z", "a-2", .scheduled, for: "2026-01-06T09:00:00Z")
        s.appointment("2026-01-01T08:00:00Z", "a-10", .scheduled, for: "2026-03-01T09:00:00Z")
        s.appointment("2026-01-01T07:00:00Z", "\u{212A}-1", .cancelled)
        s.appointment("2026-01-01T07:30:00Z", "K-1", .noshow)
        s.outbound("2026-01-10T10:00:00Z", "m-2", purpose: .education, content: "c-9")
        s.outbound("2026-01-09T10:00:00Z", "m-1", purpose: .followup, content: "c-10", survey: "phq9")
        s.outbound("2026-01-11T10:00:00Z", "m-3", purpose: .survey, survey: "nps")
        s.outbound("2026-01-08T10:00:00Z", "m-0", purpose: .education, content: "caf\u{E9}")
        s.inbound("2026-01-12T10:00:00Z")
        s.read("2026-01-13T10:00:00Z", "c-9", progress: 0.5, message: "m-2")
        s.read("2026-01-12T11:00:00Z", "c-10", progress: 0.95, message: "m-1")
        s.read("2026-01-14T10:00:00Z", "cafe\u{301}", progress: 0.2)
        s.read("2026-01-15T10:00:00Z", "c-9", progress: 0.7)
        s.survey("2026-01-16T10:00:00Z", "nps", [("score", 9)], message: "m-3")
        s.phq9("2026-01-10T12:00:00Z", [1, 1, 1, 1, 1, 1, 1, 1, 1], message: "m-1")
        s.survey("2026-01-17T10:00:00Z", "satisfaction", [("score", 8)])
        s.survey("2026-01-18T10:00:00Z", "a-custom-survey-past-15-bytes")
        s.dispense("2026-01-20T10:00:00Z", "metformin-500mg-tablets", class: "diabetes", days: 30)
        s.dispense("2026-01-05T10:00:00Z", "metformin", class: "diabetes", days: 30)
        s.dispense("2026-01-06T10:00:00Z", "lisinopril", class: "antihypertensive", days: 90)
        s.bp("2026-01-21T08:00:00Z", 140, 90)
        s.glucose("2026-01-20T08:00:00Z", 6.5)
        s.bp("2026-01-19T08:00:00Z", 130, 85)
        s.consent("2026-01-02T08:00:00Z", .messaging, false)
        s.consent("2026-01-01T08:00:00Z", .research, true)
        s.enroll("2026-01-04T08:00:00Z", "glucose-plan", .checkin(metric: .glucose, everyDays: 7))
        s.enroll("2026-01-03T08:00:00Z", "education", .journey)
        s.enroll("2026-01-02T08:00:00Z", "b-program", .journey)
        s.unenroll("2026-01-05T08:00:00Z", "b-program")
        s.tag("2026-01-07T08:00:00Z", "vip")
        s.tag("2026-01-06T08:00:00Z", "\u{C5}ngstr\u{F6}m")
        s.tag("2026-01-08T08:00:00Z", "needs-call")
        s.tag("2026-01-09T08:00:00Z", "needs-call", .remove)
        return s
    }

    /// The state's bytes in hex, as commit `fa6a7ac` encoded them.
    static let golden = [
        "0187010180b08af9fb667b0180b0dcd2f16664000180b0dcd2f16664d01e03054531312e3903493130034a343502808a",
        "aeb1f06680d098f70102040100010203612d3103612d320304612d313080f09089ef6668000180fa818a956703612d32",
        "80e0c3dbef6667000180dac6a8f26605e284aa2d318093b587ef666a020004010180c4fcc7f5660304632d313003632d",
        "3905636166c3a90280e496a3f4666c036d2d310104706871390104632d313080c4fcc7f5666d036d2d3301036e707300",
        "02036d2d310180c8b8fcf466036d2d330180f4fae3f866041d612d637573746f6d2d7375727665792d706173742d3135",
        "2d62797465730180d4e088fa66036e70730180f4fae3f86604706871390180c8b8fcf4660c736174697366616374696f",
        "6e0180e4adb6f96602036d2d310180eee69df666036d2d320180a4e2ecf6660304632d31300180eee69df66603632d39",
        "0280a4e2ecf66680e0e5a4010663616665cc8101809495bff7660180b4af9af666040304632d3130666666666666ee3f",
        "03632d39666666666666e63f0663616665cc819a9999999999c93f03020080b08af9fb667b0000000000806140000000",
        "00008056400180c0d7a6fb667c0000000000001a40020002f0bf02040101f2bf0204041d612d637573746f6d2d737572",
        "7665792d706173742d31352d627974657380d4e088fa667700036e707380f4fae3f86674010000000000002240047068",
        "713980c8b8fcf466750100000000000022400c736174697366616374696f6e80e4adb6f9667601000000000000204001",
        "80c8b8fcf4667501000000000000f03f0210616e7469687970657274656e73697665018094feabf2667a0a6c6973696e",
        "6f7072696c5a0864696162657465730280a4cbd9f16679096d6574666f726d696e1e80b4c6adfb6678176d6574666f72",
        "6d696e2d3530306d672d7461626c6574731e020080e0c3dbef667e000180f09089ef667f010309622d70726f6772616d",
        "80b0dcd2f16683010009656475636174696f6e80d0f6adf066810101000c676c75636f73652d706c616e80c0a980f166",
        "800101010107030a6e656564732d63616c6c80f0a79cf466870100037669708090c2f7f2668401010ac3856e67737472",
        "c3b66d80a08fa5f2668501010180b08af9fb66",
    ].joined()

    @Test func stateBytesAreVersionOnes() throws {
        var state = PatientState()
        for record in Self.stream().records { state.apply(record) }
        var bytes: [UInt8] = []
        state.encode(into: &bytes)
        let hex = bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        #expect(hex == Self.golden)
        // Whatever the order the events are folded in.
        var reversed = PatientState()
        for record in Self.stream().records.reversed() { reversed.apply(record) }
        #expect(reversed == state)
        let decoded = try bytes.withUnsafeBytes { raw throws(StateDecodingError) in try PatientState(decoding: raw) }
        #expect(decoded == state)
    }
}
