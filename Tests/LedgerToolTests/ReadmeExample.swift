import PatientLedger

/// Records a discharge and a follow-up message for patient P001 in the
/// ledger at `path`, then reads back the patient's visible history.
func recordDischarge(ledger path: String) throws -> [StoredEvent] {
    let ledger = try Ledger.open(at: path)                 // creates the ledger when absent
    defer { try? ledger.close() }
    let discharged = try EventTime(parsing: "2026-03-01T10:00:00Z")
    try ledger.append([
        PatientEvent(patient: "P001", time: discharged, id: "adt-881",
                     body: .visit(Visit(kind: .inpatient, diagnoses: ["I21.4"]))),
        PatientEvent(patient: "P001", time: try EventTime(parsing: "2026-03-04T09:00:00+08:00"), id: "msg-17",
                     body: .message(Message(message: "m-17", direction: .outbound, channel: .sms, purpose: .followup))),
    ])                                                     // atomic; a retry with the same ids stores nothing
    try ledger.flush()                                     // durable from here on
    return try ledger.events(of: "P001")
}
