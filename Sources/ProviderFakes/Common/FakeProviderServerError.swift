/// The fake server could not start.
public struct FakeProviderServerError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
