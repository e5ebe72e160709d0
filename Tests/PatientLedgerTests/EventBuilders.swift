import LedgerEvents

/// Short builders for test events.
enum Events {
    static func time(_ day: Int, _ hour: Int = 9) -> EventTime {
        // 2026-01-01 is day 20454 since 1970-01-01.
        EventTime(millisecondsSince1970: Int64(20454 + day) * 86_400_000 + Int64(hour) * 3_600_000)
    }

    static func visit(_ patient: String, day: Int, id: String? = nil, kind: VisitKind = .outpatient) -> PatientEvent {
        PatientEvent(patient: patient, time: time(day), id: id, body: .visit(Visit(kind: kind, department: "cardiology", diagnoses: ["i10"])))
    }

    static func checkin(_ patient: String, day: Int, id: String? = nil, mmol: Double = 7.8) -> PatientEvent {
        PatientEvent(patient: patient, time: time(day), id: id, body: .checkin(Checkin(values: .glucose(mmol: mmol))))
    }

    static func erase(_ patient: String, day: Int) -> PatientEvent {
        PatientEvent(patient: patient, time: time(day), body: .erase)
    }
}
