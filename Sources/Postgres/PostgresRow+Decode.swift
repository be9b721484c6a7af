import Foundation

/// A type a ``PostgresRow`` column can be decoded as, by throwing (as postgres-nio's rows
/// decode): a NULL or a value of another shape is an error naming the column and the
/// statement, never a force unwrap on database bytes.
public protocol PostgresDecodable {
    /// The value, or nil when the column is NULL or not of this type.
    static func read(_ row: PostgresRow, _ column: Int) -> Self?
    /// The type's name in error messages.
    static var postgresTypeName: String { get }
}

extension String: PostgresDecodable {
    public static func read(_ row: PostgresRow, _ column: Int) -> String? { row.string(column) }
    public static var postgresTypeName: String { "text" }
}

extension Int64: PostgresDecodable {
    public static func read(_ row: PostgresRow, _ column: Int) -> Int64? { row.int64(column) }
    public static var postgresTypeName: String { "an integer" }
}

extension Int: PostgresDecodable {
    public static func read(_ row: PostgresRow, _ column: Int) -> Int? { row.int(column) }
    public static var postgresTypeName: String { "an integer" }
}

extension Bool: PostgresDecodable {
    public static func read(_ row: PostgresRow, _ column: Int) -> Bool? { row.bool(column) }
    public static var postgresTypeName: String { "a boolean" }
}

extension Date: PostgresDecodable {
    public static func read(_ row: PostgresRow, _ column: Int) -> Date? { row.date(column) }
    public static var postgresTypeName: String { "a timestamp" }
}

extension UUID: PostgresDecodable {
    public static func read(_ row: PostgresRow, _ column: Int) -> UUID? { row.uuid(column) }
    public static var postgresTypeName: String { "a uuid" }
}

extension PostgresRow {
    /// The column's value as `T`.
    ///
    /// - Throws: ``PostgresError`` (code `decoding`) naming the column, what it holds and the
    ///   statement, when it is NULL or not a `T`.
    public func decode<T: PostgresDecodable>(_ type: T.Type, _ column: Int) throws -> T {
        if let v = T.read(self, column) { return v }
        let name = column < result.columnCount ? result.columnName(column) : "#\(column)"
        let what = isNull(column) ? "NULL" : "not \(T.postgresTypeName)"
        throw PostgresError(code: .decoding, message: "column \(name) (\(column)) is \(what)", statement: result.statement)
    }
}

extension Array: PostgresDecodable where Element == UInt8 {
    public static func read(_ row: PostgresRow, _ column: Int) -> [UInt8]? { row.bytes(column) }
    public static var postgresTypeName: String { "bytea" }
}
