import Foundation
import LedgerTestSupport
import PatientLedger
import Testing

@Suite struct StatsCommandTests {
    @Test func jsonHasTheStableKeysInOrderAndTheLibrarysFigures() throws {
        var timestamps = (0..<5_000).map { january1 + Int64($0) * 1000 }
        timestamps[4_999] += 250  // the last time has milliseconds
        let ledger = try makeLedger(timestamps: timestamps)

        let run = try runLedger("stats", ledger.path, "--json")
        #expect(run.status == 0)
        #expect(run.standardError == "")
        #expect(run.outputLines.count == 1)

        let keys = ["events", "patients", "segments", "bytesOnDisk", "rawBytes", "compressionRatio", "firstTime", "lastTime"]
        let keyOrder = keys.compactMap { run.standardOutput.range(of: "\"\($0)\":")?.lowerBound }
        #expect(keyOrder.count == keys.count && keyOrder == keyOrder.sorted(), "keys in order: \(run.standardOutput)")

        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])
        #expect(Set(object.keys) == Set(keys))
        let log = try SegmentLog.open(at: ledger.appending("log"), options: .readOnly)
        let stats = try log.statistics()
        try log.close()
        #expect(object["events"] as? Int == 5_000)
        #expect(object["patients"] as? Int == 97)
        #expect(object["segments"] as? Int == 1)
        #expect(object["rawBytes"] as? Int == Int(stats.rawBytes))
        // Foundation's JSON parser may be off in the last digit.
        #expect(abs((object["compressionRatio"] as? Double ?? 0) - (stats.compressionRatio ?? 1)) < 1e-12)
        #expect(run.standardOutput.contains(#""compressionRatio":\#(stats.compressionRatio!),"#))
        #expect(object["firstTime"] as? String == "2026-01-01T00:00:00Z")
        #expect(object["lastTime"] as? String == "2026-01-01T01:23:19.250Z")

        // bytesOnDisk: the log's files (LOG, segments, indexes, not the LOCK
        // file) and the per-patient index snapshot.
        let files = listDirectory(ledger.appending("log")).filter { $0 != "LOCK" }
        #expect(object["bytesOnDisk"] as? Int == files.map { fileSize(ledger.appending("log/" + $0)) }.reduce(0, +)
                    + fileSize(ledger.appending("index/streams")))
    }

    @Test func emptyLedgerPrintsNullsForWhatItLacks() throws {
        let ledger = try makeLedger(timestamps: [])
        let run = try runLedger("stats", "--json", ledger.path)
        #expect(run.status == 0)
        #expect(run.standardOutput.hasPrefix(#"{"events":0,"patients":0,"segments":1,"#))
        #expect(run.standardOutput.hasSuffix(#","compressionRatio":null,"firstTime":null,"lastTime":null}"# + "\n"))
    }

    @Test func tableIsAlignedWithUnits() throws {
        let ledger = try makeLedger(count: 3_000)
        let run = try runLedger("stats", ledger.path)
        #expect(run.status == 0)
        #expect(run.outputLines.first == "ledger \(ledger.path)")
        let rows = Array(run.outputLines.dropFirst())
        let labels = ["events", "patients", "segments", "bytes on disk", "raw bytes", "compression ratio", "first time", "last time"]
        #expect(rows.count == labels.count)
        var values: [String: String] = [:]
        var valueColumns = Set<Int>()
        for (row, label) in zip(rows, labels) {
            #expect(row.hasPrefix("  " + label + " "), "\(row)")
            let value = row.dropFirst(2 + label.count).drop(while: { $0 == " " })
            valueColumns.insert(row.count - value.count)
            values[label] = String(value)
        }
        #expect(valueColumns.count == 1, "values aligned in one column")
        #expect(values["events"] == "3000")
        #expect(values["segments"] == "1")
        #expect(values["first time"] == "2026-01-01T00:00:00Z")
        #expect(values["last time"] == "2026-01-01T00:49:59Z")
        for label in ["bytes on disk", "raw bytes"] {
            #expect(values[label]?.contains(/^\d+(\.\d)? (B|KiB|MiB) \(\d+ bytes\)$/) == true, "\(values[label] ?? "")")
        }
        #expect(values["compression ratio"]?.contains(/^\d+\.\d\d$/) == true)
    }

    @Test func timesAtTheEdgesOfYears0001To9999() throws {
        let ledger = try makeLedger(timestamps: [-62_135_596_800_000, 253_402_300_799_999])
        let run = try runLedger("stats", "--json", ledger.path)
        #expect(run.standardOutput.contains(#""firstTime":"0001-01-01T00:00:00Z","lastTime":"9999-12-31T23:59:59.999Z"}"#))
    }
}
