import Testing
import LedgerEvents

/// `PatientEventView` agrees with `EventCodec.decode` and `envelope` field
/// for field and error for error, on valid, truncated and mutated payloads.
@Suite struct EventViewTests {
    let time = CodecSamples.time

    enum ViewOutcome: Equatable {
        /// The view could not be built: the envelope's error.
        case envelopeFailed(EventCodecError)
        /// The view was built; `event()` threw.
        case bodyFailed(EventCodecError)
        case decoded(PatientEvent)

        var name: String {
            switch self {
            case .envelopeFailed(let e): "envelope error \(e)"
            case .bodyFailed(let e): "body error \(e)"
            case .decoded: "decoded"
            }
        }
    }

    func viewOutcome(_ payload: [UInt8], time: EventTime = CodecSamples.time, check: (PatientEventView) -> Void = { _ in }) -> ViewOutcome {
        payload.withUnsafeBytes { raw in
            let view: PatientEventView
            do throws(EventCodecError) {
                view = try PatientEventView(payload: raw, time: time)
            } catch {
                return .envelopeFailed(error)
            }
            check(view)
            do throws(EventCodecError) {
                return .decoded(try view.event())
            } catch {
                return .bodyFailed(error)
            }
        }
    }

    func envelope(_ payload: [UInt8]) -> Result<EventEnvelope, EventCodecError> {
        payload.withUnsafeBytes { raw in
            do throws(EventCodecError) { return .success(try EventCodec.envelope(raw)) } catch { return .failure(error) }
        }
    }

    /// The laws: the view exists iff the envelope reads (same error
    /// otherwise), its fields are the envelope's, and `event()` is
    /// `decode` (same value or same error).
    func expectAgreement(_ payload: [UInt8], time: EventTime = CodecSamples.time, sourceLocation: SourceLocation = #_sourceLocation) {
        let decoded: Result<PatientEvent, EventCodecError>
        do { decoded = .success(try EventCodec.decode(payload, time: time)) } catch { decoded = .failure(error) }
        let expectedEnvelope = envelope(payload)
        let outcome = viewOutcome(payload, time: time) { view in
            let viewEnvelope: Result<EventEnvelope, EventCodecError>
            do throws(EventCodecError) { viewEnvelope = .success(try view.envelope()) } catch { viewEnvelope = .failure(error) }
            if viewEnvelope != expectedEnvelope {
                Issue.record("view.envelope() \(viewEnvelope) != EventCodec.envelope \(expectedEnvelope) for \(payload)", sourceLocation: sourceLocation)
            }
            guard case .success(let envelope) = expectedEnvelope else { return }
            let idBytes: [UInt8]? = envelope.id.map { Array($0.utf8) }
            let actorBytes: [UInt8]? = envelope.actor.map { Array($0.utf8) }
            if view.patient != envelope.patient || (try? view.id()) != envelope.id
                || (try? view.actor()) != envelope.actor || view.typeCode != envelope.typeCode
                || view.typeVersion != envelope.typeVersion || view.time != time
                || Array(view.patientBytes) != Array(envelope.patient.utf8)
                || view.idBytes.map(Array.init) != idBytes
                || view.actorBytes.map(Array.init) != actorBytes
                || !view.hasPatient(envelope.patient) || view.hasPatient(envelope.patient + "x") {
                Issue.record("view \(view) disagrees with envelope \(envelope) for \(payload)", sourceLocation: sourceLocation)
            }
            if Array(view.bodyBytes) != Array(payload.suffix(view.bodyBytes.count)) {
                Issue.record("body bytes do not end the payload", sourceLocation: sourceLocation)
            }
            expectFoldReadsAgree(view, payload, sourceLocation: sourceLocation)
            if case .success(let event) = decoded {
                let type: EventType? = if case .unrecognized = event.body { nil } else { event.type }
                if view.type != type || view.isErase != (event.body == .erase) {
                    Issue.record("view type \(String(describing: view.type)) for \(event)", sourceLocation: sourceLocation)
                }
            }
        }
        switch (expectedEnvelope, decoded, outcome) {
        case (.failure(let e), .failure(let d), .envelopeFailed(let v)):
            if e != v || d != v { Issue.record("errors differ: envelope \(e), decode \(d), view \(v)", sourceLocation: sourceLocation) }
        case (.failure(let e), .failure(let d), .bodyFailed(let v)):
            // The id's or actor's UTF-8, checked lazily (view.envelope() was
            // compared above).
            if e != v || d != v { Issue.record("errors differ: envelope \(e), decode \(d), view.event() \(v)", sourceLocation: sourceLocation) }
        case (.success, .failure(let d), .bodyFailed(let v)):
            if d != v { Issue.record("errors differ: decode \(d), view.event() \(v)", sourceLocation: sourceLocation) }
        case (.success, .success(let d), .decoded(let v)):
            // Compared by encoding: NaN payloads make == false for equal bits.
            if EventCodec.encode(d) != EventCodec.encode(v) { Issue.record("view.event() != decode for \(payload)", sourceLocation: sourceLocation) }
        default:
            Issue.record("outcomes differ: envelope \(expectedEnvelope.map(\.patient)), decode \(decoded.map(\.patient)), view \(outcome.name) for \(payload)", sourceLocation: sourceLocation)
        }
    }

