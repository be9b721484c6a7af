/// Reads another book, never writes (dry runs).
public struct ReadOnlyCursorBook: CursorBook {
    public let base: any CursorBook
    public init(base: any CursorBook) { self.base = base }
    public func value(provider: String, subject: String, name: String) async throws -> String? {
        try await base.value(provider: provider, subject: subject, name: name)
    }
    public func set(_ value: String, provider: String, subject: String, name: String) async throws {}
}
