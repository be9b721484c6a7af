import Foundation
import Ingest

/// `POST /v1/connections`: starts a GoCardless connection as `finsync connect gocardless`
/// does (``GoCardlessConsent``), and turns the provider's refusals into problems that
/// name the institution but never a credential.
public struct ConsentStarter: Sendable {
    public let client: GoCardlessClient

    public init(client: GoCardlessClient) { self.client = client }

    func start(institution: String, redirect: String, accessDays: Int, historyDays: Int) async throws -> GoCardlessConsent {
        do {
            return try await GoCardlessConsent.start(client: client, institution: institution, redirect: redirect, accessDays: accessDays, historyDays: historyDays)
        } catch let e as GoCardlessError {
            switch e.code {
            case .notFound, .invalidRequest:
                throw APIProblem(.notFound, status: .notFound, title: "No such institution",
                                 detail: "GoCardless does not know institution \(institution) (or refused the request for it)", parameter: "institution_id")
            default:
                // The client redacts its credentials from what GoCardless says; the code and endpoint are enough here.
                throw APIProblem(.providerFailed, status: .badGateway, title: "GoCardless failed",
                                 detail: "GoCardless answered \(e.code) on \(e.endpoint)\(e.httpStatus.map { " (HTTP \($0))" } ?? ""); try again later")
            }
        }
    }
}
