import Testing
import LedgerEvents

/// decode(encode(e)) == e for every type, every optional field present and
/// absent, and the extreme values the model can hold.
@Suite struct CodecRoundTripTests {
    /// Encodes, decodes, re-encodes; returns the decoded event.
    @discardableResult
    func roundTrip(_ event: PatientEvent, sourceLocation: SourceLocation = #_sourceLocation) throws -> PatientEvent {
        let payload = EventCodec.encode(event)
        let back = try EventCodec.decode(payload, time: event.time)
        #expect(back.isBitExact(event), "\(event) came back as \(back)", sourceLocation: sourceLocation)
        #expect(EventCodec.encode(back) == payload, sourceLocation: sourceLocation)
        let envelope = try payload.withUnsafeBytes { buffer throws(EventCodecError) in try EventCodec.envelope(buffer) }
        #expect(envelope.patient == event.patient && envelope.id == event.id && envelope.actor == event.actor,
                sourceLocation: sourceLocation)
        return back
    }

    @Test func everySampleRoundTrips() throws {
        for event in CodecSamples.all {
            let back = try roundTrip(event)
            #expect(back == event)
        }
    }

    @Test func encodeAppendsToExistingBytes() throws {
        let event = CodecSamples.event(.tag(Tag(tag: "vip", op: .add)), id: "i")
        var bytes: [UInt8] = [9, 9]
        EventCodec.encode(event, into: &bytes)
        EventCodec.encode(event, into: &bytes)
        let one = EventCodec.encode(event)
        #expect(bytes == [9, 9] + one + one)
    }

    @Test func everyOptionalFieldPresentAndAbsent() throws {
        let t = CodecSamples.time
        let later = EventTime(millisecondsSince1970: t.millisecondsSince1970 + 3_600_000)
        for mask in 0..<16 {
            let on = { (bit: Int) in mask & (1 << bit) != 0 }
            let bodies: [EventBody] = [
                .register(Register(sex: on(0) ? .male : nil, birthYear: on(1) ? 1990 : nil, conditions: on(2) ? ["I10"] : nil)),
                .visit(Visit(kind: .emergency, department: on(0) ? "ER" : nil, diagnoses: on(1) ? ["S06.0"] : nil,
                             appointment: on(2) ? "a" : nil, discharge: on(3) ? later : nil)),
                .appointment(Appointment(appointment: "a", status: .scheduled, scheduledFor: on(0) ? later : nil)),
                .message(Message(message: "m", direction: .outbound, channel: .email, purpose: on(0) ? .reminder : nil,
                                 content: on(1) ? "c" : nil, survey: on(2) ? "s" : nil,
                                 journeyStep: on(3) ? JourneyStep(journey: "j", step: 2) : nil)),
                .read(Read(content: "c", progress: 0.5, message: on(0) ? "m" : nil)),
                .checkin(Checkin(values: .heartrate(bpm: 64), program: on(0) ? "p" : nil)),
                .survey(Survey(survey: "s", answers: on(2) ? [SurveyAnswer(item: "a", value: 1)] : [],
                               score: on(0) ? 4 : nil, message: on(1) ? "m" : nil)),
            ]
            for body in bodies {
                try roundTrip(CodecSamples.event(body, id: on(0) ? "id" : nil, actor: on(1) ? "actor" : nil))
            }
        }
    }

    @Test func emptyArraysAreNotAbsentArrays() throws {
        let empty = try roundTrip(CodecSamples.event(.register(Register(conditions: []))))
        let absent = try roundTrip(CodecSamples.event(.register(Register())))
        #expect(empty != absent)
        #expect(try roundTrip(CodecSamples.event(.visit(Visit(kind: .checkup, diagnoses: [])))) != roundTrip(CodecSamples.event(.visit(Visit(kind: .checkup)))))
    }

    @Test func longAndNonASCIIStrings() throws {
        let scalars: [String] = ["a", "\u{E9}", "\u{4E2D}", "\u{1F600}", "\u{10FFFF}"]
        for scalar in scalars {
            let id = String(repeating: scalar, count: 128)
            #expect(id.unicodeScalars.count == 128)
            try roundTrip(CodecSamples.event(.message(Message(message: id, direction: .inbound, channel: .phone)), id: id, actor: id))
        }
        // Combining sequences and NUL keep their exact bytes.
        let tricky = "e\u{301}\u{0}\u{FEFF}x"
        let back = try roundTrip(CodecSamples.event(.tag(Tag(tag: tricky, op: .add)), patient: tricky))
        #expect(Array(back.patient.utf8) == Array(tricky.utf8))
        // Lengths that take multi-byte varints, up to a megabyte.
        for length in [0, 127, 128, 16_383, 16_384, 1 << 20] {
            let text = String(repeating: "x", count: length)
            try roundTrip(CodecSamples.event(.dispense(Dispense(medication: text, therapeuticClass: text, daysSupply: 1)), patient: text))
        }
    }

    /// The writer stages fields in a small scratch and moves them to the
    /// array when it fills (and a long string directly): every length on
    /// both sides of those boundaries gives exactly the bytes of the
    /// format, built here by hand, and several fields in a row that
    /// overflow the scratch more than once keep their order.
    @Test func payloadsOfEveryLengthAcrossTheWritersScratch() throws {
        func varint(_ value: Int) -> [UInt8] {
            var v = UInt64(value), out: [UInt8] = []
            while v >= 0x80 { out.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
            return out + [UInt8(v)]
        }
        for length in 0...700 {
            // Patient and program together cross the 256-byte scratch, and
            // each alone crosses the 128-byte direct-write bound.
            let patient = String(repeating: "p", count: length % 251)
            let program = String((0..<length).map { Character(UnicodeScalar(UInt8(97 + $0 % 26))) })
            let event = CodecSamples.event(.unenroll(Unenroll(program: program)), patient: patient)
            let expected: [UInt8] = [EventCodec.formatVersion, EventType.unenroll.rawValue, 1, 0]
                + varint(patient.utf8.count) + Array(patient.utf8) + varint(program.utf8.count) + Array(program.utf8)
            var bytes: [UInt8] = [0xAB]
            EventCodec.encode(event, into: &bytes)
            #expect(bytes == [0xAB] + expected, "length \(length)")
        }
        let conditions = (0..<300).map { String(repeating: "c", count: $0 % 90) }
        try roundTrip(CodecSamples.event(.register(Register(sex: .female, birthYear: 1950, conditions: conditions)),
                                         id: String(repeating: "i", count: 200), actor: String(repeating: "a", count: 129)))
        // Raw (NaN) numbers and opaque bodies across the boundaries too.
        for length in [100, 120, 127, 128, 129, 200, 250, 300] {
            let patient = String(repeating: "q", count: length)
            try roundTrip(CodecSamples.event(.checkin(Checkin(values: .bp(systolic: .nan, diastolic: -.infinity))), patient: patient))
            let opaque = UnrecognizedBody(typeCode: 200, typeVersion: 3, bytes: (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 7) })
            try roundTrip(CodecSamples.event(.unrecognized(opaque), patient: String(repeating: "r", count: length % 97)))
        }
    }

    @Test func extremeIntegers() throws {
        for value in [Int.min, Int.min + 1, -1, 0, 1, 63, 64, 1900, 2100, Int.max - 1, Int.max] {
            try roundTrip(CodecSamples.event(.register(Register(birthYear: value))))
            try roundTrip(CodecSamples.event(.dispense(Dispense(medication: "m", therapeuticClass: "c", daysSupply: value))))
            try roundTrip(CodecSamples.event(.enroll(Enroll(program: "p", plan: .checkin(metric: .steps, everyDays: value)))))
            try roundTrip(CodecSamples.event(.message(Message(message: "m", direction: .outbound, channel: .app,
                                                              journeyStep: JourneyStep(journey: "j", step: value)))))
        }
    }

    @Test func negativeAndFarRelativeTimes() throws {
        let times: [Int64] = [.min, .min + 1, -62_135_596_800_000, -1, 0, 1, 1_767_340_800_000, 253_402_300_799_999, .max - 1, .max]
        for base in times {
            for other in times {
                let time = EventTime(millisecondsSince1970: base)
                let at = EventTime(millisecondsSince1970: other)
                try roundTrip(CodecSamples.event(.visit(Visit(kind: .inpatient, discharge: at)), time: time))
                try roundTrip(CodecSamples.event(.appointment(Appointment(appointment: "a", status: .scheduled, scheduledFor: at)), time: time))
            }
        }
    }

    @Test func numbersRoundTripBitExactly() throws {
        var specials: [Double] = [
            .nan, -.nan, .signalingNaN, Double(bitPattern: 0x7FF8_0000_DEAD_BEEF), Double(bitPattern: 0xFFF0_0000_0000_0001),
            .infinity, -.infinity, 0, -0.0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude,
            .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .ulpOfOne, 0.1, 0.2, 0.3, 1.0 / 3, 7.8, 72.5, 0.95,
            9_007_199_254_740_991, 9_007_199_254_740_992, 9_007_199_254_740_994, 9_007_199_254_740_996, -9_007_199_254_740_992,
            1e15, 1e16, 1e22, 1e23, 1e-6, 1e-7, 123.456789, 0.000001, 8_999_999_999.999999,
        ]
        var random = SeededRandom(seed: 7)
        for _ in 0..<20_000 { specials.append(Double(bitPattern: random.next())) }
        for _ in 0..<20_000 {
            let digits = Int.random(in: 0...7, using: &random)
            var p = 1.0
            for _ in 0..<digits { p *= 10 }
            specials.append(Double(Int64.random(in: -10_000_000_000...10_000_000_000, using: &random)) / p)
        }
        for value in specials {
            let event = CodecSamples.event(.checkin(Checkin(values: .bp(systolic: value, diastolic: -value))))
            let payload = EventCodec.encode(event)
            let back = try EventCodec.decode(payload, time: event.time)
            guard case .checkin(let c) = back.body, case .bp(let s, let d) = c.values else {
                Issue.record("not a bp checkin: \(back)")
                continue
            }
            #expect(s.bitPattern == value.bitPattern && d.bitPattern == (-value).bitPattern, "\(value)")
            #expect(EventCodec.encode(back) == payload)
        }
    }

    @Test func typicalNumbersTakeOneToThreeBytes() {
        // Envelope `01 06 01 00 01 'P'` (6 bytes), presence, metric, then the number.
        func size(_ value: Double) -> Int {
            EventCodec.encode(CodecSamples.event(.checkin(Checkin(values: .glucose(mmol: value))), patient: "P")).count - 8
        }
        #expect(size(0) == 1 && size(3) == 1 && size(-1) == 1)
        #expect(size(132) == 2 && size(7.8) == 2 && size(72.5) == 2 && size(0.95) == 2)
        #expect(size(8234) == 3)
        #expect(size(1.0 / 3) == 9 && size(.nan) == 9 && size(-0.0) == 9)
    }

    @Test func unrecognizedBodiesReEncodeExactly() throws {
        for body in [UnrecognizedBody(typeCode: 200, typeVersion: 9, bytes: Array(0...255)),
                     UnrecognizedBody(typeCode: 7, typeVersion: 2, bytes: [1]),
                     UnrecognizedBody(typeCode: 13, typeVersion: 0x81, bytes: [0xAA, 0xBB]),
                     UnrecognizedBody(typeCode: 0, typeVersion: 1, bytes: [])] {
            let event = CodecSamples.event(.unrecognized(body), id: "x")
            let back = try roundTrip(event)
            #expect(back == event)
        }
    }

    @Test func unrecognizedValuesOfKnownTypesAreCarriedOpaque() throws {
        // Not a body a message v1 could hold: written with the opaque flag,
        // read back as it was rather than as a message.
        let garbage = UnrecognizedBody(typeCode: EventType.message.rawValue, typeVersion: 1, bytes: [0xFF, 0, 0x80])
        let event = CodecSamples.event(.unrecognized(garbage))
        let payload = EventCodec.encode(event)
        #expect(payload[3] == 0b100)
        #expect(try roundTrip(event) == event)
        // Even a valid body stays opaque: the value said unrecognized.
        let valid = CodecSamples.event(.erase)
        let opaqueErase = CodecSamples.event(.unrecognized(UnrecognizedBody(typeCode: 13, typeVersion: 1, bytes: [])))
        #expect(try roundTrip(opaqueErase) == opaqueErase)
        #expect(EventCodec.encode(opaqueErase) != EventCodec.encode(valid))
    }

    @Test func envelopeAgreesWithDecode() throws {
        var events = RandomEvents(seed: 11)
        for event in CodecSamples.all + (0..<5_000).map({ _ in events.event() }) {
            let payload = EventCodec.encode(event)
            let decoded = try EventCodec.decode(payload, time: event.time)
            let envelope = try payload.withUnsafeBytes { buffer throws(EventCodecError) in try EventCodec.envelope(buffer) }
            let code: UInt8, version: UInt8
            if case .unrecognized(let u) = decoded.body {
                (code, version) = (u.typeCode, u.typeVersion)
            } else {
                (code, version) = (decoded.type.rawValue, 1)
            }
            #expect(envelope == EventEnvelope(typeCode: code, typeVersion: version, patient: decoded.patient, id: decoded.id, actor: decoded.actor))
        }
    }

    @Test func randomEventsRoundTrip() throws {
        var events = RandomEvents(seed: 3)
        for _ in 0..<20_000 {
            try roundTrip(events.event())
        }
    }

    @Test func unsafeAndArrayDecodeAgree() throws {
        for event in CodecSamples.all {
            let payload = EventCodec.encode(event)
            let viaBuffer = try payload.withUnsafeBytes { buffer throws(EventCodecError) in try EventCodec.decode(buffer, time: event.time) }
            #expect(viaBuffer == (try EventCodec.decode(payload, time: event.time)))
        }
    }
}
