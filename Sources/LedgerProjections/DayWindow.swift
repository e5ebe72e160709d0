import LedgerEvents

/// A run of UTC days, `first ... last` inclusive, as day numbers since
/// 1970-01-01 (``EventTime/day``).
///
/// metrics.md: "the N-day window ending at T" is the days
/// `day(T)-N+1 ... day(T)`, even when T is exactly midnight.
struct DayWindow: Equatable {
    var first: Int64
    var last: Int64

    /// The `days`-day window ending at `time`.
    init(days: Int64, endingAt time: EventTime) {
        last = time.day
        first = last - days + 1
    }

    init(first: Int64, last: Int64) {
        self.first = first
        self.last = last
    }

    func contains(_ day: Int64) -> Bool { first <= day && day <= last }

    func contains(_ time: EventTime) -> Bool { contains(time.day) }
}

/// Milliseconds in `days` days of 24 hours (metrics.md: "N days" between two
/// instants is always a duration of N*24h).
func milliseconds(days: Int64) -> Int64 { days * 86_400_000 }
