import Foundation
import Postgres

/// Where quotas are kept between runs (``PostgresQuotaBook`` in `ingest.quotas`).
public protocol QuotaBook: Sendable {
    func status(provider: String, subject: String, scope: String) async throws -> QuotaStatus?
    func record(_ status: QuotaStatus) async throws
}
