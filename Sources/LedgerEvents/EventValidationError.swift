/// Why an event, a time or a line of JSON is not valid by events.md.
///
/// One line of text a person can act on, naming the key at fault
/// (`"birthYear" must be 1900...2100`, `missing key "kind"`,
/// `invalid JSON at column 17: expected ':'`). It never names a file or a
/// line number: an importer prefixes `FILE:LINE: ` itself (cli.md).
///
/// ```swift
/// do {
///     try event.validate()
/// } catch {
///     print("\(path):\(line): \(error.message)")
/// }
/// ```
public struct EventValidationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong, on one line, without file or line prefix.
    public var message: String

    /// An error with `message` (one line, no file or line prefix).
    public init(_ message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
