import Testing
import LedgerEvents
@testable import LedgerProjections

/// `CaseMap` behaves as the dictionary it replaced, and keeps its entries
/// in the code-point order of the raw values whatever the insertion order.
@Suite struct CaseMapTests {
    @Test func entriesAreInRawValueOrderWhateverTheInsertionOrder() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            var map = CaseMap<Metric, Int>()
            var dictionary: [Metric: Int] = [:]
            for (k, metric) in Metric.allCases.shuffled(using: &generator).enumerated() where k % 3 != 1 {
                map[metric] = k
                dictionary[metric] = k
            }
            #expect(map.map(\.key.rawValue) == dictionary.keys.map(\.rawValue).sorted())
            #expect(map.dictionary { $0 } == dictionary)
            #expect(map.count == dictionary.count)
        }
    }

    @Test func updatesRemovalsDefaultsAndEquality() {
        var a = CaseMap<Metric, [Int64]>(), b = CaseMap<Metric, [Int64]>()
        a[.weight, default: []].append(1)
        a[.bp, default: []].append(2)
        a[.weight, default: []].append(3)
        b[.bp] = [2]
        b[.weight] = [1, 3]
        #expect(a == b)
        #expect(a[.weight] == [1, 3])
        #expect(a[.glucose] == nil)
        #expect(a[.glucose, default: [9]] == [9])
        #expect(a.count == 2, "reading a default inserts nothing")
        a[.bp] = nil
        #expect(a != b)
        #expect(a.map(\.key) == [.weight])
        b[.bp] = nil
        #expect(a == b)
        b[.habit] = nil
        #expect(a == b, "removing an absent key changes nothing")
    }
}
