import CanonicalJSON
import Foundation
@testable import Ingest
import ProviderFakes
import Testing

@Suite("GoCardless client")
struct GoCardlessClientTests {
    typealias IDs = GoCardlessScenario.DefaultIDs

    @Test func requisitionsAndAgreementsFollowAbsoluteNextLinks() async throws {
        try await SyncHarness.with { h in
            let requisitions = try await h.client.requisitions()
            #expect(requisitions.count == 5)
            #expect(Set(requisitions.compactMap { $0["id"]?.string }) == Set(h.scenario.requisitionIDs))
            // Page size 2 on the fake: 3 pages for 5 requisitions.
            #expect(h.scenario.calls(.requisitions) == 3)
            #expect(try await h.client.agreements().count == 3)
        }
    }

    @Test func institutionsByCountryAndTheSandboxByID() async throws {
        try await SyncHarness.with { h in
            let gb = try await h.client.institutions(country: "GB")
            #expect(gb.count == 4)
            #expect(!gb.contains { $0["id"]?.string == "SANDBOXFINANCE_SFIN0000" })
            let sandbox = try await h.client.institution(id: "SANDBOXFINANCE_SFIN0000")
            #expect(sandbox["transaction_total_days"]?.string == "90")
            await #expect(throws: GoCardlessError.self) { try await h.client.institution(id: "NOPE_XXXX") }
        }
    }

    @Test func connectFlowCreatesAgreementAndRequisitionAndReportsFieldErrors() async throws {
        try await SyncHarness.with { h in
            let agreement = try await h.client.createAgreement(institutionID: "MONZO_MONZGB2L", maxHistoricalDays: 90, accessValidForDays: 90)
            #expect(agreement["accepted"]?.isNull == true)
            let req = try await h.client.createRequisition(institutionID: "MONZO_MONZGB2L", agreementID: agreement["id"]?.string, redirect: "http://localhost/done", reference: "ref-1")
            #expect(req["status"]?.string == "CR")
            #expect(req["link"]?.string?.contains("MONZO_MONZGB2L") == true)
            #expect(try await h.client.requisitions().count == 6)
            // The person consents; the next sync finds the new linked account and syncs it.
            let id = try #require(req["id"]?.string)
            #expect(h.scenario.completeConsent(requisitionID: id) == "http://localhost/done?ref=ref-1")
            let linked = try await h.client.requisition(id: id)
            #expect(linked["status"]?.string == "LN")
            let account = try #require(linked["accounts"]?[0]?.string)
            let run = try await h.sync(.init(connection: id))
            #expect(run.status == .succeeded)
            #expect(h.step(run, account)?.eventsAppended ?? 0 > 10)
            // Field-keyed error body (shape 2), flattened with the field names.
            do {
                _ = try await h.client.createAgreement(institutionID: "SANDBOXFINANCE_SFIN0000", maxHistoricalDays: 400, accessValidForDays: 365)
                Issue.record("expected a validation error")
            } catch let e as GoCardlessError {
                #expect(e.code == .invalidRequest)
                #expect(e.httpStatus == 400)
                #expect(e.detail?.contains("max_historical_days") == true)
                #expect(e.detail?.contains("access_valid_for_days") == true)
            }
            // Duplicate reference.
            await #expect(throws: GoCardlessError.self) {
                try await h.client.createRequisition(institutionID: "MONZO_MONZGB2L", agreementID: nil, redirect: "http://localhost/done", reference: "ref-1")
            }
        }
    }

    @Test func creatingIsNeverRetriedButReadingIs() async throws {
        try await SyncHarness.with { h in
            h.scenario.inject(.serverError(503), on: .agreements, times: 1)
            await #expect(throws: GoCardlessError.self) {
                try await h.client.createAgreement(institutionID: "MONZO_MONZGB2L", maxHistoricalDays: 90, accessValidForDays: 90)
            }
            #expect(h.scenario.calls(.agreements) == 1)
            h.scenario.inject(.serverError(503), on: .agreements, times: 1)
            let agreements = try await h.client.agreements()
            #expect(agreements.count == 3)
            #expect(h.scenario.calls(.agreements) == 4)
        }
    }

    @Test func errorBodiesOfAllThreeShapes() throws {
        let plain = GoCardlessErrorBody(json: try JSONValue.parse(#"{"summary":"Invalid token","detail":"Token is invalid or expired","status_code":401}"#))
        #expect(plain.summary == "Invalid token")
        #expect(plain.detail == "Token is invalid or expired")
        let fields = GoCardlessErrorBody(json: try JSONValue.parse(#"{"institution_id":["This field is required."],"agreement":{"summary":"Incorrect Institution ID ","detail":"does not match"},"status_code":400}"#))
        #expect(fields.detail == "agreement: Incorrect Institution ID : does not match; institution_id: This field is required.")
        let arrays = GoCardlessErrorBody(json: try JSONValue.parse(#"{"summary":["Institution access scope dependencies error"],"detail":["For this institution the following scopes are required together: ['details', 'balances']"],"status_code":400}"#))
        #expect(arrays.summary == "Institution access scope dependencies error")
        #expect(arrays.detail?.contains("required together") == true)
        let typed = GoCardlessErrorBody(json: try JSONValue.parse(#"{"summary":"Couldn't update transactions","detail":"Daily request limit set by the Institution has been exceeded.","type":"RateLimitError","status_code":429}"#))
        #expect(typed.type == "RateLimitError")
    }

    @Test func rateLimitHeadersAreReadWhateverTheirCase() {
        let headers: [(name: String, value: String)] = [("http_x_ratelimit_limit", "100"), ("HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_REMAINING", "0"), ("Http_X_Ratelimit_Account_Success_Reset", "3600")]
        let r = RateLimitInfo(headers: headers)
        #expect(r.limit == 100)
        #expect(r.accountSuccessRemaining == 0)
        #expect(r.accountSuccessReset == 3600)
        #expect(r.accountBudgetSpent)
    }

    @Test func backoffIsExponentialJitteredAndBounded() {
        let low = RetryPolicy(baseDelay: .seconds(1), maxDelay: .seconds(8), random: { 0 })
        let high = RetryPolicy(baseDelay: .seconds(1), maxDelay: .seconds(8), random: { 1 })
        #expect((1...6).map(low.delay(beforeRetry:)) == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(4), .seconds(4)])
        #expect((1...6).map(high.delay(beforeRetry:)) == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(8), .seconds(8)])
    }

    @Test func jwtExpiryIsDecoded() {
        // {"exp":1767225600} = 2026-01-01T00:00:00Z
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE3NjcyMjU2MDB9.sig"
        #expect(GoCardlessTokenCache.expiry(ofJWT: jwt) == Date(timeIntervalSince1970: 1_767_225_600))
        #expect(GoCardlessTokenCache.expiry(ofJWT: "not-a-jwt") == nil)
    }

    @Test func credentialsNeverPrint() {
        let c = GoCardlessCredentials(secretID: "id-123", secretKey: "key-456")
        #expect(!"\(c)".contains("key-456"))
        #expect(!String(reflecting: c).contains("id-123"))
    }
}