    /// The fold's in-place read (`bodyView()`) agrees with `body()`: the
    /// same fields (those the view keeps), or the same error.
    func expectFoldReadsAgree(_ view: PatientEventView, _ payload: [UInt8], sourceLocation: SourceLocation) {
        let body: Result<[String], EventCodecError>
        do throws(EventCodecError) { body = .success(Self.foldFields(try view.body())) } catch { body = .failure(error) }
        let inPlace: Result<[String], EventCodecError>
        do throws(EventCodecError) { inPlace = .success(Self.foldFields(try view.bodyView())) } catch { inPlace = .failure(error) }
        if inPlace != body {
            Issue.record("bodyView() \(inPlace) != body() \(body) for \(payload)", sourceLocation: sourceLocation)
        }
    }

    // The fields a `BodyView` keeps, as text: numbers by their bits (a raw
    // number may be a NaN), lists walked.
    static func bits(_ x: Double?) -> String { x.map { String($0.bitPattern, radix: 16) } ?? "nil" }
    static func text(_ s: String?) -> String { s.map { "\"\($0)\"" } ?? "nil" }
    static func text(_ list: some Sequence<String>) -> String { "[" + list.map { text($0) }.joined(separator: ",") + "]" }
    static func text(_ answers: some Sequence<SurveyAnswer>) -> String {
        "[" + answers.map { "\(text($0.item)):\(bits($0.value))" }.joined(separator: ",") + "]"
    }

    static func foldFields(_ body: EventBody) -> [String] {
        switch body {
        case .register(let r): ["register", "\(r.sex.map { "\($0)" } ?? "nil")", "\(r.birthYear.map { "\($0)" } ?? "nil")", text(r.conditions ?? [])]
        case .visit(let v): ["visit", "\(v.kind)", text(v.appointment), text(v.diagnoses ?? [])]
        case .appointment(let a): ["appointment", text(a.appointment), "\(a.status)", "\(a.scheduledFor.map { $0.millisecondsSince1970 } as Any)"]
        case .message(let m): ["message", "\(m.direction)", m.purpose.map { "\($0)" } ?? "nil", text(m.message), text(m.content), text(m.survey)]
        case .read(let r): ["read", text(r.content), text(r.message), bits(r.progress)]
        case .checkin(let c): ["checkin"] + c.values.named.map { "\($0.name)=\(bits($0.value))" }
        case .survey(let s): ["survey", text(s.survey), text(s.message), bits(s.score), text(s.answers), bits(s.answer("q9"))]
        case .dispense(let d): ["dispense", "\(d)"]
        case .consent(let c): ["consent", "\(c)"]
        case .enroll(let e): ["enroll", "\(e)"]
        case .unenroll(let u): ["unenroll", "\(u)"]
        case .tag(let t): ["tag", "\(t)"]
        case .erase: ["erase"]
        case .unrecognized: ["unrecognized"]
        }
    }

