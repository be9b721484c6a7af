import ArgumentParser
import Foundation
import Ingest
import Logging

/// `finsync connect enablebanking --bank NAME --country CC [--days N] [--name CONN]`: starts
/// authorisation at the bank and prints the link to open; the bank's redirect comes back to
/// a one-shot listener on 127.0.0.1 (when `redirect_url` is `http://127.0.0.1:PORT/…`) or is
/// pasted (stdin, or later with `--finish URL`); its code is exchanged for a session, stored
/// as the connection's link.
struct ConnectEnableBankingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enablebanking",
        abstract: "Link a bank through Enable Banking: print the consent link, then finish with the redirect."
    )

    @OptionGroup var options: SettingsOptions
    @Option(help: "The bank's name as `finsync institutions --provider enablebanking` lists it.") var bank: String?
    @Option(help: "The bank's country (two letters).") var country: String?
    @Option(help: "Days of consent to ask for (kept below the bank's maximum; default 180).") var days: Int?
    @Option(help: "The connection's name (default: bank-country, e.g. nordea-fi). Linking the same name again re-authorises it.") var name: String?
    @Option(help: "The [[enablebanking]] application to use (when several are configured).") var application: String?
    @Option(help: "Finish a linking: the whole URL the bank redirected the browser to.") var finish: String?

    func validate() throws {
        if finish == nil, bank == nil || country == nil { throw ValidationError("give --bank and --country to start linking, or --finish URL to finish one") }
        if let days { try NumericOption.require("--days", days, atLeast: 1) }
    }

    func run() async throws {
        let settings = try options.resolve()
        let conn = try await settings.connect()
        defer { conn.close() }
        let app = try ProviderWiring.enableBankingApplication(settings.file, named: application, logger: Logger(label: "finsync.connect"))
        let linker = EnableBankingLinker(application: app, store: PostgresEnableBankingLinkStore(connection: conn))
        if let finish {
            report(try await linker.finish(redirect: finish))
            return
        }
        let started = try await linker.start(bank: bank ?? "", country: country ?? "", days: days, connection: name)
        if let note = started.note { print(note) }
        print("Open this link to give consent at \(started.bankName) (valid until \(ISO8601DateFormatter().string(from: started.validUntil))):\n\n  \(started.url)\n")
        let redirect: String
        if let listener = OneShotCallbackListener(redirectURL: app.configuration.redirectURL) {
            print("Waiting for the bank to redirect to \(app.configuration.redirectURL) …")
            redirect = try await listener.waitForRedirect()
        } else {
            print("After consent the bank redirects to \(app.configuration.redirectURL)?code=…; paste that whole URL here")
            print("(or later: `finsync connect enablebanking --finish URL`):")
            guard let line = readLine(), !line.isEmpty else { return }
            redirect = line
        }
        report(try await linker.finish(redirect: redirect, expectedState: started.state))
    }

    func report(_ link: EnableBankingLink) {
        print("Linked \(link.bankLabel) as connection \(link.connection): \(link.accounts.count) account\(link.accounts.count == 1 ? "" : "s")")
        for a in link.accounts { print("  \(a.iban ?? a.resource["name"]?.string ?? a.key)  (\(a.key))") }
        print("Run `finsync sync --provider enablebanking` now: many banks serve more than 90 days of history only in the first minutes after consent.")
    }
}
