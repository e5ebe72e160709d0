/// The proportion of days covered (PDC) of one therapeutic class over a
/// measurement period, after the Pharmacy Quality Alliance, exactly as
/// metrics.md ("PDC") defines it.
///
/// ```swift
/// // metformin 2018-01-01 x90, glipizide 2018-04-01 x90; period = 2018
/// let jan1 = EventTimeFormat.days(year: 2018, month: 1, day: 1)
/// let pdc = ProportionOfDaysCovered(
///     fills: [.init(medication: "metformin", day: jan1, daysSupply: 90),
///             .init(medication: "glipizide", day: jan1 + 90, daysSupply: 90)],
///     firstDay: jan1, lastDay: jan1 + 364)
/// pdc?.coveredDays     // 180
/// pdc?.treatmentDays   // 365
/// pdc?.value           // 0.49315...
/// ```
public struct ProportionOfDaysCovered: Sendable, Equatable {
    /// One dispense of the class: its medication, fill day (the UTC day of
    /// its time) and days of supply.
    public struct Fill: Sendable, Equatable {
        /// The medication; fills of one medication shift behind each other.
        public var medication: String
        /// The UTC day number (``LedgerEvents/EventTime/day``) of the dispense.
        public var day: Int64
        /// Days of supply, 1...365.
        public var daysSupply: Int

        /// A fill from its values.
        public init(medication: String, day: Int64, daysSupply: Int) {
            self.medication = medication
            self.day = day
            self.daysSupply = daysSupply
        }
    }

    /// The days of the treatment period covered by at least one fill.
    public var coveredDays: Int64
    /// The days from the index day (first fill day) to the period's last day.
    public var treatmentDays: Int64
    /// The first fill day in the period.
    public var indexDay: Int64

    /// `coveredDays / treatmentDays`, in 0...1.
    public var value: Double { Double(coveredDays) / Double(treatmentDays) }

    /// A result from its values.
    public init(coveredDays: Int64, treatmentDays: Int64, indexDay: Int64) {
        self.coveredDays = coveredDays
        self.treatmentDays = treatmentDays
        self.indexDay = indexDay
    }

    /// The PDC of one class's fills over the days `firstDay ... lastDay`;
    /// nil when there is none (fewer than two fills on different days in the
    /// period, or an empty period).
    ///
    /// - Parameters:
    ///   - fills: the class's dispenses, in order (by time, ties by log
    ///     position). Fills outside the period are ignored: they neither
    ///     count nor push later fills forward.
    ///   - firstDay: the period's first UTC day number.
    ///   - lastDay: the period's last UTC day number, inclusive.
    ///
    /// The steps of metrics.md: index day = the first fill day in the
    /// period; per medication, a fill covers `daysSupply` days from the later
    /// of its fill day and the day after the previous fill of the same
    /// medication stopped covering; different medications are not shifted
    /// against each other; a day covered by several fills counts once;
    /// coverage after `lastDay` is cut off.
    ///
    /// Cost: O(f log f + f m) for f fills of m medications in the period,
    /// whatever the period's length (covered days are counted by merging
    /// intervals, not by a day array). Copies the fills into an array.
    public init?(fills: some Sequence<Fill>, firstDay: Int64, lastDay: Int64) {
        guard let pdc = Self.of(Array(fills), firstDay: firstDay, lastDay: lastDay) else { return nil }
        self = pdc
    }

    /// ``init(fills:firstDay:lastDay:)`` of the fills in a collection,
    /// without allocating (a few fills per class): the intervals and the
    /// coverage per medication are kept in temporary memory, and the
    /// medications of the fills found so far are searched with `==` (what
    /// the dictionary by medication did, without hashing). The cohort
    /// metrics compute every patient's PDC per class this way.
    static func of<Fills: RandomAccessCollection>(_ fills: Fills, firstDay: Int64, lastDay: Int64)
        -> ProportionOfDaysCovered? where Fills.Element == Fill {
        guard firstDay <= lastDay else { return nil }
        func inPeriod(_ fill: Fill) -> Bool { firstDay <= fill.day && fill.day <= lastDay }
        // Step 1: only the fills in the period count; the index day is the
        // first one's.
        guard let index = fills.first(where: inPeriod)?.day,
              fills.contains(where: { inPeriod($0) && $0.day != index }) else { return nil }

        let covered = withUnsafeTemporaryAllocation(of: (first: Int64, last: Int64).self, capacity: fills.count) { intervals in
            withUnsafeTemporaryAllocation(of: (fill: Fills.Index, coveredUntil: Int64).self, capacity: fills.count) { medications in
                // Step 4: coverage intervals, shifted per medication (a
                // medication is found by the index of its first fill).
                var intervalCount = 0, medicationCount = 0
                for i in fills.indices {
                    let fill = fills[i]
                    guard inPeriod(fill), fill.daysSupply > 0 else { continue }
                    var slot = 0
                    while slot < medicationCount && fills[medications[slot].fill].medication != fill.medication { slot += 1 }
                    let start = slot < medicationCount ? max(fill.day, medications[slot].coveredUntil + 1) : fill.day
                    let end = start + Int64(fill.daysSupply) - 1
                    if slot < medicationCount {
                        medications[slot].coveredUntil = end
                    } else {
                        medications.baseAddress!.advanced(by: medicationCount).initialize(to: (i, end))
                        medicationCount += 1
                    }
                    // Step 5: only days index ... lastDay count.
                    let first = max(start, index), last = min(end, lastDay)
                    if first <= last {
                        intervals.baseAddress!.advanced(by: intervalCount).initialize(to: (first, last))
                        intervalCount += 1
                    }
                }

                // Step 5: each day once (the union's size, whatever the
                // order of intervals starting on the same day).
                var sorted = UnsafeMutableBufferPointer(rebasing: intervals[..<intervalCount])
                sorted.sort { $0.first < $1.first }
                var covered: Int64 = 0
                var run: (first: Int64, last: Int64)?
                for interval in sorted {
                    if let current = run, interval.first <= current.last + 1 {
                        run = (current.first, max(current.last, interval.last))
                    } else {
                        if let current = run { covered += current.last - current.first + 1 }
                        run = interval
                    }
                }
                if let current = run { covered += current.last - current.first + 1 }
                return covered
            }
        }
        return ProportionOfDaysCovered(coveredDays: covered, treatmentDays: lastDay - index + 1, indexDay: index)
    }
}