    static func foldFields(_ body: BodyView) -> [String] {
        switch body {
        case .register(let r): ["register", "\(r.sex.map { "\($0)" } ?? "nil")", "\(r.birthYear.map { "\($0)" } ?? "nil")", text(r.conditions)]
        case .visit(let v): ["visit", "\(v.kind)", text(v.appointment), text(v.diagnoses)]
        case .appointment(let a): foldFields(.appointment(a.appointment))
        case .message(let m): ["message", "\(m.direction)", m.purpose.map { "\($0)" } ?? "nil", text(m.message), text(m.content), text(m.survey)]
        case .read(let r): foldFields(.read(r.read))
        case .checkin(let values): ["checkin"] + values.named.map { "\($0.name)=\(bits($0.value))" }
        case .survey(let s): ["survey", text(s.survey), text(s.message), bits(s.score), text(s.answers), bits(s.answer("q9"))]
        case .dispense(let d): foldFields(.dispense(d.dispense))
        case .consent(let c): foldFields(EventBody.consent(c))
        case .enroll(let e): foldFields(.enroll(e.enroll))
        case .unenroll(let u): foldFields(.unenroll(u.unenroll))
        case .tag(let t): foldFields(.tag(t.tag))
        case .erase: ["erase"]
        case .unrecognized: ["unrecognized"]
        }
    }

    static func events() -> [PatientEvent] {
        var random = RandomEvents(seed: 61)
        return CodecSamples.all + (0..<3_000).map { _ in random.event() }
    }

    @Test func fieldsAndEventEqualDecodeForEveryType() throws {
        let events = Self.events()
        var types = Set<EventType>()
        for event in events {
            let payload = EventCodec.encode(event)
            expectAgreement(payload, time: event.time)
            if case .decoded(let back) = viewOutcome(payload, time: event.time) {
                if EventCodec.encode(back) != payload || back.time != event.time { Issue.record("view.event() differs from the encoded event for \(payload)") }
            } else {
                Issue.record("\(event) does not decode through a view")
            }
            if case .unrecognized = event.body {} else { types.insert(event.type) }
        }
        #expect(types.count == EventType.allCases.count, "every type is covered: \(types)")
    }

