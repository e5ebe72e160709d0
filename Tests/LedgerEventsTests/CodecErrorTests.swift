import Testing
import LedgerEvents

/// Malformed payloads are errors naming the offending field's offset;
/// records of unknown types and versions are not errors.
@Suite struct CodecErrorTests {
    let time = CodecSamples.time

    func error(_ payload: [UInt8]) -> EventCodecError? {
        do {
            _ = try EventCodec.decode(payload, time: time)
            return nil
        } catch {
            return error
        }
    }

    func envelopeError(_ payload: [UInt8]) -> EventCodecError? {
        do {
            _ = try payload.withUnsafeBytes { buffer throws(EventCodecError) in try EventCodec.envelope(buffer) }
            return nil
        } catch let error as EventCodecError {
            return error
        } catch {
            Issue.record("unexpected \(error)")
            return nil
        }
    }

    func expectError(_ payload: [UInt8], at offset: Int, _ reason: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let found = error(payload)
        #expect(found?.offset == offset, "\(String(describing: found))", sourceLocation: sourceLocation)
        #expect(found?.reason.contains(reason) == true, "\(String(describing: found))", sourceLocation: sourceLocation)
    }

    // `01 0D 01 00 01 'P'`: the envelope of an erase of patient "P".
    let erase: [UInt8] = [1, 13, 1, 0, 1, 0x50]

    @Test func validErasePayload() throws {
        #expect(try EventCodec.decode(erase, time: time) == PatientEvent(patient: "P", time: time, body: .erase))
    }

    @Test func emptyAndTruncatedEnvelopes() {
        expectError([], at: 0, "empty payload")
        expectError([1], at: 1, "truncated: type code missing")
        expectError([1, 13], at: 2, "truncated: type version missing")
        expectError([1, 13, 1], at: 3, "truncated: envelope flags missing")
        expectError([1, 13, 1, 0], at: 4, "truncated: patient runs past the end")
        expectError([1, 13, 1, 0, 5, 0x50], at: 4, "truncated: patient of 5 bytes runs past the end of the payload (1 left)")
        expectError([1, 13, 1, 1, 1, 0x50], at: 6, "truncated: id runs past the end")
        expectError([1, 13, 1, 3, 1, 0x50, 1, 0x49], at: 8, "truncated: actor runs past the end")
        for cut in 0..<erase.count {
            #expect(envelopeError(Array(erase[0..<cut])) != nil)
        }
    }

    @Test func newerFormatIsRefusedWithAClearReason() {
        expectError([2] + erase.dropFirst(), at: 0, "written by a newer PatientLedger (format 2)")
        expectError([255], at: 0, "written by a newer PatientLedger (format 255)")
        expectError([0] + erase.dropFirst(), at: 0, "unknown format version 0")
        #expect(envelopeError([2] + erase.dropFirst())?.reason.contains("newer PatientLedger (format 2)") == true)
    }

    @Test func unknownEnvelopeFlagsAreErrors() {
        for bit in 3..<8 {
            expectError([1, 13, 1, UInt8(1 << bit), 1, 0x50], at: 3, "unknown envelope flags")
        }
    }

    @Test func stringsMustBeUTF8InShortestLengthForm() {
        expectError([1, 13, 1, 0, 2, 0xC3, 0x28], at: 4, "patient is not valid UTF-8")
        expectError([1, 13, 1, 0, 3, 0xED, 0xA0, 0x80], at: 4, "patient is not valid UTF-8")  // a surrogate
        expectError([1, 13, 1, 0, 2, 0xC0, 0x80], at: 4, "patient is not valid UTF-8")  // overlong NUL
        expectError([1, 13, 1, 0, 0x81, 0x00, 0x50], at: 4, "patient: varint not in shortest form")
        expectError([1, 13, 1, 0] + [UInt8](repeating: 0xFF, count: 9) + [0x02], at: 4, "patient: varint overflows 64 bits")
        expectError([1, 13, 1, 0] + [UInt8](repeating: 0xFF, count: 9) + [0x01], at: 4, "truncated: patient of 18446744073709551615 bytes")
    }

