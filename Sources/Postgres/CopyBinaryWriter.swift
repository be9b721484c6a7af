import Foundation

/// Builds the byte stream of `COPY … FROM STDIN (FORMAT binary)`.
///
/// Start a row with ``beginRow(fieldCount:)`` and append exactly that many fields, each
/// with the binary encoding of its column type.
public struct CopyBinaryWriter: Sendable {
    private(set) var bytes: [UInt8]
    public private(set) var rowCount = 0

    public init(reservingCapacity capacity: Int = 1 << 16) {
        bytes = []
        bytes.reserveCapacity(capacity)
        bytes += Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00]
        appendInt32(0)  // flags
        appendInt32(0)  // header extension length
    }

    public var byteCount: Int { bytes.count }

    public mutating func beginRow(fieldCount: Int) {
        appendInt16(Int16(fieldCount))
        rowCount += 1
    }

    public mutating func appendNull() { appendInt32(-1) }

    public mutating func append(int64 v: Int64) { appendInt32(8); appendRaw(v.bigEndian) }
    public mutating func append(int32 v: Int32) { appendInt32(4); appendRaw(v.bigEndian) }
    public mutating func append(int16 v: Int16) { appendInt32(2); appendRaw(v.bigEndian) }
    public mutating func append(bool v: Bool) { appendInt32(1); bytes.append(v ? 1 : 0) }

    /// `text`, `varchar`, or any type whose binary form is its UTF-8 text (`citext`).
    public mutating func append(text v: String) {
        var s = v
        s.withUTF8 { u in appendInt32(Int32(u.count)); bytes.append(contentsOf: u) }
    }
    public mutating func append(text v: String?) { if let v { append(text: v) } else { appendNull() } }

    public mutating func append(bytea v: [UInt8]) { appendInt32(Int32(v.count)); bytes.append(contentsOf: v) }
    public mutating func append(bytea v: UnsafeRawBufferPointer) { appendInt32(Int32(v.count)); bytes.append(contentsOf: v) }

    public mutating func append(uuid v: UUID) {
        appendInt32(16)
        withUnsafeBytes(of: v.uuid) { bytes.append(contentsOf: $0) }
    }
    public mutating func append(uuid v: UUID?) { if let v { append(uuid: v) } else { appendNull() } }

    /// `timestamptz`.
    public mutating func append(timestamp v: Date) { append(int64: PostgresTimestamp.postgresMicroseconds(v)) }
    public mutating func append(timestamp v: Date?) { if let v { append(timestamp: v) } else { appendNull() } }

    /// `date`, as days since 1970-01-01.
    public mutating func append(dateDays daysSince1970: Int) { append(int32: Int32(daysSince1970 - 10_957)) }

    /// `jsonb` from its JSON text.
    public mutating func append(jsonb v: [UInt8]) { appendInt32(Int32(v.count + 1)); bytes.append(1); bytes.append(contentsOf: v) }

    /// The finished stream, with its trailer.
    public func finish() -> [UInt8] {
        var b = bytes
        b.append(0xFF); b.append(0xFF)
        return b
    }

    @inline(__always) mutating func appendInt32(_ v: Int32) { appendRaw(v.bigEndian) }
    @inline(__always) mutating func appendInt16(_ v: Int16) { appendRaw(v.bigEndian) }
    @inline(__always) mutating func appendRaw<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v) { bytes.append(contentsOf: $0) }
    }
}
