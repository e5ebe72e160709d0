/// The condition groups of metrics.md: ranges of ICD-10 categories, each
/// chronic or not. A patient's groups become `condition:<group>` tags.
///
/// A code falls in a group when the first three characters of its dot-less,
/// upper-cased form lie in one of the group's ranges, compared as strings
/// (so `O9A` is pregnancy, and `E11.9` is diabetes). No code falls in two
/// groups.
public enum ConditionGroup: String, Sendable, CaseIterable, Comparable {
    /// J45.
    case asthma
    /// C00-C97.
    case cancer
    /// Chronic kidney disease, N18.
    case ckd
    /// Chronic obstructive pulmonary disease, J44.
    case copd
    /// Coronary heart disease, I20-I25.
    case coronary
    /// F32-F33.
    case depression
    /// E10-E14.
    case diabetes
    /// I50.
    case heartFailure = "heart-failure"
    /// I10-I16.
    case hypertension
    /// O00-O9A and Z33-Z34; the one group that is not chronic.
    case pregnancy
    /// E00-E07.
    case thyroid

    /// The name shown in `conditionGroups` and in the `condition:` tag.
    public var name: String { rawValue }

    /// `condition:<name>`, the group's tag (a ``RuleTag``, whose names are
    /// built once).
    var tag: String { RuleTag.condition(self).name }

    /// Whether the group is chronic (every group but pregnancy); a chronic
    /// group is what makes a patient eligible for `lost-to-follow-up`.
    public var isChronic: Bool { self != .pregnancy }

    /// The group's ICD-10 category ranges, inclusive, as metrics.md lists them.
    public var categoryRanges: [ClosedRange<String>] {
        switch self {
        case .diabetes: ["E10"..."E14"]
        case .hypertension: ["I10"..."I16"]
        case .coronary: ["I20"..."I25"]
        case .heartFailure: ["I50"..."I50"]
        case .ckd: ["N18"..."N18"]
        case .copd: ["J44"..."J44"]
        case .asthma: ["J45"..."J45"]
        case .cancer: ["C00"..."C97"]
        case .thyroid: ["E00"..."E07"]
        case .depression: ["F32"..."F33"]
        case .pregnancy: ["O00"..."O9A", "Z33"..."Z34"]
        }
    }

    /// The group an ICD-10 code falls in, if any.
    ///
    /// - Parameter code: a code as stored (`E11.9`) or in any case and with
    ///   or without its dot.
    ///
    /// Codes are ASCII (events.md), so string comparison here is byte
    /// comparison.
    public init?(icd10 code: String) {
        if let key = Self.packedCategory(of: code) {
            guard let found = Self.packedRangeTable.first(where: { $0.low <= key && key <= $0.high }) else { return nil }
            self = found.group
            return
        }
        let category = Self.category(of: code)
        guard let found = Self.rangeTable.first(where: { $0.range.contains(category) }) else { return nil }
        self = found.group
    }

    /// ``category(of:)`` of a code of printable ASCII as a number that
    /// orders as the category does: its (up to) three bytes big-endian,
    /// missing ones zero. Bytes are compared as the strings would be (code
    /// point order is byte order for ASCII), and a shorter category sorts
    /// first as a zero byte sorts below any printable one. Nil for a code
    /// with a byte that is not printable ASCII (the general path then).
    ///
    /// Every patient's conditions are looked up once per cohort metrics
    /// and profile: three integer comparisons per range, where building
    /// the category string and comparing strings cost several times more.
    static func packedCategory(of code: String) -> UInt32? {
        var key: UInt32 = 0
        var count = 0
        for byte in code.utf8 {
            guard (0x20...0x7E).contains(byte) else { return nil }
            if byte != UInt8(ascii: ".") && count < 3 {
                let upper = (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) ? byte - 0x20 : byte
                key |= UInt32(upper) << (8 * (2 - UInt32(count)))
                count += 1
            }
        }
        return key
    }

