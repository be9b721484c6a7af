import ArgumentParser
import CanonicalJSON
import Foundation
import Ingest
import Logging

/// `finsync institutions --provider enablebanking --country GB`: the banks a provider can link,
/// with what linking needs to know (maximum consent validity, required PSU headers).
struct InstitutionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "institutions",
        abstract: "List the banks a provider can link in a country."
    )

    @OptionGroup var options: SettingsOptions
    @Option(help: "The provider: enablebanking.") var provider: String
    @Option(help: "ISO 3166 alpha-2 country code, e.g. GB.") var country: String
    @Option(help: "The [[enablebanking]] application to use (when several are configured).") var application: String?
    @Flag(help: "Print the provider's answer as JSON.") var json = false

    func validate() throws {
        guard provider == "enablebanking" else { throw ValidationError("--provider must be enablebanking (GoCardless: `finsync connect gocardless --institution ID`)") }
        guard country.count == 2, country.allSatisfy(\.isLetter) else { throw ValidationError("--country must be a two-letter country code, e.g. GB") }
    }

    func run() async throws {
        let settings = try options.resolve()
        let app = try ProviderWiring.enableBankingApplication(settings.file, named: application, logger: Logger(label: "finsync.institutions"))
        let banks = try await app.client.aspsps(country: country)
        if json { print(PrettyJSON.render(.array(banks))); return }
        print("Banks in \(country.uppercased()) (\(banks.count)):")
        for b in banks.sorted(by: { ($0["name"]?.string ?? "") < ($1["name"]?.string ?? "") }) {
            let days = b["maximum_consent_validity"]?.int.map { "max consent \($0 / 86_400) days" } ?? "max consent unknown"
            let headers = b["required_psu_headers"]?.array?.compactMap(\.string) ?? []
            let psu = headers.isEmpty ? "" : "; requires PSU headers \(headers.joined(separator: ", "))"
            print("  \(b["name"]?.string ?? "?")  (\(days)\(psu)\(b["beta"]?.bool == true ? "; beta" : ""))")
        }
        print("Link one with `finsync connect enablebanking --bank NAME --country \(country.uppercased())`.")
    }
}
