#if canImport(Glibc)
import Glibc
#endif
import Testing
import LedgerEvents

/// Bytes per event for a generated cohort, as payloads, as segment-log
/// records, and after LZ4 of 32 KiB blocks as the segment log stores them
/// (Docs/SegmentFormat.md). A measurement, not an assertion: it prints.
@Suite struct CodecMeasurementTests {
    /// A cohort of `patients` over `days` days, in time order across
    /// patients, as the log would store it.
    static func cohort(patients: Int, days: Int, ids: Bool, seed: UInt64) -> [PatientEvent] {
        var random = SeededRandom(seed: seed)
        func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &random) < p }
        func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &random)] }
        func uuid() -> String {
            let hex = Array("0123456789abcdef")
            var s = ""
            for i in 0..<32 {
                if [8, 12, 16, 20].contains(i) { s.append("-") }
                s.append(hex[Int(random.next() & 15)])
            }
            return s
        }
        let conditions = ["E11.9", "I10", "E78.5", "I25.10", "J44.9", "N18.3", "E66.9", "I48.91", "F32.9", "M54.5"]
        let departments = ["endocrinology", "cardiology", "general practice", "nephrology", "pulmonology", "psychiatry", "orthopedics"]
        let contents = (1...40).map { "edu-\($0)" }
        let medications = [("metformin 500mg", "diabetes"), ("atorvastatin 20mg", "statin"), ("lisinopril 10mg", "ras"),
                           ("amlodipine 5mg", "ccb"), ("sertraline 50mg", "ssri"), ("insulin glargine", "diabetes")]
        let staff = (1...25).map { "staff-\($0)" }
        let start: Int64 = 1_767_225_600_000  // 2026-01-01
        var events: [PatientEvent] = []
        var messageNumber = 0
        for p in 0..<patients {
            let patient = "P" + String(100_000 + p)
            func add(_ offset: Int64, _ body: EventBody) {
                let time = EventTime(millisecondsSince1970: start + offset)
                var event = PatientEvent(patient: patient, time: time, body: body)
                if ids { event.id = uuid() }
                if chance(0.3) { event.actor = pick(staff) }
                events.append(event)
            }
            let ms = { (day: Int, hour: Int, minute: Int, second: Int) -> Int64 in
                Int64(((day * 24 + hour) * 60 + minute) * 60 + second) * 1000 + Int64.random(in: 0...999, using: &random)
            }
            let mine = (0..<Int.random(in: 1...3, using: &random)).map { _ in pick(conditions) }
            let diabetic = mine.contains("E11.9"), hypertensive = mine.contains("I10")
            add(ms(0, 8, 0, 0), .register(Register(sex: pick(Sex.allCases), birthYear: Int.random(in: 1935...2000, using: &random), conditions: mine)))
            add(ms(0, 8, 5, 0), .consent(Consent(scope: .messaging, granted: true)))
            if hypertensive { add(ms(0, 8, 6, 0), .enroll(Enroll(program: "bp-weekly", plan: .checkin(metric: .bp, everyDays: 7)))) }
            if diabetic { add(ms(0, 8, 6, 1), .enroll(Enroll(program: "dm-glucose", plan: .checkin(metric: .glucose, everyDays: 1)))) }
            var weight = Double.random(in: 55...110, using: &random)
            for day in 0..<days {
                if chance(0.6) { add(ms(day, 7, Int.random(in: 0...59, using: &random), 0), .checkin(Checkin(values: .steps(count: Double(Int.random(in: 800...15_000, using: &random)))))) }
                if hypertensive && chance(0.5) {
                    add(ms(day, 7, 30, Int.random(in: 0...59, using: &random)),
                        .checkin(Checkin(values: .bp(systolic: Double(Int.random(in: 110...170, using: &random)),
                                                     diastolic: Double(Int.random(in: 65...105, using: &random))), program: "bp-weekly")))
                }
                if diabetic && chance(0.8) {
                    add(ms(day, 7, 45, 0), .checkin(Checkin(values: .glucose(mmol: Double(Int.random(in: 45...140, using: &random)) / 10), program: "dm-glucose")))
                }
                if day % 7 == 3 && chance(0.7) {
                    weight += Double.random(in: -0.6...0.5, using: &random)
                    add(ms(day, 7, 10, 0), .checkin(Checkin(values: .weight(kg: (weight * 10).rounded() / 10))))
                }
                if chance(0.25) { add(ms(day, 21, 0, 0), .checkin(Checkin(values: .habit(done: chance(0.7) ? 1 : 0)))) }
                if chance(0.2) { add(ms(day, 6, 50, 0), .checkin(Checkin(values: .heartrate(bpm: Double(Int.random(in: 55...100, using: &random)))))) }
                if chance(0.3) {
                    messageNumber += 1
                    let id = "msg-\(messageNumber)"
                    let content = pick(contents)
                    let education = chance(0.5)
                    add(ms(day, 9, 0, 0), .message(Message(message: id, direction: .outbound, channel: pick([.wechat, .sms, .app]),
                                                           purpose: education ? .education : .reminder, content: education ? content : nil)))
                    if education && chance(0.6) {
                        add(ms(day, Int.random(in: 10...22, using: &random), 0, 0),
                            .read(Read(content: content, progress: Double(Int.random(in: 10...100, using: &random)) / 100, message: id)))
                    }
                    if chance(0.15) {
                        messageNumber += 1
                        add(ms(day, 12, 0, 0), .message(Message(message: "msg-\(messageNumber)", direction: .inbound, channel: .wechat)))
                    }
                }
                if day % 30 == 10 {
                    let items = (1...9).map { SurveyAnswer(item: "q\($0)", value: Double(Int.random(in: 0...3, using: &random))) }
                    add(ms(day, 18, 0, 0), .survey(Survey(survey: "phq9", answers: items, score: items.reduce(0) { $0 + $1.value })))
                }
                if day % 30 == 2 {
                    let (medication, therapeuticClass) = pick(medications)
                    add(ms(day, 11, 0, 0), .dispense(Dispense(medication: medication, therapeuticClass: therapeuticClass, daysSupply: 30)))
                }
                if day % 30 == 14 && chance(0.6) {
                    let appointment = "apt-\(p)-\(day)"
                    add(ms(day - 7, 10, 0, 0), .appointment(Appointment(appointment: appointment, status: .scheduled,
                                                                          scheduledFor: EventTime(millisecondsSince1970: start + Int64(day) * 86_400_000 + 9 * 3_600_000))))
                    if chance(0.85) {
                        add(ms(day, 9, 30, 0), .visit(Visit(kind: .outpatient, department: pick(departments), diagnoses: Array(mine.prefix(2)), appointment: appointment)))
                        add(ms(day + 1, 9, 0, 0), .survey(Survey(survey: "satisfaction", answers: [SurveyAnswer(item: "score", value: Double(Int.random(in: 5...10, using: &random)))])))
                    } else {
                        add(ms(day, 9, 30, 0), .appointment(Appointment(appointment: appointment, status: chance(0.5) ? .cancelled : .noshow)))
                    }
                }
                if chance(0.005) { add(ms(day, 15, 0, 0), .tag(Tag(tag: pick(["vip", "frequent-caller", "needs-interpreter"]), op: .add))) }
            }
        }
        events.sort { $0.time < $1.time }
        return events
    }

    /// liblz4's block compressor, found at run time: this test target
    /// links only LedgerEvents.
    typealias Compress = @convention(c) (UnsafePointer<CChar>?, UnsafeMutablePointer<CChar>?, Int32, Int32) -> Int32

    static let compress: Compress? = {
        #if canImport(Glibc)
        guard let handle = dlopen("liblz4.so.1", RTLD_NOW) ?? dlopen("liblz4.so", RTLD_NOW),
              let symbol = dlsym(handle, "LZ4_compress_default") else { return nil }
        return unsafeBitCast(symbol, to: Compress.self)
        #else
        return nil
        #endif
    }()

    struct Sizes {
        var events = 0, payload = 0, records = 0, stored = 0, blocks = 0
        var perEvent: (payload: Double, record: Double, stored: Double, disk: Double) {
            let n = Double(events)
            return (Double(payload) / n, Double(records) / n, Double(stored) / n, Double(stored + blocks * (64 + 48)) / n)
        }
    }

    /// Frames the payloads as segment-log records (`varint(length)
    /// varint(zigzag(delta)) payload`), fills 32 KiB blocks as the writer
    /// does, and LZ4s each block, keeping the smaller form.
    static func measure(_ events: [PatientEvent]) -> Sizes {
        var sizes = Sizes()
        var block: [UInt8] = []
        var payload: [UInt8] = []
        var previous: Int64 = 0
        func varint(_ value: UInt64, into bytes: inout [UInt8]) {
            var v = value
            while v >= 0x80 { bytes.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
            bytes.append(UInt8(v))
        }
        func close() {
            guard !block.isEmpty else { return }
            var stored = block.count
            if let compress {
                var output = [CChar](repeating: 0, count: block.count + block.count / 255 + 16)
                let written = block.withUnsafeBytes { source in
                    output.withUnsafeMutableBufferPointer { destination in
                        compress(source.baseAddress!.assumingMemoryBound(to: CChar.self), destination.baseAddress,
                                 Int32(source.count), Int32(destination.count))
                    }
                }
                if written > 0 && Int(written) < stored { stored = Int(written) }
            }
            sizes.stored += stored
            sizes.blocks += 1
            block.removeAll(keepingCapacity: true)
            previous = 0
        }
        for event in events {
            payload.removeAll(keepingCapacity: true)
            EventCodec.encode(event, into: &payload)
            if !block.isEmpty && block.count + payload.count + 20 > 32 << 10 { close() }
            let before = block.count
            let t = event.time.millisecondsSince1970
            varint(UInt64(payload.count), into: &block)
            let delta = t &- previous
            varint(UInt64(bitPattern: (delta << 1) ^ (delta >> 63)), into: &block)
            previous = t
            block.append(contentsOf: payload)
            sizes.events += 1
            sizes.payload += payload.count
            sizes.records += block.count - before
        }
        close()
        return sizes
    }

    @Test func bytesPerEventOfAGeneratedCohort() throws {
        if Self.compress == nil { print("codec size: liblz4 not found; LZ4 column equals raw") }
        for ids in [false, true] {
            let events = Self.cohort(patients: 1_000, days: 90, ids: ids, seed: 2026)
            let sizes = Self.measure(events)
            let e = sizes.perEvent
            let label = ids ? "every event with a UUID id" : "no ids"
            print("codec size (\(label)): \(sizes.events) events, payload \(fmt(e.payload)) B/event, "
                  + "record \(fmt(e.record)) B/event, LZ4 32 KiB blocks \(fmt(e.stored)) B/event "
                  + "(ratio \(fmt(e.record / e.stored))), on disk with block headers and index \(fmt(e.disk)) B/event")
            var byType: [String: (count: Int, bytes: Int)] = [:]
            for event in events {
                byType[event.type.name, default: (0, 0)].count += 1
                byType[event.type.name, default: (0, 0)].bytes += EventCodec.encode(event).count
            }
            print("  by type: " + byType.sorted { $0.value.count > $1.value.count }
                .map { "\($0.key) \($0.value.count)× \(fmt(Double($0.value.bytes) / Double($0.value.count)))B" }.joined(separator: ", "))
            #expect(sizes.events > 100_000)
        }
    }

    @Test func encodeAndDecodeRates() throws {
        let events = Self.cohort(patients: 300, days: 90, ids: false, seed: 7)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(events.count * 64)
        let t0 = clock()
        for event in events { EventCodec.encode(event, into: &buffer) }
        let t1 = clock()
        let payloads = events.map { EventCodec.encode($0) }
        let t2 = clock()
        var decoded = 0
        for (payload, event) in zip(payloads, events) {
            _ = try payload.withUnsafeBytes { buffer throws(EventCodecError) in try EventCodec.decode(buffer, time: event.time) }
            decoded += 1
        }
        let t3 = clock()
        var enveloped = 0
        for payload in payloads {
            _ = try payload.withUnsafeBytes { buffer throws(EventCodecError) in try EventCodec.envelope(buffer) }
            enveloped += 1
        }
        let t4 = clock()
        func rate(_ count: Int, _ a: clock_t, _ b: clock_t) -> String {
            let seconds = Double(b - a) / Double(CLOCKS_PER_SEC)
            return seconds > 0 ? fmt(Double(count) / seconds / 1e6) + "M/s" : "n/a"
        }
        #if DEBUG
        let build = "debug build"
        #else
        let build = "release build"
        #endif
        print("codec rate (\(build), one core): encode \(rate(events.count, t0, t1)), decode \(rate(decoded, t2, t3)), envelope \(rate(enveloped, t3, t4))")
        #expect(buffer.count == payloads.reduce(0) { $0 + $1.count })
    }
}

private func fmt(_ value: Double) -> String {
    let scaled = (value * 100).rounded() / 100
    return String(scaled)
}
