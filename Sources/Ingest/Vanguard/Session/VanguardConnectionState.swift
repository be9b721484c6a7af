/// What finsync remembers about a Vanguard session connection (migration 0004).
public struct VanguardConnectionState: Sendable, Equatable {
    public var name: String
    public var sessionPath: String
    public var sessionSHA256: String
    /// `active` or `auth_required`.
    public var status: String
    /// The fingerprint of the session Vanguard rejected; a session with this fingerprint is
    /// never used again.
    public var rejectedSHA256: String?
    public var message: String
}
