// Bodies read in place for the built-in projections' fold: every type
// without building an `EventBody`, whose strings, arrays and enum payload
// cost more than the fold's use of them. A body's strings are left in the
// payload and built only where the fold keeps or looks them up; its lists
// (codes, answers) are walked in the payload; what the fold never reads (a
// visit's department, a message's channel) is checked and dropped. So a
// `BodyView` holds no reference: it is copied and dropped as plain bytes.

/// An event's body as the built-in projections' fold reads it: what
/// ``PatientEventView/bodyView()`` returns.
///
/// Field for field equal to the ``EventBody`` that ``PatientEventView/body()``
/// returns, except what no projection reads; the bodies the fold keeps
/// whole build that body's own values (``AppointmentView/appointment``...).
/// Its strings and lists read the payload: valid only as long as the
/// ``PatientEventView`` it was read from.
package enum BodyView {
    case register(RegisterView)
    case visit(VisitView)
    case appointment(AppointmentView)
    case message(MessageView)
    case read(ReadView)
    /// A `checkin`'s values (its program is checked, not built).
    case checkin(CheckinValues)
    case survey(SurveyView)
    case dispense(DispenseView)
    case consent(Consent)
    case enroll(EnrollView)
    case unenroll(UnenrollView)
    case tag(TagView)
    case erase
    /// A body this codec does not decode: ``EventBody/unrecognized(_:)``,
    /// its bytes not copied.
    case unrecognized
}

extension PatientEventView {
    /// The body as the fold reads it: ``body()`` without building what the
    /// fold does not use.
    ///
    /// Checks exactly what ``body()`` checks and throws the same errors
    /// (strings the fold does not keep are checked as UTF-8 but not
    /// built), so ``checkIDAndActor()`` then this accepts exactly the
    /// events ``event()`` accepts.
    ///
    /// Cost: O(body size); allocates nothing.
    package func bodyView() throws(EventCodecError) -> BodyView {
        guard let type else { return .unrecognized }
        var reader = PayloadReader(payload, offset: bodyStart)
        let view: BodyView
        switch type {
        case .register: view = .register(try reader.registerView())
        case .visit: view = .visit(try reader.visitView(time: time))
        case .appointment: view = .appointment(try reader.appointmentView(time: time))
        case .message: view = .message(try reader.messageView())
        case .read: view = .read(try reader.readView())
        case .checkin: view = .checkin(try reader.checkinValues())
        case .survey: view = .survey(try reader.surveyView())
        case .dispense: view = .dispense(try reader.dispenseView())
        case .consent: view = .consent(try reader.consent())
        case .enroll: view = .enroll(try reader.enrollView())
        case .unenroll: view = .unenroll(UnenrollView(program: try reader.payloadString("unenroll program")))
        case .tag: view = .tag(try reader.tagView())
        case .erase: view = .erase
        }
        if !reader.isAtEnd { try reader.expectEnd(type.name) }
        return view
    }
}

/// A `message` body read in place: its codes decoded, its strings checked
/// and left in the payload, built as `String`s only when read. Equal field
/// by field to the ``Message`` that ``PatientEventView/body()`` returns
/// (less the channel and journey step, which no projection reads).
package struct MessageView {
    private let payload: UnsafeRawBufferPointer
    private let messageRange: Range<Int>
    private let contentRange: Range<Int>?
    private let surveyRange: Range<Int>?
    package let direction: Direction
    package let purpose: Purpose?

    fileprivate init(payload: UnsafeRawBufferPointer, message: Range<Int>, content: Range<Int>?, survey: Range<Int>?,
                     direction: Direction, purpose: Purpose?) {
        self.payload = payload
        messageRange = message
        contentRange = content
        surveyRange = survey
        self.direction = direction
        self.purpose = purpose
    }

    /// The message id, built now.
    package var message: String { PatientEventView.string(in: payload, messageRange) }
    /// The content id, built now; nil when the message carries none.
    package var content: String? { contentRange.map { PatientEventView.string(in: payload, $0) } }
    /// The content id left in the payload; nil when the message carries none.
    package var contentString: PayloadString? { contentRange.map { PayloadString(payload: payload, range: $0) } }
    /// The survey id, built now; nil when the message names none.
    package var survey: String? { surveyRange.map { PatientEventView.string(in: payload, $0) } }
}

