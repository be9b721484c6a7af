import Foundation

/// Time-ordered UUIDs (RFC 9562 version 7): event ids that index with locality.
public enum UUIDv7 {
    public static func make(at date: Date = Date()) -> UUID {
        let ms = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        var b = [UInt8](repeating: 0, count: 16)
        for i in 0..<6 { b[i] = UInt8(truncatingIfNeeded: ms >> (8 * (5 - i))) }
        var rng = SystemRandomNumberGenerator()
        let r1 = rng.next(), r2 = rng.next()  // two calls, not one per byte
        for i in 6..<14 { b[i] = UInt8(truncatingIfNeeded: r1 >> (8 * (i - 6))) }
        for i in 14..<16 { b[i] = UInt8(truncatingIfNeeded: r2 >> (8 * (i - 14))) }
        b[6] = (b[6] & 0x0F) | 0x70
        b[8] = (b[8] & 0x3F) | 0x80
        return UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
    }
}
