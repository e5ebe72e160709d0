import LedgerEvents

/// A JSON-like line for an event, in events.md's key order: for reading
/// generated events in test output (the real encoder lives elsewhere).
func render(_ e: PatientEvent) -> String {
    var parts: [String] = ["\"type\":\"\(e.type.name)\"", "\"patient\":\"\(e.patient)\"", "\"time\":\"\(e.time)\""]
    if let id = e.id { parts.append("\"id\":\"\(id)\"") }
    if let actor = e.actor { parts.append("\"actor\":\"\(actor)\"") }
    func s(_ k: String, _ v: String?) { if let v { parts.append("\"\(k)\":\"\(v)\"") } }
    func n(_ k: String, _ v: Double?) { if let v { parts.append("\"\(k)\":\(v)") } }
    func list(_ k: String, _ v: [String]?) { if let v { parts.append("\"\(k)\":[" + v.map { "\"\($0)\"" }.joined(separator: ",") + "]") } }
    switch e.body {
    case .register(let r):
        s("sex", r.sex?.rawValue); n("birthYear", r.birthYear.map(Double.init)); list("conditions", r.conditions)
    case .visit(let v):
        s("kind", v.kind.rawValue); s("department", v.department); list("diagnoses", v.diagnoses)
        s("appointment", v.appointment); s("discharge", v.discharge?.description)
    case .appointment(let a):
        s("appointment", a.appointment); s("status", a.status.rawValue); s("scheduledFor", a.scheduledFor?.description)
    case .message(let m):
        s("message", m.message); s("direction", m.direction.rawValue); s("channel", m.channel.rawValue)
        s("purpose", m.purpose?.rawValue); s("content", m.content); s("survey", m.survey)
        s("journey", m.journeyStep?.journey); n("step", m.journeyStep.map { Double($0.step) })
    case .read(let r):
        s("content", r.content); n("progress", r.progress); s("message", r.message)
    case .checkin(let c):
        s("metric", c.metric.rawValue)
        parts.append("\"values\":{" + c.values.named.map { "\"\($0.name)\":\($0.value)" }.joined(separator: ",") + "}")
        s("program", c.program)
    case .survey(let v):
        s("survey", v.survey)
        parts.append("\"answers\":{" + v.answers.map { "\"\($0.item)\":\($0.value)" }.joined(separator: ",") + "}")
        n("score", v.score); s("message", v.message)
    case .dispense(let d):
        s("medication", d.medication); s("class", d.therapeuticClass); n("daysSupply", Double(d.daysSupply))
    case .consent(let c):
        s("scope", c.scope.rawValue); parts.append("\"granted\":\(c.granted)")
    case .enroll(let en):
        s("program", en.program)
        switch en.plan {
        case .checkin(let metric, let every): s("kind", "checkin"); s("metric", metric.rawValue); n("everyDays", Double(every))
        case .journey: s("kind", "journey")
        }
    case .unenroll(let u): s("program", u.program)
    case .tag(let t): s("tag", t.tag); s("op", t.op.rawValue)
    case .erase, .unrecognized: break
    }
    return "{" + parts.joined(separator: ",") + "}"
}

