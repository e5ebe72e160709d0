import LedgerEvents

/// One stored event of a patient: its log position and the event.
///
/// The projections' own input type, so that this target depends on the
/// event model alone; the facade's `StoredEvent` maps onto it one to one.
/// The position breaks ties between events with the same `time`
/// (metrics.md: "latest" and "in order" mean by time, ties by position).
public struct PatientEventRecord: Sendable, Equatable {
    /// The event's position in the log.
    public var position: UInt64
    /// The event.
    public var event: PatientEvent

    /// A record of `event` stored at `position`.
    public init(position: UInt64, event: PatientEvent) {
        self.position = position
        self.event = event
    }
}

extension PatientEventRecord {
    /// Whether `self` comes before `other` in the projections' order: by
    /// time, ties by log position.
    @inlinable
    public func precedes(_ other: PatientEventRecord) -> Bool {
        let a = event.time, b = other.event.time
        return a != b ? a < b : position < other.position
    }
}
