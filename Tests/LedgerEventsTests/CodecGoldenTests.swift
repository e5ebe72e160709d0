import Foundation
import Testing
import LedgerEvents

/// `Fixtures/events-v1/*.bin` were written by format 1 of the event codec.
/// Each must decode to the event below and the event must encode to exactly
/// those bytes, forever: a change that breaks this test breaks every
/// clinic's existing ledger. Add a type version instead (Docs/EventCodec.md).
///
/// To write the fixtures (only when adding new ones, never to make this test
/// pass): `PATIENTLEDGER_WRITE_FIXTURES=1 swift test --filter CodecGoldenTests`.
@Suite struct CodecGoldenTests {
    static var directory: String {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/Fixtures/events-v1"
    }

    /// Every fixture is decoded with this time, the record's timestamp:
    /// 2026-01-02T08:00:00Z = 1767340800000 ms.
    static let time = EventTime(millisecondsSince1970: 1_767_340_800_000)

    static func at(_ offset: Int64) -> EventTime {
        EventTime(millisecondsSince1970: time.millisecondsSince1970 + offset)
    }

    static let hour: Int64 = 3_600_000
    static let day: Int64 = 86_400_000

    struct Fixture {
        var name: String
        var about: String
        var event: PatientEvent
    }

    static func fixture(_ name: String, _ about: String, patient: String = "P001", id: String? = nil, actor: String? = nil,
                        _ body: EventBody) -> Fixture {
        Fixture(name: name, about: about, event: PatientEvent(patient: patient, time: time, id: id, actor: actor, body: body))
    }

