/// The health of a connection, as recorded by `connection.health.observed`.
public enum ConnectionHealth: String, Sendable, Hashable, Codable, CaseIterable {
    case active
    case expired
    case authRequired = "auth_required"
    case suspended
    case error
}
