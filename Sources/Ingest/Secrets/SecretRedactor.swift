import Foundation

/// Removes every configured secret value from a text before it is printed, logged or
/// stored: a provider that echoes a secret back ("No active account found for secret_id …")
/// must not get it into `ingest.run_steps.error`, the log or the terminal.
///
/// Built from the secret *values* (GoCardless secret id/key, Trading212 key/secret,
/// Vanguard session cookies and token); each is replaced by ``placeholder`` as written
/// and percent-encoded. Values shorter than ``minimumLength`` are ignored: they are not
/// real credentials and would blank out ordinary words.
public struct SecretRedactor: Sendable {
    public static let placeholder = "[redacted]"
    public static let minimumLength = 6

    /// The secret values as configured.
    private let values: Set<String>
    /// What is searched for: each value and its percent-encoded form, longest first, so a
    /// secret containing another is removed whole.
    private let needles: [String]

    public init(secrets: some Sequence<String>) {
        values = Set(secrets.filter { $0.count >= SecretRedactor.minimumLength })
        var all = Set<String>()
        for s in values {
            all.insert(s)
            if let encoded = s.addingPercentEncoding(withAllowedCharacters: .alphanumerics), encoded != s { all.insert(encoded) }
        }
        needles = all.sorted { $0.count != $1.count ? $0.count > $1.count : $0 < $1 }
    }

    /// Redacts nothing.
    public static let none = SecretRedactor(secrets: [])

    /// Whether there is anything to redact.
    public var isEmpty: Bool { needles.isEmpty }

    /// `text` with every secret replaced by ``placeholder``.
    public func redact(_ text: String) -> String {
        var out = text
        for n in needles where out.contains(n) { out = out.replacingOccurrences(of: n, with: SecretRedactor.placeholder) }
        return out
    }

    public func redact(_ text: String?) -> String? { text.map(redact) }

    /// Both sets of secrets.
    public func merging(_ other: SecretRedactor) -> SecretRedactor {
        SecretRedactor(secrets: values.union(other.values))
    }
}

extension SecretRedactor {
    /// A redactor of every secret value `providers` are configured with
    /// (``Provider/secrets()``): what the sync run and its notifications clean their texts with.
    public static func of(_ providers: [any Provider]) async -> SecretRedactor {
        var secrets: [String] = []
        for provider in providers { secrets += await provider.secrets() }
        return SecretRedactor(secrets: secrets)
    }
}
