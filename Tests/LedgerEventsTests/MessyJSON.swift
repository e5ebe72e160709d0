import LedgerEvents

/// Writes an event as a valid but non-canonical JSON line: keys shuffled,
/// whitespace, optional escapes, numbers spelled differently, times with
/// offsets, extra fraction digits and lower-case `t`/`z`. Decoding it must
/// give the same event as decoding the canonical form.
struct MessyJSON {
    var rng: SeededRandom

    mutating func ws() -> String { rng.pick(["", "", "", " ", "\t", "  ", " \r "]) }

    mutating func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += rng.chance(50) ? "\\\"" : "\\u0022"
            case "\\": out += rng.chance(50) ? "\\\\" : "\\u005C"
            case "\n": out += rng.chance(50) ? "\\n" : "\\u000a"
            case "\u{0}"..."\u{1F}": out += "\\u" + hex4(scalar.value, upper: rng.chance(50))
            case "/" where rng.chance(50): out += "\\/"
            default:
                if rng.chance(15) {
                    if scalar.value >= 0x10000 {
                        let v = scalar.value - 0x10000
                        out += "\\u" + hex4(0xD800 + (v >> 10), upper: rng.chance(50))
                        out += "\\u" + hex4(0xDC00 + (v & 0x3FF), upper: rng.chance(50))
                    } else {
                        out += "\\u" + hex4(scalar.value, upper: rng.chance(50))
                    }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    func hex4(_ v: UInt32, upper: Bool) -> String {
        let digits = Array((upper ? "0123456789ABCDEF" : "0123456789abcdef").utf8)
        return String(decoding: [12, 8, 4, 0].map { digits[Int(v >> UInt32($0) & 15)] }, as: UTF8.self)
    }

    mutating func number(_ x: Double) -> String {
        if x == x.rounded(.towardZero) && x.magnitude < 1e15 {
            let n = String(Int64(x))
            var spellings = [n, n + ".0", n + ".000", n + "e0", n + "E+0", n + "e-0"]
            if x != 0 { spellings.append(n + "0e-1") }
            return rng.pick(spellings)
        }
        let text = x.description
        if text.contains("e") { return text }
        return rng.pick([text, text + "0", text + "e0", text + "E-0", text + "00e+00"])
    }

    mutating func time(_ t: EventTime) -> String {
        let ms = t.millisecondsSince1970
        var offset = rng.chance(40) ? 0 : Int64.random(in: -(23 * 60 + 59)...(23 * 60 + 59), using: &rng)
        var local = ms + offset * 60_000
        let (y, _, _) = EventTimeFormat.civil(days: floorDiv(local, 86_400_000))
        if y < 0 || y > 9999 {
            offset = 0
            local = ms
        }
        let days = floorDiv(local, 86_400_000)
        let (year, month, day) = EventTimeFormat.civil(days: days)
        let ofDay = local - days * 86_400_000
        let millis = ofDay % 1000
        var text = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + (rng.chance(20) ? "t" : "T")
        text += pad(ofDay / 3_600_000, 2) + ":" + pad(ofDay / 60_000 % 60, 2) + ":" + pad(ofDay / 1000 % 60, 2)
        if millis != 0 || rng.chance(30) {
            var fraction = pad(millis, 3)
            if rng.chance(50) { fraction += String(Int.random(in: 0...999_999, using: &rng)) }
            while fraction.count > 1 && fraction.hasSuffix("0") && rng.chance(50) { fraction.removeLast() }
            text += "." + fraction
        }
        if offset == 0 && rng.chance(60) {
            text += rng.chance(20) ? "z" : "Z"
        } else {
            let sign = offset < 0 || (offset == 0 && rng.chance(50)) ? "-" : "+"
            text += sign + pad(abs(offset) / 60, 2) + ":" + pad(abs(offset) % 60, 2)
        }
        return "\"" + text + "\""
    }

    func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }

