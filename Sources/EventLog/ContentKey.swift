import Crypto
import Foundation

/// The idempotency key of an event: 128 bits of SHA-256 over what makes the observation
/// unique. Appending an event whose key is already stored appends nothing.
public struct ContentKey: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) {
        precondition(bytes.count == 16, "a content key is 16 bytes")
        self.bytes = bytes
    }

    /// The key of an explicit identity string (e.g. `gocardless/account/<id>/transaction/<hash>`).
    public init(_ identity: String) {
        self.init(digesting: Array(identity.utf8))
    }

    /// The key of an observation: its stream, its type and its canonical payload.
    public init(stream: String, type: EventType, canonicalPayload: [UInt8]) {
        var h = SHA256()
        h.update(data: Array(stream.utf8)); h.update(data: [0])
        h.update(data: Array(type.name.utf8)); h.update(data: [0, UInt8(truncatingIfNeeded: type.version)])
        h.update(data: canonicalPayload)
        self.init(bytes: Array(h.finalize().prefix(16)))
    }

    public init(digesting data: [UInt8]) {
        self.init(bytes: Array(SHA256.hash(data: data).prefix(16)))
    }

    public var hex: String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    public var description: String { hex }
}