    /// Every type's body read in place (`bodyView()`) agrees with
    /// `body()` on every cut of its payload and on every byte of its body
    /// changed: the same error for each damaged payload, the same fields
    /// for each that still decodes.
    @Test func damagedBodiesOfEveryTypeGiveTheSameErrorInPlace() {
        var random = RandomEvents(seed: 613)
        var samples: [EventType: [PatientEvent]] = [:]
        for event in CodecSamples.all + (0..<2_000).map({ _ in random.event() }) {
            if case .unrecognized = event.body { continue }
            if samples[event.type, default: []].count < 6 { samples[event.type, default: []].append(event) }
        }
        #expect(samples.count == EventType.allCases.count, "every type is covered: \(samples.keys)")
        var outcomes: [String: Int] = [:]
        for event in samples.values.joined() {
            let payload = EventCodec.encode(event)
            let bodyStart = payload.withUnsafeBytes { raw in
                (try? PatientEventView(payload: raw, time: time)).map { $0.payload.count - $0.bodyBytes.count }
            } ?? payload.count
            var damaged = (0..<payload.count).map { Array(payload[0..<$0]) }
            for i in bodyStart..<payload.count {
                for value: UInt8 in [0, 1, 0x7F, 0x80, 0xFF, payload[i] ^ 1] where value != payload[i] {
                    var changed = payload
                    changed[i] = value
                    damaged.append(changed)
                }
            }
            for bytes in damaged {
                bytes.withUnsafeBytes { raw in
                    guard let view = try? PatientEventView(payload: raw, time: time) else { return }
                    expectFoldReadsAgree(view, bytes, sourceLocation: #_sourceLocation)
                    outcomes[(try? view.bodyView()) == nil ? "error" : "read", default: 0] += 1
                }
            }
        }
        #expect(outcomes.count == 2, "both outcomes are exercised: \(outcomes)")
    }

    @Test func viewsOverPayloadsOfAnIdActorAndLongStrings() throws {
        let long = String(repeating: "é", count: 200)  // two-byte UTF-8, a two-byte length varint
        let event = PatientEvent(patient: "MRN-00000000001-longer", time: time, id: "urn:uuid:" + long,
                                 actor: "north-clinic.example.org/nurse-1007", body: .erase)
        let payload = EventCodec.encode(event)
        expectAgreement(payload)
        payload.withUnsafeBytes { raw in
            let view = try? PatientEventView(payload: raw, time: time)
            #expect(view?.patient == event.patient)
            #expect((try? view?.id()) == event.id)
            #expect((try? view?.actor()) == event.actor)
            #expect(view?.isErase == true)
            #expect(view?.type == .erase)
            #expect(view?.bodyBytes.count == 0)
            #expect(view?.withPatient { $0.count } == event.patient.utf8.count)
        }
    }

    @Test func unrecognizedAndOpaqueBodiesAreCarried() throws {
        for (code, version) in [(UInt8(99), UInt8(1)), (4, 2), (2, 0x81)] {
            let event = PatientEvent(patient: "P1", time: time, id: "i",
                                     body: .unrecognized(UnrecognizedBody(typeCode: code, typeVersion: version, bytes: [1, 2, 3])))
            let payload = EventCodec.encode(event)
            expectAgreement(payload)
            payload.withUnsafeBytes { raw in
                let view = try? PatientEventView(payload: raw, time: time)
                #expect(view != nil && view?.type == nil && view?.typeCode == code && view?.typeVersion == version)
                #expect((try? view?.body()) == event.body)
                #expect(view.map { Array($0.bodyBytes) } == [1, 2, 3])
            }
        }
        // Opaque: a message v1 carried as unrecognized bytes.
        let opaque = PatientEvent(patient: "P1", time: time, body: .unrecognized(UnrecognizedBody(typeCode: 4, typeVersion: 1, bytes: [9])))
        expectAgreement(EventCodec.encode(opaque))
        EventCodec.encode(opaque).withUnsafeBytes { raw in
            #expect((try? PatientEventView(payload: raw, time: time))?.type == nil)
        }
    }

    @Test func everyTruncationThrowsTheSameErrorAsDecode() {
        var random = RandomEvents(seed: 7)
        let events = CodecSamples.all + (0..<40).map { _ in random.event() }
        var failures = 0
        for event in events {
            let payload = EventCodec.encode(event)
            for cut in 0..<payload.count {
                let truncated = Array(payload[0..<cut])
                expectAgreement(truncated)
                if case .decoded = viewOutcome(truncated) {} else { failures += 1 }
            }
        }
        #expect(failures > 0)
    }

    @Test func randomByteFlipsNeverTrapAndAgreeWithDecode() {
        var random = SeededRandom(seed: 2026)
        let payloads = Self.events().prefix(1_000).map { EventCodec.encode($0) }
        var outcomes: [String: Int] = [:]
        for round in 0..<30_000 {
            var payload = payloads[round % payloads.count]
            let flips = Int.random(in: 1...3, using: &random)
            for _ in 0..<flips {
                let i = Int.random(in: 0..<payload.count, using: &random)
                if Bool.random(using: &random) {
                    payload[i] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &random)
                } else {
                    payload[i] = UInt8.random(in: 0...255, using: &random)
                }
            }
            expectAgreement(payload)
            switch viewOutcome(payload) {
            case .envelopeFailed: outcomes["envelope", default: 0] += 1
            case .bodyFailed: outcomes["body", default: 0] += 1
            case .decoded: outcomes["decoded", default: 0] += 1
            }
        }
        #expect(outcomes.count == 3, "each outcome is exercised: \(outcomes)")
    }

