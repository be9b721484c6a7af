import ArgumentParser
import Foundation
import Ingest
import Logging
import Notify
import ProviderFakes

/// `finsync sync`: extract → append (→ project) for every active connection.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Sync every active connection now (one run at a time).",
        discussion: "Exits non-zero when any step failed. A run that finds another in progress records itself as skipped and exits 0."
    )

    @OptionGroup var options: SettingsOptions
    @Option(help: "Only this provider: gocardless, trading212, vanguard or enablebanking.") var provider: String?
    @Option(help: "Only this connection id: a GoCardless requisition id, a [[trading212]] name (lower-cased) or a Vanguard connection name.") var connection: String?
    @Flag(help: "Print the run record as JSON (for scripts).") var json = false
    @Flag(help: "Extract and report what would be appended, without writing.") var dryRun = false
    @Flag(help: "Record the run as scheduled (systemd timer).") var scheduled = false
    @Flag(help: "A background fetch even from a terminal: send banks no PSU headers (Enable Banking). Implied by --scheduled and when standard input is not a terminal.") var background = false
    @Flag(help: "Sync the built-in sandbox (a fake GoCardless bank, Trading212 ISA and Vanguard account on 127.0.0.1) instead of the configured providers.") var sandbox = false

    func validate() throws {
        if let provider, !Self.providerNames.contains(provider) {
            throw ValidationError("--provider must be one of \(Self.providerNames.joined(separator: ", ")) (got \"\(provider)\")")
        }
    }

    static let providerNames = ["gocardless", "trading212", "vanguard", "enablebanking"]

    func run() async throws {
        let settings = try options.resolve()
        let conn = try await settings.connect()
        defer { conn.close() }
        let logger = Logger(label: "finsync.sync")
        let box = sandbox ? try await FinsyncSandbox.start() : nil
        let providers: [any Provider]
        do { providers = try await ProviderWiring.providers(settings.file, sandbox: box, connection: conn, logger: logger) } catch {
            await box?.stop()
            throw error
        }
        let runner = SyncRunner(connection: conn, providers: providers, afterAppend: AfterAppendHook.make(connection: conn), logger: logger)
        let reporter = SyncReporter(mode: json ? .json : (isatty(STDOUT_FILENO) == 1 ? .terminal : .plain))
        let record: RunRecord
        do {
            record = try await runner.run(.init(trigger: scheduled ? .scheduled : .manual, dryRun: dryRun, provider: provider, connection: connection,
                                                personPresent: PersonPresence.current(scheduled: scheduled, background: background))) { reporter.report($0) }
        } catch {
            await box?.stop()
            throw error
        }
        await box?.stop()
        // The sandbox's fake connections are nobody's: only real runs are told to [notify].
        if !sandbox {
            await RunNotifier(webhooks: settings.file.notify.webhooks, connection: conn, redactor: await SecretRedactor.of(providers), logger: logger).notify(after: record)
        }
        if json { print(try IngestFormat.json(record)) }
        if record.hasFailures { throw ExitCode(1) }
    }
}
