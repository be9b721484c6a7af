/// Builds the stream of `COPY … FROM STDIN` in PostgreSQL's text format.
///
/// Every value is sent as text and parsed by the server into the column's type, which
/// makes it the simple choice for `numeric` and `date` columns.
public struct CopyTextWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    public private(set) var rowCount = 0
    private var fieldsInRow = 0

    public init(reservingCapacity capacity: Int = 1 << 16) { bytes.reserveCapacity(capacity) }

    public var isEmpty: Bool { rowCount == 0 }

    /// Appends one field to the current row (`nil` is SQL NULL).
    public mutating func add(_ value: String?) {
        if fieldsInRow > 0 { bytes.append(0x09) }
        fieldsInRow += 1
        guard let value else { bytes.append(0x5C); bytes.append(0x4E); return }  // \N
        var v = value
        let plain: Bool = v.withUTF8 { u in
            // Fast path: nothing to escape, copy the bytes in one go.
            if !u.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
                bytes.append(contentsOf: u)
                return true
            }
            return false
        }
        if plain { return }
        for c in value.utf8 {
            switch c {
            case 0x5C: bytes.append(0x5C); bytes.append(0x5C)
            case 0x09: bytes.append(0x5C); bytes.append(UInt8(ascii: "t"))
            case 0x0A: bytes.append(0x5C); bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(0x5C); bytes.append(UInt8(ascii: "r"))
            default: bytes.append(c)
            }
        }
    }

    /// Ends the current row.
    public mutating func endRow() {
        bytes.append(0x0A)
        rowCount += 1
        fieldsInRow = 0
    }

    /// Appends a whole row.
    public mutating func row(_ values: String?...) {
        for v in values { add(v) }
        endRow()
    }
}

extension PostgresSession {
    /// Bulk-loads rows with `COPY … FROM STDIN` (text format).
    @discardableResult
    public func copyIn(_ sql: String, text data: CopyTextWriter) throws -> Int {
        try copyInRaw(sql, data.bytes)
    }
}
