/// The one error of the fake provider servers: a fake could not start (no port bound).
/// Every fake (GoCardless, Trading212, Vanguard, the recording server) throws this type.
public struct FakeProviderServerError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
