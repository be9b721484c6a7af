import ArgumentParser
import Foundation
import Logging
import ProviderFakes
import ServiceLifecycle

/// `finsync sandbox`: serves the built-in fakes (GoCardless bank, Trading212 ISA, Vanguard
/// account) on 127.0.0.1 until interrupted, printing the finsync.toml entries, environment
/// and `connect vanguard` command that point at them.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Serve the built-in sandbox (fake GoCardless, Trading212 and Vanguard APIs on 127.0.0.1) until Ctrl-C.",
        discussion: "For a one-off sync against it, `finsync sync --sandbox` is simpler."
    )

    @Option(help: "GoCardless: successful calls allowed per account and scope per day.") var quota = 100

    func validate() throws { try NumericOption.require("--quota", quota, atLeast: 1) }

    func run() async throws {
        let sandbox = try await FinsyncSandbox.start(accountQuota: quota)
        let g = sandbox.gocardless, t = sandbox.trading212
        print("""
            sandbox GoCardless API  at \(g.baseURL)
            sandbox Trading212 API  at \(t.baseURL)  (a Stocks ISA)
            sandbox Vanguard        at \(sandbox.vanguard.baseURL)  (an ISA and a General Account)

            # finsync.toml
            [gocardless]
            base_url = "\(g.baseURL)"
            secret_id_env = "GOCARDLESS_SECRET_ID"
            secret_key_env = "GOCARDLESS_SECRET_KEY"

            [[trading212]]
            name = "\(FinsyncSandbox.trading212Name)"
            base_url = "\(t.baseURL)"
            api_key_env = "\(FinsyncSandbox.trading212KeyVariable)"
            api_secret_env = "\(FinsyncSandbox.trading212SecretVariable)"

            # environment (fake credentials)
            export GOCARDLESS_SECRET_ID=\(g.secretID)
            export GOCARDLESS_SECRET_KEY=\(g.secretKey)
            export \(FinsyncSandbox.trading212KeyVariable)=\(t.apiKey)
            export \(FinsyncSandbox.trading212SecretVariable)=\(t.apiSecret)

            # Vanguard has no configuration table: hand over the session the fake issued
            # (the file is removed when the sandbox stops)
            finsync connect vanguard --session \(sandbox.vanguardSessionPath) --name \(FinsyncSandbox.vanguardName)

            Press Ctrl-C to stop.
            """)
        fflush(nil)
        // Wait for SIGINT/SIGTERM.
        let group = ServiceGroup(configuration: .init(services: [UntilShutdown()], gracefulShutdownSignals: [.sigint, .sigterm], logger: Logger(label: "finsync.sandbox")))
        do { try await group.run() } catch {
            await sandbox.stop()
            throw error
        }
        await sandbox.stop()
        print("sandbox stopped")
    }
}

/// A service that does nothing until the process is asked to stop.
private struct UntilShutdown: Service {
    func run() async throws { try? await gracefulShutdown() }
}
