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

    /// `condition:<name>`, the group's tag: from a table built once, as
    /// the cohort metrics count it for every patient.
    var tag: String {
        Self.tagTable.first { $0.group == self }!.tag
    }

    private static let tagTable: [(group: ConditionGroup, tag: String)] = allCases.map { ($0, "condition:\($0.name)") }

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
        let category = Self.category(of: code)
        guard let found = Self.rangeTable.first(where: { $0.range.contains(category) }) else { return nil }
        self = found.group
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
