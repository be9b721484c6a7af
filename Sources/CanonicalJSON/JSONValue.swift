import Foundation

/// A JSON document that keeps every number exactly as written.
///
/// Provider payloads carry money as strings (`"-35.56"`) and as numbers in exponent
/// notation (`0E-10`); parsing them through `Double` would lose both. Numbers are held
/// as their literal text and turned into `Decimal` only on request.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// The number's literal text, validated against the JSON grammar.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    public subscript(index: Int) -> JSONValue? {
        if case .array(let a) = self, a.indices.contains(index) { return a[index] }
        return nil
    }

    public var isNull: Bool { if case .null = self { return true } else { return false } }

    /// A string value; `nil` for any other kind (including `null`).
    public var string: String? { if case .string(let s) = self { return s } else { return nil } }
    public var bool: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var array: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
    public var object: [String: JSONValue]? { if case .object(let o) = self { return o } else { return nil } }

    /// A number, or a string holding a number (providers send amounts both ways), as `Decimal`.
    public var decimal: Decimal? {
        switch self {
        case .number(let n):
            guard DecimalRange.contains(literal: n) else { return nil }
            return Decimal(string: n, locale: Locale(identifier: "en_US_POSIX"))
        case .string(let s):
            let t = JSONValue.trimmingWhitespace(s)
            guard !t.isEmpty, JSONValue.isNumberLiteral(t), DecimalRange.contains(literal: t) else { return nil }
            return Decimal(string: t, locale: Locale(identifier: "en_US_POSIX"))
        default: return nil
        }
    }

    /// The number literal or numeric string as text (e.g. for `numeric` columns); nil when
    /// it is not a number, or is one outside ``DecimalRange`` (`1e1000000` is valid JSON
    /// but no amount: PostgreSQL would refuse it, and sums of it would overflow).
    public var numberText: String? {
        switch self {
        case .number(let n): return DecimalRange.contains(literal: n) ? n : nil
        case .string(let s):
            let t = JSONValue.trimmingWhitespace(s)
            return JSONValue.isNumberLiteral(t) && DecimalRange.contains(literal: t) ? t : nil
        default: return nil
        }
    }

    public var int: Int? {
        switch self {
        case .number(let n): return Int(n) ?? decimal.map { NSDecimalNumber(decimal: $0).intValue }
        case .string(let s): return Int(s)
        default: return nil
        }
    }

    /// `s` without leading and trailing spaces and tabs (`CharacterSet.whitespaces`). Most
    /// provider strings have none, and those are returned without Foundation's trimming,
    /// which bridges through NSString.
    public static func trimmingWhitespace(_ s: String) -> String {
        if let f = s.utf8.first, let l = s.utf8.last, f > 0x20, f < 0x80, l > 0x20, l < 0x80 { return s }
        return s.trimmingCharacters(in: .whitespaces)
    }

    /// Checks a string against JSON's number grammar (`-?int(.frac)?([eE][+-]?digits)?`).
    public static func isNumberLiteral(_ s: String) -> Bool {
        var it = Array(s.utf8)[...]
        func digits() -> Int { var n = 0; while let c = it.first, c >= 48, c <= 57 { it.removeFirst(); n += 1 }; return n }
        if it.first == UInt8(ascii: "-") { it.removeFirst() }
        guard digits() > 0 else { return false }
        if it.first == UInt8(ascii: ".") { it.removeFirst(); guard digits() > 0 else { return false } }
        if it.first == UInt8(ascii: "e") || it.first == UInt8(ascii: "E") {
            it.removeFirst()
            if it.first == UInt8(ascii: "+") || it.first == UInt8(ascii: "-") { it.removeFirst() }
            guard digits() > 0 else { return false }
        }
        return it.isEmpty
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByNilLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByIntegerLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        var o: [String: JSONValue] = [:]
        for (k, v) in elements { o[k] = v }
        self = .object(o)
    }
    public init(integerLiteral value: Int) { self = .number(String(value)) }
}
