/// Reads from another book but never writes: what a dry run uses, so it spends nothing on paper.
public struct ReadOnlyQuotaBook: QuotaBook {
    public let base: any QuotaBook
    public init(base: any QuotaBook) { self.base = base }
    public func status(provider: String, subject: String, scope: String) async throws -> QuotaStatus? {
        try await base.status(provider: provider, subject: subject, scope: scope)
    }
    public func record(_ status: QuotaStatus) async throws {}
}
