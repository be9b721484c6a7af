import Crypto
import Foundation

/// Name-based UUIDs (version 5, RFC 9562): the same provider and provider id always give
/// the same row id, so a rebuild reproduces identical ids and nothing that refers to them breaks.
public enum DeterministicID {
    /// finsync's namespace for row ids.
    public static let namespace = UUID(uuidString: "6a3f0c1e-7d52-5b8e-9c41-2f7e1b0d9a63")!

    public static func make(_ parts: String...) -> UUID { make(parts: parts) }

    public static func make(parts: [String]) -> UUID {
        var data = withUnsafeBytes(of: namespace.uuid) { Array($0) }
        data += Array(parts.joined(separator: "\u{1F}").utf8)
        var b = Array(Insecure.SHA1.hash(data: data).prefix(16))
        b[6] = (b[6] & 0x0F) | 0x50
        b[8] = (b[8] & 0x3F) | 0x80
        return UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
    }

    public static func string(_ parts: String...) -> String { make(parts: parts).uuidString.lowercased() }
}
