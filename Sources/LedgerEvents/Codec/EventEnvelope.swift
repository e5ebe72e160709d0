/// The clear, structural part of an encoded event: what the per-patient and
/// idempotency indexes need, read without decoding the body
/// (Docs/EventCodec.md, "Envelope").
///
/// Obtained from ``EventCodec/envelope(_:)``; identical to the corresponding
/// fields of ``EventCodec/decode(_:time:)-(UnsafeRawBufferPointer,EventTime)`` for
/// every payload that decodes.
public struct EventEnvelope: Sendable, Equatable {
    /// The binary type code: ``EventType/rawValue`` for the types this
    /// version knows (1...13), anything for a newer one.
    public var typeCode: UInt8
    /// The body's version for that type (1 for every type in format 1).
    public var typeVersion: UInt8
    /// The patient the event belongs to.
    public var patient: String
    /// The idempotency key, if the event has one.
    public var id: String?
    /// Who recorded the event, if known.
    public var actor: String?

    /// An envelope with these fields (for comparisons; ``EventCodec`` builds
    /// the ones it reads).
    public init(typeCode: UInt8, typeVersion: UInt8, patient: String, id: String? = nil, actor: String? = nil) {
        self.typeCode = typeCode
        self.typeVersion = typeVersion
        self.patient = patient
        self.id = id
        self.actor = actor
    }
}
