// Bodies read in place for the built-in projections' fold: the two most
// common types (check-ins and messages, about two thirds of a cohort's
// events) without building an `EventBody`, whose strings, arrays and enum
// payload cost more than the fold's use of them.

extension PatientEventView {
    /// The values of a `checkin` event, read in place; nil when the event
    /// is not a `checkin` this codec decodes (``type`` is not `.checkin`).
    ///
    /// Checks exactly what ``body()`` checks and throws the same errors
    /// (the `program` is checked as UTF-8 but not built), so
    /// ``checkIDAndActor()`` then this accepts exactly the check-ins
    /// ``event()`` accepts. The values equal those of the
    /// ``EventBody/checkin(_:)`` that ``body()`` returns.
    package func checkinValues() throws(EventCodecError) -> CheckinValues? {
        guard type == .checkin else { return nil }
        var reader = PayloadReader(payload, offset: bodyStart)
        let values = try reader.checkinValues()
        if !reader.isAtEnd { try reader.expectEnd(EventType.checkin.name) }
        return values
    }

    /// The fields of a `message` event, read in place; nil when the event
    /// is not a `message` this codec decodes (``type`` is not `.message`).
    ///
    /// Checks exactly what ``body()`` checks and throws the same errors;
    /// the strings are checked but built only when asked for
    /// (``MessageView``).
    package func messageView() throws(EventCodecError) -> MessageView? {
        guard type == .message else { return nil }
        var reader = PayloadReader(payload, offset: bodyStart)
        let view = try reader.messageView(of: self)
        if !reader.isAtEnd { try reader.expectEnd(EventType.message.name) }
        return view
    }
}

/// A `message` body read in place: its codes decoded, its strings checked
/// and left in the payload, built as `String`s only when read. Equal field
/// by field to the ``Message`` that ``PatientEventView/body()`` returns.
///
/// Valid only as long as the ``PatientEventView`` it was read from.
package struct MessageView {
    private let event: PatientEventView
    private let messageRange: Range<Int>
    private let contentRange: Range<Int>?
    private let surveyRange: Range<Int>?
    package let direction: Direction
    package let purpose: Purpose?

    fileprivate init(event: PatientEventView, message: Range<Int>, content: Range<Int>?, survey: Range<Int>?,
                     direction: Direction, purpose: Purpose?) {
        self.event = event
        messageRange = message
        contentRange = content
        surveyRange = survey
        self.direction = direction
        self.purpose = purpose
    }

    /// The message id, built now.
    package var message: String { event.string(messageRange.lowerBound, messageRange.upperBound) }
    /// The content id, built now; nil when the message carries none.
    package var content: String? { contentRange.map { event.string($0.lowerBound, $0.upperBound) } }
    /// The survey id, built now; nil when the message names none.
    package var survey: String? { surveyRange.map { event.string($0.lowerBound, $0.upperBound) } }
}

extension PayloadReader {
    /// ``checkin()``'s checks and errors, field for field, keeping only
    /// the values.
    fileprivate mutating func checkinValues() throws(EventCodecError) -> CheckinValues {
        let bits = try presence(0b1, "checkin")
        let metric = try code(Metric.self)
        if bits & 1 << 0 != 0 { _ = try stringRange("checkin program") }
        switch metric {
        case .bp:
            let systolic = try number("systolic")
            return .bp(systolic: systolic, diastolic: try number("diastolic"))
        case .glucose: return .glucose(mmol: try number("mmol"))
        case .weight: return .weight(kg: try number("kg"))
        case .steps: return .steps(count: try number("count"))
        case .heartrate: return .heartrate(bpm: try number("bpm"))
        case .habit: return .habit(done: try number("done"))
        }
    }

    /// ``message()``'s checks and errors, field for field, with the
    /// strings left in place (the channel and journey step are checked
    /// and dropped: no projection reads them).
    fileprivate mutating func messageView(of event: PatientEventView) throws(EventCodecError) -> MessageView {
        let bits = try presence(0b1111, "message")
        let id = try stringRange("message id")
        let direction = try code(Direction.self)
        _ = try code(Channel.self)
        let purpose = bits & 1 << 0 != 0 ? try code(Purpose.self) : nil
        let content = bits & 1 << 1 != 0 ? try stringRange("message content") : nil
        let survey = bits & 1 << 2 != 0 ? try stringRange("message survey") : nil
        if bits & 1 << 3 != 0 {
            _ = try stringRange("journey")
            _ = try int("journey step")
        }
        return MessageView(event: event, message: id, content: content, survey: survey,
                           direction: direction, purpose: purpose)
    }
}
