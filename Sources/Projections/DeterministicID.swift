import Crypto
import Foundation

/// Name-based UUIDs (version 5, RFC 9562): the same provider and provider id always give
/// the same row id, so a rebuild reproduces identical ids and nothing that refers to them breaks.
public enum DeterministicID {
    /// finsync's namespace for row ids.
    public static let namespace = UUID(uuidString: "6a3f0c1e-7d52-5b8e-9c41-2f7e1b0d9a63")!

    public static func make(_ parts: String...) -> UUID { make(parts: parts) }

    /// The UUIDv5 of the parts joined by U+001F.
    public static func make(parts: [String]) -> UUID {
        let b = digest(parts)
        return UUID(uuid: (b.0, b.1, b.2, b.3, b.4, b.5, b.6, b.7, b.8, b.9, b.10, b.11, b.12, b.13, b.14, b.15))
    }

    /// The id in its lower-case text form, as stored in `uuid` columns.
    public static func string(_ parts: String...) -> String {
        // Formatted by hand: this runs for every row a projection writes, and Foundation's
        // `uuidString` goes through `snprintf` (plus a `lowercased()` copy).
        let u = digest(parts)
        return withUnsafeBytes(of: u) { b in
            String(unsafeUninitializedCapacity: 36) { out in
                var o = 0
                for i in 0..<16 {
                    if i == 4 || i == 6 || i == 8 || i == 10 { out[o] = UInt8(ascii: "-"); o += 1 }
                    out[o] = hex[Int(b[i] >> 4)]
                    out[o + 1] = hex[Int(b[i] & 0x0F)]
                    o += 2
                }
                return o
            }
        }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)
    private static let separator: [UInt8] = [0x1F]

    private static func digest(_ parts: [String]) -> uuid_t {
        var sha = Insecure.SHA1()
        withUnsafeBytes(of: namespace.uuid) { sha.update(bufferPointer: $0) }
        for (i, part) in parts.enumerated() {
            if i > 0 { separator.withUnsafeBytes { sha.update(bufferPointer: $0) } }
            var p = part
            p.withUTF8 { sha.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        }
        var u: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &u) { out in
            sha.finalize().withUnsafeBytes { d in out.copyMemory(from: UnsafeRawBufferPointer(rebasing: d[0..<16])) }
        }
        u.6 = (u.6 & 0x0F) | 0x50
        u.8 = (u.8 & 0x3F) | 0x80
        return u
    }
}
