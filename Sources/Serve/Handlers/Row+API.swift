import Foundation
import Postgres

/// Reading API values from query rows (text results).
extension PostgresRow {
    /// A UUID column that must be there, as the API writes ids (lower case). A row without one
    /// is a broken table: ``PostgresRow/decode(_:_:)`` throws, answered as a 500.
    func requiredUUID(_ column: Int) throws -> String {
        let text = try decode(String.self, column)
        return Self.isCanonicalUUID(text) ? text : try decode(UUID.self, column).uuidString.lowercased()
    }

    func optionalUUID(_ column: Int) -> String? {
        guard let text = string(column) else { return nil }
        return Self.isCanonicalUUID(text) ? text : uuid(column)?.uuidString.lowercased()
    }

    /// PostgreSQL's text form of a `uuid` (36 characters, lower-case hex, dashes at 8, 13,
    /// 18 and 23) is already the API's: checked in place rather than parsed into a `UUID`
    /// and printed again (Foundation parses with `sscanf`, a tenth of a page's time).
    static func isCanonicalUUID(_ text: String) -> Bool {
        var n = 0
        for c in text.utf8 {
            switch n {
            case 8, 13, 18, 23: guard c == UInt8(ascii: "-") else { return false }
            default: guard (48...57).contains(c) || (97...102).contains(c) else { return false }
            }
            n += 1
        }
        return n == 36
    }

    /// Money from an amount column and a currency column; nil when either is NULL.
    func money(_ amount: Int, _ currency: Int) -> Components.Schemas.Money? {
        guard let a = string(amount), let c = string(currency) else { return nil }
        return Components.Schemas.Money(amount: a, currency: c)
    }

    /// Money that must be there.
    func requiredMoney(_ amount: Int, _ currency: Int) throws -> Components.Schemas.Money {
        guard let m = money(amount, currency) else { throw PostgresError(code: .decoding, message: "columns \(amount), \(currency) are not money") }
        return m
    }
}

/// Builds a statement's WHERE clause and parameters together, so each filter's `$n` and
/// value can never drift apart.
struct Filters {
    private(set) var clauses: [String] = []
    private(set) var parameters: [PostgresParameter] = []

    /// Adds `clause`, in which `$?` stands for the value's placeholder.
    mutating func add(_ clause: String, _ value: PostgresParameter) {
        parameters.append(value)
        clauses.append(clause.replacingOccurrences(of: "$?", with: "$\(parameters.count)"))
    }

    /// Adds a clause with two values (`$?1`, `$?2`).
    mutating func add(_ clause: String, _ a: PostgresParameter, _ b: PostgresParameter) {
        parameters.append(a)
        let first = parameters.count
        parameters.append(b)
        clauses.append(clause.replacingOccurrences(of: "$?1", with: "$\(first)").replacingOccurrences(of: "$?2", with: "$\(first + 1)"))
    }

    var whereClause: String { clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ") }
}
