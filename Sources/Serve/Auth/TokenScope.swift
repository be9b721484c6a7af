/// What an API token may do: `read` every GET, `write` also the actions (POST).
public enum TokenScope: String, Sendable, Hashable, CaseIterable, Codable {
    case read
    case write

    /// Whether a token of this scope may use a route needing `needed`.
    public func allows(_ needed: TokenScope) -> Bool { self == .write || needed == .read }
}
