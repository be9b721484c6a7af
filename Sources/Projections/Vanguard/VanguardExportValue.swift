import CanonicalJSON
import Foundation

/// Reading the export's cell formats: `dd/mm/yyyy` dates and amounts with thousands
/// separators (`1,550.0000`, `-2,000.00`, `£12.50`, `(3.00)`).
public enum VanguardExportValue {
    /// `dd/mm/yyyy` → `yyyy-mm-dd`, or nil unless the day exists (`31/02/2024`, `29/02/2023`
    /// and year 0000 do not; PostgreSQL would refuse them).
    public static func date(_ text: String) -> String? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }), parts[0].count <= 2, parts[1].count <= 2, parts[2].count == 4,
              let d = Int(parts[0]), let m = Int(parts[1]), let y = Int(parts[2]), (1...31).contains(d), (1...12).contains(m), y >= 1 else { return nil }
        let days = [31, (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard d <= days[m - 1] else { return nil }
        return String(format: "%04d-%02d-%02d", y, m, d)
    }

    /// The instant of a `dd/mm/yyyy` date at midnight UTC.
    public static func instant(_ text: String) -> Date? {
        guard let iso = date(text) else { return nil }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withFullDate]
        return f.date(from: iso)
    }

    /// An amount as a plain decimal literal (`-2000.00`), or nil when the cell is not a number
    /// or is one outside ``DecimalRange`` (a 200,000-digit cell is bad input, not an amount).
    public static func decimalText(_ text: String) -> String? {
        var t = text.trimmingCharacters(in: .whitespaces)
        var negative = false
        if t.hasPrefix("(") && t.hasSuffix(")") { negative = true; t = String(t.dropFirst().dropLast()) }
        if t.hasPrefix("-") { negative.toggle(); t.removeFirst() }
        t = t.replacingOccurrences(of: "£", with: "").replacingOccurrences(of: "GBP", with: "").trimmingCharacters(in: .whitespaces)
        // thousands separators only between digit groups of three
        let groups = t.split(separator: ".", omittingEmptySubsequences: false)
        guard groups.count <= 2, let integer = groups.first, !integer.isEmpty else { return nil }
        let intGroups = integer.split(separator: ",", omittingEmptySubsequences: false)
        guard intGroups.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              intGroups.dropFirst().allSatisfy({ $0.count == 3 }) else { return nil }
        var out = intGroups.joined()
        if groups.count == 2 {
            guard !groups[1].isEmpty, groups[1].allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            out += "." + groups[1]
        }
        guard DecimalRange.contains(literal: out) else { return nil }
        return (negative ? "-" : "") + out
    }

    public static func decimal(_ text: String) -> Decimal? {
        decimalText(text).flatMap { Decimal(string: $0, locale: Locale(identifier: "en_US_POSIX")) }
    }
}
