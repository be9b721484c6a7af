import ArgumentParser
import CanonicalJSON
import Foundation
import Ingest
import Logging

/// `finsync connect gocardless`: creates the end-user agreement and requisition, prints the consent link.
struct ConnectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connect",
        abstract: "Link a new bank or broker connection.",
        subcommands: [GoCardless.self, ConnectVanguardCommand.self, ConnectEnableBankingCommand.self]
    )

    struct GoCardless: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gocardless",
            abstract: "Create a GoCardless agreement and requisition and print the consent link to open."
        )

        @OptionGroup var options: SettingsOptions
        @Option(help: "Institution id, e.g. SANDBOXFINANCE_SFIN0000 or MONZO_MONZGB2L (see /institutions/?country=gb).") var institution: String
        @Option(help: "Where the bank sends the person back after consent.") var redirect = "http://localhost:8000/finsync/linked"
        @Option(help: "Days of access to ask for (capped at the institution's max_access_valid_for_days).") var days = 90
        @Option(help: "Days of history to ask for (capped at the institution's transaction_total_days).") var history = 90
        @Flag(help: "Print the created requisition as JSON.") var json = false

        func validate() throws {
            try NumericOption.require("--days", days, atLeast: 1)
            try NumericOption.require("--history", history, atLeast: 1)
        }

        func run() async throws {
            let settings = try options.resolve()
            let client = try ProviderWiring.gocardlessClient(settings.file, logger: Logger(label: "finsync.connect"))
            let consent = try await GoCardlessConsent.start(client: client, institution: institution, redirect: redirect, accessDays: days, historyDays: history)
            if json { print(PrettyJSON.render(consent.requisition)); return }
            print("Agreement \(consent.agreementID ?? "?"): \(consent.accessDays) days of access, \(consent.historyDays) days of history (\(consent.institutionName ?? institution)).")
            if consent.accessDays < days { print("  (asked for \(days) days; \(institution) allows at most \(consent.maxAccessDays))") }
            print("Requisition \(consent.requisitionID ?? "?") — status \(consent.status ?? "?").")
            print("Open this link to give consent at the bank:\n\n  \(consent.link ?? "(no link returned)")\n")
            print("Then run `finsync connections` to check it is linked (LN) and `finsync sync` to fetch the data.")
        }
    }
}
