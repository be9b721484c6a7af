/// The secret id and key of a GoCardless Bank Account Data user secret.
///
/// Its description is redacted, so it can never leak into logs or errors by interpolation.
public struct GoCardlessCredentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public var secretID: String
    public var secretKey: String

    public init(secretID: String, secretKey: String) {
        self.secretID = secretID
        self.secretKey = secretKey
    }

    public var description: String { "GoCardlessCredentials(<redacted>)" }
    public var debugDescription: String { description }
}
