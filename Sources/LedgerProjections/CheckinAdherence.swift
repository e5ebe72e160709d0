import LedgerEvents

/// Check-in adherence of one check-in enrolment (metrics.md, "Check-in
/// adherence").
enum CheckinAdherence {
    /// The share of a plan's slots that hold a check-in.
    ///
    /// - Parameters:
    ///   - checkinDays: the UTC days of the check-ins of the plan's metric,
    ///     ascending.
    ///   - enrolmentDay: the UTC day of the (latest) `enroll`.
    ///   - everyDays: the plan's period k, at least 1.
    ///   - asOfDay: `day(T)`.
    ///
    /// The window is the 30 days ending at `asOfDay`, cut to start no
    /// earlier than `enrolmentDay`; it is split into slots of k days from its
    /// first day (the last may be shorter). A slot is done when a check-in
    /// falls on one of its days, also one earlier on the enrolment day than
    /// the enrolment itself. Check-ins made before a re-enrolment count the
    /// same way when their day is in the window.
    static func adherence(checkinDays: [Int64], enrolmentDay: Int64, everyDays: Int, asOfDay: Int64) -> Double {
        let window = DayWindow(first: max(asOfDay - 29, enrolmentDay), last: asOfDay)
        let k = Int64(max(everyDays, 1))
        let expected = (window.last - window.first) / k + 1
        var done: Int64 = 0
        var lastSlot: Int64 = -1
        for day in checkinDays where window.contains(day) {
            let slot = (day - window.first) / k
            if slot != lastSlot {
                done += 1
                lastSlot = slot
            }
        }
        return Double(done) / Double(expected)
    }
}
