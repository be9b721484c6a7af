import Foundation

/// Persistence of Vanguard connection state, so a rejected session stays rejected across
/// runs and processes.
public protocol VanguardConnectionStore: Sendable {
    func state(of name: String) async throws -> VanguardConnectionState?
    /// Every stored connection, by name (what `finsync connect vanguard` registered).
    func all() async throws -> [VanguardConnectionState]
    /// Registers (or replaces) the session file of `name` and marks it active.
    func register(name: String, sessionPath: String, sessionSHA256: String) async throws
    /// Records that Vanguard rejected the session with fingerprint `sessionSHA256`.
    func markAuthRequired(name: String, sessionSHA256: String, message: String) async throws
}
