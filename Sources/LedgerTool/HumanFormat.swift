/// Numbers for people: sizes with binary units, fixed-point decimals.
/// No Foundation (`String(format:)` needs it).
enum HumanFormat {
    /// `bytes` (not negative) with a binary unit and one decimal: `512 B`,
    /// `1.2 MiB`.
    static func bytes(_ bytes: Int64) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        guard bytes >= 1024 else { return "\(bytes) B" }
        var scaled = Double(bytes) / 1024
        var unit = 0
        // 1023.95 and up would round to "1024.0": show the next unit instead.
        while scaled >= 1023.95 && unit < units.count - 1 {
            scaled /= 1024
            unit += 1
        }
        return fixed(scaled, places: 1) + " " + units[unit]
    }

    /// `value` rounded to `places` decimals (0...9), e.g. `4.12`.
    static func fixed(_ value: Double, places: Int) -> String {
        guard value.isFinite else { return String(value) }
        var scale: Int64 = 1
        for _ in 0..<places { scale *= 10 }
        let scaled = Int64((abs(value) * Double(scale)).rounded())
        let sign = value < 0 && scaled != 0 ? "-" : ""
        guard places > 0 else { return sign + String(scaled) }
        let fraction = String(scaled % scale)
        return sign + String(scaled / scale) + "." + String(repeating: "0", count: places - fraction.count) + fraction
    }

    /// Rows of `label  value`, the values aligned in one column.
    static func table(_ rows: [(label: String, value: String)], indent: String = "") -> String {
        let width = rows.map(\.label.count).max() ?? 0
        return rows.map { row in
            indent + row.label + String(repeating: " ", count: width - row.label.count + 2) + row.value
        }.joined(separator: "\n")
    }
}