    static let fixtures: [Fixture] = [
        fixture("register-full", "register with sex, birthYear and two conditions; id and actor",
                id: "reg-0001", actor: "import:his",
                .register(Register(sex: .female, birthYear: 1958, conditions: ["E11.9", "I10"]))),
        fixture("register-minimal", "register without optional fields, no id or actor", patient: "P002",
                .register(Register())),
        fixture("visit-outpatient", "outpatient visit with department and one diagnosis; actor", actor: "dr-lee",
                .visit(Visit(kind: .outpatient, department: "endocrinology", diagnoses: ["E11.9"]))),
        fixture("visit-inpatient-discharge", "inpatient visit with appointment, discharge 5 days 3 hours later, department, two diagnoses; id",
                id: "enc-77",
                .visit(Visit(kind: .inpatient, department: "cardiology", diagnoses: ["I21.4", "I10"], appointment: "a-17",
                             discharge: at(5 * day + 3 * hour)))),
        fixture("visit-non-ascii", "telehealth visit whose department is non-ASCII (UTF-8 心内科)", patient: "P-9.x:y_z",
                .visit(Visit(kind: .telehealth, department: "心内科"))),
        fixture("appointment-scheduled", "appointment scheduled for 7 days 1.5 hours later; actor", actor: "front-desk",
                .appointment(Appointment(appointment: "a-17", status: .scheduled, scheduledFor: at(7 * day + 90 * 60_000)))),
        fixture("appointment-scheduled-past", "appointment whose scheduledFor is 250 ms before the event time (negative delta)",
                .appointment(Appointment(appointment: "a-16", status: .scheduled, scheduledFor: at(-250)))),
        fixture("appointment-cancelled", "appointment cancelled (no scheduledFor)",
                .appointment(Appointment(appointment: "a-17", status: .cancelled))),
        fixture("appointment-noshow", "appointment missed; id", id: "apt-18-noshow",
                .appointment(Appointment(appointment: "a-18", status: .noshow))),
        fixture("message-outbound", "outbound WeChat education message carrying content diet-101",
                .message(Message(message: "m-1", direction: .outbound, channel: .wechat, purpose: .education, content: "diet-101"))),
        fixture("message-outbound-journey", "outbound SMS survey message with survey and journey step 4; actor", actor: "journeys",
                .message(Message(message: "m-2", direction: .outbound, channel: .sms, purpose: .survey, survey: "satisfaction",
                                 journeyStep: JourneyStep(journey: "cardio-discharge", step: 4)))),
        fixture("message-inbound", "inbound app message, no purpose; id and actor", id: "in-3", actor: "app-gateway",
                .message(Message(message: "m-3", direction: .inbound, channel: .app))),
        fixture("read", "read of diet-101, progress 0.95, carried by message m-1",
                .read(Read(content: "diet-101", progress: 0.95, message: "m-1"))),
        fixture("read-raw-progress", "read with progress 1/3: a number in the raw 8-byte form",
                .read(Read(content: "walk-video", progress: 1.0 / 3))),
        fixture("checkin-bp", "blood pressure 132/84",
                .checkin(Checkin(values: .bp(systolic: 132, diastolic: 84)))),
        fixture("checkin-glucose", "glucose 7.8 mmol/L in program dm-glucose (the worked example of EventCodec.md)",
                .checkin(Checkin(values: .glucose(mmol: 7.8), program: "dm-glucose"))),
        fixture("checkin-weight", "weight 72.5 kg; actor", actor: "scale-ble",
                .checkin(Checkin(values: .weight(kg: 72.5)))),
        fixture("checkin-steps", "8234 steps", .checkin(Checkin(values: .steps(count: 8234)))),
        fixture("checkin-heartrate", "heart rate 71 bpm", .checkin(Checkin(values: .heartrate(bpm: 71)))),
        fixture("checkin-habit", "habit done (1)", .checkin(Checkin(values: .habit(done: 1)))),
        fixture("survey-phq9", "PHQ-9, q1...q9, score 8, asked by message m-2",
                .survey(Survey(survey: "phq9",
                               answers: zip(1...9, [1, 0, 1, 0, 2, 0, 3, 0, 1]).map { SurveyAnswer(item: "q\($0)", value: Double($1)) },
                               score: 8, message: "m-2"))),
        fixture("survey-satisfaction", "satisfaction score 9",
                .survey(Survey(survey: "satisfaction", answers: [SurveyAnswer(item: "score", value: 9)]))),
        fixture("survey-other", "another survey: fractional and negative answers in order, score 1.5",
                .survey(Survey(survey: "diet-quiz",
                               answers: [SurveyAnswer(item: "fibre", value: 2.5), SurveyAnswer(item: "salt", value: -1),
                                         SurveyAnswer(item: "water", value: 0.125)],
                               score: 1.5))),
        fixture("survey-other-empty", "another survey with no answers",
                .survey(Survey(survey: "pulse", answers: []))),
        fixture("dispense", "metformin 500mg, class diabetes, 30 days",
                .dispense(Dispense(medication: "metformin 500mg", therapeuticClass: "diabetes", daysSupply: 30))),
        fixture("consent-granted", "messaging consent granted",
                .consent(Consent(scope: .messaging, granted: true))),
        fixture("consent-withdrawn", "research consent withdrawn; actor", actor: "portal",
                .consent(Consent(scope: .research, granted: false))),
        fixture("enroll-checkin", "enrolment in check-in plan bp-weekly: bp every 7 days",
                .enroll(Enroll(program: "bp-weekly", plan: .checkin(metric: .bp, everyDays: 7)))),
        fixture("enroll-journey", "enrolment in journey cardio-discharge",
                .enroll(Enroll(program: "cardio-discharge", plan: .journey))),
        fixture("unenroll", "unenrolment from bp-weekly", .unenroll(Unenroll(program: "bp-weekly"))),
        fixture("tag-add", "manual tag vip added", .tag(Tag(tag: "vip", op: .add))),
        fixture("tag-remove", "manual tag frequent-caller removed", .tag(Tag(tag: "frequent-caller", op: .remove))),
        fixture("erase", "erase, empty body", .erase),
        fixture("erase-with-id-actor", "erase with id and actor", id: "erase-req-9", actor: "dpo", .erase),
        // Records a newer PatientLedger could write: carried, never errors.
        fixture("unrecognized-type-200", "a type this version does not know (code 200, version 1); id", id: "future-1",
                .unrecognized(UnrecognizedBody(typeCode: 200, typeVersion: 1, bytes: [0x02, 0x6B, 0x6D, 0xE8, 0x07]))),
        fixture("unrecognized-checkin-v2", "a newer version (2) of checkin", actor: "device-hub",
                .unrecognized(UnrecognizedBody(typeCode: 6, typeVersion: 2, bytes: [0x00, 0x01, 0x9C, 0x01, 0x01]))),
        fixture("unrecognized-sealed-visit", "a sealed visit (type version 0x81: bit 7 sealed, body version 1): clear prefix, key id, nonce, ciphertext",
                .unrecognized(UnrecognizedBody(typeCode: 2, typeVersion: 0x81,
                                               bytes: [0x0D, 0x01, 0x04, 0x61, 0x2D, 0x31, 0x37, 0x03] + Array(0..<12) + Array(repeating: 0xA5, count: 24)))),
        fixture("opaque-message-v1", "an unrecognized value claiming message version 1, kept opaque by envelope flag bit 2",
                .unrecognized(UnrecognizedBody(typeCode: 4, typeVersion: 1, bytes: [0xFF, 0x00]))),
    ]

