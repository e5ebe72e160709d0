// Writing the canonical JSON form of events.md: keys in the order of the
// spec's tables, optional keys omitted when absent, times as canonical UTC,
// compact, strings minimally escaped, numbers in their shortest round-trip
// spelling (integral values within ±2^53 without a fraction).

enum EventJSONEncoder {
    static func append(_ event: PatientEvent, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        key("type", first: true, &out)
        switch event.body {
        case .unrecognized: literal("\"unrecognized\"", &out)
        default: name(event.type.name, &out)
        }
        key("patient", &out); string(event.patient, &out)
        key("time", &out); time(event.time, &out)
        if let id = event.id { key("id", &out); string(id, &out) }
        if let actor = event.actor { key("actor", &out); string(actor, &out) }

        switch event.body {
        case .register(let r):
            if let sex = r.sex { key("sex", &out); name(sex.rawValue, &out) }
            if let year = r.birthYear { key("birthYear", &out); int(Int64(year), &out) }
            if let codes = r.conditions { key("conditions", &out); strings(codes, &out) }
        case .visit(let v):
            key("kind", &out); name(v.kind.rawValue, &out)
            if let department = v.department { key("department", &out); string(department, &out) }
            if let codes = v.diagnoses { key("diagnoses", &out); strings(codes, &out) }
            if let appointment = v.appointment { key("appointment", &out); string(appointment, &out) }
            if let discharge = v.discharge { key("discharge", &out); time(discharge, &out) }
        case .appointment(let a):
            key("appointment", &out); string(a.appointment, &out)
            key("status", &out); name(a.status.rawValue, &out)
            if let when = a.scheduledFor { key("scheduledFor", &out); time(when, &out) }
        case .message(let m):
            key("message", &out); string(m.message, &out)
            key("direction", &out); name(m.direction.rawValue, &out)
            key("channel", &out); name(m.channel.rawValue, &out)
            if let purpose = m.purpose { key("purpose", &out); name(purpose.rawValue, &out) }
            if let content = m.content { key("content", &out); string(content, &out) }
            if let survey = m.survey { key("survey", &out); string(survey, &out) }
            if let js = m.journeyStep {
                key("journey", &out); string(js.journey, &out)
                key("step", &out); int(Int64(js.step), &out)
            }
        case .read(let r):
            key("content", &out); string(r.content, &out)
            key("progress", &out); number(r.progress, &out)
            if let message = r.message { key("message", &out); string(message, &out) }
        case .checkin(let c):
            key("metric", &out); name(c.metric.rawValue, &out)
            key("values", &out)
            out.append(UInt8(ascii: "{"))
            switch c.values {
            case .bp(let systolic, let diastolic):
                key("systolic", first: true, &out); number(systolic, &out)
                key("diastolic", &out); number(diastolic, &out)
            case .glucose(let v): key("mmol", first: true, &out); number(v, &out)
            case .weight(let v): key("kg", first: true, &out); number(v, &out)
            case .steps(let v): key("count", first: true, &out); number(v, &out)
            case .heartrate(let v): key("bpm", first: true, &out); number(v, &out)
            case .habit(let v): key("done", first: true, &out); number(v, &out)
            }
            out.append(UInt8(ascii: "}"))
            if let program = c.program { key("program", &out); string(program, &out) }
        case .survey(let s):
            key("survey", &out); string(s.survey, &out)
            key("answers", &out)
            out.append(UInt8(ascii: "{"))
            for (i, answer) in s.answers.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                string(answer.item, &out)
                out.append(UInt8(ascii: ":"))
                number(answer.value, &out)
            }
            out.append(UInt8(ascii: "}"))
            if let score = s.score { key("score", &out); number(score, &out) }
            if let message = s.message { key("message", &out); string(message, &out) }
        case .dispense(let d):
            key("medication", &out); string(d.medication, &out)
            key("class", &out); string(d.therapeuticClass, &out)
            key("daysSupply", &out); int(Int64(d.daysSupply), &out)
        case .consent(let c):
            key("scope", &out); name(c.scope.rawValue, &out)
            key("granted", &out); literal(c.granted ? "true" : "false", &out)
        case .enroll(let e):
            key("program", &out); string(e.program, &out)
            switch e.plan {
            case .checkin(let metric, let everyDays):
                key("kind", &out); literal("\"checkin\"", &out)
                key("metric", &out); name(metric.rawValue, &out)
                key("everyDays", &out); int(Int64(everyDays), &out)
            case .journey:
                key("kind", &out); literal("\"journey\"", &out)
            }
        case .unenroll(let u):
            key("program", &out); string(u.program, &out)
        case .tag(let t):
            key("tag", &out); string(t.tag, &out)
            key("op", &out); name(t.op.rawValue, &out)
        case .erase:
            break
        case .unrecognized(let u):
            key("typeCode", &out); int(Int64(u.typeCode), &out)
            key("typeVersion", &out); int(Int64(u.typeVersion), &out)
            key("body", &out)
            out.append(0x22)
            let hex: StaticString = "0123456789abcdef"
            for byte in u.bytes {
                out.append(hex.utf8Start[Int(byte >> 4)])
                out.append(hex.utf8Start[Int(byte & 15)])
            }
            out.append(0x22)
        }
        out.append(UInt8(ascii: "}"))
    }

    // MARK: - Pieces

    @inline(__always)
    private static func key(_ name: StaticString, first: Bool = false, _ out: inout [UInt8]) {
        if !first { out.append(UInt8(ascii: ",")) }
        out.append(0x22)
        out.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        out.append(0x22)
        out.append(UInt8(ascii: ":"))
    }

    @inline(__always)
    private static func literal(_ text: StaticString, _ out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// A quoted ASCII name that needs no escaping (enum raw values).
    @inline(__always)
    private static func name(_ text: String, _ out: inout [UInt8]) {
        out.append(0x22)
        out.append(contentsOf: text.utf8)
        out.append(0x22)
    }

    private static func time(_ time: EventTime, _ out: inout [UInt8]) {
        out.append(0x22)
        EventTimeFormat.append(time, to: &out)
        out.append(0x22)
    }

    private static func strings(_ list: [String], _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (i, s) in list.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            string(s, &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    /// A JSON string: `"` and `\` escaped, control characters as `\n`,
    /// `\t`, `\r`, `\b`, `\f` or `\u00XX`; everything else as UTF-8.
    static func string(_ text: String, _ out: inout [UInt8]) {
        out.append(0x22)
        var copy = text
        copy.withUTF8 { bytes in
            var runStart = 0
            for i in 0..<bytes.count {
                let b = bytes[i]
                guard b < 0x20 || b == 0x22 || b == 0x5C else { continue }
                if runStart < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i])) }
                runStart = i + 1
                out.append(0x5C)
                switch b {
                case 0x22: out.append(0x22)
                case 0x5C: out.append(0x5C)
                case 0x0A: out.append(UInt8(ascii: "n"))
                case 0x0D: out.append(UInt8(ascii: "r"))
                case 0x09: out.append(UInt8(ascii: "t"))
                case 0x08: out.append(UInt8(ascii: "b"))
                case 0x0C: out.append(UInt8(ascii: "f"))
                default:
                    let hex: StaticString = "0123456789abcdef"
                    out.append(UInt8(ascii: "u"))
                    out.append(UInt8(ascii: "0"))
                    out.append(UInt8(ascii: "0"))
                    out.append(hex.utf8Start[Int(b >> 4)])
                    out.append(hex.utf8Start[Int(b & 15)])
                }
            }
            if runStart < bytes.count {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
            }
        }
        out.append(0x22)
    }

    static func int(_ value: Int64, _ out: inout [UInt8]) {
        if value >= 0 && value < 10 {
            out.append(UInt8(truncatingIfNeeded: 48 + value))
            return
        }
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var n = 0
            repeat {
                digits[19 - n] = UInt8(truncatingIfNeeded: 48 + magnitude % 10)
                magnitude /= 10
                n += 1
            } while magnitude > 0
            if value < 0 { out.append(UInt8(ascii: "-")) }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[(20 - n)...]))
        }
    }

    /// A number: integral values within ±2^53 as ints, others in Swift's
    /// shortest round-trip spelling (valid JSON: `0.95`, `1e-05`,
    /// `1.5e+300`); a non-finite value (never valid) as `null`.
    static func number(_ value: Double, _ out: inout [UInt8]) {
        guard value.isFinite else {
            literal("null", &out)
            return
        }
        if value.magnitude <= 9_007_199_254_740_992 && value == value.rounded(.towardZero) {
            int(Int64(value), &out)
            return
        }
        out.append(contentsOf: value.description.utf8)
    }
}
