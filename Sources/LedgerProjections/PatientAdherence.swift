/// A patient's adherence metrics as of a time (metrics.md, "Adherence
/// metrics"; the `adherence` object of `ledger patient --json`), with the
/// counts behind the rates so that a cohort can sum them.
///
/// Every metric without a denominator is nil, never NaN.
public struct PatientAdherence: Sendable, Equatable {
    /// PDC per therapeutic class over the 365-day window ending at the
    /// as-of time: a key for every class with a `dispense` at or before it,
    /// nil where the class has no PDC.
    public var pdc: [String: Double?]
    /// The mean check-in adherence over the current check-in enrolments;
    /// nil when there are none.
    public var checkinAdherence: Double?
    /// Outbound follow-ups by outcome.
    public var followUps: FollowUpCounts
    /// Delivered contents and how many were read and completed.
    public var contents: ContentCounts

    /// answered / (answered + unanswered); nil when both are 0.
    public var followUpResponseRate: Double? { followUps.responseRate }
    /// Delivered contents read / delivered; nil when nothing was delivered.
    public var contentReadRate: Double? { contents.readRate }
    /// Delivered contents completed / delivered; nil when nothing was delivered.
    public var contentCompletionRate: Double? { contents.completionRate }

    /// Metrics from their values (a checkpoint's, or a test's).
    public init(pdc: [String: Double?] = [:], checkinAdherence: Double? = nil,
                followUps: FollowUpCounts = FollowUpCounts(), contents: ContentCounts = ContentCounts()) {
        self.pdc = pdc; self.checkinAdherence = checkinAdherence
        self.followUps = followUps; self.contents = contents
    }

    /// Whether the patient has at least one PDC value (and so an
    /// `adherence:*` tag).
    public var hasPDC: Bool { Self.hasPDC(pdc.values) }

    /// Whether some class has a PDC below 0.8 (`adherence:non-adherent`).
    public var isNonAdherent: Bool { Self.isNonAdherent(pdc.values) }

    /// ``hasPDC`` of a patient whose classes' PDC values are `values`.
    static func hasPDC(_ values: some Sequence<Double?>) -> Bool { values.contains { $0 != nil } }

    /// ``isNonAdherent`` of a patient whose classes' PDC values are `values`.
    static func isNonAdherent(_ values: some Sequence<Double?>) -> Bool { values.contains { $0.map { $0 < 0.8 } ?? false } }
}

/// Outbound `followup` and `survey` messages of a patient by outcome
/// (metrics.md, "Follow-up response").
public struct FollowUpCounts: Sendable, Equatable {
    /// Answered within 7 days, by an answer at or before the as-of time.
    public var answered: Int
    /// Not answered, and at least 7 days old at the as-of time.
    public var unanswered: Int
    /// Not yet answered and less than 7 days old: left out of the rate.
    public var open: Int

    /// Counts from their values.
    public init(answered: Int = 0, unanswered: Int = 0, open: Int = 0) {
        self.answered = answered; self.unanswered = unanswered; self.open = open
    }

    /// answered / (answered + unanswered); nil when both are 0.
    public var responseRate: Double? {
        answered + unanswered == 0 ? nil : Double(answered) / Double(answered + unanswered)
    }

    /// Adds another patient's (or cohort's) counts.
    mutating func add(_ other: FollowUpCounts) {
        answered += other.answered
        unanswered += other.unanswered
        open += other.open
    }
}

/// The contents delivered to a patient and what became of them (metrics.md,
/// "Content read and completion").
public struct ContentCounts: Sendable, Equatable {
    /// Distinct `content` ids of the patient's outbound messages.
    public var delivered: Int
    /// Delivered contents with any `read`.
    public var read: Int
    /// Delivered contents whose maximum `progress` is at least 0.9.
    public var completed: Int

    /// Counts from their values.
    public init(delivered: Int = 0, read: Int = 0, completed: Int = 0) {
        self.delivered = delivered; self.read = read; self.completed = completed
    }

    /// read / delivered; nil when nothing was delivered.
    public var readRate: Double? { delivered == 0 ? nil : Double(read) / Double(delivered) }
    /// completed / delivered; nil when nothing was delivered.
    public var completionRate: Double? { delivered == 0 ? nil : Double(completed) / Double(delivered) }

    /// Adds another patient's (or cohort's) counts.
    mutating func add(_ other: ContentCounts) {
        delivered += other.delivered
        read += other.read
        completed += other.completed
    }
}