/// A `visit` body read in place: equal to the ``Visit`` that
/// ``PatientEventView/body()`` returns, less the department and discharge
/// time (checked, not kept: no projection reads them).
package struct VisitView {
    package let kind: VisitKind
    fileprivate let appointmentString: PayloadString?
    /// The ICD-10 codes; empty when the visit gives none.
    package let diagnoses: StringList

    /// The appointment id, built now; nil when the visit names none.
    package var appointment: String? { appointmentString?.string }
}

/// A `register` body read in place: equal to the ``Register`` that
/// ``PatientEventView/body()`` returns.
package struct RegisterView {
    package let sex: Sex?
    package let birthYear: Int?
    /// The ICD-10 codes; empty when the event gives none.
    package let conditions: StringList
}

/// A `survey` body read in place: equal to the ``Survey`` that
/// ``PatientEventView/body()`` returns, its answers walked in the payload.
package struct SurveyView {
    /// The survey id, left in the payload.
    package let surveyString: PayloadString
    /// The message id, left in the payload; nil when the survey names none.
    package let messageString: PayloadString?
    package let score: Double?
    /// The answers, in the order given.
    package let answers: SurveyAnswerList

    /// The survey id, built now.
    package var survey: String { surveyString.string }
    /// The message id, built now; nil when the survey names none.
    package var message: String? { messageString?.string }

    /// The first answer to `item`, if given: ``Survey/answer(_:)``.
    package func answer(_ item: String) -> Double? { answers.first { $0.item == item }?.value }
}

/// An `appointment` body read in place; ``appointment`` builds the
/// ``Appointment`` that ``PatientEventView/body()`` returns.
package struct AppointmentView {
    fileprivate let id: PayloadString
    fileprivate let status: AppointmentStatus
    fileprivate let scheduledFor: EventTime?

    package var appointment: Appointment { Appointment(appointment: id.string, status: status, scheduledFor: scheduledFor) }
}

/// A `read` body read in place; ``read`` builds the ``Read`` that
/// ``PatientEventView/body()`` returns.
package struct ReadView {
    package let content: PayloadString
    package let message: PayloadString?
    package let progress: Double

    package var read: Read { Read(content: content.string, progress: progress, message: message?.string) }
}

/// A `dispense` body read in place; ``dispense`` builds the ``Dispense``
/// that ``PatientEventView/body()`` returns.
package struct DispenseView {
    package let medication: PayloadString
    package let therapeuticClass: PayloadString
    package let daysSupply: Int

    package var dispense: Dispense {
        Dispense(medication: medication.string, therapeuticClass: therapeuticClass.string, daysSupply: daysSupply)
    }
}

/// An `enroll` body read in place; ``enroll`` builds the ``Enroll`` that
/// ``PatientEventView/body()`` returns.
package struct EnrollView {
    fileprivate let program: PayloadString
    fileprivate let plan: EnrollmentPlan

    package var enroll: Enroll { Enroll(program: program.string, plan: plan) }
}

/// An `unenroll` body read in place; ``unenroll`` builds the ``Unenroll``
/// that ``PatientEventView/body()`` returns.
package struct UnenrollView {
    fileprivate let program: PayloadString

    package var unenroll: Unenroll { Unenroll(program: program.string) }
}

/// A `tag` body read in place; ``tag`` builds the ``Tag`` that
/// ``PatientEventView/body()`` returns.
package struct TagView {
    fileprivate let name: PayloadString
    fileprivate let op: TagOperation

    package var tag: Tag { Tag(tag: name.string, op: op) }
}

/// A string field checked (as ``PayloadReader/string(_:)`` checks it) and
/// left in the payload: its bytes valid as long as the payload, its
/// `String` built only when asked for (a fold looking a key up by its
/// bytes builds it only to store it).
package struct PayloadString {
    let payload: UnsafeRawBufferPointer
    let range: Range<Int>

    /// The string, built now.
    package var string: String { PatientEventView.string(in: payload, range) }

    /// The string's UTF-8 bytes (valid, as checked), in the payload.
    package var utf8: UnsafeBufferPointer<UInt8> {
        guard let base = payload.baseAddress, !range.isEmpty else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: (base + range.lowerBound).assumingMemoryBound(to: UInt8.self), count: range.count)
    }
}

