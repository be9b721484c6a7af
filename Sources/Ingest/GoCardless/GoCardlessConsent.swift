import CanonicalJSON
import Foundation

/// Starting a GoCardless connection: an end-user agreement (access and history capped at
/// what the institution allows) and a requisition whose link the person opens to give
/// consent. Used by `finsync connect gocardless` and `POST /v1/connections`.
public struct GoCardlessConsent: Sendable {
    public var institutionID: String
    public var institutionName: String?
    public var agreementID: String?
    public var requisitionID: String?
    public var link: String?
    public var status: String?
    /// The days of access and history granted, and the ones asked for.
    public var accessDays: Int
    public var historyDays: Int
    public var requestedAccessDays: Int
    public var maxAccessDays: Int
    /// The created requisition as GoCardless answered it.
    public var requisition: JSONValue

    /// Creates the agreement and requisition.
    public static func start(client: GoCardlessClient, institution: String, redirect: String, accessDays: Int, historyDays: Int) async throws -> GoCardlessConsent {
        let inst = try await client.institution(id: institution)
        let maxAccess = Int(inst["max_access_valid_for_days"]?.string ?? "90") ?? 90
        let maxHistory = Int(inst["transaction_total_days"]?.string ?? "90") ?? 90
        let access = max(1, min(accessDays, maxAccess)), hist = max(1, min(historyDays, maxHistory))
        let agreement = try await client.createAgreement(institutionID: institution, maxHistoricalDays: hist, accessValidForDays: access)
        let requisition = try await client.createRequisition(institutionID: institution, agreementID: agreement["id"]?.string,
                                                              redirect: redirect, reference: "finsync-\(UUID().uuidString.lowercased())")
        return GoCardlessConsent(institutionID: institution, institutionName: inst["name"]?.string, agreementID: agreement["id"]?.string,
                                 requisitionID: requisition["id"]?.string, link: requisition["link"]?.string, status: requisition["status"]?.string,
                                 accessDays: access, historyDays: hist, requestedAccessDays: accessDays, maxAccessDays: maxAccess, requisition: requisition)
    }
}
