import Foundation

/// Reads the API's parameters, each failure a 400 problem naming the parameter.
enum Parameters {
    static func uuid(_ value: String?, name: String) throws -> UUID? {
        guard let value else { return nil }
        guard let id = UUID(uuidString: value) else { throw APIProblem.badParameter(name, "\(name) must be a UUID (e.g. 0190f1e2-7a1b-7c3d-9e4f-5a6b7c8d9e0f)") }
        return id
    }

    /// A path id: malformed ids are 400, not 404.
    static func id(_ value: String) throws -> UUID {
        guard let id = UUID(uuidString: value) else { throw APIProblem.badParameter("id", "id must be a UUID") }
        return id
    }

    static func day(_ value: String?, name: String) throws -> String? {
        guard let value else { return nil }
        guard let day = CalendarDate.parse(value) else { throw APIProblem.badParameter(name, "\(name) must be an ISO 8601 calendar day (YYYY-MM-DD) that exists") }
        return day
    }

    /// A signed decimal string (the API's money amounts), at most 30 integer and 20 fraction digits.
    static func decimal(_ value: String?, name: String) throws -> String? {
        guard let value else { return nil }
        let pattern = #/^-?[0-9]{1,30}(\.[0-9]{1,20})?$/#
        guard value.wholeMatch(of: pattern) != nil else { throw APIProblem.badParameter(name, "\(name) must be a decimal number as text, e.g. -12.50") }
        return value
    }

    static func limit(_ value: Int?, name: String = "limit", default fallback: Int, max: Int = 500) throws -> Int {
        guard let value else { return fallback }
        guard (1...max).contains(value) else { throw APIProblem.badParameter(name, "\(name) must be between 1 and \(max)") }
        return value
    }

    /// A free-text parameter: no NUL (PostgreSQL refuses it in text) and at most `max` characters.
    static func text(_ value: String?, name: String, max: Int) throws -> String? {
        guard let value else { return nil }
        guard value.count <= max, !value.contains("\u{0}") else { throw APIProblem.badParameter(name, "\(name) must be at most \(max) characters of text") }
        return value
    }

    /// `from`…`to` in order.
    static func range(from: String?, to: String?, fromName: String = "from", toName: String = "to") throws -> (String?, String?) {
        let f = try day(from, name: fromName), t = try day(to, name: toName)
        if let f, let t, f > t { throw APIProblem.badParameter(fromName, "\(fromName) (\(f)) is after \(toName) (\(t))") }
        return (f, t)
    }
}
