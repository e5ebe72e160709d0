// The one-byte codes of every enumeration in an event body
// (Docs/EventCodec.md, "Enumeration codes"). These numbers are the format:
// they never change and are never reused; a new case takes the next code
// and, as readers of older type versions would reject it, a new type version.

/// An enumeration stored as one byte.
protocol WireEnum {
    /// What the byte is called in errors (`visit kind`).
    static var wireName: String { get }
    var wireCode: UInt8 { get }
    init?(wireCode: UInt8)
}

extension Sex: WireEnum {
    static var wireName: String { "sex" }
    var wireCode: UInt8 {
        switch self {
        case .female: 0
        case .male: 1
        case .other: 2
        case .unknown: 3
        }
    }
    init?(wireCode: UInt8) {
        switch wireCode {
        case 0: self = .female
        case 1: self = .male
        case 2: self = .other
        case 3: self = .unknown
        default: return nil
        }
    }
}

extension VisitKind: WireEnum {
    static var wireName: String { "visit kind" }
    var wireCode: UInt8 {
        switch self {
        case .outpatient: 0
        case .inpatient: 1
        case .emergency: 2
        case .telehealth: 3
        case .checkup: 4
        }
    }
    init?(wireCode: UInt8) {
        switch wireCode {
        case 0: self = .outpatient
        case 1: self = .inpatient
        case 2: self = .emergency
        case 3: self = .telehealth
        case 4: self = .checkup
        default: return nil
        }
    }
}

extension AppointmentStatus: WireEnum {
    static var wireName: String { "appointment status" }
    var wireCode: UInt8 {
        switch self {
        case .scheduled: 0
        case .cancelled: 1
        case .noshow: 2
        }
    }
    init?(wireCode: UInt8) {
        switch wireCode {
        case 0: self = .scheduled
        case 1: self = .cancelled
        case 2: self = .noshow
        default: return nil
        }
    }
}

extension Direction: WireEnum {
    static var wireName: String { "message direction" }
    var wireCode: UInt8 {
        switch self {
        case .outbound: 0
        case .inbound: 1
        }
    }
    init?(wireCode: UInt8) {
        switch wireCode {
        case 0: self = .outbound
        case 1: self = .inbound
        default: return nil
        }
    }
}

extension Channel: WireEnum {
    static var wireName: String { "message channel" }
    var wireCode: UInt8 {
        switch self {
        case .sms: 0
        case .wechat: 1
        case .app: 2
        case .email: 3
        case .phone: 4
        }
    }
    init?(wireCode: UInt8) {
        switch wireCode {
        case 0: self = .sms
        case 1: self = .wechat
        case 2: self = .app
        case 3: self = .email
        case 4: self = .phone
        default: return nil
        }
    }
}

extension Purpose: WireEnum {
    static var wireName: String { "message purpose" }
    var wireCode: UInt8 {
        switch self {
        case .care: 0
        case .followup: 1
        case .education: 2
        case .reminder: 3
        case .survey: 4
        case .marketing: 5
        }
    }
    init?(wireCode: UInt8) {
        switch wireCode {
        case 0: self = .care
        case 1: self = .followup
        case 2: self = .education
        case 3: self = .reminder
        case 4: self = .survey
        case 5: self = .marketing
        default: return nil
        }
    }
}

extension Metric: WireEnum {
    static var wireName: String { "metric" }
    var wireCode: UInt8 {
        switch self {
        case .bp: 0
        case .glucose: 1
        case .weight: 2
        case .steps: 3
        case .heartrate: 4
        case .habit: 5
        }
    }
    init?(wireCode: UInt8) {
        switch wireCode {
        case 0: self = .bp
        case 1: self = .glucose
        case 2: self = .weight
        case 3: self = .steps
        case 4: self = .heartrate
        case 5: self = .habit
        default: return nil
        }
    }
}

extension ConsentScope: WireEnum {
    static var wireName: String { "consent scope" }
    var wireCode: UInt8 {
        switch self {
        case .messaging: 0
        case .research: 1
        case .sharing: 2
        }
    }
    init?(wireCode: UInt8) {
        switch wireCode {
        case 0: self = .messaging
        case 1: self = .research
        case 2: self = .sharing
        default: return nil
        }
    }
}

extension TagOperation: WireEnum {
    static var wireName: String { "tag operation" }
    var wireCode: UInt8 {
        switch self {
        case .add: 0
        case .remove: 1
        }
    }
    init?(wireCode: UInt8) {
        switch wireCode {
        case 0: self = .add
        case 1: self = .remove
        default: return nil
        }
    }
}

/// The kind byte of an `enroll` body.
enum EnrollmentKind: WireEnum {
    case checkin, journey
    static var wireName: String { "enrolment kind" }
    var wireCode: UInt8 {
        switch self {
        case .checkin: 0
        case .journey: 1
        }
    }
    init?(wireCode: UInt8) {
        switch wireCode {
        case 0: self = .checkin
        case 1: self = .journey
        default: return nil
        }
    }
}