/// Strings read in place: a list checked by ``PayloadReader/stringList(_:)``,
/// each `String` built as the list is walked.
package struct StringList: Sequence {
    private let payload: UnsafeRawBufferPointer
    /// Where the first string's length is.
    private let start: Int
    package let count: Int

    fileprivate init(payload: UnsafeRawBufferPointer, start: Int, count: Int) {
        self.payload = payload
        self.start = start
        self.count = count
    }

    /// No strings.
    fileprivate static var empty: StringList { StringList(payload: UnsafeRawBufferPointer(start: nil, count: 0), start: 0, count: 0) }

    package struct Iterator: IteratorProtocol {
        fileprivate var reader: PayloadReader
        fileprivate var left: Int

        package mutating func next() -> String? {
            guard left > 0 else { return nil }
            left -= 1
            return PatientEventView.string(in: reader.buffer, reader.checkedStringRange())
        }
    }

    package func makeIterator() -> Iterator {
        Iterator(reader: PayloadReader(payload, offset: start), left: count)
    }
}

/// A survey's answers read in place: checked by
/// ``PayloadReader/surveyView()``, each ``SurveyAnswer`` built as the list
/// is walked.
package struct SurveyAnswerList: Sequence {
    private let payload: UnsafeRawBufferPointer
    /// Where the first answer's item is.
    private let start: Int
    package let count: Int

    fileprivate init(payload: UnsafeRawBufferPointer, start: Int, count: Int) {
        self.payload = payload
        self.start = start
        self.count = count
    }

    package struct Iterator: IteratorProtocol {
        fileprivate var reader: PayloadReader
        fileprivate var left: Int

        package mutating func next() -> SurveyAnswer? {
            guard left > 0 else { return nil }
            left -= 1
            let item = PatientEventView.string(in: reader.buffer, reader.checkedStringRange())
            return SurveyAnswer(item: item, value: reader.checkedNumber())
        }
    }

    package func makeIterator() -> Iterator {
        Iterator(reader: PayloadReader(payload, offset: start), left: count)
    }
}

extension PatientEventView {
    /// The string of the (validated) bytes `range` of `payload`.
    @inline(__always)
    static func string(in payload: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
        guard let base = payload.baseAddress, !range.isEmpty else { return "" }
        let p = (base + range.lowerBound).assumingMemoryBound(to: UInt8.self)
        if let small = SmallASCIIString.make(p, count: range.count, readable: payload.count - range.lowerBound) {
            return small
        }
        return String(decoding: UnsafeBufferPointer(start: p, count: range.count), as: UTF8.self)
    }
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
    fileprivate mutating func messageView() throws(EventCodecError) -> MessageView {
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
        return MessageView(payload: buffer, message: id, content: content, survey: survey,
                           direction: direction, purpose: purpose)
    }

    /// ``visit(time:)``'s checks and errors, field for field, with the
    /// diagnoses left in place and the department and discharge checked
    /// and dropped.
    fileprivate mutating func visitView(time: EventTime) throws(EventCodecError) -> VisitView {
        let bits = try presence(0b1111, "visit")
        let kind = try code(VisitKind.self)
        let appointment = bits & 1 << 0 != 0 ? try payloadString("visit appointment") : nil
        if bits & 1 << 1 != 0 { _ = try self.time("discharge", relativeTo: time) }
        if bits & 1 << 2 != 0 { _ = try stringRange("department") }
        let diagnoses = bits & 1 << 3 != 0 ? try stringList("diagnoses") : .empty
        return VisitView(kind: kind, appointmentString: appointment, diagnoses: diagnoses)
    }

    /// ``register()``'s checks and errors, field for field, with the
    /// conditions left in place.
    fileprivate mutating func registerView() throws(EventCodecError) -> RegisterView {
        let bits = try presence(0b111, "register")
        let sex = bits & 1 << 0 != 0 ? try code(Sex.self) : nil
        let birthYear = bits & 1 << 1 != 0 ? try int("birth year") : nil
        let conditions = bits & 1 << 2 != 0 ? try stringList("conditions") : .empty
        return RegisterView(sex: sex, birthYear: birthYear, conditions: conditions)
    }

