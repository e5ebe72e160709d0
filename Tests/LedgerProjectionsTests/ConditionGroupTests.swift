import Testing
@testable import LedgerProjections

/// The ICD-10 prefix table of metrics.md, at each range's edges.
@Suite struct ConditionGroupTests {
    @Test(arguments: [
        ("E10", ConditionGroup.diabetes), ("E11.9", .diabetes), ("E14", .diabetes),
        ("I10", .hypertension), ("I16.1", .hypertension),
        ("I20", .coronary), ("I25.10", .coronary),
        ("I50", .heartFailure), ("I50.9", .heartFailure),
        ("N18.3", .ckd), ("J44.1", .copd), ("J45", .asthma),
        ("C00", .cancer), ("C97", .cancer), ("C50.911", .cancer),
        ("E00", .thyroid), ("E07.9", .thyroid),
        ("F32.A", .depression), ("F33", .depression),
        ("O00", .pregnancy), ("O99.8", .pregnancy), ("O9A", .pregnancy), ("O9A.11", .pregnancy),
        ("Z33.1", .pregnancy), ("Z34", .pregnancy),
    ])
    func codesInARangeFallInItsGroup(code: String, group: ConditionGroup) {
        #expect(ConditionGroup(icd10: code) == group)
    }

    @Test(arguments: ["E08", "E15", "E09.9", "I17", "I19", "I26", "I49", "I51", "N17", "N19", "J43", "J46",
                      "C98", "D00", "F31", "F34", "O9B", "Z32", "Z35", "R51", "A00"])
    func codesOutsideEveryRangeFallInNoGroup(code: String) {
        #expect(ConditionGroup(icd10: code) == nil)
    }

    @Test func codesAreMatchedWithoutTheirDotAndInAnyCase() {
        #expect(ConditionGroup(icd10: "e119") == .diabetes)
        #expect(ConditionGroup(icd10: "o9a.1") == .pregnancy)
        #expect(ConditionGroup(icd10: "I.50") == .heartFailure)
    }

    /// The byte loop for printable ASCII agrees with upper-casing,
    /// removing dots and taking three characters, also on codes no
    /// validator would pass; other codes take that general path.
    @Test(arguments: ["E11.9", "e11.9", "o9a.11", "I.50", ".", "..", "", "e", "E1", "z3.", " e1 1", "~{}`",
                      "ab.c.d", "E1\u{301}1", "e\r\n11", "ß12", "\u{1F600}E11", "é11"])
    func categoriesOfPrintableASCIIMatchTheGeneralPath(code: String) {
        #expect(ConditionGroup.category(of: code) == String(ConditionGroup.normalized(code).prefix(3)))
    }

    /// The integer comparison of printable-ASCII codes finds the group
    /// that comparing their category strings with the ranges of metrics.md
    /// finds, on the edges of every range and on codes no validator would
    /// pass; other codes take the string path.
    @Test(arguments: ["E11.9", "e11.9", "o9a.11", "I.50", ".", "..", "", "e", "E1", "E10", "E14", "E15", "E099",
                      "C", "C0", "C00", "C97", "C97.9", "C98", "O9", "O9A", "O9B", "O9@", "Z3", "Z33", "Z34~", "Z35",
                      "i2", "I20", "I25", "I26", " e1 1", "~{}`", "ab.c.d", "E1\u{301}1", "e\r\n11", "ß12", "é11"])
    func groupsOfCodesMatchTheirCategoryInTheRanges(code: String) {
        let category = ConditionGroup.category(of: code)
        let expected = ConditionGroup.allCases.first { group in group.categoryRanges.contains { $0.contains(category) } }
        #expect(ConditionGroup(icd10: code) == expected)
    }

    @Test func ordinalsFollowAllCasesWhichAreSortedByName() {
        #expect(ConditionGroup.allCases.map(\.ordinal) == Array(0..<ConditionGroup.allCases.count))
        #expect(ConditionGroup.allCases.sorted() == ConditionGroup.allCases)
    }

    @Test func aGroupSetHoldsEachGroupOnceSortedByName() {
        var set = ConditionGroupSet()
        for group in [ConditionGroup.thyroid, .asthma, .thyroid, .pregnancy] { set.insert(group) }
        #expect(Array(set) == [.asthma, .pregnancy, .thyroid])
        #expect(set.containsChronic)
        #expect(!ConditionGroupSet([.pregnancy]).containsChronic)
        #expect(!ConditionGroupSet().containsChronic)
        #expect(Array(ConditionGroupSet(icd10: ["I10", "E11.9", "I15", "R51", "o00"])) == [.diabetes, .hypertension, .pregnancy])
    }

    @Test func onlyPregnancyIsNotChronic() {
        #expect(ConditionGroup.allCases.filter { !$0.isChronic } == [.pregnancy])
    }

    @Test func groupsSortByName() {
        #expect(ConditionGroup.allCases.sorted().map(\.name) == [
            "asthma", "cancer", "ckd", "copd", "coronary", "depression", "diabetes", "heart-failure",
            "hypertension", "pregnancy", "thyroid",
        ])
    }
}