    /// One byte above 0x7F anywhere in a short string, whether the string
    /// ends the payload or not (the ASCII check loads whole words).
    @Test func aNonASCIIByteAnywhereInAShortStringIsSeen() {
        for length in 0...20 {
            for bad in -1..<length {
                for trailingID in [false, true] {
                    var text = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    if bad >= 0 { text[bad] = 0xFF }
                    var payload: [UInt8] = [1, 13, 1, trailingID ? 1 : 0, UInt8(length)] + text
                    if trailingID { payload += [10] + Array("abcdefghij".utf8) }
                    expectAgreement(payload)
                    let outcome = viewOutcome(payload)
                    if bad >= 0 {
                        #expect(outcome == .envelopeFailed(EventCodecError(offset: 4, reason: "patient is not valid UTF-8")), "\(payload)")
                    } else if case .decoded(let event) = outcome {
                        #expect(event.patient == String(decoding: text, as: UTF8.self))
                    } else {
                        Issue.record("\(payload): \(outcome.name)")
                    }
                }
            }
        }
    }

    /// The id's and actor's UTF-8 are checked when they are read, with
    /// decode's error; a bad id is reported before a cut actor, as decode does.
    @Test func idAndActorUTF8IsCheckedLazilyWithDecodesError() throws {
        let badID: [UInt8] = [1, 13, 1, 3, 1, 0x50, 2, 0xC3, 0x28, 1, 0x41]
        expectAgreement(badID)
        try badID.withUnsafeBytes { raw in
            let view = try PatientEventView(payload: raw, time: time)
            #expect(view.patient == "P")
            #expect(view.idBytes.map(Array.init) == [0xC3, 0x28])
            #expect(throws: EventCodecError(offset: 6, reason: "id is not valid UTF-8")) { try view.id() }
            #expect(throws: EventCodecError(offset: 6, reason: "id is not valid UTF-8")) { try view.event() }
            #expect(try view.actor() == "A")
        }
        let badActor: [UInt8] = [1, 13, 1, 3, 1, 0x50, 1, 0x49, 1, 0xFF]
        expectAgreement(badActor)
        #expect(viewOutcome(badActor) == .bodyFailed(EventCodecError(offset: 8, reason: "actor is not valid UTF-8")))
        // A bad id and an actor cut short: decode stops at the id.
        let both: [UInt8] = [1, 13, 1, 3, 1, 0x50, 2, 0xC3, 0x28, 5, 0x41]
        expectAgreement(both)
        #expect(viewOutcome(both) == .envelopeFailed(EventCodecError(offset: 6, reason: "id is not valid UTF-8")))
        // A long (two-byte length) id that is not UTF-8: the offset is its length's.
        let long: [UInt8] = [1, 13, 1, 1, 1, 0x50, 0x80, 0x01] + [UInt8](repeating: 0x41, count: 127) + [0xFF]
        expectAgreement(long)
        #expect(viewOutcome(long) == .bodyFailed(EventCodecError(offset: 6, reason: "id is not valid UTF-8")))
    }

    @Test func malformedEnvelopesGiveEnvelopeErrors() {
        // Same fixtures as CodecErrorTests: the view reports what decode does.
        for payload: [UInt8] in [[], [1], [1, 13, 1, 0], [1, 13, 1, 0, 5, 0x50], [2, 13, 1, 0, 1, 0x50],
                                 [1, 13, 1, 8, 1, 0x50], [1, 13, 1, 0, 2, 0xC3, 0x28], [1, 13, 1, 0, 0x81, 0x00, 0x50],
                                 [1, 13, 1, 3, 1, 0x50, 1, 0x49]] {
            expectAgreement(payload)
            guard case .envelopeFailed = viewOutcome(payload) else {
                Issue.record("\(payload) made a view")
                continue
            }
        }
        // A valid envelope with trailing bytes after an erase: the view
        // exists, event() throws decode's error.
        let trailing: [UInt8] = [1, 13, 1, 0, 1, 0x50, 0]
        expectAgreement(trailing)
        guard case .bodyFailed(let error) = viewOutcome(trailing) else {
            Issue.record("trailing bytes after an erase body were accepted")
            return
        }
        #expect(error.offset == 6)
    }
}