/// The events.md rules that can be checked on a `PatientEvent` directly;
/// returns the broken ones (empty: fine).
func violations(_ e: PatientEvent) -> [String] {
    var problems: [String] = []
    func require(_ ok: Bool, _ what: @autoclosure () -> String) { if !ok { problems.append(what()) } }
    func idString(_ v: String?, _ name: String) {
        if let v { require((1...128).contains(v.unicodeScalars.count), "\(name) length") }
    }
    func code(_ c: String) -> Bool {
        // [A-Za-z][0-9][0-9A-Za-z](\.?[0-9A-Za-z]{1,4})?, and stored upper-case.
        let u = Array(c.utf8)
        func letter(_ b: UInt8) -> Bool { (65...90).contains(b) }
        func digit(_ b: UInt8) -> Bool { (48...57).contains(b) }
        guard u.count >= 3, letter(u[0]), digit(u[1]), letter(u[2]) || digit(u[2]) else { return false }
        var rest = u[3...]
        if rest.isEmpty { return true }
        if rest.first == UInt8(ascii: ".") { rest = rest.dropFirst() }
        return (1...4).contains(rest.count) && rest.allSatisfy { letter($0) || digit($0) }
    }
    let patientChars = e.patient.unicodeScalars.allSatisfy {
        ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) || ".-_:".unicodeScalars.contains($0)
    }
    require(patientChars && (1...64).contains(e.patient.unicodeScalars.count), "patient id")
    require(e.time >= EventTime.earliest && e.time <= EventTime.latest, "time range")
    idString(e.id, "id")
    idString(e.actor, "actor")
    switch e.body {
    case .register(let r):
        if let y = r.birthYear { require((1900...2100).contains(y), "birthYear") }
        for c in r.conditions ?? [] { require(code(c), "condition \(c)") }
        require(r.conditions.map { !$0.isEmpty } ?? true, "empty conditions")
    case .visit(let v):
        if let d = v.department { require((1...64).contains(d.unicodeScalars.count), "department") }
        for c in v.diagnoses ?? [] { require(code(c), "diagnosis \(c)") }
        idString(v.appointment, "appointment")
        if let d = v.discharge { require(d >= e.time, "discharge before time"); require(v.kind == .inpatient, "discharge on non-inpatient") }
    case .appointment(let a):
        idString(a.appointment, "appointment")
        require((a.status == .scheduled) == (a.scheduledFor != nil), "scheduledFor iff scheduled")
    case .message(let m):
        idString(m.message, "message")
        require(m.direction == .inbound || m.purpose != nil, "purpose on outbound")
        idString(m.content, "content"); idString(m.survey, "survey")
        if let js = m.journeyStep { idString(js.journey, "journey"); require(js.step >= 1, "step >= 1") }
    case .read(let r):
        idString(r.content, "content"); idString(r.message, "message")
        require((0...1).contains(r.progress), "progress")
    case .checkin(let c):
        idString(c.program, "program")
        switch c.values {
        case .bp(let s, let d): require((40...300).contains(s) && (20...200).contains(d), "bp range")
        case .glucose(let v): require((0.5...60).contains(v), "glucose range")
        case .weight(let v): require((0.5...500).contains(v), "weight range")
        case .steps(let v): require((0...200_000).contains(v), "steps range")
        case .heartrate(let v): require((20...300).contains(v), "heartrate range")
        case .habit(let v): require(v == 0 || v == 1, "habit 0/1")
        }
    case .survey(let s):
        idString(s.survey, "survey"); idString(s.message, "message")
        let items = s.answers.map(\.item)
        require(Set(items).count == items.count, "duplicate answer items")
        require(s.answers.allSatisfy { (1...64).contains($0.item.unicodeScalars.count) && $0.value.isFinite }, "answer items")
        switch s.survey {
        case "phq9":
            require(items == (1...9).map { "q\($0)" }, "phq9 items")
            require(s.answers.allSatisfy { [0, 1, 2, 3].contains($0.value) }, "phq9 values")
            if let score = s.score { require(score == s.answers.reduce(0) { $0 + $1.value }, "phq9 score") }
        case "satisfaction", "nps":
            require(items == ["score"] && (0...10).contains(s.answers[0].value), "\(s.survey) answers")
            require(s.score == nil, "\(s.survey) score")
        default:
            break
        }
    case .dispense(let d):
        idString(d.medication, "medication"); idString(d.therapeuticClass, "class")
        require((1...365).contains(d.daysSupply), "daysSupply")
    case .consent:
        break
    case .enroll(let en):
        idString(en.program, "program")
        if case .checkin(_, let every) = en.plan { require((1...365).contains(every), "everyDays") }
    case .unenroll(let u):
        idString(u.program, "program")
    case .tag(let t):
        require((1...64).contains(t.tag.unicodeScalars.count) && !t.tag.unicodeScalars.contains { $0.properties.isWhitespace }, "tag")
    case .erase:
        break
    case .unrecognized:
        problems.append("unrecognized body")
    }
    return problems
}