    /// ``survey()``'s checks and errors, field for field, with the answers
    /// left in place.
    fileprivate mutating func surveyView() throws(EventCodecError) -> SurveyView {
        let bits = try presence(0b11, "survey")
        let survey = try payloadString("survey id")
        let message = bits & 1 << 0 != 0 ? try payloadString("survey message") : nil
        let start = offset
        let count = try varint("answer count")
        guard count <= UInt64(remaining / 2) else {
            throw failure("truncated: \(count) answers claimed, \(remaining) bytes left", at: start)
        }
        let answers = SurveyAnswerList(payload: buffer, start: offset, count: Int(count))
        for _ in 0..<Int(count) {
            _ = try stringRange("answer item")
            _ = try number("answer value")
        }
        let score = bits & 1 << 1 != 0 ? try number("survey score") : nil
        return SurveyView(surveyString: survey, messageString: message, score: score, answers: answers)
    }

    /// ``appointment(time:)``'s checks and errors, field for field, the id
    /// left in place.
    fileprivate mutating func appointmentView(time: EventTime) throws(EventCodecError) -> AppointmentView {
        let bits = try presence(0b1, "appointment")
        let id = try payloadString("appointment id")
        let status = try code(AppointmentStatus.self)
        let scheduledFor = bits & 1 << 0 != 0 ? try self.time("scheduledFor", relativeTo: time) : nil
        return AppointmentView(id: id, status: status, scheduledFor: scheduledFor)
    }

    /// ``read()``'s checks and errors, field for field, the strings left
    /// in place.
    fileprivate mutating func readView() throws(EventCodecError) -> ReadView {
        let bits = try presence(0b1, "read")
        let content = try payloadString("read content")
        let message = bits & 1 << 0 != 0 ? try payloadString("read message") : nil
        return ReadView(content: content, message: message, progress: try number("progress"))
    }

    /// ``dispense()``'s checks and errors, field for field, the strings
    /// left in place.
    fileprivate mutating func dispenseView() throws(EventCodecError) -> DispenseView {
        let days = try int("daysSupply")
        let therapeuticClass = try payloadString("class")
        return DispenseView(medication: try payloadString("medication"), therapeuticClass: therapeuticClass, daysSupply: days)
    }

    /// ``enroll()``'s checks and errors, field for field, the program left
    /// in place.
    fileprivate mutating func enrollView() throws(EventCodecError) -> EnrollView {
        let program = try payloadString("enroll program")
        switch try code(EnrollmentKind.self) {
        case .checkin:
            let metric = try code(Metric.self)
            return EnrollView(program: program, plan: .checkin(metric: metric, everyDays: try int("everyDays")))
        case .journey:
            return EnrollView(program: program, plan: .journey)
        }
    }

    /// ``tag()``'s checks and errors, field for field, the tag left in
    /// place.
    fileprivate mutating func tagView() throws(EventCodecError) -> TagView {
        let op = try code(TagOperation.self)
        return TagView(name: try payloadString("tag"), op: op)
    }

    /// ``string(_:)``'s checks and errors, the string left in place.
    @inline(__always)
    fileprivate mutating func payloadString(_ what: @autoclosure () -> String) throws(EventCodecError) -> PayloadString {
        PayloadString(payload: buffer, range: try stringRange(what()))
    }

    /// ``strings(_:)``'s checks and errors, the strings left in place.
    private mutating func stringList(_ what: @autoclosure () -> String) throws(EventCodecError) -> StringList {
        let start = offset
        let count = try varint(what())
        guard count <= UInt64(remaining) else {
            throw failure("truncated: \(what()) claims \(count) strings, \(remaining) bytes left", at: start)
        }
        let list = StringList(payload: buffer, start: offset, count: Int(count))
        for _ in 0..<Int(count) { _ = try stringRange(what()) }
        return list
    }

    /// The next number: one this reader's checks accepted before, read
    /// again (they cannot fail).
    fileprivate mutating func checkedNumber() -> Double {
        do throws(EventCodecError) { return try number("checked number") } catch {
            preconditionFailure("a number read before does not read again: \(error)")
        }
    }
}
