import Foundation

/// A value bound to a `$n` placeholder.
///
/// Text parameters are sent in PostgreSQL's text format and cast by the server;
/// byte parameters are sent in binary format (for `bytea`).
public struct PostgresParameter: Sendable, Hashable {
    enum Storage: Sendable, Hashable {
        case null
        case text(String)
        case bytes([UInt8])
    }
    let storage: Storage
    init(storage: Storage) { self.storage = storage }

    public static let null = PostgresParameter(storage: Storage.null)
    public static func text(_ value: String) -> PostgresParameter { .init(storage: .text(value)) }
    public static func bytes(_ value: [UInt8]) -> PostgresParameter { .init(storage: .bytes(value)) }
    public static func bytes(_ value: Data) -> PostgresParameter { .init(storage: .bytes([UInt8](value))) }

    public init(_ value: String?) { storage = value.map { .text($0) } ?? .null }
    public init(_ value: Int) { storage = .text(String(value)) }
    public init(_ value: Int64) { storage = .text(String(value)) }
    public init(_ value: Int64?) { storage = value.map { .text(String($0)) } ?? .null }
    public init(_ value: Bool) { storage = .text(value ? "t" : "f") }
    public init(_ value: UUID) { storage = .text(value.uuidString.lowercased()) }
    public init(_ value: UUID?) { storage = value.map { .text($0.uuidString.lowercased()) } ?? .null }
    public init(_ value: Decimal) { storage = .text(value.description) }
    /// A timestamp, sent as ISO 8601 with microseconds in UTC.
    public init(_ value: Date) { storage = .text(PostgresTimestamp.iso8601(value)) }
    public init(_ value: Date?) { storage = value.map { .text(PostgresTimestamp.iso8601($0)) } ?? .null }
    /// A `text[]` array literal.
    public static func textArray(_ values: [String]) -> PostgresParameter {
        .text("{" + values.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }.joined(separator: ",") + "}")
    }
    /// A one-dimensional array in PostgreSQL's binary array format (no text parsing on
    /// the server: much cheaper for large key lists). `elementOID` is the element type
    /// (17 `bytea`, 2950 `uuid`, 20 `int8`, 25 `text`).
    public static func binaryArray(elementOID: UInt32, _ elements: [[UInt8]]) -> PostgresParameter {
        var b: [UInt8] = []
        b.reserveCapacity(20 + elements.reduce(0) { $0 + $1.count + 4 })
        func put32<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.bigEndian) { b.append(contentsOf: $0) } }
        put32(Int32(1)); put32(Int32(0)); put32(elementOID)   // ndim, has-nulls, element type
        put32(Int32(elements.count)); put32(Int32(1))         // length, lower bound
        for e in elements { put32(Int32(e.count)); b.append(contentsOf: e) }
        return .bytes(b)
    }

    /// A `uuid[]` in binary array format.
    public static func uuidArray(_ values: [UUID]) -> PostgresParameter {
        binaryArray(elementOID: 2950, values.map { u in withUnsafeBytes(of: u.uuid) { [UInt8]($0) } })
    }

    /// A `bytea[]` array literal (hex form).
    public static func byteaArray(_ values: [[UInt8]]) -> PostgresParameter {
        .text("{" + values.map { "\"\\\\x" + PostgresHex.encode($0) + "\"" }.joined(separator: ",") + "}")
    }
}

extension PostgresParameter: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral, ExpressibleByBooleanLiteral {
    public init(stringLiteral value: String) { self.init(value) }
    public init(integerLiteral value: Int) { self.init(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self.init(value) }
}

/// Lower-case hex, as PostgreSQL prints `bytea`.
public enum PostgresHex {
    private static let digits = Array("0123456789abcdef".utf8)
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out = [UInt8]()
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 0x0f)]) }
        return String(decoding: out, as: UTF8.self)
    }
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var out = [UInt8](); out.reserveCapacity(text.utf8.count / 2)
        var hi: UInt8? = nil
        for c in text.utf8 {
            let v: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = c - UInt8(ascii: "A") + 10
            default: return nil
            }
            if let h = hi { out.append(h << 4 | v); hi = nil } else { hi = v }
        }
        return hi == nil ? out : nil
    }
}

/// Conversions between `Date` and PostgreSQL timestamps.
public enum PostgresTimestamp {
    /// Seconds between 1970-01-01 and 2000-01-01, PostgreSQL's binary epoch.
    static let postgresEpochOffset: Double = 946_684_800

    public static func iso8601(_ date: Date) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        var seconds = micros / 1_000_000
        var frac = micros % 1_000_000
        if frac < 0 { frac += 1_000_000; seconds -= 1 }
        let days = Int(floorDiv(seconds, 86_400))
        let secOfDay = Int(seconds - Int64(days) * 86_400)
        let (y, m, d) = civil(fromDays: days)
        // Hand-formatted: this runs for every event a projection folds, and `String(format:)`
        // costs more than the rest of the conversion.
        guard (0...9999).contains(y) else {
            return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", y, m, d, secOfDay / 3600, secOfDay % 3600 / 60, secOfDay % 60, Int(frac))
        }
        var out: [UInt8] = Array("0000-00-00T00:00:00.000000Z".utf8)
        func put(_ value: Int, at end: Int, width: Int) {
            var v = value
            for i in stride(from: end, to: end - width, by: -1) { out[i] = UInt8(48 + v % 10); v /= 10 }
        }
        put(y, at: 3, width: 4); put(m, at: 6, width: 2); put(d, at: 9, width: 2)
        put(secOfDay / 3600, at: 12, width: 2); put(secOfDay % 3600 / 60, at: 15, width: 2); put(secOfDay % 60, at: 18, width: 2)
        put(Int(frac), at: 25, width: 6)
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses ISO 8601 / PostgreSQL timestamp text (`2024-12-27T21:34:20.658531Z`,
    /// `2023-03-20T00:00:00+00:00`); a missing zone means UTC.
    public static func parse(_ text: String) -> Date? { PostgresTextDate.parseTimestamp(text) }

    /// Microseconds since 2000-01-01 UTC (binary `timestamptz`).
    public static func postgresMicroseconds(_ date: Date) -> Int64 {
        Int64(((date.timeIntervalSince1970 - postgresEpochOffset) * 1_000_000).rounded())
    }

    public static func date(postgresMicroseconds micros: Int64) -> Date {
        Date(timeIntervalSince1970: Double(micros) / 1_000_000 + postgresEpochOffset)
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : (a - b + 1) / b }

    /// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
    public static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    /// (year, month, day) to days since 1970-01-01.
    public static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