    @Test func utf8ValidationAgreesWithTheStandardLibrary() {
        var random = SeededRandom(seed: 8)
        let interesting: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1,
                                    0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF]
        for round in 0..<60_000 {
            let length = Int.random(in: 0...(round % 3 == 0 ? 20 : 5), using: &random)
            var text = (0..<length).map { _ in interesting.randomElement(using: &random)! }
            if round % 5 == 0 { text = Array(repeating: 0x61, count: Int.random(in: 0...17, using: &random)) + text }
            let payload: [UInt8] = [1, 13, 1, 0, UInt8(text.count)] + text
            let expected = String(validating: text, as: UTF8.self)
            let decoded = try? EventCodec.decode(payload, time: time)
            if decoded?.patient != expected || (expected != nil && Array(decoded!.patient.utf8) != text) {
                Issue.record("\(text): codec \(String(describing: decoded?.patient)), standard library \(String(describing: expected))")
            }
        }
    }

    @Test func trailingBytesAfterAKnownBodyAreErrors() {
        expectError(erase + [0], at: 6, "1 trailing bytes after the erase body")
        expectError([1, 11, 1, 0, 1, 0x50, 1, 0x70, 0, 0], at: 8, "2 trailing bytes after the unenroll body")
    }

    @Test func enumerationCodesOutOfRangeAreErrors() {
        let envelope: [UInt8] = [1, 1, 1, 0, 1, 0x50]
        expectError(envelope + [1, 4], at: 7, "unknown sex code 4")
        expectError([1, 2, 1, 0, 1, 0x50, 0, 5], at: 7, "unknown visit kind code 5")
        expectError([1, 3, 1, 0, 1, 0x50, 0, 1, 0x61, 3], at: 9, "unknown appointment status code 3")
        expectError([1, 4, 1, 0, 1, 0x50, 0, 1, 0x6D, 2, 0], at: 9, "unknown message direction code 2")
        expectError([1, 4, 1, 0, 1, 0x50, 0, 1, 0x6D, 0, 5], at: 10, "unknown message channel code 5")
        expectError([1, 4, 1, 0, 1, 0x50, 1, 1, 0x6D, 0, 0, 6], at: 11, "unknown message purpose code 6")
        expectError([1, 6, 1, 0, 1, 0x50, 0, 6, 0], at: 7, "unknown metric code 6")
        expectError([1, 9, 1, 0, 1, 0x50, 3, 0], at: 6, "unknown consent scope code 3")
        expectError([1, 9, 1, 0, 1, 0x50, 0, 2], at: 7, "consent granted byte must be 0 or 1, not 2")
        expectError([1, 10, 1, 0, 1, 0x50, 1, 0x70, 2], at: 8, "unknown enrolment kind code 2")
        expectError([1, 12, 1, 0, 1, 0x50, 2, 1, 0x74], at: 6, "unknown tag operation code 2")
    }

    @Test func unknownPresenceBitsAreErrors() {
        expectError([1, 1, 1, 0, 1, 0x50, 0b1000], at: 6, "register: unknown presence bits 0x08")
        expectError([1, 5, 1, 0, 1, 0x50, 0b10, 1, 0x63, 0], at: 6, "read: unknown presence bits 0x02")
        expectError([1, 7, 1, 0, 1, 0x50, 0b100, 1, 0x73, 0], at: 6, "survey: unknown presence bits 0x04")
    }

    @Test func numbersMustBeCanonical() {
        // read of content "c" with progress in various forms.
        let prefix: [UInt8] = [1, 5, 1, 0, 1, 0x50, 0, 1, 0x63]
        #expect(error(prefix + [0x08]) == nil)  // 1 as compact
        expectError(prefix + [7, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F], at: 9, "raw number 1.0 has a compact form")
        #expect(error(prefix + [0x51]) == nil)  // 0.5 as 5 / 10^1
        expectError(prefix + [0xA1, 0x01], at: 9, "number 1.0 is not in canonical form")  // 10 / 10^1
        expectError(prefix + [0x0F], at: 9, "raw number head has a non-zero mantissa")
        expectError(prefix + [7, 0, 0, 0], at: 9, "truncated: progress needs 8 bytes, 3 left")
        // Mantissa 2^53 + 1 at scale 0.
        var head = (UInt64(1 << 53 + 1) << 1) << 3
        var bytes: [UInt8] = []
        while head >= 0x80 { bytes.append(UInt8(head & 0x7F) | 0x80); head >>= 7 }
        bytes.append(UInt8(head))
        expectError(prefix + bytes, at: 9, "exceeds 2^53")
    }

    @Test func countsAreCheckedBeforeAllocating() {
        // conditions claiming 2^62 strings, survey claiming 2^62 answers.
        let huge: [UInt8] = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40]
        expectError([1, 1, 1, 0, 1, 0x50, 0b100] + huge, at: 7, "truncated: conditions claims 4611686018427387904 strings")
        expectError([1, 7, 1, 0, 1, 0x50, 0, 1, 0x73] + huge, at: 9, "truncated: 4611686018427387904 answers claimed")
        expectError([1, 7, 1, 0, 1, 0x50, 0, 1, 0x73, 2, 1, 0x61], at: 9, "truncated: 2 answers claimed, 2 bytes left")
    }

    @Test func unknownTypesAndVersionsAreUnrecognizedNotErrors() throws {
        for (code, version) in [(UInt8(0), UInt8(1)), (14, 1), (200, 1), (255, 255), (4, 2), (4, 0), (13, 0x81)] {
            let payload: [UInt8] = [1, code, version, 1, 1, 0x50, 2, 0x69, 0x64, 0xDE, 0xAD]
            let event = try EventCodec.decode(payload, time: time)
            #expect(event == PatientEvent(patient: "P", time: time, id: "id",
                                          body: .unrecognized(UnrecognizedBody(typeCode: code, typeVersion: version, bytes: [0xDE, 0xAD]))))
            #expect(EventCodec.encode(event) == payload)
        }
    }

    @Test func malformedBodyStillHasAnEnvelope() throws {
        // envelope() does not read the body: a broken register body passes.
        let payload: [UInt8] = [1, 1, 1, 2, 1, 0x50, 3, 0x61, 0x62, 0x63, 0xFF]
        #expect(error(payload) != nil)
        let envelope = try payload.withUnsafeBytes { buffer throws(EventCodecError) in try EventCodec.envelope(buffer) }
        #expect(envelope == EventEnvelope(typeCode: 1, typeVersion: 1, patient: "P", actor: "abc"))
    }

    @Test func errorsDescribeThemselves() {
        #expect(EventCodecError(offset: 4, reason: "patient is not valid UTF-8").description == "byte 4: patient is not valid UTF-8")
    }
}
