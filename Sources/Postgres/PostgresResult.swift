import CLibPQ
import Foundation

/// The rows of a completed statement. Owns the libpq result and frees it when released.
///
/// Not `Sendable`: read it where it was produced, inside ``PostgresConnection/withSession(_:)``.
public final class PostgresResult {
    let handle: OpaquePointer
    let statement: String?

    init(handle: OpaquePointer, statement: String?) {
        self.handle = handle
        self.statement = statement
    }

    deinit { PQclear(handle) }

    /// Number of rows returned.
    public var count: Int { Int(PQntuples(handle)) }
    /// Rows affected by INSERT/UPDATE/DELETE/COPY, when reported.
    public var affectedRows: Int { Int(String(cString: PQcmdTuples(handle))) ?? 0 }
    public var columnCount: Int { Int(PQnfields(handle)) }
    public func columnName(_ column: Int) -> String { String(cString: PQfname(handle, Int32(column))) }

    public subscript(row: Int) -> PostgresRow { PostgresRow(result: self, row: Int32(row)) }

    public var rows: [PostgresRow] { (0..<count).map { self[$0] } }
}

extension PostgresResult: Sequence {
    public func makeIterator() -> AnyIterator<PostgresRow> {
        var i = 0
        let n = count
        return AnyIterator { [self] in
            guard i < n else { return nil }
            defer { i += 1 }
            return self[i]
        }
    }
}

/// One row of a ``PostgresResult``. Accessors understand both text and binary columns.
public struct PostgresRow {
    let result: PostgresResult
    let row: Int32

    private var h: OpaquePointer { result.handle }

    public func isNull(_ column: Int) -> Bool { PQgetisnull(h, row, Int32(column)) == 1 }
    private func isBinary(_ column: Int) -> Bool { PQfformat(h, Int32(column)) == 1 }

    /// The raw bytes of a value (binary columns as sent, text columns as UTF-8).
    public func withRawBytes<T>(_ column: Int, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T? {
        guard !isNull(column), let p = PQgetvalue(h, row, Int32(column)) else { return nil }
        let n = Int(PQgetlength(h, row, Int32(column)))
        return try body(UnsafeRawBufferPointer(start: p, count: n))
    }

    /// The value as a string, reusing `previous` when the bytes are the same: consecutive
    /// rows often repeat a value (a stream id, an event type), and this spares an allocation.
    public func string(_ column: Int, reusing previous: String?) -> String? {
        guard let previous, !isNull(column), let p = PQgetvalue(h, row, Int32(column)) else { return string(column) }
        let n = Int(PQgetlength(h, row, Int32(column)))
        var prev = previous
        let same = prev.withUTF8 { u in u.count == n && (n == 0 || memcmp(u.baseAddress!, p, n) == 0) }
        return same ? previous : string(column)
    }

    public func string(_ column: Int) -> String? {
        guard !isNull(column), let p = PQgetvalue(h, row, Int32(column)) else { return nil }
        if isBinary(column) {
            let n = Int(PQgetlength(h, row, Int32(column)))
            return String(decoding: UnsafeRawBufferPointer(start: p, count: n), as: UTF8.self)
        }
        return String(cString: p)
    }

    public func int64(_ column: Int) -> Int64? {
        if isBinary(column) {
            return withRawBytes(column) { raw -> Int64? in
                switch raw.count {
                case 8: return Int64(bigEndian: raw.loadUnaligned(as: Int64.self))
                case 4: return Int64(Int32(bigEndian: raw.loadUnaligned(as: Int32.self)))
                case 2: return Int64(Int16(bigEndian: raw.loadUnaligned(as: Int16.self)))
                default: return nil
                }
            } ?? nil
        }
        return string(column).flatMap { Int64($0) }
    }

    public func int(_ column: Int) -> Int? { int64(column).map { Int($0) } }

    public func bool(_ column: Int) -> Bool? {
        if isBinary(column) { return withRawBytes(column) { $0.first == 1 } }
        return string(column).map { $0 == "t" }
    }

    /// `bytea` as bytes: binary columns directly, text columns from their `\x…` hex form.
    /// `bytea` bytes from `offset` on (binary columns), e.g. to skip a format byte.
    public func bytes(_ column: Int, droppingFirst offset: Int) -> [UInt8]? {
        guard isBinary(column) else { return bytes(column).map { Array($0.dropFirst(offset)) } }
        return withRawBytes(column) { raw in raw.count >= offset ? [UInt8](UnsafeRawBufferPointer(rebasing: raw[offset...])) : [] }
    }

    public func bytes(_ column: Int) -> [UInt8]? {
        if isBinary(column) { return withRawBytes(column) { [UInt8]($0) } }
        guard let s = string(column) else { return nil }
        return s.hasPrefix("\\x") ? PostgresHex.decode(s.dropFirst(2)) : Array(s.utf8)
    }

    public func uuid(_ column: Int) -> UUID? {
        if isBinary(column) {
            return withRawBytes(column) { raw -> UUID? in
                guard raw.count == 16 else { return nil }
                var t: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
                withUnsafeMutableBytes(of: &t) { $0.copyMemory(from: raw) }
                return UUID(uuid: t)
            } ?? nil
        }
        return string(column).flatMap { UUID(uuidString: $0) }
    }

    /// `timestamptz` (binary) or its ISO text form.
    public func date(_ column: Int) -> Date? {
        if isBinary(column) {
            return withRawBytes(column) { raw -> Date? in
                guard raw.count == 8 else { return nil }
                return PostgresTimestamp.date(postgresMicroseconds: Int64(bigEndian: raw.loadUnaligned(as: Int64.self)))
            } ?? nil
        }
        guard let s = string(column) else { return nil }
        return PostgresTextDate.parseTimestamp(s)
    }

    public func decimal(_ column: Int) -> Decimal? { string(column).flatMap { Decimal(string: $0) } }
}

/// Parsing of PostgreSQL's text timestamp output (`2024-01-02 03:04:05.123456+00`).
enum PostgresTextDate {
    static func parse(_ s: String) -> Date? { parseTimestamp(s) }
    static func parseTimestamp(_ s: String) -> Date? {
        let u = Array(s.utf8)
        func num(_ a: Int, _ n: Int) -> Int? {
            guard a + n <= u.count else { return nil }
            var v = 0
            for i in a..<(a + n) { guard u[i] >= 48, u[i] <= 57 else { return nil }; v = v * 10 + Int(u[i] - 48) }
            return v
        }
        guard let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2) else { return nil }
        var secs = Double(PostgresTimestamp.days(year: y, month: mo, day: d)) * 86_400
        var i = 10
        if u.count > 11, let hh = num(11, 2), let mm = num(14, 2), let ss = num(17, 2) {
            secs += Double(hh * 3600 + mm * 60 + ss)
            i = 19
            if i < u.count, u[i] == UInt8(ascii: ".") {
                i += 1
                var frac = 0.0, scale = 0.1
                while i < u.count, u[i] >= 48, u[i] <= 57 { frac += Double(u[i] - 48) * scale; scale /= 10; i += 1 }
                secs += frac
            }
        }
        if i < u.count, u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-") {
            let sign: Double = u[i] == UInt8(ascii: "-") ? -1 : 1
            let oh = num(i + 1, 2) ?? 0
            var om = 0
            if i + 3 < u.count, u[i + 3] == UInt8(ascii: ":") { om = num(i + 4, 2) ?? 0 } else if i + 4 < u.count { om = num(i + 3, 2) ?? 0 }
            secs -= sign * Double(oh * 3600 + om * 60)
        }
        return Date(timeIntervalSince1970: secs)
    }
}