    static func path(_ name: String) -> String { directory + "/" + name + ".bin" }

    /// Writes the fixtures once, before any test of this suite reads them,
    /// when PATIENTLEDGER_WRITE_FIXTURES is set.
    static let written: Void = {
        guard ProcessInfo.processInfo.environment["PATIENTLEDGER_WRITE_FIXTURES"] != nil else { return }
        do {
            try writeFixtures()
        } catch {
            fatalError("cannot write fixtures: \(error)")
        }
    }()

    static func writeFixtures() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for fixture in fixtures {
            try Data(EventCodec.encode(fixture.event)).write(to: URL(fileURLWithPath: path(fixture.name)))
        }
        var readme = """
            # Event codec golden fixtures, format 1

            Each `.bin` file is the payload of one event as format 1 of the event
            codec (`Docs/EventCodec.md`) writes it. Decode each with the time
            2026-01-02T08:00:00Z (1767340800000 ms): the payload does not hold the
            event time, and relative times (discharge, scheduledFor) are deltas from it.

            `Tests/LedgerEventsTests/CodecGoldenTests.swift` holds the expected event of
            each file and checks, forever, that the file decodes to it and that it
            encodes to exactly the file. Never rewrite these files to make that test
            pass; add new files (`PATIENTLEDGER_WRITE_FIXTURES=1 swift test --filter
            CodecGoldenTests` rewrites every file from the table in that test; review the
            diff: only new files may appear).

            Patient `P001` and no id or actor unless said otherwise.

            | file | event |
            | --- | --- |

            """
        for fixture in fixtures {
            let bytes = EventCodec.encode(fixture.event)
            readme += "| `\(fixture.name).bin` (\(bytes.count) B) | \(fixture.about) |\n"
        }
        try readme.write(toFile: directory + "/README.md", atomically: true, encoding: .utf8)
    }

    static func bytes(_ name: String) -> [UInt8]? {
        _ = written
        return FileManager.default.contents(atPath: path(name)).map { [UInt8]($0) }
    }

    @Test(arguments: fixtures.map(\.name))
    func fixtureDecodesToItsEventAndEncodesToItsBytes(_ name: String) throws {
        let fixture = try #require(Self.fixtures.first { $0.name == name })
        let bytes = try #require(Self.bytes(name), "missing \(Self.path(name))")
        let decoded = try EventCodec.decode(bytes, time: Self.time)
        #expect(decoded == fixture.event)
        #expect(EventCodec.encode(fixture.event) == bytes)
        let envelope = try bytes.withUnsafeBytes { buffer throws(EventCodecError) in try EventCodec.envelope(buffer) }
        #expect(envelope.patient == fixture.event.patient && envelope.id == fixture.event.id && envelope.actor == fixture.event.actor)
    }

    @Test func newerRecordsDecodeAsUnrecognizedAndReEncodeIdentically() throws {
        for name in ["unrecognized-type-200", "unrecognized-checkin-v2", "unrecognized-sealed-visit", "opaque-message-v1"] {
            let bytes = try #require(Self.bytes(name))
            let event = try EventCodec.decode(bytes, time: Self.time)
            guard case .unrecognized(let body) = event.body else {
                Issue.record("\(name) decoded as \(event.body)")
                continue
            }
            #expect(body.typeCode == bytes[1] && body.typeVersion == bytes[2])
            #expect(EventCodec.encode(event) == bytes)
        }
    }

    @Test func everyFileIsAFixture() throws {
        _ = Self.written
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.directory).filter { $0.hasSuffix(".bin") }
        #expect(Set(files) == Set(Self.fixtures.map { $0.name + ".bin" }))
        #expect(Set(Self.fixtures.map(\.event.type.rawValue)).count == 13, "every known type has a fixture")
    }

    /// The worked example of Docs/EventCodec.md, byte for byte.
    @Test func workedExampleOfTheFormatDocument() throws {
        let expected: [UInt8] = [
            0x01, 0x06, 0x01, 0x00,  // format 1, checkin, version 1, no id or actor
            0x04, 0x50, 0x30, 0x30, 0x31,  // patient "P001"
            0x01,  // presence: program
            0x01,  // metric glucose
            0x0A, 0x64, 0x6D, 0x2D, 0x67, 0x6C, 0x75, 0x63, 0x6F, 0x73, 0x65,  // program "dm-glucose"
            0xE1, 0x09,  // 7.8 = 78 / 10^1: zigzag(78) << 3 | 1 = 1249
        ]
        #expect(Self.bytes("checkin-glucose") == expected)
    }
}
