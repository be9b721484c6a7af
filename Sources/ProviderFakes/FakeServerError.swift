/// An error starting a fake server.
public struct FakeServerError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
