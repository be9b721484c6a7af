import Foundation
import Ingest

/// `POST /v1/connections` with `provider: enablebanking` and
/// `POST /v1/connections/{connection}/finish`: the linking `finsync connect enablebanking`
/// does (``EnableBankingLinker``, the one implementation), reached over the API. Refusals
/// become problems naming the bank and the parameter at fault, never a key or token.
///
/// Finishing needs no terminal: the caller posts the URL the bank redirected the browser to
/// (the application's registered `redirect_url` with `code` and `state`); the state names
/// the bank and connection, so any process can finish what another started.
public struct EnableBankingConnector: Sendable {
    public let applications: [EnableBankingProvider.Application]
    /// Where links are stored (the sync runs read the same store).
    public let store: any EnableBankingLinkStore

    public init(applications: [EnableBankingProvider.Application], store: any EnableBankingLinkStore) {
        self.applications = applications
        self.store = store
    }

    /// The linker of the application named `name`, or of the only one.
    func linker(application name: String?) throws -> EnableBankingLinker {
        do {
            return EnableBankingLinker(application: try EnableBankingApplicationChoice.pick(applications, named: name, nameOf: \.configuration.name), store: store)
        } catch {
            switch error {
            case .unknown(let name, let configured):
                throw APIProblem.badParameter("application", "no [[enablebanking]] application named \(name); configured: \(configured.joined(separator: ", "))")
            case .ambiguous(let configured):
                throw APIProblem.badParameter("application", "several [[enablebanking]] applications are configured; name one (\(configured.joined(separator: ", ")))")
            }
        }
    }

    func start(bank: String, country: String, days: Int?, connection: String?, application: String?) async throws -> EnableBankingLinker.Started {
        let linker = try linker(application: application)
        do {
            return try await linker.start(bank: bank, country: country, days: days, connection: connection)
        } catch let e as EnableBankingError where e.code == .notFound && e.endpoint == "GET /aspsps" {
            throw APIProblem(.notFound, status: .notFound, title: "No such bank", detail: e.message ?? "no bank named \(bank) in \(country.uppercased())", parameter: "bank")
        } catch let e as EnableBankingError {
            throw Self.providerFailed(e)
        }
    }

    func finish(connection: String, redirect: String, application: String?) async throws -> EnableBankingLink {
        let linker = try linker(application: application)
        do {
            return try await linker.finish(redirect: redirect, expectedConnection: connection)
        } catch let e as EnableBankingError where e.endpoint == "redirect" {
            throw APIProblem.badParameter("redirect_url", e.message ?? "the redirect URL cannot be used")
        } catch let e as EnableBankingError where e.errorCode == "ALREADY_AUTHORIZED" {
            throw APIProblem(.badRequest, status: .conflict, title: "Already finished",
                             detail: "this redirect's code was already exchanged (the link is finished); start linking again to re-authorise", parameter: "redirect_url")
        } catch let e as EnableBankingError where e.errorCode == "WRONG_AUTHORIZATION_CODE" || e.errorCode == "EXPIRED_AUTHORIZATION_CODE" {
            throw APIProblem.badParameter("redirect_url", "Enable Banking refused the code (\(e.errorCode ?? "")): codes expire within minutes; start linking again")
        } catch let e as EnableBankingError {
            throw Self.providerFailed(e)
        }
    }

    /// Enable Banking failed: what it said (the client has redacted its tokens).
    static func providerFailed(_ e: EnableBankingError) -> APIProblem {
        APIProblem(.providerFailed, status: .badGateway, title: "Enable Banking failed", detail: "\(e); try again later")
    }
}
