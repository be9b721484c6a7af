import CanonicalJSON
import Foundation
import Ingest

/// One thing finsync tells a person through the `[notify]` webhooks: a run that failed, a
/// consent about to expire or expired, a connection that needs them.
///
/// Sent as JSON (``json``) or as one plain-text line (``text``, with ``title`` in a
/// `Title` header, which ntfy-style endpoints show). Its texts come from the run record and
/// the connections' health, which finsync writes itself; ``redacted(by:)`` removes every
/// configured secret before anything is sent.
public struct Notice: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case runFailed = "run_failed"
        case runPartiallyFailed = "run_partially_failed"
        case consentExpiring = "consent_expiring"
        case consentExpired = "consent_expired"
        case connectionNeedsAttention = "connection_needs_attention"

        /// `error` when something stopped, `warning` when something will.
        public var severity: String {
            switch self {
            case .runFailed, .consentExpired: return "error"
            case .runPartiallyFailed, .consentExpiring, .connectionNeedsAttention: return "warning"
            }
        }

        /// About a connection, so told at most once a day per connection (a run failure is
        /// told every time: each run is its own news).
        public var isDaily: Bool { self != .runFailed && self != .runPartiallyFailed }
    }

    public var kind: Kind
    /// Short, e.g. `finsync: sync failed`.
    public var title: String
    /// One line a person can act on.
    public var message: String
    /// When finsync decided to tell it.
    public var at: Date
    public var runID: UUID?
    public var provider: String?
    public var connectionID: String?
    public var expiresAt: Date?

    public init(kind: Kind, title: String, message: String, at: Date, runID: UUID? = nil, provider: String? = nil, connectionID: String? = nil, expiresAt: Date? = nil) {
        self.kind = kind
        self.title = title
        self.message = message
        self.at = at
        self.runID = runID
        self.provider = provider
        self.connectionID = connectionID
        self.expiresAt = expiresAt
    }

    /// The JSON message: `{"source": "finsync", "kind", "severity", "title", "message", "at",
    /// "run_id"?, "provider"?, "connection_id"?, "expires_at"?}` (dates ISO 8601, UTC).
    public var json: JSONValue {
        let iso = ISO8601DateFormatter()
        var o: [String: JSONValue] = [
            "source": "finsync", "kind": .string(kind.rawValue), "severity": .string(kind.severity),
            "title": .string(title), "message": .string(message), "at": .string(iso.string(from: at)),
        ]
        if let runID { o["run_id"] = .string(runID.uuidString.lowercased()) }
        if let provider { o["provider"] = .string(provider) }
        if let connectionID { o["connection_id"] = .string(connectionID) }
        if let expiresAt { o["expires_at"] = .string(iso.string(from: expiresAt)) }
        return .object(o)
    }

    /// The plain-text form: the message on one line.
    public var text: String { Self.oneLine(message) }

    /// The notice with every configured secret replaced by `[redacted]`, on one line each.
    public func redacted(by redactor: SecretRedactor) -> Notice {
        var n = self
        n.title = Self.oneLine(redactor.redact(title))
        n.message = Self.oneLine(redactor.redact(message))
        n.connectionID = redactor.redact(connectionID)
        return n
    }

    static func oneLine(_ s: String) -> String {
        s.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }
}
