import Foundation
import Ingest
import OpenAPIRuntime

/// Enable Banking connections over the API: start (``createConnection(_:)`` with
/// `provider: enablebanking`) and finish with the bank's redirect.
extension APIHandlers {
    var enableBankingNotConfigured: APIProblem {
        APIProblem(.notConfigured, status: .conflict, title: "Enable Banking is not configured",
                   detail: "add an [[enablebanking]] table to finsync.toml (application_id, private_key_file, redirect_url) and restart `finsync serve`")
    }

    func createEnableBankingConnection(_ body: Components.Schemas.ConnectionRequest) async throws -> Operations.CreateConnection.Output {
        guard let enableBanking else { throw enableBankingNotConfigured }
        for (name, given) in [("institution_id", body.institutionId != nil), ("redirect_url", body.redirectUrl != nil),
                              ("access_days", body.accessDays != nil), ("history_days", body.historyDays != nil)] where given {
            throw APIProblem.badParameter(name, "\(name) is for GoCardless; Enable Banking takes bank, country, days and name (the redirect is the application's redirect_url)")
        }
        let bank = (body.bank ?? "").trimmingCharacters(in: .whitespaces)
        guard !bank.isEmpty, bank.count <= 200 else { throw APIProblem.badParameter("bank", "bank must be the bank's name as the ASPSP list gives it, e.g. Nordea") }
        let country = body.country ?? ""
        guard country.count == 2, country.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            throw APIProblem.badParameter("country", "country must be the bank's two-letter country code, e.g. FI")
        }
        let days = try body.days.map { try Parameters.limit($0, name: "days", default: $0, max: 730) }
        if let name = body.name { try Self.checkConnectionName(name, parameter: "name") }
        let started = try await enableBanking.start(bank: bank, country: country, days: days, connection: body.name, application: body.application)
        let connection = EnableBankingLinker.connectionName(state: started.state) ?? EnableBankingLinker.defaultConnectionName(bank: started.bankName, country: started.bankCountry)
        return .created(.init(body: .json(.init(provider: "enablebanking", connectionId: connection, bank: started.bankName, country: started.bankCountry,
                                               validUntil: started.validUntil, finish: "/v1/connections/\(connection)/finish", note: started.note, link: started.url))))
    }

    func finishConnection(_ input: Operations.FinishConnection.Input) async throws -> Operations.FinishConnection.Output {
        guard case .json(let body) = input.body else { throw APIProblem.badParameter("body", "send a JSON object with redirect_url") }
        try Self.checkConnectionName(input.path.connection, parameter: "connection")
        guard let enableBanking else { throw enableBankingNotConfigured }
        guard !body.redirectUrl.isEmpty, body.redirectUrl.count <= 4096 else {
            throw APIProblem.badParameter("redirect_url", "redirect_url must be the whole URL the bank redirected the browser to")
        }
        let link = try await enableBanking.finish(connection: input.path.connection, redirect: body.redirectUrl, application: body.application)
        return .created(.init(body: .json(.init(provider: "enablebanking", connectionId: link.connection, bank: link.bankName, country: link.bankCountry,
                                               validUntil: link.validUntil,
                                               accounts: link.accounts.map { .init(key: $0.key, iban: $0.iban, name: $0.resource["name"]?.string) }))))
    }

    /// A connection name as `finsync connect enablebanking --name` takes it.
    static func checkConnectionName(_ name: String, parameter: String) throws {
        guard (1...64).contains(name.count), name.first.map({ $0.isLowercase || $0.isNumber }) == true,
              name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw APIProblem.badParameter(parameter, "\(parameter) must be 1 to 64 lower-case letters, digits, '-' or '_' (e.g. nordea-fi)")
        }
    }
}