    /// ``rangeTable`` with the bounds as ``packedCategory(of:)`` numbers
    /// (every bound is three printable ASCII characters).
    private static let packedRangeTable: [(low: UInt32, high: UInt32, group: ConditionGroup)] =
        rangeTable.map { (packedCategory(of: $0.range.lowerBound)!, packedCategory(of: $0.range.upperBound)!, $0.group) }

    /// The group's index in `allCases`, which is also its place in the
    /// groups sorted by name: the bit of ``ConditionGroupSet`` and the
    /// order of the cohort's rule tags (``RuleTag/condition(_:)``).
    var ordinal: Int {
        switch self {
        case .asthma: 0
        case .cancer: 1
        case .ckd: 2
        case .copd: 3
        case .coronary: 4
        case .depression: 5
        case .diabetes: 6
        case .heartFailure: 7
        case .hypertension: 8
        case .pregnancy: 9
        case .thyroid: 10
        }
    }

    /// Every group's ranges with their group, in the order of `allCases`:
    /// built once, as ``categoryRanges`` builds arrays on each call and
    /// this initializer runs for every condition of every projection.
    private static let rangeTable: [(range: ClosedRange<String>, group: ConditionGroup)] =
        allCases.flatMap { group in group.categoryRanges.map { (range: $0, group: group) } }

    /// The first three characters of `code` upper-cased, its dots removed.
    ///
    /// A code of printable ASCII (every valid code) takes a byte loop that
    /// computes the same: there upper-casing maps only `a`-`z`, and each
    /// byte is a character (no combining marks, no CR-LF). It builds a
    /// small string in place, where the general path upper-cases, filters
    /// and segments into characters, once per condition of every profile.
    static func category(of code: String) -> String {
        guard code.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else { return String(normalized(code).prefix(3)) }
        return String(unsafeUninitializedCapacity: 3) { category in
            var count = 0
            for byte in code.utf8 where byte != UInt8(ascii: ".") && count < 3 {
                category[count] = (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) ? byte - 0x20 : byte
                count += 1
            }
            return count
        }
    }

    /// `code` upper-cased, its dots removed.
    static func normalized(_ code: String) -> String {
        String(code.uppercased().unicodeScalars.filter { $0 != "." })
    }

    /// Groups order by name, by code point (the order of `conditionGroups`).
    public static func < (a: ConditionGroup, b: ConditionGroup) -> Bool {
        CodePointOrder.precedes(a.rawValue, b.rawValue)
    }
}

/// A set of condition groups, one bit per group (``ConditionGroup/ordinal``):
/// a patient's groups without an array, iterated sorted by name (the
/// order of `conditionGroups`).
struct ConditionGroupSet: Sequence, Equatable {
    private var bits: UInt16 = 0

    init() {}

    /// The groups of the ICD-10 `codes` (``ConditionGroup/init(icd10:)``).
    init(icd10 codes: some Sequence<String>) {
        for code in codes {
            if let group = ConditionGroup(icd10: code) { insert(group) }
        }
    }

    init(_ groups: some Sequence<ConditionGroup>) {
        for group in groups { insert(group) }
    }

    mutating func insert(_ group: ConditionGroup) { bits |= 1 << UInt16(group.ordinal) }

    func contains(_ group: ConditionGroup) -> Bool { bits & 1 << UInt16(group.ordinal) != 0 }

    /// Whether some member is chronic (``ConditionGroup/isChronic``).
    var containsChronic: Bool { bits & ~(1 << UInt16(ConditionGroup.pregnancy.ordinal)) != 0 }

    struct Iterator: IteratorProtocol {
        var bits: UInt16
        mutating func next() -> ConditionGroup? {
            guard bits != 0 else { return nil }
            let ordinal = bits.trailingZeroBitCount
            bits &= bits - 1
            return ConditionGroup.allCases[ordinal]
        }
    }

    /// The members, sorted by name.
    func makeIterator() -> Iterator { Iterator(bits: bits) }
}
