/// A payload that ``EventCodec`` cannot read: malformed, truncated, or
/// written by a newer PatientLedger in a format this one cannot parse.
///
/// Carries the byte offset within the payload where the offending field
/// starts and a short reason a person can act on. Match it in `catch`:
///
/// ```swift
/// do {
///     let event = try EventCodec.decode(payload, time: record.time)
/// } catch {
///     print("record \(position), byte \(error.offset): \(error.reason)")
/// }
/// ```
public struct EventCodecError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Offset of the offending field within the payload (0 is the first byte).
    public var offset: Int
    /// What is wrong, e.g. `string runs past the end of the payload`.
    public var reason: String

    /// An error at `offset` of a payload, for `reason`.
    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    /// `byte OFFSET: REASON`.
    public var description: String { "byte \(offset): \(reason)" }
}