    mutating func object(_ members: [(String, String)], shuffle: Bool = true) -> String {
        let ordered = shuffle ? members.shuffled(using: &rng) : members
        return "{" + ws() + ordered.map { string($0.0) + ws() + ":" + ws() + $0.1 }.joined(separator: ws() + "," + ws()) + ws() + "}"
    }

    mutating func line(_ e: PatientEvent) -> String {
        var m: [(String, String)] = [
            ("type", string(e.type.name)), ("patient", string(e.patient)), ("time", time(e.time)),
        ]
        if let id = e.id { m.append(("id", string(id))) }
        if let actor = e.actor { m.append(("actor", string(actor))) }
        func codes(_ list: [String]) -> String {
            "[" + ws() + list.map { string($0) }.joined(separator: ws() + "," + ws()) + ws() + "]"
        }
        switch e.body {
        case .register(let r):
            if let sex = r.sex { m.append(("sex", string(sex.rawValue))) }
            if let year = r.birthYear { m.append(("birthYear", String(year))) }
            if let c = r.conditions { m.append(("conditions", codes(c))) }
        case .visit(let v):
            m.append(("kind", string(v.kind.rawValue)))
            if let d = v.department { m.append(("department", string(d))) }
            if let c = v.diagnoses { m.append(("diagnoses", codes(c))) }
            if let a = v.appointment { m.append(("appointment", string(a))) }
            if let d = v.discharge { m.append(("discharge", time(d))) }
        case .appointment(let a):
            m.append(("appointment", string(a.appointment)))
            m.append(("status", string(a.status.rawValue)))
            if let s = a.scheduledFor { m.append(("scheduledFor", time(s))) }
        case .message(let x):
            m.append(("message", string(x.message)))
            m.append(("direction", string(x.direction.rawValue)))
            m.append(("channel", string(x.channel.rawValue)))
            if let p = x.purpose { m.append(("purpose", string(p.rawValue))) }
            if let c = x.content { m.append(("content", string(c))) }
            if let s = x.survey { m.append(("survey", string(s))) }
            if let j = x.journeyStep {
                m.append(("journey", string(j.journey)))
                m.append(("step", String(j.step)))
            }
        case .read(let r):
            m.append(("content", string(r.content)))
            m.append(("progress", number(r.progress)))
            if let x = r.message { m.append(("message", string(x))) }
        case .checkin(let c):
            m.append(("metric", string(c.metric.rawValue)))
            m.append(("values", object(c.values.named.map { ($0.name, number($0.value)) })))
            if let p = c.program { m.append(("program", string(p))) }
        case .survey(let s):
            m.append(("survey", string(s.survey)))
            let isPHQ9 = s.survey == "phq9"
            m.append(("answers", object(s.answers.map { ($0.item, isPHQ9 ? String(Int($0.value)) : number($0.value)) }, shuffle: false)))
            if let score = s.score { m.append(("score", number(score))) }
            if let x = s.message { m.append(("message", string(x))) }
        case .dispense(let d):
            m.append(("medication", string(d.medication)))
            m.append(("class", string(d.therapeuticClass)))
            m.append(("daysSupply", String(d.daysSupply)))
        case .consent(let c):
            m.append(("scope", string(c.scope.rawValue)))
            m.append(("granted", c.granted ? "true" : "false"))
        case .enroll(let x):
            m.append(("program", string(x.program)))
            switch x.plan {
            case .checkin(let metric, let every):
                m.append(("kind", string("checkin")))
                m.append(("metric", string(metric.rawValue)))
                m.append(("everyDays", String(every)))
            case .journey:
                m.append(("kind", string("journey")))
            }
        case .unenroll(let u):
            m.append(("program", string(u.program)))
        case .tag(let t):
            m.append(("tag", string(t.tag)))
            m.append(("op", string(t.op.rawValue)))
        case .erase, .unrecognized:
            break
        }
        return ws() + object(m) + ws()
    }
}
